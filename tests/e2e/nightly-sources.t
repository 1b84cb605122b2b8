#!/bin/bash
# pipeline/kpo-nightly with sources: each sub-folder of INBOX is read with
# the settings of its source.conf, one kpo-ingest run per export, and
# ON_BAD_FILE says whether an export that cannot be read fails the night
# (fail) or is left out of a report published anyway (skip, exit 65).
. tests/e2e/lib.sh

nightly=$TOP/pipeline/kpo-nightly

# needs kpo-ingest --set/--profile: the tests of PROFILE and the constant
# columns (VENDOR, DOMAIN, ...) run once kpo-ingest has them, and skip
# until then.
if kpo-ingest --help 2>&1 | grep -q -- --set; then has_set=1; else has_set=; fi

conf() {  # conf FILE INBOX OUTROOT [KEY=VALUE ...]
	local f=$1 box=$2 root=$3
	shift 3
	{
		echo "INBOX=$box"
		echo "OUTROOT=$root"
		echo "RATES=$TOP/samples/rates.csv"
		echo "FX=$TOP/samples/fx.csv"
		for kv in "$@"; do echo "$kv"; done
	} >"$f"
}
meta_rows() { sed -n 's/^rows,//p' "$1/summary/meta.csv"; }

# --- The acceptance inbox: three sources and one unreadable export. -------
box=$T/inbox
mkdir -p "$box/excel-ru" "$box/jira"
cp samples/exports/b-excel-ru.csv "$box/excel-ru/"
printf 'ENCODING=cp1251    # Russian Excel\nDATE_ORDER=dmy\n' >"$box/excel-ru/source.conf"
# No source.conf: the defaults (Jira's columns are among the built-in aliases).
cp samples/exports/c-jira.csv "$box/jira/"
# The unreadable one, next to a good export of its folder: a .gz cut short.
gzip -nc samples/exports/c-jira.csv | head -c 3000 >"$box/jira/d-cut.csv.gz"
good=2 rows=445
if [ -n "$has_set" ]; then  # needs kpo-ingest --set/--profile
	mkdir -p "$box/toggl"
	cat >"$box/toggl/toggl-detailed.csv" <<'EOF'
User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,Amount (USD)
Anna Petrova,anna@example.com,Northwind Bank,Valuation support,TG-101,Comparable companies,Yes,2026-10-05,09:00:00,2026-10-05,12:30:00,03:30:00,,175.00
Anna Petrova,anna@example.com,Northwind Bank,Valuation support,TG-102,Model review,Yes,2026-10-06,13:00:00,2026-10-06,15:00:00,02:00:00,review,100.00
Raj Mehta,raj@example.com,Tailspin,Patent scan,TG-103,Prior art search,Yes,2026-10-07,08:15:00,2026-10-07,16:45:00,08:30:00,,425.00
Raj Mehta,raj@example.com,Tailspin,Patent scan,TG-104,Claims chart,No,2026-10-08,10:00:00,2026-10-08,11:00:00,01:00:00,,0.00
EOF
	cat >"$box/toggl/source.conf" <<'EOF'
# A Toggl detailed export: no vendor or domain column in it.
PROFILE=toggl
VENDOR="Acme # Research"    # quoted: the '#' is part of the name
DOMAIN=Legal                # the whole team does legal work
EOF
	good=3 rows=449
fi
all=$((good + 1))

out=$T/reports
conf "$T/skip.conf" "$box" "$out" ON_BAD_FILE=skip
run "$nightly" -c "$T/skip.conf" --as-of 2026-11-27
rep=$out/2026-11-27
log=$rep/run.log
is "$rc" 65 "ON_BAD_FILE=skip and one unreadable export: exit 65"
is "$(readlink "$out/latest")" 2026-11-27 "the report is published all the same"
ok "$(test -s "$rep/charts/index.html" && test -s "$rep/summary/by-vendor.csv.gz"; echo $?)" "with its page and bundle"
is "$(meta_rows "$rep")" "$rows" "the bundle holds the rows of the $good good exports ($rows)"
like "$T/err" 'skipping jira/d-cut.csv.gz: exit 74: truncated gzip data' "stderr names the skipped export and why"
like "$T/err" "published $rep without 1 of $all exports; see $rep/skipped.txt\$" "and the last line says so"
is "$(cat "$rep/skipped.txt")" "jira/d-cut.csv.gz	74	truncated gzip data (unexpected end of file)" \
	"skipped.txt: one line per skipped export: name, exit status, kpo-ingest's message"
