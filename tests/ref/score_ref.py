#!/usr/bin/env python3
"""Independent reference implementation of kpo-score.

Written from kpo-score(1) and kpo(7), not from the C code, so the
end-to-end tests can check the stage against a second opinion.  Exact
arithmetic with fractions.Fraction; the score is rounded once, half to even,
to 2 decimals.

Usage:
  score_ref.py --targets FILE [--previous DIR] [--min-n N] [--fail-on red|amber]
               [-o DIR] BUNDLE
      writes DIR/status.csv, scorecard.csv and alerts.csv, prints the alert
      lines on stdout; BUNDLE may hold by-*.csv or by-*.csv.gz.
  score_ref.py --make-targets BUNDLE
      a targets file for the tests: every scope and direction, lines whose
      target or min is exactly a value of the bundle, min = target, a
      metric that is empty somewhere, a scope naming nothing.

Python 3 standard library only.
"""

import argparse
import csv
import gzip
import io
import os
import re
import sys
from decimal import Decimal
from fractions import Fraction

METRICS = ["items", "delivered", "open", "overdue", "hours", "cost", "baseline", "savings",
           "savings_pct", "quality_mean", "quality_n", "defects_per_item", "rework_rate",
           "first_pass_yield", "on_time_pct", "tat_mean_h", "tat_p10_h", "tat_p25_h",
           "tat_p50_h", "tat_p75_h", "tat_p90_h", "tat_max_h",
           "sla_attainment_pct", "at_risk", "open_0_7d", "open_8_30d", "open_31_90d",
           "open_over_90d", "on_time_n"]
# The scopes in the order of status.csv: (by, table file, key columns).
SCOPES = [("ALL", "by-domain", ["domain"]), ("domain", "by-domain", ["domain"]),
          ("vendor", "by-vendor", ["vendor"]), ("vendor;domain", "by-vendor-domain", ["vendor", "domain"])]
STATUS_COLUMNS = ["by", "group", "metric", "value", "n", "min", "target", "status", "previous_status"]
WORST = {"red": 0, "amber": 1, "green": 2, "unknown": 3}


def n_metric(m):
    """The count a metric's value is computed from."""
    if m in ("on_time_pct", "sla_attainment_pct"):
        return "on_time_n"
    if m == "quality_mean":
        return "quality_n"
    if m in ("defects_per_item", "rework_rate", "first_pass_yield") or m.startswith("tat_"):
        return "delivered"
    return "items"


def read_csv(path):
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path += ".gz"
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_bundle(d):
    tables = {}
    for name in ("by-domain", "by-vendor", "by-vendor-domain"):
        rows = read_csv(os.path.join(d, name + ".csv"))
        keys = ["vendor", "domain"] if name == "by-vendor-domain" else [name[3:]]
        total = None
        body = []
        for r in rows:
            if all(r[k] == "ALL" for k in keys):
                total = r
            else:
                body.append(r)
        body.sort(key=lambda r: tuple(r[k].encode("utf-8") for k in keys))
        tables[name] = (body, total)
    return tables


def canon(text):
    d = Decimal(text)
    if d == 0:
        return "0"
    return format(d.normalize(), "f")


def header_key(s):
    return re.sub(r"[^0-9a-zа-яё]", "", s.lower())


def fold(s):
    return " ".join(s.split())


SCOPE_RE = [
    (re.compile(r"(?i)vendor\s*=(.*?);\s*domain\s*=(.*)"), "vendor;domain", False),
    (re.compile(r"(?i)domain\s*=(.*?);\s*vendor\s*=(.*)"), "vendor;domain", True),
    (re.compile(r"(?i)vendor\s*=(.*)"), "vendor", False),
    (re.compile(r"(?i)domain\s*=(.*)"), "domain", False),
]


def parse_scope(s):
    """(by, names) with None for *; None when malformed."""
    if s.upper() == "ALL":
        return ("ALL", ())
    for rx, by, swap in SCOPE_RE:
        m = rx.fullmatch(s)
        if not m:
            continue
        names = [g.strip() for g in m.groups()]
        if any(n == "" for n in names):
            return None
        if swap:
            names.reverse()
        return (by, tuple(None if n == "*" else n for n in names))
    return None


class Bad(Exception):
    pass


