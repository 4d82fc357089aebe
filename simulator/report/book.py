"""Rendering the customer-list analysis: terminal tables, tidy rows, an Excel pack.

The charts are :mod:`simulator.report.book_charts` (``book_charts`` is re-exported here).
"""

from __future__ import annotations

import json
import math
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.analysis.book import BookAnalysis, SegmentBook
from simulator.data.common import line_list, plural
from simulator.data.errors import count_by_reason
from simulator.report.book_charts import book_charts
from simulator.report.churn_reasons import (
    reasons_json,
    reasons_renderable,
    reasons_rows,
    reasons_sheet,
)
from simulator.report.formatting import json_safe, money, num, pct
from simulator.report.layout import Block, Col, Sheet

__all__ = [
    "book_charts",
    "book_json",
    "book_renderable",
    "book_rows",
    "book_sheets",
    "read_report_lines",
]

YEARS = (1, 2, 3)


def _ci(value: float, low: float, high: float) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{100 * value:.1f}% [{100 * low:.1f}, {100 * high:.1f}]"


def _years(x: float) -> str:
    return f"{x:.1f} y" if math.isfinite(x) else "-"


def _segment_rows(a: BookAnalysis) -> list[tuple[str, SegmentBook]]:
    rows = list(a.segments.items())
    if len(rows) > 1:
        rows.append(("all", a.total))
    return rows


def read_report_lines(read: Any, what: str = "customers") -> list[str]:
    """What reading a file found: rows read, rows skipped by reason (with lines), warnings."""
    count = len(read.customers) if hasattr(read, "customers") else len(read.entries)
    lines = [f"{count:,} {what} read from {read.path}"]
    if read.skipped:
        parts = [
            f"{n} {why} ({line_list([s.line for s in read.skipped if s.reason == why], 5)})"
            for why, n in count_by_reason(read.skipped).items()
        ]
        lines.append(f"{plural(len(read.skipped), 'row')} skipped: " + "; ".join(parts))
    lines += ["warning: " + w for w in read.warnings]  # keeps the hints of a Hinted warning
    return lines


def _segment_table(a: BookAnalysis) -> Table:
    """One row per segment (and 'all'): size, value spread, tenure, churn, growth."""
    t = Table(
        title=f"The book as of {a.as_of:%d %b %Y} (segments from "
        + ("the segment column" if a.segment_source == "column" else "value breaks")
        + ")",
        title_justify="left",
    )
    for col in [
        "Segment",
        "Active",
        "Churned",
        "ARR",
        "Smallest",
        "Average",
        "Median",
        "Largest",
        "Tenure",
        "Term",
        "Churn / yr [95% CI]",
        "$ churn / renewal",
        "Growth / yr",
        "New / month",
    ]:
        t.add_column(col, justify="left" if col == "Segment" else "right")
    for name, s in _segment_rows(a):
        t.add_row(
            name,
            num(s.active),
            num(s.churned),
            money(s.arr_total, a.currency),
            money(s.arr_min, a.currency),
            money(s.arr_mean, a.currency),
            money(s.arr_median, a.currency),
            money(s.arr_max, a.currency),
            _years(s.tenure_years_mean),
            f"{s.term_months_mean:.0f} mo" if math.isfinite(s.term_months_mean) else "-",
            _ci(s.annual_churn.value, s.annual_churn.low, s.annual_churn.high),
            pct(s.renewal_dollar_churn),
            pct(s.growth_mean),
            num(s.new_per_month, 1),
        )
    return t


def _summary_lines(a: BookAnalysis) -> list[str]:
    """The book in sentences: size, value spread, 80/20, tertiles, tenure, growth, renewals."""
    tot = a.total
    return [
        f"{tot.customers:,} customers: {tot.active:,} active holding {money(tot.arr_total, a.currency)} ARR, "
        f"{tot.churned:,} churned (average churned ARR {money(tot.churned_arr_mean, a.currency)}).",
        f"Contract values run from {money(tot.arr_min, a.currency)} ({tot.smallest[0] if tot.smallest else '-'}) "
        f"to {money(tot.arr_max, a.currency)} ({tot.largest[0] if tot.largest else '-'}); average "
        f"{money(tot.arr_mean, a.currency)}, median {money(tot.arr_median, a.currency)}.",
        f"80/20: the largest {pct(a.pareto_share)} of active customers ({a.pareto_customers:,}) hold "
        f"80% of ARR; the smallest of them pays {money(a.pareto_threshold, a.currency)}.",
        f"Cut in three by count, the value breaks are at {money(a.tertiles[0], a.currency)} and "
        f"{money(a.tertiles[1], a.currency)}"
        + (
            f"; segments use breaks {', '.join(money(b, a.currency) for b in a.breaks)}."
            if a.segment_source == "breaks" and a.breaks != a.tertiles
            else "."
        ),
        f"Average customer tenure {_years(tot.tenure_years_mean)}; average contract "
        + (
            f"{tot.term_months_mean:.1f} months."
            if math.isfinite(tot.term_months_mean)
            else "unknown (needs contract start and renewal dates on signing anniversaries, "
            "or a term column)."
        ),
        f"Average annual contract growth of retained customers {pct(tot.growth_mean)} "
        f"(median {pct(tot.growth_median)}); the top 10% of contracts grew "
        f"{pct(tot.top10_growth_mean)} a year.",
        (
            f"Renewals: {a.renewals_this_month[0]:,} this month ({money(a.renewals_this_month[1], a.currency)}), "
            f"{a.renewals_next_6_months[0]:,} in the next six months "
            f"({money(a.renewals_next_6_months[1], a.currency)})."
            if a.renewal_dates
            else "Renewals: unknown (no renewal dates in the list)."
        ),
    ]


