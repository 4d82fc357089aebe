"""Load-time checks of a scenario's ``uncertain:`` block, located like every scenario error.

Each key must be a readable path whose wildcards match, that names numeric fields (or
distribution fields, which a number makes fixed) and that no other key also sets; and
the distribution's lowest and highest plausible values (its support where finite, else
its 0.1% and 99.9% quantiles) must pass the scenario's own validation with the value
applied. Every problem is reported at the key's line in the file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from simulator.errors import Issue, Path, ScenarioError, format_path, suggestion
from simulator.scenario.datapath import has_item
from simulator.scenario.distributions import Distribution, _Dist
from simulator.scenario.model import Scenario
from simulator.scenario.overrides import _set_path
from simulator.scenario.uncertain import WILDCARD, expand_path, own_path, parse_input_path
from simulator.scenario.validation import _pick, _unwrap, validate_scenario
from simulator.scenario.yamlsource import SourceMap

__all__ = ["TAIL", "input_issues"]

TAIL = 0.001
"""Quantile taken as the lowest plausible value of an unbounded distribution (1 - TAIL
the highest)."""

_OPEN_AT_ZERO = ("lognormal", "exponential")
"""Distributions whose support (0, inf) is open at 0: their lowest plausible value is the
TAIL quantile."""
_NOT_UNCERTAIN = ("uncertain", "variants", "extends")
_NAMED = {"segments": "segment", "teams": "team", "touchpoints": "touchpoint"}
_BOUND = re.compile(r"must be (>=|>|<=|<) (-?[\d,.]+(?:e[-+]?\d+)?)")


def input_issues(
    block: Mapping[str, Distribution], data: dict[str, Any], src: SourceMap
) -> list[Issue]:
    """Every problem of an ``uncertain:`` block against scenario ``data``.

    Parameters
    ----------
    block
        The validated block: key as written -> distribution.
    data
        The scenario data the inputs are applied to (overrides and account files done).
    src
        Where the block's keys are, for the locations of the issues.
    """
    issues: list[Issue] = []
    paths: dict[Path, str] = {}
    claimed: dict[Path, str] = {}
    for name, dist in block.items():
        found = _problem(name, dist, data, paths, claimed)
        if found is not None:
            message, value = found
            where = src.keys.get(("uncertain", name)) or src.locate(("uncertain",), "key")
            key: Path = ("uncertain", name)
            issues.append(
                Issue(message, key, where) if value is None else Issue(message, key, where, value)
            )
    return issues


def _problem(
    name: str,
    dist: _Dist,
    data: dict[str, Any],
    paths: dict[Path, str],
    claimed: dict[Path, str],
) -> tuple[str, float | None] | None:
    """The problem of one input (and the offending value), recording its paths when none.

    ``paths`` maps the parsed paths of the keys checked so far to their names, ``claimed``
    the concrete fields they set.
    """
    path = parse_input_path(name)
    problem = _path_problem(name, path, paths)
    if problem or path is None:
        return problem or "cannot read the path", None
    paths[path] = name
    concrete = expand_path(data, path)
    problem = _wildcard_problem(data, path) or next(
        filter(None, (_target_problem(data, p) for p in concrete)), None
    )
    if problem:
        return problem, None
    overlap = next((p for p in concrete if p in claimed), None)
    if overlap is not None:
        return (
            f"sets {format_path(overlap)}, which {claimed[overlap]!r} sets too; a value "
            "has one distribution: remove one of the two, or name the segments apart",
            None,
        )
    claimed.update(dict.fromkeys(concrete, name))
    for value, what in _extremes(dist):
        problem = _value_problem(data, concrete, value, dist)
        if problem:
            return f"its {what} is not valid: {problem}", float(f"{value:.6g}")
    return None


def _path_problem(name: str, path: Path | None, seen: Mapping[Path, str]) -> str | None:
    """A path that cannot be read, is not a scenario value, or repeats an earlier key."""
    if path is None or isinstance(path[0], int):
        return (
            "cannot read the path; write it as for --set, with * for every name at one "
            "level, e.g. segments.*.churn.coverage_effect"
        )
    if path[0] in _NOT_UNCERTAIN:
        return f"{path[0]} is not a value of the plan; an uncertain input names a number in it"
    if path in seen:
        return f"the same path as {seen[path]!r}, declared above; keep one of them"
    return None


def _wildcard_problem(data: Any, path: Path) -> str | None:
    """A ``*`` that matches no key (below something absent, empty or not a mapping)."""
    for i, el in enumerate(path):
        if el == WILDCARD and not expand_path(data, path[: i + 1]):
            prefix = format_path(path[:i]) or "the top level"
            return (
                f"* after {prefix} matches no key: {prefix} is absent, empty or not a "
                "mapping in the scenario; name an existing key or remove the input"
            )
    return None


def _target_problem(data: Any, path: Path) -> str | None:
    """Why the field at concrete ``path`` cannot take a drawn number (None when it can)."""
    tp: Any = Scenario
    node: Any = data
    for i, el in enumerate(path):
        here = format_path(path[:i]) or "the top level"
        alts = _unwrap(tp)
        models = [a for a in alts if isinstance(a, type) and issubclass(a, BaseModel)]
        cls = _pick(alts, node) if node is not None else None
        if cls is None and node is None and len(models) == 1:
            cls = models[0]
        if cls is None:
            shown = "absent" if node is None else f"{node!r}, not a mapping of fields"
            return f"cannot set inside {here}: it is {shown}"
        if get_origin(cls) is dict:
            if isinstance(el, int):
                return f"{here} is keyed by name, not by position; use a name instead of [{el}]"
            if not has_item(node, el):
                entry = _NAMED.get(str(path[i - 1]) if i else "", "entry")
                names = list(node) if isinstance(node, dict) else []
                return f"no {entry} {el!r} in {here}" + suggestion(el, names, "defined")
            tp, node = get_args(cls)[1], node[el]
        elif get_origin(cls) is list:
            if not has_item(node, el):
                return f"{format_path(path[: i + 1])} does not exist in the scenario"
            tp, node = get_args(cls)[0], node[el]
        elif isinstance(el, str) and (fld := _field(cls, el)) is not None:
            tp = fld.annotation
            node = node.get(el) if isinstance(node, dict) else None
        else:
            names = [f.alias or n for n, f in cls.model_fields.items()]
            return f"{here} has no field {el!r}" + suggestion(el, names)
    return _kind_problem(format_path(path), tp)


def _field(cls: type[BaseModel], key: str) -> Any:
    """The model field whose YAML key is ``key``, or None."""
    return next((f for n, f in cls.model_fields.items() if (f.alias or n) == key), None)


def _kind_problem(where: str, tp: Any) -> str | None:
    """None when annotation ``tp`` holds a real number or a distribution, else why not."""
    alts = _unwrap(tp)
    if any(a is float for a in alts) or any(
        isinstance(a, type) and issubclass(a, _Dist) for a in alts
    ):
        return None
    if any(a is int for a in alts):
        return (
            f"{where} holds a whole number and a draw is a real number; compare whole "
            "numbers (such as headcounts) as options instead"
        )
    kinds = sorted({_kind_name(a) for a in alts})
    return f"{where} is {' or '.join(kinds)}, not a number; only numeric fields can be uncertain"


def _kind_name(tp: Any) -> str:
    """A reader's name of a non-numeric annotation."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "a mapping of fields"
    origin = get_origin(tp)
    if origin is dict:
        return "a mapping of names"
    if origin is list:
        return "a list"
    name = getattr(tp, "__name__", str(tp))
    return {"str": "text", "date": "a date", "bool": "true or false", "NoneType": "null"}.get(
        name, "a choice of " + ", ".join(map(str, get_args(tp))) if origin else name
    )


