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
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from simulator.data.blanks import is_blank, is_missing
from simulator.data.columns import ColumnMatch
from simulator.data.common import (
    Notes,
    cell,
    date_orders,
    decimal_comma_for,
    line_list,
    match_table,
    plural,
    render_report,
    require_rows,
)
from simulator.data.dates import parse_date
from simulator.data.errors import RowIssue, cell_text, count_by_reason
from simulator.data.fields import CUSTOMER_FIELDS
from simulator.data.headers import header_scale, normalise_header
from simulator.data.table import RawRow, RawTable, read_table
from simulator.data.values import parse_money
from simulator.errors import Hint, hinted

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

STAGES = ("onboarding", "adoption", "steady", "renewal")
_STAGE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "onboarding",
        (
            "onboarding",
            "onboard",
            "implementation",
            "implementing",
            "kickoff",
            "kick off",
            "setup",
            "set up",
            "welcome",
            "new customer",
            "getting started",
        ),
    ),
    (
        "adoption",
        (
            "adoption",
            "adopting",
            "adopt",
            "ramp",
            "ramping",
            "ramp up",
            "enablement",
            "activation",
            "value realization",
            "value realisation",
        ),
    ),
    ("renewal", ("renewal", "renewing", "renew", "renewals")),
    (
        "steady",
        (
            "steady",
            "steady state",
            "live",
            "mature",
            "ongoing",
            "bau",
            "business as usual",
            "established",
            "maintenance",
            "retention",
            "stable",
        ),
    ),
)
_CHURNED = {
    "churned",
    "churn",
    "cancelled",
    "canceled",
    "cancel",
    "lost",
    "closed lost",
    "inactive",
    "terminated",
    "former",
    "former customer",
    "ex customer",
    "not renewed",
    "non renewed",
    "did not renew",
    "expired",
    "lapsed",
    "left",
    "deactivated",
    "discontinued",
}
_ACTIVE = {
    "active",
    "customer",
    "live",
    "renewed",
    "current",
    "paying",
    "existing",
    "closed won",
    "won",
    "in contract",
    "activated",
}
_YES = {"yes", "y", "true", "t", "1", "x", "✓", "✔", "ja", "oui", "si"}
_NO = {"no", "n", "false", "f", "0", "nein", "non"}
_CHURN_HEADER_WORDS = {"churned", "churn", "cancelled", "canceled", "lost", "terminated"}
_TOTALS = re.compile(r"^(?:grand\s+)?(?:sub)?totals?\b|^sum$", re.IGNORECASE)
_TERM = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(months?|mos?|mths?|m|years?|yrs?|y)?$", re.IGNORECASE)


@dataclass(frozen=True, kw_only=True)
class Customer:
    """One customer from the list.

    Attributes
    ----------
    id
        The customer's identifier as text (``1001.0`` from Excel becomes ``"1001"``).
    name
        Customer name, if there is a name column.
    segment
        Segment or tier as written, if any.
    arr
        Current ARR in currency units per year; for churned customers, their last ARR.
        From MRR x 12 when the file has MRR instead of ARR.
    starting_arr
        ARR at the original contract, currency units per year, if known.
    contract_start
        Date the customer first signed, if known.
    renewal_date
        Next (for churned customers, last) renewal date, if known.
    churn_date
        Date the customer left, if known.
    churned
        True when the row has a churn date or a churned status.
    stage
        ``onboarding``, ``adoption``, ``steady`` or ``renewal`` when the text was
        recognised, else the text as written; None when blank.
    term_months
        Contract length in months, if given.
    line
        The row's line (CSV) or row number (Excel).
    """

    id: str
    name: str | None = None
    segment: str | None = None
    arr: float
    starting_arr: float | None = None
    contract_start: date | None = None
    renewal_date: date | None = None
    churn_date: date | None = None
    churned: bool = False
    stage: str | None = None
    term_months: float | None = None
    line: int = 0


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


# --------------------------------------------------------------------- value helpers


MAX_ARR = 1e11
"""The largest ARR a customer row may carry (currency per year), as in scenarios."""


