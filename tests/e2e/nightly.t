#!/bin/bash
# pipeline/kpo-nightly: publishes a whole report or nothing.  Each failure
# leaves `latest` on the previous good report, says why (exit status, stderr
# and run.log), and the next good run leaves no .tmp-* behind.
. tests/e2e/lib.sh

nightly=$TOP/pipeline/kpo-nightly
inbox=$T/inbox
out=$T/reports
mkdir -p "$inbox"
cp samples/exports/a-timetracker.csv samples/exports/b-excel-ru-utf8.csv samples/exports/c-jira.csv "$inbox/"

conf() {  # conf FILE [KEY=VALUE ...]: a configuration over $inbox and $out
	local f=$1
	shift
	{
		echo "INBOX=$inbox"
		echo "OUTROOT=$out"
		echo "RATES=$TOP/samples/rates.csv"
		echo "FX=$TOP/samples/fx.csv"
		echo "KEEP_DAYS=30"
		for kv in "$@"; do echo "$kv"; done
	} >"$f"
}
latest() { readlink "$out/latest"; }
no_tmp() { ls -A "$out" | grep -c '^\.tmp-\|^\.old-'; }

# A good run.
conf "$T/good.conf"
start=$(date +%s.%N)
run "$nightly" -c "$T/good.conf" --as-of 2026-11-27
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
is "$rc" 0 "a good run: exit 0"
cat "$T/err" | head -n 5 | diag "$(cat)"
is "$(latest)" 2026-11-27 "latest points at the new report"
for f in summary/by-domain.csv.gz summary/by-vendor.csv.gz summary/by-region.csv.gz summary/by-month.csv.gz \
	summary/by-domain-month.csv.gz summary/by-vendor-domain.csv.gz summary/meta.csv charts/index.html \
	rejects.csv.gz run.log SHA256SUMS; do
	ok "$(test -s "$out/2026-11-27/$f"; echo $?)" "the report has $f"
done
ok "$(cd "$out/2026-11-27" && sha256sum --quiet -c SHA256SUMS >/dev/null 2>&1; echo $?)" "SHA256SUMS checks"
log=$out/2026-11-27/run.log
like "$log" "inputs: 3 exports in 1 source$" "run.log counts the exports"
like "$log" "input a-timetracker.csv: 220 rows read, 220 written, 0 rejected; exit 0, [0-9.]+ s$" \
	"run.log lists a-timetracker.csv with its rows read, written and rejected and its time"
like "$log" "input b-excel-ru-utf8.csv: 215 rows read, 215 written, 0 rejected; exit 0" "and b-excel-ru-utf8.csv"
like "$log" "input c-jira.csv: 230 rows read, 230 written, 0 rejected; c-jira.csv recognised as a Jira export; exit 0" "and c-jira.csv"
like "$log" "kpo-ingest: 665 rows read, 665 written, 0 rejected in 3 of 3 exports, [0-9.]+ s" \
	"and the sum of kpo-ingest's runs"
# kpo-enrich and kpo-metrics run as one kpo-run --ingested: each stage's
# summary line reaches run.log, and the run its exit and time.
like "$log" "^[^ ]+ kpo-nightly .* JOBS=[0-9]+ DEDUPE=no ENGINE=local$" "run.log says how many jobs"
like "$log" "^[^ ]+   kpo-enrich: 665 rows read, 665 written, 0 rejected$" \
	"run.log has kpo-enrich's rows in, out and rejected"
like "$log" "^[^ ]+   kpo-metrics: 665 rows read, 665 used, 0 rejected$" \
	"run.log has kpo-metrics' rows in, used and rejected"
like "$log" "kpo-chart: 9 charts" "run.log has kpo-chart's summary"
for s in kpo-run kpo-chart; do
	like "$log" "$s: exit 0, [0-9.]+ s" "run.log has $s's time"
done
unlike "$log" '\.tmp-' "run.log names no path of the build folder, gone once published"
like "$log" "published $out/2026-11-27$" "run.log names the published report"
like "$log" "page: $out/2026-11-27/charts/index.html$" "and the page by its published path"
ok "$(test ! -e "$out/2026-11-27/skipped.txt"; echo $?)" "nothing skipped: no skipped.txt"
unlike "$log" 'replacing' "a first run of the day replaces nothing"
# Timing is make bench's business, never a test's (a loaded or sanitized
# build is slow): only shown.
diag "the sample run took $secs s"

