#!/usr/bin/env python3
"""Independent reference implementation of kpo-metrics.

Written from DESIGN.md, kpo(7) and the kpo-metrics(1) definitions, not from
the C code, so the end-to-end tests can check the stage against a second
opinion.  Exact arithmetic with fractions.Fraction; rounding half to even to
2 decimals.  The Wilson bounds with the decimal module at 60 digits.

Usage:
  metrics_ref.py [--as-of T] [--by KEYS] [--total] [COSTS] FILE...   the table on stdout
  metrics_ref.py [--as-of T] --bundle DIR [COSTS] FILE...            DIR/by-*.csv and the two
                                                                     exception lists (not gzipped)
  metrics_ref.py --generate N [--seed S]                             a random enriched stream
  metrics_ref.py --generate-costs N [--seed S]                       a costs table for it
COSTS: [--costs FILE [--fx FILE]] [--governance-pct P]

--as-of is a date (its 00:00 UTC) or a date-time YYYY-MM-DDTHH:MM:SSZ: the
instant open items are judged at (age, past due, at risk); costs after its
month are left out.  The default is today.

Rows whose numbers do not parse are skipped (kpo-metrics rejects them); so
are costs rows that kpo-metrics rejects (this reference reads plain decimals
only).  Python 3 standard library only.
"""

import argparse
import calendar
import csv
import functools
import datetime
import gzip
import os
import random
import re
import sys
from decimal import Decimal, getcontext
from fractions import Fraction

METRICS = ["items", "delivered", "open", "overdue", "hours", "cost", "baseline", "savings",
           "savings_pct", "quality_mean", "quality_n", "defects_per_item", "rework_rate",
           "first_pass_yield", "on_time_pct", "tat_mean_h", "tat_p10_h", "tat_p25_h",
           "tat_p50_h", "tat_p75_h", "tat_p90_h", "tat_max_h",
           "hours_n", "cost_n", "baseline_n", "savings_n",
           "reworked_n", "defective_n", "on_time_pct_lo", "on_time_pct_hi",
           "sla_attainment_pct_lo", "sla_attainment_pct_hi", "rework_rate_lo", "rework_rate_hi",
           "first_pass_yield_lo", "first_pass_yield_hi", "governance", "transition", "other_cost",
           "tco", "net_savings", "net_savings_pct", "cost_per_item",
           "effective_rate", "hhi", "top_vendor_share_pct",
           "sla_attainment_pct", "at_risk", "open_0_7d", "open_8_30d", "open_31_90d",
           "open_over_90d", "on_time_n"]
KINDS = ["governance", "transition", "other"]
Z = Decimal("1.959963984540054")        # the 0.975 quantile of the standard normal, 16 digits
BUNDLE = [("by-domain.csv", ["domain"]), ("by-vendor.csv", ["vendor"]),
          ("by-region.csv", ["region"]), ("by-month.csv", ["month"]),
          ("by-domain-month.csv", ["domain", "month"]),
          ("by-vendor-domain.csv", ["vendor", "domain"])]
LISTS = [("open-breached.csv", ["task_id", "vendor", "domain", "requested_at", "due_at",
                                 "days_overdue", "source"]),
         ("at-risk.csv", ["task_id", "vendor", "domain", "requested_at", "due_at",
                          "days_overdue", "source", "pct_of_window_used"])]
NUMBER = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,12})?")
AS_OF = None            # seconds since the epoch, set by main()


def instant(s):
    """Seconds since 1970 of YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)."""
    fmt = "%Y-%m-%d" if len(s) == 10 else "%Y-%m-%dT%H:%M:%SZ"
    return calendar.timegm(datetime.datetime.strptime(s, fmt).timetuple())


