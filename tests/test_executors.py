"""The same answer from one process, two processes or a Dask cluster: the JSON of run,
decide, solve and tradeoff on stdout is byte for byte the same for ``-j 1``, ``-j 2`` and
``--dask local`` (decide's wall seconds left out).

The library's experiments are checked alike in ``tests/test_experiment.py``; here the
commands that schedule their own batches (decide's draws, tornado and flip thresholds,
solve's headcount search, tradeoff's candidates) are run end to end, on a 40-account book.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import cli
from tests.conftest import SMALL

pytestmark = pytest.mark.xdist_group("executors")  # one worker: each -j 1 answer once

DECISION = """\
uncertain:
  segments.*.churn.coverage_effect: {dist: triangular, low: 0.2, mode: 0.8, high: 1.4}
  segments.*.churn.responsiveness_effect: {dist: triangular, low: 0, mode: 0.5, high: 1}
variants:
  three:
    segments: {core: {team: {csms: 3}}}
"""
"""The small book as a decision: two uncertain inputs, and a variant with a third CSM."""

RUNS: dict[str, tuple[str, ...]] = {
    "run": ("run", "{small}", "-n", "4"),
    "decide": (
        "decide",
        "{decision}",
        "--draws",
        "4",
        "--inner",
        "2",
        "--sensitivity-replications",
        "2",
    ),
    "solve": ("solve", "{small}", "-n", "3"),
    "tradeoff": ("tradeoff", "{small}", "--team", "core", "--csms", "1", "-n", "2"),
}
"""Small runs of each command on the 40-account book (:data:`tests.conftest.SMALL`)."""

RUNNERS = {"two processes": ("-j", "2"), "dask local": ("-j", "2", "--dask", "local")}

SECONDS = re.compile(r'^\s*"seconds": [0-9.e+-]+,?\n', re.MULTILINE)
"""decide's wall time: the one field of a JSON answer that may differ between runs."""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small book and its decision, written once (so :func:`_serial` runs once a
    command)."""
    path = tmp_path_factory.mktemp("executors")
    (path / "small.yaml").write_text(SMALL, encoding="utf-8")
    (path / "decision.yaml").write_text(SMALL + DECISION, encoding="utf-8")
    return path


def _stdout(command: str, runner: tuple[str, ...], folder: Path) -> str:
    files = {"small": folder / "small.yaml", "decision": folder / "decision.yaml"}
    args = [a.format(**files) for a in RUNS[command]]
    res = CliRunner().invoke(cli, [*args, *runner, "-q", "--format", "json"])
    assert res.exit_code == 0, res.output
    return SECONDS.sub("", res.stdout)


@functools.cache
def _serial(command: str, folder: Path) -> str:
    return _stdout(command, ("-j", "1"), folder)


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("command", RUNS)
def test_json_is_the_same_for_any_jobs_and_on_dask(command: str, runner: str, folder: Path) -> None:
    if runner == "dask local":
        pytest.importorskip("dask.distributed")
    serial = _serial(command, folder)
    doc = json.loads(serial)
    if command == "decide":  # the tornado's and the thresholds' batches ran too
        assert doc["tornado"]["bars"] and len(doc["options"]) == 2
    assert _stdout(command, RUNNERS[runner], folder) == serial
