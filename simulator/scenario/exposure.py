"""Expected activity of a segment over the plan, before churn and queueing.

Shared by the closed-form estimate (analysis) and the engine, which sizes unscheduled
background work from the scheduled hours computed here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from simulator.scenario.lifecycle import Timeline, renewal_in_stage, term_days, timeline
from simulator.scenario.model import STAGES, Segment

__all__ = ["Exposure", "expected_exposure", "expected_sessions", "scheduled_csm_hours"]

PHASE_POINTS = 730
"""Grid points for averaging over renewal dates and arrival times."""


@dataclass
class Exposure:
    """Expected activity of a segment over the horizon, before churn."""

    account_years: float
    """Account-years present in the horizon (starting book plus new accounts)."""
    stage_years: dict[str, float]
    """Account-years spent in each stage."""
    touches: dict[str, float]
    """Planned touches per scheduled touchpoint (stage_entry, cadence, before_renewal)."""
    renewals: float
    """Renewal dates falling within the horizon."""
    new_accounts: float
    """Accounts arriving during the horizon."""


def _counts(
    tl: Timeline, seg: Segment, horizon: float
) -> tuple[np.ndarray, dict[str, float], float]:
    """Stage days, planned touches and renewals of one timeline within [0, horizon)."""
    stage_days = np.zeros(len(STAGES))
    for iv in tl.intervals:
        lo, hi = max(iv.start, 0.0), min(iv.end, horizon)
        if hi > lo:
            stage_days[STAGES.index(iv.stage)] += hi - lo
    touches: dict[str, float] = {}
    for name, tp in seg.touchpoints.items():
        trig = tp.trigger
        if trig.kind == "stage_entry":
            touches[name] = float(
                sum(
                    1
                    for iv in tl.intervals
                    if iv.stage == trig.stage
                    for off in trig.offsets
                    if 0 <= iv.start + off < horizon
                )
            )
        elif trig.kind == "cadence":
            allowed: Sequence[str] = trig.stages or STAGES
            days = sum(stage_days[STAGES.index(s)] for s in allowed)
            touches[name] = days * trig.touches_per_year / 365.0
        elif trig.kind == "before_renewal":
            touches[name] = float(sum(1 for r in tl.renewals if 0 <= r - trig.days < horizon))
    renewals = float(sum(1 for r in tl.renewals if 0 < r <= horizon))
    return stage_days, touches, renewals


def _renewal_grid(seg: Segment, term: float) -> tuple[np.ndarray, np.ndarray]:
    """Days to the next renewal of a starting account (midpoint grid) and their weights."""
    weights_by_month = seg.renewal_month_weights
    if weights_by_month is None:
        r = (np.arange(PHASE_POINTS) + 0.5) / PHASE_POINTS * term
        return r, np.full(PHASE_POINTS, 1.0 / PHASE_POINTS)
    m = len(weights_by_month)
    per = max(1, PHASE_POINTS // m)
    w = np.asarray(weights_by_month, dtype=float)
    w = w / w.sum()
    month_len = term / m
    r = np.concatenate([(i + (np.arange(per) + 0.5) / per) * month_len for i in range(m)])
    ww = np.concatenate([np.full(per, w[i] / per) for i in range(m)])
    return r, ww


def expected_exposure(seg: Segment, horizon_days: float, start_date: Any = None) -> Exposure:
    """Expected stage time, planned touches and renewals of a segment over the horizon.

    Starting accounts are averaged over their renewal dates (uniform over the term, or
    ``renewal_month_weights``; an account list uses its own dates); new accounts over
    their arrival times (uniform for a Poisson rate, exact for a dated schedule). Churn
    is ignored. Units: days in, account-years and counts out.
    """
    term = term_days(seg.contract_term_months)
    lookahead = (
        horizon_days
        + term
        + max(
            [
                tp.trigger.days
                for tp in seg.touchpoints.values()
                if tp.trigger.kind == "before_renewal"
            ],
            default=0.0,
        )
    )
    stage_days = np.zeros(len(STAGES))
    touches = {
        n: 0.0
        for n, tp in seg.touchpoints.items()
        if tp.trigger.kind in ("stage_entry", "cadence", "before_renewal")
    }
    renewals = 0.0
    account_days = 0.0

    def add(tl: Timeline, weight: float, present_days: float) -> None:
        nonlocal renewals, account_days
        sd, tc, rn = _counts(tl, seg, horizon_days)
        stage_days[:] += weight * sd
        for k, v in tc.items():
            touches[k] += weight * v
        renewals += weight * rn
        account_days += weight * present_days

    for tl, weight, present_days in _starting_book(seg, term, horizon_days, start_date, lookahead):
        add(tl, weight, present_days)
    for tl, weight, present_days in _arrivals(seg, term, horizon_days, start_date, lookahead):
        add(tl, weight, present_days)

    return Exposure(
        account_years=account_days / 365.0,
        stage_years={s: float(stage_days[i]) / 365.0 for i, s in enumerate(STAGES)},
        touches=touches,
        renewals=renewals,
        new_accounts=_new_accounts(seg, horizon_days, start_date),
    )


_Weighted = tuple[Timeline, float, float]
"""A timeline, the accounts it stands for and the days they are present."""


def _starting_book(
    seg: Segment, term: float, horizon_days: float, start_date: Any, lookahead: float
) -> Iterator[_Weighted]:
    """The starting book's timelines, weighted over their unknown renewal dates."""
    lc = seg.lifecycle
    if isinstance(seg.accounts, int):
        if seg.accounts:
            r_grid, w_grid = _renewal_grid(seg, term)
            for r, w in zip(r_grid, w_grid, strict=True):
                yield timeline(lc, term, r - term, False, lookahead), seg.accounts * w, horizon_days
        return
    # a validated Segment holds a list here: an accounts file is read at load time
    assert isinstance(seg.accounts, list)
    r_grid, w_grid = _renewal_grid(seg, term)
    undated: dict[str | None, int] = {}  # accounts without a renewal date, by stage
    for acc in seg.accounts:
        first = acc.stage in ("onboarding", "adoption")
        if acc.renewal_date is not None and start_date is not None:
            r = float((acc.renewal_date - start_date).days)
            while r <= 0:
                r += term
            yield timeline(lc, term, r - term, first, lookahead), 1.0, horizon_days
        else:
            undated[acc.stage] = undated.get(acc.stage, 0) + 1
    for stage, count in undated.items():
        grid: Iterable[tuple[float, float]]
        if stage is None:
            grid = zip(r_grid, w_grid, strict=True)
        else:  # spread evenly over the stage the account is known to be in
            us = (np.arange(PHASE_POINTS) + 0.5) / PHASE_POINTS
            first = stage in ("onboarding", "adoption")
            grid = ((renewal_in_stage(lc, term, first, stage, u), 1.0 / PHASE_POINTS) for u in us)
        first = stage in ("onboarding", "adoption")
        for r, w in grid:
            yield timeline(lc, term, r - term, first, lookahead), count * w, horizon_days


