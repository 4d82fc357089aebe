"""Uncertain inputs (``uncertain:``): scenario values drawn from a distribution for 'cssim decide'.

A scenario declares ``uncertain: {PATH: DISTRIBUTION, ...}``. ``PATH`` is written as for
``--set`` (``segments.top.churn.coverage_effect``, ``[i]`` for a list item), and ``*``
matches every existing key of a mapping at its level: ``segments.*.churn.coverage_effect``
is one unknown shared by every segment, so each draw sets all of them to the same value.
The leaf may be absent (it is set), and missing mappings on the way are created as
``--set`` does. A number put into a distribution field makes it a fixed value.

Every other command ignores the block: it simulates the values the scenario states.
The loader checks the block (:mod:`simulator.scenario.uncertain_checks`); this module
turns it into :class:`UncertainInput` objects, draws values for them and builds the
scenario of one draw.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.errors import Issue, Path, ScenarioError
from simulator.scenario.distributions import Distribution
from simulator.scenario.model import Scenario
from simulator.scenario.overrides import _set_path, parse_override_path
from simulator.scenario.yamlsource import SourceMap

if TYPE_CHECKING:
    from simulator.scenario.loader import Loaded

__all__ = [
    "PSA_KEY",
    "WILDCARD",
    "UncertainInput",
    "apply_values",
    "draw_values",
    "expand_path",
    "own_path",
    "quantile_values",
    "scenario_with",
    "shared_inputs",
    "uncertain_inputs",
]

PSA_KEY = 0x50534131
"""Spawn key of the outer (parameter) draws: ``SeedSequence(seed, spawn_key=(PSA_KEY,))``.

The engine's streams are keyed ``(replication, purpose, *key)`` (at least two entries,
the first a replication index), so a one-entry key far beyond any replication count
(1,347,633,457, "PSA1" in ASCII) cannot give a stream the engine also uses.
"""

Values = Sequence[float] | np.ndarray
"""One value per input: a sequence, or a row of :func:`draw_values`."""

WILDCARD = "*"
"""A path element that matches every existing key of a mapping."""


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain input of a scenario.

    Attributes
    ----------
    name
        The key as written, e.g. ``"segments.*.churn.coverage_effect"``.
    path
        The parsed path; may hold ``"*"``.
    dist
        The distribution of its value (in the unit of the field it sets).
    note
        Its source comment (``"D: ..."`` or ``"assumption: ..."``); ``""`` if none.
    """

    name: str
    path: Path
    dist: Distribution
    note: str = ""


def parse_input_path(name: str) -> Path | None:
    """The path of an ``uncertain:`` key (``--set`` syntax plus ``*``); None if unreadable."""
    return parse_override_path(name)


def uncertain_inputs(loaded: Loaded) -> list[UncertainInput]:
    """The uncertain inputs a loaded scenario declares, in file order (the loader checked them)."""
    out = []
    for name, dist in loaded.scenario.uncertain.items():
        path = parse_input_path(name)
        if path is None:  # the loader rejects it; kept for data validated another way
            raise ScenarioError([Issue("cannot read the path", ("uncertain", name))])
        out.append(UncertainInput(name, path, dist, _note(loaded.sources, name)))
    return out


def expand_path(data: Any, path: Path) -> list[Path]:
    """Every concrete path ``path`` names in ``data``, each ``*`` replaced by the keys there.

    Literal steps are kept even when absent (they are created when set); a ``*`` below
    something absent or not a mapping matches nothing.
    """
    found: list[tuple[Path, Any]] = [((), data)]
    for el in path:
        step: list[tuple[Path, Any]] = []
        for prefix, node in found:
            if el == WILDCARD:
                if isinstance(node, dict):
                    step.extend(((*prefix, k), v) for k, v in node.items())
            else:
                child = node.get(el) if isinstance(node, dict) and isinstance(el, str) else None
                if isinstance(node, list) and isinstance(el, int) and 0 <= el < len(node):
                    child = node[el]
                step.append(((*prefix, el), child))
        found = step
    return [p for p, _ in found]


def apply_values(
    data: dict[str, Any], inputs: Sequence[UncertainInput], values: Values
) -> dict[str, Any]:
    """A deep copy of scenario ``data`` with each input's paths set to its value.

    ``*`` is expanded against ``data``; ``values[j]`` is the value of ``inputs[j]``.

    Raises
    ------
    ScenarioError
        When a path cannot be set in ``data`` (the loader's checks prevent this for the
        scenario that declared the inputs).
    """
    return _apply(copy.deepcopy(data), inputs, values, copied=None)


def scenario_with(
    data: dict[str, Any], inputs: Sequence[UncertainInput], values: Values
) -> Scenario:
    """The validated scenario of one draw: ``data`` (a loaded scenario's) with ``values`` set.

    Fast: no file is read (``Loaded.data`` already holds the accounts of every
    ``from_csv`` file) and only the mappings on the inputs' paths are copied, so ``data``
    is left as it was.

    Raises
    ------
    ScenarioError
        When the values make the scenario invalid.
    """
    from simulator.scenario.checks import cross_reference_issues
    from simulator.scenario.validation import validate_scenario

    applied = _apply(dict(data), inputs, values, copied=set())
    src = SourceMap()
    scenario = validate_scenario(applied, src)
    problems = cross_reference_issues(scenario, src)
    if problems:
        raise ScenarioError(problems, "checking references")
    return scenario


