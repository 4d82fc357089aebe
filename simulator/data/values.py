"""Parse the cell values found in real exports: amounts, dates and durations.

Everything here is forgiving about *format* and strict about *meaning*: ``"$12,000"``,
``"12.000,00 EUR"`` and ``"12k"`` are all amounts, but ``"TBD"`` is not, and a value that
could be read two ways is read the way the rest of its column says (see
:func:`infer_decimal_comma` and :func:`infer_dayfirst`). Failures raise ``ValueError``
with a short reason (``"blank"``, ``"not a number"``, ...) that callers put into a
message naming the file, line and column.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

__all__ = [
    "ambiguous_dates",
    "decimal_votes",
    "infer_dayfirst",
    "infer_decimal_comma",
    "is_blank",
    "is_missing",
    "parse_date",
    "parse_hours",
    "parse_money",
]

# --------------------------------------------------------------------------- amounts

_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")
_CURRENCY_SYMBOLS = re.compile(
    r"(?:\b(?:us|ca|au|nz|hk|sg|r|c|a))?[$€£¥₹₩₽₺₪฿₫₴₦₱¤]", re.IGNORECASE
)
_CURRENCY_CODES = re.compile(
    r"(?<![a-z])(?:usd|eur|euro|euros|gbp|cad|aud|nzd|chf|jpy|cny|rmb|inr|sek|nok|dkk|"
    r"pln|czk|huf|brl|mxn|zar|sgd|hkd|ils|try|krw|rub)(?![a-z])",
    re.IGNORECASE,
)
_SCALES = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "mio": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
}
_AMOUNT = re.compile(r"^(?P<num>\d[\d.,' ]*|[.,]\d+)\s*(?P<scale>[a-z]+)?$", re.IGNORECASE)
_SCIENTIFIC = re.compile(r"^\d+(?:\.\d+)?e[+-]?\d+$", re.IGNORECASE)
_BLANK_WORDS = {"", "-", "--", "—", "–", "n/a", "na", "none", "null", "nan", "nil"}


def is_blank(value: Any) -> bool:
    """True for an empty cell: None, an empty or whitespace string, or NaN."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def is_missing(value: Any) -> bool:
    """True for a blank cell or a missing-value marker (``n/a``, ``-``, ``null``, ``#N/A``)."""
    if is_blank(value):
        return True
    return isinstance(value, str) and _SPACES.sub(" ", value).strip().lower() in _BLANK_WORDS


def _amount_core(text: str) -> tuple[bool, str, float]:
    """Split an amount into (negative, digits-and-separators, scale factor).

    Raises ``ValueError`` when no number is left after removing currency marks.
    """
    s = _SPACES.sub(" ", text).strip()
    if not s:
        raise ValueError("blank")
    if s.lower() in _BLANK_WORDS:
        raise ValueError("a missing-value marker")
    if s.startswith("#"):
        raise ValueError("a spreadsheet error value; fix the formula or type the amount")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    s = s.replace("\u2212", "-")
    s = _CURRENCY_SYMBOLS.sub(" ", s)
    s = _CURRENCY_CODES.sub(" ", s).strip()
    if s.startswith("-"):
        negative, s = not negative, s[1:].strip()
    elif s.endswith("-"):
        negative, s = not negative, s[:-1].strip()
    elif s.startswith("+"):
        s = s[1:].strip()
    # the sign may sit between the currency and the number: "$-1,200", "- $ 5"
    if s.startswith("-"):
        negative, s = not negative, s[1:].strip()
    if _SCIENTIFIC.match(s):
        return negative, s, 1.0
    m = _AMOUNT.match(s)
    if not m:
        raise ValueError("not a number")
    scale = 1.0
    if m.group("scale"):
        unit = m.group("scale").lower()
        if unit not in _SCALES:
            raise ValueError(f"unknown unit {m.group('scale')!r} (use k, M or bn)")
        scale = _SCALES[unit]
    return negative, m.group("num").strip(), scale


def _check_groups(groups: list[str], number: str) -> None:
    """Thousands groups: ``1,234,567`` (or Indian ``12,34,567``); else ValueError."""
    head, rest = groups[0], groups[1:]
    ok = 1 <= len(head) <= 3 and all(len(g) == 3 for g in rest)
    indian = (
        len(rest) >= 2
        and 1 <= len(head) <= 2
        and all(len(g) == 2 for g in rest[:-1])
        and len(rest[-1]) == 3
    )
    if not (ok or indian) or not all(g.isdigit() for g in groups):
        raise ValueError("misplaced thousands separators")


