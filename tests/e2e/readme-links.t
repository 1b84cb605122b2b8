#!/bin/sh
# A clone is self-contained: README.md, docs/*.md and every man page refer to
# no path outside the repository (no ../ path, nothing under /work/, not the
# design notes kept beside the repository), and every relative link of
# README.md and docs/*.md names a file of the repository.
. tests/e2e/lib.sh

# outside FILE: the lines of FILE that name a path outside the repository.
outside() {
	grep -nE -e '\.\./' -e '(^|[^[:alnum:]_.~-])/work/' -e 'shared/(DESIGN|[A-Z]+\.md)' -- "$1"
}

# links FILE: the targets of FILE's Markdown links, inline ](target) and
# reference-style [name]: target, one a line.
links() {
	{
		grep -oE '\]\([^)[:space:]]+' -- "$1" | sed 's/^](//'
		grep -oE '^ {0,3}\[[^]]+\]:[[:space:]]*[^[:space:]]+' -- "$1" | sed 's/^[^]]*\]:[[:space:]]*//'
	} | sed 's/^<//; s/>$//'
}

# broken FILE: the relative links of FILE that name no file (relative to
# FILE's folder) or an absolute path; web links and anchors are skipped.
broken() {
	dir=$(dirname "$1")
	links "$1" | while IFS= read -r target; do
		case $target in
		http://* | https://* | mailto:* | '#'*) continue ;;
		/*) echo "$target (an absolute path)"; continue ;;
		esac
		path=${target%%#*}
		path=${path%%\?*}
		[ -e "$dir/$path" ] || echo "$target"
	done
}

pages=$(find . \( -name .git -o -name 'build*' -o -name out \) -prune -o -type f -name '*.[1-9]' -print | sort)
docs=$(ls docs/*.md 2>/dev/null)

for f in README.md $docs $pages; do
	f=${f#./}
	outside "$f" >"$T/outside"
	ok "$(test -s "$T/outside"; echo $((1 - $?)))" "$f refers to no path outside the repository"
	[ -s "$T/outside" ] && diag "$(cat "$T/outside")"
done
for f in README.md $docs; do
	broken "$f" >"$T/broken"
	ok "$(test -s "$T/broken"; echo $((1 - $?)))" "every relative link of $f names a file of the repository"
	[ -s "$T/broken" ] && diag "no such file: $(cat "$T/broken")"
done
n=$(links README.md | grep -cvE '^(https?:|mailto:|#)')
ok "$(test "$n" -gt 0; echo $?)" "README.md has relative links to check ($n)"
ok "$(test -f docs/kpo.7; echo $?)" "docs/kpo.7, the reference README.md points to, exists"
like README.md '\]\(docs/kpo\.7\)' "README.md links docs/kpo.7"

# The checks themselves catch what they are for.
mkdir -p "$T/sub"
printf '%s\n' 'See `../shared/DESIGN.md`, [x](gone.md), [y](/etc/passwd),' \
	'the notes in /work/shared/, [ok](present.md#part), [web](https://example.com/a).' \
	'[ref]: missing.7' >"$T/sub/bad.md"
: >"$T/sub/present.md"
is "$(outside "$T/sub/bad.md" | wc -l | tr -d ' ')" 2 "the outside-path check flags ../ paths and /work/ paths"
is "$(broken "$T/sub/bad.md" | tr '\n' ' ')" "gone.md /etc/passwd (an absolute path) missing.7 " \
	"the link check flags missing files and absolute paths, and only those"
printf 'A relative .tmp-DATE/work/rejects-*.csv and shared/ alone are fine.\n' >"$T/sub/good.md"
is "$(outside "$T/sub/good.md")" "" "paths inside the repository are not flagged"
done_testing
