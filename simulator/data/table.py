"""Read a CSV or Excel export into rows of cells, each with its line number.

:func:`read_table` does no interpretation of values; it only finds the table in the
file:

* CSV: the delimiter is sniffed among ``,`` ``;`` tab and ``|``; the text is decoded as
  UTF-8 (with or without a byte-order mark), UTF-16 (with a BOM), else Windows-1252, else
  Latin-1. Line numbers are those of the file (a quoted value spanning lines counts
  every line).
* Excel ``.xlsx``/``.xlsm``: the first sheet, or the one named; computed values, not
  formulas; line numbers are Excel's row numbers. Old ``.xls`` files are refused with
  advice to save as ``.xlsx`` or CSV.
* The header is the first row that holds at least two known column names (see
  :mod:`simulator.data.fields`) and fewer numbers than names, else the first row with
  the most text cells; rows above it (titles, export dates) are skipped and reported.
* Blank rows are skipped and counted; copies of the header further down (files pasted
  together) are skipped as ``"repeated header row"``.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.data.blanks import is_blank
from simulator.data.dates import parse_date
from simulator.data.errors import RowIssue, cell_text
from simulator.data.headers import header_hits, normalise_header
from simulator.data.values import parse_money
from simulator.errors import DataError, Hint, data_issue, did_you_mean, hinted

__all__ = ["RawRow", "RawTable", "read_table"]

DELIMITERS = (",", ";", "\t", "|")
_HEADER_SCAN = 50
_SNIFF_LINES = 200
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


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


def _fail(display: str, message: str, what: str, line: int | None = None) -> DataError:
    return DataError([data_issue(message, display, line)], what)


def read_table(path: str | Path, sheet: str | None = None, what: str = "the data file") -> RawTable:
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

    Returns
    -------
    RawTable

    Raises
    ------
    DataError
        A missing file, a directory, an empty or binary file, an old ``.xls`` file, an
        unreadable workbook, an unknown sheet, or a file with no rows.
    """
    display = str(path)
    p = Path(path)
    if not p.exists():
        raise _fail(display, "file not found; check the path and the file name", what)
    if p.is_dir():
        raise _fail(display, "is a folder, not a file; give the path of a CSV or .xlsx file", what)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise _fail(
            display, f"cannot open the file ({exc.strerror or exc}); check its permissions", what
        ) from None
    suffix = p.suffix.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0") or (suffix == ".xls" and not data.startswith(b"PK")):
        raise _fail(
            display,
            "is an old-format Excel (.xls) file, which cssim cannot read; open it in Excel "
            "and save it as .xlsx or CSV",
            what,
        )
    if suffix in (".xlsb", ".ods", ".numbers"):
        raise _fail(
            display,
            f"{suffix} files cannot be read; save the sheet as .xlsx or CSV",
            what,
        )
    if data.startswith(b"PK\x03\x04"):
        table = _read_xlsx(p, display, sheet, what)
    else:
        table = _read_csv(data, display, what)
        if sheet is not None:
            table.warnings.insert(
                0, hinted(Hint("sheet", sheet, sheet), f" is ignored: {display} is not a workbook")
            )
        if suffix in (".xlsx", ".xlsm"):
            table.warnings.insert(0, f"{display} is not really an Excel workbook; read it as text")
    return table


# ------------------------------------------------------------------------------ CSV


def _decode(data: bytes, display: str, what: str) -> tuple[str, str]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data[:8192]:
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                continue
    raise _fail(
        display,
        "is not a text (CSV) or Excel file: it holds binary data; export the data as CSV or .xlsx",
        what,
    )


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    control = sum(
        1 for ch in sample if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\t\r\n"
    )
    return control > max(2, len(sample) // 100)


def _is_number_like(value: Any) -> bool:
    if is_blank(value):
        return False
    for parse in (parse_money, parse_date):
        try:
            parse(value)
        except ValueError:
            continue
        return True
    return False


def _header_score(cells: Sequence[Any]) -> int:
    """Known names in a row, or 0 if it looks like data (as many numbers as names)."""
    hits = header_hits(cells)
    numbers = sum(_is_number_like(c) for c in cells)
    return hits if hits >= 2 and numbers < hits else 0


def _sniff(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()][:_SNIFF_LINES]
    sample = "\n".join(lines)
    best: tuple[tuple[int, int, int], str] | None = None
    for rank, delim in enumerate(DELIMITERS):
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delim) if r]
        except csv.Error:
            continue
        hits = max((_header_score(r) for r in rows[:_HEADER_SCAN]), default=0)
        widths = Counter(len(r) for r in rows)
        width, freq = widths.most_common(1)[0] if widths else (1, 0)
        score = (hits, freq if width > 1 else 0, -rank)
        if best is None or score > best[0]:
            best = (score, delim)
    return best[1] if best else ","


