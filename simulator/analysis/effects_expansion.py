"""The engine's expansion response fitted to accounts' growth, with bootstrap intervals.

The engine (:mod:`simulator.engine.expansion`) keeps contractions as drawn and keeps a
share ``E = (1 - beta x (1 - coverage)) x (1 - tau x (1 - delivery))`` of the expected
expansion, so the expected ARR change at a renewal is::

    E[change] = E[min(X, 0)] + E x E[max(X, 0)]

with ``X`` the change with the plan fully delivered: the calibrated scenario's truncated
normal (mean ``mu``, sd ``sigma``, bounds ``low``, ``high``). A customer list holds each
account's ARR at signing and now, not each renewal's change, so an account that survived
``m`` renewals gives its geometric mean change per renewal ``g``, against the mean
shortfall of those renewals. ``mu`` and ``beta`` (and ``tau`` when the plan has
expansion touches whose delivery varies) are fitted by weighted least squares
(``scipy.optimize.least_squares``, weights ``m``: a mean over ``m`` renewals has ``1/m``
of a renewal's variance), ``sigma`` from the weighted residuals (two passes). The 95%
interval of each effect is the percentile interval of a bootstrap over accounts.
The mean of renewals' expected changes stands in for the geometric mean: close for
changes of a few tens of percent (an approximation, stated in the report).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

__all__ = ["GrowthData", "GrowthFit", "expected_change", "fit_growth", "fit_point"]

_SQRT2PI = math.sqrt(2.0 * math.pi)


@dataclass(frozen=True)
class GrowthData:
    """Accounts with a growth observation (one entry per account)."""

    growth: np.ndarray
    """Geometric mean relative ARR change per survived renewal."""
    renewals: np.ndarray
    """Renewals survived (the weight)."""
    shortfall: np.ndarray
    """Mean ``1 - coverage`` over those renewals."""
    delivery_shortfall: np.ndarray
    """Mean ``1 - expansion delivery`` over those renewals."""
    segment: np.ndarray
    """Segment index (int): each segment has its own mean change at full delivery."""
    plan_beta: np.ndarray
    """The plan's coverage effect of each account's segment (used when it is not fitted)."""
    plan_tau: np.ndarray
    """The plan's touch effect of each account's segment (used when it is not fitted)."""

    def take(self, idx: np.ndarray) -> GrowthData:
        """The accounts at ``idx`` (a bootstrap resample)."""
        return GrowthData(
            self.growth[idx],
            self.renewals[idx],
            self.shortfall[idx],
            self.delivery_shortfall[idx],
            self.segment[idx],
            self.plan_beta[idx],
            self.plan_tau[idx],
        )


@dataclass(frozen=True)
class GrowthFit:
    """Fitted expansion response."""

    mu: np.ndarray
    """Per segment: mean of the change distribution at full delivery, before truncation."""
    sigma: float
    coverage_effect: float
    touch_effect: float | None
    """None when not estimated (no expansion touches, or no variation)."""
    boot: np.ndarray
    """Bootstrap draws, shape (draws, 2): coverage effect, touch effect (nan if unused)."""
    at_bound: tuple[float, float]
    """Share of bootstrap fits of each effect (coverage, touch) at a search bound."""


def _parts(mu: float, sigma: float, low: float, high: float) -> tuple[float, float]:
    """(E[min(X, 0)], E[max(X, 0)]) of a normal truncated to [low, high]."""
    if sigma <= 0:
        x = min(max(mu, low), high)
        return min(x, 0.0), max(x, 0.0)

    def cdf(c: float) -> float:
        return float(special.ndtr((c - mu) / sigma))

    def pdf(c: float) -> float:
        z = (c - mu) / sigma
        return math.exp(-0.5 * z * z) / _SQRT2PI

    def partial(a: float, b: float) -> float:  # E[X; a < X < b] of the untruncated normal
        return mu * (cdf(b) - cdf(a)) - sigma * (pdf(b) - pdf(a))

    mass = cdf(high) - cdf(low)
    if mass <= 0:
        return 0.0, 0.0
    neg = partial(low, min(0.0, high)) if low < 0 else 0.0
    pos = partial(max(0.0, low), high) if high > 0 else 0.0
    return neg / mass, pos / mass


def expected_change(
    mu: np.ndarray,
    sigma: float,
    low: np.ndarray,
    high: np.ndarray,
    beta: float | np.ndarray,
    tau: float | np.ndarray,
    d: GrowthData,
) -> np.ndarray:
    """The engine's expected ARR change per renewal of each account of ``d``.

    ``mu``, ``low`` and ``high`` are per segment (indexed by ``d.segment``); ``beta`` and
    ``tau`` one value or one per account.
    """
    parts = np.array([_parts(m, sigma, lo, hi) for m, lo, hi in zip(mu, low, high, strict=True)])
    neg, pos = parts[d.segment, 0], parts[d.segment, 1]
    e = np.clip(1.0 - beta * d.shortfall, 0.0, None) * np.clip(
        1.0 - tau * d.delivery_shortfall, 0.0, None
    )
    return neg + pos * np.minimum(e, 1.0)


BETA_BOUNDS = (-2.0, 1.0)
"""Search range of the effects (1: expansion vanishes with no touch delivered; below 0
is reported, not simulated)."""


def _effects(
    p: np.ndarray, k: int, free: tuple[bool, bool], d: GrowthData
) -> tuple[float | np.ndarray, float | np.ndarray]:
    """(beta, tau) of the parameter vector ``p`` (mu per segment, then the free effects);
    an effect not free is the plan's."""
    j = k
    beta: float | np.ndarray = d.plan_beta
    tau: float | np.ndarray = d.plan_tau
    if free[0]:
        beta, j = float(p[j]), j + 1
    if free[1]:
        tau = float(p[j])
    return beta, tau


