"""Load a scenario: read YAML, resolve ``extends``, apply overrides, validate, cross-check.

Each stage reports all of its problems together in one :class:`ScenarioError`:

1. reading (file, YAML syntax, duplicate keys) and ``extends`` chains;
2. ``--set`` overrides;
3. structure and values (pydantic), with positions and "did you mean" suggestions;
4. cross-references (teams, risk events, inbound routing, channels per coverage).

Values far outside the plausible ranges of docs/assumptions.md become warnings, not errors.
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path as FsPath
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from simulator.errors import (
    Hint,
    Issue,
    Location,
    Path,
    ScenarioError,
    did_you_mean,
    format_path,
    hinted,
    suggestion,
)
from simulator.scenario.model import Scenario
from simulator.scenario.yamlsource import SourceMap, parse_yaml, read_text

__all__ = [
    "Loaded",
    "apply_overrides",
    "bundled_scenario",
    "load",
    "load_scenario",
    "load_text",
    "load_variants",
    "parse_override_path",
    "validate_data",
]

MAX_EXTENDS_DEPTH = 20


@dataclass
class Loaded:
    """A validated scenario with where it came from."""

    scenario: Scenario
    data: dict[str, Any]
    sources: SourceMap
    files: list[str]
    warnings: list[Issue] = field(default_factory=list)
    data_files: list[str] = field(default_factory=list)
    """Customer lists read by ``accounts: {from_csv: FILE}``."""

    def inputs(self) -> list[str]:
        """Every file this scenario was read from: the YAML chain and its data files."""
        return [*self.files, *self.data_files]


def bundled_scenario(name: str = "default") -> FsPath:
    """Path of a scenario shipped with cssim (``default``, ``cfo_six``, ...)."""
    base = resources.files("simulator.bundled")
    candidate = base / f"{name}.yaml"
    return FsPath(str(candidate))


def load_scenario(path: str | FsPath | None = None, overrides: Sequence[str] = ()) -> Scenario:
    """Load, merge, override and validate a scenario file.

    Parameters
    ----------
    path
        YAML file; the bundled default scenario when None.
    overrides
        ``dotted.path=value`` strings, e.g. ``segments.top.team.csms=6``.

    Raises
    ------
    ScenarioError
        With every problem of the first stage that failed.
    """
    return load(path, overrides).scenario


def load(path: str | FsPath | None = None, overrides: Sequence[str] = ()) -> Loaded:
    """Like :func:`load_scenario`, also returning data, source positions and warnings."""
    fs_path = bundled_scenario() if path is None else FsPath(path)
    data, src, files = _read_tree(fs_path, str(path if path is not None else fs_path), [])
    return _finish(data, src, files, overrides)


def load_text(
    text: str,
    filename: str = "<text>",
    overrides: Sequence[str] = (),
    base_dir: str | FsPath | None = None,
) -> Loaded:
    """Load a scenario from YAML text (``extends`` resolved against ``base_dir``)."""
    data, src = parse_yaml(text, filename)
    data, src, files = _resolve_extends(data, src, filename, FsPath(base_dir or "."), [filename])
    return _finish(data, src, files, overrides)


def validate_data(data: dict[str, Any], sources: SourceMap | None = None) -> Loaded:
    """Validate already-parsed data (no files, no overrides)."""
    return _finish(copy.deepcopy(data), sources or SourceMap(), [], ())


def _finish(data: Any, src: SourceMap, files: list[str], overrides: Sequence[str]) -> Loaded:
    if not isinstance(data, dict):
        where = Location(files[0]) if files else None
        kind = "empty" if data is None else f"a {type(data).__name__}, not a mapping"
        raise ScenarioError(
            [
                Issue(
                    f"the document is {kind}; a scenario is a mapping with at least "
                    "start_date and segments (run 'cssim init' for a starter)",
                    location=where,
                )
            ],
            "reading YAML",
        )
    data = apply_overrides(data, src, overrides)
    from simulator.scenario.account_files import resolve_account_files

    data_files: list[str] = []
    file_warnings = resolve_account_files(data, src, data_files)
    scenario = _validate(data, src)
    from simulator.scenario.checks import cross_reference_issues, domain_warnings

    problems = cross_reference_issues(scenario, src)
    if problems:
        raise ScenarioError(problems, "checking references")
    warnings = file_warnings + domain_warnings(scenario, src)
    return Loaded(scenario, data, src, files, warnings, data_files)


def load_variants(loaded: Loaded) -> dict[str, Scenario]:
    """Each variant of a loaded scenario, merged over it and validated on its own.

    A problem inside a variant is reported at the variant's lines in the file.
    """
    out: dict[str, Scenario] = {}
    base = {k: v for k, v in loaded.data.items() if k != "variants"}
    for name, body in (loaded.data.get("variants") or {}).items():
        prefix: Path = ("variants", name)
        child_src = SourceMap(
            {p[2:]: loc for p, loc in loaded.sources.keys.items() if p[:2] == prefix},
            {p[2:]: loc for p, loc in loaded.sources.values.items() if p[:2] == prefix},
        )
        merged_src = copy.deepcopy(loaded.sources)
        data = merge(copy.deepcopy(base), copy.deepcopy(body), (), merged_src, child_src)
        out[name] = _finish(data, merged_src, loaded.files, ()).scenario
    return out


# ----------------------------------------------------------------------------- extends


def _read_tree(path: FsPath, shown: str, chain: list[str]) -> tuple[Any, SourceMap, list[str]]:
    text = read_text(path, shown)
    data, src = parse_yaml(text, shown)
    return _resolve_extends(data, src, shown, path.parent, [*chain, str(path.resolve())])


def _resolve_extends(
    data: Any, src: SourceMap, shown: str, base_dir: FsPath, chain: list[str]
) -> tuple[Any, SourceMap, list[str]]:
    if not isinstance(data, dict) or "extends" not in data:
        return data, src, [shown]
    ref = data.pop("extends")
    where = src.locate(("extends",))
    if ref is None:
        return data, src, [shown]
    if not isinstance(ref, str) or not ref.strip():
        raise ScenarioError(
            [Issue("must be the path of a base scenario file", ("extends",), where, ref)],
            "resolving extends",
        )
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            [
                Issue(
                    f"extends chain deeper than {MAX_EXTENDS_DEPTH} files", ("extends",), where, ref
                )
            ],
            "resolving extends",
        )
    base_path = (base_dir / ref).resolve()
    if str(base_path) in chain:
        raise ScenarioError(
            [Issue("extends cycle: this file is already being extended", ("extends",), where, ref)],
            "resolving extends",
        )
    if base_path.is_dir():
        raise ScenarioError(
            [
                Issue(
                    "is a directory; give the path of a base scenario file",
                    ("extends",),
                    where,
                    ref,
                )
            ],
            "resolving extends",
        )
    if not base_path.is_file():
        raise ScenarioError(
            [
                Issue(
                    f"base scenario not found at {base_path}; paths are relative to the "
                    "extending file",
                    ("extends",),
                    where,
                    ref,
                )
            ],
            "resolving extends",
        )
    base_shown = str(base_path)
    with contextlib.suppress(ValueError):
        base_shown = str(base_path.relative_to(FsPath.cwd()))
    base, base_src, base_files = _read_tree(base_path, base_shown, chain)
    if not isinstance(base, dict):
        raise ScenarioError(
            [Issue("base scenario is not a mapping", ("extends",), where, ref)], "resolving extends"
        )
    merged_src = copy.deepcopy(base_src)
    merged = merge(base, data, (), merged_src, src)
    merged_src.keys[()] = src.keys.get((), Location(shown, 1, 1))  # the extending file
    return merged, merged_src, [*base_files, shown]


def merge(base: Any, child: Any, path: Path, out_src: SourceMap, child_src: SourceMap) -> Any:
    """Deep-merge ``child`` over ``base``: maps merge, lists and scalars replace, null deletes.

    ``out_src`` starts as the base's source map and ends as the merged one.
    """
    if isinstance(base, dict) and isinstance(child, dict):
        out = dict(base)
        for key in ((*path, k) for k in child):
            k = key[-1]
            value = child[k]
            if value is None:
                out.pop(k, None)
                out_src.drop(key)
                continue
            if k in base and isinstance(base[k], dict) and isinstance(value, dict):
                for d, c in ((out_src.keys, child_src.keys), (out_src.values, child_src.values)):
                    if key in c:
                        d[key] = c[key]
                out[k] = merge(base[k], value, key, out_src, child_src)
            else:
                out_src.drop(key)
                out_src.take(child_src, key)
                out[k] = value
        return out
    out_src.drop(path)
    out_src.take(child_src, path)
    return child


# ----------------------------------------------------------------------------- overrides

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_override_path(text: str) -> Path | None:
    """``a.b[2].c`` -> ("a", "b", 2, "c"); None when the text is not a path."""
    return _parse_override_path(text)


def _parse_override_path(text: str) -> Path | None:
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        if text[pos] == "." and out:
            pos += 1
        m = _SEGMENT.match(text, pos)
        if not m:
            return None
        out.append(int(m.group(2)) if m.group(2) is not None else m.group(1).strip().strip("'\""))
        pos = m.end()
    return tuple(out) if out and all(p != "" for p in out) else None


def apply_overrides(
    data: dict[str, Any], src: SourceMap, overrides: Iterable[str]
) -> dict[str, Any]:
    """Apply ``dotted.path=value`` overrides (values are YAML: ``6``, ``true``, ``[1, 2]``).

    A value of ``null`` deletes the key. Missing mappings on the way are created.
    """
    issues: list[Issue] = []
    for text in overrides:
        where = Location(f"--set {text}")
        if "=" not in text:
            issues.append(
                Issue("expected PATH=VALUE, e.g. segments.top.team.csms=6", location=where)
            )
            continue
        raw_path, raw_value = text.split("=", 1)
        if not raw_value.strip():
            issues.append(
                Issue("the value is empty; give a value, or null to delete the key", location=where)
            )
            continue
        path = _parse_override_path(raw_path)
        if path is not None and path[0] == "extends":
            issues.append(
                Issue(
                    "extends cannot be set from the command line; write it in the file",
                    location=where,
                )
            )
            continue
        if path is None or isinstance(path[0], int):
            issues.append(
                Issue(
                    "cannot read the path; use dotted names with [i] for list items, e.g. "
                    "segments.top.team.hiring_plan[0].change",
                    location=where,
                    value=raw_path,
                )
            )
            continue
        try:
            value, _ = parse_yaml(raw_value, where.file)
        except ScenarioError as exc:
            issues.append(
                Issue(f"the value is not valid YAML: {exc.issues[0].message}", path, where)
            )
            continue
        created = [path[:i] for i in range(1, len(path)) if not _exists(data, path[:i])]
        problem = _set_path(data, path, value)
        if problem:
            issues.append(Issue(problem, path, where))
            continue
        src.drop(path)
        for prefix in created:
            src.keys[prefix] = where
            src.values[prefix] = where
        src.keys[path] = where
        src.values[path] = where
    if issues:
        raise ScenarioError(issues, "applying --set overrides")
    return data


def _exists(data: Any, path: Path) -> bool:
    node = data
    for el in path:
        if (isinstance(node, dict) and isinstance(el, str) and el in node) or (
            isinstance(node, list) and isinstance(el, int) and 0 <= el < len(node)
        ):
            node = node[el]
        else:
            return False
    return True


def _set_path(data: Any, path: Path, value: Any) -> str | None:
    node = data
    for i, el in enumerate(path[:-1]):
        here = format_path(path[: i + 1])
        nxt = path[i + 1]
        if isinstance(node, dict) and isinstance(el, int):
            where = format_path(path[:i]) or "the top level"
            return f"{where} is keyed by name, not by position; use a name instead of [{el}]"
        if isinstance(node, dict) and isinstance(el, str):
            if node.get(el) is None:
                if isinstance(nxt, int):
                    return hinted(
                        f"{here} is not set in the scenario, so it has no item {nxt}; set the "
                        "whole list, e.g. ",
                        Hint("overrides", [f"{here}=[...]"], f"{here}=[...]"),
                    )
                node[el] = {}
            node = node[el]
        elif isinstance(node, list) and isinstance(el, int):
            if el >= len(node):
                return f"{here} does not exist: the list has {len(node)} items"
            node = node[el]
        else:
            kind = "a list" if isinstance(node, list) else f"a {type(node).__name__} value"
            return f"cannot set inside {format_path(path[:i]) or 'the top level'}: it is {kind}"
        if not isinstance(node, dict | list):
            return f"cannot set inside {here}: it is {node!r}, not a mapping" + (
                " (a team name; override teams.<name> instead)" if path[i] == "team" else ""
            )
    last = path[-1]
    if isinstance(node, dict) and isinstance(last, str):
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
        return None
    if isinstance(node, list) and isinstance(last, int):
        if last >= len(node):
            return f"index {last} is past the end of the list ({len(node)} items)"
        node[last] = value
        return None
    if isinstance(node, dict) and isinstance(last, int):
        return f"{format_path(path[:-1])} is keyed by name; use a name instead of [{last}]"
    return f"cannot set {format_path(path)}: {format_path(path[:-1])} is a list; use [i]"


# ----------------------------------------------------------------------------- validation


def _validate(data: dict[str, Any], src: SourceMap) -> Scenario:
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


def _data_path(loc: tuple[Any, ...], data: Any, keep_last: bool = False) -> Path:
    """Keep the loc elements that exist in ``data``, dropping union tags.

    With ``keep_last`` the last element is kept even when absent: it names a missing field.
    """
    out: list[str | int] = []
    node = data
    for i, el in enumerate(loc):
        if (isinstance(node, dict) and isinstance(el, str) and el in node) or (
            isinstance(node, list) and isinstance(el, int) and 0 <= el < len(node)
        ):
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
            node = node[el] if isinstance(node, dict | list) else None
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


def _message(err: dict[str, Any], data: Any, path: Path) -> tuple[str, bool]:
    """Readable message for a pydantic error, and whether to show the input value."""
    typ = err["type"]
    ctx = err.get("ctx") or {}
    last = path[-1] if path else ""
    last_name = str(path[-1]) if path else ""
    if typ in ("dict_type", "model_type", "model_attributes_type") and (
        last_name in _SHAPES or last_name in _DIST_FIELDS
    ):
        typ = "model_type"
    if typ in _SIMPLE:
        return _SIMPLE[typ], True
    if typ == "missing":
        return f"missing required field {last!r}", False
    if typ == "extra_forbidden":
        cls = model_at(path[:-1], data)
        hint = suggestion(last, _field_names(cls)) if cls else ""
        return f"unknown field {last!r}{hint}", False
    if typ in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        op = {
            "greater_than": ">",
            "greater_than_equal": ">=",
            "less_than": "<",
            "less_than_equal": "<=",
        }[typ]
        bound = next(iter(ctx.values()))
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        shown = f"{bound:,}" if isinstance(bound, int) else f"{bound:g}"
        hint = ""
        value = err.get("input")
        if op == "<=" and bound == 1 and isinstance(value, int | float) and 1 < value <= 100:
            hint = f"; write shares as fractions ({value / 100:g} for {value:g}%)"
        return f"must be {op} {shown}{hint}", True
    if typ == "literal_error":
        options = _TAGS.findall(str(ctx.get("expected", "")))
        return "must be one of " + ", ".join(options) + did_you_mean(
            err.get("input"), options
        ), True
    if typ == "union_tag_invalid":
        options = _TAGS.findall(str(ctx.get("expected_tags", "")))
        disc = str(ctx.get("discriminator", "")).strip("'")
        tag = ctx.get("tag")
        return (
            f"unknown {disc} {tag!r}{did_you_mean(tag, options)} (one of {', '.join(options)})",
            False,
        )
    if typ == "union_tag_not_found":
        disc = str(ctx.get("discriminator", "")).strip("'")
        if disc == "dist":
            return (
                "a distribution needs 'dist' (fixed, uniform, triangular, normal, lognormal, exponential, empirical), or give a plain number",
                False,
            )
        return f"missing {disc!r}, which says what kind of entry this is", False
    if typ in ("model_type", "model_attributes_type"):
        last = str(path[-1]) if path else ""
        node_kind = _SHAPES.get(last, "a mapping of fields")
        if last in _DIST_FIELDS:
            node_kind = (
                "a number or a distribution such as {dist: lognormal, mean: 300000, cv: 0.4}"
            )
        return f"must be {node_kind}", True
    if typ == "too_short":
        return (
            f"needs at least {ctx.get('min_length')} entr{'y' if ctx.get('min_length') == 1 else 'ies'}",
            False,
        )
    if typ == "too_long":
        return f"has too many entries (at most {ctx.get('max_length')})", False
    if typ == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if "A-Z]{3}" in pattern:
            return "must be a three-letter currency code such as USD, EUR or GBP", True
        return (
            "names must start with a letter and hold only letters, digits, _ and - "
            "(at most 64 characters)",
            True,
        )
    if typ == "string_too_long":
        return f"is too long (at most {ctx.get('max_length')} characters)", False
    if typ == "string_too_short":
        return "must not be empty", True
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


def _to_issue(err: dict[str, Any], data: dict[str, Any], src: SourceMap) -> Issue:
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
        anchor = path if typ == "extra_forbidden" else path[:-1]
        where = src.keys.get(path) if typ == "missing" else None
        return Issue(message, path[:-1], where or src.locate(anchor, prefer="key"))
    message += _indentation_hint(path, data)
    where = src.locate(path, prefer="value")
    value = err.get("input") if show_value else None
    if show_value and isinstance(value, dict):
        show_value = False
    if show_value:
        return Issue(message, path, where, value)
    return Issue(message, path, where)
