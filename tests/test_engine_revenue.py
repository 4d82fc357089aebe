"""Overload mechanisms that reach revenue (issue 12): late credit, responsiveness, late
onboarding, late escalations, expansion from CSM work and the CSM's book NRR.

Deterministic checks recompute each renewal driver from the task records; metamorphic
checks pair replications over seeds (common random numbers).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.engine import churn
from simulator.engine.codes import Channel, Kind, Status
from simulator.engine.records import Records, planned_touches
from simulator.engine.simulation import simulate
from simulator.engine.state import Task
from simulator.scenario.loader import load_text, validate_data
from simulator.scenario.model import Scenario
from tests.test_engine import scenarios as engine_scenarios

# one overloaded CSM: 12 accounts x 12 calls x 10 h = 1,440 h a year against ~1,090 h;
# no burn-in, so every task a renewal weighs is in the records
TINY = """\
name: Revenue drivers
start_date: 2027-01-01
horizon_days: 365
burn_in_days: 0
seed: 5
segments:
  s:
    accounts: 12
    arr: 100000
    coverage: dedicated
    team: {csms: 1, annual_cost_per_csm: 150000, annual_attrition: 0}
    lifecycle: {onboarding_days: 60, adoption_days: 60, renewal_window_days: 60}
    churn: {annual_baseline: 0.1}
    touchpoints:
      call: {trigger: {kind: cadence, per_year: 12}, hours: 10}
      renewal: {trigger: {kind: before_renewal, days: 30}, hours: 4}
"""


def churn_inputs(**inputs: object) -> str:
    """An override setting the tiny segment's whole churn mapping (``--set KEY=null`` would
    delete a key, so a null input is set inside the mapping)."""
    items = {"annual_baseline": 0.1, **inputs}
    body = ", ".join(f"{k}: {'null' if v is None else v}" for k, v in items.items())
    return f"segments.s.churn={{{body}}}"


def tiny(*overrides: str, text: str = TINY) -> Scenario:
    """The tiny overloaded scenario with ``overrides`` (``segments.s.churn...=...``)."""
    return load_text(text, "tiny.yaml", list(overrides)).scenario


def _task(status: Status, *, planned: float = 0.0, start: float = math.nan, **kw: float) -> Task:
    t = Task.new(
        tid=0,
        segment=0,
        account=None,
        tp=0,
        kind=Kind.CADENCE,
        channel=Channel.ONE_TO_ONE,
        team=0,
        priority=5,
        planned=planned,
        ontime=planned + kw.get("ontime_days", 7.0),
        due=planned + kw.get("due_days", 30.0),
        hours=1.0,
        weight=kw.get("weight", 1.0),
        credit=kw.get("credit", 1.0),
    )
    t.status = status
    t.start = start
    return t


def _coverage_at(rec: Records, account: int, now: float, window: float, half_life: float | None):
    """An account's coverage at a renewal at ``now``, recomputed from the task records."""
    t = rec.tasks
    m = (
        planned_touches(t)
        & (t["account"] == account)
        & (t["kind"] != Kind.INBOUND_REQUEST)
        & (t["planned"] >= now - window)
        & (t["planned"] <= now)
    )
    num = full = den = 0.0
    for i in np.flatnonzero(m):
        st, w, c = int(t["status"][i]), float(t["weight"][i]), float(t["credit"][i])
        start = float(t["start"][i])
        if st == Status.AUTOMATED or (not math.isnan(start) and start <= now):
            days = start - float(t["ontime"][i])
            full += w * c
            num += w * c * churn.late_credit(days, half_life)
            den += w
        elif st == Status.SKIPPED or float(t["due"][i]) < now:
            den += w
    return (num / den, full / den) if den > 0 else (1.0, 1.0)


# ---------------------------------------------------------------------------- late credit


def test_late_credit_halves_at_the_half_life() -> None:
    assert churn.late_credit(0.0, 30.0) == 1.0
    assert churn.late_credit(-3.0, 30.0) == 1.0
    assert churn.late_credit(30.0, 30.0) == pytest.approx(0.5)
    assert churn.late_credit(60.0, 30.0) == pytest.approx(0.25)
    assert churn.late_credit(60.0, None) == 1.0


def test_coverage_discounts_late_touches_only() -> None:
    touches = [
        _task(Status.ON_TIME, start=3.0),  # on time: 1
        _task(Status.LATE, start=17.0),  # 10 days late: 0.5 at a 10-day half-life
        _task(Status.AUTOMATED, start=0.0, credit=0.5),  # automated: its credit
        _task(Status.MISSED),  # 0
        _task(Status.SKIPPED, credit=0.0),  # 0
        _task(Status.OPEN, planned=50.0),  # not yet due: left out
        _task(Status.LATE, planned=100.0, start=120.0),  # planned after now: left out
    ]
    cov, full = churn.coverage(touches, 60.0, 10.0)
    assert cov == pytest.approx((1 + 0.5 + 0.5) / 5)
    assert full == pytest.approx((1 + 1 + 0.5) / 5)
    assert churn.coverage(touches, 60.0, None) == (full, full)
    assert churn.coverage([], 60.0, 10.0) == (1.0, 1.0)


