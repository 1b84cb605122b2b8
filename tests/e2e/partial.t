#!/bin/sh
# Partials (kpo-run(1) Partials and shards, kpo-metrics(1)): every shard of
# a run written as a partial and the partials merged in a shuffled order
# must give what one run gives, byte for byte: the bundle or the table,
# each stage's rejects file, its lines on stderr and the exit status.  On
# the samples, every export and bad sample, generated data with open items,
# several currencies, dated FX and business hours, rows each stage rejects,
# and --dedupe; for 1, 2, 5 and 17 shards.  Then the partials themselves
# (the same bytes whatever the jobs), and each way a merge must refuse.
. tests/e2e/lib.sh
S=samples
: >"$T/empty"

E="--as-of 2026-11-28 --base USD --fx $S/fx-dated.csv --rates $S/rates.csv"
B="$E --costs $S/costs.csv --governance-pct 4"

# shuffled FILE...: the names in an order of their own
shuffled() {
	printf '%s\n' "$@" | awk -v s="$#" 'BEGIN { srand(s) } { print rand() "\t" $0 }' | sort | cut -f 2
}

# merged NAME N 'OPTIONS' FILE...: one kpo-run --ingested into $T/c, N
# shards into partials, their merge into $T/r; "--bundle @" in OPTIONS
# becomes each side's own folder (a partial is of the bundle without --by).
merged() {
	name=$1 n=$2 o=$3
	shift 3
	rm -rf "$T/c" "$T/r" "$T/p"
	mkdir -p "$T/c" "$T/r" "$T/p"
	oc=$(printf '%s' "$o" | sed "s|--bundle @|--bundle $T/c/bundle|")
	or=$(printf '%s' "$o" | sed "s|--bundle @|--bundle $T/r/bundle|")
	op=$(printf '%s' "$o" | sed "s|--bundle @||")
	eval "kpo-run --ingested --enrich-rejects \$T/c/enrich.rej --metrics-rejects \$T/c/metrics.rej $oc \
		\"\$@\"" >"$T/c/out" 2>"$T/c/err"
	sc=$?
	k=1 bad=0
	while [ $k -le "$n" ]; do
		eval "kpo-run --ingested --shard $k/$n --partial \$T/p/part-$k $op \"\$@\"" >"$T/p/out-$k" \
			2>"$T/p/err-$k" || bad=$k
		k=$((k + 1))
	done
	is "$bad" 0 "$name, $n shards: each wrote its partial"
	# shellcheck disable=SC2046
	eval "kpo-run --merge --enrich-rejects \$T/r/enrich.rej --metrics-rejects \$T/r/metrics.rej $or \
		$(shuffled "$T"/p/part-* | tr "\n" " ")" >"$T/r/out" 2>"$T/r/err"
	sr=$?
	is "$sr" "$sc" "$name, $n shards merged: exit status $sc, as one run"
	same_as_chain "$name, $n shards merged" enrich metrics
}

# Every sample export, ingested alone as the nightly ingests them; generated
# data (a plain stream and a gzip one); rows kpo-enrich and kpo-metrics
# reject (rejected_stream, lib.sh).
ingest_samples "$T/in"
scripts/gen-data 6000 21 | kpo-ingest -q -o "$T/gen.csv"
scripts/gen-data 2000 22 | kpo-ingest -q -o "$T/gen2.csv.gz"
LF=$(printf '\nx') LF=${LF%x} CR=$(printf '\r')
rejected_stream "$LF" "$LF" >"$T/rj-lf.csv"
rejected_stream "$CR$LF" "$CR" >"$T/rj-crlf.csv"
ALL="$T/in/inbox-*.csv $T/in/export-*.csv $T/in/bad-*.csv $T/gen.csv $T/rj-lf.csv $T/gen2.csv.gz $T/rj-crlf.csv"

for n in 1 2 5 17; do
	# shellcheck disable=SC2086
	merged "every export, generated, rejects; bundle" $n "$B --bundle @ --max-reject-pct 60" $ALL
done
for n in 1 2 5 17; do
	# shellcheck disable=SC2086
	merged "business hours, bundle" $n \
		"$B --calendar $S/holidays.csv --tz Europe/Berlin --bundle @ --max-reject-pct 60" $ALL
done
for n in 1 3; do
	# shellcheck disable=SC2086
	merged "business hours, --by vendor,month --total" $n \
		"$E --calendar $S/holidays.csv --tz Europe/Berlin --max-reject-pct 60 --by vendor,month --total" $ALL
done
for n in 1 2 5 17; do
	merged "--dedupe over every input" $n "$B --dedupe --bundle @ --max-reject-pct 60" \
		"$T/in/inbox-0.csv" "$T/gen.csv" "$T/in/inbox-2.csv" "$T/gen.csv" "$T/rj-lf.csv" "$T/in/inbox-1.csv"
