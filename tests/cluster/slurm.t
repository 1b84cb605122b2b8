#!/bin/bash
# kpo-nightly with ENGINE=slurm on a real Slurm cluster of this one machine:
# munged, slurmctld and slurmd from Debian's slurm-wlm and munge, started
# here as root with their configuration, keys, state and logs in the test's
# folder, and stopped (by their pid files) when it ends.  The report must be
# ENGINE=local's, byte for byte (every file but run.log), on the sample
# inbox and on a generated inbox of CLUSTER_ROWS rows (default 1000000); a
# shard cancelled with scancel must publish nothing.  When the cluster
# cannot start, the test fails and says why: it never skips.
. tests/e2e/lib.sh

rows=${CLUSTER_ROWS:-1000000}
nightly=$TOP/pipeline/kpo-nightly
S=$T/slurm
mkdir -p "$S/state" "$S/spool"

stop_cluster() {
	local p
	for p in slurmd slurmctld munged; do
		[ -s "$S/$p.pid" ] && kill "$(cat "$S/$p.pid")" 2>/dev/null
	done
	sleep 1
	for p in slurmd slurmctld munged; do
		[ -s "$S/$p.pid" ] && kill -KILL "$(cat "$S/$p.pid")" 2>/dev/null
	done
	rm -rf "$T"
}
trap stop_cluster EXIT

# cluster_up: 0 when the node is idle; else 1 with the reason in $why.
why=
cluster_up() {
	local host i state
	[ "$(id -u)" -eq 0 ] || { why="slurmd and munged must run as root here (SlurmUser=root)"; return 1; }
	for p in munged slurmctld slurmd sbatch scancel squeue sinfo; do
		command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] ||
			{ why="$p not found (scripts/install-deps --cluster installs slurm-wlm and munge)"; return 1; }
	done
	PATH=$PATH:/usr/sbin
	host=$(hostname -s)
	dd if=/dev/urandom of="$S/munge.key" bs=1024 count=1 2>/dev/null && chmod 400 "$S/munge.key"
	munged --key-file="$S/munge.key" --socket="$S/munge.socket" --pid-file="$S/munged.pid" \
		--log-file="$S/munged.log" --seed-file="$S/munged.seed" -f 2>"$S/munged.err" ||
		{ why="munged did not start: $(tail -n 3 "$S/munged.err" "$S/munged.log" 2>/dev/null | tr '\n' ' ')"; return 1; }
	cat >"$S/slurm.conf" <<CONF
ClusterName=kpotest
SlurmctldHost=$host
AuthType=auth/munge
AuthInfo=socket=$S/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SchedulerType=sched/backfill
MinJobAge=300
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=kpo Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
	export SLURM_CONF=$S/slurm.conf
	slurmctld -c 2>"$S/slurmctld.err" || { why="slurmctld did not start: $(tail -n 3 "$S/slurmctld.log" "$S/slurmctld.err" 2>/dev/null | tr '\n' ' ')"; return 1; }
	slurmd 2>"$S/slurmd.err" || { why="slurmd did not start: $(tail -n 3 "$S/slurmd.log" "$S/slurmd.err" 2>/dev/null | tr '\n' ' ')"; return 1; }
	for i in $(seq 60); do
		state=$(sinfo -h -o %t 2>/dev/null)
		[ "$state" = idle ] && return 0
		sleep 0.5
	done
	why="the node is not idle after 30 s (sinfo: ${state:-nothing}): $(tail -n 2 "$S/slurmctld.log" "$S/slurmd.log" 2>/dev/null | tr '\n' ' ')"
	return 1
}

if ! cluster_up; then
	ok 1 "a Slurm cluster of this machine starts: $why"
	done_testing
	exit 1
fi
ok 0 "a Slurm cluster of this machine starts ($(sinfo -h -o '%P %D nodes %c CPUs %t'))"
printf '#!/bin/sh\necho hello from "$SLURM_ARRAY_TASK_ID"\n' >"$T/hello.sh"
sbatch --wait --array=1-3 --output="$T/hello-%a.out" "$T/hello.sh" >/dev/null 2>"$T/err"
ok $? "sbatch --wait --array=1-3 runs three tasks"
is "$(cat "$T"/hello-*.out | sort | tr '\n' ' ')" "hello from 1 hello from 2 hello from 3 " "... each with its index"

conf() {  # conf FILE INBOX OUTROOT [KEY=VALUE ...]
	local f=$1 inbox=$2 outroot=$3
	shift 3
	{
		echo "INBOX=$inbox"
		echo "OUTROOT=$outroot"
		echo "RATES=$TOP/samples/rates.csv"
		echo "FX=$TOP/samples/fx.csv"
		echo "COSTS=$TOP/samples/costs.csv"
		echo "GOVERNANCE_PCT=4"
		echo "MAX_REJECT_PCT=60"
		for kv in "$@"; do echo "$kv"; done
	} >"$f"
}

