"""When the data can identify a churn effect, and the fit that respects the answer.

An effect is estimated only when the data pass the checks of :func:`data_checks` (enough
churns, variation in the driver, not confounded with segment) and its 95%
profile-likelihood interval closes inside the search range; otherwise it is fixed at
the plan's value and the rest are refitted (:func:`fit_churn`). The thresholds are
assumptions (docs/assumptions.md#evidence-from-history).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np

from simulator.analysis import effects_churn as ec
from simulator.analysis.effects_types import plan_values
from simulator.scenario.model import Segment

__all__ = [
    "FIRST_RENEWAL_AGREEMENT",
    "MAX_RELATIVE_WIDTH",
    "MAX_SEGMENT_R2",
    "MIN_CHURNS",
    "MIN_GROUP",
    "MIN_GROWTH_ACCOUNTS",
    "MIN_SD",
    "confounded",
    "data_checks",
    "fit_churn",
    "too_wide",
    "transform",
]

MIN_CHURNS = 10
"""Fewest churned renewals for any churn effect (assumption: below it, intervals are
too wide to use)."""
MIN_GROUP = 10
"""Fewest renewals on each side of a yes/no driver (late onboarding)."""
MIN_SD = 0.02
"""Smallest standard deviation of a driver that can carry an effect."""
MAX_SEGMENT_R2 = 0.9
"""Share of coverage's variance explained by segment beyond which the coverage effect is
confounded with the segment baselines."""
MAX_RELATIVE_WIDTH = 4.0
"""Widest usable 95% interval, as a multiple of the larger of the estimate and the plan's
value (assumption: wider, the data cannot tell a small effect from a large one)."""
FIRST_RENEWAL_AGREEMENT = 0.95
"""Share of renewals whose late-onboarding flag equals "first renewal" beyond which the
two cannot be told apart (assumption)."""
MIN_GROWTH_ACCOUNTS = 30
"""Fewest accounts with a growth observation for the expansion response."""


def segment_r2(x: np.ndarray, seg: np.ndarray) -> float:
    """Share of the variance of ``x`` explained by segment means."""
    total = float(((x - x.mean()) ** 2).sum())
    if total <= 0:
        return 1.0
    within = sum(float(((x[seg == s] - x[seg == s].mean()) ** 2).sum()) for s in np.unique(seg))
    return 1.0 - within / total


def data_checks(d: ec.ChurnData, key: str, responses: bool) -> str:
    """Why ``key`` cannot be identified from ``d`` before any fit ('' when it may be)."""
    churns = int(d.churned.sum())
    if churns < MIN_CHURNS:
        return f"only {churns} churned renewals (at least {MIN_CHURNS} needed)"
    what = {
        "coverage_effect": ("coverage", d.shortfall),
        "log_late_onboarding": ("late onboarding", d.late),
        "responsiveness_effect": ("responsiveness", d.unanswered),
    }[key]
    if key == "log_late_onboarding":
        late = int(d.late.sum())
        if late < MIN_GROUP or len(d.late) - late < MIN_GROUP:
            return (
                f"{late} renewals after a late onboarding, {len(d.late) - late} after none "
                f"(at least {MIN_GROUP} of each needed)"
            )
        if d.first is not None:
            agree = float((d.late == d.first).mean())
            if agree >= FIRST_RENEWAL_AGREEMENT:
                return (
                    f"late onboarding coincides with the first renewal in {100 * agree:.0f}% of "
                    "renewals: the data cannot tell it from first-year churn (was onboarding "
                    "logged?)"
                )
    elif key == "responsiveness_effect" and not responses:
        return "the history has no response times"
    else:
        sd = float(what[1].std())
        if sd < MIN_SD:
            return f"{what[0]} hardly varies between renewals (sd {sd:.3f})"
    return confounded(what[0], what[1], d.segment, len(d.segments))


def too_wide(low: float, high: float, estimate: float, plan: Iterable[float]) -> str:
    """Why a closed interval is too wide to use ('' when it is not)."""
    scale = max([abs(estimate), *plan, 1e-9])
    if high - low <= MAX_RELATIVE_WIDTH * scale:
        return ""
    return (
        f"too imprecise to use: its 95% interval {low:.3g} to {high:.3g} is wider than "
        f"{MAX_RELATIVE_WIDTH:g} times the larger of the estimate and the plan's value"
    )


def confounded(name: str, x: np.ndarray, segment: np.ndarray, segments: int) -> str:
    """Why a driver cannot be told apart from the segment baselines ('' when it can)."""
    if segments < 2:
        return ""
    r2 = segment_r2(x, segment)
    if r2 < MAX_SEGMENT_R2:
        return ""
    return (
        f"{name} is confounded with segment (segment explains {100 * r2:.0f}% of its "
        "variation): the segment baselines absorb its effect"
    )


def transform(key: str, v: float | None) -> float | None:
    if v is None:
        return None
    return math.exp(v) if key == "log_late_onboarding" else v


def _fixed(key: str, d: ec.ChurnData, values: Mapping[str, float]) -> np.ndarray:
    per = np.array([values[s] for s in d.segments])[d.segment]
    return np.log(np.maximum(per, 1e-12)) if key == "log_late_onboarding" else per


def fit_churn(
    d: ec.ChurnData, plans: Mapping[str, Segment], responses: bool
) -> tuple[
    ec.ChurnModel, np.ndarray, float, dict[str, str], dict[str, ec.Interval], dict[str, float]
]:
    """Fit with every effect the checks allow; fix those whose interval stays open.

    An effect fixed because its interval is open on one side keeps the plan's value
    unless the data reject it (it lies beyond the closed end): it is then held at that
    end, the nearest value the data allow (returned in the last mapping, effect -> value
    on the scenario's scale).
    """
    reasons = {k: data_checks(d, k, responses) for k in ec.EFFECTS}
    free = [k for k in ec.EFFECTS if not reasons[k]]
    kept: dict[str, float] = {}

    def fixed(k: str) -> np.ndarray:
        if k in kept:
            v = math.log(kept[k]) if k == "log_late_onboarding" else kept[k]
            return np.full(len(d.churned), v)
        return _fixed(k, d, plan_values(plans, k))

    while True:
        model = ec.ChurnModel(tuple(free), {k: fixed(k) for k in ec.EFFECTS if k not in free})
        theta, best = ec.fit(d, model)
        k0 = len(d.segments)
        intervals = {
            name: ec.profile_interval(d, model, theta, best, k0 + j)
            for j, name in enumerate(model.free)
        }
        open_ = [n for n, iv in intervals.items() if iv.low is None or iv.high is None]
        wide = {}
        for n, iv in intervals.items():
            if n in open_:
                continue
            est = transform(n, float(theta[len(d.segments) + model.free.index(n)]))
            lo_t, hi_t = transform(n, iv.low), transform(n, iv.high)
            assert est is not None and lo_t is not None and hi_t is not None
            why = too_wide(lo_t, hi_t, est, plan_values(plans, n).values())
            if why:
                wide[n] = why
        if not open_ and not wide:
            return model, theta, best, reasons, intervals, kept
        for n, why in wide.items():
            reasons[n] = why
            free.remove(n)
        for n in open_:
            iv = intervals[n]
            est = transform(n, float(theta[len(d.segments) + model.free.index(n)]))
            plan = plan_values(plans, n).values()
            low, high = transform(n, iv.low), transform(n, iv.high)
            if low is not None and high is None and max(plan) < low:
                kept[n] = low
                reasons[n] = (
                    f"the data bound it from below only: at least {low:.3g} (95%), with no "
                    f"upper end in range; they reject the plan's {max(plan):g}, so it is "
                    f"held at {low:.3g}, the nearest value they allow"
                )
            elif high is not None and low is None and min(plan) > high and high >= 0:
                kept[n] = high
                reasons[n] = (
                    f"the data bound it from above only: at most {high:.3g} (95%); they "
                    f"reject the plan's {min(plan):g}, so it is held at {high:.3g}, the "
                    "nearest value they allow"
                )
            elif iv.low is None and iv.high is not None and est is not None and est < 0:
                reasons[n] = (
                    f"churn rose with it in these data (estimate {est:.2g}, 95% interval "
                    f"up to {transform(n, iv.high):.2g} and down to the model's limit): "
                    "likely touches given to accounts already at risk; the simulation "
                    "cannot use a negative effect"
                )
            else:
                side = "upper" if iv.high is None else "lower"
                reasons[n] = (
                    f"the data do not bound it (its 95% interval has no {side} end in range)"
                )
            free.remove(n)
