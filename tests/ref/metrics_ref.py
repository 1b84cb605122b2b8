#!/usr/bin/env python3
"""Independent reference implementation of kpo-metrics.

Written from DESIGN.md and the kpo-metrics(1) definitions, not from the C code,
so the end-to-end tests can check the stage against a second opinion.  Exact
arithmetic with fractions.Fraction; rounding half to even to 2 decimals.

Usage:
  metrics_ref.py [--by KEYS] [--total] FILE...      the table on stdout
  metrics_ref.py --bundle DIR FILE...               DIR/by-*.csv (not gzipped)
  metrics_ref.py --generate N [--seed S]            a random enriched stream

Rows whose numbers do not parse are skipped (kpo-metrics rejects them).
Python 3 standard library only.
"""

import argparse
import csv
import gzip
import os
import random
import re
import sys
from fractions import Fraction

METRICS = ["items", "delivered", "open", "overdue", "hours", "cost", "baseline", "savings",
           "savings_pct", "quality_mean", "quality_n", "defects_per_item", "rework_rate",
           "first_pass_yield", "on_time_pct", "tat_mean_h", "tat_p10_h", "tat_p25_h",
           "tat_p50_h", "tat_p75_h", "tat_p90_h", "tat_max_h"]
BUNDLE = [("by-domain.csv", ["domain"]), ("by-vendor.csv", ["vendor"]),
          ("by-region.csv", ["region"]), ("by-month.csv", ["month"]),
          ("by-domain-month.csv", ["domain", "month"]),
          ("by-vendor-domain.csv", ["vendor", "domain"])]
NUMBER = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,12})?")


def num(s):
    """None for empty; raises ValueError when not a plain decimal."""
    if s == "":
        return None
    if not NUMBER.fullmatch(s):
        raise ValueError(s)
    return Fraction(s)


def boolean(s):
    if s == "":
        return None
    if s in ("0", "1"):
        return int(s)
    raise ValueError(s)


def round4(x):
    """To 1/10000, half to even (tat_h is kept at 4 decimals)."""
    return Fraction(round(x * 10000), 10000)


def fmt2(x):
    if x is None:
        return ""
    r = round(Fraction(x) * 100)          # int: Fraction rounds half to even
    sign = "-" if r < 0 else ""
    r = abs(r)
    return "%s%d.%02d" % (sign, r // 100, r % 100)


def quantile7(xs, p):
    """numpy.percentile(xs, p) exactly: linear between order statistics."""
    h = Fraction(len(xs) - 1) * p / 100
    lo = h.numerator // h.denominator
    if lo + 1 < len(xs):
        return xs[lo] + (h - lo) * (xs[lo + 1] - xs[lo])
    return xs[lo]


def read_rows(paths):
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", newline="") as f:
            for rec in csv.DictReader(f):
                try:
                    row = dict(rec)
                    for c in ("hours", "cost_base", "baseline", "savings", "quality", "defects", "tat_h"):
                        row["_" + c] = num(rec[c])
                    for c in ("reworked", "on_time"):
                        row["_" + c] = boolean(rec[c])
                    if row["_tat_h"] is not None:
                        row["_tat_h"] = round4(row["_tat_h"])
                        if abs(row["_tat_h"]) >= Fraction(2 ** 39, 10000):
                            raise ValueError("tat range")
                except ValueError:
                    continue
                yield row


def metrics(rows):
    """The metric cells of one group, as strings."""
    items = len(rows)
    dl = [r for r in rows if r["delivered_at"] != ""]
    delivered = len(dl)
    overdue = sum(1 for r in rows if r["delivered_at"] == "" and r["_on_time"] == 0)

    def total(col):
        vals = [r["_" + col] for r in rows if r["_" + col] is not None]
        return sum(vals) if vals else None

    both = [r for r in rows if r["_baseline"] is not None and r["_savings"] is not None]
    b = sum(r["_baseline"] for r in both)
    s = sum(r["_savings"] for r in both)
    pct = 100 * s / b if both and b != 0 else None
    q = [r["_quality"] for r in rows if r["_quality"] is not None]
    defects = sum((r["_defects"] or 0) for r in dl)
    reworked = sum(1 for r in dl if r["_reworked"] == 1)
    first_pass = sum(1 for r in dl if r["_reworked"] != 1 and not (r["_defects"] or 0) > 0)
    known = [r["_on_time"] for r in rows if r["_on_time"] is not None]
    tat = sorted(r["_tat_h"] for r in dl if r["_tat_h"] is not None)

    def ratio(n, d):
        return Fraction(n) / d if d else None

    out = [str(items), str(delivered), str(items - delivered), str(overdue),
           fmt2(total("hours")), fmt2(total("cost_base")), fmt2(total("baseline")),
           fmt2(total("savings")), fmt2(pct),
           fmt2(ratio(sum(q), len(q))), str(len(q)),
           fmt2(ratio(defects, delivered)), fmt2(ratio(100 * reworked, delivered)),
           fmt2(ratio(100 * first_pass, delivered)),
           fmt2(ratio(100 * sum(known), len(known))),
           fmt2(ratio(sum(tat), len(tat)))]
    for p in (10, 25, 50, 75, 90):
        out.append(fmt2(quantile7(tat, p)) if tat else "")
    out.append(fmt2(tat[-1]) if tat else "")
    return out


def field(s):
    """Minimal quoting, as every kpo stage writes CSV."""
    if s and (s[0] in " \t" or s[-1] in " \t" or any(c in s for c in ',"\r\n')):
        return '"' + s.replace('"', '""') + '"'
    return s


def table(rows, keys, with_total):
    groups = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in keys), []).append(r)
    lines = [",".join(keys + METRICS)]
    for key in sorted(groups, key=lambda t: tuple(k.encode("utf-8") for k in t)):
        lines.append(",".join([field(k) for k in key] + metrics(groups[key])))
    if with_total:
        lines.append(",".join(["ALL"] * len(keys) + metrics(rows)))
    return "\n".join(lines) + "\n"