def _solve(
    d: GrowthData,
    low: np.ndarray,
    high: np.ndarray,
    sigma: float,
    free: tuple[bool, bool],
    x0: np.ndarray,
) -> np.ndarray:
    """Weighted least squares of (mu per segment, the free effects) at a given sigma."""
    w = np.sqrt(d.renewals)
    k = len(low)

    def resid(p: np.ndarray) -> np.ndarray:
        beta, tau = _effects(p, k, free, d)
        return w * (d.growth - expected_change(p[:k], sigma, low, high, beta, tau, d))

    n_eff = sum(free)
    lb = np.concatenate([low + 1e-6, [BETA_BOUNDS[0]] * n_eff])
    ub = np.concatenate([high - 1e-6, [BETA_BOUNDS[1]] * n_eff])
    x0 = np.clip(x0[: len(lb)], lb + 1e-9, ub - 1e-9)
    return np.asarray(optimize.least_squares(resid, x0, bounds=(lb, ub)).x, dtype=float)


def _point(
    d: GrowthData,
    low: np.ndarray,
    high: np.ndarray,
    free: tuple[bool, bool],
    x0: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """(mu per segment, the free effects) and sigma by two passes of weighted least squares."""
    k = len(low)
    wmean = float(np.average(d.growth, weights=d.renewals))
    resid0 = (d.growth - wmean) ** 2 * d.renewals
    sigma = max(float(np.sqrt(resid0.sum() / len(resid0))), 1e-3)
    p = np.concatenate([np.full(k, wmean), [0.3] * sum(free)]) if x0 is None else x0
    for _ in range(2):
        p = _solve(d, low, high, sigma, free, p)
        beta, tau = _effects(p, k, free, d)
        f = expected_change(p[:k], sigma, low, high, beta, tau, d)
        sigma = max(float(np.sqrt(np.sum(d.renewals * (d.growth - f) ** 2) / len(f))), 1e-3)
    return p, sigma


def fit_point(
    d: GrowthData, low: np.ndarray, high: np.ndarray, free: tuple[bool, bool]
) -> tuple[np.ndarray, float]:
    """The point fit with only the ``free`` effects (coverage, touch) estimated, the others
    at the plan's values: (mu per segment, then the free effects) and sigma."""
    return _point(d, low, high, free)


def fit_growth(
    d: GrowthData,
    low: np.ndarray,
    high: np.ndarray,
    with_touch: bool,
    rng: np.random.Generator,
    draws: int = 300,
) -> GrowthFit:
    """Fit the expansion response and bootstrap it over accounts.

    Parameters
    ----------
    d
        The accounts' growth observations.
    low, high
        Per segment: bounds of the change distribution (relative change).
    with_touch
        Whether the touch effect is estimated too (else held at the plan's value).
    rng
        The bootstrap's generator.
    draws
        Bootstrap resamples.
    """
    free = (True, with_touch)
    p, sigma = _point(d, low, high, free)
    k = len(low)
    n = len(d.growth)
    boot = np.full((draws, 2), np.nan)
    for b in range(draws):
        idx = rng.integers(0, n, n)
        q, _ = _point(d.take(idx), low, high, free, p.copy())
        boot[b, 0] = q[k]
        if with_touch:
            boot[b, 1] = q[k + 1]

    def at_bound(col: np.ndarray) -> float:
        hit = np.isclose(col, BETA_BOUNDS[0], atol=1e-3) | np.isclose(
            col, BETA_BOUNDS[1], atol=1e-3
        )
        return float(hit.mean())

    return GrowthFit(
        p[:k].copy(),
        sigma,
        float(p[k]),
        float(p[k + 1]) if with_touch else None,
        boot,
        (at_bound(boot[:, 0]), at_bound(boot[:, 1]) if with_touch else 0.0),
    )
