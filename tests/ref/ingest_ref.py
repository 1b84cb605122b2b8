#!/usr/bin/env python3
"""Independent reference implementation of kpo-ingest's canonicalization.

Written from the man page stages/kpo-ingest.1 (and kpo(7) for the reject
kinds), not from the C code, so tests can check golden files against a second
opinion.  The only C file it was compared with is the table of domain names in
stages/lib/names.c, which is data.  Where the man page names no list (the
built-in header aliases in other languages, the header each known format must
have), the lists below are this file's own, from the research on real exports;
they are said to be this file's own where they are defined.

Usage: ingest_ref.py [kpo-ingest options] [--rejects] FILE ...

The options are kpo-ingest's: -d, --map, --profile, --set COLUMN=VALUE
(repeatable), --keep, --domains, --vendors, --dedupe, --encoding, --decimal,
--hours-unit, --skip, --no-header --columns, --tz, --date-order,
--date-format, --max-reject-pct.  Prints the canonical CSV to stdout; with
--rejects prints the rejected rows instead, as CSV `source,stage,kind,record`
(kpo-ingest's rejects file with the reason cut to its kind).  Messages go to
stderr as `ingest_ref: FILE:LINE: KIND`, then a summary line.
Exit: 0 ok, 64 bad usage, 65 bad data (a required column missing, a header
that is not UTF-8, an unterminated quote, more than --max-reject-pct rejected),
66 cannot open a FILE.
Python 3.9+ standard library only (zoneinfo for --tz).

Where the man page is silent this file reads it so (each compared with
kpo-ingest; "as kpo-ingest" marks where its behaviour was taken over):
- a unit that belongs to a column (Jira's Time Spent in seconds) wins over
  --hours-unit, which is for plain hours columns (as kpo-ingest);
- a duration with a minus sign is a negative value (as kpo-ingest);
- a line of spaces only is skipped like an empty line (as kpo-ingest), and
  the next record keeps its physical line;
- a --set value is read per input, with that input's decimal and date order;
  one that cannot be read is bad usage (exit 64, as kpo-ingest);
- a currency in brackets is three upper-case letters or one of $ € £ ₽ ₹
  (so "Duration (min)" names no currency);
- ISO dates are strict: two-digit month, day and hour, no space before the
  zone, no AM/PM (kpo-ingest is more lenient);
- a local time that occurs twice (the hour the clocks go back) is the first.
"""

import argparse
import csv
import gzip
import io
import re
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation, ROUND_HALF_EVEN

CANON = ["task_id", "engagement_id", "vendor", "domain", "region",
         "requested_at", "due_at", "delivered_at", "hours", "cost", "currency",
         "inhouse_rate", "quality", "defects", "reworked"]
HEADER = CANON + ["source"]
# "The required columns are vendor, domain and requested_at"
REQUIRED = ["vendor", "domain", "requested_at"]

TEXT = {"task_id", "engagement_id", "vendor", "domain", "region"}
DATES = {"requested_at", "due_at", "delivered_at"}
NUMBERS = {"hours", "cost", "inhouse_rate", "quality", "defects"}

# Built-in aliases: "English and Russian names, and some Spanish, German,
# French and Portuguese ones" -- the man page lists none, so these are this
# file's own: the English and Russian ones kpo has always had (DESIGN.md), and
# the other languages from the research on real exports.
BUILTIN = {
    "task_id": ["task id", "issue key", "ticket id", "ticket", "номер задачи", "id задачи"],
    "engagement_id": ["engagement", "engagement id", "custom field (engagement)", "project",
                      "проект"],
    "vendor": ["vendor", "custom field (vendor)", "supplier", "provider", "contractor",
               "подрядчик", "поставщик", "исполнитель",
               "proveedor", "lieferant", "fournisseur", "fornecedor"],
    "domain": ["domain", "custom field (domain)", "practice", "service line", "направление",
               "домен", "dominio", "domäne", "domaine", "domínio"],
    "region": ["region", "custom field (region)", "location", "country", "регион", "страна",
               "región", "région", "região"],
    "requested_at": ["requested at", "requested", "created", "дата заявки", "дата создания"],
    "due_at": ["due at", "due", "due date", "deadline", "срок", "дедлайн"],
    "delivered_at": ["delivered at", "delivered", "resolved", "completed", "дата сдачи",
                     "дата выполнения"],
    "hours": ["hours", "custom field (hours)", "effort hours", "часы", "трудозатраты",
              "horas", "stunden", "heures"],
    "cost": ["cost", "custom field (cost)", "amount", "стоимость", "сумма",
             "coste", "costo", "kosten", "coût", "custo"],
    "currency": ["currency", "custom field (currency)", "валюта",
                 "moneda", "währung", "devise", "moeda"],
    "inhouse_rate": ["in-house rate", "inhouse rate", "custom field (in-house rate)",
                     "внутренняя ставка"],
    "quality": ["quality", "custom field (quality score)", "quality score", "качество", "оценка"],
    "defects": ["defects", "custom field (defects)", "дефекты"],
    "reworked": ["reworked", "custom field (reworked)", "доработка"],
}

# The known export formats (kpo-ingest(1), "Known export formats").  Each
# profile: the header it must have (not in the man page: this file's choice
# from the real headers), its names per canonical column (a name is (header
# text, unit of plain numbers in hours or None)), header texts never used for
# some columns, and a default date order.
JIRA_KEYS = ["Issue key", "Clave de incidencia", "Vorgangsschlüssel", "Clé de ticket",
             "Chave da item", "Ключ проблемы"]
