"""``accounts: {from_csv: FILE}``: a segment's starting book read from a customer list.

The file is read when the scenario loads (before validation), with the same forgiving
column match as ``cssim analyze``; its path is relative to the scenario file that names
it. Active rows become the segment's account list (id, ARR, renewal date, stage,
contract start); churned rows are left out, and rows that cannot be used are counted in
a warning, never dropped silently.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError

from simulator.data.customers import Customer, CustomerList, read_customers
from simulator.data.values import text_key
from simulator.errors import DataError, Hint, Hinted, Issue, Location, ScenarioError, format_path
from simulator.errors import Path as ErrPath
from simulator.scenario.model import Stage
from simulator.scenario.model.accounts import AccountsFile
from simulator.scenario.overrides import override_text
from simulator.scenario.yamlsource import SourceMap

__all__ = ["resolve_account_files"]

_STAGES = set(get_args(Stage))


def resolve_account_files(
    data: dict[str, Any], src: SourceMap, read: list[str] | None = None
) -> list[Issue]:
    """Replace every ``accounts: {from_csv: ...}`` in ``data`` by the accounts it names.

    The path of every file read is appended to ``read`` when given.

    Returns
    -------
    list of Issue
        Warnings about rows left out or values not used.

    Raises
    ------
    ScenarioError
        When a file cannot be read, has no usable column for id or ARR, or yields no
        active account.
    """
    warnings: list[Issue] = []
    segments = data.get("segments")
    if not isinstance(segments, dict):
        return warnings
    for name, seg in segments.items():
        spec = seg.get("accounts") if isinstance(seg, dict) else None
        if not (isinstance(spec, dict) and isinstance(spec.get("from_csv"), str)):
            continue
        if not _valid_spec(spec):
            continue  # field validation reports the unknown key or the wrong type
        where = ("segments", name, "accounts", "from_csv")
        loc = src.locate(where)
        # a file named in a scenario file is relative to it; one set by an override, to "."
        base = Path(loc.file).parent if loc is not None and override_text(loc) is None else Path()
        path = base / spec["from_csv"]
        mapping = {str(k): str(v) for k, v in (spec.get("map") or {}).items()}
        if read is not None:
            read.append(str(path))
        try:
            book = read_customers(path, mapping=mapping or None, dayfirst=spec.get("dayfirst"))
        except DataError as exc:
            raise _as_scenario_keys(exc, where, loc) from None
        plan_currency = str(data.get("currency") or "USD").upper()  # the model's default
        if book.currency and book.currency.upper() != plan_currency:
            raise ScenarioError(
                [
                    Issue(
                        f"{path} holds amounts in {book.currency} but the scenario's currency "
                        f"is {plan_currency}; set 'currency: {book.currency}' in the scenario, "
                        f"or give the list in {plan_currency}",
                        path=where,
                        location=loc,
                    )
                ],
                "reading the account file",
            )
        active = _active_rows(book, spec.get("segment"), path, where[:-1], loc)
        accounts, left = _account_entries(active)
        seg["accounts"] = accounts
        notes = [f"{n} {why}" for why, n in left.items()]
        if book.skipped:
            notes.append(
                f"{len(book.skipped)} rows of the file skipped (see 'cssim analyze {path}')"
            )
        if notes:
            warnings.append(
                Issue(
                    f"{len(accounts)} accounts read from {path}; " + "; ".join(notes),
                    path=where[:-1],
                    location=loc,
                    severity="warning",
                )
            )
    return warnings


def _active_rows(
    book: CustomerList, wanted: str | None, path: Path, where: ErrPath, loc: Location | None
) -> list[Customer]:
    """The active customers of ``book`` in segment ``wanted`` (all when None); never empty."""
    rows = [
        c
        for c in book.customers
        if wanted is None or (c.segment is not None and text_key(c.segment) == text_key(wanted))
    ]
    active = [c for c in rows if not c.churned]
    if active:
        return active
    segs = sorted({c.segment for c in book.customers if c.segment})
    hint = f"; segments in the file: {', '.join(segs)}" if wanted is not None and segs else ""
    raise ScenarioError(
        [
            Issue(
                f"{path} has no active account"
                + (f" with segment {wanted!r}" if wanted is not None else "")
                + hint,
                path=where,
                location=loc,
            )
        ],
        "reading the account file",
    )


def _account_entries(active: list[Customer]) -> tuple[list[dict[str, Any]], Counter[str]]:
    """Scenario account entries of the customers, and why others were left out (counts)."""
    out = []
    left: Counter[str] = Counter()
    for c in active:
        if not c.arr or c.arr <= 0:
            left["ARR of zero"] += 1
            continue
        stage = c.stage if c.stage in _STAGES else None
        if c.stage and stage is None:
            left[
                f"stage {c.stage!r} not one of {', '.join(sorted(_STAGES))} (placed by renewal date)"
            ] += 1
        entry: dict[str, Any] = {"id": str(c.id), "arr": float(c.arr)}
        if c.renewal_date is not None:
            entry["renewal_date"] = c.renewal_date.isoformat()
        if stage is not None:
            entry["stage"] = stage
        if c.contract_start is not None:
            entry["contract_start"] = c.contract_start.isoformat()
        out.append(entry)
    return out, left


def _valid_spec(spec: dict[str, Any]) -> bool:
    """Whether the entry's keys and types are right (checked as field validation checks
    them: ``dayfirst: 'false'`` is a string, not a boolean), so the file is read only
    with options that mean what they say."""
    try:
        AccountsFile.model_validate_json(json.dumps(spec, allow_nan=True), strict=True)
    except (ValidationError, TypeError, ValueError):
        return False
    return True


def _as_scenario_keys(exc: DataError, where: ErrPath, loc: Location | None) -> DataError:
    """The reader's error at the scenario line that names the file (``where``, ``loc``),
    with its fixes written as keys of the scenario's accounts entry.

    The reader names its Python parameters (``mapping={'arr': 'COLUMN'}``); a scenario
    sets them as ``map: {arr: COLUMN}`` beside ``from_csv``.
    """
    at = format_path(where[:-1])

    def key(hint: Hint) -> str:
        if hint.param == "mapping" and isinstance(hint.value, dict):
            pairs = ", ".join(
                f"{k}: {v!r}" if " " in str(v) else f"{k}: {v}" for k, v in hint.value.items()
            )
            return f"map: {{{pairs}}} under {at}"
        if hint.param == "dayfirst":
            return f"dayfirst: {'true' if hint.value in (None, True) else 'false'} under {at}"
        return hint.render()

    def message(text: str) -> str:
        if not isinstance(text, Hinted):
            return text
        return "".join(key(p) if isinstance(p, Hint) else p for p in text.parts)

    issues = [
        Issue(
            Issue(message(i.message), i.path, i.location, i.value).render(),
            where,
            loc,
            severity=i.severity,
        )
        for i in exc.issues
    ]
    return DataError(issues, exc.what)
