"""A decision between options: the PSA, its value of information and its sensitivity.

:func:`decide` runs the probabilistic sensitivity analysis (:mod:`~.decide`), the
one-way sensitivity of the two leading options (:mod:`~.sensitivity`) and reads the
value-of-information measures off the PSA sample (:mod:`~.voi`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from simulator.analysis import voi
from simulator.analysis.decide import Option, Psa, psa
from simulator.analysis.sensitivity import Sensitivity, sensitivity
from simulator.scenario.loader import Loaded

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from simulator.analysis.result_frames import DecisionTable

__all__ = ["Decision", "OptionSummary", "decide"]

INTERVAL = (5.0, 95.0)
"""Percentiles of the range of plausible worlds shown beside an expected value."""


@dataclass(frozen=True)
class OptionSummary:
    """One option across the plausible worlds (currency)."""

    label: str
    expected: float
    """Expected net value over the plan and the valuation horizon."""
    low: float
    high: float
    """P5 and P95 over the draws."""
    mc_se: float
    """Monte Carlo standard error of ``expected``."""
    expected_plan: float
    p_best: float
    expected_loss: float


@dataclass
class Decision:
    """Everything ``cssim decide`` reports."""

    psa: Psa
    options: list[OptionSummary]
    best: int
    runner_up: int
    difference: OptionSummary
    """The best minus the runner-up, draw by draw (``p_best`` is P(difference > 0))."""
    evpi: float
    evpi_metamodel: float
    evppi: list[voi.Evppi]
    ranks: list[voi.RankCorrelation]
    lambdas: np.ndarray
    acceptability: np.ndarray
    """(len(lambdas), options): P(best) when an ARR dollar held at the end is worth λ."""
    sensitivity: Sensitivity | None
    noise_share: float | None
    """Share of the variance of the difference across draws that is Monte Carlo noise."""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_arrow(self, table: DecisionTable = "draws") -> pa.Table:
        """Net values per outer draw and option with the uncertain inputs' values
        (``draws``), or the options' summaries (``options``)
        (:func:`simulator.analysis.result_frames.decision_table`)."""
        from simulator.analysis.result_frames import decision_table

        return decision_table(self, table)

    def to_pandas(self, table: DecisionTable = "draws") -> pd.DataFrame:
        """The table :meth:`to_arrow` gives, as a pandas DataFrame."""
        return self.to_arrow(table).to_pandas()


def _summary(
    label: str, x: np.ndarray, plan: np.ndarray, p_best: float, loss: float
) -> OptionSummary:
    lo, hi = np.percentile(x, INTERVAL)
    se = float(x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else float("nan")
    return OptionSummary(
        label, float(x.mean()), float(lo), float(hi), se, float(plan.mean()), p_best, loss
    )


def lambda_grid(stated: float, points: int = 41) -> np.ndarray:
    """Values of an ARR dollar for the acceptability curve: 0 to at least 5 and 2x the
    stated value, the stated value itself among them."""
    top = max(5.0, 2.0 * stated)
    return np.union1d(np.linspace(0.0, top, points), [stated])


def decide(
    options: Sequence[Option],
    draws: int = 300,
    inner: int = 1,
    root_seed: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    loadeds: Sequence[Loaded] | None = None,
    sensitivity_replications: int = 8,
) -> Decision:
    """Weigh ``options`` under uncertainty.

    Parameters
    ----------
    options
        The alternatives (the first sets the seed and the uncertain inputs).
    draws, inner
        Outer draws of the uncertain inputs; replications per draw and option.
    sensitivity_replications
        Replications per point of the tornado and threshold search (0 skips them).

    Returns
    -------
    Decision
        Expected net values, P(best), expected loss, the acceptability curve over the
        value of an ARR dollar, EVPI and EVPPI per input, rank correlations, the tornado
        and flip thresholds of the two leading options.
    """
    started = time.perf_counter()
    p = psa(options, draws, inner, root_seed, executor, progress, loadeds)
    nb = p.horizon
    pb = voi.prob_best(nb)
    loss = voi.expected_loss(nb)
    means = nb.mean(axis=0)
    order = np.argsort(-means, kind="stable")
    best, runner = int(order[0]), int(order[1])
    summaries = [
        _summary(label, nb[:, o], p.plan[:, o], float(pb[o]), float(loss[o]))
        for o, label in enumerate(p.labels)
    ]
    delta = nb[:, best] - nb[:, runner]
    diff = _summary(
        f"{p.labels[best]} - {p.labels[runner]}",
        delta,
        p.plan[:, best] - p.plan[:, runner],
        float((delta > 0).mean() + 0.5 * (delta == 0).mean()),
        float("nan"),
    )
    names = [i.name for i in p.inputs]
    k = len(names)
    notes: list[str] = []
    if k:
        evppi = voi.evppi_inputs(nb, p.theta, names)
        meta = voi.evpi_metamodel(nb, p.theta).value
        ranks = voi.rank_correlations(delta, p.theta, names)
    else:
        evppi, ranks, meta = [], [], voi.evpi(nb)
        notes.append(
            "no input is declared uncertain: the spread is Monte Carlo noise alone, so the "
            "value of information is not meaningful"
        )
    lambdas = lambda_grid(p.arr_value)
    curve = voi.acceptability(p.plan, p.arr_end, p.indirect_tail, lambdas)
    sens = None
    noise_share: float | None = None
    if k and sensitivity_replications > 0:
        sens = sensitivity(
            options,
            p.inputs,
            p.segments,
            (best, runner),
            sensitivity_replications,
            p.root_seed,
            executor,
            progress,
        )
    if not k:
        noise_share = 1.0
    elif len(delta) > 1:
        # Monte Carlo variance of a draw's mean difference: from the draws' own inner
        # replications when there are several, else from the tornado's median point
        if p.replications > 1:
            within = p.inner[:, best, :] - p.inner[:, runner, :]
            var_mc: float | None = float(within.var(axis=1, ddof=1).mean()) / p.replications
        elif sens is not None and sensitivity_replications > 1:
            var_mc = sens.noise_sd**2 / p.replications
        else:
            var_mc = None
        var_total = float(delta.var(ddof=1))
        if var_mc is not None and var_total > 0:
            noise_share = min(1.0, var_mc / var_total)
    return Decision(
        psa=p,
        options=summaries,
        best=best,
        runner_up=runner,
        difference=diff,
        evpi=voi.evpi(nb),
        evpi_metamodel=float(meta),
        evppi=evppi,
        ranks=ranks,
        lambdas=lambdas,
        acceptability=curve,
        sensitivity=sens,
        noise_share=noise_share,
        seconds=time.perf_counter() - started,
        notes=notes,
    )
