"""Rendering paired comparisons: tables of B - A with CIs, and sentences for a reader."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator import metrics as registry
from simulator.analysis.compare import Comparison, Difference, scaled
from simulator.report.formatting import money, money_ends, money_interval, num
from simulator.report.saved import tidy_csv, tidy_json


def _phrase_unit(name: str) -> tuple[str, str]:
    """A metric's name in sentences and the unit of its differences (pp for shares)."""
    m = registry.metric(name)
    return m.phrase, m.difference_unit


def _value(x: float, unit: str, currency: str) -> str:
    if math.isnan(x):
        return "-"
    if unit == "money":
        return money(x, currency)
    if unit == "pp":
        return f"{100 * x:.1f}%"
    if unit == "hours":
        return num(x)
    return num(x, 1)


def unchanged(d: Difference) -> bool:
    """Whether the metric was the same in every paired replication (a zero-width interval
    that is no estimate of precision: nothing differed)."""
    return d.mean == 0.0 and d.low == 0.0 and d.high == 0.0


def delta_text(d: Difference, unit: str, currency: str) -> str:
    """A paired difference with its 95% CI: ``+$28k [+$11k, +$45k]``, ``+0.2 pp [+0.1,
    +0.3]`` (``unit``: money, pp, or anything else for a plain number); ``the same in all
    N paired replications`` when nothing differed."""
    if math.isnan(d.mean):
        return "-"
    if unchanged(d):
        return f"the same in all {d.n} paired replications"
    if unit == "money":
        return money_interval(d.mean, d.low, d.high, currency, signed=True)
    if unit == "pp":
        return f"{100 * d.mean:+.1f} pp [{100 * d.low:+.1f}, {100 * d.high:+.1f}]"
    k = _digits(unit, max(abs(d.low), abs(d.high), abs(d.mean)))
    return f"{d.mean:+,.{k}f} [{d.low:+,.{k}f}, {d.high:+,.{k}f}]"


def _digits(unit: str, size: float) -> int:
    """Decimals of a plain difference of about ``size``: whole hours, and three
    significant figures or so for the rest (``-1.96`` CSMs, ``+12.4`` accounts, ``+350``)."""
    if unit == "hours" or size >= 100:
        return 0
    return 1 if size >= 10 else 2


def sentence(
    label: str, base: str, segment: str, diffs: list[Difference], currency: str, years: float = 1.0
) -> str:
    """``six vs eight, top: saves $351k a year [$338k, $364k] in people; ...``.

    ``years`` is the horizon in years: people cost is per horizon in the records.
    """
    by = {d.metric: d for d in diffs if d.segment == segment}
    parts = []
    cost = by.get("people_cost")
    if cost is not None and years > 0:
        cost = scaled(cost, 1.0 / years)
    if cost is not None and not math.isnan(cost.mean) and cost.mean != 0:
        # a saving is the cost difference negated: [-high, -low], signs kept where the
        # interval crosses zero
        saves = cost.mean < 0
        low, high = (-cost.high, -cost.low) if saves else (cost.low, cost.high)
        ends = money_ends(low, high, abs(cost.mean), currency, signed=low < 0)
        if cost.significant:
            parts.append(
                f"{'saves' if saves else 'costs'} {money(abs(cost.mean), currency)} a year "
                f"{ends} in people"
            )
        else:
            parts.append(
                f"no clear change in people cost ({'saves' if saves else 'costs'} "
                f"{money(abs(cost.mean), currency)} a year {ends})"
            )
    for metric in (
        "utilisation",
        "on_time_share",
        "expected_logo_churn",
        "grr",
        "nrr",
        "arr_at_risk",
    ):
        d = by.get(metric)
        if d is None or math.isnan(d.mean):
            continue
        label_m, unit = _phrase_unit(metric)
        if not d.significant:
            parts.append(f"no clear change in {label_m} ({delta_text(d, unit, currency)})")
        else:
            parts.append(f"{label_m} {delta_text(d, unit, currency)}")
    return f"{label} vs {base}, {segment}: " + "; ".join(parts) + "."


