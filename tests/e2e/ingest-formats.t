#!/bin/sh
# kpo-ingest on exports of real formats (kpo-ingest(1), "Known export
# formats", "Columns", "Domains and vendors", "Values"): Jira in English,
# Spanish, German and Russian, Toggl Track, Clockify, Harvest and an invoice
# register, made by scripts/make-format-samples with the vendors' real
# headers.  Each must give its golden stream (tests/golden/ingest/, made by
# the independent reference tests/ref/ingest_ref.py with the options listed
# in tests/golden/ingest/SAMPLES), then the traps one by one, the options
# --profile, --set, --hours-unit, --domains and --vendors, the messages, and
# every format through kpo-enrich and kpo-metrics.  Finding the header
# (--skip, --no-header) is tested in ingest-header.t.
. tests/e2e/lib.sh
S=samples/exports
G=tests/golden/ingest

# field FILE SOURCE COLUMN: COLUMN of the row of the canonical stream FILE
# whose source is SOURCE ("<none>" when there is no such row)
field() {
	python3 - "$@" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")):
    if r["source"] == sys.argv[2]:
        print(r[sys.argv[3]])
        break
else:
    print("<none>")
PY
}

# values FILE COLUMN: the distinct values of COLUMN, sorted, space separated
values() {
	python3 - "$@" <<'PY'
import csv, sys
print(" ".join(sorted({r[sys.argv[2]] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8", newline=""))})))
PY
}

# kinds REJECTS_FILE: the rejects file with each reason cut to its kind, as
# the goldens hold them (source,stage,kind,record)
kinds() {
	python3 - "$1" <<'PY'
import csv, sys
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["source", "stage", "kind", "record"])
with open(sys.argv[1], encoding="utf-8", errors="surrogateescape", newline="") as f:
    for r in list(csv.reader(f))[1:]:
        w.writerow([r[0], r[1], r[2].split(": ")[0], r[3]])
PY
}

# Each recognised format (and the invoice register, read with --map): exit
# 0, the golden stream, the golden rejects, what the summary line says.
grep -v '^#' $G/SAMPLES | grep -v -e '--skip' -e '--no-header' | while read -r f opts; do
	case $f in [abc]-*) continue ;; esac
	echo "$f $opts"
done >"$T/list"
while read -r f opts; do
	name=${f%.*}
	eval "set -- $opts"
	run kpo-ingest --rejects "$T/rej.csv" "$@" "$S/$f"
	is "$rc" 0 "$name: exit 0"
	same "$T/out" "$G/$name.csv" "$name: canonical stream equals the golden file"
	kinds "$T/rej.csv" >"$T/kinds.csv"
	if [ -f "$G/$name.rejects.csv" ]; then
		same "$T/kinds.csv" "$G/$name.rejects.csv" "$name: the rejected rows and their kinds equal the golden file"
	else
		is "$(($(wc -l <"$T/kinds.csv") - 1))" 0 "$name: nothing rejected"
	fi
	case $name in
	?-jira-*) what="a Jira export" ;;
	?-toggl*) what="a Toggl Track" ;;
	?-clockify) what="a Clockify" ;;
	?-harvest*) what="a Harvest" ;;
	*) what= ;;
	esac
	if [ -n "$what" ]; then
		like "$T/err" "^kpo-ingest: [0-9]+ rows read, .*; $f recognised as $what" "$name: the summary line says it is $what"
	else
		unlike "$T/err" "recognised" "$name: the summary line recognises no format"
	fi
done <"$T/list"
is "$(wc -l <"$T/list")" 10 "ten format samples tested"

# The traps, each against the sample's own text.
run kpo-ingest $S/d-jira-cloud.csv
is "$(field "$T/out" $S/d-jira-cloud.csv:2 task_id)" KPO-1101 "Jira: KPO-1101 is on line 2"
is "$(python3 -c 'import csv, sys; r = [x for x in csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")) if x["Issue key"] == "KPO-1101"][0]; print(r["Time Spent"], r["Σ Time Spent"])' $S/d-jira-cloud.csv)" "68700 68700" \
	"Jira: KPO-1101's Time Spent is 68700"
