"""Commented YAML nodes: values that carry their source as an end-of-line comment.

The calibrator (:mod:`simulator.analysis.calibrate`) builds a scenario from template
nodes of the bundled plan; these helpers copy a node with its own source comments,
set a value with its comment, read a comment back, and make flow maps, plain copies and
free keys.
"""

from __future__ import annotations

import copy
from typing import Any

from ruamel.yaml.comments import CommentedMap

__all__ = ["clean_copy", "eol_comment", "flow", "plain", "set_commented", "unique_key"]


def eol_comment(node: CommentedMap, key: Any) -> str | None:
    """The end-of-line comment after ``key``'s value, if it has one of its own."""
    entry = node.ca.items.get(key)
    tokens = [tok for tok in (entry or [])[2:3] if tok is not None]
    if not tokens:
        return None
    text = tokens[0].value.split("\n")[0].strip()
    return text.lstrip("#").strip() or None


def clean_copy(node: Any) -> Any:
    """A template node with its values and their own end-of-line sources, nothing else
    (comment lines about what follows do not travel with a value that may change)."""
    if isinstance(node, dict):
        out = CommentedMap()
        for key, value in node.items():
            out[key] = clean_copy(value)
            comment = eol_comment(node, key) if isinstance(node, CommentedMap) else None
            if comment and not isinstance(value, dict):
                out.yaml_add_eol_comment(comment, key)
        if isinstance(node, CommentedMap) and node.fa.flow_style():
            out.fa.set_flow_style()
        return out
    if isinstance(node, list):
        return copy.deepcopy(node)
    return node


def flow(d: dict[str, Any]) -> CommentedMap:
    """``d`` as a map written on one line (``{dist: normal, mean: 0.05}``)."""
    m = CommentedMap(d)
    m.fa.set_flow_style()
    return m


def set_commented(m: CommentedMap, key: str, value: Any, comment: str) -> None:
    """Set ``m[key]`` and give it the end-of-line ``comment`` (its source)."""
    m[key] = value
    m.yaml_add_eol_comment(comment, key)


def plain(node: Any) -> Any:
    """A deep copy of ``node`` as plain dicts (string keys) and lists, comments dropped."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node


def unique_key(key: str, taken: Any) -> str:
    """``key``, or ``key_2``, ``key_3``... (at most 64 characters) when it is taken."""
    n = 1
    out = key
    while out in taken:
        n += 1
        suffix = f"_{n}"
        out = key[: 64 - len(suffix)] + suffix
    return out
