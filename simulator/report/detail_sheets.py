"""The detail sheets of simulated plans: every metric of each segment, and month by month.

Each function takes ``(label, experiment)`` pairs: one pair for a run, one per
alternative for a comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simulator.analysis.experiment import Experiment
from simulator.metrics import METRICS
from simulator.report.formatting import month_name
from simulator.report.layout import Block, Chart, Col, MultiCol, Sheet

__all__ = ["monthly_sheet", "segment_sheets"]

_KNOWN = {m.name: m for m in METRICS}


def segment_sheets(exps: Sequence[tuple[str | None, Experiment]]) -> list[Sheet]:
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
                known = _KNOWN.get(metric)
                name, fmt = (known.label, known.fmt) if known else (metric, "num2")
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


def _monthly_rows(
    label: str | None, exp: Experiment, multi: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One run's month-end rows: ARR per segment and in total; per team CSMs,
    utilisation and open tasks (mean, P10, P90); each with its calendar month
    (``Jan 2027``) and month of the plan (1-based)."""
    arr_rows: list[dict[str, Any]] = []
    team_rows: list[dict[str, Any]] = []
    fan = exp.monthly_fan()
    segs = list(dict.fromkeys(r["name"] for r in fan if r["kind"] == "segment"))
    months = sorted({r["month"] for r in fan})
    by = {(r["kind"], r["name"], r["month"], r["metric"]): r for r in fan}
    names = {r["month"]: month_name(r["calendar_month"]) for r in fan}
    for k in months:
        row: dict[str, Any] = {"scenario": label, "month": k, "calendar_month": names[k]}
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
                    "calendar_month": names[k],
                    "headcount": h["mean"],
                    "utilisation": u["mean"],
                    "util_p10": u["p10"],
                    "util_p90": u["p90"],
                    "backlog": b["mean"],
                    "backlog_p10": b["p10"],
                    "backlog_p90": b["p90"],
                }
            )
    return arr_rows, team_rows


def _monthly_charts(multi: bool) -> list[Chart]:
    """ARR by month (a line per scenario when several) and utilisation by team."""
    return [
        Chart(
            "line",
            "ARR by month (mean)",
            "arr_month",
            "calendar_month",
            ["arr_total"],
            "ARR",
            "Month",
            "money",
            series_by="scenario" if multi else None,
        ),
        Chart(
            "line",
            "Utilisation by month and team (mean)",
            "team_month",
            "calendar_month",
            ["utilisation"],
            "Utilisation",
            "Month",
            "pct",
            series_by="team",
        ),
    ]


def monthly_sheet(exps: Sequence[tuple[str | None, Experiment]]) -> Sheet:
    """Month-end ARR and team load of every run (scenario column when several)."""
    arr_rows: list[dict[str, Any]] = []
    team_rows: list[dict[str, Any]] = []
    multi = len(exps) > 1
    for label, exp in exps:
        arr, team = _monthly_rows(label, exp, multi)
        arr_rows += arr
        team_rows += team
    segs = (
        [k[4:] for k in arr_rows[0] if k.startswith("arr_") and k != "arr_total"]
        if arr_rows
        else []
    )
    arr_cols = [Col("calendar_month", "Month", width=10), Col("month", "Month of plan", "int")]
    if multi:
        arr_cols.insert(0, Col("scenario", "Scenario"))
    arr_cols += [Col(f"arr_{s}", f"ARR {s}", "money", 14) for s in segs]
    arr_cols.append(Col("arr_total", "ARR total", "money", 14))
    team_cols = [
        Col("team", "Team"),
        Col("calendar_month", "Month", width=10),
        Col("month", "Month of plan", "int"),
        Col("headcount", "CSMs", "num1"),
        Col("utilisation", "Utilisation mean", "pct"),
        Col("util_p10", "Utilisation P10", "pct"),
        Col("util_p90", "Utilisation P90", "pct"),
        Col("backlog", "Open tasks mean", "num1"),
        Col("backlog_p10", "Open tasks P10", "num1"),
        Col("backlog_p90", "Open tasks P90", "num1"),
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
        charts=_monthly_charts(multi),
    )
