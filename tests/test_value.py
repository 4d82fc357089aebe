"""Net value (issue 13): one account against a hand calculation, λ by each method, the P&L
view, the cost to serve, the expected ARR at the end against the realised one, and the
value section of ``cssim run``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from simulator.analysis.experiment import summarise
from simulator.analysis.value import (
    annuity_years,
    arr_value,
    cost_to_serve,
    net_value,
    net_value_draws,
    pnl,
    segment_values,
)
from simulator.cli import cli
from simulator.engine.simulation import simulate
from simulator.errors import ScenarioError
from simulator.scenario.loader import load_text
from simulator.scenario.model import Economics, Scenario

# one account renewing after the plan: no churn or expansion draw inside it, so revenue,
# ARR at the end and account-years are known by hand; inbound requests half to support
ONE = """\
name: One account
start_date: 2027-01-01
horizon_days: 365
burn_in_days: 0
seed: 7
segments:
  s:
    accounts: [{id: acme, arr: 100000, renewal_date: 2028-06-30}]
    coverage: dedicated
    team: {csms: 1, annual_cost_per_csm: 150000, annual_attrition: 0}
    churn: {annual_baseline: 0.1}
    inbound: {requests_per_account_year: 12, support_share: 0.5}
    touchpoints:
      call: {trigger: {kind: cadence, per_year: 12}, hours: 1}
      request: {trigger: {kind: inbound_request}, hours: 1}
      digest: {trigger: {kind: cadence, per_year: 12}, channel: automated, cost_per_touch: 2}
