"""Saved runs: everything needed to reproduce or re-render a result, in one directory.

A run directory holds ``metrics.csv`` and ``metrics.parquet`` (segment x metric: mean,
CI, quantiles), ``touchpoints.csv``, ``monthly.csv`` (fan data), ``scenario.yaml`` (the
fully resolved scenario), ``run.json`` (seed, replications, precision, scenario hash,
package versions, command), ``replications.json`` (per-replication summaries, from
which ``cssim report`` re-renders without simulating), ``csm_books.csv`` (each
replication's per-CSM book NRR, when a segment has CSM-owned renewals), ``assumptions.csv`` (every input
with its unit and source) and, after ``cssim run --frontier``, ``frontier.csv``. It is
written to a temporary
directory and renamed into place, so an interrupted run leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import platform
import shutil
import sys
import tempfile
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

from simulator.analysis.experiment import Experiment, Precision, ReplicationResult
from simulator.errors import Issue, Location, OutputError, ScenarioError
from simulator.report.files import current_umask, naming_target
from simulator.report.formatting import json_safe, whole
from simulator.report.targets import check_run_directory, is_run_directory
from simulator.scenario.loader import validate_data
from simulator.scenario.model import Scenario
from simulator.scenario.yamlsource import dump_yaml, parse_yaml

__all__ = [
    "load_run",
    "provenance",
    "read_extras",
    "save_run",
    "scenario_hash",
    "tidy_csv",
    "tidy_json",
    "write_parquet",
]

FORMAT_VERSION = 1
PACKAGES = ("cssim", "numpy", "scipy", "simpy", "pydantic", "ruamel.yaml", "rich", "click")


def scenario_hash(s: Scenario) -> str:
    """SHA-256 of the resolved scenario's canonical JSON (the same plan, the same hash)."""
    data = s.model_dump(mode="json", exclude={"extends"})
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


def tidy_csv(rows: list[dict[str, Any]]) -> str:
    """CSV text of tidy rows (non-finite numbers left empty)."""
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(json_safe(r))
    return buf.getvalue()


def tidy_json(rows: list[dict[str, Any]]) -> str:
    """JSON array of tidy rows (non-finite numbers as null)."""
    return json.dumps([json_safe(r) for r in rows], indent=2) + "\n"


