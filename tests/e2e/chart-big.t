#!/bin/sh
# 300 vendors, 20 domains, 40 months: the charts stay legible: the top N
# by items are drawn, the rest folded into "other", months cut to 24.
. tests/e2e/lib.sh

python3 tests/fixtures/bundle-gen/make.py --domains 20 --vendors 300 --months 40 --tasks 15000 "$T/big" >"$T/gen.err" 2>&1
ok $? "generated a 300-vendor, 40-month bundle"
is "$(zcat "$T/big/by-vendor.csv.gz" | sed 1d | grep -vc '^ALL,')" 300 "300 vendors in the bundle"

run kpo-chart -q -o "$T/o" "$T/big"
is "$rc" 0 "renders"
G=$T/o/gnuplot
n=$(wc -l <"$G/vendor-scorecard.dat")
ok "$([ "$n" -le 13 ] && echo 0 || echo 1)" "vendor-scorecard: at most 12 + 1 vendor rows ($n)"
like "$G/vendor-scorecard.dat" '	other \(288 vendors\)	3$' "the other 288 vendors folded into one (on-time status unknown)"
is "$(wc -l <"$G/savings-by-domain.dat")" 13 "savings-by-domain: 12 domains and other"
is "$(wc -l <"$G/turnaround-by-domain.dat")" 12 "turnaround-by-domain: the top 12 (quantiles do not fold)"
is "$(wc -l <"$G/savings-heatmap-x.dat")" 24 "heatmap: the last 24 months"
is "$(wc -l <"$G/savings-heatmap-y.dat")" 13 "heatmap: 12 domains and other"
is "$(wc -l <"$G/on-time-trend.dat")" 24 "on-time-trend: the last 24 months"
is "$(head -1 "$G/quality-trend.dat" | awk -F '	' '{print NF}')" 13 "quality-trend: 9 lines (8 domains and other), idx, month, n, partial"
like "$G/quality-trend.dat" '	other \(12 domains\)	n	partial$' "quality-trend: the other 12 domains with data as one line"

# The folded row: sums, savings % from the sums, quality weighted by quality_n.
python3 - "$T/big" "$G/vendor-scorecard.dat" <<'PY' >"$T/fold"
import csv, gzip, sys
rows = [r for r in csv.DictReader(gzip.open(sys.argv[1] + "/by-vendor.csv.gz", "rt")) if r["vendor"] != "ALL"]
rows.sort(key=lambda r: (-int(r["items"]), r["vendor"].encode()))
rest = rows[12:]
f = lambda k: sum(float(r[k]) for r in rest if r[k])
pct = 100 * f("savings") / f("baseline")
q = sum(float(r["quality_mean"]) * int(r["quality_n"]) for r in rest if r["quality_mean"]) / sum(int(r["quality_n"]) for r in rest)
last = open(sys.argv[2]).read().splitlines()[-1].split("\t")
ok = abs(float(last[1]) - pct) < 0.01 and abs(float(last[2]) - q) < 0.01 and int(float(last[3])) == sum(int(r["items"]) for r in rest)
print("ok" if ok else "want %.4f %.4f got %s %s" % (pct, q, last[1], last[2]))
PY
is "$(cat "$T/fold")" ok "other: savings % = 100 x savings / baseline, quality weighted, items summed"

run kpo-chart -q --top 5 -o "$T/o5" "$T/big"
is "$rc" 0 "--top 5"
is "$(wc -l <"$T/o5/gnuplot/vendor-scorecard.dat")" 6 "--top 5: five vendors and other"
for f in "$T"/o/*.svg; do
	python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$f" || echo "$f"
done >"$T/bad"
is "$(cat "$T/bad")" "" "every SVG parses"
is "$(ls "$T/o" | grep -c '\.png$')" 9 "nine PNG"

done_testing
