"""The Excel pack's first sheet: the decision brief (:class:`~simulator.report.brief.Brief`).

The sheet shows what the HTML brief's first screen shows, from the same object: the
title, the answer sentences, the key numbers (label, value, interval or note) as a small
table, the "How sure" and "What it hinges on" lines, the provenance line, then the
brief's charts as PNG images. It is four columns about 1,000 pixels wide in all; long
sentences wrap inside cells merged across them, row heights are set from the wrapped
line count (Excel does not fit merged cells), and the charts are scaled to the same
width. It prints landscape, one page wide, with a page break before a chart that would
straddle two pages.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import struct
import textwrap
from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure

from simulator.report.brief import Brief

__all__ = ["CHART_DPI", "SHEET_PX", "chart_png", "write_brief_sheet"]

CHART_DPI = 110
"""Resolution of the charts' PNG (dots per inch): sharp when printed one page wide."""

WIDTHS = (42.0, 20.0, 40.0, 38.0)
"""Column widths (characters): key number, value, and the interval or note over two."""

SHEET_PX = sum(int(w * 7 + 5) for w in WIDTHS)
"""The sheet's width in pixels (Excel: 7 pixels a character plus 5 a column)."""

ROW_PX = 20
"""A default row's height in pixels (15 points)."""

PAGE_PX = int(SHEET_PX * 0.64)
"""The height of a printed page in the sheet's pixels, one page wide: A4 landscape less
Excel's default margins, header and footer (about 0.64 of its width)."""


def chart_png(fig: Figure, dpi: int = CHART_DPI) -> tuple[bytes, int, int]:
    """The figure as PNG bytes, with its width and height in pixels."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    data = buf.getvalue()
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    return data, width, height


def _lines(text: str, chars: int) -> int:
    """How many lines ``text`` wraps to at ``chars`` characters a line (by words)."""
    return sum(max(len(textwrap.wrap(part, chars)), 1) for part in text.split("\n"))


def _paragraphs(lines: Sequence[str]) -> list[str]:
    """The non-empty paragraphs of ``lines`` (a line may hold several, split by newlines)."""
    return [part for line in lines for part in line.split("\n") if part.strip()]


class _Writer:
    """Writes the brief down the sheet, keeping the row and the pixels used so far."""

    def __init__(self, wb: Any, ws: Any) -> None:
        self.ws = ws
        self.row = 0
        self.px = 0
        self.breaks: list[int] = []
        base = {"text_wrap": True, "valign": "top"}
        self.fmt = {
            "title": wb.add_format({**base, "bold": True, "font_size": 16}),
            "lead": wb.add_format({**base, "bold": True, "font_size": 13}),
            "text": wb.add_format(base),
            "head": wb.add_format({**base, "bold": True, "font_size": 12}),
            "th": wb.add_format({**base, "bold": True, "bg_color": "#e2e8f0", "bottom": 1}),
            "label": wb.add_format({**base, "bottom": 1, "bottom_color": "#e2e8f0"}),
            "value": wb.add_format(
                {**base, "bold": True, "font_size": 12, "bottom": 1, "bottom_color": "#e2e8f0"}
            ),
            "note": wb.add_format(
                {**base, "font_color": "#4a5568", "bottom": 1, "bottom_color": "#e2e8f0"}
            ),
            "foot": wb.add_format({**base, "italic": True, "font_color": "#4a5568"}),
        }

    def height(self, points: float) -> None:
        """Give the current row ``points`` of height and move to the next."""
        self.ws.set_row(self.row, points)
        self.px += math.ceil(points * 4 / 3)
        self.row += 1

    def skip(self) -> None:
        self.px += ROW_PX
        self.row += 1

    def wide(self, text: str, style: str, chars: int, line_pt: float) -> None:
        """``text`` across all four columns, wrapped; the row as tall as its lines."""
        self.ws.merge_range(self.row, 0, self.row, len(WIDTHS) - 1, "", self.fmt[style])
        self.ws.write_string(self.row, 0, text, self.fmt[style])
        self.height(line_pt * _lines(text, chars) + 4)

    def numbers(self, brief: Brief) -> None:
        """The key numbers: label, value, and the interval or note over the last two."""
        ws, f = self.ws, self.fmt
        ws.write_string(self.row, 0, "Key number", f["th"])
        ws.write_string(self.row, 1, "Value", f["th"])
        ws.merge_range(self.row, 2, self.row, 3, "Interval or note", f["th"])
        self.height(18)
        for k in brief.numbers:
            ws.write_string(self.row, 0, k.label, f["label"])
            ws.write_string(self.row, 1, k.value, f["value"])
            ws.merge_range(self.row, 2, self.row, 3, "", f["note"])
            ws.write_string(self.row, 2, k.note, f["note"])
            lines = max(_lines(k.label, 44), _lines(k.value, 17), _lines(k.note, 80))
            self.height(16 * lines + 4)

    def page_break(self, px: int) -> None:
        """Start a new printed page here unless ``px`` more pixels fit on this one."""
        page_top = self.px - self.px % PAGE_PX
        if self.px + px > page_top + PAGE_PX and self.px > page_top:
            self.breaks.append(self.row)
            self.px = page_top + PAGE_PX

    def charts(self, figures: dict[str, Figure]) -> None:
        """The figures as PNG images the sheet's width, each on one printed page, under a
        heading kept with the first."""
        placed = []
        for name, fig in figures.items():
            data, width, height = chart_png(fig)
            shown = width * 96 / CHART_DPI  # how wide Excel shows it unscaled (pixels)
            scale = min(1.0, (SHEET_PX - 4) / shown, (PAGE_PX - 40) / (height * 96 / CHART_DPI))
            rows = math.ceil(height * 96 / CHART_DPI * scale / ROW_PX) + 1
            placed.append((name, data, scale, rows))
        if not placed:
            return
        self.skip()
        self.page_break(30 + placed[0][3] * ROW_PX)
        self.wide("What shows it", "head", 100, 17)
        for i, (name, data, scale, rows) in enumerate(placed):
            if i:
                self.page_break(rows * ROW_PX)
            self.ws.insert_image(
                self.row,
                0,
                f"{name}.png",
                {"image_data": io.BytesIO(data), "x_scale": scale, "y_scale": scale},
            )
            self.row += rows
            self.px += rows * ROW_PX


def write_brief_sheet(wb: Any, ws: Any, brief: Brief) -> int:
    """Write ``brief`` on the worksheet ``ws`` of the xlsxwriter workbook ``wb``.

    Returns
    -------
    int
        The rows used (the print area's height), charts included.
    """
    for c, width in enumerate(WIDTHS):
        ws.set_column(c, c, width)
    w = _Writer(wb, ws)
    w.wide(brief.title, "title", 100, 21)
    for i, line in enumerate(_paragraphs(brief.answer)):
        if i == 0:
            w.wide(line, "lead", 115, 18)
        else:
            w.wide(line, "text", 140, 15)
    if brief.numbers:
        w.skip()
        w.numbers(brief)
    for heading, lines in (("How sure", brief.sure), ("What it hinges on", brief.hinges)):
        if lines:
            w.skip()
            w.wide(heading, "head", 100, 17)
            for line in lines:
                w.wide(f"\u2022 {line}", "text", 140, 15)
    made = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    w.skip()
    w.wide(
        f"{brief.footer}{' ' if brief.footer else ''}cssim brief, generated {made}.",
        "foot",
        140,
        15,
    )
    w.charts(dict(brief.figures or {}))
    if w.breaks:
        ws.set_h_pagebreaks(w.breaks)
    ws.hide_gridlines(2)
    return w.row
