#!/bin/sh
# kpo-metrics: missing columns, bad rows, rejects, usage and I/O errors.
. "$(dirname "$0")/lib.sh"
EDGE=$TOP/tests/golden/metrics/edge.csv

# cols IN OUT COL...: IN without the named columns.
drop() {
	python3 - "$@" <<'PY'
import csv, sys
src, dst, gone = sys.argv[1], sys.argv[2], set(sys.argv[3:])
rows = list(csv.reader(open(src, newline="", encoding="utf-8")))
keep = [i for i, c in enumerate(rows[0]) if c not in gone]
with open(dst, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    for r in rows:
        w.writerow([r[i] for i in keep])
PY
}

# The canonical stream (kpo-ingest's output, not enriched).
drop "$EDGE" "$T/canon.csv" team cost_base baseline savings tat_h on_time month
run kpo-metrics "$T/canon.csv"
is "$rc" 65 "canonical stream: exit 65"
like "$T/err" "canon.csv:1: this is not the enriched stream \(no cost_base, baseline, savings, tat_h, on_time\): pipe it through kpo-enrich first\$" "canonical stream: names the columns and kpo-enrich, once"
is "$(wc -l <"$T/err")" 2 "canonical stream: one message and the summary line"
is "$(wc -c <"$T/out")" 0 "canonical stream: no table"
drop "$EDGE" "$T/nohours.csv" hours
run kpo-metrics "$T/nohours.csv"
is "$rc" 65 "no hours column: exit 65"
like "$T/err" "this is not a kpo stream \(no hours\): read the export with kpo-ingest, then kpo-enrich" "no hours column: points at kpo-ingest"
drop "$EDGE" "$T/nomonth.csv" month
run kpo-metrics --bundle "$T/bm" "$T/nomonth.csv"
is "$rc" 65 "bundle without month: exit 65"
like "$T/err" "not the enriched stream \(no month\): pipe it through kpo-enrich first" "bundle without month: names it"
is "$(ls "$T/bm" | wc -l)" 0 "bundle without month: no file written"
run kpo-metrics --by domain,colour "$EDGE"
is "$rc" 65 "unknown --by column: exit 65"
like "$T/err" "unknown column 'colour' \(from --by\); the header has: task_id," "unknown --by column: named, with the header"
run kpo-metrics --by month "$T/nomonth.csv"
is "$rc" 65 "--by month on a stream without month: exit 65"
like "$T/err" "\(no month\): pipe it through kpo-enrich first" "--by month: points at kpo-enrich"

# Bad rows: rejected with the row's own source, counted, threshold.
sed -e 's/^T2,\(.*\),3\.25,/T2,\1,abc,/' -e 's/^T5,\(.*\),,a\.csv:6,/T5,\1,yes,a.csv:6,/' "$EDGE" >"$T/bad.csv"
run kpo-metrics --rejects "$T/rej.csv" "$T/bad.csv"
is "$rc" 65 "2 of 7 rows bad (more than 5 %): exit 65"
like "$T/err" "^kpo-metrics: a\.csv:3: unparsable number: column 'hours': 'abc'$" "reject message at the row's source"
like "$T/err" "^kpo-metrics: 7 rows read, 5 used, 2 rejected \(1 unparsable number, 1 unparsable boolean\)$" "summary counts the rejects"
like "$T/err" "2 of 7 rows rejected, more than --max-reject-pct 5%" "threshold message"
is "$(wc -c <"$T/out")" 0 "threshold passed: no table"
head -n 1 "$T/rej.csv" >"$T/h"
is "$(cat "$T/h")" "source,stage,reason,record" "rejects header"
like "$T/rej.csv" "^a\.csv:3,metrics,unparsable number: column 'hours': 'abc',\"T2,E1,Beta,legal" "rejects row: source, stage, reason, raw record"
like "$T/rej.csv" "^a\.csv:6,metrics,unparsable boolean: column 'reworked': 'yes'," "rejects row for a bad boolean"
run kpo-metrics -q --max-reject-pct 50 --total "$T/bad.csv"
is "$rc" 0 "--max-reject-pct 50: exit 0"
is "$(tail -n 1 "$T/out" | cut -d, -f1-3)" "ALL,5,3" "--max-reject-pct 50: the 5 good rows are counted"
drop "$T/bad.csv" "$T/nosource.csv" source
run kpo-metrics --max-reject-pct 50 "$T/nosource.csv"
like "$T/err" "nosource\.csv:3: unparsable number" "no source column: the stream's own FILE:LINE"
printf 'T9,too,few\n' | cat "$EDGE" - >"$T/short.csv"
run kpo-metrics --max-reject-pct 50 "$T/short.csv"
like "$T/err" "short\.csv:9: wrong field count: 3 fields, the header has 23" "wrong field count rejected"
sed 's/^T1,\(.*\),10\.0000,1,2024-05$/T1,\1,1e3,1,2024-05/' "$EDGE" >"$T/exp.csv"
run kpo-metrics --max-reject-pct 50 "$T/exp.csv"
like "$T/err" "unparsable number: column 'tat_h': '1e3'" "an exponent is not a stream number"
sed 's/^T1,\(.*\),10\.0000,1,2024-05$/T1,\1,99999999.0000,1,2024-05/' "$EDGE" >"$T/range.csv"
run kpo-metrics --max-reject-pct 50 "$T/range.csv"
like "$T/err" "number out of range: column 'tat_h'" "a turnaround of 11000 years is out of range"
# Open rows need their requested_at and due_at as dates (the open-item
# metrics); delivered rows are not judged by them.
sed 's/^T3,E2,Acme,legal,EU,2024-06-01T00:00:00Z,2024-06-02T00:00:00Z,/T3,E2,Acme,legal,EU,2024-06-01T00:00:00Z,tomorrow,/' "$EDGE" >"$T/due.csv"
run kpo-metrics --max-reject-pct 50 "$T/due.csv"
like "$T/err" "a\.csv:4: unparsable date: column 'due_at': 'tomorrow'" "an open row's unparsable due_at is rejected"
sed 's/^T4,E2,Beta,translation,,2024-06-01T00:00:00Z,/T4,E2,Beta,translation,,,/' "$EDGE" >"$T/noreq.csv"
run kpo-metrics --max-reject-pct 50 "$T/noreq.csv"
like "$T/err" "a\.csv:5: missing value: requested_at is empty" "an open row without requested_at is rejected"
drop "$EDGE" "$T/nodue.csv" due_at
run kpo-metrics "$T/nodue.csv"
is "$rc" 65 "no due_at column: exit 65"
like "$T/err" 'not a kpo stream \(no due_at\): read the export with kpo-ingest' "no due_at column: named"
drop "$EDGE" "$T/notask.csv" task_id
run kpo-metrics -q "$T/notask.csv"
is "$rc" 0 "no task_id column: a table is still made"
run kpo-metrics --bundle "$T/nt" "$T/notask.csv"
is "$rc" 65 "no task_id column: no bundle (its exception lists name the task)"
like "$T/err" 'not a kpo stream \(no task_id\)' "no task_id column: says why"
sed '2,$s/,2.5,/,x,/;2,$s/,3.25,/,x,/;2,$s/,1,50,/,x,50,/;2,$s/,0,40,/,x,40,/;2,$s/,1.5,/,x,/;2,$s/,0.333333333333,/,x,/;2,$s/,4,120/,x,120/' "$EDGE" >"$T/allbad.csv"
run kpo-metrics --max-reject-pct 100 "$T/allbad.csv"
is "$rc" 65 "no valid row: exit 65"
like "$T/err" "no valid row" "no valid row: said"

# Output: atomic -o, full disks, unwritable places.
run kpo-metrics -o /dev/full "$EDGE"
is "$rc" 74 "-o /dev/full: exit 74"
like "$T/err" "/dev/full: write error" "-o /dev/full: said"
kpo-metrics "$EDGE" >/dev/full 2>"$T/err"
is "$?" 74 "stdout on /dev/full: exit 74"
run kpo-metrics --bundle /dev/full "$EDGE"
is "$rc" 73 "--bundle on a non-folder: exit 73"
run kpo-metrics -o "$T/t.csv" "$T/bad.csv"
is "$rc" 65 "-o with a failed run: exit 65"
test -e "$T/t.csv"
is "$?" 1 "-o with a failed run: no file"
is "$(ls -a "$T" | grep -c '^\.t\.csv')" 0 "-o with a failed run: no temporary left"
echo old >"$T/keep.csv"
run kpo-metrics -o "$T/keep.csv" "$T/canon.csv"
is "$(cat "$T/keep.csv")" "old" "-o with a failed run: the old file stays"
run kpo-metrics -o "$T/nodir/x.csv" "$EDGE"
is "$rc" 73 "-o in a missing folder: exit 73"
run kpo-metrics --rejects "$T/nodir/r.csv" "$EDGE"
is "$rc" 73 "--rejects in a missing folder: exit 73"
run kpo-metrics --as-of 2024-07-01 -o "$T/ok.csv" "$EDGE"
is "$rc" 0 "-o: exit 0"
same "$T/ok.csv" "$TOP/tests/golden/metrics/edge-domain.csv" "-o: the table"

# Inputs.
run kpo-metrics "$T/missing.csv"
is "$rc" 66 "missing input: exit 66"
gzip -c "$TOP/tests/golden/metrics/edge.csv" | head -c 200 >"$T/trunc.csv.gz"
run kpo-metrics "$T/trunc.csv.gz"
is "$rc" 74 "truncated gzip: exit 74"
: >"$T/void.csv"
run kpo-metrics "$T/void.csv"
is "$rc" 65 "empty file (no header): exit 65"

# Usage.
for args in "--frobnicate" "--bundle $T/x -o $T/y" "--bundle $T/x --by vendor" "--by ," "--by domain,,vendor" \
	"--max-reject-pct abc" "--max-reject-pct 101" "--as-of yesterday" "--base US1" "--base" "--bundle="; do
	run kpo-metrics $args "$EDGE"
	is "$rc" 64 "usage error: $args"
done
run kpo-metrics --help
is "$rc" 0 "--help: exit 0"
like "$T/out" "^  --by KEYS  " "--help: usage on stdout, one line an option"
run kpo-metrics --version
is "$(cat "$T/out")" "kpo-metrics $(cat VERSION)" "--version"
run kpo-metrics --as-of 2024-02-29T23:59:59Z --bundle "$T/asof" "$EDGE"
like "$T/asof/meta.csv" "^as_of,2024-02-29$" "--as-of a date-time: printed as its date"
run kpo-metrics --bundle "$T/today" "$EDGE"
like "$T/today/meta.csv" "^as_of,$(date -u +%Y-%m-%d)$" "--as-of defaults to today (UTC)"
like "$T/today/meta.csv" "^base_currency,USD$" "--base defaults to USD"

done_testing
