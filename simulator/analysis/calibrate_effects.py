"""Writing estimated effects into a calibrated scenario, each with its evidence.

:func:`write_effects` puts what :mod:`simulator.analysis.effects` estimated into the
scenario's YAML tree: an identified effect sets the value of every segment (pooled over
segments) with a ``# data:`` comment giving the estimate, its 95% interval, the renewals
it rests on and the observational caveat, and becomes the distribution of that input in
``uncertain:`` (:func:`interval_distribution`). An effect the data cannot identify keeps
the plan's value and the plan's distribution, and its comment says why. The segment
baselines fitted together with the effects replace the observed churn rates, since they
are churn with the plan fully delivered.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from ruamel.yaml.comments import CommentedMap

from simulator.analysis.effects import Effect, Effects
from simulator.analysis.yaml_nodes import clean_copy, eol_comment, flow, set_commented

__all__ = ["interval_distribution", "write_effects"]

_Z95 = 1.959963984540054
_TAIL = 3.3
"""Standard deviations beyond which a normal is truncated to the field's range (past the
0.1% and 99.9% quantiles the loader checks)."""

_RANGES = {
    "coverage_effect": (0.0, 100.0),
    "log_late_onboarding": (0.0, 100.0),
    "responsiveness_effect": (0.0, 100.0),
    "expansion_coverage": (0.0, 1.0),
    "expansion_touch": (0.0, 1.0),
}
"""The scenario's range of each input (its schema bounds)."""


def interval_distribution(
    estimate: float, low: float, high: float, floor: float, ceiling: float
) -> dict[str, float | str]:
    """A distribution whose central 95% matches an estimate's interval.

    A lognormal (median the estimate, log-sd from the interval) when the interval is
    more symmetric on the log scale and lies above zero, else a normal (mean the
    estimate, sd the half-width over 1.96); a normal is truncated to the input's range
    ``[floor, ceiling]`` when its 95% reaches beyond it.
    """
    up, down = high - estimate, estimate - low
    linear = abs(math.log(up / down)) if up > 0 and down > 0 else math.inf
    logs = math.inf
    if low > 0 and estimate > 0:
        lu, ld = math.log(high / estimate), math.log(estimate / low)
        logs = abs(math.log(lu / ld)) if lu > 0 and ld > 0 else math.inf
    if logs < linear and low > floor and high < ceiling:
        s = (math.log(high) - math.log(low)) / (2 * _Z95)
        mean = estimate * math.exp(s * s / 2)
        return {"dist": "lognormal", "mean": _r(mean), "cv": _r(math.sqrt(math.expm1(s * s)))}
    sd = max((high - low) / (2 * _Z95), 1e-4)
    out: dict[str, float | str] = {"dist": "normal", "mean": _r(estimate), "sd": _r(sd)}
    # the loader checks the 0.1% and 99.9% quantiles (3.09 sd) against the field's range
    if estimate - _TAIL * sd < floor:
        out["min"] = floor
    if estimate + _TAIL * sd > ceiling:
        out["max"] = ceiling
    return out


def _r(x: float) -> float:
    return float(f"{x:.4g}")


def _point(e: Effect) -> float:
    """The estimate inside the scenario's range."""
    lo, hi = _RANGES[e.key]
    assert e.estimate is not None
    return min(max(e.estimate, lo), hi)


def _evidence(e: Effect, effects: Effects) -> str:
    """The ``data:`` comment of an identified effect."""
    assert e.estimate is not None and e.low is not None and e.high is not None
    what = (
        f"{e.renewals:,} renewals ({e.events:,} churned)"
        if e.key.startswith(("coverage", "log_", "responsiveness"))
        else f"{e.renewals:,} accounts' growth"
    )
    text = (
        f"data: {e.estimate:.3g} [95% CI {e.low:.3g}, {e.high:.3g}] by {e.method} from "
        f"{what}, pooled over segments; observational"
    )
    if e.estimate != _point(e):
        text += f" (the scenario's range stops at {_point(e):g})"
    return text


