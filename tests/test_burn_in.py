"""The burn-in: the plan starts with a history, and nothing before day 0 is reported."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulator.engine.codes import Kind, Status
from simulator.engine.simulation import simulate
from simulator.scenario.loader import load_scenario, load_text
from simulator.scenario.model import Scenario

FLAT = """\
name: Flat book
start_date: 2027-01-01
horizon_days: 730
seed: 5
segments:
  book:
    accounts: 120
    arr: {dist: lognormal, mean: 50000, cv: 0.4}
    coverage: dedicated
    team: {csms: 2, annual_cost_per_csm: 150000, annual_attrition: 0}
    lifecycle:
      onboarding_days: 60
      adoption_days: 60
      renewal_window_days: 90
      after_renewal: onboarding
    touchpoints:
      kickoff: {trigger: {kind: stage_entry, stage: onboarding}, hours: 3, due_days: 14}
      check_in: {trigger: {kind: cadence, per_year: 4}, hours: 1.5}
      renewal: {trigger: {kind: before_renewal, days: 60}, hours: 2}
      escalation: {trigger: {kind: risk_event}, hours: 2}
    risk_events:
      champion_loss:
        per_account_year: 0.3
        unhandled_churn_probability: 0.5
        handled_churn_probability: 0.25
    churn: {annual_baseline: 0.05}
"""
"""A flat book (no new logos, no attrition or hiring) whose churn depends on its history:
risk events in effect for a year, coverage over a year, late onboardings each term."""

REPLICATIONS = 12


def _flat(*overrides: str) -> Scenario:
    return load_text(FLAT, "flat.yaml", overrides).scenario


def _year_means(*overrides: str) -> tuple[np.ndarray, np.ndarray]:
    """Per replication: mean renewal churn probability in year 1 and in year 2."""
    s = _flat(*overrides)
    y1, y2 = [], []
    for rep in range(REPLICATIONS):
        r = simulate(s, rep).renewals
        y1.append(r["probability"][r["time"] < 365].mean())
        y2.append(r["probability"][r["time"] >= 365].mean())
    return np.array(y1), np.array(y2)


def _paired_ci(y1: np.ndarray, y2: np.ndarray) -> tuple[float, float]:
    """Mean of year 2 minus year 1 and its 99% half-width (paired over replications)."""
    d = y2 - y1
    n = len(d)
    return float(d.mean()), float(stats.t.ppf(0.995, n - 1) * d.std(ddof=1) / np.sqrt(n))


def test_year_one_and_year_two_churn_agree_with_a_burn_in() -> None:
    y1, y2 = _year_means()
    diff, half = _paired_ci(y1, y2)
    assert abs(diff) <= half, (y1.mean(), y2.mean(), diff, half)


def test_without_a_burn_in_year_one_churn_is_too_low() -> None:
    # the test above can fail: with no history, year 1 judges a renewal on a part-year
    # of coverage and risk events, and its churn sits below year 2's beyond the interval
    y1, y2 = _year_means("burn_in_days=0")
    diff, half = _paired_ci(y1, y2)
    assert diff > half, (y1.mean(), y2.mean(), diff, half)


def test_risk_events_weigh_from_day_one() -> None:
    s = _flat()
    share = {0: [], 1: []}
    for rep in range(4):
        r = simulate(s, rep).renewals
        early = r["time"] < 90
        assert early.any()
        share[0].append((r["risk_event"][early] >= 0).mean())
        share[1].append((r["risk_event"][r["time"] >= 365] >= 0).mean())
    # about 1 - exp(-0.3) = 26% of renewals have a risk event in effect, from the start
    assert np.mean(share[0]) == pytest.approx(np.mean(share[1]), abs=0.08)
    assert np.mean(share[0]) > 0.15


def test_nothing_before_day_zero_is_recorded_and_the_book_is_the_scenarios() -> None:
    with_history = simulate(_flat("horizon_days=200"), 1)
    without = simulate(_flat("horizon_days=200", "burn_in_days=0"), 1)
    a, b = with_history.accounts, without.accounts
    # the starting book at day 0: the same accounts with the same ARR
    assert np.array_equal(a["arr_start"], b["arr_start"])
    assert (a["created"] == 0).all() and a["starting"].all()
    assert (with_history.events["time"] >= 0).all()
    assert (with_history.renewals["time"] >= 0).all()
    # and the same renewal days: what an account draws for the plan does not depend on
    # its history (common random numbers between burn-in on and off)
    days = with_history.renewals["time"]
    assert np.allclose(np.sort(days), np.sort(without.renewals["time"]), rtol=0, atol=1e-9)
    t = with_history.tasks
    before = t["planned"] < 0
    assert before.any()  # the queue at day 0 carries into the plan
    started = ~np.isnan(t["start"])
    open_at_zero = np.where(started, (t["start"] >= 0) | (t["end"] > 0), t["due"] >= 0)
    assert open_at_zero[before].all()
    assert not np.isin(t["status"][before], [Status.AUTOMATED, Status.SKIPPED]).any()
    # capacity counts the plan only: nobody is busy more than present
    cap = with_history.capacity()
    assert (cap["busy"] <= cap["available"] + 1e-9).all()
    assert with_history.team_summary()["book"]["utilisation"] <= 1.0


def test_the_default_is_the_longest_look_back() -> None:
    assert load_scenario(None, []).resolved_burn_in_days == 365.0
    s = _flat()
    assert s.burn_in_days is None and s.resolved_burn_in_days == 365.0
    # monthly contracts: the year of coverage a renewal looks back on, not one month
    monthly = _flat(
        "segments.book.contract_term_months=1", "segments.book.touchpoints.renewal=null"
    )
    assert monthly.resolved_burn_in_days == 365.0
    assert _flat("segments.book.contract_term_months=24").resolved_burn_in_days == 730.0
    assert _flat("burn_in_days=30").resolved_burn_in_days == 30.0


def test_session_slots_keep_their_day_zero_grid() -> None:
    s = load_scenario(None, ["segments.top=null", "segments.mid=null", "horizon_days=120"])
    rec = simulate(s, 0)
    t = rec.tasks
    sessions = t["kind"] == Kind.SESSION
    assert sessions.any()
    every = s.segments["smb"].touchpoints["onboarding_webinar"].session_every_days
    k = t["planned"][sessions] / every
    assert np.allclose(k, np.round(k))
