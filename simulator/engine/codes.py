"""The engine's named codes: task status, task kind, channel and account event.

Each is an :class:`~enum.IntEnum`, so a code is an ``int`` in a numpy column and in a
comparison (as cheap as a plain int), and has a name everywhere else. The lower-case
``label`` of a member is the word the scenario language and the records use
(``Channel.ONE_TO_MANY.label == "one_to_many"``); ``Kind`` and ``Channel`` cover every
trigger kind and channel the scenario language accepts (a test checks this), plus the
engine's own kinds of work (unscheduled work, sessions, support).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Self

__all__ = ["DELIVERED", "NO_TOUCHPOINT", "Channel", "Event", "Kind", "Status"]


class _Named(IntEnum):
    """An IntEnum whose members read as the scenario language's words."""

    @property
    def label(self) -> str:
        """The member's name as the scenario language and the records spell it."""
        return self.name.lower()

    @classmethod
    def of(cls, label: str) -> Self:
        """The member spelled ``label`` (``Channel.of("one_to_one")``)."""
        return cls[label.upper()]

    @classmethod
    def labels(cls) -> tuple[str, ...]:
        """Every member's label, in code order."""
        return tuple(m.label for m in cls)


class Status(_Named):
    """What became of a task."""

    OPEN = 0
    """Created, not yet started or decided."""
    ON_TIME = 1
    """Started by its on-time date."""
    LATE = 2
    """Started after its on-time date but by its due date."""
    MISSED = 3
    """Not started by its due date (or its account churned after it was due)."""
    CANCELLED = 4
    """Its account churned before it was due, or a session nobody could still attend."""
    AUTOMATED = 5
    """Delivered by automation: no CSM time."""
    SUPPORT = 6
    """An inbound request answered by support, not by a CSM."""
    SKIPPED = 7
    """In the plan but cut: counts as a missed touch in coverage."""


class Kind(_Named):
    """What planned a task: a trigger kind of the scenario language, or the engine's own work."""

    STAGE_ENTRY = 0
    CADENCE = 1
    BEFORE_RENEWAL = 2
    RISK_EVENT = 3
    INBOUND_REQUEST = 4
    UNSCHEDULED = 5
    """Background (ad hoc) work: the unscheduled uplift's share of CSM hours."""
    SESSION = 6
    """A one_to_many session: CSM time shared by its attendees' touches."""


class Channel(_Named):
    """How a task is delivered: the scenario language's channels, plus support."""

    ONE_TO_ONE = 0
    ONE_TO_MANY = 1
    AUTOMATED = 2
    SUPPORT = 3
    SKIPPED = 4


class Event(_Named):
    """An account event in the records."""

    CREATED = 0
    STAGE = 1
    """``value`` is the stage's index in :data:`simulator.scenario.lifecycle.STAGES`."""
    RENEWED = 2
    """``value`` is ARR before the renewal, ``value2`` ARR after it."""
    CHURNED = 3
    """``value`` is the ARR lost."""
    RISK = 4
    """``value`` is the risk event's index in the segment."""
    REASSIGNED = 5
    """``value`` is the old owner's CSM id, ``value2`` the new one's (-1: none)."""
    LATE_ONBOARDING = 6
    """``value`` is the touchpoint index of the first touch that made it late, ``value2``
    that touch's status code."""


NO_TOUCHPOINT = -1
"""Touchpoint index of a task that is no touchpoint of the plan (unscheduled work, support)."""

DELIVERED = frozenset({Status.ON_TIME, Status.LATE, Status.AUTOMATED})
"""Statuses that count as a delivered touch."""
