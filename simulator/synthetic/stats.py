"""Closed forms behind the synthetic truth: lognormal parameters and the standard normal."""

from __future__ import annotations

import math

__all__ = ["lognormal_params", "norm_cdf", "norm_pdf"]


def lognormal_params(mean: float, cv: float) -> tuple[float, float]:
    """``(mu, sigma)`` of the log of a lognormal with this mean and coefficient of variation."""
    s2 = math.log1p(cv * cv)
    return math.log(mean) - s2 / 2.0, math.sqrt(s2)


def norm_cdf(z: float) -> float:
    """Standard normal cumulative distribution at ``z``."""
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def norm_pdf(z: float) -> float:
    """Standard normal density at ``z``."""
    return math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
