#!/usr/bin/env python3
"""Regenerate the kpo-ingest goldens in tests/golden/ingest/ with the
independent reference tests/ref/ingest_ref.py -- never from kpo-ingest.

For every line "FILE OPTIONS" of tests/golden/ingest/SAMPLES it runs the
reference on samples/exports/FILE with those options and writes NAME.csv (the
canonical stream) and, when rows are rejected, NAME.rejects.csv
(source,stage,kind,record); a stale NAME.rejects.csv is removed.

Usage: tests/ref/ingest_goldens.py [--check] [NAME ...]   (from the top folder)
  --check   write nothing; exit 1 if a golden differs from what the reference
            makes now (tests/e2e/ingest*.t run this).
"""

import os
import shlex
import subprocess
import sys

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
GOLD = os.path.join("tests", "golden", "ingest")
REF = [sys.executable, os.path.join("tests", "ref", "ingest_ref.py")]


def samples():
    with open(os.path.join(GOLD, "SAMPLES"), encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                words = shlex.split(line)
                yield words[0], words[1:]


def main():
    os.chdir(TOP)
    args = sys.argv[1:]
    check = "--check" in args
    only = [a for a in args if a != "--check"]
    bad = 0
    for f, opts in samples():
        name = os.path.splitext(f)[0]
        if only and name not in only and f not in only:
            continue
        src = os.path.join("samples", "exports", f)
        stream = subprocess.run(REF + opts + [src], capture_output=True)
        rej = subprocess.run(REF + ["--rejects"] + opts + [src], capture_output=True)
        if stream.returncode not in (0, 65) or stream.stdout.count(b"\n") < 2:
            print(f"{f}: the reference failed (exit {stream.returncode}):\n"
                  + stream.stderr.decode("utf-8", "replace"), file=sys.stderr)
            bad += 1
            continue
        want = {os.path.join(GOLD, name + ".csv"): stream.stdout}
        rpath = os.path.join(GOLD, name + ".rejects.csv")
        if rej.stdout.count(b"\n") > 1:
            want[rpath] = rej.stdout
        elif os.path.exists(rpath):
            want[rpath] = None
        for path, data in want.items():
            old = open(path, "rb").read() if os.path.exists(path) else None
            if old == data:
                continue
            if check:
                print(f"{path}: differs from what tests/ref/ingest_ref.py makes now")
                bad += 1
            elif data is None:
                os.unlink(path)
                print(f"removed {path}")
            else:
                with open(path, "wb") as g:
                    g.write(data)
                rows = data.count(b"\n") - 1
                print(f"wrote {path} ({rows} rows)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
