"""Helpers shared by the customer-list and timesheet readers."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from simulator.data.columns import ColumnMatch, match_columns
from simulator.data.dates import ambiguous_dates, infer_dayfirst
from simulator.data.errors import RowIssue, cell_text, count_by_reason
from simulator.data.fields import FieldSpec
from simulator.data.table import RawTable
from simulator.data.values import decimal_votes
from simulator.errors import DataError, Hint, data_issue, hinted, names

__all__ = [
    "Notes",
    "cell",
    "date_orders",
    "decimal_comma_for",
    "line_list",
    "plural",
    "render_report",
    "require_rows",
    "text_or_none",
]

_SHOWN = 5


def line_list(lines: Sequence[int], limit: int = 10) -> str:
    """``"line 4"``, ``"lines 4, 9, 12"`` or ``"lines 4, 9, ... and 30 more"``."""
    shown = ", ".join(str(n) for n in lines[:limit])
    more = f" and {len(lines) - limit} more" if len(lines) > limit else ""
    return ("line " if len(lines) == 1 else "lines ") + shown + more


def plural(n: int, word: str, many: str | None = None) -> str:
    """``"1 row"``, ``"3 rows"`` (``many`` for irregular plurals)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


@dataclass
class Notes:
    """Warnings for a report: per-cell problems grouped by column, and general notes.

    Per-cell problems show the first few occurrences one per line
    (``customers.csv:14 column "Renewal Date": 'TBD' is not a date; left blank``) and then
    one line counting the rest, so a file with thousands of bad cells gives a short
    report that still accounts for every row.
    """

    path: str
    general: list[str] = field(default_factory=list)
    cells: dict[tuple[str, str], list[tuple[int, str]]] = field(default_factory=dict)

    def add(self, text: str) -> None:
        """A note about the whole file."""
        if text not in self.general:
            self.general.append(text)

    def cell(self, column: str, kind: str, line: int, message: str) -> None:
        """A problem with one cell; ``kind`` groups problems of the same sort."""
        self.cells.setdefault((column, kind), []).append((line, message))

    def render(self) -> list[str]:
        """All warnings, general notes first."""
        out = list(self.general)
        for (column, kind), items in self.cells.items():
            for line, message in items[:_SHOWN]:
                out.append(f'{self.path}:{line} column "{column}": {message}')
            if len(items) > _SHOWN:
                rest = [line for line, _ in items[_SHOWN:]]
                out.append(
                    f'{self.path} column "{column}": {plural(len(rest), "more row")} with '
                    f"{kind} ({line_list(rest)})"
                )
        return out


def date_orders(
    table: RawTable,
    columns: Mapping[str, int],
    headers: Mapping[str, str],
    date_fields: Sequence[str],
    dayfirst: bool | None,
    notes: Notes,
) -> tuple[dict[str, bool | None], bool | None]:
    """Day/month order for each date column, and the order used for ambiguous dates.

    Parameters
    ----------
    table
        The file's rows.
    columns, headers
        Field -> column index and header.
    date_fields
        The date fields present to consider.
    dayfirst
        The user's choice (``--dayfirst``), or None to infer: each column from its own
        unambiguous values, else from the file's other date columns, else month first
        (with a warning when some dates really are ambiguous).
    notes
        Receives the warnings.

    Returns
    -------
    (dict, bool or None)
        Field -> dayfirst argument for :func:`parse_date`; and the order applied to
        ambiguous dates (None when no date was ambiguous).
    """
    present = [f for f in date_fields if f in columns]
    values = {f: table.column(columns[f]) for f in present}
    ambiguous = {f: ambiguous_dates(values[f]) for f in present}
    any_ambiguous = any(ambiguous.values())
    if dayfirst is not None:
        return dict.fromkeys(present, dayfirst), (dayfirst if any_ambiguous else None)
    own = {f: infer_dayfirst(values[f]) for f in present}
    decided = {v for v in own.values() if v is not None}
    if len(decided) > 1:
        firsts = [headers[f] for f in present if own[f]]
        lasts = [headers[f] for f in present if own[f] is False]
        notes.add(
            f"date columns disagree: {', '.join(map(repr, firsts))} write the day first but "
            f"{', '.join(map(repr, lasts))} the month first; each column is read its own way"
        )
    overall = infer_dayfirst([v for f in present for v in values[f]])
    orders: dict[str, bool | None] = {}
    used: set[bool] = set()
    for f in present:
        order = own[f] if own[f] is not None else overall
        orders[f] = order
        if ambiguous[f]:
            if order is None:
                notes.add(
                    hinted(
                        f'column "{headers[f]}": dates such as {ambiguous[f][0]!r} could be '
                        "month/day or day/month and nothing in the file settles it; read them "
                        "as month/day (US); pass ",
                        Hint("dayfirst", True),
                        " if the day comes first",
                    )
                )
            used.add(bool(order))
    return orders, (used.pop() if len(used) == 1 else None)