def draw_values(inputs: Sequence[UncertainInput], draws: int, seed: int) -> np.ndarray:
    """``draws`` joint draws of the inputs, shape ``(draws, len(inputs))``.

    Column ``j`` is ``inputs[j].dist.ppf(u)`` of uniforms ``u`` drawn row by row from
    ``default_rng(SeedSequence(seed, spawn_key=(PSA_KEY,)))``: the same seed gives the
    same draws, and the first ``m`` rows of a larger sample are the sample of ``m`` draws.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(PSA_KEY,)))
    u = rng.random((draws, len(inputs)))
    # an exact 0 (probability 2**-53) would put an unbounded normal at -inf
    u = np.clip(u, 1e-12, 1.0 - 1e-12)
    out = np.empty((draws, len(inputs)), dtype=float)
    for j, inp in enumerate(inputs):
        out[:, j] = inp.dist.ppf(u[:, j])
    return out


def quantile_values(inputs: Sequence[UncertainInput], q: float) -> np.ndarray:
    """Each input's quantile ``q`` (0.5: the medians), shape ``(len(inputs),)``."""
    return np.array([inp.dist.ppf1(q) for inp in inputs], dtype=float)


def shared_inputs(loadeds: Sequence[Loaded]) -> list[UncertainInput]:
    """The uncertain inputs every option of a decision draws: those of the first option.

    Another option may declare the same block (by ``extends`` or a copy) or none; the
    inputs must then apply to its data too (paths found, plausible values valid).

    Raises
    ------
    ScenarioError
        When an option declares a different block (naming both files), or when the
        first option's inputs do not apply to an option without a block.
    """
    from simulator.scenario.uncertain_checks import input_issues

    if not loadeds:
        return []
    first = loadeds[0]
    inputs = uncertain_inputs(first)
    block = first.scenario.uncertain
    issues: list[Issue] = []
    for other in loadeds[1:]:
        theirs = other.scenario.uncertain
        if not theirs:
            for issue in input_issues(first.scenario.uncertain, other.data, first.sources):
                issues.append(
                    Issue(
                        f"applied to {_file(other)} (which declares no uncertain: block): "
                        + issue.message,
                        issue.path,
                        issue.location,
                        issue.value,
                    )
                )
        elif theirs != block:
            issues.append(_differs(first, other))
    if issues:
        raise ScenarioError(issues, "matching the options' uncertain inputs")
    return inputs


def _differs(first: Loaded, other: Loaded) -> Issue:
    """The error for an option whose ``uncertain:`` block is not the first option's."""
    mine, theirs = first.scenario.uncertain, other.scenario.uncertain
    name = next((n for n in theirs if mine.get(n) != theirs[n]), None)
    if name is not None and name in mine:
        what = f"{name} is {theirs[name].describe()} here and {mine[name].describe()} there"
    elif name is not None:
        what = f"{name} is declared here only"
    else:
        name = next(n for n in mine if n not in theirs)
        what = f"{name} is declared there only"
    where = other.sources.locate(("uncertain", name) if name in theirs else ("uncertain",), "key")
    return Issue(
        f"the uncertain: block differs from that of {_file(first)}, the first option, whose "
        f"block defines the draws of every option ({what}); declare the same block "
        f"(extends {_file(first)}) or none",
        ("uncertain",),
        where,
    )


def _file(loaded: Loaded) -> str:
    """The file a loaded scenario was read from (``<data>`` for data given in Python)."""
    return loaded.files[0] if loaded.files else "<data>"


def _apply(
    data: dict[str, Any],
    inputs: Sequence[UncertainInput],
    values: Values,
    copied: set[int] | None,
) -> dict[str, Any]:
    """Set every input's paths in ``data``; with ``copied``, copy each container on the way.

    ``copied`` holds the ids of containers already private to the result (copy on write);
    None means ``data`` is private as a whole.
    """
    if len(values) != len(inputs):
        raise ValueError(f"{len(values)} values for {len(inputs)} uncertain inputs")
    problems: list[Issue] = []
    for inp, value in zip(inputs, values, strict=True):
        for path in expand_path(data, inp.path):
            if copied is not None:
                own_path(data, path, copied)
            problem = _set_path(data, path, float(value))
            if problem:
                problems.append(Issue(str(problem), path))
    if problems:
        raise ScenarioError(problems, "applying the uncertain inputs")
    return data


def own_path(data: dict[str, Any], path: Path, copied: set[int]) -> None:
    """Replace each container along ``path`` (below ``data``) by a shallow copy, once.

    ``copied`` holds the ids of the copies made so far (containers private to ``data``).
    """
    node: Any = data
    for el in path[:-1]:
        if isinstance(node, dict) and isinstance(el, str):
            child = node.get(el)
        elif isinstance(node, list) and isinstance(el, int) and 0 <= el < len(node):
            child = node[el]
        else:
            return
        if isinstance(child, dict | list) and id(child) not in copied:
            child = dict(child) if isinstance(child, dict) else list(child)
            copied.add(id(child))
            node[el] = child
        if not isinstance(child, dict | list):
            return
        node = child


_COMMENT = re.compile(r"""^(?:[^#"']|"[^"]*"|'[^']*')*?\s#\s?(.*)$""")


def _note(src: SourceMap, name: str) -> str:
    """The comment at the end of the key's line, else the comment lines just above it."""
    loc = src.keys.get(("uncertain", name))
    if loc is None or loc.line is None:
        return ""
    try:
        lines = FsPath(loc.file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError, ValueError):
        return ""
    if not 1 <= loc.line <= len(lines):
        return ""
    m = _COMMENT.match(lines[loc.line - 1])
    if m:
        return m.group(1).strip()
    above: list[str] = []
    i = loc.line - 2
    while i >= 0 and lines[i].strip().startswith("#"):
        above.insert(0, lines[i].strip().lstrip("#").strip())
        i -= 1
    return " ".join(above)
