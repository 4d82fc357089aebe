"""The explorer's controls: what each touchpoint kind shows, and reading them all back.

Every control is an input of its own, named by an index into the base scenario's
teams, segments, touchpoints (:func:`simulator.app.model.touchpoints`) and risk events:

=====================  ==================================================  ===============
input                  edits                                               for
=====================  ==================================================  ===============
``csms_<i>``           the team's CSMs at the start                        every team
``support_<j>``        share of inbound requests support answers           every segment
``requests_<j>``       inbound requests per account-year                   inbound touches
``event_<j>_<m>``      a risk event's rate per account-year                escalations
``per_year_<k>``       touches per account-year                            cadence
``offsets_<k>``        days after the stage entry (one touch each)         stage_entry
``days_<k>``           days before the renewal date                        before_renewal
``channel_<k>``        channel                                             every kind
``hours_<k>``          mean CSM hours per touch or session                 CSM channels
``attendees_<k>``      accounts per session                                one_to_many
``session_<k>``        days between session slots                          one_to_many
``cost_<k>``           cost per automated touch                            automated
``credit_<k>``         coverage credit of an automated touch               automated
=====================  ==================================================  ===============

So edits made to one team or touchpoint are kept while another is shown (a control
shows the value it was left at); :func:`collect_edits` reads them all into
:class:`~simulator.app.model.Edits`.
"""

from __future__ import annotations

import math
from typing import Any

from shiny import Inputs, reactive, ui

from simulator.app.model import (
    DEFAULT_ATTENDEES,
    DEFAULT_HOURS,
    Edits,
    channels_for,
    parse_offsets,
    risk_events_of,
    touchpoints,
)
from simulator.scenario.distributions import Fixed
from simulator.scenario.model import (
    DEFAULT_AUTOMATED_EFFECTIVENESS,
    BeforeRenewal,
    Cadence,
    OnInbound,
    OnRiskEvent,
    Scenario,
    StageEntry,
)

__all__ = [
    "CHANNEL_LABELS",
    "channel_controls",
    "collect_edits",
    "team_controls",
    "trigger_controls",
]

CHANNEL_LABELS = {
    "one_to_one": "One to one",
    "one_to_many": "One to many",
    "automated": "Automated",
    "skipped": "Skipped (cut)",
}

_KIND_LABELS = {
    "cadence": "cadence",
    "stage_entry": "stage entry",
    "before_renewal": "before renewal",
    "risk_event": "risk event",
    "inbound_request": "inbound",
}


def value(input: Inputs, name: str) -> Any | None:
    """An input's value, None while the browser has not sent it (a dependency either way)."""
    v = input[name]
    return v() if v.is_set() else None


def _kept(input: Inputs, name: str, default: Any) -> Any:
    """The value a control was left at (no dependency), else ``default``."""
    with reactive.isolate():
        v = value(input, name)
    return default if v is None else v


def _step(base: float, coarse: float) -> float:
    """``coarse`` when ``base`` sits on its grid, else a step fine enough to show it."""
    if math.isclose(base / coarse, round(base / coarse), abs_tol=1e-9):
        return coarse
    return 0.01


def _slider(
    name: str, label: str, lo: float, hi: float, v: float, coarse: float, base: float
) -> Any:
    return ui.input_slider(name, label, lo, max(hi, v), v, step=_step(base, coarse))


def _offsets_text(offsets: list[float]) -> str:
    return ", ".join(str(int(x)) if float(x).is_integer() else str(x) for x in offsets)


def collect_edits(s: Scenario, input: Inputs) -> Edits:
    """Every control the page has shown, read into :class:`Edits` (indices name the ids).

    Raises
    ------
    ValueError
        When the offsets typed are not numbers (:func:`~simulator.app.model.parse_offsets`).
    """
    e = Edits()
    for i, team in enumerate(s.all_teams()):
        v = value(input, f"csms_{i}")
        if v is not None:
            e.csms[team] = int(v)
    for j, (seg_name, seg) in enumerate(s.segments.items()):
        for name, target in (("support", e.support_share), ("requests", e.requests)):
            v = value(input, f"{name}_{j}")
            if v is not None:
                target[seg_name] = float(v)
        for m, event in enumerate(seg.risk_events):
            v = value(input, f"event_{j}_{m}")
            if v is not None:
                e.event_rate[(seg_name, event)] = float(v)
    numbers: list[tuple[str, dict[Any, Any], type]] = [
        ("per_year", e.per_year, float),
        ("days", e.days_before, float),
        ("hours", e.hours, float),
        ("attendees", e.attendees, int),
        ("session", e.session_days, float),
        ("cost", e.cost_per_touch, float),
        ("credit", e.effectiveness, float),
    ]
    for k, key in enumerate(touchpoints(s)):
        for name, field, kind in numbers:
            v = value(input, f"{name}_{k}")
            if v is not None:
                field[key] = kind(v)
        channel = value(input, f"channel_{k}")
        if channel is not None:
            e.channel[key] = str(channel)
        text = value(input, f"offsets_{k}")
        if text is not None:
            e.offsets[key] = parse_offsets(str(text))
    return e


