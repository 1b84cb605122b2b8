#!/bin/sh
# kpo-metrics --costs, --governance-pct, --fx: the total cost of outsourcing
# against a hand-computed table and the independent reference
# tests/ref/metrics_ref.py; bad costs rows rejected with FILE:LINE and
# counted; the same bytes whatever the order of the rows.
. "$(dirname "$0")/lib.sh"
G=$TOP/tests/golden/metrics
REF="python3 $TOP/tests/ref/metrics_ref.py"
EDGE=$G/edge.csv
COSTS="--costs $G/costs-edge.csv --fx $G/fx-costs.csv --governance-pct 10 --as-of 2025-01-31"

# Hand-computed (tests/golden/metrics/README): governance from the table and
# the 10 % default, a transition in EUR over Nov-Jan spread by domain
# shares into months without rows, a domain-less other cost, a vendor with
# no rows, a cost after the as-of month left out, one bad row.
run kpo-metrics --total --rejects "$T/rej.csv" --max-reject-pct 20 $COSTS "$EDGE"
is "$rc" 0 "edge with costs: exit 0"
same "$T/out" "$G/edge-costs-domain-total.csv" "edge with costs: the hand-computed table"
is "$(cat "$T/err")" "kpo-metrics: $G/costs-edge.csv:6: unknown cost kind: column 'kind': 'fee' (governance, transition or other)
kpo-metrics: 7 rows read, 7 used, 0 rejected; costs: 6 rows read, 5 used, 1 rejected (1 unknown cost kind)
kpo-metrics: --costs: vendor 'Ghost' has no rows in the stream; its costs are counted under it alone" \
	"edge with costs: the bad costs row named at FILE:LINE, counted apart from the stream's rows; a vendor without rows named"
like "$T/rej.csv" "^$G/costs-edge\\.csv:6,metrics,\"unknown cost kind: column 'kind': 'fee' \\(governance, transition or other\\)\",\"2024-05-01,Acme,legal,fee,5,,\"\$" \
	"the bad costs row in the rejects file, raw"
$REF --total $COSTS "$EDGE" >"$T/ref"
same "$T/ref" "$G/edge-costs-domain-total.csv" "the reference agrees with the hand-computed table"
run kpo-metrics --total $COSTS "$EDGE"
is "$rc" 65 "1 of 6 costs rows bad is more than the default 5 %: exit 65"
like "$T/err" "^kpo-metrics: 1 of 6 costs rows rejected, more than --max-reject-pct 5%\$" "the costs threshold says so"
is "$(wc -c <"$T/out")" 0 "costs threshold passed: no table"

# Without --costs or --governance-pct the overheads are not known: empty,
# not a flattering 0; --governance-pct alone is the default on every vendor.
kpo-metrics -q --total "$EDGE" | tail -n 1 | cut -d, -f38-43 >"$T/none"
is "$(cat "$T/none")" ",,,,," "no costs: governance .. net_savings_pct empty"
# 4.5 % of each vendor x domain x month's cost: 4.5 + 9 + 2.25 + 1.8 + 2.7002
# (of 60.005, half to even) + 3.6 + 5.4225 = 29.2727; tco 650.505 + 29.2727;
# net savings 109.5 - (29.2727 - 1.8 - 2.7002, the rows without a baseline).
kpo-metrics -q --total --governance-pct 4.5 "$EDGE" | tail -n 1 | cut -d, -f38-43 >"$T/gov"
is "$(cat "$T/gov")" "29.27,0.00,0.00,679.78,84.73,12.84" "--governance-pct 4.5 alone: governance, tco, net savings"
$REF --total --governance-pct 4.5 "$EDGE" | tail -n 1 | cut -d, -f38-43 >"$T/govref"
same "$T/govref" "$T/gov" "--governance-pct alone: the reference agrees"

