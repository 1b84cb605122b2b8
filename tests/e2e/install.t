#!/bin/sh
# make install PREFIX=... DESTDIR=...: programs, man pages, the nightly runner
# and its examples land where they should, and the installed runner finds
# the installed stages next to itself.
. tests/e2e/lib.sh

make -s install BUILD="$KPO_BUILD" PREFIX=/usr/local DESTDIR="$T/root" >"$T/make.out" 2>&1
ok $? "make install succeeds"
for p in kpo-ingest kpo-enrich kpo-metrics kpo-chart kpo-nightly; do
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
done_testing
