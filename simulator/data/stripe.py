"""Stripe subscription exports read as a customer list.

A subscription export (the API's ``GET /v1/subscriptions`` flattened to CSV, e.g. by
``pandas.json_normalize``: ``id, customer, status, created, start_date,
current_period_end, canceled_at, ended_at, quantity, plan.amount, plan.currency,
plan.interval, plan.interval_count``; or the newer ``items.data.0.price.unit_amount``
spellings) is recognised from its headers: an interval column next to an amount, with
a sign that the file is Stripe's (a header only Stripe writes, such as ``plan.amount``,
``current_period_end``, ``canceled_at``, ``cancel_at_period_end`` or ``Plan Interval``,
or ``sub_``/``cus_`` ids; a plain list with ``Customer, Amount, Interval`` columns is
read as a plain list). Its
rules differ from a CRM list's, so it is rebuilt as one before the usual reading:

* amounts are in the currency's smallest unit (cents; none for zero-decimal currencies
  such as JPY; thousandths for the three-decimal BHD, JOD, KWD, OMR and TND), per
  ``interval_count`` x ``interval`` (day, week, month, year);
  MRR = amount x quantity / months in the interval (ARR = MRR x 12 follows);
* dates are unix timestamps (seconds, UTC; ``1710000000.0`` as pandas writes a column
  with blanks) or text; a cell that is neither is left blank and named in a warning;
* ``canceled`` subscriptions are churned (``ended_at``, else ``canceled_at``, is the
  churn date); ``incomplete`` and ``incomplete_expired`` ones never started and are
  left out; the others (active, trialing, past_due, unpaid, paused) are active;
* rows are subscriptions: a customer's subscriptions in one currency become one customer
  (the MRR of its live subscriptions added up; churned when all are canceled).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
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
        "plan interval",
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
_SIGNAL = frozenset(
    name for names in _COLUMNS.values() for name in names if "." in name or "_" in name
) | {
    "cancel_at_period_end",
    "cancel at period end",
    "current period start (utc)",
    "current period end (utc)",
    "canceled at (utc)",
    "ended at (utc)",
    "created (utc)",
    "start (utc)",
    "plan interval",
    "interval count",
    "customer description",
}
"""Headers only Stripe writes (a plain list's ``Amount`` and ``Interval`` are not)."""
_STRIPE_ID = re.compile(r"^(?:sub|cus)_[A-Za-z0-9]+$")
_MONTHS = {"day": 12 / 365.25, "week": 12 / 52.1775, "month": 1.0, "year": 12.0}
_ZERO_DECIMAL = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND"}
    | {"VUV", "XAF", "XOF", "XPF"}
)
_THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
"""Currencies whose smallest unit is a thousandth (Stripe's three-decimal currencies)."""
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


_TIMESTAMP = re.compile(r"^(\d{9,11})(?:\.0+)?$")
"""Unix seconds, as the API writes them or as pandas does in a column with blanks."""


def _when(value: Any) -> dt.date | None:
    """A unix timestamp (seconds, UTC) or a date text; None when blank.

    Raises
    ------
    ValueError
        When the cell is neither (a timestamp in milliseconds, a text that is no date).
    """
    if is_missing(value):
        return None
    text = cell_text(value)
    if m := _TIMESTAMP.match(text):
        return dt.datetime.fromtimestamp(int(m.group(1)), tz=dt.UTC).date()
    return parse_date(value)


def _stripe_signal(table: RawTable, col: Mapping[str, int]) -> bool:
    """Whether the table says it is Stripe's: its own headers, or ``sub_``/``cus_`` ids."""
    if any(h.strip().lower() in _SIGNAL for h in table.header):
        return True
    id_cols = [col["customer"]] + [
        i for i, h in enumerate(table.header) if h.strip().lower() in ("id", "subscription id")
    ]
    return any(
        _STRIPE_ID.match(cell_text(row.cells[i])) for row in table.rows[:50] for i in id_cols
    )


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


