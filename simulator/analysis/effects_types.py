"""The vocabulary of estimated effects: one effect, a coverage band, all of them.

Made by :func:`simulator.analysis.effects.estimate_effects`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.scenario.model import Segment

__all__ = ["LABELS", "PATHS", "CoverageBand", "Effect", "Effects", "plan_values"]

PATHS = {
    "coverage_effect": "churn.coverage_effect",
    "log_late_onboarding": "churn.late_onboarding_multiplier",
    "responsiveness_effect": "churn.responsiveness_effect",
    "expansion_coverage": "expansion.coverage_effect",
    "expansion_touch": "expansion.touch_effect",
}
LABELS = {
    "coverage_effect": "coverage effect on churn",
    "log_late_onboarding": "late-onboarding multiplier",
    "responsiveness_effect": "responsiveness effect on churn",
    "expansion_coverage": "coverage effect on expansion",
    "expansion_touch": "expansion-touch effect",
}


@dataclass(frozen=True)
class Effect:
    """One effect size: its estimate and 95% interval, or why the data cannot give it."""

    key: str
    """Parameter key (``coverage_effect``, ``log_late_onboarding``, ...)."""
    path: str
    """The scenario field, under ``segments.<name>.`` (``churn.coverage_effect``)."""
    label: str
    identified: bool
    estimate: float | None
    low: float | None
    high: float | None
    method: str
    """``profile likelihood`` or ``bootstrap (N draws)``."""
    reason: str
    """Why it is not identified (empty when it is), or a caveat."""
    assumption: dict[str, float]
    """The plan's value per segment (kept when not identified)."""
    renewals: int
    events: int
    """Churned renewals (churn effects) or accounts (expansion)."""
    kept: float | None = None
    """When not identified: the value the data force instead of the plan's (the closed
    end of a one-sided interval that rejects the plan's value); None keeps the plan's."""


@dataclass(frozen=True)
class CoverageBand:
    """Renewals in one coverage band: observed against fitted churn."""

    low: float
    high: float
    renewals: int
    churned: int
    predicted: float
    """Mean fitted churn probability."""


@dataclass
class Effects:
    """Everything estimated from a history."""

    effects: list[Effect]
    baselines: dict[str, tuple[float, float | None, float | None]]
    """Segment -> annual baseline churn (probability) and its 95% interval."""
    renewals: int
    churns: int
    per_segment: dict[str, tuple[int, int]]
    """Segment -> (renewals, churned)."""
    bands: list[CoverageBand]
    early: Effect | None
    """The coverage effect with coverage over the first half of the window."""
    growth_mean: dict[str, float] = field(default_factory=dict)
    """Segment -> fitted mean change at full delivery (before truncation)."""
    growth_sd: float | None = None
    notes: list[str] = field(default_factory=list)
    theta: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    """The churn model's estimates: log annual baseline hazard per segment (in
    :attr:`baselines` order), then the free effects (``free``; late onboarding as a log)."""
    cov: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    """Their asymptotic covariance (inverse observed information)."""
    free: tuple[str, ...] = ()
    expansion_boot: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)), repr=False)
    """Bootstrap draws of the expansion effects (coverage, touch; nan: not estimated)."""

    def effect(self, key: str) -> Effect | None:
        """The effect of ``key``, if estimated or reported."""
        return next((e for e in self.effects if e.key == key), None)

    def parameter_draws(self, rng: np.random.Generator, n: int) -> list[dict[str, Any]]:
        """``n`` joint draws of the fitted parameters, for predictions that carry their
        uncertainty.

        The churn model's parameters are drawn from the normal approximation of the
        likelihood (estimates and :attr:`cov`), the expansion effects from their
        bootstrap. Each draw maps ``baseline:<segment>`` to an annual baseline churn
        probability and each identified effect's key to its value.
        """
        k = len(self.baselines)
        draws = rng.multivariate_normal(self.theta, self.cov, size=n, method="eigh")
        boot = self.expansion_boot
        picks = rng.integers(0, len(boot), size=n) if len(boot) else None
        out = []
        for j in range(n):
            row = draws[j]
            d: dict[str, Any] = {
                f"baseline:{s}": float(-math.expm1(-math.exp(min(row[i], 3.0))))
                for i, s in enumerate(self.baselines)
            }
            for i, name in enumerate(self.free):
                v = float(row[k + i])
                d[name] = math.exp(v) if name == "log_late_onboarding" else v
            if picks is not None:
                for col, key in ((0, "expansion_coverage"), (1, "expansion_touch")):
                    e = self.effect(key)
                    if e is not None and e.identified and math.isfinite(boot[picks[j], col]):
                        d[key] = float(boot[picks[j], col])
            out.append(d)
        return out


def plan_values(plans: Mapping[str, Segment], key: str) -> dict[str, float]:
    """The plan's value of effect ``key`` per segment (the assumption kept when the data
    cannot identify it)."""
    out = {}
    for s, seg in plans.items():
        if key == "coverage_effect":
            out[s] = seg.churn.coverage_effect
        elif key == "log_late_onboarding":
            out[s] = seg.churn.late_onboarding_multiplier
        elif key == "responsiveness_effect":
            out[s] = seg.churn.responsiveness_effect
        elif key == "expansion_coverage":
            out[s] = seg.expansion.coverage_effect
        else:
            out[s] = seg.expansion.touch_effect
    return out
