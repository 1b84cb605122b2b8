#!/bin/sh
# The progress line on a terminal: one line for a run (the first stage,
# which reads a regular file), with the share done and the time left, wiped
# before the summary lines; -q shows nothing; --progress forces one.  The
# terminal is script(1)'s pty; KPO_PROGRESS_EVERY=0 draws the line at every
# tick instead of twice a second, so a small file shows it.
. tests/e2e/lib.sh

if ! command -v script >/dev/null 2>&1; then
	skip "script(1) missing: no terminal to test on"
	done_testing
	exit 0
fi
python3 scripts/gen-data 20000 7 >"$T/in.csv"
export KPO_PROGRESS_EVERY=0

# term CMD: runs CMD in a pty; its output, CRs as they came, in $T/tty.
term() {
	script -qec "$1" "$T/tty" >/dev/null 2>&1
	tr '\r' '\n' <"$T/tty" | grep -v '^Script \(started\|done\)' | sed 's/ *$//' | grep -v '^$' >"$T/lines"
}

term "kpo-ingest $T/in.csv | kpo-enrich --fx samples/fx.csv --rates samples/rates.csv --as-of 2026-11-28 | kpo-metrics >/dev/null"
like "$T/lines" "^kpo-ingest: +[0-9]+% of [0-9]+ MB, [0-9]+ rows, [0-9]+ MB/s, [0-9]+:[0-9][0-9] left\$" \
	"the first stage shows the share read, the rows, MB/s and the time left"
is "$(grep -c 'kpo-enrich: [0-9]* rows, \|kpo-metrics: [0-9]* rows, ' "$T/lines")" 0 \
	"the stages reading a pipe show none: one progress line for the run"
is "$(grep -c ' rows read, ' "$T/lines")" 3 "three summary lines, one a stage"
is "$(grep -c '^kpo-[a-z]*: [0-9]* rows read, ' "$T/lines")" 3 "each at the start of its line"
ok "$(grep -q "$(printf '\r') *$(printf '\r')kpo-ingest: 20000 rows read" "$T/tty"; echo $?)" \
	"the progress line is wiped before the summary line"
is "$(grep -c '% of .* left' "$T/tty")" 1 "it stays on one terminal line (carriage returns, no line ends)"

term "kpo-ingest -q $T/in.csv >/dev/null"
is "$(cat "$T/lines")" "" "-q: nothing at all"

term "cat $T/in.csv | kpo-ingest --progress >/dev/null"
like "$T/lines" "^kpo-ingest: [0-9]+ rows, [0-9.]+ MB, [0-9]+ MB/s\$" "--progress on a pipe: rows and MB/s, no share"

# Not a terminal: no progress line.
kpo-ingest "$T/in.csv" >/dev/null 2>"$T/err"
is "$(cat "$T/err")" "kpo-ingest: 20000 rows read, 20000 written, 0 rejected" "on a file or a pipe, only the summary line"
done_testing