CUSTOM_FIELD = ["Custom field", "Campo personalizado", "Benutzerdefinierte Felder",
                "Champ personnalisé", "Пользовательское поле"]


def jira_custom(names):
    return ["%s (%s)" % (p, n) for n in names for p in CUSTOM_FIELD]


def jira_profile():
    def cf(col, extra=()):
        names = list(extra) + [a for a in BUILTIN[col] if not a.startswith("custom field")]
        if col == "engagement_id":
            names = ["engagement", "engagement id"]
        return jira_custom(names)
    p = {
        "task_id": JIRA_KEYS,
        "requested_at": ["Created", "Creada", "Erstellt", "Création", "Criado", "Создано"],
        "due_at": ["Due date", "Fecha de vencimiento", "Fälligkeitsdatum", "Date d'échéance",
                   "Data limite", "Срок исполнения"],
        "delivered_at": ["Resolved", "Resuelta", "Erledigt", "Résolue", "Resolvido",
                         "Дата решения"],
        "engagement_id": cf("engagement_id") + [
            "Project key", "Clave del proyecto", "Projektschlüssel", "Clé de projet",
            "Chave do projeto", "Ключ проекта"],
        "hours": cf("hours") + [(n, "s") for n in [
            "Time Spent", "Tiempo empleado", "Benötigte Zeit", "Temps consacré", "Tempo gasto",
            "Затраченное время"]],
    }
    for c in ["vendor", "domain", "region", "cost", "currency", "inhouse_rate", "quality",
              "defects", "reworked"]:
        p[c] = cf(c, {"quality": ["quality score"]}.get(c, ()))
    # "Jira's assignee, reporter, labels and categories are never taken for a
    # vendor, a domain or an engagement."
    never = ["Assignee", "Persona asignada", "Responsable", "Zugewiesene Person", "Bearbeiter",
             "Personne assignée", "Responsável", "Исполнитель",
             "Reporter", "Informador", "Autor", "Rapporteur", "Relator", "Автор",
             "Labels", "Etiquetas", "Stichwörter", "Étiquettes", "Categorias", "Метки",
             "Category", "Categoría", "Kategorie", "Catégorie", "Categoria", "Категория",
             "Status Category", "Categoría de estado", "Statuskategorie", "Catégorie d'état"]
    return {"label": "Jira", "names": p,
            "never": {c: never for c in ("vendor", "domain", "engagement_id")},
            "date_order": None}


PROFILES = {
    "jira": jira_profile(),
    "toggl": {"label": "Toggl Track", "names": {
        "requested_at": ["Start date"], "delivered_at": ["End date"],
        "hours": ["Duration"], "cost": ["Amount"], "engagement_id": ["Project"]},
        "never": {"task_id": ["Task"]}, "date_order": None},
    "clockify": {"label": "Clockify", "names": {
        "requested_at": ["Start Date"], "delivered_at": ["End Date"],
        "hours": ["Duration (h)"], "cost": ["Billable Amount"], "engagement_id": ["Project"]},
        "never": {"task_id": ["Task"], "hours": ["Duration (decimal)"]},
        "date_order": "mdy"},
    "harvest": {"label": "Harvest", "names": {
        "requested_at": ["Date"], "delivered_at": ["Date"], "hours": ["Hours"],
        "cost": ["Billable Amount"], "currency": ["Currency"],
        "engagement_id": ["Project Code", "Project"]},
        "never": {"task_id": ["Task"], "hours": ["Hours Rounded"]},
        "date_order": None},
}


def recognise(keys):
    """The profile a header is, by the columns it has (this file's rule)."""
    ks = set(keys)
    if any(header_key(k) in ks for k in JIRA_KEYS):
        return "jira"
    if {"startdate", "starttime", "durationh"} <= ks:
        return "clockify"
    if {"startdate", "starttime", "duration"} <= ks:
        return "toggl"
    if {"date", "hours", "billableamount"} <= ks:
        return "harvest"
    return None


# Month names and abbreviations in English, Spanish, German, French,
# Portuguese and Russian (Java's COMPAT and CLDR forms, full names).
MONTH_NAMES = [
    "jan january ene enero januar jän jänner janv janvier janeiro янв январь января",
    "feb february febrero februar févr fév février fev fevereiro фев февр февраль февраля",
    "mar march marzo mär märz mrz mars março марта мар март",
    "apr april abr abril avr avril апр апрель апреля",
    "may mayo mai maio мая май",
    "jun june junio juni juin junho июн июнь июня",
    "jul july julio juli juil juillet julho июл июль июля",
    "aug august ago agosto août авг август августа",
    "sep sept september septiembre setiembre septembre set setembro сен сент сентябрь сентября",
    "oct october octubre okt oktober octobre out outubro окт октябрь октября",
    "nov november noviembre novembre novembro ноя нояб ноябрь ноября",
    "dec december dic diciembre dez dezember déc décembre dezembro дек декабрь декабря",
]
MONTHS = {}
for _i, _names in enumerate(MONTH_NAMES):
    for _n in _names.split():
        MONTHS[_n] = _i + 1

