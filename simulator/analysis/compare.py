"""Paired comparisons of scenario variants under common random numbers.

Replication i of every alternative uses the same random streams (same seed and index),
so per-replication differences cancel the noise the alternatives share: the paired
confidence interval of a difference is much narrower than the unpaired one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from simulator import metrics
from simulator.analysis.experiment import Experiment, run_experiment
from simulator.analysis.intervals import t_quantile
from simulator.scenario.model import Scenario

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from simulator.analysis.result_frames import ComparisonTable

__all__ = ["COMPARED", "Comparison", "Difference", "Roi", "compare"]

COMPARED: tuple[tuple[str, str, str], ...] = tuple(
    (m.name, m.phrase, m.difference_unit) for m in map(metrics.metric, metrics.COMPARED)
)
"""Metrics compared (:data:`simulator.metrics.COMPARED`), with the name used in sentences
and the unit of a difference (pp: percentage points)."""


@dataclass(frozen=True)
class Difference:
    """B minus A for one segment and metric, over paired replications."""

    segment: str
    metric: str
    a: float
    b: float
    mean: float
    low: float
    high: float
    unpaired_half_width: float
    n: int

    @property
    def half_width(self) -> float:
        """Half-width of the paired 95% interval."""
        return (self.high - self.low) / 2

    @property
    def significant(self) -> bool:
        """Whether the interval excludes zero."""
        return self.low > 0 or self.high < 0


def paired_difference(
    segment: str, metric: str, a: np.ndarray, b: np.ndarray, confidence: float = 0.95
) -> Difference:
    """Paired t interval of mean(b - a), with the unpaired half-width for reference.

    The interval is the plain Student t interval (n - 1 degrees of freedom) whatever the
    metric's range. A difference of two shares lies in [-1, 1] and one of two
    non-negative totals is signed, so only shares have a bound to respect. Plans run on
    common random numbers differ by a few percentage points, far inside [-1, 1], where a
    transformed interval would be the t interval
    (:func:`simulator.analysis.intervals.summarise`); even cutting the default top
    team from 8 CSMs to 2 (ad hoc work dropped +81 pp [72, 90] over 5 replications)
    keeps every share difference inside, which ``tests/test_intervals.py`` checks.
    Interval ends are not clipped.
    """
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    n = len(a)
    d = b - a
    mean = float(d.mean()) if n else math.nan
    if n < 2:
        return Difference(
            segment,
            metric,
            float(a.mean()) if n else math.nan,
            float(b.mean()) if n else math.nan,
            mean,
            math.nan,
            math.nan,
            math.nan,
            n,
        )
    q = t_quantile(n, confidence)
    half = q * float(d.std(ddof=1)) / math.sqrt(n)
    unpaired = q * math.sqrt(float(a.var(ddof=1)) / n + float(b.var(ddof=1)) / n)
    return Difference(
        segment,
        metric,
        float(a.mean()),
        float(b.mean()),
        mean,
        mean - half,
        mean + half,
        unpaired,
        n,
    )


@dataclass(frozen=True)
class Roi:
    """What an alternative frees in CSM time against what it costs in automation and ARR."""

    segment: str
    fte_freed: Difference
    """CSMs' worth of customer hours freed per year (paired)."""
    value_freed: Difference
    """Those FTE at the team's cost per CSM (currency per year)."""
    automation_cost: Difference
    """Extra automation spend per year."""
    arr_at_risk: Difference
    """Extra ARR at risk per year."""

    @property
    def net_saving(self) -> float:
        """Value of the freed time less the extra automation spend (per year)."""
        return self.value_freed.mean - self.automation_cost.mean


def scaled(d: Difference, k: float) -> Difference:
    """The difference multiplied by ``k`` (interval bounds reordered for negative k)."""
    lo, hi = sorted((d.low * k, d.high * k))
    return Difference(
        d.segment,
        d.metric,
        d.a * k,
        d.b * k,
        d.mean * k,
        lo,
        hi,
        d.unpaired_half_width * abs(k),
        d.n,
    )


@dataclass
class Comparison:
    """Alternatives run on the same replications, and their paired differences to the first."""

    labels: list[str]
    experiments: list[Experiment]

    def differences(self, index: int) -> list[Difference]:
        """Differences of alternative ``index`` minus the baseline (alternative 0)."""
        base, other = self.experiments[0], self.experiments[index]
        n = min(base.replications, other.replications)
        out = []
        for seg in base.results[0].segments:
            if seg not in other.results[0].segments:
                continue
            for metric, _, _ in COMPARED:
                a = base.values(seg, metric)[:n]
                b = other.values(seg, metric)[:n]
                out.append(paired_difference(seg, metric, a, b))
        return out

    def roi(self, index: int) -> list[Roi]:
        """Per segment: FTE freed (and their value), automation spend and ARR at risk, per year."""
        base = self.experiments[0]
        s = base.scenario
        years = s.horizon_years
        teams = s.all_teams()
        by = {(d.segment, d.metric): d for d in self.differences(index)}
        out = []
        for seg in base.results[0].segments:
            tname = s.team_name(seg)
            if (seg, "hours_demanded") not in by or tname is None:
                continue
            team = teams[tname]
            hours_per_fte = s.calendar.customer_hours_per_year * team.availability
            fte = scaled(by[(seg, "hours_demanded")], -1.0 / (years * hours_per_fte))
            out.append(
                Roi(
                    seg,
                    fte,
                    scaled(fte, team.annual_cost_per_csm),
                    scaled(by[(seg, "automation_cost")], 1.0 / years),
                    scaled(by[(seg, "arr_at_risk")], 1.0 / years),
                )
            )
        return out

    def to_arrow(self, table: ComparisonTable = "differences") -> pa.Table:
        """Paired differences to the baseline for every alternative, segment and metric
        (``differences``), or every alternative's per-replication metrics (``replications``)
        (:func:`simulator.analysis.result_frames.comparison_table`)."""
        from simulator.analysis.result_frames import comparison_table

        return comparison_table(self, table)

    def to_pandas(self, table: ComparisonTable = "differences") -> pd.DataFrame:
        """The table :meth:`to_arrow` gives, as a pandas DataFrame."""
        return self.to_arrow(table).to_pandas()


def compare(
    scenarios: Sequence[Scenario],
    labels: Sequence[str],
    replications: int | None = 10,
    root_seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    precision: float | None = None,
    max_replications: int = 200,
    executor: Executor | None = None,
) -> Comparison:
    """Run every scenario on the same replications (common random numbers).

    The baseline (first scenario) sets the seed unless ``root_seed`` is given; with
    ``precision`` the baseline's precision rule fixes the replication count and the other
    alternatives use the same count.
    """
    if len(scenarios) < 2:
        raise ValueError("compare needs at least two scenarios")
    currencies = sorted({s.currency for s in scenarios})
    if len(currencies) > 1:
        raise ValueError(
            f"the scenarios are in different currencies ({', '.join(currencies)}): "
            "differences of money would mix them; state every plan in one currency"
        )
    seed = scenarios[0].seed if root_seed is None else int(root_seed)
    first = run_experiment(
        scenarios[0],
        replications,
        seed,
        progress,
        precision=precision,
        max_replications=max_replications,
        executor=executor,
        jobs=1,
    )
    n = first.replications
    experiments = [first]
    for s in scenarios[1:]:
        experiments.append(run_experiment(s, n, seed, progress, executor=executor, jobs=1))
    return Comparison(list(labels), experiments)
