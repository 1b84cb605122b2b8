#!/bin/sh
# kpo-score against the independent reference tests/ref/score_ref.py on
# generated bundles (several vendors, targets of every scope and direction),
# the edge cases of a status, --previous and the alerts, bad targets files,
# options and exit statuses.
. tests/e2e/lib.sh
G=$TOP/tests/golden/score
MREF="python3 $TOP/tests/ref/metrics_ref.py"
SREF="python3 $TOP/tests/ref/score_ref.py"

# both NAME C_DIR REF_DIR: the three files and the alert lines agree.
both() {
	bad=0
	for f in status scorecard alerts; do
		cmp -s "$2/$f.csv" "$3/$f.csv" || { bad=1; diff "$3/$f.csv" "$2/$f.csv" | head -n 10 | diag "$(cat)"; }
	done
	cmp -s "$2.out" "$3.out" || { bad=1; diff "$3.out" "$2.out" | head -n 10 | diag "$(cat)"; }
	ok $bad "$1: status.csv, scorecard.csv, alerts.csv and the alert lines = reference"
}

# A generated stream, its bundle by kpo-metrics and by the reference
# metrics, a targets file made from the reference bundle's values.
$MREF --generate 3000 --seed 5 >"$T/g.csv"
kpo-metrics -q --bundle "$T/cb" --as-of 2024-10-15 "$T/g.csv"
$MREF --bundle "$T/rb" --as-of 2024-10-15 "$T/g.csv"
$SREF --make-targets "$T/rb" >"$T/targets.csv"
ok "$(grep -c . "$T/targets.csv" | awk '{ print ($1 >= 20) ? 0 : 1 }')" "a targets file of $(($(wc -l <"$T/targets.csv") - 1)) lines"

for n in 10 60; do
	run kpo-score --min-n $n --targets "$T/targets.csv" -o "$T/c$n" "$T/cb"
	cp "$T/out" "$T/c$n.out"
	is "$rc" 0 "--min-n $n: exit 0"
	$SREF --min-n $n --targets "$T/targets.csv" -o "$T/r$n" "$T/rb" >"$T/r$n.out"
	both "generated, --min-n $n" "$T/c$n" "$T/r$n"
done
cp "$T/err" "$T/err60"
st() {  # st DIR BY GROUP METRIC: the status (python: names hold commas and quotes)
	python3 -c '
import csv, sys
for r in csv.DictReader(open(sys.argv[1] + "/status.csv", encoding="utf-8")):
    if (r["by"], r["group"], r["metric"]) == tuple(sys.argv[2:5]): print(r["status"])' "$@"
}
is "$(python3 -c 'import csv, sys; print(sum(r["status"] == "red" for r in csv.DictReader(open(sys.argv[1]))))' "$T/c10/status.csv")" \
	"$(grep -c '^red: ' "$T/c10.out")" "without --previous every red status is an alert line"
is "$(st "$T/c10" domain analytics quality_mean)" amber "a value exactly at min is amber"
is "$(st "$T/c10" domain legal quality_mean)" green "a value exactly at target is green"
is "$(st "$T/c10" vendor Acme rework_rate)" green "min = target = the value: green"
is "$(st "$T/c10" ALL ALL sla_attainment_pct)" red "min = target, below it: red (no amber)"
is "$(st "$T/c10" ALL ALL tat_p90_h)" amber "lower is better: between target and min is amber"
is "$(st "$T/c10" vendor Acme tat_mean_h)" red "lower is better: above min is red"
is "$(st "$T/c10" domain translation overdue)" green "lower is better: a count below its target is green"
is "$(st "$T/c10" domain legal overdue)" red "lower is better: a count above min is red"
is "$(st "$T/c10" vendor 'Beta BPO' on_time_pct)" green "vendor=NAME beats vendor=*"
ok "$(grep -c '^vendor;domain,Acme;[^,]*,quality_mean,[^,]*,[^,]*,40,45,' "$T/c10/status.csv" | awk '{ print ($1 == 5) ? 0 : 1 }')" \
	"vendor=Acme;domain=* beats vendor=*;domain=analytics for all five of Acme's domains"