is "$(field "$T/out" $S/d-jira-cloud.csv:2 hours)" 19.0833 "Jira: Time Spent 68700 s is 19.0833 hours"
is "$(field "$T/out" $S/d-jira-cloud.csv:9 task_id)" KPO-1102 "Jira: the multi-line quoted Description of KPO-1101 (lines 2-8) moves KPO-1102 to line 9"
is "$(field "$T/out" $S/d-jira-cloud.csv:9 hours)" "" "Jira: an issue with no time logged is kept, with empty hours"
is "$(field "$T/out" $S/d-jira-cloud.csv:9 requested_at)" 2026-01-07T00:05:00Z "Jira: 07/Jan/26 12:05 AM is 00:05"
is "$(field "$T/out" $S/d-jira-cloud.csv:10 hours)" 4 "Jira: a parent's own Time Spent, not its Σ Time Spent (sub-tasks included)"
is "$(grep -c '^Summary,.*,Labels,Labels,Labels,' $S/d-jira-cloud.csv)" 1 "Jira: the export repeats its Labels column"
is "$(grep -c ',R&D,' $S/d-jira-cloud.csv)" 4 "Jira: some domains are written R&D"
unlike "$T/out" ',R&D,|,Legal Services,|,Health care,' "Jira: and every domain comes out under its one name"
run kpo-ingest --tz Europe/Madrid $S/e-jira-es.csv
ok "$(sed -n 2p $S/e-jira-es.csv | grep -q ',18/jul/26 9:10 AM,'; echo $?)" "Jira in Spanish: line 2 was created 18/jul/26 9:10 AM"
is "$(field "$T/out" $S/e-jira-es.csv:2 requested_at)" 2026-07-18T07:10:00Z "Jira in Spanish: 18/jul/26 9:10 AM in Madrid (CEST) is 07:10Z"
is "$(field "$T/out" $S/e-jira-es.csv:3 requested_at)" 2026-12-30T22:45:00Z "Jira in Spanish: 30/dic/26 11:45 PM in Madrid (CET) is 22:45Z"
run kpo-ingest --tz Europe/Berlin $S/f-jira-de.csv
is "$(field "$T/out" $S/f-jira-de.csv:2 requested_at)" 2026-03-03T08:10:00Z "Jira in German: 03/Mär/26 9:10 AM in Berlin"
is "$(field "$T/out" $S/f-jira-de.csv:2 delivered_at)" 2026-03-30T09:00:00Z "Jira in German: 30/Mär/26 11:00 AM, after the change to summer time"
run kpo-ingest --tz Europe/Moscow $S/g-jira-ru.csv
ok "$(sed -n 3p $S/g-jira-ru.csv | grep -q ',Юридические услуги,'; echo $?)" "Jira in Russian: line 3's domain is Юридические услуги"
is "$(field "$T/out" $S/g-jira-ru.csv:3 domain)" Legal "Jira in Russian: Юридические услуги is Legal"
is "$(field "$T/out" $S/g-jira-ru.csv:3 requested_at)" 2026-05-31T21:30:00Z "Jira in Russian: 01.06.2026 00:30 in Moscow is the day before in UTC"
is "$(field "$T/out" $S/g-jira-ru.csv:2 vendor)" "Pune Legal Process Services Pvt Ltd" \
	"Jira in Russian: the vendor is the custom field Подрядчик, not the assignee (Исполнитель)"
