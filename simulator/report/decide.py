"""Rendering a decision: the sentence a CFO reads first, tables and JSON.

Its two charts are in :mod:`simulator.report.decide_charts` (matplotlib is imported
only by what draws them).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.analysis.decision import INTERVAL, Decision
from simulator.report.formatting import json_safe, money, money_ends, pct

__all__ = [
    "conventions",
    "decision_json",
    "decision_renderable",
    "decision_sentence",
    "input_label",
]


def _signed(x: float, currency: str) -> str:
    if not math.isfinite(x):
        return "-"
    return ("+" if x >= 0 else "-") + money(abs(x), currency)


def _range(lo: float, hi: float, currency: str, like: float, signed: bool = True) -> str:
    """``[+$134k, +$1,540k]``: both ends in the scale of ``like`` (the value they go with)."""
    return money_ends(lo, hi, like, currency, signed=signed)


def _value(x: float) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    a = abs(x)
    return f"{x:.3g}" if a < 1000 else f"{x:,.0f}"


def conventions(d: Decision) -> str:
    """How the net value is counted, in one sentence."""
    p = d.psa
    inner = "replication" if p.replications == 1 else "replications"
    return (
        f"Net value = gross margin on revenue over the plan + the ARR held at its end valued "
        f"at {p.arr_value:.2f} per dollar (economics.arr_value; with several segments each at "
        f"its own value, this is their ARR-weighted mean) - CS people, automation and "
        f"support cost over the plan; costs after the plan are not counted. Segments "
        f"simulated: {', '.join(p.segments)} (the others are the same in every option). "
        f"{p.draws} draws of the uncertain inputs x {p.replications} {inner}, paired."
    )


def decision_sentence(d: Decision, currency: str) -> str:
    """``default: expected net value +$X [a, b] against cfo_six; better in P% ...``."""
    p = d.psa
    best, runner = p.labels[d.best], p.labels[d.runner_up]
    diff = d.difference
    lo, hi = INTERVAL
    delta = p.horizon[:, d.best] - p.horizon[:, d.runner_up]
    if np.all(delta == 0):
        return (
            f"{best} and {runner} have the same net value in every one of the {p.draws} "
            "plausible worlds: nothing in what is simulated tells them apart."
        )
    out = (
        f"{best}: expected net value {_signed(diff.expected, currency)} against {runner} "
        f"(P{lo:.0f}-P{hi:.0f} over plausible worlds {_range(diff.low, diff.high, currency, diff.expected)}); "
        f"{best} is better in {pct(diff.p_best, 0)} of them"
    )
    if len(p.labels) > 2:
        out += f" and best of all {len(p.labels)} options in {pct(d.options[d.best].p_best, 0)}"
    sens = d.sensitivity
    if sens is not None:
        swing = {b.name: b.swing for b in sens.bars}
        flips = [t for t in sens.thresholds if t.value is not None]
        if flips:
            t = max(flips, key=lambda t: swing.get(t.name, 0.0))
            side = "below" if t.below else "above"
            out += (
                f"; the answer flips if {t.name} is {side} {_value(t.value or math.nan)} "
                "(the other inputs at their medians)"
            )
        else:
            out += "; no single input flips it within its P1-P99 range"
    elif not p.inputs:
        out += " (no uncertain input: the range is Monte Carlo noise only)"
    return out + "."


def _options_table(d: Decision, currency: str) -> Table:
    t = Table(
        title="Options: net value over the plan and the valuation horizon", title_justify="left"
    )
    for col in ("Option", "Expected", f"P{INTERVAL[0]:.0f}-P{INTERVAL[1]:.0f}", "MC +/-"):
        t.add_column(col, justify="left" if col == "Option" else "right")
    for col in ("Plan only", "P(best)", "Expected loss"):
        t.add_column(col, justify="right")
    for o in d.options:
        t.add_row(
            o.label,
            money(o.expected, currency),
            _range(o.low, o.high, currency, o.expected, signed=False),
            money(1.96 * o.mc_se, currency),
            money(o.expected_plan, currency),
            pct(o.p_best, 0),
            money(o.expected_loss, currency),
        )
    diff = d.difference
    t.add_row(
        Text(diff.label, style="bold"),
        _signed(diff.expected, currency),
        _range(diff.low, diff.high, currency, diff.expected),
        money(1.96 * diff.mc_se, currency),
        _signed(diff.expected_plan, currency),
        pct(diff.p_best, 0),
        "",
    )
    return t


def _curve_table(d: Decision, currency: str) -> Table:
    t = Table(
        title=f"Acceptability: P(best) by the value of one unit of ARR ({currency}) held at "
        "the end",
        title_justify="left",
    )
    t.add_column(f"Value of 1 {currency} of ARR", justify="right")
    for label in d.psa.labels:
        t.add_column(label, justify="right")
    lam = d.lambdas
    show = sorted({int(i) for i in np.linspace(0, len(lam) - 1, 9)})
    stated = int(np.argmin(np.abs(lam - d.psa.arr_value)))
    for i in sorted(set(show) | {stated}):
        mark = " (stated)" if i == stated else ""
        t.add_row(
            f"{lam[i]:.2f}{mark}",
            *(pct(float(x), 0) for x in d.acceptability[i]),
            style="bold" if i == stated else None,
        )
    return t


def _tornado_table(d: Decision, currency: str) -> Table | None:
    sens = d.sensitivity
    if sens is None:
        return None
    a, b = (d.psa.labels[i] for i in sens.pair)
    t = Table(
        title=f"Tornado: {a} - {b} with one input at its P10 / P90 (others at medians: "
        f"{_signed(sens.base, currency)})",
        title_justify="left",
    )
    for col in ("Input", "P10", "Difference", "P90", "Difference", "Swing", "Flips at"):
        t.add_column(col, justify="left" if col == "Input" else "right")
    th = {x.name: x for x in sens.thresholds}
    for bar in sens.bars:
        x = th.get(bar.name)
        flip = "-"
        if x is not None and x.value is not None:
            flip = f"{'below' if x.below else 'above'} {_value(x.value)}"
        elif x is not None:
            flip = "not in P1-P99"
        t.add_row(
            bar.name,
            _value(bar.low_value),
            _signed(bar.low, currency),
            _value(bar.high_value),
            _signed(bar.high, currency),
            money(bar.swing, currency),
            flip,
        )
    return t


def _voi_table(d: Decision, currency: str) -> Table | None:
    if not d.evppi:
        return None
    t = Table(
        title=f"Value of information: learning everything before deciding is worth "
        f"{money(d.evpi_metamodel, currency)} (EVPI; {money(d.evpi, currency)} before Monte "
        "Carlo noise is regressed out)",
        title_justify="left",
    )
    for col in ("Input", "EVPPI", "Spearman", "PRCC"):
        t.add_column(col, justify="left" if col == "Input" else "right")
    ranks = {r.name: r for r in d.ranks}
    for e in sorted(d.evppi, key=lambda e: -e.value):
        r = ranks.get(e.name)
        t.add_row(
            e.name,
            money(e.value, currency),
            f"{r.spearman:+.2f}" if r else "-",
            f"{r.prcc:+.2f}" if r and r.prcc is not None and math.isfinite(r.prcc) else "-",
        )
    return t


def decision_renderable(d: Decision, currency: str) -> Group:
    """Everything ``cssim decide`` prints, the decision first."""
    parts: list[Any] = [Text(decision_sentence(d, currency), style="bold"), Text("")]
    parts.append(_options_table(d, currency))
    if d.noise_share is not None and d.psa.inputs:
        parts.append(
            Text(
                f"Of the spread of the difference across draws, {pct(1 - d.noise_share, 0)} is "
                f"uncertainty about the inputs and {pct(d.noise_share, 0)} Monte Carlo noise.",
                style="dim",
            )
        )
    for table in (_curve_table(d, currency), _tornado_table(d, currency), _voi_table(d, currency)):
        if table is not None:
            parts += [Text(""), table]
    parts += [Text(""), Text(conventions(d), style="dim")]
    for note in d.notes:
        parts.append(Text(f"Note: {note}.", style="dim"))
    parts.append(Text(f"{d.seconds:.1f} s", style="dim"))
    return Group(*parts)


def decision_json(d: Decision, currency: str) -> dict[str, Any]:
    """Every figure of the decision as plain JSON values."""
    p = d.psa
    sens = d.sensitivity
    return json_safe(
        {
            "decision": decision_sentence(d, currency),
            "conventions": conventions(d),
            "currency": currency,
            "best": p.labels[d.best],
            "runner_up": p.labels[d.runner_up],
            "draws": p.draws,
            "inner_replications": p.replications,
            "root_seed": p.root_seed,
            "segments": p.segments,
            "arr_value": p.arr_value,
            "options": [
                {
                    "label": o.label,
                    "expected_net_value": o.expected,
                    "p5": o.low,
                    "p95": o.high,
                    "mc_standard_error": o.mc_se,
                    "expected_net_value_plan": o.expected_plan,
                    "p_best": o.p_best,
                    "expected_loss": o.expected_loss,
                }
                for o in d.options
            ],
            "difference": {
                "label": d.difference.label,
                "expected": d.difference.expected,
                "p5": d.difference.low,
                "p95": d.difference.high,
                "mc_standard_error": d.difference.mc_se,
                "p_positive": d.difference.p_best,
            },
            "noise_share": d.noise_share,
            "acceptability": {
                "arr_value": [float(x) for x in d.lambdas],
                "p_best": {
                    label: [float(x) for x in d.acceptability[:, o]]
                    for o, label in enumerate(p.labels)
                },
            },
            "uncertain_inputs": [
                {"name": i.name, "distribution": i.dist.describe(), "basis": i.note}
                for i in p.inputs
            ],
            "evpi": d.evpi_metamodel,
            "evpi_raw": d.evpi,
            "evppi": [
                {"name": e.name, "value": e.value, "r_squared": e.r_squared} for e in d.evppi
            ],
            "rank_correlations": [
                {"name": r.name, "spearman": r.spearman, "p_value": r.p_value, "prcc": r.prcc}
                for r in d.ranks
            ],
            "tornado": None
            if sens is None
            else {
                "pair": [p.labels[i] for i in sens.pair],
                "base": sens.base,
                "replications": sens.replications,
                "bars": [
                    {
                        "name": b.name,
                        "p10_value": b.low_value,
                        "p90_value": b.high_value,
                        "difference_at_p10": b.low,
                        "difference_at_p90": b.high,
                        "swing": b.swing,
                    }
                    for b in sens.bars
                ],
                "thresholds": [
                    {
                        "name": t.name,
                        "value": t.value,
                        "flips_below": t.below,
                        "searched_from": t.lo,
                        "searched_to": t.hi,
                    }
                    for t in sens.thresholds
                ],
            },
            "seconds": d.seconds,
            "notes": d.notes,
        }
    )


def input_label(path: str) -> str:
    """A reader's name for an uncertain input's path:
    ``segments.*.churn.coverage_effect`` -> ``churn coverage effect (every segment)``,
    ``segments.top.expansion.coverage_effect`` -> ``top: expansion coverage effect``."""
    parts = path.split(".")
    where = ""
    if len(parts) > 2 and parts[0] in ("segments", "teams"):
        kind = parts[0][:-1]
        where = parts[1]
        parts = parts[2:]
        if where == "*":
            where = f"every {kind}"
    words = " ".join(p.replace("_", " ") for p in parts)
    if not where:
        return words
    return f"{words} ({where})" if where.startswith("every ") else f"{where}: {words}"
