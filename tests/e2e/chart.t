#!/bin/sh
# kpo-chart on the hand-made bundle tests/fixtures/bundle (8 domains, 10
# vendors, 18 months): every chart in both formats, valid and with the
# expected series, index.html, reproducible output, options and exit codes.
. tests/e2e/lib.sh

B=tests/fixtures/bundle
CHARTS="savings-by-domain turnaround-by-domain on-time-trend quality-trend vendor-scorecard savings-by-month savings-heatmap rework-control defect-control"

# check_images DIR: every chart as a PNG (signature, IHDR size) and an SVG
# that parses as XML; prints one line per problem.
check_images() {
	python3 - "$1" $CHARTS <<'PY'
import struct, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
for name in sys.argv[2:]:
    try:
        b = open("%s/%s.png" % (d, name), "rb").read()
        if b[:8] != b"\x89PNG\r\n\x1a\n" or b[12:16] != b"IHDR":
            print("%s.png: not a PNG" % name)
        else:
            w, h = struct.unpack(">II", b[16:24])
            if not (600 <= w <= 2000 and 300 <= h <= 2000):
                print("%s.png: odd size %dx%d" % (name, w, h))
    except OSError as e:
        print("%s.png: %s" % (name, e))
    try:
        root = ET.parse("%s/%s.svg" % (d, name)).getroot()
        if not root.tag.endswith("svg"):
            print("%s.svg: root is %s" % (name, root.tag))
    except (OSError, ET.ParseError) as e:
        print("%s.svg: %s" % (name, e))
PY
}

# svg_texts FILE: the text of every <text> element, one per line.
svg_texts() {
	python3 -c '
import sys, xml.etree.ElementTree as ET
for t in ET.parse(sys.argv[1]).getroot().iter():
    if t.tag.endswith("}text") or t.tag == "text":
        s = "".join(t.itertext()).strip()
        if s: print(s)' "$1"
}

zcat $B/by-domain.csv.gz | python3 -c '
import csv, sys
for r in list(csv.reader(sys.stdin))[1:]:
    if r[0] != "ALL": print(r[0])' >"$T/domains"
zcat $B/by-vendor.csv.gz | python3 -c '
import csv, sys
for r in list(csv.reader(sys.stdin))[1:]:
    if r[0] != "ALL": print(r[0])' >"$T/vendors"
is "$(wc -l <"$T/domains")" 8 "the fixture has 8 domains"

start=$(date +%s.%N)
run kpo-chart -q -o "$T/o1" $B
end=$(date +%s.%N)
is "$rc" 0 "renders the fixture bundle"
is "$(cat "$T/err")" "" "-q: nothing on stderr"
secs=$(echo "$end - $start" | bc 2>/dev/null || python3 -c "print($end - $start)")
diag "rendering the fixture bundle (18 images + index.html) took $secs s"
ok "$(python3 -c "print(0 if $secs < 10 else 1)")" "renders in under 10 s, a guard against a blow-up, not a timing ($secs s)"

check_images "$T/o1" >"$T/problems"
is "$(cat "$T/problems")" "" "all nine charts as valid PNG and SVG"
for c in $CHARTS; do
	test -s "$T/o1/$c.png" && test -s "$T/o1/$c.svg"
	ok $? "$c.png and $c.svg exist"
done
is "$(ls -A "$T/o1" | grep -c '\.tmp$')" 0 "no temporary images left"
test -s "$T/o1/gnuplot/charts.gp" && test -s "$T/o1/gnuplot/savings-by-domain.dat"
ok $? "the script and data files are kept in DIR/gnuplot"

# One box per domain: each domain labels exactly one tic of the box plot.
svg_texts "$T/o1/turnaround-by-domain.svg" >"$T/tat"
bad=0
while IFS= read -r d; do
	[ "$(grep -cxF -- "$d" "$T/tat")" -eq 1 ] || { bad=1; diag "turnaround: '$d' not once"; }
