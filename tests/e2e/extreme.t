#!/bin/bash
# Extreme inputs: each gets a clear message with FILE:LINE and a status from
# the contract, no crash or hang, bounded memory, and rows read = rows
# written + rows rejected.  Sizes shrink under the sanitizers (KPO_SANITIZED),
# which are slower but check the same paths.
. tests/e2e/lib.sh

H='Task ID,Vendor,Domain,Requested At,Hours,Cost'
big=$([ "${KPO_SANITIZED:-0}" = 1 ] && echo 50000000 || echo 1000000000)

counts_add_up() {  # counts_add_up NAME: the summary line in $T/err adds up
	local s r w j
	s=$(grep 'rows read' "$T/err")
	r=$(sed -E 's/.* ([0-9]+) rows read.*/\1/' <<<"$s")
	w=$(sed -E 's/.* ([0-9]+) written.*/\1/' <<<"$s")
	j=$(sed -E 's/.* ([0-9]+) rejected.*/\1/' <<<"$s")
	is "$r" "$((w + j))" "$1: rows read = written + rejected ($s)"
}
rss_ok() {  # rss_ok LIMIT_KB NAME: $kb below the limit (not measured under sanitizers)
	if [ "${KPO_SANITIZED:-0}" = 1 ]; then
		skip "$2: memory is measured without sanitizers"
	else
		ok "$([ "$kb" -lt "$1" ]; echo $?)" "$2: $kb KB"
	fi
}
rss_run() {  # rss_run CMD: like run, through peakrss; $kb has the peak
	peakrss sh -c "$1" >"$T/out" 2>"$T/err"
	rss_done
}
rss_stdin() {  # rss_stdin CMD... <INPUT: like rss_run, CMD alone measured (not the writer)
	peakrss "$@" >"$T/out" 2>"$T/err"
	rss_done
}
rss_done() {
	rc=$?
	kb=$(sed -n 's/^peakrss: //p' "$T/err")
	sed -i '/^peakrss: /d' "$T/err"
}

: >"$T/empty.csv"
run kpo-ingest "$T/empty.csv"
is "$rc" 65 "an empty file: exit 65"
like "$T/err" 'empty.csv: empty input: no header line' "and says so, naming the file"

printf '\357\273\277' >"$T/bom.csv"
run kpo-ingest "$T/bom.csv"
is "$rc" 65 "a lone BOM: exit 65 (empty)"

printf '%s\n' "$H" >"$T/header.csv"
run kpo-ingest "$T/header.csv"
is "$rc" 0 "a header-only file: exit 0 (no rows is not bad data)"
like "$T/err" '0 rows read, 0 written, 0 rejected' "and the summary says 0 rows"

printf '%s\nT1,V,D,never,1,1\nT2,,D,2026-01-01,1,1\n' "$H" >"$T/allbad.csv"
run kpo-ingest --rejects "$T/rej.csv" "$T/allbad.csv"
is "$rc" 65 "every row rejected: exit 65"
counts_add_up "every row rejected"

# A 10 MB field: unquoted, its row is rejected and reading goes on; quoted,
# the file stops there (the end of the field cannot be told from a quote
# never closed).
{ printf '%s\nT1,' "$H"; head -c 10000000 /dev/zero | tr '\0' v; printf ',D,2026-01-01,1,1\nT2,V,D,2026-01-01,1,1\n'; } >"$T/field.csv"
rss_run "kpo-ingest --max-reject-pct 100 '$T/field.csv'"
is "$rc" 0 "a 10 MB unquoted field: exit 0 under --max-reject-pct 100"
like "$T/err" 'field.csv:2: field too long' "its row is rejected at line 2"
like "$T/out" '^T2,' "the next row is read"
counts_add_up "a 10 MB field"
rss_ok 16384 "a 10 MB field: peak RSS under 16 MB"
{ printf '%s\nT1,"' "$H"; head -c 10000000 /dev/zero | tr '\0' v; printf '",D,2026-01-01,1,1\nT2,V,D,2026-01-01,1,1\n'; } >"$T/qfield.csv"
run kpo-ingest "$T/qfield.csv"
is "$rc" 65 "a 10 MB quoted field: exit 65"
like "$T/err" 'qfield.csv:2: quoted field longer than 1048576 bytes' "reported at line 2, with the limit"

