#!/bin/sh
# make check's share of fuzzing: each target replays the saved crash inputs
# in tests/fuzz/regressions/ (named TARGET-*), then fuzzes for a few seconds
# from the seeds (FUZZ_SECONDS, default 5; `make fuzz` is the long run).  TAP.
cd "$(dirname "$0")/../.." || exit 1
n=0
failed=0
secs=${FUZZ_SECONDS:-5}
tests/fuzz/seed-corpus build-fuzz/seeds
for bin in build-fuzz/fuzz_*; do
	t=${bin#build-fuzz/fuzz_}
	set -- tests/fuzz/regressions/"$t"-*
	if [ -e "$1" ]; then
		n=$((n + 1))
		if "$bin" "$@" >"build-fuzz/$t.replay.log" 2>&1; then
			echo "ok $n - $t: $# saved crash inputs replay cleanly"
		else
			echo "not ok $n - $t: a saved crash input fails again (build-fuzz/$t.replay.log)"
			failed=$((failed + 1))
		fi
	fi
	n=$((n + 1))
	mkdir -p "build-fuzz/check/$t"
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3 \
		-artifact_prefix="build-fuzz/check/$t-" "build-fuzz/check/$t" "build-fuzz/seeds/$t" >"build-fuzz/$t.check.log" 2>&1; then
		echo "ok $n - $t: $secs s of fuzzing found nothing"
	else
		echo "not ok $n - $t: fuzzing found a problem (build-fuzz/$t.check.log)"
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