done <"$T/domains"
ok $bad "turnaround-by-domain: one box label per domain"
is "$(grep -c 'with candlesticks' "$T/o1/gnuplot/charts.gp")" 4 "turnaround-by-domain: boxes and medians, in both formats"
is "$(wc -l <"$T/o1/gnuplot/turnaround-by-domain.dat")" 8 "turnaround-by-domain: 8 boxes of data"

svg_texts "$T/o1/savings-by-domain.svg" >"$T/sav"
bad=0
while IFS= read -r d; do grep -qxF -- "$d" "$T/sav" || { bad=1; diag "savings: no '$d'"; }; done <"$T/domains"
ok $bad "savings-by-domain names every domain"
like "$T/sav" '^in-house baseline$' "savings-by-domain: baseline series"
like "$T/sav" '^vendor cost$' "savings-by-domain: cost series"
like "$T/sav" '^\+[0-9]+\.[0-9]%$' "savings-by-domain: savings % labels"
like "$T/sav" '^n/a$' "savings-by-domain: a domain without baseline says n/a"
like "$T/sav" 'USD.*as of 2026-11-28' "savings-by-domain: currency and as-of date in the title"

svg_texts "$T/o1/quality-trend.svg" >"$T/q"
bad=0
while IFS= read -r d; do grep -qxF -- "$d" "$T/q" || { bad=1; diag "quality: no '$d'"; }; done <"$T/domains"
ok $bad "quality-trend: one line (key entry) for each of the 8 domains (up to 8 are drawn)"
unlike "$T/q" '^other \(' "quality-trend: no domain folded into other"
like "$T/q" '^n=[0-9]+$' "quality-trend: the scored items behind each month"
like "$T/q" '^2026-11 \(partial\)$' "quality-trend: the partial month's tic says so"
is "$(grep -c '^2026-10$' "$T/q")" 1 "quality-trend: month tics"

svg_texts "$T/o1/vendor-scorecard.svg" >"$T/v"
bad=0
while IFS= read -r d; do grep -qxF -- "$d" "$T/v" || { bad=1; diag "scorecard: no '$d'"; }; done <"$T/vendors"
ok $bad "vendor-scorecard labels every vendor"

svg_texts "$T/o1/on-time-trend.svg" >"$T/ot"
like "$T/ot" '^SLA target 95%$' "on-time-trend: the SLA target line"
is "$(grep -c '^20[0-9][0-9]-[01][0-9]$' "$T/ot")" 17 "on-time-trend: 17 complete months"
like "$T/ot" '^2026-11 \(partial\)$' "on-time-trend: and the partial one, marked"
like "$T/ot" '^partial month \(open items not yet due\)$' "on-time-trend: the partial point has its own key entry"
like "$T/ot" '^n=[0-9]+$' "on-time-trend: the items behind each point"
like "$T/ot" '^95% interval \(Wilson\)$' "on-time-trend: the intervals as error bars"
is "$(awk -F '	' 'NF != 7' "$T/o1/gnuplot/on-time-trend.dat" | wc -l)" 0 "on-time-trend.dat: idx, %, month, n, partial, low, high"

# The control charts.  The fixture's rework (make.py) is 11 % for 9 months,
# 5 % for 9, and 20 % drawn in 2025-08: 50 of 212, above the upper limit
# pbar + 3 sqrt(pbar (1 - pbar) / 212) = 12.7 % with pbar = 422 / 5735.
svg_texts "$T/o1/rework-control.svg" >"$T/rc"
like "$T/rc" '^beyond the limits \(rule 1\)$' "rework-control: rule 1 points in the key"
like "$T/rc" '^8 in a row on one side \(rule 4\)$' "rework-control: rule 4 points in the key"
like "$T/rc" 'p chart, centre 7\.36%, 3σ limits' "rework-control: a p chart (subgroups of about 300: no Laney)"
is "$(awk -F '	' '$6 == 1' "$T/o1/gnuplot/rework-control.dat" | cut -f7)" "2025-08" "rework-control.dat: 2025-08 flagged by rule 1"
is "$(awk -F '	' '$6 == 2' "$T/o1/gnuplot/rework-control.dat" | cut -f7 | tr '\n' ' ')" "2026-01 2026-02 2026-10 2026-11 (partial) " \
	"rework-control.dat: the 8th and 9th months of both runs flagged by rule 4 (the last one partial)"
