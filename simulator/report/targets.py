"""Checking output targets before any work, so that no command destroys a user's files.

Every command checks all of its outputs up front: the folder exists and is writable, the
suffix is one the command writes, and no output is an input (or holds one). A run
directory is replaced (``force``) only when cssim wrote it: it holds cssim's
``run.json`` and nothing but the files :func:`~simulator.report.saved.save_run` writes.
The working directory and any folder holding an input are never replaced.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from simulator.errors import Hint, OutputError, hinted

__all__ = [
    "RUN_FILES",
    "check_file_target",
    "check_folder_target",
    "check_run_directory",
    "is_run_directory",
]

RUN_FILES = frozenset(
    {
        "metrics.csv",
        "metrics.parquet",
        "touchpoints.csv",
        "monthly.csv",
        "csm_books.csv",
        "scenario.yaml",
        "run.json",
        "replications.json",
        "assumptions.csv",
        "frontier.csv",
    }
)
"""Every file a saved run directory may hold (``run.json`` identifies one)."""

_FORCE = Hint("force", True)


def is_run_directory(path: str | Path) -> bool:
    """True when ``path`` is a directory cssim saved a run to, holding nothing else.

    It must hold a ``run.json`` with cssim's ``format`` and ``scenario_hash`` keys, and
    only the files of :data:`RUN_FILES` (regular files, not folders or links).
    """
    path = Path(path)
    if not path.is_dir() or path.is_symlink():
        return False
    entries = list(path.iterdir())
    names = {p.name for p in entries}
    if "run.json" not in names or not names <= RUN_FILES:
        return False
    if any(p.is_symlink() or not p.is_file() for p in entries):
        return False  # a folder or link under a run file's name is not cssim's
    try:
        meta = json.loads((path / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and "format" in meta and "scenario_hash" in meta


def _inputs(inputs: Iterable[str | Path]) -> list[Path]:
    return [Path(p).resolve() for p in inputs if p and Path(p).exists()]


def _check_folder(param: str, path: Path, create: bool = False) -> None:
    """Refuse a target whose folder is missing or not writable; with ``create``, a
    missing folder is accepted when the nearest folder that exists is writable (the
    writer makes the rest, as ``runs/fy27`` on a fresh clone needs)."""
    parent = path.parent if str(path.parent) else Path(".")
    if create and not parent.exists():
        ancestor = parent
        # a dangling link counts as there (it is in the way), not as missing
        while not (ancestor.exists() or ancestor.is_symlink()) and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        if not ancestor.is_dir():
            raise OutputError(
                param,
                path,
                f"cannot write there: {ancestor} is not a folder (a file or a broken link)",
            )
        parent = ancestor
    if not parent.is_dir():
        raise OutputError(
            param,
            path,
            f"cannot write there: the folder {parent} does not exist; create it first or "
            "choose another path",
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(param, path, f"cannot write there: the folder {parent} is not writable")


def check_file_target(
    param: str,
    path: str | Path,
    suffixes: Sequence[str] | None = None,
    inputs: Iterable[str | Path] = (),
    *,
    force: bool | None = None,
    role: str = "the output",
) -> None:
    """Refuse a file output that cannot be written or would overwrite an input.

    Parameters
    ----------
    param
        The Python-API parameter naming the target (for the message).
    path
        The file to be written.
    suffixes
        Allowed suffixes with the dot (``(".csv", ".json")``); None allows any.
    inputs
        Files the command reads; the output may be none of them.
    force
        None: an existing file is replaced; False: an existing file is refused (pass
        ``force=True``); True: replaced.
    role
        What is written, for the message (``"the plan"``).

    Raises
    ------
    OutputError
        Naming the target, what is wrong and how to fix it.
    """
    path = Path(path)
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise OutputError(param, path, f"use a file name ending in {' or '.join(suffixes)}")
    if path.is_dir():
        raise OutputError(param, path, "is a folder; give a file name")
    resolved = path.resolve()
    for source in _inputs(inputs):
        if resolved == source:
            raise OutputError(
                param,
                path,
                f"is an input of this run (the file being read); write {role} to another file",
            )
    if force is False and path.exists():
        raise OutputError(
            param, path, hinted("exists; pass ", _FORCE, " to overwrite it or choose another")
        )
    _check_folder(param, path)


def check_run_directory(
    param: str, path: str | Path, inputs: Iterable[str | Path] = (), force: bool = False
) -> None:
    """Refuse a run directory that cannot be written, or must not be replaced (missing
    folders above it are made when it is written).

    An existing empty folder is used; one with files is replaced only with ``force``
    and only when :func:`is_run_directory`. Never the working directory or a folder that
    holds (or is) an input.

    Raises
    ------
    OutputError
        Naming the target, what is wrong and how to fix it.
    """
    path = Path(path)
    resolved = path.resolve()
    cwd = Path.cwd().resolve()
    if resolved == cwd or resolved in cwd.parents:
        raise OutputError(
            param,
            path,
            "is the working folder (or holds it); give a new folder name for the run",
        )
    for source in _inputs(inputs):
        if resolved == source or resolved in source.parents:
            raise OutputError(
                param,
                path,
                f"holds an input of this run ({source.name}); give a new folder name for the run",
            )
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise OutputError(param, path, "exists and is not a folder; give a new folder name")
    if path.is_dir() and any(path.iterdir()):
        if not force:
            raise OutputError(
                param,
                path,
                hinted("exists; pass ", _FORCE, " to replace it or choose another path"),
            )
        if not is_run_directory(path):
            others = sorted(
                p.name for p in path.iterdir() if p.name not in RUN_FILES or not p.is_file()
            )
            listed = ", ".join(others[:5]) + (" ..." if len(others) > 5 else "")
            what = f"holds more than a saved run ({listed})" if others else "is not a saved run"
            raise OutputError(
                param,
                path,
                f"{what}; cssim replaces only a run directory it saved (run.json and its "
                "files, nothing else); move those files or choose another path",
            )
    _check_folder(param, path, create=True)


def check_folder_target(param: str, path: str | Path) -> None:
    """Refuse a folder of outputs (charts) that is a file or cannot be made.

    The folder (and missing folders above it) is created when missing; files in it are
    replaced by name.

    Raises
    ------
    OutputError
        Naming the target, what is wrong and how to fix it.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(param, path, "is a file; give a folder name")
    if not path.is_dir():
        _check_folder(param, path, create=True)
    elif not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(param, path, "cannot write there: the folder is not writable")
