#!/bin/bash
# Bounded memory per record: one line of 512 Mi delimiters (half a megabyte
# of gzip) after a valid header, read by every stage that reads CSV, under a
# 256 MB address-space limit.  The reader stops collecting fields at its cap
# (131,072) and skips the rest of the line by scanning for its end, so each
# stage rejects the line in seconds, reads the row after it, and stays small.
# Under the sanitizers (KPO_SANITIZED) the line is shorter and the limit is
# not set: ASan reserves terabytes of address space.
. tests/e2e/lib.sh

if [ "${KPO_SANITIZED:-0}" = 1 ]; then
	n=50000000 limit=
else
	n=536870912 limit='ulimit -v 262144;'
fi
secs_max=10
H='Task ID,Vendor,Domain,Requested At,Hours,Cost'
C=task_id,engagement_id,vendor,domain,region,requested_at,due_at,delivered_at,hours,cost,currency,inhouse_rate,quality,defects,reworked,source
E=$C,cost_base,baseline,savings,tat_h,on_time,month

# The long line is made once, streamed (never held), as a gzip member; each
# stage's file is its header, that member and a good row, as concatenated
# gzip members (zlib reads them as one stream).
fill_gz "$n" , >"$T/line.gz"
printf '\n' | gzip -1 >"$T/nl.gz"
gz() { printf '%s\n' "$1" | gzip -1; }
{ gz "$H"; cat "$T/line.gz" "$T/nl.gz"; gz 'T1,V,D,2026-01-01,1,1'; } >"$T/ingest.csv.gz"
{ gz "$C"; cat "$T/line.gz" "$T/nl.gz"; gz 'T2,,V,D,,2026-01-05T09:00:00Z,,2026-01-06T17:00:00Z,1,1,,,,,,x.csv:3'; } >"$T/enrich.csv.gz"
{ gz "$E"; cat "$T/line.gz" "$T/nl.gz"; gz 'T2,,V,D,,2026-01-05T09:00:00Z,,2026-01-06T17:00:00Z,1,1,,,,,,x.csv:3,1.0000,,,32.0000,,2026-01'; } >"$T/metrics.csv.gz"
diag "$n delimiters on one line: $(wc -c <"$T/line.gz") bytes of gzip"

timed_run() {  # timed_run CMD: like run, through peakrss; $secs, $kb
	local start
	start=$(date +%s.%N)
	peakrss sh -c "$1" >"$T/out" 2>"$T/err"
	rc=$?
	secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
	kb=$(sed -n 's/^peakrss: //p' "$T/err")
	sed -i '/^peakrss: /d' "$T/err"
}
fast_and_small() {  # fast_and_small NAME
	ok "$(awk -v s="$secs" -v m="$secs_max" 'BEGIN { exit !(s < m) }'; echo $?)" "$1: in under $secs_max s ($secs s)"
	if [ "${KPO_SANITIZED:-0}" = 1 ]; then
		skip "$1: memory is measured without sanitizers"
	else
		ok "$([ "$kb" -lt 65536 ]; echo $?)" "$1: peak RSS under 64 MB ($kb KB)"
	fi
}

for stage in ingest enrich metrics; do
	case $stage in
	ingest) opts= ;;
	enrich) opts='--as-of 2026-11-28' ;;
	metrics) opts= ;;
	esac
	timed_run "$limit kpo-$stage $opts '$T/$stage.csv.gz'"
	is "$rc" 65 "kpo-$stage: a line of $n delimiters: exit 65 (1 of 2 rows rejected)"
	like "$T/err" "^kpo-$stage: $T/$stage.csv.gz:2: too many fields\$" "kpo-$stage: rejected as too many fields at line 2"
	like "$T/err" '2 rows read, 1 (written|used), 1 rejected' "kpo-$stage: the row after it is read"
	fast_and_small "kpo-$stage"
done

# With a rejects file the record is kept, cut to the 8 MiB record cap.
timed_run "$limit kpo-ingest --max-reject-pct 100 --rejects '$T/rej.csv' '$T/ingest.csv.gz'"
is "$rc" 0 "kpo-ingest --max-reject-pct 100: exit 0"
like "$T/rej.csv" '^[^,]*ingest.csv.gz:2,ingest,too many fields,' "the rejects file names the line and the kind"
rej=$(wc -c <"$T/rej.csv")
ok "$([ "$rej" -lt 9000000 ]; echo $?)" "and holds at most the record cap of the line ($rej bytes)"
fast_and_small "kpo-ingest with rejects"

# The same line as a header: a data error, at once.
{ cat "$T/line.gz" "$T/nl.gz"; } >"$T/header.csv.gz"
timed_run "$limit kpo-ingest '$T/header.csv.gz'"
is "$rc" 65 "a header of $n delimiters: exit 65"
like "$T/err" "header.csv.gz:1: the header line has more than 131072 fields" "with a message naming the cap"
fast_and_small "the header"

# Wide but within the cap: 131,072 columns are a header, 131,073 are not.
python3 -c 'print(",".join("c%d" % i for i in range(131072)))' >"$T/wide.csv"
run kpo-ingest "$T/wide.csv"
unlike "$T/err" 'more than 131072 fields' "131,072 columns are within the cap"
python3 -c 'print(",".join("c%d" % i for i in range(131073)))' >"$T/wider.csv"
run kpo-ingest "$T/wider.csv"
is "$rc" 65 "131,073 columns: exit 65"
like "$T/err" 'wider.csv:1: the header line has more than 131072 fields' "the header past the cap is named"

# A record past 8 MiB of short fields: "record too long", and the next row.
{ printf '%s\n' "$H"; head -c 20000000 /dev/zero | tr '\0' x | fold -w 200 | tr '\n' ,; printf '\nT1,V,D,2026-01-01,1,1\n'; } >"$T/long.csv"
timed_run "$limit kpo-ingest --max-reject-pct 100 '$T/long.csv'"
is "$rc" 0 "a 20 MB record of 200-byte fields: exit 0 under --max-reject-pct 100"
like "$T/err" 'long.csv:2: record too long' "rejected as record too long at line 2"
like "$T/err" '2 rows read, 1 written, 1 rejected' "the next row is read"
fast_and_small "a 20 MB record"
done_testing
