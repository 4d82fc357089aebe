"""The explorer's edits: control values -> ``dotted.path=value`` scenario overrides.

Nothing here knows about the web framework: the app's server reads its inputs into an
:class:`Edits` and asks :func:`overrides_for` for the overrides (the same strings the
command line's ``--set`` takes, so the edited scenario validates exactly as a file
would); :func:`edited` loads the scenario with them. Every touchpoint kind is editable:
a cadence's touches a year, a stage-entry touch's offsets, a before-renewal touch's days,
the rate of the risk events an escalation answers and of inbound requests, and for every
kind its channel with what that channel needs (hours; attendees and session rhythm for
one_to_many; cost and coverage credit for automated). The closed form's numbers are in
:mod:`simulator.app.numbers`.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.scenario.distributions import Fixed
from simulator.scenario.loader import Loaded, load
from simulator.scenario.model import (
    DEFAULT_AUTOMATED_EFFECTIVENESS,
    BeforeRenewal,
    Cadence,
    OnRiskEvent,
    Scenario,
    Segment,
    StageEntry,
    Touchpoint,
)

__all__ = [
    "CHANNELS",
    "DEFAULT_ATTENDEES",
    "DEFAULT_HOURS",
    "Edits",
    "Key",
    "channels_for",
    "edited",
    "overrides_for",
    "parse_offsets",
    "risk_events_of",
    "scaled_hours",
    "team_path",
    "touch_rate",
    "touchpoints",
]

Key = tuple[str, str]
"""A touchpoint by ``(segment, touchpoint)``."""

CHANNELS = ("one_to_one", "one_to_many", "automated", "skipped")
"""The delivery channels a touchpoint can be switched to (skipped: planned, never delivered)."""

_UNPLANNED = ("risk_event", "inbound_request")
"""Trigger kinds answered one account at a time (one_to_many does not suit them)."""

DEFAULT_ATTENDEES = 20
"""``max_attendees`` given to a touchpoint switched to one_to_many without one (assumption)."""

DEFAULT_HOURS = 1.0
"""CSM hours given to an automated touchpoint switched to a CSM channel (assumption)."""

_SCALED = {"low", "mode", "high", "mean", "sd", "min", "max"}
"""Distribution parameters in the unit of a draw (hours): scaled to move the mean."""


@dataclass
class Edits:
    """What the explorer's controls changed, by team, touchpoint, risk event and segment.

    A value equal to the plan's is no edit (:func:`overrides_for` writes nothing for it).
    Touchpoints are keyed by ``(segment, touchpoint)``.

    Attributes
    ----------
    csms
        CSMs at the start, by team (named or a segment's inline team).
    per_year
        Touches per account-year of cadence touchpoints.
    offsets
        Days after the stage entry of stage_entry touchpoints (one touch per offset).
    days_before
        Days before the renewal date of before_renewal touchpoints.
    channel
        Channel, one of :data:`CHANNELS`.
    hours
        Mean CSM hours per touch (one_to_one) or per session (one_to_many); a
        distribution keeps its shape and is scaled to the new mean.
    attendees
        Accounts per one_to_many session (``max_attendees``).
    session_days
        Days between one_to_many session slots (``session_every_days``).
    cost_per_touch
        Cost of one automated touch (currency).
    effectiveness
        Share of a delivered touch an automated touch counts for in coverage.
    event_rate
        Risk events per account-year, by ``(segment, risk event)``.
    requests
        Inbound requests per account-year, by segment.
    support_share
        Share of a segment's inbound requests support handles instead of the CSM.
    """

    csms: dict[str, int] = field(default_factory=dict)
    per_year: dict[Key, float] = field(default_factory=dict)
    offsets: dict[Key, tuple[float, ...]] = field(default_factory=dict)
    days_before: dict[Key, float] = field(default_factory=dict)
    channel: dict[Key, str] = field(default_factory=dict)
    hours: dict[Key, float] = field(default_factory=dict)
    attendees: dict[Key, int] = field(default_factory=dict)
    session_days: dict[Key, float] = field(default_factory=dict)
    cost_per_touch: dict[Key, float] = field(default_factory=dict)
    effectiveness: dict[Key, float] = field(default_factory=dict)
    event_rate: dict[tuple[str, str], float] = field(default_factory=dict)
    requests: dict[str, float] = field(default_factory=dict)
    support_share: dict[str, float] = field(default_factory=dict)

    def touched(self) -> set[Key]:
        """Every touchpoint some field edits."""
        maps: list[dict[Key, Any]] = [
            self.per_year,
            self.offsets,
            self.days_before,
            self.channel,
            self.hours,
            self.attendees,
            self.session_days,
            self.cost_per_touch,
            self.effectiveness,
        ]
        return {k for m in maps for k in m}


def team_path(s: Scenario, team: str) -> str:
    """The override path of ``team``'s definition: ``teams.X`` or ``segments.X.team``."""
    if team in s.teams:
        return f"teams.{team}"
    if team in s.segments:
        return f"segments.{team}.team"
    raise ValueError(f"no team {team!r}; teams: {', '.join(s.all_teams())}")


def touchpoints(s: Scenario, team: str | None = None) -> list[Key]:
    """``(segment, touchpoint)`` of every touchpoint (of ``team``'s segments), in file order."""
    segments = s.segments_of(team) if team is not None else list(s.segments)
    return [(seg, name) for seg in segments for name in s.segments[seg].touchpoints]


def channels_for(seg: Segment, tp: Touchpoint) -> tuple[str, ...]:
    """The channels a touchpoint may be switched to, its own always among them.

    Escalations and inbound requests are answered one account at a time (no
    one_to_many); a digital segment has no CSM owner for one_to_one work.
    """
    out = [
        c
        for c in CHANNELS
        if not (c == "one_to_many" and tp.trigger.kind in _UNPLANNED)
        and not (c == "one_to_one" and seg.coverage == "digital")
    ]
    return tuple(c for c in CHANNELS if c in out or c == tp.channel)


def risk_events_of(seg: Segment, tp: Touchpoint) -> list[str]:
    """The risk events an escalation touchpoint answers (all the segment's when unnamed)."""
    if not isinstance(tp.trigger, OnRiskEvent):
        return []
    return [e for e in (tp.trigger.events or list(seg.risk_events)) if e in seg.risk_events]


def touch_rate(s: Scenario, key: Key) -> float:
    """What sets how often a touchpoint happens: touches per account-year of a cadence,
    touches per stage entry (offsets) of a stage_entry, 1 per renewal of a before_renewal,
    events per account-year of an escalation, CSM-routed requests per account-year of an
    inbound touchpoint."""
    seg = s.segments[key[0]]
    trig = seg.touchpoints[key[1]].trigger
    if isinstance(trig, Cadence):
        return float(trig.touches_per_year)
    if isinstance(trig, StageEntry):
        return float(len(trig.offsets))
    if isinstance(trig, BeforeRenewal):
        return 1.0
    if isinstance(trig, OnRiskEvent):
        tp = seg.touchpoints[key[1]]
        return float(sum(seg.risk_events[e].per_account_year for e in risk_events_of(seg, tp)))
    return float(seg.inbound.requests_per_account_year * (1 - seg.inbound.support_share))


def parse_offsets(text: str) -> tuple[float, ...]:
    """``"14, 45"`` -> ``(14.0, 45.0)``: days after a stage entry, one touch each.

    Raises
    ------
    ValueError
        For a word that is not a number, or no offset at all.
    """
    words = [w for w in re.split(r"[,;\s]+", text.strip()) if w]
    if not words:
        raise ValueError(
            "give at least one offset (days after the stage entry, e.g. 14, 45); "
            "to cut the touch, choose Skipped"
        )
    out = []
    for w in words:
        try:
            out.append(float(w))
        except ValueError:
            raise ValueError(
                f"offsets: {w!r} is not a number of days; write days after the stage "
                "entry, e.g. 14, 45"
            ) from None
    return tuple(out)


def _num(x: float) -> str:
    """A number as YAML writes it plainly: ``6``, ``2.5``."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def scaled_hours(hours: Any, mean: float) -> str:
    """The YAML of ``hours`` (a distribution, or None) moved to ``mean`` hours.

    A fixed value or None becomes the number; a distribution keeps its shape: every
    parameter in hours (low, mode, high, mean, sd, min, max, empirical values) is scaled
    by ``mean / old mean``, the coefficient of variation and weights are kept, so the
    mean is exactly ``mean`` (a truncated normal included).
    """
    if hours is None or isinstance(hours, Fixed) or not hours.mean > 0:
        return _num(mean)
    k = mean / hours.mean
    data = hours.model_dump(by_alias=True, exclude_none=True)
    parts = []
    for name, v in data.items():
        if name in _SCALED:
            v = _num(round(v * k, 9))
        elif name == "values":
            v = "[" + ", ".join(_num(round(x * k, 9)) for x in v) + "]"
        elif isinstance(v, list):
            v = "[" + ", ".join(_num(x) for x in v) + "]"
        elif isinstance(v, int | float):
            v = _num(v)
        parts.append(f"{name}: {v}")
    return "{" + ", ".join(parts) + "}"


def _differs(new: float | None, old: float | None) -> bool:
    return new is not None and (old is None or not math.isclose(new, old, abs_tol=1e-12))


def overrides_for(base: Scenario, e: Edits) -> list[str]:
    """The ``dotted.path=value`` edits that turn ``base`` into what the controls say.

    Only values that differ from ``base`` are written, and only the fields the
    touchpoint's (new) channel uses: hours for one_to_one and one_to_many, attendees and
    session rhythm for one_to_many, cost and effectiveness for automated. A touchpoint
    switched to one_to_many without ``max_attendees`` gets :data:`DEFAULT_ATTENDEES`;
    one switched to a CSM channel without hours gets :data:`DEFAULT_HOURS`.

    Raises
    ------
    ValueError
        For a team, segment, touchpoint, risk event or channel the scenario does not have,
        or a field that does not fit the touchpoint's trigger.
    """
    teams = base.all_teams()
    out: list[str] = []
    for team, csms in e.csms.items():
        if team not in teams:
            raise ValueError(f"no team {team!r}; teams: {', '.join(teams)}")
        if int(csms) != teams[team].csms:
            out.append(f"{team_path(base, team)}.csms={int(csms)}")
    for key in sorted(e.touched()):
        out += _touch_overrides(base, key, e)
    for (seg, event), rate in sorted(e.event_rate.items()):
        events = _segment(base, seg).risk_events
        if event not in events:
            raise ValueError(f"segment {seg} has no risk event {event!r}")
        if _differs(rate, events[event].per_account_year):
            out.append(f"segments.{seg}.risk_events.{event}.per_account_year={_num(rate)}")
    for seg, rate in e.requests.items():
        if _differs(rate, _segment(base, seg).inbound.requests_per_account_year):
            out.append(f"segments.{seg}.inbound.requests_per_account_year={_num(rate)}")
    for seg, share in e.support_share.items():
        if _differs(share, _segment(base, seg).inbound.support_share):
            out.append(f"segments.{seg}.inbound.support_share={_num(share)}")
    return out


def _segment(s: Scenario, name: str) -> Segment:
    if name not in s.segments:
        raise ValueError(f"no segment {name!r}; segments: {', '.join(s.segments)}")
    return s.segments[name]


def _touch_overrides(base: Scenario, key: Key, e: Edits) -> list[str]:
    seg_name, name = key
    seg = _segment(base, seg_name)
    if name not in seg.touchpoints:
        raise ValueError(f"segment {seg_name} has no touchpoint {name!r}")
    tp = seg.touchpoints[name]
    at = f"segments.{seg_name}.touchpoints.{name}"
    out = _trigger_overrides(tp, at, key, e)
    channel = e.channel.get(key, tp.channel)
    if channel not in CHANNELS:
        raise ValueError(f"channel {channel!r}; one of {', '.join(CHANNELS)}")
    if channel != tp.channel:
        out.append(f"{at}.channel={channel}")
    if channel in ("one_to_one", "one_to_many"):
        old = tp.hours.mean if tp.hours is not None else None
        hours = e.hours.get(key, old if old is not None else DEFAULT_HOURS)
        if _differs(hours, old):
            out.append(f"{at}.hours={scaled_hours(tp.hours, hours)}")
    if channel == "one_to_many":
        attendees = e.attendees.get(key, tp.max_attendees or DEFAULT_ATTENDEES)
        if tp.max_attendees is None or int(attendees) != tp.max_attendees:
            out.append(f"{at}.max_attendees={int(attendees)}")
        if _differs(e.session_days.get(key), tp.session_every_days):
            out.append(f"{at}.session_every_days={_num(e.session_days[key])}")
    if channel == "automated":
        if _differs(e.cost_per_touch.get(key), tp.cost_per_touch):
            out.append(f"{at}.cost_per_touch={_num(e.cost_per_touch[key])}")
        credit = tp.effectiveness
        if _differs(
            e.effectiveness.get(key), DEFAULT_AUTOMATED_EFFECTIVENESS if credit is None else credit
        ):
            out.append(f"{at}.effectiveness={_num(e.effectiveness[key])}")
    return out


def _trigger_overrides(tp: Touchpoint, at: str, key: Key, e: Edits) -> list[str]:
    """Edits of how often or when the touch is planned (by trigger kind)."""
    trig = tp.trigger
    out: list[str] = []
    fits: list[tuple[str, dict[Key, Any], type]] = [
        ("per_year", e.per_year, Cadence),
        ("offsets", e.offsets, StageEntry),
        ("days_before", e.days_before, BeforeRenewal),
    ]
    for what, values, kind in fits:
        if key in values and not isinstance(trig, kind):
            raise ValueError(f"{key[0]}.{key[1]} is a {trig.kind} touchpoint: no {what}")
    if isinstance(trig, Cadence) and _differs(e.per_year.get(key), trig.touches_per_year):
        if trig.every_days is not None:
            out.append(f"{at}.trigger.every_days=null")
        out.append(f"{at}.trigger.per_year={_num(e.per_year[key])}")
    if isinstance(trig, StageEntry) and key in e.offsets:
        new = [float(x) for x in e.offsets[key]]
        if new != [float(x) for x in trig.offsets]:
            text = _num(new[0]) if len(new) == 1 else "[" + ", ".join(map(_num, new)) + "]"
            out.append(f"{at}.trigger.offset_days={text}")
    if isinstance(trig, BeforeRenewal) and _differs(e.days_before.get(key), trig.days):
        out.append(f"{at}.trigger.days={_num(e.days_before[key])}")
    return out


def edited(path: str | Path | None, overrides: Sequence[str]) -> Loaded:
    """The scenario at ``path`` (the bundled default when None) with the overrides applied.

    The last few are kept (a slider moved back and forth reads no file again); the
    result is shared, so it is not to be changed.

    Raises
    ------
    ScenarioError
        When the edited scenario is not valid (not kept: the next call raises again).
    """
    return _edited(None if path is None else str(path), tuple(overrides))


@functools.lru_cache(maxsize=32)
def _edited(path: str | None, overrides: tuple[str, ...]) -> Loaded:
    return load(path, overrides)
