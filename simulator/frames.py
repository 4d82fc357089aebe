"""Results as Arrow tables and pandas DataFrames.

Every result that has a ``to_arrow()`` also has a ``to_pandas()`` that converts the same
table (``pyarrow.Table.to_pandas``). pyarrow and pandas are imported on first use only,
so ``import simulator`` and the command line stay cheap (tests/test_imports.py).
Tables are tidy: one row per observation, names (segments, teams, touchpoints,
statuses, kinds) rather than the engine's integer codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["columns_table", "frontier_frame", "frontier_table", "rows_table"]


def columns_table(columns: Mapping[str, Any]) -> pa.Table:
    """An Arrow table from named columns (numpy arrays or lists of equal length)."""
    import pyarrow as pa

    return pa.table({name: pa.array(values) for name, values in columns.items()})


def rows_table(rows: Sequence[Mapping[str, Any]], names: Sequence[str]) -> pa.Table:
    """An Arrow table from row dicts, with columns ``names`` in that order.

    ``names`` fixes the schema's columns even when there is no row (an empty table).
    Values are taken as given: floats stay floats (NaN included), strings stay strings.
    """
    return columns_table({n: [row[n] for row in rows] for n in names}) if rows else _empty(names)


def _empty(names: Sequence[str]) -> pa.Table:
    import pyarrow as pa

    return pa.table({n: pa.array([], type=pa.null()) for n in names})


def frontier_table(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """The headcount frontier (:func:`simulator.analysis.frontier.frontier`) as a table.

    Parameters
    ----------
    rows : sequence of dict
        Frontier rows: ``team``, ``csms``, ``people_cost`` (currency per year) and each
        frontier metric with its ``_low``/``_high`` 95% CI bounds (shares as fractions,
        ARR at risk in currency per year).

    Returns
    -------
    pyarrow.Table
        One row per headcount, the rows' keys as columns in their order.
    """
    names = list(rows[0]) if rows else ["team", "csms", "people_cost"]
    return rows_table(rows, names)


def frontier_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The headcount frontier as a pandas DataFrame (see :func:`frontier_table`)."""
    return frontier_table(rows).to_pandas()
