#!/bin/sh
# kpo-run --ingested against the two programs it runs (kpo-run(1)): on
# streams kpo-ingest wrote, the table or the bundle, both stages' rejects
# files, their lines on stderr and the exit status must be those of
# kpo-enrich FILE... | kpo-metrics, byte for byte: in jobs (--jobs 1, 2, 3
# and 7, the files cut every few hundred bytes) and with the stages joined by
# pipes (KPO_RUN_PIPES).  The chain is run through a file, so that each
# stage's status and stderr are its own.
. tests/e2e/lib.sh
S=samples

# compare NAME 'ENRICH OPTIONS' 'METRICS OPTIONS' 'RUN OPTIONS' FILE...
# The option strings are sh words (eval'd); RUN OPTIONS are kpo-run's, which
# take the union.  A metrics option --bundle is given as "--bundle @" and
# becomes a folder of each side's own.  Standard input of both sides: $IN.
compare() {
	name=$1 eo=$2 mo=$3 ro=$4
	shift 4
	rm -rf "$T/c" "$T/r"
	mkdir -p "$T/c" "$T/r"
	mo_c=$(printf '%s' "$mo" | sed "s|--bundle @|--bundle $T/c/bundle|")
	ro_r=$(printf '%s' "$ro" | sed "s|--bundle @|--bundle $T/r/bundle|")
	eval "kpo-enrich --rejects \$T/c/enrich.rej $eo \"\$@\"" <"$IN" >"$T/c/enriched" 2>"$T/c/err"
	se=$?
	eval "kpo-metrics --rejects \$T/c/metrics.rej $mo_c" <"$T/c/enriched" >"$T/c/out" 2>>"$T/c/err"
	sm=$?
	eval "kpo-run --ingested --enrich-rejects \$T/r/enrich.rej --metrics-rejects \$T/r/metrics.rej $ro_r \
		\"\$@\"" <"$IN" >"$T/r/out" 2>"$T/r/err"
	sr=$?
	is "$sr" "$(worst $se $sm)" "$name: exit status $sr, the worst of $se $sm"
	same_as_chain "$name" enrich metrics
}

# every_way NAME 'ENRICH OPTIONS' 'METRICS OPTIONS' 'RUN OPTIONS' FILE...:
# compare with --jobs 1, 2, 3 and 7 in parts of 150 bytes, then with pipes.
every_way() {
	name_w=$1 eo_w=$2 mo_w=$3 ro_w=$4
	shift 4
	for j in 1 2 3 7; do
		KPO_RUN_PART_BYTES=150 compare "$name_w, --jobs $j" "$eo_w" "$mo_w" "--jobs $j $ro_w" "$@"
	done
	KPO_RUN_PIPES=1 compare "$name_w, pipes" "$eo_w" "$mo_w" "$ro_w" "$@"
}
: >"$T/empty"
IN=/dev/null

NIGHTLY_E="--as-of 2026-11-28 --base USD --fx $S/fx.csv --rates $S/rates.csv"
NIGHTLY_M="--as-of 2026-11-28 --base USD --costs $S/costs.csv --fx $S/fx.csv --governance-pct 4"
NIGHTLY_R="--as-of 2026-11-28 --base USD --fx $S/fx.csv --rates $S/rates.csv --costs $S/costs.csv --governance-pct 4"

# The sample exports, each ingested alone as the nightly ingests them: the
# demo's inbox, every format with its options (tests/golden/ingest/SAMPLES),
# and every bad sample (whatever kpo-ingest wrote of it).
ingest_samples "$T/in"
every_way "inbox, bundle" "$NIGHTLY_E" "$NIGHTLY_M --bundle @" "$NIGHTLY_R --bundle @" "$T"/in/inbox-*.csv
every_way "inbox, table" "$NIGHTLY_E" "--as-of 2026-11-28 --total" "$NIGHTLY_E --total" "$T"/in/inbox-*.csv
every_way "every export and bad sample, bundle" "$NIGHTLY_E --max-reject-pct 50" \
	"$NIGHTLY_M --bundle @ --max-reject-pct 50" "$NIGHTLY_R --bundle @ --max-reject-pct 50" \
	"$T"/in/inbox-*.csv "$T"/in/export-*.csv "$T"/in/bad-*.csv
every_way "every export, business hours, --by vendor" \
	"$NIGHTLY_E --calendar $S/holidays.csv --tz Europe/Berlin --max-reject-pct 50" \
	"--as-of 2026-11-28 --by vendor --total --max-reject-pct 50" \
	"$NIGHTLY_E --calendar $S/holidays.csv --tz Europe/Berlin --max-reject-pct 50 --by vendor --total" \
	"$T"/in/export-*.csv

# Generated data: a plain stream cut into parts, and a gzip one.
scripts/gen-data 20000 13 | kpo-ingest -q -o "$T/gen.csv"
scripts/gen-data 3000 14 | kpo-ingest -q -o "$T/gen2.csv.gz"
every_way "generated, bundle" "$NIGHTLY_E" "$NIGHTLY_M --bundle @" "$NIGHTLY_R --bundle @" \
	"$T/gen.csv" "$T/gen2.csv.gz"
every_way "generated, --by vendor,month" "$NIGHTLY_E" "--as-of 2026-11-28 --by vendor,month --total" \
	"$NIGHTLY_E --by vendor,month --total" "$T/gen.csv" "$T/gen2.csv.gz" "$T/gen.csv"
KPO_RUN_PART_BYTES=4000 compare "generated, --jobs 3, 4 kB parts" "$NIGHTLY_E" "$NIGHTLY_M --bundle @" \
	"--jobs 3 $NIGHTLY_R --bundle @" "$T/gen.csv"