def _number(num: str, decimal_comma: bool | None) -> float:
    """Digits with separators -> float; ``decimal_comma`` settles ``1,500``/``1.500``."""
    original = num
    if " " in num or "'" in num:
        # spaces or apostrophes (Swiss) separate thousands: "1 234,50", "1'234.50"
        lead = re.split(r"[.,](?=\d*$)", num)[0] if re.search(r"[.,]\d*$", num) else num
        _check_groups(re.split(r"[ ']", lead), original)
        num = num.replace(" ", "").replace("'", "")
    has_dot, has_comma = "." in num, "," in num
    if has_dot and has_comma:
        dec = "," if num.rfind(",") > num.rfind(".") else "."
        thousands = "." if dec == "," else ","
        whole, frac = num.rsplit(dec, 1)
        if dec in whole or not frac.isdigit():
            raise ValueError("misplaced thousands separators")
        _check_groups(whole.split(thousands), original)
        return float(whole.replace(thousands, "") + "." + frac)
    if has_dot or has_comma:
        sep = "," if has_comma else "."
        parts = num.split(sep)
        if len(parts) > 2:
            _check_groups(parts, original)
            return float("".join(parts))
        whole, frac = parts
        if not whole:
            whole = "0"
        if not frac:
            return float(whole)
        if len(frac) != 3:
            decimal = True
        elif decimal_comma is None:
            decimal = sep == "."
        else:
            decimal = (sep == ",") == decimal_comma
        if decimal:
            if not (whole.isdigit() and frac.isdigit()):
                raise ValueError("misplaced thousands separators")
            return float(whole + "." + frac)
        _check_groups(parts, original)
        return float(whole + frac)
    if not num.isdigit():
        raise ValueError("not a number")
    return float(num)


def parse_money(value: Any, decimal_comma: bool | None = None) -> float:
    """An amount of money from a cell, in the file's currency units.

    Parameters
    ----------
    value
        A number (from a spreadsheet) or text such as ``"$12,000"``, ``"12.000,00 EUR"``,
        ``"€ 1 234,50"``, ``"12k"``, ``"1.2M"``, ``"(1,200)"`` (negative), ``"USD 5000"``,
        ``"-1,200"`` or ``"1'234.50"``. Currency symbols and ISO codes are dropped; no
        conversion between currencies is made.
    decimal_comma
        How to read a single separator followed by exactly three digits (``"1,500"``,
        ``"1.500"``): True -> the comma is the decimal mark (1.5 and 1500), False -> the
        dot is (1500 and 1.5), None -> US convention. Values with both separators, or
        other digit counts, are unambiguous and ignore this. See
        :func:`infer_decimal_comma`.

    Returns
    -------
    float
        The amount in currency units (``"12k"`` -> 12000.0); negative for ``"(1,200)"``.

    Raises
    ------
    ValueError
        With a short reason: ``"blank"``, ``"not a number"``, ``"misplaced thousands
        separators"``, ``"unknown unit 'x'"``.
    """
    if isinstance(value, bool):
        raise ValueError("a true/false value is not an amount")
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("blank" if math.isnan(number) else "not a finite number")
        return number
    if value is None:
        raise ValueError("blank")
    if isinstance(value, (date, time, timedelta)):
        raise ValueError("a date is not an amount")
    negative, num, scale = _amount_core(str(value))
    amount = float(num) if _SCIENTIFIC.match(num) else _number(num, decimal_comma)
    amount *= scale
    if not math.isfinite(amount):
        raise ValueError("too large")
    return -amount if negative else amount


def decimal_votes(values: Iterable[Any]) -> tuple[int, int]:
    """(decimal-comma votes, decimal-point votes) of a column's unambiguous text values.

    ``"12.000,00"``, ``"1,5"``, ``"1.234.567"`` vote for a decimal comma; ``"12,000.00"``,
    ``"1.5"``, ``"1,234,567"`` for a decimal point; ``"1,500"``, ``"1200"`` and numbers
    from a spreadsheet do not vote.
    """
    comma = point = 0
    for value in values:
        if not isinstance(value, str):
            continue
        try:
            _, num, _ = _amount_core(value)
        except ValueError:
            continue
        num = num.replace(" ", "").replace("'", "")
        if "," in num and "." in num:
            if num.rfind(",") > num.rfind("."):
                comma += 1
            else:
                point += 1
        elif "," in num or "." in num:
            sep = "," if "," in num else "."
            parts = num.split(sep)
            if len(parts) > 2:
                point += sep == ","
                comma += sep == "."
            elif len(parts[1]) not in (0, 3):
                comma += sep == ","
                point += sep == "."
    return comma, point


