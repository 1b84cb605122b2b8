#!/bin/sh
# kpo-enrich against an independent model in Python (decimal arithmetic,
# zoneinfo for local working hours) on the sample exports and the sample
# reference tables: every appended value of every row must agree.  The
# exports of other formats (d- to o-, tests/golden/ingest/SAMPLES) bring rows
# without hours (Jira issues with no time logged) or without cost (Toggl's
# unbilled entries): no baseline, or no cost_base, and no savings.
. "$(dirname "$0")/lib.sh"

if ! python3 -c 'import zoneinfo, zoneinfo as z; z.ZoneInfo("Europe/Berlin")' 2>/dev/null; then
	skip "python3 with zoneinfo needed"
	done_testing
fi

kpo-ingest -q samples/exports/a-timetracker.csv samples/exports/b-excel-ru-utf8.csv samples/exports/c-jira.csv \
    >"$T/canon.csv"
is "$?" 0 "kpo-ingest of the samples"
# The format samples, each with its options, into one stream.
grep -v '^#' tests/golden/ingest/SAMPLES | grep -v -e '--skip' -e '--no-header' | while read -r f opts; do
	case $f in [abc]-*) continue ;; esac
	eval "set -- $opts"
	kpo-ingest -q "$@" "samples/exports/$f" 2>/dev/null
done | awk 'NR == 1 || $0 !~ /^task_id,/' >"$T/formats.csv"
is "$(grep -c '^task_id,' "$T/formats.csv")" 1 "kpo-ingest of the format samples: one stream"
count_empty() {  # rows without hours, rows without cost
	python3 -c 'import csv, sys; r = list(csv.DictReader(open(sys.argv[1], encoding="utf-8"))); print(sum(1 for x in r if not x["hours"]), sum(1 for x in r if not x["cost"]))' "$1"
}
ok "$(count_empty "$T/formats.csv" | grep -qv '^0 \| 0$'; echo $?)" "the format samples have rows without hours and rows without cost ($(count_empty "$T/formats.csv"))"

cat >"$T/model.py" <<'EOF'
import csv, sys
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, ROUND_HALF_EVEN, getcontext
from zoneinfo import ZoneInfo

getcontext().prec = 80
Q = Decimal("0.0001")
args = dict(a.split("=", 1) for a in sys.argv[3:])

def q4(d):
    return str(d.quantize(Q, rounding=ROUND_HALF_EVEN))

def when(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) if s else None

fx = {}
dated = False
for r in csv.DictReader(open(args["fx"], newline="")):
    dated = "date" in r
    fx.setdefault(r["currency"].upper(), []).append((date.fromisoformat(r["date"]) if dated else date.min,
                                                      Decimal(r["rate"])))
def rate(cur, day):
    if cur in ("", "USD"):
        return Decimal(1)
    ok = [v for d, v in sorted(fx[cur]) if d <= day]
    return ok[-1] if ok else None

rates = {}
for r in csv.DictReader(open(args["rates"], newline="")):
    rates[(r["domain"], r.get("region", ""))] = (Decimal(r["rate"]), (r.get("currency") or "USD").upper())

business = "tz" in args
if business:
    tz = ZoneInfo(args["tz"])
    h0, h1 = [time.fromisoformat(x) for x in args["hours"].split("-")]
    hol = {date.fromisoformat(r["date"]) for r in csv.DictReader(open(args["holidays"], newline=""))}

def tat_seconds(a, b):
    if not business:
        return int((b - a).total_seconds())
    total = 0
    d = a.astimezone(tz).date()
    while d <= b.astimezone(tz).date():
        if d.weekday() < 5 and d not in hol:
            ws = datetime.combine(d, h0, tzinfo=tz).astimezone(timezone.utc)
            we = datetime.combine(d, h1, tzinfo=tz).astimezone(timezone.utc)
            lo, hi = max(ws, a), min(we, b)
            if hi > lo:
                total += int((hi - lo).total_seconds())
        d += timedelta(days=1)
    return total

