"""Parse durations (hours worked) from timesheet cells.

Durations arrive as numbers (hours, or minutes or seconds when the header says so),
spreadsheet times and timedeltas, or text such as ``1:30``, ``90m``, ``1h 30m`` or
``PT1H30M``. Failures raise ``ValueError`` with a short reason.

The unit of bare numbers comes from the column's header (:func:`duration_unit`:
``Duration (min)``, ``Time Spent (s)``, ``timeSpentSeconds``); when the header names no
unit, :func:`unit_from_values` tells seconds and minutes from hours by the numbers'
median, since one entry of more than 24 hours cannot be.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from simulator.data.blanks import SPACES

__all__ = [
    "HOURS_MEDIAN_LIMIT",
    "SECONDS_MEDIAN_FROM",
    "duration_unit",
    "names_a_unit",
    "parse_hours",
    "unit_from_values",
]

_PER_UNIT = {"hours": 1.0, "minutes": 1 / 60, "seconds": 1 / 3600}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SECOND_WORDS = {"sec", "secs", "second", "seconds"}
_MINUTE_WORDS = {"min", "mins", "minute", "minutes"}
_HOUR_WORDS = {"h", "hr", "hrs", "hour", "hours"}
_BARE = re.compile(r"^\d+(?:[.,]\d+)?$")

HOURS_MEDIAN_LIMIT = 24.0
"""Bare numbers under a header naming no unit are not hours when their median is above
this (one entry longer than a day cannot be the typical entry)."""

SECONDS_MEDIAN_FROM = 900.0
"""Such numbers are seconds when their median is at least this (as minutes it would be a
typical entry of 15 hours or more), otherwise minutes."""

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


def _header_words(header: str) -> list[str]:
    """Lower-case words of a header, camelCase split: ``timeSpentSeconds`` -> time spent seconds."""
    return re.sub(r"[^\w]|_", " ", _CAMEL.sub(" ", header).lower()).split()


def duration_unit(header: str) -> str:
    """The unit of bare numbers under a duration header.

    Parameters
    ----------
    header
        The header as written (units are often in brackets, which matching ignores).

    Returns
    -------
    str
        ``"seconds"`` for ``Call Duration in seconds``, ``Duration (secs)``, ``Time
        Spent (s)`` or ``timeSpentSeconds``; ``"minutes"`` for ``Duration (min)``,
        ``Duration (m)`` or ``Minutes``; else ``"hours"``.
    """
    words = set(_header_words(header))
    bracketed = {w.strip().lower() for w in re.findall(r"[(\[]([^)\]]*)[)\]]", header)}
    if words & _SECOND_WORDS or "s" in bracketed:
        return "seconds"
    if words & _MINUTE_WORDS or "m" in bracketed:
        return "minutes"
    return "hours"


def names_a_unit(header: str) -> bool:
    """Whether a duration header says what its numbers are (hours, minutes or seconds)."""
    return duration_unit(header) != "hours" or bool(set(_header_words(header)) & _HOUR_WORDS)


def unit_from_values(values: list[Any]) -> tuple[str, float] | None:
    """The unit of bare numbers that cannot be hours, from their median.

    Parameters
    ----------
    values
        A duration column's cells; only bare numbers (``5400``, ``"90"``) count, since
        ``1:30`` or ``45 min`` carry their own unit.

    Returns
    -------
    (str, float) or None
        ``("seconds", median)`` when the median is at least :data:`SECONDS_MEDIAN_FROM`,
        ``("minutes", median)`` when it is above :data:`HOURS_MEDIAN_LIMIT`; None when
        the numbers can be hours (or there are none).
    """
    numbers: list[float] = []
    for v in values:
        if isinstance(v, bool):
            continue
        if isinstance(v, (int, float, Decimal)):
            number = float(v)
        elif isinstance(v, str) and _BARE.match(v.strip()):
            number = _float(v.strip())
        else:
            continue
        if math.isfinite(number) and number > 0:
            numbers.append(number)
    if not numbers:
        return None
    numbers.sort()
    mid = len(numbers) // 2
    median = numbers[mid] if len(numbers) % 2 else (numbers[mid - 1] + numbers[mid]) / 2
    if median >= SECONDS_MEDIAN_FROM:
        return "seconds", median
    if median > HOURS_MEDIAN_LIMIT:
        return "minutes", median
    return None


def parse_hours(value: Any, unit: str = "hours") -> float:
    """A duration in hours from a timesheet cell.

    Parameters
    ----------
    value
        A number (in ``unit``), a ``timedelta`` or ``time`` from a spreadsheet, or text:
        ``"1.5"``, ``"1,5"``, ``"1:30"``, ``"1:30:00"``, ``"90m"``, ``"90 min"``,
        ``"1.5h"``, ``"1h 30m"``, ``"1h30"``, ``"PT1H30M"``. Minutes or seconds after a
        larger unit must be under 60 (``1:60``, ``1h90``, ``1:30:75``, ``1h 90m`` are
        refused; ``90m`` alone is 1.5 hours).
    unit
        ``"hours"``, ``"minutes"`` or ``"seconds"``: the unit of bare numbers (from the
        column header, e.g. ``Duration (min)``, ``Time Spent (s)``).

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


def _sum_parts(parts: list[re.Match[str]]) -> float:
    """Hours in ``1h 30m``-style parts; minutes after hours, or seconds after a larger
    unit, must be under 60 (``1h 90m`` is refused like ``1:90``)."""
    total = 0.0
    larger = False  # a larger unit came before
    for part in parts:
        amount, word = _float(part.group(1)), part.group(2)
        if word in _UNIT_HOURS:
            total += amount
        elif word in _UNIT_MINUTES:
            if larger and amount >= 60:
                raise ValueError(f"{part.group(1)} minutes after hours is past 59")
            total += amount / 60
        else:
            if larger and amount >= 60:
                raise ValueError(f"{part.group(1)} seconds after minutes or hours is past 59")
            total += amount / 3600
        larger = True
    return total


def _hours(value: Any, unit: str) -> float:
    per_unit = _PER_UNIT[unit]
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
    text = SPACES.sub(" ", str(value)).strip().lower()
    if not text:
        raise ValueError("blank")
    negative = text.startswith("-")
    text = text.lstrip("-").strip()
    sign = -1.0 if negative else 1.0
    m = _HMS.match(text)
    if m:
        minutes = int(m.group(2))
        if minutes >= 60:
            raise ValueError(f"{minutes} minutes is past 59")
        seconds = _float(m.group(3)) if m.group(3) else 0.0
        if seconds >= 60:
            raise ValueError(f"{m.group(3)} seconds is past 59")
        return sign * (int(m.group(1)) + minutes / 60 + seconds / 3600)
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return sign * _float(text) * per_unit
    m = _ISO_DURATION.match(text)
    if m and any(m.groups()):
        h, mi, s = (_float(g) if g else 0.0 for g in m.groups())
        return sign * (h + mi / 60 + s / 3600)
    m = re.fullmatch(r"(\d+)\s*h\s*(\d{1,2})", text)
    if m:
        minutes = int(m.group(2))
        if minutes >= 60:
            raise ValueError(f"{minutes} minutes is past 59")
        return sign * (int(m.group(1)) + minutes / 60)
    parts = list(_PART.finditer(text))
    if parts and not _PART.sub("", text).strip():
        return sign * _sum_parts(parts)
    raise ValueError("not a duration (use hours like 1.5, or 1:30, 90m)")
