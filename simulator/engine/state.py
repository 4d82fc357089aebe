"""Mutable state of one replication: tasks, accounts, CSMs and teams.

Plain classes with ``__slots__``: they are created by the thousand per run.
"""

from __future__ import annotations

import math
from typing import Any

from simulator.engine.codes import Channel, Kind, Status
from simulator.engine.queues import QueueItem, WorkQueue
from simulator.scenario.lifecycle import DAYS_PER_MONTH

_new_object = object.__new__

MONTH_DAYS = DAYS_PER_MONTH
"""Days in a ramp month (a twelfth of a year)."""
_MONTH_TOLERANCE = 1e-9
"""Months: a day this close below a month boundary counts as the boundary (rounding)."""


AutoTouch = tuple[float, int, float, float]
"""An automated or skipped touch as its account's coverage sees it: (planned day,
touchpoint index, credit it earns x its weight (0 when skipped), weight). Automated and
skipped touches are decided when planned and never queue, so they are kept as these tuples
(and the run log's :data:`AutoRow`) instead of :class:`Task` objects: they are most of a
run's touches."""

AutoRow = tuple[int, int, int, int, float]
"""An automated or skipped touch as the run log records it: (task id, segment index,
account index, touchpoint index, planned day); the rest of its record follows from its
touchpoint (:func:`simulator.engine.freeze.build_records`)."""

SupportRow = tuple[int, int, int, float, float, float]
"""An inbound request answered by support, as the run log records it: (task id, segment
index, account index, day, on-time day, due day). Support answers it at once, with no
CSM time; nothing else reads it."""


class Task:
    """A unit of work or a touch: planned, perhaps queued, then delivered, missed or cancelled.

    ``status`` is a :class:`~simulator.engine.codes.Status`; ``start`` and ``end`` are NaN
    until a CSM starts it; ``attendees`` are the touches a session delivers and ``risk``
    the risk event an escalation answers. Build one with :meth:`Task.new`.
    """

    __slots__ = (
        "account",
        "attendees",
        "channel",
        "credit",
        "csm",
        "due",
        "end",
        "hours",
        "id",
        "kind",
        "ontime",
        "planned",
        "priority",
        "remaining",
        "risk",
        "segment",
        "start",
        "status",
        "team",
        "tp",
        "weight",
    )
    id: int
    segment: int
    account: Account | None
    tp: int
    kind: Kind
    channel: Channel
    team: int
    priority: int
    planned: float
    ontime: float
    due: float
    hours: float
    weight: float
    credit: float
    start: float
    end: float
    status: Status
    csm: int
    attendees: list[Task] | None
    risk: RiskHit | None
    remaining: float
    """CSM hours still to do once started (set when the first block starts)."""

    @staticmethod
    def new(
        *,
        tid: int,
        segment: int,
        account: Account | None,
        tp: int,
        kind: Kind,
        channel: Channel,
        team: int,
        priority: int,
        planned: float,
        ontime: float,
        due: float,
        hours: float,
        weight: float,
        credit: float,
    ) -> Task:
        """A new open task planned at day ``planned``.

        Parameters
        ----------
        tid
            Creation order in the replication (ties in a queue go to the older task).
        segment, account, team
            Segment index, the account (None for a session) and team index (-1: none).
        tp
            Touchpoint index in the segment's plan, or :data:`NO_TOUCHPOINT`.
        kind, channel
            What planned it and how it is delivered.
        priority
            Queue priority (lower first).
        planned, ontime, due
            Planned day, last on-time start day and last start day (days).
        hours
            CSM hours the task takes at full productivity.
        weight, credit
            Weight in coverage and the credit a delivery earns (1 for a CSM touch).

        Notes
        -----
        A factory with keyword-only arguments rather than ``__init__``: calling a class
        with keywords makes a dict per call in CPython 3.11, calling a function does not,
        and tasks are made by the hundred thousand.
        """
        self = _new_object(Task)
        self.id = tid
        self.segment = segment
        self.account = account
        self.tp = tp
        self.kind = kind
        self.channel = channel
        self.team = team
        self.priority = priority
        self.planned = planned
        self.ontime = ontime
        self.due = due
        self.hours = hours
        self.weight = weight
        self.credit = credit
        self.start = float("nan")
        self.end = float("nan")
        self.status = Status.OPEN
        self.csm = -1
        self.attendees = None
        self.risk = None
        return self


class RiskHit:
    """A risk event that hit an account, and the escalations that answer it.

    ``tasks`` are its escalation touches (how promptly they started decides how far the
    hit's hazard falls from unhandled toward handled: :func:`simulator.engine.churn.
    strongest_risk`).
    """

    __slots__ = ("event", "tasks", "time")

    def __init__(self, event: int, time: float) -> None:
        self.event = event
        self.time = time
        self.tasks: list[Task] = []


