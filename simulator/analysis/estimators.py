"""Small-sample estimators: a proportion with its Wilson interval, a Kaplan-Meier curve.

Both are general statistics with no notion of customers; the book analysis
(:mod:`simulator.analysis.book`) applies them to churn per renewal and to retention.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["KaplanMeier", "Rate", "kaplan_meier", "wilson"]


@dataclass(frozen=True)
class Rate:
    """A proportion with its 95% Wilson interval: ``events`` of ``trials``."""

    events: float
    trials: float
    value: float
    low: float
    high: float


def wilson(events: float, trials: float, confidence: float = 0.95) -> Rate:
    """Wilson score interval of a binomial proportion (well behaved near 0 and 1)."""
    if trials <= 0:
        return Rate(events, trials, math.nan, math.nan, math.nan)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = events / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    low = 0.0 if events <= 0 else max(0.0, centre - half)
    high = 1.0 if events >= trials else min(1.0, centre + half)
    return Rate(events, trials, p, low, high)


@dataclass(frozen=True)
class KaplanMeier:
    """A Kaplan-Meier survival curve: retention at each event time, Greenwood 95% CI.

    ``times`` are days since the contract start; ``survival[i]`` holds from ``times[i]``
    until the next time. The curve starts at (0, 1).
    """

    times: np.ndarray
    survival: np.ndarray
    low: np.ndarray
    high: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    n: int
    n_events: int

    def at(self, day: float) -> tuple[float, float, float]:
        """Retention (and its CI) ``day`` days after the contract start."""
        i = int(np.searchsorted(self.times, day, side="right")) - 1
        return float(self.survival[i]), float(self.low[i]), float(self.high[i])

    @property
    def max_time(self) -> float:
        """Longest follow-up (days); the curve is not defined beyond it."""
        return float(self.times[-1]) if len(self.times) else 0.0


def kaplan_meier(
    durations: Sequence[float], observed: Sequence[bool], confidence: float = 0.95
) -> KaplanMeier:
    """Product-limit estimate of survival from durations (days) and event flags.

    Customers still active are censored at their follow-up time: they count as at risk
    up to it and leave without an event. At ties, events come before censorings.
    The interval is Greenwood's on the log(-log) scale (stays within [0, 1]).
    """
    d = np.asarray(durations, dtype=float)
    e = np.asarray(observed, dtype=bool)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    times = [0.0]
    surv = [1.0]
    lows = [1.0]
    highs = [1.0]
    risk = [len(d)]
    events = [0]
    s = 1.0
    var_sum = 0.0
    for t in np.unique(d[e]):
        n_at_risk = int((d >= t).sum())
        n_events = int(((d == t) & e).sum())
        s *= 1 - n_events / n_at_risk
        if n_at_risk > n_events:
            var_sum += n_events / (n_at_risk * (n_at_risk - n_events))
        if 0 < s < 1 and var_sum > 0:
            se = math.sqrt(var_sum) / abs(math.log(s))
            lo = s ** math.exp(z * se)
            hi = s ** math.exp(-z * se)
        else:
            lo = hi = s
        times.append(float(t))
        surv.append(s)
        lows.append(lo)
        highs.append(hi)
        risk.append(n_at_risk)
        events.append(n_events)
    if len(d) and d.max() > times[-1]:  # follow-up continues past the last event
        times.append(float(d.max()))
        surv.append(s)
        lows.append(lows[-1])
        highs.append(highs[-1])
        risk.append(int((d >= d.max()).sum()))
        events.append(0)
    return KaplanMeier(
        np.array(times),
        np.array(surv),
        np.array(lows),
        np.array(highs),
        np.array(risk),
        np.array(events),
        len(d),
        int(e.sum()),
    )
