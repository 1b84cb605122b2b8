#!/bin/bash
# kpo-nightly with TARGETS: day 1 publishes the statuses; day 2, with one
# vendor made worse, prints exactly the alerts that are new since the
# report latest named, and nothing else on standard output; a run with
# nothing new prints nothing.  The expected lines come from the reference
# tests/ref/score_ref.py on the published bundles.
. tests/e2e/lib.sh

nightly=$TOP/pipeline/kpo-nightly
SREF="python3 $TOP/tests/ref/score_ref.py"
inbox=$T/inbox
out=$T/reports
mkdir -p "$inbox"
cp samples/exports/a-timetracker.csv samples/exports/b-excel-ru-utf8.csv samples/exports/c-jira.csv "$inbox/"
cat >"$T/targets.csv" <<'EOF'
metric,scope,min,target,weight
on_time_pct,vendor=*,65,80,2
quality_mean,vendor=*,85,88,1
EOF
conf() {  # conf FILE [KEY=VALUE ...]
	local f=$1
	shift
	{
		echo "INBOX=$inbox"
		echo "OUTROOT=$out"
		echo "RATES=$TOP/samples/rates.csv"
		echo "FX=$TOP/samples/fx.csv"
		for kv in "$@"; do echo "$kv"; done
	} >"$f"
}
conf "$T/k.conf" "TARGETS=$T/targets.csv"

# Day 1: no earlier report, so every red and amber status is news.
run "$nightly" -c "$T/k.conf" --as-of 2026-11-27
is "$rc" 0 "day 1: exit 0"
D1=$out/2026-11-27
for f in status/status.csv status/scorecard.csv status/alerts.csv; do
	ok "$(test -s "$D1/$f"; echo $?)" "day 1: the report has $f"
done
$SREF --targets "$T/targets.csv" -o "$T/r1" "$D1/summary" >"$T/want1"
same "$D1/status/status.csv" "$T/r1/status.csv" "day 1: status.csv = reference"
same "$T/out" "$T/want1" "day 1: standard output is the alert lines, as the reference prints them"
is "$(grep -vc '^\(red\|amber\): vendor=' "$T/out")" 0 "day 1: nothing else on standard output"
like "$T/err" 'kpo-nightly: published ' "day 1: the rest goes to standard error"
like "$D1/run.log" "kpo-score: exit 0" "run.log has kpo-score's exit and time"
like "$D1/run.log" "kpo-score: $(wc -l <"$T/out") new alerts$" "run.log counts the alerts"
like "$D1/charts/index.html" '<h2>Needs attention</h2>' "the page shows the statuses"
ok "$(cd "$D1" && grep -q ' \./status/status\.csv$' SHA256SUMS && sha256sum --quiet -c SHA256SUMS >/dev/null 2>&1; echo $?)" \
	"SHA256SUMS covers status/"

# The same day again: latest named day 1's first run; nothing is new.
run "$nightly" -c "$T/k.conf" --as-of 2026-11-27
is "$rc" 0 "day 1 again: exit 0"
is "$(wc -c <"$T/out")" 0 "day 1 again: nothing new, nothing on standard output"
like "$D1/status/status.csv" ',amber,amber$' "... previous_status filled in from the report latest named"

# Day 2: Pune Knowledge Partners delivers 30 items late.
{
	head -n 1 samples/exports/a-timetracker.csv
	for i in $(seq 1 30); do
		echo "LATE-$i,Late batch,Pune Knowledge Partners,Research & Development,India,2026-11-01T09:00:00Z,2026-11-05T00:00:00Z,2026-11-20T12:00:00Z,5,100,USD,,,0,false"
	done
} >"$inbox/d-late.csv"
run "$nightly" -c "$T/k.conf" --as-of 2026-11-28
is "$rc" 0 "day 2: exit 0"
D2=$out/2026-11-28
$SREF --targets "$T/targets.csv" --previous "$D1/status" -o "$T/r2" "$D2/summary" >"$T/want2"
same "$T/out" "$T/want2" "day 2: standard output is exactly the new alerts (reference, --previous day 1)"
is "$(cat "$T/out")" "$(grep '^red: vendor=Pune Knowledge Partners: on_time_pct ' "$T/want2")" \
	"day 2: one line, the vendor made worse"
like "$T/out" ', was green$' "day 2: ... which was green"
same "$D2/status/alerts.csv" "$T/r2/alerts.csv" "day 2: alerts.csv = reference"

# Day 2 again: nothing new since day 2.
run "$nightly" -c "$T/k.conf" --as-of 2026-11-28
is "$rc" 0 "day 2 again: exit 0"
is "$(wc -c <"$T/out")" 0 "day 2 again: nothing on standard output"

# Without TARGETS: no status/, nothing on standard output.
conf "$T/plain.conf"
run "$nightly" -c "$T/plain.conf" --as-of 2026-11-29
is "$rc" 0 "without TARGETS: exit 0"
is "$(wc -c <"$T/out")" 0 "without TARGETS: nothing on standard output"
ok "$(test ! -e "$out/2026-11-29/status"; echo $?)" "without TARGETS: no status/"

# A bad targets file stops the run before anything is published.
printf 'metric,scope,min,target\non_time,vendor=*,65,80\n' >"$T/bad.csv"
conf "$T/bad.conf" "TARGETS=$T/bad.csv"
run "$nightly" -c "$T/bad.conf" --as-of 2026-11-30
is "$rc" 65 "a bad targets file: exit 65"
like "$T/err" "bad\.csv:2: unknown metric 'on_time'" "... naming FILE:LINE"
is "$(wc -c <"$T/out")" 0 "... nothing on standard output"
is "$(readlink "$out/latest")" 2026-11-29 "... latest unchanged"
conf "$T/missing.conf" "TARGETS=$T/no-such.csv"
run "$nightly" -c "$T/missing.conf" --as-of 2026-11-30
is "$rc" 66 "a targets file that cannot be read: exit 66"
like "$T/err" "TARGETS: cannot read" "... says so"
done_testing
