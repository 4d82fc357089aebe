"""Closed-form estimate: the worked example's arithmetic and the exposure model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator.analysis.analytic import estimate, expected_exposure, expected_sessions
from simulator.scenario.lifecycle import period_stages, term_days, timeline
from simulator.scenario.loader import load_scenario, load_text
from simulator.scenario.model import Lifecycle, Team


@pytest.fixture(scope="module")
def default_estimate():
    return estimate(load_scenario())


def test_worked_example_top_tier(default_estimate) -> None:
    top = default_estimate.segment("top")
    # docs/assumptions.md#worked-example: 16 touchpoints, 93.5 scheduled hours, x1.75 unscheduled, 164 h per account
    assert top.scheduled_touches_per_account == pytest.approx(16.0, abs=1e-9)
    assert top.scheduled_hours_per_account == pytest.approx(93.5, abs=1e-9)
    assert top.effective_uplift == pytest.approx(1.75, abs=0.005)
    assert top.demand_hours_per_account == pytest.approx(163.6, abs=0.5)
    # 1,090 customer hours x 0.95 availability ~= 1,035 h per CSM
    assert top.customer_hours_per_csm == pytest.approx(1034.3, abs=0.1)
    assert top.fte_needed == pytest.approx(7.9, abs=0.05)
    assert top.csms_needed == 8
    assert top.accounts_per_csm == pytest.approx(6.25)
    assert top.arr_per_csm == pytest.approx(1.875e6)


def test_cfo_offer_gap(default_estimate) -> None:
    cfo = estimate(load_scenario(None, ["segments.top.team.csms=6"])).team("top")
    assert cfo.csms_current == 6 and cfo.csms_needed == 8 and cfo.gap == 2
    assert cfo.people_cost_needed - cfo.people_cost_current == pytest.approx(360_000)


def test_availability_formula() -> None:
    team = Team(csms=1, annual_cost_per_csm=1)  # 13%, 90 days, ramp 0.25/0.5/0.5
    expected = 1 - 0.13 * (90 / 365 + (0.75 + 0.5 + 0.5) / 12)
    assert team.availability == pytest.approx(expected)
    assert team.availability == pytest.approx(0.95, abs=0.002)
    assert Team(csms=1, annual_cost_per_csm=1, annual_attrition=0).availability == 1.0


def test_period_stages_fit_the_term() -> None:
    lc = Lifecycle(onboarding_days=100, adoption_days=90, renewal_window_days=120)
    assert period_stages(lc, 365, True) == [
        ("onboarding", 100),
        ("adoption", 90),
        ("steady", 55),
        ("renewal", 120),
    ]
    assert period_stages(lc, 365, False) == [("steady", 245), ("renewal", 120)]
    # a 1-month term: onboarding keeps its length first, the rest is squeezed out
    short = period_stages(lc, term_days(1), True)
    assert short[0] == ("onboarding", pytest.approx(365 / 12))
    assert sum(d for _, d in short) == pytest.approx(365 / 12)


def test_timeline_renewals_and_stage_lookup() -> None:
    lc = Lifecycle(onboarding_days=30, adoption_days=30, renewal_window_days=60)
    tl = timeline(lc, 365, 10.0, True, 800)
    assert tl.renewals[:2] == (375.0, 740.0)
    assert tl.stage_at(15) == "onboarding"
    assert tl.stage_at(50) == "adoption"
    assert tl.stage_at(320) == "renewal"
    assert tl.stage_at(400) == "steady"
    assert tl.stage_at(5) is None


SMALL = """\
start_date: 2027-01-01
horizon_days: 365
segments:
  s:
    accounts: 100
    arr: 10000
    contract_term_months: 12
    new_accounts_per_month: {rate}
    team: {{csms: 1, annual_cost_per_csm: 100000, annual_attrition: 0}}
    churn: {{annual_baseline: 0.1}}
    unscheduled_uplift: 1.5
    lifecycle: {{onboarding_days: 30, adoption_days: 30, renewal_window_days: 90}}
    touchpoints:
      kickoff: {{trigger: {{kind: stage_entry, stage: onboarding, offset_days: [0, 10]}}, hours: 2}}
      call: {{trigger: {{kind: cadence, every_days: 73}}, hours: 1}}
      renewal: {{trigger: {{kind: before_renewal, days: 30}}, hours: 3}}
      digest: {{trigger: {{kind: cadence, per_year: 12}}, channel: automated, cost_per_touch: 0.5}}
