"""A decision brief: one self-contained HTML page that leads with the answer.

The first screen is the answer in words (the command's own headline sentences), a few
key numbers with their intervals, how sure the answer is and what it hinges on; then
the one or two charts that show it; then the detail tables; then the assumptions and
the provenance, collapsed. The page has no scripts and loads nothing (styles inline,
charts inline SVG) and prints on a few A4 or Letter pages: page breaks before the
sections, figures kept whole, tables that wrap instead of being clipped.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.report.brief_css import BRIEF_CSS
from simulator.report.html import table_html
from simulator.report.layout import Sheet

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Brief", "KeyNumber", "brief_html"]

COLLAPSED = ("Assumptions", "Provenance")
"""Sheets shown collapsed at the end of the page, whatever the command."""


@dataclass
class KeyNumber:
    """A number on the first screen: what it is, its value, and its interval or note."""

    label: str
    value: str
    note: str = ""


@dataclass
class Brief:
    """What a brief shows, in the order it shows it.

    Parameters
    ----------
    title
        The question answered, as the page's heading.
    answer
        The headline sentences (the command's own), first on the page.
    numbers
        Key numbers with their intervals.
    sure
        How sure the answer is, in sentences.
    hinges
        What the answer hinges on, in sentences.
    figures
        The one or two charts that show the answer, by name.
    sheets
        Detail tables (a pack's sheets); ``Assumptions`` and ``Provenance`` are collapsed,
        and the sheets named in ``folded`` too.
    more_figures
        Further charts, after the detail's first sheet.
    footer
        One line of provenance shown under the answer (seed, replications, hash).
    """

    title: str
    answer: Sequence[str]
    numbers: Sequence[KeyNumber] = ()
    sure: Sequence[str] = ()
    hinges: Sequence[str] = ()
    figures: dict[str, Figure] | None = None
    sheets: Sequence[Sheet] = ()
    more_figures: dict[str, Figure] | None = None
    footer: str = ""
    folded: Sequence[str] = ()
    currency: str = "USD"


def _anchor(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower())


def _figure(name: str, fig: Figure) -> str:
    from simulator.report.charts import svg_text  # matplotlib: only for a page with charts

    caption = fig.get_suptitle().replace("\\$", "$") or name.replace("_", " ")
    return (
        f'<figure id="chart-{_anchor(name)}" aria-label="{html.escape(caption)}">'
        f"{svg_text(fig)}</figure>"
    )


def _sheet(sheet: Sheet, currency: str) -> str:
    parts = [f'<h3 id="{_anchor(sheet.name)}">{html.escape(sheet.name)}</h3>']
    parts += [f'<p class="note">{html.escape(line)}</p>' for line in sheet.intro]
    for block in sheet.blocks:
        if block.title:
            parts.append(f"<h4>{html.escape(block.title)}</h4>")
        if block.note:
            parts.append(f'<p class="note">{html.escape(block.note)}</p>')
        parts.append(table_html(block, currency))
    return "\n".join(parts)


def _paragraphs(lines: Sequence[str], cls: str) -> str:
    out = []
    for line in lines:
        for part in line.split("\n"):
            if part.strip():
                out.append(f'<p class="{cls}">{html.escape(part)}</p>')
    return "".join(out)


def _numbers(numbers: Sequence[KeyNumber]) -> str:
    cells = "".join(
        f'<div class="kn"><div class="kl">{html.escape(k.label)}</div>'
        f'<div class="kv">{html.escape(k.value)}</div>'
        + (f'<div class="ki">{html.escape(k.note)}</div>' if k.note else "")
        + "</div>"
        for k in numbers
    )
    return f'<div class="numbers">{cells}</div>' if cells else ""


def _aside(title: str, lines: Sequence[str]) -> str:
    if not lines:
        return ""
    items = "".join(f"<li>{html.escape(x)}</li>" for x in lines)
    return f'<div class="aside"><h2>{html.escape(title)}</h2><ul>{items}</ul></div>'


def brief_html(b: Brief) -> str:
    """The brief as one self-contained HTML page.

    Parameters
    ----------
    b
        What to show (see :class:`Brief`).

    Returns
    -------
    str
        The page, with inline CSS and inline SVG charts, no scripts and no external
        references.
    """
    made = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = (
        f'<section class="answer" id="answer"><h1>{html.escape(b.title)}</h1>'
        f"{_paragraphs(b.answer, 'lead')}{_numbers(b.numbers)}"
        f'<div class="asides">{_aside("How sure", b.sure)}'
        f"{_aside('What it hinges on', b.hinges)}</div>"
        f'<p class="foot">{html.escape(b.footer)}{" " if b.footer else ""}'
        f"cssim brief, generated {made}; self-contained (no network).</p></section>"
    )
    charts = ""
    if b.figures:
        charts = (
            '<section class="charts" id="charts"><h2>What shows it</h2>'
            + "".join(_figure(n, f) for n, f in b.figures.items())
            + "</section>"
        )
    detail_parts: list[str] = []
    folded: list[str] = []
    shown = [s for s in b.sheets if s.name not in COLLAPSED]
    for i, sheet in enumerate(shown):
        text = _sheet(sheet, b.currency)
        if sheet.name in b.folded:
            folded.append(_details(sheet.name, text))
        else:
            detail_parts.append(text)
        if i == 0 and b.more_figures:
            detail_parts.append(
                '<h3 id="more-charts">Charts</h3>'
                + "".join(_figure(n, f) for n, f in b.more_figures.items())
            )
    if not shown and b.more_figures:
        detail_parts += [_figure(n, f) for n, f in b.more_figures.items()]
    detail = ""
    if detail_parts or folded:
        detail = (
            '<section class="detail" id="detail"><h2>Detail</h2>'
            + "\n".join(detail_parts)
            + "".join(folded)
            + "</section>"
        )
    end = [
        _details(s.name, _sheet(s, b.currency), _rows(s)) for s in b.sheets if s.name in COLLAPSED
    ]
    tail = f'<section class="end" id="end">{"".join(end)}</section>' if end else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(b.title)}</title><style>{BRIEF_CSS}</style></head><body>"
        + head
        + charts
        + detail
        + tail
        + "</body></html>\n"
    )


def _rows(sheet: Sheet) -> str:
    n = sum(len(block.rows) for block in sheet.blocks)
    return f"{n} rows" if n != 1 else "1 row"


def _details(name: str, body: str, note: str = "") -> str:
    extra = f' <span class="muted">({html.escape(note)}; click to open)</span>' if note else ""
    return (
        f'<details id="{_anchor(name)}-details"><summary>{html.escape(name)}{extra}</summary>'
        f"{body}</details>"
    )