def test_renewal_coverage_and_late_credit_loss_are_recomputed_from_the_tasks() -> None:
    s = tiny("segments.s.churn.late_credit_half_life_days=10")
    rec = simulate(s, 0)
    r = rec.renewals
    assert len(r["time"]) >= 10
    assert (rec.tasks["status"] == Status.LATE).sum() > 20, "the scenario must be overloaded"
    assert r["late_credit_loss"].max() > 0.05
    for i in range(len(r["time"])):
        cov, full = _coverage_at(rec, int(r["account"][i]), float(r["time"][i]), 365.0, 10.0)
        assert r["coverage"][i] == pytest.approx(cov, abs=1e-12)
        assert r["late_credit_loss"][i] == pytest.approx(full - cov, abs=1e-12)


def test_no_half_life_gives_late_touches_full_credit() -> None:
    rec = simulate(tiny(churn_inputs(late_credit_half_life_days=None)), 0)
    r = rec.renewals
    assert np.all(r["late_credit_loss"] == 0.0)
    for i in range(len(r["time"])):
        cov, full = _coverage_at(rec, int(r["account"][i]), float(r["time"][i]), 365.0, None)
        assert r["coverage"][i] == pytest.approx(cov, abs=1e-12) and cov == full


def _expected_churn(s: Scenario, reps: int) -> np.ndarray:
    return np.array(
        [simulate(s, rep, 31).summary()["s"]["expected_logo_churn"] for rep in range(reps)]
    )


@pytest.mark.parametrize("extra", [(), "service and risk"])
def test_expected_churn_never_falls_as_late_credit_falls(extra: tuple[str, ...] | str) -> None:
    """Metamorphic, paired over seeds: a shorter half-life never lowers expected churn
    (through coverage alone, and with responsiveness and late escalations too)."""
    more = (*SERVICE, *RISK) if extra else ()
    lives = [None, 90, 30, 10, 2]
    churns = {
        h: _expected_churn(tiny(*more, churn_inputs(late_credit_half_life_days=h)), 5)
        for h in lives
    }
    means = [churns[h].mean() for h in lives]
    assert all(b >= a - 1e-12 for a, b in itertools.pairwise(means)), means
    assert means[-1] > means[0] + 0.005, means


# ---------------------------------------------------------------------------- responsiveness

SERVICE = (
    "segments.s.touchpoints.ask={trigger: {kind: inbound_request}, hours: 1, weight: 2}",
    "segments.s.inbound={requests_per_account_year: 12, support_share: 0.5}",
    "segments.s.unscheduled_uplift=1.5",
)
"""Inbound requests (half of them to the CSM) and ad hoc work on the tiny scenario."""


def _service(rec: Records, account: int) -> np.ndarray:
    t = rec.tasks
    return (t["account"] == account) & (
        ((t["kind"] == Kind.INBOUND_REQUEST) & (t["channel"] != Channel.SUPPORT))
        | (t["kind"] == Kind.UNSCHEDULED)
    )


def _responsiveness_at(
    rec: Records, account: int, now: float, window: float, half_life: float | None
) -> float:
    """An account's responsiveness at a renewal at ``now``, recomputed from the records."""
    t = rec.tasks
    m = _service(rec, account) & (t["planned"] >= now - window) & (t["planned"] <= now)
    num = den = 0.0
    for i in np.flatnonzero(m):
        adhoc = int(t["kind"][i]) == Kind.UNSCHEDULED
        w = 1.0 if adhoc else float(t["weight"][i])
        c = 1.0 if adhoc else float(t["credit"][i])
        start = float(t["start"][i])
        if not math.isnan(start) and start <= now:
            num += w * c * churn.late_credit(start - float(t["ontime"][i]), half_life)
            den += w
        elif int(t["status"][i]) == Status.SKIPPED or float(t["due"][i]) < now:
            den += w
    return num / den if den > 0 else 1.0


