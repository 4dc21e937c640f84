"""Dates, payment terms and aging buckets: the one module that owns calendar rules."""

import datetime as dt
import re
from dataclasses import dataclass

import pendulum

BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")
BUCKET_LABELS = {
    "current": "Current",
    "days_1_30": "1-30",
    "days_31_60": "31-60",
    "days_61_90": "61-90",
    "days_over_90": "90+",
}


class DateError(ValueError):
    pass


class TermsError(ValueError):
    pass


def _date(year: int, month: int, day: int, shown: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        if 1 <= month <= 12:
            last = pendulum.date(year, month, 1).days_in_month
            name = pendulum.date(year, month, 1).format("MMMM YYYY")
            raise DateError(f"{shown} is not a date: {name} has {last} days.") from None
        raise DateError(f"{shown} is not a date: there is no month {month}.") from None


# What a customer says on the phone: "Friday" is the next Friday after today (said on a
# Friday, a week on), as a promise to pay or the next call is always ahead.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_date(text: str, today: dt.date) -> dt.date:
    """`t`, `y`, `tm` (tomorrow), `+30`, `-1w`, `+2m`, `11/30`, `11/30/2026`, `30.11`,
    `30.11.2026`, `2026-11-30`, `eom`, a weekday (`fri`, `friday`: the next one)."""
    s = (text or "").strip().lower()
    if not s:
        raise DateError("A date is required.")
    base = pendulum.date(today.year, today.month, today.day)
    if s in ("t", "today"):
        return today
    if s in ("y", "yesterday"):
        return today - dt.timedelta(days=1)
    if s in ("tm", "tomorrow"):
        return today + dt.timedelta(days=1)
    day = next((n for n, name in enumerate(WEEKDAYS) if len(s) >= 2 and name.startswith(s)), None)
    if day is not None:  # two letters tell any two days apart: mo tu we th fr sa su
        return today + dt.timedelta(days=(day - today.weekday() - 1) % 7 + 1)
    if s == "eom":
        d = base.end_of("month")
        return dt.date(d.year, d.month, d.day)
    m = re.fullmatch(r"([+-])\s*(\d{1,4})\s*([dwmy]?)", s)
    if m:
        n = int(m.group(2)) * (1 if m.group(1) == "+" else -1)
        unit = m.group(3) or "d"
        d = {
            "d": lambda: base.add(days=n),
            "w": lambda: base.add(weeks=n),
            "m": lambda: base.add(months=n),
            "y": lambda: base.add(years=n),
        }[unit]()
        return dt.date(d.year, d.month, d.day)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
    if m:
        return _date(int(m.group(1)), int(m.group(2)), int(m.group(3)), text.strip())
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?", s)
    if m:
        year = _year(m.group(3), today)
        return _date(year, int(m.group(1)), int(m.group(2)), text.strip())
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.?(?:(\d{2}|\d{4}))?", s)
    if m:
        year = _year(m.group(3), today)
        return _date(year, int(m.group(2)), int(m.group(1)), text.strip())
    raise DateError(
        f"'{text.strip()}' is not a date; type 2026-11-30, 11/30, 30.11, t, +30, -1w, eom "
        "or a weekday."
    )


def _year(text: str | None, today: dt.date) -> int:
    if not text:
        return today.year
    year = int(text)
    return year + 2000 if year < 100 else year


def parse_file_date(text: str) -> dt.date:
    s = (text or "").strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", s)
    if not m:
        raise DateError(f"'{s}' is not a date in the form YYYY-MM-DD.")
    return _date(int(m.group(1)), int(m.group(2)), int(m.group(3)), s)


@dataclass(frozen=True)
class Terms:
    code: str
    net_days: int
    eom: bool = False
    discount_milli: int = 0
    discount_days: int = 0

    def describe(self) -> str:
        if self.net_days == 0 and not self.eom and not self.discount_milli:
            return "Due on receipt"
        net = f"Net {self.net_days}" + (" EOM" if self.eom else "")
        if self.discount_milli:
            whole, frac = divmod(self.discount_milli, 1000)
            pct = f"{whole}.{frac:03d}".rstrip("0").rstrip(".") if frac else str(whole)
            return f"{pct}% {self.discount_days}, {net}"
        return net


_TERMS = re.compile(r"^(?:(\d{1,2}(?:\.\d{1,3})?)/(\d{1,3}))?NET(\d{1,3})(EOM)?$")


def parse_terms(code: str) -> Terms:
    """`NET30`, `NET15`, `2/10NET30`, `1.5/10NET30`, `DUE`, `NET30EOM`."""
    s = re.sub(r"\s+", "", code or "").upper()
    if s in ("DUE", "COD", "NET0"):
        return Terms("DUE", 0)
    m = _TERMS.match(s)
    if not m:
        raise TermsError(
            f"'{code}' is not a terms code; use NET30, NET15, 2/10NET30, DUE or NET30EOM."
        )
    disc_milli = 0
    disc_days = 0
    if m.group(1):
        whole, _, frac = m.group(1).partition(".")
        disc_milli = int(whole) * 1000 + int(frac.ljust(3, "0") or 0)
        disc_days = int(m.group(2))
        if disc_milli >= 100000 or disc_days > int(m.group(3)):
            raise TermsError(f"'{code}': the discount days must fall within the net days.")
    return Terms(s, int(m.group(3)), bool(m.group(4)), disc_milli, disc_days)


def due_date(doc_date: dt.date, terms: Terms) -> dt.date:
    if terms.eom:
        d = pendulum.date(doc_date.year, doc_date.month, doc_date.day).end_of("month")
        d = d.add(days=terms.net_days)
        return dt.date(d.year, d.month, d.day)
    return doc_date + dt.timedelta(days=terms.net_days)


def discount_until(doc_date: dt.date, terms: Terms) -> dt.date | None:
    if not terms.discount_milli:
        return None
    return doc_date + dt.timedelta(days=terms.discount_days)


def days_past_due(due: dt.date, as_of: dt.date) -> int:
    return (as_of - due).days


def bucket_for_days_past_due(days: int) -> str:
    if days <= 0:
        return "current"
    if days <= 30:
        return "days_1_30"
    if days <= 60:
        return "days_31_60"
    if days <= 90:
        return "days_61_90"
    return "days_over_90"


def bucket_for_age(days_since_doc: int) -> str:
    if days_since_doc <= 30:
        return "current"
    if days_since_doc <= 60:
        return "days_31_60"
    if days_since_doc <= 90:
        return "days_61_90"
    return "days_over_90"