like "$T/c10/status.csv" '^vendor;domain,Beta BPO;analytics,quality_mean,[0-9.]+,[0-9]+,55,60,' \
	"vendor=*;domain=analytics beats vendor=*;domain=*"
ok "$(grep -c ',unknown,$' "$T/c60/status.csv" | awk '{ print ($1 > 0) ? 0 : 1 }')" \
	"--min-n 60: groups with fewer items behind the value are unknown ($(grep -c ',unknown,$' "$T/c60/status.csv"))"
like "$T/err60" "targets\.csv:21: no vendor 'No Such Vendor' in .*: the line applies to nothing" \
	"a scope naming a vendor that does not exist: a warning"
like "$T/err60" "targets\.csv:22: no vendor '\*' with domain 'No Such Domain'" "... and a domain"
like "$T/err60" '^kpo-score: [0-9]+ statuses \([0-9]+ red, [0-9]+ amber, [0-9]+ green, [0-9]+ unknown\), 6 of 6 vendors scored, [0-9]+ alerts; written to ' \
	"the summary line"

# The same bundle from shuffled rows: byte-identical files.
head -n 1 "$T/g.csv" >"$T/shuf.csv"
yes | head -c 100000 >"$T/random"
tail -n +2 "$T/g.csv" | shuf --random-source="$T/random" >>"$T/shuf.csv"
kpo-metrics -q --bundle "$T/sb" --as-of 2024-10-15 "$T/shuf.csv"
kpo-score -q --targets "$T/targets.csv" -o "$T/s10" "$T/sb" >"$T/s10.out" 2>/dev/null
kpo-score -q --targets "$T/targets.csv" -o "$T/again" "$T/cb" >"$T/again.out" 2>/dev/null
bad=0
for f in status.csv scorecard.csv alerts.csv; do
	cmp -s "$T/c10/$f" "$T/s10/$f" && cmp -s "$T/c10/$f" "$T/again/$f" || { bad=1; diag "$f differs"; }
done
cmp -s "$T/c10.out" "$T/s10.out" || bad=1
ok $bad "shuffled rows, and a second run: byte-identical files and lines"

# --previous: day 2 with one vendor made worse (a quarter of its on-time
# items late, still not enough to move the totals out of amber) prints
# exactly its new alert.
python3 - "$T/g.csv" "$T/g2.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
h = rows[0]
v, ot = h.index("vendor"), h.index("on_time")
flipped = 0
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(h)
    for r in rows[1:]:
        if r[v] == "Zeta" and r[ot] == "1":
            flipped += 1
            if flipped % 4 == 0:
                r[ot] = "0"         # a quarter of Zeta's on-time items late
        w.writerow(r)
PY
kpo-metrics -q --bundle "$T/cb2" --as-of 2024-10-15 "$T/g2.csv"
$MREF --bundle "$T/rb2" --as-of 2024-10-15 "$T/g2.csv"
run kpo-score -q --targets "$T/targets.csv" --previous "$T/c10" -o "$T/cd2" "$T/cb2"
cp "$T/out" "$T/cd2.out"
$SREF --targets "$T/targets.csv" --previous "$T/r10" -o "$T/rd2" "$T/rb2" >"$T/rd2.out"
both "day 2, --previous day 1" "$T/cd2" "$T/rd2"
like "$T/cd2.out" '^red: vendor=Zeta: on_time_pct [0-9.]+ \(min 52, target 58, n [0-9]+\), was green$' \
	"day 2: the vendor made worse turned red, and the line says what it was"
