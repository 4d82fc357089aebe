"""The CFO trade-off: the plan fits its budget, beats every single change, the frontier is monotone."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.analysis.analytic import estimate
from simulator.analysis.tradeoff import candidate_changes, tradeoff
from simulator.cli import cli
from simulator.scenario.loader import load, load_scenario

TOP = ["segments.mid=null", "segments.smb=null"]
TOP_SET = ["--set", "segments.mid=null", "--set", "segments.smb=null"]


# the tests that share this module fixture stay on one xdist worker (--dist loadgroup)
RESULT_GROUP = pytest.mark.xdist_group("tradeoff_result")


@pytest.fixture(scope="module")
def result():
    return tradeoff(load(None, TOP), "top", 6, replications=4, root_seed=3, frontier=range(5, 10))


@pytest.mark.slow
@RESULT_GROUP
def test_plan_fits_the_offered_headcount(result) -> None:
    assert result.plan is not None
    assert result.plan.fte <= 6
    assert result.savings == pytest.approx(2 * 180_000)
    assert result.horizon_days >= 730  # judged over two contract terms


@pytest.mark.slow
@RESULT_GROUP
def test_plan_loses_no_more_than_any_single_change_that_fits(result) -> None:
    fitting = [c for c in result.candidates if c.fte <= 6]
    for c in fitting:
        assert result.plan.arr_at_risk.mean <= c.arr_at_risk.mean + 1e-6, c.label


@pytest.mark.slow
@RESULT_GROUP
def test_frontier_is_monotone_within_its_intervals(result) -> None:
    rows = result.frontier
    for lo, hi in itertools.pairwise(rows):
        # more CSMs: on-time touches rise, ARR at risk never rises beyond the interval
        assert hi["on_time_share"] > lo["on_time_share"]
        assert hi["arr_at_risk"] <= lo["arr_at_risk_high"]
        assert hi["people_cost"] > lo["people_cost"]


def test_candidates_keep_individual_conversations_individual() -> None:
    labels = [c.label for c in candidate_changes(load_scenario(None, TOP), "top")]
    assert "cut top.qbr" in labels and "halve top.qbr" in labels
    assert not any(label.startswith(("1:many top.renewal", "1:many top.ebr")) for label in labels)
    assert any(label.startswith("route top inbound") for label in labels)


@pytest.mark.slow
def test_tradeoff_cli_writes_a_plan_that_extends_the_input(
    tmp_path: Path, scenarios_dir: Path
) -> None:
    out = tmp_path / "plan.yaml"
    args = [
        "tradeoff",
        str(scenarios_dir / "default.yaml"),
        "--team",
        "top",
        "--budget",
        "1.1M",
        "-n",
        "3",
        "-j",
        "1",
        "--seed",
        "3",
    ]
    result = CliRunner().invoke(cli, [*args, *TOP_SET, "-o", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["offered"] == 6  # 1.1M / 180k
    text = out.read_text()
    assert "extends: " in text and "default.yaml" in text
    plan = load_scenario(out, TOP)
    assert plan.segments["top"].team.csms == 6
    assert next(t for t in estimate(plan).teams if t.team == "top").fte_needed <= 6


def test_tradeoff_cli_errors() -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["tradeoff", "--team", "top"]).exit_code == 2
    bad_team = runner.invoke(cli, ["tradeoff", "--team", "topp", "--csms", "6"])
    assert bad_team.exit_code == 2 and "no such team" in bad_team.output
    bad_budget = runner.invoke(cli, ["tradeoff", "--team", "top", "--budget", "lots"])
    assert bad_budget.exit_code == 2 and "1.1M" in bad_budget.output


def test_offer_that_already_fits_needs_no_change() -> None:
    r = tradeoff(load(None, TOP), "top", 9, replications=2, root_seed=3)
    assert r.plan is not None and r.plan.changes == []
    assert r.savings == -180_000 and r.candidates == []
    from simulator.report.tradeoff import tradeoff_renderable

    assert tradeoff_renderable(r, "USD") is not None


@pytest.mark.slow
def test_every_days_cadences_can_be_halved() -> None:
    loaded = load(
        None,
        [*TOP, "segments.top.touchpoints.health_check.trigger={kind: cadence, every_days: 73}"],
    )
    r = tradeoff(loaded, "top", 6, replications=2, root_seed=3, frontier=range(6, 7))
    assert any(c.label == "halve top.health_check" for c in r.candidates)


def test_shared_team_weights_segments() -> None:
    text = """
start_date: 2027-01-01
teams:
  pool: {csms: 1, annual_cost_per_csm: 100000, annual_attrition: 0}
segments:
  big:
    accounts: 10
    arr: 500000
    team: pool
    churn: {annual_baseline: 0.1}
    touchpoints: {qbr: {trigger: {kind: cadence, per_year: 4}, hours: 6}}
  small:
    accounts: 300
    arr: 5000
    team: pool
    churn: {annual_baseline: 0.3}
    touchpoints: {call: {trigger: {kind: cadence, per_year: 1}, hours: 1}}
"""
    from simulator.analysis.experiment import run_experiment
    from simulator.analysis.frontier import team_values
    from simulator.scenario.loader import load_text

    s = load_text(text, "shared.yaml").scenario
    exp = run_experiment(s, 2, 1, jobs=1)
    churn = team_values(exp, ["big", "small"], "expected_logo_churn")
    by_accounts = (
        exp.values("big", "expected_logo_churn") * 10
        + exp.values("small", "expected_logo_churn") * 300
    ) / 310
    assert churn == pytest.approx(by_accounts)


@pytest.mark.slow
def test_plan_file_keeps_overrides_and_never_overwrites_an_input(
    tmp_path: Path, scenarios_dir: Path
) -> None:
    out = tmp_path / "p.yaml"
    runner = CliRunner()
    args = [
        "tradeoff",
        "--team",
        "top",
        "--csms",
        "6",
        "-n",
        "2",
        "-j",
        "1",
        *TOP_SET,
        "--set",
        "segments.top.accounts=60",
    ]
    assert runner.invoke(cli, [*args, "-o", str(out)]).exit_code == 0
    plan = load_scenario(out)
    assert set(plan.segments) == {"top"} and plan.segments["top"].starting_accounts == 60
    src = tmp_path / "input.yaml"
    src.write_text(
        (scenarios_dir / "cfo_six.yaml")
        .read_text()
        .replace("extends: default.yaml", f"extends: {scenarios_dir / 'default.yaml'}")
    )
    clash = runner.invoke(
        cli, ["tradeoff", str(src), "--team", "top", "--csms", "6", "-n", "1", "-o", str(src)]
    )
    assert clash.exit_code == 2 and "is an input of this run" in clash.output
    tiny = runner.invoke(cli, ["tradeoff", "--team", "top", "--budget", "100k"])
    assert tiny.exit_code == 2 and "buys no CSM" in tiny.output
