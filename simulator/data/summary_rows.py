"""Which rows of a customer list are totals or summaries rather than customers.

A row is a totals or summary row when its label (its ID, or without one its first
filled cell) is exactly such a word and it carries none of the data that identifies a
customer (an ID or name besides the label, dates, a status or stage).
"""

from __future__ import annotations

import re

__all__: list[str] = []

_TOTALS = re.compile(r"^(?:grand\s+)?(?:sub)?totals?\b|^sum$", re.IGNORECASE)
"""Totals labels in activity exports (:mod:`simulator.data.activity_rows`); customer rows
use the stricter ``_SUMMARY`` with ``_IDENTIFYING``."""
_SUMMARY = re.compile(
    r"^(?:grand\s+|sub-?\s*)?(?P<word>totals?|sum|summe|gesamt|average|avg|mean|median|count|"
    r"min|max|minimum|maximum|promedio|moyenne)(?:\s+(?:of\s+)?(?:arr|mrr|acv|revenue|value|"
    r"amount|customers|accounts|all))?\s*(?:\(\s*\d[^)]*\))?\s*:?$",
    re.IGNORECASE,
)
"""A totals or summary label: the word alone (``Total``, ``Max``, ``Grand Totals (5
records)``, ``Sum of ARR:``), never a name that starts with one (``Total Wine & More``)."""
_TOTAL_WORDS = {"total", "totals", "sum", "summe", "gesamt"}
_IDENTIFYING = ("id", "name", "contract_start", "renewal_date", "churn_date", "status", "stage")
"""Fields a summary row leaves blank: a row with a summary label and any of them is a
customer (a customer named "Max" with an ID and dates)."""
