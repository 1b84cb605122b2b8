#!/bin/bash
# kpo-nightly with ENGINE=parallel (GNU parallel, local job slots, and
# HOSTS=: through its --sshlogin) must publish the report ENGINE=local
# publishes, byte for byte (every file but run.log): on the sample inbox
# and on generated exports with rejects of every stage, with and without
# DEDUPE.  A shard that fails publishes nothing and says why.
# ENGINE=slurm is tests/cluster/slurm.t's (make check-cluster).
. tests/e2e/lib.sh

command -v parallel >/dev/null 2>&1 || { echo "1..0 # SKIP GNU parallel is not installed (scripts/install-deps)"; exit 0; }
nightly=$TOP/pipeline/kpo-nightly
out=$T/reports

conf() {  # conf FILE INBOX [KEY=VALUE ...]: OUTROOT $out, or OUTROOT=... among them
	local f=$1 inbox=$2
	shift 2
	{
		echo "INBOX=$inbox"
		echo "OUTROOT=$out"
		echo "RATES=$TOP/samples/rates.csv"
		echo "FX=$TOP/samples/fx-dated.csv"
		echo "COSTS=$TOP/samples/costs.csv"
		echo "GOVERNANCE_PCT=4"
		echo "MAX_REJECT_PCT=60"
		echo "ON_BAD_FILE=skip"
		echo "KEEP_DAYS=100000"
		for kv in "$@"; do echo "$kv"; done
	} >"$f"
}
latest() { readlink "$out/latest"; }

# same_report NAME DIR_A DIR_B: every file of the two reports but run.log
same_report() {
	diff -r -x run.log "$2" "$3" >"$T/diff" 2>&1
	ok $? "$1: the same report as ENGINE=local, every file but run.log"
	[ ! -s "$T/diff" ] || head -n 20 "$T/diff" | diag "$(cat)"
}

# The sample inbox, and generated exports: two sources, one with rejects
# of each stage, one export twice (duplicates for DEDUPE), one it skips.
mkdir -p "$T/gen/b"
scripts/gen-data 3000 31 >"$T/gen/g1.csv"
scripts/gen-data 2000 32 >"$T/gen/b/g2.csv"
cp "$T/gen/g1.csv" "$T/gen/b/g1-again.csv"
rejected_stream "$(printf '\n')" ' ' >"$T/gen/b/rejects.csv"
printf 'task_id\n' >"$T/gen/b/bad.csv"

n=0
for box in "$TOP/samples/inbox" "$T/gen"; do
	for dedupe in no yes; do
		n=$((n + 1))
		d=2026-11-$(printf %02d $n)
		conf "$T/local.conf" "$box" "DEDUPE=$dedupe" "OUTROOT=$T/local"
		conf "$T/par.conf" "$box" "DEDUPE=$dedupe" ENGINE=parallel SHARDS=3 "OUTROOT=$T/par"
		conf "$T/hosts.conf" "$box" "DEDUPE=$dedupe" ENGINE=parallel SHARDS=5 HOSTS=: "OUTROOT=$T/hosts"
		name="${box##*/}, DEDUPE=$dedupe"
		"$nightly" -c "$T/local.conf" --as-of "$d" >/dev/null 2>"$T/err.local"
		sl=$?
		run "$nightly" -c "$T/par.conf" --as-of "$d"
		is "$rc" "$sl" "$name, ENGINE=parallel SHARDS=3: exit $sl, as ENGINE=local"
		same_report "$name, ENGINE=parallel SHARDS=3" "$T/local/$d" "$T/par/$d"
		like "$T/par/$d/run.log" "ENGINE=parallel SHARDS=3" "... run.log names the engine"
		like "$T/par/$d/run.log" "parallel: 3 shards, exit 0" "... and the shards' run"
		run "$nightly" -c "$T/hosts.conf" --as-of "$d"
		is "$rc" "$sl" "$name, ENGINE=parallel SHARDS=5 HOSTS=:: exit $sl"
		same_report "$name, ENGINE=parallel HOSTS=:" "$T/local/$d" "$T/hosts/$d"
	done
done
diag "the generated inbox: $(grep -h 'kpo-enrich: [0-9]* rows read\|kpo-metrics: [0-9]* rows read' "$T/local/2026-11-04/run.log" | sed 's/^[^ ]* *//')"

# A shard that fails: nothing published, latest unchanged, its message in
# run.log and on stderr.  The nightly finds its programs next to itself: a
# copy beside a kpo-run that fails shard 2.
nightly_beside "$T/bin" "*\" --shard 2/\"*) echo \"kpo-run: $T/disk: write error: No space left on device\" >&2; exit 74 ;;"
before=$(latest)
conf "$T/par.conf" "$TOP/samples/inbox" ENGINE=parallel SHARDS=3
run "$T/bin/kpo-nightly" -c "$T/par.conf" --as-of 2026-04-01
is "$rc" 74 "a shard fails: the nightly exits with its status (74)"
like "$T/err" "ENGINE=parallel: shard 2/3: .*write error: No space left on device" "... saying which shard and why"
is "$(latest)" "$before" "... latest is unchanged"
ok "$(test ! -e "$out/2026-04-01"; echo $?)" "... nothing is published"
like "$out/.tmp-2026-04-01/run.log" "FAILED: ENGINE=parallel: shard 2/3" "... and run.log says so"
# A shard's script left by that run does nothing for another (a job of an
# earlier run that was not cancelled, finding the folder again).
w=$out/.tmp-2026-04-01/work
rm -f "$w/part-1.kpo"
echo another-run >"$w/run-id"
run "$w/shard.sh" 1
is "$rc" 75 "a shard of an earlier run: exit 75"
like "$T/err" "a job of an earlier run .*, not run" "... saying so"
ok "$(test ! -e "$w/part-1.kpo"; echo $?)" "... and writing no partial"

# Bad values of the new keys.
for kv in ENGINE=mapreduce SHARDS=0 SHARDS=x DEDUPE=maybe "HOSTS=a;b" HOSTS=: SLURM_PARTITION=p "SLURM_TIME=1 h"; do
	conf "$T/bad.conf" "$TOP/samples/inbox" "$kv"
	run "$nightly" -c "$T/bad.conf" --as-of 2026-05-01
	is "$rc" 64 "$kv: a configuration error (64)"
done
done_testing