# The eight KPO domains and their aliases: the table in stages/lib/names.c
# (data, quoted as it is there).
DOMAIN_TABLE = [
    ("Financial Advisory", "financial advisory|financial advisory services|financial analysis|finance|"
     "financial services|corporate finance|финансовый консалтинг|финансовое консультирование|"
     "финансовый анализ|финансы|финансовые услуги"),
    ("Research & Development", "research & development|research and development|r&d|rnd|r and d|research|"
     "ниокр|исследования и разработки|научные исследования"),
    ("Management Consulting", "management consulting|management consultancy|consulting|business consulting|"
     "strategy consulting|управленческий консалтинг|управленческое консультирование|консалтинг|"
     "бизнес-консалтинг"),
    ("Technical Analysis", "technical analysis|engineering analysis|technical services|engineering|"
     "технический анализ|инженерный анализ|инжиниринг"),
    ("Investment Research", "investment research|equity research|investment analysis|investment analytics|"
     "инвестиционные исследования|инвестиционная аналитика|инвестиционный анализ"),
    ("Legal", "legal|legal services|legal process outsourcing|lpo|law|юридические услуги|"
     "юридический консалтинг|правовые услуги|юриспруденция|право"),
    ("Healthcare", "healthcare|health care|healthcare services|medical|здравоохранение|медицина|"
     "медицинские услуги"),
    ("Data Analytics", "data analytics|data analysis|analytics|data science|business intelligence|bi|"
     "аналитика данных|анализ данных|аналитика"),
]

WS = " \t\r\n\v\f\u00a0\u202f"
WS_RUN = re.compile("[" + WS + "]+")
CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "₽": "RUB", "₹": "INR"}
BRACKET_CURRENCY = re.compile(r"^(.*?)\s*\(\s*([A-Z]{3}|[$€£₽₹])\s*\)\s*$")
FIELD_CAP = 1 << 20
RECORD_CAP = 8 << 20


class Reject(Exception):
    pass


class Fatal(Exception):
    def __init__(self, status, msg):
        super().__init__(msg)
        self.status = status


def header_key(s):
    """Header texts (and name aliases) compare without case, spaces or
    punctuation."""
    return "".join(c for c in s.lower() if c.isalnum())


def fold(s):
    return WS_RUN.sub(" ", s).strip(" ")


def detect_delimiter(line):
    counts = {d: 0 for d in ",;\t|"}
    inq = False
    for c in line:
        if c == '"':
            inq = not inq
        elif not inq and c in counts:
            counts[c] += 1
    best = ","
    for d in ",;\t|":           # ties: earlier wins
        if counts[d] > counts[best]:
            best = d
    return best


# ------------------------------------------------------------------ CSV

def records(text, delim, pos=0, line=1):
    """Yield (line, fields, raw, error) for each record from pos; error is
    None or a reject kind.  line is the physical line of the record's first
    byte; blank lines are skipped."""
    n = len(text)

    def eol_at(i):
        if text.startswith("\r\n", i):
            return 2
        if i < n and text[i] in "\r\n":
            return 1
        return 0

    def skip_line(i, ln):
        """to the start of the next physical line"""
        while i < n and not eol_at(i):
            i += 1
        return i + eol_at(i), ln + (1 if eol_at(i) else 0), i

    while pos < n:
        start, start_line = pos, line
        j = pos
        while j < n and text[j] in " \t" and text[j] != delim:
            j += 1
        if j == n or eol_at(j):         # a blank line (or only spaces): skipped
            pos = j + eol_at(j)
            line += 1 if eol_at(j) else 0
            continue
        fields = []
        i = pos
        err = None
        while True:
            # one field
            j = i
            while j < n and text[j] in " \t" and text[j] != delim:
                j += 1
            if j < n and text[j] == '"':
                buf = []
                k = j + 1
                closed = False
                while k < n:
                    c = text[k]
                    if c == '"':
                        if text.startswith('""', k):
                            buf.append('"')
                            k += 2
                            continue
                        closed = True
                        k += 1
                        break
                    e = eol_at(k)
                    if e:
                        line += 1
                        buf.append(text[k:k + e])
                        k += e
                        continue
                    buf.append(c)
                    k += 1
                    if len(buf) > FIELD_CAP:
                        break
                if not closed:
                    # "a quote that is never closed, or a quoted field past
                    # 1 MiB": the rest of the file is not read
                    yield start_line, None, text[start:].rstrip("\r\n"), "unterminated quote"
                    return
                while k < n and text[k] in " \t" and text[k] != delim:
                    k += 1
                if k < n and text[k] != delim and not eol_at(k):
                    err = "malformed quotes"            # text after a closing quote
                    pos, line, end = skip_line(k, line)
                    break
                fields.append("".join(buf))
                i = k
            else:
                k = i
                while k < n and text[k] != delim and not eol_at(k):
                    if text[k] == '"':
                        err = "malformed quotes"        # a quote inside an unquoted field
                        break
                    k += 1
                if err:
                    pos, line, end = skip_line(k, line)
                    break
                if k - i > FIELD_CAP:
                    err = "field too long"
                    pos, line, end = skip_line(k, line)
                    break
                fields.append(text[i:k])
                i = k
            if i < n and text[i] == delim:
                i += 1
                continue
            e = eol_at(i)
            end = i
            pos = i + e
            if e:
                line += 1
            break
        raw = text[start:end]
        if err is None and len(raw) > RECORD_CAP:
            err = "field too long"
        yield start_line, (None if err else fields), raw, err


