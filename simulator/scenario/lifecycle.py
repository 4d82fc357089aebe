"""Deterministic lifecycle timelines: which stage an account is in, and when it renews.

The same timeline drives the closed-form estimate and the simulation engine, so both
plan the same touches for the same account. Times are days from the plan's start date.

A contract period lasts the contract term. A new account's first period runs onboarding,
adoption, steady, renewal window; a renewed period starts at the segment's
``after_renewal`` stage. When the stages do not fit in the term, onboarding keeps its
length first, then the renewal window, then adoption; steady takes what is left.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.scenario.model import STAGES, Lifecycle

DAYS_PER_MONTH = 365.0 / 12.0


@dataclass(frozen=True)
class Interval:
    """An account's stay in one stage, from ``start`` to ``end`` (days)."""

    stage: str
    start: float
    end: float


@dataclass(frozen=True)
class Timeline:
    """Stage intervals and renewal dates of one account in the absence of churn."""

    intervals: tuple[Interval, ...]
    renewals: tuple[float, ...]

    def stage_at(self, t: float) -> str | None:
        """Stage at day ``t`` (None before the account exists)."""
        for iv in self.intervals:
            if iv.start <= t < iv.end:
                return iv.stage
        return None


def term_days(contract_term_months: int) -> float:
    """Contract term in days (months of 365/12 days)."""
    return contract_term_months * DAYS_PER_MONTH


def period_stages(lc: Lifecycle, term: float, first: bool) -> list[tuple[str, float]]:
    """Stages and their durations (days) in one contract period of length ``term``.

    Zero-length stages are kept: the account still enters (and leaves) them.
    """
    start = "onboarding" if first else lc.after_renewal
    seq = STAGES[STAGES.index(start) :]
    wanted = {
        "onboarding": lc.onboarding_days,
        "adoption": lc.adoption_days,
        "renewal": lc.renewal_window_days,
    }
    remaining = term
    dur: dict[str, float] = {}
    for stage in ("onboarding", "renewal", "adoption"):
        if stage in seq:
            dur[stage] = min(wanted[stage], remaining)
            remaining -= dur[stage]
    dur["steady"] = remaining
    return [(s, dur[s]) for s in seq]


def renewal_in_stage(lc: Lifecycle, term: float, first: bool, stage: str, u: float) -> float:
    """Days to the next renewal of an account known to be in ``stage`` today.

    The account sits at fraction ``u`` of that stage within its contract period (a stage
    the period does not contain places it at the period's start).
    """
    t = 0.0
    for s, d in period_stages(lc, term, first):
        if s == stage:
            return max(term - (t + u * d), 1e-9)
        t += d
    return term


def timeline(
    lc: Lifecycle, term: float, period_start: float, first: bool, until: float
) -> Timeline:
    """Timeline from ``period_start`` through every contract period that starts before ``until``.

    Parameters
    ----------
    lc, term
        The segment's lifecycle and contract term (days).
    period_start
        Day the account's current (or first) contract period began; may be negative.
    first
        Whether that period is the account's first (it then starts with onboarding).
    until
        Day after which no further period is generated (days).
    """
    intervals: list[Interval] = []
    renewals: list[float] = []
    t0 = period_start
    is_first = first
    while t0 < until:
        t = t0
        for stage, d in period_stages(lc, term, is_first):
            intervals.append(Interval(stage, t, t + d))
            t += d
        t0 += term
        renewals.append(t0)
        is_first = False
    return Timeline(tuple(intervals), tuple(renewals))