# Rows that each stage rejects (rejected_stream, lib.sh).
LF=$(printf '\nx') LF=${LF%x} CR=$(printf '\r')     # $(...) would drop a line end it ends with
rejected_stream "$LF" "$LF" >"$T/rj-lf.csv"
rejected_stream "$CR$LF" "$CR$LF" >"$T/rj-crlf.csv"
rejected_stream "$LF" "$CR" >"$T/rj-cr.csv"
rejected_stream "$LF" "$LF" nosource >"$T/rj-nosource.csv"
RJ_E="$NIGHTLY_E --max-reject-pct 60"
RJ_M="$NIGHTLY_M --bundle @ --max-reject-pct 60"
RJ_R="$NIGHTLY_R --bundle @ --max-reject-pct 60"
every_way "enrich and metrics rejects, bundle" "$RJ_E" "$RJ_M" "$RJ_R" \
	"$T/rj-lf.csv" "$T/rj-crlf.csv" "$T/rj-cr.csv" "$T/rj-lf.csv"
every_way "enrich and metrics rejects, --by vendor" "$RJ_E" "--as-of 2026-11-28 --by vendor --max-reject-pct 60" \
	"$RJ_E --by vendor" "$T/rj-lf.csv" "$T/rj-crlf.csv"
every_way "rejects without a source" "$RJ_E" "$RJ_M" "$RJ_R" "$T/rj-lf.csv" "$T/rj-nosource.csv"
every_way "over --max-reject-pct" "$NIGHTLY_E" "--as-of 2026-11-28 --total" "$NIGHTLY_E --total" "$T/rj-lf.csv"

# Inputs kpo-enrich takes as it finds them: a later one with the columns in
# another order, one lacking a column of the first (--keep), one that
# cannot be opened, one that is empty, a first that is not a stream.
python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
order = list(range(len(rows[0])))[::-1]
w = csv.writer(sys.stdout, lineterminator="\n")
for r in rows:
    w.writerow([r[i] for i in order])' "$T/in/inbox-2.csv" >"$T/reversed.csv"
kpo-ingest -q --keep Engagement -o "$T/keep.csv" $S/inbox/a-timetracker.csv
: >"$T/empty.csv"
every_way "columns in another order" "$NIGHTLY_E" "$NIGHTLY_M --bundle @" "$NIGHTLY_R --bundle @" \
	"$T/in/inbox-0.csv" "$T/reversed.csv" "$T/in/inbox-1.csv"
every_way "--keep, --by its column" "$NIGHTLY_E" "--as-of 2026-11-28 --by engagement --total" \
	"$NIGHTLY_E --by engagement --total" "$T/keep.csv"
every_way "a later input without the first's column" "$NIGHTLY_E" "--as-of 2026-11-28" "$NIGHTLY_E" \
	"$T/keep.csv" "$T/in/inbox-1.csv"
every_way "a missing input, an empty one" "$NIGHTLY_E" "--as-of 2026-11-28" "$NIGHTLY_E" \
	"$T/in/inbox-0.csv" "$T/nope.csv" "$T/empty.csv" "$T/in/inbox-1.csv"
every_way "a first input that is not a stream" "$NIGHTLY_E" "--as-of 2026-11-28" "$NIGHTLY_E" \
	$S/inbox/c-jira.csv "$T/in/inbox-1.csv"
every_way "a first input that cannot be opened" "$NIGHTLY_E" "--as-of 2026-11-28" "$NIGHTLY_E" \
	"$T/nope.csv" "$T/in/inbox-1.csv"
every_way "--dedupe, over every input" "$NIGHTLY_E --dedupe" "$NIGHTLY_M --bundle @" \
	"$NIGHTLY_R --dedupe --bundle @" "$T/in/inbox-0.csv" "$T/in/inbox-2.csv" "$T/gen.csv" "$T/in/inbox-1.csv" "$T/gen.csv"
every_way "--tz without business hours" "$NIGHTLY_E --tz Europe/Berlin" "--as-of 2026-11-28" \
	"$NIGHTLY_E --tz Europe/Berlin" "$T/in/inbox-0.csv"
every_way "quiet" "-q $NIGHTLY_E" "-q --as-of 2026-11-28" "-q $NIGHTLY_E" "$T/rj-lf.csv" "$T/nope.csv"
IN=$T/in/inbox-2.csv
compare "standard input" "$NIGHTLY_E" "--as-of 2026-11-28" "$NIGHTLY_E"
compare "standard input as -" "$NIGHTLY_E" "--as-of 2026-11-28" "$NIGHTLY_E" - "$T/in/inbox-1.csv"
IN=/dev/null

# kpo-ingest's options have no use with --ingested: a usage error naming
# the option, wherever it stands.
for o in "--profile jira" "--map $S/exports/m-bank-ru.map" "--set vendor=V" "--domains $T/x" \
	"--vendors $T/x" "--keep Engagement" "--skip 1" --no-header "--columns task_id" "-d ;" \
	"--delimiter ;" "--encoding cp1251" "--decimal ," "--hours-unit min" "--date-order dmy" \
	"--date-format %d" "--ingest-rejects $T/x"; do
	name=${o%% *}
	run kpo-run --ingested $o "$T/in/inbox-0.csv"
	is "$rc" 64 "--ingested $o: exit 64"
	like "$T/err" "^kpo-run: $name: an option of kpo-ingest, which --ingested leaves out" "... naming $name"
	is "$(cat "$T/out")" "" "... and nothing written"
done
run kpo-run --map "$T/x" --ingested "$T/in/inbox-0.csv"
is "$rc" 64 "an ingest option before --ingested: exit 64 too"
like "$T/err" "^kpo-run: --map: an option of kpo-ingest" "... naming it"
test ! -e "$T/x"
ok $? "no rejects file made"
done_testing
