"""Read a time-tracking export (CSV or Excel) into :class:`TimeEntry` records.

Rules:

* **Columns**: person, date and hours are required; activity and account are optional
  (see :data:`simulator.data.fields.TIMESHEET_FIELDS`; ``--map`` overrides).
* **People**: a first-name and a last-name column together (Harvest's ``First Name``,
  ``Last Name``) are the person, ``Ann Lee``, unless ``--map person=`` names a column.
  A yes/no column (Harvest's ``Employee?``) is never the person: a file whose only
  person column is one is refused with the fix.
* **Units**: bare numbers are hours, or minutes or seconds when the hours header says
  so (``Duration (min)``, Tempo's ``Time Spent (s)``, ``timeSpentSeconds``). Under a
  header naming no unit (Jira's ``Time Spent``), numbers whose median cannot be hours
  are read as seconds or minutes, with a warning
  (:func:`simulator.data.durations.unit_from_values`).
* **Skipped rows** (counted by reason): "no person"; "blank date"; "date not a date";
  "blank hours"; "hours not a duration"; "negative hours"; "zero hours"; "far from the
  other dates", "dated after today" and "day over 24 hours" (see
  :mod:`simulator.data.timesheet_checks`: left out of the estimate, with a warning naming
  the people, days and lines). Title rows above
  the header and repeated header rows are skipped by
  :func:`simulator.data.table.read_table` and listed too.
* **Kept with warnings**: days over 16 hours for one person (plausible, rare); exact
  repeats of an earlier row (time logs can hold two identical entries, so they are kept
  but counted).
* A blank account, or one such as ``internal``, ``admin``, ``n/a``, ``-``, is internal
  work (``account=None``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

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
from simulator.data.durations import duration_unit, names_a_unit, parse_hours, unit_from_values
from simulator.data.errors import RowIssue, cell_text, count_by_reason
from simulator.data.fields import TIMESHEET_FIELDS
from simulator.data.headers import normalise_header
from simulator.data.limits import DEFAULT_LIMITS, ReadLimits
from simulator.data.mapping import map_hint
from simulator.data.table import RawRow, RawTable, read_table
from simulator.data.timesheet_checks import check_date_order, check_entries
from simulator.errors import DataError, Hint, data_issue, hinted

__all__ = ["TimeEntry", "Timesheet", "read_timesheet"]

WHAT = "the timesheet"
INTERNAL_ACCOUNTS = frozenset(
    {"internal", "admin", "administration", "n/a", "na", "none", "-", "--", "—", "no client"}
)
FIRST_NAME_HEADERS = frozenset({"first name", "firstname", "given name", "forename"})
"""Normalised headers of a first-name column (Harvest: ``First Name``)."""
LAST_NAME_HEADERS = frozenset({"last name", "lastname", "surname", "family name"})
"""Normalised headers of a last-name column (Harvest: ``Last Name``)."""
_YES_NO = frozenset({"yes", "no", "y", "n", "true", "false"})


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
        ``"hours"``, ``"minutes"`` or ``"seconds"``: how bare numbers in the hours column
        were read.
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
    today: date | None = None,
    limits: ReadLimits | None = None,
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
    today
        Entries dated after this day are left out as in the future; the computer's
        date when None.

    limits
        Size limits of the file (:class:`~simulator.data.limits.ReadLimits`; None:
        the documented defaults).

    Returns
    -------
    Timesheet

    Raises
    ------
    DataError
        The file cannot be read; it has no person, date or hours column, or its person
        column holds yes/no values; ``mapping`` names an unknown field or column; or no
        row gives a usable entry.
    """
    table = read_table(path, sheet=sheet, what=WHAT, limits=limits or DEFAULT_LIMITS)
    parts = None if _maps_person(mapping) else _name_parts(table.header)
    if parts is not None:
        # the first-name column stands for the person while columns are matched, so that
        # no other field takes it and no other column is read as the person
        mapping = {**(mapping or {}), "person": table.header[parts[0]]}
    match = match_table(table, TIMESHEET_FIELDS, mapping, WHAT)
    if parts is not None:
        match.headers["person"] = " + ".join(table.header[i] for i in parts)
    else:
        _refuse_flag_person(table, match)
    notes = Notes(table.path)
    for w in table.warnings + match.warnings:
        notes.add(w)
    orders, used = date_orders(table, match.columns, match.headers, ("date",), dayfirst, notes)
    check_date_order(table, match.columns["date"], match.headers["date"], orders["date"], notes)
    unit = _column_notes(table, match, notes)
    entries, skipped = _read_rows(table, match, parts, orders.get("date"), unit)
    raw = {row.line: row.text() for row in table.rows}
    entries, left_out = check_entries(entries, raw, today or date.today(), notes)
    skipped += left_out
    _note_repeats(entries, raw, notes)
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


