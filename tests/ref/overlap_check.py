#!/usr/bin/env python3
"""Check that the 20 tasks shared by every sample export (KPO-1001..KPO-1020)
canonicalize to identical values in every golden file, except `source`.

Usage: overlap_check.py [GOLDEN_DIR]   (default tests/golden/ingest)
"""
import csv
import os
import sys

NAMES = ["a-timetracker.csv", "b-excel-ru.csv", "b-excel-ru-utf8.csv", "c-jira.csv"]
SHARED = [f"KPO-{n}" for n in range(1001, 1021)]


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
    if bad:
        print(f"overlap_check: FAIL ({bad} mismatches)")
        return 1
    print(f"overlap_check: OK: {len(SHARED)} shared tasks x {len(cols)} columns identical "
          f"in {len(NAMES)} goldens ({', '.join(f'{n}: {len(tables[n])} rows' for n in NAMES)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