def generate(n, seed):
    rnd = random.Random(seed)
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["task_id", "engagement_id", "vendor", "domain", "region", "requested_at", "due_at",
                "delivered_at", "hours", "cost", "currency", "inhouse_rate", "quality", "defects",
                "reworked", "source", "cost_base", "baseline", "savings", "tat_h", "on_time", "month"])
    vendors = ["Acme", "Beta BPO", "Gamma, Inc.", "Дельта", "Epsilon \"KPO\"", "Zeta"]
    domains = ["legal", "research", "translation", "analytics", "финансы"]
    regions = ["EU", "US", "APAC", ""]

    def fixed(k, places):
        """The integer K / 10^PLACES as a plain decimal."""
        sign = "-" if k < 0 else ""
        k = abs(k)
        if places == 0:
            return sign + str(k)
        return "%s%d.%s" % (sign, k // 10 ** places, str(k % 10 ** places).zfill(places))

    def dec(lo, hi, places):
        return fixed(rnd.randint(lo * 10 ** places, hi * 10 ** places), places)

    for i in range(n):
        delivered = rnd.random() < 0.8
        month = "2024-%02d" % rnd.randint(1, 12)
        hours = dec(0, 40, rnd.choice([0, 1, 2, 12]))
        cost4 = rnd.randint(0, 5000 * 10 ** 4)
        cost = fixed(cost4, 4)
        base, savings = "", ""
        if rnd.random() < 0.85:
            base4 = 0 if rnd.random() < 0.05 else rnd.randint(0, 6000 * 10 ** 4)
            base, savings = fixed(base4, 4), fixed(base4 - cost4, 4)
        quality = dec(0, 100, rnd.choice([0, 1, 12])) if rnd.random() < 0.7 else ""
        defects = str(rnd.choice([0, 0, 0, 1, 2, 5])) if rnd.random() < 0.8 else ""
        reworked = rnd.choice(["0", "0", "1", ""])
        if delivered:
            tat = dec(0, 500, rnd.choice([4, 4, 4, 1, 0, 6]))
            on_time = rnd.choice(["0", "1", "1", ""])
        else:
            tat = ""
            on_time = rnd.choice(["0", ""])
        w.writerow(["T%d" % i, "E%d" % (i % 37), rnd.choice(vendors), rnd.choice(domains),
                    rnd.choice(regions), month + "-01T00:00:00Z", "",
                    month + "-02T00:00:00Z" if delivered else "", hours, cost, "USD", "",
                    quality, defects, reworked, "gen.csv:%d" % (i + 2), cost, base, savings,
                    tat, on_time, month])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--by", default="domain")
    ap.add_argument("--total", action="store_true")
    ap.add_argument("--bundle")
    ap.add_argument("--generate", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    if a.generate is not None:
        generate(a.generate, a.seed)
        return 0
    rows = list(read_rows(a.files))
    if a.bundle:
        os.makedirs(a.bundle, exist_ok=True)
        for name, keys in BUNDLE:
            with open(os.path.join(a.bundle, name), "w", encoding="utf-8", newline="") as f:
                f.write(table(rows, keys, True))
        return 0
    sys.stdout.write(table(rows, a.by.split(","), a.total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
