"""Monte Carlo replications of a scenario and their statistics.

Each replication is a pure top-level function of (scenario, replication index, root
seed), so results do not depend on where or in which order replications run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from simulator.engine.simulation import simulate
from simulator.scenario.model import Scenario

__all__ = [
    "Experiment",
    "MetricStats",
    "ReplicationResult",
    "run_experiment",
    "run_replication",
    "summarise",
]

HEADLINE = ("on_time_share", "utilisation", "logo_churn", "grr", "nrr", "arr_end")
"""Metrics shown first in reports."""


@dataclass(frozen=True)
class MetricStats:
    """A metric across replications: mean with a t confidence interval, and quantiles."""

    mean: float
    low: float
    high: float
    sd: float
    n: int
    p10: float
    p50: float
    p90: float

    @property
    def half_width(self) -> float:
        """Half-width of the confidence interval."""
        return (self.high - self.low) / 2


def summarise(values: Sequence[float], confidence: float = 0.95) -> MetricStats:
    """Mean, t-based confidence interval and P10/P50/P90 of per-replication values.

    NaN values (a metric undefined in a replication) are left out.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        nan = math.nan
        return MetricStats(nan, nan, nan, nan, 0, nan, nan, nan)
    mean = float(x.mean())
    sd = float(x.std(ddof=1)) if n > 1 else 0.0
    half = (
        float(stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)) if n > 1 else math.inf
    )
    if sd == 0:
        half = 0.0
    p10, p50, p90 = (float(v) for v in np.percentile(x, [10, 50, 90]))
    return MetricStats(mean, mean - half, mean + half, sd, n, p10, p50, p90)


@dataclass
class ReplicationResult:
    """What one replication contributes to an experiment (small: no raw records)."""

    replication: int
    segments: dict[str, dict[str, float]]
    teams: dict[str, dict[str, float]]
    touches: list[dict[str, Any]]
    monthly: list[dict[str, Any]]
    tasks: int
    simpy_events: int


def run_replication(scenario: Scenario, replication: int, root_seed: int) -> ReplicationResult:
    """Simulate replication ``replication`` and keep its summaries."""
    rec = simulate(scenario, replication, root_seed)
    return ReplicationResult(
        replication=replication,
        segments=rec.summary(),
        teams=rec.team_summary(),
        touches=rec.touch_table(),
        monthly=rec.monthly(),
        tasks=len(rec.tasks["id"]),
        simpy_events=rec.simpy_events,
    )


@dataclass
class Experiment:
    """Replications of one scenario, in replication order."""

    scenario: Scenario
    root_seed: int
    results: list[ReplicationResult] = field(default_factory=list)

    @property
    def replications(self) -> int:
        """Number of replications run."""
        return len(self.results)

    def values(self, segment: str, metric: str) -> np.ndarray:
        """Per-replication values of a segment metric."""
        return np.array([r.segments[segment][metric] for r in self.results], dtype=float)

    def stats(self, confidence: float = 0.95) -> dict[str, dict[str, MetricStats]]:
        """Every segment metric summarised across replications."""
        out: dict[str, dict[str, MetricStats]] = {}
        if not self.results:
            return out
        for seg, metrics in self.results[0].segments.items():
            out[seg] = {m: summarise(self.values(seg, m), confidence) for m in metrics}
        return out

    def team_stats(self, confidence: float = 0.95) -> dict[str, dict[str, MetricStats]]:
        """Every team metric summarised across replications."""
        out: dict[str, dict[str, MetricStats]] = {}
        if not self.results:
            return out
        for team, metrics in self.results[0].teams.items():
            out[team] = {
                m: summarise([r.teams[team][m] for r in self.results], confidence) for m in metrics
            }
        return out

    def touch_stats(self) -> list[dict[str, Any]]:
        """Touchpoint delivery by type, averaged over replications."""
        if not self.results:
            return []
        rows = []
        for i, row in enumerate(self.results[0].touches):
            avg = {k: row[k] for k in ("segment", "touchpoint")}
            for k in ("requested", "on_time", "late", "missed", "open", "cancelled", "automated"):
                avg[k] = float(np.mean([r.touches[i][k] for r in self.results]))
            rows.append(avg)
        return rows

    def rows(self, confidence: float = 0.95) -> list[dict[str, Any]]:
        """Tidy rows: segment x metric with mean, CI and quantiles."""
        out = []
        for seg, metrics in self.stats(confidence).items():
            for metric, st in metrics.items():
                out.append(
                    {
                        "segment": seg,
                        "metric": metric,
                        "mean": st.mean,
                        "ci_low": st.low,
                        "ci_high": st.high,
                        "p10": st.p10,
                        "p50": st.p50,
                        "p90": st.p90,
                        "replications": st.n,
                    }
                )
        return out


def run_experiment(
    scenario: Scenario,
    replications: int = 10,
    root_seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Experiment:
    """Run ``replications`` replications serially, in order.

    Parameters
    ----------
    scenario
        A validated scenario.
    replications
        How many (>= 1).
    root_seed
        Root of every random stream; the scenario's ``seed`` when None.
    progress
        Called as ``progress(done, total)`` after each replication.
    """
    if replications < 1:
        raise ValueError("replications must be at least 1")
    seed = scenario.seed if root_seed is None else int(root_seed)
    exp = Experiment(scenario, seed)
    for i in range(replications):
        exp.results.append(run_replication(scenario, i, seed))
        if progress is not None:
            progress(i + 1, replications)
    return exp
