#!/bin/sh
# kpo-enrich end to end: golden outputs on a small crafted stream, and every
# failure the contract names.  The expected values in tests/golden/enrich/
# were worked by hand; the arithmetic is in the comments below.
#
# in.csv, with fx.csv (EUR 1.08, GBP 1.27, INR 0.012), rates.csv (Legal 200,
# Legal+Poland 150, Healthcare 100, R&D 95.123 EUR, Data Analytics+India 80)
# and --as-of 2026-03-10:
#   T1 Legal/Poland USD: cost_base 1000; domain+region rate 150 x 10 h = 1500;
#      savings 500; 02-02 09:00 -> 02-03 10:30 = 25.5 h; on time; 2026-02
#   T2 Legal/India EUR 100: 108; no Legal+India, so Legal 200 x 2.5 = 500;
#      392; 54 h 20 min = 54.3333 h; late (due 02-11); 2026-02
#   T3 GBP 90.5 x 1.27 = 114.935; own inhouse_rate 42.5 wins over Healthcare
#      100: 3 x 42.5 = 127.5; 12.565; same instant: 0 h; no due: empty
#   T4 empty currency = base: 50; R&D 95.123 EUR: 1.25 x 95.123 x 1.08 =
#      128.41605 -> 128.4160 rounded once, half to even (rounding 1.25 x
#      95.123 = 118.90375 first would give 128.4161); 78.4160; 01-15 08:00 ->
#      02-28 23:59:59 = 3859199 s = 1071.9997 h; on time (due 03-01 00:00)
#   T5 open INR 20000 x 0.012 = 240; 4 x 80 = 320; 80; due 03-01 < as-of: 0;
#      month of the request 2026-02
#   T6 open, Legal with no region: 150, 200, 50; due 03-20 not passed: empty
#   T7 open, Data Analytics/Brazil: no rate (only India has one): baseline
#      and savings empty, counted "1 without an in-house rate"
#   T8 Healthcare EUR 10: 10.8, 100, 89.2; 12-20 -> 12-30 = 240 h; 2025-12
#   T9 open, due 03-10 00:00 = as-of exactly: not overdue, empty
# With fx-dated.csv (EUR 01-01 1.05, 02-01 1.10, 03-01 1.20; GBP 01-01 1.25;
# INR 02-01 0.0115), the rate of the delivery date, else the request date:
#   T2 delivered 02-12: 1.10 -> 110, savings 390
#   T3 delivered 03-01, GBP 01-01 1.25: 113.125, savings 14.375
#   T4 delivered 02-28: 1.25 x 95.123 x 1.10 = 130.794125 -> 130.7941; 80.7941
#   T5 open, requested 02-20: 0.0115 x 20000 = 230; savings 90
#   T8 delivered 2025-12-30, before the first EUR rate: rejected
# With --calendar holidays.csv (2025-12-25, 2026-01-19, 2026-02-16), UTC,
# 09:00-18:00 Mon-Fri:
#   T1 Mon 09:00 -> Tue 10:30: 9 + 1.5 = 10.5 h
#   T2 Tue 00:00 -> Thu 06:20: 9 + 9 = 18 h
#   T4 Thu 01-15 08:00 -> Sat 02-28: 32 weekdays less 2 holidays = 30 x 9 = 270 h
#   T8 Sat 12-20 -> Tue 12-30 00:00: 22,23,24,26,29 (25th a holiday) = 45 h
. "$(dirname "$0")/lib.sh"

G=tests/golden/enrich
ASOF="--as-of 2026-03-10"

# cols FILE COL,...: FILE's columns COL,... as CSV, by header name.
cols() {
	python3 -c '
import csv, sys
r = csv.DictReader(open(sys.argv[1], newline=""))
c = sys.argv[2].split(",")
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(c)
for row in r:
    w.writerow([row[k] for k in c])
' "$@"
}
header_of() { head -n 1 "$1"; }

# Golden outputs ---------------------------------------------------------
run kpo-enrich --fx $G/fx.csv --rates $G/rates.csv $ASOF $G/in.csv
is "$rc" 0 "flat fx: exit 0"
same "$T/out" $G/out-flat.csv "flat fx: golden output"
is "$(cat "$T/err")" "kpo-enrich: 9 rows read, 9 written, 0 rejected; 1 without an in-house rate" \
    "flat fx: summary line counts the row without a rate"

