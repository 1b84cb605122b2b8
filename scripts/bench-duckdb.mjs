// bench-duckdb.mjs: the DuckDB side of `make bench` (scripts/bench).
//
//   node scripts/bench-duckdb.mjs domain EXPORT RATES FX AS_OF
//   node scripts/bench-duckdb.mjs bundle EXPORT RATES FX AS_OF DIR
//   node scripts/bench-duckdb.mjs noop
//
// computes from the raw export (the time-tracker dialect that scripts/gen-data
// writes) what `kpo-ingest | kpo-enrich | kpo-metrics` computes: `domain`
// prints the per-domain table with its ALL row (kpo-metrics --by domain
// --total) as CSV on standard output; `bundle` writes the six tables of
// kpo-metrics --bundle into DIR as .csv.gz, from one GROUPING SETS query;
// `noop` only loads DuckDB and prints its version and threads (the start-up
// cost).
//
// It mirrors kpo-enrich(1) and kpo-metrics(1): cost_base is cost times the fx
// rate (base units per one unit; the base currency USD has rate 1) rounded
// half to even to 1/10000; baseline is hours times the row's own in-house
// rate, else the rates table's by domain and region, else by domain alone
// (converted at the fx rate when the table gives another currency), the exact
// product rounded once; tat_h is the turnaround in hours rounded to 4
// decimals; on_time is 1/0 for delivered rows with a due date, 0 for open rows
// already due at the as-of instant; every metric is rounded half to even to
// 2 decimals from the exact value (the quantiles too: quantile_cont's
// floating-point result is put back on its exact grid first).
// No validation: gen-data writes only valid rows, with at most 2 decimals in
// every number and the booleans as true/false/yes/no (which DuckDB's BOOLEAN
// reads), so nothing kpo would reject or read differently is met.
//
// DuckDB is found in KPO_DUCKDB_DIR (default build/duckdb, where scripts/bench
// installs it with npm).  Timing is left to the caller.

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = process.env.KPO_DUCKDB_DIR || path.join(here, '..', 'build', 'duckdb');
const [mode, exportFile, ratesFile, fxFile, asOf, outDir] = process.argv.slice(2);
const usage = 'usage: bench-duckdb.mjs domain|bundle|noop EXPORT RATES FX AS_OF [DIR]';
if (!['domain', 'bundle', 'noop'].includes(mode) || (mode !== 'noop' && !asOf) ||
    (mode === 'bundle' && !outDir)) {
  console.error(usage);
  process.exit(64);
}

let duckdb;
try {
  const req = createRequire(path.join(path.resolve(dir), 'package.json'));
  duckdb = await import(pathToFileURL(req.resolve('@duckdb/node-api')).href);
} catch (e) {
  console.error(`bench-duckdb: @duckdb/node-api not found under ${dir}: ${e.message}`);
  process.exit(69);
}

