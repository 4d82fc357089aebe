"""The inputs of how CSMs work: explicit off values, bounds, and located errors."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.engine.codes import Channel, Kind
from simulator.engine.simulation import simulate
from simulator.errors import ScenarioError
from simulator.scenario.loader import load_scenario, load_text

TOP = ["segments.mid=null", "segments.smb=null"]


def test_off_switches_work_from_an_override_where_null_would_restore_the_default() -> None:
    s = load_scenario(None, [*TOP, "calendar.max_block_hours=off"])
    assert s.calendar.block_hours is None
    assert load_scenario(None, [*TOP, "calendar.max_block_hours=null"]).calendar.block_hours == 4
    s = load_scenario(None, [*TOP, "segments.top.churn.late_credit_half_life_days=off"])
    assert s.segments["top"].churn.late_credit_half_life is None
    # off gives every late touch full credit: coverage without late-credit loss
    rec = simulate(s, 0)
    assert np.all(rec.renewals["late_credit_loss"] == 0)


def test_a_block_shorter_than_a_quarter_hour_is_refused() -> None:
    with pytest.raises(ScenarioError, match="max_block_hours"):
        load_scenario(None, [*TOP, "calendar.max_block_hours=0.01"])


HOLIDAYS = """\
name: Two years, a full holiday list
start_date: 2027-01-01
horizon_days: 730
calendar:
  working_days_per_year: 250
  holidays: [2028-01-03, 2028-01-17, 2028-02-21, 2028-05-29, 2028-06-19, 2028-07-04,
             2028-09-04, 2028-10-09, 2028-11-10, 2028-11-23, 2028-12-25]
segments:
  s:
    accounts: 5
    arr: 1000
    team: {csms: 1, annual_cost_per_csm: 1}
    churn: {annual_baseline: 0.1}
"""


def test_holidays_that_leave_too_few_working_days_are_a_located_error() -> None:
    with pytest.raises(ScenarioError) as err:
        load_text(HOLIDAYS, "holidays.yaml")
    text = str(err.value)
    assert "holidays.yaml:5:" in text and "calendar.working_days_per_year" in text
    assert "(got 250.0)" in text and "2028-01-01" in text
    assert "249 weekdays" in text
    # the same holidays with a working year that fits are fine
    load_text(HOLIDAYS.replace("250", "240"), "holidays.yaml")


WEEKLY = """\
name: Weekly check-ins booked far ahead
start_date: 2027-01-01
horizon_days: 200
burn_in_days: 0
calendar: {model: continuous}
segments:
  s:
    accounts: 5
    arr: 1000
    coverage: dedicated
    book_ahead_days: 30
    team: {csms: 2, annual_cost_per_csm: 1, annual_attrition: 0}
    churn: {annual_baseline: 0.0}
    touchpoints:
      check_in: {trigger: {kind: cadence, every_days: 7}, hours: 1}
"""


def test_a_cadence_touch_is_never_booked_before_the_one_before_it_was_planned() -> None:
    t = simulate(load_text(WEEKLY, "weekly.yaml").scenario, 0).tasks
    early = t["planned"] - t["start"]
    assert early.max() <= 7.0 + 1e-9
    assert early.max() > 6.0  # booked ahead as far as the cap allows


def test_service_windows_count_weekdays_in_the_working_days_model() -> None:
    from simulator.engine.calendar import add_weekdays

    friday = 0.5  # 2027-01-01 is a Friday (shift 4): noon on day 0
    assert add_weekdays(friday, 2.0, 4.0) == 4.5  # Tuesday noon
    assert add_weekdays(1.5, 1.0, 4.0) == 4.0  # from Saturday: Monday counts, ends Tuesday 0:00
    assert add_weekdays(friday, 0.0, 4.0) == friday
    s = load_scenario(None, TOP)
    rec = simulate(s, 0)
    t = rec.tasks
    inbound = (t["kind"] == Kind.INBOUND_REQUEST) & (t["channel"] == Channel.ONE_TO_ONE)
    window = t["ontime"][inbound] - t["planned"][inbound]
    assert window.min() >= 2.0 - 1e-9 and window.max() > 2.0  # 2 weekdays: 2 to 4 days
    flat = simulate(load_scenario(None, [*TOP, "calendar.model=continuous"]), 0).tasks
    fi = (flat["kind"] == Kind.INBOUND_REQUEST) & (flat["channel"] == Channel.ONE_TO_ONE)
    assert np.allclose(flat["ontime"][fi] - flat["planned"][fi], 2.0)


def test_net_retention_intervals_may_pass_100_percent_and_gross_ones_cannot() -> None:
    from simulator.analysis.experiment import MetricStats, summarise
    from simulator.metrics import bounds_of
    from simulator.report.run import ci_text

    # the display shows the interval as made, nothing clipped
    st = MetricStats(0.976, 0.941, 1.011, 0.02, 3, 0.95, 0.97, 1.0)
    assert ci_text(st, "nrr", "USD") == "97.6% [94.1, 101.1]"
    values = [0.95, 0.97, 1.0]
    nrr = summarise(values, bounds=bounds_of("nrr"))
    grr = summarise(values, bounds=bounds_of("grr"))
    assert nrr.high > 1.0  # net retention can pass 100%
    assert 0.0 < grr.low < grr.mean < grr.high < 1.0  # a gross rate cannot, by construction
    low, high = ci_text(grr, "grr", "USD").split(" [")[1].rstrip("]").split(", ")
    assert float(high) <= 100.0 and float(low) < 97.3
