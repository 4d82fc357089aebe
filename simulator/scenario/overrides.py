"""``--set`` overrides: ``dotted.path=value`` edits of the scenario data before validation."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from simulator.errors import (
    Hint,
    Hinted,
    Issue,
    Location,
    Path,
    ScenarioError,
    format_path,
    hinted,
)
from simulator.scenario.datapath import has_item
from simulator.scenario.yamlsource import SourceMap, parse_yaml

__all__ = ["apply_overrides", "locate_issue", "override_within", "parse_override_path"]

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_override_path(text: str) -> Path | None:
    """``a.b[2].c`` -> ("a", "b", 2, "c"); None when the text is not a path."""
    pos = 0
    out: list[str | int] = []
    text = text.strip()
    while pos < len(text):
        if text[pos] == "." and out:
            pos += 1
        m = _SEGMENT.match(text, pos)
        if not m:
            return None
        out.append(int(m.group(2)) if m.group(2) is not None else m.group(1).strip().strip("'\""))
        pos = m.end()
    return tuple(out) if out and all(p != "" for p in out) else None


def override_location(text: str) -> Location:
    """Where an override's values come from: the override itself (a hint naming it)."""
    return Location(hinted(Hint("overrides", [text], text)))


def override_text(loc: Location) -> str | None:
    """The ``PATH=VALUE`` text of an override location; None for a file position."""
    if isinstance(loc.file, Hinted):
        for part in loc.file.parts:
            if isinstance(part, Hint) and part.param == "overrides":
                return part.text
    return None


def override_within(src: SourceMap, path: Path) -> Location | None:
    """Where the first ``--set`` override that set something strictly inside ``path``
    came from; None when no override reached inside it."""
    n = len(path)
    for located in (src.values, src.keys):
        for p, loc in located.items():
            if len(p) > n and p[:n] == path and override_text(loc) is not None:
                return loc
    return None


def locate_issue(src: SourceMap, path: Path, prefer: str = "value") -> Location | None:
    """Where to report a problem at ``path``: its own position, unless that is a line of
    the file while an override changed something inside ``path``.

    A problem of a whole mapping (``one_to_many touchpoints need max_attendees`` after
    ``--set ...qbr.channel=one_to_many``, an unknown field once ``--set ...trigger.kind``
    changed the kind) is then reported at the override that made it, not at the file's
    line of the mapping.
    """
    loc = src.locate(path, prefer=prefer)
    if not path or (loc is not None and override_text(loc) is not None):
        return loc  # the whole scenario: any override would be a guess
    return override_within(src, path) or loc


def apply_overrides(
    data: dict[str, Any], src: SourceMap, overrides: Iterable[str]
) -> dict[str, Any]:
    """Apply ``dotted.path=value`` overrides (values are YAML: ``6``, ``true``, ``[1, 2]``).

    A value of ``null`` deletes the key. Missing mappings on the way are created.
    """
    issues: list[Issue] = []
    for text in overrides:
        where = override_location(text)
        if "=" not in text:
            issues.append(
                Issue("expected PATH=VALUE, e.g. segments.top.team.csms=6", location=where)
            )
            continue
        raw_path, raw_value = text.split("=", 1)
        if not raw_value.strip():
            issues.append(
                Issue("the value is empty; give a value, or null to delete the key", location=where)
            )
            continue
        path = parse_override_path(raw_path)
        if path is not None and path[0] == "extends":
            issues.append(
                Issue(
                    "extends cannot be set from the command line; write it in the file",
                    location=where,
                )
            )
            continue
        if path is None or isinstance(path[0], int):
            issues.append(
                Issue(
                    "cannot read the path; use dotted names with [i] for list items, e.g. "
                    "segments.top.team.hiring_plan[0].change",
                    location=where,
                    value=raw_path,
                )
            )
            continue
        try:
            value, _ = parse_yaml(raw_value, where.file)
        except ScenarioError as exc:
            issues.append(
                Issue(f"the value is not valid YAML: {exc.issues[0].message}", path, where)
            )
            continue
        created = [path[:i] for i in range(1, len(path)) if not _exists(data, path[:i])]
        problem = _set_path(data, path, value)
        if problem:
            issues.append(Issue(problem, path, where))
            continue
        src.drop(path)
        for prefix in created:
            src.keys[prefix] = where
            src.values[prefix] = where
        src.keys[path] = where
        src.values[path] = where
    if issues:
        raise ScenarioError(issues, "applying the overrides")
    return data


def _exists(data: Any, path: Path) -> bool:
    """Whether every step of ``path`` exists in ``data``."""
    node = data
    for el in path:
        if not has_item(node, el):
            return False
        node = node[el]
    return True


def _set_path(data: Any, path: Path, value: Any) -> str | None:
    """Set ``path`` in ``data`` to ``value`` (None deletes); a message when it cannot."""
    node = data
    for i, el in enumerate(path[:-1]):
        here = format_path(path[: i + 1])
        nxt = path[i + 1]
        if isinstance(node, dict) and isinstance(el, int):
            where = format_path(path[:i]) or "the top level"
            return f"{where} is keyed by name, not by position; use a name instead of [{el}]"
        if isinstance(node, dict) and isinstance(el, str):
            if node.get(el) is None:
                if isinstance(nxt, int):
                    return hinted(
                        f"{here} is not set in the scenario, so it has no item {nxt}; set the "
                        "whole list, e.g. ",
                        Hint("overrides", [f"{here}=[...]"], f"{here}=[...]"),
                    )
                node[el] = {}
            node = node[el]
        elif isinstance(node, list) and isinstance(el, int):
            if el >= len(node):
                return f"{here} does not exist: the list has {len(node)} items"
            node = node[el]
        else:
            kind = "a list" if isinstance(node, list) else f"a {type(node).__name__} value"
            return f"cannot set inside {format_path(path[:i]) or 'the top level'}: it is {kind}"
        if not isinstance(node, dict | list):
            return f"cannot set inside {here}: it is {node!r}, not a mapping" + (
                " (a team name; override teams.<name> instead)" if path[i] == "team" else ""
            )
    last = path[-1]
    if isinstance(node, dict) and isinstance(last, str):
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
        return None
    if isinstance(node, list) and isinstance(last, int):
        if last >= len(node):
            return f"index {last} is past the end of the list ({len(node)} items)"
        node[last] = value
        return None
    if isinstance(node, dict) and isinstance(last, int):
        return f"{format_path(path[:-1])} is keyed by name; use a name instead of [{last}]"
    return f"cannot set {format_path(path)}: {format_path(path[:-1])} is a list; use [i]"