# A stage failing: a bad fx file.
printf 'currency,rate\nEUR,1.08\nGBP,lots\n' >"$T/bad-fx.csv"
conf "$T/badfx.conf" "FX=$T/bad-fx.csv"
run "$nightly" -c "$T/badfx.conf" --as-of 2026-11-28
is "$rc" 65 "a bad fx file: exit 65"
like "$T/err" 'bad-fx.csv:3' "stderr names the bad line"
like "$out/.tmp-2026-11-28/run.log" "FAILED: kpo-run: exit 65: kpo-enrich: $T/bad-fx.csv:3: unparsable rate 'lots'$" \
	"the FAILED line says which stage failed and carries its own message"
unlike "$out/.tmp-2026-11-28/run.log" 'FAILED.*(see above|missing column|disk full)' \
	"and no list of possible causes"
is "$(latest)" 2026-11-27 "latest still points at the previous good report"
ok "$(test ! -e "$out/2026-11-28"; echo $?)" "nothing is published"

# The reject threshold passed.
cp samples/bad/bad-date.csv "$inbox/zz-bad.csv"
conf "$T/strict.conf" MAX_REJECT_PCT=0.1
run "$nightly" -c "$T/strict.conf" --as-of 2026-11-28
is "$rc" 65 "an export rejecting more than MAX_REJECT_PCT of its rows (2 of 5 > 0.1 %): exit 65"
like "$T/err" '2 of 5 rows rejected, more than --max-reject-pct 0.1%' "and says so"
like "$out/.tmp-2026-11-28/run.log" 'input zz-bad.csv: 5 rows read, 3 written, 2 rejected \(2 unparsable date\); exit 65' \
	"run.log lists the export with its rows"
like "$out/.tmp-2026-11-28/run.log" \
	'FAILED: kpo-ingest could not read 1 of 4 exports: zz-bad.csv \(exit 65: .*2 of 5 rows rejected, more than --max-reject-pct 0.1%\)$' \
	"the FAILED line names the export and carries kpo-ingest's message"
is "$(latest)" 2026-11-27 "latest unchanged"
conf "$T/lenient.conf" MAX_REJECT_PCT=50
run "$nightly" -c "$T/lenient.conf" --as-of 2026-11-28
is "$rc" 0 "with MAX_REJECT_PCT=50 the same inbox publishes"
is "$(gzip -dc "$out/2026-11-28/rejects.csv.gz" | grep -c 'zz-bad.csv:[35],ingest,unparsable date')" 2 \
	"rejects.csv.gz holds the two rejected rows"
is "$(no_tmp)" 0 "the good run left no .tmp-* folder behind"
rm "$inbox/zz-bad.csv"

# A missing inbox.
conf "$T/noinbox.conf" && sed -i "s#^INBOX=.*#INBOX=$T/nowhere#" "$T/noinbox.conf"
run "$nightly" -c "$T/noinbox.conf" --as-of 2026-11-29
is "$rc" 66 "a missing inbox: exit 66"
like "$T/err" "nowhere: no such folder" "and says so"
is "$(latest)" 2026-11-28 "latest unchanged"

# Re-running a day replaces it, and says so.
echo marker >"$out/2026-11-28/marker"
first_at=$(sed -n 's/^\([^ ]*\) published .*/\1/p' "$out/2026-11-28/run.log")
run "$nightly" -c "$T/good.conf" --as-of 2026-11-28
is "$rc" 0 "a second run of the same day: exit 0"
like "$out/2026-11-28/run.log" "replacing the report of 2026-11-28 published at $first_at$" \
	"run.log says it replaces the day's report and when that was published ($first_at)"
like "$T/err" "replacing the report of 2026-11-28 published at $first_at$" "so does stderr"
ok "$(test ! -e "$out/2026-11-28/marker"; echo $?)" "the day's report was replaced"
is "$(latest)" 2026-11-28 "latest points at it"
is "$(no_tmp)" 0 "no .tmp-* or .old-* left"

# Retention: older than KEEP_DAYS goes, never what latest names.
mkdir -p "$out/2026-09-01" "$out/2026-10-29" "$out/2026-10-28"
run "$nightly" -c "$T/good.conf" --as-of 2026-11-28
ok "$(test ! -e "$out/2026-09-01" && test ! -e "$out/2026-10-28"; echo $?)" "folders older than 30 days are removed"
ok "$(test -d "$out/2026-10-29" && test -d "$out/2026-11-27"; echo $?)" "folders within 30 days stay"
conf "$T/keep0.conf" KEEP_DAYS=0
run "$nightly" -c "$T/keep0.conf" --as-of 2026-11-28
is "$(ls "$out" | grep -c '^20')" 1 "KEEP_DAYS=0 keeps only the latest"
is "$(latest)" 2026-11-28 "and that is the one latest points at"

