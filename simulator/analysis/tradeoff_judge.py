"""Plans of changes for one team, simulated on the same replications as today's plan.

Every plan runs replications 0..n-1 of the same seed (common random numbers), so a
plan's outcome minus today's, replication by replication, is a paired difference; more
replications extend a plan with the next indices (and today's plan with it).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from simulator.analysis.analytic import estimate
from simulator.analysis.experiment import Experiment, ReplicationResult, run_replication
from simulator.analysis.frontier import team_values, with_csms
from simulator.analysis.tradeoff_changes import Change
from simulator.analysis.tradeoff_score import (
    Hours,
    Scored,
    net_values,
    paired,
    people_costs,
    team_hours,
)
from simulator.scenario.lifecycle import term_days
from simulator.scenario.loader import Loaded, merge, validate_data
from simulator.scenario.model import Scenario
from simulator.scenario.yamlsource import SourceMap

__all__ = ["Judge", "evaluation_data"]


def evaluation_data(loaded: Loaded, segments: list[str]) -> tuple[dict[str, Any], int, float]:
    """The team's segments of the scenario data, the horizon (days) they are judged over
    (at least two of the longest contract terms: a cut shows at the renewal after it), and
    the terms in it."""
    s = loaded.scenario
    # only the team's segments matter (teams do not share anything): simulate just those
    data = dict(loaded.data)
    data["segments"] = {k: v for k, v in loaded.data["segments"].items() if k in segments}
    longest = max(term_days(s.segments[x].contract_term_months) for x in segments)
    horizon = min(3650, max(s.horizon_days, math.ceil(2 * longest)))
    data["horizon_days"] = horizon
    return data, horizon, horizon / longest


@dataclass
class Judge:
    """Plans of changes for one team, judged on the same replications against today's."""

    data: dict[str, Any]
    """The team's segments of the scenario, over the evaluation horizon."""
    team: str
    segments: list[str]
    seed: int
    executor: Executor | None
    years: float
    """The evaluation horizon in years."""
    base_hours: Hours
    """Today's plan's CSM hours a year by kind (closed form)."""
    progress: Callable[[int, int], None] | None = None
    reference: Experiment = field(init=False)
    """Today's plan at today's headcount (extended with the plans it is compared with);
    set by the caller before any plan is scored."""

    def scenario_of(self, changes: list[Change], n: int) -> Scenario:
        """Today's plan with ``changes`` merged over it, at ``n`` CSMs."""
        merged = copy.deepcopy(self.data)
        for ch in changes:
            merged = merge(merged, copy.deepcopy(ch.patch), (), SourceMap(), SourceMap())
        return with_csms(validate_data(merged).scenario, self.team, n)

    def fte_of(self, sc: Scenario) -> float:
        """The team's closed-form FTE need in ``sc``."""
        return estimate(sc).team(self.team).fte_needed

    def fits(self, changes: list[Change], n: int) -> bool:
        """Whether the plan with ``changes`` needs at most ``n`` FTE."""
        return self.fte_of(self.scenario_of(changes, n)) <= n

    def _replicate(self, jobs: list[tuple[Scenario, int]]) -> list[ReplicationResult]:
        """Run (scenario, replication) jobs, results in job order."""
        if self.executor is None:
            out = []
            for k, (sc, i) in enumerate(jobs):
                out.append(run_replication(sc, i, self.seed))
                if self.progress is not None:
                    self.progress(k + 1, len(jobs))
            return out
        scs, idx = [j[0] for j in jobs], [j[1] for j in jobs]
        out = []
        for k, res in enumerate(
            self.executor.map(run_replication, scs, idx, [self.seed] * len(jobs))
        ):
            out.append(res)
            if self.progress is not None:
                self.progress(k + 1, len(jobs))
        return out

    def run(self, scenarios: list[Scenario], n: int) -> list[Experiment]:
        """Replications 0..n-1 of each scenario."""
        results = self._replicate([(sc, i) for sc in scenarios for i in range(n)])
        return [
            Experiment(sc, self.seed, results[p * n : (p + 1) * n])
            for p, sc in enumerate(scenarios)
        ]

    def extend(self, plans: list[Scored], n: int) -> list[Scored]:
        """``plans`` (and today's plan) re-scored on replications 0..n-1."""
        exps = [self.reference] + [p.experiment for p in plans if p.experiment is not None]
        jobs = [(e, i) for e in exps for i in range(e.replications, n)]
        results = self._replicate([(e.scenario, i) for e, i in jobs])
        for (e, _), res in zip(jobs, results, strict=True):
            e.results.append(res)
        return [self.score(p.changes, p.experiment) for p in plans if p.experiment is not None]

    def score(self, changes: list[Change], exp: Experiment) -> Scored:
        """Hours freed and the paired outcome of ``changes`` (replications ``exp``)."""
        sc = exp.scenario
        est = estimate(sc)
        name = ",".join(self.segments)
        ref, segs = self.reference, self.segments

        def diff(metric: str, scale: float = 1.0) -> Any:
            a = team_values(ref, segs, metric, scale)
            b = team_values(exp, segs, metric, scale)
            return paired(name, metric, a, b)

        values, ref_values = net_values(exp, segs), net_values(ref, segs)
        return Scored(
            changes,
            est.team(self.team).fte_needed,
            self.base_hours - team_hours(est, segs),
            paired(name, "net_value", ref_values, values),
            paired(
                name,
                "value_before_people",
                ref_values + people_costs(ref, segs),
                values + people_costs(exp, segs),
            ),
            diff("arr_at_risk", 1 / self.years),
            diff("grr"),
            diff("expected_logo_churn"),
            self.years,
            exp,
            values,
        )
