"""Stripe subscription exports read as a customer list.

A subscription export (the API's ``GET /v1/subscriptions`` flattened to CSV, e.g. by
``pandas.json_normalize``: ``id, customer, status, created, start_date,
current_period_end, canceled_at, ended_at, quantity, plan.amount, plan.currency,
plan.interval, plan.interval_count``; or the newer ``items.data.0.price.unit_amount``
spellings) is recognised from its headers: an interval column next to an amount. Its
rules differ from a CRM list's, so it is rebuilt as one before the usual reading:

* amounts are in the currency's smallest unit (cents; none for zero-decimal currencies
  such as JPY), per ``interval_count`` x ``interval`` (day, week, month, year);
  MRR = amount x quantity / months in the interval (ARR = MRR x 12 follows);
* dates are unix timestamps (seconds, UTC) or text;
* ``canceled`` subscriptions are churned (``ended_at``, else ``canceled_at``, is the
  churn date); ``incomplete`` and ``incomplete_expired`` ones never started and are
  left out; the others (active, trialing, past_due, unpaid, paused) are active;
* rows are subscriptions: a customer's subscriptions in one currency become one customer
  (the MRR of its live subscriptions added up; churned when all are canceled).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simulator.data.blanks import is_missing
from simulator.data.common import line_list, plural
from simulator.data.dates import parse_date
from simulator.data.errors import RowIssue, cell_text
from simulator.data.table import RawRow, RawTable
from simulator.data.values import parse_money

__all__ = ["ExportLayout", "stripe_layout"]

_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer": ("customer", "customer id", "customer.id"),
    "name": ("customer_name", "customer.name", "customer description", "customer.description"),
    "email": ("customer_email", "customer email", "customer.email"),
    "status": ("status",),
    "cents": (
        "plan.amount",
        "price.unit_amount",
        "items.data.0.price.unit_amount",
        "items.data.0.plan.amount",
        "unit_amount",
        "plan_amount",
    ),
    "amount": ("amount",),
    "currency": (
        "plan.currency",
        "price.currency",
        "items.data.0.price.currency",
        "items.data.0.plan.currency",
        "currency",
    ),
    "interval": (
        "plan.interval",
        "price.recurring.interval",
        "items.data.0.price.recurring.interval",
        "items.data.0.plan.interval",
        "interval",
        "plan_interval",
    ),
    "interval_count": (
        "plan.interval_count",
        "price.recurring.interval_count",
        "items.data.0.price.recurring.interval_count",
        "items.data.0.plan.interval_count",
        "interval_count",
        "interval count",
        "plan_interval_count",
    ),
    "quantity": ("quantity", "items.data.0.quantity"),
    "start": ("start_date", "start date", "start (utc)", "created", "created (utc)"),
    "period_end": (
        "current_period_end",
        "items.data.0.current_period_end",
        "current period end (utc)",
    ),
    "ended": ("ended_at", "ended at (utc)", "canceled_at", "canceled at (utc)"),
    "segment": ("metadata.segment", "metadata.tier", "metadata.plan_tier"),
}
_MONTHS = {"day": 12 / 365.25, "week": 12 / 52.1775, "month": 1.0, "year": 12.0}
_ZERO_DECIMAL = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND"}
    | {"VUV", "XAF", "XOF", "XPF"}
)
_NOT_STARTED = {"incomplete", "incomplete_expired"}
HEADER = ["Customer ID", "Customer Name", "Segment", "MRR", "Currency", "Start Date"]
HEADER += ["Renewal Date", "Churn Date", "Status"]


@dataclass
class ExportLayout:
    """An export rebuilt as a plain customer list, with what its reading decided."""

    name: str
    table: RawTable
    notes: list[str] = field(default_factory=list)
    skipped: list[RowIssue] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    """Column choices for the rebuilt table (the user's ``mapping`` wins)."""


def _find(header: list[str]) -> dict[str, int]:
    """Stripe column -> index, by the spellings above (case-insensitive)."""
    lower = [h.strip().lower() for h in header]
    found: dict[str, int] = {}
    for key, names in _COLUMNS.items():
        for name in names:
            if name in lower and lower.index(name) not in found.values():
                found[key] = lower.index(name)
                break
    return found


def _when(value: Any) -> dt.date | None:
    """A unix timestamp (seconds, UTC) or a date text; None when blank or unreadable."""
    if is_missing(value):
        return None
    text = cell_text(value)
    if text.isdigit() and 9 <= len(text) <= 11:
        return dt.datetime.fromtimestamp(int(text), tz=dt.UTC).date()
    try:
        return parse_date(value)
    except ValueError:
        return None


@dataclass
class _Sub:
    line: int
    customer: str
    name: str
    segment: str
    mrr: float
    currency: str
    start: dt.date | None
    period_end: dt.date | None
    ended: dt.date | None
    canceled: bool


def _mrr(row: RawRow, col: Mapping[str, int], cents: bool) -> tuple[float, str] | str:
    """(MRR in currency units, currency), or why the row cannot give one."""
    cells = row.cells
    currency = cell_text(cells[col["currency"]]).upper() if "currency" in col else ""
    raw = cells[col["cents" if cents else "amount"]]
    try:
        amount = parse_money(raw)
        quantity = parse_money(cells[col["quantity"]]) if "quantity" in col else 1.0
        count = parse_money(cells[col["interval_count"]]) if "interval_count" in col else 1.0
    except ValueError as exc:
        return f"amount, quantity or interval count not a number ({exc})"
    interval = cell_text(cells[col["interval"]]).lower()
    if interval not in _MONTHS or count <= 0 or not math.isfinite(count):
        return f"interval {interval or 'blank'!r} x {count:g} is not a billing period"
    if cents and currency not in _ZERO_DECIMAL:
        amount /= 100
    return amount * quantity / (_MONTHS[interval] * count), currency


def stripe_layout(table: RawTable) -> ExportLayout | None:
    """The table rebuilt as a customer list when it is a Stripe subscription export."""
    col = _find(table.header)
    amount_key = "cents" if "cents" in col else "amount"
    if "interval" not in col or amount_key not in col or "customer" not in col:
        return None
    cents = amount_key == "cents"
    skipped: list[RowIssue] = []
    subs: list[_Sub] = []
    for row in table.rows:
        status = cell_text(row.cells[col["status"]]).lower() if "status" in col else "active"
        if status in _NOT_STARTED:
            skipped.append(
                RowIssue(row.line, "subscription never started", row.text(), f"status {status!r}")
            )
            continue
        got = _mrr(row, col, cents)
        if isinstance(got, str):
            skipped.append(RowIssue(row.line, "MRR not an amount", row.text(), got))
            continue
        text = {k: cell_text(row.cells[i]) for k, i in col.items()}
        subs.append(
            _Sub(
                row.line,
                text["customer"],
                text.get("name") or text.get("email", ""),
                text.get("segment", ""),
                got[0],
                got[1],
                _when(row.cells[col["start"]]) if "start" in col else None,
                _when(row.cells[col["period_end"]]) if "period_end" in col else None,
                _when(row.cells[col["ended"]]) if "ended" in col else None,
                status == "canceled",
            )
        )
    rows, merged = _customers(subs, skipped)
    rebuilt = RawTable(
        path=table.path,
        header=list(HEADER),
        header_line=table.header_line,
        rows=rows,
        skipped=table.skipped,
        blank_rows=table.blank_rows,
        warnings=table.warnings,
        format=table.format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        sheet=table.sheet,
    )
    keys = (amount_key, "quantity", "interval", "interval_count")
    used = [table.header[col[k]] for k in keys if k in col]
    note = (
        "read as a Stripe subscription export (from its columns "
        + ", ".join(repr(h) for h in used if h)
        + "): "
        + ("amounts in cents (none for zero-decimal currencies such as JPY), " if cents else "")
        + "MRR = amount x quantity / billing interval (a year is 12 months, times the "
        "interval count) and ARR = MRR x 12; unix timestamps read as UTC dates; canceled "
        "subscriptions are churned (ended_at is the churn date), incomplete ones left out"
    )
    notes = [note]
    if merged:
        notes.append(
            f"{plural(len(merged), 'customer')} with several subscriptions: their MRR added "
            f"up into one customer ({line_list(merged)})"
        )
    return ExportLayout("stripe subscriptions", rebuilt, notes, skipped)


def _customers(subs: list[_Sub], skipped: list[RowIssue]) -> tuple[list[RawRow], list[int]]:
    """One row per customer (and currency), and the lines of customers merged."""
    groups: dict[tuple[str, str, int], list[_Sub]] = {}
    for s in subs:  # a subscription without a customer stays on its own
        groups.setdefault((s.customer, s.currency, 0 if s.customer else s.line), []).append(s)
    rows: list[RawRow] = []
    merged: list[int] = []
    for group in groups.values():
        first = group[0]
        live = [s for s in group if not s.canceled]
        if live:
            mrr = sum(s.mrr for s in live)
            renewals = [s.period_end for s in live if s.period_end]
            renewal, churn, status = min(renewals, default=None), None, "Active"
        else:
            last = max(group, key=lambda s: (s.ended or dt.date.min, s.line))
            mrr, renewal, churn, status = last.mrr, last.period_end, last.ended, "Churned"
        starts = [s.start for s in group if s.start]
        cells: list[Any] = [first.customer, first.name, first.segment, mrr, first.currency]
        cells += [min(starts, default=None), renewal, churn, status]
        rows.append(RawRow(first.line, cells))
        if len(group) > 1:
            merged.append(first.line)
            for s in group[1:]:
                skipped.append(
                    RowIssue(
                        s.line,
                        "another subscription of a customer",
                        (),
                        f"customer {s.customer!r}: added to line {first.line}",
                    )
                )
    return sorted(rows, key=lambda r: r.line), merged
