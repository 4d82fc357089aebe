"""The CFO trade-off: fit a team's engagement model to fewer CSMs with the least retention loss.

Candidate changes to the segments a team serves are partial scenarios merged over the
plan: cut a touchpoint (``channel: skipped``, so it stays in the plan and counts as a
missed touch in coverage), halve it (half delivered, half skipped), move it to
one_to_many, automate it, or route more inbound requests to support. Each is scored by
the CSM hours a year it frees (closed form) per dollar of ARR at risk it adds
(simulation, paired with the full plan at today's headcount on common random numbers).
A greedy search adds the best-scoring changes until the closed-form FTE fits the offered
headcount, then looks back and drops any change the plan no longer needs; the answer is
the best (least ARR at risk) of that plan and every single change that fits alone.

The menu of changes is :mod:`simulator.analysis.tradeoff_changes` (re-exported here);
this module scores them and searches for the plan.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from simulator.analysis.analytic import estimate
from simulator.analysis.compare import Difference, paired_difference
from simulator.analysis.experiment import Experiment, run_experiment, run_points
from simulator.analysis.frontier import frontier as frontier_table
from simulator.analysis.frontier import team_values, with_csms
from simulator.analysis.tradeoff_changes import (
    Change,
    candidate_changes,
    combine_patches,
    plan_patch,
)
from simulator.scenario.lifecycle import term_days
from simulator.scenario.loader import Loaded, merge, validate_data
from simulator.scenario.model import Scenario
from simulator.scenario.yamlsource import SourceMap

__all__ = [
    "Change",
    "Scored",
    "TradeoffResult",
    "candidate_changes",
    "combine_patches",
    "plan_patch",
    "tradeoff",
]


@dataclass
class Scored:
    """A change, or a plan of changes, evaluated at the offered headcount."""

    changes: list[Change]
    fte: float
    hours_freed: float
    """CSM hours a year the changes free (closed form)."""
    arr_at_risk: Difference
    """ARR at risk against the full plan at today's headcount (paired)."""
    grr: Difference
    expected_logo_churn: Difference
    experiment: Experiment | None = field(default=None, repr=False, compare=False)
    """The replications at the offered headcount with the changes made."""

    @property
    def label(self) -> str:
        """The changes, joined."""
        return "; ".join(c.label for c in self.changes) or "(no change)"

    @property
    def ratio(self) -> float:
        """CSM hours freed per dollar of ARR put at risk (higher is better)."""
        return self.hours_freed / max(self.arr_at_risk.mean, 1.0)


@dataclass
class TradeoffResult:
    """The recommended plan, the candidates, the frontier and the break-even."""

    team: str
    segments: list[str]
    current: int
    offered: int
    cost_per_csm: float
    fte_needed: float
    plan: Scored | None
    """The recommended plan (None when nothing tried fits)."""
    candidates: list[Scored] = field(default_factory=list)
    frontier: list[dict[str, Any]] = field(default_factory=list)
    plan_patch: dict[str, Any] | None = None
    """The recommended plan as a partial scenario, for a file that extends the input."""
    reference: Experiment | None = field(default=None, repr=False, compare=False)
    """Today's plan at today's headcount (over the evaluation horizon)."""
    accounts: int = 0
    arr: float = 0.0
    replications: int = 0
    horizon_days: int = 365
    """Horizon the plans were judged over (at least two contract terms)."""
    terms: float = 1.0
    """Contract terms (of the longest term) in that horizon."""

    @property
    def savings(self) -> float:
        """People cost saved per year by the offered headcount."""
        return (self.current - self.offered) * self.cost_per_csm

    @property
    def break_even_accounts(self) -> float:
        """Accounts, at the team's average ARR, whose loss would cancel the savings."""
        return self.savings / (self.arr / self.accounts) if self.accounts and self.arr else math.nan

    @property
    def expected_extra_churned(self) -> Difference | None:
        """Extra accounts the plan is expected to lose per year (paired, with CI)."""
        if self.plan is None:
            return None
        d = self.plan.expected_logo_churn
        k = self.accounts * 365.0 / self.horizon_days
        return Difference(
            d.segment,
            "accounts",
            d.a * k,
            d.b * k,
            d.mean * k,
            d.low * k,
            d.high * k,
            d.unpaired_half_width * k,
            d.n,
        )