done
merged "over --max-reject-pct (exit 65)" 4 "$E --total" "$T/rj-lf.csv" "$T/in/inbox-0.csv"
merged "quiet" 2 "-q $B --bundle @ --max-reject-pct 60" "$T/rj-lf.csv" "$T/gen.csv"
is "$(cat "$T/p/err-1" "$T/p/err-2")" "" "a quiet shard says nothing"

# A shard's partial is its rows' state, not how they were read: the same
# bytes again, and with --jobs 1 or 3 in parts of 150 bytes.
kpo-run --ingested $B --shard 2/5 --partial "$T/a" $ALL 2>/dev/null
kpo-run --ingested $B --shard 2/5 --partial "$T/b" $ALL 2>/dev/null
cmp -s "$T/a" "$T/b"
ok $? "a partial: the same bytes from the same run"
KPO_RUN_PART_BYTES=150 kpo-run --ingested $B --jobs 3 --shard 2/5 --partial "$T/b" $ALL 2>/dev/null
cmp -s "$T/a" "$T/b"
ok $? "... and from --jobs 3, the files in parts of 150 bytes"
kpo-run --ingested $B --jobs 1 --shard 2/5 --partial "$T/b" $ALL 2>/dev/null
cmp -s "$T/a" "$T/b"
ok $? "... and from --jobs 1"
gzip -t "$T/a"
ok $? "a partial is gzip"
is "$(od -An -tx1 -j4 -N4 "$T/a" | tr -d ' ')" 00000000 "... without a time stamp"
diag "partials of 5 shards of $(cat $ALL | gzip -dcf | wc -l) lines: $(du -cb "$T"/p/part-* | tail -n 1 | cut -f 1) bytes"

# kpo-metrics' partials: one per enriched stream, merged in the other order.
kpo-enrich -q $E --max-reject-pct 60 "$T/gen.csv" "$T/rj-lf.csv" >"$T/e1.csv" 2>/dev/null
kpo-enrich -q $E "$T/in/inbox-0.csv" "$T/in/inbox-1.csv" >"$T/e2.csv"
M="--as-of 2026-11-28 --costs $S/costs.csv --fx $S/fx.csv --governance-pct 4 --max-reject-pct 60"
rm -rf "$T/c" "$T/r" && mkdir -p "$T/c" "$T/r"
kpo-metrics $M --bundle "$T/c/bundle" --rejects "$T/c/metrics.rej" "$T/e1.csv" "$T/e2.csv" >"$T/c/out" 2>"$T/c/err"
sc=$?
kpo-metrics $M --partial "$T/m1" "$T/e1.csv" 2>/dev/null && kpo-metrics $M --partial "$T/m2" "$T/e2.csv" 2>/dev/null
ok $? "kpo-metrics --partial, one per stream"
kpo-metrics $M --merge --bundle "$T/r/bundle" --rejects "$T/r/metrics.rej" "$T/m2" "$T/m1" >"$T/r/out" 2>"$T/r/err"
is "$?" "$sc" "kpo-metrics --merge: exit status $sc, as one run"
same_as_chain "kpo-metrics --merge, bundle" metrics
rm -rf "$T/c" "$T/r" && mkdir -p "$T/c" "$T/r"
kpo-metrics --as-of 2026-11-28 --by domain,vendor --total "$T/e1.csv" - <"$T/e2.csv" >"$T/c/out" 2>"$T/c/err"
kpo-metrics --as-of 2026-11-28 --by domain,vendor --total --partial "$T/m1" "$T/e1.csv" - <"$T/e2.csv" 2>/dev/null
kpo-metrics --as-of 2026-11-28 --by domain,vendor --total --merge "$T/m1" >"$T/r/out" 2>"$T/r/err"
ok $? "kpo-metrics --merge of a table, standard input among the inputs"
same_as_chain "kpo-metrics --merge, --by domain,vendor --total" metrics