def normalise_stage(value: Any) -> str | None:
    """``"Steady State"`` -> ``"steady"``, ``"Live"`` -> ``"steady"``, ``"Adopting"`` ->
    ``"adoption"``; unrecognised text is returned as written; blank -> None."""
    text = cell_text(value)
    if not text:
        return None
    words = " " + " ".join(re.sub(r"[^\w]|_", " ", text.lower()).split()) + " "
    for stage, keys in _STAGE_WORDS:
        if words.strip() in keys:
            return stage
    for stage, keys in _STAGE_WORDS:
        if any(f" {k} " in words for k in keys):
            return stage
    return text


def parse_status(value: Any, header: str = "status") -> bool | None:
    """Whether a status cell says churned: True, False, or None when not recognised.

    Parameters
    ----------
    value
        The cell: ``Active``, ``Churned``, ``Closed Lost``... or yes/no.
    header
        The column's header; yes/no mean churned under ``Churned``/``Churn`` and active
        under ``Active``, and are not recognised under other headers.
    """
    text = " ".join(re.sub(r"[^\w✓✔]|_", " ", cell_text(value).lower()).split())
    if text in _CHURNED:
        return True
    if text in _ACTIVE:
        return False
    words = set(normalise_header(header).split())
    if text in _YES or text in _NO:
        if words & _CHURN_HEADER_WORDS:
            return text in _YES
        if "active" in words:
            return text in _NO
    return None


def parse_term_months(value: Any) -> float:
    """A contract term in months: ``12``, ``"12 months"``, ``"1 year"``, ``"annual"``.

    Raises
    ------
    ValueError
        With a short reason.
    """
    if isinstance(value, bool):
        raise ValueError("a true/false value is not a term")
    if isinstance(value, (int, float)):
        return float(value)
    text = cell_text(value).lower()
    if not text:
        raise ValueError("blank")
    if text in ("annual", "yearly", "annually"):
        return 12.0
    if text in ("monthly", "month to month", "month-to-month"):
        return 1.0
    m = _TERM.match(text)
    if not m:
        raise ValueError("not a number of months")
    number = float(m.group(1).replace(",", "."))
    unit = (m.group(2) or "m").lower()
    return number * 12 if unit.startswith("y") else number


# ---------------------------------------------------------------------------- reader


