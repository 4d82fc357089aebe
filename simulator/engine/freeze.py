"""Freezing a finished run log into flat columns (:class:`~simulator.engine.records.Records`).

Open tasks are settled first (missed when their due day passed or their account churned
after they were due; cancelled when it churned before), then every list of the log
becomes a dict of numpy arrays. What a burn-in did before day 0 is left out, except the
work still open or in progress at day 0.
"""

from __future__ import annotations

import itertools
import math
from operator import attrgetter

import numpy as np

from simulator.engine.codes import NO_TOUCHPOINT, Channel, Event, Kind, Status
from simulator.engine.records import Records
from simulator.engine.runlog import RENEWAL_COLUMNS, RunLog
from simulator.engine.state import Task
from simulator.engine.work import gone

__all__ = ["build_records"]


def _settle_open(log: RunLog) -> None:
    """Decide the tasks still open at the horizon."""
    horizon = log.horizon
    for task in log.tasks:
        if task.status == Status.OPEN:
            acc = task.account
            if acc is not None and not acc.active:
                task.status = gone(task)
            elif task.due < horizon:
                task.status = Status.MISSED


_TASK_COLUMNS = (
    ("id", int),
    ("segment", int),
    ("account", int),
    ("tp", int),
    ("kind", int),
    ("channel", int),
    ("team", int),
    ("csm", int),
    ("priority", int),
    ("planned", float),
    ("ontime", float),
    ("due", float),
    ("start", float),
    ("end", float),
    ("hours", float),
    ("status", int),
    ("weight", float),
    ("credit", float),
)


_DECIDED_AT_ONCE = (Status.AUTOMATED, Status.SKIPPED, Status.SUPPORT)


def _in_plan(task: Task) -> bool:
    """Whether a task planned before day 0 (in a burn-in) still matters to the plan: open
    at day 0 (started on or after it, or never started and due on or after it) or in
    progress at day 0."""
    if task.status in _DECIDED_AT_ONCE:
        return False
    start = task.start
    if start != start:  # NaN: never started
        return task.due >= 0.0
    return start >= 0.0 or not task.end <= 0.0  # a NaN end: still in progress


def _light_columns(log: RunLog, plan_only: bool) -> dict[str, np.ndarray]:
    """The task columns of the run's light automated and skipped touches
    (:data:`~simulator.engine.state.AutoRow`), as a :class:`Task` of theirs would give:
    an automated touch is delivered on its planned day, a skipped one never; no CSM, no
    hours. ``plan_only``: only those planned on or after day 0 (after a burn-in)."""
    rows = np.array(log.auto, float).reshape(-1, 5)  # a copy: the log is cleared later
    if plan_only:
        rows = rows[rows[:, 4] >= 0.0]
    tid, segment, account, tp = (rows[:, k].astype(int) for k in range(4))
    planned = rows[:, 4]
    params = [p for seg in log.touch_params for p in seg]
    first = np.cumsum([0] + [len(seg) for seg in log.touch_params])[:-1].astype(int)
    key = first[segment] + tp

    def of(values: list[float], kind: type) -> np.ndarray:
        return np.asarray(values, kind).reshape(-1)[key]

    channel = of([p.channel for p in params], int)
    skipped = channel == int(Channel.SKIPPED)
    start = np.where(skipped, math.nan, planned)
    return {
        "id": tid,
        "segment": segment,
        "account": account,
        "tp": tp,
        "kind": of([p.kind for p in params], int),
        "channel": channel,
        "team": np.asarray(log.segment_team, int).reshape(-1)[segment],
        "csm": np.full(len(tid), -1),
        "priority": of([p.priority for p in params], int),
        "planned": planned,
        "ontime": planned + of([p.on_time_days for p in params], float),
        "due": planned + of([p.due_days for p in params], float),
        "start": start,
        "end": start.copy(),
        "hours": np.zeros(len(tid)),
        "status": np.where(skipped, int(Status.SKIPPED), int(Status.AUTOMATED)),
        "weight": of([p.weight for p in params], float),
        "credit": of([p.credit for p in params], float),
    }


def _support_columns(log: RunLog, plan_only: bool) -> dict[str, np.ndarray]:
    """The task columns of the inbound requests support answered
    (:data:`~simulator.engine.state.SupportRow`): answered on the day they came, no
    touchpoint, no CSM, no hours, no weight. ``plan_only``: those from day 0 on."""
    rows = np.array(log.support, float).reshape(-1, 6)  # a copy: the log is cleared later
    if plan_only:
        rows = rows[rows[:, 3] >= 0.0]
    tid, segment, account = (rows[:, k].astype(int) for k in range(3))
    n = len(tid)
    planned = rows[:, 3]
    return {
        "id": tid,
        "segment": segment,
        "account": account,
        "tp": np.full(n, NO_TOUCHPOINT),
        "kind": np.full(n, int(Kind.INBOUND_REQUEST)),
        "channel": np.full(n, int(Channel.SUPPORT)),
        "team": np.asarray(log.segment_team, int).reshape(-1)[segment],
        "csm": np.full(n, -1),
        "priority": np.full(n, 9),
        "planned": planned,
        "ontime": rows[:, 4].copy(),
        "due": rows[:, 5].copy(),
        "start": planned.copy(),
        "end": planned.copy(),
        "hours": np.zeros(n),
        "status": np.full(n, int(Status.SUPPORT)),
        "weight": np.zeros(n),
        "credit": np.zeros(n),
    }


