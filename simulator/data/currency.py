"""Which currency a customer list's amounts are in; mixed currencies refused or converted.

A list's currency comes from a currency column (``Currency``, ``plan.currency``...) or
from the marks in its amounts (``$1,000``, ``€900``, ``EUR 900``; a bare ``$`` is US
dollars). Amounts in different currencies are never added: a list that mixes them is
refused with the rows of each currency, unless the caller states exchange rates
(``rates={"EUR": 1.08}``: one EUR is 1.08 of the list's currency), in which case every
amount is converted to the one currency the rates lead to and the conversion is noted.
Amounts without a mark in a mixed list are taken to be in that currency (noted); so are
those beside marked amounts of one currency, with a warning naming their lines.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from simulator.data.blanks import is_missing
from simulator.data.common import Notes, decimal_comma_for, line_list, plural
from simulator.data.errors import cell_text
from simulator.data.table import RawRow, RawTable
from simulator.data.values import currency_of
from simulator.errors import DataError, Hint, data_issue, hinted

__all__ = ["Currencies", "decimal_marks", "settle_currencies"]

_CODE = re.compile(r"^[A-Za-z]{3}$")


@dataclass
class Currencies:
    """The list's currency and how each row's amounts are brought to it.

    Attributes
    ----------
    currency
        ISO code of the list's amounts after any conversion; None when nothing names it.
    factor
        Row line -> multiplier to ``currency`` (rows absent: 1).
    lines
        Row line -> the currency its amounts are written in, for a converted list (rows
        naming no currency absent: they are in ``currency``).
    """

    currency: str | None = None
    factor: dict[int, float] = field(default_factory=dict)
    lines: dict[int, str] = field(default_factory=dict)


def _cell_currency(value: Any) -> str | None:
    """A currency column's cell as an ISO code (``"eur"``, ``"€"`` -> ``"EUR"``)."""
    if is_missing(value):
        return None
    text = cell_text(value)
    found = currency_of(text)
    if found is None and _CODE.match(text):
        return text.upper()
    return found


def _row_currencies(
    table: RawTable, columns: Mapping[str, int], money_fields: Sequence[str]
) -> dict[str, list[tuple[int, str]]]:
    """Currency -> (line, example cell) of each row naming it (the currency column first)."""
    cache: dict[tuple[bool, str], str | None] = {}
    found: dict[str, list[tuple[int, str]]] = {}
    cur_col = columns.get("currency")
    money_cols = [columns[f] for f in money_fields if f in columns]
    for row in table.rows:
        code = None
        example = ""
        cols = ([cur_col] if cur_col is not None else []) + money_cols
        for col in cols:  # the currency column first, then the amounts' marks
            value = row.cells[col]
            if not isinstance(value, str):
                continue
            key = (col == cur_col, value)
            if key not in cache:
                cache[key] = _cell_currency(value) if col == cur_col else currency_of(value)
            code = cache[key]
            if code:
                example = value.strip()
                break
        if code:
            found.setdefault(code, []).append((row.line, example))
    return found


def _listing(found: Mapping[str, list[tuple[int, str]]]) -> str:
    """``USD on lines 2, 3 ('$1,000'), EUR on line 4 ('EUR 900')``."""
    parts = []
    for code, items in found.items():
        examples = list(dict.fromkeys(e for _, e in items))[:3]
        shown = ", ".join(repr(e) for e in examples)
        parts.append(f"{code} on {line_list([n for n, _ in items])} ({shown})")
    return "; ".join(parts)


def _warn_unmarked(
    table: RawTable,
    columns: Mapping[str, int],
    money_fields: Sequence[str],
    found: Mapping[str, list[tuple[int, str]]],
    currency: str | None,
    notes: Notes,
) -> None:
    """Warn when some amounts carry a currency mark and others, with an amount, carry none.

    One ``EUR 500`` among bare numbers would otherwise relabel them all; the unmarked
    rows are named (the first few) with the currency they are taken to be in.
    """
    marked = {line for items in found.values() for line, _ in items}
    money_cols = [columns[f] for f in money_fields if f in columns]
    unmarked = [
        row.line
        for row in table.rows
        if row.line not in marked and any(not is_missing(row.cells[c]) for c in money_cols)
    ]
    if not unmarked:
        return
    notes.add(
        f"only some amounts name a currency ({_listing(found)}); the amounts on "
        f"{line_list(unmarked)} name none and are taken to be in {currency}; check them, "
        "and settle it with a currency column or a currency mark on every amount"
    )


