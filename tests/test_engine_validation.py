"""The engine against queueing theory and the closed form.

Tolerances come from the simulation's own confidence intervals, never hand-tuned.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from simulator.analysis.analytic import estimate
from simulator.analysis.queueing import erlang_b, erlang_c, mmc_mean_wait, mmc_wait_probability
from simulator.engine.codes import Channel, Status
from simulator.engine.records import planned_touches
from simulator.engine.simulation import simulate
from simulator.scenario.loader import load_text
from simulator.synthetic.mmc import mmc_scenario


def test_erlang_formulas_known_values() -> None:
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)
    # M/M/1: P(wait) = rho, mean wait = rho / (mu - lambda)
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert mmc_mean_wait(1, 0.7, 1.0) == pytest.approx(0.7 / 0.3)
    # a textbook M/M/2 value: a = 1 Erlang -> C = 1/3
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    # the recursion stays finite for big teams
    assert 0 < erlang_c(500, 480.0) < 1


@pytest.mark.parametrize(("c", "rho"), [(1, 0.5), (3, 0.7), (6, 0.8)])
def test_pooled_queue_matches_erlang_c(c: int, rho: float) -> None:
    horizon, warmup, reps = 1200, 100, 16
    text, lam, mu = mmc_scenario(c, rho, mean_hours=2.0, horizon=horizon)
    scenario = load_text(text, "mmc.yaml").scenario
    waits, pwait = [], []
    for rep in range(reps):
        t = simulate(scenario, rep, 12345).tasks
        m = (t["tp"] == 0) & (t["planned"] >= warmup) & ~np.isnan(t["start"])
        w = t["start"][m] - t["planned"][m]
        waits.append(w.mean())
        pwait.append((w > 1e-12).mean())
    expected_wait = mmc_mean_wait(c, lam, mu)
    expected_p = mmc_wait_probability(c, lam, mu)
    q = stats.t.ppf(0.995, reps - 1)
    for values, expected in ((waits, expected_wait), (pwait, expected_p)):
        x = np.asarray(values)
        half = q * x.std(ddof=1) / math.sqrt(reps)
        assert abs(x.mean() - expected) <= half, (c, rho, x.mean(), expected, half)


EXACT = """
start_date: 2027-01-01
horizon_days: 365
calendar: {model: continuous}  # the closed form: capacity on every day
segments:
  s:
    accounts:
      - {id: a, arr: 1000, renewal_date: 2027-03-10}
      - {id: b, arr: 2000, renewal_date: 2027-08-01}
      - {id: c, arr: 3000, renewal_date: 2027-12-30, stage: onboarding}
      - {id: d, arr: 4000, renewal_date: 2027-05-15}
    new_account_schedule:
      - {date: 2027-02-01, count: 2}
      - {date: 2027-09-15, count: 1}
    arr: 1500
    coverage: pooled
    team: {csms: 20, annual_cost_per_csm: 100000, annual_attrition: 0}
    lifecycle: {onboarding_days: 60, adoption_days: 60, renewal_window_days: 90, after_renewal: onboarding}
    churn: {annual_baseline: 0}
    touchpoints:
      kickoff: {trigger: {kind: stage_entry, stage: onboarding, offset_days: [0, 20]}, hours: 3}
      adopt: {trigger: {kind: stage_entry, stage: adoption, offset_days: 5}, hours: 2}
      renewal: {trigger: {kind: before_renewal, days: 45}, hours: 4}
      digest: {trigger: {kind: stage_entry, stage: steady}, channel: automated, cost_per_touch: 1}
"""


def test_deterministic_effort_and_ample_capacity_match_the_closed_form_exactly() -> None:
    s = load_text(EXACT, "exact.yaml").scenario
    rec = simulate(s, 0)
    t = rec.tasks
    delivered = t["hours"][~np.isnan(t["start"]) & (t["channel"] == Channel.ONE_TO_ONE)].sum()
    est = estimate(s).segment("s")
    assert delivered == pytest.approx(
        est.demand_hours_per_year * s.horizon_years, rel=1e-12, abs=1e-9
    )
    # at ample capacity every touch starts on or before its planned day, at most its
    # book-ahead days early (a free CSM starts a booked touch as soon as it is released)
    started = ~np.isnan(t["start"])
    early = t["planned"][started] - t["start"][started]
    assert np.all((early >= 0) & (early <= s.segments["s"].book_ahead_days))
    assert early.max() > 0
    # without booking ahead, every touch starts exactly when planned
    flat = simulate(load_text(EXACT, "exact.yaml", ["segments.s.book_ahead_days=0"]).scenario, 0)
    done = ~np.isnan(flat.tasks["start"])
    assert np.all(flat.tasks["start"][done] == flat.tasks["planned"][done])
    assert np.all(t["status"][planned_touches(t)] != Status.MISSED)
    # touch counts per type equal the closed form's
    rows = {r.name: r.touches for r in est.touchpoints}
    for i, name in enumerate(rec.touchpoints[0]):
        assert (planned_touches(t) & (t["tp"] == i)).sum() == pytest.approx(rows[name], abs=1e-9), (
            name
        )


def test_cadence_count_is_exact_when_the_interval_divides_the_horizon() -> None:
    text = EXACT.replace(
        "digest: {trigger: {kind: stage_entry, stage: steady}, channel: automated, cost_per_touch: 1}",
        "call: {trigger: {kind: cadence, every_days: 73}, hours: 1.5}",
    ).replace(
        "    new_account_schedule:\n      - {date: 2027-02-01, count: 2}\n      - {date: 2027-09-15, count: 1}\n",
        "",
    )
    s = load_text(text, "exact.yaml").scenario
    t = simulate(s, 3).tasks
    assert (planned_touches(t) & (t["tp"] == 3)).sum() == 4 * 5
    delivered = t["hours"][~np.isnan(t["start"]) & (t["channel"] == Channel.ONE_TO_ONE)].sum()
    assert delivered == pytest.approx(estimate(s).segment("s").demand_hours_per_year, abs=1e-9)
    assert np.all(t["status"][planned_touches(t)] == Status.ON_TIME)