def _read_csv(data: bytes, display: str, what: str) -> RawTable:
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise _fail(display, "the file is empty; export the data again, with a header row", what)
    text, encoding = _decode(data, display, what)
    if _looks_binary(text):
        raise _fail(
            display,
            "is not a text (CSV) or Excel file: it holds binary data; export the data as "
            "CSV or .xlsx",
            what,
        )
    delimiter = _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[Any]]] = []
    warnings: list[str] = []
    last = 0
    try:
        for row in reader:
            start = last + 1
            last = reader.line_num
            if last - start > 20:
                warnings.append(
                    f"line {start}: a quoted value runs over {last - start + 1} lines; "
                    'check for a missing closing quote (")'
                )
            records.append((start, list(row)))
    except csv.Error as exc:
        raise _fail(
            display,
            f"cannot read the CSV ({exc}); check the quoting on this line",
            what,
            reader.line_num or None,
        ) from None
    if encoding in ("cp1252", "latin-1"):
        name = "Windows-1252" if encoding == "cp1252" else "Latin-1"
        warnings.append(
            f"{display} is not UTF-8; read it as {name} text (check that accented letters "
            "and currency signs came out right)"
        )
    table = _assemble(display, records, what)
    table.format, table.encoding, table.delimiter = "csv", encoding, delimiter
    if delimiter != ",":
        table.warnings.append(f"columns are separated by {_DELIMITER_NAMES[delimiter]}s")
    table.warnings[:0] = warnings
    return table


# ----------------------------------------------------------------------------- Excel


def _read_xlsx(p: Path, display: str, sheet: str | None, what: str) -> RawTable:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise _fail(
            display,
            "reading Excel files needs the openpyxl package (pip install openpyxl); or "
            "save the sheet as CSV",
            what,
        ) from None
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        raise _fail(
            display,
            f"is not a readable Excel workbook ({type(exc).__name__}: {exc}); open it in "
            "Excel and save it again as .xlsx, or export it as CSV",
            what,
        ) from None
    try:
        sheets = [ws.title for ws in wb.worksheets]
        if not sheets:
            raise _fail(display, "the workbook has no worksheets", what)
        warnings = []
        if sheet is None:
            name = sheets[0]
            if len(sheets) > 1:
                others = ", ".join(repr(s) for s in sheets[1:])
                warnings.append(
                    hinted(
                        f"read the first sheet {name!r}; the workbook also has {others} "
                        "(choose one with ",
                        Hint("sheet", "NAME", "NAME"),
                        ")",
                    )
                )
        else:
            by_lower = {s.lower(): s for s in sheets}
            if sheet.strip().lower() not in by_lower:
                raise _fail(
                    display,
                    f"there is no sheet {sheet!r}{did_you_mean(sheet, sheets)}; sheets are: "
                    + ", ".join(repr(s) for s in sheets),
                    what,
                )
            name = by_lower[sheet.strip().lower()]
        ws = wb[name]
        if ws.max_row is None or ws.max_column is None or (ws.max_row == ws.max_column == 1):
            ws.reset_dimensions()
        try:
            records = [
                (i, list(row)) for i, row in enumerate(ws.iter_rows(values_only=True), start=1)
            ]
        except Exception as exc:  # damaged sheet XML
            raise _fail(
                display,
                f"cannot read sheet {name!r} ({type(exc).__name__}: {exc}); save the "
                "workbook again as .xlsx, or export the sheet as CSV",
                what,
            ) from None
    finally:
        wb.close()
    table = _assemble(display, records, what, where=f"sheet {name!r}")
    table.format, table.sheet = "xlsx", name
    table.warnings[:0] = warnings
    return table


# ------------------------------------------------------------------------- assembly


def _blank_row(cells: Sequence[Any]) -> bool:
    return all(is_blank(c) for c in cells)


def _is_repeat(
    cells: Sequence[Any], header_norm: Sequence[str], header_lower: frozenset[str]
) -> bool:
    """A row that repeats the header (two exports pasted one after the other)."""
    if not any(isinstance(c, str) and c.strip().lower() in header_lower for c in cells):
        return False  # fast path: no cell is spelled like a header cell
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
    scan = content[:_HEADER_SCAN]
    for i, (_, cells) in enumerate(scan):
        if _header_score(cells):
            return i
    texts = [sum(not is_blank(c) and not _is_number_like(c) for c in cells) for _, cells in scan]
    return texts.index(max(texts))


def _assemble(
    display: str, records: list[tuple[int, list[Any]]], what: str, where: str = "the file"
) -> RawTable:
    content = [(line, cells) for line, cells in records if not _blank_row(cells)]
    if not content:
        raise _fail(
            display,
            f"{where} has no rows with content; export the data again, with a header row",
            what,
        )
    header_at = _find_header(content)
    header_line, header_cells = content[header_at]
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
