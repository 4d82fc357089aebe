"""Touchpoints: the triggers that plan a touch, and a touchpoint type with its defaults.

Default priority, due and on-time windows depend on the trigger kind; the ``resolved_*``
properties apply them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag, model_validator
from pydantic_core import PydanticCustomError

from simulator.scenario.base import Strict
from simulator.scenario.model.fields import Channel, Hours, Name, Share, Stage

__all__ = [
    "DEFAULT_AUTOMATED_EFFECTIVENESS",
    "MAX_COST_PER_TOUCH",
    "BeforeRenewal",
    "Cadence",
    "Offsets",
    "OnInbound",
    "OnRiskEvent",
    "StageEntry",
    "Touchpoint",
    "Trigger",
]

_Offset = Annotated[float, Field(ge=0, le=3650)]
Offsets = Annotated[
    Annotated[_Offset, Tag("one")] | Annotated[list[_Offset], Tag("list")],
    Discriminator(lambda v: "list" if isinstance(v, list) else "one"),
]


class StageEntry(Strict):
    """When an account enters a lifecycle stage, after an offset."""

    kind: Literal["stage_entry"] = Field(description="Trigger kind.")
    stage: Stage = Field(description="Stage whose entry starts the clock.")
    offset_days: Offsets = Field(
        default=0,
        description="Days after stage entry the touch is planned; a list plans one touch "
        "per offset (e.g. [14, 45] for two workshops).",
    )

    @property
    def offsets(self) -> list[float]:
        """Offsets in days, always as a list."""
        return list(self.offset_days) if isinstance(self.offset_days, list) else [self.offset_days]


class Cadence(Strict):
    """A touch repeated on a fixed rhythm while the account is in the listed stages."""

    kind: Literal["cadence"] = Field(description="Trigger kind.")
    every_days: float | None = Field(
        default=None,
        ge=1,
        le=3650,
        description="Days between touches, at least 1 (give this or per_year).",
    )
    per_year: float | None = Field(
        default=None, gt=0, le=365, description="Touches per year (give this or every_days)."
    )
    stages: list[Stage] | None = Field(
        default=None,
        min_length=1,
        description="Stages in which the cadence runs; all stages when omitted.",
    )

    @model_validator(mode="after")
    def _one_rate(self) -> Cadence:
        if (self.every_days is None) == (self.per_year is None):
            raise PydanticCustomError(
                "cadence_rate", "give exactly one of every_days or per_year", {}
            )
        return self

    @property
    def touches_per_year(self) -> float:
        """Touches per account-year while the cadence runs (1/year)."""
        if self.per_year is not None:
            return self.per_year
        if self.every_days is None:  # _one_rate makes this unreachable for a validated model
            raise TypeError("a cadence needs every_days or per_year")
        return 365.0 / self.every_days

    @property
    def interval_days(self) -> float:
        """Days between two touches."""
        return 365.0 / self.touches_per_year


class BeforeRenewal(Strict):
    """A fixed number of days before each renewal date."""

    kind: Literal["before_renewal"] = Field(description="Trigger kind.")
    days: float = Field(ge=0, le=3650, description="Days before the renewal date.")


class OnRiskEvent(Strict):
    """An escalation when a risk event (champion loss, usage drop, ...) hits an account."""

    kind: Literal["risk_event"] = Field(description="Trigger kind.")
    events: list[Name] | None = Field(
        default=None,
        min_length=1,
        description="Risk events (keys of the segment's risk_events) this touch answers; "
        "all of them when omitted.",
    )


class OnInbound(Strict):
    """An inbound request (feature request, complaint) that is routed to the CSM."""

    kind: Literal["inbound_request"] = Field(description="Trigger kind.")


Trigger = Annotated[
    StageEntry | Cadence | BeforeRenewal | OnRiskEvent | OnInbound,
    Field(discriminator="kind"),
]

_DEFAULT_PRIORITY = {
    "risk_event": 1,
    "before_renewal": 2,
    "inbound_request": 3,
    "stage_entry": 4,
    "cadence": 5,
}
_DEFAULT_DUE_DAYS = {
    "risk_event": 30.0,
    "before_renewal": 30.0,
    "inbound_request": 10.0,
    "stage_entry": 30.0,
    "cadence": 30.0,
}
_DEFAULT_ON_TIME_DAYS = {
    "risk_event": 3.0,
    "before_renewal": 7.0,
    "inbound_request": 2.0,
    "stage_entry": 7.0,
    "cadence": 7.0,
}
_UNPLANNED = ("risk_event", "inbound_request")
"""Triggers whose touches are not known before they happen (they cannot be booked ahead)."""
DEFAULT_AUTOMATED_EFFECTIVENESS = 0.5
"""Share of a delivered touch an automated touch counts for (plausible 0.3-0.6, an assumption:
docs/assumptions.md#automation)."""
MAX_COST_PER_TOUCH = 1e8
"""Largest ``cost_per_touch`` accepted (currency): USD 1,000 an automated touch, far above any
sending cost, in a currency of 100,000 units to the dollar (docs/assumptions.md#input-bounds)."""


class Touchpoint(Strict):
    """One type of touchpoint in a segment's engagement model."""

    description: str = Field(default="", description="Free text for reports.")
    trigger: Trigger = Field(description="What plans the touch.")
    channel: Channel = Field(
        default="one_to_one",
        description="one_to_one: CSM time per account; one_to_many: a session of CSM time "
        "shared by up to max_attendees accounts; automated: no CSM time; skipped: still "
        "planned but never delivered (no time, no cost, a missed touch in coverage): how a "
        "cut is modelled against the plan it cuts.",
    )
    hours: Hours | None = Field(
        default=None,
        description="CSM hours per delivery, prep and follow-up included: per touch for "
        "one_to_one, per session for one_to_many; unused for automated. A number or a "
        "distribution.",
    )
    max_attendees: int | None = Field(
        default=None, ge=1, le=100_000, description="Accounts per one_to_many session."
    )
    session_every_days: float = Field(
        default=7,
        gt=0,
        le=365,
        description="Days between one_to_many session slots; each slot holds as many "
        "sessions as its waiting attendees need.",
    )
    cost_per_touch: float = Field(
        default=0.0,
        ge=0,
        le=MAX_COST_PER_TOUCH,
        description="Cost of one automated touch (currency; at most 100,000,000: "
        "docs/assumptions.md#input-bounds).",
    )
    effectiveness: Share | None = Field(
        default=None,
        description="Share of a delivered touch an automated touch counts for in coverage "
        "(default 0.5, plausible 0.3-0.6: docs/assumptions.md#automation).",
    )
    on_time_days: float | None = Field(
        default=None,
        ge=0,
        le=3650,
        description="Days after the planned date within which a start counts as on time "
        "(default: 3 risk_event, 2 inbound_request, 7 otherwise; at most due_days).",
    )
    due_days: float | None = Field(
        default=None,
        gt=0,
        le=3650,
        description="Days after the planned date by which the touch must start, or it is "
        "missed (default: 10 inbound_request, 30 otherwise).",
    )
    priority: int | None = Field(
        default=None,
        ge=1,
        le=9,
        description="Queue priority, 1 served first (default: risk_event 1, before_renewal "
        "2, inbound_request 3, stage_entry 4, cadence 5).",
    )
    purpose: Literal["engagement", "milestone", "expansion"] = Field(
        default="engagement",
        description="engagement: a touch of the plan (counts in coverage); milestone: an "
        "onboarding milestone such as a kickoff or first value review (a stage_entry touch "
        "of onboarding): skipped, automated, missed or started after its on-time day, it "
        "makes the onboarding late; expansion: expansion or upsell work, whose delivery "
        "drives expansion at renewal (docs/assumptions.md#expansion). Milestones and "
        "expansion touches count in coverage too.",
    )
    weight: float = Field(
        default=1.0,
        ge=0,
        le=100,
        description="Weight of this touch in coverage (an inbound_request touchpoint: of a "
        "request in responsiveness, where an ad hoc task weighs 1).",
    )
    book_ahead_days: float | None = Field(
        default=None,
        ge=0,
        le=365,
        description="Days before its planned date a CSM with nothing due may start the "
        "touch (planned triggers only: stage_entry, cadence, before_renewal; default: the "
        "segment's book_ahead_days; docs/assumptions.md#how-csms-work).",
    )

    @model_validator(mode="after")
    def _channel_fields(self) -> Touchpoint:
        if self.channel in ("one_to_one", "one_to_many") and self.hours is None:
            raise PydanticCustomError(
                "missing_hours",
                "{channel} touchpoints need hours (CSM hours per {unit})",
                {
                    "channel": self.channel,
                    "unit": "session" if self.channel == "one_to_many" else "touch",
                },
            )
        if self.channel == "one_to_many" and self.max_attendees is None:
            raise PydanticCustomError(
                "missing_attendees", "one_to_many touchpoints need max_attendees", {}
            )
        trig = self.trigger
        if self.purpose == "milestone" and not (
            trig.kind == "stage_entry" and trig.stage == "onboarding"
        ):
            raise PydanticCustomError(
                "milestone_trigger",
                "purpose: milestone is for onboarding touches (trigger kind stage_entry, "
                "stage onboarding), not {kind}",
                {"kind": trig.kind if trig.kind != "stage_entry" else f"stage {trig.stage}"},
            )
        if self.purpose == "expansion" and trig.kind in _UNPLANNED:
            raise PydanticCustomError(
                "expansion_trigger",
                "purpose: expansion is for planned touches; a {kind} touch answers an event "
                "(inbound requests count in responsiveness, escalations in the risk hazard)",
                {"kind": trig.kind},
            )
        if self.book_ahead_days is not None and self.trigger.kind in _UNPLANNED:
            raise PydanticCustomError(
                "book_ahead",
                "book_ahead_days applies to planned touches; a {kind} touch is not known "
                "before it happens (remove book_ahead_days)",
                {"kind": self.trigger.kind},
            )
        if (
            self.due_days is not None
            and self.on_time_days is not None
            and self.on_time_days > self.due_days
        ):
            raise PydanticCustomError(
                "window_order",
                "on_time_days ({a}) must not exceed due_days ({b})",
                {"a": self.on_time_days, "b": self.due_days},
            )
        return self

    @property
    def resolved_priority(self) -> int:
        """Priority with the trigger kind's default applied."""
        return self.priority if self.priority is not None else _DEFAULT_PRIORITY[self.trigger.kind]

    @property
    def resolved_due_days(self) -> float:
        """Due window in days with the default applied."""
        return self.due_days if self.due_days is not None else _DEFAULT_DUE_DAYS[self.trigger.kind]

    @property
    def resolved_on_time_days(self) -> float:
        """On-time window in days with the default applied (never beyond the due window)."""
        v = (
            self.on_time_days
            if self.on_time_days is not None
            else _DEFAULT_ON_TIME_DAYS[self.trigger.kind]
        )
        return min(v, self.resolved_due_days)

    def resolved_book_ahead_days(self, segment_default: float) -> float:
        """Days a touch may be started before its planned date (0 for unplanned triggers)."""
        if self.trigger.kind in _UNPLANNED:
            return 0.0
        return self.book_ahead_days if self.book_ahead_days is not None else segment_default

    @property
    def resolved_effectiveness(self) -> float:
        """Coverage credit of one touch: 1, the effectiveness if automated, 0 if skipped."""
        if self.channel == "skipped":
            return 0.0
        if self.channel != "automated":
            return 1.0
        return (
            self.effectiveness
            if self.effectiveness is not None
            else DEFAULT_AUTOMATED_EFFECTIVENESS
        )

    @property
    def mean_csm_hours(self) -> float:
        """Mean CSM hours per delivery (per touch or per session); 0 when automated."""
        if self.channel in ("automated", "skipped") or self.hours is None:
            return 0.0
        return self.hours.mean