toggl_set="--set vendor=V --set domain=Legal"
run kpo-ingest --tz Asia/Kolkata $toggl_set $S/h-toggl.csv
ok "$(sed -n 2p $S/h-toggl.csv | grep -q ',2026-09-07,09:30:00,2026-09-07,09:45:00,00:15:00,'; echo $?)" "Toggl: line 2 starts 2026-09-07 09:30:00"
is "$(field "$T/out" $S/h-toggl.csv:2 requested_at)" 2026-09-07T04:00:00Z "Toggl: Start date + Start time in Kolkata (+05:30) is requested_at"
is "$(field "$T/out" $S/h-toggl.csv:2 delivered_at)" 2026-09-07T04:15:00Z "Toggl: End date + End time is delivered_at"
is "$(field "$T/out" $S/h-toggl.csv:2 task_id)" $S/h-toggl.csv:2 "Toggl: task_id is the row's source"
is "$(field "$T/out" $S/h-toggl.csv:2 currency)" "" "Toggl: Amount () names no currency"
run kpo-ingest --tz America/New_York $toggl_set $S/i-toggl-usd.csv
ok "$(sed -n 5p $S/i-toggl-usd.csv | grep -q ',1:30:00,'; echo $?)" "Toggl: line 5's Duration is 1:30:00"
is "$(field "$T/out" $S/i-toggl-usd.csv:5 hours)" 1.5 "Toggl: 1:30:00 is 1.5 hours"
is "$(values "$T/out" currency)" "USD" "Toggl: Amount (USD) gives every row the currency USD"
run kpo-ingest --tz America/Chicago $toggl_set $S/j-clockify.csv
is "$(field "$T/out" $S/j-clockify.csv:4 requested_at)" 2026-10-26T17:57:26Z "Clockify: 10/26/2026 12:57:26 PM (month first, 12-hour) in Chicago"
is "$(field "$T/out" $S/j-clockify.csv:4 hours)" 2.7775 "Clockify: Duration (h) 02:46:39, not the rounded Duration (decimal) 2.78"
is "$(field "$T/out" $S/j-clockify.csv:4 currency)" USD "Clockify: Billable Amount (USD) says USD"
run kpo-ingest $toggl_set $S/k-harvest.csv
ok "$(sed -n 2p $S/k-harvest.csv | grep -q ',United States Dollar - USD,'; echo $?)" "Harvest: line 2's currency is United States Dollar - USD"
is "$(field "$T/out" $S/k-harvest.csv:2 currency)" USD "Harvest: United States Dollar - USD is USD"
is "$(field "$T/out" $S/k-harvest.csv:4 currency)" EUR "Harvest: Euro - EUR is EUR"
is "$(field "$T/out" $S/k-harvest.csv:2 hours)" 3.33 "Harvest: Hours, not Hours Rounded"
is "$(field "$T/out" $S/k-harvest.csv:2 engagement_id)" RWE-03 "Harvest: the engagement is the project code"

# --profile none: no format recognised, the built-in aliases only.
run kpo-ingest --profile none $S/d-jira-cloud.csv
unlike "$T/err" "recognised" "--profile none: the summary line recognises nothing"
ok "$([ "$(field "$T/out" $S/d-jira-cloud.csv:2 hours)" != 19.0833 ]; echo $?)" "--profile none: Time Spent is no longer read as seconds"
run kpo-ingest --profile jira $S/d-jira-cloud.csv
same "$T/out" $G/d-jira-cloud.csv "--profile jira on the Jira export: the golden stream"
run kpo-ingest --profile no-such-format $S/d-jira-cloud.csv
is "$rc" 64 "--profile with an unknown name: exit 64"

# --set: a column the export lacks, and a row's empty value; the row's own
# value wins.
printf 'Task ID,Domain,Requested At,Hours\nS-1,Legal,2026-01-05,1\nS-2,,2026-01-06,2\nS-3,Data Analytics,,3\n' >"$T/set.csv"
run kpo-ingest --set 'vendor=Acme Ltd' --set domain=Legal --set requested_at=2026-01-31 "$T/set.csv"
is "$rc" 0 "--set: exit 0"
like "$T/out" '^S-1,,Acme Ltd,Legal,,2026-01-05T00:00:00Z,' "--set fills a missing column (vendor)"
like "$T/out" '^S-2,,Acme Ltd,Legal,,2026-01-06T00:00:00Z,' "--set fills an empty value (domain)"
like "$T/out" '^S-3,,Acme Ltd,Data Analytics,,2026-01-31T00:00:00Z,' "--set requested_at=2026-01-31 is read as a date; the row's own domain wins"
run kpo-ingest "$T/set.csv"
is "$rc" 65 "without --set vendor: exit 65"
like "$T/err" "set.csv:1: required column.* missing: vendor" "and the message names vendor"
run kpo-ingest --set task_id=X --set vendor=V "$T/set.csv"
is "$rc" 64 "--set task_id: exit 64"
run kpo-ingest --set source=X --set vendor=V "$T/set.csv"
is "$rc" 64 "--set source: exit 64"
run kpo-ingest --set vendor "$T/set.csv"
is "$rc" 64 "--set without =VALUE: exit 64"
# "It is read like a value of the export": in a ';' file, whose decimal is
# ',', a --set number is written with ','; one it cannot read is refused or
# rejected, never dropped.
printf 'Task ID;Vendor;Domain;Requested At\nS-1;V;Legal;2026-01-05\n' >"$T/semi.csv"
run kpo-ingest --set cost=5,5 --set hours=2 "$T/semi.csv"
is "$rc:$(field "$T/out" "$T/semi.csv:2" cost):$(field "$T/out" "$T/semi.csv:2" hours)" "0:5.5:2" \
	"--set cost=5,5 in a ';' file is 5.5"
