#!/bin/sh
# Names that would run commands if they reached a gnuplot script or a shell,
# or break HTML/SVG: they are drawn as text and run nothing.
. tests/e2e/lib.sh

B=tests/fixtures/bundle-hostile
rm -f /tmp/kpo-pwned2 /pwned1 2>/dev/null
zcat $B/by-vendor.csv.gz | grep -q 'touch \$T/pwned1' && zcat $B/by-domain.csv.gz | grep -q '<script>'
ok $? "the fixture holds the hostile names in vendors and domains"

run kpo-chart -q -o "$T/o" $B
is "$rc" 0 "renders the hostile bundle"
test ! -e "$T/pwned1" && test ! -e /pwned1 && test ! -e /tmp/kpo-pwned2
ok $? "no command ran (no pwned files)"
for c in savings-by-domain turnaround-by-domain on-time-trend quality-trend vendor-scorecard savings-by-month savings-heatmap rework-control defect-control; do
	python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$T/o/$c.svg" 2>"$T/perr"
	ok $? "$c.svg parses as XML"
	test -s "$T/o/$c.png"
	ok $? "$c.png drawn"
done

# The script holds none of the data.
for s in touch system '<script' alert passwd 'Рога' macro Brien; do
	unlike "$T/o/gnuplot/charts.gp" "$s" "charts.gp does not hold '$s'"
done
# The data files hold each name as one harmless field.
D=$T/o/gnuplot/vendor-scorecard.dat
like "$D" '	`touch \$T/pwned1`	[0-3]$' "backquotes kept as text in the data file"
like "$D" '	system\(”touch /tmp/kpo-pwned2”\)	[0-3]$' "double quotes replaced in the data file"
like "$D" "	O'Brien ”Quoted” Ltd	[0-3]\$" "single quote kept, double quote replaced"
like "$D" '	Line one line two	[0-3]$' "newline replaced by a space"
is "$(awk -F '	' 'NF != 7' "$D" | wc -l)" 0 "every data line has its seven fields"

# Drawn as text: the SVG text elements hold the names.
python3 -c '
import sys, xml.etree.ElementTree as ET
for t in ET.parse(sys.argv[1]).getroot().iter():
    if t.tag.endswith("}text"):
        s = "".join(t.itertext()).strip()
        if s: print(s)' "$T/o/vendor-scorecard.svg" >"$T/texts"
for s in '`touch $T/pwned1`' '<script>alert(1)</script>' '../../etc/passwd' 'ООО «Рога и копыта»' '@macro & {enhanced}^_'; do
	grep -qxF -- "$s" "$T/texts"
	ok $? "vendor-scorecard draws '$s' as text"
done

# index.html: escaped, never raw.
H=$T/o/index.html
unlike "$H" '<script' "index.html has no raw <script>"
like "$H" '<td>&lt;script&gt;alert\(1\)&lt;/script&gt;</td>' "index.html: <script> escaped"
like "$H" '<td>O&#39;Brien &quot;Quoted&quot; Ltd</td>' "index.html: quotes escaped"
like "$H" '<td>ООО «Рога и копыта»</td>' "index.html: Cyrillic kept"
like "$H" '<td>system\(&quot;touch /tmp/kpo-pwned2&quot;\)</td>' "index.html: system() as text"
like "$H" '<td>@macro &amp; \{enhanced\}\^_</td>' "index.html: & escaped"
python3 -c '
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    tags = set()
    def handle_starttag(self, tag, attrs): self.tags.add(tag)
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
bad = p.tags - {"html","head","meta","title","style","body","main","h1","h2","p","section","div","figure","picture","source","img","figcaption","a","table","thead","tbody","tfoot","tr","th","td","ul","li","footer","span","sub"}
print(" ".join(sorted(bad)))' "$H" >"$T/tags"
is "$(cat "$T/tags")" "" "index.html holds only the tags kpo-chart writes"
# The new tables: the exception lists (hostile task ids too), kpo-score's
# status, scorecard and alerts, and the page's tables made from them.
zcat $B/open-breached.csv.gz | grep -q '<script>' && zcat $B/at-risk.csv.gz | grep -q .
ok $? "the exception lists hold hostile task ids and names"
printf 'metric,scope,min,target,weight\non_time_pct,vendor=*,85,95,2\nquality_mean,domain=*,85,90,\nquality_mean,vendor=*;domain=*,85,90,\non_time_pct,"vendor=<script>alert(1)</script>",80,90,1\n' >"$T/targets.csv"
run kpo-score -q --targets "$T/targets.csv" -o "$T/st" $B
is "$rc" 0 "kpo-score on the hostile bundle"
cp "$T/out" "$T/alerts.txt"
python3 - "$T/st" "$T/alerts.txt" <<'PY' >"$T/stcheck"
import csv, sys
d = sys.argv[1]
names = {"`touch $T/pwned1`", 'system("touch /tmp/kpo-pwned2")', "O'Brien \"Quoted\" Ltd", "Line one\nline two",
         "<script>alert(1)</script>", "../../etc/passwd", "ООО «Рога и копыта»", "@macro & {enhanced}^_"}
