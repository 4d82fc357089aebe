"""Monte Carlo replications of a scenario and their statistics.

Each replication is a pure top-level function of (scenario, replication index, root
seed), so results do not depend on where or in which order replications run.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator import metrics as registry
from simulator.analysis.intervals import MetricStats, summarise
from simulator.engine.simulation import simulate
from simulator.scenario.lifecycle import DAYS_PER_MONTH
from simulator.scenario.model import Scenario

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from simulator.analysis.result_frames import ExperimentTable

__all__ = [
    "PRECISION_METRICS",
    "Experiment",
    "MetricStats",
    "Precision",
    "ReplicationResult",
    "calendar_month",
    "run_experiment",
    "run_jobs",
    "run_points",
    "run_replication",
    "summarise",
]

HEADLINE = registry.HEADLINE
"""Metrics shown first in reports (:data:`simulator.metrics.HEADLINE`)."""


def calendar_month(start: dt.date, month: int) -> str:
    """What to call month ``month`` (1-based) of a plan starting on ``start``.

    A plan month is a twelfth of a year (30.44 days) from ``start``. For a plan starting
    on one of a month's first ten days every plan month's midpoint falls between the 14th
    and the 27th of a calendar month, one per month, and the plan month is named by it
    (``2027-01``, ``2027-02``, ...). Starting later, two midpoints could share a calendar
    month or skip one, so each plan month is named by its first day (``2027-01-31``).
    """
    if start.day <= 10:
        mid = start + dt.timedelta(days=(month - 0.5) * DAYS_PER_MONTH)
        return f"{mid.year:04d}-{mid.month:02d}"
    first = start + dt.timedelta(days=round((month - 1) * DAYS_PER_MONTH))
    return first.isoformat()


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
    csm_books: list[dict[str, Any]] = field(default_factory=list)
    """Per segment and CSM: the book NRR of the renewals the CSM owned
    (:meth:`~simulator.engine.records.Records.csm_books`)."""


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
        csm_books=rec.csm_books(),
    )


@dataclass
class Experiment:
    """Replications of one scenario, in replication order."""

    scenario: Scenario
    root_seed: int
    results: list[ReplicationResult] = field(default_factory=list)
    precision: Precision | None = None

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
            out[seg] = {
                m: summarise(self.values(seg, m), confidence, registry.bounds_of(m))
                for m in metrics
            }
        return out

    def team_stats(self, confidence: float = 0.95) -> dict[str, dict[str, MetricStats]]:
        """Every team metric summarised across replications."""
        out: dict[str, dict[str, MetricStats]] = {}
        if not self.results:
            return out
        for team, metrics in self.results[0].teams.items():
            out[team] = {
                m: summarise(
                    [r.teams[team][m] for r in self.results], confidence, registry.bounds_of(m)
                )
                for m in metrics
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

    def csm_book_rows(self) -> list[dict[str, Any]]:
        """Every replication's CSM books (segment, CSM, renewals, ARR up and returned,
        book NRR, quota), with the replication index."""
        return [{"replication": r.replication, **row} for r in self.results for row in r.csm_books]

    def monthly_fan(self) -> list[dict[str, Any]]:
        """Month-end series across replications: mean and P10/P50/P90 per month.

        Teams: backlog tasks, utilisation, headcount; segments: accounts and ARR. Each
        row has the month of the plan (``month``, 1-based) and its calendar month
        (``calendar_month``: :func:`calendar_month`, ``YYYY-MM``, or the month's first day
        ``YYYY-MM-DD`` when the plan starts after the 10th).
        """
        if not self.results:
            return []
        groups: dict[tuple[str, str, int], dict[str, list[float]]] = {}
        for r in self.results:
            for row in r.monthly:
                key = (row["kind"], row["name"], row["month"])
                bucket = groups.setdefault(key, {})
                for k, v in row.items():
                    if k not in ("kind", "name", "month") and isinstance(v, int | float):
                        bucket.setdefault(k, []).append(float(v))
        out = []
        start = self.scenario.start_date
        for (kind, name, month), metrics in groups.items():
            for metric, values in metrics.items():
                if metric == "day":
                    continue
                x = np.asarray(values)
                p10, p50, p90 = np.percentile(x, [10, 50, 90])
                out.append(
                    {
                        "kind": kind,
                        "name": name,
                        "month": month,
                        "calendar_month": calendar_month(start, int(month)),
                        "metric": metric,
                        "mean": float(x.mean()),
                        "p10": float(p10),
                        "p50": float(p50),
                        "p90": float(p90),
                    }
                )
        return out

    def rows(self, confidence: float = 0.95) -> list[dict[str, Any]]:
        """Tidy rows: segment x metric with mean, CI, quantiles, replications and how the
        interval was made (``ci_method``: :attr:`MetricStats.method`)."""
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
                        "ci_method": st.method,
                    }
                )
        return out

    def to_arrow(
        self, table: ExperimentTable = "replications", confidence: float = 0.95
    ) -> pa.Table:
        """Per-replication metrics by segment (``replications``) or team (``teams``), or
        their statistics (``stats``, ``team_stats``: mean, CI, P10/P50/P90)
        (:func:`simulator.analysis.result_frames.experiment_table`)."""
        from simulator.analysis.result_frames import experiment_table

        return experiment_table(self, table, confidence)

    def to_pandas(
        self, table: ExperimentTable = "replications", confidence: float = 0.95
    ) -> pd.DataFrame:
        """The table :meth:`to_arrow` gives, as a pandas DataFrame."""
        return self.to_arrow(table, confidence).to_pandas()


PRECISION_METRICS = registry.PRECISION
"""Metrics the precision rule watches (:data:`simulator.metrics.PRECISION`)."""


@dataclass
class Precision:
    """Where the precision rule stopped."""

    target: float
    reached: dict[str, float]
    """Worst relative half-width per metric (over segments) after the last batch."""
    met: bool
    history: list[tuple[int, float]] = field(default_factory=list)
    """(replications, worst relative half-width) after each batch."""


def _relative_half_widths(exp: Experiment, metrics: Sequence[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for metrics_by_name in exp.stats().values():
        for m in metrics:
            st = metrics_by_name.get(m)
            if st is None or st.n < 2 or math.isnan(st.mean):
                continue
            rel = (
                st.half_width / abs(st.mean)
                if st.mean != 0
                else (0.0 if st.half_width == 0 else math.inf)
            )
            out[m] = max(out.get(m, 0.0), rel)
    return out


def _dispatch(
    jobs: Sequence[tuple[Scenario, int]],
    seed: int,
    executor: Executor | None,
    progress: Callable[[int, int], None] | None,
    done: int = 0,
    total: int | None = None,
    fn: Callable[[Scenario, int, int], Any] = run_replication,
) -> list[Any]:
    """Run (scenario, replication) jobs in this process or on ``executor``.

    ``fn(scenario, replication, seed)`` runs one job (a module-level function, so that
    it pickles). Results come back in job order whatever order they finish in; on an
    error or an interrupt the jobs not yet started are cancelled.
    """
    total = len(jobs) + done if total is None else total
    if executor is None:
        out = []
        for scenario, i in jobs:
            out.append(fn(scenario, i, seed))
            done += 1
            if progress is not None:
                progress(done, total)
        return out
    futures = {executor.submit(fn, sc, i, seed): k for k, (sc, i) in enumerate(jobs)}
    results: dict[int, Any] = {}
    try:
        for fut in as_completed(futures):
            results[futures[fut]] = fut.result()
            done += 1
            if progress is not None:
                progress(done, total)
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise
    return [results[k] for k in range(len(jobs))]


def run_jobs(
    jobs: Sequence[tuple[Scenario, int]],
    root_seed: int,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    done: int = 0,
    total: int | None = None,
    fn: Callable[[Scenario, int, int], Any] = run_replication,
) -> list[Any]:
    """Run (scenario, replication index) jobs, in this process or on ``executor``.

    ``fn(scenario, replication, root_seed)`` runs one job (default
    :func:`run_replication`, giving a :class:`ReplicationResult`). Results come back in
    job order whatever order they finish in, so they do not depend on the executor;
    ``progress(done, total)`` counts from ``done`` towards ``total``.
    """
    return _dispatch(jobs, root_seed, executor, progress, done, total, fn)


def run_points(
    scenarios: Sequence[Scenario],
    replications: int,
    root_seed: int,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Experiment]:
    """Replications 0..n-1 of every scenario, all dispatched at once (a sweep's grid).

    Every point uses the same seed, so points differ only by what they change (common
    random numbers); results come back in point and replication order.
    """
    jobs = [(s, i) for s in scenarios for i in range(replications)]
    results = _dispatch(jobs, root_seed, executor, progress)
    return [
        Experiment(s, root_seed, results[p * replications : (p + 1) * replications])
        for p, s in enumerate(scenarios)
    ]


def run_experiment(
    scenario: Scenario,
    replications: int | None = 10,
    root_seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    precision: float | None = None,
    min_replications: int = 10,
    max_replications: int = 200,
    jobs: int | None = None,
    executor: Executor | None = None,
) -> Experiment:
    """Run replications of a scenario, serially or through an executor.

    Parameters
    ----------
    scenario
        A validated scenario.
    replications
        How many (>= 1); ignored when ``precision`` is given.
    root_seed
        Root of every random stream; the scenario's ``seed`` when None.
    progress
        Called as ``progress(done, total)`` after each replication (``total`` may grow
        under the precision rule).
    precision
        Relative half-width target, e.g. 0.02: replications are added in batches until the
        95% CI half-width of every metric in :data:`PRECISION_METRICS` is at most this
        share of its mean (at least ``min_replications``, at most ``max_replications``).
    jobs
        Worker processes for a process pool when no ``executor`` is given (default: the
        machine's cores; 1 runs in this process).
    executor
        Any ``concurrent.futures.Executor`` (e.g. a Dask ``Client.get_executor()``);
        the caller owns it.

    Results are combined in replication order, so they are identical for any executor or
    number of workers.
    """
    seed = scenario.seed if root_seed is None else int(root_seed)
    if precision is None:
        if replications is None or replications < 1:
            raise ValueError("replications must be at least 1")
    else:
        if not (0 < precision < 1):
            raise ValueError(f"precision must be a fraction between 0 and 1 (got {precision})")
        if max_replications < 2:
            raise ValueError(f"max_replications must be at least 2 (got {max_replications})")
        # a cap below the usual first batch makes the cap the first batch
        min_replications = max(2, min(min_replications, max_replications))
    owned: Executor | None = None
    if executor is None:
        n_jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        if n_jobs > 1:
            owned = executor = ProcessPoolExecutor(max_workers=n_jobs)
    try:
        exp = Experiment(scenario, seed)
        if precision is None:
            n = int(replications or 1)
            exp.results = _dispatch([(scenario, i) for i in range(n)], seed, executor, progress)
            return exp
        n = min_replications
        total = n
        history: list[tuple[int, float]] = []
        while True:
            batch = [(scenario, i) for i in range(exp.replications, n)]
            exp.results += _dispatch(batch, seed, executor, progress, exp.replications, total)
            reached = _relative_half_widths(exp, PRECISION_METRICS)
            met = all(v <= precision for v in reached.values())
            history.append((exp.replications, max(reached.values(), default=0.0)))
            if met or exp.replications >= max_replications:
                exp.precision = Precision(precision, reached, met, history)
                return exp
            # n_needed ~ n (h / target)^2 for the worst metric; grow by at least a tenth
            worst = max(reached.values())
            needed = math.ceil(exp.replications * (worst / precision) ** 2)
            n = min(
                max_replications, max(needed, exp.replications + max(2, exp.replications // 10))
            )
            total = n
    finally:
        if owned is not None:
            owned.shutdown(wait=True, cancel_futures=True)