# The configuration is data: nothing in it runs.
printf 'INBOX=$(touch %s/pwned1)\nOUTROOT=%s\n' "$T" "$out" >"$T/evil.conf"
run "$nightly" -c "$T/evil.conf" --as-of 2026-11-28
ok "$(test ! -e "$T/pwned1"; echo $?)" "a value \$(touch ...) runs nothing"
is "$rc" 66 "and is just a folder that does not exist"
printf 'INBOX=`touch %s/pwned2`\nOUTROOT=%s\nBASE=`id`\n' "$T" "$out" >"$T/evil2.conf"
run "$nightly" -c "$T/evil2.conf" --as-of 2026-11-28
ok "$(test ! -e "$T/pwned2"; echo $?)" "a value \`touch ...\` runs nothing"
is "$rc" 64 "BASE=\`id\` is refused as a currency"
printf 'INBOX=%s\nOUTROOT=%s\nPATH=/tmp\n' "$inbox" "$out" >"$T/unknown.conf"
run "$nightly" -c "$T/unknown.conf"
is "$rc" 64 "an unknown key: exit 64"
like "$T/err" "unknown.conf:3: unknown key 'PATH'" "the message names it and its line"

# A comment may follow a value: a '#' after white space starts it, unless
# the value is quoted.
mkdir -p "$T/in # box"
cp samples/exports/c-jira.csv "$T/in # box/"
cat >"$T/comments.conf" <<EOF
# a comment line
INBOX="$T/in # box"   # quoted: the '#' is part of the folder's name
OUTROOT=$out	# a TAB before the comment
RATES=$TOP/samples/rates.csv # rates
FX='$TOP/samples/fx.csv'  # single quotes too
KEEP_DAYS=30        # dated reports older than this are removed
ON_BAD_FILE=fail    # the default
MAP= # none
EOF
run "$nightly" -c "$T/comments.conf" --as-of 2026-11-28
is "$rc" 0 "values followed by comments are read without them"
like "$out/2026-11-28/run.log" "INBOX=$T/in # box OUTROOT=$out BASE" "and a quoted value keeps its '#'"
like "$out/2026-11-28/run.log" 'input c-jira.csv: 230 rows read' "the folder named with a '#' is read"
printf 'INBOX=%s\nOUTROOT=%s\nKEEP_DAYS=3#0\n' "$inbox" "$out" >"$T/hash.conf"
run "$nightly" -c "$T/hash.conf" --as-of 2026-11-28
is "$rc" 64 "a '#' right after a value is part of it"
like "$T/err" "KEEP_DAYS must be a whole number of days: '3#0'" "and the value is refused as such"
printf 'INBOX=%s # box\nOUTROOT=%s\n' "$T/in" "$out" >"$T/unquoted.conf"
run "$nightly" -c "$T/unquoted.conf" --as-of 2026-11-28
is "$rc" 66 "unquoted, ' # box' is a comment"
like "$T/err" "INBOX $T/in: no such folder" "so the folder is $T/in"
printf 'OUTROOT=%s\nINBOX="%s\n' "$out" "$inbox" >"$T/open.conf"
run "$nightly" -c "$T/open.conf" --as-of 2026-11-28
is "$rc" 64 "a quote that is not closed: exit 64"
like "$T/err" 'open.conf:2: INBOX: the opening " is not closed' "naming the line"
printf 'OUTROOT=%s\nINBOX="%s" box\n' "$out" "$inbox" >"$T/after.conf"
run "$nightly" -c "$T/after.conf" --as-of 2026-11-28
is "$rc" 64 "text after the closing quote: exit 64"
like "$T/err" "after.conf:2: INBOX: text after the closing \": 'box'" "naming the line"
printf 'INBOX=%s\nOUTROOT=%s\nON_BAD_FILE=ignore\n' "$inbox" "$out" >"$T/obf.conf"
run "$nightly" -c "$T/obf.conf" --as-of 2026-11-28
is "$rc" 64 "ON_BAD_FILE is fail or skip"
like "$T/err" "ON_BAD_FILE must be fail or skip: 'ignore'" "and says so"
is "$(latest)" 2026-11-28 "latest points at the last good report"
# COSTS and GOVERNANCE_PCT reach kpo-metrics: the total cost in the bundle.
conf "$T/costs.conf" "COSTS=$TOP/samples/costs.csv" "GOVERNANCE_PCT=4"
run "$nightly" -c "$T/costs.conf" --as-of 2026-11-28
is "$rc" 0 "COSTS and GOVERNANCE_PCT: exit 0"
like "$out/2026-11-28/run.log" 'kpo-metrics: .*; costs: 9 rows read, 9 used, 0 rejected' "run.log: the costs rows read"
zcat "$out/2026-11-28/summary/by-domain.csv.gz" | python3 -c '
import csv, sys
r = [x for x in csv.DictReader(sys.stdin) if x["domain"] == "ALL"][0]
print(r["transition"], r["other_cost"], float(r["governance"]) > 0, float(r["tco"]) > float(r["cost"]))' >"$T/tco"
is "$(cat "$T/tco")" "40920.00 2290.00 True True" \
	"the bundle: transition 24000 EUR x 1.08 + 15000, other 850 + 120000 INR x 0.012, governance, tco above cost"