def stamp(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def judge_open(r):
    """An open row at AS_OF: its age bucket, and 'breached', 'at_risk' or None."""
    age_days = max(AS_OF - r["_req"], 0) // 86400
    bucket = 0 if age_days <= 7 else 1 if age_days <= 30 else 2 if age_days <= 90 else 3
    state = None
    if r["_due"] is not None:
        if r["_due"] < AS_OF:
            state = "breached"
        else:
            window = r["_due"] - r["_req"]
            elapsed = AS_OF - r["_req"]
            if window >= 0 and Fraction(elapsed) >= Fraction(3, 4) * window:
                state = "at_risk"
    return bucket, state


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
                    if rec["delivered_at"] == "":
                        if rec["requested_at"] == "":
                            raise ValueError("requested_at")
                        row["_req"] = instant(rec["requested_at"])
                        row["_due"] = instant(rec["due_at"]) if rec["due_at"] else None
                except ValueError:
                    continue
                yield row


@functools.lru_cache(maxsize=None)
def wilson(k, n):
    """The 95 % Wilson score bounds of K in N, in percent, as 2-decimal strings."""
    if n == 0:
        return "", ""
    getcontext().prec = 60
    k, n = Decimal(k), Decimal(n)
    z2 = Z * Z
    d = n + z2
    c = (k + z2 / 2) / d
    h = Z * (k * (n - k) / n + z2 / 4).sqrt() / d
    lo = Decimal(0) if k == 0 else max(Decimal(0), c - h)
    hi = Decimal(1) if k == n else min(Decimal(1), c + h)
    return fmt2(Fraction(lo) * 100), fmt2(Fraction(hi) * 100)


def metrics(rows, leaves=(), known=False):
    """The metric cells of one group, as strings.  LEAVES: the allocation's
    leaves of the group (their overheads); KNOWN: the run has overheads."""
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
    defective = sum(1 for r in dl if (r["_defects"] or 0) > 0)
    first_pass = sum(1 for r in dl if r["_reworked"] != 1 and not (r["_defects"] or 0) > 0)
    known_ot = [r["_on_time"] for r in rows if r["_on_time"] is not None]
    tat = sorted(r["_tat_h"] for r in dl if r["_tat_h"] is not None)

    def ratio(n, d):
        return Fraction(n) / d if d else None

    opened = [r for r in rows if r["delivered_at"] == ""]
    judged = [judge_open(r) for r in opened]
    buckets = [sum(1 for b, _ in judged if b == k) for k in range(4)]
    breached = sum(1 for _, st in judged if st == "breached")
    at_risk = sum(1 for _, st in judged if st == "at_risk")
    dl_known = [r["_on_time"] for r in dl if r["_on_time"] is not None]

    out = [str(items), str(delivered), str(items - delivered), str(overdue),
           fmt2(total("hours")), fmt2(total("cost_base")), fmt2(total("baseline")),
           fmt2(total("savings")), fmt2(pct),
           fmt2(ratio(sum(q), len(q))), str(len(q)),
           fmt2(ratio(defects, delivered)), fmt2(ratio(100 * reworked, delivered)),
           fmt2(ratio(100 * first_pass, delivered)),
           fmt2(ratio(100 * sum(known_ot), len(known_ot))),
           fmt2(ratio(sum(tat), len(tat)))]
    for p in (10, 25, 50, 75, 90):
        out.append(fmt2(quantile7(tat, p)) if tat else "")
    out.append(fmt2(tat[-1]) if tat else "")
    # Coverage: how many rows each sum and the savings % stand on.
    for col in ("hours", "cost_base", "baseline"):
        out.append(str(sum(1 for r in rows if r["_" + col] is not None)))
    out.append(str(len(both)))

    # Honest numbers.
    out += [str(reworked), str(defective)]
    out += wilson(sum(known_ot), len(known_ot))
    out += wilson(sum(dl_known), len(dl_known) + breached)   # sla_attainment_pct
    out += wilson(reworked, delivered)
    out += wilson(first_pass, delivered)
    ovh = [sum(Fraction(l["ovh"][k], 10000) for l in leaves) for k in range(3)]
    unpriced_ovh = sum(Fraction(sum(l["ovh"]), 10000) for l in leaves if l["priced"] == 0)
    got = any(l["got"] for l in leaves)
    costed = [r["_cost_base"] for r in rows if r["_cost_base"] is not None]
    cost = sum(costed)
    tco = cost + sum(ovh) if known and (costed or got) else None
    out += [fmt2(ovh[0]) if known else "", fmt2(ovh[1]) if known else "",
            fmt2(ovh[2]) if known else "", fmt2(tco)]
    net = s - (sum(ovh) - unpriced_ovh)       # overheads of rows without a baseline left out
    out += [fmt2(net) if known and both else "",
            fmt2(100 * net / b) if known and both and b != 0 else ""]
    out.append(fmt2(tco / delivered) if tco is not None and delivered else "")
    rated = [r for r in rows if r["_cost_base"] is not None and r["_hours"] is not None]
    hrs = sum(r["_hours"] for r in rated)
    out.append(fmt2(sum(r["_cost_base"] for r in rated) / hrs) if rated and hrs != 0 else "")
    # Vendor concentration: each vendor's cost to 1/10^4, then the shares.
    by_vendor = {}
    for r in rows:
        if r["_cost_base"] is not None:
            by_vendor[r["vendor"]] = by_vendor.get(r["vendor"], 0) + r["_cost_base"]
    c4 = [round(c * 10000) for c in by_vendor.values()]
    if costed and sum(c4) > 0 and min(c4) >= 0:
        out += [fmt2(Fraction(10000 * sum(c * c for c in c4), sum(c4) ** 2)),
                fmt2(Fraction(100 * max(c4), sum(c4)))]
    else:
        out += ["", ""]
    out += [fmt2(ratio(100 * sum(dl_known), len(dl_known) + breached)), str(at_risk)]
    out += [str(b) for b in buckets]
    out.append(str(len(known_ot)))
    return out


def exception_lists(rows):
    """The two lists: (file, header, lines), each sorted the most overdue first."""
    items = {"breached": [], "at_risk": []}
    for r in rows:
        if r["delivered_at"] != "":
            continue
        _, state = judge_open(r)
        if state:
            items[state].append(r)
    out = []
    for (name, header), state in zip(LISTS, ["breached", "at_risk"]):
        def key(r):
            b = lambda c: r.get(c, "").encode("utf-8")
            return (r["_due"], b("task_id"), b("source"), b("vendor"), b("domain"), r["_req"])
        lines = [",".join(header)]
        for r in sorted(items[state], key=key):
            cells = [r["task_id"], r["vendor"], r["domain"], stamp(r["_req"]), stamp(r["_due"]),
                     fmt2(Fraction(AS_OF - r["_due"], 86400)), r.get("source", "")]
            if state == "at_risk":
                window = r["_due"] - r["_req"]
                cells.append(fmt2(Fraction(100 * (AS_OF - r["_req"]), window)) if window else "100.00")
            lines.append(",".join(field(c) for c in cells))
        out.append((name, "\n".join(lines) + "\n"))
    return out


# ---- Costs: the table, amortised, allocated to the leaves (kpo(7), TOTAL COST) ----

def month_num(s):
    return int(s[:4]) * 12 + int(s[5:7]) - 1


def month_str(m):
    return "%04d-%02d" % (m // 12, m % 12 + 1)


def read_fx(path):
    """currency -> [(date or '', rate)], sorted."""
    fx = {}
    if not path:
        return fx
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            fx.setdefault(r["currency"].strip().upper(), []).append((r.get("date", ""), Fraction(r["rate"])))
    for v in fx.values():
        v.sort()
    return fx


def fx_rate(fx, cur, day, base):
    if cur in ("", base):
        return Fraction(1)
    ok = [rate for d, rate in fx.get(cur, []) if d <= day]
    return ok[-1] if ok else None


def fold(s):
    return " ".join(s.replace("\u00a0", " ").replace("\u202f", " ").split())


def read_costs(path, fx, base, as_of):
    """(slices summed per (vendor, domain, month, kind) in 1/10^4, vendors with governance rows)."""
    amounts, governed = {}, set()
    last = month_num(as_of[:7])
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            r = {k: fold(v or "") for k, v in r.items()}
            kind = r["kind"].lower()
            if kind not in KINDS or not r["vendor"] or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", r["date"]):
                continue
            if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", r["amount"]):
                continue
            months = r.get("months", "")
            if months and (kind != "transition" or not months.isdigit() or not 1 <= int(months) <= 120):
                continue
            rate = fx_rate(fx, r.get("currency", "").upper(), r["date"], base)
            if rate is None:
                continue
            total = round(Fraction(r["amount"]) * rate * 10000)
            n = int(months) if kind == "transition" and months else (12 if kind == "transition" else 1)
            m0 = month_num(r["date"][:7])
            for k in range(n):
                if m0 + k > last:
                    continue
                key = (r["vendor"], r.get("domain", ""), month_str(m0 + k), KINDS.index(kind))
                amounts[key] = amounts.get(key, 0) + total // n + (1 if k < total % n else 0)
            if kind == "governance":
                governed.add(r["vendor"])
    return amounts, governed


def apportion(amount, weights):
    """Largest remainder: floor shares, the units left to the largest
    remainders, ties to the earlier part."""
    W = sum(weights)
    if W == 0:
        weights = [1] * len(weights)
        W = len(weights)
    out = [amount * w // W for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i] % W), i))
    for i in order[:amount - sum(out)]:
        out[i] += 1
    return out


def allocate(rows, keycols, amounts, governed, gov_pct):
    """The leaves of the run: key (the values of KEYCOLS, then the priced
    flag) -> {rows, ovh[3] in 1/10^4, priced, got}."""
    iv, idm, im = keycols.index("vendor"), keycols.index("domain"), keycols.index("month")
    leaves = {}
    for r in rows:
        priced = int(r["_baseline"] is not None and r["_savings"] is not None)
        key = tuple(r[k] for k in keycols) + (priced,)
        leaf = leaves.setdefault(key, {"rows": [], "ovh": [0, 0, 0], "priced": priced, "got": False})
        leaf["rows"].append(r)
    if not amounts and gov_pct is None:
        return leaves
    cells = {}
    for key, leaf in leaves.items():
        cost = sum(r["_cost_base"] for r in leaf["rows"] if r["_cost_base"] is not None)
        leaf["w"] = max(0, round(cost * 10000))
        c = cells.setdefault((key[iv], key[idm], key[im]), {"leaves": [], "cost": 0, "amt": [0, 0, 0],
                                                            "got": False})
        c["leaves"].append(key)
        c["cost"] += cost
    stream = list(cells)
    cw = {k: sum(leaves[l]["w"] for l in cells[k]["leaves"]) for k in stream}
    if gov_pct is not None:
        for k in stream:
            if cells[k]["cost"] > 0 and k[0] not in governed:
                cells[k]["amt"][0] += round(cells[k]["cost"] * gov_pct / 100 * 10000)
                cells[k]["got"] = True

    def cell(k):
        return cells.setdefault(k, {"leaves": [], "cost": 0, "amt": [0, 0, 0], "got": False})

    for (v, d, m, kind), amount in sorted(amounts.items()):
        if d:
            cell((v, d, m))["amt"][kind] += amount
            cell((v, d, m))["got"] = True
            continue
        month = sorted(k for k in stream if k[0] == v and k[2] == m and cw[k] > 0)
        if month:
            for k, share in zip(month, apportion(amount, [cw[k] for k in month])):
                cells[k]["amt"][kind] += share
                cells[k]["got"] = True
            continue
        doms = {}
        for k in stream:
            if k[0] == v:
                doms[k[1]] = doms.get(k[1], 0) + cw[k]
        doms = sorted((dd, w) for dd, w in doms.items() if w > 0)
        if doms:
            for (dd, w), share in zip(doms, apportion(amount, [w for dd, w in doms])):
                cell((v, dd, m))["amt"][kind] += share
                cell((v, dd, m))["got"] = True
        else:
            cell((v, "", m))["amt"][kind] += amount
            cell((v, "", m))["got"] = True
    for (v, d, m), c in cells.items():
        if not c["got"]:
            continue
        if not c["leaves"]:
            key = tuple(v if k == "vendor" else d if k == "domain" else m if k == "month" else ""
                        for k in keycols) + (2,)    # no rows: after the leaves of rows
            leaves.setdefault(key, {"rows": [], "ovh": [0, 0, 0], "priced": 2, "got": False, "w": 0})
            c["leaves"].append(key)
        ks = sorted(c["leaves"])
        w = [leaves[k]["w"] for k in ks]
        if sum(w) == 0:
            w = [len(leaves[k]["rows"]) for k in ks]
        for kind in range(3):
            for k, share in zip(ks, apportion(c["amt"][kind], w)):
                leaves[k]["ovh"][kind] += share
        for k in ks:
            leaves[k]["got"] = True
    return leaves


def field(s):
    """Minimal quoting, as every kpo stage writes CSV."""
    if s and (s[0] in " \t" or s[-1] in " \t" or any(c in s for c in ',"\r\n')):
        return '"' + s.replace('"', '""') + '"'
    return s


def table(leaves, keycols, keys, with_total, known):
    """The table grouped by KEYS, from the leaves (whose key columns are KEYCOLS)."""
    idx = [keycols.index(k) for k in keys]
    groups = {}
    for key, leaf in leaves.items():
        groups.setdefault(tuple(key[i] for i in idx), []).append(leaf)
    lines = [",".join(keys + METRICS)]

    def cells(ls):
        return metrics([r for l in ls for r in l["rows"]], ls, known)

    for key in sorted(groups, key=lambda t: tuple(k.encode("utf-8") for k in t)):
        lines.append(",".join([field(k) for k in key] + cells(groups[key])))
    if with_total:
        lines.append(",".join(["ALL"] * len(keys) + cells(list(leaves.values()))))
    return "\n".join(lines) + "\n"


def generate(n, seed):
    """Rows of 2024: open ones requested at any second, with due dates before,
    at and after the as-of instants the tests use (late 2024)."""
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

    start = instant("2024-01-01")
    for i in range(n):
        delivered = rnd.random() < 0.8
        month = "2024-%02d" % rnd.randint(1, 12)
        requested = month + "-01T00:00:00Z"
        due = ""
        if not delivered:
            req = start + rnd.randint(0, 366 * 86400 - 1)
            requested = stamp(req)
            if rnd.random() < 0.85:
                window = rnd.choice([0, 3600, 86400 * rnd.randint(1, 60), rnd.randint(-86400, 90 * 86400)])
                due = stamp(req + window)
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
        vendor, domain = rnd.choice(vendors), rnd.choice(domains)
        if i % 53 == 7:
            vendor, domain = "Дельта", "solo"       # a domain with one vendor: hhi 10000
        w.writerow(["T%d" % i, "E%d" % (i % 37), vendor, domain,
                    rnd.choice(regions), requested, due,
                    month + "-02T00:00:00Z" if delivered else "", hours, cost, "USD", "",
                    quality, defects, reworked, "gen.csv:%d" % (i + 2), cost, base, savings,
                    tat, on_time, month])


def generate_costs(n, seed):
    """A costs table for the generated streams: every kind, rows with and
    without a domain, transitions across the year's end, a vendor without
    rows, a currency with a rate; plain decimals."""
    rnd = random.Random(seed)
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["date", "vendor", "domain", "kind", "amount", "currency", "months"])
    vendors = ["Acme", "Beta BPO", "Gamma, Inc.", "Дельта", "Epsilon \"KPO\"", "Ghost Ltd"]
    domains = ["legal", "research", "translation", "analytics", "финансы", ""]
    w.writerow(["2024-09-15", "Acme", "", "transition", "12000.5", "", "12"])
    w.writerow(["2024-11-30", "Beta BPO", "legal", "transition", "999.99", "EUR", "5"])
    w.writerow(["2024-03-01", "Ghost Ltd", "", "governance", "300", "", ""])
    w.writerow(["2024-12-01", "Дельта", "solo", "other", "42.4242", "", ""])
    for i in range(n):
        kind = rnd.choice(KINDS)
        months = str(rnd.randint(1, 24)) if kind == "transition" and rnd.random() < 0.7 else ""
        w.writerow(["2024-%02d-%02d" % (rnd.randint(1, 12), rnd.randint(1, 28)), rnd.choice(vendors),
                    rnd.choice(domains), kind, "%d.%04d" % (rnd.randint(0, 3000), rnd.randint(0, 9999)),
                    rnd.choice(["", "", "USD", "EUR"]), months])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--by", default="domain")
    ap.add_argument("--total", action="store_true")
    ap.add_argument("--bundle")
    ap.add_argument("--as-of")
    ap.add_argument("--generate", type=int)
    ap.add_argument("--generate-costs", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--costs")
    ap.add_argument("--fx")
    ap.add_argument("--governance-pct")
    ap.add_argument("--base", default="USD")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    if a.generate is not None:
        generate(a.generate, a.seed)
        return 0
    if a.generate_costs is not None:
        generate_costs(a.generate_costs, a.seed)
        return 0
    global AS_OF
    if a.as_of:
        AS_OF = instant(a.as_of)
    else:
        AS_OF = instant(datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"))
    rows = list(read_rows(a.files))
    amounts, governed = ({}, set())
    if a.costs:
        amounts, governed = read_costs(a.costs, read_fx(a.fx), a.base.upper(), stamp(AS_OF)[:10])
    gov = Fraction(a.governance_pct) if a.governance_pct is not None else None
    known = bool(a.costs) or gov is not None
    keys = [k for name, ks in BUNDLE for k in ks] if a.bundle else a.by.split(",")
    keycols = []
    for k in keys + ["vendor", "domain", "month"]:
        if k not in keycols:
            keycols.append(k)
    leaves = allocate(rows, keycols, amounts, governed, gov)
    if a.bundle:
        os.makedirs(a.bundle, exist_ok=True)
        for name, ks in BUNDLE:
            with open(os.path.join(a.bundle, name), "w", encoding="utf-8", newline="") as f:
                f.write(table(leaves, keycols, ks, True, known))
        for name, text in exception_lists(rows):
            with open(os.path.join(a.bundle, name), "w", encoding="utf-8", newline="") as f:
                f.write(text)
        return 0
    sys.stdout.write(table(leaves, keycols, a.by.split(","), a.total, known))
    return 0


if __name__ == "__main__":
    sys.exit(main())
