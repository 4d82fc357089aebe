"""The packs of ``cssim run``/``report`` and ``compare``, and the closing sheets of every pack.

Every pack ends with an Assumptions sheet (every input, its unit and its source) and a
Provenance sheet (scenario hash, root seed, versions, replications, precision reached).
The packs of ``solve`` and ``tradeoff`` live with their other renderers
(:mod:`simulator.report.solve`, :mod:`simulator.report.tradeoff`).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Any

from simulator.analysis.compare import Comparison
from simulator.analysis.experiment import Experiment
from simulator.metrics import metric
from simulator.report.assumptions import ASSUMPTION_COLUMNS
from simulator.report.detail_sheets import monthly_sheet, segment_sheets
from simulator.report.layout import Block, Col, MultiCol, Sheet
from simulator.report.plan_sheets import (
    arr_block,
    frontier_sheet,
    headcount_block,
    plan_intro,
    retention_block,
    summary_charts,
)
from simulator.report.value import value_sheet

__all__ = [
    "FORMATS",
    "assumptions_sheet",
    "compare_pack",
    "item_value_block",
    "provenance_sheet",
    "run_pack",
]


FORMATS = ["text", "id", "int", "num0", "num1", "num2", "num3", "pct", "pp", "money"]
"""Every number format an item's value may take (:class:`~simulator.report.layout.Col`)."""


def item_value_block(
    title: str,
    items: Sequence[tuple[str, Any, str]],
    widths: tuple[float, float] = (34, 90),
    headers: tuple[str, str] = ("Item", "Value"),
) -> Block:
    """A two-column block of ``(item, value, format)``: each value in its own format."""
    value = MultiCol("value", headers[1], FORMATS)
    value.width = widths[1]
    rows = [{"item": item, f"value_{fmt}": v} for item, v, fmt in items]
    return Block(title, [Col("item", headers[0], width=widths[0]), value], rows)


def assumptions_sheet(rows: Sequence[dict[str, Any]]) -> Sheet:
    value = MultiCol("value", "Value", FORMATS)
    value.width = 24
    cols = [
        Col("input", "Input", width=48),
        value,
        Col("unit", "Unit", width=22),
        Col("meaning", "Meaning", width=60),
        Col("source", "Source", width=60),
    ]
    assert [c.key for c in cols] == list(ASSUMPTION_COLUMNS)
    typed = []
    for r in rows:
        v = _number_or_text(r.get("value"))
        fmt = _assumption_format(str(r.get("input", "")), str(r.get("unit") or ""), v)
        typed.append({**{k: x for k, x in r.items() if k != "value"}, f"value_{fmt}": v})
    return Sheet("Assumptions", [Block("", cols, typed)], freeze=True)


def _assumption_format(name: str, unit: str, v: Any) -> str:
    """The number format of an input by its unit: money for amounts in a currency (the
    unit starts with its ISO code), plain for seeds, counts for whole numbers, and as
    many decimals as a fraction or a multiplier needs."""
    if isinstance(v, str):
        return "text"
    if name.endswith("seed") or unit == "integer":
        return "id"
    if unit[:3].isupper() and unit[:3].isalpha() and (len(unit) == 3 or unit[3] == " "):
        return "money" if abs(v) >= 100 or float(v).is_integer() else "num2"
    if float(v).is_integer():
        return "int"
    return "num3" if abs(v) < 10 else "num1" if abs(v) < 1000 else "num0"


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


def provenance_sheet(provenance: dict[str, Any]) -> Sheet:
    items: list[tuple[str, Any, str]] = []
    for key, value in provenance.items():
        if isinstance(value, dict):
            items += [(f"{key}: {k}", *_plain(v)) for k, v in value.items()]
        else:
            items.append((key, *_plain(value)))
    return Sheet("Provenance", [item_value_block("", items)], freeze=True)


def _plain(v: Any) -> tuple[Any, str]:
    """A provenance value and its format: whole numbers plain (a seed has no thousands
    separator), fractions to three decimals, the rest as text."""
    if isinstance(v, list | tuple):
        # a command line, quoted so it can be pasted into a shell
        return shlex.join(str(x) for x in v), "text"
    if isinstance(v, bool) or v is None:
        return (str(v).lower() if v is not None else ""), "text"
    if isinstance(v, int):
        return v, "id"
    if isinstance(v, float):
        return v, "num0" if v.is_integer() else "num3"
    return v, "text"


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
        [headcount_block(exps), retention_block(exps), arr_block(exps)],
        intro=plan_intro(exp, "headcount, retention and ARR"),
        charts=summary_charts(),
    )
    value = value_sheet(exp)
    sheets = [summary, *([value] if value else []), *segment_sheets(exps), monthly_sheet(exps)]
    if frontier:
        sheets.append(
            frontier_sheet(frontier, "Each headcount simulated on the same replications.")
        )
    return [*sheets, assumptions_sheet(assumptions), provenance_sheet(provenance)]


def compare_pack(
    result: Comparison, assumptions: Sequence[dict[str, Any]], provenance: dict[str, Any]
) -> list[Sheet]:
    """The pack of a comparison: paired differences, then every alternative side by side."""
    exps: list[tuple[str | None, Experiment]] = list(
        zip(result.labels, result.experiments, strict=True)
    )
    diff_rows: list[dict[str, Any]] = []
    for i in range(1, len(result.labels)):
        for d in result.differences(i):
            m = metric(d.metric)
            label, unit = m.phrase, m.difference_unit
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
        intro=plan_intro(base, f"{' vs '.join(result.labels)}"),
    )
    summary = Sheet(
        "Summary",
        [headcount_block(exps), retention_block(exps), arr_block(exps)],
        intro=plan_intro(base, "every alternative side by side"),
        charts=summary_charts("scenario"),
    )
    return [
        differences,
        summary,
        *segment_sheets(exps),
        monthly_sheet(exps),
        assumptions_sheet(assumptions),
        provenance_sheet(provenance),
    ]