st = list(csv.DictReader(open(d + "/status.csv", encoding="utf-8", newline="")))
groups = {r["group"] for r in st if r["by"] in ("vendor", "domain")}
sc = list(csv.DictReader(open(d + "/scorecard.csv", encoding="utf-8", newline="")))
al = list(csv.DictReader(open(d + "/alerts.csv", encoding="utf-8", newline="")))
lines = open(sys.argv[2], encoding="utf-8").read().split("\n")[:-1]
print("names" if names <= groups else "missing %s" % (names - groups))
print("scorecard" if names <= {r["vendor"] for r in sc} else "scorecard misses names")
print("lines %d alerts %d" % (len(lines), len(al)))
print("one line each" if all(l.startswith(("red: ", "amber: ")) for l in lines) else "a name broke a line")
PY
is "$(sed -n 1p "$T/stcheck")" names "status.csv holds every hostile name as one field"
is "$(sed -n 2p "$T/stcheck")" scorecard "scorecard.csv too"
is "$(sed -n 3p "$T/stcheck" | awk '{ print ($2 == $4) ? "same" : $0 }')" same "one alert line per alert ($(sed -n 3p "$T/stcheck"))"
is "$(sed -n 4p "$T/stcheck")" "one line each" "a name with a newline does not break an alert line"
like "$T/alerts.txt" '^red: vendor=Line one line two: on_time_pct ' "... it is printed with a space"
run kpo-chart -q --status "$T/st" -o "$T/ost" $B
is "$rc" 0 "kpo-chart --status on the hostile bundle"
H=$T/ost/index.html
unlike "$H" '<script' "--status: index.html has no raw <script>"
python3 - "$H" >"$T/esc" <<'PY'
import sys
h = open(sys.argv[1], encoding="utf-8").read()
for sec in ("<h2>Needs attention</h2>", "<h2>Vendor scorecard</h2>", "<h2>Open past due</h2>"):
    i = h.index(sec)
    part = h[i:h.index("<h2>", i + 4)]
    ok = all(s in part for s in ("&lt;script&gt;alert(1)&lt;/script&gt;", "O&#39;Brien &quot;Quoted&quot; Ltd")) \
        and "<script>" not in part and 'O\'Brien "' not in part
    print(sec[4:-5], "escaped" if ok else "NOT escaped")
PY
is "$(cat "$T/esc")" "Needs attention escaped
Vendor scorecard escaped
Open past due escaped" "the names are HTML-escaped in Needs attention, the scorecard and the past-due list"
like "$H" '<tr><td>\.\./\.\./etc/passwd</td><td>[0-9.]+</td><td class="l">O&#39;Brien &quot;Quoted&quot; Ltd</td>' "hostile task ids and names in the past-due list, escaped"
python3 -c '
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    tags = set()
    def handle_starttag(self, tag, attrs): self.tags.add(tag)
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
bad = p.tags - {"html","head","meta","title","style","body","main","h1","h2","p","section","div","figure","picture","source","img","figcaption","a","table","thead","tbody","tfoot","tr","th","td","ul","li","footer","span"}
print(" ".join(sorted(bad)))' "$H" >"$T/tags"
is "$(cat "$T/tags")" "" "--status: index.html holds only the tags kpo-chart writes"
for s in touch system '<script' passwd 'Рога' macro Brien; do
	unlike "$T/ost/gnuplot/charts.gp" "$s" "--status: charts.gp does not hold '$s'"
done
# --skipped: the nightly's list of exports left out, with hostile names.
printf '%s\t65\t%s\n' '<script>alert(1)</script>.csv' 'bad "data" & <b>more</b>' "O'Brien;\$(touch x).csv" 'a reason' >"$T/skipped.txt"
run kpo-chart -q --skipped "$T/skipped.txt" -o "$T/osk" $B
is "$rc" 0 "kpo-chart --skipped with hostile export names"
like "$T/osk/index.html" '<strong>2 exports could not be read and are left out of this report:</strong>' "the banner counts them"
like "$T/osk/index.html" '<li><code>&lt;script&gt;alert\(1\)&lt;/script&gt;\.csv</code>: bad &quot;data&quot; &amp; &lt;b&gt;more&lt;/b&gt; \(exit 65\)</li>' \
	"names and reasons escaped"
unlike "$T/osk/index.html" '<script|<b>' "no raw tag from the list"
printf 'one\ttwo\n' >"$T/skipbad.txt"
run kpo-chart -q --skipped "$T/skipbad.txt" -o "$T/osk2" $B
is "$rc" 65 "a skipped list without three fields: exit 65"
like "$T/err" 'skipbad\.txt:1: NAME<tab>STATUS<tab>REASON expected' "naming the line"
test ! -e "$T/osk2/index.html"
ok $? "and no page"
printf 'a\t65\tfine\nb\001\t65\tcontrol\n' >"$T/skipbad.txt"
run kpo-chart -q --skipped "$T/skipbad.txt" -o "$T/osk2" $B
like "$T/err" 'skipbad\.txt:2: NAME<tab>STATUS<tab>REASON expected' "a control character: refused at its line"
run kpo-chart -q --skipped "$T/nothere.txt" -o "$T/osk2" $B
is "$rc" 66 "a missing skipped list: exit 66"

test ! -e "$T/pwned1" && test ! -e /pwned1 && test ! -e /tmp/kpo-pwned2 && test ! -e x
ok $? "still no pwned files at the end"

done_testing