# Bad costs rows, one of each kind; structural faults end the run.
cat >"$T/bad.csv" <<'EOF'
date,vendor,domain,kind,amount,currency,months
2024-05-01,Acme,legal,governance,10,,
,Acme,legal,governance,10,,
2024-13-01,Acme,legal,governance,10,,
2024-05-01,Acme,legal,governance,ten,,
2024-05-01,Acme,legal,governance,-3,,
2024-05-01,Acme,legal,transition,10,,0
2024-05-01,Acme,legal,other,10,,6
2024-05-01,Acme,legal,other,10,XYZ,
2024-05-01,Acme,legal,other,10,,,extra
"2024-05-01",Acme,legal,other,1"0,,
EOF
run kpo-metrics -q --by vendor --max-reject-pct 100 --rejects "$T/rej2.csv" --costs "$T/bad.csv" "$EDGE"
is "$rc" 0 "bad costs rows: rejected, the run goes on (exit 0 under --max-reject-pct 100)"
for want in "bad.csv:3,metrics,missing value: date is empty" \
	"bad.csv:4,metrics,unparsable date: column 'date': '2024-13-01'" \
	"bad.csv:5,metrics,unparsable number: column 'amount': 'ten'" \
	"bad.csv:6,metrics,negative value: column 'amount': '-3'" \
	"bad.csv:7,metrics,months out of range: column 'months': '0'" \
	"bad.csv:8,metrics,\"months without transition: only a transition cost is amortised: kind 'other'" \
	"bad.csv:9,metrics,\"unknown currency: currency 'XYZ' is not the base currency USD, and no --fx table was given" \
	"bad.csv:10,metrics,\"wrong field count: 8 fields, the header has 7" \
	"bad.csv:11,metrics,malformed quotes"; do
	like "$T/rej2.csv" "^$T/$(printf '%s' "$want" | sed 's/[][().*]/\\&/g')" "rejected: $(printf '%s' "${want#*metrics,}" | tr -d '"')"
done
is "$(($(wc -l <"$T/rej2.csv") - 1))" 9 "nine costs rows in the rejects file"
like "$T/out" "^Acme,.*" "the good costs row is used"
printf 'when,vendor,kind,amount\n' >"$T/nodate.csv"
run kpo-metrics --costs "$T/nodate.csv" "$EDGE"
is "$rc" 65 "a costs table without a date column: exit 65"
like "$T/err" "nodate\\.csv:1: column 'date' missing; the header should be 'date,vendor,domain,kind,amount,currency,months" \
	"names the missing column and the header"
run kpo-metrics --costs "$T/none.csv" "$EDGE"
is "$rc" 66 "a costs table that is not there: exit 66"
run kpo-metrics --fx "$G/fx-costs.csv" "$EDGE"
like "$T/err" "^kpo-metrics: --fx prices the --costs table; without one it has no effect\$" "--fx without --costs: a warning"
run kpo-enrich --costs "$G/costs-edge.csv" "$EDGE"
is "$rc" 64 "kpo-enrich --costs: exit 64"
like "$T/err" "^kpo-enrich: --costs is an option of kpo-metrics" "... and it says where the option is"
run kpo-metrics --governance-pct 101 "$EDGE"
is "$rc" 64 "--governance-pct 101: exit 64"
like "$T/err" "^kpo-metrics: --governance-pct: a percentage from 0 to 100 with at most 6 decimals expected: '101'\$" \
	"--governance-pct 101: the message"

# Generated data: every kind, vendors spanning domains, transitions over the
# year's end into months without rows, a vendor without rows, a dated EUR
# rate, a domain with one vendor (hhi 10000).
# The bundle covers the groupings by domain, vendor, region, month and two
# pairs; --by task_id and region,vendor,domain split the leaves otherwise.
rows=1200
[ -n "${KPO_SANITIZED:-}" ] && rows=400
$REF --generate $rows --seed 1 >"$T/g1.csv"
$REF --generate-costs 40 --seed 3 >"$T/gc.csv"
printf 'date,currency,rate\n2024-01-01,EUR,1.08\n2024-07-01,EUR,1.1125\n' >"$T/fx.csv"
GEN="--costs $T/gc.csv --fx $T/fx.csv --governance-pct 4.5 --as-of 2025-03-31"
for by in region,vendor,domain task_id; do
	kpo-metrics -q --by $by --total $GEN "$T/g1.csv" >"$T/c.csv" 2>"$T/err"
	crc=$?
	$REF --by $by --total $GEN "$T/g1.csv" >"$T/r.csv"
	if [ $crc -eq 0 ] && cmp -s "$T/c.csv" "$T/r.csv"; then
		ok 0 "generated, costs, --by $by = reference"
	else
		ok 1 "generated, costs, --by $by = reference (exit $crc)"
		diff "$T/r.csv" "$T/c.csv" | head -n 10 | diag "$(cat)"
	fi
done
kpo-metrics -q --by domain $GEN "$T/g1.csv" 2>/dev/null | grep '^solo,' | cut -d, -f46,47 >"$T/solo"
is "$(cat "$T/solo")" "10000.00,100.00" "the domain with one vendor: hhi 10000.00, top vendor 100.00 %"
kpo-metrics -q --by month $GEN "$T/g1.csv" 2>/dev/null | grep '^2025-' | cut -d, -f1,2,40 >"$T/y2025"
is "$(cut -d, -f1 "$T/y2025" | tr '\n' ' ')" "2025-01 2025-02 2025-03 " \
	"transitions amortised across the year's end, up to the as-of month"
is "$(cut -d, -f2 "$T/y2025" | sort -u)" "0" "... in months without rows (items 0)"

# The bundle: every table equal to the reference, byte-identical on
# shuffled rows and on the costs table shuffled.
kpo-metrics -q --bundle "$T/b1" $GEN "$T/g1.csv" "$EDGE" 2>"$T/b1.err"
like "$T/b1.err" "vendor 'Ghost Ltd' has no rows in the stream" "a costs vendor without rows is named"
$REF --bundle "$T/rb" $GEN "$T/g1.csv" "$EDGE"
for t in domain vendor region month domain-month vendor-domain; do
	gzip -dc "$T/b1/by-$t.csv.gz" >"$T/c.csv"
	same "$T/c.csv" "$T/rb/by-$t.csv" "bundle with costs: by-$t = reference"
done
yes | head -c 1000000 >"$T/random"
{ head -n 1 "$T/g1.csv"; tail -n +2 "$T/g1.csv" | shuf --random-source="$T/random"; } >"$T/shuf.csv"
{ head -n 1 "$T/gc.csv"; tail -n +2 "$T/gc.csv" | shuf --random-source="$T/random"; } >"$T/gcs.csv"
cmp -s "$T/shuf.csv" "$T/g1.csv"
is "$?" 1 "the shuffled stream differs from the original"
kpo-metrics -q --bundle "$T/b2" --costs "$T/gcs.csv" --fx "$T/fx.csv" --governance-pct 4.5 --as-of 2025-03-31 \
	"$EDGE" "$T/shuf.csv" 2>/dev/null
same_gz=0
for f in "$T"/b1/*; do
	cmp -s "$f" "$T/b2/$(basename "$f")" || { same_gz=1; diag "$(basename "$f") differs"; }
done
is "$same_gz" 0 "bundle with costs: byte-identical on shuffled rows and a shuffled costs table"

done_testing