like "$rep/charts/index.html" '<div class="skipped" role="alert"><strong>1 export could not be read and is left out' \
	"the page opens with a banner"
like "$rep/charts/index.html" '<li><code>jira/d-cut.csv.gz</code>: truncated gzip data \(unexpected end of file\) \(exit 74\)</li>' \
	"naming the export and why"
ok "$(cd "$rep" && grep -q ' \./skipped\.txt$' SHA256SUMS && sha256sum --quiet -c SHA256SUMS >/dev/null 2>&1; echo $?)" \
	"SHA256SUMS covers skipped.txt and checks"
like "$log" "inputs: $all exports in $((good)) sources" "run.log counts exports and sources"
like "$log" 'source excel-ru/: 1 export, excel-ru/source.conf: --encoding cp1251 --date-order dmy$' \
	"run.log shows the options a source.conf gives"
like "$log" 'source jira/: 2 exports, no source.conf: the defaults$' "and a folder without one"
like "$log" 'input excel-ru/b-excel-ru.csv: 215 rows read, 215 written, 0 rejected; exit 0' \
	"the cp1251 export is read with ENCODING=cp1251"
like "$log" 'input jira/c-jira.csv: 230 rows read, 230 written, 0 rejected; c-jira.csv recognised as a Jira export; exit 0' \
	"the Jira export is read, next to the bad one in its folder"
like "$log" 'input jira/d-cut.csv.gz: .*exit 74' "run.log lists the bad export with its exit status"
like "$log" 'skipping jira/d-cut.csv.gz: exit 74: truncated gzip data' "and says it is skipped and why"
like "$log" "skipped: $rep/skipped.txt \\(1 of $all exports\\)" "and where the list of skipped exports is"
like "$log" "done, without 1 skipped export: exit 65" "and ends saying so"
if [ -n "$has_set" ]; then  # needs kpo-ingest --set/--profile
	like "$log" "source toggl/: 1 export, toggl/source.conf: --profile toggl --set 'vendor=Acme # Research' --set domain=Legal\$" \
		"the Toggl source: --profile and --set, each value one word"
	like "$log" 'input toggl/toggl-detailed.csv: 4 rows read, 4 written, 0 rejected; toggl-detailed.csv recognised as a Toggl Track detailed report \(task_id from each row.s source\); exit 0' \
		"the Toggl export is read with PROFILE=toggl"
	ok "$(gzip -dc "$rep/summary/by-vendor.csv.gz" | grep -q '^Acme # Research,4,'; echo $?)" \
		"its rows carry VENDOR from source.conf"
	ok "$(gzip -dc "$rep/summary/by-domain.csv.gz" | grep -q '^Legal,'; echo $?)" "and DOMAIN"
else
	for _ in 1 2 3 4; do skip "kpo-ingest has no --set/--profile yet: Toggl source not tested"; done
fi

# The same inbox with ON_BAD_FILE=fail: nothing is published.
conf "$T/fail.conf" "$box" "$out" ON_BAD_FILE=fail
run "$nightly" -c "$T/fail.conf" --as-of 2026-11-28
is "$rc" 74 "ON_BAD_FILE=fail: the export's exit status (74, a truncated .gz)"
ok "$(test ! -e "$out/2026-11-28"; echo $?)" "nothing is published"
is "$(readlink "$out/latest")" 2026-11-27 "latest stays on the last report"
like "$out/.tmp-2026-11-28/run.log" \
	"FAILED: kpo-ingest could not read 1 of $all exports: jira/d-cut.csv.gz \\(exit 74: truncated gzip data \\(unexpected end of file\\)\\)\$" \
	"the FAILED line names the export and carries kpo-ingest's message"
like "$T/err" 'kpo-nightly: kpo-ingest could not read 1 of' "and so does stderr"

# Without its source.conf the cp1251 export cannot be read.
mv "$box/excel-ru/source.conf" "$T/ru.conf.saved"
run "$nightly" -c "$T/skip.conf" --as-of 2026-11-28
is "$rc" 65 "the cp1251 export without ENCODING: skipped, exit 65"
is "$(cut -f 1,2 "$out/2026-11-28/skipped.txt" | tr '\t\n' ':,')" "excel-ru/b-excel-ru.csv:65,jira/d-cut.csv.gz:74," \
	"skipped.txt lists both bad exports"