@dataclass
class _Judge:
    """Plans of changes for one team, judged on the same replications against today's."""

    data: dict[str, Any]
    """The team's segments of the scenario, over the evaluation horizon."""
    team: str
    segments: list[str]
    replications: int
    seed: int
    executor: Executor | None
    years: float
    """The evaluation horizon in years (ARR at risk is per year)."""
    base_fte: float
    hours_per_fte: float
    reference: Experiment
    """Today's plan at today's headcount."""

    def scenario_of(self, changes: list[Change], n: int) -> Scenario:
        """Today's plan with ``changes`` merged over it, at ``n`` CSMs."""
        merged = copy.deepcopy(self.data)
        for ch in changes:
            merged = merge(merged, copy.deepcopy(ch.patch), (), SourceMap(), SourceMap())
        return with_csms(validate_data(merged).scenario, self.team, n)

    def fte_of(self, sc: Scenario) -> float:
        """The team's closed-form FTE need in ``sc``."""
        return next(t.fte_needed for t in estimate(sc).teams if t.team == self.team)

    def fits(self, changes: list[Change], n: int) -> bool:
        """Whether the plan with ``changes`` needs at most ``n`` FTE."""
        return self.fte_of(self.scenario_of(changes, n)) <= n

    def run(self, sc: Scenario) -> Experiment:
        """The replications of ``sc`` (same seeds as every other plan)."""
        return run_experiment(sc, self.replications, self.seed, executor=self.executor, jobs=1)

    def score(self, changes: list[Change], sc: Scenario, exp: Experiment) -> Scored:
        """Hours freed and the paired retention cost of ``changes`` (scenario ``sc``)."""
        fte = self.fte_of(sc)
        return Scored(
            changes,
            fte,
            (self.base_fte - fte) * self.hours_per_fte,
            _paired(self.reference, exp, self.segments, "arr_at_risk", scale=1 / self.years),
            _paired(self.reference, exp, self.segments, "grr"),
            _paired(self.reference, exp, self.segments, "expected_logo_churn"),
            exp,
        )


def _greedy(judge: _Judge, scored: list[Scored], csms: int) -> list[Change]:
    """Best-ratio changes that free hours, one per target, until the plan fits."""
    chosen: list[Change] = []
    for x in sorted((x for x in scored if x.hours_freed > 0), key=lambda x: x.ratio, reverse=True):
        if judge.fits(chosen, csms):
            break
        if any(c.target == x.changes[0].target for c in chosen):
            continue
        chosen.append(x.changes[0])
    return chosen


def _look_back(
    judge: _Judge, chosen: list[Change], scored: list[Scored], csms: int
) -> list[Change]:
    """Drop the changes a fitting plan no longer needs, weakest first."""
    by_change = {id(x.changes[0]): x for x in scored}
    for ch in sorted(chosen, key=lambda c: by_change[id(c)].ratio):
        trial = [c for c in chosen if c is not ch]
        if trial and judge.fits(trial, csms):
            chosen = trial
    return chosen


def _search(
    judge: _Judge,
    base: Scenario,
    csms: int,
    progress: Callable[[int, int], None] | None,
) -> tuple[Scored | None, list[Scored]]:
    """The best plan at ``csms`` (least ARR at risk among the greedy plan and the single
    changes that fit alone; None: none fits) and every single change scored."""
    candidates = candidate_changes(base, judge.team)
    plans = [judge.scenario_of([c], csms) for c in candidates]
    exps = run_points(plans, judge.replications, judge.seed, judge.executor, progress)
    scored = [judge.score([c], sc, e) for c, sc, e in zip(candidates, plans, exps, strict=True)]
    chosen = _greedy(judge, scored, csms)
    options: list[Scored] = []
    if chosen and judge.fits(chosen, csms):
        chosen = _look_back(judge, chosen, scored, csms)
        sc = judge.scenario_of(chosen, csms)
        options.append(judge.score(chosen, sc, judge.run(sc)))
    options += [x for x in scored if x.fte <= csms]
    best = min(options, key=lambda x: x.arr_at_risk.mean) if options else None
    return best, scored


