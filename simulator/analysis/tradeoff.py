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
from simulator.scenario.lifecycle import term_days
from simulator.scenario.loader import Loaded, merge, validate_data
from simulator.scenario.model import Scenario
from simulator.scenario.yamlsource import SourceMap

__all__ = ["Change", "Scored", "TradeoffResult", "candidate_changes", "combine_patches", "tradeoff"]


@dataclass(frozen=True)
class Change:
    """One change to the engagement model, as a partial scenario."""

    label: str
    target: str
    """What it changes (one change per touchpoint or inbound routing in a plan)."""
    patch: dict[str, Any]


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


def _touch(segment: str, name: str, body: Any) -> dict[str, Any]:
    return {"segments": {segment: {"touchpoints": {name: body}}}}


def candidate_changes(s: Scenario, team: str) -> list[Change]:
    """Every single change considered for the segments ``team`` serves."""
    out: list[Change] = []
    for seg_name in s.segments_of(team):
        seg = s.segments[seg_name]
        for name, tp in seg.touchpoints.items():
            trig = tp.trigger
            if trig.kind not in ("stage_entry", "cadence", "before_renewal"):
                continue
            if tp.channel in ("automated", "skipped"):
                continue
            where = f"{seg_name}.{name}"
            out.append(
                Change(f"cut {where}", where, _touch(seg_name, name, {"channel": "skipped"}))
            )
            cut_name = f"{name}_cut"
            halves: tuple[dict[str, Any], dict[str, Any]] | None = None
            if trig.kind == "cadence":
                half: dict[str, Any] = {
                    "kind": "cadence",
                    "per_year": trig.touches_per_year / 2,
                    "every_days": None,  # null deletes an every_days the trigger had
                }
                if trig.stages:
                    half["stages"] = list(trig.stages)
                halves = (half, half)
            elif trig.kind == "stage_entry" and len(trig.offsets) > 1:
                k = len(trig.offsets) // 2
                entry = {"kind": "stage_entry", "stage": trig.stage}
                halves = (
                    {**entry, "offset_days": trig.offsets[:k]},
                    {**entry, "offset_days": trig.offsets[k:]},
                )
            if halves is not None and cut_name not in seg.touchpoints:
                # half still delivered; the other half planned but skipped
                kept, cut = halves
                patch = {
                    "segments": {
                        seg_name: {
                            "touchpoints": {
                                name: {"trigger": kept},
                                cut_name: {
                                    "trigger": cut,
                                    "channel": "skipped",
                                    "weight": tp.weight,
                                },
                            }
                        }
                    }
                }
                out.append(Change(f"halve {where}", where, patch))
            if tp.channel == "one_to_one" and trig.kind != "before_renewal":
                # a renewal conversation is individual: never offered as a webinar
                webinar = {
                    "channel": "one_to_many",
                    "hours": 2,
                    "max_attendees": 10,
                    "session_every_days": 30,
                    "due_days": max(tp.resolved_due_days, 35.0),
                }
                out.append(
                    Change(
                        f"1:many {where} (monthly sessions of 10)",
                        where,
                        _touch(seg_name, name, webinar),
                    )
                )
            out.append(
                Change(f"automate {where}", where, _touch(seg_name, name, {"channel": "automated"}))
            )
        inbound = seg.inbound
        if inbound.requests_per_account_year > 0 and inbound.support_share < 0.9:
            share = round(min(0.95, inbound.support_share + 0.25), 3)
            out.append(
                Change(
                    f"route {seg_name} inbound to support ({100 * inbound.support_share:.0f}% -> {100 * share:.0f}%)",
                    f"{seg_name}.inbound",
                    {"segments": {seg_name: {"inbound": {"support_share": share}}}},
                )
            )
    return out


