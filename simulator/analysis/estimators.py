"""Small-sample estimators: a proportion with its Wilson interval, a Kaplan-Meier curve.

Both are general statistics with no notion of customers; the book analysis
(:mod:`simulator.analysis.book`) applies them to churn per renewal and to retention.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

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
    """Wilson score interval of a binomial proportion (well behaved near 0 and 1).

    Parameters
    ----------
    events, trials : float
        Counts (whole numbers, ``0 <= events <= trials``).
    confidence : float
        Two-sided confidence level (a share, e.g. 0.95).

    Returns
    -------
    Rate
        ``value`` is ``events / trials`` (a share); the bounds are scipy's
        ``binomtest(k, n).proportion_ci(confidence, method="wilson")``: 0 when there is
        no event, 1 when every trial is one. With no trial, all three are NaN.
    """
    if trials <= 0:
        return Rate(events, trials, math.nan, math.nan, math.nan)
    k, n = int(events), int(trials)
    if k != events or n != trials:
        raise ValueError(f"wilson needs whole counts, got {events} of {trials}")
    from scipy import stats  # 0.4 s to import: only when an estimate is made

    ci = stats.binomtest(k, n).proportion_ci(confidence, method="wilson")
    return Rate(events, trials, events / trials, float(ci.low), float(ci.high))


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

    Parameters
    ----------
    durations : sequence of float
        Follow-up of each customer (days since the contract start).
    observed : sequence of bool
        True where the follow-up ended in the event (churn), False where censored.
    confidence : float
        Two-sided confidence level of the band (a share).

    Returns
    -------
    KaplanMeier
        One point at day 0 (survival 1), one per distinct event time, and one at the
        longest follow-up when it is later than the last event.

    Notes
    -----
    The curve and band are ``scipy.stats.ecdf`` on ``CensoredData`` (``.sf`` and
    ``.sf.confidence_interval(method="log-log")``), kept at the event times. Where
    scipy's band is undefined the project's convention is kept explicitly: once
    survival reaches 0 (everyone left at risk had the event) the band is [0, 0]
    instead of NaN; with no event at all the curve is flat at 1 with a band of [1, 1];
    the point at the longest follow-up repeats the last event's band.
    tests/test_estimators.py checks this against the product-limit formulas to 1e-12.
    """
    d = np.asarray(durations, dtype=float)
    e = np.asarray(observed, dtype=bool)
    times, counts = np.unique(d[e], return_counts=True)
    at_risk = len(d) - np.searchsorted(np.sort(d), times, side="left")
    surv = low = high = np.empty(0)
    if len(times):
        from scipy import stats

        sample = stats.CensoredData(uncensored=d[e], right=d[~e])
        sf = stats.ecdf(sample).sf
        keep = np.searchsorted(sf.quantiles, times)  # event times among all times
        surv = sf.probabilities[keep]
        with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # NaN where survival is 0
            band = sf.confidence_interval(confidence, method="log-log")
        low, high = band.low.probabilities[keep], band.high.probabilities[keep]
        gone = surv <= 0  # undefined in scipy (log 0): the band is the point, 0
        low, high = np.where(gone, 0.0, low), np.where(gone, 0.0, high)
    times_out = np.concatenate(([0.0], times))
    surv_out = np.concatenate(([1.0], surv))
    low_out = np.concatenate(([1.0], low))
    high_out = np.concatenate(([1.0], high))
    risk_out = np.concatenate(([len(d)], at_risk)).astype(int)
    events_out = np.concatenate(([0], counts)).astype(int)
    if len(d) and d.max() > times_out[-1]:  # follow-up continues past the last event
        last = float(d.max())
        times_out = np.append(times_out, last)
        surv_out = np.append(surv_out, surv_out[-1])
        low_out = np.append(low_out, low_out[-1])
        high_out = np.append(high_out, high_out[-1])
        risk_out = np.append(risk_out, int((d >= last).sum()))
        events_out = np.append(events_out, 0)
    return KaplanMeier(
        times_out, surv_out, low_out, high_out, risk_out, events_out, len(d), int(e.sum())
    )
