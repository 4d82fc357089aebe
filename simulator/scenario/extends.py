"""``extends``: a scenario file built on a base file, and the deep merge of the two.

Maps merge, lists and scalars replace, null deletes; source positions follow the merged
values, so a problem is reported at the line of the file that set the value.
"""

from __future__ import annotations

import contextlib
import copy
import os
from pathlib import Path as FsPath
from typing import Any

from simulator.data.limits import file_kind
from simulator.errors import Issue, Location, Path, ScenarioError
from simulator.scenario.yamlsource import SourceMap, parse_yaml, read_text

__all__ = ["MAX_EXTENDS_DEPTH", "merge", "read_tree", "resolve_extends"]

MAX_EXTENDS_DEPTH = 20
"""Most files an ``extends`` chain may hold."""


def read_tree(path: FsPath, shown: str, chain: list[str]) -> tuple[Any, SourceMap, list[str]]:
    """Read the YAML file at ``path`` (named ``shown`` in messages) with its base files.

    ``chain`` holds the resolved paths of the files extending it (for cycle detection).
    Returns the merged data, its source map and every file read, base files first.
    """
    text = read_text(path, shown)
    data, src = parse_yaml(text, shown)
    return resolve_extends(data, src, shown, path.parent, [*chain, str(path.resolve())])


def _extends_error(message: str, where: Location | None, ref: Any) -> ScenarioError:
    """A problem with the ``extends`` value ``ref``."""
    return ScenarioError([Issue(message, ("extends",), where, ref)], "resolving extends")


def resolve_extends(
    data: Any, src: SourceMap, shown: str, base_dir: FsPath, chain: list[str]
) -> tuple[Any, SourceMap, list[str]]:
    """Merge ``data`` (read from ``shown``) over the base file its ``extends`` names.

    ``base_dir`` is the directory the base path is relative to; returns as :func:`read_tree`.
    """
    if not isinstance(data, dict) or "extends" not in data:
        return data, src, [shown]
    ref = data.pop("extends")
    where = src.locate(("extends",))
    if ref is None:
        return data, src, [shown]
    if not isinstance(ref, str) or not ref.strip():
        raise _extends_error("must be the path of a base scenario file", where, ref)
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise _extends_error(f"extends chain deeper than {MAX_EXTENDS_DEPTH} files", where, ref)
    try:
        base_path = (base_dir / ref).resolve()
    except (RuntimeError, OSError):  # a link that leads back to itself
        raise _extends_error(
            "is a link that leads back to itself; give the path of a base scenario file",
            where,
            ref,
        ) from None
    if str(base_path) in chain:
        raise _extends_error("extends cycle: this file is already being extended", where, ref)
    try:
        kind = file_kind(os.stat(base_path).st_mode)  # never open a FIFO or a device
    except FileNotFoundError:
        raise _extends_error(
            f"base scenario not found at {base_path}; paths are relative to the extending file",
            where,
            ref,
        ) from None
    except OSError as exc:
        raise _extends_error(f"cannot read it: {exc.strerror or exc}", where, ref) from None
    if kind is not None:
        kind = "a directory" if kind == "a folder" else kind
        raise _extends_error(
            f"is {kind}, not a regular file; give the path of a base scenario file", where, ref
        )
    base_shown = str(base_path)
    with contextlib.suppress(ValueError):
        base_shown = str(base_path.relative_to(FsPath.cwd()))
    base, base_src, base_files = read_tree(base_path, base_shown, chain)
    if not isinstance(base, dict):
        raise _extends_error("base scenario is not a mapping", where, ref)
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