def _mrr(
    row: RawRow, header: list[str], col: Mapping[str, int], cents: bool
) -> tuple[float, str] | tuple[str, str, str]:
    """(MRR in currency units, currency), or (reason, detail, "") naming the column at fault.

    The reason names the file's own column (``blank quantity``, ``plan.amount not a
    number``): the MRR is computed, so no MRR column is there to blame.
    """
    cells = row.cells
    currency = cell_text(cells[col["currency"]]).upper() if "currency" in col else ""
    numbers: dict[str, float] = {"quantity": 1.0, "interval_count": 1.0}
    for key in ("cents" if cents else "amount", "quantity", "interval_count"):
        if key not in col:
            continue
        name, raw = header[col[key]], cells[col[key]]
        if is_missing(raw):
            return f"blank {name}", f'column "{name}" is blank, so the MRR cannot be computed', ""
        try:
            numbers[key] = parse_money(raw)
        except ValueError as exc:
            return f"{name} not a number", f'column "{name}": {exc}', ""
    amount = numbers["cents" if cents else "amount"]
    quantity, count = numbers["quantity"], numbers["interval_count"]
    interval = cell_text(cells[col["interval"]]).lower()
    if interval not in _MONTHS or count <= 0 or not math.isfinite(count):
        name = header[col["interval"]]
        return (
            f"{name} not a billing period",
            f"interval {interval or 'blank'!r} x {count:g} is not a billing period",
            "",
        )
    if cents and currency not in _ZERO_DECIMAL:
        amount /= 1000 if currency in _THREE_DECIMAL else 100
    return amount * quantity / (_MONTHS[interval] * count), currency


def stripe_layout(table: RawTable) -> ExportLayout | None:
    """The table rebuilt as a customer list when it is a Stripe subscription export."""
    col = _find(table.header)
    amount_key = "cents" if "cents" in col else "amount"
    if "interval" not in col or amount_key not in col or "customer" not in col:
        return None
    if not _stripe_signal(table, col):
        return None  # a plain list with Customer, Amount and Interval columns
    cents = amount_key == "cents"
    skipped: list[RowIssue] = []
    subs: list[_Sub] = []
    unread: dict[str, list[tuple[int, str]]] = {}

    def when(row: RawRow, key: str) -> dt.date | None:
        if key not in col:
            return None
        try:
            return _when(row.cells[col[key]])
        except ValueError:
            cells = unread.setdefault(table.header[col[key]], [])
            cells.append((row.line, cell_text(row.cells[col[key]])))
            return None

    for row in table.rows:
        status = cell_text(row.cells[col["status"]]).lower() if "status" in col else "active"
        if status in _NOT_STARTED:
            skipped.append(
                RowIssue(row.line, "subscription never started", row.text(), f"status {status!r}")
            )
            continue
        got = _mrr(row, table.header, col, cents)
        if len(got) == 3:
            skipped.append(RowIssue(row.line, str(got[0]), row.text(), str(got[1])))
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
                when(row, "start"),
                when(row, "period_end"),
                when(row, "ended"),
                status == "canceled",
            )
        )
    rows, merged = _customers(subs, skipped)
    rebuilt_header = list(HEADER)
    mapping: dict[str, str] = {}
    if "currency" in col:  # messages about currencies name the file's own column
        rebuilt_header[HEADER.index("Currency")] = table.header[col["currency"]]
        mapping["currency"] = table.header[col["currency"]]
    rebuilt = dataclasses.replace(table, header=rebuilt_header, rows=rows)
    keys = (amount_key, "quantity", "interval", "interval_count")
    used = [table.header[col[k]] for k in keys if k in col]
    note = (
        "read as a Stripe subscription export (from its columns "
        + ", ".join(repr(h) for h in used if h)
        + "): "
        + (
            "amounts in cents (none for zero-decimal currencies such as JPY, thousandths "
            "for BHD, JOD, KWD, OMR and TND), "
            if cents
            else ""
        )
        + "MRR = amount x quantity / billing interval (a year is 12 months, times the "
        "interval count) and ARR = MRR x 12; unix timestamps read as UTC dates; canceled "
        "subscriptions are churned (ended_at is the churn date), incomplete ones left out"
    )
    notes = [note]
    for header, cells in unread.items():
        shown = ", ".join(f"line {n} {v!r}" for n, v in cells[:5])
        more = f" and {len(cells) - 5} more" if len(cells) > 5 else ""
        notes.append(
            f'column "{header}": {plural(len(cells), "date")} that could not be read, left '
            f"blank: {shown}{more} (a timestamp is unix seconds, 9 to 11 digits, e.g. "
            "1710000000; milliseconds are not read)"
        )
    if merged:
        notes.append(
            f"{plural(len(merged), 'customer')} with several subscriptions: their MRR added "
            f"up into one customer ({line_list(merged)})"
        )
    return ExportLayout("stripe subscriptions", rebuilt, notes, skipped, mapping)


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