like "$out/2026-11-28/charts/index.html" 'class="k">Total cost</div><div class="v">[0-9]' "the page shows the total cost"
conf "$T/govbad.conf" "GOVERNANCE_PCT=120"
run "$nightly" -c "$T/govbad.conf" --as-of 2026-11-28
is "$rc" 64 "GOVERNANCE_PCT=120: exit 64 before any stage runs"
like "$T/err" "GOVERNANCE_PCT must be a percentage from 0 to 100" "... and says why"
conf "$T/nocosts.conf" "COSTS=$T/no-such-costs.csv"
run "$nightly" -c "$T/nocosts.conf" --as-of 2026-11-28
is "$rc" 66 "COSTS naming a missing file: exit 66"
# kpo-metrics failing: more of the COSTS rows rejected than MAX_REJECT_PCT.
{ cat "$TOP/samples/costs.csv"; echo '2025-13-01,V,,governance,100,USD,'; } >"$T/badcosts.csv"
conf "$T/badcosts.conf" "COSTS=$T/badcosts.csv" MAX_REJECT_PCT=1
run "$nightly" -c "$T/badcosts.conf" --as-of 2026-11-29
is "$rc" 65 "COSTS rows rejected past MAX_REJECT_PCT: exit 65"
like "$out/.tmp-2026-11-29/run.log" \
	"FAILED: kpo-run: exit 65: kpo-metrics: $T/badcosts.csv:11: unparsable date: .*; kpo-metrics: 1 of 10 costs rows rejected, more than --max-reject-pct 1%$" \
	"the FAILED line carries kpo-metrics' own messages"
is "$(latest)" 2026-11-28 "latest unchanged"

# JOBS: kpo-run's jobs; the report does not depend on them.
conf "$T/jobs1.conf" JOBS=1
run "$nightly" -c "$T/jobs1.conf" --as-of 2026-11-29
is "$rc" 0 "JOBS=1: exit 0"
like "$out/2026-11-29/run.log" " JOBS=1 DEDUPE=no ENGINE=local$" "run.log says JOBS=1"
mv "$out/2026-11-29" "$T/jobs1"
conf "$T/jobs3.conf" JOBS=3
run "$nightly" -c "$T/jobs3.conf" --as-of 2026-11-29
is "$rc" 0 "JOBS=3: exit 0"
diff -r -x run.log "$T/jobs1" "$out/2026-11-29" >"$T/diff" 2>&1
ok $? "JOBS=1 and JOBS=3 publish the same report"
for j in 0 257 x 1.5; do
	conf "$T/badjobs.conf" "JOBS=$j"
	run "$nightly" -c "$T/badjobs.conf" --as-of 2026-11-29
	is "$rc" 64 "JOBS=$j: exit 64"
	like "$T/err" "JOBS must be a whole number of jobs from 1 to 256: '$j'" "... and says why"
done

# A big inbox keeps a run busy for the lock and kill tests (and fills the
# small disk below).  Under the sanitizers (KPO_SANITIZED) a run is several
# times slower, so a quarter of the rows keeps it busy as long: the size is
# not what these tests are about.
mkdir -p "$T/bigbox"
scripts/gen-data "$([ "${KPO_SANITIZED:-0}" = 1 ] && echo 100000 || echo 400000)" 3 >"$T/bigbox/big.csv"
conf "$T/big.conf" && sed -i "s#^INBOX=.*#INBOX=$T/bigbox#" "$T/big.conf"