def roi_sentence(label: str, r: Any, currency: str) -> str:
    """``automation in mid frees 2.1 FTE [1.9, 2.3] a year, worth $380k; ...``."""
    f, v, a, risk = r.fte_freed, r.value_freed, r.automation_cost, r.arr_at_risk
    verdict = (
        "pays for itself"
        if risk.high < r.net_saving
        else "costs more in ARR at risk than it saves"
        if risk.low > r.net_saving
        else "is too close to call"
    )
    return (
        f"{label} in {r.segment}: frees {f.mean:.1f} FTE [{f.low:.1f}, {f.high:.1f}] a year, worth "
        f"{money(v.mean, currency)}; adds {money(a.mean, currency)} of automation and "
        f"{money_interval(risk.mean, risk.low, risk.high, currency)} of ARR at "
        f"risk a year. It is worth it while the ARR at risk stays under {money(r.net_saving, currency)} a "
        f"year; on these numbers it {verdict}."
    )


def compare_renderable(c: Comparison, currency: str) -> Group:
    """One table per alternative: A, B, B - A [95% CI] and the unpaired half-width."""
    parts: list[Any] = []
    base = c.labels[0]
    n = c.experiments[0].replications
    for i in range(1, len(c.labels)):
        diffs = c.differences(i)
        t = Table(
            title=f"{c.labels[i]} vs {base}: paired over {n} replications (common random numbers)",
            title_justify="left",
        )
        for col in ["Segment", "Metric", base, c.labels[i], "Difference [95% CI]", "Unpaired +-"]:
            t.add_column(col, justify="left" if col in ("Segment", "Metric") else "right")
        # a segment the alternative does not change is the same in every replication
        # (common random numbers): left out of the table, named below it
        same = [
            seg
            for seg in dict.fromkeys(d.segment for d in diffs)
            if all(unchanged(d) or math.isnan(d.mean) for d in diffs if d.segment == seg)
        ]
        for d in diffs:
            if d.segment in same:
                continue
            label, unit = _phrase_unit(d.metric)
            unpaired = d.unpaired_half_width
            shown = (
                "-"
                if math.isnan(unpaired)
                else (
                    money(unpaired, currency)
                    if unit == "money"
                    else f"{100 * unpaired:.1f} pp"
                    if unit == "pp"
                    else f"{unpaired:,.{_digits(unit, unpaired)}f}"
                )
            )
            t.add_row(
                d.segment,
                label,
                _value(d.a, unit, currency),
                _value(d.b, unit, currency),
                Text(delta_text(d, unit, currency), style="bold" if d.significant else "dim"),
                shown,
            )
        parts.append(t)
        if same:
            parts.append(
                Text(
                    f"unchanged in all {n} paired replications, left out: {', '.join(same)}",
                    style="dim",
                )
            )
        segments = [s for s in dict.fromkeys(d.segment for d in diffs) if s not in same]
        years = c.experiments[0].scenario.horizon_years
        lines = [sentence(c.labels[i], base, s, diffs, currency, years) for s in segments]
        # automation ROI: where the alternative frees CSM time, what it costs to free it
        lines += [
            roi_sentence(c.labels[i], r, currency)
            for r in c.roi(i)
            if r.fte_freed.significant and r.fte_freed.mean > 0
        ]
        parts.append(Text("\n".join(lines)))
    parts.append(
        Text(
            "Differences are paired: replication i of every alternative uses the same random "
            "streams. 'Unpaired +-' is the half-width the same runs would give without pairing. "
            "Expected logo churn and ARR at risk sum each renewal's churn probability: smoother "
            "than counting churned accounts."
        )
    )
    return Group(*parts)


def compare_rows(c: Comparison) -> list[dict[str, Any]]:
    """Tidy rows: alternative x segment x metric."""
    rows = []
    for i in range(1, len(c.labels)):
        for d in c.differences(i):
            rows.append(
                {
                    "baseline": c.labels[0],
                    "alternative": c.labels[i],
                    "segment": d.segment,
                    "metric": d.metric,
                    "baseline_mean": d.a,
                    "alternative_mean": d.b,
                    "difference": d.mean,
                    "ci_low": d.low,
                    "ci_high": d.high,
                    "unpaired_half_width": d.unpaired_half_width,
                    "replications": d.n,
                }
            )
    return rows


def compare_csv(c: Comparison) -> str:
    """CSV of :func:`compare_rows`."""
    return tidy_csv(compare_rows(c))


def compare_json(c: Comparison) -> str:
    """JSON of :func:`compare_rows`."""
    return tidy_json(compare_rows(c))