is "$(wc -l <"$T/cd2.out")" 1 "day 2: that one line and nothing else"
is "$(($(wc -l <"$T/cd2/alerts.csv") - 1))" "$(wc -l <"$T/cd2.out")" "alerts.csv has the same alerts"
like "$T/cd2/status.csv" '^vendor,Zeta,on_time_pct,[0-9.]+,[0-9]+,52,58,red,green$' "previous_status is filled in"
run kpo-score -q --targets "$T/targets.csv" --previous "$T/cd2" -o "$T/cd3" "$T/cb2"
is "$(wc -c <"$T/out")" 0 "nothing new since the last run: nothing on standard output"
is "$(cat "$T/cd3/alerts.csv")" "by,group,metric,value,n,min,target,status,previous_status" "... and alerts.csv has its header only"

# The fixture bundle: an empty metric, a vendor with no targeted metric;
# the goldens were made by the reference (score_ref.py).
run kpo-score --targets "$G/fixture-targets.csv" -o "$T/f" tests/fixtures/bundle
is "$rc" 0 "fixture: exit 0"
for f in status scorecard alerts; do
	same "$T/f/$f.csv" "$G/fixture-$f.csv" "fixture: $f.csv = the reference's golden"
done
same "$T/out" "$G/fixture-alerts.txt" "fixture: the alert lines = the reference's golden"
like "$T/f/status.csv" '^domain,Transcription,savings_pct,,[0-9]+,20,40,unknown,$' "an empty value (no baseline): unknown"
like "$T/f/scorecard.csv" '^Bluewave KPO,992,[0-9.]+,[0-9.]+,,[0-9.]+,,[0-9.]+,,,$' \
	"a vendor with no targeted metric: values, but no statuses, score or status"
like "$T/err" "fixture-targets\.csv:9: no vendor 'Nobody Ltd'" "a vendor that does not exist: warned, exit 0"

# --fail-on: 1 when a status is that bad, after writing everything.
run kpo-score -q --fail-on red --targets "$G/fixture-targets.csv" -o "$T/fr" tests/fixtures/bundle
is "$rc" 1 "--fail-on red with a red status: exit 1"
ok "$(test -s "$T/fr/status.csv"; echo $?)" "... the files are written"
printf 'metric,scope,min,target\nsavings_pct,domain=Content moderation,20,40\n' >"$T/amber.csv"
run kpo-score -q --fail-on red --targets "$T/amber.csv" -o "$T/fa" tests/fixtures/bundle
is "$rc" 0 "--fail-on red with amber only: exit 0"
run kpo-score -q --fail-on amber --targets "$T/amber.csv" -o "$T/fa" tests/fixtures/bundle
is "$rc" 1 "--fail-on amber with an amber status: exit 1"
printf 'metric,scope,min,target\nitems,ALL,1,2\n' >"$T/green.csv"
run kpo-score -q --fail-on amber --targets "$T/green.csv" -o "$T/fg" tests/fixtures/bundle
is "$rc" 0 "--fail-on amber, all green: exit 0"
is "$(wc -c <"$T/out")" 0 "... and nothing on standard output"