run kpo-ingest --set cost=5.5 "$T/semi.csv"
ok "$([ "$rc" -ne 0 ] || [ "$(field "$T/out" "$T/semi.csv:2" cost)" = 5.5 ]; echo $?)" \
	"--set cost=5.5 in a ';' file: refused, or read; not written as an empty cost (exit $rc, cost '$(field "$T/out" "$T/semi.csv:2" cost)')"
printf 'Task ID,Vendor,Domain,Requested At,Cost (EUR),Currency\nC-1,V,Legal,2026-01-05,5,GBP\nC-2,V,Legal,2026-01-05,5,\n' >"$T/cur.csv"
run kpo-ingest --set currency=INR "$T/cur.csv"
like "$T/out" '^C-1,.*,5,GBP,' "currency: the row's own first"
like "$T/out" '^C-2,.*,5,EUR,' "currency: then the cost column's header (EUR), before --set"

# --hours-unit: plain numbers in minutes or seconds, durations as they are,
# rounded half to even to 4 decimals; hours as hours kept exactly.
printf 'Task ID,Vendor,Domain,Requested At,Hours\nH-1,V,Legal,2026-01-05,90\nH-2,V,Legal,2026-01-05,1:30\nH-3,V,Legal,2026-01-05,0.009\nH-4,V,Legal,2026-01-05,0.003\n' >"$T/hours.csv"
run kpo-ingest --hours-unit min "$T/hours.csv"
is "$(cut -d, -f1,9 "$T/out" | sed 1d | tr '\n' ' ')" "H-1,1.5 H-2,1.5 H-3,0.0002 H-4,0 " \
	"--hours-unit min: 90 min = 1.5 h, 1:30 = 1.5 h, 0.009 min = 0.00015 h -> 0.0002, 0.003 min = 0.00005 h -> 0 (half to even)"
printf 'Task ID,Vendor,Domain,Requested At,Hours\nH-1,V,Legal,2026-01-05,5400\nH-2,V,Legal,2026-01-05,68700\nH-3,V,Legal,2026-01-05,90 min\nH-4,V,Legal,2026-01-05,1h 30m\n' >"$T/secs.csv"
run kpo-ingest --hours-unit s "$T/secs.csv"
is "$(cut -d, -f1,9 "$T/out" | sed 1d | tr '\n' ' ')" "H-1,1.5 H-2,19.0833 H-3,1.5 H-4,1.5 " "--hours-unit s: 5400 s, 68700 s, 90 min, 1h 30m"
printf 'Task ID,Vendor,Domain,Requested At,Hours\nH-1,V,Legal,2026-01-05,1.23456789\nH-2,V,Legal,2026-01-05,25:00:00\n' >"$T/exact.csv"
run kpo-ingest "$T/exact.csv"
is "$(cut -d, -f1,9 "$T/out" | sed 1d | tr '\n' ' ')" "H-1,1.23456789 H-2,25 " "hours as hours kept exactly; a duration may pass 24 hours"
run kpo-ingest --hours-unit days "$T/exact.csv"
is "$rc" 64 "--hours-unit days: exit 64"