# --------------------------------------------------------------- values

def canon_number(s, decimal, col):
    s = s.strip(WS)
    if s == "":
        return ""
    other = "," if decimal == "." else "."
    sign = ""
    if s[0] in "+-":
        sign, s = s[0], s[1:]
    exp = 0
    m = re.fullmatch(r"(.*?)[eE]([+-]?[0-9]+)", s)
    if m and m.group(1):
        # "1.5E+3", as Excel writes large and small numbers
        if len(m.group(2).lstrip("+-")) > 3:
            raise Reject("number out of range")
        s, exp = m.group(1), int(m.group(2))
    if decimal in s:
        ip, fp = s.split(decimal, 1)
    else:
        ip, fp = s, None
    # thousands: a space, NBSP, narrow NBSP, an apostrophe or the other of
    # '.' and ',', in groups of three
    if re.fullmatch(r"[0-9]{1,3}([ \u00a0\u202f'" + re.escape(other) + r"][0-9]{3})+", ip):
        if len(set(re.findall(r"[^0-9]", ip))) != 1:
            raise Reject("unparsable number")
        ip = re.sub(r"[^0-9]", "", ip)
    if not re.fullmatch(r"[0-9]*", ip) or (fp is not None and not re.fullmatch(r"[0-9]*", fp)):
        raise Reject("unparsable number")
    if ip == "" and not fp:
        raise Reject("unparsable number")
    try:
        d = Decimal(sign + (ip or "0") + ("." + fp if fp else "")).scaleb(exp)
    except InvalidOperation:
        raise Reject("unparsable number")
    if d != 0:
        t = d.normalize().as_tuple()
        intd = len(t.digits) + t.exponent
        fracd = -t.exponent if t.exponent < 0 else 0
        if intd > 15 or fracd > 12:
            raise Reject("number out of range")
    return dec_text(d)


def dec_text(d):
    if d == 0:
        return "0"
    out = format(d, "f")
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return out


Q4 = Decimal("0.0001")
UNITS = {"h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
         "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
         "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1}
DUR_PART = re.compile(r"\s*([0-9]+)\s*([a-z]+)", re.I)


def duration_seconds(s):
    """'H:MM', 'H:MM:SS' (the hours may pass 24), '1h 30m', '90 min';
    None when s is none of these."""
    m = re.fullmatch(r"([0-9]+):([0-5][0-9])(?::([0-5][0-9]))?", s)
    if m:
        return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3) or 0)
    pos, total, last = 0, 0, None
    while pos < len(s):
        m = DUR_PART.match(s, pos)
        if not m or m.group(2).lower() not in UNITS:
            return None
        unit = UNITS[m.group(2).lower()]
        if last is not None and unit >= last:
            return None
        last = unit
        total += int(m.group(1)) * unit
        pos = m.end()
    return total if last is not None else None


def hours_of_seconds(sec):
    return dec_text((Decimal(sec) / 3600).quantize(Q4, rounding=ROUND_HALF_EVEN))


def canon_hours(s, decimal, unit):
    s = s.strip(WS)
    if s == "":
        return ""
    sec = duration_seconds(s)
    if sec is not None:
        return hours_of_seconds(sec)
    if s[0] == "-" and duration_seconds(s[1:].strip(WS)) is not None:
        raise Reject("negative value")          # a duration with a minus sign
    v = canon_number(s, decimal, "hours")
    if unit in (None, "h"):
        return v                        # hours given as hours are kept exactly
    d = Decimal(v) * (60 if unit == "min" else 1)
    return dec_text((d / 3600).quantize(Q4, rounding=ROUND_HALF_EVEN))


def canon_plain_number(s, decimal, col):
    try:
        return canon_number(s, decimal, col)
    except Reject:
        if duration_seconds(s.strip(WS)) is not None:
            raise Reject("unparsable number")     # with the hint: only hours are read as H:MM
        raise


def _zone(name):
    if name is None or name == "UTC":
        return timezone.utc
    from zoneinfo import ZoneInfo
    return ZoneInfo(name)


AMPM = r"(?:\s*([AaPp])\.?\s?[Mm]\.?)?"
TIME = r"(?:[ T]+(D{1,2}):(D{2})(?::(D{2})(?:[.,]D+)?)?" + AMPM + r")?"


def _re(src):
    """ASCII digits only (D), letters of any script (L)."""
    return re.compile(src.replace("D", "[0-9]").replace("L", r"[^\W\d_]"))


ISO = _re(r"(D{4})-(D{2})-(D{2})(?:[Tt ](D{2}):(D{2})(?::(D{2})(?:[.,]D+)?)?"
          r"(Z|z|[+-]D{2}(?::?D{2})?)?)?")
DOTTED = _re(r"(D{1,2})\.(D{1,2})\.(D{4})(?:\s+(D{1,2}):(D{2})(?::(D{2}))?)?")
YMD_SLASH = _re(r"(D{4})/(D{1,2})/(D{1,2})(?:\s+(D{1,2}):(D{2})(?::(D{2}))?)?")
MON = _re(r"(D{1,2})/(L+)\.?/(D{2}|D{4})" + TIME.replace("[ T]+", r"\s+"))
NUM_SLASH = _re(r"(D{1,2})/(D{1,2})/(D{4})" + TIME.replace("[ T]+", r"\s+"))


