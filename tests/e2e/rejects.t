#!/bin/sh
# kpo-rejects: the stages' rejects files joined, the header once, every row
# as its stage wrote it; against the same join done with head and tail.
. "$(dirname "$0")/lib.sh"
S=$TOP/samples

# Rejects of every stage: the bad samples through kpo-ingest, kpo-enrich
# without a rate for EUR, kpo-metrics with an on_time of "maybe".
kpo-ingest -q --rejects "$T/i.csv" "$S"/bad/*.csv >"$T/c.csv" 2>/dev/null
printf 'currency,rate\nGBP,1.25\n' >"$T/fx.csv"
kpo-enrich -q --max-reject-pct 100 --rejects "$T/e.csv" --fx "$T/fx.csv" --as-of 2026-11-28 "$T/c.csv" \
	>"$T/en.csv" 2>/dev/null
python3 - "$T/en.csv" "$T/bad-en.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
rows[1][rows[0].index("on_time")] = "maybe"
csv.writer(open(sys.argv[2], "w", newline="", encoding="utf-8"), lineterminator="\n").writerows(rows)
PY
kpo-metrics -q --max-reject-pct 100 --rejects "$T/m.csv" --as-of 2026-11-28 "$T/bad-en.csv" >/dev/null 2>&1
for f in e m; do
	ok $([ "$(wc -l <"$T/$f.csv")" -gt 1 ]; echo $?) "the $f stage rejected rows too"
done
rows_i=$(($(wc -l <"$T/i.csv") - 1))
ok $([ "$rows_i" -gt 10 ]; echo $?) "kpo-ingest rejected rows of the bad samples ($rows_i lines)"
like "$T/i.csv" '^"?[^,]*unterminated-quote.csv:3' "one of them a record of several lines"
{
	head -n 1 "$T/i.csv"
	for f in i e m; do tail -n +2 "$T/$f.csv"; done
} >"$T/want.csv"

run kpo-rejects "$T/i.csv" "$T/e.csv" "$T/m.csv"
is "$rc" 0 "exit 0"
same "$T/out" "$T/want.csv" "the header once, then every row of each file in the order given"
n=$(python3 -c 'import csv, sys; print(len(list(csv.reader(open(sys.argv[1], newline="", encoding="latin-1"))))-1)' \
	"$T/want.csv")
is "$(cat "$T/err")" "kpo-rejects: $n rows from 3 files" "the summary counts rows, not lines ($n)"

kpo-rejects -q -o "$T/a.csv.gz" "$T/i.csv" "$T/e.csv" "$T/m.csv"
is "$?" 0 "-o FILE.gz: exit 0"
gzip -dc "$T/a.csv.gz" >"$T/a.csv"
same "$T/a.csv" "$T/want.csv" "-o FILE.gz: gzip of the same"
kpo-rejects -q -o "$T/b.csv.gz" "$T/i.csv" "$T/e.csv" "$T/m.csv"
cmp -s "$T/a.csv.gz" "$T/b.csv.gz"
is "$?" 0 "-o FILE.gz: the same bytes twice (no time stamp)"
gzip -c "$T/i.csv" >"$T/i.csv.gz"
run kpo-rejects -q "$T/i.csv.gz" "$T/e.csv"
{ cat "$T/i.csv"; tail -n +2 "$T/e.csv"; } >"$T/want2.csv"
same "$T/out" "$T/want2.csv" "a gzip input is read as plain"
head -n 1 "$T/i.csv" >"$T/none.csv"
run kpo-rejects "$T/none.csv"
is "$rc" 0 "a file of no rows: exit 0"
is "$(cat "$T/out")" "source,stage,reason,record" "the header alone"
is "$(cat "$T/err")" "kpo-rejects: 0 rows from 1 file" "0 rows from 1 file"

# Bad inputs: named, and -o FILE left as it was.
echo keep >"$T/old.csv"
run kpo-rejects -o "$T/old.csv" "$T/i.csv" "$T/c.csv"
is "$rc" 65 "not a rejects file: exit 65"
like "$T/err" "c\.csv:1: not a rejects file" "FILE:1 named"
is "$(cat "$T/old.csv")" "keep" "-o FILE left as it was"
{ cat "$T/i.csv"; echo 'x.csv:2,ingest,only three'; } >"$T/short.csv"
run kpo-rejects -o "$T/old.csv" "$T/short.csv"
is "$rc" 65 "a row of three fields: exit 65"
last=$(($(wc -l <"$T/short.csv")))
like "$T/err" "short\.csv:$last: not a rejects row" "FILE:LINE of the row named"
run kpo-rejects -o "$T/old.csv" "$T/missing.csv" "$T/c.csv"
is "$rc" 66 "a file that cannot be opened and a bad one: exit 66, the more serious"
like "$T/err" "missing\.csv: cannot open" "the missing file named"
like "$T/err" "c\.csv:1: not a rejects file" "and the bad one too"
is "$(cat "$T/old.csv")" "keep" "-o FILE still as it was"
head -c 100 "$T/a.csv.gz" >"$T/cut.csv.gz"
run kpo-rejects -o "$T/old.csv" "$T/cut.csv.gz"
is "$rc" 74 "a truncated gzip input: exit 74"
run kpo-rejects -o /dev/full "$T/i.csv"
is "$rc" 74 "-o /dev/full: exit 74"
like "$T/err" "/dev/full: write error" "the write error said"
run kpo-rejects
is "$rc" 64 "no FILE: usage, exit 64"
run kpo-rejects --bogus "$T/i.csv"
is "$rc" 64 "an unknown option: exit 64"
done_testing