run kpo-enrich --fx $G/fx-dated.csv --rates $G/rates.csv $ASOF --rejects "$T/rej.csv" --max-reject-pct 20 $G/in.csv
is "$rc" 0 "dated fx: exit 0 under --max-reject-pct 20"
same "$T/out" $G/out-dated.csv "dated fx: golden output"
like "$T/err" "^kpo-enrich: 9 rows read, 8 written, 1 rejected \\(1 no fx rate for date\\); 1 without an in-house rate$" \
    "dated fx: summary"
like "$T/err" "^kpo-enrich: exp.csv:9: no fx rate for date: currency 'EUR': no rate on or before 2025-12-30" \
    "dated fx: the reject is told at the row's own source"
is "$(sed -n 2p "$T/rej.csv" | cut -d, -f1-3)" "exp.csv:9,enrich,no fx rate for date: currency 'EUR': no rate on or before 2025-12-30 in tests/golden/enrich/fx-dated.csv (the first is for 2026-01-01)" \
    "dated fx: rejects row source,stage,reason"

run kpo-enrich --fx $G/fx-dated.csv --rates $G/rates.csv $ASOF $G/in.csv
is "$rc" 65 "dated fx: 1 of 9 rejected is over the default 5 %"
like "$T/err" "1 of 9 rows rejected, more than --max-reject-pct 5%" "dated fx: threshold message"

run kpo-enrich --fx $G/fx.csv --rates $G/rates.csv $ASOF --calendar $G/holidays.csv $G/in.csv
is "$rc" 0 "business hours: exit 0"
same "$T/out" $G/out-business.csv "business hours with holidays: golden output"

# --work-days alone turns business hours on, with the default 09:00-18:00:
# T8 without the holiday is 22,23,24,25,26,29 = 54 h.
run kpo-enrich --fx $G/fx.csv $ASOF --work-days Mon-Fri $G/in.csv
is "$(cols "$T/out" task_id,tat_h | grep '^T8,')" "T8,54.0000" "--work-days alone: business hours, no holidays"
# Sat-Sun as the working week: T8 Sat 12-20 -> Tue 12-30: 20,21,27,28 = 36 h
run kpo-enrich --fx $G/fx.csv $ASOF --work-days Sat-Sun $G/in.csv
is "$(cols "$T/out" task_id,tat_h | grep '^T8,')" "T8,36.0000" "--work-days Sat-Sun"
# 10:00-12:00 Mon-Fri: T1 Mon 09:00 -> Tue 10:30 = 2 + 0.5 = 2.5 h
run kpo-enrich --fx $G/fx.csv $ASOF --work-hours 10:00-12:00 $G/in.csv
is "$(cols "$T/out" task_id,tat_h | grep '^T1,')" "T1,2.5000" "--work-hours 10:00-12:00"
# Europe/Berlin (CET, UTC+1): T1 Mon 10:00 -> Tue 11:30 local = 8 + 2.5 = 10.5 h;
# T2 Tue 01:00 -> Thu 07:20 local = 18 h.  Asia/Kolkata (UTC+5:30): T1 Mon
# 14:30 -> Tue 16:00 local = 3.5 + 7 = 10.5 h; T2 Tue 05:30 -> Thu 11:50 =
# 9 + 9 + 2h50 = 20.8333 h
run kpo-enrich --fx $G/fx.csv $ASOF --work-days Mon-Fri --tz Asia/Kolkata $G/in.csv
is "$(cols "$T/out" task_id,tat_h | sed -n '2,3p' | tr '\n' ' ')" "T1,10.5000 T2,20.8333 " "--tz Asia/Kolkata"

# Columns are found by name: reverse every column, enrich, put them back.
python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
w = csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n")
for r in rows:
    w.writerow(r[::-1])
' $G/in.csv "$T/reversed.csv"
run kpo-enrich --fx $G/fx.csv --rates $G/rates.csv $ASOF "$T/reversed.csv"
is "$rc" 0 "reordered columns: exit 0"
is "$(header_of "$T/out")" "notes,source,reworked,defects,quality,inhouse_rate,currency,cost,hours,delivered_at,due_at,requested_at,region,domain,vendor,engagement_id,task_id,cost_base,baseline,savings,tat_h,on_time,month" \
    "reordered columns: input order kept, new columns appended"
cols "$T/out" "$(header_of $G/out-flat.csv)" >"$T/back.csv"
same "$T/back.csv" $G/out-flat.csv "reordered columns: same values as the golden output"

