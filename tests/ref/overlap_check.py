#!/usr/bin/env python3
"""Check that the 20 tasks shared by every sample export (KPO-1001..KPO-1020)
canonicalize to identical values in every golden file, except `source`; and
that every golden stream of tests/golden/ingest/ names its domains by the
eight KPO domain names only, whatever the export called them ("R&D",
"Юридические услуги", ...).

Usage: overlap_check.py [GOLDEN_DIR]   (default tests/golden/ingest)
"""
import csv
import glob
import os
import sys

NAMES = ["a-timetracker.csv", "b-excel-ru.csv", "b-excel-ru-utf8.csv", "c-jira.csv"]
SHARED = [f"KPO-{n}" for n in range(1001, 1021)]
DOMAINS = {"Financial Advisory", "Research & Development", "Management Consulting",
           "Technical Analysis", "Investment Research", "Legal", "Healthcare", "Data Analytics"}


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "golden", "ingest")
    tables = {}
    for n in NAMES:
        with open(os.path.join(d, n), encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        tables[n] = rows
        ids = [r["task_id"] for r in rows[:20]]
        assert ids == SHARED, f"{n}: first 20 task ids are {ids}"
        dup = len(rows) - len({r['task_id'] for r in rows})
        assert dup == 0, f"{n}: {dup} duplicate task ids"
    ref = tables[NAMES[0]]
    cols = [c for c in ref[0].keys() if c != "source"]
    bad = 0
    for n in NAMES[1:]:
        for a, b in zip(ref[:20], tables[n][:20]):
            for c in cols:
                if a[c] != b[c]:
                    bad += 1
                    print(f"MISMATCH {a['task_id']} {c}: {NAMES[0]}={a[c]!r} {n}={b[c]!r}")
    # the other rows must not reuse shared ids or each other's ids
    own = {n: {r["task_id"] for r in tables[n][20:]} for n in NAMES}
    for i, x in enumerate(["a-timetracker.csv", "b-excel-ru.csv", "c-jira.csv"]):
        for y in ["a-timetracker.csv", "b-excel-ru.csv", "c-jira.csv"][i + 1:]:
            common = own[x] & own[y]
            if common:
                bad += 1
                print(f"MISMATCH {x} and {y} share non-overlap ids: {sorted(common)[:5]}")
    # every golden stream: the eight domain names only
    ndom = 0
    for path in sorted(glob.glob(os.path.join(d, "*.csv"))):
        if path.endswith(".rejects.csv"):
            continue
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                ndom += 1
                if r["domain"] not in DOMAINS:
                    bad += 1
                    print(f"MISMATCH {os.path.basename(path)} {r['source']}: domain {r['domain']!r} "
                          f"is none of the eight KPO domains")
    if bad:
        print(f"overlap_check: FAIL ({bad} mismatches)")
        return 1
    print(f"overlap_check: OK: {len(SHARED)} shared tasks x {len(cols)} columns identical "
          f"in {len(NAMES)} goldens ({', '.join(f'{n}: {len(tables[n])} rows' for n in NAMES)}); "
          f"{ndom} rows of every golden stream in the eight KPO domains")
    return 0


if __name__ == "__main__":
    sys.exit(main())
