"""The table layout model of every pack: sheets of titled tables and the charts drawn from them.

A pack is a list of :class:`Sheet` s, each a column of titled :class:`Block` tables and
the :class:`Chart` s drawn from them. The model holds values and their number formats
only; :mod:`simulator.report.xlsx` renders it as a workbook and
:mod:`simulator.report.html` as a web page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.report.formatting import number_format_of

__all__ = ["Block", "Chart", "Col", "MultiCol", "Sheet"]


@dataclass
class Col:
    """A column: the row key, its header and number format.

    Formats: ``text``, ``id`` (a whole number without separators: a seed), ``int``,
    ``num0``..``num3`` (decimals), ``pct`` (a fraction shown as 93.4%), ``pp`` (a
    difference of fractions in percentage points), ``money``. An integer value in a
    ``num`` column is shown as ``int``
    (:func:`~simulator.report.formatting.number_format_of`): ``12``, not ``12.000``.
    """

    key: str
    header: str
    fmt: str = "text"
    width: float | None = None

    def cell(self, row: dict[str, Any]) -> tuple[Any, str]:
        """This column's value in ``row`` and the format to show it in."""
        value = row.get(self.key)
        return value, number_format_of(value, self.fmt)


class MultiCol(Col):
    """A column whose format varies by row: the row holds ``KEY_FORMAT``."""

    def __init__(self, key: str, header: str, formats: list[str]) -> None:
        super().__init__(key, header, "multi", 14)
        self.formats = formats

    def cell(self, row: dict[str, Any]) -> tuple[Any, str]:
        """The value under ``KEY_FORMAT`` for the first of the formats the row has."""
        fmt = next((f for f in self.formats if f"{self.key}_{f}" in row), "num2")
        value = row.get(f"{self.key}_{fmt}")
        return value, number_format_of(value, fmt)


@dataclass
class Block:
    """A titled table."""

    title: str
    columns: list[Col]
    rows: list[dict[str, Any]]
    note: str = ""
    name: str = ""
    """Identifier for charts that draw from this block."""


@dataclass
class Chart:
    """A native Excel chart of one block: categories from one column, series from others."""

    kind: str
    """``column`` or ``line``."""
    title: str
    block: str
    categories: str
    values: list[str]
    y_title: str
    x_title: str = ""
    y_format: str = "num0"
    series_by: str | None = None
    """Split rows into one series per value of this column (long tables)."""


@dataclass
class Sheet:
    """A worksheet: intro lines, then blocks one under the other, charts to the right."""

    name: str
    blocks: list[Block]
    intro: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    freeze: bool = False
    """Freeze and filter the header of a single-block sheet."""
