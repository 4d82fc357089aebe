"""Read a customer list (CSV or Excel) into :class:`Customer` records.

Rules (each applied row by row; nothing is dropped without a recorded reason):

* **Columns** are found by :func:`simulator.data.columns.match_columns` (aliases, then
  ``--map field=column``). ARR is required, or MRR (used x 12). An ID is required; when
  there is no ID column the name column is used as the ID, with a warning.
* **Skipped rows** (:attr:`CustomerList.skipped`, counted by reason): no ID ("no ID");
  a totals line ("totals row"); blank ARR ("blank ARR"); ARR that is not an amount
  ("ARR not an amount"); negative ARR ("negative ARR"); a later copy of an earlier row
  with the same ID ("duplicate ID (identical row)"); and, when rows with the same ID
  differ, every row but the one with the latest renewal date (the later row on ties)
  ("duplicate ID (different values)"). Title rows above the header and repeated header
  rows are skipped by :func:`simulator.data.table.read_table` and listed here too.
* **Kept rows with warnings**: a date or optional amount that does not parse is left
  blank; an unrecognised status counts as active; a renewal or churn date before the
  contract start is kept as written; ARR of 0 is kept.
* **Churn**: a churn date marks the customer churned, whatever the status says; a
  status of churned/cancelled/lost/inactive/closed lost/terminated/expired... marks it
  churned without a date (counted in a warning; the analysis decides how to treat such
  tenures); active/customer/live/renewed/current... marks it active. Under a
  ``Churned`` header yes/true/1/x means churned; under ``Active`` it means active.
* **Ambiguous values**: numeric dates like ``03/05/2024`` follow the column (or the
  file) when any value shows the order, else month first with a warning, unless
  ``dayfirst`` is given; amounts like ``1.500`` follow the file's decimal mark (see
  :func:`simulator.data.common.decimal_comma_for`).

This module owns the file as a whole (:func:`read_customers`, :class:`CustomerList`);
the rules for one row are in :mod:`simulator.data.customer_rows`, the status, stage and
term words in :mod:`simulator.data.customer_values` and duplicate IDs in
:mod:`simulator.data.duplicates`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from simulator.data.common import Notes, match_table, plural, render_report, require_rows
from simulator.data.customer_rows import Customer, CustomerRows
from simulator.data.customer_values import (
    STAGES,
    normalise_stage,
    parse_status,
    parse_term_months,
)
from simulator.data.deals import deals_layout
from simulator.data.duplicates import resolve_duplicates
from simulator.data.errors import RowIssue, count_by_reason
from simulator.data.fields import CUSTOMER_FIELDS
from simulator.data.limits import DEFAULT_LIMITS, ReadLimits
from simulator.data.stripe import stripe_layout
from simulator.data.table import read_table

__all__ = [
    "STAGES",
    "Customer",
    "CustomerList",
    "normalise_stage",
    "parse_status",
    "parse_term_months",
    "read_customers",
]

WHAT = "the customer list"


@dataclass
class CustomerList:
    """The customers read from a file, with what was skipped and why.

    Attributes
    ----------
    customers
        Customers kept, in file order.
    skipped
        Rows not used, each with a countable reason and a detailed explanation (see
        :meth:`skipped_by_reason`).
    warnings
        Notes about kept rows and guesses made, ready to print.
    columns
        Field name -> the header of the column read for it.
    path
        The file as given.
    dayfirst_used
        How numeric dates that could be read either way (``03/05/2024``) were read:
        True day first, False month first; None when there were none.
    decimal_comma
        Whether amounts such as ``1.500`` were read with a decimal comma.
    rows_read
        Data rows found below the header (blank rows excluded).
    blank_rows
        Blank rows ignored between the header and the last row.
    currency
        ISO code of the amounts (after any conversion), from a currency column or the
        amounts' marks; None when the list names none.
    layout
        The export recognised from its headers and read by its own rules (``"stripe
        subscriptions"``, ``"hubspot deals"``, ``"salesforce opportunities"``); None for
        a plain customer list.
    """

    customers: list[Customer]
    skipped: list[RowIssue]
    warnings: list[str]
    columns: dict[str, str]
    path: str
    dayfirst_used: bool | None = None
    decimal_comma: bool = False
    rows_read: int = 0
    blank_rows: int = 0
    currency: str | None = None
    layout: str | None = None

    def __len__(self) -> int:
        return len(self.customers)

    def __iter__(self) -> Iterator[Customer]:
        return iter(self.customers)

    def skipped_by_reason(self) -> dict[str, int]:
        """Number of skipped rows per reason, most common first."""
        return count_by_reason(self.skipped)

    def report(self) -> str:
        """A short plain-text account: counts, columns used, skipped rows, warnings."""
        head = (
            f"{self.path}: {plural(len(self.customers), 'customer')} read from "
            f"{plural(self.rows_read, 'row')}"
        )
        return render_report(head, self.blank_rows, self.columns, self.skipped, self.warnings)


# ---------------------------------------------------------------------------- reader


def read_customers(
    path: str | Path,
    mapping: Mapping[str, str] | None = None,
    dayfirst: bool | None = None,
    sheet: str | None = None,
    decimal_comma: bool | None = None,
    rates: Mapping[str, float] | None = None,
    currency: str | None = None,
    limits: ReadLimits | None = None,
) -> CustomerList:
    """Read a customer list.

    Parameters
    ----------
    path
        CSV (any of ``,`` ``;`` tab ``|``) or ``.xlsx``/``.xlsm`` file.
    mapping
        ``--map`` overrides: field name -> column header (``{"arr": "Yearly Fee"}``);
        an empty header ignores a field.
    dayfirst
        Read ambiguous numeric dates day first (True) or month first (False); None
        infers per column (see :func:`simulator.data.common.date_orders`).
    sheet
        Excel sheet to read; the first when None.
    decimal_comma
        Whether amounts like ``1.500`` use a decimal comma; None infers it.
    rates
        Exchange rates for a list in several currencies: code -> value of one unit in
        the list's currency (``{"EUR": 1.08}``); None refuses a mixed list (see
        :mod:`simulator.data.currency`).
    currency
        The currency to convert to with ``rates``; None: the one found without a rate.

    limits
        Size limits of the file (:class:`~simulator.data.limits.ReadLimits`; None:
        the documented defaults).

    Returns
    -------
    CustomerList

    Raises
    ------
    DataError
        The file cannot be read; it has no ID/name or ARR/MRR column; ``mapping``
        names an unknown field or column; its amounts are in several currencies
        without ``rates``; or no row gives a usable customer.
    """
    table = read_table(path, sheet=sheet, what=WHAT, limits=limits or DEFAULT_LIMITS)
    rows_read = len(table.rows) + sum(1 for i in table.skipped if i.reason == "repeated header row")
    layout = stripe_layout(table) or deals_layout(table, WHAT)
    if layout is not None:
        table = layout.table
        mapping = {**layout.mapping, **(mapping or {})}
    match = match_table(
        table, CUSTOMER_FIELDS, mapping, WHAT, required=[("id", "name"), ("arr", "mrr")]
    )
    notes = Notes(table.path)
    for w in table.warnings + (layout.notes if layout else []) + match.warnings:
        notes.add(w)
    reader = CustomerRows(table, match, notes, dayfirst, decimal_comma, rates, currency, WHAT)
    kept, skipped = reader.read()
    rows = {row.line: row for row in table.rows}
    kept, dup_skipped = resolve_duplicates(kept, notes, rows)
    reader.summarise(kept)
    layout_skipped = layout.skipped if layout else []
    skipped_all = sorted(
        table.skipped + layout_skipped + skipped + dup_skipped, key=lambda i: i.line
    )
    require_rows(table, len(kept), skipped_all, WHAT, "customer")
    columns = dict(match.headers)
    if reader.id_from_name:
        columns = {"id": match.headers["name"], **columns}
    return CustomerList(
        customers=sorted(kept, key=lambda c: c.line),
        skipped=skipped_all,
        warnings=notes.render(),
        columns=columns,
        path=table.path,
        dayfirst_used=reader.dayfirst_used,
        decimal_comma=reader.decimal_comma,
        rows_read=rows_read,
        blank_rows=table.blank_rows,
        currency=reader.currencies.currency,
        layout=layout.name if layout else None,
    )
