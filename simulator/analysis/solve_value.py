"""Headcount on value: the CSMs per team that maximise expected net value.

Every headcount tried is simulated on the same replications (common random numbers). When
the scenario declares uncertain inputs, replication ``k`` also draws them once (draw
``k``, the same at every headcount), so the expectation and the intervals cover what we
do not know about the effect sizes as well as Monte Carlo noise. The marginal value of
the N-th CSM is the paired difference of net value between N and N - 1 CSMs: the value
of the retention and expansion it buys against its cost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np

from simulator import metrics
from simulator.analysis.analytic import estimate
from simulator.analysis.compare import paired_difference
from simulator.analysis.decide_scope import reduced_data
from simulator.analysis.experiment import run_jobs, summarise
from simulator.analysis.frontier import with_csms
from simulator.analysis.value import net_value
from simulator.scenario.loader import Loaded
from simulator.scenario.uncertain import (
    UncertainInput,
    apply_values,
    draw_values,
    scenario_with,
    uncertain_inputs,
)

__all__ = ["Marginal", "ValueSolution", "solve_value", "value_note"]

SPAN = 2
"""Headcounts tried on each side of the closed form before the search follows the slope."""


@dataclass(frozen=True)
class Marginal:
    """What the N-th CSM buys: net value at N minus at N - 1 (paired, currency)."""

    csms: int
    value: float
    low: float
    high: float
    cost: float
    """The CSM's people cost over the plan as the engine charges it (mean paired
    difference of people cost, vacancies and ramp included; already inside ``value``)."""

    @property
    def retention_value(self) -> float:
        """Value of what the CSM buys before its cost: ``value + cost``."""
        return self.value + self.cost


@dataclass
class ValueSolution:
    """One team's headcount on value."""

    team: str
    segments: list[str]
    current: int
    closed_form_csms: int
    best: int
    """The headcount with the highest expected net value among those tried."""
    values: dict[int, tuple[float, float, float]]
    """Headcount -> expected net value over the plan and valuation horizon, 95% CI."""
    marginals: list[Marginal]
    replications: int
    uncertain: list[str] = field(default_factory=list)
    """Inputs drawn once per replication (empty: the stated values)."""
    at_limit: bool = False
    """The best headcount is the largest the search was allowed to try (more might be
    better still)."""

    def marginal(self, n: int) -> Marginal | None:
        """The marginal value of the ``n``-th CSM, if both n and n - 1 were tried."""
        return next((m for m in self.marginals if m.csms == n), None)


def _team_data(loaded: Loaded, team: str) -> tuple[dict, list[str]]:
    s = loaded.scenario
    segs = s.segments_of(team)
    return reduced_data(loaded.data, segs, s.resolved_burn_in_days), segs


def solve_value(
    loaded: Loaded,
    team: str,
    replications: int = 20,
    root_seed: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_csms: int | None = None,
) -> ValueSolution:
    """The headcount of ``team`` with the highest expected net value.

    Tries the closed-form headcount and ``SPAN`` either side, then keeps going in the
    direction the value rises until it falls (or ``max_csms``, or 0 CSMs).

    Raises
    ------
    ValueError
        For an unknown team.
    """
    s = loaded.scenario
    teams = s.all_teams()
    if team not in teams:
        raise ValueError(f"no team {team!r}; teams: {', '.join(teams)}")
    seed = s.seed if root_seed is None else int(root_seed)
    data, segs = _team_data(loaded, team)
    inputs: list[UncertainInput] = uncertain_inputs(loaded)
    if inputs:
        theta = draw_values(inputs, replications, seed)
        per_rep = [scenario_with(apply_values(data, inputs, list(row)), [], []) for row in theta]
    else:
        base = scenario_with(data, [], [])
        per_rep = [base] * replications
    est = next(t for t in estimate(per_rep[0]).teams if t.team == team)
    limit = max_csms if max_csms is not None else 3 * max(est.csms_needed, 1) + 5
    start = min(max(est.csms_needed, 1), limit)
    values: dict[int, np.ndarray] = {}
    people: dict[int, np.ndarray] = {}

    def run(ns: Sequence[int]) -> None:
        ns = [n for n in ns if n not in values and 0 <= n <= limit]
        jobs = [(with_csms(per_rep[k], team, n), k) for n in ns for k in range(replications)]
        results = run_jobs(jobs, seed, executor, progress)
        for i, n in enumerate(ns):
            chunk = results[i * replications : (i + 1) * replications]
            values[n] = np.array(
                [net_value(per_rep[k], r.segments, segs)[1] for k, r in enumerate(chunk)]
            )
            people[n] = np.array(
                [sum(r.segments[x].get("people_cost", 0.0) for x in segs) for r in chunk]
            )

    run(range(max(0, start - SPAN), start + SPAN + 1))
    while True:
        means = {n: float(v.mean()) for n, v in values.items()}
        best = max(means, key=lambda n: (means[n], -n))
        lo, hi = min(values), max(values)
        if best == hi and hi < limit:
            run([hi + 1])
        elif best == lo and lo > 0:
            run([lo - 1])
        else:
            break
    marginals = []
    for n in sorted(values):
        if n - 1 in values:
            d = paired_difference(team, "net_value", values[n - 1], values[n])
            # what the engine charges for the extra CSM (vacancies and ramp included)
            cost = float((people[n] - people[n - 1]).mean())
            marginals.append(Marginal(n, d.mean, d.low, d.high, cost))
    # net value is signed (a plan can lose money): its interval is the plain t interval
    stats = {n: summarise(v, bounds=metrics.UNBOUNDED) for n, v in sorted(values.items())}
    return ValueSolution(
        team=team,
        segments=segs,
        current=teams[team].csms,
        closed_form_csms=est.csms_needed,
        best=best,
        values={n: (st.mean, st.low, st.high) for n, st in stats.items()},
        marginals=marginals,
        replications=replications,
        uncertain=[i.name for i in inputs],
        at_limit=best == limit,
    )


def value_note(sol: ValueSolution) -> str:
    """Where the inputs came from, for a report."""
    if sol.uncertain:
        return (
            f"each of the {sol.replications} replications draws the {len(sol.uncertain)} "
            "uncertain inputs once (the same draws at every headcount)"
        )
    return "at the scenario's stated inputs (no uncertain: block)"
