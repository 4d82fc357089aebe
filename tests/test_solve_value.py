"""Headcount on value: the search finds the maximum of a known concave value curve, and
``cssim solve`` answers for every team."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from simulator.analysis import solve_value as sv
from simulator.analysis.experiment import ReplicationResult
from simulator.cli import cli
from simulator.scenario.loader import load

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "default.yaml"
TOP_ONLY = ["segments.mid=null", "segments.smb=null", "uncertain=null"]


def _fake_runs(peak: int, noise: float = 0.0):
    """run_jobs and net_value replaced by a concave curve -1000 (n - peak)^2 (+ a
    replication effect shared by every headcount, as common random numbers give)."""

    def run_jobs(jobs: list[tuple[Any, int]], *_: Any, **__: Any) -> list[ReplicationResult]:
        out = []
        for scenario, k in jobs:
            n = scenario.segments["top"].team.csms
            out.append(ReplicationResult(k, {"top": {"n": n, "k": k}}, {}, [], [], 0, 0))
        return out

    def net_value(_scenario: Any, metrics: Any, _segments: Any) -> tuple[float, float]:
        n, k = metrics["top"]["n"], metrics["top"]["k"]
        v = -1000.0 * (n - peak) ** 2 + noise * k
        return v, v

    return run_jobs, net_value


@pytest.mark.parametrize("peak", [1, 4, 8, 13])
def test_finds_the_maximum_of_a_concave_value_curve(
    monkeypatch: pytest.MonkeyPatch, peak: int
) -> None:
    run_jobs, net_value = _fake_runs(peak, noise=50.0)
    monkeypatch.setattr(sv, "run_jobs", run_jobs)
    monkeypatch.setattr(sv, "net_value", net_value)
    sol = sv.solve_value(load(DEFAULT, TOP_ONLY), "top", replications=5)
    assert sol.best == peak
    assert peak - 1 in sol.values or peak == 0
    assert peak + 1 in sol.values
    m = sol.marginal(peak + 1)
    assert m is not None and m.value == pytest.approx(-1000.0) and m.low == pytest.approx(-1000.0)


def test_solve_gives_every_team_an_answer() -> None:
    """The default's mid segment has no targets: it gets the value answer, not silence."""
    res = CliRunner().invoke(
        cli,
        [
            "solve",
            str(DEFAULT),
            "--set=segments.smb=null",
            "--set=uncertain=null",
            "-n",
            "3",
            "-j",
            "1",
            "-q",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    rows = {r["team"]: r for r in json.loads(res.stdout)}
    assert set(rows) == {"top", "mid"}
    assert rows["mid"]["has_targets"] is False and rows["mid"]["recommended"] is not None
    assert rows["top"]["has_targets"] is True
    assert "by hours you need" in rows["top"]["recommendation"]


def test_a_best_at_the_search_limit_is_flagged(monkeypatch: pytest.MonkeyPatch) -> None:
    run_jobs, net_value = _fake_runs(20)
    monkeypatch.setattr(sv, "run_jobs", run_jobs)
    monkeypatch.setattr(sv, "net_value", net_value)
    sol = sv.solve_value(load(DEFAULT, TOP_ONLY), "top", replications=2, max_csms=3)
    assert sol.best == 3 and sol.at_limit
