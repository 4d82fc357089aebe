"""Plausibility checks on a timesheet's entries: date order, future and isolated dates,
impossible days.

A timesheet records work done, so

* an entry dated after today (the day the file is read) is not work done yet, or has a
  mistyped year (``2204`` for ``2024``): it is **left out** of the estimate, since one
  such date would also stretch the span the frequencies are measured over;
* a few entries separated from all the others by more than :data:`ISOLATED_GAP_DAYS`
  days (at most :data:`ISOLATED_HANDFUL` or :data:`ISOLATED_SHARE` of the entries, the
  rest holding at least :data:`ISOLATED_REST_FACTOR` times as many) are **left out**:
  they are mistyped years (``0001-01-01``, ``1926``) that would stretch the span;
* a date column holding both ``13/04/2026`` (only day first) and ``04/14/2026`` (only
  month first) is **refused** (:func:`check_date_order`), and one whose dates only read
  in the order not chosen is warned, with the lines;
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
from simulator.data.dates import fixed_order
from simulator.data.errors import RowIssue
from simulator.data.table import RawTable
from simulator.errors import DataError, Hint, data_issue, hinted

__all__ = [
    "IMPOSSIBLE_DAY_HOURS",
    "ISOLATED_GAP_DAYS",
    "ISOLATED_HANDFUL",
    "ISOLATED_REST_FACTOR",
    "ISOLATED_SHARE",
    "PLAUSIBLE_DAY_HOURS",
    "DayTotal",
    "check_date_order",
    "check_entries",
    "day_totals",
    "hours_above",
]

PLAUSIBLE_DAY_HOURS = 16.0
"""Hours one person can plausibly log in one day (assumption): above the 13 hours a
day that the EU Working Time Directive's 11 consecutive hours of daily rest leave
(2003/88/EC, art. 3), with room for travel and event days. Days above it are kept and
warned."""

IMPOSSIBLE_DAY_HOURS = 24.0
"""Hours in a day: one person's entries of a day summing to more cannot all be right,
and are left out."""

ISOLATED_GAP_DAYS = 180
"""Days without any entry that set a few entries apart from the rest (assumption: half a
year, longer than any holiday or quiet season of a whole team)."""

ISOLATED_HANDFUL = 3
"""Entries set apart by such a gap are left out when there are at most this many ..."""

ISOLATED_SHARE = 0.01
"""... or at most this share of all entries (assumption: a mistyped year is a slip on a
few rows, not a period of logging) ..."""

ISOLATED_REST_FACTOR = 10
"""... and the other side of the gap holds at least this many times as many entries."""

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

    def describe(self, limit: float = 0.0) -> str:
        """``"Sam Patel on 2024-03-06, 30.0 h on lines 8, 9"``, the hours shown above
        ``limit`` (hours) when they are above it (16.01 h, not 16.0 h)."""
        hours = hours_above(self.hours, limit)
        return f"{self.person} on {self.day}, {hours} h on {line_list(self.lines)}"


def hours_above(hours: float, limit: float) -> str:
    """``hours`` with one decimal, or as many more as it takes (up to 6) for a total
    above ``limit`` to be shown above it: ``hours_above(16.01, 16)`` is ``"16.01"``."""
    for digits in range(1, 7):
        text = f"{hours:.{digits}f}"
        if hours <= limit or float(text) > limit:
            return text
    return text


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
    present = _without_isolated([e for e in entries if e.date <= today], raw, notes, left_out)
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
                        f"{t.person} logged {hours_above(t.hours, IMPOSSIBLE_DAY_HOURS)} hours "
                        f"on {t.day}",
                    )
                )
        hours = sum(t.hours for t in impossible)
        notes.add(
            f"{plural(len(impossible), 'person-day')} with more than "
            f"{IMPOSSIBLE_DAY_HOURS:g} hours logged, which cannot be ("
            + _listing([t.describe(IMPOSSIBLE_DAY_HOURS) for t in impossible])
            + f"): their {plural(len(dropped), 'entry', 'entries')} "
            f"({hours_above(hours, IMPOSSIBLE_DAY_HOURS)} h) are left "
            "out of the estimate; split entries that cover several days across them, remove "
            "duplicates, or check the hours column's unit"
        )
        present = [e for e in present if e.line not in dropped]
    long_days = [t for t in totals if PLAUSIBLE_DAY_HOURS < t.hours <= IMPOSSIBLE_DAY_HOURS + 1e-9]
    if long_days:
        notes.add(
            f"{plural(len(long_days), 'person-day')} with more than {PLAUSIBLE_DAY_HOURS:g} "
            "hours logged ("
            + _listing([t.describe(PLAUSIBLE_DAY_HOURS) for t in long_days])
            + "): kept in the estimate; more than "
            f"{PLAUSIBLE_DAY_HOURS:g} hours a day is rare (a plausibility limit, an assumption: "
            "docs/assumptions.md#timesheet-plausibility), so check for time logged twice or "
            "on the wrong day"
        )
    return present, left_out


def _isolated_lines(entries: Sequence[_Entry]) -> set[int]:
    """Lines of the few entries at either end set apart from the rest by a long gap."""
    n = len(entries)
    most = max(ISOLATED_HANDFUL, int(n * ISOLATED_SHARE))
    order = sorted(entries, key=lambda e: e.date)
    lead = trail = 0
    for k in range(1, min(most, n - 1) + 1):
        if n - k < ISOLATED_REST_FACTOR * k:
            break
        if (order[k].date - order[k - 1].date).days > ISOLATED_GAP_DAYS:
            lead = k
        if (order[n - k].date - order[n - k - 1].date).days > ISOLATED_GAP_DAYS:
            trail = k
    return {e.line for e in order[:lead]} | {e.line for e in order[n - trail :]}


def _without_isolated(
    entries: Sequence[E], raw: Mapping[int, tuple[str, ...]], notes: Notes, out: list[RowIssue]
) -> list[E]:
    """``entries`` without the isolated ones, which go to ``out`` with a warning."""
    lines = _isolated_lines(entries)
    if not lines:
        return list(entries)
    apart = [e for e in entries if e.line in lines]
    for e in apart:
        out.append(
            RowIssue(
                e.line,
                "far from the other dates",
                raw.get(e.line, ()),
                f"dated {e.date}, more than {ISOLATED_GAP_DAYS} days from every other entry",
            )
        )
    notes.add(
        f"{plural(len(apart), 'entry', 'entries')} dated more than {ISOLATED_GAP_DAYS} days "
        "apart from all the others ("
        + _listing([f"{e.person} on {e.date}, line {e.line}" for e in apart])
        + "): left out of the estimate, since they would stretch the span the frequencies "
        "are measured over (usually a mistyped year; an assumption: "
        "docs/assumptions.md#timesheet-plausibility); correct the dates to count them"
    )
    return [e for e in entries if e.line not in lines]


def check_date_order(
    table: RawTable, column: int, header: str, dayfirst: bool | None, notes: Notes
) -> None:
    """Refuse a date column that writes the day first on some lines and the month first
    on others; warn about dates that only read in the order not chosen.

    Parameters
    ----------
    table
        The file's rows.
    column, header
        The date column's index and header.
    dayfirst
        The order applied to ambiguous dates (given or inferred); None reads them month
        first (dotted ones day first).
    notes
        Receives the warning.

    Raises
    ------
    DataError
        When the column holds both dates only readable day first (``13/04/2026``) and
        dates only readable month first (``04/14/2026``): which order its ambiguous dates
        (``03/04/2026``) follow cannot be told.
    """
    lines: dict[bool, list[int]] = {True: [], False: []}
    for row in table.rows:
        order = fixed_order(row.cells[column]) if column < len(row.cells) else None
        if order is not None:
            lines[order].append(row.line)
    if lines[True] and lines[False]:
        raise DataError(
            [
                data_issue(
                    "dates written day first (13/04/2026 style, "
                    f"{line_list(lines[True])}) and month first (04/14/2026 style, "
                    f"{line_list(lines[False])}) in one column, so dates such as "
                    "03/04/2026 cannot be read either way; write the dates as YYYY-MM-DD, "
                    "or correct the lines that disagree",
                    table.path,
                    None,
                    header,
                )
            ],
            "the timesheet",
        )
    chosen = bool(dayfirst)
    other = lines[not chosen]
    if other:
        notes.add(
            hinted(
                f'column "{header}": {plural(len(other), "date")} ({line_list(other)}) can '
                f"only be read {'month' if chosen else 'day'} first, while ambiguous dates "
                f"are read {'day' if chosen else 'month'} first; check those lines, or pass ",
                Hint("dayfirst", not chosen),
                f" if the column writes the {'month' if chosen else 'day'} first",
            )
        )