def test_responsiveness_weighs_requests_and_ad_hoc_work_by_response_time() -> None:
    request = {"weight": 2.0}
    service = [
        _task(Status.ON_TIME, start=1.0, **request),  # 2 x 1
        _task(Status.LATE, start=17.0, **request),  # 2 x 0.5 (10 days late)
        _task(Status.MISSED, **request),  # 2 x 0
        _task(Status.OPEN, planned=40.0, **request),  # not yet due: left out
        _task(Status.OPEN, planned=0.0, due_days=5.0, **request),  # overdue: 2 x 0
    ]
    adhoc = [_task(Status.LATE, start=27.0), _task(Status.MISSED)]  # 1 x 0.25, 1 x 0
    for t in adhoc:
        t.tp, t.weight, t.credit = -1, 0.0, 0.0  # as on_background makes them
    got = churn.responsiveness(service + adhoc, 60.0, 10.0)
    assert got == pytest.approx((2 + 1 + 0.25) / (4 * 2 + 2))
    assert churn.responsiveness([], 60.0, 10.0) == 1.0
    assert churn.responsiveness(service + adhoc, 60.0, None) == pytest.approx((2 + 2 + 1) / 10)


def test_inbound_requests_do_not_pad_coverage_and_set_responsiveness() -> None:
    s = tiny(*SERVICE)
    rec = simulate(s, 0)
    r, t = rec.renewals, rec.tasks
    inbound = (t["kind"] == Kind.INBOUND_REQUEST) & (t["channel"] != Channel.SUPPORT)
    assert inbound.sum() > 20 and (t["kind"] == Kind.UNSCHEDULED).sum() > 20
    assert (t["status"][inbound | (t["kind"] == Kind.UNSCHEDULED)] == Status.MISSED).sum() > 5
    assert r["responsiveness"].min() < 0.9
    rule = churn.ChurnRule.of(s.segments["s"].churn, 0.1)
    for i in range(len(r["time"])):
        acc, now = int(r["account"][i]), float(r["time"][i])
        cov, _ = _coverage_at(rec, acc, now, 365.0, 30.0)
        assert r["coverage"][i] == pytest.approx(cov, abs=1e-12)
        resp = _responsiveness_at(rec, acc, now, 365.0, 30.0)
        assert r["responsiveness"][i] == pytest.approx(resp, abs=1e-12)
        m = 1 + rule.responsiveness_effect * (1 - resp)
        assert r["responsiveness_multiplier"][i] == pytest.approx(m)


def test_responsiveness_has_its_own_effect_size() -> None:
    off = simulate(tiny(*SERVICE, "segments.s.churn.responsiveness_effect=0"), 0).renewals
    on = simulate(tiny(*SERVICE, "segments.s.churn.responsiveness_effect=2"), 0).renewals
    assert np.all(off["responsiveness_multiplier"] == 1.0)
    assert on["responsiveness"].min() < 0.9
    np.testing.assert_allclose(on["responsiveness_multiplier"], 1 + 2 * (1 - on["responsiveness"]))
    # up to the first churn in either run the work is the same: the same drivers
    churned = np.flatnonzero(on["churned"].astype(bool) | off["churned"][: len(on["time"])])
    k = int(churned[0]) + 1 if len(churned) else len(on["time"])
    np.testing.assert_array_equal(on["responsiveness"][:k], off["responsiveness"][:k])
    late = on["responsiveness"][:k] < 1.0
    assert late.sum() >= 1
    assert np.all(on["probability"][:k][late] > off["probability"][:k][late])


# ---------------------------------------------------------------------------- onboarding

ONBOARDING = """\
name: Onboarding
start_date: 2027-01-01
horizon_days: 365
burn_in_days: 0
seed: 9
calendar: {model: continuous}
segments:
  s:
    accounts: 0
    arr: 50000
    contract_term_months: 6
    new_accounts_per_month: 4
    coverage: dedicated
    team: {csms: 2, annual_cost_per_csm: 150000, annual_attrition: 0}
    lifecycle: {onboarding_days: 45, adoption_days: 30, renewal_window_days: 30}
    churn: {annual_baseline: 0.1}
    touchpoints:
      kickoff:
        trigger: {kind: stage_entry, stage: onboarding}
        hours: 4
        due_days: 14
        purpose: milestone
      welcome: {trigger: {kind: stage_entry, stage: onboarding, offset_days: [0, 7]}, channel: automated}
      setup: {trigger: {kind: stage_entry, stage: onboarding, offset_days: 10}, hours: 3}
      call: {trigger: {kind: cadence, per_year: 6}, hours: 1}
"""
"""New accounts onboarding with a light load and no days off: every CSM touch is delivered
on time."""


def _onboarding(*overrides: str) -> Scenario:
    return tiny(*overrides, text=ONBOARDING)


def _late_onboardings(s: Scenario, reps: int = 3) -> list[float]:
    return [simulate(s, rep).summary()["s"]["late_onboardings"] for rep in range(reps)]