def build_records(log: RunLog, burn_in: float = 0.0) -> Records:
    """Freeze a finished run log into flat records.

    After a burn-in (``burn_in`` days simulated before day 0) only the plan is recorded:
    tasks planned on or after day 0 and those still open or in progress at day 0
    (:func:`_in_plan`), work blocks that end after day 0, and account events from day 0
    on. Renewals before day 0 are never recorded (:meth:`~simulator.engine.renewals.Renewals.renew_in_burn_in`).
    """
    _settle_open(log)
    horizon = log.horizon
    tasks = log.tasks
    events_log = log.events
    if burn_in > 0:
        tasks = [x for x in tasks if x.planned >= 0.0 or _in_plan(x)]
        events_log = [e for e in events_log if e.time >= 0.0]
    n = len(tasks)
    cols: dict[str, np.ndarray] = {
        name: np.fromiter(map(attrgetter(name), tasks), kind, n)
        if name != "account"
        else np.fromiter((x.account.index if x.account is not None else -1 for x in tasks), int, n)
        for name, kind in _TASK_COLUMNS
    }
    light = [_light_columns(log, burn_in > 0), _support_columns(log, burn_in > 0)]
    if any(len(part["id"]) for part in light):
        parts = [cols, *light]
        order = np.argsort(np.concatenate([part["id"] for part in parts]), kind="stable")
        cols = {name: np.concatenate([part[name] for part in parts])[order] for name in cols}
    accs = log.accounts
    m = len(accs)
    churns = [ev for ev in events_log if ev.event == Event.CHURNED]
    churn_time = {ev.account: ev.time for ev in churns}
    churn_arr = {ev.account: ev.value for ev in churns}
    accounts = {
        "segment": np.fromiter((x.segment for x in accs), int, m),
        "index": np.arange(m),
        "starting": np.fromiter((x.starting for x in accs), bool, m),
        "created": np.fromiter((x.created for x in accs), float, m),
        "arr_start": np.fromiter((x.arr_start for x in accs), float, m),
        "arr_end": np.fromiter((x.arr if x.active else 0.0 for x in accs), float, m),
        "arr_churned": np.fromiter((churn_arr.get(i, 0.0) for i in range(m)), float, m),
        "churned": np.fromiter((not x.active for x in accs), bool, m),
        "churned_at": np.fromiter((churn_time.get(i, math.nan) for i in range(m)), float, m),
    }
    ev = events_log
    events = {
        "time": np.array([e.time for e in ev], float),
        "segment": np.array([e.segment for e in ev], int),
        "account": np.array([e.account for e in ev], int),
        "event": np.array([e.event for e in ev], int),
        "value": np.array([e.value for e in ev], float),
        "value2": np.array([e.value2 for e in ev], float),
    }
    rn = log.renewals
    if rn:
        renewals = {c: np.array([r[i] for r in rn]) for i, c in enumerate(RENEWAL_COLUMNS)}
    else:
        renewals = {c: np.zeros(0) for c in RENEWAL_COLUMNS}
    # every CSM who was ever on a team: present from joining until leaving (or the end)
    csms = log.csms
    staff = {
        "csm": np.array([c.id for c in csms], int),
        "team": np.array([c.team for c in csms], int),
        "seat": np.array([c.seat for c in csms], int),
        "joined": np.array([c.joined for c in csms], float),
        "left": np.array([min(c.left, horizon) for c in csms], float),
    }
    # per CSM and day of the plan: the share of the day that is working time
    days = math.ceil(horizon)
    edges = np.minimum(np.arange(days + 1, dtype=float), horizon)
    working = np.ones((len(csms), days))
    for i, c in enumerate(csms):
        if c.cal is not None:
            between = c.cal.working_between
            working[i] = [between(a, b) / (b - a) for a, b in itertools.pairwise(edges)]
    bl = log.blocks
    if burn_in > 0:
        bl = [b for b in bl if b[2] > 0.0]  # blocks worked in the plan (capacity clips at 0)
    blocks = {
        "csm": np.fromiter((b[0] for b in bl), int, len(bl)),
        "start": np.fromiter((b[1] for b in bl), float, len(bl)),
        "end": np.fromiter((b[2] for b in bl), float, len(bl)),
    }
    return Records(
        scenario=log.scenario,
        replication=log.replication,
        root_seed=log.root_seed,
        horizon_days=horizon,
        segments=log.segments,
        teams=log.teams,
        segment_team=log.segment_team,
        touchpoints=log.touchpoints,
        risk_events=log.risk_events,
        team_cost=log.team_cost,
        team_ramp=log.team_ramp,
        hours_per_day=log.hours_per_day,
        tasks=cols,
        accounts=accounts,
        events=events,
        renewals=renewals,
        staff=staff,
        blocks=blocks,
        working=working,
        peer_covered=log.peer_covered,
        monthly_raw=log.monthly,
        simpy_events=log.simpy_events,
        touch_costs=[np.array(costs or [0.0]) for costs in log.touch_costs],
        csm_nrr_quota=log.csm_nrr_quota,  # helper A (issue 12): per-CSM book NRR
    )
