"""The headcount frontier: one team's plan simulated at a range of headcounts.

Every headcount runs the same replications (common random numbers), so the rows differ
only by staffing: what a CFO's offer of N CSMs buys in retention and on-time coverage.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np

from simulator import metrics
from simulator.analysis.analytic import estimate
from simulator.analysis.experiment import Experiment, run_points, summarise
from simulator.scenario.model import Scenario, Team

__all__ = [
    "FRONTIER_METRICS",
    "WEIGHTS",
    "default_headcounts",
    "frontier",
    "frontier_row",
    "team_only",
    "team_values",
    "with_csms",
]

FRONTIER_METRICS = metrics.FRONTIER
"""Team-level metrics of a frontier row (each with ``_low``/``_high`` 95% CI bounds)."""


def default_headcounts(scenario: Scenario, team: str) -> range:
    """Headcounts around today's and the closed-form need: min - 2 .. max + 2 (at least 1)."""
    current = scenario.all_teams()[team].csms
    need = next(t.csms_needed for t in estimate(scenario).teams if t.team == team)
    return range(max(1, min(current, need) - 2), max(current, need) + 3)


def frontier(
    scenario: Scenario,
    team: str,
    headcounts: Sequence[int] | None = None,
    replications: int = 10,
    root_seed: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Simulate ``team``'s segments at each headcount.

    Returns
    -------
    list of dict
        One row per headcount: ``team``, ``csms``, ``people_cost`` (currency per year),
        and for each of :data:`FRONTIER_METRICS` the mean with its 95% CI
        (``grr``, ``grr_low``, ``grr_high``, ...). Shares are fractions; ARR at risk is
        currency per year; shares are weighted across the team's segments.
    """
    teams = scenario.all_teams()
    if team not in teams:
        raise ValueError(f"no team {team!r}; teams: {', '.join(teams)}")
    segments = scenario.segments_of(team)
    heads = list(headcounts) if headcounts is not None else list(default_headcounts(scenario, team))
    seed = scenario.seed if root_seed is None else int(root_seed)
    base = team_only(scenario, team)
    years = scenario.horizon_days / 365.0
    cost = teams[team].annual_cost_per_csm
    points = run_points(
        [with_csms(base, team, n) for n in heads], replications, seed, executor, progress
    )
    return [
        frontier_row(exp, team, segments, n, cost, years)
        for n, exp in zip(heads, points, strict=True)
    ]


def frontier_row(
    exp: Experiment,
    team: str,
    segments: list[str],
    csms: int,
    cost_per_csm: float,
    years: float | None = None,
) -> dict[str, Any]:
    """One frontier row from an experiment of ``team`` at ``csms`` CSMs (see :func:`frontier`)."""
    years = exp.scenario.horizon_days / 365.0 if years is None else years
    row: dict[str, Any] = {"team": team, "csms": csms, "people_cost": csms * cost_per_csm}
    for metric in FRONTIER_METRICS:
        if metric == "utilisation":
            st = summarise(
                [r.teams[team]["utilisation"] for r in exp.results],
                bounds=metrics.bounds_of(metric),
            )
        else:
            scale = 1 / years if metric == "arr_at_risk" else 1.0  # money per year
            st = summarise(
                team_values(exp, segments, metric, scale), bounds=metrics.bounds_of(metric)
            )
        row[metric], row[f"{metric}_low"], row[f"{metric}_high"] = st.mean, st.low, st.high
    return row


WEIGHTS = {m.name: m.weight for m in metrics.METRICS if m.weight is not None}
"""What a team-level share is weighted by across the team's segments (:attr:`Metric.weight`)."""


def team_values(
    exp: Experiment, segments: list[str], metric: str, scale: float = 1.0
) -> np.ndarray:
    """Per-replication value of a metric for a team: money summed over its segments,
    shares weighted by accounts (churn), starting ARR (GRR, NRR) or touches (on time)."""
    vals = np.array([exp.values(seg, metric) for seg in segments])
    if metric not in WEIGHTS:
        return vals.sum(axis=0) * scale
    w = np.array([exp.values(seg, WEIGHTS[metric]) for seg in segments])
    w = np.where(np.isnan(vals), 0.0, w)
    total = w.sum(axis=0)
    out = np.where(total > 0, np.nansum(vals * w, axis=0) / np.where(total > 0, total, 1.0), np.nan)
    return out * scale


def with_csms(s: Scenario, team: str, csms: int) -> Scenario:
    """The scenario with ``team`` at ``csms`` CSMs at the start (an inline or named team)."""
    if team in s.teams:
        teams = dict(s.teams)
        teams[team] = teams[team].model_copy(update={"csms": csms})
        return s.model_copy(update={"teams": teams})
    segments = dict(s.segments)
    seg = segments[team]
    assert isinstance(seg.team, Team)
    segments[team] = seg.model_copy(update={"team": seg.team.model_copy(update={"csms": csms})})
    return s.model_copy(update={"segments": segments})


def team_only(s: Scenario, team: str) -> Scenario:
    """The scenario reduced to the segments ``team`` serves (teams do not interact)."""
    keep = s.segments_of(team)
    teams = {k: v for k, v in s.teams.items() if k == team}
    return s.model_copy(update={"segments": {k: s.segments[k] for k in keep}, "teams": teams})