def test_a_delivered_kickoff_at_low_load_makes_no_late_onboarding() -> None:
    rec = simulate(_onboarding(), 0)
    t = rec.tasks
    kickoff = planned_touches(t) & (t["tp"] == 0)
    assert kickoff.sum() > 20
    assert np.all(np.isin(t["status"][kickoff], [Status.ON_TIME, Status.OPEN]))
    assert rec.summary()["s"]["late_onboardings"] == 0


@pytest.mark.parametrize("channel", ["skipped", "automated"])
def test_skipping_or_automating_a_milestone_makes_every_onboarding_late(channel: str) -> None:
    base = _late_onboardings(_onboarding())
    cut = _late_onboardings(_onboarding(f"segments.s.touchpoints.kickoff.channel={channel}"))
    assert all(c > b for b, c in zip(base, cut, strict=True)), (base, cut)
    # every onboarding that ended within the horizon is late
    for rep, n in enumerate(cut):
        rec = simulate(_onboarding(f"segments.s.touchpoints.kickoff.channel={channel}"), rep)
        ev = rec.events
        late = ev["event"] == 6
        assert n == late.sum() > 10 and np.all(ev["value"][late] == 0)
        status = Status.SKIPPED if channel == "skipped" else Status.AUTOMATED
        assert np.all(ev["value2"][late] == status)


def test_skipping_any_onboarding_touch_is_late_but_automating_a_plain_one_is_not() -> None:
    assert sum(_late_onboardings(_onboarding("segments.s.touchpoints.setup.channel=skipped"))) > 20
    assert (
        sum(_late_onboardings(_onboarding("segments.s.touchpoints.setup.channel=automated"))) == 0
    )
    # the kickoff automated, but not a milestone: delivered, so not late
    plain = _onboarding(
        "segments.s.touchpoints.kickoff.channel=automated",
        "segments.s.touchpoints.kickoff.purpose=engagement",
    )
    assert sum(_late_onboardings(plain)) == 0


def test_a_late_milestone_makes_the_onboarding_late() -> None:
    # one CSM, kickoffs of 40 h and no other CSM onboarding touch: the queue makes many
    # kickoffs start after their on-time day, and each of those makes its onboarding late
    slow = (
        "segments.s.team.csms=1",
        "segments.s.touchpoints.kickoff.hours=40",
        "segments.s.touchpoints.setup=null",
    )
    rec = simulate(_onboarding(*slow), 0)
    t, ev = rec.tasks, rec.events
    kickoff = planned_touches(t) & (t["tp"] == 0)
    assert (t["status"][kickoff] == Status.LATE).sum() > 5
    late = ev["event"] == 6
    assert set(ev["value"][late].astype(int)) == {0}
    assert (ev["value2"][late] == Status.LATE).sum() > 5
    assert set(ev["value2"][late].astype(int)) <= {Status.LATE, Status.MISSED, Status.OPEN}
    # the same kickoffs as plain engagement touches: late is still delivered
    plain = simulate(_onboarding(*slow, "segments.s.touchpoints.kickoff.purpose=engagement"), 0)
    assert (plain.events["event"] == 6).sum() < late.sum()


def test_skipping_a_kickoff_raises_expected_churn() -> None:
    """Metamorphic, paired over seeds: cutting a kickoff is not cheaper than delivering it."""

    def churn_of(s: Scenario) -> float:
        return float(np.mean([simulate(s, r).summary()["s"]["arr_at_risk"] for r in range(3)]))

    kept = churn_of(_onboarding())
    cut = churn_of(_onboarding("segments.s.touchpoints.kickoff.channel=skipped"))
    assert cut > kept


def test_onboarding_touches_are_kept_in_plan_order(monkeypatch: pytest.MonkeyPatch) -> None:
    from simulator.engine.accounts import Lifecycle

    seen: list[list[tuple[float, int, int]]] = []
    original = Lifecycle.on_onboarding_end

    def spy(self: Lifecycle, acc) -> None:  # type: ignore[no-untyped-def]
        seen.append([(t.planned, t.tp, int(t.status)) for t in acc.onboarding_tasks])
        original(self, acc)

    monkeypatch.setattr(Lifecycle, "on_onboarding_end", spy)
    simulate(_onboarding(), 0)
    assert len(seen) > 10
    for tasks in seen:
        assert tasks == sorted(tasks)
        # kickoff (0), welcome (1) at days 0 and 7, setup (2) at day 10, all of one onboarding
        assert [tp for _, tp, _ in tasks] == [0, 1, 1, 2]
        assert tasks[-1][0] - tasks[0][0] == pytest.approx(10.0)
        assert [st for _, tp, st in tasks if tp == 1] == [Status.AUTOMATED] * 2


