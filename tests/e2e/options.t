#!/bin/sh
# Option arguments every stage reads the same way (lib/args.c): --base,
# --as-of and --max-reject-pct take the same values and say the same thing
# when given something else.
. tests/e2e/lib.sh

printf 'task_id,engagement_id,vendor,domain,region,requested_at,due_at,delivered_at,hours,cost,currency,inhouse_rate,quality,defects,reworked,source\n' >"$T/canon.csv"
for stage in kpo-enrich kpo-metrics; do
	run "$stage" --base US1 "$T/canon.csv"
	is "$rc" 64 "$stage --base US1: exit 64"
	like "$T/err" "^$stage: --base: a three-letter currency code such as USD expected: 'US1'\$" \
		"$stage --base US1: the shared message"
	run "$stage" --as-of yesterday "$T/canon.csv"
	is "$rc" 64 "$stage --as-of yesterday: exit 64"
	like "$T/err" "^$stage: --as-of: a date \\(YYYY-MM-DD\\) or date-time expected: 'yesterday'\$" \
		"$stage --as-of yesterday: the shared message"
done
for stage in kpo-ingest kpo-enrich kpo-metrics; do
	run "$stage" --max-reject-pct 101 "$T/canon.csv"
	is "$rc" 64 "$stage --max-reject-pct 101: exit 64"
	like "$T/err" "^$stage: --max-reject-pct: a number from 0 to 100 expected: '101'\$" \
		"$stage --max-reject-pct 101: the shared message"
	is "$("$stage" --version)" "$stage $(cat VERSION)" "$stage --version"
done
# Lower case is the same code.
kpo-enrich -q --base eur "$T/canon.csv" >/dev/null 2>&1
ok $? "kpo-enrich --base eur is accepted"
kpo-enrich -q --as-of 2026-01-01 "$T/canon.csv" >"$T/enriched.csv"
kpo-metrics -q --base eur --bundle "$T/b" "$T/enriched.csv" 2>/dev/null
like "$T/b/meta.csv" "^base_currency,EUR\$" "kpo-metrics --base eur writes EUR"
done_testing
