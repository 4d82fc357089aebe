"""One-way sensitivity of a decision: a tornado and the value of each input that flips it.

Every point holds the uncertain inputs at their medians but one, and simulates the two
options being weighed on the same replications (common random numbers across points and
options), so a bar's length is the input's effect, not noise. The difference is
``net value(first of the pair) - net value(second)`` over the plan and valuation horizon.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from simulator.analysis.decide import Option, arr_values, build_points, values_of
from simulator.analysis.experiment import run_jobs
from simulator.analysis.voi import flip_threshold
from simulator.scenario.uncertain import UncertainInput, quantile_values

__all__ = ["Bar", "Sensitivity", "Threshold", "sensitivity"]

LOW, HIGH = 0.10, 0.90
"""The tornado's quantiles of each input (P10 and P90)."""
RANGE = (0.01, 0.99)
"""Where a flip threshold is searched for: each input's P1 to P99."""


@dataclass(frozen=True)
class Bar:
    """One input's tornado bar: the difference with the input at its P10 and at its P90."""

    name: str
    low_value: float
    high_value: float
    low: float
    high: float

    @property
    def swing(self) -> float:
        """Length of the bar (currency)."""
        return abs(self.high - self.low)


@dataclass(frozen=True)
class Threshold:
    """Where the difference changes sign as one input moves over its P1-P99 range."""

    name: str
    value: float | None
    """The input's value at the flip; None when the sign is the same over the range."""
    lo: float
    hi: float
    delta_lo: float
    delta_hi: float
    below: bool | None
    """True when the first option of the pair loses below ``value`` (False: above)."""
    evaluations: int


@dataclass
class Sensitivity:
    """The tornado and thresholds of the difference between two options."""

    pair: tuple[int, int]
    base: float
    """The difference with every input at its median (currency)."""
    noise_sd: float
    """Standard deviation of one replication's difference at the medians (currency)."""
    replications: int
    bars: list[Bar] = field(default_factory=list)
    thresholds: list[Threshold] = field(default_factory=list)


class _Model:
    """The difference as a function of input values, simulated on fixed replications."""

    def __init__(
        self,
        options: Sequence[Option],
        inputs: Sequence[UncertainInput],
        segments: Sequence[str],
        pair: tuple[int, int],
        replications: int,
        seed: int,
        executor: Executor | None,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.options = [options[0], options[pair[0]], options[pair[1]]]
        self.inputs = list(inputs)
        self.segments = list(segments)
        self.replications = replications
        self.seed = seed
        self.executor = executor
        self.progress = progress
        self.runs = 0

    def deltas(self, points: np.ndarray) -> np.ndarray:
        """(points, replications): the difference at each row of input values."""
        scen = build_points(self.options, self.inputs, points, self.segments)
        n = self.replications
        jobs = [(row[o], r) for row in scen for o in (1, 2) for r in range(n)]
        results = run_jobs(jobs, self.seed, self.executor, self.progress)
        self.runs += len(jobs)
        out = np.zeros((len(points), n))
        k = 0
        for p, row in enumerate(scen):
            lam = arr_values(row[0], self.segments)
            for sign, o in ((1.0, 1), (-1.0, 2)):
                for r in range(n):
                    vals = values_of(row[o], results[k], self.segments)
                    k += 1
                    out[p, r] += sign * sum(v.horizon_at(lam[s]) for s, v in vals.items())
        return out

    def one(self, base: np.ndarray, j: int, x: float) -> float:
        row = base.copy()
        row[j] = x
        return float(self.deltas(row[None, :]).mean())


def sensitivity(
    options: Sequence[Option],
    inputs: Sequence[UncertainInput],
    segments: Sequence[str],
    pair: tuple[int, int],
    replications: int,
    seed: int,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_iter: int = 6,
) -> Sensitivity:
    """Tornado (P10/P90) and flip thresholds (bisection over P1-P99) of each input.

    Parameters
    ----------
    pair
        Indices of the two options weighed (first minus second).
    replications
        Replications per point and option, the same at every point.
    max_iter
        Search steps per threshold, each one point's simulation; the threshold is found
        to within (P99 - P1) / 2**max_iter.
    """
    model = _Model(options, inputs, segments, pair, replications, seed, executor, progress)
    k = len(inputs)
    med = quantile_values(inputs, 0.5) if k else np.zeros(0)
    qs = (LOW, HIGH, *RANGE)
    ends = {q: quantile_values(inputs, q) if k else np.zeros(0) for q in qs}
    rows = [med]
    for j in range(k):
        for q in qs:
            row = med.copy()
            row[j] = ends[q][j]
            rows.append(row)
    d = model.deltas(np.array(rows))
    base = float(d[0].mean())
    noise = float(d[0].std(ddof=1)) if replications > 1 else float("nan")
    out = Sensitivity(pair, base, noise, replications)
    for j, inp in enumerate(inputs):
        at = {q: float(d[1 + 4 * j + i].mean()) for i, q in enumerate(qs)}
        out.bars.append(Bar(inp.name, ends[LOW][j], ends[HIGH][j], at[LOW], at[HIGH]))
        # the bracket nearest the median where the sign changes, over P1..P99
        grid = [(ends[RANGE[0]][j], at[RANGE[0]]), (ends[LOW][j], at[LOW]), (med[j], base)]
        grid += [(ends[HIGH][j], at[HIGH]), (ends[RANGE[1]][j], at[RANGE[1]])]
        brackets = [
            (grid[i], grid[i + 1])
            for i in range(4)
            if np.sign(grid[i][1]) != np.sign(grid[i + 1][1]) and grid[i][0] < grid[i + 1][0]
        ]
        before = model.runs
        value: float | None = None
        below: bool | None = None
        if brackets:
            (lo, flo), (hi, fhi) = min(brackets, key=lambda b: abs(b[0][0] + b[1][0] - 2 * med[j]))
            tol = (grid[-1][0] - grid[0][0]) / 2**max_iter
            value = flip_threshold(
                partial(model.one, med, j),
                lo,
                hi,
                f_lo=flo,
                f_hi=fhi,
                tol=tol,
                max_iter=max_iter,
            )
            below = flo < 0 if value is not None else None
        out.thresholds.append(
            Threshold(
                inp.name,
                value,
                grid[0][0],
                grid[-1][0],
                grid[0][1],
                grid[-1][1],
                below,
                (model.runs - before) // max(1, 2 * replications),
            )
        )
    out.bars.sort(key=lambda b: -b.swing)
    return out