def infer_decimal_comma(values: Iterable[Any]) -> bool:
    """Whether a column writes decimals with a comma, judged from unambiguous values.

    Parameters
    ----------
    values
        The column's cells (see :func:`decimal_votes` for which ones vote).

    Returns
    -------
    bool
        True when more values vote for a decimal comma than for a decimal point.
    """
    comma, point = decimal_votes(values)
    return comma > point


# ----------------------------------------------------------------------------- dates

_MONTHS = {
    "jan": 1,
    "january": 1,
    "januar": 1,
    "janv": 1,
    "feb": 2,
    "february": 2,
    "februar": 2,
    "fev": 2,
    "mar": 3,
    "march": 3,
    "mär": 3,
    "märz": 3,
    "mrz": 3,
    "apr": 4,
    "april": 4,
    "avr": 4,
    "may": 5,
    "mai": 5,
    "jun": 6,
    "june": 6,
    "juni": 6,
    "juin": 6,
    "jul": 7,
    "july": 7,
    "juli": 7,
    "juil": 7,
    "aug": 8,
    "august": 8,
    "aout": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "okt": 10,
    "oktober": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
    "dez": 12,
    "dezember": 12,
}
_WEEKDAYS = {
    "mon",
    "monday",
    "tue",
    "tues",
    "tuesday",
    "wed",
    "wednesday",
    "thu",
    "thur",
    "thurs",
    "thursday",
    "fri",
    "friday",
    "sat",
    "saturday",
    "sun",
    "sunday",
}
_TIME_SUFFIX = re.compile(
    r"^(?P<date>.*?\d)(?:[T ]+|,\s*)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?m\.?)?"
    r"\s*(?:z|utc|gmt|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\.?$")
_NUMERIC = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})\.?$")
_SERIAL_MIN, _SERIAL_MAX = 18264, 73050  # 1950-01-01 .. 2099-12-31
_EXCEL_EPOCH = date(1899, 12, 30)


