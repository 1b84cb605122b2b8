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
for s in kpo-ingest kpo-enrich kpo-metrics; do
	like "$out/2026-11-27/run.log" "$s: [0-9]+ rows read, [0-9]+ (written|used), [0-9]+ rejected" \
		"run.log has $s's rows in, out and rejected"
done
like "$out/2026-11-27/run.log" "kpo-chart: 7 charts" "run.log has kpo-chart's summary"
for s in kpo-ingest kpo-enrich kpo-metrics kpo-chart; do
	like "$out/2026-11-27/run.log" "$s: exit 0, [0-9.]+ s" "run.log has $s's time"
done
ok "$(awk -v s="$secs" 'BEGIN { exit !(s < 5) }'; echo $?)" "the sample run takes under 5 s ($secs s)"

# A stage failing: a bad fx file.
printf 'currency,rate\nEUR,1.08\nGBP,lots\n' >"$T/bad-fx.csv"
conf "$T/badfx.conf" "FX=$T/bad-fx.csv"
run "$nightly" -c "$T/badfx.conf" --as-of 2026-11-28
is "$rc" 65 "a bad fx file: exit 65"
like "$T/err" 'bad-fx.csv:3' "stderr names the bad line"
like "$out/.tmp-2026-11-28/run.log" 'FAILED: kpo-enrich' "run.log says which stage failed"
is "$(latest)" 2026-11-27 "latest still points at the previous good report"
ok "$(test ! -e "$out/2026-11-28"; echo $?)" "nothing is published"

# The reject threshold passed.
cp samples/bad/bad-date.csv "$inbox/zz-bad.csv"
conf "$T/strict.conf" MAX_REJECT_PCT=0.1
run "$nightly" -c "$T/strict.conf" --as-of 2026-11-28
is "$rc" 65 "more than MAX_REJECT_PCT rejected (2 of 670 > 0.1 %): exit 65"
like "$T/err" '2 of 670 rows rejected, more than --max-reject-pct 0.1%' "and says so"
like "$out/.tmp-2026-11-28/run.log" 'FAILED: kpo-ingest: bad data' "run.log says which stage and why"
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

# Re-running a day replaces it.
echo marker >"$out/2026-11-28/marker"
run "$nightly" -c "$T/good.conf" --as-of 2026-11-28
is "$rc" 0 "a second run of the same day: exit 0"
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

# A big inbox keeps a run busy for the lock and kill tests.
mkdir -p "$T/bigbox"
scripts/gen-data 400000 3 >"$T/bigbox/big.csv"
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
for _ in $(seq 100); do [ -s "$out/.tmp-2026-12-01/work/canonical.csv" ] || [ -n "$(ls -A "$out/.tmp-2026-12-01/work" 2>/dev/null | grep '^\.canonical')" ] && break; sleep 0.05; done
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
