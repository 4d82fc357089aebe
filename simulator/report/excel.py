"""Excel packs for the CFO (xlsxwriter): values with number formats, native charts.

A pack is a list of :class:`Sheet` s, each a column of titled :class:`Block` tables and
the :class:`Chart` s drawn from them. :func:`write_workbook` lays them out; the
``*_pack`` functions build the packs of ``cssim run``/``report``, ``compare``, ``solve``
and ``tradeoff``. Every pack ends with an Assumptions sheet (every input, its unit and
its source) and a Provenance sheet (scenario hash, root seed, versions, replications,
precision reached). Cells hold values, never formulas.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.analysis.analytic import estimate
from simulator.analysis.compare import COMPARED, Comparison
from simulator.analysis.experiment import Experiment
from simulator.analysis.solve import TeamSolution
from simulator.analysis.tradeoff import TradeoffResult
from simulator.report.assumptions import ASSUMPTION_COLUMNS
from simulator.report.files import atomic_target

__all__ = [
    "Block",
    "Chart",
    "Col",
    "MultiCol",
    "Sheet",
    "compare_pack",
    "run_pack",
    "solve_pack",
    "tradeoff_pack",
    "write_workbook",
]

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}

METRIC_UNITS: dict[str, tuple[str, str]] = {
    "accounts_start": ("Accounts at start", "int"),
    "arr_start": ("ARR at start", "money"),
    "new_accounts": ("New accounts", "num1"),
    "new_arr": ("New ARR", "money"),
    "accounts_end": ("Accounts at end", "num1"),
    "arr_end": ("ARR at end", "money"),
    "churned_logos": ("Churned accounts", "num1"),
    "churned_arr": ("Churned ARR", "money"),
    "logo_churn": ("Logo churn (starting accounts)", "pct"),
    "expected_logo_churn": ("Expected logo churn", "pct"),
    "arr_at_risk": ("ARR at risk (expected churned ARR)", "money"),
    "expansion_arr": ("Expansion ARR", "money"),
    "contraction_arr": ("Contraction ARR", "money"),
    "grr": ("Gross revenue retention", "pct"),
    "nrr": ("Net revenue retention", "pct"),
    "touches_requested": ("Touches requested", "num1"),
    "touches_on_time": ("Touches on time", "num1"),
    "touches_late": ("Touches late", "num1"),
    "touches_missed": ("Touches missed", "num1"),
    "touches_open": ("Touches open at end", "num1"),
    "touches_skipped": ("Touches skipped (cut)", "num1"),
    "on_time_share": ("On-time share of resolved touches", "pct"),
    "delivered_share": ("Delivered share of resolved touches", "pct"),
    "hours_demanded": ("CSM hours demanded", "num0"),
    "hours_delivered": ("CSM hours delivered", "num0"),
    "hours_missed": ("CSM hours missed", "num0"),
    "hours_unscheduled": ("Unscheduled CSM hours delivered", "num0"),
    "hours_available": ("Customer hours available", "num0"),
    "utilisation": ("Utilisation (busy / available)", "pct"),
    "backlog_end": ("Open tasks at end", "num1"),
    "inbound_requests": ("Inbound requests", "num1"),
    "inbound_to_support": ("Inbound requests routed to support", "num1"),
    "escalations": ("Escalations", "num1"),
    "escalations_handled": ("Escalations handled in time", "num1"),
    "late_onboardings": ("Late onboardings", "num1"),
    "fte": ("FTE (after ramp)", "num2"),
    "headcount": ("CSMs (average headcount)", "num2"),
    "people_cost": ("People cost", "money"),
    "automation_cost": ("Automation cost", "money"),
    "cost_per_retained_arr": ("Cost per retained ARR dollar", "num3"),
    "accounts_per_csm": ("Accounts per CSM", "num1"),
    "arr_per_csm": ("ARR per CSM", "money"),
}
"""Reader's name and number format of each per-segment metric."""


@dataclass
class Col:
    """A column: the row key, its header and number format.

    Formats: ``text``, ``int``, ``num0``..``num3`` (decimals), ``pct`` (a fraction shown
    as 93.4%), ``pp`` (a difference of fractions in percentage points), ``money``.
    """

    key: str
    header: str
    fmt: str = "text"
    width: float | None = None

    def cell(self, row: dict[str, Any]) -> tuple[Any, str]:
        """This column's value in ``row`` and the format to show it in."""
        return row.get(self.key), self.fmt


