"""Structure and value validation: pydantic errors turned into located, readable issues.

Each pydantic error becomes an :class:`~simulator.errors.Issue` at the file position of
the value (or key) it concerns, with a message in the scenario's own terms: the bound
and its unit, the allowed options with a "did you mean", the shape a field expects, or
the field a lost indent turned into an entry name.
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Callable
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from simulator.errors import Issue, Path, ScenarioError, did_you_mean, suggestion
from simulator.scenario.datapath import has_item
from simulator.scenario.model import Scenario
from simulator.scenario.overrides import locate_issue, override_text, override_within
from simulator.scenario.yamlsource import SourceMap

__all__ = ["model_at", "validate_scenario"]


def validate_scenario(data: dict[str, Any], src: SourceMap) -> Scenario:
    """Validate ``data`` as a scenario; every problem located through ``src``.

    Raises
    ------
    ScenarioError
        With one issue per distinct problem, in file order.
    """
    try:
        # strict JSON-mode validation: no true-as-1 or "20"-as-20 coercion, while ISO
        # date strings are still dates (the data is plain JSON-like values by now)
        return Scenario.model_validate_json(json.dumps(data, allow_nan=True), strict=True)
    except ValidationError as exc:
        issues = [_to_issue(err, data, src) for err in exc.errors(include_url=False)]
        seen: set[str] = set()
        unique = []
        for issue in issues:
            key = issue.render()
            if key not in seen:
                seen.add(key)
                unique.append(issue)
        unique.sort(key=lambda i: (i.location.line or 0) if i.location else 0)
        raise ScenarioError(unique, "validating fields") from None


def _data_path(loc: tuple[str | int, ...], data: Any, keep_last: bool = False) -> Path:
    """Keep the loc elements that exist in ``data``, dropping union tags.

    With ``keep_last`` the last element is kept even when absent: it names a missing field.
    """
    out: list[str | int] = []
    node = data
    for i, el in enumerate(loc):
        if has_item(node, el):
            out.append(el)
            node = node[el]
        elif keep_last and i == len(loc) - 1:
            out.append(el)
    return tuple(out)


def _unwrap(tp: Any) -> list[Any]:
    """The concrete alternatives behind an annotation (Annotated, Optional, unions)."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _unwrap(get_args(tp)[0])
    if origin is Union or origin is types.UnionType:
        return [alt for arg in get_args(tp) for alt in _unwrap(arg)]
    return [tp]


def _pick(alternatives: list[Any], node: Any) -> Any:
    """The alternative that ``node`` was meant as (by discriminator or container type)."""
    models = [a for a in alternatives if isinstance(a, type) and issubclass(a, BaseModel)]
    if isinstance(node, dict):
        for m in models:
            for disc in ("kind", "dist"):
                f = m.model_fields.get(disc)
                if f is not None and node.get(disc) in get_args(f.annotation):
                    return m
        if len(models) == 1:
            return models[0]
        for a in alternatives:
            if get_origin(a) is dict:
                return a
    if isinstance(node, list):
        for a in alternatives:
            if get_origin(a) is list:
                return a
    return None


def model_at(path: Path, data: Any) -> type[BaseModel] | None:
    """The pydantic model that describes the mapping at ``path`` in ``data``."""
    tp: Any = Scenario
    node = data
    i = 0
    while True:
        cls = (
            _pick(_unwrap(tp), node)
            if not (isinstance(tp, type) and issubclass(tp, BaseModel))
            else tp
        )
        if cls is None:
            return None
        if get_origin(cls) in (dict, list):
            if i >= len(path):
                return None
            tp = get_args(cls)[-1]
            el = path[i]
            node = node[el] if has_item(node, el) else None
            i += 1
            continue
        if i >= len(path):
            return cls if isinstance(cls, type) and issubclass(cls, BaseModel) else None
        el = path[i]
        fld = next(
            (f for n, f in cls.model_fields.items() if (f.alias or n) == el),
            None,
        )
        if fld is None or not isinstance(node, dict):
            return None
        tp = fld.annotation
        node = node.get(el)
        i += 1


def _field_names(cls: type[BaseModel]) -> list[str]:
    """The YAML keys of a model's fields."""
    return [f.alias or n for n, f in cls.model_fields.items()]


_TAGS = re.compile(r"'([^']*)'")