def _yearly_table(a: BookAnalysis) -> Table:
    """Churn by calendar year of the customers active on 1 January."""
    y = Table(title="Churn by calendar year (customers active on 1 January)", title_justify="left")
    for col in [
        "Year",
        "At risk",
        "Churned",
        "Logo churn [95% CI]",
        "ARR at risk",
        "$ churn [95% CI]",
    ]:
        y.add_column(col, justify="right")
    for r in a.yearly:
        y.add_row(
            f"{r['year']}{' (to date)' if r['partial'] else ''}",
            num(r["at_risk"]),
            num(r["churned"]),
            _ci(r["logo_churn"], r["logo_churn_low"], r["logo_churn_high"]),
            money(r["arr_at_risk"], a.currency),
            _ci(r["dollar_churn"], r["dollar_churn_low"], r["dollar_churn_high"]),
        )
    return y


def _retention_table(a: BookAnalysis) -> Table:
    """Kaplan-Meier retention after 1, 2 and 3 years per segment (with a curve)."""
    k = Table(title="Retention after 1, 2, 3 years (Kaplan-Meier, 95% CI)", title_justify="left")
    for col in [
        "Segment",
        "Customers",
        "Churn events",
        *[f"{n} year{'s' if n > 1 else ''}" for n in YEARS],
    ]:
        k.add_column(col, justify="left" if col == "Segment" else "right")
    for name, s in _segment_rows(a):
        if s.km is None:
            continue
        cells = []
        for n in YEARS:
            day = 365.25 * n
            if day > s.km.max_time:
                cells.append("-")
            else:
                cells.append(_ci(*s.km.at(day)))
        k.add_row(name, num(s.km.n), num(s.km.n_events), *cells)
    return k


def _stage_table(a: BookAnalysis) -> Table:
    """Active customers, ARR and average age by lifecycle stage."""
    st = Table(title="Active customers by lifecycle stage", title_justify="left")
    for col in ["Stage", "Customers", "ARR", "Average age"]:
        st.add_column(col, justify="left" if col == "Stage" else "right")
    for r in a.stages:
        st.add_row(
            r["stage"],
            num(r["customers"]),
            money(r["arr"], a.currency),
            _years(r["age_years_mean"]),
        )
    return st


def book_renderable(a: BookAnalysis, read: Any | None = None) -> Group:
    """The analysis as terminal tables and sentences."""
    parts: list[Any] = []
    if read is not None:
        parts.append(Text("\n".join(read_report_lines(read)), style="dim"))
    parts.append(_segment_table(a))
    parts.append(Text("\n".join(_summary_lines(a))))
    if a.yearly:
        parts.append(_yearly_table(a))
    if any(s.km is not None for _, s in _segment_rows(a)):
        parts.append(_retention_table(a))
    parts.append(_stage_table(a))
    if a.reasons is not None:
        parts += reasons_renderable(a.reasons)
    if a.notes:
        parts.append(Text("\n".join(f"note: {n}" for n in a.notes), style="dim"))
    return Group(*parts)