def _hour12(h, ap):
    if not ap:
        return h
    if not 1 <= h <= 12:
        raise Reject("unparsable date")
    return h % 12 + (12 if ap.lower() == "p" else 0)


def _mk(tz, y, mo, d, h=0, mi=0, sec=0, off_min=None):
    y, mo, d, h, mi, sec = int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0)
    if not 1 <= y <= 9999:
        raise Reject("unparsable date")
    try:
        if off_min is not None:
            t = datetime(y, mo, d, h, mi, sec, tzinfo=timezone(timedelta(minutes=off_min)))
        else:
            t = datetime(y, mo, d, h, mi, sec, tzinfo=tz)
    except ValueError:
        raise Reject("unparsable date")
    return t.astimezone(timezone.utc)


def canon_date(s, o):
    s = s.strip(WS)
    if s == "":
        return ""
    tz = o.zone
    if o.date_format:
        try:
            t = datetime.strptime(s, o.date_format)
            if t.tzinfo is None:
                t = t.replace(tzinfo=tz)
            return iso_text(t.astimezone(timezone.utc))
        except ValueError:
            pass
    m = ISO.fullmatch(s)
    if m:
        y, mo, d, h, mi, sec, z = m.groups()
        off = None
        if z and z in "Zz":
            off = 0
        elif z:
            sg = -1 if z[0] == "-" else 1
            digits = z[1:].replace(":", "")
            oh = int(digits[:2])
            om = int(digits[2:4]) if len(digits) > 2 else 0
            if om > 59 or oh * 60 + om > 14 * 60:
                raise Reject("unparsable date")
            off = sg * (oh * 60 + om)
        t = _mk(tz, y, mo, d, h, mi, sec, off)
    elif DOTTED.fullmatch(s):
        d, mo, y, h, mi, sec = DOTTED.fullmatch(s).groups()
        t = _mk(tz, y, mo, d, h, mi, sec)
    elif YMD_SLASH.fullmatch(s):
        y, mo, d, h, mi, sec = YMD_SLASH.fullmatch(s).groups()
        t = _mk(tz, y, mo, d, h, mi, sec)
    elif MON.fullmatch(s):
        d, mon, y, h, mi, sec, ap = MON.fullmatch(s).groups()
        mo = MONTHS.get(mon.lower())
        if mo is None:
            raise Reject("unparsable date")
        y = int(y) + (2000 if len(y) == 2 else 0)
        t = _mk(tz, y, mo, d, _hour12(int(h or 0), ap), mi, sec)
    elif NUM_SLASH.fullmatch(s):
        a, b, y, h, mi, sec, ap = NUM_SLASH.fullmatch(s).groups()
        order = o.date_order or o.profile_date_order
        if order is None:
            raise Reject("unparsable date")     # with the hint: --date-order
        d, mo = (a, b) if order == "dmy" else (b, a)
        t = _mk(tz, y, mo, d, _hour12(int(h or 0), ap), mi, sec)
    else:
        raise Reject("unparsable date")
    return iso_text(t)


def iso_text(t):
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (t.year, t.month, t.day, t.hour, t.minute, t.second)


BOOLS = {"1": "1", "0": "0", "true": "1", "false": "0", "yes": "1", "no": "0",
         "y": "1", "n": "0", "t": "1", "f": "0", "да": "1", "нет": "0"}


def canon_bool(s):
    s = s.strip(WS)
    if s == "":
        return ""
    v = BOOLS.get(s.lower())
    if v is None:
        raise Reject("unparsable boolean")
    return v


def currency_code(s):
    """The ISO code of a currency value, or None."""
    s = fold(s)
    if re.fullmatch(r"[A-Za-z]{3}", s):
        return s.upper()
    m = re.fullmatch(r".+ - ([A-Za-z]{3})", s)        # Harvest: United States Dollar - USD
    if m:
        return m.group(1).upper()
    return CURRENCY_SYMBOLS.get(s)


def canon_currency(s):
    s = fold(s)
    if s == "":
        return ""
    code = currency_code(s)
    return code if code else s.upper()


def quote(f):
    if f == "":
        return f
    if any(c in f for c in ',"\r\n') or f[0] in " \t" or f[-1] in " \t":
        return '"' + f.replace('"', '""') + '"'
    return f


def has_invalid(fields):
    return any(("\udc80" <= c <= "\udcff") or c == "\0" for f in fields for c in f)


# ------------------------------------------------------------- mapping

def read_table(path, opt):
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return list(csv.reader(f))
    except OSError as e:
        raise Fatal(66, f"{opt} {path}: cannot open: {e.strerror}")


def load_pairs(path, second):
    """A CSV 'alias,SECOND' file, as (alias, value) pairs."""
    rows = read_table(path, "--" + second + "s")
    head = [header_key(h) for h in rows[0]]
    try:
        a, b = head.index("alias"), head.index(header_key(second))
    except ValueError:
        raise Fatal(65, f"{path}: the header must be alias,{second}")
    out = []
    for i, r in enumerate(rows[1:], 2):
        if not r:
            continue
        out.append((r[a].strip(), r[b].strip()))
        if not out[-1][0] or not out[-1][1]:
            raise Fatal(65, f"{path}:{i}: an empty {'alias' if not r[a].strip() else second}")
    return out