def read_targets(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    head = [header_key(h) for h in rows[0]]
    col = {k: head.index(k) for k in ("metric", "scope", "min", "target", "weight") if k in head}
    lines = []
    for i, r in enumerate(rows[1:], start=2):
        if not r:
            continue
        get = lambda k: fold(r[col[k]]) if k in col else ""
        metric = get("metric")
        if metric not in METRICS:
            raise Bad("%s:%d: unknown metric" % (path, i))
        scope = parse_scope(get("scope"))
        if scope is None:
            raise Bad("%s:%d: malformed scope" % (path, i))
        try:
            mn, tg = canon(get("min")), canon(get("target"))
            w = Fraction(Decimal(get("weight"))) if get("weight") else Fraction(1)
        except ArithmeticError:
            raise Bad("%s:%d: not a number" % (path, i))
        for o in lines:
            if (o["metric"], o["by"], o["names"]) == (metric, scope[0], scope[1]):
                raise Bad("%s:%d: the same metric and scope" % (path, i))
        lines.append({"metric": metric, "by": scope[0], "names": scope[1], "min": mn, "target": tg,
                      "weight": w, "line": i})
    return lines


def key_names(by, row):
    if by == "ALL":
        return ()
    if by == "vendor;domain":
        return (row["vendor"], row["domain"])
    return (row[by],)


def applies(line, names):
    return all(want is None or want == have for want, have in zip(line["names"], names))


def specificity(line):
    n = line["names"]
    if len(n) == 2:
        return (2 if n[0] is not None else 0) + (1 if n[1] is not None else 0)
    return 1 if n and n[0] is not None else 0


def judge(v, mn, tg):
    if tg >= mn:
        return "green" if v >= tg else "amber" if v >= mn else "red"
    return "green" if v <= tg else "amber" if v <= mn else "red"


def attainment(v, mn, tg):
    if judge(v, mn, tg) == "green":
        return Fraction(1)
    num, den = (v, tg) if tg >= mn else (tg, v)
    if den == 0:
        return Fraction(0)
    a = Fraction(num) / den
    return a if 0 <= a < 1 else Fraction(0)


def statuses(tables, lines, min_n, previous):
    out = []
    for by, table, keys in SCOPES:
        body, total = tables[table]
        for row in ([total] if by == "ALL" else body):
            names = key_names(by, row)
            for m in METRICS:
                cands = [l for l in lines if l["metric"] == m and l["by"] == by and applies(l, names)]
                if not cands:
                    continue
                best = max(cands, key=specificity)   # the first of the most specific
                value, n = row.get(m, ""), row.get(n_metric(m), "")
                if value == "" or n == "" or int(n) < min_n:
                    st, a = "unknown", None
                else:
                    v, mn, tg = Fraction(value), Fraction(best["min"]), Fraction(best["target"])
                    st, a = judge(v, mn, tg), attainment(v, mn, tg)
                group = "ALL" if by == "ALL" else ";".join(names)
                prev = previous.get((by, group, m), "") if previous is not None else ""
                out.append({"by": by, "group": group, "metric": m, "value": value, "n": n,
                            "min": best["min"], "target": best["target"], "status": st,
                            "previous_status": prev, "_a": a, "_w": best["weight"], "_names": names})
    return out


def worst_key(s):
    return (WORST[s["status"]], s["_a"] if s["_a"] is not None else 0,
            [x[0] for x in SCOPES].index(s["by"]), s["group"].encode("utf-8"), METRICS.index(s["metric"]))


def field(s):
    if s and (s[0] in " \t" or s[-1] in " \t" or any(c in s for c in ',"\r\n')):
        return '"' + s.replace('"', '""') + '"'
    return s


def table_text(header, rows):
    return "".join(",".join(field(c) for c in r) + "\n" for r in [header] + rows)


def scorecard(tables, lines, sts):
    scored = [m for m in METRICS if any(l["metric"] == m and l["by"] == "vendor" for l in lines)]
    by_vendor = {(s["group"], s["metric"]): s for s in sts if s["by"] == "vendor"}
    cards = []
    for row in tables["by-vendor"][0]:
        v = row["vendor"]
        cells = [v, row["items"], row["cost"]]
        known, seen, wsum, total = [], False, Fraction(0), Fraction(0)
        for m in scored:
            s = by_vendor.get((v, m))
            cells += [row.get(m, ""), s["status"] if s else ""]
            if s:
                seen = True
                if s["status"] != "unknown":
                    known.append(s["status"])
                    wsum += s["_w"]
                    total += s["_w"] * s["_a"]
        score = round(10000 * total / wsum) if wsum > 0 else None
        status = min(known, key=lambda x: WORST[x]) if known else "unknown" if seen else ""
        cells += ["" if score is None else "%d.%02d" % (score // 100, score % 100), status]
        cards.append((score is None, -(score or 0), v.encode("utf-8"), cells))
    cards.sort(key=lambda c: c[:3])
    header = ["vendor", "items", "cost"]
    for m in scored:
        header += [m, m + "_status"]
    return header + ["score", "status"], [c[3] for c in cards]


def alert_line(s, with_previous):
    if s["by"] == "ALL":
        scope = "ALL"
    elif s["by"] == "vendor;domain":
        scope = "vendor=%s;domain=%s" % s["_names"]
    else:
        scope = "%s=%s" % (s["by"], s["_names"][0])
    scope = "".join(" " if ord(c) < 0x20 or c == "\x7f" else c for c in scope)
    line = "%s: %s: %s %s (min %s, target %s, n %s)" % (s["status"], scope, s["metric"], s["value"],
                                                         s["min"], s["target"], s["n"])
    if with_previous:
        line += ", was %s" % s["previous_status"] if s["previous_status"] else ", new"
    return line


def make_targets(bundle):
    """Lines of every scope and direction, some exactly at a value of the bundle."""
    t = load_bundle(bundle)
    dom, ven, vd = t["by-domain"][0], t["by-vendor"][0], t["by-vendor-domain"][0]
    d0, d1 = dom[0]["domain"], dom[1]["domain"]
    v0, v1, v2 = ven[0]["vendor"], ven[1]["vendor"], ven[2]["vendor"]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["metric", "scope", "min", "target", "weight"])
    w.writerow(["on_time_pct", "ALL", "50", "60", ""])
    w.writerow(["sla_attainment_pct", "ALL", "70", "70", ""])             # min = target
    w.writerow(["tat_p90_h", "ALL", "500", "400", ""])                     # lower is better
    w.writerow(["savings_pct", "domain=*", "5", "12.5", ""])
    w.writerow(["quality_mean", "domain=*", "45", "55", ""])
    w.writerow(["quality_mean", "domain=" + d0, dom[0]["quality_mean"], "90", ""])   # exactly at min
    w.writerow(["quality_mean", "domain=" + d1, "10", dom[1]["quality_mean"], ""])   # exactly at target
    w.writerow(["overdue", "domain=*", "60", "45", ""])                     # a count, lower is better
    w.writerow(["on_time_pct", "vendor=*", "52", "58", "2"])
    w.writerow(["quality_mean", "vendor=*", "48", "52", "1.5"])
    w.writerow(["tat_mean_h", "vendor=*", "260", "240", "1"])
    w.writerow(["at_risk", "vendor=*", "4", "1", "0.5"])
    w.writerow(["rework_rate", "vendor=" + v0, ven[0]["rework_rate"], ven[0]["rework_rate"], "3"])  # min = target = value
    w.writerow(["on_time_pct", "vendor=" + v1, "10", "20", "1"])            # beats vendor=*
    w.writerow(["sla_attainment_pct", "vendor=" + v2, "99", "100", ""])
    w.writerow(["quality_mean", "vendor=*;domain=*", "48", "52", ""])
    w.writerow(["quality_mean", "vendor=%s;domain=*" % v0, "40", "45", ""])   # beats *;domain
    w.writerow(["quality_mean", "vendor=*;domain=%s" % d0, "55", "60", ""])
    w.writerow(["on_time_pct", "domain=%s;vendor=%s" % (vd[0]["domain"], vd[0]["vendor"]), "1", "2", ""])
    w.writerow(["savings_pct", "vendor=No Such Vendor", "1", "2", ""])     # names nothing: a warning
    w.writerow(["savings_pct", "vendor=*;domain=No Such Domain", "1", "2", ""])
    return out.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets")
    ap.add_argument("--previous")
    ap.add_argument("--min-n", type=int, default=10)
    ap.add_argument("--fail-on", choices=["red", "amber"])
    ap.add_argument("-o", default=".")
    ap.add_argument("--make-targets", action="store_true")
    ap.add_argument("bundle")
    a = ap.parse_args()
    if a.make_targets:
        sys.stdout.write(make_targets(a.bundle))
        return 0
    try:
        lines = read_targets(a.targets)
    except Bad as e:
        print("score_ref: %s" % e, file=sys.stderr)
        return 65
    previous = None
    if a.previous:
        previous = {(r["by"], r["group"], r["metric"]): r["status"]
                    for r in read_csv(os.path.join(a.previous, "status.csv"))}
    tables = load_bundle(a.bundle)
    sts = statuses(tables, lines, a.min_n, previous)
    alerts = [s for s in sts if s["status"] in ("red", "amber") and
              (previous is None or s["previous_status"] != s["status"])]
    alerts.sort(key=worst_key)
    os.makedirs(a.o, exist_ok=True)
    rows = lambda ss: [[s[c] for c in STATUS_COLUMNS] for s in ss]
    with open(os.path.join(a.o, "status.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(table_text(STATUS_COLUMNS, rows(sts)))
    with open(os.path.join(a.o, "alerts.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(table_text(STATUS_COLUMNS, rows(alerts)))
    header, cards = scorecard(tables, lines, sts)
    with open(os.path.join(a.o, "scorecard.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(table_text(header, cards))
    for s in alerts:
        print(alert_line(s, previous is not None))
    if a.fail_on and any(s["status"] == "red" or (a.fail_on == "amber" and s["status"] == "amber")
                         for s in sts):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