def test_a_milestone_must_be_an_onboarding_touch() -> None:
    from simulator.errors import ScenarioError

    with pytest.raises(ScenarioError, match="milestone is for onboarding touches"):
        tiny("segments.s.touchpoints.call.purpose=milestone")
    with pytest.raises(ScenarioError, match="not stage adoption"):
        _onboarding(
            "segments.s.touchpoints.setup.trigger.stage=adoption",
            "segments.s.touchpoints.setup.purpose=milestone",
        )
    with pytest.raises(ScenarioError, match="inbound requests count in responsiveness"):
        tiny(*SERVICE, "segments.s.touchpoints.ask.purpose=expansion")


# ---------------------------------------------------------------------------- risk events

RISK = (
    "segments.s.risk_events={champion_loss: {per_account_year: 1.5, "
    "unhandled_churn_probability: 0.6, handled_churn_probability: 0.2}}",
    "segments.s.touchpoints.save={trigger: {kind: risk_event}, hours: 4, priority: 5, due_days: 60}",
)
"""Frequent risk events answered by an escalation that waits behind the calls."""


def _risk_at(rec: Records, account: int, now: float, half_life: float | None):
    """(hazard, handling) of an account's strongest risk at ``now``, from the records."""
    from simulator.engine.plan import hazard

    h_handled, h_unhandled = hazard(0.2), hazard(0.6)  # a 12-month term, 365-day effect
    ev, t = rec.events, rec.tasks
    hits = (ev["account"] == account) & (ev["event"] == 4) & (ev["time"] <= now)
    hits &= now - ev["time"] <= 365.0
    best: tuple[float, float] = (0.0, 0.0)
    for time in ev["time"][hits]:
        esc = (t["account"] == account) & (t["kind"] == Kind.RISK_EVENT) & (t["planned"] == time)
        assert esc.sum() == 1
        i = int(np.flatnonzero(esc)[0])
        start = float(t["start"][i])
        k = 0.0
        if not math.isnan(start) and start <= now:
            k = churn.late_credit(start - float(t["ontime"][i]), half_life)
        h = h_handled if k == 1.0 else h_unhandled - (h_unhandled - h_handled) * k
        if h > best[0] or best == (0.0, 0.0):
            best = (h, k)
    return best


@pytest.mark.parametrize("half_life", [None, 5.0])
def test_a_late_escalation_saves_less_of_the_risk(half_life: float | None) -> None:
    s = tiny(*RISK, churn_inputs(late_credit_half_life_days=half_life))
    rec = simulate(s, 0)
    r, t = rec.renewals, rec.tasks
    esc = t["kind"] == Kind.RISK_EVENT
    assert (t["status"][esc] == Status.LATE).sum() >= 3, "some escalations must start late"
    h0 = -math.log1p(-0.1)
    partial = 0
    for i in range(len(r["time"])):
        h, k = _risk_at(rec, int(r["account"][i]), float(r["time"][i]), half_life)
        assert r["risk_handling"][i] == pytest.approx(k, abs=1e-12)
        assert r["risk_multiplier"][i] == pytest.approx(max(h, h0) / h0, rel=1e-12)
        assert bool(r["risk_handled"][i]) == (k > 0)
        partial += 0 < k < 1
    if half_life is None:
        assert partial == 0  # any start before the due day handles the event in full
    else:
        assert partial >= 2


# ---------------------------------------------------------------------------- expansion

UNIFORM = "segments.s.arr_change_at_renewal={dist: uniform, low: -0.2, high: 0.3}"
"""An ARR change with q = P(change <= 0) = 0.4 and a quantile function easy to invert."""

UPSELL = (
    "segments.s.touchpoints.upsell="
    "{trigger: {kind: before_renewal, days: 60}, hours: 2, purpose: expansion}"
)

NO_EXPANSION_EFFECT = "segments.s.expansion={coverage_effect: 0, touch_effect: 0}"


def _uniform_rule(**inputs: float):
    from simulator.engine.expansion import ExpansionRule

    s = tiny(UNIFORM, *(f"segments.s.expansion.{k}={v}" for k, v in inputs.items()))
    return ExpansionRule.of(s.segments["s"])


def test_the_slide_keeps_the_share_e_of_the_expected_expansion() -> None:
    rule = _uniform_rule()
    assert rule.no_expansion == pytest.approx(0.4, abs=1e-12)
    for e in (1.0, 0.81, 0.5, 0.25, 0.0):
        # uniform: the top s of the quantiles hold 1 - (0.6 - s)^2 / 0.36 of the expansion
        assert rule.slide(e) == pytest.approx(0.6 * (1 - math.sqrt(e)), abs=1e-6)
    u = (np.arange(200_000) + 0.5) / 200_000
    planned = np.array([rule.change(x, 1.0)[1] for x in u[::50]])
    for e in (0.8, 0.3):
        got = np.array([rule.change(x, e)[1] for x in u[::50]])
        assert got.clip(0).mean() == pytest.approx(e * planned.clip(0).mean(), rel=2e-3)
        assert (got > 0).mean() < (planned > 0).mean()  # fewer expand ...
        assert np.median(got[got > 0]) < np.median(planned[planned > 0])  # ... and by less
        np.testing.assert_array_equal(got[planned <= 0], planned[planned <= 0])


