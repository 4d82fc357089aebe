"""Rendering "Why customers churn": the churn-reason summary as tables, rows, JSON and a sheet.

Every form carries :data:`CAVEAT` and the data-quality sentences of
:func:`quality_lines`: a churn reason is evidence entered by people, and the tables
must never be read without saying how thin it is. :mod:`simulator.report.book` places
these in the ``analyze`` outputs; the chart is in :mod:`simulator.report.book_charts`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from simulator.analysis.churn_reasons import (
    BUSY_MONTHS,
    QualityFlag,
    ReasonRow,
    ReasonSummary,
    SegmentReasons,
)
from simulator.report.formatting import json_safe, money, num, pct
from simulator.report.layout import Block, Col, Sheet

__all__ = [
    "CAVEAT",
    "quality_lines",
    "reasons_json",
    "reasons_renderable",
    "reasons_rows",
    "reasons_sheet",
    "segment_views",
]

TITLE = "Why customers churn (churn reasons as entered in the CRM)"

CAVEAT = (
    "Read with care: a churn reason is typed in by one person at the moment a customer is "
    "lost, often in a hurry and often by the person who lost it. It is frequently blank or "
    "'Other', names one cause where there were several, and leans towards causes nobody "
    "could have prevented. Use these as leads to check with the account teams, not as the "
    "cause of churn. The simulator never uses them."
)
"""The warning shown with every churn-reason table."""


def segment_views(s: ReasonSummary) -> list[SegmentReasons]:
    """The segments, then the whole book (``all``) when there are several."""
    views = list(s.segments.values())
    return [*views, s.total] if len(views) > 1 else views


def _ids(ids: Sequence[str], limit: int = 10) -> str:
    """``"C1, C2, ... and 4 more"``."""
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


def _said(f: QualityFlag) -> str:
    """The reasons of a flag, quoted: ``'Other', 'N/A'``."""
    return ", ".join(repr(r) for r in f.distinct_reasons[:4])


def _flag_text(f: QualityFlag, churned_arr: float) -> str:
    """One flag in plain words: what, how much, which customers, what it may mean."""
    n, one = f.count, f.count == 1
    have, are = ("has", "is") if one else ("have", "are")
    who = f"{n} churned customer{'' if one else 's'}"
    share = f", {pct(f.arr / churned_arr, 0)} of churned ARR" if churned_arr else ""
    ids, then = _ids(f.customers), ""
    if f.kind == "blank":
        head = f"{who} ({money(f.arr)}{share}) {have} no reason recorded"
    elif f.kind == "uninformative":
        head = f"{who} ({money(f.arr)}{share}) {have} a reason that says nothing ({_said(f)})"
    elif f.kind == "active_with_reason":
        head = (
            f"{n} active customer{'' if one else 's'} ({money(f.arr)} ARR) {have} a churn "
            f"reason filled in ({_said(f)})"
        )
        then = (
            " Left over from a save, or a downgrade entered in the same field; not counted "
            "in the tables."
        )
    elif f.kind == "no_contact":
        head = f"{who} ({money(f.arr)}) {are} marked as not engaged or unreachable ({_said(f)})"
        then = " Not checked against an activity history (none given)."
    else:
        head = (
            f"{who} ({money(f.arr)}) {are} marked as not engaged or unreachable ({_said(f)}), "
            f"yet the activity history shows CSM work in {BUSY_MONTHS} or more of the 12 "
            f"months before {'it' if one else 'they'} left"
        )
        ids = _ids([f"{c} ({f.months[c]} months)" for c in f.customers])
        then = " Either the reason is wrong or the work was outreach nobody answered."
    return f"{head}: {ids}.{then}"


def quality_lines(s: ReasonSummary) -> list[str]:
    """What share of churned ARR has an informative reason, then one sentence per flag."""
    t = s.total
    lines = [
        f"{pct(t.informative_arr_share, 0)} of churned ARR ({money(t.informative_arr)} of "
        f"{money(t.churned_arr)}, {t.churned:,} churned customers) has a reason that says "
        "something; the rest is blank, 'Other' or the like."
    ]
    return lines + [_flag_text(f, t.churned_arr) for f in s.flags]


def _year_label(year: int | None) -> str:
    return "unknown" if year is None else str(year)


def _by_year(r: ReasonRow) -> str:
    """``2023: 1 ($180k); 2024: 2 ($350k)``: churned logos (and ARR) per churn year."""
    return "; ".join(f"{_year_label(y)}: {n} ({money(arr)})" for y, (n, arr) in r.by_year.items())


def _table(v: SegmentReasons) -> Table:
    """One segment's reasons: logos, ARR, share of churned ARR, by churn year."""
    name = "All segments" if v.segment == "all" else v.segment
    t = Table(
        title=f"{name}: {v.churned:,} churned customers, {money(v.churned_arr)} ARR lost "
        f"({pct(v.informative_arr_share, 0)} with an informative reason)",
        title_justify="left",
    )
    for col in ("Reason", "Logos", "ARR", "Share of churned ARR", "By churn year"):
        t.add_column(col, justify="left" if col in ("Reason", "By churn year") else "right")
    for r in v.rows:
        t.add_row(
            Text(r.reason),  # as written: never read as markup
            num(r.logos),
            money(r.arr),
            pct(r.arr_share),
            _by_year(r),
            style=None if r.informative else "dim",
        )
    return t


def reasons_renderable(s: ReasonSummary) -> list[Any]:
    """The section for the terminal: title and warning, a table per segment, the flags."""
    parts: list[Any] = [
        Text(TITLE, style="bold"),
        Text(CAVEAT, style="yellow"),
    ]
    parts += [_table(v) for v in segment_views(s)]
    parts.append(Text("\n".join(f"data quality: {line}" for line in quality_lines(s))))
    return parts