def combine_patches(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Two partial scenarios as one: maps merge, anything else in ``b`` wins (null kept)."""
    out = dict(a)
    for k, v in b.items():
        out[k] = (
            combine_patches(out[k], v)
            if isinstance(out.get(k), dict) and isinstance(v, dict)
            else v
        )
    return out


def plan_patch(changes: list[Change]) -> dict[str, Any]:
    """The changes as one partial scenario."""
    out: dict[str, Any] = {}
    for ch in changes:
        out = combine_patches(out, ch.patch)
    return out


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
    seed = s.seed if root_seed is None else int(root_seed)
    current = teams[team].csms
    cost = teams[team].annual_cost_per_csm
    # only the team's segments matter (teams do not share anything): simulate just those
    data = dict(loaded.data)
    data["segments"] = {k: v for k, v in loaded.data["segments"].items() if k in segments}
    # a cut shows at the renewal after it: judge plans over at least two contract terms
    longest = max(term_days(s.segments[x].contract_term_months) for x in segments)
    horizon = min(3650, max(s.horizon_days, math.ceil(2 * longest)))
    data["horizon_days"] = horizon
    years = horizon / 365.0
    terms = horizon / longest
    base = validate_data(data).scenario
    team_est = next(t for t in estimate(base).teams if t.team == team)
    base_fte, hours_per_fte = team_est.fte_needed, team_est.customer_hours_per_csm

    def scenario_of(changes: list[Change], n: int) -> Scenario:
        merged = copy.deepcopy(data)
        for ch in changes:
            merged = merge(merged, copy.deepcopy(ch.patch), (), SourceMap(), SourceMap())
        return with_csms(validate_data(merged).scenario, team, n)

    def fte_of(sc: Scenario) -> float:
        return next(t.fte_needed for t in estimate(sc).teams if t.team == team)

    reference = run_experiment(
        with_csms(base, team, current), replications, seed, executor=executor, jobs=1
    )

    def score(changes: list[Change], sc: Scenario, exp: Experiment) -> Scored:
        fte = fte_of(sc)
        return Scored(
            changes,
            fte,
            (base_fte - fte) * hours_per_fte,
            _paired(reference, exp, segments, "arr_at_risk", scale=1 / years),
            _paired(reference, exp, segments, "grr"),
            _paired(reference, exp, segments, "expected_logo_churn"),
            exp,
        )

    def frontier_rows() -> list[dict[str, Any]]:
        """Today's plan at each headcount: people cost, on-time, GRR, NRR, ARR at risk."""
        heads = (
            frontier if frontier is not None else range(max(1, csms - 2), max(current, csms) + 3)
        )
        return frontier_table(base, team, heads, replications, seed, executor)

    common: dict[str, Any] = {
        "team": team,
        "segments": segments,
        "current": current,
        "offered": csms,
        "cost_per_csm": cost,
        "fte_needed": base_fte,
        "accounts": sum(base.segments[x].starting_accounts for x in segments),
        "arr": sum(base.segments[x].starting_arr for x in segments),
        "replications": replications,
        "horizon_days": horizon,
        "terms": terms,
        "reference": reference,
    }
    if fte_of(with_csms(base, team, csms)) <= csms:
        # the plan fits as it is: no change to search for, only its outcome to report
        sc = with_csms(base, team, csms)
        plan = score([], sc, run_experiment(sc, replications, seed, executor=executor, jobs=1))
        return TradeoffResult(**common, plan=plan, plan_patch={}, frontier=frontier_rows())
    candidates = candidate_changes(base, team)
    plans = [scenario_of([c], csms) for c in candidates]
    exps = run_points(plans, replications, seed, executor, progress)
    scored = [score([c], sc, e) for c, sc, e in zip(candidates, plans, exps, strict=True)]
    by_change = {id(sc.changes[0]): sc for sc in scored}

    chosen: list[Change] = []
    for sc in sorted((x for x in scored if x.hours_freed > 0), key=lambda x: x.ratio, reverse=True):
        if fte_of(scenario_of(chosen, csms)) <= csms:
            break
        if any(c.target == sc.changes[0].target for c in chosen):
            continue
        chosen.append(sc.changes[0])
    options: list[Scored] = []
    if chosen and fte_of(scenario_of(chosen, csms)) <= csms:
        # look back: drop changes the plan no longer needs, weakest first
        for ch in sorted(chosen, key=lambda c: by_change[id(c)].ratio):
            trial = [c for c in chosen if c is not ch]
            if trial and fte_of(scenario_of(trial, csms)) <= csms:
                chosen = trial
        sc = scenario_of(chosen, csms)
        options.append(
            score(chosen, sc, run_experiment(sc, replications, seed, executor=executor, jobs=1))
        )
    options += [x for x in scored if x.fte <= csms]
    best = min(options, key=lambda x: x.arr_at_risk.mean) if options else None

    return TradeoffResult(
        **common,
        plan=best,
        candidates=sorted(scored, key=lambda x: x.ratio, reverse=True),
        frontier=frontier_rows(),
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