def load_map(path):
    rows = read_table(path, "--map")
    head = [header_key(h) for h in rows[0]]
    if "column" not in head or "alias" not in head:
        raise Fatal(65, f"{path}:1: the header must be column,alias")
    ci, ai = head.index("column"), head.index("alias")
    out = {}
    for i, r in enumerate(rows[1:], 2):
        if not r:
            continue
        col = r[ci].strip()
        if col not in CANON:
            raise Fatal(65, f"{path}:{i}: unknown column '{col}'")
        out.setdefault(col, []).append(r[ai])
    return out


class Header:
    """The header cells, their keys, and the currency each names in
    brackets at its end."""

    def __init__(self, cells):
        self.cells = cells
        self.keys = [header_key(c) for c in cells]
        self.bare = []
        self.currency = []
        for c in cells:
            m = BRACKET_CURRENCY.match(c.strip(WS))
            if m:
                self.bare.append(header_key(m.group(1)))
                g = m.group(2)
                self.currency.append(CURRENCY_SYMBOLS.get(g, g))
            else:
                self.bare.append(None)
                self.currency.append(None)

    def find(self, name, never=()):
        k = header_key(name)
        if not k:
            return None
        for i, (a, b) in enumerate(zip(self.keys, self.bare)):
            if (a == k or b == k) and self.keys[i] not in never:
                return i
        return None


def time_column(h, i):
    """The column after i when it holds the time of day of date column i."""
    if i + 1 >= len(h.keys):
        return None
    k, nxt = h.keys[i], h.keys[i + 1]
    for d, t in (("date", "time"), ("datum", "zeit"), ("fecha", "hora"), ("data", "hora"),
                 ("date", "heure"), ("дата", "время")):
        if k.endswith(d) and nxt == k[:-len(d)] + t:
            return i + 1
        if k.startswith(d) and nxt == t + k[len(d):]:
            return i + 1
    return None


def map_columns(h, o, profile):
    """canonical column -> (index, unit), first found wins: the --map
    aliases, the canonical name, the format's names, the built-in aliases."""
    prof = PROFILES.get(profile) if profile else None
    cols = {}
    for c in CANON:
        never = set()
        if prof:
            never = {header_key(x) for x in prof["never"].get(c, [])}
        cands = [(a, None, False) for a in o.map.get(c, [])]
        cands.append((c, None, False))
        if prof:
            for n in prof["names"].get(c, []):
                name, unit = n if isinstance(n, tuple) else (n, None)
                cands.append((name, unit, False))
        cands += [(a, None, True) for a in BUILTIN[c]]
        for name, unit, builtin in cands:
            i = h.find(name, never if builtin or not prof else set())
            if i is not None:
                cols[c] = (i, unit)
                break
    return cols


def names_in(cells, o, profile):
    """How many canonical columns a line's cells name."""
    h = Header(cells)
    return len(map_columns(h, o, profile or recognise(h.keys)))


# ----------------------------------------------------------------- rows

class Options:
    pass


def canon_row_value(c, v, o, ctx, unit=None):
    """One value of canonical column c, as the Values section says."""
    if c in TEXT:
        v = fold(v)
        if c == "domain" and v:
            v = o.domains.get(header_key(v), v)
        if c == "vendor" and v:
            v = o.vendors.get(header_key(v), v)
        return v
    if c in DATES:
        return canon_date(v, o)
    if c == "hours":
        return canon_hours(v, ctx.decimal, unit or o.hours_unit)
    if c in NUMBERS:
        v2 = canon_plain_number(v, ctx.decimal, c)
        if c == "defects" and "." in v2:
            raise Reject("unparsable number")
        return v2
    if c == "currency":
        return canon_currency(v)
    return canon_bool(v)


SUMMARY_WORDS = ["total", "totals", "grand total", "subtotal", "sum", "summe", "gesamt", "balance",
                 "closing balance", "opening balance", "saldo", "kontostand", "итого", "итог", "всего",
                 "обороты", "остаток", "входящий остаток", "исходящий остаток", "сальдо"]


def summary_line(rec):
    """A total or balance line: one of its first three non-empty cells
    begins with such a word (compared as header keys)."""
    cells = [c for c in rec if c != ""][:3]
    return any(header_key(c).startswith(header_key(w)) for c in cells for w in SUMMARY_WORDS
               if len(c.encode("utf-8", "surrogateescape")) < 64)


def note_line(rec, nf):
    """One filled cell and fewer cells than the header: a line of text."""
    return len([c for c in rec if c != ""]) == 1 and len(rec) < nf


def canon_row(rec, h, cols, o, ctx):
    try:
        return canon_row_checked(rec, h, cols, o, ctx)
    except Reject as r:
        # A total line's values fail too, or it lacks a vendor: say what it is.
        if str(r) in ("missing value", "unparsable number", "unparsable date", "unparsable boolean",
                      "number out of range", "negative value", "quality out of range") and summary_line(rec):
            raise Reject("summary line")
        raise