def decimal_comma_for(
    table: RawTable,
    columns: Mapping[str, int],
    money_fields: Sequence[str],
    choice: bool | None,
    notes: Notes | None = None,
) -> bool:
    """Whether amounts use a decimal comma: the user's choice, else inferred.

    Inferred from the money columns' unambiguous values; when none settles it, a
    semicolon-separated file (the usual export in decimal-comma locales) counts as
    decimal comma. Then, when amounts that read either way (``12.000``: twelve or twelve
    thousand) were read as decimals, a note in ``notes`` says so.
    """
    if choice is not None:
        return choice
    values: list[Any] = []
    for f in money_fields:
        if f in columns:
            values.extend(table.column(columns[f]))
    comma, point = decimal_votes(values)
    if comma != point:
        return comma > point
    chosen = comma == 0 and table.delimiter == ";"
    # read as decimals, 12.000 is 12: a thousandth of what a thousands separator means
    # (the other reading, 1,500 as 1500, is the usual one for such amounts: not noted)
    decimal = "," if chosen else "."
    unsure = [
        v
        for v in dict.fromkeys(str(x).strip() for x in values)
        if (m := _AMBIGUOUS.search(v)) and decimal in m.group()
    ]
    if notes is not None and unsure:
        mark = "comma" if chosen else "dot"
        notes.add(
            f"amounts such as {', '.join(repr(v) for v in unsure[:3])} could be read two "
            "ways (12.000: twelve, or twelve thousand) and no amount in the file settles "
            f"which: they were read with the {mark} as the decimal mark; if it separates "
            "thousands instead, write at least one amount with its decimals (12.000,00) "
            "or write the amounts without separators"
        )
    return chosen


_AMBIGUOUS = re.compile(r"(?<![\d.,])\d{1,3}[.,]\d{3}(?![\d.,])")
"""An amount with one separator and three digits after it: ``12.000``, ``1,500``."""


def render_report(
    head: str,
    blank_rows: int,
    columns: Mapping[str, str],
    skipped: Sequence[RowIssue],
    warnings: Sequence[str],
) -> str:
    """The plain-text account shared by customer lists and timesheets."""
    if blank_rows:
        head += f" ({plural(blank_rows, 'blank row')} ignored)"
    lines = [head, "columns: " + ", ".join(f"{k} = {v!r}" for k, v in columns.items())]
    if skipped:
        lines.append(f"skipped {plural(len(skipped), 'row')}:")
        for reason, n in count_by_reason(skipped).items():
            at = [i.line for i in skipped if i.reason == reason]
            lines.append(f"  {n} {reason} ({line_list(at)})")
    if warnings:
        lines.append("warnings:")
        lines.extend("  " + w for w in warnings)
    return "\n".join(lines)


def require_rows(
    table: RawTable, kept: int, skipped: Sequence[RowIssue], what: str, noun: str
) -> None:
    """Raise :class:`DataError` when a file yields nothing usable.

    Parameters
    ----------
    table
        The file's table.
    kept
        Number of records kept.
    skipped
        Every skipped row (title rows included).
    what, noun
        ``"the customer list"``, ``"customer"``: for the message.
    """
    if kept:
        return
    data_skips = [
        i for i in skipped if i.reason not in ("above the header row", "repeated header row")
    ]
    if not table.rows and not data_skips:
        raise DataError(
            [
                data_issue(
                    f"there are no data rows below the header on line {table.header_line}; "
                    "export the data again",
                    table.path,
                    table.header_line,
                )
            ],
            what,
        )
    data_skips = [i for i in skipped if i.reason != "above the header row"]
    reasons = "; ".join(
        f"{n} {reason} ({line_list([i.line for i in data_skips if i.reason == reason])})"
        for reason, n in count_by_reason(data_skips).items()
    )
    raise DataError(
        [
            data_issue(
                hinted(
                    f"none of the {plural(len(data_skips), 'row')} below the header gives a "
                    f"usable {noun}: {reasons}; check that the right columns were used "
                    "(choose others with ",
                    Hint("mapping", {"FIELD": "COLUMN"}, "FIELD=COLUMN"),
                    ")",
                ),
                table.path,
            )
        ],
        what,
    )


def cell(row_cells: Sequence[Any], index: int | None) -> Any:
    """The cell at ``index``, or None when the column is absent."""
    return None if index is None else row_cells[index]


def text_or_none(value: Any) -> str | None:
    """Stripped text, or None for a blank cell."""
    text = cell_text(value)
    return text or None


def match_table(
    table: RawTable,
    fields: Sequence[FieldSpec],
    mapping: Mapping[str, str] | None,
    what: str,
    required: Sequence[tuple[str, ...]] | None = None,
) -> ColumnMatch:
    """Match a table's header to ``fields`` (see :func:`match_columns`); when nothing
    fits in a workbook with other sheets, the error also names them (``sheet=``)."""
    try:
        return match_columns(
            table.header,
            fields,
            mapping,
            file=table.path,
            line=table.header_line,
            what=what,
            required=required or (),
            samples=[table.column(i) for i in range(len(table.header))],
        )
    except DataError as exc:
        exc.issues += [data_issue(w, table.path) for w in table.warnings if names(w, "sheet")]
        raise
