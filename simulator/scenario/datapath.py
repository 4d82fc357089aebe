"""Steps along a path into plain scenario data (nested mappings and lists)."""

from __future__ import annotations

from typing import Any

__all__ = ["has_item"]


def has_item(node: Any, el: str | int) -> bool:
    """Whether ``node[el]`` exists: ``el`` a key of a mapping or an index into a list."""
    if isinstance(node, dict):
        return isinstance(el, str) and el in node
    if isinstance(node, list):
        return isinstance(el, int) and 0 <= el < len(node)
    return False
