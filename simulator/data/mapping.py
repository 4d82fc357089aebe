"""The user's column choices: ``--map FIELD=COLUMN`` items parsed and applied to a header.

A mapping names a field (case-insensitive, ``-`` or spaces read as ``_``) and a column
header, matched exactly, then ignoring case, then after normalisation; an empty column
ignores the field. Messages name the fix as a :class:`~simulator.errors.Hint`
(``mapping={...}`` in Python, ``--map`` on the command line).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from simulator.data.fields import FieldSpec
from simulator.data.headers import normalise_header
from simulator.errors import DataError, Hint, Issue, data_issue, did_you_mean, hinted

__all__ = ["apply_mapping", "column_listing", "map_hint", "parse_mapping"]


def _field_key(key: str) -> str:
    """A field name as typed -> its :class:`FieldSpec` name (``Term-Months`` -> ``term_months``)."""
    return re.sub(r"[\s\-]+", "_", key.strip().lower())


def _find_column(value: str, header: Sequence[str]) -> int | None:
    """Index of the column named ``value``: exact, then any case, then normalised."""
    for test in (
        lambda h: h == value,
        lambda h: h.strip().lower() == value.strip().lower(),
        lambda h: normalise_header(h) == normalise_header(value) and normalise_header(h),
    ):
        for i, h in enumerate(header):
            if test(h):
                return i
    return None


def column_listing(header: Sequence[str]) -> str:
    """``columns are: 'ID', 'ARR'`` (the first 25), for messages about a header."""
    names = [h for h in header if h.strip()]
    if not names:
        return "the header row is empty"
    shown = ", ".join(repr(h) for h in names[:25])
    return "columns are: " + shown + (f" and {len(names) - 25} more" if len(names) > 25 else "")


def apply_mapping(
    header: Sequence[str],
    specs: Mapping[str, FieldSpec],
    mapping: Mapping[str, str],
    file: str,
    line: int | None,
    what: str,
    fits: bool = True,
) -> tuple[dict[str, int], set[str]]:
    """The columns chosen with ``--map`` (field -> column index) and the fields it ignores.

    ``fits`` says whether the header names a known column; when it does not, and no
    mapped column is found either, a missing column's message does not list the header
    (the file may not be a table), only a cell close to the column asked for.

    Raises
    ------
    DataError
        A field or column in ``mapping`` that does not exist.
    """
    chosen: dict[str, int] = {}
    issues: list[Issue] = []
    absent: list[tuple[str, str]] = []
    disabled: set[str] = set()
    for key, value in mapping.items():
        name = _field_key(key)
        if name not in specs:
            issues.append(
                data_issue(
                    hinted(
                        map_hint(key, value),
                        f": there is no field {key!r}"
                        f"{did_you_mean(name, specs)}; fields are: {', '.join(specs)}",
                    ),
                    file,
                )
            )
            continue
        if not str(value).strip():
            disabled.add(name)
            continue
        col = _find_column(str(value), header)
        if col is None:
            absent.append((key, str(value)))
            continue
        chosen[name] = col
    quote = fits or bool(chosen)
    for key, value in absent:
        cells = sum(1 for h in header if h.strip())
        # a cell close to what the user typed is still suggested; the whole row only
        # when the table partly fits
        listing = did_you_mean(value, [h for h in header if h]) + (
            f"; {column_listing(header)}"
            if quote
            else f"; the first row names none of the known columns ({cells} "
            f"{'cell' if cells == 1 else 'cells'}, not shown, as the file may not be a table)"
        )
        issues.append(
            data_issue(hinted(map_hint(key, value), f": no column {value!r}{listing}"), file, line)
        )
    if issues:
        raise DataError(issues, what)
    return chosen, disabled


def parse_mapping(items: Iterable[str]) -> dict[str, str]:
    """``["arr=Yearly Fee", "stage="]`` -> ``{"arr": "Yearly Fee", "stage": ""}``.

    Raises
    ------
    DataError
        For an item without ``=``.
    """
    out: dict[str, str] = {}
    issues = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            issues.append(
                data_issue(
                    hinted(
                        "expected FIELD=COLUMN, e.g. ",
                        map_hint("arr", "Contract Value", "'Contract Value'"),
                        f" (got {item!r})",
                    ),
                    "the column mapping",
                )
            )
            continue
        out[key.strip()] = value.strip()
    if issues:
        raise DataError(issues, "the column mapping")
    return out


def map_hint(name: str, column: str = "COLUMN", text: str | None = None) -> Hint:
    """The fix ``mapping={name: column}`` (``--map name=column`` on the command line)."""
    return Hint("mapping", {name: column}, f"{name}={column if text is None else text}")
