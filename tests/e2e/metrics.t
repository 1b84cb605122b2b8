#!/bin/sh
# kpo-metrics against hand-computed golden output and against the
# independent reference tests/ref/metrics_ref.py, on several streams.
. "$(dirname "$0")/lib.sh"
G=$TOP/tests/golden/metrics
REF="python3 $TOP/tests/ref/metrics_ref.py"
EDGE=$G/edge.csv

# Hand-computed (see the comments in tests/golden/metrics/README); open
# items are judged at --as-of.
A=--as-of=2024-07-01
run kpo-metrics $A --total "$EDGE"
is "$rc" 0 "edge: exit 0"
same "$T/out" "$G/edge-domain-total.csv" "edge: --total matches the hand-computed table"
is "$(cat "$T/err")" "kpo-metrics: 7 rows read, 7 used, 0 rejected" "edge: summary line"
$REF $A --total "$EDGE" >"$T/ref"
same "$T/ref" "$G/edge-domain-total.csv" "edge: the reference agrees with the hand-computed table"
run kpo-metrics -q $A --by vendor,region --total "$EDGE"
same "$T/out" "$G/edge-vendor-region-total.csv" "edge: --by vendor,region (quoted key, empty key)"
is "$(cat "$T/err")" "" "-q: no summary line"

# Open items at the edges (tests/golden/metrics/README): ages of exactly 7, 8,
# 30, 31, 90 and 91 days, requested after as-of, due exactly at as-of, one
# second past due, exactly 75 % of the window and one second short of it, a
# window of 0, a due date before the request, ties in the lists.
OPEN=$G/open.csv
run kpo-metrics -q --as-of 2024-03-01 --total "$OPEN"
same "$T/out" "$G/open-domain-total.csv" "open items: the hand-computed table"
$REF --as-of 2024-03-01 --total "$OPEN" >"$T/ref"
same "$T/ref" "$G/open-domain-total.csv" "open items: the reference agrees with the hand-computed table"
run kpo-metrics -q --as-of 2024-03-01 --bundle "$T/ob" "$OPEN"
gzip -dc "$T/ob/open-breached.csv.gz" >"$T/c.csv"
same "$T/c.csv" "$G/open-breached.csv" "open-breached.csv.gz: past due, the most overdue first, ties by task_id then source"
gzip -dc "$T/ob/at-risk.csv.gz" >"$T/c.csv"
same "$T/c.csv" "$G/open-at-risk.csv" "at-risk.csv.gz: 75 % of the window or more, not yet due"
run kpo-metrics -q --as-of 2024-03-01T00:00:01Z --total "$OPEN"
first=$(head -n 1 "$T/out" | tr , '\n' | grep -nx sla_attainment_pct | cut -d: -f1)
is "$(tail -n 1 "$T/out" | cut -d, -f"$first"-)" "11.11,2,4,8,5,1,7" \
	"one second later: O9 and O13 past due (1 of 9 on time), O12 at risk too, O7 8 days old"

# Generated streams: every cell equal to the reference.
$REF --generate 1500 --seed 1 >"$T/g1.csv"
$REF --generate 700 --seed 2 >"$T/g2.csv"
BYS="domain vendor,month region,vendor,domain month task_id"
# The reference's 30 tables of the loop below come from one python3: its
# main() once per table with that table's arguments, each from a fresh
# decimal context, as a process of its own would start.  The same tables,
# without 29 interpreter starts and module loads.
python3 - "$T" "$BYS" "$EDGE" "$T/g1.csv" "$T/g2.csv" <<'PY'
import contextlib, decimal, importlib.util, os, sys
spec = importlib.util.spec_from_file_location("metrics_ref", os.path.join(os.environ["TOP"], "tests/ref/metrics_ref.py"))
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)
t, bys, files = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
for f in files:
    for by in bys:
        for total in ("", "--total"):
            sys.argv = ["metrics_ref.py", "--as-of", "2024-09-15", "--by", by] + ([total] if total else []) + [f]
            decimal.setcontext(decimal.Context())
            out = os.path.join(t, "ref-%s-%s%s.csv" % (os.path.basename(f), by, total))
            with open(out, "w", encoding="utf-8", newline="") as o, contextlib.redirect_stdout(o):
                ref.main()
PY
for f in "$EDGE" "$T/g1.csv" "$T/g2.csv"; do
	name=$(basename "$f")
	for by in $BYS; do
		for total in "" --total; do
			kpo-metrics -q --as-of 2024-09-15 --by $by $total "$f" >"$T/c.csv" 2>"$T/err"
			crc=$?
			mv "$T/ref-$name-$by$total.csv" "$T/r.csv"
			if [ $crc -eq 0 ] && cmp -s "$T/c.csv" "$T/r.csv"; then
				ok 0 "$name --by $by $total = reference"
			else
				ok 1 "$name --by $by $total = reference (exit $crc)"
				diff "$T/r.csv" "$T/c.csv" | head -n 10 | diag "$(cat)"
			fi
		done
	done
