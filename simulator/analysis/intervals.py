"""Confidence intervals of a metric across replications, inside its feasible range.

:func:`summarise` turns per-replication values into a :class:`MetricStats`: the mean,
a confidence interval built on the scale on which the metric's range
(:attr:`simulator.metrics.Metric.feasible`) is unbounded, and P10/P50/P90.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from simulator import metrics as registry

__all__ = ["MetricStats", "summarise", "t_quantile"]


@dataclass(frozen=True)
class MetricStats:
    """A metric across replications: mean with a confidence interval, and quantiles.

    ``method`` says how the interval was made (:func:`summarise`): ``t`` (symmetric
    Student t), ``logit`` or ``log`` (a t interval on that scale, mapped back, so it stays
    inside the metric's feasible range), or ``bound`` (every replication sits on a bound
    of the range, e.g. no churn at all: the interval is that single point), ``point``
    (every replication gave the same value inside the range), ``single`` (one
    replication: the interval is the whole range) or ``none`` (no replication defined
    the metric).
    """

    mean: float
    low: float
    high: float
    sd: float
    n: int
    p10: float
    p50: float
    p90: float
    method: str = "t"

    @property
    def half_width(self) -> float:
        """Half the width of the confidence interval (for a transformed interval, which
        need not be symmetric about the mean, half of high - low)."""
        return (self.high - self.low) / 2


def t_quantile(n: int, confidence: float = 0.95) -> float:
    """The two-sided Student t quantile of a ``confidence`` interval from ``n`` values
    (``n - 1`` degrees of freedom): 12.7 at n = 2, 2.26 at n = 10 for 95%."""
    return float(special.stdtrit(n - 1, 0.5 + confidence / 2))


def _interval(mean: float, se: float, q: float, lo: float, hi: float) -> tuple[float, float, str]:
    """``mean +- q se`` on the scale that keeps it inside ``[lo, hi]``, mapped back.

    Delta method: for ``z = g(mean)`` the standard error is ``se |g'(mean)|``, with
    ``g = logit((m - lo) / (hi - lo))`` when both bounds are finite (``g' = (hi - lo) /
    ((m - lo)(hi - m))``, i.e. ``se / (m (1 - m))`` on [0, 1]), ``g = log(m - lo)`` when
    only ``lo`` is (``g' = 1 / (m - lo)``), ``g = -log(hi - m)`` when only ``hi`` is.
    """
    if math.isfinite(lo) and math.isfinite(hi):
        span = hi - lo
        p = (mean - lo) / span
        z = math.log(p / (1 - p))
        dz = q * se / (p * (1 - p) * span) if se > 0 else 0.0

        def back(v: float) -> float:
            return lo + span * (1.0 / (1.0 + math.exp(-v)) if v >= -700 else 0.0)

        return back(z - dz), back(z + dz), "logit"
    if math.isfinite(lo):
        d = q * se / (mean - lo)
        return lo + (mean - lo) * math.exp(-d), lo + (mean - lo) * math.exp(min(d, 700)), "log"
    if math.isfinite(hi):
        d = q * se / (hi - mean)
        return hi - (hi - mean) * math.exp(min(d, 700)), hi - (hi - mean) * math.exp(-d), "log"
    return mean - q * se, mean + q * se, "t"


def summarise(
    values: Sequence[float] | np.ndarray,
    confidence: float = 0.95,
    bounds: tuple[float, float] = registry.UNBOUNDED,
) -> MetricStats:
    """Mean, confidence interval and P10/P50/P90 of per-replication values.

    Parameters
    ----------
    values
        One value per replication, in the metric's unit. NaN values (a metric undefined
        in a replication) are left out.
    confidence
        Two-sided confidence level of the interval (0.95: a 95% interval).
    bounds
        The metric's feasible range ``(low, high)``
        (:attr:`simulator.metrics.Metric.feasible`, :func:`simulator.metrics.bounds_of`);
        default unbounded.

    Returns
    -------
    MetricStats
        The interval is built on a scale on which the range is unbounded, so that it lies
        inside the range by construction instead of being clipped to it:

        * unbounded: the Student t interval ``mean +- t se``, ``se = sd / sqrt(n)``;
        * [0, 1] (a share, GRR) or any finite [lo, hi]: logit scale, ``logit(mean) +-
          t se / (mean (1 - mean))`` (the delta method), mapped back with the logistic
          function;
        * [0, inf) (money, counts, hours, NRR) or any one-sided range: log scale,
          ``log(mean) +- t se / mean``, mapped back with exp;

        ``t`` is the Student t quantile with n - 1 degrees of freedom on every scale. Far
        from a bound the transformed interval is close to the t interval; near one it is
        asymmetric, shorter on the side of the bound. When the mean sits on a bound
        (every replication at 0, or every one at 1) the interval is that single point and
        ``method`` is ``bound``. When values fall outside ``bounds`` (a range the caller
        got wrong) the plain t interval is given. With one replication the interval is
        the whole range and ``method`` is ``single`` (no spread can be estimated); with
        zero spread it is the mean and ``method`` is ``point``.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        nan = math.nan
        return MetricStats(nan, nan, nan, nan, 0, nan, nan, nan, "none")
    lo, hi = bounds
    mean = float(x.mean())
    sd = float(x.std(ddof=1)) if n > 1 else 0.0
    p10, p50, p90 = (float(v) for v in np.percentile(x, [10, 50, 90]))
    inside = bool(np.all(x >= lo) and np.all(x <= hi))
    if not inside:
        lo, hi = registry.UNBOUNDED
    if n < 2:
        return MetricStats(mean, lo, hi, sd, n, p10, p50, p90, "single")
    if mean <= lo or mean >= hi:
        return MetricStats(mean, mean, mean, sd, n, p10, p50, p90, "bound")
    q = t_quantile(n, confidence)
    low, high, method = _interval(mean, sd / math.sqrt(n), q, lo, hi)
    if sd == 0:
        low, high, method = mean, mean, "point"  # every replication the same
    # the back-transform of logit(mean) may miss the mean by a rounding error
    low, high = min(low, mean), max(high, mean)
    return MetricStats(mean, low, high, sd, n, p10, p50, p90, method)