def settle_currencies(
    table: RawTable,
    columns: Mapping[str, int],
    headers: Mapping[str, str],
    money_fields: Sequence[str],
    rates: Mapping[str, float] | None,
    currency: str | None,
    notes: Notes,
    what: str,
) -> Currencies:
    """The list's currency, and the conversion of each row when rates are given.

    Parameters
    ----------
    table, columns, headers
        The rows and the matched columns (field -> index, header).
    money_fields
        The amount fields present (``arr``, ``mrr``, ``starting_arr``).
    rates
        Currency code -> value of one unit in the list's currency (``{"EUR": 1.08}``);
        None: no conversion, a mixed list is refused.
    currency
        The currency to convert to; None: the one currency found without a rate.
    notes
        Receives the note on any conversion.
    what
        The file's role, for messages.

    Raises
    ------
    DataError
        Amounts in more than one currency without a rate for each, a rate that is not a
        positive number, or rates that do not say which currency they convert to.
    """
    found = _row_currencies(table, columns, money_fields)
    where = (
        f'column "{headers["currency"]}"'
        if "currency" in columns
        else "the amounts in " + ", ".join(f'"{headers[f]}"' for f in money_fields if f in columns)
    )
    rates = {k.strip().upper(): float(v) for k, v in (rates or {}).items()}
    target = currency.strip().upper() if currency else None
    bad = [k for k, v in rates.items() if not (math.isfinite(v) and v > 0)]
    if bad:
        raise DataError(
            [data_issue(f"the exchange rate for {bad[0]} must be a positive number", table.path)],
            what,
        )
    if target is None:
        without = [c for c in found if c not in rates]
        if len(without) == 1:
            target = without[0]
        elif not without and len(found) == 1 and not rates:
            target = next(iter(found))
    if len(found) <= 1 and (target is None or set(found) <= {target}):
        settled = target or next(iter(found), None)
        if found and "currency" not in columns:
            _warn_unmarked(table, columns, money_fields, found, settled, notes)
        return Currencies(currency=settled)
    missing = [c for c in found if c != target and c not in rates]
    if not rates or target is None or missing:
        base = target or max(found, key=lambda c: len(found[c]))
        others = [c for c in found if c != base]
        column_word = "mixes" if "currency" in columns else "mix"
        first_line = min(items[0][0] for items in found.values())
        raise DataError(
            [
                data_issue(
                    hinted(
                        f"{where} {column_word} currencies: {_listing(found)}; amounts in "
                        "different currencies are never added; convert them to one currency "
                        "in the file, or give the rate of each to one currency (",
                        Hint(
                            "rates",
                            dict.fromkeys(others, "RATE"),
                            ",".join(f"{c}=RATE" for c in others),
                        ),
                        f", RATE being the value of one unit in {base})"
                        + (
                            f"; no rate for {', '.join(missing)} (every currency but one "
                            "needs a rate)"
                            if rates and missing
                            else ""
                        )
                        + (
                            f"; a rate was given for every currency of the list "
                            f"({', '.join(sorted(found))}): leave out the rate of the one "
                            "the others convert to"
                            if rates and target is None and set(found) <= set(rates)
                            else ""
                        ),
                    ),
                    table.path,
                    first_line,
                )
            ],
            what,
        )
    factor: dict[int, float] = {}
    lines: dict[int, str] = {}
    converted = []
    for code, items in found.items():
        for line, _ in items:
            lines[line] = code
        if code == target:
            continue
        for line, _ in items:
            factor[line] = rates[code]
        converted.append(f"{code} x {rates[code]:g} ({plural(len(items), 'row')})")
    marked = sum(len(v) for v in found.values())
    unmarked = len(table.rows) - marked
    notes.add(
        f"amounts converted to {target} at the rates given: {', '.join(converted)}"
        + (
            f"; {plural(unmarked, 'row')} naming no currency taken to be in {target}"
            if unmarked
            else ""
        )
    )
    return Currencies(currency=target, factor=factor, lines=lines)


def decimal_marks(
    table: RawTable,
    columns: Mapping[str, int],
    money_fields: Sequence[str],
    currencies: Currencies,
    notes: Notes,
) -> dict[int, bool]:
    """Row line -> decimal comma, inferred per currency of a converted list.

    Each currency's amounts settle its own decimal mark (``$12,500`` beside
    ``€ 14.250,00`` is twelve thousand five hundred dollars): a currency whose amounts
    vote neither way reads them as :func:`decimal_comma_for` does a file with only
    those rows. Rows naming no currency go with the list's currency. Empty when the
    list has one currency (the file-wide inference applies).
    """
    codes = set(currencies.lines.values())
    if len(codes) <= 1:
        return {}
    groups: dict[str, list[RawRow]] = {}
    for row in table.rows:
        code = currencies.lines.get(row.line, currencies.currency or "")
        groups.setdefault(code, []).append(row)
    marks: dict[int, bool] = {}
    chosen: dict[str, bool] = {}
    for code, rows in groups.items():
        comma = decimal_comma_for(replace(table, rows=rows), columns, money_fields, None, notes)
        chosen[code] = comma
        marks.update(dict.fromkeys((r.line for r in rows), comma))
    if len(set(chosen.values())) > 1:
        notes.add(
            "decimal mark inferred per currency, from each currency's own amounts: "
            + ", ".join(
                f"{code or 'no currency'} {'comma' if c else 'dot'}" for code, c in chosen.items()
            )
        )
    return marks