# A 100,000-column header.
python3 -c '
import sys
extra = ["x%d" % i for i in range(100000 - 6)]
print(",".join(sys.argv[1].split(",") + extra))
print(",".join(["T1", "V", "D", "2026-01-01", "1", "1"] + [""] * len(extra)))' "$H" >"$T/wide.csv"
run kpo-ingest "$T/wide.csv"
is "$rc" 0 "a 100,000-column header: exit 0"
like "$T/out" '^T1,,V,D,,2026-01-01T00:00:00Z' "and the row is read"

# One line of $big bytes without a line end: the header, then a data line.
rss_stdin kpo-ingest < <(fill "$big" x)
is "$rc" 65 "a $big-byte header line without a line end: exit 65"
like "$T/err" '^kpo-ingest: -:1: the header line has a field longer than 1048576 bytes, or a quote' "reported at line 1"
rss_ok 16384 "and memory stays bounded (under 16 MB)"
rss_stdin kpo-ingest < <(echo "$H"; fill "$big" x)
is "$rc" 65 "a $big-byte data line without a line end: exit 65 (1 of 1 rejected)"
like "$T/err" '^kpo-ingest: -:2: field too long' "reported at line 2"
counts_add_up "a $big-byte line"
rss_ok 16384 "and memory stays bounded (under 16 MB)"

# NUL bytes and invalid UTF-8 in every column.
printf '%s\nT1,V\0x,D,2026-01-01,1,1\nT2,V,D,2026-01-01,1,1\n' "$H" >"$T/nul.csv"
run kpo-ingest --max-reject-pct 100 "$T/nul.csv"
like "$T/err" "nul.csv:2: invalid UTF-8: column 'Vendor', byte 2: a NUL byte" "a NUL byte is rejected, named"
counts_add_up "NUL bytes"
printf '%s\n\377,\376,\375,\374,\373,\372\nT2,V,D,2026-01-01,1,1\n' "$H" >"$T/utf.csv"
run kpo-ingest --max-reject-pct 100 "$T/utf.csv"
like "$T/err" "utf.csv:2: invalid UTF-8: column 'Task ID', byte 1 \\(0xFF\\)" "invalid UTF-8 in every column: the first is named"
counts_add_up "invalid UTF-8"

# Mixed line ends in one file: LF, CRLF, CR, and a quoted CRLF.
printf '%s\r\nT1,V,D,2026-01-01,1,1\nT2,V,D,2026-01-01,1,1\rT3,"V\r\nW",D,2026-01-01,1,1\r\nT4,V,D,nope,1,1\n' "$H" >"$T/mixed.csv"
run kpo-ingest --max-reject-pct 100 "$T/mixed.csv"
like "$T/out" 'T2,.*mixed.csv:3$' "mixed line ends: T2 on line 3"
like "$T/out" 'T3,,V W,.*mixed.csv:4$' "T3 (with a quoted CRLF) on line 4"
like "$T/err" 'mixed.csv:6: unparsable date' "T4 on line 6"

# A gzip bomb: 1 MB that inflates to $big bytes of one line.  It streams in
# constant memory (kpo sets no inflate limit: it never holds more than a
# record, and a record is capped).
fill_gz "$big" "" >"$T/bomb.csv.gz"
rss_run "kpo-ingest '$T/bomb.csv.gz'"
is "$rc" 65 "a gzip bomb ($(wc -c <"$T/bomb.csv.gz") bytes to $big): exit 65"
rss_ok 16384 "in constant memory (under 16 MB)"

