"""Reading column headers: normalised spellings, units named in headers, header rows.

A header is *normalised* before it is compared with the field aliases of
:mod:`simulator.data.fields`: camelCase split, lower case, anything in brackets dropped
(``ARR (USD)`` -> ``arr``, ``Term (months)`` -> ``term``), ``#`` read as "number",
punctuation and underscores turned into spaces, currency words (``usd``, ``eur``...)
and filler words (``in``, ``of``, ``the``) removed. The words in brackets still say
something: a money column's scale (``ARR ($k)``) and a duration's unit
(``Duration (min)``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from simulator.data.blanks import is_blank
from simulator.data.dates import parse_date
from simulator.data.fields import CUSTOMER_FIELDS, TIMESHEET_FIELDS
from simulator.data.values import parse_money

__all__ = [
    "HEADER_SCAN",
    "header_hits",
    "header_scale",
    "header_score",
    "header_time_unit",
    "is_number_like",
    "normalise_header",
]

HEADER_SCAN = 50
"""Rows searched for the header row, from the top of the file."""

_BRACKETS = re.compile(r"[(\[{][^)\]}]*[)\]}]")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_DROP_TOKENS = {
    "usd",
    "eur",
    "gbp",
    "cad",
    "aud",
    "chf",
    "jpy",
    "sek",
    "nok",
    "dkk",
    "inr",
    "in",
    "of",
    "the",
}


@functools.lru_cache(maxsize=4096)
def _normalise_text(raw: str) -> str:
    raw = _CAMEL.sub(" ", raw)
    out = _normalise(_BRACKETS.sub(" ", raw))
    return out or _normalise(raw)


def normalise_header(text: object) -> str:
    """A header reduced for matching: ``"ARR (USD)"`` -> ``"arr"``.

    ``"Customer_ID"``, ``"customerId"`` and ``"Customer ID #"`` all become
    ``"customer id"`` (the last as ``"customer id number"``).
    """
    return _normalise_text("" if text is None else str(text).strip())


def _normalise(text: str) -> str:
    s = text.lower().replace("#", " number ").replace("&", " and ")
    s = re.sub(r"[^\w\s]|_", " ", s)
    return " ".join(t for t in s.split() if t not in _DROP_TOKENS)


def header_scale(header: str) -> float:
    """Multiplier for money columns labelled in thousands or millions.

    ``"ARR ($k)"``, ``"ARR (000s)"``, ``"ARR in thousands"`` -> 1000; ``"ARR ($M)"``,
    ``"ARR (millions)"`` -> 1e6; anything else -> 1.
    """
    h = header.lower()
    if re.search(r"\(\s*[$€£]?\s*k\s*\)|\b000s?\b|'000|thousands|\btsd\b", h):
        return 1e3
    if re.search(r"\(\s*[$€£]?\s*(?:m|mm|mn|mio)\s*\)|millions", h):
        return 1e6
    return 1.0


def header_time_unit(header: str) -> str:
    """``"minutes"`` when a duration header says minutes (``Duration (min)``), else ``"hours"``."""
    words = set(re.sub(r"[^\w]|_", " ", header.lower()).split())
    return "minutes" if words & {"min", "mins", "minute", "minutes"} else "hours"


_ALL_ALIASES = frozenset(a for f in CUSTOMER_FIELDS + TIMESHEET_FIELDS for a in f.aliases)


def header_hits(cells: Iterable[object]) -> int:
    """How many cells are exactly a known alias (of any customer or timesheet field)."""
    seen = set()
    for cell in cells:
        norm = normalise_header(cell)
        if norm in _ALL_ALIASES:
            seen.add(norm)
    return len(seen)


def is_number_like(value: Any) -> bool:
    """True for a cell that reads as an amount or a date (so not as a column name)."""
    if is_blank(value):
        return False
    for parse in (parse_money, parse_date):
        try:
            parse(value)
        except ValueError:
            continue
        return True
    return False


def header_score(cells: Sequence[Any]) -> int:
    """Known names in a row, or 0 if it looks like data (as many numbers as names)."""
    hits = header_hits(cells)
    numbers = sum(is_number_like(c) for c in cells)
    return hits if hits >= 2 and numbers < hits else 0
