"""Plausibility checks on a timesheet's entries: future dates and impossible days.

A timesheet records work done, so

* an entry dated after today (the day the file is read) is not work done yet, or has a
  mistyped year (``2204`` for ``2024``): it is **left out** of the estimate, since one
  such date would also stretch the span the frequencies are measured over;
* one person cannot log more than :data:`IMPOSSIBLE_DAY_HOURS` hours in one day: all
  that person's entries of that day are **left out** (which of them is wrong cannot be
  told, and clipping would invent a split); the usual causes are one entry covering
  several days, a duplicated import, or minutes or seconds read as hours;
* a day over :data:`PLAUSIBLE_DAY_HOURS` hours is possible (a travel or event day) but
  rare: it is **kept**, with a warning naming the person, the day and the lines.

Each warning names the rows and the people, and says what was done with them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

from simulator.data.common import Notes, line_list, plural
from simulator.data.errors import RowIssue

__all__ = [
    "IMPOSSIBLE_DAY_HOURS",
    "PLAUSIBLE_DAY_HOURS",
    "DayTotal",
    "check_entries",
    "day_totals",
]

PLAUSIBLE_DAY_HOURS = 16.0
"""Hours one person can plausibly log in one day (assumption): above the 13 hours a
day that the EU Working Time Directive's 11 consecutive hours of daily rest leave
(2003/88/EC, art. 3), with room for travel and event days. Days above it are kept and
warned."""

IMPOSSIBLE_DAY_HOURS = 24.0
"""Hours in a day: one person's entries of a day summing to more cannot all be right,
and are left out."""

_SHOWN = 5


class _Entry(Protocol):
    @property
    def person(self) -> str: ...
    @property
    def date(self) -> date: ...
    @property
    def hours(self) -> float: ...
    @property
    def line(self) -> int: ...


E = TypeVar("E", bound=_Entry)


@dataclass(frozen=True)
class DayTotal:
    """The hours one person logged on one day.

    Attributes
    ----------
    person
        Who logged them.
    day
        The day.
    hours
        Their sum, hours.
    lines
        The lines (CSV) or rows (Excel) of the entries, in file order.
    """

    person: str
    day: date
    hours: float
    lines: tuple[int, ...]

    def describe(self) -> str:
        """``"Sam Patel on 2024-03-06, 30.0 h on lines 8, 9"``."""
        return f"{self.person} on {self.day}, {self.hours:.1f} h on {line_list(self.lines)}"


def day_totals(entries: Sequence[_Entry]) -> list[DayTotal]:
    """Hours per person and day, in order of each group's first line."""
    groups: dict[tuple[str, date], list[_Entry]] = {}
    for e in entries:
        groups.setdefault((e.person, e.date), []).append(e)
    return [
        DayTotal(person, day, sum(e.hours for e in group), tuple(e.line for e in group))
        for (person, day), group in groups.items()
    ]


def _listing(items: Sequence[str]) -> str:
    """The first few items joined by "; ", and how many more."""
    shown = "; ".join(items[:_SHOWN])
    return shown + (f"; and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def check_entries(
    entries: Sequence[E], raw: Mapping[int, tuple[str, ...]], today: date, notes: Notes
) -> tuple[list[E], list[RowIssue]]:
    """Leave out future entries and impossible days; warn about implausible days.

    Parameters
    ----------
    entries
        The entries read, in file order.
    raw
        Line -> the row's cells as text (for the skipped rows).
    today
        Entries dated after it are in the future.
    notes
        Receives the warnings.

    Returns
    -------
    (list, list of RowIssue)
        The entries kept, in file order; the rows left out, with their reasons.
    """
    left_out: list[RowIssue] = []
    future = [e for e in entries if e.date > today]
    if future:
        for e in future:
            left_out.append(
                RowIssue(
                    e.line,
                    "dated after today",
                    raw.get(e.line, ()),
                    f"dated {e.date}, after today ({today})",
                )
            )
        notes.add(
            f"{plural(len(future), 'entry', 'entries')} dated after today, {today} ("
            + _listing([f"{e.person} on {e.date}, line {e.line}" for e in future])
            + "): left out of the estimate (work not done yet, or a mistyped year); "
            "correct the dates to count them"
        )
    present = [e for e in entries if e.date <= today]
    totals = day_totals(present)
    impossible = [t for t in totals if t.hours > IMPOSSIBLE_DAY_HOURS + 1e-9]
    if impossible:
        dropped = {line for t in impossible for line in t.lines}
        for t in impossible:
            for line in t.lines:
                left_out.append(
                    RowIssue(
                        line,
                        "day over 24 hours",
                        raw.get(line, ()),
                        f"{t.person} logged {t.hours:.1f} hours on {t.day}",
                    )
                )
        hours = sum(t.hours for t in impossible)
        notes.add(
            f"{plural(len(impossible), 'person-day')} with more than "
            f"{IMPOSSIBLE_DAY_HOURS:g} hours logged, which cannot be ("
            + _listing([t.describe() for t in impossible])
            + f"): their {plural(len(dropped), 'entry', 'entries')} ({hours:.1f} h) are left "
            "out of the estimate; split entries that cover several days across them, remove "
            "duplicates, or check the hours column's unit"
        )
        present = [e for e in present if e.line not in dropped]
    long_days = [t for t in totals if PLAUSIBLE_DAY_HOURS < t.hours <= IMPOSSIBLE_DAY_HOURS + 1e-9]
    if long_days:
        notes.add(
            f"{plural(len(long_days), 'person-day')} with more than {PLAUSIBLE_DAY_HOURS:g} "
            "hours logged ("
            + _listing([t.describe() for t in long_days])
            + "): kept in the estimate; more than "
            f"{PLAUSIBLE_DAY_HOURS:g} hours a day is rare (a plausibility limit, an assumption: "
            "docs/assumptions.md#timesheet-plausibility), so check for time logged twice or "
            "on the wrong day"
        )
    return present, left_out