def write_parquet(rows: list[dict[str, Any]], path: Path) -> None:
    """Tidy rows as a Parquet file (pyarrow)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist([json_safe(r) for r in rows]), path)


def provenance(
    scenario: Scenario,
    root_seed: int,
    replications: int,
    precision: Precision | None = None,
    command: list[str] | None = None,
) -> dict[str, Any]:
    """Where a result came from: scenario and its hash, seed, replications, precision
    reached, time, command line and package versions (``run.json`` and Provenance sheets)."""
    return {
        "format": FORMAT_VERSION,
        "scenario": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "root_seed": root_seed,
        "burn_in_days": whole(scenario.resolved_burn_in_days),
        "replications": replications,
        "precision": None if precision is None else asdict(precision),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command if command is not None else sys.argv,
        "versions": _versions(),
    }


def save_run(
    directory: Path,
    exp: Experiment,
    command: list[str] | None = None,
    force: bool = False,
    *,
    frontier: list[dict[str, Any]] | None = None,
    assumptions: list[dict[str, Any]] | None = None,
) -> Path:
    """Write a run directory atomically (see the module docstring).

    ``frontier`` rows (``cssim run --frontier``) go to ``frontier.csv`` and the
    ``assumptions`` (inputs with units and sources) to ``assumptions.csv``.

    An existing run directory is replaced only with ``force`` and only when cssim wrote
    it (:func:`~simulator.report.targets.is_run_directory`): the new run is written
    beside it, the old one moved aside, the new one renamed into place, then the old
    one removed.

    Raises
    ------
    OutputError
        When ``directory`` cannot be written or must not be replaced (see
        :func:`~simulator.report.targets.check_run_directory`).
    """
    directory = Path(directory)
    check_run_directory("directory", directory, force=force)
    parent = directory.parent if str(directory.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)  # runs/ on a fresh clone
    # a new folder of our own: nothing already there (a .fy27.tmp-1234 of the user's or
    # of another run) is ever touched, and only what this call made is removed
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.tmp-", dir=parent))
    try:
        os.chmod(tmp, 0o777 & ~current_umask())  # mkdtemp makes 0700; give the usual mode
        rows = exp.rows()
        (tmp / "metrics.csv").write_text(tidy_csv(rows), encoding="utf-8")
        write_parquet(rows, tmp / "metrics.parquet")
        (tmp / "touchpoints.csv").write_text(tidy_csv(exp.touch_stats()), encoding="utf-8")
        (tmp / "monthly.csv").write_text(tidy_csv(exp.monthly_fan()), encoding="utf-8")
        books = exp.csm_book_rows()
        if books:
            (tmp / "csm_books.csv").write_text(tidy_csv(books), encoding="utf-8")
        (tmp / "scenario.yaml").write_text(
            "# the fully resolved scenario of this run\n"
            + dump_yaml(exp.scenario.model_dump(mode="json", exclude={"extends"})),
            encoding="utf-8",
        )
        meta = provenance(exp.scenario, exp.root_seed, exp.replications, exp.precision, command)
        (tmp / "run.json").write_text(
            json.dumps(json_safe(meta), indent=2) + "\n", encoding="utf-8"
        )
        if frontier:
            (tmp / "frontier.csv").write_text(tidy_csv(frontier), encoding="utf-8")
        if assumptions:
            (tmp / "assumptions.csv").write_text(tidy_csv(assumptions), encoding="utf-8")
        reps = [json_safe(asdict(r)) for r in exp.results]
        (tmp / "replications.json").write_text(json.dumps(reps), encoding="utf-8")
        _swap_in(tmp, directory)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise naming_target(exc, directory, str(tmp)) from exc  # the run folder, not tmp
        raise
    return directory


def _swap_in(new: Path, directory: Path) -> None:
    """Rename ``new`` onto ``directory``; an old run directory is moved aside, then removed."""
    if not directory.exists() or (directory.is_dir() and not any(directory.iterdir())):
        os.replace(new, directory)  # onto an empty folder too: the rename fails if it fills
        return
    if not is_run_directory(directory):
        raise OutputError(
            "directory", directory, "is no longer a cssim run directory; not replaced"
        )
    # the old run goes into a folder made for it here, so that removing it afterwards
    # removes nothing else
    aside = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old-", dir=directory.parent))
    old = aside / directory.name
    try:
        os.replace(directory, old)
    except BaseException:
        aside.rmdir()
        raise
    try:
        os.replace(new, directory)
    except BaseException:
        os.replace(old, directory)  # put the previous run back
        aside.rmdir()
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _nan(v: Any) -> Any:
    if v is None:
        return math.nan
    if isinstance(v, dict):
        return {k: _nan(x) for k, x in v.items()}
    return v


def load_run(directory: Path) -> tuple[Experiment, dict[str, Any]]:
    """Read a run directory back into an Experiment (no simulation) and its metadata.

    Raises
    ------
    ScenarioError
        When the directory is not a cssim run or its files are damaged.
    """
    directory = Path(directory)
    where = Location(str(directory))
    try:
        meta = json.loads((directory / "run.json").read_text(encoding="utf-8"))
        text = (directory / "scenario.yaml").read_text(encoding="utf-8")
        reps = json.loads((directory / "replications.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ScenarioError(
            [
                Issue(
                    f"not a cssim run directory (missing {Path(exc.filename).name}); give the -o DIR of a 'cssim run'",
                    location=where,
                )
            ],
            "reading the run",
        ) from None
    except (OSError, ValueError) as exc:
        raise ScenarioError(
            [Issue(f"damaged run directory: {exc}", location=where)], "reading the run"
        ) from None
    data, src = parse_yaml(text, str(directory / "scenario.yaml"))
    scenario = validate_data(data, src).scenario
    results = [
        ReplicationResult(
            replication=r["replication"],
            segments={k: _nan(v) for k, v in r["segments"].items()},
            teams={k: _nan(v) for k, v in r["teams"].items()},
            touches=r["touches"],
            monthly=r["monthly"],
            tasks=r["tasks"],
            simpy_events=r["simpy_events"],
            csm_books=[{k: _nan(v) for k, v in b.items()} for b in r.get("csm_books", [])],
        )
        for r in reps
    ]
    exp = Experiment(scenario, int(meta["root_seed"]), results)
    if meta.get("precision"):
        p = meta["precision"]
        exp.precision = Precision(
            p["target"], p["reached"], p["met"], [tuple(h) for h in p.get("history", [])]
        )
    if scenario_hash(scenario) != meta.get("scenario_hash"):
        raise ScenarioError(
            [
                Issue(
                    "scenario.yaml does not match the hash in run.json; the run directory was edited",
                    location=where,
                )
            ],
            "reading the run",
        )
    return exp, meta


def _number(text: str) -> Any:
    if text == "":
        return math.nan
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def read_extras(directory: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None]:
    """The frontier rows (empty when the run has none) and the assumption rows (None when
    the run did not record them) of a run directory."""
    directory = Path(directory)
    frontier: list[dict[str, Any]] = []
    assumptions = None
    path = directory / "frontier.csv"
    if path.exists():
        with path.open(encoding="utf-8", newline="") as fh:
            frontier = [
                {k: v if k == "team" else _number(v) for k, v in row.items()}
                for row in csv.DictReader(fh)
            ]
    path = directory / "assumptions.csv"
    if path.exists():
        with path.open(encoding="utf-8", newline="") as fh:
            assumptions = list(csv.DictReader(fh))
    return frontier, assumptions
