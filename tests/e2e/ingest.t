#!/bin/sh
# kpo-ingest on the sample exports: each gives a canonical stream equal to its
# golden file.  The goldens in tests/golden/ingest/ were made by
# tests/ref/ingest_ref.py, an independent Python implementation written from
# the man page kpo-ingest(1) (csv, datetime and decimal modules, no shared
# code), with the options tests/golden/ingest/SAMPLES lists, and this test
# re-runs it (tests/ref/ingest_goldens.py --check) so a change in either shows
# here.  tests/ref/overlap_check.py checks that the 20 tasks shared by (a), (b)
# and (c) have the same canonical values in all three dialects.  The samples
# of other formats (d- to o-) are tested in ingest-formats.t and
# ingest-header.t.
. tests/e2e/lib.sh

for f in a-timetracker b-excel-ru-utf8 c-jira; do
	run kpo-ingest samples/exports/$f.csv
	is "$rc" 0 "$f: exit 0"
	same "$T/out" tests/golden/ingest/$f.csv "$f: canonical stream equals the golden file"
	like "$T/err" '^kpo-ingest: [0-9]+ rows read, [0-9]+ written, 0 rejected($|; )' "$f: summary line, nothing rejected"
done
run kpo-ingest --encoding cp1251 samples/exports/b-excel-ru.csv
is "$rc" 0 "b-excel-ru (Windows-1251, CRLF, semicolons): exit 0"
same "$T/out" tests/golden/ingest/b-excel-ru.csv "b-excel-ru: canonical stream equals the golden file"

if command -v python3 >/dev/null 2>&1; then
	for f in a-timetracker b-excel-ru-utf8 c-jira; do
		python3 tests/ref/ingest_ref.py samples/exports/$f.csv >"$T/ref" 2>/dev/null
		same "$T/ref" tests/golden/ingest/$f.csv "$f: the independent reference agrees with the golden file"
	done
	python3 tests/ref/ingest_ref.py --encoding cp1251 samples/exports/b-excel-ru.csv >"$T/ref" 2>/dev/null
	same "$T/ref" tests/golden/ingest/b-excel-ru.csv "b-excel-ru: the independent reference agrees"
	python3 tests/ref/ingest_goldens.py --check >"$T/gold" 2>&1
	ok $? "every golden of tests/golden/ingest/SAMPLES is what the reference makes now"
	[ -s "$T/gold" ] && diag "$(cat "$T/gold")"
	python3 tests/ref/overlap_check.py >"$T/ov" 2>&1
	ok $? "(a), (b) and (c) give the same canonical values for their 20 shared tasks; every golden names the eight KPO domains only"
else
	skip "python3 missing: reference not re-run"
fi

# Without --encoding the Windows-1251 file is refused with a hint.
run kpo-ingest samples/exports/b-excel-ru.csv
is "$rc" 65 "cp1251 without --encoding: exit 65"
like "$T/err" 'b-excel-ru.csv:1: the header is not UTF-8.*--encoding' "the message names the file, the line and the option"

# Standard input, several files, one header.
run kpo-ingest <samples/exports/a-timetracker.csv
sed 's#samples/exports/a-timetracker.csv:#-:#' tests/golden/ingest/a-timetracker.csv >"$T/want"
same "$T/out" "$T/want" "standard input: source is -:LINE"
run kpo-ingest samples/exports/a-timetracker.csv - samples/exports/c-jira.csv <samples/exports/b-excel-ru-utf8.csv
{ cat tests/golden/ingest/a-timetracker.csv
  sed 1d tests/golden/ingest/b-excel-ru-utf8.csv | sed 's#samples/exports/b-excel-ru-utf8.csv:#-:#'
  sed 1d tests/golden/ingest/c-jira.csv; } >"$T/want"
same "$T/out" "$T/want" "three inputs (one of them -) make one stream with one header"

# The canonical stream reads back to itself (ingest | ingest keeps values).
kpo-ingest -q samples/exports/c-jira.csv | kpo-ingest -q >"$T/again"
cut -d, -f1-15 tests/golden/ingest/c-jira.csv >"$T/want"
# engagement names hold no commas in c-jira, so cut is safe on these columns
cut -d, -f1-15 "$T/again" >"$T/got"
same "$T/got" "$T/want" "ingest of a canonical stream keeps every value"

# --map: a header no alias knows.
# (A header naming at least three canonical columns, hours, cost and
# currency here, so that it is taken for the header; see ingest-header.t for
# one that is not.)
printf 'Ref,Firm,Line of work,Opened on,Hours,Cost,Currency\nX-1,Acme,Legal,2026-01-05 10:00,2.5,300,USD\n' >"$T/unknown.csv"
run kpo-ingest "$T/unknown.csv"
is "$rc" 65 "unknown headers: exit 65"
like "$T/err" "unknown.csv:1: required columns? missing: vendor, domain, requested_at; the header has: Ref, Firm, Line of work, Opened on, Hours, Cost, Currency$" \
	"one message names the three missing required columns and lists the header"