def test_e_of_one_gives_the_draw_bit_for_bit() -> None:
    from simulator.engine.expansion import ExpansionRule

    s = tiny(*TOP_EXPANSION)
    rule = ExpansionRule.of(s.segments["s"])
    for u in np.random.default_rng(3).random(500).tolist():
        planned, change = rule.change(u, 1.0)
        assert planned == change == s.segments["s"].arr_change_at_renewal.ppf1(u)


TOP_EXPANSION = (
    "segments.s.arr_change_at_renewal={dist: normal, mean: 0.17, sd: 0.15, min: -0.5, max: 1.0}",
)
"""The default plan's top-tier ARR change."""


def test_renewal_expansion_is_explained_by_its_drivers() -> None:
    s = tiny(UNIFORM, UPSELL, "segments.s.expansion={coverage_effect: 0.6, touch_effect: 0.4}")
    rec = simulate(s, 0)
    r = rec.renewals
    renewed = ~r["churned"].astype(bool)
    assert renewed.sum() >= 8
    t = rec.tasks
    upsell = planned_touches(t) & (t["tp"] == 2)
    assert upsell.any()
    for i in np.flatnonzero(renewed):
        acc, now = int(r["account"][i]), float(r["time"][i])
        mine = upsell & (t["account"] == acc) & (t["planned"] <= now) & (t["planned"] >= now - 365)
        d = 1.0
        if mine.any():
            j = int(np.flatnonzero(mine)[0])
            start = float(t["start"][j])
            if not math.isnan(start) and start <= now:
                d = churn.late_credit(start - float(t["ontime"][j]), 30.0)
            elif float(t["due"][j]) < now:
                d = 0.0
        assert r["expansion_delivery"][i] == pytest.approx(d, abs=1e-12)
        e = (1 - 0.6 * (1 - r["coverage"][i])) * (1 - 0.4 * (1 - d))
        assert r["expansion_multiplier"][i] == pytest.approx(e, abs=1e-12)
        planned = float(r["arr_change_planned"][i])
        u = (planned + 0.2) / 0.5
        v = u - 0.6 * (1 - math.sqrt(e))
        want = planned if planned <= 0 else (0.0 if v <= 0.4 else -0.2 + 0.5 * v)
        assert r["arr_change"][i] == pytest.approx(want, abs=1e-5)
    assert np.any(r["arr_change"][renewed] < r["arr_change_planned"][renewed])


def test_zero_expansion_effects_reproduce_the_planned_change_exactly() -> None:
    off = simulate(tiny(UNIFORM, UPSELL, NO_EXPANSION_EFFECT), 0).renewals
    on = simulate(tiny(UNIFORM, UPSELL), 0).renewals
    renewed = ~off["churned"].astype(bool)
    np.testing.assert_array_equal(off["arr_change"][renewed], off["arr_change_planned"][renewed])
    assert np.all(off["expansion_multiplier"] == 1.0)
    # ARR moves no work here (one CSM, no new accounts): the same renewals, the same draws
    np.testing.assert_array_equal(on["probability"], off["probability"])
    np.testing.assert_array_equal(on["arr_change_planned"], off["arr_change_planned"])
    assert np.all(on["arr_change"] <= off["arr_change"])
    assert np.any(on["arr_change"] < off["arr_change"])


def test_skipping_expansion_touches_costs_expansion() -> None:
    """Metamorphic, paired over seeds: cutting the upsell call loses expansion ARR."""

    def expansion_of(*overrides: str) -> np.ndarray:
        s = tiny(UNIFORM, UPSELL, *overrides)
        return np.array([simulate(s, r).summary()["s"]["expansion_arr"] for r in range(4)])

    kept = expansion_of()
    cut = expansion_of("segments.s.touchpoints.upsell.channel=skipped")
    assert np.all(cut < kept), (kept, cut)


# ---------------------------------------------------------------------------- all together

MECHANISMS_OFF = (
    churn_inputs(late_credit_half_life_days=None, responsiveness_effect=0),
    NO_EXPANSION_EFFECT,
)
"""No late decay, no responsiveness effect, no expansion effect: coverage-only churn."""