done
kpo-metrics -q --as-of 2024-12-01T06:30:00Z "$T/g1.csv" >"$T/c.csv"
$REF --as-of 2024-12-01T06:30:00Z "$T/g1.csv" >"$T/r.csv"
same "$T/c.csv" "$T/r.csv" "default --by domain, --as-of a date-time = reference"

# --bundle: six gzipped tables with the ALL row, meta.csv, the two lists.
run kpo-metrics -q --bundle "$T/b1/sub" --as-of 2024-07-01 --base eur "$T/g1.csv" "$EDGE"
is "$rc" 0 "bundle: exit 0 (the folder and its parent are created)"
$REF --bundle "$T/rb" --as-of 2024-07-01 "$T/g1.csv" "$EDGE"
for t in domain vendor region month domain-month vendor-domain; do
	gzip -dc "$T/b1/sub/by-$t.csv.gz" >"$T/c.csv"
	same "$T/c.csv" "$T/rb/by-$t.csv" "bundle: by-$t = reference"
	tail -n 1 "$T/c.csv" | cut -d, -f1 >"$T/last"
	is "$(cat "$T/last")" "ALL" "bundle: by-$t ends with the ALL row"
done
for l in open-breached at-risk; do
	gzip -dc "$T/b1/sub/$l.csv.gz" >"$T/c.csv"
	same "$T/c.csv" "$T/rb/$l.csv" "bundle: $l = reference ($(($(wc -l <"$T/c.csv") - 1)) items)"
done
printf 'key,value\nas_of,2024-07-01\nrows,1507\nbase_currency,EUR\nversion,%s\n' "$(cat VERSION)" >"$T/meta"
same "$T/b1/sub/meta.csv" "$T/meta" "bundle: meta.csv"
is "$(ls "$T/b1/sub" | tr '\n' ' ')" "at-risk.csv.gz by-domain-month.csv.gz by-domain.csv.gz by-month.csv.gz by-region.csv.gz by-vendor-domain.csv.gz by-vendor.csv.gz meta.csv open-breached.csv.gz " \
	"bundle: exactly the nine files, no temporaries left"

# Order does not matter: shuffled rows, split files in any order, gzip input.
kpo-metrics -q --as-of 2024-09-15 --by vendor,month --total "$T/g1.csv" >"$T/want"
head -n 1 "$T/g1.csv" >"$T/head"
yes | head -c 1000000 >"$T/random"
tail -n +2 "$T/g1.csv" | shuf --random-source="$T/random" >"$T/body"
cat "$T/head" "$T/body" >"$T/shuf.csv"
cmp -s "$T/shuf.csv" "$T/g1.csv"
is "$?" 1 "the shuffled stream differs from the original"
run kpo-metrics -q --as-of 2024-09-15 --by vendor,month --total "$T/shuf.csv"
same "$T/out" "$T/want" "shuffled rows: same output"
split -l 400 "$T/body" "$T/part."
for p in "$T"/part.*; do cat "$T/head" "$p" >"$p.csv"; done
run kpo-metrics -q --as-of 2024-09-15 --by vendor,month --total $(ls "$T"/part.*.csv | sort -r)
same "$T/out" "$T/want" "split into $(ls "$T"/part.*.csv | wc -l) files, given in reverse: same output"
gzip -c "$T/shuf.csv" >"$T/shuf.csv.gz"
run kpo-metrics -q --as-of 2024-09-15 --by vendor,month --total - <"$T/shuf.csv.gz"
same "$T/out" "$T/want" "gzip on standard input: same output"