def _maps_person(mapping: Mapping[str, str] | None) -> bool:
    """Whether ``mapping`` chooses the person column (field names ignore case)."""
    return any(k.strip().lower() == "person" for k in (mapping or {}))


def _name_parts(header: Sequence[str]) -> tuple[int, int] | None:
    """(first-name column, last-name column) when the header has both, else None."""
    norms = [normalise_header(h) for h in header]
    first = next((i for i, n in enumerate(norms) if n in FIRST_NAME_HEADERS), None)
    last = next((i for i, n in enumerate(norms) if n in LAST_NAME_HEADERS), None)
    return None if first is None or last is None else (first, last)


def _is_flag_column(header: str, values: Sequence[Any]) -> bool:
    """Whether a column is a yes/no flag (``Employee?``, ``Billable``), not names."""
    if header.strip().endswith("?"):
        return True
    texts = [cell_text(v).lower() for v in values if not is_blank(v)]
    return bool(texts) and sum(t in _YES_NO for t in texts) * 5 >= len(texts) * 4


def _refuse_flag_person(table: RawTable, match: ColumnMatch) -> None:
    """Raise :class:`DataError` when the person column is a yes/no flag."""
    header = match.headers["person"]
    if match.how.get("person") == "--map":
        return
    if not _is_flag_column(header, table.column(match.columns["person"])):
        return
    raise DataError(
        [
            data_issue(
                hinted(
                    "a yes/no column, not the people who logged the time; name the person "
                    "column with ",
                    map_hint("person"),
                    " (a first-name and a last-name column are read together)",
                ),
                table.path,
                table.header_line,
                header,
            )
        ],
        WHAT,
    )


def _column_notes(table: RawTable, match: ColumnMatch, notes: Notes) -> str:
    """Note how the hours and account columns are read; the unit of bare hours numbers."""
    head = match.headers
    unit = duration_unit(head["hours"])
    if unit != "hours":
        notes.add(f"numbers in {head['hours']!r} are read as {unit} (from the header)")
    elif not names_a_unit(head["hours"]):
        inferred = unit_from_values(table.column(match.columns["hours"]))
        if inferred is not None:
            unit, median = inferred
            notes.add(
                f"numbers in {head['hours']!r} are read as {unit}: the header names no unit "
                f"and their median, {median:,.6g}, is too large for the hours of one entry "
                "(a median of 900 or more is read as seconds, above 24 as minutes); name the "
                "unit in the header, e.g. 'Hours', if this is wrong"
            )
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
    table: RawTable,
    match: ColumnMatch,
    parts: tuple[int, int] | None,
    dayfirst: bool | None,
    unit: str,
) -> tuple[list[TimeEntry], list[RowIssue]]:
    """(entries read, rows skipped, title rows included)."""
    entries: list[TimeEntry] = []
    skipped: list[RowIssue] = list(table.skipped)
    for row in table.rows:
        entry = _entry(row, match, parts, dayfirst, unit)
        if isinstance(entry, RowIssue):
            skipped.append(entry)
        else:
            entries.append(entry)
    return entries, skipped


def _note_repeats(
    entries: Sequence[TimeEntry], raw: Mapping[int, tuple[str, ...]], notes: Notes
) -> None:
    """Note kept entries whose row repeats an earlier kept row exactly."""
    seen: set[tuple[str, ...]] = set()
    repeats: list[int] = []
    for e in entries:
        key = raw[e.line]
        if key in seen:
            repeats.append(e.line)
        seen.add(key)
    if repeats:
        notes.add(
            f"{plural(len(repeats), 'row')} repeating an earlier row exactly "
            f"({line_list(repeats)}): kept, as a timesheet can log the same work twice; "
            "remove them if they are export duplicates"
        )


def _person(row: RawRow, match: ColumnMatch, parts: tuple[int, int] | None) -> str:
    """The person on a row: the person column, or first and last name joined."""
    if parts is None:
        return cell_text(row.cells[match.columns["person"]])
    return " ".join(t for t in (cell_text(row.cells[i]) for i in parts) if t)


def _entry(
    row: RawRow,
    match: ColumnMatch,
    parts: tuple[int, int] | None,
    dayfirst: bool | None,
    unit: str,
) -> TimeEntry | RowIssue:
    """The time entry on one row, or the reason the row is skipped."""
    col, head = match.columns, match.headers

    def skip(reason: str, detail: str) -> RowIssue:
        return RowIssue(row.line, reason, row.text(), detail)

    person = _person(row, match, parts)
    if not person:
        where = " and ".join(f'"{h}"' for h in head["person"].split(" + "))
        return skip("no person", f"blank person in column {where}")
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
            "hours not a duration",
            f'hours {cell_text(raw_hours)!r} in column "{head["hours"]}" is not a duration ({exc})',
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
