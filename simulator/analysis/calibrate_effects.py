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
    """A distribution whose 2.5% and 97.5% quantiles are the interval's ends.

    A lognormal (median ``sqrt(low x high)``) when the estimate sits nearer that than the
    interval's midpoint and the lognormal's tails stay inside the input's range, else a normal
    (mean the midpoint); a normal whose tails cross the range ``[floor, ceiling]`` is
    truncated to it, its mean and sd solved so that the truncated quantiles are still the
    ends (only the upper end when the interval stops at the floor, the mean then the
    estimate; and the other way round).
    """
    geo = math.sqrt(low * high) if low > 0 else -math.inf
    mid = (low + high) / 2
    if low > floor and high < ceiling and estimate > 0 and geo > 0:
        s = (math.log(high) - math.log(low)) / (2 * _Z95)
        nearer = abs(math.log(estimate / geo)) < abs((estimate - mid) / max(abs(mid), 1e-12))
        if nearer and geo * math.exp(_TAIL * s) <= ceiling:  # its tail stays in range
            mean = geo * math.exp(s * s / 2)
            return {"dist": "lognormal", "mean": _r(mean), "cv": _r(math.sqrt(math.expm1(s * s)))}
    sd = max((high - low) / (2 * _Z95), 1e-4)
    lo_open, hi_open = mid - _TAIL * sd < floor, mid + _TAIL * sd > ceiling
    if not (lo_open or hi_open):
        return {"dist": "normal", "mean": _r(mid), "sd": _r(sd)}
    for _ in range(2):  # truncating one end can push the other's tail out of range
        a, b = floor if lo_open else -math.inf, ceiling if hi_open else math.inf
        mean, sd_t = _truncated_fit(estimate, low, high, a, b, sd)
        lo_open = lo_open or mean - _TAIL * sd_t < floor
        hi_open = hi_open or mean + _TAIL * sd_t > ceiling
        if (a > -math.inf) == lo_open and (b < math.inf) == hi_open:
            break
    out: dict[str, float | str] = {"dist": "normal", "mean": _r(mean), "sd": _r(sd_t)}
    if lo_open:
        out["min"] = floor
    if hi_open:
        out["max"] = ceiling
    return out


def _truncated_fit(
    estimate: float, low: float, high: float, a: float, b: float, sd0: float
) -> tuple[float, float]:
    """(mean, sd) of a normal truncated to [a, b] with 2.5% and 97.5% quantiles at the
    interval's ends; an end at a bound is not matched (the mean is then the estimate)."""
    from scipy import optimize, stats

    def q(m: float, sd: float, p: float) -> float:
        return float(stats.truncnorm.ppf(p, (a - m) / sd, (b - m) / sd, loc=m, scale=sd))

    def one_end(m: float, target: float, p: float) -> tuple[float, float]:
        """sd so that the ``p`` quantile is ``target``, the mean held at ``m``."""

        def gap(log_sd: float) -> float:
            return q(m, math.exp(log_sd), p) - target

        try:
            return m, math.exp(optimize.brentq(gap, math.log(1e-4), math.log(1e3)))
        except ValueError:
            return m, sd0

    at_floor, at_ceiling = low <= a + 1e-9, high >= b - 1e-9
    if at_floor and at_ceiling:
        return estimate, sd0
    if at_floor or at_ceiling:
        return one_end(estimate, *((high, 0.975) if at_floor else (low, 0.025)))
    res = optimize.least_squares(
        lambda x: [q(x[0], math.exp(x[1]), 0.025) - low, q(x[0], math.exp(x[1]), 0.975) - high],
        [(low + high) / 2, math.log(sd0)],
    )
    m, sd = float(res.x[0]), float(math.exp(res.x[1]))
    span = high - low
    ok = (
        res.success
        and max(abs(v) for v in res.fun) < 1e-3 * span
        and a - 3 * span < m < b + 3 * span
    )
    if ok:
        return m, sd
    # both ends cannot be met (an interval hugging a bound): keep the far end
    return one_end(estimate, *((high, 0.975) if a > -math.inf else (low, 0.025)))


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


def _write_kept(
    segments: CommentedMap, uncertain: CommentedMap, keys: Mapping[str, str], e: Effect, ukey: str
) -> None:
    """An effect bounded on one side only, held at that bound: the value, and a range from
    it that is an assumption (to twice or half the bound)."""
    assert e.kept is not None
    lo, hi = _RANGES[e.key]
    value = min(max(e.kept, lo), hi)
    comment = f"data: {e.reason}"
    for name in keys.values():
        node, leaf = _path_node(segments[name], e.path)
        set_commented(node, leaf, _r(value), comment)
    lower = "at least" in e.reason
    a, b = (value, min(2 * value, hi)) if lower else (max(value / 2, lo), value)
    if b > a:
        set_commented(
            uncertain,
            ukey,
            flow({"dist": "uniform", "low": _r(a), "high": _r(b)}),
            f"{comment}; the range to {'twice' if lower else 'half'} it is an assumption",
        )


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
        if not e.identified and e.kept is not None:
            _write_kept(segments, uncertain, keys, e, ukey)
            notes.append(f"{e.label}: {e.reason}")
            continue
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
