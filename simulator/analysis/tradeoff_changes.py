"""The menu of engagement-model changes a tradeoff chooses from, as partial scenarios.

For each scheduled touchpoint of a team's segments: cut it (``channel: skipped``), halve
it (half delivered, half skipped), move it to one_to_many, or automate it; for inbound
requests, route more of them to support. :mod:`simulator.analysis.tradeoff` scores and
combines them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.scenario.model import Scenario, Segment, Touchpoint

__all__ = ["Change", "candidate_changes", "combine_patches", "plan_patch"]


@dataclass(frozen=True)
class Change:
    """One change to the engagement model, as a partial scenario."""

    label: str
    target: str
    """What it changes, ``SEGMENT.TOUCHPOINT`` or ``SEGMENT.inbound`` (one change per
    target in a plan)."""
    patch: dict[str, Any]
    kind: str = ""
    """``cut``, ``halve``, ``one_to_many``, ``automate`` or ``route`` (inbound to support)."""


def _touch(segment: str, name: str, body: Any) -> dict[str, Any]:
    """A partial scenario changing one touchpoint of one segment."""
    return {"segments": {segment: {"touchpoints": {name: body}}}}


def _halve(seg_name: str, seg: Segment, name: str, tp: Touchpoint) -> Change | None:
    """Half the touchpoint delivered, half planned but skipped (None: it cannot halve)."""
    trig = tp.trigger
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
    if halves is None or cut_name in seg.touchpoints:
        return None
    kept, cut = halves
    patch = {
        "segments": {
            seg_name: {
                "touchpoints": {
                    name: {"trigger": kept},
                    cut_name: {"trigger": cut, "channel": "skipped", "weight": tp.weight},
                }
            }
        }
    }
    return Change(f"halve {seg_name}.{name}", f"{seg_name}.{name}", patch, "halve")


def _touchpoint_changes(seg_name: str, seg: Segment, name: str, tp: Touchpoint) -> list[Change]:
    """Cut, halve, move to one_to_many and automate one scheduled touchpoint."""
    trig = tp.trigger
    if trig.kind not in ("stage_entry", "cadence", "before_renewal"):
        return []
    if tp.channel in ("automated", "skipped"):
        return []
    where = f"{seg_name}.{name}"
    out = [Change(f"cut {where}", where, _touch(seg_name, name, {"channel": "skipped"}), "cut")]
    halved = _halve(seg_name, seg, name, tp)
    if halved is not None:
        out.append(halved)
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
                "one_to_many",
            )
        )
    automate = _touch(seg_name, name, {"channel": "automated"})
    out.append(Change(f"automate {where}", where, automate, "automate"))
    return out


def candidate_changes(s: Scenario, team: str) -> list[Change]:
    """Every single change on the menu for the segments ``team`` serves (before the rules
    of :mod:`simulator.analysis.tradeoff_rules`)."""
    out: list[Change] = []
    for seg_name in s.segments_of(team):
        seg = s.segments[seg_name]
        for name, tp in seg.touchpoints.items():
            out += _touchpoint_changes(seg_name, seg, name, tp)
        inbound = seg.inbound
        if inbound.requests_per_account_year > 0 and inbound.support_share < 0.9:
            share = round(min(0.95, inbound.support_share + 0.25), 3)
            out.append(
                Change(
                    f"route {seg_name} inbound to support ({100 * inbound.support_share:.0f}% -> {100 * share:.0f}%)",
                    f"{seg_name}.inbound",
                    {"segments": {seg_name: {"inbound": {"support_share": share}}}},
                    "route",
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
