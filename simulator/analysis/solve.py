"""Headcount solver: the fewest CSMs per team that meet every target of its segments.

A target holds with confidence q when at least a share q of the replications meet its
bound (``P(GRR >= 0.92) >= 0.9``). The search starts from the closed-form estimate and
walks down while the targets hold, or up until they do, evaluating every headcount on the
same replications and seeds (common random numbers), so the answer N is checked: N
meets every target and N - 1 does not, on the same random draws.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator import metrics as registry
from simulator.analysis.analytic import TeamEstimate, estimate
from simulator.analysis.experiment import Experiment, run_experiment
from simulator.analysis.frontier import frontier_row, team_only, with_csms
from simulator.metrics import by_target
from simulator.scenario.model import Scenario, Target, Targets

__all__ = [
    "TARGET_METRICS",
    "TargetCheck",
    "TeamSolution",
    "solve_headcount",
    "target_checks",
    "with_csms",
]

TARGET_METRICS = {name: by_target(name).name for name in Targets.model_fields}
"""Scenario target name -> the per-replication metric it bounds (in the order of the
scenario's ``targets`` fields; the registry's :attr:`Metric.target` links them)."""


@dataclass(frozen=True)
class TargetCheck:
    """How one target fared at one headcount."""

    segment: str
    target: str
    bound: str
    """``>= 0.92`` or ``<= 0.85``."""
    confidence: float
    share_meeting: float
    """Share of replications whose value meets the bound."""
    mean: float
    metric: str = ""
    """The registry metric the target bounds (its unit sets how the text shows values)."""

    @property
    def met(self) -> bool:
        """Whether enough replications meet the bound."""
        return self.share_meeting >= self.confidence - 1e-12

    @property
    def margin(self) -> float:
        """Share meeting minus the required confidence (negative: failing)."""
        return self.share_meeting - self.confidence

    def describe(self) -> str:
        """``top GRR >= 92% in 95% of replications (needs 90%; mean 93.1%)``."""
        name, mean = self.target, f"{self.mean:.3g}"
        if self.metric:
            m = registry.metric(self.metric)
            name = m.phrase
            if m.unit == "share" and math.isfinite(self.mean):
                mean = f"{100 * self.mean:.1f}%"
        return (
            f"{self.segment} {name} {self.bound} in {100 * self.share_meeting:.0f}% of "
            f"replications (needs {100 * self.confidence:.0f}%; mean {mean})"
        )


@dataclass
class TeamSolution:
    """The solver's answer for one team."""

    team: str
    segments: list[str]
    current: int
    closed_form_fte: float
    closed_form_csms: int
    required: int | None
    """Fewest CSMs meeting every target (None: not reached by ``max_csms``, or the failing
    targets stopped improving with more CSMs; see ``checks``)."""
    checks: list[TargetCheck]
    """Targets at the required headcount (or at the largest one tried)."""
    checks_below: list[TargetCheck]
    """Targets at one CSM fewer: why N - 1 fails."""
    evaluated: dict[int, bool] = field(default_factory=dict)
    """Every headcount tried and whether it met all targets."""
    annual_cost_per_csm: float = 0.0
    stopped: str = ""
    """Why no answer was found: "plateau" (more CSMs stopped helping) or "limit" (max_csms)."""
    accounts: int = 0
    arr: float = 0.0
    replications: int = 0
    frontier: list[dict[str, Any]] = field(default_factory=list)
    """Team-level outcomes at every headcount tried (see :func:`frontier.frontier_row`)."""
    experiment: Experiment | None = field(default=None, repr=False)
    """The replications at the required headcount (or the largest one tried)."""

    @property
    def cost_delta(self) -> float:
        """People cost of the required headcount minus today's (per year)."""
        if self.required is None:
            return math.nan
        return (self.required - self.current) * self.annual_cost_per_csm


