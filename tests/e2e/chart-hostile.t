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
for c in savings-by-domain turnaround-by-domain on-time-trend quality-trend vendor-scorecard savings-by-month savings-heatmap; do
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
like "$D" '	`touch \$T/pwned1`$' "backquotes kept as text in the data file"
like "$D" '	system\(”touch /tmp/kpo-pwned2”\)$' "double quotes replaced in the data file"
like "$D" "	O'Brien ”Quoted” Ltd$" "single quote kept, double quote replaced"
like "$D" '	Line one line two$' "newline replaced by a space"
is "$(awk -F '	' 'NF != 6' "$D" | wc -l)" 0 "every data line has its six fields"

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
bad = p.tags - {"html","head","meta","title","style","body","main","h1","h2","p","section","div","figure","picture","source","img","figcaption","a","table","thead","tbody","tfoot","tr","th","td","ul","li","footer"}
print(" ".join(sorted(bad)))' "$H" >"$T/tags"
is "$(cat "$T/tags")" "" "index.html holds only the tags kpo-chart writes"
test ! -e "$T/pwned1" && test ! -e /pwned1 && test ! -e /tmp/kpo-pwned2
ok $? "still no pwned files at the end"

done_testing