def _strip_time(text: str) -> str:
    m = _TIME_SUFFIX.match(text)
    return m.group("date").strip() if m else text


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _make(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError("not a calendar date") from None


def _from_serial(number: float) -> date:
    if not _SERIAL_MIN <= number <= _SERIAL_MAX:
        raise ValueError(
            f"a number outside Excel's day numbers for 1950-2099 ({_SERIAL_MIN}-{_SERIAL_MAX})"
        )
    return _EXCEL_EPOCH + timedelta(days=math.floor(number))


def parse_date(value: Any, dayfirst: bool | None = None) -> date:
    """A calendar date from a cell.

    Parameters
    ----------
    value
        A ``date``/``datetime`` (from a spreadsheet), an Excel serial day number
        (``45356`` or ``"45356"``, 1950–2099), or text: ISO ``2024-03-05``,
        ``2024/03/05``, ``20240305``, US ``03/05/2024`` or ``3/5/24``, European
        ``05.03.2024`` or ``05/03/2024``, ``Mar 5, 2024``, ``5 March 2024``,
        ``05-Mar-24``, ``Tuesday, March 5, 2024``, with or without a time of day.
        Two-digit years 00–69 are 2000–2069, 70–99 are 1970–1999.
    dayfirst
        How to read ``03/05/2024`` when both numbers could be the month: True -> day
        first (5 March), False -> month first (3 May), None -> month first except with
        dots (``05.03.2024`` is day first). A value whose first number is over 12 is
        always day first and one whose second number is over 12 always month first.
        See :func:`infer_dayfirst`.

    Returns
    -------
    datetime.date

    Raises
    ------
    ValueError
        With a short reason (``"blank"``, ``"not a calendar date"``, ...).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError("a true/false value is not a date")
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        if math.isnan(number):
            raise ValueError("blank")
        if number.is_integer() and 19000101 <= number <= 21001231:
            text = str(int(number))
            return _make(int(text[:4]), int(text[4:6]), int(text[6:]), text)
        return _from_serial(number)
    if value is None:
        raise ValueError("blank")
    text = _SPACES.sub(" ", str(value)).strip()
    if not text:
        raise ValueError("blank")
    if text.lower() in _BLANK_WORDS:
        raise ValueError("a missing-value marker")
    if text.startswith("#"):
        raise ValueError("a spreadsheet error value; fix the formula or type the date")
    core = _strip_time(text)
    if re.fullmatch(r"\d{8}", core):
        return _make(int(core[:4]), int(core[4:6]), int(core[6:]), text)
    if re.fullmatch(r"\d{4,6}(?:\.\d+)?", core):
        return _from_serial(float(core))
    m = _ISO.match(core)
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    m = _NUMERIC.match(core)
    if m:
        a, sep, b, y = int(m.group(1)), m.group(2), int(m.group(3)), _year(m.group(4))
        if a > 12 and b > 12:
            raise ValueError("not a calendar date (no month in it)")
        if a > 12:
            first_is_day = True
        elif b > 12:
            first_is_day = False
        elif dayfirst is not None:
            first_is_day = dayfirst
        else:
            first_is_day = sep == "."
        day, month = (a, b) if first_is_day else (b, a)
        return _make(y, month, day, text)
    return _parse_named_month(core, text)


def _parse_named_month(core: str, text: str) -> date:
    """``Mar 5, 2024``, ``5 March 2024``, ``05-Mar-24``, ``2024 Mar 5``."""
    tokens = [t for t in re.split(r"[\s,/.\-]+", core.lower()) if t]
    tokens = [t for t in tokens if t not in _WEEKDAYS and t != "the" and t != "of"]
    tokens = [re.sub(r"^(\d{1,2})(?:st|nd|rd|th)$", r"\1", t) for t in tokens]
    months = [i for i, t in enumerate(tokens) if t in _MONTHS]
    if (
        len(tokens) != 3
        or len(months) != 1
        or not all(t.isdigit() for i, t in enumerate(tokens) if i != months[0])
    ):
        raise ValueError("an unknown date format; write dates as YYYY-MM-DD")
    month = _MONTHS[tokens[months[0]]]
    numbers = [t for i, t in enumerate(tokens) if i != months[0]]
    if len(numbers[0]) == 4:  # 2024 Mar 5
        year, day = int(numbers[0]), int(numbers[1])
    elif len(numbers[1]) in (2, 4) and len(numbers[0]) <= 2:  # Mar 5 2024 / 5 Mar 24
        day, year = int(numbers[0]), _year(numbers[1])
    else:
        raise ValueError("an unknown date format; write dates as YYYY-MM-DD")
    return _make(year, month, day, text)


def _day_month_votes(values: Iterable[Any]) -> tuple[int, int, list[str]]:
    """(day-first votes, month-first votes, ambiguous non-dotted examples)."""
    day = month = 0
    ambiguous: list[str] = []
    for value in values:
        if not isinstance(value, str):
            continue
        m = _NUMERIC.match(_strip_time(_SPACES.sub(" ", value).strip()))
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(3))
        if a > 12 >= b:
            day += 1
        elif b > 12 >= a:
            month += 1
        elif a <= 12 and b <= 12 and a != b and m.group(2) != ".":
            ambiguous.append(value.strip())
    return day, month, ambiguous


def infer_dayfirst(values: Iterable[Any]) -> bool | None:
    """Whether a column writes numeric dates day first, judged from unambiguous values.

    Parameters
    ----------
    values
        The column's cells; only ``a/b/yyyy``-style text votes (``a`` over 12 -> day
        first, ``b`` over 12 -> month first).

    Returns
    -------
    bool or None
        True or False by majority of votes; None when no value settles it (or the votes
        tie), in which case the caller reads dates month first and should warn if
        :func:`ambiguous_dates` finds any.
    """
    day, month, _ = _day_month_votes(values)
    if day == month:
        return None
    return day > month


def ambiguous_dates(values: Iterable[Any]) -> list[str]:
    """Values like ``03/05/2024`` whose reading depends on day/month order.

    Dotted dates (``05.03.2024``, read day first) and ones with equal day and month are
    not counted.
    """
    return _day_month_votes(values)[2]


# ------------------------------------------------------------------------- durations

_HMS = re.compile(r"^(\d+):(\d{1,2})(?::(\d{1,2}(?:[.,]\d+)?))?$")
_ISO_DURATION = re.compile(
    r"^pt(?:(\d+(?:[.,]\d+)?)h)?(?:(\d+(?:[.,]\d+)?)m)?(?:(\d+(?:[.,]\d+)?)s)?$"
)
_PART = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*"
    r"(hours|hour|hrs|hr|h|minutes|minute|mins|min|m|seconds|second|secs|sec|s)\b"
)
_UNIT_HOURS = {"h": 1.0, "hr": 1.0, "hrs": 1.0, "hour": 1.0, "hours": 1.0}
_UNIT_MINUTES = {"m", "min", "mins", "minute", "minutes"}


def _float(text: str) -> float:
    return float(text.replace(",", "."))


def parse_hours(value: Any, unit: str = "hours") -> float:
    """A duration in hours from a timesheet cell.

    Parameters
    ----------
    value
        A number (in ``unit``), a ``timedelta`` or ``time`` from a spreadsheet, or text:
        ``"1.5"``, ``"1,5"``, ``"1:30"``, ``"1:30:00"``, ``"90m"``, ``"90 min"``,
        ``"1.5h"``, ``"1h 30m"``, ``"1h30"``, ``"PT1H30M"``.
    unit
        ``"hours"`` or ``"minutes"``: the unit of bare numbers (from the column header,
        e.g. ``Duration (min)``).

    Returns
    -------
    float
        Hours (may be zero or negative; the caller decides what to keep).

    Raises
    ------
    ValueError
        With a short reason.
    """
    hours = _hours(value, unit)
    if not math.isfinite(hours):
        raise ValueError("too large")
    return hours


def _hours(value: Any, unit: str) -> float:
    per_unit = 1 / 60 if unit == "minutes" else 1.0
    if isinstance(value, bool):
        raise ValueError("a true/false value is not a duration")
    if isinstance(value, timedelta):
        return value.total_seconds() / 3600
    if isinstance(value, time):
        return value.hour + value.minute / 60 + value.second / 3600
    if isinstance(value, datetime):
        # Excel durations of 24 h or more arrive as datetimes counted from 1899-12-30
        return (value - datetime(1899, 12, 30)).total_seconds() / 3600
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("blank" if math.isnan(number) else "not a finite number")
        return number * per_unit
    if value is None:
        raise ValueError("blank")
    text = _SPACES.sub(" ", str(value)).strip().lower()
    if not text:
        raise ValueError("blank")
    negative = text.startswith("-")
    text = text.lstrip("-").strip()
    sign = -1.0 if negative else 1.0
    m = _HMS.match(text)
    if m:
        minutes = int(m.group(2))
        if minutes >= 60:
            raise ValueError(f"{minutes} minutes is not a clock time")
        seconds = _float(m.group(3)) if m.group(3) else 0.0
        return sign * (int(m.group(1)) + minutes / 60 + seconds / 3600)
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return sign * _float(text) * per_unit
    m = _ISO_DURATION.match(text)
    if m and any(m.groups()):
        h, mi, s = (_float(g) if g else 0.0 for g in m.groups())
        return sign * (h + mi / 60 + s / 3600)
    m = re.fullmatch(r"(\d+)\s*h\s*(\d{1,2})", text)
    if m:
        return sign * (int(m.group(1)) + int(m.group(2)) / 60)
    parts = list(_PART.finditer(text))
    if parts and not _PART.sub("", text).strip():
        total = 0.0
        for part in parts:
            amount, word = _float(part.group(1)), part.group(2)
            if word in _UNIT_HOURS:
                total += amount
            elif word in _UNIT_MINUTES:
                total += amount / 60
            else:
                total += amount / 3600
        return sign * total
    raise ValueError("not a duration (use hours like 1.5, or 1:30, 90m)")


def text_key(value: object) -> str:
    """A value as a key that ignores case and spacing: ``" Mid  Market"`` -> ``"mid market"``
    (segment filters, account names in timesheets; YAML's ``1`` matches the text ``"1"``)."""
    return " ".join(str(value).split()).casefold()


def add_months(d: date, months: int) -> date:
    """``d`` plus whole months, the day clamped to the month's length (31 Jan + 1 -> 28 Feb)."""
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