def _extremes(dist: _Dist) -> list[tuple[float, str]]:
    """The lowest and highest plausible values of ``dist``, each with how it was found."""
    lo, hi = dist.support
    if getattr(dist, "dist", "") in _OPEN_AT_ZERO:
        lo = -math.inf  # never drawn: the density vanishes (lognormal) or the tail thins there
    out = [
        (lo, "lowest value") if math.isfinite(lo) else (dist.ppf1(TAIL), "0.1% quantile"),
        (hi, "highest value") if math.isfinite(hi) else (dist.ppf1(1 - TAIL), "99.9% quantile"),
    ]
    return out[:1] if out[0][0] == out[1][0] else out


def _value_problem(
    data: dict[str, Any], paths: list[Path], value: float, dist: _Dist
) -> str | None:
    """What the scenario's validation says with ``value`` at ``paths`` (None when valid)."""
    from simulator.scenario.checks import cross_reference_issues

    # copy on write: only the mappings along the paths are copied
    applied = dict(data)
    copied: set[int] = set()
    for p in paths:
        own_path(applied, p, copied)
        if _set_path(applied, p, float(value)):
            return f"cannot set {format_path(p)}"
    src = SourceMap()
    try:
        problems = cross_reference_issues(validate_scenario(applied, src), src)
    except ScenarioError as exc:
        problems = exc.issues
    if not problems:
        return None
    first = problems[0]
    at = format_path(first.path) or "the scenario"
    message = str(first.message).split("; write shares as fractions")[0]
    return f"{at} {message}; {_fix(dist, message)}"


def _fix(dist: _Dist, message: str) -> str:
    """How to change the distribution so that it respects the bound ``message`` names."""
    m = _BOUND.search(message)
    if m is None:
        return "narrow the distribution so that every plausible value is valid"
    op, bound = m.group(1), m.group(2).replace(",", "")
    lower = op.startswith(">")
    strict = "" if op.endswith("=") else ("above " if lower else "below ")
    kind = getattr(dist, "dist", "")
    if kind == "normal":
        return f"add {'min' if lower else 'max'}: {strict}{bound} to the distribution"
    if kind in ("uniform", "triangular"):
        return f"{'raise low' if lower else 'lower high'} to {strict}{bound}"
    if kind == "empirical":
        return f"remove the values {'below' if lower else 'above'} {bound}"
    if kind == "fixed":
        return f"use a value {op} {bound}"
    return (
        f"use a distribution that stays {op} {bound}, such as a normal with "
        f"{'min' if lower else 'max'}: {strict}{bound} or a triangular"
    )