as_of = datetime(2026, 11, 15, tzinfo=timezone.utc)
out = csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n")
out.writerow(["task_id", "source", "cost_base", "baseline", "savings", "tat_h", "on_time", "month"])
for r in csv.DictReader(open(sys.argv[1], newline="")):
    req, due, dl = when(r["requested_at"]), when(r["due_at"]), when(r["delivered_at"])
    day = (dl or req).date()
    fxr = rate(r["currency"], day)
    if fxr is None:
        continue                        # rejected
    # hours and cost may be empty: then no baseline, or no cost_base, and no savings
    cost_base = Decimal(r["cost"]) * fxr if r["cost"] else None
    hours = Decimal(r["hours"]) if r["hours"] else None
    base = None
    if hours is None:
        pass
    elif r["inhouse_rate"]:
        base = hours * Decimal(r["inhouse_rate"])
    else:
        hit = rates.get((r["domain"], r["region"])) if r["region"] else None
        hit = hit or rates.get((r["domain"], ""))
        if hit:
            conv = rate(hit[1], day)
            if conv is None:
                continue
            base = hours * hit[0] * conv
    cb = Decimal(q4(cost_base)) if cost_base is not None else None
    bl = Decimal(q4(base)) if base is not None else None
    tat = ""
    if dl:
        tat = q4(Decimal(tat_seconds(req, dl)) / 3600)
    on_time = ("1" if dl <= due else "0") if dl and due else ("0" if not dl and due and due < as_of else "")
    out.writerow([r["task_id"], r["source"], str(cb) if cb is not None else "",
                  str(bl) if bl is not None else "",
                  str(bl - cb) if bl is not None and cb is not None else "", tat, on_time,
                  (dl or req).strftime("%Y-%m")])
EOF

project() {  # the model's columns from an enriched stream
	python3 -c '
import csv, sys
c = ["task_id", "source", "cost_base", "baseline", "savings", "tat_h", "on_time", "month"]
w = csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n")
w.writerow(c)
for r in csv.DictReader(open(sys.argv[1], newline="")):
    w.writerow([r[k] for k in c])
' "$1" "$2"
}

for canon in canon formats; do
C=$T/$canon.csv
run kpo-enrich --fx samples/fx.csv --rates samples/rates.csv --as-of 2026-11-15 "$C"
is "$rc" 0 "$canon, flat fx: exit 0"
project "$T/out" "$T/got.csv"
python3 "$T/model.py" "$C" "$T/want.csv" fx=samples/fx.csv rates=samples/rates.csv
same "$T/got.csv" "$T/want.csv" "$canon, flat fx, elapsed hours: every row agrees with the model"
is "$(($(wc -l <"$T/want.csv") - 1))" "$(($(wc -l <"$C") - 1))" "$canon, flat fx: every row priced"

run kpo-enrich --fx samples/fx-dated.csv --rates samples/rates.csv --as-of 2026-11-15 \
    --calendar samples/holidays.csv --tz America/New_York "$C"
is "$rc" 0 "$canon, dated fx, business hours in New York: exit 0"
project "$T/out" "$T/got.csv"
python3 "$T/model.py" "$C" "$T/want.csv" fx=samples/fx-dated.csv rates=samples/rates.csv \
    tz=America/New_York hours=09:00-18:00 holidays=samples/holidays.csv
same "$T/got.csv" "$T/want.csv" "$canon, dated fx, business hours in New York: every row agrees"

run kpo-enrich --fx samples/fx.csv --rates samples/rates.csv --as-of 2026-11-15 \
    --calendar samples/holidays.csv --tz Europe/Berlin --work-hours 08:30-17:15 "$C"
project "$T/out" "$T/got.csv"
python3 "$T/model.py" "$C" "$T/want.csv" fx=samples/fx.csv rates=samples/rates.csv \
    tz=Europe/Berlin hours=08:30-17:15 holidays=samples/holidays.csv
same "$T/got.csv" "$T/want.csv" "$canon, business hours 08:30-17:15 in Berlin: every row agrees"
done

done_testing
