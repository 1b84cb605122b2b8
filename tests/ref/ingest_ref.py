#!/usr/bin/env python3
"""Independent reference implementation of kpo-ingest's canonicalization.

Written from DESIGN.md (kpo-ingest section), not from the C code, so tests can
check golden files against a second opinion.

Usage: ingest_ref.py [--encoding ENC] [--dedupe] [--rejects] FILE

Prints the canonical CSV to stdout.  Rejected records are reported on stderr
as `ingest_ref: FILE:LINE: REASON` (always), and with --rejects the rejects
are printed to stdout instead of the canonical stream, as `source,reason`.
Exit: 0 ok, 65 a required column is missing, 66 cannot open FILE.
Python 3.11 standard library only.
"""

import argparse
import csv
import io
import re
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

CANON = ["task_id", "engagement_id", "vendor", "domain", "region",
         "requested_at", "due_at", "delivered_at", "hours", "cost", "currency",
         "inhouse_rate", "quality", "defects", "reworked"]
HEADER = CANON + ["source"]
REQUIRED = ["task_id", "vendor", "domain", "requested_at", "hours", "cost"]

ALIASES = {
    "task_id": ["task id", "issue key", "ticket id", "ticket", "номер задачи", "id задачи"],
    "engagement_id": ["engagement", "engagement id", "custom field (engagement)", "project", "проект"],
    "vendor": ["vendor", "custom field (vendor)", "supplier", "provider", "contractor",
               "подрядчик", "поставщик", "исполнитель"],
    "domain": ["domain", "custom field (domain)", "practice", "service line", "направление", "домен"],
    "region": ["region", "custom field (region)", "location", "country", "регион", "страна"],
    "requested_at": ["requested at", "requested", "created", "дата заявки", "дата создания"],
    "due_at": ["due at", "due", "due date", "deadline", "срок", "дедлайн"],
    "delivered_at": ["delivered at", "delivered", "resolved", "completed", "дата сдачи", "дата выполнения"],
    "hours": ["hours", "custom field (hours)", "effort hours", "часы", "трудозатраты"],
    "cost": ["cost", "custom field (cost)", "amount", "стоимость", "сумма"],
    "currency": ["currency", "custom field (currency)", "валюта"],
    "inhouse_rate": ["in-house rate", "inhouse rate", "custom field (in-house rate)", "внутренняя ставка"],
    "quality": ["quality", "custom field (quality score)", "quality score", "качество", "оценка"],
    "defects": ["defects", "custom field (defects)", "дефекты"],
    "reworked": ["reworked", "custom field (reworked)", "доработка"],
}

TEXT = {"task_id", "engagement_id", "vendor", "domain", "region"}
DATES = {"requested_at", "due_at", "delivered_at"}
NUMBERS = {"hours", "cost", "inhouse_rate", "quality", "defects"}

MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}

WS = " \t\r\n\v\f\u00a0\u202f"
WS_RUN = re.compile("[" + WS + "]+")


class Reject(Exception):
    pass


def header_key(s):
    return "".join(c for c in s.lower() if c.isalnum())


def fold(s):
    return WS_RUN.sub(" ", s).strip(" ")


def detect_delimiter(first_line):
    counts = {d: 0 for d in ",;\t|"}
    inq = False
    for c in first_line:
        if c == '"':
            inq = not inq
        elif not inq and c in counts:
            counts[c] += 1
    best = ","
    for d in ",;\t|":           # ties: earlier wins
        if counts[d] > counts[best]:
            best = d
    return best


def canon_number(s, decimal):
    s = s.strip(WS)
    if s == "":
        return ""
    thousands_other = "," if decimal == "." else "."
    sign = ""
    if s[0] in "+-":
        sign, s = s[0], s[1:]
    if decimal in s:
        ip, fp = s.split(decimal, 1)
    else:
        ip, fp = s, None
    # thousands separators: space, NBSP, narrow NBSP, apostrophe, the other
    # decimal mark; only in groups of three
    if re.fullmatch(r"\d{1,3}([ \u00a0\u202f'" + re.escape(thousands_other) + r"]\d{3})+", ip):
        seps = set(re.findall(r"\D", ip))
        if len(seps) != 1:
            raise Reject("unparsable number")
        ip = re.sub(r"\D", "", ip)
    if not re.fullmatch(r"\d*", ip) or (fp is not None and not re.fullmatch(r"\d*", fp)):
        raise Reject("unparsable number")
    if ip == "" and not fp:
        raise Reject("unparsable number")
    try:
        d = Decimal(sign + (ip or "0") + ("." + fp if fp else ""))
    except InvalidOperation:
        raise Reject("unparsable number")
    if d == 0:
        return "0"
    out = format(d, "f")
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return out


ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
                 r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?")
DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
YMD_SLASH = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
JIRA = re.compile(r"(\d{1,2})/([A-Za-z]{3})/(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?")


def _mk(y, mo, d, h, mi, sec, off_min=0):
    try:
        t = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0),
                     tzinfo=timezone.utc)
    except ValueError:
        raise Reject("unparsable date")
    return t - timedelta(minutes=off_min)