# The same input (in any order) gives a byte-identical bundle.
kpo-metrics -q --bundle "$T/b2" --as-of 2024-07-01 --base EUR "$T/g1.csv" "$EDGE"
kpo-metrics -q --bundle "$T/b3" --as-of 2024-07-01 --base EUR "$EDGE" "$T/shuf.csv"
same_gz=0
for f in "$T"/b1/sub/*; do
	b=$(basename "$f")
	cmp -s "$f" "$T/b2/$b" && cmp -s "$f" "$T/b3/$b" || { same_gz=1; diag "$b differs"; }
done
is "$same_gz" 0 "bundle: byte-identical .gz and meta.csv across runs and row orders"

# -o FILE.gz: reproducible gzip.
kpo-metrics -q --as-of 2024-09-15 --total -o "$T/a.csv.gz" "$T/g2.csv"
kpo-metrics -q --as-of 2024-09-15 --total -o "$T/b.csv.gz" "$T/g2.csv"
cmp -s "$T/a.csv.gz" "$T/b.csv.gz"
is "$?" 0 "-o .gz: byte-identical across runs"
gzip -dc "$T/a.csv.gz" >"$T/c.csv"
$REF --as-of 2024-09-15 --total "$T/g2.csv" >"$T/r.csv"
same "$T/c.csv" "$T/r.csv" "-o .gz: gzip of the table"

# Columns are found by name: reorder them and add some.
python3 - "$EDGE" "$T/reordered.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
order = list(range(len(rows[0])))[::-1]
with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    for i, r in enumerate(rows):
        w.writerow(["extra" if i == 0 else "x,y"] + [r[j] for j in order])
PY
run kpo-metrics -q $A --total "$T/reordered.csv"
same "$T/out" "$G/edge-domain-total.csv" "columns in another order, with an extra one: same table"

# Empty stream (a header and no rows): header only, and no ALL row for nothing.
head -n 1 "$EDGE" >"$T/empty.csv"
run kpo-metrics -q --total "$T/empty.csv"
is "$rc" 0 "header only: exit 0"
is "$(wc -l <"$T/out")" 1 "header only: the header, no ALL row for nothing"

# The sources of open items are kept as a file and a line where the line
# would be written back the same: one past 9 digits, a leading zero, no
# digits, no colon, a colon inside, the same file with other lines.  The
# list orders ties by the source's bytes, as sort(1) would in the C locale.
{
	head -n 1 "$OPEN"
	for src in o.csv:16 o.csv:1234567890 o.csv:123456789 o.csv:007 o.csv: o.csv o:c.csv:2 o.csv:2 '' \
		o.csv:9 o.csv:10 o.csv:0 p.csv:1; do
		grep '^O15,' "$OPEN" | sed "s|,o\.csv:16,|,$src,|"
	done
} >"$T/src.csv"
run kpo-metrics -q --as-of 2024-03-01 --bundle "$T/sb" "$T/src.csv"
gzip -dc "$T/sb/open-breached.csv.gz" | python3 -c '
import csv, sys
for r in list(csv.reader(sys.stdin))[1:]: print(r[-1])' >"$T/got"
python3 -c '
import csv, sys
for r in list(csv.reader(open(sys.argv[1])))[1:]: print(r[15])' "$T/src.csv" | LC_ALL=C sort >"$T/want"
same "$T/got" "$T/want" "open items: every form of source written back as read, ties in its byte order"

# A group of one row and one of hundreds: a leaf keeps its sums narrow (64
# bits, counts to 255) until one would not fit, then wide.  Both sides of
# every limit, against the reference: 300 rows of one task (counts past 255),
# costs past 2^63 / 10^12 (9,223,372.04) alone and in a sum, negative ones,
# turnarounds of 1, 2 and 3 values a group (the quantiles of 1 or 2 come
# from the sums), and the same in parts merged by kpo-run.
python3 - "$T/g1.csv" "$T/wide.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
head, body = rows[0], rows[1:]
c = {n: i for i, n in enumerate(head)}
out = []
for i, r in enumerate(body):
    r = list(r)
    if i < 300:                                 # one task, one vendor: 300 rows
        r[c["task_id"]], r[c["vendor"]] = "MANY", "Zeta"
    elif i < 303:                               # three rows, each past 2^63 / 10^12 together
        r[c["task_id"]], r[c["vendor"]] = "BIG3", "Zeta"
        r[c["cost"]] = r[c["cost_base"]] = "4000000.0001"
        r[c["currency"]] = "USD"
    elif i == 303:
        r[c["task_id"]], r[c["cost"]], r[c["cost_base"]], r[c["currency"]] = "HUGE", "9223372.0369", "9223372.0369", "USD"
    elif i == 304:
        r[c["task_id"]], r[c["cost"]], r[c["cost_base"]], r[c["currency"]] = "NEG", "-9300000", "-9300000", "USD"
    elif i < 307:                               # two turnarounds: from the sums
        r[c["task_id"]] = "TWO"
    out.append(r)
w = csv.writer(open(sys.argv[2], "w", newline="", encoding="utf-8"), lineterminator="\n")
w.writerow(head)
w.writerows(out)
PY
for by in task_id vendor,task_id domain; do
	$REF --as-of 2024-09-15 --by $by --total "$T/wide.csv" >"$T/wref.csv"
	run kpo-metrics -q --as-of 2024-09-15 --by $by --total "$T/wide.csv"
	same "$T/out" "$T/wref.csv" "narrow and wide leaves, --by $by: the reference's table"
done
$REF --as-of 2024-09-15 --by task_id --total "$T/wide.csv" >"$T/wref.csv"
is "$(grep -c '^MANY,300,' "$T/wref.csv")" 1 "the reference counts 300 rows of MANY (the test is what it says)"
# kpo-run reads it as an export: against the chain on the same file.
kpo-ingest -q "$T/wide.csv" | kpo-enrich -q --as-of 2024-09-15 |
	kpo-metrics -q --as-of 2024-09-15 --by task_id --total >"$T/wchain.csv"
is "$(grep -c '^MANY,300,' "$T/wchain.csv")" 1 "the chain reads 300 rows of MANY from the file as an export"
for jobs in 1 2 3; do
	KPO_RUN_PART_BYTES=20000 kpo-run -q --as-of 2024-09-15 --jobs $jobs --by task_id --total "$T/wide.csv" \
		>"$T/w2.csv" 2>"$T/err"
	rc=$?
	same "$T/w2.csv" "$T/wchain.csv" "kpo-run --jobs $jobs in parts of 20,000 bytes: the chain's table (exit $rc)"
done

done_testing