_DIST_FIELDS = {"hours", "arr", "arr_change_at_renewal"}
_SHAPES = {
    "trigger": "a mapping such as {kind: cadence, per_year: 4}",
    "team": "a team name or a mapping of team fields such as {csms: 4, annual_cost_per_csm: 180000}",
    "churn": "a mapping such as {annual_baseline: 0.1}",
    "calendar": "a mapping of calendar fields",
}

_SIMPLE = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_parsing_size": "must be a whole number below 2**63",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "date_type": "must be a date written YYYY-MM-DD, such as 2027-01-01",
    "date_parsing": "must be a date written YYYY-MM-DD, such as 2027-01-01",
    "date_from_datetime_parsing": "must be a date written YYYY-MM-DD, such as 2027-01-01",
    "date_from_datetime_inexact": "must be a date written YYYY-MM-DD, such as 2027-01-01",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of names to entries",
}


Message = tuple[str, bool]
"""A readable message, and whether to show the input value after it."""

_OPS = {
    "greater_than": ">",
    "greater_than_equal": ">=",
    "less_than": "<",
    "less_than_equal": "<=",
}


def _field_message(err: ErrorDetails, ctx: dict[str, Any], path: Path, data: Any) -> Message:
    """A required field that is missing, or a field the model does not know."""
    last = path[-1] if path else ""
    if err["type"] == "missing":
        return f"missing required field {last!r}", False
    cls = model_at(path[:-1], data)
    hint = suggestion(last, _field_names(cls)) if cls else ""
    return f"unknown field {last!r}{hint}", False


def _bound_message(err: ErrorDetails, ctx: dict[str, Any], path: Path, data: Any) -> Message:
    """A number beyond a bound, with a hint when a share was written as a percentage."""
    op = _OPS[err["type"]]
    bound = next(iter(ctx.values()))
    if isinstance(bound, float) and bound.is_integer():
        bound = int(bound)
    shown = f"{bound:,}" if isinstance(bound, int) else f"{bound:g}"
    hint = ""
    value = err.get("input")
    if op == "<=" and bound == 1 and isinstance(value, int | float) and 1 < value <= 100:
        hint = f"; write shares as fractions ({value / 100:g} for {value:g}%)"
    return f"must be {op} {shown}{hint}", True


def _literal_message(err: ErrorDetails, ctx: dict[str, Any], path: Path, data: Any) -> Message:
    """A value outside a fixed set of options."""
    options = _TAGS.findall(str(ctx.get("expected", "")))
    return "must be one of " + ", ".join(options) + did_you_mean(err.get("input"), options), True


def _tag_message(err: ErrorDetails, ctx: dict[str, Any], path: Path, data: Any) -> Message:
    """An unknown or missing ``kind``/``dist`` of a tagged entry."""
    disc = str(ctx.get("discriminator", "")).strip("'")
    if err["type"] == "union_tag_invalid":
        options = _TAGS.findall(str(ctx.get("expected_tags", "")))
        tag = ctx.get("tag")
        return (
            f"unknown {disc} {tag!r}{did_you_mean(tag, options)} (one of {', '.join(options)})",
            False,
        )
    if disc == "dist":
        return (
            "a distribution needs 'dist' (fixed, uniform, triangular, normal, lognormal, exponential, empirical), or give a plain number",
            False,
        )
    return f"missing {disc!r}, which says what kind of entry this is", False


def _shape_message(err: ErrorDetails, ctx: dict[str, Any], path: Path, data: Any) -> Message:
    """A scalar or list where a mapping (or a distribution) belongs."""
    last = str(path[-1]) if path else ""
    node_kind = _SHAPES.get(last, "a mapping of fields")
    if last in _DIST_FIELDS:
        node_kind = "a number or a distribution such as {dist: lognormal, mean: 300000, cv: 0.4}"
    return f"must be {node_kind}", True


def _length_message(err: ErrorDetails, ctx: dict[str, Any], path: Path, data: Any) -> Message:
    """Too few or too many entries, or a text too long or empty."""
    typ = err["type"]
    if typ == "too_short":
        return (
            f"needs at least {ctx.get('min_length')} entr{'y' if ctx.get('min_length') == 1 else 'ies'}",
            False,
        )
    if typ == "too_long":
        return f"has too many entries (at most {ctx.get('max_length')})", False
    if typ == "string_too_long":
        return f"is too long (at most {ctx.get('max_length')} characters)", False
    return "must not be empty", True