# Extra columns pass through (notes, above); a second input may order its
# columns differently, and gzip input is read.
gzip -c "$T/reversed.csv" >"$T/reversed.csv.gz"
run kpo-enrich --fx $G/fx.csv --rates $G/rates.csv $ASOF $G/in.csv "$T/reversed.csv.gz"
is "$rc" 0 "two inputs, the second gzipped and reordered: exit 0"
{ cat $G/out-flat.csv; sed 1d $G/out-flat.csv; } >"$T/twice.csv"
same "$T/out" "$T/twice.csv" "two inputs: rows in the first input's column order"
# A second input with fewer columns than the first: refused, naming each.
cols "$T/reversed.csv" task_id,vendor,domain,region,requested_at,due_at,delivered_at,hours,cost,currency,inhouse_rate,source \
	>"$T/narrow.csv"
run kpo-enrich --fx $G/fx.csv --rates $G/rates.csv $ASOF "$T/reversed.csv" "$T/narrow.csv"
is "$rc" 65 "a second input lacking the first's columns: exit 65"
like "$T/err" "narrow.csv:1: column 'engagement_id' of the first input is missing" "... naming them"
like "$T/err" "narrow.csv:1: column 'notes' of the first input is missing" "... each of them"
cat $G/in.csv | kpo-enrich -q --fx $G/fx.csv --rates $G/rates.csv $ASOF - >"$T/out" 2>"$T/err"
same "$T/out" $G/out-flat.csv "standard input as -"
is "$(cat "$T/err")" "" "-q: no summary line"

# Without --fx, --base EUR: EUR rows (and T4, with no currency, so the base
# one) cost what they cost; USD, GBP and INR rows are unknown.
run kpo-enrich --base eur $ASOF --max-reject-pct 100 --rejects "$T/rej.csv" $G/in.csv
is "$(cols "$T/out" task_id,cost_base | sed 1d | tr '\n' ' ')" "T2,100.0000 T4,50.0000 T8,10.0000 " "--base EUR without --fx: only EUR rows priced"
like "$T/err" "6 rejected \\(6 unknown currency\\)" "--base EUR without --fx: the others rejected as unknown currency"
like "$T/err" "exp.csv:2: unknown currency: currency 'USD' is not the base currency EUR, and no --fx table was given" \
    "--base EUR without --fx: the reject says why"

# Bad rows ---------------------------------------------------------------
run kpo-enrich --fx $G/fx.csv --rates $G/rates.csv $ASOF --rejects "$T/rej.csv" $G/in-bad.csv
is "$rc" 65 "4 of 5 rejected: exit 65"
same "$T/rej.csv" $G/rejects-bad.csv "rejects file: source of the export, stage, reason, raw record"
like "$T/err" "^kpo-enrich: 5 rows read, 1 written, 4 rejected \\(1 unknown currency, 1 unparsable number, 1 unparsable date, 1 wrong field count\\)$" \
    "summary counts each kind"
run kpo-enrich --fx $G/fx.csv --rates $G/rates.csv $ASOF --max-reject-pct 100 $G/in-bad.csv
is "$rc" 0 "--max-reject-pct 100: exit 0"

# 30 good rows and one in XYZ: 3.2 % < 5 %: exit 0
{ head -n 1 $G/in.csv; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do
	sed -n 2p $G/in.csv; done; sed -n 2p $G/in.csv | sed 's/,USD,/,XYZ,/'; } >"$T/few-bad.csv"
run kpo-enrich --fx $G/fx.csv $ASOF --rejects "$T/rej.csv" "$T/few-bad.csv"
is "$rc" 0 "1 of 31 rejected: under the threshold, exit 0"
like "$T/err" "^kpo-enrich: 31 rows read, 30 written, 1 rejected \\(1 unknown currency\\); 30 without an in-house rate$" \
    "under the threshold: counted in the summary"
is "$(sed 1d "$T/rej.csv" | cut -d, -f1-3)" "exp.csv:2,enrich,unknown currency: currency 'XYZ' has no rate in tests/golden/enrich/fx.csv" \
    "under the threshold: the rejects file names the currency"

