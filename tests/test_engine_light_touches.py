"""Automated and skipped touches are kept light (issue 16): no Task object, a run-log row
and a coverage tuple. These checks pin that the light path means what a Task did: the
records of such touches, the coverage a renewal reads from them and the expansion
delivery of an automated expansion touch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.engine import churn
from simulator.engine.codes import Channel, Kind, Status
from simulator.engine.simulation import simulate
from simulator.engine.state import Task
from tests.test_engine_revenue import _coverage_at, _task, tiny

DIGEST = (
    "segments.s.touchpoints.digest={trigger: {kind: cadence, per_year: 12}, "
    "channel: automated, effectiveness: 0.4, weight: 2}"
)
SKIPPED = (
    "segments.s.touchpoints.qbr={trigger: {kind: cadence, per_year: 4}, channel: skipped, hours: 2}"
)
UPSELL = (
    "segments.s.touchpoints.upsell={trigger: {kind: before_renewal, days: 45}, "
    "channel: automated, effectiveness: 0.5, purpose: expansion}"
)


def test_light_touches_are_recorded_as_their_tasks_would_be() -> None:
    rec = simulate(tiny(DIGEST, SKIPPED), 0)
    t = rec.tasks
    names = rec.touchpoints[0]
    ids = t["id"]
    assert np.all(np.diff(ids) > 0), "rows are in creation order, ids unique"
    for name, per_year, status, credit in (
        ("digest", 12, Status.AUTOMATED, 0.4),
        ("qbr", 4, Status.SKIPPED, 0),
    ):
        m = t["tp"] == names.index(name)
        assert m.sum() >= per_year * 11, name  # a cadence of the 12 accounts over the year
        assert np.all(t["status"][m] == status)
        assert np.all(t["kind"][m] == Kind.CADENCE)
        assert np.all(t["csm"][m] == -1)
        assert np.all(t["hours"][m] == 0.0)
        assert np.all(t["team"][m] == 0)
        assert np.all(t["account"][m] >= 0)
        assert np.all(t["credit"][m] == credit)
        assert np.all(t["weight"][m] == (2.0 if name == "digest" else 1.0))
        assert np.all(t["ontime"][m] >= t["planned"][m])
        assert np.all(t["due"][m] >= t["ontime"][m])
        if status == Status.AUTOMATED:
            assert np.array_equal(t["start"][m], t["planned"][m])
            assert np.array_equal(t["end"][m], t["planned"][m])
            assert np.all(t["channel"][m] == Channel.AUTOMATED)
        else:
            assert np.all(np.isnan(t["start"][m])) and np.all(np.isnan(t["end"][m]))
            assert np.all(t["channel"][m] == Channel.SKIPPED)
    touch = rec.touch_table()
    digest = next(r for r in touch if r["touchpoint"] == "digest")
    assert digest["automated"] == digest["requested"] == digest["on_time"] > 0


def test_a_renewal_reads_light_touches_as_the_records_show_them() -> None:
    """Coverage at each renewal recomputed from the records (automated credit x weight,
    skipped touches against) equals what the engine used."""
    rec = simulate(tiny(DIGEST, SKIPPED, "segments.s.churn.late_credit_half_life_days=10"), 0)
    r = rec.renewals
    assert len(r["time"]) >= 10
    for i in range(len(r["time"])):
        cov, full = _coverage_at(rec, int(r["account"][i]), float(r["time"][i]), 365.0, 10.0)
        assert r["coverage"][i] == pytest.approx(cov, abs=1e-12)
        assert r["late_credit_loss"][i] == pytest.approx(full - cov, abs=1e-12)


def test_an_automated_expansion_touch_delivers_its_credit() -> None:
    """The only expansion touch is automated at effectiveness 0.5: every renewal's
    expansion delivery is 0.5 once one was due, 1 before."""
    rec = simulate(tiny(UPSELL), 0)
    d = rec.renewals["expansion_delivery"]
    assert len(d) >= 10
    assert set(np.round(d, 12)) <= {0.5, 1.0}
    assert (np.round(d, 12) == 0.5).sum() >= 10


touch = st.tuples(
    st.floats(0, 400),
    st.sampled_from([Status.AUTOMATED, Status.SKIPPED]),
    st.floats(0, 100),
    st.floats(0, 1),
)


@given(st.lists(touch, max_size=30), st.lists(touch, max_size=5), st.floats(0, 400))
@settings(max_examples=200, deadline=None)
def test_light_and_task_coverage_agree(
    light: list[tuple[float, Status, float, float]],
    full: list[tuple[float, Status, float, float]],
    now: float,
) -> None:
    """The same touches as Tasks or as light tuples give the same coverage (to rounding:
    the sums run in another order)."""

    def task(planned: float, status: Status, weight: float, credit: float) -> Task:
        start = planned if status == Status.AUTOMATED else math.nan
        return _task(status, planned=planned, start=start, weight=weight, credit=credit)

    tasks = [task(*x) for x in full]
    as_tasks = churn.coverage(tasks + [task(*x) for x in light], now, 10.0)
    auto = [(p, 0, 0.0 if s == Status.SKIPPED else w * c, w) for p, s, w, c in light]
    as_light = churn.coverage(tasks, now, 10.0, auto)
    for a, b in zip(as_tasks, as_light, strict=True):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def test_requests_support_answers_are_recorded_as_their_tasks_would_be() -> None:
    """Inbound requests routed to support are light rows too: answered the day they came,
    on time within 0 working days and due within 1, no touchpoint, CSM, hours or weight."""
    inbound = (
        "segments.s.inbound={requests_per_account_year: 12, support_share: 0.5}",
        "segments.s.touchpoints.request={trigger: {kind: inbound_request}, hours: 0.5}",
    )
    rec = simulate(tiny(*inbound), 0)
    t = rec.tasks
    m = t["channel"] == Channel.SUPPORT
    assert m.sum() >= 30
    assert np.all(np.diff(t["id"]) > 0)
    assert np.all(t["status"][m] == Status.SUPPORT)
    assert np.all(t["kind"][m] == Kind.INBOUND_REQUEST)
    assert np.all(t["tp"][m] == -1)
    assert np.all((t["csm"][m] == -1) & (t["hours"][m] == 0) & (t["weight"][m] == 0))
    assert np.array_equal(t["start"][m], t["planned"][m])
    assert np.array_equal(t["end"][m], t["planned"][m])
    # windows of 0 and 1 weekday (the default calendar counts working days)
    assert np.all((t["ontime"][m] >= t["planned"][m]) & (t["ontime"][m] - t["planned"][m] < 3))
    assert np.all((t["due"][m] >= t["ontime"][m] + 1.0) & (t["due"][m] - t["planned"][m] <= 4))
    assert rec.summary()["s"]["inbound_to_support"] == m.sum()
