"""Which column of a file serves which field: alias matching with ``--map`` overrides.

Column headers are matched to fields by a forgiving rule:

1. the header is *normalised* (:func:`~simulator.data.headers.normalise_header`):
   ``ARR (USD)`` -> ``arr``, ``Customer_ID`` -> ``customer id``;
2. a header equal to one of a field's aliases (:mod:`simulator.data.fields`) is an
   *exact* match; earlier aliases win over later ones;
3. otherwise a header containing all the words of an alias is a *guess*
   (``Current ARR 2024`` -> ARR); longer aliases win; headers naming a person, a score,
   a forecast and the like (``Account Owner``, ``Churn Risk``) are never guessed, and a
   guessed amount, date or hours column must hold mostly amounts, dates or hours;
   guesses are reported;
4. each column serves at most one field; ties go to the field listed first, and are
   reported as warnings;
5. ``--map field=column`` overrides all of this (``--map stage=`` ignores a field).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from simulator.data.blanks import is_missing
from simulator.data.dates import parse_date
from simulator.data.durations import parse_hours
from simulator.data.fields import FieldSpec
from simulator.data.headers import is_number_like, normalise_header
from simulator.data.mapping import apply_mapping, column_listing, map_hint
from simulator.data.values import parse_money
from simulator.errors import DataError, data_issue, hinted

__all__ = ["ColumnMatch", "match_columns"]

# header words that rule out a *guessed* (word-containment) match
_NEVER_GUESS = {
    "owner",
    "manager",
    "rep",
    "email",
    "phone",
    "note",
    "notes",
    "comment",
    "comments",
    "url",
    "link",
    "health",
    "score",
    "nps",
    "reason",
    "risk",
    "probability",
    "likelihood",
    "forecast",
    "expected",
    "projected",
    "planned",
    "target",
    "count",
    "region",
    "country",
    "industry",
    "address",
    "by",
}


@dataclass
class ColumnMatch:
    """Which column serves which field.

    Attributes
    ----------
    columns
        Field name -> 0-based column index.
    headers
        Field name -> the column's header as written in the file.
    how
        Field name -> ``"exact"`` (header is an alias), ``"guess"`` (header contains an
        alias's words), ``"--map"`` (chosen by the user) or ``"name"`` (ID taken from
        the name column).
    warnings
        Ambiguities resolved by preference, for the report.
    """

    columns: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def get(self, name: str) -> int | None:
        """Column index of a field, or None."""
        return self.columns.get(name)


def _score(header_norm: str, spec: FieldSpec) -> tuple[int, str, str] | None:
    """(score, kind, alias) of the best alias of ``spec`` for a header, or None."""
    if not header_norm:
        return None
    for i, alias in enumerate(spec.aliases):
        if header_norm == alias:
            return 10_000 - i, "exact", alias
    words = header_norm.split()
    if set(words) & _NEVER_GUESS:
        return None
    best: tuple[int, str, str] | None = None
    for alias in spec.aliases:
        tokens = alias.split()
        if all(t in words for t in tokens):
            # more alias words, and fewer extra header words, make a better guess
            score = 100 * len(tokens) - (len(words) - len(tokens))
            if best is None or score > best[0]:
                best = (score, "guess", alias)
    return best


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "money": parse_money,
    "date": parse_date,
    "hours": parse_hours,
}


def _values_fit(kind: str, values: Sequence[Any]) -> bool:
    """Whether most non-blank values (of the first 50) parse as ``kind``."""
    parse = _PARSERS.get(kind)
    if parse is None:
        return True
    present = [v for v in values if not is_missing(v)][:50]
    if not present:
        return True
    ok = 0
    for v in present:
        try:
            parse(v)
        except ValueError:
            continue
        ok += 1
    return ok * 2 >= len(present)


class _Candidate(NamedTuple):
    """A column that could serve a field; sorts best first (score, then field order)."""

    neg_score: int
    field_index: int
    col: int
    name: str
    how: str
    alias: str


def match_columns(
    header: Sequence[str],
    fields: Sequence[FieldSpec],
    mapping: Mapping[str, str] | None = None,
    *,
    file: str,
    line: int | None = None,
    required: Sequence[tuple[str, ...]] = (),
    what: str = "the data file",
    samples: Sequence[Sequence[Any]] | None = None,
) -> ColumnMatch:
    """Assign columns to fields by alias, with ``--map`` overrides.

    Parameters
    ----------
    header
        The header cells as written.
    fields
        The fields to look for, in order of preference.
    mapping
        Field name -> header (``{"arr": "Yearly Fee"}``); an empty header ignores the
        field. Field names are case-insensitive; headers match exactly, then ignoring
        case, then after normalisation.
    file, line
        Where the header is, for messages.
    required
        Groups of alternative fields of which one must be found, e.g.
        ``[("id", "name"), ("arr", "mrr")]``; a field marked ``required`` that is in
        no group forms its own group.
    what
        What the file is, for messages.
    samples
        Each column's values (by column index); when given, a column is *guessed* for a
        money, date or hours field only if most of its non-blank values parse as such.

    Returns
    -------
    ColumnMatch

    Raises
    ------
    DataError
        Unknown field names or columns in ``mapping``, or a required field missing.
    """
    header = ["" if h is None else str(h) for h in header]
    specs = {f.name: f for f in fields}
    fits = bool(_candidates(header, fields, ColumnMatch(), set(), samples))
    chosen, disabled = apply_mapping(header, specs, mapping or {}, file, line, what, fits)
    match = ColumnMatch()
    for name, col in chosen.items():
        match.columns[name], match.headers[name], match.how[name] = col, header[col], "--map"
    candidates = _candidates(header, fields, match, disabled, samples)
    best_score = _assign(match, candidates, header, specs)
    _warn_rivals(match, candidates, best_score, header, specs)
    _check_required(match, header, fields, required, disabled, file, line, what)
    _order_by_field(match, fields)
    return match


def _candidates(
    header: Sequence[str],
    fields: Sequence[FieldSpec],
    match: ColumnMatch,
    disabled: set[str],
    samples: Sequence[Sequence[Any]] | None,
) -> list[_Candidate]:
    """Every (field, free column) pair whose header fits the field, best first."""
    taken = set(match.columns.values())
    candidates: list[_Candidate] = []
    for index, spec in enumerate(fields):
        if spec.name in match.columns or spec.name in disabled:
            continue
        for col, h in enumerate(header):
            if col in taken:
                continue
            scored = _score(normalise_header(h), spec)
            if not scored:
                continue
            score, how, alias = scored
            if (
                how == "guess"
                and samples is not None
                and col < len(samples)
                and not _values_fit(spec.kind, samples[col])
            ):
                continue
            candidates.append(_Candidate(-score, index, col, spec.name, how, alias))
    candidates.sort()
    return candidates


def _assign(
    match: ColumnMatch,
    candidates: Sequence[_Candidate],
    header: Sequence[str],
    specs: Mapping[str, FieldSpec],
) -> dict[str, int]:
    """Give each field its best free column (warning on guesses); field -> score used."""
    taken = set(match.columns.values())
    best_score: dict[str, int] = {}
    for c in candidates:
        if c.name in match.columns or c.col in taken:
            continue
        match.columns[c.name], match.headers[c.name], match.how[c.name] = (
            c.col,
            header[c.col],
            c.how,
        )
        best_score[c.name] = -c.neg_score
        taken.add(c.col)
        if c.how == "guess":
            match.warnings.append(
                hinted(
                    f"column {header[c.col]!r} is read as {specs[c.name].label} (its name "
                    f"contains {c.alias!r}); if that is wrong, choose with ",
                    map_hint(c.name),
                )
            )
    return best_score


def _warn_rivals(
    match: ColumnMatch,
    candidates: Sequence[_Candidate],
    best_score: Mapping[str, int],
    header: Sequence[str],
    specs: Mapping[str, FieldSpec],
) -> None:
    """Warn about unused columns that looked just as good for a field as the one used."""
    used = set(match.columns.values())
    for name, score in best_score.items():
        rivals = [
            header[c.col]
            for c in candidates
            if c.name == name and -c.neg_score == score and c.col not in used
        ]
        if rivals:
            chosen = match.headers[name]
            others = ", ".join(repr(r) for r in rivals)
            match.warnings.append(
                hinted(
                    f"{others} could also be the {specs[name].label} column; using {chosen!r} "
                    "(choose with ",
                    map_hint(name),
                    ")",
                )
            )


def _order_by_field(match: ColumnMatch, fields: Sequence[FieldSpec]) -> None:
    """Put the matched fields in the order of ``fields``."""
    ordered = [f.name for f in fields if f.name in match.columns]
    match.columns = {n: match.columns[n] for n in ordered}
    match.headers = {n: match.headers[n] for n in ordered}
    match.how = {n: match.how[n] for n in ordered}


def _check_required(
    match: ColumnMatch,
    header: Sequence[str],
    fields: Sequence[FieldSpec],
    required: Sequence[tuple[str, ...]],
    disabled: set[str],
    file: str,
    line: int | None,
    what: str,
) -> None:
    """Raise :class:`DataError` naming each required field (or group) with no column."""
    specs = {f.name: f for f in fields}
    groups = [tuple(g) for g in required]
    grouped = {n for g in groups for n in g}
    groups += [(f.name,) for f in fields if f.required and f.name not in grouped]
    issues = []
    # the header cells are quoted only when the table partly fits, or when every cell
    # reads like a column name: a row that names no known column may be any text (a
    # config file, a JSON secret) and is not repeated
    fits = bool(match.columns) or header_like(header)
    for group in groups:
        if any(n in match.columns for n in group):
            continue
        first = specs[group[0]]
        alt = " or ".join(specs[n].label for n in group[1:])
        label = first.label + (f" (or {alt})" if alt else "")
        hint = _closest_header(header, [a for n in group for a in specs[n].aliases])
        text: str  # plain, or Hinted when it names the --map fix
        if first.name in disabled:
            text = hinted(f"{label} is required; ", map_hint(first.name, ""), " cannot ignore it")
        elif fits:
            text = f"no column for {label}; {column_listing(header)}"
        else:
            text = f"no column for {label}; {_unknown_header(header)}"
        text += hinted("; map one with ", map_hint(first.name))
        if hint and fits:
            text += hinted(" (perhaps ", map_hint(first.name, hint, repr(hint)), ")")
        issues.append(data_issue(text, file, line))
    if issues and _looks_like_data(header):
        issues.append(
            data_issue(
                "this row holds numbers or dates, so the file may have no header row; add a "
                "first row naming the columns",
                file,
                line,
            )
        )
    if issues:
        raise DataError(issues, what)


_HEADER_CELL = re.compile(r"[^\W\d_][\w .,()#%&'+-]{0,39}")
"""A cell that reads like a column name: a letter first, then at most 39 letters, digits,
spaces or ``.,()#%&'+-_``; no slash, colon, quote, brace or equals sign, so a path, a
``key: value`` line or JSON never passes."""


def header_like(header: Sequence[str]) -> bool:
    """Whether every non-empty cell of a first row reads like a column name (``Ref``,
    ``Yearly Fee (USD)``), so listing the row quotes nothing but names."""
    cells = [h.strip() for h in header if h.strip()]
    return bool(cells) and all(_HEADER_CELL.fullmatch(c) for c in cells)


def _unknown_header(header: Sequence[str]) -> str:
    """What to say of a first row that names no known column, without quoting it."""
    cells = sum(1 for h in header if h.strip())
    if not cells:
        return "the header row is empty"
    return (
        f"the first row names none of the known columns ({cells} "
        f"{'cell' if cells == 1 else 'cells'}, not shown, as the file may not be a table)"
    )


def _looks_like_data(header: Sequence[str]) -> bool:
    """True when a would-be header row holds an amount or a date (a data row?)."""
    return any(is_number_like(cell) for cell in header)


def _closest_header(header: Sequence[str], aliases: Sequence[str]) -> str | None:
    """The header most like one of ``aliases`` (similarity 0.75 or more), for a hint."""
    best, best_ratio = None, 0.0
    for h in header:
        norm = normalise_header(h)
        if not norm:
            continue
        for alias in aliases:
            ratio = difflib.SequenceMatcher(None, norm, alias).ratio()
            if ratio > best_ratio:
                best, best_ratio = h, ratio
    return best if best_ratio >= 0.75 else None