# Bad reference tables ---------------------------------------------------
printf 'currency,rate\nEUR,1.08\nGBP,abc\n' >"$T/fx.csv"
run kpo-enrich --fx "$T/fx.csv" $G/in.csv
is "$rc" 65 "fx: unparsable rate: exit 65"
is "$(cat "$T/err")" "kpo-enrich: $T/fx.csv:3: unparsable rate 'abc'" "fx: unparsable rate: FILE:LINE message"
is "$(wc -c <"$T/out")" 0 "fx: nothing written"
printf 'currency,rate\nEUR,-1.08\n' >"$T/fx.csv"
run kpo-enrich --fx "$T/fx.csv" $G/in.csv
is "$rc:$(cat "$T/err")" "65:kpo-enrich: $T/fx.csv:2: the rate must be positive: '-1.08'" "fx: negative rate"
printf 'currency,rate\nEUR,0\n' >"$T/fx.csv"
run kpo-enrich --fx "$T/fx.csv" $G/in.csv
is "$rc:$(cat "$T/err")" "65:kpo-enrich: $T/fx.csv:2: the rate must be positive: '0'" "fx: zero rate"
printf 'currency,rate\nEUR,1.08,x\n' >"$T/fx.csv"
run kpo-enrich --fx "$T/fx.csv" $G/in.csv
is "$rc:$(cat "$T/err")" "65:kpo-enrich: $T/fx.csv:2: 3 fields, the header has 2" "fx: wrong field count"
printf 'code,rate\nEUR,1.08\n' >"$T/fx.csv"
run kpo-enrich --fx "$T/fx.csv" $G/in.csv
is "$rc" 65 "fx: no currency column: exit 65"
like "$T/err" "^kpo-enrich: $T/fx.csv:1: column 'currency' missing" "fx: no currency column: named"
printf 'currency,rate\nEUR,1.08\nEUR,1.09\n' >"$T/fx.csv"
run kpo-enrich --fx "$T/fx.csv" $G/in.csv
is "$rc:$(cat "$T/err")" "65:kpo-enrich: $T/fx.csv:3: a second rate for EUR (the first is on line 2)" "fx: a currency twice"
printf 'date,currency,rate\n2026-13-01,EUR,1.08\n' >"$T/fx.csv"
run kpo-enrich --fx "$T/fx.csv" $G/in.csv
is "$rc:$(cat "$T/err")" "65:kpo-enrich: $T/fx.csv:2: unparsable date '2026-13-01' (YYYY-MM-DD expected)" "fx: bad date"
printf 'currency,rate\nUSD,1.1\n' >"$T/fx.csv"
run kpo-enrich --fx "$T/fx.csv" $G/in.csv
is "$rc" 65 "fx: the base currency at a rate other than 1: exit 65"
run kpo-enrich --fx "$T/nonexistent.csv" $G/in.csv
is "$rc" 66 "fx: missing file: exit 66"
printf 'domain,rate\nLegal,lots\n' >"$T/rates.csv"
run kpo-enrich --rates "$T/rates.csv" $G/in.csv
is "$rc:$(cat "$T/err")" "65:kpo-enrich: $T/rates.csv:2: unparsable rate 'lots'" "rates: unparsable rate"
printf 'domain,rate,currency\nLegal,100,EUR\n' >"$T/rates.csv"
run kpo-enrich --rates "$T/rates.csv" $G/in.csv
is "$rc" 65 "rates: a rate in EUR without --fx: exit 65"
like "$T/err" "$T/rates.csv:2: a rate in EUR, and no --fx table" "rates: a rate in EUR without --fx: told"
printf 'region,rate\nIndia,100\n' >"$T/rates.csv"
run kpo-enrich --rates "$T/rates.csv" $G/in.csv
like "$T/err" "$T/rates.csv:1: column 'domain' missing" "rates: no domain column"
printf 'day,name\n2026-01-01,x\n' >"$T/hol.csv"
run kpo-enrich --calendar "$T/hol.csv" $G/in.csv
is "$rc" 65 "calendar: no date column: exit 65"
run kpo-enrich --calendar "$T/nonexistent.csv" $G/in.csv
is "$rc" 66 "calendar: missing file: exit 66"

# A stream missing a column ----------------------------------------------
cols $G/in.csv task_id,domain,region,requested_at,due_at,delivered_at,hours,cost,inhouse_rate,source >"$T/nocur.csv"
run kpo-enrich --fx $G/fx.csv "$T/nocur.csv"
is "$rc" 65 "a stream without currency: exit 65"
like "$T/err" "^kpo-enrich: $T/nocur.csv:1: column currency missing: this is not the canonical stream \\(kpo-ingest writes it\\)" \
    "a stream without currency: the column and kpo-ingest named"