# Numbers and dates at the edges.
cat >"$T/edges.csv" <<EOF2
Task ID,Vendor,Domain,Requested At,Delivered At,Hours,Cost,Quality
N1,V,D,2026-01-01,,1e308,1,
N2,V,D,2026-01-01,,-0,1,
N3,V,D,2026-01-01,,1,9223372036854775807,
N4,V,D,2026-01-01,,NaN,1,
N5,V,D,2026-01-01,,1,inf,
N6,V,D,2026-01-01,,1,1,100
N7,V,D,2026-01-01,,1,1,100.000001
D1,V,D,0001-01-01T00:00:00Z,9999-12-31T23:59:59Z,1,1,
D2,V,D,2026-02-29,,1,1,
D3,V,D,2026-01-01T24:00:00,,1,1,
D4,V,D,2026-01-01T10:00+14:00,2026-01-01T10:00-14:00,1,1,
D5,V,D,2026-01-01T10:00+14:01,,1,1,
EOF2
run kpo-ingest --max-reject-pct 100 "$T/edges.csv"
like "$T/err" "edges.csv:2: number out of range: column 'Hours': '1e308'" "1e308: out of range"
like "$T/out" '^N2,,V,D,,2026-01-01T00:00:00Z,,,0,1,' "-0 is 0"
like "$T/err" "edges.csv:4: number out of range: column 'Cost': '9223372036854775807'" "9223372036854775807: out of range"
like "$T/err" "edges.csv:5: unparsable number: column 'Hours': 'NaN'" "NaN: unparsable"
like "$T/err" "edges.csv:6: unparsable number: column 'Cost': 'inf'" "inf: unparsable"
like "$T/out" '^N6,.*,100,,,.*edges.csv:7$' "quality 100 is in range"
like "$T/err" "edges.csv:8: quality out of range" "quality 100.000001 is not"
like "$T/out" '^D1,,V,D,,0001-01-01T00:00:00Z,,9999-12-31T23:59:59Z,' "years 0001 and 9999"
like "$T/err" "edges.csv:10: unparsable date: column 'Requested At': '2026-02-29'" "Feb 29 of 2026: unparsable"
like "$T/err" "edges.csv:11: unparsable date" "24:00:00: unparsable"
like "$T/out" '^D4,,V,D,,2025-12-31T20:00:00Z,,2026-01-02T00:00:00Z,' "offsets of +14:00 and -14:00"
like "$T/err" "edges.csv:13: unparsable date" "an offset of +14:01: unparsable"
counts_add_up "edge values"

# The later stages on empty, header-only and absurd streams.
C=task_id,engagement_id,vendor,domain,region,requested_at,due_at,delivered_at,hours,cost,currency,inhouse_rate,quality,defects,reworked,source
run kpo-enrich --as-of 2026-11-28 "$T/empty.csv"
is "$rc" 65 "kpo-enrich on an empty stream: exit 65"
like "$T/err" 'empty.csv: empty input' "and says so"
echo "$C" >"$T/canon-header.csv"
run kpo-enrich --as-of 2026-11-28 "$T/canon-header.csv"
is "$rc" 0 "kpo-enrich on a header-only stream: exit 0"
is "$(cat "$T/out")" "$C,cost_base,baseline,savings,tat_h,on_time,month" "and writes the header"
kpo-enrich -q --as-of 2026-11-28 "$T/canon-header.csv" >"$T/enriched-header.csv"
run kpo-metrics --total "$T/enriched-header.csv"
is "$rc" 0 "kpo-metrics on a header-only stream: exit 0"
is "$(wc -l <"$T/out")" 1 "with --total, the header and no ALL row for no rows"
like "$T/err" "no data rows: the input has only a header" "and says there are no data rows"
run kpo-metrics "$T/empty.csv"
is "$rc" 65 "kpo-metrics on an empty stream: exit 65"
{ echo "$C"; echo "T1,,V,D,,0001-01-01T00:00:00Z,,9999-12-31T23:59:59Z,1,1,,,,,,x.csv:2"
  echo "T2,,V,D,,2016-01-04T09:00:00Z,,2025-12-31T17:00:00Z,1,1,,,,,,x.csv:3"; } >"$T/long.csv"
start=$(date +%s.%N)
run kpo-enrich --max-reject-pct 100 --as-of 2026-11-28 --calendar samples/holidays.csv --tz Europe/Berlin "$T/long.csv"
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
like "$T/err" '^kpo-enrich: x.csv:2: turnaround out of range' "a turnaround from year 1 to 9999 is rejected"
like "$T/out" '^T2,.*,x.csv:3,' "ten years of business hours are counted"
ok "$(awk -v s="$secs" 'BEGIN { exit !(s < 10) }'; echo $?)" "in little time: under 10 s, a guard against a blow-up ($secs s)"
counts_add_up "absurd turnarounds"
done_testing