def _pattern_message(err: ErrorDetails, ctx: dict[str, Any], path: Path, data: Any) -> Message:
    """A currency code or a name not of the required form."""
    if "A-Z]{3}" in str(ctx.get("pattern", "")):
        return "must be a three-letter currency code such as USD, EUR or GBP", True
    return (
        "names must start with a letter and hold only letters, digits, _ and - "
        "(at most 64 characters)",
        True,
    )


_HANDLERS: dict[str, Callable[[ErrorDetails, dict[str, Any], Path, Any], Message]] = {
    "missing": _field_message,
    "extra_forbidden": _field_message,
    **dict.fromkeys(_OPS, _bound_message),
    "literal_error": _literal_message,
    "union_tag_invalid": _tag_message,
    "union_tag_not_found": _tag_message,
    "model_type": _shape_message,
    "model_attributes_type": _shape_message,
    "too_short": _length_message,
    "too_long": _length_message,
    "string_too_long": _length_message,
    "string_too_short": _length_message,
    "string_pattern_mismatch": _pattern_message,
}
"""Pydantic error type -> the function that words its message."""


def _message(err: ErrorDetails, data: Any, path: Path) -> Message:
    """Readable message for a pydantic error, and whether to show the input value."""
    typ = err["type"]
    last_name = str(path[-1]) if path else ""
    if typ in ("dict_type", "model_type", "model_attributes_type") and (
        last_name in _SHAPES or last_name in _DIST_FIELDS
    ):
        typ = "model_type"
    if typ in _SIMPLE:
        return _SIMPLE[typ], True
    handler = _HANDLERS.get(typ)
    if handler is not None:
        return handler(err, err.get("ctx") or {}, path, data)
    msg = str(err.get("msg", typ))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg[:1].lower() + msg[1:], typ not in ("dist_order", "window_order")


_NAMED_MAPS = {
    "touchpoints": "touchpoint",
    "segments": "segment",
    "teams": "team",
    "risk_events": "risk event",
}


def _indentation_hint(path: Path, data: Any) -> str:
    """A hint when a field name sits where an entry name belongs (a lost indent)."""
    if len(path) < 2 or path[-2] not in _NAMED_MAPS:
        return ""
    parent = model_at(path[:-2], data)
    if parent is None:
        return ""
    fld = next((f for n, f in parent.model_fields.items() if (f.alias or n) == path[-2]), None)
    if fld is None:
        return ""
    maps = [a for a in _unwrap(fld.annotation) if get_origin(a) is dict]
    models = [
        v
        for m in maps
        for v in _unwrap(get_args(m)[1])
        if isinstance(v, type) and issubclass(v, BaseModel)
    ]
    if models and str(path[-1]) in _field_names(models[0]):
        entry = _NAMED_MAPS[str(path[-2])]
        return f"; '{path[-1]}' is a {entry} field, not a {entry} name: indent it under the {entry} above"
    return ""


def _to_issue(err: ErrorDetails, data: dict[str, Any], src: SourceMap) -> Issue:
    """The issue for one pydantic error, located at the key or value it concerns."""
    loc = tuple(err["loc"])
    if loc and loc[-1] == "[key]":
        path = _data_path(loc[:-2], data)
        key = loc[-2]
        kpath = (*path, key)
        return Issue(
            "names must start with a letter and hold only letters, digits, _ and - "
            "(at most 64 characters)",
            kpath,
            src.locate(kpath, prefer="key"),
            key,
        )
    path = _data_path(loc, data, keep_last=err["type"] == "missing")
    message, show_value = _message(err, data, path)
    typ = err["type"]
    if typ in ("missing", "extra_forbidden"):
        # the path names the mapping; the message names the field
        if typ == "extra_forbidden":
            # the unknown key's own line, unless an override inside the mapping made it
            # unknown (--set ...trigger.kind=risk_event leaves per_year unknown)
            where = src.locate(path, prefer="key")
            if where is None or override_text(where) is None:
                where = override_within(src, path[:-1]) or where
        else:
            where = src.keys.get(path) or locate_issue(src, path[:-1], prefer="key")
        return Issue(message, path[:-1], where)
    message += _indentation_hint(path, data)
    where = locate_issue(src, path, prefer="value")
    value = err.get("input") if show_value else None
    if show_value and isinstance(value, dict):
        show_value = False
    if show_value:
        return Issue(message, path, where, value)
    return Issue(message, path, where)
