"""One row of an activity history -> an :class:`Activity`, or a :class:`RowIssue` saying why not.

:class:`ActivityRows` holds the per-file decisions (which columns, date order, duration
units) and applies the row rules listed in :mod:`simulator.data.activities`, collecting
warnings about kept rows in a :class:`~simulator.data.common.Notes`. Duration units come
from the header (:func:`~simulator.data.durations.duration_unit`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from simulator.data.blanks import is_blank, is_missing
from simulator.data.columns import ColumnMatch
from simulator.data.common import Notes, cell, line_list, plural, text_or_none
from simulator.data.customer_rows import _TOTALS
from simulator.data.dates import parse_date
from simulator.data.durations import duration_unit, parse_hours
from simulator.data.errors import RowIssue, cell_text
from simulator.data.table import RawRow, RawTable
from simulator.data.timesheet_checks import IMPOSSIBLE_DAY_HOURS, DayTotal

__all__ = ["Activity", "ActivityRows", "duration_unit"]

_RECORD_COUNT = re.compile(r"^(?:record\s+)?count\b|^\d[\d,.]*\s+records?\b", re.IGNORECASE)


@dataclass
class Activity:
    """One logged activity with a customer.

    Attributes
    ----------
    account
        The account as written (an ID or a name), stripped; never blank.
    date
        The day the activity happened (a date and time keeps its date).
    type
        Activity type as written, stripped (``"QBR"``, ``"Call"``); the subject line
        when the export has no type column or the type cell is blank.
    subject
        Free-text subject or title, when the export has one.
    owner
        Who did it (assigned to, author, owner).
    hours
        Duration, hours (minutes, seconds and ``HH:MM:SS`` converted); None when not
        logged.
    response_hours
        Time to the first response, hours (requests and tickets).
    line
        CSV line or Excel row.
    """

    account: str
    date: dt.date
    type: str
    subject: str | None = None
    owner: str | None = None
    hours: float | None = None
    response_hours: float | None = None
    line: int = 0


def _owners(activities: list[Activity]) -> str:
    """``" by Ann on 2099-01-15, Bob on 2099-02-01"``: who and when, the first five."""
    named = [f"{a.owner} on {a.date}" for a in activities if a.owner]
    if not named:
        return ""
    more = f" and {len(named) - 5} more" if len(named) > 5 else ""
    return " by " + ", ".join(named[:5]) + more


def _is_date(value: Any) -> bool:
    """Whether a cell reads as a date."""
    try:
        parse_date(value)
    except ValueError:
        return False
    return True


class ActivityRows:
    """The rules for one row of an activity history, and the file-wide notes they leave.

    Build one per file (columns, date order, units) and call :meth:`read`.
    """

    def __init__(
        self,
        table: RawTable,
        match: ColumnMatch,
        dayfirst: bool | None,
        units: Mapping[str, str],
        notes: Notes,
    ) -> None:
        self.table, self.col, self.head = table, match.columns, match.headers
        self.dayfirst, self.units, self.notes = dayfirst, units, notes
        self.today = dt.date.today()
        self.future: list[Activity] = []
        self.long: list[int] = []
        self.zero: list[int] = []
        self.from_subject: list[int] = []
        self.owner_days: dict[tuple[str, dt.date], list[Activity]] = {}

    def read(self) -> tuple[list[Activity], list[RowIssue]]:
        """(activities kept, rows skipped, title rows included)."""
        kept: list[Activity] = []
        skipped: list[RowIssue] = list(self.table.skipped)
        first_line: dict[tuple[str, ...], int] = {}
        for row in self.table.rows:
            # a copy of a kept row would be kept too: skip it before its cells leave notes
            key = row.text()
            if key in first_line:
                skipped.append(
                    RowIssue(
                        row.line,
                        "duplicate row",
                        key,
                        f"the same as line {first_line[key]} in every column",
                    )
                )
                continue
            activity = self._activity(row)
            if isinstance(activity, RowIssue):
                skipped.append(activity)
                continue
            first_line[key] = row.line
            self._note_kept(activity)
            kept.append(activity)
        self._file_notes()
        return kept, skipped

    def _skip(self, row: RawRow, reason: str, detail: str) -> RowIssue:
        return RowIssue(row.line, reason, row.text(), detail)

    def _activity(self, row: RawRow) -> Activity | RowIssue:
        """The activity on one row, or the reason the row is skipped."""
        col, head = self.col, self.head
        filled = [c for c in row.cells if not is_blank(c)]
        account = cell_text(row.cells[col["account"]])
        first = cell_text(filled[0]) if filled else ""
        totals = any(p.match(t) for p in (_TOTALS, _RECORD_COUNT) for t in (account, first))
        if totals and not _is_date(row.cells[col["date"]]):
            # an account named "Total Wine" with a date is an activity
            return self._skip(row, "totals row", f"a totals line ({first!r}), not an activity")
        if len(filled) == 1 and not _is_date(filled[0]):
            return self._skip(
                row, "one-cell line", f"only {first!r}: a title, group or footer line"
            )
        if is_missing(row.cells[col["account"]]):
            return self._skip(row, "no account", f'blank account in column "{head["account"]}"')
        raw_date = row.cells[col["date"]]
        if is_blank(raw_date):
            return self._skip(row, "no date", f'blank date in column "{head["date"]}"')
        try:
            day = parse_date(raw_date, self.dayfirst)
        except ValueError as exc:
            return self._skip(
                row,
                "date not a date",
                f'date {cell_text(raw_date)!r} in column "{head["date"]}" is not a date ({exc})',
            )
        subject = text_or_none(cell(row.cells, col.get("subject")))
        kind = text_or_none(cell(row.cells, col.get("type")))
        if kind is None and subject is not None and "type" in col:
            self.from_subject.append(row.line)
        kind = kind or subject
        if kind is None:
            where = " or ".join(f'"{head[f]}"' for f in ("type", "subject") if f in head)
            return self._skip(row, "no type", f"blank activity type in column {where}")
        return Activity(
            account=account,
            date=day,
            type=kind,
            subject=subject,
            owner=text_or_none(cell(row.cells, col.get("owner"))),
            hours=self._duration(row, "hours"),
            response_hours=self._duration(row, "response_hours"),
            line=row.line,
        )

    def _duration(self, row: RawRow, name: str) -> float | None:
        """Hours in a duration column; None (with a note) when blank, unreadable or < 0."""
        raw = cell(row.cells, self.col.get(name))
        if is_missing(raw):
            return None
        header = self.head[name]
        try:
            hours = parse_hours(raw, self.units[name])
        except ValueError as exc:
            self.notes.cell(
                header,
                "durations that are not durations",
                row.line,
                f"{cell_text(raw)!r} is not a duration ({exc}); left blank",
            )
            return None
        if hours < 0:
            self.notes.cell(
                header,
                "negative durations",
                row.line,
                f"{cell_text(raw)!r} is negative; left blank",
            )
            return None
        if hours == 0 and name == "hours":
            self.zero.append(row.line)
            return None
        return hours

    def _note_kept(self, activity: Activity) -> None:
        """Remember kept activities dated after today or longer than a day."""
        if activity.date > self.today:
            self.future.append(activity)
        if activity.hours is not None and activity.hours > 24:
            self.long.append(activity.line)
        if activity.owner is not None and activity.hours is not None:
            self.owner_days.setdefault((activity.owner, activity.date), []).append(activity)

    def _file_notes(self) -> None:
        """The warnings about kept rows, one per kind."""
        if self.from_subject:
            self.notes.add(
                f"{plural(len(self.from_subject), 'activity', 'activities')} with a blank "
                f"type ({line_list(self.from_subject)}): the subject is used as the type"
            )
        if self.zero:
            self.notes.add(
                f"{plural(len(self.zero), 'activity', 'activities')} with a zero duration "
                f"({line_list(self.zero)}): duration left blank (exports write 0 when none "
                "was logged)"
            )
        if self.long:
            self.notes.add(
                f"{plural(len(self.long), 'activity', 'activities')} longer than 24 hours "
                f"({line_list(self.long)}): kept; check the duration column's unit"
            )
        full = [
            DayTotal(owner, day, sum(a.hours or 0.0 for a in group), tuple(a.line for a in group))
            for (owner, day), group in self.owner_days.items()
            if len(group) > 1 and sum(a.hours or 0.0 for a in group) > IMPOSSIBLE_DAY_HOURS
        ]
        if full:
            shown = "; ".join(t.describe(IMPOSSIBLE_DAY_HOURS) for t in full[:5])
            more = f"; and {len(full) - 5} more" if len(full) > 5 else ""
            self.notes.add(
                f"{plural(len(full), 'owner-day')} with more than {IMPOSSIBLE_DAY_HOURS:g} "
                f"hours of activity durations ({shown}{more}), which one person cannot "
                "log: kept, as the estimates do not use activity durations (overlapping "
                "calendar events add up so); check the duration column's unit"
            )
        if self.future:
            self.notes.add(
                f"{plural(len(self.future), 'activity', 'activities')} dated after today "
                f"({line_list([a.line for a in self.future])}){_owners(self.future)}: kept "
                "in the history, but the evidence counts only activities up to the list's "
                "date; open tasks or planned meetings have not happened yet, so remove them "
                "if the history should hold only what was done"
            )
