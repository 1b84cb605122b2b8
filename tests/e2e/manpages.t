#!/bin/sh
# Every program has a man page that formats without warnings, has an EXIT
# STATUS section, and names every long option its --help shows; so does
# kpo(7), with mandoc's lint too when mandoc is there.
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
# kpo(7), the reference of formats, columns, formulas and exit statuses.
groff -k -mandoc -Tutf8 -ww -z docs/kpo.7 >"$T/warn" 2>&1
is "$(cat "$T/warn")" "" "docs/kpo.7 formats without warnings"
like docs/kpo.7 '^\.Sh EXIT STATUS' "docs/kpo.7 has an EXIT STATUS section"
if command -v mandoc >/dev/null 2>&1; then
	# Warnings and worse; a stale system mandoc.db is not the page's fault.
	mandoc -T lint -W warning docs/kpo.7 2>&1 | grep -v 'mandoc\.db' >"$T/lint"
	is "$(cat "$T/lint")" "" "docs/kpo.7 passes mandoc -T lint without warnings"
else
	skip "mandoc missing: docs/kpo.7 not linted by mandoc"
fi
done_testing
