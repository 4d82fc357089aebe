"""What counts as an empty cell in an export.

A cell is *blank* when it holds nothing (None, whitespace, NaN) and *missing* when it
is blank or holds a missing-value marker such as ``n/a``, ``-`` or ``null``. The
value parsers (:mod:`simulator.data.values`, :mod:`simulator.data.dates`,
:mod:`simulator.data.durations`) share the space and marker rules defined here.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["BLANK_WORDS", "SPACES", "is_blank", "is_missing"]

SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")
"""Runs of whitespace, no-break and thin spaces (squashed to one space before parsing)."""

BLANK_WORDS = frozenset({"", "-", "--", "—", "–", "n/a", "na", "none", "null", "nan", "nil"})
"""Cell texts (lower case, spaces squashed) that mean "no value"."""

_LONGEST = max(len(w) for w in BLANK_WORDS)


def is_blank(value: Any) -> bool:
    """True for an empty cell: None, an empty or whitespace string, or NaN."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def is_missing(value: Any) -> bool:
    """True for a blank cell or a missing-value marker (``n/a``, ``-``, ``null``, ``#N/A``)."""
    if not isinstance(value, str):
        return is_blank(value)
    text = value.strip()
    if len(text) > _LONGEST:  # longer than any marker: most cells, decided at once
        return False
    return not text or SPACES.sub(" ", text).lower() in BLANK_WORDS