like "$out/2026-11-28/skipped.txt" 'b-excel-ru.csv:1: the header is not UTF-8' "with kpo-ingest's reason"
mv "$T/ru.conf.saved" "$box/excel-ru/source.conf"

# --- An export with no usable header, at the top of INBOX. ---------------
box2=$T/inbox2
mkdir -p "$box2/jira"
cp samples/exports/a-timetracker.csv "$box2/"
printf 'Name,Notes\nfoo,bar\n' >"$box2/notes.csv"
cp samples/exports/c-jira.csv "$box2/jira/"
out2=$T/reports2
conf "$T/hdr.conf" "$box2" "$out2" ON_BAD_FILE=skip
run "$nightly" -c "$T/hdr.conf" --as-of 2026-11-27
is "$rc" 65 "an export without the required columns: skipped, exit 65"
is "$(meta_rows "$out2/2026-11-27")" 450 "the other two are published (220 + 230 rows)"
like "$out2/2026-11-27/skipped.txt" \
	"^notes.csv	65	no header found: none of the first 50 lines names the columns vendor, domain, requested_at; say which line it is with --skip N" \
	"skipped.txt gives kpo-ingest's reason: its first message and its last two"
like "$out2/2026-11-27/run.log" 'source INBOX: 2 exports, the defaults' "INBOX's own exports are a source"

# A skipped export's rejected rows are in no part of the report.
cp samples/bad/bad-date.csv "$box2/zz-bad.csv"
rm "$box2/notes.csv"
run "$nightly" -c "$T/hdr.conf" --as-of 2026-11-28
is "$rc" 65 "an export rejecting more than MAX_REJECT_PCT of its rows: skipped"
like "$out2/2026-11-28/skipped.txt" '^zz-bad.csv	65	.*2 of 5 rows rejected, more than --max-reject-pct 5%$' "and why"
is "$(gzip -dc "$out2/2026-11-28/rejects.csv.gz" | grep -c 'zz-bad')" 0 "its rejected rows are not in rejects.csv.gz"
rm "$box2/zz-bad.csv"

# Every export bad: the run fails, with skip too.
box3=$T/inbox3
mkdir -p "$box3/x"
printf 'Name,Notes\nfoo,bar\n' >"$box3/notes.csv"
gzip -nc samples/exports/c-jira.csv | head -c 2000 >"$box3/x/cut.csv.gz"
conf "$T/allbad.conf" "$box3" "$T/reports3" ON_BAD_FILE=skip
run "$nightly" -c "$T/allbad.conf" --as-of 2026-11-27
is "$rc" 74 "every export bad: the most serious status (74 over 65)"
ok "$(test ! -e "$T/reports3/2026-11-27" && test ! -e "$T/reports3/latest"; echo $?)" "nothing is published"
like "$T/reports3/.tmp-2026-11-27/run.log" \
	'FAILED: kpo-ingest could not read any of the 2 exports: notes.csv \(exit 65: .*\), x/cut.csv.gz \(exit 74: truncated gzip data' \
	"the FAILED line names them all"

# --- source.conf: its keys reach kpo-ingest, its errors name FILE:LINE. ---
box4=$T/inbox4
mkdir -p "$box4/us" "$box4/eu" "$box4/renamed"
# Numeric slash dates: read only with DATE_ORDER; 03/13 only as mdy.
printf 'task_id,vendor,domain,requested_at,hours,cost,currency\nUS-1,Acme,Legal,03/13/2026 09:00,2.5,100,USD\nUS-2,Acme,Legal,04/01/2026,1,40,USD\n' \
	>"$box4/us/us.csv"
printf 'DATE_ORDER=mdy\n' >"$box4/us/source.conf"
# A TSV with decimal commas and a date form of its own, in Berlin time.
printf 'task_id\tvendor\tdomain\trequested_at\thours\tcost\tcurrency\nEU-1\tAcme\tLegal\t13-03-2026 09:00\t2,5\t100,50\tUSD\n' \
	>"$box4/eu/eu.tsv"
