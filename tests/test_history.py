"""Renewal drivers measured from an activity history (simulator.analysis.history).

Event-log tests with fixed activity days on the default plan's mid-market segment, then a
cross-check against the synthetic generator's independent implementation of the same
definition (simulator.synthetic.history_coverage).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from simulator.analysis.history import Touch, renewal_drivers
from simulator.scenario.loader import bundled_scenario, load_scenario
from simulator.synthetic import DEFAULT_HISTORY_TRUTH, generate_history

MID = load_scenario(bundled_scenario()).segments["mid"]
# mid: kickoff day 0 (milestone), onboarding sessions days 10 and 25 (onboarding ends at
# 45); health checks 3 a year in adoption..renewal (days 45-365: 2.63 planned), a
# business review once a year in steady and renewal (days 105-365: 0.712 planned), the
# renewal call 60 days before the renewal; every one weighs 1 and is on time within 7 days
PLANNED = 4 + 320 / (365 / 3) + 260 / 365


def _all_on_time() -> dict[str, list[Touch]]:
    return {
        "kickoff": [Touch(0)],
        "onboarding_session": [Touch(10), Touch(25)],
        "health_check": [Touch(50), Touch(171), Touch(292)],
        "business_review": [Touch(200)],
        "renewal": [Touch(305)],
    }


def test_everything_on_time_is_full_coverage() -> None:
    d = renewal_drivers(MID, 12, 365.0, _all_on_time())
    assert d.coverage == pytest.approx(1.0)
    assert d.planned == pytest.approx(PLANNED)
    assert not d.late_onboarding
    assert d.responsiveness is None
    assert d.expansion_delivery == 1.0  # mid has no expansion touchpoint


def test_a_missed_touch_costs_its_weight() -> None:
    touches = _all_on_time()
    touches["onboarding_session"] = [Touch(10)]
    d = renewal_drivers(MID, 12, 365.0, touches)
    assert d.coverage == pytest.approx((PLANNED - 1) / PLANNED)
    assert d.late_onboarding  # an onboarding touch was not delivered


def test_a_late_touch_earns_its_late_credit() -> None:
    touches = _all_on_time()
    touches["renewal"] = [Touch(305 + 7 + 15)]  # 15 days past its on-time day
    d = renewal_drivers(MID, 12, 365.0, touches)
    assert d.coverage == pytest.approx((PLANNED - 1 + 0.5**0.5) / PLANNED)


def test_a_late_milestone_makes_onboarding_late() -> None:
    touches = _all_on_time()
    touches["kickoff"] = [Touch(12)]  # 5 days past on time, inside its 14-day due window
    d = renewal_drivers(MID, 12, 365.0, touches)
    assert d.late_onboarding
    assert d.coverage == pytest.approx((PLANNED - 1 + 0.5 ** (5 / 30)) / PLANNED)


def test_a_touch_past_its_due_day_is_missed() -> None:
    touches = _all_on_time()
    touches["kickoff"] = [Touch(20)]  # after day 0 + 14
    d = renewal_drivers(MID, 12, 365.0, touches)
    assert d.coverage == pytest.approx((PLANNED - 1) / PLANNED)


def test_extra_cadence_touches_do_not_lift_coverage_above_the_plan() -> None:
    touches = _all_on_time()
    touches["health_check"] = [Touch(t) for t in range(50, 360, 20)]
    assert renewal_drivers(MID, 12, 365.0, touches).coverage == pytest.approx(1.0)


def test_a_late_cadence_touch_is_late_by_its_gap() -> None:
    touches = _all_on_time()
    touches["health_check"] = [Touch(50), Touch(171 + 7 + 30), Touch(292 + 37)]
    # the second is 36 days after the slot it follows (due 30): that slot was missed
    d = renewal_drivers(MID, 12, 365.0, touches)
    interval = 365 / 3
    gap_late = 0.5 ** ((208 - 50 - interval - 7) / 30)  # 36 days after its slot: missed
    gap_late = 0.0  # past the 30-day due window and not booked ahead for the next slot
    planned_hc = 320 / interval
    delivered = 1 + gap_late + 1  # the third keeps its interval from the second
    assert d.coverage == pytest.approx(
        (PLANNED - planned_hc + min(delivered, planned_hc)) / PLANNED
    )


def test_touches_before_the_window_do_not_count_for_the_second_renewal() -> None:
    first_year = _all_on_time()
    d = renewal_drivers(MID, 12, 730.0, first_year)
    assert d.coverage < 0.1
    assert not d.late_onboarding  # onboarding ended more than a window before


def test_response_times_give_responsiveness() -> None:
    touches = _all_on_time()
    touches["request"] = [Touch(100, 24.0), Touch(200, 24.0 * (2 + 30))]
    d = renewal_drivers(MID, 12, 365.0, touches)
    assert d.responsiveness == pytest.approx((1 + 0.5) / 2)


def test_drivers_agree_with_the_synthetic_generators_own_implementation() -> None:
    """Two implementations of the one definition: the reader side here, the generator's
    simulator.synthetic.history_coverage; every renewal's coverage and late flag agree."""
    truth = dataclasses.replace(DEFAULT_HISTORY_TRUTH, logos_per_month=8.0)
    h = generate_history(truth, seed=5)
    by_type = {a.type: a.touchpoint for a in truth.activity_names}
    since = {r["Customer ID"]: dt.date.fromisoformat(r["Customer Since"]) for r in h.customers}
    touches: dict[str, dict[str, list[Touch]]] = {}
    for row in h.activities:
        kind = row["Activity Type"]
        if kind == truth.generic_type:
            kind = row["Subject"].split(" - ")[0]
        tp = by_type.get(kind)
        if tp is None:
            continue
        day = (dt.date.fromisoformat(row["Activity Date"][:10]) - since[row["Account ID"]]).days
        touches.setdefault(row["Account ID"], {}).setdefault(tp, []).append(Touch(float(day)))
    for acts in touches.values():
        for v in acts.values():
            v.sort()
    assert len(h.renewals) > 100
    for r in h.renewals:
        seg = h.segments[r.segment]
        shift = float(since[r.customer_id].weekday()) if truth.working_days else None
        d = renewal_drivers(
            seg, seg.contract_term_months, float(r.day), touches.get(r.customer_id, {}), None, shift
        )
        assert d.coverage == pytest.approx(r.observed_coverage, abs=1e-9), r
        assert d.late_onboarding == r.late_onboarding, r