def read_customers(
    path: str | Path,
    mapping: Mapping[str, str] | None = None,
    dayfirst: bool | None = None,
    sheet: str | None = None,
    decimal_comma: bool | None = None,
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

    Returns
    -------
    CustomerList

    Raises
    ------
    DataError
        The file cannot be read; it has no ID/name or ARR/MRR column; ``mapping``
        names an unknown field or column; or no row gives a usable customer.
    """
    table = read_table(path, sheet=sheet, what=WHAT)
    match = match_table(
        table, CUSTOMER_FIELDS, mapping, WHAT, required=[("id", "name"), ("arr", "mrr")]
    )
    notes = Notes(table.path)
    for w in table.warnings + match.warnings:
        notes.add(w)
    reader = _Reader(table, match, notes, dayfirst, decimal_comma)
    kept, skipped = reader.read()
    rows = {row.line: row for row in table.rows}
    kept, dup_skipped = _resolve_duplicates(kept, notes, rows)
    reader.summarise(kept)
    skipped_all = sorted(table.skipped + skipped + dup_skipped, key=lambda i: i.line)
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
        rows_read=len(table.rows)
        + sum(1 for i in table.skipped if i.reason == "repeated header row"),
        blank_rows=table.blank_rows,
    )


class _Reader:
    """Turns rows into customers, collecting skipped rows and warnings."""

    def __init__(
        self,
        table: RawTable,
        match: ColumnMatch,
        notes: Notes,
        dayfirst: bool | None,
        decimal_comma: bool | None,
    ) -> None:
        self.table, self.match, self.notes = table, match, notes
        self.col = match.columns
        self.head = match.headers
        self.id_from_name = "id" not in self.col
        if self.id_from_name:
            notes.add(
                hinted(
                    f"no customer ID column; the names in {self.head['name']!r} are used as "
                    "IDs (map an ID column with ",
                    Hint("mapping", {"id": "COLUMN"}, "id=COLUMN"),
                    ")",
                )
            )
        self.orders, self.dayfirst_used = date_orders(
            table,
            self.col,
            self.head,
            ("contract_start", "renewal_date", "churn_date"),
            dayfirst,
            notes,
        )
        self.decimal_comma = decimal_comma_for(
            table, self.col, ("arr", "mrr", "starting_arr"), decimal_comma
        )
        self.scale = {
            f: header_scale(self.head[f]) for f in ("arr", "mrr", "starting_arr") if f in self.col
        }
        for f, factor in self.scale.items():
            if factor != 1:
                notes.add(
                    f"amounts in {self.head[f]!r} are read as "
                    f"{'thousands' if factor == 1e3 else 'millions'} (from the header)"
                )
        if "mrr" in self.col and "arr" not in self.col:
            notes.add(f"ARR is MRR x 12, from column {self.head['mrr']!r}")
        if "status" not in self.col and "churn_date" not in self.col:
            notes.add(
                hinted(
                    "no status or churn date column: every customer is treated as active "
                    "(map one with ",
                    Hint("mapping", {"status": "COLUMN"}, "status=COLUMN"),
                    " or ",
                    Hint("mapping", {"churn_date": "COLUMN"}, "churn_date=COLUMN"),
                    ")",
                )
            )
        self.counts: dict[str, list[int]] = {}
        self.unknown_status: dict[str, list[int]] = {}

    def _count(self, what: str, line: int) -> None:
        self.counts.setdefault(what, []).append(line)

    def _skip(self, row: RawRow, reason: str, detail: str) -> RowIssue:
        return RowIssue(row.line, reason, row.text(), detail)

    def read(self) -> tuple[list[Customer], list[RowIssue]]:
        kept: list[Customer] = []
        skipped: list[RowIssue] = []
        for row in self.table.rows:
            result = self._row(row)
            (kept if isinstance(result, Customer) else skipped).append(result)
        return kept, skipped

    # -- one row

    def _money(self, row: RawRow, name: str) -> float:
        value = row.cells[self.col[name]]
        return parse_money(value, self.decimal_comma) * self.scale.get(name, 1.0)

    def _arr(self, row: RawRow) -> float | RowIssue:
        sources = [f for f in ("arr", "mrr") if f in self.col]
        first = sources[0]
        label = "ARR" if first == "arr" else "MRR"
        value = row.cells[self.col[first]]
        if is_missing(value) and len(sources) == 2 and not is_missing(row.cells[self.col["mrr"]]):
            first, label, value = "mrr", "MRR", row.cells[self.col["mrr"]]
            self._count("ARR taken from MRR x 12 because ARR was blank", row.line)
        if is_missing(value):
            return self._skip(row, f"blank {label}", f"blank {label}")
        try:
            amount = self._money(row, first)
        except ValueError as exc:
            return self._skip(
                row,
                f"{label} not an amount",
                f'{label} {cell_text(value)!r} in column "{self.head[first]}" is not an '
                f"amount ({exc})",
            )
        if amount < 0:
            return self._skip(row, f"negative {label}", f"{label} {cell_text(value)!r} is negative")
        annual = amount * 12 if first == "mrr" else amount
        if annual > MAX_ARR:
            return self._skip(
                row,
                f"implausible {label}",
                f"{label} {cell_text(value)!r} is over {MAX_ARR:,.0f} a year; a unit or "
                "format problem?",
            )
        return annual

    def _date(self, row: RawRow, name: str) -> date | None:
        if name not in self.col:
            return None
        value = row.cells[self.col[name]]
        if is_missing(value):
            return None
        try:
            return parse_date(value, self.orders.get(name))
        except ValueError as exc:
            self.notes.cell(
                self.head[name],
                "dates that could not be read",
                row.line,
                f"{cell_text(value)!r} is not a date ({exc}); left blank",
            )
            return None

    def _row(self, row: RawRow) -> Customer | RowIssue:
        id_col = self.col["name"] if self.id_from_name else self.col["id"]
        ident = cell_text(row.cells[id_col])
        first_text = next((cell_text(c) for c in row.cells if not is_blank(c)), "")
        if _TOTALS.match(ident) or (not ident and _TOTALS.match(first_text)):
            return self._skip(row, "totals row", "a totals row, not a customer")
        if not ident:
            return self._skip(
                row,
                "no ID",
                f'blank customer ID in column "{self.head.get("id", self.head.get("name"))}"',
            )
        arr = self._arr(row)
        if isinstance(arr, RowIssue):
            return arr
        if arr == 0:
            self._count("ARR of 0 (kept)", row.line)
        starting = None
        if "starting_arr" in self.col and not is_missing(row.cells[self.col["starting_arr"]]):
            raw = row.cells[self.col["starting_arr"]]
            try:
                starting = self._money(row, "starting_arr")
            except ValueError as exc:
                self.notes.cell(
                    self.head["starting_arr"],
                    "amounts that could not be read",
                    row.line,
                    f"{cell_text(raw)!r} is not an amount ({exc}); left blank",
                )
            if starting is not None and starting < 0:
                self.notes.cell(
                    self.head["starting_arr"],
                    "negative amounts",
                    row.line,
                    f"{cell_text(raw)!r} is negative; left blank",
                )
                starting = None
        start = self._date(row, "contract_start")
        renewal = self._date(row, "renewal_date")
        churn_date = self._date(row, "churn_date")
        churned = self._churned(row, churn_date)
        term = None
        if "term_months" in self.col and not is_missing(row.cells[self.col["term_months"]]):
            raw = row.cells[self.col["term_months"]]
            try:
                term = parse_term_months(raw)
            except ValueError as exc:
                self.notes.cell(
                    self.head["term_months"],
                    "terms that could not be read",
                    row.line,
                    f"{cell_text(raw)!r} is not a contract term ({exc}); left blank",
                )
        if start and renewal and renewal < start:
            self._count("a renewal date before the contract start (kept as written)", row.line)
        if start and churn_date and churn_date < start:
            self._count("a churn date before the contract start (kept as written)", row.line)
        name = cell_text(cell(row.cells, self.col.get("name"))) or None
        return Customer(
            id=ident,
            arr=arr,
            name=name,
            segment=cell_text(cell(row.cells, self.col.get("segment"))) or None,
            starting_arr=starting,
            contract_start=start,
            renewal_date=renewal,
            churn_date=churn_date,
            churned=churned,
            stage=normalise_stage(cell(row.cells, self.col.get("stage"))),
            term_months=term,
            line=row.line,
        )

    def _churned(self, row: RawRow, churn_date: date | None) -> bool:
        status: bool | None = None
        if "status" in self.col:
            value = row.cells[self.col["status"]]
            if not is_blank(value):
                status = parse_status(value, self.head["status"])
                if status is None:
                    self.unknown_status.setdefault(cell_text(value), []).append(row.line)
        date_cell = cell(row.cells, self.col.get("churn_date"))
        unreadable_date = churn_date is None and not is_missing(date_cell)
        if unreadable_date and cell_text(date_cell).lower() in _NO | {"-", "n/a", "na", "none"}:
            unreadable_date = False
        if churn_date is not None or unreadable_date:
            if status is False:
                self._count("an active status but a churn date (treated as churned)", row.line)
            if churn_date is None:
                self._count("churned without a readable churn date", row.line)
            return True
        if status:
            self._count("churned without a churn date", row.line)
            return True
        return False

    # -- file-level notes

    def summarise(self, kept: list[Customer]) -> None:
        kept_lines = {c.line for c in kept}
        for what, lines in self.counts.items():
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
            self.notes.add(text)
        for value, lines in self.unknown_status.items():
            self.notes.add(
                f"status {value!r} on {plural(len(lines), 'row')} ({line_list(lines)}) "
                "is not recognised as active or churned; treated as "
                "active (churned: churned, cancelled, lost, inactive, closed lost; active: "
                "active, customer, live, renewed)"
            )


# ------------------------------------------------------------------------ duplicates

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
}


def _differences(a: Customer, b: Customer) -> str:
    parts = []
    for f, label in _FIELD_LABELS.items():
        va, vb = getattr(a, f), getattr(b, f)
        if va != vb:
            parts.append(f"{label} {_show(va)} vs {_show(vb)}")
    return ", ".join(parts)


def _show(value: Any) -> str:
    if value is None:
        return "blank"
    if isinstance(value, float):
        return f"{value:g}" if not value.is_integer() else f"{int(value)}"
    return str(value)


def _resolve_duplicates(
    customers: list[Customer], notes: Notes, rows_by_line: Mapping[int, RawRow]
) -> tuple[list[Customer], list[RowIssue]]:
    """Drop identical repeats; of differing rows keep the latest renewal (then line)."""
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
