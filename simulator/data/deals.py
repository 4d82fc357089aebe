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
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.data.common import line_list, plural
from simulator.data.errors import RowIssue, cell_text
from simulator.data.headers import normalise_header
from simulator.data.stripe import ExportLayout
from simulator.data.table import RawTable
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
    rebuilt = RawTable(
        path=table.path,
        header=table.header,
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
    name = "hubspot deals" if hubspot else "salesforce opportunities"
    return ExportLayout(name, rebuilt, [note], skipped, mapping)