def test_a_cadence_touch_answers_the_latest_slot_before_it() -> None:
    from simulator.analysis.history import cadence_lateness

    assert cadence_lateness(100, 100, 7, 30) == 0.0  # on schedule
    assert cadence_lateness(115, 100, 7, 30) == pytest.approx(8.0)  # 15 days after, 7 on time
    assert cadence_lateness(205, 100, 7, 30) == 0.0  # a slot missed between: counted once
    assert cadence_lateness(150, 100, 7, 30, ahead=14) is None  # missed, not booked ahead
    assert cadence_lateness(190, 100, 7, 30, ahead=14) == 0.0  # booked ahead for the next


def test_every_onboarding_period_is_judged() -> None:
    """A segment whose renewed periods restart in onboarding is late again when the
    second onboarding misses its touches (the engine judges every onboarding)."""
    top = load_scenario(bundled_scenario()).segments["top"]
    assert top.lifecycle.after_renewal == "onboarding"
    first_year = {name: [Touch(float(d)) for d in range(0, 365, 7)] for name in top.touchpoints}
    d = renewal_drivers(top, 12, 730.0, first_year)
    assert d.late_onboarding


def test_a_mid_term_churn_is_measured_to_the_day_it_left() -> None:
    touches = _all_on_time()
    touches["renewal"] = []  # planned at day 305; the account left at day 250
    full = renewal_drivers(MID, 12, 365.0, touches)
    left = renewal_drivers(MID, 12, 365.0, touches, until=250.0)
    assert left.coverage > full.coverage
    assert left.coverage == pytest.approx(1.0, abs=0.02)
