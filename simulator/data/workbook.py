"""Excel workbooks (``.xlsx``/``.xlsm``): choose the sheet and read its rows of values.

Computed values are read, not formulas; line numbers are Excel's row numbers. Damaged
workbooks and sheets give a :class:`~simulator.errors.DataError` with advice to save
the file again or export it as CSV.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.data.errors import file_error
from simulator.errors import Hint, did_you_mean, hinted

__all__ = ["SheetRows", "read_sheet"]


@dataclass(frozen=True)
class SheetRows:
    """The rows of one worksheet.

    Attributes
    ----------
    records
        (Excel row number, cell values) per row, blank ones included.
    sheet
        The sheet read.
    warnings
        Notes for the report (other sheets present).
    """

    records: list[tuple[int, list[Any]]]
    sheet: str
    warnings: list[str]


def read_sheet(p: Path, display: str, sheet: str | None, what: str) -> SheetRows:
    """The rows of the named sheet (the first when None); DataError if unreadable."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise file_error(
            display,
            "reading Excel files needs the openpyxl package (pip install openpyxl); or "
            "save the sheet as CSV",
            what,
        ) from None
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        raise file_error(
            display,
            f"is not a readable Excel workbook ({type(exc).__name__}: {exc}); open it in "
            "Excel and save it again as .xlsx, or export it as CSV",
            what,
        ) from None
    try:
        sheets = [ws.title for ws in wb.worksheets]
        if not sheets:
            raise file_error(display, "the workbook has no worksheets", what)
        name, warnings = _choose_sheet(sheets, sheet, display, what)
        ws = wb[name]
        if ws.max_row is None or ws.max_column is None or (ws.max_row == ws.max_column == 1):
            ws.reset_dimensions()
        try:
            records = [
                (i, list(row)) for i, row in enumerate(ws.iter_rows(values_only=True), start=1)
            ]
        except Exception as exc:  # damaged sheet XML
            raise file_error(
                display,
                f"cannot read sheet {name!r} ({type(exc).__name__}: {exc}); save the "
                "workbook again as .xlsx, or export the sheet as CSV",
                what,
            ) from None
    finally:
        wb.close()
    return SheetRows(records, name, warnings)


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