def _path_node(seg: CommentedMap, path: str) -> tuple[CommentedMap, str]:
    """The map holding ``path`` (``churn.coverage_effect``) in ``seg``, created if missing."""
    *parents, leaf = path.split(".")
    node = seg
    for p in parents:
        if not isinstance(node.get(p), CommentedMap):
            node[p] = CommentedMap()
        node = node[p]
    return node, leaf


def _uncertain_key(e: Effect) -> str:
    return f"segments.*.{e.path}"


def write_effects(
    root: CommentedMap,
    effects: Effects,
    keys: Mapping[str, str],
    template_uncertain: CommentedMap | None,
) -> list[str]:
    """Write ``effects`` into the scenario tree ``root``; the notes to print.

    Parameters
    ----------
    root
        The calibrated scenario (its ``segments`` keyed by scenario name).
    effects
        What the history showed.
    keys
        Data segment -> scenario segment key.
    template_uncertain
        The plan's ``uncertain:`` block (copied for every input not estimated).
    """
    notes: list[str] = []
    segments = root["segments"]
    uncertain = CommentedMap()
    if template_uncertain is not None:
        for k in template_uncertain:
            uncertain[k] = clean_copy(template_uncertain[k])
            c = eol_comment(template_uncertain, k)
            if c:
                uncertain.yaml_add_eol_comment(c, k)
    for e in effects.effects:
        ukey = _uncertain_key(e)
        if not e.identified:
            notes.append(f"{e.label}: kept the plan's value ({e.reason})")
            if ukey in uncertain:
                c = eol_comment(uncertain, ukey) or "assumption"
                uncertain.yaml_add_eol_comment(
                    f"{c}; the data could not identify it: {e.reason}", ukey
                )
            continue
        assert e.estimate is not None and e.low is not None and e.high is not None
        lo, hi = _RANGES[e.key]
        value = _point(e)
        comment = _evidence(e, effects)
        for name in keys.values():
            node, leaf = _path_node(segments[name], e.path)
            set_commented(node, leaf, _r(value), comment)
        if e.estimate <= lo and e.high <= lo:
            notes.append(
                f"{e.label}: the data show no positive effect ({e.estimate:.3g} [{e.low:.3g}, "
                f"{e.high:.3g}]); the scenario uses {lo:g}, the engine's floor"
            )
            uncertain.pop(ukey, None)
            continue
        dist = interval_distribution(value, max(e.low, lo), min(e.high, hi), lo, hi)
        set_commented(uncertain, ukey, flow(dist), comment)
        notes.append(
            f"{e.label}: {e.estimate:.3g} [95% CI {e.low:.3g}, {e.high:.3g}] from the history"
        )
    for data_name, name in keys.items():
        b = effects.baselines.get(data_name)
        if b is None:
            continue
        p, lo_p, hi_p = b
        ci = (
            f" [95% CI {100 * lo_p:.1f}%, {100 * hi_p:.1f}%]"
            if lo_p is not None and hi_p is not None
            else ""
        )
        n, k = effects.per_segment[data_name]
        churn = segments[name].setdefault("churn", CommentedMap())
        set_commented(
            churn,
            "annual_baseline",
            round(p, 4),
            f"data: fitted with the effects: {100 * p:.1f}% a year{ci} with the plan fully "
            f"delivered, from {k} churned of {n} renewals in the history",
        )
        mu = effects.growth_mean.get(data_name)
        change = segments[name].get("arr_change_at_renewal")
        if mu is not None and effects.growth_sd is not None and isinstance(change, CommentedMap):
            change["mean"], change["sd"] = _r(mu), _r(effects.growth_sd)
            segments[name].yaml_add_eol_comment(
                "data: mean change with the plan fully delivered, fitted with the expansion "
                "response (the growth observed is at the history's coverage)",
                "arr_change_at_renewal",
            )
    if uncertain:
        root["uncertain"] = uncertain
    return notes