# --domains and --vendors: alias files that add or override names.
printf 'alias,domain\nAsesoría legal,Legal\nLegal,Legal & Compliance\n' >"$T/domains.csv"
printf 'alias,vendor\nAndes Analytica SA,Andes Analytica S.A.\n' >"$T/vendors.csv"
printf 'Task ID,Vendor,Domain,Requested At\nN-1,andes analytica sa,ASESORÍA LEGAL,2026-01-05\nN-2,ANDES ANALYTICA S.A.,legal,2026-01-05\nN-3,Other Ltd,R&D,2026-01-05\nN-4,Other Ltd,Translation,2026-01-05\n' >"$T/names.csv"
run kpo-ingest "$T/names.csv"
is "$(cut -d, -f1,3,4 "$T/out" | sed 1d | tr '\n' ' ')" "N-1,andes analytica sa,ASESORÍA LEGAL N-2,ANDES ANALYTICA S.A.,Legal N-3,Other Ltd,Research & Development N-4,Other Ltd,Translation " \
	"built-in domain names only: legal and R&D unified, other names kept as they are"
run kpo-ingest --domains "$T/domains.csv" --vendors "$T/vendors.csv" "$T/names.csv"
is "$(cut -d, -f1,3,4 "$T/out" | sed 1d | tr '\n' ' ')" "N-1,Andes Analytica S.A.,Legal N-2,Andes Analytica S.A.,Legal & Compliance N-3,Other Ltd,Research & Development N-4,Other Ltd,Translation " \
	"--domains adds (Asesoría legal) and overrides (Legal); --vendors, compared without case, spaces or punctuation"
run kpo-ingest --domains "$T/none.csv" "$T/names.csv"
is "$rc" 66 "--domains FILE that cannot be opened: exit 66"

# Messages: the column and its value cut to 60 bytes, never the row.
long=$(printf 'ж%.0s' $(seq 40))
printf 'Task ID,Vendor,Domain,Requested At,Note\nM-1,Secret Vendor Name,Legal,%s,private-note-text\n' "$long" >"$T/msg.csv"
run kpo-ingest "$T/msg.csv"
like "$T/err" "msg.csv:2: unparsable date: column 'Requested At': '$(printf 'ж%.0s' $(seq 30))'" "the value is cut to 60 bytes (30 two-byte letters)"
unlike "$T/err" "$(printf 'ж%.0s' $(seq 31))" "and no more of it"
unlike "$T/err" "Secret Vendor Name|private-note-text" "no other field of the row is printed"
printf 'Task ID,Vendor,Domain,Requested At,Cost\nD-1,V,Legal,03/04/2026,1\nD-2,V,Legal,2026-01-05,1:30\n' >"$T/hint.csv"
run kpo-ingest "$T/hint.csv"
like "$T/err" "hint.csv:2: unparsable date: column 'Requested At': '03/04/2026'.*--date-order" "a numeric slash date: the message suggests --date-order"
like "$T/err" "hint.csv:3: unparsable number: column 'Cost': '1:30'.*H:MM" "a duration outside the hours column: the message says only hours are read as H:MM"

# Every format's stream through kpo-enrich and kpo-metrics --bundle, whose
# tables and lists must equal the independent tests/ref/metrics_ref.py's (rows
# without hours or cost are counted in hours_n and cost_n).
while read -r f opts; do
	name=${f%.*}
	eval "set -- $opts"
	kpo-ingest -q "$@" "$S/$f" >"$T/c.csv" 2>/dev/null
	run kpo-enrich --rates samples/rates.csv --fx samples/fx.csv --as-of 2026-11-28 "$T/c.csv"
	is "$rc" 0 "$name: kpo-enrich exit 0"
	mv "$T/out" "$T/e.csv"
	run kpo-metrics --as-of 2026-11-28 --bundle "$T/bundle-$name" "$T/e.csv"
	is "$rc" 0 "$name: kpo-metrics --bundle exit 0"
	is "$(ls "$T/bundle-$name" | wc -l)" 9 "$name: the bundle has its nine files"
	python3 tests/ref/metrics_ref.py --as-of 2026-11-28 --bundle "$T/ref-$name" "$T/e.csv"
	differ=
	for t in by-domain by-vendor by-region by-month by-domain-month by-vendor-domain open-breached at-risk; do
		gzip -dc "$T/bundle-$name/$t.csv.gz" | cmp -s - "$T/ref-$name/$t.csv" || differ="$differ $t"
	done
	is "$differ" "" "$name: every table of the bundle equals tests/ref/metrics_ref.py's"
done <"$T/list"
done_testing