svg_texts "$T/o1/defect-control.svg" >"$T/dc"
unlike "$T/dc" 'rule [14]' "defect-control: in control, no flag series"
svg_texts "$T/o1/savings-by-month.svg" >"$T/sm"
like "$T/sm" '^cumulative \(right axis\)$' "savings-by-month: the cumulative line"
like "$T/sm" 'cumulative savings since 2025-06 \(USD\)' "savings-by-month: axis says since when and in what"
svg_texts "$T/o1/savings-heatmap.svg" >"$T/h"
is "$(grep -cE '^-?[0-9.]+k?$' "$T/h" | awk '{print ($1 >= 7*18) ? "many" : $1}')" many "savings-heatmap: a value in each cell"

# index.html
H=$T/o1/index.html
for c in $CHARTS; do
	grep -qF "<img src=\"$c.png\" alt=\"" "$H" && grep -qF "srcset=\"$c.svg\"" "$H"
	ok $? "index.html shows $c (SVG, PNG fallback, alt text)"
done
bad=0
while IFS= read -r d; do grep -qF "<tr><td>$d</td>" "$H" || { bad=1; diag "no row for '$d'"; }; done <"$T/domains"
ok $bad "index.html: a by-domain table row per domain"
like "$H" '<tr><td>All domains</td><td>6,000</td>' "index.html: the totals row"
like "$H" '<meta name="viewport" content="width=device-width' "index.html: viewport for phones"
unlike "$H" '<script|https?://|<link ' "index.html: no scripts, no network"
like "$H" 'class="k">Items</div><div class="v">6,000</div>' "index.html: KPI tile items"
like "$H" 'class="k">On time</div>' "index.html: KPI tile on-time"
like "$H" '<li class="r1">2025-08: 23\.6% reworked \(50 of 212\), above the upper limit 12\.7% \(rule 1\)</li>' \
	"index.html: the rule 1 month listed under the chart"
like "$H" '<li class="r4">2025-06 to 2026-02: 9 months in a row above the centre line 7\.36% \(rule 4\)</li>' \
	"index.html: the run above the centre line listed"
like "$H" '<li class="r4">2026-03 to 2026-11: 9 months in a row below the centre line 7\.36% \(rule 4\)</li>' \
	"index.html: the run below listed"
like "$H" '<li>In control: no month beyond the limits, no run of 8' "index.html: defect-control says it is in control"
like "$H" 'class="k">Savings</div><div class="v">612,500</div><div class="s">USD, gross: 47\.8% of baseline</div><div class="s">5,491 of 6,000 items with a baseline</div>' \
	"index.html: the gross savings tile with its coverage"
like "$H" 'class="k">Total cost</div><div class="v">767,869</div><div class="s">USD, vendor 721k \+ governance 29k \+ transition 14k \+ other 3\.6k</div><div class="s">net savings 569,038 \(44\.4% of baseline\), over the same items</div>' \
	"index.html: the total cost tile next to it, with net savings"
like "$H" '<div class="s">95% interval 80\.3–82\.4%</div>' "index.html: the on-time tile with its interval"
like "$H" '<tr><td>Data annotation</td>.*<td>93\.9<span class="ci" title="95% Wilson interval">92\.5–95\.0 <span class="unc"[^>]*>≈ uncertain</span></span></td>' \
	"index.html: 93.87 % on time (92.46-95.02) straddles the 95 % target: marked uncertain, in words"
unlike "$H" '<tr><td>Legal review</td>.*uncertain' "index.html: 90.58 % (88.47-92.34) is clearly below 95: not uncertain"
python3 - "$T/o1" >"$T/links" <<'PY'
import os, re, sys
d = sys.argv[1]
for h in re.findall(r'href="([^"]+)"', open(d + "/index.html").read()):
    if not os.path.exists(os.path.join(d, h)):
        print("broken link", h)
