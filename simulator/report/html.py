"""A self-contained HTML report: the Excel pack's tables and the charts in one file.

The page has no scripts and loads nothing: styles are inline and the charts are inline
SVG with real text, so it opens offline, prints, and its figures can be searched.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure

from simulator.report.charts import svg_text
from simulator.report.formatting import money, num, pct
from simulator.report.layout import Block, Sheet

__all__ = ["html_report", "table_html"]

_CSS = """
:root { --ink: #1a202c; --muted: #4a5568; --line: #e2e8f0; --head: #edf2f7; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1180px; padding: 24px 32px 64px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 8px; padding-top: 12px; border-top: 2px solid var(--line); }
h3 { font-size: 15px; margin: 22px 0 6px; }
p.note, p.intro { color: var(--muted); margin: 2px 0 8px; }
nav { margin: 12px 0 0; color: var(--muted); }
nav a { color: #2b6cb0; margin-right: 14px; text-decoration: none; }
table { border-collapse: collapse; margin: 6px 0 14px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--head); text-align: left; font-weight: 600; }
td.n { text-align: right; white-space: nowrap; }
.wrap { overflow-x: auto; }
figure { margin: 18px 0 28px; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 12px; }
@media print { h2 { break-before: page; } figure { break-inside: avoid; } }
"""


def _format(value: Any, fmt: str, currency: str) -> tuple[str, bool]:
    """Cell text and whether it is a number (right-aligned)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "", False
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value), False
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


def _anchor(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower())


def html_report(
    title: str,
    sheets: Sequence[Sheet],
    figures: dict[str, Figure] | None = None,
    currency: str = "USD",
    findings: Sequence[str] = (),
) -> str:
    """One self-contained HTML page of a pack's sheets, with charts after the first sheet.

    Parameters
    ----------
    title
        Page title and heading.
    sheets
        The sheets of a pack (see :mod:`simulator.report.layout`).
    figures
        Charts by name, placed in a Charts section after the first sheet.
    findings
        Headline sentences shown under the title.
    """
    sections: list[tuple[str, str]] = []
    for i, sheet in enumerate(sheets):
        parts = [f'<h2 id="{_anchor(sheet.name)}">{html.escape(sheet.name)}</h2>']
        parts += [f'<p class="intro">{html.escape(line)}</p>' for line in sheet.intro]
        for block in sheet.blocks:
            if block.title:
                parts.append(f"<h3>{html.escape(block.title)}</h3>")
            if block.note:
                parts.append(f'<p class="note">{html.escape(block.note)}</p>')
            parts.append(table_html(block, currency))
        sections.append((sheet.name, "\n".join(parts)))
        if i == 0 and figures:
            charts = ['<h2 id="charts">Charts</h2>']
            for name, fig in figures.items():
                caption = html.escape(fig.get_suptitle().replace("\\$", "$") or name)
                charts.append(
                    f'<figure id="chart-{_anchor(name)}" aria-label="{caption}">'
                    f"{svg_text(fig)}<figcaption>{html.escape(name)}</figcaption></figure>"
                )
            sections.append(("Charts", "\n".join(charts)))
    nav = " ".join(f'<a href="#{_anchor(name)}">{html.escape(name)}</a>' for name, _ in sections)
    bullets = "".join(f"<li>{html.escape(f)}</li>" for f in findings)
    made = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{html.escape(title)}</h1>"
        f'<p class="intro">cssim report, generated {made}; self-contained (no network).</p>'
        + (f"<ul>{bullets}</ul>" if bullets else "")
        + f"<nav>{nav}</nav></header>"
        + "\n".join(body for _, body in sections)
        + "</body></html>\n"
    )