const lit = (s) => "'" + String(s).replace(/'/g, "''") + "'";

// Money, hours and the other amounts are fixed point, as in kpo: BIGINT
// counts of 1/10000 ("units4"), fx rates and in-house rates in the base
// currency of 1/10^8, products rounded once, half to even, by integer
// division (DuckDB's round() is half away from zero, round_even() returns a
// DOUBLE, and DECIMAL(38) arithmetic is several times slower than BIGINT).
// DuckDB stops with an error on a BIGINT overflow, it never wraps.
//   hdivp(n, d): n / d rounded half to even, n >= 0, d > 0;  hdiv: any n;
//   units4(x): a DECIMAL(18,4) as a BIGINT of 1/10000;
//   dec2(c): a count of cents as DECIMAL(38,2), the way kpo prints it.
const macros = `
CREATE MACRO hdivp(n, d) AS (n // d) + CASE WHEN 2 * (n % d) > d OR (2 * (n % d) = d AND (n // d) % 2 = 1) THEN 1 ELSE 0 END;
CREATE MACRO hdiv(n, d) AS CASE WHEN n < 0 THEN -hdivp(-n, d) ELSE hdivp(n, d) END;
CREATE MACRO units4(x) AS (x * 10000)::BIGINT;
CREATE MACRO dec2(c) AS (c::DECIMAL(38,0) * 0.01::DECIMAL(3,2))::DECIMAL(38,2);
`;

// The reference tables, and one enriched row per export row.  A rates-table
// rate times its fx rate must be a whole number of 1/10^8 (it is exact in kpo).
const enriched = `
CREATE TEMP TABLE fx AS
  SELECT upper(trim(currency)) AS currency, (rate::DECIMAL(38,8) * 100000000)::BIGINT AS fx8
  FROM read_csv(${lit(fxFile)}, header = true, auto_detect = false, delim = ',', quote = '"',
    escape = '"', columns = {'currency': 'VARCHAR', 'rate': 'DECIMAL(18,8)'})
  UNION ALL SELECT 'USD', 100000000;
CREATE TEMP TABLE rates AS
  SELECT r.domain, coalesce(r.region, '') AS region,
    CASE WHEN (units4(r.rate)::HUGEINT * f.fx8) % 10000 = 0 THEN (units4(r.rate)::HUGEINT * f.fx8 // 10000)::BIGINT
         ELSE error('bench-duckdb: a rate times its fx rate is finer than 1/10^8') END AS rate8
  FROM read_csv(${lit(ratesFile)}, header = true, auto_detect = false, delim = ',', quote = '"',
    escape = '"', columns = {'domain': 'VARCHAR', 'region': 'VARCHAR', 'rate': 'DECIMAL(18,4)',
    'currency': 'VARCHAR'}) r
  JOIN fx f ON f.currency = coalesce(upper(trim(r.currency)), 'USD');
CREATE TEMP VIEW e AS
WITH raw AS (
  SELECT * FROM read_csv(${lit(exportFile)}, header = true, auto_detect = false, delim = ',',
    quote = '"', escape = '"', new_line = '\\n',
    columns = {'task_id': 'VARCHAR', 'engagement_id': 'VARCHAR', 'vendor': 'VARCHAR',
      'domain': 'VARCHAR', 'region': 'VARCHAR', 'requested_at': 'TIMESTAMP', 'due_at': 'DATE',
      'delivered_at': 'TIMESTAMP', 'hours': 'DECIMAL(18,4)', 'cost': 'DECIMAL(18,4)',
      'currency': 'VARCHAR', 'inhouse_rate': 'DECIMAL(18,4)', 'quality': 'DECIMAL(18,4)',
      'defects': 'DECIMAL(18,4)', 'reworked': 'BOOLEAN'})
), money AS (
  SELECT raw.vendor, raw.domain, coalesce(raw.region, '') AS region, raw.delivered_at,
    units4(raw.hours) AS hours, units4(raw.quality) AS quality, units4(raw.defects) AS defects,
    coalesce(raw.reworked, false) AS reworked,
    hdivp(units4(raw.cost) * fx.fx8, 100000000) AS cost_base,
    hdivp(units4(raw.hours) * coalesce(units4(raw.inhouse_rate) * 10000, rr.rate8, rd.rate8), 100000000) AS baseline,
    CASE WHEN raw.delivered_at IS NOT NULL
      THEN (date_diff('second', raw.requested_at, raw.delivered_at) * 25 + 4) // 9 END AS tat,
    CASE WHEN raw.due_at IS NULL THEN NULL
         WHEN raw.delivered_at IS NOT NULL THEN (raw.delivered_at <= raw.due_at::TIMESTAMP)::INTEGER
         WHEN raw.due_at::TIMESTAMP < ${lit(asOf)}::TIMESTAMP THEN 0 END AS on_time,
    date_trunc('month', coalesce(raw.delivered_at, raw.requested_at)) AS month
  FROM raw
  JOIN fx ON fx.currency = coalesce(upper(raw.currency), 'USD')
  LEFT JOIN rates rr ON rr.domain = raw.domain AND rr.region = raw.region AND rr.region <> ''
  LEFT JOIN rates rd ON rd.domain = raw.domain AND rd.region = ''
)
SELECT *, baseline - cost_base AS savings FROM money;
`;

// (tat, the turnaround in 1/10000 h: seconds / 3600 to 4 decimals, half to
// even, is (seconds * 25 + 4) // 9: 9 is odd, so there is no tie.)

// The sums and counts of a group; metrics turns them into the table's columns.
const sums = `
  count(*) AS items, count(delivered_at) AS delivered,
  count(*) FILTER (WHERE delivered_at IS NULL AND on_time = 0) AS overdue,
  sum(hours) AS hours, sum(cost_base) AS cost, sum(baseline) AS baseline, sum(savings) AS savings,
  sum(savings) FILTER (WHERE baseline IS NOT NULL) AS s_both,
  sum(baseline) FILTER (WHERE savings IS NOT NULL) AS b_both,
  sum(quality) AS q_sum, count(quality) AS quality_n,
  sum(coalesce(defects, 0)) FILTER (WHERE delivered_at IS NOT NULL) AS d_sum,
  count(*) FILTER (WHERE delivered_at IS NOT NULL AND reworked) AS n_rework,
  count(*) FILTER (WHERE delivered_at IS NOT NULL AND NOT reworked AND coalesce(defects, 0) <= 0) AS n_fpy,
  count(*) FILTER (WHERE on_time = 1) AS n_on_time, count(on_time) AS n_known,
  sum(tat) AS t_sum, count(tat) AS t_n,
  quantile_cont(tat, [0.1, 0.25, 0.5, 0.75, 0.9]) AS t_q, max(tat) AS t_max`;

const c2 = (x) => `dec2(hdiv(${x}::HUGEINT, 100))`;
const pct = (a, b) => `CASE WHEN ${b} > 0 THEN dec2(hdiv(${a}::HUGEINT * 10000, ${b})) END`;
const mean = (s, n) => `CASE WHEN ${n} > 0 THEN dec2(hdiv(${s}::HUGEINT, ${n} * 100)) END`;
// quantile_cont interpolates in floating point; with turnarounds in 1/10000 h
// and quantiles at whole percents the exact quantile is a whole number of
// 1/10^6 h, so rounding to that grid gives it back before the cents.
const q2 = (i) => `dec2(hdiv(round(t_q[${i}] * 100)::HUGEINT, 10000))`;
const metrics = `
  items, delivered, items - delivered AS open, overdue,
  ${c2('hours')} AS hours, ${c2('cost')} AS cost, ${c2('baseline')} AS baseline, ${c2('savings')} AS savings,
  CASE WHEN b_both <> 0 THEN dec2(hdiv(s_both::HUGEINT * 10000, b_both)) END AS savings_pct,
  ${mean('q_sum', 'quality_n')} AS quality_mean, quality_n,
  ${mean('d_sum', 'delivered')} AS defects_per_item,
  ${pct('n_rework', 'delivered')} AS rework_rate, ${pct('n_fpy', 'delivered')} AS first_pass_yield,
  ${pct('n_on_time', 'n_known')} AS on_time_pct,
  ${mean('t_sum', 't_n')} AS tat_mean_h,
  ${q2(1)} AS tat_p10_h, ${q2(2)} AS tat_p25_h, ${q2(3)} AS tat_p50_h,
  ${q2(4)} AS tat_p75_h, ${q2(5)} AS tat_p90_h, ${c2('t_max')} AS tat_max_h`;

// kpo-metrics --bundle's tables: name and key columns.
const tables = [['by-domain', ['domain']], ['by-vendor', ['vendor']], ['by-region', ['region']],
  ['by-month', ['month']], ['by-domain-month', ['domain', 'month']],
  ['by-vendor-domain', ['vendor', 'domain']]];
const allKeys = ['domain', 'vendor', 'region', 'month'];
const show = (k) => (k === 'month' ? "strftime(month, '%Y-%m')" : k);  // month is grouped as a timestamp

const instance = await duckdb.DuckDBInstance.create(':memory:');
const con = await instance.connect();
const run = (sql) => con.run(sql);

if (mode === 'noop') {
  const r = await con.runAndReadAll("SELECT version(), current_setting('threads')");
  console.log(r.getRows()[0].map(String).join(' '));
  process.exit(0);
}
await run(macros);
await run(enriched);

if (mode === 'domain') {
  await run(`COPY (
    WITH g AS (SELECT grouping(domain) AS total, domain, ${sums} FROM e GROUP BY ROLLUP (domain))
    SELECT CASE WHEN total = 1 THEN 'ALL' ELSE domain END AS domain, ${metrics}
    FROM g ORDER BY total, domain
  ) TO '/dev/stdout' (FORMAT csv, HEADER)`);
} else {
  // One pass over the rows: every grouping at once, ALL (the empty set) once
  // and shared by the six tables.
  const sets = tables.map(([, keys]) => '(' + keys.join(', ') + ')').join(', ');
  await run(`CREATE TEMP TABLE g AS
    SELECT ${allKeys.map((k) => `grouping(${k}) AS g_${k}`).join(', ')}, ${allKeys.join(', ')}, ${sums}
    FROM e GROUP BY GROUPING SETS (${sets}, ())`);
  const fs = await import('node:fs');
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, keys] of tables) {
    const mine = allKeys.map((k) => `g_${k} = ${keys.includes(k) ? 0 : 1}`).join(' AND ');
    const none = allKeys.map((k) => `g_${k} = 1`).join(' AND ');
    const file = path.join(outDir, name + '.csv.gz');
    await run(`COPY (
      SELECT ${keys.map((k) => `CASE WHEN ${none} THEN 'ALL' ELSE ${show(k)} END AS ${k}`).join(', ')}, ${metrics}
      FROM g WHERE (${mine}) OR (${none})
      ORDER BY (${none}), ${keys.join(', ')}
    ) TO ${lit(file)} (FORMAT csv, HEADER, COMPRESSION gzip)`);
  }
}
