#!/bin/sh
# Error messages pinned word for word, as GNU datamash pins its own: a user
# reads them in cron mail, and a change to one must be a decision.  Each
# case: the command, its exit status, and its whole standard error.
. tests/e2e/lib.sh

# pin NAME STATUS WANT CMD...: CMD exits STATUS and says exactly WANT.
pin() {
	name=$1 want_rc=$2 want=$3
	shift 3
	"$@" >"$T/out" 2>"$T/err"
	got_rc=$?
	is "$got_rc" "$want_rc" "$name: exit $want_rc"
	is "$(sed "s#$T/##g" "$T/err")" "$want" "$name: the message"
}
cd "$T" || exit 1
printf 'Name,Notes\nAcme,first\n' >notes.csv
printf 'Task ID,Vendor,Created,Hours\nT1,Acme,2026-01-05,2\n' >nodomain.csv
printf 'Task ID,Vendor,Domain,Created,Hours\nT1,Acme,Legal,03/04/2026,2\n' >slash.csv
printf 'Task ID,Vendor,Domain,Created,Hours,Cost\nT1,Acme,Legal,2026-01-05,2,1:30\n' >durcost.csv
printf 'task_id,vendor\nT1,Acme\n' >canon.csv
head -1 "$TOP/tests/golden/metrics/edge.csv" >header.csv

pin "no known column" 65 "kpo-ingest: notes.csv: no header found: none of the first 50 lines names the columns vendor, domain, requested_at; say which line it is with --skip N, or for a file without one name its columns with --no-header --columns COL,...
kpo-ingest: 0 rows read, 0 written, 0 rejected" kpo-ingest notes.csv
pin "a required column missing" 65 "kpo-ingest: nodomain.csv:1: required column missing: domain; the header has: Task ID, Vendor, Created, Hours
kpo-ingest: nodomain.csv:1: name it with --map, or give a value for every row with --set COLUMN=VALUE; or is this a format kpo knows (--profile)?
kpo-ingest: 0 rows read, 0 written, 0 rejected" kpo-ingest nodomain.csv
pin "a numeric date without an order" 65 "kpo-ingest: slash.csv:2: unparsable date: column 'Created': '03/04/2026' (day/month or month/day? say which with --date-order dmy or mdy)
kpo-ingest: 1 rows read, 0 written, 1 rejected (1 unparsable date)
kpo-ingest: 1 of 1 rows rejected, more than --max-reject-pct 5%" kpo-ingest slash.csv
pin "a duration where money belongs" 65 "kpo-ingest: durcost.csv:2: unparsable number: column 'Cost': '1:30' (a duration? only hours are read as H:MM)
kpo-ingest: 1 rows read, 0 written, 1 rejected (1 unparsable number)
kpo-ingest: 1 of 1 rows rejected, more than --max-reject-pct 5%" kpo-ingest durcost.csv
pin "an unknown format" 64 "kpo-ingest: --profile: one of jira, toggl, clockify, harvest, or none, expected: 'asana'" \
	kpo-ingest --profile asana notes.csv
pin "--set of a column that is not one" 64 "kpo-ingest: --set: COLUMN=VALUE with a canonical column other than task_id and source expected: 'colour=red'" \
	kpo-ingest --set colour=red notes.csv
pin "--set of a value that is not one" 64 "kpo-ingest: nodomain.csv: --set requested_at=soon: unparsable date" \
	kpo-ingest --set domain=Legal --set requested_at=soon nodomain.csv
printf 'Task ID;Vendor;Domain;Created\nT1;Acme;Legal;2026-01-05\n' >semi.csv
pin "--set of a number in the file's own decimal" 64 "kpo-ingest: semi.csv: --set cost=5.5: unparsable number (this file's decimal is ',')" \
	kpo-ingest --set cost=5.5 semi.csv
pin "kpo-enrich on a stream that is not canonical" 65 "kpo-enrich: canon.csv:1: columns domain, region, requested_at, due_at, delivered_at, hours, cost, currency, inhouse_rate missing: this is not the canonical stream (kpo-ingest writes it); the header has: task_id, vendor
kpo-enrich: 0 rows read, 0 written, 0 rejected" kpo-enrich canon.csv
pin "kpo-metrics on a raw export" 65 "kpo-metrics: notes.csv:1: this is not a kpo stream (no delivered_at, hours, quality, defects, reworked, requested_at, due_at, domain, vendor): read the export with kpo-ingest, then kpo-enrich
kpo-metrics: 0 rows read, 0 used, 0 rejected" kpo-metrics notes.csv
pin "kpo-metrics on a header-only stream" 0 "kpo-metrics: no data rows: the input has only a header
kpo-metrics: 0 rows read, 0 used, 0 rejected" kpo-metrics --total header.csv
pin "an unknown option" 64 "kpo-metrics: unrecognized option '--colour'
usage: kpo-metrics [OPTION]... [FILE]...
Try 'kpo-metrics --help' for more." kpo-metrics --colour
done_testing
