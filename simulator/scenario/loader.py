"""Load a scenario: read YAML, resolve ``extends``, apply overrides, validate, cross-check.

Each stage reports all of its problems together in one :class:`ScenarioError`:

1. reading (file, YAML syntax, duplicate keys) and ``extends`` chains
   (:mod:`~simulator.scenario.extends`);
2. ``--set`` overrides (:mod:`~simulator.scenario.overrides`);
3. structure and values (pydantic), with positions and "did you mean" suggestions
   (:mod:`~simulator.scenario.validation`);
4. cross-references (teams, risk events, inbound routing, channels per coverage);
5. the ``uncertain:`` block (:mod:`~simulator.scenario.uncertain_checks`).

Values far outside the plausible ranges of docs/assumptions.md become warnings, not errors.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path as FsPath
from typing import Any

from simulator.errors import Issue, Location, Path, ScenarioError
from simulator.scenario.extends import MAX_EXTENDS_DEPTH, merge, read_tree, resolve_extends
from simulator.scenario.model import Scenario
from simulator.scenario.overrides import apply_overrides, parse_override_path
from simulator.scenario.validation import model_at, validate_scenario
from simulator.scenario.yamlsource import SourceMap, parse_yaml

__all__ = [
    "MAX_EXTENDS_DEPTH",
    "Loaded",
    "apply_overrides",
    "bundled_scenario",
    "check_variants",
    "load",
    "load_scenario",
    "load_text",
    "load_variants",
    "loaded_variants",
    "merge",
    "model_at",
    "parse_override_path",
    "validate_data",
]


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
    data, src, files = read_tree(fs_path, str(path if path is not None else fs_path), [])
    return _finish(data, src, files, overrides)


def load_text(
    text: str,
    filename: str = "<text>",
    overrides: Sequence[str] = (),
    base_dir: str | FsPath | None = None,
) -> Loaded:
    """Load a scenario from YAML text (``extends`` resolved against ``base_dir``)."""
    data, src = parse_yaml(text, filename)
    data, src, files = resolve_extends(data, src, filename, FsPath(base_dir or "."), [filename])
    return _finish(data, src, files, overrides)


def validate_data(data: dict[str, Any], sources: SourceMap | None = None) -> Loaded:
    """Validate already-parsed data (no files, no overrides)."""
    return _finish(copy.deepcopy(data), sources or SourceMap(), [], ())


def _finish(data: Any, src: SourceMap, files: list[str], overrides: Sequence[str]) -> Loaded:
    """Stages 2-5 on read data: overrides, account files, validation, cross-checks."""
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
    scenario = validate_scenario(data, src)
    from simulator.scenario.checks import cross_reference_issues, domain_warnings

    problems = cross_reference_issues(scenario, src)
    if problems:
        raise ScenarioError(problems, "checking references")
    if scenario.uncertain:
        from simulator.scenario.uncertain_checks import input_issues

        problems = input_issues(scenario.uncertain, data, src)
        if problems:
            raise ScenarioError(problems, "checking the uncertain inputs")
    warnings = file_warnings + domain_warnings(scenario, src)
    return Loaded(scenario, data, src, files, warnings, data_files)


def load_variants(loaded: Loaded) -> dict[str, Scenario]:
    """Each variant of a loaded scenario, merged over it and validated on its own.

    A problem inside a variant is reported at the variant's lines in the file.
    """
    return {name: v.scenario for name, v in loaded_variants(loaded).items()}


def loaded_variants(loaded: Loaded) -> dict[str, Loaded]:
    """Like :func:`load_variants`, each variant with its data and source positions.

    A variant inherits everything it does not change, its ``uncertain:`` block included.

    Raises
    ------
    ScenarioError
        The first variant's problems that fail, its stage naming the variant.
    """
    variants, failures = check_variants(loaded)
    if failures:
        raise failures[0][1]
    return variants


def check_variants(loaded: Loaded) -> tuple[dict[str, Loaded], list[tuple[str, ScenarioError]]]:
    """Every variant of a loaded scenario validated on its own: those that load, and the
    problems of those that do not (in file order), each error's stage naming its variant
    (``... found while validating fields, in variant 'six'``)."""
    out: dict[str, Loaded] = {}
    failures: list[tuple[str, ScenarioError]] = []
    base = {k: v for k, v in loaded.data.items() if k != "variants"}
    for name, body in (loaded.data.get("variants") or {}).items():
        prefix: Path = ("variants", name)
        child_src = SourceMap(
            {p[2:]: loc for p, loc in loaded.sources.keys.items() if p[:2] == prefix},
            {p[2:]: loc for p, loc in loaded.sources.values.items() if p[:2] == prefix},
        )
        merged_src = copy.deepcopy(loaded.sources)
        try:
            data = merge(copy.deepcopy(base), copy.deepcopy(body), (), merged_src, child_src)
            variant = _finish(data, merged_src, loaded.files, ())
        except ScenarioError as exc:
            if type(exc) is ScenarioError:
                stage = f"{exc.stage}, in variant {name!r}" if exc.stage else f"variant {name!r}"
                exc = ScenarioError(exc.issues, stage)
            failures.append((name, exc))
            continue
        variant.data_files = [*loaded.data_files, *variant.data_files]
        out[name] = variant
    return out, failures
