#!/bin/sh
# kpo-run against the three programs it runs (kpo-run(1)): on each input
# the table or the bundle, every stage's rejects file, every stage's lines
# on stderr and the exit status must be those of kpo-ingest FILE... |
# kpo-enrich | kpo-metrics, byte for byte.  The chain is run through files
# (a stage's stdout into the next one's stdin), so that each stage's status
# and stderr are its own.
. tests/e2e/lib.sh
S=samples

# Standard input of both sides: $IN.
# compare NAME 'INGEST OPTIONS' 'ENRICH OPTIONS' 'METRICS OPTIONS' 'RUN OPTIONS' FILE...
# The option strings are sh words (eval'd); RUN OPTIONS are kpo-run's,
# which take the union.  A metrics option --bundle is given as "--bundle @"
# and becomes a folder of each side's own.
compare() {
	name=$1 io=$2 eo=$3 mo=$4 ro=$5
	shift 5
	rm -rf "$T/c" "$T/r"
	mkdir -p "$T/c" "$T/r"
	mo_c=$(printf '%s' "$mo" | sed "s|--bundle @|--bundle $T/c/bundle|")
	ro_r=$(printf '%s' "$ro" | sed "s|--bundle @|--bundle $T/r/bundle|")
	eval "kpo-ingest --rejects \$T/c/ingest.rej $io \"\$@\"" <"$IN" >"$T/c/canon" 2>"$T/c/err"
	si=$?
	eval "kpo-enrich --rejects \$T/c/enrich.rej $eo" <"$T/c/canon" >"$T/c/enriched" 2>>"$T/c/err"
	se=$?
	eval "kpo-metrics --rejects \$T/c/metrics.rej $mo_c" <"$T/c/enriched" >"$T/c/out" 2>>"$T/c/err"
	sm=$?
	eval "kpo-run --ingest-rejects \$T/r/ingest.rej --enrich-rejects \$T/r/enrich.rej \
		--metrics-rejects \$T/r/metrics.rej $ro_r \"\$@\"" <"$IN" >"$T/r/out" 2>"$T/r/err"
	sr=$?
	is "$sr" "$(worst $si $se $sm)" "$name: exit status $sr, the worst of $si $se $sm"
	same_as_chain "$name" ingest enrich metrics
}
: >"$T/empty"
IN=/dev/null

NIGHTLY_E="--as-of 2026-11-28 --base USD --fx $S/fx.csv --rates $S/rates.csv"
NIGHTLY_M="--as-of 2026-11-28 --base USD --costs $S/costs.csv --fx $S/fx.csv --governance-pct 4"
NIGHTLY_R="--as-of 2026-11-28 --base USD --fx $S/fx.csv --rates $S/rates.csv --costs $S/costs.csv --governance-pct 4"