is "$(grep -c 'Line of work' "$T/err")" 1 "the header is listed once"
unlike "$T/err" 'X-1|Acme' "no data row is printed"
printf 'Ref,Firm,Line of work,Opened on,Spent h,Billed\nX-1,Acme,Legal,2026-01-05 10:00,2.5,300\n' >"$T/odd.csv"
printf 'column,alias\ntask_id,Ref\nvendor,Firm\ndomain,Line of work\nrequested_at,Opened on\nhours,Spent h\ncost,Billed\n' >"$T/map.csv"
run kpo-ingest --map "$T/map.csv" "$T/odd.csv"
is "$rc" 0 "--map: exit 0"
like "$T/out" '^X-1,,Acme,Legal,,2026-01-05T10:00:00Z,,,2.5,300,,,,,,' "--map names the columns"
printf 'column,alias\nvendor,Firm\ndomain,Line of work\nrequested_at,Opened on\n' >"$T/map3.csv"
run kpo-ingest --map "$T/map3.csv" "$T/odd.csv"
is "$rc" 0 "--map naming only the three required columns: exit 0 (task_id, hours and cost are optional)"
like "$T/out" "^$T/odd.csv:2,,Acme,Legal,,2026-01-05T10:00:00Z,,,,,,,,,,$T/odd.csv:2\$" \
	"no task id column: task_id is the row's source; no hours, no cost"
printf 'column,alias\nprice,Billed\n' >"$T/badmap.csv"
run kpo-ingest --map "$T/badmap.csv" "$T/odd.csv"
is "$rc" 65 "--map with an unknown column: exit 65"
like "$T/err" 'badmap.csv:2: unknown column .price.' "and the message names FILE:LINE"
# --map wins over the built-in aliases: map 'Cost' away to a column named Fee.
printf 'Task ID,Vendor,Domain,Requested At,Hours,Cost,Fee\nT,V,D,2026-01-01,1,5,7\n' >"$T/fee.csv"
printf 'column,alias\ncost,Fee\n' >"$T/feemap.csv"
run kpo-ingest --map "$T/feemap.csv" "$T/fee.csv"
like "$T/out" '^T,,V,D,,2026-01-01T00:00:00Z,,,1,7,' "--map wins over a built-in alias"

# --keep raw columns, named in lower_snake_case.
run kpo-ingest --keep 'Issue Type,Priority' samples/exports/c-jira.csv
like "$T/out" '^task_id,.*,source,issue_type,priority$' "--keep adds issue_type and priority"
like "$T/out" '^KPO-1001,.*,samples/exports/c-jira.csv:2,Task,Medium$' "--keep copies the raw values"

# Decimal and date options.
printf 'Task ID;Vendor;Domain;Requested At;Hours;Cost\nT1;V;D;03/04/2026 10:00;1.234,5;7,25\n' >"$T/semi.csv"
run kpo-ingest "$T/semi.csv"
like "$T/err" 'semi.csv:2: unparsable date' "a numeric slash date needs --date-order"
run kpo-ingest --date-order mdy "$T/semi.csv"
like "$T/out" '^T1,,V,D,,2026-03-04T10:00:00Z,,,1234.5,7.25,' "--date-order mdy; ',' decimal with ';'"
run kpo-ingest --date-order dmy --tz Europe/Berlin "$T/semi.csv"
like "$T/out" '^T1,,V,D,,2026-04-03T08:00:00Z,' "--date-order dmy --tz Europe/Berlin (CEST, UTC+2)"
run kpo-ingest --decimal . --date-format '%m/%d/%Y %H:%M' "$T/semi.csv"
like "$T/err" "unparsable number: column 'Hours': '1.234,5'" "--decimal . makes 1.234,5 unparsable"
run kpo-ingest --tz Mars/Olympus "$T/semi.csv"
is "$rc" 64 "--tz with an unknown zone: exit 64"
# An exponent, as Excel writes big and small numbers, is read (kpo-ingest(1),
# Values); the canonical form has none.
printf 'Task ID,Vendor,Domain,Requested At,Cost\nE1,V,Legal,2026-01-05,1e5\nE2,V,Legal,2026-01-05,1.5E3\nE3,V,Legal,2026-01-05,2.5e-2\n' >"$T/exp.csv"
run kpo-ingest "$T/exp.csv"
is "$(cut -d, -f10 "$T/out" | sed 1d | tr '\n' ' ')" "100000 1500 0.025 " "1e5, 1.5E3 and 2.5e-2 are read, written without the exponent"

# source is the physical line of the record's first byte, also after lines
# holding only spaces (which are skipped like empty lines).
printf 'Task ID,Vendor,Domain,Requested At\nW1,V,Legal,2026-01-05\n   \n\t\nW2,V,Legal,2026-01-05\n' >"$T/ws.csv"
run kpo-ingest "$T/ws.csv"
like "$T/out" "^W2,.*,$T/ws.csv:5\$" "a row after two lines of spaces is at line 5"

# Options.
run kpo-ingest --help
is "$rc" 0 "--help: exit 0"
like "$T/out" '^usage: kpo-ingest' "--help prints the usage"
run kpo-ingest --no-such-option
is "$rc" 64 "an unknown option: exit 64"
run kpo-ingest --version
like "$T/out" '^kpo-ingest [0-9]+\.[0-9]+' "--version"
run kpo-ingest -q samples/exports/a-timetracker.csv
is "$(cat "$T/err")" "" "-q: nothing on stderr"
run kpo-ingest --max-reject-pct 101 samples/exports/a-timetracker.csv
is "$rc" 64 "--max-reject-pct past 100: exit 64"
done_testing
