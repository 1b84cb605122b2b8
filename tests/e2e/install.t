#!/bin/sh
# make install PREFIX=... DESTDIR=...: programs, man pages, the nightly runner
# and its examples land where they should, and the installed runner finds
# the installed stages next to itself.
. tests/e2e/lib.sh

make -s install BUILD="$KPO_BUILD" PREFIX=/usr/local DESTDIR="$T/root" >"$T/make.out" 2>&1
ok $? "make install succeeds"
for p in kpo-ingest kpo-enrich kpo-metrics kpo-run kpo-rejects kpo-score kpo-chart kpo-nightly; do
	ok "$(test -x "$T/root/usr/local/bin/$p"; echo $?)" "bin/$p installed"
	ok "$(test -f "$T/root/usr/local/share/man/man1/$p.1"; echo $?)" "man1/$p.1 installed"
done
ok "$(test -f "$T/root/usr/local/share/man/man7/kpo.7"; echo $?)" "man7/kpo.7 installed"
for f in kpo.conf.example crontab.example kpo-nightly.service kpo-nightly.timer; do
	ok "$(test -f "$T/root/usr/local/share/doc/kpo/examples/$f"; echo $?)" "example $f installed"
done
is "$("$T/root/usr/local/bin/kpo-nightly" --version)" "kpo-nightly $(cat VERSION)" "the installed kpo-nightly knows its version"
is "$(pipeline/kpo-nightly --version)" "kpo-nightly $(cat VERSION)" "so does the one in the source tree"
printf 'INBOX=%s\nOUTROOT=%s\nFX=%s\nRATES=%s\n' "$TOP/samples/inbox" "$T/reports" "$TOP/samples/fx.csv" \
	"$TOP/samples/rates.csv" >"$T/k.conf"
PATH=/usr/bin:/bin run "$T/root/usr/local/bin/kpo-nightly" -c "$T/k.conf" --as-of 2026-11-28
is "$rc" 0 "the installed kpo-nightly runs with the installed stages (none on PATH)"
ok "$(test -f "$T/reports/latest/charts/index.html"; echo $?)" "and publishes the page"

# The installed example configuration, copied as it is with only INBOX and
# OUTROOT changed, runs.  It names no FX table, so the inbox holds exports
# in its BASE (USD) only: the rows of the samples that bill in USD.
example=$T/root/usr/local/share/doc/kpo/examples/kpo.conf.example
mkdir -p "$T/usd-inbox"
for f in a-timetracker.csv c-jira.csv; do
	python3 -c '
import csv, sys
r = csv.reader(open(sys.argv[1], newline="", encoding="utf-8"))
w = csv.writer(sys.stdout, lineterminator="\n")
head = next(r)
cur = [i for i, h in enumerate(head) if "Currency" in h][0]
w.writerow(head)
w.writerows(row for row in r if row[cur] == "USD")
' "samples/exports/$f" >"$T/usd-inbox/$f"
done
sed -e "s#^INBOX=.*#INBOX=$T/usd-inbox#" -e "s#^OUTROOT=.*#OUTROOT=$T/example-reports#" "$example" >"$T/example.conf"
is "$(diff "$example" "$T/example.conf" | grep -c '^>')" 2 "only INBOX and OUTROOT are changed"
PATH=/usr/bin:/bin run "$T/root/usr/local/bin/kpo-nightly" -c "$T/example.conf" --as-of 2026-11-28
is "$rc" 0 "the installed example configuration runs as shipped, comments after values and all"
[ "$rc" -eq 0 ] || head -n 5 "$T/err" | diag "$(cat)"
ok "$(test -f "$T/example-reports/latest/charts/index.html"; echo $?)" "and publishes the page"
like "$T/example-reports/latest/run.log" "BASE=USD ON_BAD_FILE=fail JOBS=[0-9]+ DEDUPE=no ENGINE=local\$" "with the values it gives, not their comments"
done_testing