@dataclass
class Block:
    """A titled table."""

    title: str
    columns: list[Col]
    rows: list[dict[str, Any]]
    note: str = ""
    name: str = ""
    """Identifier for charts that draw from this block."""


@dataclass
class Chart:
    """A native Excel chart of one block: categories from one column, series from others."""

    kind: str
    """``column`` or ``line``."""
    title: str
    block: str
    categories: str
    values: list[str]
    y_title: str
    x_title: str = ""
    y_format: str = "num0"
    series_by: str | None = None
    """Split rows into one series per value of this column (long tables)."""


@dataclass
class Sheet:
    """A worksheet: intro lines, then blocks one under the other, charts to the right."""

    name: str
    blocks: list[Block]
    intro: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    freeze: bool = False
    """Freeze and filter the header of a single-block sheet."""


def _excel_formats(currency: str) -> dict[str, str]:
    sym = _SYMBOLS.get(currency)
    money = f'"{sym}"#,##0;-"{sym}"#,##0' if sym else f'#,##0 "{currency}";-#,##0 "{currency}"'
    return {
        "text": "@",
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


def write_workbook(path: Path, sheets: Sequence[Sheet], currency: str = "USD") -> Path:
    """Write ``sheets`` to an xlsx file atomically (nothing is left on failure)."""
    import xlsxwriter

    path = Path(path)
    with atomic_target(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True})
        try:
            _fill(wb, sheets, currency)
        finally:
            wb.close()
    return path


def _fill(wb: Any, sheets: Sequence[Sheet], currency: str) -> None:
    numbers = _excel_formats(currency)
    fmts = {k: wb.add_format({"num_format": v}) for k, v in numbers.items()}
    fmts["text"] = wb.add_format({"text_wrap": False})
    head = wb.add_format({"bold": True, "bg_color": "#e2e8f0", "bottom": 1, "text_wrap": True})
    title = wb.add_format({"bold": True, "font_size": 12})
    big = wb.add_format({"bold": True, "font_size": 14})
    note = wb.add_format({"italic": True, "font_color": "#4a5568"})
    used: set[str] = set()
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
            if sheet.freeze and len(sheet.blocks) == 1:
                ws.freeze_panes(header_row + 1, 0)
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


# --------------------------------------------------------------------------- packs


def _assumptions_sheet(rows: Sequence[dict[str, Any]]) -> Sheet:
    cols = [
        Col("input", "Input", width=48),
        Col("value", "Value", "num3", width=24),
        Col("unit", "Unit", width=22),
        Col("meaning", "Meaning", width=60),
        Col("source", "Source", width=60),
    ]
    assert [c.key for c in cols] == list(ASSUMPTION_COLUMNS)
    typed = [{**r, "value": _number_or_text(r.get("value"))} for r in rows]
    return Sheet("Assumptions", [Block("", cols, typed)], freeze=True)


def _number_or_text(v: Any) -> Any:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int | float):
        return v
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return v
    return "" if v is None else str(v)


def _provenance_sheet(provenance: dict[str, Any]) -> Sheet:
    rows = []
    for key, value in provenance.items():
        if isinstance(value, dict):
            for k, v in value.items():
                rows.append({"item": f"{key}: {k}", "value": _plain(v)})
        else:
            rows.append({"item": key, "value": _plain(value)})
    cols = [Col("item", "Item", width=34), Col("value", "Value", "num3", width=90)]
    return Sheet("Provenance", [Block("", cols, rows)], freeze=True)