def _arrivals(
    seg: Segment, term: float, horizon_days: float, start_date: Any, lookahead: float
) -> Iterator[_Weighted]:
    """New accounts' timelines: a Poisson rate spread over arrival times, dated batches exact.

    Dated batches need the plan's ``start_date``.
    """
    lc = seg.lifecycle
    if seg.new_accounts_per_month > 0:
        rate = seg.new_accounts_per_month * 12.0 / 365.0  # accounts per day
        n = PHASE_POINTS
        arrivals = (np.arange(n) + 0.5) / n * horizon_days
        w = rate * horizon_days / n
        for a in arrivals:
            yield timeline(lc, term, a, True, lookahead), w, horizon_days - a
    for batch in seg.new_account_schedule:
        if start_date is None:
            continue
        a = float((batch.date - start_date).days)
        if 0 <= a < horizon_days and batch.count:
            yield timeline(lc, term, a, True, lookahead), float(batch.count), horizon_days - a


def _new_accounts(seg: Segment, horizon_days: float, start_date: Any) -> float:
    """Expected new accounts over the horizon (Poisson rate plus dated batches in it)."""
    new = 0.0
    if seg.new_accounts_per_month > 0:
        new = seg.new_accounts_per_month * 12.0 / 365.0 * horizon_days
    for batch in seg.new_account_schedule:
        if start_date is None:
            continue
        a = float((batch.date - start_date).days)
        if 0 <= a < horizon_days and batch.count:
            new += batch.count
    return new


def expected_sessions(
    touches: float, horizon_days: float, every_days: float, max_attendees: int
) -> float:
    """Expected one_to_many sessions for ``touches`` planned evenly over the horizon.

    Session slots come every ``every_days``; a slot with ``n`` waiting attendees holds
    ``ceil(n / max_attendees)`` sessions, and ``n`` is Poisson. Exact for that rule.
    """
    if touches <= 0:
        return 0.0
    slots = horizon_days / every_days
    mu = touches / slots
    k = max_attendees
    # E[ceil(N/k)] = sum_j P(N > j k). Terms below mu - 12 sd are 1 to double precision
    # and those above mu + 12 sd are 0, so only a window of about 24 sd / k terms is summed.
    sd = math.sqrt(mu)
    j_lo = max(0, int((mu - 12 * sd - 12) // k))
    j_hi = int((mu + 12 * sd + 12) // k) + 2
    j = np.arange(j_lo, j_hi)
    return float(slots * (j_lo + special.pdtrc(np.floor(j * k), mu).sum()))


def scheduled_csm_hours(seg: Segment, exp: Exposure, horizon_days: float) -> float:
    """CSM hours of the scheduled touches (stage_entry, cadence, before_renewal) in the horizon.

    one_to_one: touches x mean hours; one_to_many: expected sessions x hours per session;
    automated: none.
    """
    total = 0.0
    for name, n in exp.touches.items():
        tp = seg.touchpoints[name]
        if tp.channel == "one_to_one":
            total += n * tp.mean_csm_hours
        elif tp.channel == "one_to_many":
            total += (
                expected_sessions(n, horizon_days, tp.session_every_days, tp.max_attendees or 1)
                * tp.mean_csm_hours
            )
    return total