def reasons_rows(s: ReasonSummary) -> list[dict[str, Any]]:
    """Tidy rows (segment, measure, value, ci_low, ci_high) as :func:`book_rows` writes.

    Measures: ``churned_logos[reason=R]``, ``churned_arr[reason=R]``,
    ``churned_arr_share[reason=R]``, the same two with ``,year=Y`` per churn year
    (``unknown`` when not known), ``churn_reason_informative_arr_share`` per segment,
    and for ``all`` each flag's count and ARR (``churn_reason_blank``, ``..._arr``).
    """
    out: list[dict[str, Any]] = []

    def add(segment: str, measure: str, value: float) -> None:
        out.append(
            {
                "segment": segment,
                "measure": measure,
                "value": value,
                "ci_low": None,
                "ci_high": None,
            }
        )

    for v in segment_views(s):
        add(v.segment, "churn_reason_informative_arr_share", v.informative_arr_share)
        for r in v.rows:
            add(v.segment, f"churned_logos[reason={r.reason}]", r.logos)
            add(v.segment, f"churned_arr[reason={r.reason}]", r.arr)
            add(v.segment, f"churned_arr_share[reason={r.reason}]", r.arr_share)
            for y, (n, arr) in r.by_year.items():
                add(v.segment, f"churned_logos[reason={r.reason},year={_year_label(y)}]", n)
                add(v.segment, f"churned_arr[reason={r.reason},year={_year_label(y)}]", arr)
    flags = [s.blank, s.uninformative, s.active_with_reason, s.no_contact]
    if s.activity_conflict is not None:
        flags.append(s.activity_conflict)
    for f in flags:
        add("all", f"churn_reason_{f.kind}", f.count)
        add("all", f"churn_reason_{f.kind}_arr", f.arr)
    return out


def _view_json(v: SegmentReasons) -> dict[str, Any]:
    return {
        "segment": v.segment,
        "churned": v.churned,
        "churned_arr": v.churned_arr,
        "informative_arr_share": v.informative_arr_share,
        "reasons": [
            {
                "reason": r.reason,
                "informative": r.informative,
                "logos": r.logos,
                "arr": r.arr,
                "logo_share": r.logo_share,
                "arr_share": r.arr_share,
                "by_year": [
                    {"year": y, "logos": n, "arr": arr} for y, (n, arr) in r.by_year.items()
                ],
                "customers": list(r.customers),
            }
            for r in v.rows
        ],
    }


def _flag_json(f: QualityFlag) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "count": f.count,
        "arr": f.arr,
        "customers": list(f.customers),
        "reasons": f.distinct_reasons,
        **({"months": f.months} if f.kind == "activity_conflict" else {}),
    }


def reasons_json(s: ReasonSummary) -> dict[str, Any]:
    """The section as JSON-ready data: caveat, quality sentences, segments, flags."""
    flags = [s.blank, s.uninformative, s.active_with_reason, s.no_contact]
    if s.activity_conflict is not None:
        flags.append(s.activity_conflict)
    return json_safe(
        {
            "caveat": CAVEAT,
            "used_by_model": False,
            "informative_arr_share": s.informative_arr_share,
            "quality": quality_lines(s),
            "activity_checked": s.activity_checked,
            "segments": [_view_json(v) for v in s.segments.values()],
            "all": _view_json(s.total),
            "flags": [_flag_json(f) for f in flags],
        }
    )


def reasons_sheet(s: ReasonSummary) -> Sheet:
    """The "Churn reasons" sheet: warning and quality lines, reasons, years, flags."""
    views = segment_views(s)
    reasons = Block(
        "Churned logos and ARR by reason",
        [
            Col("segment", "Segment"),
            Col("reason", "Reason", width=24),
            Col("informative", "Says something"),
            Col("logos", "Logos", "int"),
            Col("arr", "Churned ARR", "money", 14),
            Col("logo_share", "Share of logos", "pct"),
            Col("arr_share", "Share of churned ARR", "pct"),
            Col("customers", "Customers", width=40),
        ],
        [
            {
                "segment": v.segment,
                "reason": r.reason,
                "informative": "yes" if r.informative else "no",
                "logos": r.logos,
                "arr": r.arr,
                "logo_share": r.logo_share,
                "arr_share": r.arr_share if math.isfinite(r.arr_share) else None,
                "customers": ", ".join(r.customers),
            }
            for v in views
            for r in v.rows
        ],
    )
    years = Block(
        "By churn year (the churn date's year; the renewal date's when it is blank)",
        [
            Col("segment", "Segment"),
            Col("reason", "Reason", width=24),
            Col("year", "Churn year"),
            Col("logos", "Logos", "int"),
            Col("arr", "Churned ARR", "money", 14),
        ],
        [
            {"segment": v.segment, "reason": r.reason, "year": _year_label(y), "logos": n, "arr": a}
            for v in views
            for r in v.rows
            for y, (n, a) in r.by_year.items()
        ],
    )
    flags = Block(
        "Data quality",
        [
            Col("flag", "Flag", width=24),
            Col("count", "Customers", "int"),
            Col("arr", "ARR", "money", 14),
            Col("customers", "Customer IDs", width=60),
        ],
        [
            {
                "flag": f.kind.replace("_", " "),
                "count": f.count,
                "arr": f.arr,
                "customers": ", ".join(f.customers),
            }
            for f in s.flags
        ],
    )
    intro = [TITLE, CAVEAT, *quality_lines(s)]
    return Sheet("Churn reasons", [reasons, years, flags], intro=intro)
