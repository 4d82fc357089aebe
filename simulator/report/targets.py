"""Checking output targets before any work, so that no command destroys a user's files.

Every command checks all of its outputs up front: the folder exists and is writable, the
suffix is one the command writes, and no output is an input (or holds one, or lies
inside a folder read as one). The command line passes ``force=False`` unless the user
gave ``--force``: then nothing already at a file target (a file, a link) is replaced,
and a chart folder that holds PNG or SVG files is refused. A run
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
    "CHART_SUFFIXES",
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


def _refuse_inputs(param: str, path: Path, inputs: Iterable[str | Path], role: str) -> None:
    """Refuse a target that is an input (through any link) or lies inside a folder read
    as an input (a saved run's directory)."""
    resolved = path.resolve()
    for source in _inputs(inputs):
        if resolved == source:
            raise OutputError(
                param,
                path,
                f"is an input of this run (the file being read); write {role} to another file",
            )
        if source.is_dir() and source in resolved.parents:
            raise OutputError(
                param,
                path,
                f"is inside {source.name}, a folder this command reads; write {role} "
                "somewhere else",
            )


def _exists(path: Path) -> bool:
    """True for anything at ``path``, a broken link included."""
    return path.exists() or path.is_symlink()


def _check_folder(param: str, path: Path, create: bool = False) -> None:
    """Refuse a target whose folder is missing or not writable; with ``create``, a
    missing folder is accepted when the nearest folder that exists is writable (the
    writer makes the rest, as ``runs/fy27`` on a fresh clone needs)."""
    parent = path.parent if str(path.parent) else Path(".")
    for above in (parent, *parent.parents):
        if _exists(above) and not above.is_dir():
            raise OutputError(
                param,
                path,
                f"cannot write there: {above} is not a folder (a file or a broken link); "
                "choose another path",
            )
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
        None: an existing file is replaced; False: anything already at ``path`` (a
        file, a link, a broken link) is refused (pass ``force=True``); True: replaced
        (a link itself is replaced, never the file it points to).
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
    if path.exists() and not path.is_symlink() and not path.is_file():
        raise OutputError(  # /dev/null, a FIFO, a socket: never replaced, even with force
            param, path, "is not a regular file (a device, FIFO or socket); give a file name"
        )
    _refuse_inputs(param, path, inputs, role)
    if force is False and _exists(path):
        what = "is a link" if path.is_symlink() else "exists"
        raise OutputError(
            param,
            path,
            hinted(f"{what}; pass ", _FORCE, " to overwrite it or choose another file name"),
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


CHART_SUFFIXES = (".png", ".svg")
"""The files a folder of charts receives."""


def check_folder_target(
    param: str,
    path: str | Path,
    inputs: Iterable[str | Path] = (),
    *,
    force: bool | None = None,
    suffixes: Sequence[str] = CHART_SUFFIXES,
) -> None:
    """Refuse a folder of outputs (charts) that is a file, cannot be made, is (or is
    inside) an input folder, or already holds files it could replace.

    The folder (and missing folders above it) is created when missing; files in it are
    written by name.

    Parameters
    ----------
    param, path
        The Python-API parameter naming the folder, and the folder.
    inputs
        Files and folders the command reads; the folder may not be or lie inside a
        folder among them.
    force
        None or True: files in the folder are replaced by name; False: a folder that
        already holds a file ending in one of ``suffixes`` is refused (its names could
        be the charts' names).
    suffixes
        What the folder receives (``.png`` and ``.svg``).

    Raises
    ------
    OutputError
        Naming the target, what is wrong and how to fix it.
    """
    path = Path(path)
    if _exists(path) and not path.is_dir():
        raise OutputError(param, path, "is a file; give a folder name")
    resolved = path.resolve()
    for source in _inputs(inputs):
        if source.is_dir() and (resolved == source or source in resolved.parents):
            raise OutputError(
                param,
                path,
                f"is inside {source.name}, a folder this command reads; give another folder",
            )
    if not path.is_dir():
        _check_folder(param, path, create=True)
        return
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(param, path, "cannot write there: the folder is not writable")
    if force is False:
        taken = sorted(p.name for p in path.iterdir() if p.suffix.lower() in tuple(suffixes))
        if taken:
            listed = ", ".join(taken[:3]) + (" ..." if len(taken) > 3 else "")
            raise OutputError(
                param,
                path,
                hinted(
                    f"already holds {listed}, which the charts could replace; pass ",
                    _FORCE,
                    " to replace files of the same name or choose an empty folder",
                ),
            )