def canon_date(s):
    s = s.strip(WS)
    if s == "":
        return ""
    m = ISO.fullmatch(s)
    if m:
        y, mo, d, h, mi, sec, z = m.groups()
        off = 0
        if z and z not in "Zz":
            sg = -1 if z[0] == "-" else 1
            digits = z[1:].replace(":", "")
            oh = int(digits[:2])
            om = int(digits[2:4]) if len(digits) > 2 else 0
            if oh > 23 or om > 59:
                raise Reject("unparsable date")
            off = sg * (oh * 60 + om)
        t = _mk(y, mo, d, h, mi, sec, off)
    else:
        m = DOTTED.fullmatch(s)
        if m:
            d, mo, y, h, mi, sec = m.groups()
            t = _mk(y, mo, d, h, mi, sec)
        else:
            m = YMD_SLASH.fullmatch(s)
            if m:
                y, mo, d, h, mi, sec = m.groups()
                t = _mk(y, mo, d, h, mi, sec)
            else:
                m = JIRA.fullmatch(s)
                if not m or m.group(2).lower() not in MONTHS:
                    raise Reject("unparsable date")
                d, mon, y, h, mi, sec, ampm = m.groups()
                y = int(y)
                if y < 100:
                    y += 2000
                h = int(h or 0)
                if ampm:
                    if not 1 <= h <= 12:
                        raise Reject("unparsable date")
                    h = h % 12 + (12 if ampm.lower() == "pm" else 0)
                t = _mk(y, MONTHS[mon.lower()], d, h, mi, sec)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


BOOLS = {"1": "1", "0": "0", "true": "1", "false": "0", "yes": "1", "no": "0",
         "y": "1", "n": "0", "да": "1", "нет": "0"}


def canon_bool(s):
    s = s.strip(WS)
    if s == "":
        return ""
    v = BOOLS.get(s.lower())
    if v is None:
        raise Reject("unparsable boolean")
    return v


def quote(f):
    if f == "":
        return f
    if any(c in f for c in ',"\r\n') or f[0] in " \t" or f[-1] in " \t":
        return '"' + f.replace('"', '""') + '"'
    return f


def has_invalid(fields):
    return any("\udc80" <= c <= "\udcff" for f in fields for c in f)


def canon_row(rec, colidx, decimal):
    if has_invalid(rec):
        raise Reject("invalid UTF-8")
    out = {}
    for c in CANON:
        i = colidx.get(c)
        raw = rec[i] if i is not None else ""
        if c in TEXT:
            v = fold(raw)
        elif c in DATES:
            v = canon_date(raw)
        elif c in NUMBERS:
            v = canon_number(raw, decimal)
        elif c == "currency":
            v = fold(raw).upper()
        else:
            v = canon_bool(raw)
        out[c] = v
    for c in REQUIRED:
        if out[c] == "":
            raise Reject("missing value")
    for c in ("hours", "cost"):
        if out[c].startswith("-"):
            raise Reject("negative value")
    if out["quality"] != "" and not (0 <= Decimal(out["quality"]) <= 100):
        raise Reject("quality out of range")
    if out["delivered_at"] and out["delivered_at"] < out["requested_at"]:
        raise Reject("delivered before requested")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encoding")
    ap.add_argument("--dedupe", action="store_true")
    ap.add_argument("--rejects", action="store_true",
                    help="print source,reason of the rejects to stdout instead")
    ap.add_argument("file", nargs="?", default="-")
    a = ap.parse_args()

    name = a.file
    try:
        data = sys.stdin.buffer.read() if name == "-" else open(name, "rb").read()
    except OSError as e:
        print(f"ingest_ref: {name}: {e.strerror}", file=sys.stderr)
        return 66
    if a.encoding:
        text = data.decode(a.encoding)
    else:
        text = data.decode("utf-8", "surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]

    first = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    delim = detect_delimiter(first)
    decimal = "," if delim == ";" else "."

    f = io.StringIO(text, newline="")
    rd = csv.reader(f, delimiter=delim, quotechar='"', doublequote=True, strict=True)
    header = next(rd)
    keys = [header_key(h) for h in header]
    colidx = {}
    for c, aliases in ALIASES.items():
        for al in aliases:
            k = header_key(al)
            if k in keys:
                colidx[c] = keys.index(k)
                break
    missing = [c for c in REQUIRED if c not in colidx]
    if missing:
        print(f"ingest_ref: {name}: missing required column {', '.join(missing)}; "
              f"header seen: {','.join(header)}", file=sys.stderr)
        return 65

    src = name
    sys.stdout.reconfigure(encoding="utf-8", newline="\n")
    out = sys.stdout
    out.write("source,reason\n" if a.rejects else ",".join(HEADER) + "\n")
    rejects = []
    seen = set()
    nread = 0
    while True:
        start = rd.line_num + 1
        try:
            rec = next(rd)
        except StopIteration:
            break
        except csv.Error as e:
            nread += 1
            reason = "unterminated quote" if "unexpected end of data" in str(e) else "malformed quotes"
            rejects.append((start, reason))
            continue
        if rec == []:
            continue            # blank line
        nread += 1
        try:
            if len(rec) != len(header):
                raise Reject("wrong field count")
            row = canon_row(rec, colidx, decimal)
            if a.dedupe:
                if row["task_id"] in seen:
                    raise Reject("duplicate task_id")
                seen.add(row["task_id"])
        except Reject as r:
            rejects.append((start, str(r)))
            continue
        if not a.rejects:
            out.write(",".join(quote(row[c]) for c in CANON) + "," + quote(f"{src}:{start}") + "\n")
    for line, reason in rejects:
        print(f"ingest_ref: {src}:{line}: {reason}", file=sys.stderr)
        if a.rejects:
            out.write(quote(f"{src}:{line}") + "," + quote(reason) + "\n")
    print(f"ingest_ref: {src}: {nread} read, {nread - len(rejects)} written, "
          f"{len(rejects)} rejected", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
