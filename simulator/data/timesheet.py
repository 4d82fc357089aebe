"""Read a time-tracking export (CSV or Excel) into :class:`TimeEntry` records.

Rules:

* **Columns**: person, date and hours are required; activity and account are optional
  (see :data:`simulator.data.fields.TIMESHEET_FIELDS`; ``--map`` overrides). Bare
  numbers are hours, or minutes when the hours header says so (``Duration (min)``).
* **Skipped rows** (counted by reason): "no person"; "blank date"; "date not a date";
  "blank hours"; "hours not a duration"; "negative hours"; "zero hours". Title rows
  above the header and repeated header rows are skipped by
  :func:`simulator.data.table.read_table` and listed too.
* **Kept with warnings**: entries over 24 hours; exact repeats of an earlier row (time
  logs can hold two identical entries, so they are kept but counted).
* A blank account, or one such as ``internal``, ``admin``, ``n/a``, ``-``, is internal
  work (``account=None``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from simulator.data.blanks import is_blank
from simulator.data.columns import ColumnMatch
from simulator.data.common import (
    Notes,
    cell,
    date_orders,
    line_list,
    match_table,
    plural,
    render_report,
    require_rows,
)
from simulator.data.dates import parse_date
from simulator.data.durations import parse_hours
from simulator.data.errors import RowIssue, cell_text, count_by_reason
from simulator.data.fields import TIMESHEET_FIELDS
from simulator.data.headers import header_time_unit
from simulator.data.table import RawRow, RawTable, read_table
from simulator.errors import Hint, hinted

__all__ = ["TimeEntry", "Timesheet", "read_timesheet"]

WHAT = "the timesheet"
INTERNAL_ACCOUNTS = frozenset(
    {"internal", "admin", "administration", "n/a", "na", "none", "-", "--", "—", "no client"}
)


@dataclass(frozen=True)
class TimeEntry:
    """One timesheet entry.

    Attributes
    ----------
    person
        Who logged the time.
    date
        Day the work was done.
    activity
        Kind of work as written (None when blank or no activity column).
    account
        Customer the work was for; None for internal work.
    hours
        Time spent, hours (positive).
    line
        Line (CSV) or row number (Excel).
    """

    person: str
    date: date
    activity: str | None
    account: str | None
    hours: float
    line: int = 0


@dataclass
class Timesheet:
    """Time entries read from a file, with what was skipped and why.

    Attributes
    ----------
    entries
        Entries kept, in file order.
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
    hours_unit
        ``"hours"`` or ``"minutes"``: how bare numbers in the hours column were read.
    rows_read
        Data rows below the header (blank rows excluded).
    blank_rows
        Blank rows ignored.
    """

    entries: list[TimeEntry]
    skipped: list[RowIssue]
    warnings: list[str]
    columns: dict[str, str]
    path: str
    dayfirst_used: bool | None = None
    hours_unit: str = "hours"
    rows_read: int = 0
    blank_rows: int = 0

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[TimeEntry]:
        return iter(self.entries)

    def skipped_by_reason(self) -> dict[str, int]:
        """Number of skipped rows per reason, most common first."""
        return count_by_reason(self.skipped)

    def total_hours(self) -> float:
        """Sum of hours over all entries."""
        return sum(e.hours for e in self.entries)

    def report(self) -> str:
        """A short plain-text account: counts, columns used, skipped rows, warnings."""
        head = (
            f"{self.path}: {plural(len(self.entries), 'entry', 'entries')} "
            f"({self.total_hours():.1f} hours) read from {plural(self.rows_read, 'row')}"
        )
        return render_report(head, self.blank_rows, self.columns, self.skipped, self.warnings)


def read_timesheet(
    path: str | Path,
    mapping: Mapping[str, str] | None = None,
    dayfirst: bool | None = None,
    sheet: str | None = None,
) -> Timesheet:
    """Read a time-tracking export.

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

    Returns
    -------
    Timesheet

    Raises
    ------
    DataError
        The file cannot be read; it has no person, date or hours column; ``mapping``
        names an unknown field or column; or no row gives a usable entry.
    """
    table = read_table(path, sheet=sheet, what=WHAT)
    match = match_table(table, TIMESHEET_FIELDS, mapping, WHAT)
    notes = Notes(table.path)
    for w in table.warnings + match.warnings:
        notes.add(w)
    orders, used = date_orders(table, match.columns, match.headers, ("date",), dayfirst, notes)
    unit = _column_notes(match, notes)
    entries, skipped = _read_rows(table, match, orders.get("date"), unit, notes)
    require_rows(table, len(entries), skipped, WHAT, "time entry")
    return Timesheet(
        entries=entries,
        skipped=sorted(skipped, key=lambda i: i.line),
        warnings=notes.render(),
        columns=dict(match.headers),
        path=table.path,
        dayfirst_used=used,
        hours_unit=unit,
        rows_read=len(table.rows)
        + sum(1 for i in table.skipped if i.reason == "repeated header row"),
        blank_rows=table.blank_rows,
    )


def _column_notes(match: ColumnMatch, notes: Notes) -> str:
    """Note how the hours and account columns are read; the unit of bare hours numbers."""
    head = match.headers
    unit = header_time_unit(head["hours"])
    if unit == "minutes":
        notes.add(f"numbers in {head['hours']!r} are read as minutes (from the header)")
    if "account" not in match.columns:
        notes.add(
            hinted(
                "no account column: every entry counts as internal work (map one with ",
                Hint("mapping", {"account": "COLUMN"}, "account=COLUMN"),
                ")",
            )
        )
    return unit


def _read_rows(
    table: RawTable, match: ColumnMatch, dayfirst: bool | None, unit: str, notes: Notes
) -> tuple[list[TimeEntry], list[RowIssue]]:
    """(entries kept, rows skipped, title rows included); notes long and repeated entries."""
    entries: list[TimeEntry] = []
    skipped: list[RowIssue] = list(table.skipped)
    long_lines: list[int] = []
    seen: set[tuple[str, ...]] = set()
    repeats: list[int] = []
    for row in table.rows:
        entry = _entry(row, match, dayfirst, unit)
        if isinstance(entry, RowIssue):
            skipped.append(entry)
            continue
        if entry.hours > 24:
            long_lines.append(row.line)
        key = row.text()
        if key in seen:
            repeats.append(row.line)
        seen.add(key)
        entries.append(entry)
    if long_lines:
        notes.add(
            f"{plural(len(long_lines), 'entry', 'entries')} longer than 24 hours "
            f"({line_list(long_lines)}): kept; check the hours column's unit"
        )
    if repeats:
        notes.add(
            f"{plural(len(repeats), 'row')} repeating an earlier row exactly "
            f"({line_list(repeats)}): kept, as a timesheet can log the same work twice; "
            "remove them if they are export duplicates"
        )
    return entries, skipped


def _entry(
    row: RawRow, match: ColumnMatch, dayfirst: bool | None, unit: str
) -> TimeEntry | RowIssue:
    """The time entry on one row, or the reason the row is skipped."""
    col, head = match.columns, match.headers

    def skip(reason: str, detail: str) -> RowIssue:
        return RowIssue(row.line, reason, row.text(), detail)

    person = cell_text(row.cells[col["person"]])
    if not person:
        return skip("no person", f'blank person in column "{head["person"]}"')
    raw_date = row.cells[col["date"]]
    if is_blank(raw_date):
        return skip("blank date", f'blank date in column "{head["date"]}"')
    try:
        day = parse_date(raw_date, dayfirst)
    except ValueError as exc:
        return skip("date not a date", f"date {cell_text(raw_date)!r} is not a date ({exc})")
    raw_hours = row.cells[col["hours"]]
    if is_blank(raw_hours):
        return skip("blank hours", f'blank hours in column "{head["hours"]}"')
    try:
        hours = parse_hours(raw_hours, unit)
    except ValueError as exc:
        return skip(
            "hours not a duration", f"hours {cell_text(raw_hours)!r} is not a duration ({exc})"
        )
    if hours < 0:
        return skip("negative hours", f"hours {cell_text(raw_hours)!r} is negative")
    if hours == 0:
        return skip("zero hours", f"hours {cell_text(raw_hours)!r} is zero")
    account = cell_text(cell(row.cells, col.get("account"))) or None
    if account is not None and account.lower() in INTERNAL_ACCOUNTS:
        account = None
    activity = cell_text(cell(row.cells, col.get("activity"))) or None
    return TimeEntry(person, day, activity, account, hours, row.line)
