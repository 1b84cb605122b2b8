#!/bin/sh
# Every program has a man page that formats without warnings, has an EXIT
# STATUS section, and names every long option its --help shows.
. tests/e2e/lib.sh

if ! command -v groff >/dev/null 2>&1; then
	skip "groff missing"
	done_testing
fi
for src in stages/kpo-*.c; do
	name=$(basename "$src" .c)
	page=stages/$name.1
	if [ ! -f "$page" ]; then
		ok 1 "$name has a man page ($page)"
		continue
	fi
	groff -k -mandoc -Tutf8 -ww -z "$page" >"$T/warn" 2>&1
	is "$(cat "$T/warn")" "" "$page formats without warnings"
	like "$page" '^\.Sh EXIT STATUS' "$page has an EXIT STATUS section"
	"$name" --help >"$T/help" 2>&1
	for o in $(grep -oE -- '--[a-z][a-z-]+' "$T/help" | sort -u); do
		like "$page" "Fl -${o#--}" "$page documents $o"
	done
done
groff -k -mandoc -Tutf8 -ww -z pipeline/kpo-nightly.1 >"$T/warn" 2>&1
is "$(cat "$T/warn")" "" "pipeline/kpo-nightly.1 formats without warnings"
like pipeline/kpo-nightly.1 '^\.Sh EXIT STATUS' "pipeline/kpo-nightly.1 has an EXIT STATUS section"
done_testing
