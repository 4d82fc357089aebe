"""Read a CRM activity history (CSV or Excel) into :class:`Activity` records.

Rules (row by row; nothing is dropped without a recorded reason):

* **Columns** (:data:`simulator.data.activity_fields.ACTIVITY_FIELDS`, ``--map``
  overrides): account and date are required, and a type or a subject; without a type
  column the subject is the type. Owner, duration (``hours``) and time to first
  response (``response_hours``) are optional. A duration column *guessed* from a header
  that names a reply, response, resolution or wait time (a helpdesk's ``Full resolution
  time in minutes``) is not read as time spent.
* **Units**: bare numbers in a duration are hours, or minutes or seconds when the header
  says so (``Duration (min)``, ``Call Duration in seconds``); ``1:30``, ``00:45:00``,
  ``45 min``, ``1h 30m`` are read as written.
* **Dates**: spreadsheet dates, ISO, US or day-first text, month names, with or without
  a time of day (``2025-03-04 14:30``, ``3/4/2025 2:30 PM``, ``2025-03-04T14:30:00Z``):
  the date as written is kept, with no time-zone shift. Day/month order follows the
  column, else the file, else month first with a warning, unless ``dayfirst`` is given.
* **Skipped rows** (counted by reason): ``"totals row"`` (``Grand Totals (24
  records)``, ``Total``, ``Record Count: 24``, with no date); ``"one-cell line"`` (a
  report's title, group or footer text such as ``Confidential Information - Do Not
  Distribute``: one cell, not a date); ``"no account"``; ``"no date"``; ``"date not a date"``; ``"no type"`` (type and
  subject both blank); ``"duplicate row"`` (a row equal to a kept row in every cell).
  Title rows above the header and repeated header rows are skipped by
  :func:`simulator.data.table.read_table` and listed too.
* **Kept with warnings**: a blank type takes the subject; a duration or response time
  that is not a duration, or is negative, is left blank; a zero duration is left blank
  (CRMs write 0 when none was logged); durations over 24 hours, and one owner's
  durations of a day adding up to more (durations are not used by the estimates); dates
  after today, with their owners (planned or open items? the evidence counts only
  activities up to the list's date).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from simulator.data.activity_fields import ACTIVITY_FIELDS, ACTIVITY_REQUIRED
from simulator.data.activity_rows import Activity, ActivityRows, duration_unit
from simulator.data.columns import ColumnMatch
from simulator.data.common import (
    Notes,
    date_orders,
    match_table,
    plural,
    render_report,
    require_rows,
)
from simulator.data.errors import RowIssue, count_by_reason
from simulator.data.limits import DEFAULT_LIMITS, ReadLimits
from simulator.data.mapping import map_hint
from simulator.data.table import read_table
from simulator.errors import hinted

__all__ = ["Activity", "ActivityLog", "duration_unit", "read_activities"]

WHAT = "the activity history"

# header words of a wait or response time, which is not time spent on the activity
_WAIT_WORDS = {"reply", "response", "resolution", "resolve", "wait", "waiting", "hold", "sla"}


@dataclass
class ActivityLog:
    """Activities read from a file, with what was skipped and why.

    Attributes
    ----------
    activities
        Activities kept, in file order.
    skipped
        Rows not used, each with a countable reason and a detailed explanation.
    warnings
        Notes about kept rows and guesses made.
    columns
        Field name -> header of the column read for it.
    path
        The file as given.
    dayfirst_used
        How ambiguous numeric dates were read (True day first, False month first), or
        None when there were none.
    units
        Field (``hours``, ``response_hours``) -> ``"hours"``, ``"minutes"`` or
        ``"seconds"``: how bare numbers in its column were read.
    rows_read
        Data rows below the header (blank rows excluded, repeated headers included).
    blank_rows
        Blank rows ignored.
    """

    activities: list[Activity]
    skipped: list[RowIssue]
    warnings: list[str]
    columns: dict[str, str]
    path: Path
    dayfirst_used: bool | None = None
    units: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    blank_rows: int = 0

    def __len__(self) -> int:
        return len(self.activities)

    def __iter__(self) -> Iterator[Activity]:
        return iter(self.activities)

    def skipped_by_reason(self) -> dict[str, int]:
        """Number of skipped rows per reason, most common first."""
        return count_by_reason(self.skipped)

    @property
    def first_date(self) -> dt.date | None:
        """The earliest activity date (None when there are no activities)."""
        return min((a.date for a in self.activities), default=None)

    @property
    def last_date(self) -> dt.date | None:
        """The latest activity date (None when there are no activities)."""
        return max((a.date for a in self.activities), default=None)

    def report(self) -> str:
        """A short plain-text account: counts, dates, columns used, skipped rows, warnings."""
        head = (
            f"{self.path}: {plural(len(self.activities), 'activity', 'activities')} read "
            f"from {plural(self.rows_read, 'row')}"
        )
        if self.activities:
            head += f", {self.first_date} to {self.last_date}"
        return render_report(head, self.blank_rows, self.columns, self.skipped, self.warnings)


def read_activities(
    path: str | Path,
    mapping: Mapping[str, str] | None = None,
    dayfirst: bool | None = None,
    sheet: str | None = None,
    limits: ReadLimits | None = None,
) -> ActivityLog:
    """Read an activity history exported from a CRM, a CS platform or a helpdesk.

    Parameters
    ----------
    path
        CSV or ``.xlsx``/``.xlsm`` file.
    mapping
        ``--map`` overrides: field name -> column header; an empty header ignores a
        field.
    dayfirst
        Read ambiguous numeric dates day first (True) or month first (False); None
        infers from the column.
    sheet
        Excel sheet to read; the first when None.

    limits
        Size limits of the file (:class:`~simulator.data.limits.ReadLimits`; None:
        the documented defaults).

    Returns
    -------
    ActivityLog

    Raises
    ------
    DataError
        The file cannot be read; it has no account or date column, or neither a type
        nor a subject column; ``mapping`` names an unknown field or column; or no row
        gives a usable activity.
    """
    table = read_table(path, sheet=sheet, what=WHAT, limits=limits or DEFAULT_LIMITS)
    match = match_table(table, ACTIVITY_FIELDS, mapping, WHAT, ACTIVITY_REQUIRED)
    notes = Notes(table.path)
    if match.how.get("hours") == "guess" and _is_wait_time(match.headers["hours"]):
        waiting = match.headers["hours"]
        match = match_table(
            table, ACTIVITY_FIELDS, {**(mapping or {}), "hours": ""}, WHAT, ACTIVITY_REQUIRED
        )
        notes.add(
            hinted(
                f"column {waiting!r} is a wait or response time, not time spent: no "
                "durations read (choose a column with ",
                map_hint("hours"),
                ")",
            )
        )
    for w in table.warnings + match.warnings:
        notes.add(w)
    orders, used = date_orders(table, match.columns, match.headers, ("date",), dayfirst, notes)
    units = _column_notes(match, notes)
    rows = ActivityRows(table, match, orders.get("date"), units, notes)
    activities, skipped = rows.read()
    require_rows(table, len(activities), skipped, WHAT, "activity")
    return ActivityLog(
        activities=activities,
        skipped=sorted(skipped, key=lambda i: i.line),
        warnings=notes.render(),
        columns=dict(match.headers),
        path=Path(path),
        dayfirst_used=used,
        units=units,
        rows_read=len(table.rows)
        + sum(1 for i in table.skipped if i.reason == "repeated header row"),
        blank_rows=table.blank_rows,
    )


def _is_wait_time(header: str) -> bool:
    """Whether a header names a reply, response, resolution or wait time."""
    return bool(set(re.sub(r"[^\w]|_", " ", header.lower()).split()) & _WAIT_WORDS)


def _column_notes(match: ColumnMatch, notes: Notes) -> dict[str, str]:
    """Note the units of the duration columns and a missing type column; field -> unit."""
    units: dict[str, str] = {}
    for name in ("hours", "response_hours"):
        if name in match.headers:
            units[name] = duration_unit(match.headers[name])
            if units[name] != "hours":
                notes.add(
                    f"numbers in {match.headers[name]!r} are read as {units[name]} (from the "
                    "header)"
                )
    if "type" not in match.columns:
        notes.add(
            hinted(
                f"no activity type column: the subject ({match.headers['subject']!r}) is "
                "used as the type (choose a column with ",
                map_hint("type"),
                ")",
            )
        )
    return units