def target_checks(exp: Experiment) -> list[TargetCheck]:
    """Every target of the experiment's scenario checked on its replications."""
    return _checks(exp, exp.scenario)


def _checks(exp: Experiment, s: Scenario) -> list[TargetCheck]:
    """Every target of ``s``'s segments checked on the replications ``exp``."""
    out = []
    for seg_name, seg in s.segments.items():
        for name, metric in TARGET_METRICS.items():
            target: Target | None = getattr(seg.targets, name)
            if target is None:
                continue
            values = exp.values(seg_name, metric)
            ok = np.ones(len(values), bool)
            bounds = []
            share = registry.metric(metric).unit == "share"
            if target.min is not None:
                ok &= values >= target.min
                bounds.append(f">= {_bound(target.min, share)}")
            if target.max is not None:
                ok &= values <= target.max
                bounds.append(f"<= {_bound(target.max, share)}")
            defined = ~np.isnan(values)
            if not defined.any():
                # nothing to measure (no accounts, no touches): the bound holds vacuously
                ok = np.ones(len(values), bool)
            else:
                ok &= defined
            out.append(
                TargetCheck(
                    seg_name,
                    name,
                    " and ".join(bounds),
                    target.confidence,
                    float(ok.mean()) if len(ok) else 0.0,
                    float(np.nanmean(values)) if defined.any() else math.nan,
                    metric,
                )
            )
    return out


def _bound(x: float, share: bool) -> str:
    """A target's bound as the scenario means it: a share as a percentage (``90%``)."""
    return f"{100 * x:g}%" if share else f"{x:g}"


PLATEAU_STEPS = 3
"""Headcounts in a row without any failing target improving before the search stops."""
PLATEAU_MEAN_STEP = 0.001
"""A failing target improves when its share of replications meeting it grows, or its mean
moves toward the bound by more than this (0.1 percentage point)."""


def _plateau(cache: dict[int, list[TargetCheck]], n: int) -> bool:
    """Whether the failing targets have not improved over the last PLATEAU_STEPS CSMs.

    Some targets cannot be bought with headcount: the GRR of a small book varies from
    replication to replication with which accounts happen to churn, whatever the staffing.
    """
    if n - PLATEAU_STEPS not in cache:
        return False
    before = {(c.segment, c.target): c for c in cache[n - PLATEAU_STEPS]}
    failing = [c for c in cache[n] if not c.met]

    def improved(c: TargetCheck) -> bool:
        b = before[(c.segment, c.target)]
        toward = c.mean - b.mean if c.bound.startswith(">=") else b.mean - c.mean
        return c.share_meeting > b.share_meeting + 1e-9 or toward > PLATEAU_MEAN_STEP

    return bool(failing) and not any(improved(c) for c in failing)


@dataclass
class _Search:
    """One team's headcount search: every headcount tried on the same replications."""

    sub: Scenario
    """The scenario cut to the team and its segments."""
    team: str
    reps: int
    seed: int
    executor: Executor | None
    progress: Callable[[str, int], None] | None
    cache: dict[int, list[TargetCheck]] = field(default_factory=dict)
    runs: dict[int, Experiment] = field(default_factory=dict)

    def checks_at(self, n: int) -> list[TargetCheck]:
        """The targets at ``n`` CSMs (simulated on first use)."""
        if n not in self.cache:
            if self.progress is not None:
                self.progress(self.team, n)
            exp = run_experiment(
                with_csms(self.sub, self.team, n),
                self.reps,
                self.seed,
                executor=self.executor,
                jobs=1,
            )
            self.cache[n] = _checks(exp, self.sub)
            self.runs[n] = exp
        return self.cache[n]

    def meets(self, n: int) -> bool:
        """Whether ``n`` CSMs meet every target."""
        return all(c.met for c in self.checks_at(n))

    def walk(self, start: int, limit: int) -> tuple[int | None, str]:
        """The fewest CSMs meeting every target, walking down or up from ``start``, and
        why the walk stopped without one (``limit`` or ``plateau``)."""
        stopped = "limit"
        if self.meets(start):
            n = start
            while n > 0 and self.meets(n - 1):
                n -= 1
            return n, stopped
        n = start + 1
        while n <= limit and not self.meets(n):
            if _plateau(self.cache, n):
                stopped = "plateau"
                break
            n += 1
        return (n if n <= limit and self.meets(n) else None), stopped


