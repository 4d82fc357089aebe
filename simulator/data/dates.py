"""Parse calendar dates from cells, and infer a column's day/month order.

Dates arrive as spreadsheet dates, Excel serial day numbers, ISO text, US or European
numeric text, or with month names (``Mar 5, 2024``, ``05-Mar-24``). A numeric date that
could be read two ways (``03/05/2024``) is read the way the rest of its column says
(:func:`infer_dayfirst`). Failures raise ``ValueError`` with a short reason.
"""

from __future__ import annotations

import calendar
import math
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from simulator.data.blanks import BLANK_WORDS, SPACES

__all__ = ["add_months", "ambiguous_dates", "fixed_order", "infer_dayfirst", "parse_date"]

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
    text = SPACES.sub(" ", str(value)).strip()
    if not text:
        raise ValueError("blank")
    if text.lower() in BLANK_WORDS:
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


def _vote(value: str) -> int:
    """One text's vote: 1 day first, 2 month first, 3 ambiguous (not dotted), 0 none."""
    m = _NUMERIC.match(_strip_time(SPACES.sub(" ", value).strip()))
    if not m:
        return 0
    a, b = int(m.group(1)), int(m.group(3))
    if a > 12 >= b:
        return 1
    if b > 12 >= a:
        return 2
    if a <= 12 and b <= 12 and a != b and m.group(2) != ".":
        return 3
    return 0


def fixed_order(value: Any) -> bool | None:
    """The only day/month order a numeric text date can be read in.

    Returns
    -------
    bool or None
        True for ``13/04/2026`` (only day first), False for ``04/14/2026`` (only month
        first); None for anything else (``03/04/2026``, ISO dates, non-text cells).
    """
    if not isinstance(value, str):
        return None
    return {1: True, 2: False}.get(_vote(value))


def _day_month_votes(values: Iterable[Any]) -> tuple[int, int, list[str]]:
    """(day-first votes, month-first votes, ambiguous non-dotted examples).

    Each distinct text is read once (a column repeats its dates many times)."""
    texts = [v for v in values if isinstance(v, str)]
    votes = {t: _vote(t) for t in dict.fromkeys(texts)}
    counts = Counter(votes[t] for t in texts)
    ambiguous = [t.strip() for t in texts if votes[t] == 3] if counts[3] else []
    return counts[1], counts[2], ambiguous


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


def add_months(d: date, months: int) -> date:
    """``d`` plus whole months, the day clamped to the month's length (31 Jan + 1 -> 28 Feb)."""
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
