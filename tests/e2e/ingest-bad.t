#!/bin/sh
# Every reject reason of the contract: the row lands in the rejects file with
# its reason and the FILE:LINE of its first physical line, the summary line
# counts it, and the good rows still come out.  The bad lines of each file in
# samples/bad/ are listed by hand in samples/bad/README.
. tests/e2e/lib.sh

# check FILE OPTIONS READ WRITTEN "LINE:KIND" ...
check() {
	file=$1 opts=$2 nread=$3 nwritten=$4
	shift 4
	# shellcheck disable=SC2086
	run kpo-ingest $opts --rejects "$T/rej.csv" "samples/bad/$file"
	is "$rc" 65 "$file: exit 65 (more than 5 % rejected)"
	is "$(($(wc -l <"$T/out") - 1))" "$nwritten" "$file: $nwritten good rows still written"
	nrej=$#
	like "$T/err" "^kpo-ingest: $nread rows read, $nwritten written, $nrej rejected \(" "$file: the summary line counts them"
	is "$(($(python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], encoding="utf-8", errors="surrogateescape", newline=""))))' "$T/rej.csv") - 1))" "$nrej" \
		"$file: $nrej rows in the rejects file"
	for spec in "$@"; do
		line=${spec%%:*} kind=${spec#*:}
		like "$T/rej.csv" "^samples/bad/$file:$line,ingest,\"?$kind" "$file: line $line rejected as '$kind'"
		like "$T/err" "^kpo-ingest: samples/bad/$file:$line: $kind" "$file: line $line named on stderr"
	done
}

check field-count.csv "" 5 3 "3:wrong field count" "5:wrong field count"
check missing-value.csv "" 5 3 "3:missing value: vendor" "5:missing value: domain"
check bad-number.csv "" 5 3 "3:unparsable number: column 'Hours'" "5:unparsable number: column 'Cost'"
check bad-date.csv "" 5 3 "3:unparsable date" "5:unparsable date"
check negative.csv "" 5 3 "3:negative value: column 'Hours'" "5:negative value: column 'Cost'"
check quality-range.csv "" 5 3 "3:quality out of range" "5:quality out of range"
check delivered-before.csv "" 4 3 "3:delivered before requested"
check invalid-utf8.csv "" 4 3 "3:invalid UTF-8: column 'Vendor'"
check duplicate.csv --dedupe 4 3 "4:duplicate task_id: 'DU-1' first seen at samples/bad/duplicate.csv:2"
check multiline-crlf.csv "" 4 3 "6:unparsable date"
check bad-quote.csv "" 4 3 "3:malformed quotes"
check unterminated-quote.csv "" 2 1 "3:unterminated quote"
like "$T/err" 'unterminated-quote.csv:3: quote opened here is never closed' "unterminated quote: stderr says where it opened"

# The raw record is kept whole, multi-line and all.
run kpo-ingest --rejects "$T/rej.csv" samples/bad/unterminated-quote.csv
python3 - "$T/rej.csv" samples/bad/unterminated-quote.csv >"$T/py" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
raw = open(sys.argv[2], newline="").read().split("\n", 2)[2]
print("same" if rows[1][3] == raw.rstrip("\n") else "differs: %r vs %r" % (rows[1][3], raw))
PY
is "$(cat "$T/py")" "same" "the rejects file holds the raw record, all its lines"

# Without --dedupe a repeated task_id passes: dedupe is asked for.
run kpo-ingest samples/bad/duplicate.csv
is "$rc" 0 "duplicate task_id without --dedupe: exit 0"
is "$(($(wc -l <"$T/out") - 1))" 4 "all 4 rows written"

# Under the threshold the rejects are counted and the run succeeds.
run kpo-ingest --max-reject-pct 50 --rejects "$T/rej.csv" samples/bad/bad-date.csv
is "$rc" 0 "2 of 5 rejected with --max-reject-pct 50: exit 0"
run kpo-ingest --max-reject-pct 40 samples/bad/bad-date.csv
is "$rc" 0 "exactly 40 % with --max-reject-pct 40: exit 0 (more than P fails)"
run kpo-ingest --max-reject-pct 39.9 samples/bad/bad-date.csv
is "$rc" 65 "40 % with --max-reject-pct 39.9: exit 65"
like "$T/err" '2 of 5 rows rejected, more than --max-reject-pct 39.9%' "and says why"

# hours and cost may be empty: missing-value.csv's line 4 has neither and
# is written.
run kpo-ingest samples/bad/missing-value.csv
like "$T/out" '^MV-3,Contract review - MSA backlog,Krakow Data Sp. z o.o.,Legal,Poland,2026-03-04T08:00:00Z,2026-03-11T00:00:00Z,2026-03-10T16:45:00Z,,,EUR,' \
	"a row without hours and cost is written, both empty"
# Only vendor, domain and requested_at are required: an empty task_id is no
# "missing value"; the row's source is its id (kpo-ingest(1), Columns).
printf 'Task ID,Vendor,Domain,Requested At\nT1,V,Legal,2026-01-05\n,V,Legal,2026-01-06\n' >"$T/noid.csv"
run kpo-ingest "$T/noid.csv"
is "$rc" 0 "an empty task_id: exit 0"
like "$T/out" "^$T/noid.csv:3,,V,Legal,,2026-01-06T00:00:00Z,,,,,,,,,,$T/noid.csv:3\$" "the row with an empty task_id is written, its source its id"

# Missing required columns: one message names them all and lists the header
# once.
run kpo-ingest samples/bad/missing-column.csv
is "$rc" 65 "no Domain and no Requested At column: exit 65"
like "$T/err" "missing-column.csv:1: required columns? missing: domain, requested_at; the header has: Task ID, Engagement, Vendor, Region, Due At, Delivered At, Hours, Cost, Currency, In-house Rate, Quality, Defects, Reworked$" \
	"one message names both columns and lists the header seen"
is "$(grep -c 'In-house Rate' "$T/err")" 1 "the header is listed once"
unlike "$T/err" 'MC-1|Bharat' "no data row is printed"
run kpo-ingest --set domain=Legal --set requested_at=2026-03-01 samples/bad/missing-column.csv
is "$rc" 0 "with --set domain and --set requested_at the file is read: exit 0"
is "$(($(wc -l <"$T/out") - 1))" 3 "all 3 rows written"

# A line after multi-line records and CRLF: same numbers through gzip and stdin.
gzip -c samples/bad/multiline-crlf.csv >"$T/ml.csv.gz"
run kpo-ingest --rejects "$T/rej.csv" - <"$T/ml.csv.gz"
like "$T/rej.csv" '^-:6,ingest,unparsable date' "gzip on stdin: still line 6"

# Every kind at once, and the counts add up: read = written + rejected.
run kpo-ingest --dedupe --max-reject-pct 100 --rejects "$T/rej.csv.gz" samples/bad/*.csv
is "$rc" 65 "all bad files together: exit 65 (missing-column.csv)"
summary=$(grep 'rows read' "$T/err")
read_n=$(echo "$summary" | sed -E 's/.* ([0-9]+) rows read.*/\1/')
written_n=$(echo "$summary" | sed -E 's/.* ([0-9]+) written.*/\1/')
rejected_n=$(echo "$summary" | sed -E 's/.* ([0-9]+) rejected.*/\1/')
is "$read_n" "$((written_n + rejected_n))" "rows read = written + rejected ($summary)"
is "$(gzip -dc "$T/rej.csv.gz" | python3 -c 'import csv,io,sys; print(sum(1 for _ in csv.reader(io.TextIOWrapper(sys.stdin.buffer, errors="surrogateescape", newline=""))) - 1)')" "$rejected_n" \
	"the gzip rejects file holds every rejected row"
done_testing
