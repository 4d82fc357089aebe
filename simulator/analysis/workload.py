"""Bounded work: the size of one replication from the closed form, checked before simulating.

A replication's cost is estimated from the closed-form estimate
(:func:`simulator.analysis.analytic.estimate`, the one ``cssim estimate`` prints) and
the scenario's burn-in, with no simulation: the tasks it creates (touches for CSMs,
one_to_many sessions, inbound requests, escalations and ad hoc work), the light rows of
automated and skipped touches, the accounts, the CSM-years and the planner events that
create no task (risk events without a save play, session slots, stage changes). Each
is priced at a measured CPU time and memory (docs/performance.md#bounded-work), and the
replication's size is stated in *task-equivalents*: the CSM tasks that would take as much
CPU time, or as much memory, whichever is more.

:func:`check_workload` refuses a replication larger than ``max_tasks`` task-equivalents
with a :class:`WorkloadError` naming that parameter, and warns past half of it. Of churn
it counts only the baseline (shortfalls add to it), so a book that churns more is
over-estimated (a safe side).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from simulator.analysis.analytic import SegmentEstimate, estimate
from simulator.engine.plan import hazard
from simulator.errors import Flags, Hint, Issue, ScenarioError, hinted
from simulator.scenario.model import STAGES, Scenario, Segment

__all__ = [
    "DEFAULT_MAX_TASKS",
    "WARN_SHARE",
    "Part",
    "Workload",
    "WorkloadError",
    "check_workload",
    "team_csms_path",
    "workload",
]

# Measured on the project's 2-core machine (docs/performance.md#bounded-work): one
# replication per book in a fresh process, CPU time (time.process_time) and peak RSS over
# the process's RSS before the run, divided by the rows the run made.
TASKS_PER_CPU_SECOND = 70_000.0
"""Tasks (touches for CSMs, sessions, requests, ad hoc work) simulated per CPU-second."""
TASK_BYTES = 1_000.0
"""Peak memory per task (its object, its planner item, its record row; bytes)."""
LIGHT_PER_CPU_SECOND = 850_000.0
"""Automated or skipped touches (light rows) per CPU-second."""
LIGHT_BYTES = 500.0
"""Peak memory per automated or skipped touch (bytes)."""
ACCOUNT_CPU_SECONDS = 50e-6
"""CPU time to create an account, its random stream and its record (seconds)."""
ACCOUNT_BYTES = 4_600.0
"""Peak memory per account (bytes)."""
CSM_YEAR_CPU_SECONDS = {"working_days": 500e-6, "continuous": 50e-6}
"""CPU time per CSM per simulated year, by calendar model (the working-days calendar
draws each CSM's days off; seconds)."""
CSM_YEAR_BYTES = 6_700.0
"""Peak memory per CSM per simulated year (calendar, daily capacity rows; bytes)."""
EVENT_CPU_SECONDS = 6.6e-6
"""CPU time of a planner event that creates no task (a stage change, a renewal, a
session slot; seconds)."""
RISK_EVENT_CPU_SECONDS = 14e-6
"""CPU time of a risk event: daily risk events of the default plan's SMB segment, the
slowest measured (6.6e-6 on a book with no other work; seconds)."""
EVENT_BYTES = 360.0
"""Peak memory of such an event: planned at account creation, it waits on the heap (bytes)."""

DEFAULT_MAX_TASKS = 5_000_000
"""Default limit on one replication, in task-equivalents: at the measured rates about
5 GB of memory and 70 CPU-seconds (two worker processes fit a 16 GB machine)."""
WARN_SHARE = 0.5
"""A replication past this share of the limit is simulated with a warning."""
SLOW_REPLICATION_SECONDS = 10.0
"""A replication estimated at more CPU-seconds than this is simulated with a warning that
says so (a command of many replications then takes minutes): an assumption, about ten
times a default replication."""


@dataclass(frozen=True)
class Part:
    """One source of work: a touchpoint, a segment's accounts or events, a team's CSMs."""

    where: str
    """Scenario path it comes from (``segments.smb.touchpoints.digest``)."""
    what: str
    """What it is, plural (``automated or skipped touches``)."""
    count: float
    """How many in one replication (burn-in included)."""
    cpu_seconds: float
    memory_bytes: float


@dataclass(frozen=True)
class Workload:
    """The estimated size of one replication of a scenario (burn-in included)."""

    scenario: str
    simulated_days: float
    """Burn-in plus horizon (days)."""
    burn_in_days: float
    tasks: float
    """Task objects: touches for CSMs, sessions, inbound requests, escalations, ad hoc work."""
    light: float
    """Automated and skipped touches, kept as light rows."""
    accounts: float
    """Accounts created: the starting book and new arrivals."""
    csms: float
    """CSMs who are ever on a team: the start, planned hires and backfills."""
    events: float
    """Planner events: one per task, plus those that create none."""
    parts: list[Part] = field(default_factory=list)

    @property
    def cpu_seconds(self) -> float:
        """Estimated CPU time of the replication at the measured rates (seconds)."""
        return sum(p.cpu_seconds for p in self.parts)

    @property
    def memory_bytes(self) -> float:
        """Estimated peak memory of the replication (bytes)."""
        return sum(p.memory_bytes for p in self.parts)

    @property
    def memory_gb(self) -> float:
        """:attr:`memory_bytes` in GB (10^9 bytes)."""
        return self.memory_bytes / 1e9

    @property
    def task_equivalents(self) -> float:
        """The CSM tasks that would take as much CPU time, or as much memory, whichever
        is more: the number compared with the limit."""
        return max(self.cpu_seconds * TASKS_PER_CPU_SECOND, self.memory_bytes / TASK_BYTES)

    def largest(self) -> Part:
        """The part that costs most (by the larger of its CPU and memory shares)."""
        return max(self.parts, key=_equivalents)


def _equivalents(p: Part) -> float:
    return max(p.cpu_seconds * TASKS_PER_CPU_SECOND, p.memory_bytes / TASK_BYTES)


def _tasks(where: str, what: str, n: float) -> Part:
    return Part(where, what, n, n / TASKS_PER_CPU_SECOND, n * TASK_BYTES)


def _light(where: str, n: float) -> Part:
    return Part(where, "automated or skipped touches", n, n / LIGHT_PER_CPU_SECOND, n * LIGHT_BYTES)


def _events(where: str, what: str, n: float, cpu: float = EVENT_CPU_SECONDS) -> Part:
    return Part(where, what, n, n * cpu, n * EVENT_BYTES)


def workload(s: Scenario) -> Workload:
    """The estimated size of one replication of ``s``, from the closed form.

    Counts are for the whole simulated clock: the burn-in (``resolved_burn_in_days``,
    where only the starting book is present, at the segment's rates per account-year)
    and the horizon (the starting book and new arrivals, less the baseline churn).
    """
    est = estimate(s)
    burn = s.resolved_burn_in_days
    days = float(s.horizon_days) + burn
    parts: list[Part] = []
    tasks = light = accounts = events = 0.0
    for seg_est in est.segments:
        seg_parts = _segment_parts(s, seg_est, burn)
        parts += seg_parts
        for p in seg_parts:
            if p.what == "automated or skipped touches":
                light += p.count
            elif p.what == "accounts":
                accounts += p.count
            elif p.what.startswith("planner events"):
                events += p.count
            else:
                tasks += p.count
    csms = 0.0
    per_csm_year = CSM_YEAR_CPU_SECONDS.get(s.calendar.model, CSM_YEAR_CPU_SECONDS["working_days"])
    years = days / 365.0
    for name, team in s.all_teams().items():
        if not s.segments_of(name):
            continue
        hires = sum(step.change for step in team.hiring_plan if step.change > 0)
        n = (team.csms + hires) * (1.0 + team.annual_attrition * years)
        csms += n
        parts.append(
            Part(
                team_csms_path(s, name),
                "CSM-years",
                n * years,
                n * years * per_csm_year,
                n * years * CSM_YEAR_BYTES,
            )
        )
    return Workload(
        scenario=s.name,
        simulated_days=days,
        burn_in_days=burn,
        tasks=tasks,
        light=light,
        accounts=accounts,
        csms=csms,
        events=tasks + events,
        parts=parts,
    )


def team_csms_path(s: Scenario, team: str) -> str:
    """``teams.NAME.csms``, or ``segments.NAME.team.csms`` for a segment's inline team."""
    if team in s.teams:
        return f"teams.{team}.csms"
    return f"segments.{team}.team.csms"


def _segment_parts(s: Scenario, est: SegmentEstimate, burn: float) -> list[Part]:
    """The work of one segment over the burn-in and the horizon."""
    seg = s.segments[est.segment]
    root = f"segments.{est.segment}"
    ay = est.account_years
    # the closed form keeps every account for the whole horizon; at least the baseline
    # churn leaves (shortfalls only add to it, so this stays an upper estimate); the
    # burn-in holds the starting book only, at the segment's rates per account-year, and
    # churns nobody
    kept = _kept_share(seg.churn.annual_baseline, s.horizon_days / 365.0)
    scale = (ay * kept + est.accounts_start * burn / 365.0) / ay if ay > 0 else 1.0
    total_ay = ay * scale
    out: list[Part] = [
        Part(
            f"{root}.accounts",
            "accounts",
            est.accounts_start + est.new_accounts,
            (est.accounts_start + est.new_accounts) * ACCOUNT_CPU_SECONDS,
            (est.accounts_start + est.new_accounts) * ACCOUNT_BYTES,
        )
    ]
    o2o_touches = o2o_hours = 0.0
    session_hours: list[float] = []
    for row in est.touchpoints:
        tp = seg.touchpoints[row.name]
        where = f"{root}.touchpoints.{row.name}"
        n = row.touches * scale
        if tp.channel in ("automated", "skipped"):
            out.append(_light(where, n))
            continue
        if tp.channel == "one_to_many":
            # every attendee's touch is a task, and so is every session
            out.append(_tasks(where, "touches and sessions", n + row.sessions * scale))
            session_hours.append(tp.mean_csm_hours)
            continue
        out.append(_tasks(where, "touches for CSMs", n))
        if row.scheduled:
            o2o_touches += row.touches
            o2o_hours += row.csm_hours
    inbound = seg.inbound.requests_per_account_year * total_ay
    if inbound > 0:
        # requests answered by support are tasks too (the rest are the touchpoint's)
        share = seg.inbound.support_share if _has(seg, "inbound_request") else 1.0
        out.append(_tasks(f"{root}.inbound", "requests answered by support", inbound * share))
    risk = sum(ev.per_account_year for ev in seg.risk_events.values()) * total_ay
    if risk > 0:
        out.append(
            _events(
                f"{root}.risk_events", "planner events (risk events)", risk, RISK_EVENT_CPU_SECONDS
            )
        )
    residual = est.residual_unscheduled_hours_per_account * ay * scale
    mean_touch = (
        o2o_hours / o2o_touches
        if o2o_touches > 0
        else (sum(session_hours) / len(session_hours) if session_hours else 0.0)
    )
    if residual > 0 and mean_touch > 0:
        out.append(_tasks(f"{root}.unscheduled_uplift", "ad hoc tasks", residual / mean_touch))
    days = float(s.horizon_days) + burn
    slots = sum(
        days / tp.session_every_days
        for tp in seg.touchpoints.values()
        if tp.channel == "one_to_many"
    )
    # an account's first contract period is in its own cost; each renewal plans the next
    renewals = total_ay * 12.0 / seg.contract_term_months
    stage_changes = renewals * (len(STAGES) + 1)  # each stage's entry and the renewal
    out.append(
        _events(
            f"{root}.lifecycle", "planner events (stages, renewals, slots)", stage_changes + slots
        )
    )
    return out


def _kept_share(churn: float, years: float) -> float:
    """The mean share of a book still held over ``years`` when ``churn`` of it leaves a
    year: (1 - (1 - c)^Y) / (Y ln(1 / (1 - c))), 1 for no churn or no time."""
    if churn <= 0 or years <= 0:
        return 1.0
    if churn >= 1:
        return min(1.0, 1.0 / years)
    rate = hazard(churn)
    return float(-math.expm1(-rate * years) / (rate * years))


def _has(seg: Segment, kind: str) -> bool:
    return any(tp.trigger.kind == kind for tp in seg.touchpoints.values())


def _num(x: float) -> str:
    """A count for a message: ``73,000,000`` (whole numbers, rounded)."""
    return f"{x:,.0f}" if math.isfinite(x) else str(x)


def _short(x: float) -> str:
    """Two significant figures under 10, whole numbers above: ``0.13``, ``1.8``, ``126``."""
    return f"{x:.2g}" if x < 10 else f"{x:,.0f}"


def _summary(w: Workload) -> str:
    """One sentence of what one replication holds and costs."""
    burn = f" ({w.burn_in_days:,.0f} of burn-in)" if w.burn_in_days else ""
    big = w.largest()
    return (
        f"one replication of {w.scenario!r} is estimated at {_num(w.tasks)} tasks, "
        f"{_num(w.light)} automated or skipped touches, {_num(w.accounts)} accounts, "
        f"{_num(w.csms)} CSMs and {_num(w.events)} planner events over "
        f"{w.simulated_days:,.0f} simulated days{burn}: about {_short(w.memory_gb)} GB of "
        f"memory and {_short(w.cpu_seconds)} CPU-seconds at {TASKS_PER_CPU_SECOND:,.0f} tasks per "
        f"CPU-second, {_num(w.task_equivalents)} task-equivalents; most of it from "
        f"{big.where} ({_num(big.count)} {big.what})"
    )


class WorkloadError(ScenarioError):
    """A replication estimated past the limit ``max_tasks``, refused before simulating.

    Attributes
    ----------
    workload
        The estimate that passed the limit.
    limit
        The limit, in task-equivalents.
    param
        The Python-API parameter that sets the limit: ``"max_tasks"``.
    """

    param = "max_tasks"

    def __init__(self, w: Workload, limit: float) -> None:
        self.workload = w
        self.limit = limit
        need = _round_up(w.task_equivalents)
        message = hinted(
            _summary(w),
            f", more than the limit of {_num(limit)}: make the book, the horizon or "
            "burn_in_days smaller, or raise the limit with ",
            Hint(self.param, need, str(need)),
        )
        super().__init__([Issue(message)], "sizing the simulation")

    def render(self, flags: Flags | None = None) -> str:
        """One line: the estimate, the limit and how to raise it (spelled for ``flags``)."""
        return self.issues[0].render(flags)


def _round_up(x: float) -> int:
    """``x`` rounded up to two significant figures (a limit to suggest)."""
    if not math.isfinite(x) or x <= 0:
        return int(DEFAULT_MAX_TASKS)
    step = 10 ** max(0, math.floor(math.log10(x)) - 1)
    return int(math.ceil(x / step) * step)


def check_workload(
    scenarios: Scenario | Iterable[Scenario], max_tasks: float = DEFAULT_MAX_TASKS
) -> list[Issue]:
    """Refuse a scenario whose replication passes ``max_tasks`` task-equivalents.

    Parameters
    ----------
    scenarios
        A scenario, or every scenario a command will simulate.
    max_tasks
        The limit on one replication, in task-equivalents (:attr:`Workload.task_equivalents`).

    Returns
    -------
    list[Issue]
        A warning for each scenario past :data:`WARN_SHARE` of the limit, or else
        estimated at more than :data:`SLOW_REPLICATION_SECONDS` a replication.

    Raises
    ------
    WorkloadError
        For the first scenario past the limit, with its estimate.
    """
    items = [scenarios] if isinstance(scenarios, Scenario) else list(scenarios)
    warnings: list[Issue] = []
    for s in items:
        w = workload(s)
        if w.task_equivalents > max_tasks:
            raise WorkloadError(w, max_tasks)
        if w.task_equivalents > WARN_SHARE * max_tasks:
            warnings.append(
                Issue(
                    hinted(
                        _summary(w),
                        f", {w.task_equivalents / max_tasks:.0%} of the limit of "
                        f"{_num(max_tasks)} (",
                        Hint("max_tasks", int(max_tasks), _num(max_tasks).replace(",", "")),
                        ")",
                    ),
                    severity="warning",
                )
            )
        elif w.cpu_seconds > SLOW_REPLICATION_SECONDS:
            warnings.append(
                Issue(
                    _summary(w) + ": each replication takes about that long on one core, so "
                    "a run of many replications takes minutes (fewer replications, or more "
                    "cores, make it shorter)",
                    severity="warning",
                )
            )
    return warnings
