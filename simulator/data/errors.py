"""Row-level problems found while reading a customer list or timesheet.

The fatal :class:`~simulator.errors.DataError` (a file that cannot be used at all) lives
in :mod:`simulator.errors` with the other error types and is re-exported here.

A :class:`RowIssue` is a data row that was *skipped* (not fatal): the readers collect
them so that a report can say how many rows were dropped and why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from simulator.errors import DataError, DataLocation, data_issue

__all__ = [
    "DataError",
    "DataLocation",
    "RowIssue",
    "cell_text",
    "count_by_reason",
    "data_issue",
    "file_error",
]


@dataclass(frozen=True)
class RowIssue:
    """A data row that was skipped.

    Attributes
    ----------
    line
        1-based line of a CSV file or row number of a spreadsheet.
    reason
        A short reason shared by rows skipped for the same cause, so that reports can
        count them: ``"blank ARR"``, ``"ARR not an amount"``, ``"duplicate ID (identical
        row)"``, ``"repeated header row"``...
    raw
        The row's cells as text, for showing the user.
    detail
        The full explanation for this row, e.g. ``ARR 'abc' in column "ARR" is not an
        amount (not a number)`` or ``duplicate of line 2``.
    """

    line: int
    reason: str
    raw: tuple[str, ...] = ()
    detail: str = ""

    def render(self, file: str = "") -> str:
        """``file:line: detail`` (the reason when there is no detail)."""
        where = f"{file}:{self.line}" if file else f"line {self.line}"
        return f"{where}: {self.detail or self.reason}"


def file_error(file: str, message: str, what: str, line: int | None = None) -> DataError:
    """A :class:`DataError` with one issue about ``file`` (``what``: "the customer list")."""
    return DataError([data_issue(message, file, line)], what)


def count_by_reason(issues: Iterable[RowIssue]) -> dict[str, int]:
    """Number of skipped rows per reason, most common first."""
    return dict(Counter(i.reason for i in issues).most_common())


def cell_text(value: Any) -> str:
    """A cell as the user would see it: ``''`` for blank, integers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
