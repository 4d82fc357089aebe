"""Rows with the same customer ID: identical repeats dropped, differing rows resolved.

An export can hold a customer twice (files pasted together, one row per contract). A
later row equal to an earlier one in every value is skipped as ``"duplicate ID
(identical row)"``; of rows that differ, the one with the latest renewal date is kept
(the later row on ties) and the others are skipped as ``"duplicate ID (different
values)"``, each naming the values that differ.

IDs in Excel's scientific notation (``1.23457E+11``) are Excel's rounding of long
numbers: two customers can show the same one. They are never merged: each such row
stays a customer (when several share the text, their IDs get the line, ``1.23457E+11
(line 4)``), with a warning naming the rows.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from simulator.data.common import Notes, line_list, plural
from simulator.data.customer_record import Customer
from simulator.data.errors import RowIssue
from simulator.data.table import RawRow

__all__ = ["resolve_duplicates", "scientific_ids"]

_SCIENTIFIC_ID = re.compile(r"^\d(?:[.,]\d+)?e\+\d+$", re.IGNORECASE)

_FIELD_LABELS = {
    "arr": "ARR",
    "name": "name",
    "segment": "segment",
    "starting_arr": "starting ARR",
    "contract_start": "contract start",
    "renewal_date": "renewal date",
    "churn_date": "churn date",
    "churned": "churned",
    "stage": "stage",
    "term_months": "term",
    "churn_reason": "churn reason",
}


def _differences(a: Customer, b: Customer) -> str:
    """``ARR 1000 vs 1200, stage blank vs steady``: the values two rows disagree on."""
    parts = []
    for f, label in _FIELD_LABELS.items():
        va, vb = getattr(a, f), getattr(b, f)
        if va != vb:
            parts.append(f"{label} {_show(va)} vs {_show(vb)}")
    return ", ".join(parts)


def _show(value: Any) -> str:
    """A parsed value as the differences list shows it (``blank``, ``1200``, ``1.5``)."""
    if value is None:
        return "blank"
    if isinstance(value, float):
        return f"{value:g}" if not value.is_integer() else f"{int(value)}"
    return str(value)


def scientific_ids(customers: list[Customer], notes: Notes) -> list[Customer]:
    """Customers with Excel-rounded IDs kept apart (see the module docstring)."""
    sci = [c for c in customers if _SCIENTIFIC_ID.match(c.id)]
    if not sci:
        return customers
    shared: dict[str, int] = {}
    for c in sci:
        shared[c.id] = shared.get(c.id, 0) + 1
    clash = {i for i, n in shared.items() if n > 1}
    shown = ", ".join(f"line {c.line} {c.id!r}" for c in sci[:10])
    notes.add(
        f"{plural(len(sci), 'customer ID')} in Excel's scientific notation ({shown}"
        f"{f' and {len(sci) - 10} more' if len(sci) > 10 else ''}): Excel rounded long "
        "numbers, so different customers can show the same ID; they are kept as separate "
        "customers, never merged as duplicates"
        + (
            f" (IDs shared by several rows get their line: {line_list([c.line for c in sci if c.id in clash])})"
            if clash
            else ""
        )
        + "; export the ID column as text to keep the real IDs"
    )
    return [
        dataclasses.replace(c, id=f"{c.id} (line {c.line})") if c.id in clash else c
        for c in customers
    ]


def resolve_duplicates(
    customers: list[Customer], notes: Notes, rows_by_line: Mapping[int, RawRow]
) -> tuple[list[Customer], list[RowIssue]]:
    """Drop identical repeats; of differing rows keep the latest renewal (then line)."""
    customers = scientific_ids(customers, notes)
    groups: dict[str, list[Customer]] = {}
    for c in customers:
        groups.setdefault(c.id, []).append(c)
    kept: list[Customer] = []
    skipped: list[RowIssue] = []
    conflicting = 0
    for ident, rows in groups.items():
        distinct: list[Customer] = []
        for c in rows:
            twin = next(
                (
                    d
                    for d in distinct
                    if dataclasses.replace(d, line=0) == dataclasses.replace(c, line=0)
                ),
                None,
            )
            if twin is not None:
                skipped.append(
                    RowIssue(
                        c.line,
                        "duplicate ID (identical row)",
                        rows_by_line[c.line].text(),
                        f"duplicate of line {twin.line} (same ID {ident!r}, same values)",
                    )
                )
            else:
                distinct.append(c)
        if len(distinct) == 1:
            kept.append(distinct[0])
            continue
        conflicting += 1
        winner = max(distinct, key=lambda c: (c.renewal_date or date.min, c.line))
        latest = max(c.renewal_date or date.min for c in distinct)
        tied = sum(1 for c in distinct if (c.renewal_date or date.min) == latest) > 1
        why = "the later row" if tied else "the later renewal date"
        kept.append(winner)
        for c in distinct:
            if c is winner:
                continue
            skipped.append(
                RowIssue(
                    c.line,
                    "duplicate ID (different values)",
                    rows_by_line[c.line].text(),
                    f"ID {ident!r} is also on line {winner.line} with different values "
                    f"({_differences(c, winner)}); kept line {winner.line} ({why})",
                )
            )
    if conflicting:
        notes.add(
            f"{plural(conflicting, 'ID')} on several rows with different values; for each, "
            "the row with the latest renewal date (the later row on ties) was kept; if the "
            "rows are separate contracts of one customer, combine them before importing"
        )
    return kept, skipped
