"""The CFO trade-off: fit a team's engagement model to fewer CSMs at the least loss of value.

Candidate changes to the segments a team serves are partial scenarios merged over the
plan: cut a touchpoint (``channel: skipped``, so it stays in the plan and counts as a
missed touch in coverage), halve it (half delivered, half skipped), move it to
one_to_many, automate it, or route more inbound requests to support; rules
(:mod:`simulator.analysis.tradeoff_rules`) keep renewals and EBRs of high-touch segments
and one_to_one onboarding out of the menu unless lifted. Each change is scored by its net
value per CSM hour freed (:mod:`simulator.analysis.tradeoff_score`: hours from the closed
form, split into scheduled, tied ad hoc and inbound; value simulated, paired with today's
plan at today's headcount on common random numbers). A greedy search adds the
best-scoring changes until the closed-form FTE fits the offered headcount, then drops
any change the plan no longer needs; it runs from each of the five best changes in turn.
The pick is the highest expected net value among those plans and every single change that
fits alone, by the precision rule of :mod:`simulator.analysis.tradeoff_pick`.

The menu of changes is :mod:`simulator.analysis.tradeoff_changes` (re-exported here).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from simulator.analysis.analytic import estimate
from simulator.analysis.compare import Difference
from simulator.analysis.experiment import Experiment
from simulator.analysis.frontier import frontier as frontier_table
from simulator.analysis.frontier import with_csms
from simulator.analysis.tradeoff_changes import (
    Change,
    candidate_changes,
    combine_patches,
    plan_patch,
)
from simulator.analysis.tradeoff_judge import Judge, evaluation_data
from simulator.analysis.tradeoff_pick import Verdict, pick
from simulator.analysis.tradeoff_rules import CandidateRules, Exclusion, apply_rules, check_rules
from simulator.analysis.tradeoff_score import Hours, Scored, team_hours
from simulator.scenario.loader import Loaded, validate_data

__all__ = [
    "CandidateRules",
    "Change",
    "Exclusion",
    "Hours",
    "Scored",
    "TradeoffResult",
    "Verdict",
    "candidate_changes",
    "combine_patches",
    "plan_patch",
    "tradeoff",
]


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
    verdict: Verdict | None = None
    """How sure the pick is against the runner-up (None: no change was needed or none fits)."""
    candidates: list[Scored] = field(default_factory=list)
    """Every single change the rules allow, best score first."""
    excluded: list[Exclusion] = field(default_factory=list)
    """The changes the rules left out, and why."""
    rules: CandidateRules = field(default_factory=CandidateRules)
    frontier: list[dict[str, Any]] = field(default_factory=list)
    plan_patch: dict[str, Any] | None = None
    """The recommended plan as a partial scenario, for a file that extends the input."""
    reference: Experiment | None = field(default=None, repr=False, compare=False)
    """Today's plan at today's headcount (over the evaluation horizon)."""
    accounts: int = 0
    arr: float = 0.0
    replications: int = 0
    """Replications per candidate (the pick and its rivals may have more)."""
    horizon_days: int = 365
    """Horizon the plans were judged over (at least two contract terms)."""
    terms: float = 1.0
    """Contract terms (of the longest term) in that horizon."""
    hours_today: Hours = field(default_factory=lambda: Hours(0.0, 0.0, 0.0))
    """Today's plan's CSM hours a year by kind (closed form)."""
    customer_hours_per_csm: float = math.nan
    """Customer hours a year of one CSM (after vacancy and ramp drag)."""

    @property
    def savings(self) -> float:
        """People cost saved per year by the offered headcount."""
        return (self.current - self.offered) * self.cost_per_csm

    @property
    def cost_per_hour(self) -> float:
        """People cost of one CSM customer hour (currency per hour)."""
        return self.cost_per_csm / self.customer_hours_per_csm

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


def _greedy(judge: Judge, order: list[Scored], csms: int) -> list[Change]:
    """Changes in ``order`` that free hours, one per target, until the plan fits."""
    chosen: list[Change] = []
    for x in order:
        if judge.fits(chosen, csms):
            break
        if x.hours_freed <= 0 or any(c.target == x.changes[0].target for c in chosen):
            continue
        chosen.append(x.changes[0])
    return chosen


def _rank(x: Scored) -> tuple[float, int, float, str]:
    """Candidates best first: highest score, then (ties) fewest changes, most hours, label."""
    return (-x.score, len(x.changes), -x.hours_freed, x.label)


def _look_back(judge: Judge, chosen: list[Change], scored: list[Scored], csms: int) -> list[Change]:
    """Drop the changes a fitting plan no longer needs, weakest first."""
    by_change = {id(x.changes[0]): x for x in scored}
    for ch in sorted(chosen, key=lambda c: _rank(by_change[id(c)]), reverse=True):
        trial = [c for c in chosen if c is not ch]
        if trial and judge.fits(trial, csms):
            chosen = trial
    return chosen


def _search(
    judge: Judge,
    candidates: list[Change],
    csms: int,
    replications: int,
    max_replications: int,
    starts: int,
) -> tuple[Verdict | None, list[Scored]]:
    """The pick at ``csms`` (None: nothing fits) and every single change scored.

    The greedy search runs once from each of the ``starts`` best-scoring changes (the
    rest in score order after it), so a near-tie in the scores at few replications
    yields rival plans for the precision rule rather than a coin toss. A plan lists its
    changes in menu order (the order of the scenario's touchpoints).
    """
    plans = [judge.scenario_of([c], csms) for c in candidates]
    exps = judge.run(plans, replications)
    scored = sorted((judge.score([c], e) for c, e in zip(candidates, exps, strict=True)), key=_rank)
    options: dict[str, Scored] = {x.label: x for x in scored if x.fte <= csms}
    combos: dict[frozenset[str], list[Change]] = {}
    useful = [x for x in scored if x.hours_freed > 0]
    for k in range(min(starts, len(useful))):
        chosen = _greedy(judge, [useful[k], *useful[:k], *useful[k + 1 :]], csms)
        if chosen and judge.fits(chosen, csms):
            chosen = sorted(_look_back(judge, chosen, scored, csms), key=candidates.index)
            combos.setdefault(frozenset(c.label for c in chosen), chosen)
    multi = [ch for ch in combos.values() if len(ch) > 1]
    exps = judge.run([judge.scenario_of(ch, csms) for ch in multi], replications)
    for ch, e in zip(multi, exps, strict=True):
        plan = judge.score(ch, e)
        options[plan.label] = plan
    verdict = pick(list(options.values()), judge.extend, max(replications, max_replications))
    return verdict, scored


def tradeoff(
    loaded: Loaded,
    team: str,
    csms: int,
    replications: int = 10,
    root_seed: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    frontier: range | None = None,
    rules: CandidateRules | None = None,
    max_replications: int = 40,
    starts: int = 5,
) -> TradeoffResult:
    """Fit ``team``'s segments to ``csms`` CSMs at the highest expected net value.

    Parameters
    ----------
    loaded
        The loaded scenario; candidate changes are merged over its data.
    team
        The team whose headcount is offered.
    csms
        The headcount on offer (fewer than today's, usually).
    replications, root_seed, executor, progress
        Replications per candidate, their seed, where they run and a ``progress(done,
        total)`` callback; every evaluation uses the same replications.
    frontier
        Headcounts of the frontier table (default: csms - 2 .. today + 2).
    rules
        Which changes may be offered (default: :class:`CandidateRules`).
    max_replications
        Most replications the precision rule gives the pick and its rivals.
    starts
        The greedy search starts from each of this many best-scoring changes.

    Raises
    ------
    ValueError
        For an unknown team, or a ``rules.keep`` entry that names no touchpoint.
    """
    rules = rules if rules is not None else CandidateRules()
    s = loaded.scenario
    teams = s.all_teams()
    if team not in teams:
        raise ValueError(f"no team {team!r}; teams: {', '.join(teams)}")
    check_rules(s, team, rules)
    segments = s.segments_of(team)
    current = teams[team].csms
    data, horizon, terms = evaluation_data(loaded, segments)
    base = validate_data(data).scenario
    est = estimate(base)
    team_est = est.team(team)
    seed = s.seed if root_seed is None else int(root_seed)
    judge = Judge(
        data, team, segments, seed, executor, horizon / 365.0, team_hours(est, segments), progress
    )
    judge.reference = judge.run([with_csms(base, team, current)], replications)[0]
    heads = frontier if frontier is not None else range(max(1, csms - 2), max(current, csms) + 3)
    common: dict[str, Any] = {
        "team": team,
        "segments": segments,
        "current": current,
        "offered": csms,
        "cost_per_csm": teams[team].annual_cost_per_csm,
        "fte_needed": team_est.fte_needed,
        "accounts": sum(base.segments[x].starting_accounts for x in segments),
        "arr": sum(base.segments[x].starting_arr for x in segments),
        "replications": replications,
        "horizon_days": horizon,
        "terms": terms,
        "reference": judge.reference,
        "rules": rules,
        "hours_today": judge.base_hours,
        "customer_hours_per_csm": team_est.customer_hours_per_csm,
    }
    if judge.fte_of(with_csms(base, team, csms)) <= csms:
        # the plan fits as it is: no change to search for, only its outcome to report
        plan = judge.score([], judge.run([with_csms(base, team, csms)], replications)[0])
        rows = frontier_table(base, team, heads, replications, seed, executor)
        return TradeoffResult(**common, plan=plan, plan_patch={}, frontier=rows)
    allowed, excluded = apply_rules(base, candidate_changes(base, team), rules)
    verdict, scored = _search(judge, allowed, csms, replications, max_replications, starts)
    best = verdict.pick if verdict is not None else None
    return TradeoffResult(
        **common,
        plan=best,
        verdict=verdict,
        candidates=scored,
        excluded=excluded,
        frontier=frontier_table(base, team, heads, replications, seed, executor),
        plan_patch=plan_patch(best.changes) if best is not None else None,
    )