"""


def test_hand_computed_small_segment() -> None:
    s = load_text(SMALL.format(rate=0), "small.yaml").scenario
    est = estimate(s)
    seg = est.segment("s")
    rows = {r.name: r for r in seg.touchpoints}
    # a mature book of 100: no onboarding, 5 calls, 1 renewal touch, 12 digests per account
    assert rows["kickoff"].touches == pytest.approx(0)
    assert rows["call"].touches == pytest.approx(500)
    assert rows["renewal"].touches == pytest.approx(100)
    assert rows["digest"].touches == pytest.approx(1200)
    assert rows["digest"].csm_hours == 0 and rows["digest"].automation_cost == pytest.approx(600)
    scheduled = 500 * 1 + 100 * 3
    assert seg.scheduled_hours_per_account == pytest.approx(scheduled / 100)
    assert seg.demand_hours_per_year == pytest.approx(1.5 * scheduled)
    assert seg.fte_needed == pytest.approx(1.5 * scheduled / (1730 * 0.63))


def test_new_accounts_exposure() -> None:
    s = load_text(SMALL.format(rate=10), "small.yaml").scenario
    exp = expected_exposure(s.segments["s"], 365, s.start_date)
    rate_per_year = 120
    assert exp.new_accounts == pytest.approx(rate_per_year)
    # arrivals uniform over the year are present half of it on average
    assert exp.account_years == pytest.approx(100 + rate_per_year / 2)
    # two kickoff touches per new account unless the second falls past the horizon
    assert exp.touches["kickoff"] == pytest.approx(rate_per_year * (1 + 355 / 365), rel=2e-3)


def test_expected_sessions_matches_the_rule_by_monte_carlo() -> None:
    touches, horizon, every, k = 900.0, 364.0, 7.0, 10
    analytic = expected_sessions(touches, horizon, every, k)
    rng = np.random.default_rng(11)
    slots = int(horizon / every)
    n = rng.poisson(touches / slots, size=(20_000, slots))
    sims = np.ceil(n / k).sum(axis=1)
    half = 4 * sims.std(ddof=1) / math.sqrt(len(sims))
    assert abs(sims.mean() - analytic) <= half


def test_one_to_many_shares_hours() -> None:
    base = load_scenario()
    webinar = load_scenario(
        None,
        [
            "segments.top.touchpoints.training.channel=one_to_many",
            "segments.top.touchpoints.training.hours=2",
            "segments.top.touchpoints.training.max_attendees=10",
            "segments.top.touchpoints.training.session_every_days=30",
        ],
    )
    before = estimate(base).segment("top")
    after = estimate(webinar).segment("top")
    assert after.scheduled_hours_per_account < before.scheduled_hours_per_account - 8
    assert after.scheduled_touches_per_account == pytest.approx(16)


def test_automation_scenario_needs_fewer_mid_market_csms(scenarios_dir) -> None:
    base = estimate(load_scenario(scenarios_dir / "default.yaml")).segment("mid")
    auto = estimate(load_scenario(scenarios_dir / "automation.yaml")).segment("mid")
    assert auto.fte_needed < base.fte_needed
    assert auto.automation_cost > 0


def test_sales_pod_overloads_one_csm(scenarios_dir) -> None:
    s = load_scenario(scenarios_dir / "sales_pod.yaml")
    est = estimate(s)
    pod = est.segment("pod")
    # docs/assumptions.md#worked-example: 20 logos a month x 5 h of onboarding is 100 h a month against ~86 h of capacity
    onboarding = sum(r.csm_hours for r in pod.touchpoints if r.name in ("kickoff", "setup_session"))
    months = 12 * s.horizon_years
    assert onboarding / months > pod.customer_hours_per_csm / 12
    assert est.team("pod").gap > 0


def test_hiring_plan_average() -> None:
    text = SMALL.format(rate=0).replace(
        "annual_attrition: 0}", "annual_attrition: 0, hiring_plan: [{date: 2027-07-02, change: 2}]}"
    )
    team = estimate(load_text(text, "t.yaml").scenario).team("s")
    assert team.planned_average_csms == pytest.approx(1 + 2 * (365 - 182) / 365)


def test_expected_sessions_stays_bounded_for_huge_books() -> None:
    """A huge one_to_many load is summed over a window of terms, not all of them."""
    n = expected_sessions(5e8, 365, 365, 1)
    assert n == pytest.approx(5e8, rel=1e-6)
    assert expected_sessions(5e8, 365, 7, 40) == pytest.approx(5e8 / 40, rel=1e-3)
    assert expected_sessions(0, 365, 7, 40) == 0