printf 'DECIMAL=,\nDATE_FORMAT=%%d-%%m-%%Y %%H:%%M   # not a built-in form\nTZ=Europe/Berlin\n' >"$box4/eu/source.conf"
# A header kpo-ingest does not know, named by the folder's own MAP.
sed '1s/^Task ID,/Ticket,/' samples/exports/a-timetracker.csv >"$box4/renamed/a.csv"
printf 'column,alias\ntask_id,Ticket\n' >"$box4/renamed/map.csv"
printf 'MAP=map.csv   # relative to this folder\n' >"$box4/renamed/source.conf"
out4=$T/reports4
conf "$T/keys.conf" "$box4" "$out4"
run "$nightly" -c "$T/keys.conf" --as-of 2026-11-27
is "$rc" 0 "DATE_ORDER, DATE_FORMAT, DECIMAL, TZ and MAP from source.conf files: exit 0"
log4=$out4/2026-11-27/run.log
like "$log4" "source eu/: 1 export, eu/source.conf: --date-format '%d-%m-%Y %H:%M' --tz Europe/Berlin --decimal ,\$" \
	"each value is one word of kpo-ingest's options"
like "$log4" 'input us/us.csv: 2 rows read, 2 written, 0 rejected' "DATE_ORDER=mdy reads 03/13/2026"
like "$log4" 'input eu/eu.tsv: 1 rows read, 1 written, 0 rejected' "DECIMAL and DATE_FORMAT read 2,5 and 13-03-2026 09:00"
like "$log4" "source renamed/: 1 export, renamed/source.conf: --map $box4/renamed/map.csv\$" \
	"a relative MAP is relative to its source.conf's folder"
like "$log4" 'input renamed/a.csv: 220 rows read, 220 written, 0 rejected' "and names the header"
like "$log4" 'renamed/map.csv: the MAP of its source, not an export' "the MAP in the folder is not read as an export"
printf 'DATE_ORDER=dmy\n' >"$box4/us/source.conf"
run "$nightly" -c "$T/keys.conf" --as-of 2026-11-28
is "$rc" 65 "DATE_ORDER=dmy: 03/13/2026 is not a date, too many rejects, exit 65"
like "$T/err" "us.csv:2: unparsable date: column 'requested_at': '03/13/2026 09:00'" "kpo-ingest was given dmy"
printf 'DATE_ORDER=mdy\n' >"$box4/us/source.conf"

bad_source() {  # bad_source CONTENT STATUS MESSAGE NAME: a bad eu/source.conf fails the run (fail)
	printf '%s\n' "$1" >"$box4/eu/source.conf"
	run "$nightly" -c "$T/keys.conf" --as-of 2026-11-29
	is "$rc" "$2" "$4: exit $2"
	like "$T/err" "$3" "$4: the message"
}
bad_source $'DECIMAL=,\nCOLOUR=blue' 64 "$box4/eu/source.conf:2: unknown key 'COLOUR' \\(known: PROFILE " \
	"an unknown key in a source.conf"
bad_source $'DATE_ORDER=ymd' 64 "eu/source.conf:1: DATE_ORDER must be dmy or mdy: 'ymd'" "DATE_ORDER=ymd"
bad_source $'\nDECIMAL=;' 64 "eu/source.conf:2: DECIMAL must be . or ,: ';'" "DECIMAL=;"
bad_source $'CURRENCY=dollars' 64 "eu/source.conf:1: CURRENCY must be a three-letter code" "CURRENCY=dollars"
bad_source $'PROFILE=excel' 64 "eu/source.conf:1: PROFILE must be jira, toggl, clockify, harvest or none: 'excel'" \
	"PROFILE=excel"
bad_source $'DATE_FORMAT=dd.mm.yyyy' 64 "eu/source.conf:1: DATE_FORMAT must be a strptime\\(3\\) format" \
	"DATE_FORMAT without a %"
bad_source $'MAP=nowhere.csv' 66 "eu/source.conf:1: MAP: cannot read '$box4/eu/nowhere.csv'" "an unreadable MAP"
bad_source $'ENCODING=cp1251\nTZ=Mars/Olympus' 64 "could not read 1 of 3 exports: eu/eu.tsv \\(exit 64: --tz: unknown time zone 'Mars/Olympus'" \
	"TZ is checked by kpo-ingest (its 64 counts as a bad export)"
