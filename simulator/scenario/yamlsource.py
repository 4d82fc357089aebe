"""YAML 1.2 reading with positions: plain data plus a map from field path to location.

ruamel.yaml parses with duplicate keys rejected; the tree is turned into plain Python
values (dates become ISO strings) and every key and value keeps its line and column, so
later stages can point at the exact place of a problem even after ``extends`` merges.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from simulator.data.limits import read_regular
from simulator.errors import Issue, Location, Path, ScenarioError, format_path

_STANDARD_TAGS = {
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:omap",
}

MAX_NODES = 60_000
"""Values aliases may add beyond those the text spells out (count of values).

About 100 times the largest real scenario: 585 values in the saved-run dump
(``scenario.yaml`` of a run directory) of each bundled scenario, whose sources hold at
most 295 (scenarios/default.yaml); tests/data holds at most 32. A document may also
hold one value per character of its text (each value takes at least one character
unless it is an alias), so long inline account lists always fit; only alias expansion
is bounded: the ``a: &a [*b, *b, ...]`` bomb is stopped after about 60,000 values.
"""
MAX_DEPTH = 64
MAX_BYTES = 50 * 1024 * 1024


@dataclass
class SourceMap:
    """Locations of keys and values by field path."""

    keys: dict[Path, Location] = field(default_factory=dict)
    values: dict[Path, Location] = field(default_factory=dict)

    def locate(self, path: Path, prefer: str = "value") -> Location | None:
        """Location of ``path``, or of its nearest ancestor that has one."""
        first, second = (self.values, self.keys) if prefer == "value" else (self.keys, self.values)
        p = tuple(path)
        while True:
            if p in first:
                return first[p]
            if p in second:
                return second[p]
            if not p:
                return None
            p = p[:-1]

    def drop(self, prefix: Path) -> None:
        """Forget every location at or below ``prefix``."""
        n = len(prefix)
        for d in (self.keys, self.values):
            for p in [p for p in d if p[:n] == prefix]:
                del d[p]

    def take(self, other: SourceMap, prefix: Path) -> None:
        """Copy ``other``'s locations at or below ``prefix``."""
        n = len(prefix)
        for mine, theirs in ((self.keys, other.keys), (self.values, other.values)):
            for p, loc in theirs.items():
                if p[:n] == prefix:
                    mine[p] = loc


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that leaves timestamps as text.

    Dates are validated later (with their position) by the model, so an impossible date
    such as 2027-13-01 gets a located message instead of a parser crash.
    """


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_str)


def _yaml() -> YAML:
    y = YAML(typ="rt", pure=True)
    y.Constructor = _Constructor
    y.allow_duplicate_keys = False
    return y


def parse_yaml(text: str, filename: str) -> tuple[Any, SourceMap]:
    """Parse YAML text into plain data and its source map.

    Raises
    ------
    ScenarioError
        On a syntax error, a duplicate key, an unsupported value or a tree that is too
        large or recursive, with the file position.
    """
    try:
        tree = _yaml().load(io.StringIO(text))
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        key = _dup_key(exc)
        raise ScenarioError(
            [
                Issue(
                    f"duplicate key {key!r}: each key may appear once in a mapping; "
                    "remove or rename one of them",
                    location=_mark(filename, mark),
                )
            ],
            "reading YAML",
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
        raise ScenarioError(
            [
                Issue(
                    f"YAML syntax error{context}: {problem}; check indentation, colons "
                    "and quotes around this place",
                    location=_mark(filename, mark),
                )
            ],
            "reading YAML",
        ) from None
    except ReaderError as exc:
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        raise ScenarioError(
            [
                Issue(
                    f"character {exc.character!r} is not allowed in YAML ({exc.reason}); "
                    "remove it or save the file as plain UTF-8 text",
                    location=Location(filename, line, col),
                )
            ],
            "reading YAML",
        ) from None
    except (YAMLError, ValueError, TypeError, RecursionError, AttributeError, KeyError) as exc:
        # ruamel raises a few non-YAMLError exceptions on odd input (bad unicode, tags)
        raise ScenarioError(
            [Issue(f"not valid YAML: {exc}", location=Location(filename))], "reading YAML"
        ) from None
    src = SourceMap()
    src.keys[()] = Location(filename, 1, 1)
    builder = _Builder(filename, src, MAX_NODES + len(text))
    data = builder.convert(tree, ())
    if builder.issues:
        raise ScenarioError(builder.issues, "reading YAML")
    return data, src


def _dup_key(exc: DuplicateKeyError) -> str:
    problem = exc.problem or ""
    start = problem.find('"')
    end = problem.find('"', start + 1)
    return problem[start + 1 : end] if 0 <= start < end else "?"


def _mark(filename: str, mark: Any) -> Location:
    if mark is None:
        return Location(filename)
    return Location(filename, mark.line + 1, mark.column + 1)


class _Builder:
    """Turns a ruamel round-trip tree into plain values, recording positions."""

    def __init__(self, filename: str, src: SourceMap, max_nodes: int) -> None:
        self.filename = filename
        self.src = src
        self.nodes = 0
        self.max_nodes = max_nodes
        self.issues: list[Issue] = []
        self._active: set[int] = set()

    def _loc(self, pos: Any) -> Location | None:
        try:
            line, col = pos
            return Location(self.filename, int(line) + 1, int(col) + 1)
        except (TypeError, ValueError):
            return None

    def _pos(self, fn: Any, arg: Any) -> Location | None:
        try:
            return self._loc(fn(arg))
        except (KeyError, IndexError, TypeError, AttributeError):
            return None

    def _fail(self, message: str, path: Path, loc: Location | None, value: Any = None) -> None:
        if len(self.issues) < 50:
            self.issues.append(Issue(message, path, loc or Location(self.filename)))

    def convert(self, node: Any, path: Path) -> Any:
        self.nodes += 1
        if self.nodes > self.max_nodes or len(path) > MAX_DEPTH:
            if not self.issues:
                self._fail(
                    "the document is too large or too deeply nested (aliases expanding "
                    "without bound?); a scenario needs only a few thousand values",
                    path,
                    self.src.locate(path),
                )
            return None
        if isinstance(node, CommentedMap | CommentedSeq):
            tag = getattr(getattr(node, "tag", None), "value", None)
            if tag is not None and tag not in _STANDARD_TAGS:
                self._fail(
                    f"YAML tag {tag} is not part of the scenario language; remove it",
                    path,
                    self.src.locate(path),
                )
                return None
            if id(node) in self._active:
                self._fail(
                    "recursive YAML alias: a value contains itself", path, self.src.locate(path)
                )
                return None
            self._active.add(id(node))
            try:
                return (
                    self._map(node, path)
                    if isinstance(node, CommentedMap)
                    else self._seq(node, path)
                )
            finally:
                self._active.discard(id(node))
        return self._scalar(node, path)

    def _map(self, node: CommentedMap, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in list(node.keys()):
            kloc = self._pos(node.lc.key, key) or self.src.locate(path)
            if not isinstance(key, str) or isinstance(key, bool):
                shown = format_path(path) or "the top level"
                self._fail(
                    f"keys must be names, not {type(key).__name__} values (got {key!r} in "
                    f"{shown}); quote the key if it is meant as text",
                    path,
                    kloc,
                )
                continue
            sub = (*path, str(key))
            if kloc is not None:
                self.src.keys[sub] = kloc
            # a mapping or list is located at its key; a scalar at the value itself
            child = node[key]
            vloc = kloc if isinstance(child, CommentedMap | CommentedSeq) else None
            vloc = vloc or self._pos(node.lc.value, key)
            if vloc is not None:
                self.src.values[sub] = vloc
            out[str(key)] = self.convert(node[key], sub)
        return out

    def _seq(self, node: CommentedSeq, path: Path) -> list[Any]:
        out = []
        for i, item in enumerate(node):
            sub = (*path, i)
            loc = self._pos(node.lc.item, i)
            if loc is not None:
                self.src.values[sub] = loc
            out.append(self.convert(item, sub))
        return out

    def _scalar(self, node: Any, path: Path) -> Any:
        if node is None or isinstance(node, bool):
            return node
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        if isinstance(node, str):
            return str(node)
        if isinstance(node, dt.datetime | dt.date):
            return node.isoformat()
        if (
            isinstance(node, TaggedScalar)
            and getattr(node.tag, "value", None) == "tag:yaml.org,2002:str"
        ):
            return str(node.value)
        self._fail(
            "YAML tag "
            + str(getattr(getattr(node, "tag", None), "value", type(node).__name__))
            + " is not part of the scenario language (custom tags such as !name are not "
            "supported); remove it",
            path,
            self.src.locate(path),
        )
        return None


def read_text(path: FsPath, shown: str) -> str:
    """Read a scenario file as UTF-8 text, or raise a ScenarioError naming the file.

    A path that is not a regular file (a folder, ``/dev/zero``, a named pipe) is refused
    before it is opened, and a file over :data:`MAX_BYTES` before it is read.
    """

    def refuse(reason: str) -> ScenarioError:
        if reason.startswith("is a folder"):
            reason = "is a directory, not a regular file; give the path of a .yaml scenario file"
        elif "not a regular file" in reason:
            reason += "; give the path of a .yaml scenario file"
        else:
            reason = reason.split(";")[0] + "; a scenario file should be far smaller"
        return ScenarioError([Issue(reason, location=Location(shown))], "reading the file")

    try:
        raw = read_regular(path, MAX_BYTES, refuse)
        return raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise ScenarioError(
            [
                Issue(
                    "no such file; check the path (bundled scenarios live in scenarios/)",
                    location=Location(shown),
                )
            ],
            "reading the file",
        ) from None
    except PermissionError:
        raise ScenarioError(
            [Issue("permission denied; make the file readable", location=Location(shown))],
            "reading the file",
        ) from None
    except UnicodeDecodeError as exc:
        before = exc.object[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise ScenarioError(
            [
                Issue(
                    f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x}); save the file as UTF-8",
                    location=Location(shown, line, col),
                )
            ],
            "reading the file",
        ) from None
    except OSError as exc:
        raise ScenarioError(
            [Issue(f"cannot read: {exc.strerror or exc}", location=Location(shown))],
            "reading the file",
        ) from None


def dump_yaml(data: Any) -> str:
    """Plain data as block-style YAML text."""
    y = YAML(typ="safe", pure=True)
    y.default_flow_style = False
    # keep the field order; ruamel initialises this option to None, so mypy infers None
    y.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    buf = io.StringIO()
    y.dump(data, buf)
    return buf.getvalue()
