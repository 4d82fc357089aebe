"""Deal exports read as a customer list: only closed-won deals are customers.

Two layouts are recognised from their headers:

* a HubSpot deals export (``Record ID, Deal Name, Pipeline, Deal Stage, Amount, Close
  Date, Create Date, Deal owner, Deal Type, Associated Company, Associated Company
  IDs``): a ``Deal Stage`` column beside ``Deal Name`` or ``Pipeline``; the associated
  company is the customer;
* a Salesforce opportunity report (``Opportunity Name, Account Name, Amount, Close Date,
  Stage, Probability (%), Type, Opportunity Owner``...): a ``Stage`` column beside
  ``Opportunity Name``; the account is the customer.

Their rows are deals, not customers: closed-lost and open deals are left out and counted
by why. When a stage is neither won, lost nor one of the product's default open stages
(a custom pipeline's ``Signed``...), which deals are customers is ambiguous and the file
is refused, unless it has HubSpot's ``Is Closed Won`` column (or Salesforce's ``Won``),
which settles it.

A company with several won deals (a new-business deal, its renewals, upsells) is one
customer, and deal amounts are not ARR, so no sum of them is right in general. With a
deal type column (HubSpot's ``Deal Type``, Salesforce's ``Type``) its ARR is the latest
new-business or renewal amount plus the upsells (expansion, upgrade, cross-sell) closed
after it, an assumption (docs/assumptions.md#customer-exports). Without one, or when a
company's types do not fit that rule, the latest-closed deal's amount is taken and a
warning names the company, its deals and the amount taken.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.data.blanks import is_missing
from simulator.data.common import line_list, plural
from simulator.data.dates import parse_date
from simulator.data.errors import RowIssue, cell_text
from simulator.data.headers import normalise_header
from simulator.data.stripe import ExportLayout
from simulator.data.table import RawRow, RawTable
from simulator.data.values import decimal_votes, parse_money
from simulator.errors import DataError, data_issue

__all__ = ["deals_layout"]

_OPEN = {
    # HubSpot's default sales pipeline (labels and internal names)
    "appointment scheduled",
    "qualified to buy",
    "presentation scheduled",
    "decision maker bought in",
    "contract sent",
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    # Salesforce's default opportunity stages
    "prospecting",
    "qualification",
    "needs analysis",
    "value proposition",
    "id decision makers",
    "perception analysis",
    "proposal price quote",
    "negotiation review",
}
_YES = {"true", "yes", "1"}
_NO = {"false", "no", "0", ""}


def _stage_kind(stage: str) -> str | None:
    """``won``, ``lost``, ``open`` (a default open stage), or None (unknown)."""
    words = " ".join(normalise_header(stage).split())
    if words in ("closed won", "won", "closedwon") or words.startswith("closed won"):
        return "won"
    if words in ("closed lost", "lost", "closedlost") or words.startswith("closed lost"):
        return "lost"
    return "open" if words in _OPEN else None


def _column(norm: Sequence[str], *names: str) -> int | None:
    """The first column whose normalised header is one of ``names``."""
    for name in names:
        if name in norm:
            return norm.index(name)
    return None


def deals_layout(table: RawTable, what: str) -> ExportLayout | None:
    """The closed-won deals as a customer list, when the table is a deal export.

    Raises
    ------
    DataError
        When the stages do not say which deals were won (see the module docstring).
    """
    norm = [normalise_header(h) for h in table.header]
    hubspot = _column(norm, "deal stage") is not None and bool(
        {"deal name", "pipeline"} & set(norm)
    )
    salesforce = not hubspot and "opportunity name" in norm and "stage" in norm
    if not (hubspot or salesforce):
        return None
    product = "HubSpot deal export" if hubspot else "Salesforce opportunity export"
    stage_col = _column(norm, "deal stage" if hubspot else "stage")
    assert stage_col is not None
    won_col = _column(norm, "is closed won", "won")
    kinds: dict[int, str] = {}
    unknown: dict[str, list[int]] = {}
    for row in table.rows:
        stage = cell_text(row.cells[stage_col])
        if won_col is not None:
            flag = cell_text(row.cells[won_col]).lower()
            if flag in _YES or flag in _NO:
                lost = _stage_kind(stage) == "lost"
                kinds[row.line] = "won" if flag in _YES else ("lost" if lost else "open")
                continue
        kind = _stage_kind(stage) if stage else "blank"
        if kind is None:
            unknown.setdefault(stage or "(blank)", []).append(row.line)
        else:
            kinds[row.line] = kind
    header = table.header[stage_col]
    if unknown:
        listed = "; ".join(f"{s!r} ({line_list(lines)})" for s, lines in unknown.items())
        raise DataError(
            [
                data_issue(
                    f'column "{header}": the deal stages {listed} are neither Closed Won, '
                    f"Closed Lost nor one of the default open stages of a {product}, so "
                    "which deals are customers is ambiguous; export only the closed-won "
                    "deals, or add the "
                    + ("'Is Closed Won' property" if hubspot else "'Won' field")
                    + " to the export",
                    table.path,
                    next(iter(unknown.values()))[0],
                )
            ],
            what,
        )
    rows, skipped = [], []
    left: dict[str, list[int]] = {"lost": [], "open": [], "blank": []}
    reasons = {"lost": "deal closed lost", "open": "open deal", "blank": "no deal stage"}
    for row in table.rows:
        kind = kinds[row.line]
        if kind == "won":
            rows.append(row)
            continue
        left[kind].append(row.line)
        stage = cell_text(row.cells[stage_col])
        detail = f"deal stage {stage!r}: not a customer" if stage else "no deal stage (a footer?)"
        skipped.append(RowIssue(row.line, reasons[kind], row.text(), detail))
    rebuilt = dataclasses.replace(table, rows=rows)
    mapping = {"stage": ""}
    if hubspot:
        company_id = _column(
            norm,
            "associated company ids primary",
            "associated company ids",
            "associated company id",
        )
        company = _column(norm, "associated company primary", "associated company")
    else:
        company_id = _column(norm, "account id", "account id 18", "account 18 digit id")
        company = _column(norm, "account name")
    if company_id is not None:
        mapping["id"] = table.header[company_id]
    if company is not None:
        mapping["name"] = table.header[company]
    gone = len(left["lost"]) + len(left["open"])
    parts = [
        f"{len(left['lost'])} closed lost ({line_list(left['lost'])})" if left["lost"] else "",
        f"{len(left['open'])} still open ({line_list(left['open'])})" if left["open"] else "",
    ]
    blank = left["blank"]
    note = (
        f"read as a {product} (from its column {header!r}): only closed-won deals "
        f"are customers; {plural(gone, 'deal')} left out"
        + (": " + ", ".join(p for p in parts if p) if gone else "")
        + (
            f"; {plural(len(blank), 'row')} with no stage left out ({line_list(blank)})"
            if blank
            else ""
        )
        + ("; the associated company" if hubspot else "; the account")
        + " is the customer; a deal's amount is read as its ARR "
        "(map ARR to another column if the deals hold multi-year totals)"
    )
    notes = [note]
    key_col = company_id if company_id is not None else company
    amount_col = _column(norm, "amount")
    if key_col is not None and amount_col is not None:
        columns = _DealColumns(
            key_col,
            company,
            amount_col,
            _column(norm, "close date"),
            _column(norm, "deal type" if hubspot else "type"),
            _column(norm, "deal name" if hubspot else "opportunity name"),
        )
        rebuilt.rows, merged_notes = _one_row_per_company(rows, columns, skipped)
        notes += merged_notes
    name = "hubspot deals" if hubspot else "salesforce opportunities"
    return ExportLayout(name, rebuilt, notes, skipped, mapping)


_BASE_WORDS = ("new business", "newbusiness", "new customer", "new", "renewal")
_ADDON_WORDS = ("upsell", "expansion", "upgrade", "cross-sell", "cross sell", "add-on", "add on")


def _deal_type(value: object) -> str | None:
    """``base`` (new business, renewal), ``addon`` (upsell, expansion) or None (other)."""
    words = " ".join(cell_text(value).lower().replace("_", " ").split())
    if words in _BASE_WORDS or "renewal" in words or words.startswith("new "):
        return "base"
    if any(w in words for w in _ADDON_WORDS):
        return "addon"
    return None


@dataclass
class _DealColumns:
    key: int
    company: int | None
    amount: int
    close: int | None
    type: int | None
    deal: int | None


@dataclass
class _Deal:
    row: RawRow
    amount: float | None
    close: dt.date | None
    kind: str | None

    def describe(self, cols: _DealColumns) -> str:
        name = cell_text(self.row.cells[cols.deal]) if cols.deal is not None else ""
        kind = cell_text(self.row.cells[cols.type]) if cols.type is not None else ""
        amount = "no amount" if self.amount is None else f"{self.amount:,.2f}"
        closed = f" closed {self.close.isoformat()}" if self.close else ""
        return (
            f"line {self.row.line}"
            + (f" {name!r}" if name else "")
            + (f" ({kind})" if kind else "")
            + f" {amount}{closed}"
        )


def _one_row_per_company(
    rows: list[RawRow], cols: _DealColumns, skipped: list[RowIssue]
) -> tuple[list[RawRow], list[str]]:
    """The won deals with one row per company, and notes on the companies combined.

    A company's deals are combined by the deal-type rule (module docstring) when every
    one has a type and a close date and one is new business or a renewal; otherwise the
    latest-closed deal is kept. The deals not kept are added to ``skipped``.
    """
    votes_comma, votes_point = decimal_votes(r.cells[cols.amount] for r in rows)
    comma = votes_comma > votes_point
    groups: dict[str, list[_Deal]] = {}
    for row in rows:
        key = cell_text(row.cells[cols.key])
        if not key:
            key = f"\0{row.line}"  # no company: the deal stays on its own
        groups.setdefault(key, []).append(
            _Deal(row, _amount(row.cells[cols.amount], comma), _close(row, cols), None)
        )
    kept: list[RawRow] = []
    by_rule: list[str] = []
    latest: list[str] = []
    for key, deals in groups.items():
        if len(deals) == 1:
            kept.append(deals[0].row)
            continue
        if cols.type is not None:
            for d in deals:
                d.kind = _deal_type(d.row.cells[cols.type])
        deals.sort(key=lambda d: (d.close or dt.date.min, d.row.line))
        company = cell_text(deals[0].row.cells[cols.company]) if cols.company is not None else ""
        who = f"{company!r} (ID {key})" if company and company != key else repr(key)
        listed = "; ".join(d.describe(cols) for d in deals)
        ruled = _by_type(deals)
        if ruled is not None:
            base, addons = ruled
            total = (base.amount or 0.0) + sum(a.amount or 0.0 for a in addons)
            chosen, used = base.row, [base, *addons]
            if addons:  # the base cell as written otherwise (its currency mark kept)
                cells = list(base.row.cells)
                cells[cols.amount] = total
                chosen = RawRow(base.row.line, cells)
            by_rule.append(
                f"{who}: {line_list([d.row.line for d in used])} give {total:,.2f} "
                f"(deals: {listed})"
            )
        else:
            last = deals[-1]
            chosen, used = last.row, [last]
            why = (
                "its deal types do not say which is new business or a renewal"
                if cols.type is not None
                else "the export has no deal type column"
            )
            latest.append(
                f"{who} has {len(deals)} won deals ({listed}): the latest-closed deal's "
                f"amount (line {last.row.line}, "
                + ("no amount" if last.amount is None else f"{last.amount:,.2f}")
                + f") was taken as its ARR because {why}"
            )
        kept.append(chosen)
        for d in deals:
            if d.row.line != chosen.line:
                how = "amount added to" if d in used else "ARR from"
                skipped.append(
                    RowIssue(
                        d.row.line,
                        "another won deal of a company",
                        d.row.text(),
                        f"company {who}: {how} line {chosen.line}",
                    )
                )
    notes = []
    if by_rule:
        notes.append(
            f"{plural(len(by_rule), 'company', 'companies')} with several won deals: ARR is "
            "the latest new-business or renewal amount plus the upsells closed after it "
            "(an assumption, see docs/assumptions.md#customer-exports): " + "; ".join(by_rule)
        )
    if latest:
        notes.append(
            "deal amounts are not ARR and there is no right sum of a company's deals in "
            "general (renewals replace earlier deals, upsells add to them): "
            + "; ".join(latest)
            + "; for ARR read a company or subscription export instead, or add the deal "
            "type (New Business, Renewal, Upsell) to the export"
        )
    return sorted(kept, key=lambda r: r.line), notes


def _by_type(deals: list[_Deal]) -> tuple[_Deal, list[_Deal]] | None:
    """(the latest new-business or renewal deal, upsells closed after it), or None when
    a deal has no known type, amount or close date, or none is new business or renewal."""
    if any(d.kind is None or d.close is None or d.amount is None for d in deals):
        return None
    bases = [d for d in deals if d.kind == "base"]
    if not bases:
        return None
    base = bases[-1]  # deals are sorted by close date, then line
    assert base.close is not None
    addons = [d for d in deals if d.kind == "addon" and d.close and d.close > base.close]
    return base, addons


def _amount(value: object, comma: bool) -> float | None:
    """A deal amount, None when blank or unreadable (the customer reading says why)."""
    if is_missing(value):
        return None
    try:
        return parse_money(value, comma)
    except ValueError:
        return None


def _close(row: RawRow, cols: _DealColumns) -> dt.date | None:
    """A deal's close date, None when blank or unreadable."""
    if cols.close is None or is_missing(row.cells[cols.close]):
        return None
    try:
        return parse_date(row.cells[cols.close])
    except ValueError:
        return None
