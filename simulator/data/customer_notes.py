"""The per-file notes of a customer list: rows kept with warnings, counted and named.

:class:`~simulator.data.customer_rows.CustomerRows` collects, row by row, what it had
to guess or leave out; :func:`summarise_rows` turns that into one note per kind, naming
the lines (the first ten) so that a long file gives a short report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.data.common import line_list, plural
from simulator.data.customer_record import Customer

if TYPE_CHECKING:
    from simulator.data.customer_rows import CustomerRows

__all__ = ["summarise_rows"]


def _named(items: list[tuple[int, str]]) -> str:
    """``line 3 ENT-0042 423,000, line 9 'Total'`` (the first ten, then a count)."""
    shown = ", ".join(f"line {n} {text}" for n, text in items[:10])
    return shown + (f" and {len(items) - 10} more" if len(items) > 10 else "")


def summarise_rows(rows: CustomerRows, kept: list[Customer]) -> None:
    """Add the notes counting kept rows with warnings, summary rows and unknown statuses."""
    kept_lines = {c.line for c in kept}
    flagged = [(n, text) for n, text in rows.from_starting.items() if n in kept_lines]
    if flagged:
        rows.notes.add(
            f"{plural(len(flagged), 'customer')} with a blank ARR kept with the starting "
            f"contract value in {rows.head['starting_arr']!r} as ARR ({_named(flagged)}); "
            "check them"
        )
    if rows.summaries:
        named = _named([(n, repr(label)) for n, label in rows.summaries])
        rows.notes.add(
            f"{plural(len(rows.summaries), 'summary row')} left out, not customers "
            f"(totals, averages, counts): {named}"
        )
    for what, lines in rows.counts.items():
        lines = [n for n in lines if n in kept_lines]
        if not lines:
            continue
        text = f"{plural(len(lines), 'customer')} with {what} ({line_list(lines)})"
        if what == "churned without a churn date":
            text = (
                f"{plural(len(lines), 'churned customer')} without a churn date "
                f"({line_list(lines)}): kept as churned with the churn date blank; the "
                "analysis decides how to treat their tenure"
            )
        rows.notes.add(text)
    for value, lines in rows.unknown_status.items():
        rows.notes.add(
            f"status {value!r} on {plural(len(lines), 'row')} ({line_list(lines)}) "
            "is not recognised as active or churned; treated as "
            "active (churned: churned, cancelled, lost, inactive, closed lost; active: "
            "active, customer, live, renewed)"
        )
