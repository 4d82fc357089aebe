"""The packs' tables as HTML, for the decision brief (:mod:`simulator.report.brief`).

Cells are formatted by their column's number format (:mod:`simulator.report.layout`),
numbers right-aligned.
"""

from __future__ import annotations

import html
import math
from typing import Any

from simulator.report.formatting import money, num, pct
from simulator.report.layout import Block

__all__ = ["table_html"]


def _format(value: Any, fmt: str, currency: str) -> tuple[str, bool]:
    """Cell text and whether it is a number (right-aligned)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "", False
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value), False
    if fmt == "id":
        return str(int(value)), True
    if fmt == "pct":
        return pct(value), True
    if fmt == "pp":
        return f"{100 * value:+.1f} pp", True
    if fmt == "money":
        return money(value, currency), True
    if fmt in ("int", "num0"):
        return num(value, 0), True
    if fmt.startswith("num"):
        return num(value, int(fmt[3:])), True
    return num(value, 2) if isinstance(value, float) else str(value), True


def table_html(block: Block, currency: str) -> str:
    """A block as an HTML table (numbers right-aligned, formatted by the column's format)."""
    head = "".join(f"<th>{html.escape(c.header)}</th>" for c in block.columns)
    body = []
    for r in block.rows:
        cells = []
        for col in block.columns:
            text, numeric = _format(*col.cell(r), currency)
            cls = ' class="n"' if numeric else ""
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="wrap"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
