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


WIDE = 9
"""Columns from which a table is printed in the small type of ``table.wide``."""

LONG_WORD = 24
"""Characters from which a word in a text cell may break anywhere (``table.long``): a
hash or a dotted path, which would otherwise widen its column past the page."""


def table_html(block: Block, currency: str) -> str:
    """A block as an HTML table (numbers right-aligned, formatted by the column's format).

    Headers break only between words. A table of :data:`WIDE` columns or more has the
    class ``wide`` (smaller type in print), and one with a text cell holding a word of
    :data:`LONG_WORD` characters or more the class ``long`` (its cells may break
    inside words); see :mod:`simulator.report.brief_css`.
    """
    head = "".join(f"<th>{html.escape(c.header)}</th>" for c in block.columns)
    body = []
    longest = 0
    for r in block.rows:
        cells = []
        for col in block.columns:
            text, numeric = _format(*col.cell(r), currency)
            cls = ' class="n"' if numeric else ""
            if not numeric:
                longest = max([longest, *(len(w) for w in text.split())])
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    classes = [
        name
        for name, on in (("wide", len(block.columns) >= WIDE), ("long", longest >= LONG_WORD))
        if on
    ]
    attr = f' class="{" ".join(classes)}"' if classes else ""
    return (
        f'<div class="wrap"><table{attr}><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )
