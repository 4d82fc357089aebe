"""Rendering a pack (:mod:`simulator.report.layout`) as an xlsx workbook (xlsxwriter).

Cells hold values with number formats, never formulas; charts are native Excel charts
of the blocks they name. A pack of a deciding command opens on its decision brief
(:mod:`simulator.report.xlsx_brief`). The file is written atomically.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.report.files import atomic_target
from simulator.report.formatting import CURRENCY_SYMBOLS
from simulator.report.layout import Chart, Col, Sheet

if TYPE_CHECKING:
    from simulator.report.brief import Brief

__all__ = ["write_workbook"]


def _excel_formats(currency: str) -> dict[str, str]:
    sym = CURRENCY_SYMBOLS.get(currency)
    money = f'"{sym}"#,##0;-"{sym}"#,##0' if sym else f'#,##0 "{currency}";-#,##0 "{currency}"'
    return {
        "text": "@",
        "id": "0",
        "int": "#,##0",
        "num0": "#,##0",
        "num1": "#,##0.0",
        "num2": "#,##0.00",
        "num3": "0.000",
        "pct": "0.0%",
        "pp": '+0.0" pp";-0.0" pp";0.0" pp"',
        "money": money,
    }


def _cell(value: Any, fmt: str) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if fmt == "pp" and isinstance(value, int | float):
        return 100 * value
    return value


def write_workbook(
    path: Path, sheets: Sequence[Sheet], currency: str = "USD", brief: Brief | None = None
) -> Path:
    """Write ``sheets`` to an xlsx file atomically (nothing is left on failure).

    Parameters
    ----------
    path
        The ``.xlsx`` file.
    sheets
        The pack, in order.
    currency
        ISO code of the money columns.
    brief
        The command's decision brief: when given, the first sheet, named ``Brief``, and
        the one the workbook opens on.
    """
    import xlsxwriter

    path = Path(path)
    with atomic_target(path) as tmp:
        # user text (a scenario's name, a note) is never read as a formula or a link
        wb = xlsxwriter.Workbook(
            str(tmp),
            {"nan_inf_to_errors": True, "strings_to_formulas": False, "strings_to_urls": False},
        )
        try:
            _fill(wb, sheets, currency, brief)
        finally:
            wb.close()
    return path


def _fill(wb: Any, sheets: Sequence[Sheet], currency: str, brief: Brief | None = None) -> None:
    used: set[str] = set()
    if brief is not None:
        from simulator.report.xlsx_brief import WIDTHS, write_brief_sheet

        ws = wb.add_worksheet(_sheet_name("Brief", used))
        rows = write_brief_sheet(wb, ws, brief)
        _print_setup(ws, rows, len(WIDTHS) - 1)
        ws.activate()
    numbers = _excel_formats(currency)
    fmts = {k: wb.add_format({"num_format": v}) for k, v in numbers.items()}
    fmts["text"] = wb.add_format({"text_wrap": False})
    head = wb.add_format({"bold": True, "bg_color": "#e2e8f0", "bottom": 1, "text_wrap": True})
    title = wb.add_format({"bold": True, "font_size": 12})
    big = wb.add_format({"bold": True, "font_size": 14})
    note = wb.add_format({"italic": True, "font_color": "#4a5568"})
    for sheet in sheets:
        ws = wb.add_worksheet(_sheet_name(sheet.name, used))
        row = 0
        widths: dict[int, float] = {}
        for i, line in enumerate(sheet.intro):
            ws.write_string(row, 0, line, big if i == 0 else note)
            row += 1
        if sheet.intro:
            row += 1
        where: dict[str, tuple[int, int, list[Col], list[dict[str, Any]]]] = {}
        for block in sheet.blocks:
            if block.title:
                ws.write_string(row, 0, block.title, title)
                row += 1
            if block.note:
                ws.write_string(row, 0, block.note, note)
                row += 1
            header_row = row
            for c, col in enumerate(block.columns):
                ws.write_string(row, c, col.header, head)
                widths[c] = max(widths.get(c, 8), col.width or min(max(len(col.header), 8), 40))
            row += 1
            for r in block.rows:
                for c, col in enumerate(block.columns):
                    raw, fmt = col.cell(r)
                    value = _cell(raw, fmt)
                    if value is None:
                        continue
                    if isinstance(value, bool):
                        ws.write_boolean(row, c, value)
                    elif isinstance(value, int | float):
                        ws.write_number(row, c, value, fmts.get(fmt, fmts["num2"]))
                    else:
                        text = str(value)
                        ws.write_string(row, c, text)
                        if col.fmt == "text":
                            widths[c] = max(widths[c], min(len(text) + 1, 60))
                row += 1
            if block.name:
                where[block.name] = (header_row, row - 1, block.columns, block.rows)
            tabled = _table(ws, block, header_row, row - 1, head)
            if sheet.freeze and len(sheet.blocks) == 1:
                ws.freeze_panes(header_row + 1, 0)
                if not tabled:
                    ws.autofilter(header_row, 0, max(row - 1, header_row), len(block.columns) - 1)
            row += 1
        for c, w in widths.items():
            ws.set_column(c, c, w)
        right = max(widths, default=0) + 2
        for k, spec in enumerate(sheet.charts):
            if spec.block not in where:
                continue
            chart = _chart(wb, ws.get_name(), spec, where[spec.block], numbers)
            if chart is not None:
                ws.insert_chart(1 + 18 * k, right, chart, {"x_scale": 1.3, "y_scale": 1.2})
        # the print area holds the tables and the charts beside them (about 10 columns,
        # 18 rows each)
        charts = len(sheet.charts)
        last_col = right + 10 if charts else max(widths, default=0)
        _print_setup(ws, max(row, 1 + 18 * charts), last_col)


def _table(ws: Any, block: Any, header_row: int, last_row: int, head: Any) -> bool:
    """Make ``block`` an Excel Table (filter buttons, banded rows, a name formulas can use)
    when it has rows and distinct headers; whether it did."""
    headers = [col.header for col in block.columns]
    if last_row <= header_row or len(set(headers)) != len(headers) or not headers:
        return False
    ws.add_table(
        header_row,
        0,
        last_row,
        len(headers) - 1,
        {
            "columns": [{"header": h, "header_format": head} for h in headers],
            "style": "Table Style Light 1",
            "autofilter": True,
        },
    )
    return True


def _print_setup(ws: Any, rows: int, last_col: int) -> None:
    """Print the used range landscape, one page wide (as many pages tall as it needs),
    with the sheet name and page numbers in the footer."""
    ws.set_landscape()
    ws.set_paper(9)  # A4; Letter users print it scaled, nothing is cut: fit to one page wide
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, max(rows - 1, 0), max(last_col, 0))
    ws.set_footer("&L&A&RPage &P of &N")


def _sheet_name(name: str, used: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique ignoring case."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'") or "Sheet"
    out = clean[:31]
    n = 1
    while out.casefold() in used:
        n += 1
        suffix = f"~{n}"
        out = clean[: 31 - len(suffix)] + suffix
    used.add(out.casefold())
    return out


def _chart(
    wb: Any,
    sheet_name: str,
    spec: Chart,
    located: tuple[int, int, list[Col], list[dict[str, Any]]],
    numbers: dict[str, str],
) -> Any:
    first, last, cols, rows = located
    if last <= first:
        return None
    keys = [c.key for c in cols]
    cat = keys.index(spec.categories)
    chart = wb.add_chart({"type": spec.kind})
    groups: list[tuple[str, int, int]] = []
    if spec.series_by is None:
        groups = [("", first + 1, last)]
    else:
        start = first + 1
        for i in range(1, len(rows) + 1):
            if i == len(rows) or rows[i][spec.series_by] != rows[i - 1][spec.series_by]:
                groups.append((str(rows[i - 1][spec.series_by]), start, first + i))
                start = first + i + 1
    for label, r0, r1 in groups:
        for key in spec.values:
            col = keys.index(key)
            name = f"{label} {cols[col].header}".strip() if label else cols[col].header
            chart.add_series(
                {
                    "name": name,
                    "categories": [sheet_name, r0, cat, r1, cat],
                    "values": [sheet_name, r0, col, r1, col],
                    "marker": {"type": "circle"} if spec.kind == "line" else None,
                }
            )
    chart.set_title({"name": spec.title, "name_font": {"size": 12}})
    chart.set_y_axis(
        {
            "name": spec.y_title,
            "num_format": numbers.get(spec.y_format, "General"),
            "major_gridlines": {"visible": True, "line": {"color": "#e2e8f0"}},
        }
    )
    chart.set_x_axis({"name": spec.x_title})
    chart.set_legend({"position": "bottom"})
    return chart