# compare NAME INBOX SHARDS [KEY=VALUE ...]: ENGINE=local, then slurm
compare() {
	local name=$1 inbox=$2 shards=$3 start l s
	shift 3
	rm -rf "$T/local" "$T/sl"
	conf "$T/local.conf" "$inbox" "$T/local" "$@"
	conf "$T/slurm.conf" "$inbox" "$T/sl" ENGINE=slurm SHARDS="$shards" SLURM_PARTITION=kpo SLURM_TIME=30:00 "$@"
	start=$(date +%s.%N)
	"$nightly" -c "$T/local.conf" --as-of 2026-11-28 >/dev/null 2>"$T/err.local"
	l=$?
	local_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	start=$(date +%s.%N)
	run "$nightly" -c "$T/slurm.conf" --as-of 2026-11-28
	s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	is "$rc" "$l" "$name, ENGINE=slurm SHARDS=$shards: exit $l, as ENGINE=local"
	diff -r -x run.log "$T/local/2026-11-28" "$T/sl/2026-11-28" >"$T/diff" 2>&1
	ok $? "$name: the same report as ENGINE=local, every file but run.log"
	[ ! -s "$T/diff" ] || head -n 20 "$T/diff" | diag "$(cat)"
	like "$T/sl/2026-11-28/run.log" "slurm: shards as array job [0-9]+ \\(1-$shards\\)" "... run.log names the array job"
	like "$T/sl/2026-11-28/run.log" "slurm: merge job [0-9]+, exit 0" "... and the merge job"
	diag "$name: ENGINE=local $local_s s, ENGINE=slurm (SHARDS=$shards) $s s"
}

compare "the sample inbox" "$TOP/samples/inbox" 3
compare "the sample inbox, DEDUPE" "$TOP/samples/inbox" 2 DEDUPE=yes
mkdir -p "$T/big"
scripts/gen-data "$rows" 41 >"$T/big/gen.csv"
compare "$rows generated rows" "$T/big" 4

# scancel of one array task: the merge is cancelled, nothing published,
# latest left alone.  The nightly runs its programs next to itself: a copy
# beside a kpo-run whose shard 2 waits long enough to be cancelled.
nightly_beside "$T/bin" '*" --shard 2/"*) sleep 300 ;;'
# shard_2_runs DATE: the array job of the run of DATE, once its task 2 runs.
shard_2_runs() {
	local j=
	for _ in $(seq 200); do
		j=$(sed -n 's/.*slurm: shards as array job \([0-9]*\) .*/\1/p' "$T/sl/.tmp-$1/run.log" 2>/dev/null)
		[ -n "$j" ] && [ -n "$(squeue -h -t R -j "${j}_2" -o %i 2>/dev/null)" ] && break
		sleep 0.1
	done
	printf '%s' "$j"
}
conf "$T/kill.conf" "$TOP/samples/inbox" "$T/sl" ENGINE=slurm SHARDS=3
before=$(readlink "$T/sl/latest")
"$T/bin/kpo-nightly" -c "$T/kill.conf" --as-of 2026-11-29 >"$T/out" 2>"$T/err" &
victim=$!
jid=$(shard_2_runs 2026-11-29)
ok "$([ -n "$jid" ]; echo $?)" "the nightly submits the shards (array job ${jid:-none}), shard 2 runs"
scancel "${jid}_2"
wait "$victim"
rc=$?
is "$rc" 70 "scancel of shard 2: the nightly fails (exit 70)"
like "$T/err" "ENGINE=slurm: shard 2/3: " "... saying which shard"
is "$(readlink "$T/sl/latest")" "$before" "... latest is unchanged"
ok "$(test ! -e "$T/sl/2026-11-29"; echo $?)" "... nothing is published"
like "$T/sl/.tmp-2026-11-29/run.log" "FAILED: ENGINE=slurm: shard 2/3" "... and run.log says so"
diag "$(grep -h "FAILED" "$T/sl/.tmp-2026-11-29/run.log")"
is "$(squeue -h 2>/dev/null | wc -l)" 0 "... and no job is left in the queue"

# The nightly interrupted (SIGTERM) while it waits: its jobs are cancelled.
"$T/bin/kpo-nightly" -c "$T/kill.conf" --as-of 2026-11-30 >"$T/out" 2>"$T/err" &
victim=$!
jid=$(shard_2_runs 2026-11-30)
kill -TERM "$victim"
wait "$victim"
is "$?" 1 "SIGTERM while the shards run: exit 1"
for _ in $(seq 100); do [ "$(squeue -h 2>/dev/null | wc -l)" = 0 ] && break; sleep 0.1; done
is "$(squeue -h 2>/dev/null | wc -l)" 0 "... its jobs are cancelled"
like "$T/sl/.tmp-2026-11-30/run.log" "FAILED: interrupted \\(array job $jid cancelled\\)" "... and run.log says so"
ok "$(test ! -e "$T/sl/2026-11-30"; echo $?)" "... nothing is published"
done_testing