def _has_targets(sub: Scenario) -> bool:
    """Whether any segment of ``sub`` has a target."""
    return any(
        getattr(sub.segments[s].targets, t) is not None
        for s in sub.segments
        for t in TARGET_METRICS
    )


def _solution(
    scenario: Scenario, team_est: TeamEstimate, search: _Search, required: int | None, stopped: str
) -> TeamSolution:
    """The team's answer from a finished search."""
    name = team_est.team
    at = required if required is not None else max(search.cache)
    segs = scenario.segments_of(name)
    checks = search.checks_at(at)
    below = search.checks_at(at - 1) if required is not None and required > 0 else []
    return TeamSolution(
        team=name,
        segments=segs,
        current=team_est.csms_current,
        closed_form_fte=team_est.fte_needed,
        closed_form_csms=team_est.csms_needed,
        required=required,
        checks=checks,
        checks_below=below,
        evaluated={k: all(c.met for c in v) for k, v in sorted(search.cache.items())},
        annual_cost_per_csm=team_est.annual_cost_per_csm,
        accounts=sum(scenario.segments[s].starting_accounts for s in segs),
        arr=sum(scenario.segments[s].starting_arr for s in segs),
        replications=search.reps,
        stopped=stopped if required is None else "",
        frontier=[
            frontier_row(search.runs[k], name, segs, k, team_est.annual_cost_per_csm)
            for k in sorted(search.runs)
        ],
        experiment=search.runs.get(at),
    )


def solve_headcount(
    scenario: Scenario,
    replications: int = 20,
    root_seed: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[str, int], None] | None = None,
    max_csms: int | None = None,
    precision: float | None = None,
    max_replications: int = 200,
) -> list[TeamSolution]:
    """The fewest CSMs per team that meet all targets of the segments it serves.

    Parameters
    ----------
    scenario
        A validated scenario; teams whose segments have no targets are skipped.
    replications
        Replications per headcount tried (the same ones, same seed, for every headcount).
    root_seed
        The scenario's seed when None.
    executor
        Where replications run (see :func:`run_experiment`); in-process when None.
    progress
        Called as ``progress(team, csms)`` before each headcount is simulated.
    max_csms
        Largest headcount to try (default: three times the closed form, plus 5).
    precision, max_replications
        With ``precision``, the replication count is set by the precision rule at the
        closed-form headcount (see :func:`run_experiment`) and then used for every
        headcount, so all of them stay on the same replications.
    """
    seed = scenario.seed if root_seed is None else int(root_seed)
    out: list[TeamSolution] = []
    for team_est in estimate(scenario).teams:
        name = team_est.team
        sub = team_only(scenario, name)
        if not _has_targets(sub):
            continue
        limit = max_csms if max_csms is not None else 3 * team_est.csms_needed + 5
        start = min(max(team_est.csms_needed, 1), limit)
        search = _Search(sub, name, replications, seed, executor, progress)
        if precision is not None:
            # the precision rule sizes the replications once, at the closed-form headcount
            sized = run_experiment(
                with_csms(sub, name, start),
                None,
                seed,
                precision=precision,
                max_replications=max_replications,
                executor=executor,
                jobs=1,
            )
            search.cache[start] = _checks(sized, sub)
            search.runs[start] = sized
            search.reps = sized.replications
        required, stopped = search.walk(start, limit)
        out.append(_solution(scenario, team_est, search, required, stopped))
    return out
