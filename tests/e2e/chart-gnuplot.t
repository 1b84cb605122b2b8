#!/bin/sh
# kpo-chart and the gnuplot process: missing (69), --no-render, a time
# limit, a failing or misbehaving gnuplot (70): never a partial image.
. tests/e2e/lib.sh

B=tests/fixtures/bundle
CHART=$KPO_BUILD/bin/kpo-chart
images() { ls -A "$1" 2>/dev/null | grep -cE '\.(png|svg)(\.tmp)?$'; }

# No gnuplot on PATH.
mkdir "$T/nobin"
ln -s "$KPO_BUILD/bin/kpo-chart" "$T/nobin/kpo-chart"
PATH=$T/nobin run kpo-chart -o "$T/o" $B
is "$rc" 69 "gnuplot missing: 69"
like "$T/err" 'gnuplot not found in PATH' "... with a clear message"
is "$(images "$T/o")" 0 "... and no image"
test ! -e "$T/o/index.html"
ok $? "... and no index.html"

PATH=$T/nobin run kpo-chart --no-render -o "$T/nr" $B
is "$rc" 0 "--no-render needs no gnuplot"
test -s "$T/nr/gnuplot/charts.gp" && test -s "$T/nr/gnuplot/savings-heatmap.dat" && test -s "$T/nr/gnuplot/quality-trend.dat"
ok $? "--no-render writes the script and data files"
is "$(images "$T/nr")" 0 "--no-render draws no image"
like "$T/nr/gnuplot/charts.gp" 'set output "\.\./savings-by-domain\.png"' "--no-render: the script writes the final names when run by hand"
if command -v gnuplot >/dev/null 2>&1; then
	(cd "$T/nr/gnuplot" && gnuplot -d charts.gp >/dev/null 2>&1)
	ok $? "the written script runs as it is: gnuplot -d charts.gp"
	is "$(images "$T/nr")" 18 "... and draws the 18 images"
else
	skip "gnuplot not installed"
	skip "gnuplot not installed"
fi

# Fake gnuplots: each is run with the script's folder as its working folder.
mkdir "$T/fail" "$T/empty" "$T/slow" "$T/half"
cat >"$T/fail/gnuplot" <<'SH'
#!/bin/sh
echo "kpo-chart: drawing quality-trend.png" >&2
echo '"charts.gp" line 99: undefined variable: boom' >&2
exit 1
SH
cat >"$T/empty/gnuplot" <<'SH'
#!/bin/sh
for f in savings-by-domain turnaround-by-domain on-time-trend quality-trend vendor-scorecard savings-by-month savings-heatmap rework-control defect-control; do
	echo x >"../.$f.png.tmp"; : >"../.$f.svg.tmp"
done
exit 0
SH
cat >"$T/slow/gnuplot" <<'SH'
#!/bin/sh
echo "kpo-chart: drawing on-time-trend.svg" >&2
echo x >../.on-time-trend.svg.tmp
exec sleep 30
SH
cat >"$T/half/gnuplot" <<'SH'
#!/bin/sh
echo x >../.savings-by-domain.png.tmp
echo "kpo-chart: drawing turnaround-by-domain.png" >&2
echo 'gnuplot: killed half way' >&2
kill -9 $$
SH
chmod +x "$T"/fail/gnuplot "$T"/empty/gnuplot "$T"/slow/gnuplot "$T"/half/gnuplot

PATH=$T/fail:$PATH run kpo-chart -o "$T/of" $B
is "$rc" 70 "gnuplot fails: 70"
like "$T/err" 'failed \(exit status 1\) while drawing quality-trend\.png' "... names the chart"
like "$T/err" 'gnuplot: "charts.gp" line 99: undefined variable: boom' "... shows gnuplot's stderr"
is "$(images "$T/of")" 0 "... no image left"
test ! -e "$T/of/index.html"
ok $? "... no index.html"

PATH=$T/empty:$PATH run kpo-chart -o "$T/oe" $B
is "$rc" 70 "gnuplot exits 0 but leaves an empty image: 70"
like "$T/err" 'no image for savings-by-domain\.svg' "... names it"
is "$(images "$T/oe")" 0 "... no image left, not even the good ones"

start=$(date +%s)
PATH=$T/slow:$PATH run kpo-chart --timeout 1 -o "$T/os" $B
end=$(date +%s)
is "$rc" 70 "gnuplot past --timeout: 70"
like "$T/err" 'timed out after 1 s while drawing on-time-trend\.svg' "... says so, and which chart"
ok "$([ $((end - start)) -le 5 ] && echo 0 || echo 1)" "... killed in time ($((end - start)) s)"
is "$(images "$T/os")" 0 "... no image left"

PATH=$T/half:$PATH run kpo-chart -o "$T/oh" $B
is "$rc" 70 "gnuplot killed by a signal: 70"
like "$T/err" 'killed by signal 9 while drawing turnaround-by-domain\.png' "... says so"
is "$(images "$T/oh")" 0 "... no partial image"

# A good run over a folder with old images replaces them.
run kpo-chart -q -o "$T/of" $B
is "$rc" 0 "a later good run into the same folder"
is "$(images "$T/of")" 18 "... draws all 18 images"

# The clean environment: gnuplot sees no HOME or GNUPLOT_* variables.
mkdir "$T/env"
cat >"$T/env/gnuplot" <<SH
#!/bin/sh
env >"$T/env/seen"
echo "\$@" >"$T/env/args"
exit 1
SH
chmod +x "$T/env/gnuplot"
GNUPLOT_LIB=/evil HOME=/evil PATH=$T/env:$PATH run kpo-chart -o "$T/oenv" $B
is "$(grep -c -e GNUPLOT -e HOME "$T/env/seen")" 0 "gnuplot runs in a clean environment"
is "$(cat "$T/env/args")" "-d charts.gp" "gnuplot is run as: gnuplot -d charts.gp"

done_testing