PY
is "$(cat "$T/links")" "" "index.html: every link (bundle files, images) resolves"
is "$(grep -c 'href="[^"]*by-[a-z-]*\.csv\.gz"' "$H")" 6 "index.html: links to the six bundle files"
is "$(grep -c '<li><a href="[^"]*\(open-breached\|at-risk\)\.csv\.gz"' "$H")" 2 "index.html: and to the two exception lists"

# Reproducible.
# Money axes: every tic label on an axis is different (gnuplot's own "%.0s%c"
# printed both 1.5M and 2M as "2M"), and labels are written by kpo.
python3 - "$T/o1/gnuplot/charts.gp" >"$T/tics" <<'PY'
import re, sys
bad = []
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r'set (y2?|cb)tics \((.*)\)$', line.strip())
    if m:
        labels = re.findall(r'"([^"]*)" ', m.group(2))
        if len(labels) != len(set(labels)) or len(labels) < 2:
            bad.append(line.strip())
print("ok" if not bad else "\n".join(bad))
PY
is "$(cat "$T/tics")" ok "money axes have distinct tic labels"
unlike "$T/o1/gnuplot/charts.gp" '%\.0s%c' "no gnuplot mantissa formats that round 1.5M to 2M"
run kpo-chart -q -o "$T/o2" $B
is "$rc" 0 "second run"
bad=0
for f in index.html $(cd "$T/o1" && ls *.png *.svg) gnuplot/charts.gp; do
	cmp -s "$T/o1/$f" "$T/o2/$f" || { bad=1; diag "$f differs"; }
done
ok $bad "two runs give byte-identical images, page and script"

# Options.
run kpo-chart -q --format svg --sla-target 90 --top 3 -o "$T/svg" $B
is "$rc" 0 "--format svg --sla-target 90 --top 3"
is "$(ls "$T/svg" | grep -c '\.png$')" 0 "--format svg: no PNG"
is "$(ls "$T/svg" | grep -c '\.svg$')" 9 "--format svg: nine SVG"
svg_texts "$T/svg/on-time-trend.svg" >"$T/ot90"
like "$T/ot90" '^SLA target 90%$' "--sla-target 90 moves the line"
is "$(wc -l <"$T/svg/gnuplot/savings-by-domain.dat")" 4 "--top 3: three domains and other"
like "$T/svg/gnuplot/savings-by-domain.dat" 'other \(5 domains\)$' "--top 3: the rest folded into other"
like "$T/svg/index.html" '<img src="savings-by-domain.svg"' "--format svg: the page shows the SVG"

printf 'source,stage,reason,record\na:2,ingest,bad,x\na:3,ingest,bad,"y\nz"\nb:9,enrich,no rate,w\n' | gzip -n >"$T/rejects.csv.gz"
run kpo-chart -q -o "$T/rej" --rejects-link "$T/rejects.csv.gz" --bundle-link ../summary $B
is "$rc" 0 "--rejects-link FILE.gz --bundle-link PREFIX"
like "$T/rej/index.html" 'class="k">Rejects</div><div class="v">3</div>' "rejects tile counts the data rows"
like "$T/rej/index.html" 'href="\.\./rejects\.csv\.gz"' "link to the rejects file, relative to DIR"
like "$T/rej/index.html" 'href="\.\./summary/by-domain\.csv\.gz"' "--bundle-link sets the prefix"

# A bundle made without --costs: the total cost is said to be unknown.
mkdir "$T/nocost"
cp $B/* "$T/nocost/"
zcat $B/by-domain.csv.gz | python3 -c '
import csv, sys
r = csv.reader(sys.stdin); w = csv.writer(sys.stdout, lineterminator="\n")
h = next(r); w.writerow(h)
gone = [h.index(c) for c in ("governance", "transition", "other_cost", "tco", "net_savings", "net_savings_pct")]
for row in r:
    w.writerow(["" if i in gone else v for i, v in enumerate(row)])' | gzip -n >"$T/nocost/by-domain.csv.gz"
run kpo-chart -q --format svg -o "$T/nc" "$T/nocost"
is "$rc" 0 "a bundle without overheads"
like "$T/nc/index.html" 'class="k">Total cost</div><div class="v">–</div><div class="s">governance and transition not known</div>' \
	"... the total cost tile says they are not known"
# --status: kpo-score's statuses on the page.
kpo-score -q --targets tests/golden/score/fixture-targets.csv -o "$T/st" $B >/dev/null 2>&1
run kpo-chart -q --status "$T/st" -o "$T/ost" $B
is "$rc" 0 "--status DIR"
H=$T/ost/index.html
like "$H" '<div class="tile st-red"><div class="k">On time</div><div class="v">81.4%<span class="w">red</span></div><div class="s">target 95, min 90</div>' \
	"the on-time tile: coloured, the word red, its target and min"
like "$H" '<div class="d">2026-10: 85.6% ▲ \+8.9 pts vs 2026-09</div>' \
	"the on-time tile: the change of the last complete month, not the partial one"
like "$H" '<p class="partial">2026-11 is a partial month' "the partial month is said at the top"
like "$H" '<h2>Needs attention</h2>' "a Needs attention section"
python3 - "$H" >"$T/att" <<'PY'
import re, sys
h = open(sys.argv[1], encoding="utf-8").read()
sec = h[h.index("<h2>Needs attention</h2>"):h.index("<h2>Vendor scorecard</h2>")]
rows = re.findall(r'<tr><td class="st-(\w+)">(\w+)</td>', sec)
print(" ".join(w for _, w in rows))
print("ok" if all(c == w for c, w in rows) else "colour without its word")
PY
is "$(head -n 1 "$T/att")" "red red amber amber amber amber amber amber amber amber amber" "Needs attention: red then amber, each with its word"
is "$(tail -n 1 "$T/att")" ok "... the colour and the word agree"
like "$H" '<tr><td class="st-red">red</td><td class="l">ALL</td><td class="l">all items</td><td class="l">on_time_pct</td><td>81.37</td><td>95</td><td>90</td><td>5369</td></tr>' \
	"Needs attention: group, value, target, min and n"
like "$H" '<h2>Vendor scorecard</h2>' "a vendor scorecard"
like "$H" '<tr><td>Acme Analytics</td><td>98.54</td><td class="st-amber">amber</td><td>1,816</td><td>183,370</td><td class="st-amber">85.43<span class="w">amber</span></td>' \
	"scorecard: score and status first, then the status cells coloured, with the word"
like "$H" '<tr><td>Bluewave KPO</td><td>–</td><td>no targets</td><td>992</td>' "scorecard: a vendor with no targeted metric"
like "$H" '<tr><td>Content moderation</td>.*<td class="st-amber">35.4<span class="w">amber</span></td>' \
	"the by-domain table: a judged cell coloured, with its word"
python3 - "$H" >"$T/colour" <<'PY'
import re, sys
h = open(sys.argv[1], encoding="utf-8").read()
cells = re.findall(r'<td class="st-(\w+)">(.*?)</td>', h) + re.findall(r'<div class="tile st-(\w+)">(.*?)\n', h)
bad = [w + ": " + c for w, c in cells if not re.search(r'\b%s\b' % w, c)]
print(len(bad)); print("\n".join(bad[:3]))
PY
is "$(head -n 1 "$T/colour")" 0 "colour is never the only signal: every coloured cell and tile says its status"
like "$H" '<h2>Open past due</h2>' "the open items past due"
is "$(python3 -c '
import sys
h = open(sys.argv[1], encoding="utf-8").read()
s = h[h.index("<h2>Open past due</h2>"):h.index("<h2>Charts</h2>")]
print(s.count("<tr><td>"))' "$H")" 20 "... the first 20 of them"
like "$H" '[0-9]+ open items past their due date at 2026-11-28, the 20 most overdue below; <a href="[^"]*open-breached\.csv\.gz">the full list</a>' \
	"... with a link to the full list"
like "$H" '[0-9]+ more are <a href="[^"]*at-risk\.csv\.gz">at risk</a>' "... and the at-risk count"
python3 - "$T/ost" >"$T/links" <<'PY'
import os, re, sys
d = sys.argv[1]
for h in re.findall(r'href="([^"]+)"', open(d + "/index.html").read()):
    if not os.path.exists(os.path.join(d, h)):
        print("broken link", h)
PY
is "$(cat "$T/links")" "" "--status: every link resolves (status.csv, the lists)"
svg_texts "$T/ost/vendor-scorecard.svg" >"$T/vs"
like "$T/vs" '^on time: red \(its targets\)$' "vendor-scorecard: points by their on-time status, said in the key"
like "$T/vs" '^size: [0-9]+ items$' "vendor-scorecard: a size legend"
run kpo-chart -q --status "$T/no-such" -o "$T/x2" $B
is "$rc" 66 "--status without status.csv: 66"
mkdir -p "$T/badst" && printf 'by,group,metric,value,n,min,target,status,previous_status\nALL,ALL,items,1,1,1,2,purple,\n' >"$T/badst/status.csv"
cp "$T/st/scorecard.csv" "$T/badst/"
run kpo-chart -q --status "$T/badst" -o "$T/x2" $B
is "$rc" 65 "--status with a bad status word: 65"
test ! -e "$T/x2"
ok $? "... nothing written"

# Usage and data errors.
run kpo-chart
is "$rc" 64 "no bundle: usage"
run kpo-chart --format gif $B
is "$rc" 64 "--format gif: usage"
run kpo-chart --top 0 $B
is "$rc" 64 "--top 0: usage"
run kpo-chart --sla-target 120 $B
is "$rc" 64 "--sla-target 120: usage"
run kpo-chart --help
is "$rc" 0 "--help"
like "$T/out" '^usage: kpo-chart' "--help prints usage on stdout"
run kpo-chart -o "$T/x" "$T/no-such-bundle"
is "$rc" 66 "a bundle folder that does not exist: 66"

mkbad() { rm -rf "$T/bad"; cp -r $B "$T/bad"; }
mkbad; rm "$T/bad/open-breached.csv.gz"
run kpo-chart -o "$T/x" "$T/bad"
is "$rc" 65 "a missing exception list: 65"
like "$T/err" 'open-breached\.csv\.gz.*kpo-metrics --bundle writes it' "... the message names the file"
mkbad; rm "$T/bad/by-vendor.csv.gz"
run kpo-chart -o "$T/x" "$T/bad"
is "$rc" 65 "a missing bundle file: 65"
like "$T/err" 'by-vendor\.csv\.gz' "... the message names the file"
mkbad; zcat $B/by-month.csv.gz | sed '1s/on_time_pct/on_time/' | gzip -n >"$T/bad/by-month.csv.gz"
run kpo-chart -o "$T/x" "$T/bad"
is "$rc" 65 "a missing column: 65"
like "$T/err" "by-month\.csv\.gz.*column 'on_time_pct' missing" "... the message names the file and column"
mkbad; zcat $B/by-domain.csv.gz | sed '3s/,[0-9.]*,/,12x,/' | gzip -n >"$T/bad/by-domain.csv.gz"
run kpo-chart -o "$T/x" "$T/bad"
is "$rc" 65 "a value that is not a number: 65"
like "$T/err" 'by-domain\.csv\.gz:3: column' "... with FILE:LINE"
mkbad; sed -i 's/^as_of,.*/as_of,2026-11-28" ; system("id")/' "$T/bad/meta.csv"
run kpo-chart -o "$T/x" "$T/bad"
is "$rc" 65 "an as_of that is not a date: 65"
mkbad; sed -i 's/^base_currency,.*/base_currency,usd/' "$T/bad/meta.csv"
run kpo-chart -o "$T/x" "$T/bad"
is "$rc" 65 "a base that is not 3 capital letters: 65"
test ! -e "$T/x"
ok $? "bad data writes nothing"
mkbad; head -c 300 $B/by-domain-month.csv.gz >"$T/bad/by-domain-month.csv.gz"
run kpo-chart -o "$T/x" "$T/bad"
is "$rc" 74 "a truncated gzip member: 74"
run kpo-chart -o /dev/null/charts $B
is "$rc" 73 "an output folder that cannot be made: 73"

done_testing
