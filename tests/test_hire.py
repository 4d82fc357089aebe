"""Hiring plans: no hire when capacity suffices, requisitions cover demand once ramped."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.analysis.analytic import estimate
from simulator.analysis.hire import hiring_plan, monthly_demand
from simulator.cli import cli
from simulator.scenario.loader import load_scenario


def test_monthly_demand_adds_up_to_the_year() -> None:
    s = load_scenario()
    months = monthly_demand(s, "mid", 12)
    year = estimate(s).team("mid").demand_hours_per_year
    assert sum(months) == pytest.approx(year, rel=1e-3)
    assert months[-1] > months[0]  # 25% new logos: demand grows


def pytest_approx(x: float):
    import pytest

    return pytest.approx(x, rel=1e-3)


def test_no_hire_when_capacity_covers_demand() -> None:
    plan = hiring_plan(load_scenario(), "top")
    assert plan.requisitions == [] and plan.short_months == []
    assert plan.people_cost == 8 * 180_000


def test_requisitions_cover_demand_once_ramped(scenarios_dir: Path) -> None:
    s = load_scenario(scenarios_dir / "sales_pod.yaml")
    plan = hiring_plan(s, "pod")
    assert plan.requisitions
    lead = dt.timedelta(days=90)
    for r in plan.requisitions:
        assert r.start_date - r.open_date == lead
        assert r.open_date >= s.start_date - lead
    # once the last hire has ramped, capacity covers demand every month
    last = max(r.start_date for r in plan.requisitions)
    ramped = last + dt.timedelta(days=3 * 365 / 12 + 1)
    for m in plan.months:
        if m.start >= ramped:
            assert m.capacity_hours >= m.demand_hours
    # months before the hires ramp are reported short rather than hidden
    assert plan.short_months and plan.short_months[0] == 1


def test_hire_cli() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["hire", "--team", "mid", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data[0]["team"] == "mid" and len(data[0]["months"]) == 12
    assert runner.invoke(cli, ["hire", "--team", "nope"]).exit_code == 2
    table = runner.invoke(cli, ["hire", "--team", "mid"])
    assert "Open the requisition by" in table.output


def test_cuts_remove_planned_hires_too(tmp_path: Path) -> None:
    from simulator.scenario.loader import load_text

    text = """
start_date: 2027-01-01
segments:
  core:
    accounts: 100
    arr: 20000
    team:
      csms: 2
      annual_cost_per_csm: 150000
      hiring_plan: [{date: 2027-02-01, change: 3}, {date: 2027-08-01, change: -4}]
    churn: {annual_baseline: 0.1}
    unscheduled_uplift: 1.5
    touchpoints:
      call: {trigger: {kind: cadence, per_year: 10}, hours: 1}
"""
    plan = hiring_plan(load_text(text, "cut.yaml").scenario, "core")
    # 2 + 3 - 4 leaves one CSM from August: a requisition keeps capacity above demand
    assert len(plan.requisitions) == 1
    for m in plan.months[7:]:
        assert m.capacity_hours >= m.demand_hours
        assert m.csms == 2
