"""The recommended plan of a tradeoff as a scenario file that extends its input."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simulator.analysis.tradeoff import TradeoffResult, combine_patches
from simulator.scenario.loader import Loaded, bundled_scenario, parse_override_path
from simulator.scenario.model import Scenario
from simulator.scenario.yamlsource import dump_yaml, parse_yaml

__all__ = ["overrides_patch", "plan_yaml", "with_headcount"]


def overrides_patch(overrides: Sequence[str], data: dict[str, Any]) -> dict[str, Any]:
    """Overrides as a partial scenario (null stays, so it deletes when extended).

    An override inside a list (``ramp[1]=0.9``) writes the whole list as evaluated
    (taken from ``data``, the resolved scenario data the overrides were applied to).
    """
    patch: dict[str, Any] = {}
    for text in overrides:
        raw_path, raw_value = text.split("=", 1)
        path = parse_override_path(raw_path)
        if path is None:
            continue
        first_index = next((i for i, el in enumerate(path) if isinstance(el, int)), None)
        # the map keys before any list index (all of them when there is none)
        keys = [el for el in path[:first_index] if isinstance(el, str)]
        if first_index is not None:
            value: Any = data
            for key in keys:
                value = value[key]
        else:
            value, _ = parse_yaml(raw_value, f"override {text}")
        node = patch
        for part in keys[:-1]:
            node = node.setdefault(part, {})
        node[keys[-1]] = value
    return patch


def with_headcount(body: dict[str, Any], team: str, csms: int, s: Scenario) -> dict[str, Any]:
    """``body`` with the offered headcount of ``team`` (a named team or a segment's inline
    team)."""
    if team in s.teams:
        teams = dict(body.get("teams", {}))
        teams[team] = {**teams.get(team, {}), "csms": csms}
        return {**body, "teams": teams}
    segments = dict(body.get("segments", {}))
    seg = dict(segments.get(team, {}))
    seg["team"] = {**seg.get("team", {}), "csms": csms}
    segments[team] = seg
    return {**body, "segments": segments}


def plan_yaml(
    loaded: Loaded,
    result: TradeoffResult,
    team: str,
    csms: int,
    target: str | Path,
    overrides: Sequence[str] = (),
    written_by: str = "simulator.analysis.tradeoff",
) -> str | None:
    """The recommended plan as YAML text for the file ``target``, or None without a plan.

    The plan is what was evaluated: it ``extends`` the input scenario (by a path relative
    to ``target``'s folder), then applies the ``overrides`` the input was loaded with,
    the plan's changes and the offered headcount.

    Parameters
    ----------
    loaded
        The input scenario as loaded (with ``overrides``).
    result
        The tradeoff of ``team`` at ``csms`` CSMs.
    target
        Where the text will be written (for the relative ``extends``).
    written_by
        What wrote it, for the header comment (e.g. the command line).
    """
    if result.plan_patch is None or result.plan is None:
        return None
    source = loaded.files[-1] if loaded.files else str(bundled_scenario())
    base = os.path.relpath(Path(source).resolve(), Path(target).resolve().parent)
    header = f"# written by {written_by}: " + "; ".join(c.label for c in result.plan.changes)
    body = combine_patches(
        {"extends": base, "name": f"{loaded.scenario.name} - {team} at {csms} CSMs"},
        combine_patches(overrides_patch(overrides, loaded.data), result.plan_patch),
    )
    body = with_headcount(body, team, csms, loaded.scenario)
    return header + "\n" + dump_yaml(body)