def test_zero_effect_sizes_reproduce_coverage_only_churn_exactly() -> None:
    """With every new effect off, each renewal's probability is the coverage-only rule of
    before issue 12 (full credit for late touches, an escalation that started handles the
    event in full), computed directly from the task records."""
    s = tiny(*RISK, "segments.s.unscheduled_uplift=1.5", UNIFORM, UPSELL, *MECHANISMS_OFF)
    h0 = -math.log1p(-0.1)
    for rep in range(2):
        rec = simulate(s, rep)
        r = rec.renewals
        assert len(r["time"]) >= 10
        assert (r["risk_event"] >= 0).sum() >= 3
        for i in range(len(r["time"])):
            acc, now = int(r["account"][i]), float(r["time"][i])
            _, full = _coverage_at(rec, acc, now, 365.0, None)
            h_risk, k = _risk_at(rec, acc, now, None)
            assert k in (0.0, 1.0)
            hazard = max(h0, h_risk) * (1 + 0.8 * (1 - full))
            assert r["probability"][i] == pytest.approx(1 - math.exp(-hazard), rel=1e-12)
            assert r["responsiveness_multiplier"][i] == 1.0
            assert r["late_credit_loss"][i] == 0.0
        renewed = ~r["churned"].astype(bool)
        np.testing.assert_array_equal(r["arr_change"][renewed], r["arr_change_planned"][renewed])


def test_one_more_csm_never_lowers_expected_nrr_beyond_its_ci() -> None:
    """Metamorphic, paired over seeds, with churn and expansion on (every new driver at its
    default): each CSM added to the overloaded tiny book keeps NRR within its paired CI."""
    from scipy import stats

    more = (*SERVICE, *RISK, UPSELL, TOP_EXPANSION[0])
    reps = 6
    nrr = {
        c: np.array(
            [
                simulate(tiny(*more, f"segments.s.team.csms={c}"), r, 77).summary()["s"]["nrr"]
                for r in range(reps)
            ]
        )
        for c in (1, 2, 3)
    }
    t = stats.t.ppf(0.975, reps - 1)
    for a, b in ((1, 2), (2, 3)):
        diff = nrr[b] - nrr[a]
        half = t * diff.std(ddof=1) / math.sqrt(reps)
        assert diff.mean() >= -half, (a, b, diff)
    assert nrr[2].mean() > nrr[1].mean()  # relief of an overloaded CSM shows in NRR


# ---------------------------------------------------------------------------- CSM book NRR


def test_each_renewal_records_its_owner_and_every_csm_book_its_nrr() -> None:
    s = tiny(
        UNIFORM,
        "segments.s.team.csms=3",
        "segments.s.team.annual_attrition=0.9",
        "segments.s.team.hiring_lead_days=20",
        "segments.s.csm_nrr_quota=1.05",
    )
    rec = simulate(s, 1)
    r, ev, staff = rec.renewals, rec.events, rec.staff
    assert set(r["csm"].astype(int)) <= set(staff["csm"].astype(int))
    moved = ev["event"] == 5  # reassigned: value2 is the new owner
    checked = 0
    for i in range(len(r["time"])):
        acc, now = int(r["account"][i]), float(r["time"][i])
        mine = moved & (ev["account"] == acc) & (ev["time"] <= now)
        if mine.any():
            assert r["csm"][i] == ev["value2"][np.flatnonzero(mine)[-1]]
            checked += 1
    assert checked >= 2, "attrition must move some accounts before their renewal"
    books = rec.csm_books()
    assert len(books) >= 3
    back = np.where(r["churned"].astype(bool), 0.0, r["arr"] * (1 + r["arr_change"]))
    for b in books:
        mine = r["csm"] == b["csm"]
        assert b["renewals"] == mine.sum()
        assert b["nrr"] == pytest.approx(back[mine].sum() / r["arr"][mine].sum())
        assert b["at_quota"] == (b["nrr"] >= 1.05)
    nrr = [b["nrr"] for b in books]
    m = rec.summary()["s"]
    assert m["csm_book_nrr"] == pytest.approx(float(np.median(nrr)))
    assert m["csm_quota_attainment"] == pytest.approx(np.mean([x >= 1.05 for x in nrr]))


def test_unowned_renewals_form_one_book() -> None:
    """A pooled segment's renewals, or a dedicated book's with no CSM, are one unowned book:
    a target on the CSM's book NRR cannot be met by having no CSM."""
    for s in (tiny("segments.s.coverage=pooled"), tiny("segments.s.team.csms=0")):
        rec = simulate(s, 0)
        r = rec.renewals
        assert np.all(r["csm"] == -1)
        (book,) = rec.csm_books()
        back = np.where(r["churned"].astype(bool), 0.0, r["arr"] * (1 + r["arr_change"]))
        assert book["csm"] == -1 and book["nrr"] == pytest.approx(back.sum() / r["arr"].sum())
        m = rec.summary()["s"]
        assert m["csm_book_nrr"] == book["nrr"]
        assert m["csm_quota_attainment"] == float(book["nrr"] >= 1.0)


