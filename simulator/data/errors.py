"""Errors and row-level problems found while reading a customer list or timesheet.

A :class:`DataError` is a :class:`~simulator.scenario.errors.ScenarioError`, so the CLI
prints it as a short message and exits with code 2 (no traceback). Its issues render
as ``customers.csv:14 column "ARR": problem; how to fix it``.

A :class:`RowIssue` is a data row that was *skipped* (not fatal): the readers collect
them so that a report can say how many rows were dropped and why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from simulator.scenario.errors import Issue, Location, ScenarioError

__all__ = [
    "DataError",
    "DataLocation",
    "RowIssue",
    "cell_text",
    "count_by_reason",
    "data_issue",
]


@dataclass(frozen=True)
class DataLocation(Location):
    """A place in a data file: ``file`` or ``file:line`` (no column number).

    Spreadsheet columns are named by their header in the message instead.
    """

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


def data_issue(
    message: str, file: str, line: int | None = None, column: str | None = None
) -> Issue:
    """An :class:`Issue` rendering as ``file:line column "Header": message``.

    Parameters
    ----------
    message
        What is wrong and how to fix it.
    file
        The file name as the user gave it.
    line
        1-based line of a CSV file or row of a spreadsheet; None for the whole file.
    column
        The header of the column concerned, if any.
    """
    path: tuple[str, ...] = (f'column "{column}"',) if column else ()
    return Issue(message, path=path, location=DataLocation(file, line))


class DataError(ScenarioError):
    """A data file that cannot be used at all (missing, unreadable, no usable columns).

    Parameters
    ----------
    issues
        Every problem found; each names the file and, where known, line and column.
    what
        What was being read, e.g. ``"the customer list"``.
    """

    def __init__(self, issues: list[Issue], what: str = "the data file") -> None:
        self.what = what
        super().__init__(issues, f"reading {what}")

    def render(self) -> str:
        """One line for one problem, else a header line and one line per problem."""
        if len(self.issues) == 1:
            return f"cannot read {self.what}: {self.issues[0].render()}"
        n = len(self.issues)
        head = f"cannot read {self.what} ({n} problems):"
        return head + "\n" + "\n".join("  " + i.render() for i in self.issues)


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