def _plain(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return " ".join(str(x) for x in v)
    if isinstance(v, bool) or v is None:
        return str(v).lower() if v is not None else ""
    return v


def _headcount_block(exps: Sequence[tuple[str | None, Experiment]]) -> Block:
    rows = []
    for label, exp in exps:
        stats = exp.stats()
        for seg in estimate(exp.scenario).segments:
            m = stats.get(seg.segment, {})
            rows.append(
                {
                    "scenario": label,
                    "segment": seg.segment,
                    "team": seg.team or "(digital)",
                    "coverage": seg.coverage,
                    "accounts": seg.accounts_start,
                    "arr": seg.arr_start,
                    "current": seg.csms_current,
                    "required": seg.csms_needed,
                    "fte": seg.fte_needed,
                    "gap": seg.csms_needed - seg.csms_current,
                    "cost_current": seg.people_cost_current,
                    "cost_required": seg.people_cost_needed,
                    "simulated_csms": m["headcount"].mean if "headcount" in m else None,
                    "utilisation": m["utilisation"].mean if "utilisation" in m else None,
                }
            )
    cols = [
        Col("segment", "Segment"),
        Col("team", "Team"),
        Col("coverage", "Coverage"),
        Col("accounts", "Accounts", "int"),
        Col("arr", "ARR at start (plan)", "money", 14),
        Col("current", "CSMs (plan)", "int"),
        Col("required", "CSMs required (closed form)", "int", 14),
        Col("fte", "FTE needed", "num1"),
        Col("gap", "Gap (CSMs)", "int"),
        Col("cost_current", "People cost at plan / yr", "money", 16),
        Col("cost_required", "People cost required / yr", "money", 16),
        Col("simulated_csms", "CSMs simulated (avg)", "num1", 12),
        Col("utilisation", "Utilisation (simulated)", "pct", 12),
    ]
    if exps and exps[0][0] is not None:
        cols.insert(0, Col("scenario", "Scenario", width=24))
    return Block(
        "Headcount and cost by segment",
        cols,
        rows,
        note="Required: the closed-form CSMs for the plan's demand (cssim estimate); "
        "cssim solve checks a headcount against retention targets by simulation.",
        name="headcount",
    )


_RETENTION = (("grr", "GRR"), ("nrr", "NRR"), ("logo_churn", "Logo churn"))


def _retention_block(exps: Sequence[tuple[str | None, Experiment]]) -> Block:
    rows = []
    for label, exp in exps:
        for seg, m in exp.stats().items():
            row: dict[str, Any] = {"scenario": label, "segment": seg}
            for key, _ in _RETENTION:
                st = m[key]
                row |= {
                    f"{key}": st.mean,
                    f"{key}_p10": st.p10,
                    f"{key}_p50": st.p50,
                    f"{key}_p90": st.p90,
                }
            row["on_time"] = m["on_time_share"].mean
            rows.append(row)
    cols = [Col("segment", "Segment")]
    if exps and exps[0][0] is not None:
        cols.insert(0, Col("scenario", "Scenario"))
    for key, name in _RETENTION:
        cols += [
            Col(key, f"{name} mean", "pct"),
            Col(f"{key}_p10", f"{name} P10", "pct"),
            Col(f"{key}_p50", f"{name} P50", "pct"),
            Col(f"{key}_p90", f"{name} P90", "pct"),
        ]
    cols.append(Col("on_time", "On-time touches", "pct"))
    n = exps[0][1].replications if exps else 0
    return Block(
        "Retention over the plan",
        cols,
        rows,
        note=f"Mean and P10/P50/P90 across {n} replications (P10: 1 in 10 outcomes is lower).",
        name="retention",
    )


def _arr_block(exps: Sequence[tuple[str | None, Experiment]]) -> Block:
    keys = (
        "arr_start",
        "churned_arr",
        "contraction_arr",
        "expansion_arr",
        "new_arr",
        "arr_end",
    )
    rows = []
    for label, exp in exps:
        for seg, m in exp.stats().items():
            rows.append({"scenario": label, "segment": seg} | {k: m[k].mean for k in keys})
    cols = [Col("segment", "Segment")]
    if exps and exps[0][0] is not None:
        cols.insert(0, Col("scenario", "Scenario"))
    cols += [Col(k, METRIC_UNITS[k][0], "money", 14) for k in keys]
    return Block(
        "ARR bridge (mean over replications)",
        cols,
        rows,
        note="ARR at end = start - churned - contraction + expansion + new.",
        name="arr",
    )


def _segment_sheets(exps: Sequence[tuple[str | None, Experiment]]) -> list[Sheet]:
    sheets = []
    segments = list(exps[0][1].stats()) if exps else []
    for seg in segments:
        blocks = []
        for label, exp in exps:
            m = exp.stats().get(seg)
            if m is None:
                continue
            rows = []
            for metric, st in m.items():
                name, fmt = METRIC_UNITS.get(metric, (metric, "num2"))
                rows.append(
                    {
                        "metric": name,
                        "key": metric,
                        "mean": st.mean,
                        "low": st.low,
                        "high": st.high,
                        "p10": st.p10,
                        "p50": st.p50,
                        "p90": st.p90,
                        "_fmt": fmt,
                    }
                )
            blocks.append(_typed_metric_block(f"{label + ': ' if label else ''}{seg}", rows))
            touches = [
                r | {"on_time_pct": r["on_time"] / r["requested"] if r["requested"] else None}
                for r in exp.touch_stats()
                if r["segment"] == seg
            ]
            blocks.append(
                Block(
                    "Touchpoint delivery by type (mean per replication)",
                    [
                        Col("touchpoint", "Touchpoint", width=26),
                        Col("requested", "Requested", "num1"),
                        Col("on_time", "On time", "num1"),
                        Col("late", "Late", "num1"),
                        Col("missed", "Missed", "num1"),
                        Col("open", "Open at end", "num1"),
                        Col("cancelled", "Cancelled (churned)", "num1"),
                        Col("automated", "Automated", "num1"),
                        Col("on_time_pct", "On time share", "pct"),
                    ],
                    touches,
                )
            )
        sheets.append(Sheet(f"Segment {seg}"[:31], blocks))
    return sheets


def _typed_metric_block(title: str, rows: list[dict[str, Any]]) -> Block:
    """Metric rows whose numbers take each metric's own format (pct, money, ...): the
    value columns are :class:`MultiCol` s, so each row carries ``mean_pct`` and so on."""
    stats = (
        ("mean", "Mean"),
        ("low", "95% CI low"),
        ("high", "95% CI high"),
        ("p10", "P10"),
        ("p50", "P50"),
        ("p90", "P90"),
    )
    out = [
        {"metric": r["metric"], "key": r["key"]} | {f"{k}_{r['_fmt']}": r[k] for k, _ in stats}
        for r in rows
    ]
    formats = sorted({r["_fmt"] for r in rows})
    cols = [Col("metric", "Metric", width=36), Col("key", "Field", width=22)]
    return Block(title, cols + [MultiCol(k, h, formats) for k, h in stats], out)


class MultiCol(Col):
    """A column whose format varies by row: the row holds ``KEY_FORMAT``."""

    def __init__(self, key: str, header: str, formats: list[str]) -> None:
        super().__init__(key, header, "multi", 14)
        self.formats = formats

    def cell(self, row: dict[str, Any]) -> tuple[Any, str]:
        """The value under ``KEY_FORMAT`` for the first of the formats the row has."""
        fmt = next((f for f in self.formats if f"{self.key}_{f}" in row), "num2")
        return row.get(f"{self.key}_{fmt}"), fmt


def _monthly_sheet(exps: Sequence[tuple[str | None, Experiment]]) -> Sheet:
    arr_rows: list[dict[str, Any]] = []
    team_rows: list[dict[str, Any]] = []
    multi = len(exps) > 1
    for label, exp in exps:
        fan = exp.monthly_fan()
        segs = list(dict.fromkeys(r["name"] for r in fan if r["kind"] == "segment"))
        months = sorted({r["month"] for r in fan})
        by = {(r["kind"], r["name"], r["month"], r["metric"]): r for r in fan}
        for k in months:
            row: dict[str, Any] = {"scenario": label, "month": k}
            total = 0.0
            for seg in segs:
                v = by[("segment", seg, k, "arr")]["mean"]
                row[f"arr_{seg}"] = v
                total += v
            row["arr_total"] = total
            arr_rows.append(row)
        teams = list(dict.fromkeys(r["name"] for r in fan if r["kind"] == "team"))
        for team in teams:
            for k in months:
                u = by[("team", team, k, "utilisation")]
                b = by[("team", team, k, "backlog_tasks")]
                h = by[("team", team, k, "headcount")]
                team_rows.append(
                    {
                        "scenario": label,
                        "team": f"{label}: {team}" if multi else team,
                        "month": k,
                        "headcount": h["mean"],
                        "utilisation": u["mean"],
                        "util_p10": u["p10"],
                        "util_p90": u["p90"],
                        "backlog": b["mean"],
                        "backlog_p10": b["p10"],
                        "backlog_p90": b["p90"],
                    }
                )
    segs = (
        [k[4:] for k in arr_rows[0] if k.startswith("arr_") and k != "arr_total"]
        if arr_rows
        else []
    )
    arr_cols = [Col("month", "Month of plan", "int")]
    if multi:
        arr_cols.insert(0, Col("scenario", "Scenario"))
    arr_cols += [Col(f"arr_{s}", f"ARR {s}", "money", 14) for s in segs]
    arr_cols.append(Col("arr_total", "ARR total", "money", 14))
    team_cols = [
        Col("team", "Team"),
        Col("month", "Month of plan", "int"),
        Col("headcount", "CSMs", "num1"),
        Col("utilisation", "Utilisation mean", "pct"),
        Col("util_p10", "Utilisation P10", "pct"),
        Col("util_p90", "Utilisation P90", "pct"),
        Col("backlog", "Open tasks mean", "num1"),
        Col("backlog_p10", "Open tasks P10", "num1"),
        Col("backlog_p90", "Open tasks P90", "num1"),
    ]
    charts = [
        Chart(
            "line",
            "ARR by month (mean)",
            "arr_month",
            "month",
            ["arr_total"],
            "ARR",
            "Month of plan",
            "money",
            series_by="scenario" if multi else None,
        ),
        Chart(
            "line",
            "Utilisation by month and team (mean)",
            "team_month",
            "month",
            ["utilisation"],
            "Utilisation",
            "Month of plan",
            "pct",
            series_by="team",
        ),
    ]
    return Sheet(
        "Monthly",
        [
            Block(
                "ARR at month end (mean over replications)", arr_cols, arr_rows, name="arr_month"
            ),
            Block(
                "Teams at month end (mean, P10 and P90 over replications)",
                team_cols,
                team_rows,
                name="team_month",
            ),
        ],
        charts=charts,
    )


def _frontier_block(rows: Sequence[dict[str, Any]], title: str, note: str = "") -> Block:
    cols = [
        Col("team", "Team"),
        Col("csms", "CSMs", "int"),
        Col("people_cost", "People cost / yr", "money", 14),
        Col("grr", "GRR mean", "pct"),
        Col("grr_low", "GRR 95% low", "pct"),
        Col("grr_high", "GRR 95% high", "pct"),
        Col("nrr", "NRR mean", "pct"),
        Col("on_time_share", "On time mean", "pct"),
        Col("on_time_share_low", "On time 95% low", "pct"),
        Col("on_time_share_high", "On time 95% high", "pct"),
        Col("utilisation", "Utilisation", "pct"),
        Col("arr_at_risk", "ARR at risk / yr", "money", 14),
    ]
    return Block(title, cols, list(rows), note=note, name="frontier")


def _frontier_sheet(rows: Sequence[dict[str, Any]], note: str = "") -> Sheet:
    return Sheet(
        "Frontier",
        [_frontier_block(rows, "Headcount frontier: the plan at each headcount", note)],
        charts=[
            Chart(
                "line",
                "On-time touches by headcount",
                "frontier",
                "csms",
                ["on_time_share"],
                "On-time share",
                "CSMs",
                "pct",
                series_by="team",
            ),
            Chart(
                "line",
                "GRR by headcount",
                "frontier",
                "csms",
                ["grr"],
                "GRR",
                "CSMs",
                "pct",
                series_by="team",
            ),
        ],
    )


def _summary_charts(series_by: str | None = None) -> list[Chart]:
    """Native charts of a Summary: headcount (plan vs required) and ARR by segment; with
    ``series_by`` (several scenarios), one series per scenario."""
    arr_values, arr_title = (
        (["arr_start", "arr_end"], "ARR by segment: start vs end (mean)")
        if series_by is None
        else (["arr_end"], "ARR at end by segment and scenario (mean)")
    )
    return [
        Chart(
            "column",
            "Headcount by segment: plan vs required",
            "headcount",
            "segment",
            ["current", "required"],
            "CSMs",
            y_format="int",
            series_by=series_by,
        ),
        Chart(
            "column",
            arr_title,
            "arr",
            "segment",
            arr_values,
            "ARR",
            y_format="money",
            series_by=series_by,
        ),
    ]


def _intro(exp: Experiment, what: str) -> list[str]:
    s = exp.scenario
    return [
        f"{s.name}: {what}",
        f"{exp.replications} replications, root seed {exp.root_seed}, {s.horizon_days}-day plan "
        f"from {s.start_date:%d %b %Y}; amounts in {s.currency}, per year unless stated.",
    ]


def run_pack(
    exp: Experiment,
    assumptions: Sequence[dict[str, Any]],
    provenance: dict[str, Any],
    frontier: Sequence[dict[str, Any]] | None = None,
) -> list[Sheet]:
    """The pack of one simulated plan (``cssim run -o plan.xlsx``, ``cssim report --xlsx``)."""
    exps: list[tuple[str | None, Experiment]] = [(None, exp)]
    summary = Sheet(
        "Summary",
        [_headcount_block(exps), _retention_block(exps), _arr_block(exps)],
        intro=_intro(exp, "headcount, retention and ARR"),
        charts=_summary_charts(),
    )
    sheets = [summary, *_segment_sheets(exps), _monthly_sheet(exps)]
    if frontier:
        sheets.append(
            _frontier_sheet(frontier, "Each headcount simulated on the same replications.")
        )
    return [*sheets, _assumptions_sheet(assumptions), _provenance_sheet(provenance)]


def compare_pack(
    result: Comparison, assumptions: Sequence[dict[str, Any]], provenance: dict[str, Any]
) -> list[Sheet]:
    """The pack of a comparison: paired differences, then every alternative side by side."""
    exps: list[tuple[str | None, Experiment]] = list(
        zip(result.labels, result.experiments, strict=True)
    )
    names = {m: (label, unit) for m, label, unit in COMPARED}
    diff_rows = []
    for i in range(1, len(result.labels)):
        for d in result.differences(i):
            label, unit = names[d.metric]
            fmt = {"pp": "pp", "money": "money", "count": "num1", "hours": "num0"}[unit]
            diff_rows.append(
                {
                    "alternative": result.labels[i],
                    "segment": d.segment,
                    "metric": label,
                    "unit": "percentage points" if unit == "pp" else unit,
                    f"a_{fmt}": d.a,
                    f"b_{fmt}": d.b,
                    f"diff_{fmt}": d.mean,
                    f"low_{fmt}": d.low,
                    f"high_{fmt}": d.high,
                    "a_base": d.a,
                    "significant": "yes" if d.significant else "no",
                    "_fmt": fmt,
                }
            )
    fmts = sorted({r["_fmt"] for r in diff_rows})
    for r in diff_rows:  # levels of a pp metric are shares: show them as percentages
        if r["_fmt"] == "pp":
            r["a_pct"], r["b_pct"] = r.pop("a_pp"), r.pop("b_pp")
    level_fmts = sorted({"pct" if f == "pp" else f for f in fmts})
    cols: list[Col] = [
        Col("alternative", "Alternative", width=24),
        Col("segment", "Segment"),
        Col("metric", "Metric", width=22),
        Col("unit", "Unit", width=18),
        MultiCol("a", f"{result.labels[0]} (baseline)", level_fmts),
        MultiCol("b", "Alternative", level_fmts),
        MultiCol("diff", "Difference", fmts),
        MultiCol("low", "95% CI low", fmts),
        MultiCol("high", "95% CI high", fmts),
        Col("significant", "CI excludes 0"),
    ]
    base = result.experiments[0]
    differences = Sheet(
        "Differences",
        [
            Block(
                "Alternative minus baseline, paired on common random numbers",
                cols,
                diff_rows,
                note="Replication i of every alternative uses the same random streams, so "
                "these intervals are far narrower than the separate runs' intervals.",
            )
        ],
        intro=_intro(base, f"{' vs '.join(result.labels)}"),
    )
    summary = Sheet(
        "Summary",
        [_headcount_block(exps), _retention_block(exps), _arr_block(exps)],
        intro=_intro(base, "every alternative side by side"),
        charts=_summary_charts("scenario"),
    )
    return [
        differences,
        summary,
        *_segment_sheets(exps),
        _monthly_sheet(exps),
        _assumptions_sheet(assumptions),
        _provenance_sheet(provenance),
    ]


def solve_pack(
    solutions: Sequence[TeamSolution],
    assumptions: Sequence[dict[str, Any]],
    provenance: dict[str, Any],
) -> list[Sheet]:
    """The pack of ``cssim solve``: the required headcount per team, the targets, the frontier."""
    rows = [
        {
            "team": s.team,
            "segments": ", ".join(s.segments),
            "accounts": s.accounts,
            "arr": s.arr,
            "current": s.current,
            "closed_form": s.closed_form_csms,
            "required": s.required,
            "cost_current": s.current * s.annual_cost_per_csm,
            "cost_required": None if s.required is None else s.required * s.annual_cost_per_csm,
            "cost_delta": s.cost_delta,
            "replications": s.replications,
            "status": "met" if s.required is not None else f"not reached ({s.stopped or 'limit'})",
        }
        for s in solutions
    ]
    cols = [
        Col("team", "Team"),
        Col("segments", "Segments", width=20),
        Col("accounts", "Accounts", "int"),
        Col("arr", "ARR at start", "money", 14),
        Col("current", "CSMs (plan)", "int"),
        Col("closed_form", "CSMs closed form", "int"),
        Col("required", "CSMs required (simulated)", "int", 14),
        Col("cost_current", "People cost at plan / yr", "money", 16),
        Col("cost_required", "People cost required / yr", "money", 16),
        Col("cost_delta", "Change / yr", "money", 14),
        Col("replications", "Replications", "int"),
        Col("status", "Targets", width=20),
    ]
    checks = [
        {
            "team": s.team,
            "csms": n,
            "segment": c.segment,
            "target": f"{c.target} {c.bound}",
            "confidence": c.confidence,
            "share": c.share_meeting,
            "mean": c.mean,
            "met": "yes" if c.met else "no",
        }
        for s in solutions
        for n, group in ((s.required, s.checks), ((s.required or 0) - 1, s.checks_below))
        for c in group
    ]
    check_cols = [
        Col("team", "Team"),
        Col("csms", "CSMs", "int"),
        Col("segment", "Segment"),
        Col("target", "Target", width=26),
        Col("confidence", "Confidence needed", "pct"),
        Col("share", "Share of replications meeting it", "pct", 16),
        Col("mean", "Mean value", "num3"),
        Col("met", "Met"),
    ]
    exps: list[tuple[str | None, Experiment]] = [
        (f"{s.team} at {s.required if s.required is not None else max(s.evaluated)}", s.experiment)
        for s in solutions
        if s.experiment is not None
    ]
    summary_blocks = [
        Block(
            "Fewest CSMs meeting every target",
            cols,
            rows,
            note="A target holds with confidence q when at least q of the replications meet "
            "it; N meets every target and N - 1 does not, on the same replications.",
            name="headcount",
        ),
        Block("Targets at the answer and one CSM below", check_cols, checks),
    ]
    if exps:
        summary_blocks.append(_retention_block(exps))
    first = solutions[0].experiment if solutions else None
    summary = Sheet(
        "Summary",
        summary_blocks,
        intro=_intro(first, "the headcount each team needs") if first else ["cssim solve"],
        charts=[
            Chart(
                "column",
                "Headcount by team: plan vs required",
                "headcount",
                "team",
                ["current", "required"],
                "CSMs",
                y_format="int",
            )
        ],
    )
    frontier = [r for s in solutions for r in s.frontier]
    sheets = [summary]
    if frontier:
        sheets.append(_frontier_sheet(frontier, "Every headcount the solver simulated."))
    if exps:
        sheets += _segment_sheets(exps[:1]) if len(exps) == 1 else []
    return [*sheets, _assumptions_sheet(assumptions), _provenance_sheet(provenance)]


def tradeoff_pack(
    result: TradeoffResult,
    assumptions: Sequence[dict[str, Any]],
    provenance: dict[str, Any],
    currency: str = "USD",
) -> list[Sheet]:
    """The pack of ``cssim tradeoff``: the plan, every candidate change, the frontier."""
    plan = result.plan
    summary_rows = [
        {"item": "Team", "value": result.team},
        {"item": "Segments", "value": ", ".join(result.segments)},
        {"item": "Accounts", "value": result.accounts},
        {"item": f"ARR at start ({currency})", "value": result.arr},
        {"item": "CSMs today", "value": result.current},
        {"item": "CSMs offered", "value": result.offered},
        {"item": "FTE the full plan needs (closed form)", "value": result.fte_needed},
        {
            "item": f"People cost saved per year ({currency})",
            "value": (result.current - result.offered) * result.cost_per_csm,
        },
        {"item": "Replications per evaluation", "value": result.replications},
        {"item": "Evaluation horizon (days)", "value": result.horizon_days},
    ]
    if plan is not None:
        summary_rows += [
            {
                "item": "Recommended changes",
                "value": "; ".join(c.label for c in plan.changes) or "none: the plan fits",
            },
            {"item": "FTE after the changes", "value": plan.fte},
            {"item": "CSM hours freed per year", "value": plan.hours_freed},
            {
                "item": f"ARR at risk added per year ({currency}), mean",
                "value": plan.arr_at_risk.mean,
            },
            {"item": "  95% CI low", "value": plan.arr_at_risk.low},
            {"item": "  95% CI high", "value": plan.arr_at_risk.high},
            {"item": "GRR change (percentage points)", "value": 100 * plan.grr.mean},
            {
                "item": "Expected logo churn change (pp)",
                "value": 100 * plan.expected_logo_churn.mean,
            },
        ]
    else:
        summary_rows.append(
            {"item": "Recommended changes", "value": "no plan fits the offered headcount"}
        )
    cand = [
        {
            "change": "; ".join(c.label for c in sc.changes),
            "fte": sc.fte,
            "fits": "yes" if sc.fte <= result.offered else "no",
            "hours": sc.hours_freed,
            "risk": sc.arr_at_risk.mean,
            "risk_low": sc.arr_at_risk.low,
            "risk_high": sc.arr_at_risk.high,
            "grr": sc.grr.mean,
            "churn": sc.expected_logo_churn.mean,
            "ratio": sc.ratio if math.isfinite(sc.ratio) else None,
        }
        for sc in result.candidates
    ]
    cand_cols = [
        Col("change", "Change", width=48),
        Col("fte", "FTE after", "num2"),
        Col("fits", f"Fits {result.offered} CSMs"),
        Col("hours", "CSM hours freed / yr", "num0"),
        Col("risk", "ARR at risk added / yr", "money", 14),
        Col("risk_low", "95% CI low", "money"),
        Col("risk_high", "95% CI high", "money"),
        Col("grr", "GRR change", "pp"),
        Col("churn", "Expected logo churn change", "pp"),
        Col("ratio", "Hours freed per $ at risk", "num3"),
    ]
    exps: list[tuple[str | None, Experiment]] = []
    if result.reference is not None:
        exps.append((f"today: {result.current} CSMs, full plan", result.reference))
    if plan is not None and plan.experiment is not None:
        exps.append((f"offer: {result.offered} CSMs, {plan.label}", plan.experiment))
    blocks = [
        Block(
            f"{result.team}: from {result.current} to {result.offered} CSMs",
            [Col("item", "Item", width=44), Col("value", "Value", "num2", width=60)],
            summary_rows,
        )
    ]
    if exps:
        blocks += [_headcount_block(exps), _retention_block(exps), _arr_block(exps)]
    summary = Sheet(
        "Summary",
        blocks,
        intro=[
            f"Trade-off for team {result.team}",
            "Changes scored by CSM hours freed (closed form) per dollar of ARR put at risk "
            "(simulated, paired on common random numbers against today's plan).",
            f"Outcomes over {result.horizon_days} days ({result.terms:.1f} contract terms, so "
            f"a cut shows at the renewal after it), {result.replications} replications.",
        ],
        charts=_summary_charts("scenario") if exps else [],
    )
    candidates = Sheet(
        "Candidates",
        [Block("Every single change, best ratio first", cand_cols, cand)],
        freeze=True,
    )
    return [
        summary,
        candidates,
        _frontier_sheet(result.frontier, "Today's plan at each headcount, same replications."),
        _assumptions_sheet(assumptions),
        _provenance_sheet(provenance),
    ]
