"""One row of a customer list -> a :class:`Customer`, or a :class:`RowIssue` saying why not.

:class:`CustomerRows` holds the per-file decisions (which columns, date order, decimal
mark, amount scale) and applies the row rules listed in :mod:`simulator.data.customers`,
collecting warnings about kept rows in a :class:`~simulator.data.common.Notes`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from simulator.data.blanks import is_blank, is_missing
from simulator.data.columns import ColumnMatch
from simulator.data.common import (
    Notes,
    cell,
    date_orders,
    decimal_comma_for,
    text_or_none,
)
from simulator.data.currency import settle_currencies
from simulator.data.customer_record import Customer
from simulator.data.customer_values import (
    NO_WORDS,
    PROSPECT_STAGES,
    normalise_stage,
    parse_status,
    parse_term_months,
)
from simulator.data.dates import parse_date
from simulator.data.errors import RowIssue, cell_text
from simulator.data.headers import header_scale
from simulator.data.table import RawRow, RawTable
from simulator.data.values import parse_money
from simulator.errors import Hint, hinted

__all__ = ["MAX_ARR", "Customer", "CustomerRows"]

MAX_ARR = 1e11
"""The largest ARR a customer row may carry (currency per year), as in scenarios."""

_TOTALS = re.compile(r"^(?:grand\s+)?(?:sub)?totals?\b|^sum$", re.IGNORECASE)
_SUMMARY = re.compile(
    r"^(?:grand\s+|sub-?\s*)?(?:sum|summe|average|avg|mean|median|count|min|max|minimum|"
    r"maximum|gesamt|promedio|moyenne)(?:\s+of\b.*|\s+(?:arr|mrr|acv|revenue|value|amount|"
    r"customers|accounts|all))?\s*(?:\([^)]*\))?\s*:?$",
    re.IGNORECASE,
)
"""Summary rows besides totals (``Average``, ``Sum of ARR``, ``Count (12 records)``)."""


class CustomerRows:
    """Turns rows into customers, collecting skipped rows and warnings."""

    def __init__(
        self,
        table: RawTable,
        match: ColumnMatch,
        notes: Notes,
        dayfirst: bool | None,
        decimal_comma: bool | None,
        rates: Mapping[str, float] | None = None,
        currency: str | None = None,
        what: str = "the customer list",
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
            table, self.col, ("arr", "mrr", "starting_arr"), decimal_comma, notes
        )
        self.scale: dict[str, float] = {
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
        money = [f for f in ("arr", "mrr", "starting_arr") if f in self.col]
        self.currencies = settle_currencies(
            table, self.col, self.head, money, rates, currency, notes, what
        )
        self.stage_churn = "status" not in self.col and "stage" in self.col
        self.cache: dict[tuple[Any, ...], Any] = {}
        self.from_starting: dict[int, str] = {}
        """Line -> ``ID amount`` of rows whose blank ARR is their starting value."""
        self.summaries: list[tuple[int, str]] = []
        if self.stage_churn:
            notes.add(
                f"no status column: customers whose {self.head['stage']!r} says churned "
                "(Churned, Cancelled, Lost, Former customer...) are read as churned"
            )
        elif "status" not in self.col and "churn_date" not in self.col:
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
        """Count a kept row with ``what`` (summarised per file by :meth:`summarise`)."""
        self.counts.setdefault(what, []).append(line)

    def _skip(self, row: RawRow, reason: str, detail: str) -> RowIssue:
        """The record of a skipped row."""
        return RowIssue(row.line, reason, row.text(), detail)

    def read(self) -> tuple[list[Customer], list[RowIssue]]:
        """(customers, skipped rows) of the table, in file order; duplicates not resolved."""
        kept: list[Customer] = []
        skipped: list[RowIssue] = []
        for row in self.table.rows:
            result = self._row(row)
            if isinstance(result, Customer):
                kept.append(result)
            else:
                skipped.append(result)
        return kept, skipped

    # -- one row

    def _money(self, row: RawRow, name: str) -> float:
        """An amount field, in currency units (header scale applied); ValueError if unreadable."""
        value = row.cells[self.col[name]]
        key = (name, value)
        cached = self.cache.get(key) if isinstance(value, str) else None
        if cached is None:
            try:
                cached = parse_money(value, self.decimal_comma) * self.scale.get(name, 1.0)
            except ValueError as exc:
                cached = exc
            if isinstance(value, str):
                self.cache[key] = cached
        if isinstance(cached, ValueError):
            raise cached
        return float(cached) * self.currencies.factor.get(row.line, 1.0)

    def _arr(self, row: RawRow) -> float | RowIssue:
        """ARR, currency per year (from MRR x 12 when needed), or why the row is skipped."""
        sources = [f for f in ("arr", "mrr") if f in self.col]
        first = sources[0]
        label = "ARR" if first == "arr" else "MRR"
        value = row.cells[self.col[first]]
        if is_missing(value) and len(sources) == 2 and not is_missing(row.cells[self.col["mrr"]]):
            first, label, value = "mrr", "MRR", row.cells[self.col["mrr"]]
            self._count("ARR taken from MRR x 12 because ARR was blank", row.line)
        starting = self._starting_arr(row, quiet=True) if is_missing(value) else None
        if starting is not None:
            self.from_starting[row.line] = ""
            return starting
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
        """A date field; None when absent, blank or unreadable (with a note)."""
        if name not in self.col:
            return None
        value = row.cells[self.col[name]]
        key = (name, value)
        if isinstance(value, str) and key in self.cache:  # dates repeat: parse each once
            found = self.cache[key]
            if not isinstance(found, ValueError):
                return found  # type: ignore[no-any-return]
        if is_missing(value):
            return None
        try:
            parsed = parse_date(value, self.orders.get(name))
            if isinstance(value, str):
                self.cache[key] = parsed
            return parsed
        except ValueError as exc:
            self.notes.cell(
                self.head[name],
                "dates that could not be read",
                row.line,
                f"{cell_text(value)!r} is not a date ({exc}); left blank",
            )
            return None

    def _row(self, row: RawRow) -> Customer | RowIssue:
        """The customer on one row, or the reason the row is skipped."""
        ident = self._ident(row)
        if isinstance(ident, RowIssue):
            return ident
        if self.stage_churn:
            stage_text = cell_text(row.cells[self.col["stage"]])
            if stage_text.lower() in PROSPECT_STAGES:
                return self._skip(
                    row, "not a customer yet", f"lifecycle stage {stage_text!r}: a prospect"
                )
        arr = self._arr(row)
        if isinstance(arr, RowIssue):
            return arr
        if arr == 0:
            self._count("ARR of 0 (kept)", row.line)
        if row.line in self.from_starting:
            self.from_starting[row.line] = f"{ident} {arr:,.0f}"
        starting = self._starting_arr(row)
        start = self._date(row, "contract_start")
        renewal = self._date(row, "renewal_date")
        churn_date = self._date(row, "churn_date")
        churned = self._churned(row, churn_date)
        term = self._term(row)
        if start and renewal and renewal < start:
            self._count("a renewal date before the contract start (kept as written)", row.line)
        if start and churn_date and churn_date < start:
            self._count("a churn date before the contract start (kept as written)", row.line)
        name = cell_text(cell(row.cells, self.col.get("name"))) or None
        stage_cell = cell(row.cells, self.col.get("stage"))
        stage_key = ("stage", type(stage_cell), stage_cell)  # True and 1 read differently
        if stage_key not in self.cache:
            self.cache[stage_key] = normalise_stage(stage_cell)
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
            stage=self.cache[stage_key],
            term_months=term,
            churn_reason=text_or_none(cell(row.cells, self.col.get("churn_reason"))),
            line=row.line,
            currency=self.currencies.currency,
            arr_from_starting=row.line in self.from_starting,
        )

    def _ident(self, row: RawRow) -> str | RowIssue:
        """The row's customer ID, or a skip for a totals row or a blank ID."""
        id_col = self.col["name"] if self.id_from_name else self.col["id"]
        ident = cell_text(row.cells[id_col])
        first_text = next((cell_text(c) for c in row.cells if not is_blank(c)), "")
        label = ident or first_text
        if _TOTALS.match(ident) or (not ident and _TOTALS.match(first_text)):
            self.summaries.append((row.line, label))
            return self._skip(row, "totals row", "a totals row, not a customer")
        if _SUMMARY.match(label):
            self.summaries.append((row.line, label))
            return self._skip(row, "summary row", f"a summary row ({label!r}), not a customer")
        if not ident:
            return self._skip(
                row,
                "no ID",
                f'blank customer ID in column "{self.head.get("id", self.head.get("name"))}"',
            )
        return ident

    def _starting_arr(self, row: RawRow, quiet: bool = False) -> float | None:
        """Starting ARR, currency per year; None (with a note unless ``quiet``) when blank,
        unreadable or < 0."""
        if "starting_arr" not in self.col or is_missing(row.cells[self.col["starting_arr"]]):
            return None
        raw = row.cells[self.col["starting_arr"]]
        try:
            starting = self._money(row, "starting_arr")
        except ValueError as exc:
            if quiet:
                return None
            self.notes.cell(
                self.head["starting_arr"],
                "amounts that could not be read",
                row.line,
                f"{cell_text(raw)!r} is not an amount ({exc}); left blank",
            )
            return None
        if starting < 0:
            if quiet:
                return None
            self.notes.cell(
                self.head["starting_arr"],
                "negative amounts",
                row.line,
                f"{cell_text(raw)!r} is negative; left blank",
            )
            return None
        return starting

    def _term(self, row: RawRow) -> float | None:
        """Contract term in months; None (with a note when unreadable) otherwise."""
        if "term_months" not in self.col or is_missing(row.cells[self.col["term_months"]]):
            return None
        raw = row.cells[self.col["term_months"]]
        try:
            return parse_term_months(raw)
        except ValueError as exc:
            self.notes.cell(
                self.head["term_months"],
                "terms that could not be read",
                row.line,
                f"{cell_text(raw)!r} is not a contract term ({exc}); left blank",
            )
            return None

    def _churned(self, row: RawRow, churn_date: date | None) -> bool:
        """Whether the customer churned: a churn date, else a churned status."""
        status: bool | None = None
        if "status" in self.col:
            value = row.cells[self.col["status"]]
            if not is_blank(value):
                key = ("status", type(value), value)
                if key not in self.cache:
                    self.cache[key] = parse_status(value, self.head["status"])
                status = self.cache[key]
                if status is None:
                    self.unknown_status.setdefault(cell_text(value), []).append(row.line)
        elif self.stage_churn and parse_status(row.cells[self.col["stage"]], "stage") is True:
            status = True
            self._count("churn read from the lifecycle stage", row.line)
        date_cell = cell(row.cells, self.col.get("churn_date"))
        unreadable_date = churn_date is None and not is_missing(date_cell)
        if unreadable_date and cell_text(date_cell).lower() in NO_WORDS | {
            "-",
            "n/a",
            "na",
            "none",
        }:
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
        """Add the per-file notes on kept rows (see :func:`summarise_rows`)."""
        from simulator.data.customer_notes import summarise_rows

        summarise_rows(self, kept)