class Account:
    """A customer account and its lifecycle state."""

    __slots__ = (
        "active",
        "arr",
        "arr_start",
        "auto",
        "churn_u",
        "churned_at",
        "created",
        "expand_u",
        "id",
        "index",
        "late_onboarding_at",
        "onboarding_tasks",
        "owner",
        "period",
        "phases",
        "reassigned_at",
        "renewal_at",
        "renewals",
        "risks",
        "rng",
        "segment",
        "service",
        "stage",
        "starting",
        "touches",
    )

    def __init__(
        self,
        segment: int,
        index: int,
        ident: str,
        arr: float,
        created: float,
        starting: bool,
        rng: Any,
    ) -> None:
        self.segment = segment
        self.index = index
        self.id = ident
        self.arr = arr
        self.arr_start = arr
        self.created = created
        self.starting = starting
        self.rng = rng
        self.active = True
        self.churned_at = float("inf")
        self.stage = ""
        self.owner: CSM | None = None
        self.touches: list[Task] = []
        self.auto: list[AutoTouch] = []
        """Automated and skipped touches, kept light (no :class:`Task`): their coverage."""
        self.onboarding_tasks: list[Task] = []
        self.service: list[Task] = []
        """CSM-routed inbound requests and ad hoc (unscheduled) tasks: responsiveness."""
        self.risks: list[RiskHit] = []
        self.reassigned_at = -1e18
        self.late_onboarding_at = -1e18
        self.renewals = 0
        self.period: list[tuple[str, float, float]] = []
        """The current contract period's stages as (stage, first day, end day)."""
        self.renewal_at = float("inf")
        self.phases: dict[int, float] = {}
        self.churn_u: Any = None
        self.expand_u: Any = None


class CSM:
    """One CSM seat holder: a queue of owned-account tasks and a productivity ramp.

    ``held`` are tasks this CSM started and will resume (a task done in blocks, set
    aside between blocks for more urgent work); ``busy_days`` the calendar days spent
    working on finished blocks so far (working days when
    the CSM has a calendar).
    """

    __slots__ = (
        "active",
        "arr",
        "book",
        "busy_days",
        "busy_since",
        "cal",
        "held",
        "id",
        "idle",
        "joined",
        "left",
        "process",
        "queue",
        "ramp",
        "ramped",
        "seat",
        "team",
        "waiting",
    )

    def __init__(
        self, cid: int, team: int, seat: int, joined: float, ramp: tuple[float, ...]
    ) -> None:
        self.id = cid
        self.team = team
        self.seat = seat
        self.joined = joined
        self.left = float("inf")
        self.ramp = ramp
        self.ramped = joined + len(ramp) * MONTH_DAYS  # full speed from this day on
        self.active = True
        self.busy_since = math.nan
        """Start day of the block being worked (NaN: not working)."""
        self.idle: Any = None
        self.queue = WorkQueue()
        self.held: list[QueueItem] = []
        self.busy_days = 0.0
        self.process: Any = None
        self.waiting = False
        """Whether the CSM waits for a working day or the end of a zero-productivity ramp."""
        """The CSM's SimPy work process (interrupted when the CSM leaves mid-block)."""
        self.cal: Any = None
        """The CSM's working-day calendar (:class:`~simulator.engine.calendar.WorkCalendar`;
        None: every day is a working day)."""
        self.book: set[Account] = set()
        self.arr = 0.0

    def ramp_month(self, t: float) -> int:
        """Whole ramp months (30.4 days) since joining at day ``t``.

        A day that is a whole number of months after joining, up to rounding of the day
        itself (``99 + 30.42 - 1e-13``), counts as the start of that month.
        """
        return math.floor((t - self.joined) / MONTH_DAYS + _MONTH_TOLERANCE)

    def next_productive(self, t: float) -> float:
        """First day from ``t`` on at which the ramp gives a productivity above zero."""
        month = self.ramp_month(t)
        while month < len(self.ramp) and self.ramp[month] <= 0:
            month += 1
        return max(t, self.joined + month * MONTH_DAYS)

    def productivity(self, t: float) -> float:
        """Share of full speed at day ``t`` (ramp by 30.4-day month since joining)."""
        month = self.ramp_month(t)
        if month < 0:
            return self.ramp[0] if self.ramp else 1.0
        return self.ramp[month] if month < len(self.ramp) else 1.0


class TeamState:
    """A team: its CSMs, its pooled queue and the idle CSMs waiting for work.

    ``overflow`` holds tasks of a dedicated book that waited past the team's
    ``overflow_after_days``: an idle teammate may take them (peer cover).
    """

    __slots__ = (
        "cost",
        "csms",
        "idle",
        "index",
        "name",
        "next_seat",
        "orphans",
        "overflow",
        "overflow_days",
        "pool",
        "ramp",
        "spec",
    )

    def __init__(self, index: int, name: str, spec: Any) -> None:
        self.index = index
        self.name = name
        self.spec = spec
        self.cost = spec.annual_cost_per_csm
        self.ramp = tuple(spec.ramp)
        self.csms: list[CSM] = []
        self.pool = WorkQueue()
        self.overflow: list[QueueItem] = []
        self.orphans: list[QueueItem] = []
        """Started tasks of CSMs who left with no teammate to take them (the next joiner does)."""
        self.overflow_days: float | None = spec.overflow_after_days
        self.idle: list[tuple[int, int, CSM]] = []
        """Heap of (seat, order, CSM) of CSMs that went idle; entries of CSMs woken since
        are dropped when they reach the top."""
        self.next_seat = 0