# Two runs together: one publishes, the other exits 75 at once.
"$nightly" -c "$T/big.conf" --as-of 2026-11-30 >/dev/null 2>"$T/first.err" &
first=$!
for _ in $(seq 100); do [ -d "$out/.tmp-2026-11-30" ] && break; sleep 0.05; done
start=$(date +%s.%N)
run "$nightly" -c "$T/big.conf" --as-of 2026-11-30
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
is "$rc" 75 "a second run while the first holds the lock: exit 75"
ok "$(awk -v s="$secs" 'BEGIN { exit !(s < 1) }'; echo $?)" "at once ($secs s)"
wait $first
is "$?" 0 "the first run publishes"
is "$(latest)" 2026-11-30 "latest points at its report"

# Killed with SIGKILL half-way: nothing published; the next run cleans up.
setsid "$nightly" -c "$T/big.conf" --as-of 2026-12-01 >/dev/null 2>&1 &
victim=$!
for _ in $(seq 100); do [ -n "$(ls -A "$out/.tmp-2026-12-01/work/ingest" 2>/dev/null)" ] && break; sleep 0.05; done
kill -KILL -- -"$victim" 2>/dev/null
{ wait "$victim"; } 2>/dev/null
is "$(latest)" 2026-11-30 "after SIGKILL half-way latest is unchanged"
ok "$(test ! -e "$out/2026-12-01"; echo $?)" "nothing is published"
run "$nightly" -c "$T/good.conf" --as-of 2026-12-01
is "$rc" 0 "the next run succeeds"
is "$(no_tmp)" 0 "and leaves no .tmp-* folder behind"

# Export file names are data too: a leading dash, a comma, a quote, $(...).
mkdir -p "$T/oddbox"
odd="-x \$(touch kpo-pwned3), \"q\".csv"
cp samples/exports/a-timetracker.csv "$T/oddbox/$odd"
conf "$T/odd.conf" && sed -i "s#^INBOX=.*#INBOX=$T/oddbox#" "$T/odd.conf"
run "$nightly" -c "$T/odd.conf" --as-of 2026-12-02
is "$rc" 0 "an export named '$odd' is read"
ok "$(test ! -e "$TOP/kpo-pwned3" && test ! -e "$T/oddbox/kpo-pwned3" && test ! -e "$out/kpo-pwned3"; echo $?)" \
	"and the \$(touch ...) in its name runs nothing"
like "$out/2026-12-02/run.log" 'kpo-ingest: 220 rows read' "all its rows are read"
like "$out/2026-12-02/run.log" 'input -x \$\(touch kpo-pwned3\), "q".csv: 220 rows read' "and run.log names it"

# The output disk full: a 3 MB tmpfs in a private mount namespace (no root
# needed: a user namespace maps us to root there).
if unshare -rm true 2>/dev/null; then
	unshare -rm bash -c '
		set -u
		mkdir -p "$1/small" && mount -t tmpfs -o size=3m tmpfs "$1/small" || exit 99
		printf "INBOX=%s\nOUTROOT=%s\nRATES=%s\nFX=%s\n" "$2" "$1/small/out" "$3/samples/rates.csv" "$3/samples/fx.csv" >"$1/small.conf"
		"$4" -c "$1/small.conf" --as-of 2026-11-27 >/dev/null 2>&1; echo "good=$?"
		cp "$1/bigbox/big.csv" "$2/zz-big.csv" 2>/dev/null
		"$4" -c "$1/small.conf" --as-of 2026-11-28 >/dev/null 2>"$1/full.err"; echo "full=$?"
		echo "latest=$(readlink "$1/small/out/latest")"
		rm -f "$2/zz-big.csv"
		grep -c "FAILED" "$1/small/out/.tmp-2026-11-28/run.log" 2>/dev/null | sed "s/^/logged=/"
	' sh "$T" "$inbox" "$TOP" "$nightly" >"$T/full.out" 2>&1
	like "$T/full.out" '^good=0$' "on a 3 MB disk a small inbox publishes"
	like "$T/full.out" '^full=74$' "a disk that fills up: exit 74"
	like "$T/full.err" 'No space left on device' "stderr says the disk is full"
	like "$T/full.out" '^latest=2026-11-27$' "latest still points at the previous report"
else
	skip "no user namespaces here: disk-full test not run"
fi
done_testing