run kpo-enrich -o "$T/o.csv" --fx $G/fx.csv "$T/nocur.csv"
is "$rc" 65 "-o with a missing column: exit 65"
ok "$(ls -a "$T" | grep -cE '^\.?o\.csv')" "-o with a missing column: no file left, not even a temporary one"
run kpo-enrich --fx $G/fx.csv $ASOF $G/out-flat.csv
is "$rc" 65 "an enriched stream again: exit 65"
like "$T/err" "column 'cost_base' is already there" "an enriched stream again: told"
: >"$T/empty.csv"
run kpo-enrich "$T/empty.csv"
is "$rc" 65 "an empty input: exit 65"

# Outputs ----------------------------------------------------------------
run kpo-enrich -o "$T/o.csv" --fx $G/fx.csv --rates $G/rates.csv $ASOF $G/in.csv
is "$rc" 0 "-o: exit 0"
same "$T/o.csv" $G/out-flat.csv "-o: the golden output"
run kpo-enrich -o "$T/o2.csv" --fx $G/fx.csv --rates $G/rates.csv $ASOF --rejects "$T/rej2.csv" $G/in-bad.csv
is "$rc" 65 "-o over the reject threshold: exit 65"
ok "$(ls -a "$T" | grep -cE '^\.?o2\.csv')" "-o over the reject threshold: no file left"
run kpo-enrich -o "$T/o.csv.gz" --fx $G/fx.csv --rates $G/rates.csv $ASOF $G/in.csv
gzip -dc "$T/o.csv.gz" >"$T/o-gz.csv"
same "$T/o-gz.csv" $G/out-flat.csv "-o FILE.gz: gzip of the golden output"
if [ -w /dev/full ]; then
	run kpo-enrich -o /dev/full --fx $G/fx.csv $ASOF $G/in.csv
	is "$rc" 74 "-o /dev/full: exit 74"
	kpo-enrich --fx $G/fx.csv $ASOF $G/in.csv >/dev/full 2>"$T/err"
	is "$?" 74 "stdout on /dev/full: exit 74"
	like "$T/err" "write error" "stdout on /dev/full: told"
else
	skip "no /dev/full"
	skip "no /dev/full"
	skip "no /dev/full"
fi

# Usage ------------------------------------------------------------------
for bad in "--work-hours 18:00-09:00" "--work-hours 9-18" "--work-days Funday" "--tz Nowhere/City" \
    "--as-of yesterday" "--max-reject-pct 101" "--base U\$D" "--bogus"; do
	# shellcheck disable=SC2086
	run kpo-enrich $bad $G/in.csv
	is "$rc" 64 "usage error: $bad"
done
run kpo-enrich --help
is "$rc" 0 "--help: exit 0"
like "$T/out" "^usage: kpo-enrich" "--help: usage on stdout"
run kpo-enrich --version
like "$T/out" "^kpo-enrich [0-9]" "--version"
run kpo-enrich --tz Europe/Berlin --fx $G/fx.csv $ASOF $G/in.csv
like "$T/err" "--tz counts business hours only" "--tz alone: warned that it has no effect"

# --dedupe: the first row of a task_id over all the inputs is kept; a
# stream without task_id is said to be left out of it.
run kpo-enrich --dedupe --max-reject-pct 50 --fx $G/fx.csv $ASOF $G/in.csv $G/in.csv
rows=$(($(wc -l <$G/in.csv) - 1))
is "$rc" 0 "--dedupe of two copies of a stream: exit 0"
like "$T/err" "^kpo-enrich: $((2 * rows)) rows read, $rows written, $rows rejected \\($rows duplicate task_id\\)" \
	"... the second copy of each row rejected"
kpo-enrich -q --fx $G/fx.csv $ASOF $G/in.csv >"$T/once"
same "$T/out" "$T/once" "... the first kept: one copy, enriched"
like "$T/err" ":2: duplicate task_id: '.*' first seen at " "... naming where the first was"
cut -d, -f2- $G/in.csv >"$T/notask.csv"
run kpo-enrich --dedupe --fx $G/fx.csv $ASOF "$T/notask.csv"
like "$T/err" "notask.csv:1: --dedupe: no column task_id: the rows of this input are not compared" \
	"--dedupe on a stream without task_id: said"

done_testing
