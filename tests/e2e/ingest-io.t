#!/bin/sh
# kpo-ingest and I/O: gzip in and out, truncated and corrupt gzip, a full
# disk, atomic -o, SIGPIPE, a killed run, memory bounds.
. tests/e2e/lib.sh

a=samples/exports/a-timetracker.csv
gzip -9c "$a" >"$T/a.csv.gz"
cp "$T/a.csv.gz" "$T/a.txt"   # a misleading name: detection is by magic bytes
run kpo-ingest "$T/a.csv.gz"
sed "s#^\(.*\),$a:#\1,$T/a.csv.gz:#" tests/golden/ingest/a-timetracker.csv >"$T/want"
same "$T/out" "$T/want" "gzip input equals plain input"
run kpo-ingest "$T/a.txt"
is "$rc" 0 "gzip told by its magic bytes, not its name"
# A known format inside gzip: recognised by its header all the same, and
# the task_id made from the source names the file as given.
gzip -9c samples/exports/h-toggl.csv >"$T/toggl.gz"
run kpo-ingest --tz Asia/Kolkata --set 'vendor=Pune Legal Process Services Pvt Ltd' --set domain=Legal \
	--set region=India --set currency=USD "$T/toggl.gz"
sed "s#samples/exports/h-toggl.csv:#$T/toggl.gz:#g" tests/golden/ingest/h-toggl.csv >"$T/want"
same "$T/out" "$T/want" "a gzip Toggl export equals the plain one, task_id and source naming the .gz"
like "$T/err" "toggl.gz recognised as a Toggl" "and is recognised as Toggl"