def book_rows(a: BookAnalysis) -> list[dict[str, Any]]:
    """Tidy rows: one per segment (and 'all') and measure (with the churn reasons')."""
    out = []
    for name, s in _segment_rows(a):
        values = {
            "customers": s.customers,
            "active": s.active,
            "churned": s.churned,
            "arr_total": s.arr_total,
            "arr_min": s.arr_min,
            "arr_mean": s.arr_mean,
            "arr_median": s.arr_median,
            "arr_max": s.arr_max,
            "tenure_years_mean": s.tenure_years_mean,
            "churned_arr_mean": s.churned_arr_mean,
            "term_months_mean": s.term_months_mean,
            "renewals": s.renewal_churn.trials,
            "renewal_logo_churn": s.renewal_churn.value,
            "annual_logo_churn": s.annual_churn.value,
            "renewal_dollar_churn": s.renewal_dollar_churn,
            "growth_per_year_mean": s.growth_mean,
            "growth_per_year_median": s.growth_median,
            "growth_per_renewal_mean": s.growth_per_renewal_mean,
            "growth_per_renewal_sd": s.growth_per_renewal_sd,
            "top10_growth_per_year": s.top10_growth_mean,
            "new_per_month": s.new_per_month,
        }
        lows = {"annual_logo_churn": s.annual_churn.low}
        highs = {"annual_logo_churn": s.annual_churn.high}
        for n in YEARS:
            if s.km is not None and 365.25 * n <= s.km.max_time:
                v, lo, hi = s.km.at(365.25 * n)
                values[f"retention_{n}y"] = v
                lows[f"retention_{n}y"], highs[f"retention_{n}y"] = lo, hi
        for measure, v in values.items():
            out.append(
                {
                    "segment": name,
                    "measure": measure,
                    "value": v,
                    "ci_low": lows.get(measure),
                    "ci_high": highs.get(measure),
                }
            )
    for key, value in (
        ("pareto_share_for_80pct_arr", a.pareto_share),
        ("pareto_threshold_arr", a.pareto_threshold),
        ("tertile_break_1", a.tertiles[0]),
        ("tertile_break_2", a.tertiles[1]),
        ("renewals_this_month", a.renewals_this_month[0]),
        ("renewals_this_month_arr", a.renewals_this_month[1]),
        ("renewals_next_6_months", a.renewals_next_6_months[0]),
        ("renewals_next_6_months_arr", a.renewals_next_6_months[1]),
    ):
        out.append(
            {"segment": "all", "measure": key, "value": value, "ci_low": None, "ci_high": None}
        )
    if a.reasons is not None:
        out += reasons_rows(a.reasons)
    return out


def book_json(a: BookAnalysis, read: Any | None = None) -> str:
    """JSON: as-of date, breaks, tidy rows, yearly churn, stages, renewals by month, churn
    reasons (null without a reason column)."""
    data = {
        "as_of": a.as_of.isoformat(),
        "segment_source": a.segment_source,
        "breaks": a.breaks,
        "rows_read": len(read.customers) if read is not None else None,
        "rows_skipped": [{"line": s.line, "reason": s.reason} for s in read.skipped]
        if read is not None
        else None,
        "measures": json_safe(book_rows(a)),
        "yearly": json_safe(a.yearly),
        "stages": json_safe(a.stages),
        "renewals_by_month": a.renewals_by_month,
        "churn_reasons": reasons_json(a.reasons) if a.reasons is not None else None,
        "notes": a.notes,
    }
    return json.dumps(data, indent=2) + "\n"


def book_sheets(a: BookAnalysis, read: Any | None = None) -> list[Sheet]:
    """The Excel pack of the analysis."""
    measures = Block(
        "Every measure by segment",
        [
            Col("segment", "Segment"),
            Col("measure", "Measure", width=30),
            Col("value", "Value", "num3", 16),
            Col("ci_low", "95% CI low", "num3"),
            Col("ci_high", "95% CI high", "num3"),
        ],
        book_rows(a),
    )
    yearly = Block(
        "Churn by calendar year",
        [
            Col("year", "Year", "int"),
            Col("at_risk", "Active on 1 Jan", "int"),
            Col("churned", "Churned", "int"),
            Col("logo_churn", "Logo churn", "pct"),
            Col("logo_churn_low", "95% low", "pct"),
            Col("logo_churn_high", "95% high", "pct"),
            Col("arr_at_risk", "ARR at risk", "money", 14),
            Col("arr_churned", "ARR churned", "money", 14),
            Col("dollar_churn", "$ churn", "pct"),
            Col("dollar_churn_low", "95% low", "pct"),
            Col("dollar_churn_high", "95% high", "pct"),
        ],
        a.yearly,
    )
    stages = Block(
        "Active customers by lifecycle stage",
        [
            Col("stage", "Stage"),
            Col("customers", "Customers", "int"),
            Col("arr", "ARR", "money", 14),
            Col("age_years_mean", "Average age (years)", "num1"),
        ],
        a.stages,
    )
    renewals = Block(
        "Renewals by month",
        [Col("month", "Month"), Col("renewals", "Renewals", "int"), Col("arr", "ARR", "money", 14)],
        a.renewals_by_month,
    )
    intro = [f"Customer list as of {a.as_of:%d %b %Y}"]
    if read is not None:
        intro += read_report_lines(read)
    sheets = [Sheet("Book", [measures, yearly, stages, renewals], intro=intro)]
    if a.reasons is not None:
        sheets.append(reasons_sheet(a.reasons))
    if read is not None and read.skipped:
        sheets.append(
            Sheet(
                "Skipped rows",
                [
                    Block(
                        "",
                        [
                            Col("line", "Line", "int"),
                            Col("reason", "Reason", width=36),
                            Col("detail", "Detail", width=80),
                        ],
                        [
                            {"line": s.line, "reason": s.reason, "detail": getattr(s, "detail", "")}
                            for s in read.skipped
                        ],
                    )
                ],
                freeze=True,
            )
        )
    return sheets