def test_the_csm_book_nrr_is_a_solver_target() -> None:
    from simulator.analysis.solve import TARGET_METRICS, solve_headcount
    from simulator.scenario.targets import target_overrides

    assert TARGET_METRICS["csm_book_nrr"] == "csm_book_nrr"
    assert TARGET_METRICS["csm_quota_attainment"] == "csm_quota_attainment"
    s = tiny(
        *SERVICE,
        UNIFORM,
        *target_overrides("s.csm_book_nrr>=1.0@0.75"),
        *target_overrides("s.csm_quota_attainment>=0.5@0.75"),
    )
    (sol,) = solve_headcount(s, replications=4, max_csms=6)
    assert sol.required is not None and sol.required > 1
    names = {c.target for c in sol.checks}
    assert names == {"csm_book_nrr", "csm_quota_attainment"}
    assert all(c.met for c in sol.checks)
    assert not all(c.met for c in sol.checks_below)


# ---------------------------------------------------------------------------- invariants


@st.composite
def revenue_scenarios(draw: st.DrawFn) -> dict:
    """The engine fuzz scenarios with the revenue inputs drawn too."""
    data = draw(engine_scenarios())
    for seg in data["segments"].values():
        seg["churn"].update(
            late_credit_half_life_days=draw(st.sampled_from([None, 1, 30, 3650])),
            responsiveness_effect=draw(st.sampled_from([0, 0.5, 3])),
        )
        seg["expansion"] = {
            "coverage_effect": draw(st.sampled_from([0, 0.5, 1])),
            "touch_effect": draw(st.sampled_from([0, 0.5, 1])),
        }
        seg["csm_nrr_quota"] = draw(st.sampled_from([0.9, 1.0, 1.2]))
        tps = seg["touchpoints"]
        for name in list(tps):
            trig = tps[name]["trigger"]
            if trig["kind"] == "stage_entry" and trig["stage"] == "onboarding":
                purpose = draw(st.sampled_from(["engagement", "milestone"]))
            elif trig["kind"] in ("cadence", "before_renewal"):
                purpose = draw(st.sampled_from(["engagement", "expansion"]))
            else:
                continue
            tps[name] = {**tps[name], "purpose": purpose}
    return data


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(revenue_scenarios(), st.integers(0, 3))
def test_revenue_drivers_stay_in_range_and_explain_each_renewal(data: dict, rep: int) -> None:
    s = validate_data(data).scenario
    rec = simulate(s, rep, 5)
    r = rec.renewals
    for col in ("coverage", "responsiveness", "risk_handling", "expansion_delivery"):
        assert np.all((r[col] >= 0) & (r[col] <= 1 + 1e-12)), col
    assert np.all((r["expansion_multiplier"] >= 0) & (r["expansion_multiplier"] <= 1))
    assert np.all(
        (r["late_credit_loss"] >= -1e-12) & (r["coverage"] + r["late_credit_loss"] <= 1 + 1e-9)
    )
    assert np.all((r["probability"] >= 0) & (r["probability"] <= 1))
    renewed = ~r["churned"].astype(bool)
    planned, change = r["arr_change_planned"][renewed], r["arr_change"][renewed]
    # contractions are untouched; an expansion keeps at most its planned size
    np.testing.assert_array_equal(change[planned <= 0], planned[planned <= 0])
    assert np.all((change[planned > 0] >= 0) & (change[planned > 0] <= planned[planned > 0]))
    full = r["expansion_multiplier"][renewed] == 1.0
    np.testing.assert_array_equal(change[full], planned[full])
    finite = np.isfinite(r["hazard"]) & (r["p_baseline"] > 0) & (r["p_baseline"] < 1)
    base_h = -np.log1p(-r["p_baseline"][finite])
    hazard = (
        base_h
        * r["risk_multiplier"][finite]
        * r["coverage_multiplier"][finite]
        * r["responsiveness_multiplier"][finite]
        * r["late_onboarding_multiplier"][finite]
        * r["reassignment_multiplier"][finite]
    )
    np.testing.assert_allclose(hazard, r["hazard"][finite], rtol=1e-9, atol=1e-12)
    for book in rec.csm_books():
        assert book["nrr"] >= 0 and book["renewals"] >= 1
    for name, m in rec.summary().items():
        q = m["csm_quota_attainment"]
        assert math.isnan(q) or 0 <= q <= 1, name
