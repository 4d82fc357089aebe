"""HubSpot deal exports read as a customer list: only closed-won deals are customers.

A HubSpot deals export (``Record ID, Deal Name, Pipeline, Deal Stage, Amount, Close
Date, Create Date, Deal owner, Deal Type, Associated Company, Associated Company IDs``)
is recognised from its ``Deal Stage`` column beside ``Deal Name`` or ``Pipeline``. Its
rows are deals, not customers: closed-lost and open deals are left out and counted by
why; the associated company is the customer (its ID column when the export has one).
When a stage is neither won, lost nor one of HubSpot's default open stages (a custom
pipeline's ``Signed``...), which deals are customers is ambiguous and the file is
refused, unless it has HubSpot's ``Is Closed Won`` column, which settles it.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.data.common import line_list, plural
from simulator.data.errors import RowIssue, cell_text
from simulator.data.headers import normalise_header
from simulator.data.stripe import ExportLayout
from simulator.data.table import RawTable
from simulator.errors import DataError, data_issue

__all__ = ["hubspot_deals_layout"]

_OPEN = {
    "appointment scheduled",
    "qualified to buy",
    "presentation scheduled",
    "decision maker bought in",
    "contract sent",
}
_YES = {"true", "yes", "1"}
_NO = {"false", "no", "0", ""}


def _stage_kind(stage: str) -> str | None:
    """``won``, ``lost``, ``open`` (a default open stage), or None (unknown)."""
    words = " ".join(normalise_header(stage).split())
    if words in ("closed won", "won") or words.startswith("closed won"):
        return "won"
    if words in ("closed lost", "lost") or words.startswith("closed lost"):
        return "lost"
    return "open" if words in _OPEN else None


def _column(norm: Sequence[str], *names: str) -> int | None:
    """The first column whose normalised header is one of ``names``."""
    for name in names:
        if name in norm:
            return norm.index(name)
    return None


def hubspot_deals_layout(table: RawTable, what: str) -> ExportLayout | None:
    """The closed-won deals as a customer list, when the table is a HubSpot deal export.

    Raises
    ------
    DataError
        When the stages do not say which deals were won (see the module docstring).
    """
    norm = [normalise_header(h) for h in table.header]
    stage_col = _column(norm, "deal stage")
    if stage_col is None or not ({"deal name", "pipeline"} & set(norm)):
        return None
    won_col = _column(norm, "is closed won")
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
        kind = _stage_kind(stage)
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
                    "Closed Lost nor one of HubSpot's open stages, so which deals are "
                    "customers is ambiguous; export only the closed-won deals, or add the "
                    "'Is Closed Won' property to the export",
                    table.path,
                    next(iter(unknown.values()))[0],
                )
            ],
            what,
        )
    rows, skipped = [], []
    left: dict[str, list[int]] = {"lost": [], "open": []}
    for row in table.rows:
        kind = kinds[row.line]
        if kind == "won":
            rows.append(row)
            continue
        left[kind].append(row.line)
        stage = cell_text(row.cells[stage_col])
        reason = "deal closed lost" if kind == "lost" else "open deal"
        skipped.append(
            RowIssue(row.line, reason, row.text(), f"deal stage {stage!r}: not a customer")
        )
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
    company_id = _column(
        norm, "associated company ids primary", "associated company ids", "associated company id"
    )
    company = _column(norm, "associated company primary", "associated company")
    if company_id is not None:
        mapping["id"] = table.header[company_id]
    if company is not None:
        mapping["name"] = table.header[company]
    gone = sum(len(v) for v in left.values())
    parts = [
        f"{len(left['lost'])} closed lost ({line_list(left['lost'])})" if left["lost"] else "",
        f"{len(left['open'])} still open ({line_list(left['open'])})" if left["open"] else "",
    ]
    note = (
        f"read as a HubSpot deal export (from its column {header!r}): only closed-won deals "
        f"are customers; {plural(gone, 'deal')} left out"
        + (": " + ", ".join(p for p in parts if p) if gone else "")
        + "; the associated company is the customer; a deal's amount is read as its ARR "
        "(map ARR to another column if the deals hold multi-year totals)"
    )
    return ExportLayout("hubspot deals", rebuilt, [note], skipped, mapping)
