"""Experiments, comparisons and decisions as Arrow tables (and so pandas DataFrames).

The classes' ``to_arrow()`` and ``to_pandas()`` methods call these builders. Shares are
fractions, money is in the scenario's currency (per plan unless a column says per
year), hours are CSM hours, as in the summaries the tables are built from
(:data:`simulator.metrics.METRICS` names every metric and its unit).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from simulator.frames import columns_table, rows_table

if TYPE_CHECKING:
    import pyarrow as pa

    from simulator.analysis.compare import Comparison
    from simulator.analysis.decision import Decision
    from simulator.analysis.experiment import Experiment

__all__ = [
    "ComparisonTable",
    "DecisionTable",
    "ExperimentTable",
    "comparison_table",
    "decision_table",
    "experiment_table",
]

ExperimentTable = Literal["replications", "teams", "stats", "team_stats"]
ComparisonTable = Literal["differences", "replications"]
DecisionTable = Literal["draws", "options"]

_STATS = ("mean", "ci_low", "ci_high", "sd", "p10", "p50", "p90", "replications")


def _per_replication(exp: Experiment, by: Literal["segment", "team"]) -> list[dict[str, Any]]:
    rows = []
    for r in exp.results:
        groups = r.segments if by == "segment" else r.teams
        for name, metrics in groups.items():
            rows.append({"replication": r.replication, by: name, **metrics})
    return rows


def _stats_rows(
    exp: Experiment, by: Literal["segment", "team"], confidence: float
) -> list[dict[str, Any]]:
    groups = exp.stats(confidence) if by == "segment" else exp.team_stats(confidence)
    rows = []
    for name, metrics in groups.items():
        for metric, st in metrics.items():
            rows.append(
                {
                    by: name,
                    "metric": metric,
                    "mean": st.mean,
                    "ci_low": st.low,
                    "ci_high": st.high,
                    "sd": st.sd,
                    "p10": st.p10,
                    "p50": st.p50,
                    "p90": st.p90,
                    "replications": st.n,
                }
            )
    return rows


def experiment_table(
    exp: Experiment, table: ExperimentTable = "replications", confidence: float = 0.95
) -> pa.Table:
    """An experiment's results as a table.

    Parameters
    ----------
    exp : Experiment
        Replications of one scenario.
    table : {"replications", "teams", "stats", "team_stats"}
        ``replications``: one row per replication and segment, a column per segment
        metric; ``teams``: the same per team; ``stats``: one row per segment and metric
        with the mean, its t confidence interval (``ci_low``, ``ci_high``), standard
        deviation, P10/P50/P90 and the replications counted; ``team_stats``: the same
        per team.
    confidence : float
        Confidence level of the stats tables' intervals (a share).

    Returns
    -------
    pyarrow.Table
        Metrics in their summaries' units (see :mod:`simulator.metrics`).
    """
    if table in ("replications", "teams"):
        by: Literal["segment", "team"] = "segment" if table == "replications" else "team"
        rows = _per_replication(exp, by)
        return rows_table(rows, list(rows[0]) if rows else ["replication", by])
    if table in ("stats", "team_stats"):
        by = "segment" if table == "stats" else "team"
        return rows_table(_stats_rows(exp, by, confidence), [by, "metric", *_STATS])
    raise ValueError(f"no experiment table {table!r}")


_DIFFERENCE = ("a", "b", "mean", "low", "high", "unpaired_half_width", "n")


def comparison_table(c: Comparison, table: ComparisonTable = "differences") -> pa.Table:
    """A paired comparison's results as a table.

    Parameters
    ----------
    c : Comparison
        Alternatives run on the same replications.
    table : {"differences", "replications"}
        ``differences``: one row per alternative (after the baseline), segment and
        compared metric: the baseline's mean ``a``, the alternative's ``b``, the paired
        mean difference ``mean`` (b - a) with its 95% interval (``low``, ``high``), the
        unpaired half-width for reference, the pairs ``n`` and whether the interval
        excludes zero. ``replications``: every alternative's per-replication segment
        metrics with its label (paired rows share a replication index).

    Returns
    -------
    pyarrow.Table
        Differences in the metric's unit (shares as fractions: 0.01 is 1 pp).
    """
    if table == "differences":
        rows = [
            {
                "alternative": c.labels[i],
                "baseline": c.labels[0],
                "segment": d.segment,
                "metric": d.metric,
                **{k: getattr(d, k) for k in _DIFFERENCE},
                "significant": d.significant,
            }
            for i in range(1, len(c.experiments))
            for d in c.differences(i)
        ]
        names = ["alternative", "baseline", "segment", "metric", *_DIFFERENCE, "significant"]
        return rows_table(rows, names)
    if table == "replications":
        rows = [
            {"alternative": label, **row}
            for label, exp in zip(c.labels, c.experiments, strict=True)
            for row in _per_replication(exp, "segment")
        ]
        return rows_table(rows, list(rows[0]) if rows else ["alternative", "replication"])
    raise ValueError(f"no comparison table {table!r}")


def decision_table(d: Decision, table: DecisionTable = "draws") -> pa.Table:
    """A decision's probabilistic sensitivity analysis as a table.

    Parameters
    ----------
    d : Decision
        What ``cssim decide`` computed.
    table : {"draws", "options"}
        ``draws``: one row per outer draw and option: ``net_value`` (over the plan and
        the valuation horizon, what the decision ranks), ``net_value_plan`` (over the
        plan only), ``arr_end`` (expected ARR held at the end), and one column per
        uncertain input with its value in that draw (the same for every option of a
        draw). ``options``: one row per option: expected net value, P5/P95 (``low``,
        ``high``), Monte Carlo standard error, expected plan value, P(best) and
        expected loss, and ``best`` marking the recommended option.

    Returns
    -------
    pyarrow.Table
        Money in the scenario's currency.
    """
    p = d.psa
    if table == "draws":
        draws, options = p.horizon.shape
        cols: dict[str, Any] = {
            "draw": np.repeat(np.arange(draws), options),
            "option": [p.labels[o] for _ in range(draws) for o in range(options)],
            "net_value": p.horizon.reshape(-1),
            "net_value_plan": p.plan.reshape(-1),
            "arr_end": p.arr_end.reshape(-1),
        }
        for j, inp in enumerate(p.inputs):
            cols[inp.name] = np.repeat(p.theta[:, j], options)
        return columns_table(cols)
    if table == "options":
        rows = [{**asdict(o), "best": i == d.best} for i, o in enumerate(d.options)]
        return rows_table(rows, list(rows[0]) if rows else ["label"])
    raise ValueError(f"no decision table {table!r}")