# Refusals: each says which partials, exits 65 (64 a usage error, 74 a
# read error) and writes nothing.
E="$E --total"
kpo-run -q --ingested $E --shard 1/3 --partial "$T/s1" "$T/gen.csv"
kpo-run -q --ingested $E --shard 2/3 --partial "$T/s2" "$T/gen.csv"
kpo-run -q --ingested $E --shard 3/3 --partial "$T/s3" "$T/gen.csv"
kpo-run -q --ingested $E --as-of 2026-11-27 --shard 3/3 --partial "$T/s3-as-of" "$T/gen.csv"
sed "s/,185,/,186,/" $S/rates.csv >"$T/rates"
kpo-run -q --ingested $E --rates "$T/rates" --shard 3/3 --partial "$T/s3-rates" "$T/gen.csv"
kpo-run -q --ingested $E --shard 2/4 --partial "$T/s2-of-4" "$T/gen.csv"
refused() {  # refused NAME STATUS REGEX PARTIAL...: kpo-run --merge $E -o $T/o
	rname=$1 rstatus=$2 rre=$3
	shift 3
	rm -f "$T/o" "$T/orej"
	run kpo-run --merge $E -o "$T/o" --metrics-rejects "$T/orej" "$@"
	is "$rc" "$rstatus" "$rname: exit $rstatus"
	like "$T/err" "$rre" "... saying why"
	test ! -e "$T/o" && test ! -e "$T/orej"
	ok $? "... and no table or rejects file made"
}
refused "a missing shard" 65 "s1: 2 of its 3 shards given" "$T/s1" "$T/s3"
refused "a shard twice" 65 "s3: shard 3 of 3 again: .*/s3 is that shard" "$T/s1" "$T/s2" "$T/s3" "$T/s3"
refused "partials of other rates" 65 "s3-rates: made with rates=.* bytes, CRC-32 [0-9a-f]{8}, but .*/s1 with rates=" \
	"$T/s1" "$T/s2" "$T/s3-rates"
refused "a partial of another --as-of" 65 "s3-as-of: made with as_of=1795737600, but .*/s1 and this merge have as_of=1795824000" \
	"$T/s1" "$T/s2" "$T/s3-as-of"
refused "a merge of another --as-of" 65 "s1: made with as_of=1795824000, but this merge has as_of=1795737600" \
	--as-of 2026-11-27 "$T/s1" "$T/s2" "$T/s3"
refused "shards of another count" 65 "s2-of-4: shard 2 of 4, but .*/s1 of the same inputs is one of 3" \
	"$T/s1" "$T/s2-of-4" "$T/s3"
refused "a kpo-metrics partial" 65 "m1: a partial of kpo-metrics, not of kpo-run --ingested" "$T/m1"
refused "a CSV file" 65 "gen.csv: not a kpo partial" "$T/gen.csv"
refused "an empty file" 65 "empty: not a kpo partial" "$T/empty"
head -c 3000 "$T/s2" >"$T/trunc"
refused "a truncated partial" 74 "trunc: (the partial ends early|read error)" "$T/s1" "$T/trunc" "$T/s3"
# A partial whose body is damaged, but whose gzip is sound: a leaf key
# that is not of the key columns.
gzip -dc "$T/s2" | python3 -c '
import sys
b = bytearray(sys.stdin.buffer.read())
i = b.index(b"kpo-metrics") + 200
b[i:i + 40] = b"\xff" * 40
sys.stdout.buffer.write(b)' | gzip -n >"$T/damaged"
refused "a damaged partial" 65 "damaged: not a sound kpo partial" "$T/s1" "$T/damaged" "$T/s3"
refused "no partial" 64 "--merge: no partial named"
refused "a partial that is not there" 66 "nope: No such file" "$T/nope"

run kpo-run --ingested $E --partial /dev/full "$T/gen.csv"
is "$rc" 74 "--partial /dev/full: exit 74"
like "$T/err" "/dev/full: write error" "... saying so"
run kpo-run --ingested $E --partial "$T/nodir/p" "$T/gen.csv"
is "$rc" 73 "--partial into a missing folder: exit 73"
run kpo-run --ingested $E --partial "$T/p-stdin" <"$T/gen.csv"
is "$rc" 65 "--partial of standard input: exit 65"
like "$T/err" "^kpo-run: --partial: the inputs must be files kpo-ingest wrote" "... saying why"
test ! -e "$T/p-stdin"
ok $? "... and no partial"
run kpo-run --ingested $E --partial "$T/p-missing" "$T/gen.csv" "$T/nope.csv"
is "$rc" 66 "--partial with an input that cannot be opened: exit 66"
test ! -e "$T/p-missing"
ok $? "... and no partial"
for o in "--shard 1/2" "--partial $T/x --bundle $T/xb" "--partial $T/x -o $T/xo" \
	"--partial $T/x --metrics-rejects $T/xr" "--partial $T/x --merge" "--partial $T/x --shard 0/2" \
	"--partial $T/x --shard 3/2" "--partial $T/x --shard 1/0" "--partial $T/x --shard x"; do
	run kpo-run --ingested $E $o "$T/gen.csv"
	is "$rc" 64 "kpo-run --ingested $o: a usage error"
done
run kpo-run $E --partial "$T/x" "$S/inbox/c-jira.csv"
is "$rc" 64 "--partial without --ingested: a usage error"
like "$T/err" "--partial: with --ingested" "... saying to ingest first"
test ! -e "$T/x"
ok $? "no partial written by a usage error"
done_testing