# Truncated and corrupt gzip: exit 74, the file named, never short data
# passed off as whole.
size=$(wc -c <"$T/a.csv.gz")
head -c $((size - 100)) "$T/a.csv.gz" >"$T/trunc.csv.gz"
run kpo-ingest -o "$T/trunc-out.csv" "$T/trunc.csv.gz"
is "$rc" 74 "a truncated .gz: exit 74"
like "$T/err" "trunc.csv.gz: truncated gzip data" "the message names the file"
ok "$(test ! -e "$T/trunc-out.csv"; echo $?)" "-o FILE is not written by the failed run"
python3 -c "
import sys; d = bytearray(open(sys.argv[1], 'rb').read()); d[len(d)//2] ^= 0xff; open(sys.argv[2], 'wb').write(d)" \
	"$T/a.csv.gz" "$T/corrupt.csv.gz"
run kpo-ingest "$T/corrupt.csv.gz"
is "$rc" 74 "a corrupt .gz: exit 74"
like "$T/err" "corrupt.csv.gz: (corrupt gzip data|truncated gzip)" "the message names the file"

# A missing input: exit 66, the other inputs still read.
run kpo-ingest "$T/none.csv" "$a"
is "$rc" 66 "a missing input: exit 66"
like "$T/err" "none.csv: cannot open: No such file or directory" "the message names it"
is "$(($(wc -l <"$T/out") - 1))" 220 "the other input is still read"

# A full disk: exit 74, whether stdout or -o names the device.
run sh -c "kpo-ingest $a >/dev/full"
is "$rc" 74 "stdout on /dev/full: exit 74"
like "$T/err" "write error: No space left on device" "and says why"
run kpo-ingest -o /dev/full "$a"
is "$rc" 74 "-o /dev/full: exit 74"
ok "$(test -c /dev/full; echo $?)" "-o /dev/full wrote to the device and did not replace it"
run kpo-ingest -o /dev/null "$a"
is "$rc" 0 "-o /dev/null: exit 0"
ok "$(test -c /dev/null; echo $?)" "/dev/null is still a device"
run kpo-ingest --rejects /dev/full samples/bad/bad-date.csv
is "$rc" 74 "--rejects on /dev/full: exit 74"
run kpo-ingest -o "$T/no/such/dir/out.csv" "$a"
is "$rc" 73 "-o into a missing folder: exit 73"

# -o is atomic: an old FILE stays until a good run replaces it.
echo old >"$T/keep.csv"
run kpo-ingest -o "$T/keep.csv" samples/bad/missing-column.csv
is "$rc" 65 "a failed run: exit 65"
is "$(cat "$T/keep.csv")" old "a failed run leaves the old FILE as it was"
is "$(ls -A "$T" | grep -c '^\.keep')" 0 "and no temporary file behind"
run kpo-ingest -o "$T/keep.csv" "$a"
same "$T/keep.csv" tests/golden/ingest/a-timetracker.csv "a good run replaces it"

# -o FILE.gz: gzip, byte-identical run after run, no time stamp.
kpo-ingest -q -o "$T/one.csv.gz" "$a"
sleep 1
kpo-ingest -q -o "$T/two.csv.gz" "$a"
ok "$(cmp -s "$T/one.csv.gz" "$T/two.csv.gz"; echo $?)" "-o out.csv.gz written twice is byte-identical"
gzip -dc "$T/one.csv.gz" >"$T/one.csv"
same "$T/one.csv" tests/golden/ingest/a-timetracker.csv "and decompresses to the stream"
is "$(od -An -tu1 -j4 -N4 "$T/one.csv.gz" | tr -s ' ')" " 0 0 0 0" "the gzip header has no time stamp"

# A larger generated export, for SIGPIPE, kills and memory.
scripts/gen-data 300000 7 >"$T/big.csv"
run sh -c "kpo-ingest '$T/big.csv' | head -1"
is "$rc" 0 "kpo-ingest big.csv | head -1: the pipeline succeeds"
is "$(cat "$T/err")" "" "and kpo-ingest ends quietly"

# A run killed half-way: its input is a FIFO we keep open, so the run is
# surely in the middle of its work when the signal comes.
killed_run() {  # killed_run SIGNAL NAME
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	kpo-ingest -q -o "$T/$2" "$T/fifo" 2>/dev/null &
	pid=$!
	exec 3>"$T/fifo"
	head -c 5000000 "$T/big.csv" >&3
	sleep 0.3
	kill -"$1" $pid
	{ wait $pid; } 2>/dev/null
	exec 3>&-
}
killed_run TERM killed.csv
ok "$(test ! -e "$T/killed.csv"; echo $?)" "a run killed with SIGTERM half-way leaves no FILE"
is "$(ls -A "$T" | grep -c '^\.killed')" 0 "and removes its temporary file"
killed_run KILL killed9.csv
ok "$(test ! -e "$T/killed9.csv"; echo $?)" "a run killed with SIGKILL half-way leaves no FILE (only a .killed9.csv.* temporary)"

if [ "${KPO_SANITIZED:-0}" = 1 ]; then
	skip "memory bounds are measured without sanitizers"
	skip "memory bounds are measured without sanitizers"
else
	rss() {  # peak RSS in KB of the largest process of a shell command
		peakrss sh -c "$1" 2>&1 >/dev/null | sed -n 's/^peakrss: //p'
	}
	kb=$(rss "kpo-ingest '$T/big.csv' >/dev/null")
	ok "$([ "$kb" -lt 16384 ]; echo $?)" "peak RSS on a 300,000-row export: $kb KB < 16 MB"
	# A quote opened on line 2 of a 300 MB stream: memory stays bounded by
	# the field cap (1 MiB), and reading stops at the cap.
	kb=$(rss "{ printf 'Task ID,Vendor,Domain,Requested At,Hours,Cost\nT1,\"open,D,2026-01-01,1,1\n'; yes 'x,y,z' | head -c 300000000; } | kpo-ingest >/dev/null")
	ok "$([ "$kb" -lt 16384 ]; echo $?)" "an unterminated quote in a 300 MB stream: peak RSS $kb KB < 16 MB"
fi
run sh -c "{ printf 'Task ID,Vendor,Domain,Requested At,Hours,Cost\nT1,\"open,D,2026-01-01,1,1\n'; yes 'x,y,z' | head -c 30000000; } | kpo-ingest --rejects '$T/rej.csv'"
is "$rc" 65 "an unterminated quote in a big stream: exit 65"
like "$T/err" '^kpo-ingest: -:2: quoted field longer than 1048576 bytes, or a quote never closed' "reported at the line where the record starts"
done_testing