def canon_row_checked(rec, h, cols, o, ctx):
    if has_invalid(rec):
        raise Reject("invalid UTF-8")
    out = {}

    def raw(c):
        if c not in cols:
            return ""
        i, _ = cols[c]
        v = rec[i]
        if c in DATES:
            t = time_column(h, i)
            if t is not None and v.strip(WS) and rec[t].strip(WS):
                v = v.strip(WS) + " " + rec[t].strip(WS)
        return v

    def value(c, v, unit=None):
        return canon_row_value(c, v, o, ctx, unit)

    for c in CANON:
        if c == "task_id" and c not in cols:
            out[c] = ctx.source                 # time entries: the row's source
            continue
        if c == "task_id":
            out[c] = value(c, raw(c)) or ctx.source     # an empty id: the row's source too
            continue
        unit = cols[c][1] if c in cols else None
        v = value(c, raw(c), unit)
        if v == "" and c == "currency" and ctx.cost_currency:
            v = ctx.cost_currency
        if v == "" and c in o.set:
            v = value(c, o.set[c])
        out[c] = v
    for c in REQUIRED:
        if out[c] == "":
            raise Reject("missing value")
    for c in ("hours", "cost", "inhouse_rate", "defects"):
        if out[c].startswith("-"):
            raise Reject("negative value")
    if out["quality"] != "" and not (0 <= Decimal(out["quality"]) <= 100):
        raise Reject("quality out of range")
    if out["delivered_at"] and out["delivered_at"] < out["requested_at"]:
        raise Reject("delivered before requested")
    return out


class Ctx:
    pass


