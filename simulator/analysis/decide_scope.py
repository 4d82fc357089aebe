"""What a decision needs simulated: the segments its options change, and their teams.

Options that share a segment unchanged, on a team that serves no changed segment, get the
same result for it in every replication (common random numbers): it adds the same to
every option's net value and cannot move the decision. A decision simulates only the
rest, which is what makes hundreds of outer draws affordable.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from simulator.scenario.model import Scenario

__all__ = ["changed_segments", "reduced_data"]

_NOT_PLAN = {"name", "description", "segments", "teams", "variants", "uncertain", "extends"}


def _plan_wide(s: Scenario) -> dict[str, Any]:
    return s.model_dump(mode="json", exclude=_NOT_PLAN)


def _signature(s: Scenario, segment: str) -> Any:
    seg = s.segments.get(segment)
    if seg is None:
        return None
    team_name = s.team_name(segment)
    team = s.all_teams().get(team_name) if team_name else None
    return (
        seg.model_dump(mode="json", exclude={"team", "description"}),
        team_name,
        team.model_dump(mode="json") if team is not None else None,
    )


def changed_segments(scenarios: Sequence[Scenario]) -> list[str]:
    """Segments whose results can differ between the options, in scenario order.

    A segment is changed when any option defines it differently (or not at all), or
    changes its team; every segment served by a team that serves a changed segment is
    changed too (they share CSMs). A change outside the segments (calendar, horizon,
    economics, seed) changes every segment.
    """
    first = scenarios[0]
    names: list[str] = []
    for s in scenarios:
        names += [n for n in s.segments if n not in names]
    if any(_plan_wide(s) != _plan_wide(first) for s in scenarios[1:]):
        return names
    changed = {n for n in names if any(_signature(s, n) != _signature(first, n) for s in scenarios)}
    grown = True
    while grown:
        grown = False
        for s in scenarios:
            for n in list(changed):
                if n not in s.segments:
                    continue
                team = s.team_name(n)
                mates = s.segments_of(team) if team is not None else []
                new = set(mates) - changed
                if new:
                    changed |= new
                    grown = True
    return [n for n in names if n in changed]


def reduced_data(data: dict[str, Any], keep: Sequence[str], burn_in_days: float) -> dict[str, Any]:
    """A copy of scenario ``data`` with only the segments ``keep`` and the teams they use.

    ``burn_in_days`` is pinned (the full plan's), since its default depends on every
    segment; ``variants`` are dropped (each option is its own scenario).
    """
    out = copy.deepcopy({k: v for k, v in data.items() if k not in ("variants", "extends")})
    segments = out.get("segments") or {}
    out["segments"] = {k: v for k, v in segments.items() if k in keep}
    used = {
        seg.get("team")
        for seg in out["segments"].values()
        if isinstance(seg, dict) and isinstance(seg.get("team"), str)
    }
    if out.get("teams"):
        out["teams"] = {k: v for k, v in out["teams"].items() if k in used}
    if out.get("burn_in_days") is None:
        out["burn_in_days"] = burn_in_days
    return out
