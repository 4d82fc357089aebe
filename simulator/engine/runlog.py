"""What a replication writes down as it runs: the run log, and its rows with named fields.

The simulation appends to a :class:`RunLog` (tasks, accounts, CSMs, account events,
renewal decisions, month-end snapshots) and hands it, finished, to
:func:`simulator.engine.freeze.build_records`, which turns it into flat columns. Nothing
here reads the simulation's own objects.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, NamedTuple

from simulator.engine.codes import Event
from simulator.engine.state import CSM, Account, Task

if TYPE_CHECKING:
    from simulator.engine.plan import TouchParams

__all__ = ["AccountEvent", "MonthlyRow", "RenewalRow", "RunLog"]


class AccountEvent(NamedTuple):
    """Something that happened to an account (see :class:`~simulator.engine.codes.Event`)."""

    time: float
    segment: int
    account: int
    event: Event
    value: float
    value2: float


class RenewalRow(NamedTuple):
    """One renewal decision and the drivers behind it (see :mod:`simulator.engine.churn`)."""

    time: float
    segment: int
    account: int
    csm: int
    """Id of the CSM who owned the account at the renewal (-1: none, a pooled segment)."""
    arr: float
    """ARR before the decision."""
    p_baseline: float
    """Renewal churn probability with the plan fully delivered."""
    coverage: float
    """Weighted delivered share of planned touches (late ones at their late credit)."""
    late_credit_loss: float
    """Coverage lost to late touches (coverage at full credit minus ``coverage``)."""
    coverage_multiplier: float
    responsiveness: float
    """Weighted answered share of inbound requests and ad hoc tasks (late ones at their
    late credit; 1 when there were none)."""
    responsiveness_multiplier: float
    late_onboarding: bool
    late_onboarding_multiplier: float
    reassigned: bool
    reassignment_multiplier: float
    risk_event: int
    """Index of the strongest risk event in effect (-1: none)."""
    risk_handled: bool
    """An escalation of that event started before its due day."""
    risk_handling: float
    """How far its hazard fell from unhandled toward handled: the late credit of its
    earliest-starting escalation (1 on time, 0 none started)."""
    risk_multiplier: float
    hazard: float
    probability: float
    uniform: float
    """The account's churn uniform for this renewal: churned when below ``probability``."""
    churned: bool
    arr_change: float
    """Relative ARR change at the renewal (0 when churned)."""
    arr_change_planned: float
    """The change the account's draw gives with the plan fully delivered (0 when churned)."""
    expansion_delivery: float
    """Weighted delivered share of the account's expansion touches (1: none planned)."""
    expansion_multiplier: float
    """What delivery left of the planned expansion (1: all; see
    :mod:`simulator.engine.expansion`)."""


RENEWAL_COLUMNS = RenewalRow._fields


class MonthlyRow(NamedTuple):
    """A month-end snapshot of a team (backlog, headcount) or a segment (accounts, ARR)."""

    kind: Literal["team", "segment"]
    position: int
    """Team or segment index."""
    month: int
    day: float
    size: int
    """Backlog tasks (team) or active accounts (segment)."""
    value: float
    """Backlog hours (team) or ARR (segment)."""
    headcount: int
    """Active CSMs (team; 0 for a segment)."""


@dataclass
class RunLog:
    """Everything a replication appended, plus the names and constants to read it by."""

    scenario: str
    replication: int
    root_seed: int
    horizon: float
    hours_per_day: float
    segments: list[str]
    teams: list[str]
    segment_team: list[int]
    """Team index of each segment (-1: none)."""
    touchpoints: list[list[str]]
    risk_events: list[list[str]]
    team_cost: list[float]
    team_ramp: list[tuple[float, ...]]
    touch_costs: list[list[float]]
    """Per segment and touchpoint: cost of an automated touch (0 for other channels)."""
    csm_nrr_quota: list[float] = field(default_factory=list)
    """Per segment: the NRR a CSM's book is asked to return (set by the lifecycle)."""
    touch_params: list[list[TouchParams]] = field(default_factory=list)
    """Per segment and touchpoint: what its tasks share (the record of a light touch)."""
    tasks: list[Task] = field(default_factory=list)
    auto: array[float] = field(default_factory=lambda: array("d"))
    """Automated and skipped touches in creation order, kept light: the fields of each
    one's :data:`~simulator.engine.state.AutoRow`, flat (no Python object per touch)."""
    support: array[float] = field(default_factory=lambda: array("d"))
    """Inbound requests answered by support, in creation order, kept light: the fields of
    each one's :data:`~simulator.engine.state.SupportRow`, flat."""
    accounts: list[Account] = field(default_factory=list)
    csms: list[CSM] = field(default_factory=list)
    events: list[AccountEvent] = field(default_factory=list)
    renewals: list[RenewalRow] = field(default_factory=list)
    monthly: list[MonthlyRow] = field(default_factory=list)
    blocks: list[tuple[int, float, float]] = field(default_factory=list)
    """Work blocks: (CSM id, start day, end day) of every stretch a CSM worked on a task."""
    peer_covered: list[int] = field(default_factory=list)
    """Per segment: tasks a CSM started for an account of another CSM's book."""
    simpy_events: int = 0

    def release(self) -> None:
        """Break the run's reference cycles (task <-> account, session <-> attendees,
        account <-> owner) once its records are frozen, so the run's objects are freed by
        reference counting as it returns instead of by a cyclic collection later (which
        traverses some 230,000 objects of a default replication)."""
        for task in self.tasks:
            task.account = None
            task.attendees = None
        for acc in self.accounts:
            acc.touches = []
            acc.auto = []
            acc.onboarding_tasks = []
            acc.owner = None
        # in place: the run's parts hold these same lists
        for kept in (self.tasks, self.accounts, self.csms, self.events, self.renewals):
            kept.clear()
        del self.auto[:]
        del self.support[:]
