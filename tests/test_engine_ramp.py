"""A new hire's ramp: a zero-productivity month never stalls the CSM's process.

Regression: a hire on day 99 with ``ramp: [0, 0.5]`` reached day 129.41666666666666, a
month after joining up to rounding; the month index rounded down to the zero month while
the next productive day was "now", so the CSM's process waited zero days forever.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.engine.simulation import simulate
from simulator.engine.state import CSM, MONTH_DAYS
from simulator.scenario.loader import load_text

RAMPS = st.lists(st.sampled_from([0.0, 0.0, 0.25, 0.5, 1.0]), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    joined=st.floats(0, 3650, allow_nan=False),
    ramp=RAMPS,
    months=st.integers(0, 8),
    nudge=st.sampled_from([-1e-10, 0.0, 1e-10, 0.5]),
)
def test_a_zero_month_always_points_to_a_later_day(
    joined: float, ramp: list[float], months: int, nudge: float
) -> None:
    csm = CSM(0, 0, 0, joined, tuple(ramp))
    t = max(joined, joined + months * MONTH_DAYS + nudge)
    assert csm.productivity(t) > 0 or csm.next_productive(t) > t


def test_a_hire_with_a_zero_first_month_works_after_it() -> None:
    text = """\
name: Ramp with a zero month
start_date: 2027-01-01
horizon_days: 365
segments:
  s:
    accounts: 400
    arr: 10000
    coverage: pooled
    team:
      csms: 1
      annual_cost_per_csm: 100000
      annual_attrition: 0
      ramp: [0, 0.5]
      hiring_plan:
        - {date: 2027-04-10, change: 1}
    lifecycle: {onboarding_days: 30, adoption_days: 30, renewal_window_days: 30}
    churn: {annual_baseline: 0.1}
    touchpoints:
      call: {trigger: {kind: cadence, per_year: 4}, hours: 2}
"""
    rec = simulate(load_text(text, "ramp.yaml").scenario, 0)
    hire = int(rec.staff["csm"][rec.staff["joined"] > 0][0])
    started = rec.tasks["start"][rec.tasks["csm"] == hire]
    assert len(started) > 0 and started.min() >= 99 + MONTH_DAYS - 1e-6