# Bad targets: exit 65 naming FILE:LINE, nothing written.
bad_targets() {  # bad_targets NAME LINE2 REGEX
	printf 'metric,scope,min,target,weight\non_time_pct,ALL,90,95,\n%s\n' "$2" >"$T/bad.csv"
	run kpo-score --targets "$T/bad.csv" -o "$T/nothing" tests/fixtures/bundle
	is "$rc" 65 "$1: exit 65"
	like "$T/err" "bad\.csv:3: $3" "$1: FILE:LINE and why"
}
bad_targets "an unknown metric" 'on_time,ALL,90,95,' "unknown metric 'on_time' \(the metrics are items, "
bad_targets "min not a number" 'on_time_pct,vendor=*,ninety,95,' "min is not a number: 'ninety'"
bad_targets "target not a number" 'on_time_pct,vendor=*,90,95%,' "target is not a number: '95%'"
bad_targets "an empty target" 'on_time_pct,vendor=*,90,,' "target is empty: a number expected"
bad_targets "a malformed scope" 'on_time_pct,supplier=Acme,90,95,' "malformed scope 'supplier=Acme' \(ALL, domain=NAME"
bad_targets "a scope without a name" 'on_time_pct,vendor=,90,95,' "malformed scope 'vendor='"
bad_targets "a negative weight" 'on_time_pct,vendor=*,90,95,-1' "weight must not be negative"
bad_targets "a repeated line" 'on_time_pct,all,80,85,' "the same metric and scope as line 2"
bad_targets "a wrong field count" 'on_time_pct,ALL' "2 fields, the header has 5"
ok "$(test ! -e "$T/nothing"; echo $?)" "bad targets: nothing written"
printf 'metric,scope,target\non_time_pct,ALL,95\n' >"$T/nomin.csv"
run kpo-score --targets "$T/nomin.csv" tests/fixtures/bundle
is "$rc" 65 "no min column: exit 65"
like "$T/err" "nomin\.csv:1: column 'min' missing; the header should be 'metric,scope,min,target\[,weight\]'" "... says what the header should be"
printf 'Metric;Scope;Min;Target\non_time_pct;"Vendor = Acme Analytics ; Domain=*";70,5;80\n' >"$T/semi.csv"
run kpo-score -q --targets "$T/semi.csv" -o "$T/semi" tests/fixtures/bundle
is "$rc" 0 "';' delimiter, a decimal comma, spaces and case in the scope"
like "$T/semi/status.csv" '^vendor;domain,Acme Analytics;Claims processing,on_time_pct,[0-9.]+,[0-9]+,70\.5,80,' "... read as vendor=Acme Analytics;domain=*"

# Options and other failures.
run kpo-score tests/fixtures/bundle
is "$rc" 64 "no --targets: exit 64"
for args in "--fail-on blue" "--min-n -1" "--min-n 1.5" "--frobnicate"; do
	run kpo-score $args --targets "$T/green.csv" tests/fixtures/bundle
	is "$rc" 64 "usage error: $args"
done
run kpo-score --targets "$T/no-such.csv" tests/fixtures/bundle
is "$rc" 66 "a missing targets file: exit 66"
run kpo-score --targets "$T/green.csv" "$T/no-such-bundle"
is "$rc" 66 "a missing bundle: exit 66"
run kpo-score --targets "$T/green.csv" --previous "$T/no-such-dir" -o "$T/np" tests/fixtures/bundle
is "$rc" 66 "--previous without status.csv: exit 66"
mkdir -p "$T/badprev" && printf 'by,group,metric,value,n,min,target,status,previous_status\nALL,ALL,items,1,1,1,2,purple,\n' >"$T/badprev/status.csv"
run kpo-score --targets "$T/green.csv" --previous "$T/badprev" -o "$T/np" tests/fixtures/bundle
is "$rc" 65 "--previous with a bad status word: exit 65"
like "$T/err" "badprev/status\.csv:2: column 'status'" "... FILE:LINE"
ok "$(test ! -e "$T/np"; echo $?)" "... nothing written"
run kpo-score --targets "$T/green.csv" -o /dev/null/x tests/fixtures/bundle
is "$rc" 73 "an output folder that cannot be made: exit 73"
run kpo-score --targets "$T/green.csv" -o "$T/full" tests/fixtures/bundle >/dev/full
kpo-score -q --targets "$T/amber.csv" -o "$T/full" tests/fixtures/bundle >/dev/full 2>"$T/err"
is "$?" 74 "alerts to a full standard output: exit 74"
run kpo-score --help
is "$rc" 0 "--help: exit 0"
like "$T/out" '^usage: kpo-score ' "--help: usage on stdout"
run kpo-score --version
is "$(cat "$T/out")" "kpo-score $(cat VERSION)" "--version"
done_testing