economics: {indirect_value_per_account: 5000, support_cost_per_request: 20}
"""

# 1/1.1 + 0.9/1.1^2 + 0.81/1.1^3 + 0.729/1.1^4 + 0.6561/1.1^5: five years after the plan
# at 10% churn (survival 0.9), discounted at 10%
ANNUITY = 1 / 1.1 + 0.9 / 1.1**2 + 0.81 / 1.1**3 + 0.729 / 1.1**4 + 0.6561 / 1.1**5  # 3.166760


def one(*overrides: str) -> Scenario:
    return load_text(ONE, "one.yaml", list(overrides)).scenario


@pytest.fixture(scope="module")
def metrics() -> dict[str, dict[str, float]]:
    return simulate(one(), 0, 1).summary()


def test_one_account_metrics_match_the_hand_calculation(metrics) -> None:
    m = metrics["s"]
    assert m["revenue"] == pytest.approx(100_000)  # a whole year of $100k ARR
    assert m["expected_revenue"] == pytest.approx(100_000)
    assert m["expected_arr_end"] == m["arr_end"] == pytest.approx(100_000)
    assert m["account_years"] == pytest.approx(1.0)
    assert m["accounts_end"] == 1
    assert m["people_cost"] == pytest.approx(150_000)  # one CSM all year
    assert m["inbound_to_support"] > 0


@pytest.mark.parametrize(
    ("overrides", "lam"),
    [
        ((), 0.78 * ANNUITY),
        (("economics.arr_value=replacement",), 1.13 - 0.13),
        (("economics.arr_value=multiple", "economics.arr_value_multiple=3"), 3.0),
    ],
)
def test_one_account_net_value_matches_the_hand_calculation(metrics, overrides, lam) -> None:
    sc = one(*overrides)
    m = metrics["s"]
    support = 20 * m["inbound_to_support"]
    auto = m["automation_cost"]
    v = segment_values(sc, metrics)["s"]
    assert v.arr_value == pytest.approx(lam, rel=1e-8)
    assert v.margin == pytest.approx(78_000)
    assert v.support_cost == pytest.approx(support)
    assert v.indirect_plan == pytest.approx(5_000)  # one account-year at $5k
    assert v.indirect_tail == pytest.approx(5_000 * ANNUITY, rel=1e-8)
    plan = 78_000 + 5_000 - 150_000 - auto - support
    horizon = plan + lam * 100_000 + 5_000 * ANNUITY
    assert v.cost == pytest.approx(150_000 + auto + support)
    assert net_value(sc, metrics) == pytest.approx((plan, horizon), rel=1e-8)


def test_pnl_moves_cs_cost_between_lines_not_the_contribution(metrics) -> None:
    cogs_sc, sm_sc = one(), one("economics.cs_cost_class=sm")
    v = segment_values(cogs_sc, metrics)["s"]
    cogs = pnl(cogs_sc.economics, [v])
    sm = pnl(sm_sc.economics, [v])
    assert cogs["revenue"] == sm["revenue"] == pytest.approx(100_000)
    assert cogs["cost_of_revenue"] == pytest.approx(22_000 + v.cost)
    assert sm["cost_of_revenue"] == pytest.approx(22_000)
    assert sm["gross_margin"] == pytest.approx(0.78)
    assert cogs["gross_margin"] == pytest.approx((78_000 - v.cost) / 100_000)
    assert cogs["cs_cost_sm"] == 0 and sm["cs_cost_sm"] == pytest.approx(v.cost)
    # contribution after CS is the net value over the plan without the indirect value
    assert cogs["contribution"] == pytest.approx(sm["contribution"])
    assert cogs["contribution"] == pytest.approx(v.plan - v.indirect_plan)


def test_cost_to_serve_one_account(metrics) -> None:
    v = segment_values(one(), metrics)["s"]
    c = cost_to_serve(v, metrics["s"]["account_years"], 1.0)
    assert c["accounts"] == pytest.approx(1.0)
    assert c["cost"] == pytest.approx(v.cost)
    assert c["revenue"] == pytest.approx(100_000)
    assert c["margin"] == pytest.approx(78_000)
    assert c["indirect"] == pytest.approx(5_000)
    # a $150k CSM for one $100k account does not pay
    assert c["profit"] == pytest.approx(83_000 - v.cost) and c["profit"] < 0
    empty = cost_to_serve(v, 0.0, 1.0)
    assert empty["accounts"] == 0 and math.isnan(empty["profit"])


@pytest.mark.parametrize(
    ("baseline", "rate", "years"),
    [(0.06, 0.10, 5), (0.25, 0.08, 10), (0.11, 0.15, 1), (0.5, 0.0, 30), (0.0, 0.1, 7)],
)
def test_lifetime_arr_value_is_the_geometric_closed_form(baseline, rate, years) -> None:
    sc = one(f"segments.s.churn.annual_baseline={baseline}")
    eco = Economics(discount_rate=rate, valuation_years=years, gross_margin=0.7)
    q = (1 - baseline) / (1 + rate)
    closed = (1 - q**years) / (1 - q) / (1 + rate)
    seg = sc.segments["s"]
    assert annuity_years(eco, seg) == pytest.approx(closed, rel=1e-12)
    assert arr_value(eco, seg) == pytest.approx(0.7 * closed, rel=1e-12)


def test_lifetime_edge_cases() -> None:
    seg = one("segments.s.churn.annual_baseline=0").segments["s"]
    assert annuity_years(Economics(discount_rate=0, valuation_years=4), seg) == pytest.approx(4)
    assert arr_value(Economics(valuation_years=0), seg) == 0  # the plan alone


def test_replacement_is_one_dollar_at_the_defaults() -> None:
    seg = one().segments["s"]
    assert arr_value(Economics(arr_value="replacement"), seg) == pytest.approx(1.0)


def test_multiple_requires_arr_value_multiple() -> None:
    with pytest.raises(ValidationError, match="arr_value_multiple is not set"):
        Economics(arr_value="multiple")
    with pytest.raises(ScenarioError) as err:
        one("economics.arr_value=multiple")
    assert "arr_value_multiple is not set" in str(err.value)
    assert "economics" in str(err.value)


# ARR renews inside the plan: realised churn and expansion against their expected forms
MANY = ONE.replace(
    "accounts: [{id: acme, arr: 100000, renewal_date: 2028-06-30}]", "accounts: 40\n    arr: 50000"
).replace("annual_baseline: 0.1", "annual_baseline: 0.3")


def test_expected_arr_end_agrees_with_arr_end_in_mean() -> None:
    sc = load_text(MANY, "many.yaml").scenario
    diffs, rev_diffs, spread = [], [], []
    for rep in range(40):
        m = simulate(sc, rep, 11).summary()["s"]
        diffs.append(m["arr_end"] - m["expected_arr_end"])
        rev_diffs.append(m["revenue"] - m["expected_revenue"])
        spread.append(m["expected_arr_end"])
    assert np.std(diffs) > 0  # churn was drawn: the check is not vacuous
    for d in (diffs, rev_diffs):
        st = summarise(d, confidence=0.999)
        assert st.low <= 0 <= st.high, st
    # the expected form has far less noise than the realised one
    realised = np.array(spread) + np.array(diffs)
    assert np.std(spread) < np.std(realised)
    plan, horizon = net_value_draws(sc, [simulate(sc, r, 11).summary() for r in range(2)])
    assert plan.shape == horizon.shape == (2,) and (horizon > plan).all()


def test_cssim_run_shows_the_value_section(tmp_path: Path) -> None:
    path = tmp_path / "one.yaml"
    path.write_text(ONE)
    runner = CliRunner()
    res = runner.invoke(cli, ["run", str(path), "-n", "2", "-j", "1", "-q"])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    for text in (
        "Net value",
        "Net value, plan",
        "Net value, horizon",
        "Costs count over the 365-day plan only",
        "valued over 5 years at λ per dollar",
        "Indirect value stated: $5.0k per account-year",
        "P&L over the plan",
        "Contribution after CS",
        "Cost to serve per account",
        "Profitable?",
    ):
        assert text in out, text
    res = runner.invoke(cli, ["run", str(path), "-n", "2", "-j", "1", "-q", "--format", "json"])
    assert res.exit_code == 0, res.output
    value = json.loads(res.output)["value"]
    assert value["arr_value"]["s"] == pytest.approx(0.78 * ANNUITY, rel=1e-8)
    assert value["net_value"]["total"]["plan"]["n"] == 2
    assert value["cost_to_serve"]["s"]["profitable"] == "no"
    assert value["pnl"]["revenue"]["mean"] == pytest.approx(100_000)
    assert value["conventions"].startswith("Costs count over the 365-day plan only")
