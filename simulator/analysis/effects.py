"""Effect sizes estimated from the user's own history, or said plainly to be unknowable.

:func:`estimate_effects` takes the renewals of :mod:`simulator.analysis.history` and
fits the engine's own churn-at-renewal model (:mod:`simulator.analysis.effects_churn`,
maximum likelihood, profile-likelihood intervals) and expansion response
(:mod:`simulator.analysis.effects_expansion`, least squares, bootstrap intervals). Each
effect is *identified* only when the data can bound it:

* enough churns (:data:`MIN_CHURNS`) and renewals on both sides of a binary driver
  (:data:`MIN_GROUP`);
* variation in the driver (standard deviation at least :data:`MIN_SD`);
* not confounded with segment: when segment explains nearly all of the variation in
  coverage (R-squared at least :data:`MAX_SEGMENT_R2`), the segment baselines absorb it;
* a 95% interval that closes inside the parameter's search range.

An effect that fails a check is fixed at the plan's value (the assumption is kept, with
the reason) and the others are refitted. Every estimate is observational: accounts at
risk may receive more touches, which biases the coverage effect towards zero. The check
refits it with coverage measured over the first half of the window only, before
touches given in reaction to risk near the renewal.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

import numpy as np

from simulator.analysis import effects_churn as ec
from simulator.analysis.effects_expansion import BETA_BOUNDS, GrowthData, fit_growth, fit_point
from simulator.analysis.effects_identify import (
    MAX_SEGMENT_R2,
    MIN_CHURNS,
    MIN_GROUP,
    MIN_GROWTH_ACCOUNTS,
    MIN_SD,
    confounded,
    fit_churn,
    too_wide,
    transform,
)
from simulator.analysis.effects_types import (
    LABELS,
    PATHS,
    CoverageBand,
    Effect,
    Effects,
    plan_values,
)
from simulator.analysis.history import History, RenewalRecord
from simulator.scenario.model import Segment

__all__ = [
    "MAX_SEGMENT_R2",
    "MIN_CHURNS",
    "MIN_GROUP",
    "MIN_SD",
    "CoverageBand",
    "Effect",
    "Effects",
    "estimate_effects",
]


def _arrays(
    rs: Sequence[RenewalRecord], segments: Sequence[str], early: bool = False
) -> ec.ChurnData:
    index = {s: i for i, s in enumerate(segments)}
    cov = np.array([r.drivers.coverage_early if early else r.drivers.coverage for r in rs])
    resp = np.array(
        [r.drivers.responsiveness if r.drivers.responsiveness is not None else 1.0 for r in rs]
    )
    return ec.ChurnData(
        segment=np.array([index[r.segment] for r in rs], dtype=int),
        years=np.array([r.term_months / 12.0 for r in rs]),
        shortfall=1.0 - cov,
        late=np.array([1.0 if r.drivers.late_onboarding else 0.0 for r in rs]),
        unanswered=1.0 - resp,
        churned=np.array([1.0 if r.churned else 0.0 for r in rs]),
        segments=tuple(segments),
        first=np.array([1.0 if r.number == 1 else 0.0 for r in rs]),
    )


def _churn_effect(
    key: str,
    model: ec.ChurnModel,
    theta: np.ndarray,
    d: ec.ChurnData,
    reason: str,
    interval: ec.Interval | None,
    plans: Mapping[str, Segment],
    kept: float | None = None,
) -> Effect:
    n, events = len(d.churned), int(d.churned.sum())
    assumption = plan_values(plans, key)
    if key in model.free and interval is not None:
        j = len(d.segments) + model.free.index(key)
        return Effect(
            key,
            PATHS[key],
            LABELS[key],
            True,
            transform(key, float(theta[j])),
            transform(key, interval.low),
            transform(key, interval.high),
            "profile likelihood",
            "",
            assumption,
            n,
            events,
        )
    return Effect(
        key,
        PATHS[key],
        LABELS[key],
        False,
        None,
        None,
        None,
        "",
        reason,
        assumption,
        n,
        events,
        kept,
    )


def _bands(d: ec.ChurnData, model: ec.ChurnModel, theta: np.ndarray) -> list[CoverageBand]:
    """Renewals by coverage quartile: observed and fitted churn."""
    e = ec._terms(theta, d, model)
    h = (
        np.exp(theta[: len(d.segments)][d.segment])
        * d.years
        * (1.0 + e["coverage_effect"] * d.shortfall)
        * np.exp(e["log_late_onboarding"] * d.late)
        * (1.0 + e["responsiveness_effect"] * d.unanswered)
    )
    p = -np.expm1(-h)
    cov = 1.0 - d.shortfall
    edges = np.unique(np.quantile(cov, [0.0, 0.25, 0.5, 0.75, 1.0]))
    out = []
    for i in range(len(edges) - 1):
        lo, hi = edges[i], edges[i + 1]
        sel = (cov >= lo) & ((cov < hi) if i < len(edges) - 2 else (cov <= hi))
        if sel.any():
            out.append(
                CoverageBand(
                    float(lo),
                    float(hi),
                    int(sel.sum()),
                    int(d.churned[sel].sum()),
                    float(p[sel].mean()),
                )
            )
    return out


def _expansion_effects(
    history: History, plans: Mapping[str, Segment], seed: int, draws: int
) -> tuple[list[Effect], dict[str, float], float | None, np.ndarray]:
    """The expansion response (coverage, and touch when it can be told apart)."""
    gs = history.growth
    n = len(gs)
    cov_plan = plan_values(plans, "expansion_coverage")
    touch_plan = plan_values(plans, "expansion_touch")

    def unknown(key: str, why: str, plan: dict[str, float]) -> Effect:
        return Effect(key, PATHS[key], LABELS[key], False, None, None, None, "", why, plan, n, n)

    def neither(why: str) -> tuple[list[Effect], dict[str, float], float | None, np.ndarray]:
        pair = [
            unknown("expansion_coverage", why, cov_plan),
            unknown("expansion_touch", why, touch_plan),
        ]
        return pair, {}, None, np.zeros((0, 2))

    if n < MIN_GROWTH_ACCOUNTS:
        why = f"only {n} accounts with a starting ARR and a renewal in the history (at least {MIN_GROWTH_ACCOUNTS} needed)"
        return neither(why)
    segs = [s for s in plans if any(g.segment == s for g in gs)]
    index = {s: i for i, s in enumerate(segs)}
    d = GrowthData(
        np.array([g.growth for g in gs]),
        np.array([float(g.renewals) for g in gs]),
        np.array([g.shortfall for g in gs]),
        np.array([g.delivery_shortfall for g in gs]),
        np.array([index[g.segment] for g in gs], dtype=int),
        np.array([cov_plan[g.segment] for g in gs]),
        np.array([touch_plan[g.segment] for g in gs]),
    )
    why = confounded("coverage", d.shortfall, d.segment, len(segs))
    if why:
        return neither(why)
    if float(d.shortfall.std()) < MIN_SD:
        why = f"coverage hardly varies between accounts (sd {float(d.shortfall.std()):.3f})"
        return neither(why)
    with_touch = float(d.delivery_shortfall.std()) >= MIN_SD and not confounded(
        "expansion delivery", d.delivery_shortfall, d.segment, len(segs)
    )
    low = np.array([max(plans[s].arr_change_at_renewal.support[0], -0.99) for s in segs])
    high = np.array([min(plans[s].arr_change_at_renewal.support[1], 10.0) for s in segs])
    fit = fit_growth(
        d, low, high, with_touch, np.random.default_rng(np.random.SeedSequence(seed)), draws
    )
    method = f"bootstrap over accounts ({draws} draws)"
    out: list[Effect] = []
    for col, key, plan, est in (
        (0, "expansion_coverage", cov_plan, fit.coverage_effect),
        (1, "expansion_touch", touch_plan, fit.touch_effect),
    ):
        if est is None:
            out.append(
                unknown(key, "the plan has no expansion touches whose delivery varies", plan)
            )
            continue
        lo, hi = (float(v) for v in np.nanpercentile(fit.boot[:, col], [2.5, 97.5]))
        # -2 is a search limit, not a value the engine knows: an interval reaching it is
        # open (1, no expansion without the touches, is the engine's own end)
        if lo <= BETA_BOUNDS[0] + 1e-3:
            why = (
                "the data do not bound it (its bootstrap interval reaches the search limit "
                f"{BETA_BOUNDS[0]:g}; {100 * fit.at_bound[col]:.0f}% of the fits sit at a limit)"
            )
            out.append(unknown(key, why, plan))
            continue
        why = too_wide(lo, hi, est, plan.values())
        if why:
            out.append(unknown(key, why, plan))
            continue
        out.append(Effect(key, PATHS[key], LABELS[key], True, est, lo, hi, method, "", plan, n, n))
    mu, sigma = fit.mu, fit.sigma
    free = (out[0].identified, out[1].identified)
    if free != (True, with_touch):
        # what the data cannot identify keeps the plan's value: so in the mean change too
        p, sigma = fit_point(d, low, high, free)
        mu = p[: len(segs)]
        if free[0]:
            out[0] = dataclasses.replace(out[0], estimate=float(p[len(segs)]))
    return out, {s: float(mu[i]) for s, i in index.items()}, sigma, fit.boot


def estimate_effects(
    history: History, plans: Mapping[str, Segment], seed: int = 1, draws: int = 300
) -> Effects:
    """Fit the churn and expansion effects to ``history`` (see the module docstring).

    Parameters
    ----------
    history
        The renewals and growth observations.
    plans
        Data segment -> the plan's segment (its effect sizes are the assumptions kept).
    seed
        Seed of the bootstrap.
    draws
        Bootstrap resamples for the expansion response.

    Raises
    ------
    ValueError
        When the history has no usable renewal.
    """
    rs = history.renewals
    if not rs:
        raise ValueError(
            "no renewal has its coverage window inside the activity history; give a longer "
            "history or customers who renewed after it starts"
        )
    notes: list[str] = []
    churned_in = {r.segment for r in rs if r.churned}
    for s in sorted({r.segment for r in rs} - churned_in, key=list(plans).index):
        n_s = sum(r.segment == s for r in rs)
        notes.append(
            f"{s}: no churned renewal in the history ({n_s} renewals): its renewals are left "
            "out of the fit and its baseline stays the observed rate"
        )
    rs = [r for r in rs if r.segment in churned_in]
    if not rs:
        raise ValueError("no renewal in the history churned: there is nothing to fit churn to")
    segments = sorted({r.segment for r in rs}, key=list(plans).index)
    d = _arrays(rs, segments)
    model, theta, best, reasons, intervals, kept = fit_churn(d, plans, history.response_times)
    effects = [
        _churn_effect(k, model, theta, d, reasons[k], intervals.get(k), plans, kept.get(k))
        for k in ec.EFFECTS
    ]
    baselines: dict[str, tuple[float, float | None, float | None]] = {}
    for i, s in enumerate(segments):
        iv = ec.profile_interval(d, model, theta, best, i)

        def annual(v: float | None) -> float | None:
            return None if v is None else float(-math.expm1(-math.exp(v)))

        baselines[s] = (float(-math.expm1(-math.exp(theta[i]))), annual(iv.low), annual(iv.high))
    per_segment = {
        s: (int((d.segment == i).sum()), int(d.churned[d.segment == i].sum()))
        for i, s in enumerate(segments)
    }
    early = None
    cov = next(e for e in effects if e.key == "coverage_effect")
    if cov.identified:
        de = _arrays(rs, segments, early=True)
        th, f = ec.fit(de, model)
        j = len(segments) + model.free.index("coverage_effect")
        iv = ec.profile_interval(de, model, th, f, j)
        early = Effect(
            "coverage_effect",
            cov.path,
            "coverage effect (first half of the window)",
            True,
            float(th[j]),
            iv.low,
            iv.high,
            "profile likelihood",
            "",
            cov.assumption,
            cov.renewals,
            cov.events,
        )
    x_effects, growth_mean, growth_sd, boot = _expansion_effects(history, plans, seed, draws)
    return Effects(
        effects + x_effects,
        baselines,
        len(rs),
        int(d.churned.sum()),
        per_segment,
        _bands(d, model, theta),
        early,
        growth_mean,
        growth_sd,
        notes=notes,
        theta=theta,
        cov=ec.covariance(d, model, theta),
        free=model.free,
        expansion_boot=boot,
    )