def _evaluation_data(loaded: Loaded, segments: list[str]) -> tuple[dict[str, Any], int, float]:
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


def _result_fields(
    judge: _Judge,
    s: Scenario,
    csms: int,
    base: Scenario,
    fte_needed: float,
    horizon: int,
    terms: float,
) -> dict[str, Any]:
    """The :class:`TradeoffResult` fields every outcome shares: the team, the offer, the book."""
    team, segments = judge.team, judge.segments
    return {
        "team": team,
        "segments": segments,
        "current": s.all_teams()[team].csms,
        "offered": csms,
        "cost_per_csm": s.all_teams()[team].annual_cost_per_csm,
        "fte_needed": fte_needed,
        "accounts": sum(base.segments[x].starting_accounts for x in segments),
        "arr": sum(base.segments[x].starting_arr for x in segments),
        "replications": judge.replications,
        "horizon_days": horizon,
        "terms": terms,
        "reference": judge.reference,
    }


def tradeoff(
    loaded: Loaded,
    team: str,
    csms: int,
    replications: int = 10,
    root_seed: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    frontier: range | None = None,
) -> TradeoffResult:
    """Fit ``team``'s segments to ``csms`` CSMs with the least ARR at risk.

    Parameters
    ----------
    loaded
        The loaded scenario; candidate changes are merged over its data.
    team
        The team whose headcount is offered.
    csms
        The headcount on offer (fewer than today's, usually).
    replications, root_seed, executor, progress
        As for :func:`run_experiment`; every evaluation uses the same replications.
    frontier
        Headcounts of the frontier table (default: csms - 2 .. today + 2).

    Raises
    ------
    ValueError
        For an unknown team.
    """
    s = loaded.scenario
    teams = s.all_teams()
    if team not in teams:
        raise ValueError(f"no team {team!r}; teams: {', '.join(teams)}")
    segments = s.segments_of(team)
    current = teams[team].csms
    data, horizon, terms = _evaluation_data(loaded, segments)
    base = validate_data(data).scenario
    team_est = next(t for t in estimate(base).teams if t.team == team)
    seed = s.seed if root_seed is None else int(root_seed)
    reference = run_experiment(
        with_csms(base, team, current), replications, seed, executor=executor, jobs=1
    )
    judge = _Judge(
        data,
        team,
        segments,
        replications,
        seed,
        executor,
        horizon / 365.0,
        team_est.fte_needed,
        team_est.customer_hours_per_csm,
        reference,
    )
    heads = frontier if frontier is not None else range(max(1, csms - 2), max(current, csms) + 3)
    common = _result_fields(judge, s, csms, base, team_est.fte_needed, horizon, terms)
    if judge.fte_of(with_csms(base, team, csms)) <= csms:
        # the plan fits as it is: no change to search for, only its outcome to report
        sc = with_csms(base, team, csms)
        plan = judge.score([], sc, judge.run(sc))
        rows = frontier_table(base, team, heads, replications, seed, executor)
        return TradeoffResult(**common, plan=plan, plan_patch={}, frontier=rows)
    best, scored = _search(judge, base, csms, progress)
    return TradeoffResult(
        **common,
        plan=best,
        candidates=sorted(scored, key=lambda x: x.ratio, reverse=True),
        frontier=frontier_table(base, team, heads, replications, seed, executor),
        plan_patch=plan_patch(best.changes) if best is not None else None,
    )


def _paired(
    base: Experiment,
    other: Experiment,
    segments: list[str],
    metric: str,
    scale: float = 1.0,
) -> Difference:
    """Paired difference of a team-level metric (see :func:`team_values`)."""
    a = team_values(base, segments, metric, scale)
    b = team_values(other, segments, metric, scale)
    return paired_difference(",".join(segments), metric, a, b)
