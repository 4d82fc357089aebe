"""Parse durations (hours worked) from timesheet cells.

Durations arrive as numbers (hours, or minutes when the header says so), spreadsheet
times and timedeltas, or text such as ``1:30``, ``90m``, ``1h 30m`` or ``PT1H30M``.
Failures raise ``ValueError`` with a short reason.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from simulator.data.blanks import SPACES

__all__ = ["parse_hours"]

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
