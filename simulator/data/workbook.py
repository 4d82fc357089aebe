"""Excel workbooks (``.xlsx``/``.xlsm``): choose the sheet and read its rows of values.

Computed values are read, not formulas; line numbers are Excel's row numbers. Damaged
workbooks and sheets give a :class:`~simulator.errors.DataError` with advice to save
the file again or export it as CSV.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from simulator.data.errors import DataError, file_error
from simulator.data.limits import DEFAULT_LIMITS, FIELDS_PER_CELL, ReadLimits, past_limit, size_text
from simulator.data.xlsx_scan import EXCEL_MAX_COLUMNS, MAX_PARTS, scan_archive
from simulator.errors import Hint, did_you_mean, hinted

__all__ = ["SheetRows", "read_sheet"]


@dataclass(frozen=True)
class SheetRows:
    """The rows of one worksheet that hold a value.

    Attributes
    ----------
    records
        (Excel row number, cell values up to the row's last value) per row holding a
        value; rows with none are left out (they are blank rows).
    sheet
        The sheet read.
    warnings
        Notes for the report (other sheets present).
    """

    records: list[tuple[int, list[Any]]]
    sheet: str
    warnings: list[str]


def read_sheet(
    data: bytes,
    display: str,
    sheet: str | None,
    what: str,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> SheetRows:
    """The rows of the named sheet (the first when None) of the workbook ``data``.

    The sheet is streamed in openpyxl's read-only mode, bounded by the cells written in
    the file, never by the dimension it declares: trailing empty cells and rows cost
    nothing, and a file past ``limits`` is refused before its cells are built.

    Raises
    ------
    DataError
        An unreadable workbook, an unknown sheet, or a workbook past ``limits``.
    """
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise file_error(
            display,
            "reading Excel files needs the openpyxl package (pip install openpyxl); or "
            "save the sheet as CSV",
            what,
        ) from None
    _measure(data, display, what, limits)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        raise _unreadable(display, what, exc) from None
    try:
        sheets = [ws.title for ws in wb.worksheets]
        if not sheets:
            raise file_error(display, "the workbook has no worksheets", what)
        name, warnings = _choose_sheet(sheets, sheet, display, what)
        ws = wb[name]
        try:
            records = list(_rows(wb, ws, name, display, what, limits))
        except DataError:
            raise
        except Exception as exc:  # damaged sheet XML
            raise file_error(
                display,
                f"cannot read sheet {name!r} ({type(exc).__name__}); save the workbook "
                "again as .xlsx, or export the sheet as CSV",
                what,
            ) from None
    finally:
        wb.close()
    return SheetRows(records, name, warnings)


def _unreadable(display: str, what: str, exc: Exception) -> DataError:
    """A workbook openpyxl cannot open; the reason names no content of the file."""
    why = "not a valid zip archive" if isinstance(exc, zipfile.BadZipFile) else type(exc).__name__
    return file_error(
        display,
        f"is not a readable Excel workbook ({why}); open it in Excel and save it again as "
        ".xlsx, or export it as CSV",
        what,
    )


def _measure(data: bytes, display: str, what: str, limits: ReadLimits) -> None:
    """Refuse a workbook whose parts hold more than the limits, before openpyxl unpacks
    anything (it loads every shared string when it opens a file)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if len(zf.infolist()) > MAX_PARTS:
                raise file_error(
                    display,
                    f"is not a readable Excel workbook (more than {MAX_PARTS:,} parts); open "
                    "it in Excel and save it again as .xlsx, or export it as CSV",
                    what,
                )
            unpacked = sum(info.file_size for info in zf.infolist())
            if unpacked > limits.max_unpacked_bytes:
                raise file_error(
                    display,
                    f"the workbook unpacks to {size_text(unpacked)}, over the limit of "
                    f"{size_text(limits.max_unpacked_bytes)} for a workbook cssim reads; "
                    "export only the rows and columns needed, or save the sheet as CSV",
                    what,
                )
            counts = scan_archive(zf)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise _unreadable(display, what, exc) from None
    except RuntimeError as exc:  # an encrypted part
        raise _unreadable(display, what, exc) from None
    # openpyxl parses every sheet up to its dimension as it opens the workbook (all of
    # a sheet that declares none), so every part is checked here, not only the one read
    for kind, found in (
        ("shared strings", sum(c.strings for c in counts.values())),
        ("cells", sum(c.cells for c in counts.values())),
    ):
        if found > limits.max_cells:
            raise file_error(
                display,
                f"the workbook holds {found:,} {kind}, " + past_limit("cells", limits.max_cells),
                what,
            )
    widest = max((c.widest_row for c in counts.values()), default=0)
    if widest > EXCEL_MAX_COLUMNS:
        raise file_error(
            display,
            f"the workbook has a row of {widest:,} cells, more than the "
            f"{EXCEL_MAX_COLUMNS:,} columns of an Excel sheet: the file is damaged; save it "
            "again from Excel, or export the sheet as CSV",
            what,
        )


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _rows(
    wb: Any, ws: Any, name: str, display: str, what: str, limits: ReadLimits
) -> Iterator[tuple[int, list[Any]]]:
    """(row number, values up to the last one) of each row of ``ws`` holding a value.

    Reads the cells the sheet's XML holds with openpyxl's streaming parser (the one its
    read-only worksheets use), so that neither the declared dimension nor trailing
    empty cells are filled in.
    """
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._reader import WorkSheetParser

    cells = fields = 0
    with ws._get_source() as src:
        parser = WorkSheetParser(
            src,
            ws._shared_strings,
            data_only=wb.data_only,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        for number, row in parser.parse():
            last = max((c["column"] for c in row if not _empty(c["value"])), default=0)
            if not last:
                continue  # a blank row, or empty formatted cells
            if number > limits.max_rows:
                raise file_error(
                    display,
                    f"sheet {name!r} has a value in row {number:,}, "
                    + past_limit("rows", limits.max_rows),
                    what,
                    number,
                )
            if last > limits.max_columns:
                cell = f"{get_column_letter(min(last, EXCEL_MAX_COLUMNS))}{number}"
                raise file_error(
                    display,
                    f"sheet {name!r} has a value in cell {cell} (column {last:,}), "
                    + past_limit(
                        "columns",
                        limits.max_columns,
                        fix="delete that value if it is stray, or export only the columns needed",
                    ),
                    what,
                    number,
                )
            cells += sum(1 for c in row if not _empty(c["value"]))  # values, not blanks
            fields += last
            if cells > limits.max_cells or fields > FIELDS_PER_CELL * limits.max_cells:
                raise file_error(
                    display,
                    f"sheet {name!r}: " + past_limit("cells", limits.max_cells),
                    what,
                    number,
                )
            values: list[Any] = [None] * last
            for c in row:
                col = c["column"]
                if 1 <= col <= last:
                    values[col - 1] = c["value"]
            yield number, values


def _choose_sheet(
    sheets: Sequence[str], sheet: str | None, display: str, what: str
) -> tuple[str, list[str]]:
    """(sheet to read, warnings): the named one (any case), else the first."""
    warnings: list[str] = []
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
            raise file_error(
                display,
                f"there is no sheet {sheet!r}{did_you_mean(sheet, sheets)}; sheets are: "
                + ", ".join(repr(s) for s in sheets),
                what,
            )
        name = by_lower[sheet.strip().lower()]
    return name, warnings
