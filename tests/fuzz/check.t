#!/bin/sh
# make check's share of fuzzing: each target replays the saved crash inputs
# in tests/fuzz/regressions/ (named TARGET-*), then fuzzes for a few seconds
# from the seeds (FUZZ_SECONDS, default 5; `make fuzz` is the long run).  TAP.
# The targets run side by side, as many at once as there are cores
# (FUZZ_JOBS, default nproc): each is one process on one core, so each
# still gets its seconds of a whole core, and the pass takes a fraction of
# the wall time.
cd "$(dirname "$0")/../.." || exit 1
secs=${FUZZ_SECONDS:-5}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
tests/fuzz/seed-corpus build-fuzz/seeds

# check_target T: its TAP lines, unnumbered, in build-fuzz/T.tap
check_target() {
	t=$1 bin=build-fuzz/fuzz_$1
	: >"build-fuzz/$t.tap"
	set -- tests/fuzz/regressions/"$t"-*
	if [ -e "$1" ]; then
		if "$bin" "$@" >"build-fuzz/$t.replay.log" 2>&1; then
			echo "ok - $t: $# saved crash inputs replay cleanly" >>"build-fuzz/$t.tap"
		else
			echo "not ok - $t: a saved crash input fails again (build-fuzz/$t.replay.log)" >>"build-fuzz/$t.tap"
		fi
	fi
	mkdir -p "build-fuzz/check/$t"
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3 \
		-artifact_prefix="build-fuzz/check/$t-" "build-fuzz/check/$t" "build-fuzz/seeds/$t" >"build-fuzz/$t.check.log" 2>&1; then
		echo "ok - $t: $secs s of fuzzing found nothing" >>"build-fuzz/$t.tap"
	else
		echo "not ok - $t: fuzzing found a problem (build-fuzz/$t.check.log)" >>"build-fuzz/$t.tap"
	fi
}

targets=
running=0
for bin in build-fuzz/fuzz_*; do
	t=${bin#build-fuzz/fuzz_}
	targets="$targets $t"
	check_target "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

n=0
failed=0
for t in $targets; do
	if [ ! -s "build-fuzz/$t.tap" ]; then
		n=$((n + 1)) failed=$((failed + 1))
		echo "not ok $n - $t: its check did not finish"
		continue
	fi
	while IFS= read -r line; do
		n=$((n + 1))
		case $line in
		"not ok - "*) failed=$((failed + 1)); echo "not ok $n - ${line#not ok - }" ;;
		*) echo "ok $n - ${line#ok - }" ;;
		esac
	done <"build-fuzz/$t.tap"
done
echo "1..$n"
[ "$failed" -eq 0 ]