def read_file(name, o, out, rejects, state):
    try:
        data = sys.stdin.buffer.read() if name == "-" else open(name, "rb").read()
    except OSError as e:
        print(f"ingest_ref: {name}: cannot open: {e.strerror}", file=sys.stderr)
        state.status = max(state.status, 66) if state.status != 65 else 65
        return
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if o.encoding:
        text = data.decode(o.encoding, "replace")
    else:
        text = data.decode("utf-8", "surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]
    if text == "":
        raise Fatal(65, f"{name}: empty input")

    lines = re.split(r"\r\n|\r|\n", text)
    # Finding the header
    if o.no_header:
        hline = 0
    elif o.skip is not None:
        hline = o.skip + 1
    else:
        hline, found = 1, False
        for i, ln in enumerate(lines[:50], 1):
            d = o.delimiter or detect_delimiter(ln)
            cells = next(records(ln, d), (None, None, None, None))[1] or []
            if names_in(cells, o, o.profile if o.profile != "none" else None) >= 3:
                hline, found = i, True
                break
    # the offset of line hline (1-based), or of line 1 with --no-header
    pos = 0
    first = max(hline, 1)
    for _ in range(first - 1):
        m = re.compile(r"\r\n|\r|\n").search(text, pos)
        if not m:
            pos = len(text)
            break
        pos = m.end()
    head_text = re.split(r"\r\n|\r|\n", text[pos:], maxsplit=1)[0]
    delim = o.delimiter or detect_delimiter(head_text)
    ctx = Ctx()
    ctx.decimal = o.decimal or ("," if delim == ";" else ".")
    if o.no_header:
        cells = o.columns
        it = records(text, delim, pos, 1)
    else:
        it = records(text, delim, pos, first)
        try:
            _, cells, _, err = next(it)
        except StopIteration:
            raise Fatal(65, f"{name}: empty input")
        if err or cells is None:
            raise Fatal(65, f"{name}:{first}: {err} in the header")
        if has_invalid(cells):
            raise Fatal(65, f"{name}:{first}: the header is not UTF-8; name its encoding with --encoding")
        cells = [fold(c) for c in cells]
    h = Header(cells)
    if o.profile == "none":
        profile = None
    elif o.profile:
        profile = o.profile
    else:
        profile = recognise(h.keys)
    o.profile_date_order = PROFILES[profile]["date_order"] if profile else None
    cols = map_columns(h, o, profile)
    missing = [c for c in REQUIRED if c not in cols and c not in o.set]
    if missing and not (o.no_header or o.skip is not None or found):
        # "When no line looks like a header and some required column cannot
        # be found, the message names the file and suggests these options;
        # it never prints a line of the file."
        raise Fatal(65, f"{name}: no line of the first 50 looks like a header (required "
                        f"column{'s' if len(missing) > 1 else ''} {', '.join(missing)} not found); "
                        f"name the columns with --no-header --columns col,..., or the header's "
                        f"line with --skip n")
    if missing:
        lst = ", ".join(cells)
        lst = lst.encode("utf-8", "surrogateescape")[:300].decode("utf-8", "ignore")
        raise Fatal(65, f"{name}:{max(hline, 1)}: required column{'s' if len(missing) > 1 else ''} "
                        f"missing: {', '.join(missing)}; the header has: {lst}")
    ctx.cost_currency = h.currency[cols["cost"][0]] if "cost" in cols else None
    # "It is read like a value of the export": with this file's decimal and
    # date order.  One that cannot be read is bad usage.
    ctx.source = name
    for col, val in o.set.items():
        try:
            canon_row_value(col, val, o, ctx)
        except Reject as r:
            raise Fatal(64, f"{name}: --set {col}={val}: {r}")
    keep_idx = []
    for k in o.keep:
        i = h.find(k)
        keep_idx.append(i)
        if i is None:
            print(f"ingest_ref: {name}: no column '{k}' to keep", file=sys.stderr)
    nread = nrej = 0
    seen = state.seen
    for line, rec, rawrec, err in it:
        nread += 1
        src = f"{name}:{line}"
        try:
            if err:
                raise Reject(err)
            if len(rec) != len(cells):
                if summary_line(rec):
                    raise Reject("summary line")
                if note_line(rec, len(cells)):
                    raise Reject("note line")
                raise Reject("wrong field count")
            ctx.source = src
            row = canon_row(rec, h, cols, o, ctx)
            if o.dedupe and "task_id" in cols and row["task_id"] != src:
                if row["task_id"] in seen:
                    raise Reject("duplicate task_id")
                seen[row["task_id"]] = src
        except Reject as r:
            nrej += 1
            rejects.append((src, str(r), rawrec))
            print(f"ingest_ref: {src}: {r}", file=sys.stderr)
            if str(r) == "unterminated quote":
                state.fatal = True
            continue
        extra = [(rec[i] if i is not None else "") for i in keep_idx]
        out.append(",".join(quote(row[c]) for c in CANON) + "," + quote(src)
                   + "".join("," + quote(x) for x in extra))
    state.read += nread
    state.rejected += nrej
    if first > 1:
        state.notes.append(f"{name}: {first - 1} lines before the header skipped")
    if profile and not o.profile:
        state.notes.append(f"{name.rsplit('/', 1)[-1]} recognised as a {PROFILES[profile]['label']} export")


def snake(s):
    return re.sub(r"[^0-9a-z]+", "_", s.strip().lower()).strip("_")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-d", "--delimiter")
    ap.add_argument("--map")
    ap.add_argument("--profile")
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--keep", default="")
    ap.add_argument("--domains")
    ap.add_argument("--vendors")
    ap.add_argument("--dedupe", action="store_true")
    ap.add_argument("--encoding")
    ap.add_argument("--decimal", choices=[".", ","])
    ap.add_argument("--hours-unit", choices=["h", "min", "s"])
    ap.add_argument("--skip", type=int)
    ap.add_argument("--no-header", action="store_true")
    ap.add_argument("--columns")
    ap.add_argument("--tz")
    ap.add_argument("--date-order", choices=["dmy", "mdy"])
    ap.add_argument("--date-format")
    ap.add_argument("--max-reject-pct", type=float, default=5.0)
    ap.add_argument("--rejects", action="store_true",
                    help="print the rejects (source,stage,kind,record) instead of the stream")
    ap.add_argument("file", nargs="*", default=["-"])
    try:
        a = ap.parse_args()
    except SystemExit as e:
        return 64 if e.code else 0

    o = Options()
    o.delimiter = {"tab": "\t", "\\t": "\t"}.get(a.delimiter, a.delimiter)
    o.decimal = a.decimal
    o.hours_unit = a.hours_unit
    o.encoding = a.encoding
    o.dedupe = a.dedupe
    o.date_order = a.date_order
    o.date_format = a.date_format
    o.skip = a.skip
    o.no_header = a.no_header
    o.columns = [c.strip() for c in a.columns.split(",")] if a.columns else []
    o.keep = [k for k in a.keep.split(",") if k] if a.keep else []
    if a.no_header and not o.columns:
        print("ingest_ref: --no-header needs --columns", file=sys.stderr)
        return 64
    if a.profile and a.profile != "none" and a.profile not in PROFILES:
        print(f"ingest_ref: unknown profile '{a.profile}'", file=sys.stderr)
        return 64
    o.profile = a.profile
    try:
        o.zone = _zone(a.tz)
    except Exception:
        print(f"ingest_ref: unknown time zone '{a.tz}'", file=sys.stderr)
        return 64
    o.set = {}
    for s in a.set:
        col, eq, val = s.partition("=")
        if not eq or col not in CANON or col == "task_id":
            print(f"ingest_ref: --set {s}: not COLUMN=VALUE for a column but task_id and source",
                  file=sys.stderr)
            return 64
        o.set[col] = val
    o.domains = {}
    for name, aliases in DOMAIN_TABLE:
        o.domains[header_key(name)] = name
        for al in aliases.split("|"):
            o.domains[header_key(al)] = name
    o.vendors = {}
    sys.stdout.reconfigure(encoding="utf-8", errors="surrogateescape", newline="\n")
    try:
        o.map = load_map(a.map) if a.map else {}
        if a.domains:
            for al, name in load_pairs(a.domains, "domain"):
                o.domains[header_key(al)] = name
        if a.vendors:
            for al, name in load_pairs(a.vendors, "vendor"):
                o.vendors[header_key(al)] = name
    except Fatal as e:
        print(f"ingest_ref: {e}", file=sys.stderr)
        return e.status
    class State:
        pass
    st = State()
    st.status, st.read, st.rejected, st.fatal, st.notes, st.seen = 0, 0, 0, False, [], {}
    out, rejects = [], []
    for name in a.file:
        try:
            read_file(name, o, out, rejects, st)
        except Fatal as e:
            print(f"ingest_ref: {e}", file=sys.stderr)
            st.status = st.status or e.status
    w = sys.stdout
    if a.rejects:
        w.write("source,stage,kind,record\n")
        for src, kind, rec in rejects:
            w.write(",".join(quote(x) for x in (src, "ingest", kind, rec)) + "\n")
    else:
        w.write(",".join(HEADER + [snake(k) for k in o.keep]) + "\n")
        for line in out:
            w.write(line + "\n")
    print(f"ingest_ref: {st.read} rows read, {st.read - st.rejected} written, "
          f"{st.rejected} rejected" + "".join("; " + n for n in st.notes), file=sys.stderr)
    if st.fatal or (st.read and 100.0 * st.rejected / st.read > a.max_reject_pct):
        st.status = 65
    return st.status


if __name__ == "__main__":
    sys.exit(main())