ok "$(test ! -e "$out4/2026-11-29"; echo $?)" "none of them publishes"
is "$(readlink "$out4/latest")" 2026-11-27 "latest stays"

# With ON_BAD_FILE=skip a bad source.conf leaves its folder out.
printf 'DECIMAL=,\nCOLOUR=blue\n' >"$box4/eu/source.conf"
conf "$T/keys-skip.conf" "$box4" "$out4" ON_BAD_FILE=skip
run "$nightly" -c "$T/keys-skip.conf" --as-of 2026-11-29
is "$rc" 65 "a bad source.conf with skip: its exports are skipped, exit 65"
like "$out4/2026-11-29/skipped.txt" "^eu/eu.tsv	64	$box4/eu/source.conf:2: unknown key 'COLOUR'" "skipped.txt says why"
is "$(meta_rows "$out4/2026-11-29")" 222 "the other folders are published (2 + 220 rows)"

# What reaches kpo-ingest: each option and each value one word, whatever
# kpo-ingest makes of them.  A kpo-ingest on PATH that writes down its
# arguments, then runs the real one without --profile and --set (so this
# runs before they land).
mkdir -p "$T/wrap" "$T/inbox6/t"
cat >"$T/wrap/kpo-ingest" <<EOF
#!/bin/bash
printf '%s\n' "\$@" >"$T/argv"
args=()
while [ \$# -gt 0 ]; do
	case \$1 in --profile|--set) shift 2 ;; *) args+=("\$1"); shift ;; esac
done
exec "$KPO_BUILD/bin/kpo-ingest" "\${args[@]}"
EOF
chmod +x "$T/wrap/kpo-ingest"
cp samples/exports/c-jira.csv "$T/inbox6/t/"
cat >"$T/inbox6/t/source.conf" <<'EOF'
PROFILE=jira
VENDOR="Acme # Research"   # a quoted '#'
DOMAIN=Legal & Compliance  # inner spaces kept
REGION='$(id)'
CURRENCY=eur
EOF
conf "$T/argv.conf" "$T/inbox6" "$T/reports6"
PATH=$T/wrap:$PATH run "$nightly" -c "$T/argv.conf" --as-of 2026-11-27
is "$rc" 0 "a run through a kpo-ingest that writes down its arguments"
is "$(sed -n '/^--rejects$/,/^-o$/p' "$T/argv" | sed '1,2d;$d' | tr '\n' '|')" \
	'--profile|jira|--set|vendor=Acme # Research|--set|domain=Legal & Compliance|--set|region=$(id)|--set|currency=EUR|' \
	"PROFILE, VENDOR, DOMAIN, REGION and CURRENCY reach kpo-ingest as --profile and --set words, as written"
is "$(tail -n 2 "$T/argv" | tr '\n' '|')" "--|$T/inbox6/t/c-jira.csv|" "the export comes last, after --"

# Folder names and values are data: nothing in them runs.
box5=$T/inbox5
odd="-x \$(touch kpo-pwned4)"
mkdir -p "$box5/$odd" "$box5/.hidden"
cp samples/exports/a-timetracker.csv "$box5/$odd/"
printf 'TZ=$(touch %s/pwned5)\n' "$T" >"$box5/$odd/source.conf"
cp samples/exports/c-jira.csv "$box5/.hidden/"
cp samples/exports/c-jira.csv "$box5/"
conf "$T/odd.conf" "$box5" "$T/reports5" ON_BAD_FILE=skip
run "$nightly" -c "$T/odd.conf" --as-of 2026-11-27
is "$rc" 65 "a folder named '$odd' whose TZ is \$(touch ...): skipped, exit 65"
ok "$(test ! -e "$T/pwned5" && test ! -e "$TOP/kpo-pwned4" && test ! -e "$box5/kpo-pwned4"; echo $?)" \
	"and nothing in its name or source.conf runs"
like "$T/reports5/2026-11-27/skipped.txt" "^-x \\\$\\(touch kpo-pwned4\\)/a-timetracker.csv	64	--tz: unknown time zone '\\\$\\(touch $T/pwned5\\)'" \
	"the value reached kpo-ingest as it was written"
is "$(meta_rows "$T/reports5/2026-11-27")" 230 "a folder whose name starts with '.' is not read"

done_testing