def team_controls(s: Scenario, team: str, input: Inputs) -> ui.TagList:
    """CSMs, the support share of each of the team's segments, and the touchpoint picker."""
    teams = list(s.all_teams())
    segments = list(s.segments)
    keys = touchpoints(s)
    i = teams.index(team)
    csms = int(_kept(input, f"csms_{i}", s.all_teams()[team].csms))
    top = max(3 * max(s.all_teams()[team].csms, 1), csms + 10)
    items: list[Any] = [ui.input_slider(f"csms_{i}", "CSMs at the start", 0, top, csms, step=1)]
    for seg in s.segments_of(team):
        j = segments.index(seg)
        share = _kept(input, f"support_{j}", s.segments[seg].inbound.support_share)
        label = f"Support share of inbound requests ({seg})"
        items.append(ui.input_slider(f"support_{j}", label, 0, 1, share, step=0.05))
    mine = touchpoints(s, team)
    options = {
        str(keys.index(key)): f"{key[0]}: {key[1]} "
        f"({_KIND_LABELS[s.segments[key[0]].touchpoints[key[1]].trigger.kind]})"
        for key in mine
    }
    if options:
        cadence = [key for key in mine if isinstance(_trigger(s, key), Cadence)]
        first = str(keys.index(cadence[0] if cadence else mine[0]))
        chosen = _kept(input, "touch", first)
        items.append(
            ui.input_select(
                "touch", "Touchpoint", options, selected=chosen if chosen in options else first
            )
        )
    return ui.TagList(*items)


def _trigger(s: Scenario, key: tuple[str, str]) -> Any:
    return s.segments[key[0]].touchpoints[key[1]].trigger


def trigger_controls(s: Scenario, k: int, input: Inputs) -> ui.TagList:
    """How often or when touchpoint ``k`` is planned (by its trigger kind), and its channel."""
    seg_name, name = touchpoints(s)[k]
    seg = s.segments[seg_name]
    tp = seg.touchpoints[name]
    j = list(s.segments).index(seg_name)
    trig = tp.trigger
    items: list[Any] = []
    if isinstance(trig, Cadence):
        rate = trig.touches_per_year
        v = _kept(input, f"per_year_{k}", rate)
        label = "Touches per account-year"
        items.append(_slider(f"per_year_{k}", label, 0.5, max(24.0, 2 * rate), v, 0.5, rate))
    elif isinstance(trig, StageEntry):
        text = _kept(input, f"offsets_{k}", _offsets_text(trig.offsets))
        label = f"Days after {trig.stage} entry (one touch each, e.g. 14, 45)"
        items.append(ui.input_text(f"offsets_{k}", label, text))
    elif isinstance(trig, BeforeRenewal):
        v = _kept(input, f"days_{k}", trig.days)
        label = "Days before the renewal date"
        items.append(_slider(f"days_{k}", label, 0, max(365.0, trig.days), v, 1.0, trig.days))
    elif isinstance(trig, OnRiskEvent):
        events = list(seg.risk_events)
        for event in risk_events_of(seg, tp):
            m = events.index(event)
            rate = seg.risk_events[event].per_account_year
            v = _kept(input, f"event_{j}_{m}", rate)
            label = f"{event} events per account-year ({seg_name}, every touchpoint answering it)"
            items.append(_slider(f"event_{j}_{m}", label, 0, max(1.0, 4 * rate), v, 0.01, rate))
    elif isinstance(trig, OnInbound):
        rate = seg.inbound.requests_per_account_year
        v = _kept(input, f"requests_{j}", rate)
        label = f"Inbound requests per account-year ({seg_name}; support answers its share)"
        items.append(_slider(f"requests_{j}", label, 0, max(24.0, 2 * rate), v, 0.5, rate))
    choices = {c: CHANNEL_LABELS[c] for c in channels_for(seg, tp)}
    channel = _kept(input, f"channel_{k}", tp.channel)
    items.append(
        ui.input_radio_buttons(
            f"channel_{k}", "Channel", choices, selected=channel if channel in choices else None
        )
    )
    return ui.TagList(*items)


def channel_controls(s: Scenario, k: int, channel: str, input: Inputs) -> ui.TagList:
    """What touchpoint ``k``'s channel uses: hours; attendees and rhythm; cost and credit."""
    seg_name, name = touchpoints(s)[k]
    tp = s.segments[seg_name].touchpoints[name]
    items: list[Any] = []
    if channel in ("one_to_one", "one_to_many"):
        base = tp.hours.mean if tp.hours is not None else DEFAULT_HOURS
        v = _kept(input, f"hours_{k}", base)
        unit = "session" if channel == "one_to_many" else "touch"
        shaped = tp.hours is not None and not isinstance(tp.hours, Fixed)
        label = f"CSM hours per {unit}" + (" (mean; the spread scales with it)" if shaped else "")
        items.append(_slider(f"hours_{k}", label, 0.25, max(16.0, 3 * base), v, 0.25, base))
    if channel == "one_to_many":
        seats = tp.max_attendees or DEFAULT_ATTENDEES
        v = _kept(input, f"attendees_{k}", seats)
        items.append(
            ui.input_slider(
                f"attendees_{k}", "Accounts per session", 1, max(100, 2 * seats, v), v, step=1
            )
        )
        days = tp.session_every_days
        v = _kept(input, f"session_{k}", days)
        label = "Days between session slots"
        items.append(_slider(f"session_{k}", label, 1, max(60.0, 2 * days), v, 1.0, days))
    if channel == "automated":
        cost = tp.cost_per_touch
        v = _kept(input, f"cost_{k}", cost)
        label = f"Cost per automated touch ({s.currency})"
        items.append(_slider(f"cost_{k}", label, 0, max(1.0, 4 * cost), v, 0.01, cost))
        credit = DEFAULT_AUTOMATED_EFFECTIVENESS if tp.effectiveness is None else tp.effectiveness
        v = _kept(input, f"credit_{k}", credit)
        label = "Coverage credit of an automated touch (effectiveness)"
        items.append(_slider(f"credit_{k}", label, 0, 1, v, 0.05, credit))
    return ui.TagList(*items)