# The demo's inbox and every bad sample, as the nightly runs them: a bundle.
compare "inbox + bad, bundle" "" "$NIGHTLY_E" "$NIGHTLY_M --bundle @" "$NIGHTLY_R --bundle @" \
	$S/inbox/*.csv $S/bad/*.csv
# The plain table, grouped three ways.
compare "inbox, table" "" "$NIGHTLY_E" "--as-of 2026-11-28 --total" "$NIGHTLY_E --total" $S/inbox/*.csv
compare "inbox, --by vendor,month" "" "$NIGHTLY_E" "--as-of 2026-11-28 --by vendor,month" \
	"$NIGHTLY_E --by vendor,month" $S/inbox/*.csv
compare "inbox, --by task_id" "" "$NIGHTLY_E" "--as-of 2026-11-28 --by task_id --total" \
	"$NIGHTLY_E --by task_id --total" $S/inbox/*.csv
# Standard input.
IN=$S/inbox/c-jira.csv
compare "standard input" "" "$NIGHTLY_E" "--as-of 2026-11-28" "$NIGHTLY_E"
IN=/dev/null

# Every export format with its kpo-ingest options (tests/golden/ingest/SAMPLES).
grep -v '^#' tests/golden/ingest/SAMPLES >"$T/samples"
while read -r f opts; do
	compare "$f" "$opts" "$NIGHTLY_E" "$NIGHTLY_M --bundle @" "$opts $NIGHTLY_R --bundle @" "$S/exports/$f"
done <"$T/samples"
# All the exports read by one kpo-ingest, with business hours in one zone.
compare "every export, business hours" "--tz Europe/Berlin --max-reject-pct 50" \
	"$NIGHTLY_E --calendar $S/holidays.csv --tz Europe/Berlin --max-reject-pct 50" \
	"--as-of 2026-11-28 --by vendor --total --max-reject-pct 50" \
	"$NIGHTLY_E --calendar $S/holidays.csv --tz Europe/Berlin --max-reject-pct 50 --by vendor --total" \
	$S/exports/*.csv

# Generated data: quoted vendor names, open rows, four currencies.
scripts/gen-data 20000 13 >"$T/gen.csv"
scripts/gen-data 3000 14 | gzip -n >"$T/gen2.csv.gz"
compare "generated, bundle" "" "$NIGHTLY_E" "$NIGHTLY_M --bundle @" "$NIGHTLY_R --bundle @" \
	"$T/gen.csv" "$T/gen2.csv.gz"
compare "generated, --by task_id" "--dedupe" "$NIGHTLY_E" "--as-of 2026-11-28 --by task_id" \
	"--dedupe $NIGHTLY_E --by task_id" "$T/gen.csv" "$T/gen.csv"

# Hostile names (as tests/fixtures/bundle-hostile has them), with rows that
# kpo-enrich rejects (a currency without a rate, a baseline out of range),
# in a file whose name is hostile too.
H="$T/\`touch pwned\` \$(x), \"q\".csv"
{
	echo 'Task ID,Engagement,Vendor,Domain,Region,Requested At,Due At,Delivered At,Hours,Cost,Currency,In-house Rate,Quality,Defects,Reworked'
	echo 'H-1,e,`touch $T/pwned1`,<script>alert(1)</script>,EU,2025-08-09T06:15:00Z,2025-08-19,2025-08-20T03:38:00Z,12.75,501.84,USD,87.50,86.4,0,false'
	echo 'H-2,e,"system(""touch /tmp/kpo-pwned2"")",../../etc/passwd,EU,2025-08-09T06:15:00Z,2025-08-19,2025-08-20T03:38:00Z,1,50,EUR,87.50,90,1,true'
	echo 'H-3,e,"O'"'"'Brien ""Quoted"" Ltd","Line one'
	echo 'line two",EU,2025-09-09T06:15:00Z,2025-09-19,,1,50,GBP,87.50,,0,false'
	echo 'H-4,e,ООО «Рога и копыта»,@macro & {enhanced}^_,RU,2025-08-09T06:15:00Z,2025-08-19,2025-08-20T03:38:00Z,1,50,XYZ,87.50,90,0,false'
	echo 'H-5,e,V,D,R,2025-08-09T06:15:00Z,2025-08-19,2025-08-20T03:38:00Z,99999999999,99999999999,USD,99999999999,86.4,0,false'
	echo 'H-6,e,V,D,R,not a date,2025-08-19,2025-08-20T03:38:00Z,1,1,USD,1,86.4,0,false'
} >"$H"
compare "hostile names, enrich rejects" "--max-reject-pct 50" "$NIGHTLY_E --max-reject-pct 50" \
	"$NIGHTLY_M --bundle @ --max-reject-pct 50" "$NIGHTLY_R --bundle @ --max-reject-pct 50" "$H"
compare "hostile names, over --max-reject-pct" "" "$NIGHTLY_E" "--as-of 2026-11-28 --by vendor" \
	"$NIGHTLY_E --by vendor" "$H"
# kpo-metrics' rejects: bad rows of --costs.
cp $S/costs.csv "$T/costs.csv"
echo '2025-13-01,V,,governance,100,USD,' >>"$T/costs.csv"
echo '2025-10-01,V,,bribes,100,USD,' >>"$T/costs.csv"
compare "metrics rejects (--costs)" "" "$NIGHTLY_E" \
	"--as-of 2026-11-28 --costs $T/costs.csv --fx $S/fx.csv --max-reject-pct 30 --bundle @" \
	"$NIGHTLY_E --costs $T/costs.csv --max-reject-pct 30 --bundle @" $S/inbox/*.csv
# -q: no summary lines.
compare "quiet" "-q" "-q $NIGHTLY_E" "-q --as-of 2026-11-28" "-q $NIGHTLY_E" $S/inbox/*.csv $S/bad/*.csv
# An input that cannot be opened, one that is not CSV at all.
compare "missing input" "" "$NIGHTLY_E" "--as-of 2026-11-28" "$NIGHTLY_E" $S/inbox/c-jira.csv "$T/nope.csv"

# The csv-spectrum corpus (as tests/ref/corpus_check.py finds it): files
# that are not exports, each read alone and all at once.
corpus=${KPO_CORPUS:-}
if [ -z "$corpus" ]; then
	d=$TOP
	while [ "$d" != / ]; do
		d=$(dirname "$d")
		if [ -d "$d/shared/corpus/csv-spectrum" ]; then corpus=$d/shared/corpus/csv-spectrum; break; fi
	done
fi
if [ -n "$corpus" ] && [ -d "$corpus/csvs" ]; then
	for f in "$corpus"/csvs/*.csv; do
		compare "corpus $(basename "$f")" "" "$NIGHTLY_E" "--as-of 2026-11-28" "$NIGHTLY_E" "$f"
	done
	compare "corpus, all files" "" "$NIGHTLY_E" "--as-of 2026-11-28" "$NIGHTLY_E" "$corpus"/csvs/*.csv
else
	skip "the csv-spectrum corpus is not there (KPO_CORPUS)"
fi

# --jobs: the inputs read in parts on threads.  KPO_RUN_PART_BYTES cuts
# these small files every few hundred bytes, so that cuts fall inside quoted
# fields that span lines (LF, CRLF and a CR alone), between rows that each
# stage rejects, and in files of a few lines; the outputs must be the
# chain's whatever the number of jobs.
quoted() {  # quoted EOL: 120 rows, every third with a field over two lines
	i=1
	echo "Task ID,Vendor,Domain,Region,Requested At,Due At,Delivered At,Hours,Cost,Currency,In-house Rate,Quality,Defects,Reworked$1"
	while [ $i -le 120 ]; do
		case $((i % 10)) in
		3) printf 'Q-%d,"Vendor ""%d""%sline two",Legal,EU,2025-08-09T06:15:00Z,2025-08-19,2025-08-20T03:38:00Z,2,100,EUR,80,90,0,false%s' $i $i "$2" "$1" ;;
		6) printf 'Q-%d,V,Legal,EU,not a date,2025-08-19,,1,1,USD,1,90,0,false%s' $i "$1" ;;
		9) printf 'Q-%d,"V, %d",Legal,EU,2025-08-09T06:15:00Z,2025-08-19,,1,1,XYZ,1,90,0,false%s' $i $i "$1" ;;
		0) printf 'Q-%d,short,row%s' $i "$1" ;;
		*) printf 'Q-%d,"Firm %d",Finance,"US%sWest",2025-0%d-09T06:15:00Z,2025-09-19,2025-09-20T03:38:00Z,1.5,75.25,USD,80,88,1,%s%s' \
			$i $((i % 7)) "$2" $((i % 9 + 1)) "$([ $((i % 4)) = 0 ] && echo true || echo false)" "$1" ;;
		esac
		i=$((i + 1))
	done
}
# (A command substitution drops the line ends it ends with: LF keeps its
# own behind an x.)
LF=$(printf '\nx') LF=${LF%x} CR=$(printf '\r')
quoted "$LF" "$LF" >"$T/q-lf.csv"
quoted "$CR$LF" "$CR$LF" >"$T/q-crlf.csv"
quoted "$LF" "$CR" >"$T/q-cr.csv"
printf 'Task ID,Vendor\n"Q-1,"unterminated\nQ-2,V\n' >"$T/q-open.csv"
export KPO_RUN_PART_BYTES=150
for j in 1 2 3 7; do
	compare "--jobs $j, quoted lines" "--max-reject-pct 60" "$NIGHTLY_E --max-reject-pct 60" \
		"$NIGHTLY_M --bundle @ --max-reject-pct 60" "--jobs $j $NIGHTLY_R --bundle @ --max-reject-pct 60" \
		"$T/q-lf.csv" "$T/q-crlf.csv" "$T/q-cr.csv" "$T/q-open.csv" "$T/q-lf.csv"
	compare "--jobs $j, inbox + bad + hostile" "" "$NIGHTLY_E" "$NIGHTLY_M --bundle @" \
		"--jobs $j $NIGHTLY_R --bundle @" $S/inbox/*.csv $S/bad/*.csv "$H"
	compare "--jobs $j, generated" "" "$NIGHTLY_E" "--as-of 2026-11-28 --by vendor,month --total" \
		"--jobs $j $NIGHTLY_E --by vendor,month --total" "$T/gen.csv" "$T/gen2.csv.gz" "$T/gen.csv"
done
KPO_RUN_PART_BYTES=4000 compare "--jobs 3, generated, 4 kB parts" "" "$NIGHTLY_E" "$NIGHTLY_M --bundle @" \
	"--jobs 3 $NIGHTLY_R --bundle @" "$T/gen.csv"
if [ -n "$corpus" ] && [ -d "$corpus/csvs" ]; then
	KPO_RUN_PART_BYTES=1 compare "--jobs 2, corpus, all files" "" "$NIGHTLY_E" "--as-of 2026-11-28" \
		"--jobs 2 $NIGHTLY_E" "$corpus"/csvs/*.csv
fi
unset KPO_RUN_PART_BYTES
# Found inexact only once a part was added up (the rows of a later file
# pass the stream readers' field cap: its long name in their source
# column), the run starts again with pipes, having said nothing before.
long=$T/$(printf 'd%.0s' $(seq 80))
mkdir -p "$long"
cp $S/inbox/a-timetracker.csv "$long/a.csv"
compare "--jobs 2, inexact after a part was added up" "--max-field-bytes 90 --max-reject-pct 100" \
	"$NIGHTLY_E --max-field-bytes 90 --max-reject-pct 100" "--as-of 2026-11-28 --max-field-bytes 90 --max-reject-pct 100" \
	"--jobs 2 $NIGHTLY_E --max-field-bytes 90 --max-reject-pct 100" $S/bad/bad-date.csv "$long/a.csv"
run kpo-run --jobs 0 $S/inbox/c-jira.csv
is "$rc" 64 "--jobs 0: exit 64"
like "$T/err" "^kpo-run: --jobs: a number from 1 to 256 expected: '0'" "--jobs 0: says what is expected"
run kpo-run --jobs 1.5 $S/inbox/c-jira.csv
is "$rc" 64 "--jobs 1.5: exit 64"

# Its own: the options of two stages given once, each stage's rejects.
run kpo-run --rejects "$T/x.csv" $S/inbox/c-jira.csv
is "$rc" 64 "--rejects: exit 64"
like "$T/err" "^kpo-run: --rejects: each stage has its own rejects file" "--rejects: says which to use"
run kpo-run --bundle "$T/b" --by vendor $S/inbox/c-jira.csv
is "$rc" 64 "--bundle with --by: exit 64"
run kpo-run --tz Mars/Olympus $S/inbox/c-jira.csv
is "$rc" 64 "--tz unknown: exit 64"
like "$T/err" "^kpo-run: --tz: unknown time zone 'Mars/Olympus'" "--tz unknown: the stages' message"
run kpo-run --rates "$T/nope.csv" $S/inbox/c-jira.csv
is "$rc" 66 "a reference table that cannot be opened: exit 66"
like "$T/err" "^kpo-enrich: " "... said by the stage it belongs to"
is "$(kpo-run --version)" "kpo-run $(cat VERSION)" "--version"
test ! -e "$T/pwned1" && test ! -e /tmp/kpo-pwned2 && test ! -e pwned
ok $? "no hostile name ran a command"
done_testing
