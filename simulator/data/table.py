"""Read a CSV or Excel export into rows of cells, each with its line number.

:func:`read_table` does no interpretation of values; it only finds the table in the
file:

* CSV: decoded and split by :mod:`simulator.data.csv_text` (encoding and delimiter
  sniffed); line numbers are those of the file.
* Excel ``.xlsx``/``.xlsm``: read by :mod:`simulator.data.workbook` (the first sheet, or
  the one named; computed values); line numbers are Excel's row numbers. Old ``.xls``
  files are refused with advice to save as ``.xlsx`` or CSV.
* The header is the first row that holds at least two known column names (see
  :mod:`simulator.data.fields`) and fewer numbers than names, else the first row with
  the most text cells; rows above it (titles, export dates) are skipped and reported.
* Blank rows are skipped and counted; copies of the header further down (files pasted
  together) are skipped as ``"repeated header row"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.data.blanks import is_blank
from simulator.data.csv_text import DELIMITER_NAMES, read_csv_text
from simulator.data.errors import DataError, RowIssue, cell_text, file_error
from simulator.data.headers import HEADER_SCAN, header_score, is_number_like, normalise_header
from simulator.data.limits import DEFAULT_LIMITS, ReadLimits, read_regular
from simulator.data.workbook import read_sheet
from simulator.errors import Hint, hinted

__all__ = ["RawRow", "RawTable", "read_table"]


@dataclass
class RawRow:
    """One data row.

    Attributes
    ----------
    line
        1-based CSV line (first line of the record) or Excel row number.
    cells
        Values, one per header column: ``str`` from CSV; ``str``, ``int``, ``float``,
        ``datetime`` or None from Excel.
    """

    line: int
    cells: list[Any]

    def text(self) -> tuple[str, ...]:
        """The cells as text, for reports."""
        return tuple(cell_text(c) for c in self.cells)


@dataclass
class RawTable:
    """The table found in a file, before any value is interpreted.

    Attributes
    ----------
    path
        The file name as given (used in messages).
    header
        Header cells as written (blank headers are ``""``).
    header_line
        Line (CSV) or row (Excel) of the header.
    rows
        Data rows below the header, blank and repeated-header rows removed.
    skipped
        Rows not returned, with reasons (title rows above the header, repeated headers).
    blank_rows
        Blank rows between the header and the last data row.
    warnings
        Notes for the report (encoding guessed, other sheets present, ...).
    format
        ``"csv"`` or ``"xlsx"``.
    encoding, delimiter
        For CSV files, as detected.
    sheet
        For Excel files, the sheet read.
    """

    path: str
    header: list[str]
    header_line: int
    rows: list[RawRow] = field(default_factory=list)
    skipped: list[RowIssue] = field(default_factory=list)
    blank_rows: int = 0
    warnings: list[str] = field(default_factory=list)
    format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    def column(self, index: int) -> list[Any]:
        """All data values of one column (0-based index), top to bottom."""
        return [row.cells[index] for row in self.rows]


def read_table(
    path: str | Path,
    sheet: str | None = None,
    what: str = "the data file",
    limits: ReadLimits = DEFAULT_LIMITS,
) -> RawTable:
    """Read a CSV or Excel file's table.

    Parameters
    ----------
    path
        The file; ``.xlsx``/``.xlsm`` (or any file that is really one) is read as Excel,
        anything else as delimited text.
    sheet
        Excel sheet name (case-insensitive); the first sheet when None. Ignored for CSV.
    what
        What the file is, for messages (``"the customer list"``).
    limits
        The most the file may hold (bytes, rows, columns, cells); raise them for a file
        larger than the defaults allow.

    Returns
    -------
    RawTable

    Raises
    ------
    DataError
        A missing file, a path that is not a regular file (a folder, a device, a named
        pipe), a file past ``limits``, an empty or binary file, text that is not a
        table, an old ``.xls`` file, an unreadable workbook, an unknown sheet, or a file
        with no rows.
    """
    display = str(path)
    p = Path(path)

    def refuse(reason: str) -> DataError:
        if reason.startswith("is a folder"):
            reason += "; give the path of a CSV or .xlsx file"
        elif "not a regular file" in reason:
            reason += "; give the path of a CSV or .xlsx file saved on disk"
        return file_error(display, reason, what)

    try:
        data = read_regular(p, limits.max_bytes, refuse)
    except FileNotFoundError:
        raise file_error(
            display, "file not found; check the path and the file name", what
        ) from None
    except OSError as exc:
        raise file_error(
            display, f"cannot open the file ({exc.strerror or exc}); check its permissions", what
        ) from None
    suffix = p.suffix.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0") or (suffix == ".xls" and not data.startswith(b"PK")):
        raise file_error(
            display,
            "is an old-format Excel (.xls) file, which cssim cannot read; open it in Excel "
            "and save it as .xlsx or CSV",
            what,
        )
    if suffix in (".xlsb", ".ods", ".numbers"):
        raise file_error(
            display,
            f"{suffix} files cannot be read; save the sheet as .xlsx or CSV",
            what,
        )
    if data.startswith(b"PK\x03\x04"):
        table = _xlsx_table(data, display, sheet, what, limits)
    else:
        table = _csv_table(data, display, what, limits)
        if sheet is not None:
            table.warnings.insert(
                0, hinted(Hint("sheet", sheet, sheet), f" is ignored: {display} is not a workbook")
            )
        if suffix in (".xlsx", ".xlsm"):
            table.warnings.insert(0, f"{display} is not really an Excel workbook; read it as text")
    return table


def _csv_table(data: bytes, display: str, what: str, limits: ReadLimits) -> RawTable:
    """The table of a delimited text file."""
    text = read_csv_text(data, display, what, limits)
    table = _assemble(display, text.records, what)
    table.format, table.encoding, table.delimiter = "csv", text.encoding, text.delimiter
    if text.delimiter != ",":
        table.warnings.append(f"columns are separated by {DELIMITER_NAMES[text.delimiter]}s")
    table.warnings[:0] = text.warnings
    return table


def _xlsx_table(
    data: bytes, display: str, sheet: str | None, what: str, limits: ReadLimits
) -> RawTable:
    """The table of one sheet of an Excel workbook."""
    rows = read_sheet(data, display, sheet, what, limits)
    table = _assemble(display, rows.records, what, where=f"sheet {rows.sheet!r}", workbook=True)
    table.format, table.sheet = "xlsx", rows.sheet
    table.warnings[:0] = rows.warnings
    return table


# ------------------------------------------------------------------------- assembly


def _blank_row(cells: Sequence[Any]) -> bool:
    return all(is_blank(c) for c in cells)


def _is_repeat(
    cells: Sequence[Any], header_norm: Sequence[str], header_lower: frozenset[str]
) -> bool:
    """A row that repeats the header (two exports pasted one after the other)."""
    if set(map(type, cells)) <= {str}:  # CSV rows: set tests in C
        if header_lower.isdisjoint(map(str.lower, map(str.strip, cells))):
            return False  # fast path: no cell is spelled like a header cell
    elif not any(isinstance(c, str) and c.strip().lower() in header_lower for c in cells):
        return False
    same = other = 0
    for cell, head in zip(cells, header_norm, strict=False):
        if is_blank(cell):
            continue
        if head and normalise_header(cell) == head:
            same += 1
        else:
            other += 1
    named = sum(1 for h in header_norm if h)
    return same >= 2 and same >= named / 2 and other <= same // 3


def _find_header(content: list[tuple[int, list[Any]]]) -> int:
    """Index of the header: the first row naming two known fields, else the first row
    with the most text (non-number) cells, which passes over one-cell title rows."""
    scan = content[:HEADER_SCAN]
    for i, (_, cells) in enumerate(scan):
        if header_score(cells):
            return i
    texts = [sum(not is_blank(c) and not is_number_like(c) for c in cells) for _, cells in scan]
    return texts.index(max(texts))


_TABLE_SAMPLE = 1000
"""Rows with content looked at to tell a table from other text."""


def _several_values(cells: Sequence[Any]) -> bool:
    """True when the row holds two or more non-blank cells."""
    seen = 0
    for c in cells:
        if not is_blank(c):
            seen += 1
            if seen == 2:
                return True
    return False


def _key_value(cells: Sequence[Any]) -> bool:
    """A ``key: value`` line split at a tab (``/proc/cpuinfo``, ``Name:\tpython``)."""
    texts = [c.strip() for c in cells if isinstance(c, str) and c.strip()]
    return len(texts) >= 2 and (texts[0].endswith(":") or texts[1].startswith(":"))


def _check_is_table(
    display: str, content: list[tuple[int, list[Any]]], header_cells: Sequence[Any], what: str
) -> None:
    """Refuse text that is not a table (a password file, a script, notes, ``key: value``
    lines), quoting none of it: a table's header names known columns, or most of its
    rows hold two or more values and are not ``key: value`` pairs."""
    if header_score(header_cells):
        return
    sample = content[:_TABLE_SAMPLE]
    several = sum(1 for _, cells in sample if _several_values(cells))
    pairs = sum(1 for _, cells in sample if _key_value(cells))
    if _several_values(header_cells) and 2 * several >= len(sample) and 2 * pairs < len(sample):
        return
    raise file_error(
        display,
        f"does not look like a table: {len(sample) - several} of the {len(sample)} rows "
        f"read hold a single value{_and_pairs(pairs)}, and no header row names known "
        "columns (a table has a header row and columns separated by commas, semicolons, "
        "tabs or pipes); give the path of a CSV or .xlsx export",
        what,
    )


def _and_pairs(pairs: int) -> str:
    return f" and {pairs} are 'key: value' lines" if pairs else ""


def _assemble(
    display: str,
    records: list[tuple[int, list[Any]]],
    what: str,
    where: str = "the file",
    workbook: bool = False,
) -> RawTable:
    """The table of ``records``; for a ``workbook`` the rows not in ``records`` are
    blank rows, and text is not checked for being a table (the format says it is one)."""
    content = [(line, cells) for line, cells in records if not _blank_row(cells)]
    if not content:
        raise file_error(
            display,
            f"{where} has no rows with content; export the data again, with a header row",
            what,
        )
    header_at = _find_header(content)
    header_line, header_cells = content[header_at]
    if not workbook:  # text may come from any file: refuse what is not a table
        _check_is_table(display, content, header_cells, what)
    header = [cell_text(c) for c in header_cells]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    table = RawTable(path=display, header=header, header_line=header_line)
    for line, cells in content[:header_at]:
        table.skipped.append(
            RowIssue(
                line,
                "above the header row",
                tuple(cell_text(c) for c in cells if not is_blank(c)),
                "text above the header row (a title?)",
            )
        )
    header_norm = [normalise_header(h) for h in header]
    header_lower = frozenset(h.strip().lower() for h in header if h.strip())
    last_line = content[-1][0]
    overflow: list[int] = []
    for line, cells in records:
        if line <= header_line or line > last_line:
            continue
        if _blank_row(cells):
            table.blank_rows += 1
            continue
        if any(not is_blank(c) for c in cells[width:]):
            overflow.append(line)
        row = list(cells[:width]) + [None] * (width - len(cells))
        if _is_repeat(row, header_norm, header_lower):
            table.skipped.append(
                RowIssue(
                    line,
                    "repeated header row",
                    tuple(cell_text(c) for c in row),
                    f"a copy of the header row on line {header_line}",
                )
            )
            continue
        table.rows.append(RawRow(line, row))
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        if h and h.lower() in seen:
            table.warnings.append(
                f"two columns are named {h!r} (columns {seen[h.lower()] + 1} and {i + 1}); "
                "the first that matches a field is used"
            )
        seen.setdefault(h.lower(), i)
    if workbook:  # rows missing from a sheet's XML are blank rows
        inside = sum(1 for line, _ in content if header_line < line <= last_line)
        table.blank_rows += max(0, last_line - header_line - inside - table.blank_rows)
    if overflow:
        table.warnings.append(
            f"{len(overflow)} row(s) have values to the right of the last named column "
            f"(lines {_lines(overflow)}); those values were ignored (give those columns a "
            "header to use them)"
        )
    return table


def _lines(lines: Sequence[int], limit: int = 8) -> str:
    shown = ", ".join(str(n) for n in lines[:limit])
    return shown + (f" and {len(lines) - limit} more" if len(lines) > limit else "")
