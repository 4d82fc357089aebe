"""The evidence loop on histories the engine itself made: calibration and the backtest.

SYNTHETIC DATA - not real customers. Each history is one replication of
tests/data/good/engine_history.yaml (a book that starts empty and grows for three years)
exported as a CRM would export it (simulator.synthetic.engine_history), written to CSV
and read back by the ordinary readers. The scenario's effects are the truth: calibrating
on the export should recover them, and a backtest (calibrate on the first two years,
simulate the third) should predict the third year as often as its intervals claim.

Statistical thresholds are stated with their own false-alarm rates (binomial, the checks
taken as independent; checks of one history are positively correlated, which makes the
count more spread out than binomial, so the stated rates are lower bounds).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from simulator.analysis.backtest import Backtest, backtest
from simulator.analysis.backtest_book import book_at
from simulator.analysis.book import analyze_book
from simulator.analysis.calibrate import Calibration, HistoryInput, calibrate, plan_templates
from simulator.data.activities import read_activities
from simulator.data.customers import read_customers
from simulator.engine.codes import Channel, Kind, Status
from simulator.engine.records import Records
from simulator.engine.simulation import simulate
from simulator.scenario.loader import Loaded, load
from simulator.synthetic import CUSTOMER_COLUMNS, write_csv
from simulator.synthetic.engine_history import (
    ACTIVITY_COLUMNS,
    RESPONSE_COLUMN,
    engine_history,
    history_from_records,
    list_date,
)

SCENARIO = Path(__file__).resolve().parent / "data" / "good" / "engine_history.yaml"
TRUTH = {"coverage_effect": 2.0, "log_late_onboarding": 1.8}
"""The scenario's effects (both segments): the values calibration should recover."""
SEGMENTS = ("mid", "small")


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    return load(SCENARIO)


def _read(tmp: Path, customers: list[dict[str, str]], activities: list[dict[str, str]]) -> Any:
    """The exports written as CSV and read back: (customers, activities)."""
    write_csv(customers, tmp / "customers.csv", columns=CUSTOMER_COLUMNS)
    write_csv(activities, tmp / "activities.csv", columns=ACTIVITY_COLUMNS)
    return (
        read_customers(tmp / "customers.csv").customers,
        read_activities(tmp / "activities.csv").activities,
    )


def _calibrate(loaded: Loaded, customers: Any, activities: Any, seed: int) -> Calibration:
    scenario = loaded.scenario
    book = analyze_book(customers, list_date(scenario), None)
    return calibrate(
        book,
        customers,
        "customers.csv",
        "accounts.csv",
        history=HistoryInput(activities, None, seed),
        plan=plan_templates(SCENARIO, loaded),
    )


# ------------------------------------------------------------------ the export


def test_the_export_is_the_replication(loaded: Loaded, tmp_path: Path) -> None:
    scenario = loaded.scenario
    rec = simulate(scenario, 0)
    customers, activities = history_from_records(scenario, rec)
    assert (customers, activities) == engine_history(scenario, 0)  # same seed, same rows
    a = rec.accounts
    assert len(customers) == len(a["segment"])
    assert all(list(row) == list(CUSTOMER_COLUMNS) for row in customers)
    assert Counter(c["Status"] for c in customers)["Churned"] == int(a["churned"].sum())
    assert {c["Segment"] for c in customers} == set(SEGMENTS)
    t = rec.tasks
    delivered = (
        np.isin(t["status"], [Status.ON_TIME, Status.LATE])
        & np.isin(t["kind"], [Kind.STAGE_ENTRY, Kind.CADENCE, Kind.BEFORE_RENEWAL])
        & np.isin(t["channel"], [Channel.ONE_TO_ONE, Channel.ONE_TO_MANY])
    )
    assert len(activities) == int(delivered.sum())
    names = {n for tps in rec.touchpoints for n in tps}
    assert {r["Activity Type"] for r in activities} <= names - {"request"}
    last = list_date(scenario).isoformat()
    assert all(scenario.start_date.isoformat() <= r["Activity Date"] <= last for r in activities)
    assert {r["Assigned To"] for r in activities} == {f"CSM {i}" for i in rec.staff["csm"]}
    read_c, read_a = _read(tmp_path, customers, activities)
    assert len(read_c) == len(customers) and len(read_a) == len(activities)
    # the hours read back are the tasks' hours (to the minute)
    hours = sum(x.hours or 0.0 for x in read_a)
    assert hours == pytest.approx(float(t["hours"][delivered].sum()), abs=len(read_a) / 60)


def test_inbound_requests_are_written_with_their_response_time(
    loaded: Loaded, tmp_path: Path
) -> None:
    scenario = loaded.scenario
    rec = simulate(scenario, 1)
    _, plain = history_from_records(scenario, rec)
    _, rows = history_from_records(
        scenario, rec, labels={"request": "Support Ticket"}, inbound=True
    )
    requests = [r for r in rows if r["Activity Type"] == "Support Ticket"]
    t = rec.tasks
    answered = (
        np.isin(t["status"], [Status.ON_TIME, Status.LATE])
        & (t["kind"] == Kind.INBOUND_REQUEST)
        & (t["channel"] == Channel.ONE_TO_ONE)
    )
    assert len(requests) == int(answered.sum()) > 0
    assert len(rows) == len(plain) + len(requests)
    assert all(r[RESPONSE_COLUMN] == "" for r in rows if r["Activity Type"] != "Support Ticket")
    write_csv(rows, tmp_path / "a.csv", columns=[*ACTIVITY_COLUMNS, RESPONSE_COLUMN])
    read = [a for a in read_activities(tmp_path / "a.csv").activities if a.type == "Support Ticket"]
    waits = 24.0 * (t["start"][answered] - t["planned"][answered])
    got = sorted(a.response_hours or 0.0 for a in read)
    assert got == pytest.approx(sorted(waits.tolist()), abs=0.01)


def test_a_book_that_does_not_start_empty_is_refused(loaded: Loaded) -> None:
    scenario = load(SCENARIO, ["segments.mid.accounts=5"]).scenario
    with pytest.raises(ValueError, match="accounts: 0"):
        engine_history(scenario)


# ------------------------------------------------------------------ history vs engine


def _engine_vs_history(
    loaded: Loaded, rec: Records, tmp: Path
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Calibration]:
    """Each renewal's coverage and late onboarding, by the engine and read from the export."""
    scenario = loaded.scenario
    customers, activities = _read(tmp, *history_from_records(scenario, rec))
    cal = _calibrate(loaded, customers, activities, 1)
    assert cal.evidence is not None
    ren = rec.renewals
    engine: dict[str, list[tuple[float, bool]]] = {}
    for row, cov, late in zip(ren["account"], ren["coverage"], ren["late_onboarding"], strict=True):
        engine.setdefault(f"ENG-{int(row) + 1:05d}", []).append((float(cov), bool(late)))
    e_cov, h_cov, e_late, h_late = [], [], [], []
    for r in cal.evidence.history.renewals:
        cov, late = engine[r.account][r.number - 1]
        e_cov.append(cov)
        h_cov.append(r.drivers.coverage)
        e_late.append(late)
        h_late.append(r.drivers.late_onboarding)
    # every engine renewal is one of the list's, but those of the last days (a calendar
    # anniversary is a day after the engine's 365-day term across a 29 February) and the
    # first renewals of accounts signed before the first activity (the history's start)
    late = int((ren["time"] >= rec.horizon_days - 2).sum())
    early = cal.evidence.history.excluded["window before the activity history starts"]
    assert 0 <= len(ren["time"]) - len(e_cov) <= late + early
    return np.array(e_cov), np.array(h_cov), np.array(e_late), np.array(h_late), cal


def test_the_history_reads_the_engines_coverage(loaded: Loaded, tmp_path: Path) -> None:
    """Coverage read back from the export tracks the engine's own (the rounding of
    cadences to a planned count per window is the measure's known approximation)."""
    scenario = load(SCENARIO, ["calendar.model=continuous"]).scenario
    e_cov, h_cov, e_late, h_late, cal = _engine_vs_history(loaded, simulate(scenario, 0), tmp_path)
    assert cal.evidence is not None and cal.evidence.plan_names == {s: s for s in SEGMENTS}
    assert float(np.corrcoef(e_cov, h_cov)[0, 1]) > 0.85
    assert float(np.std(h_cov - e_cov)) < 0.15
    # with calendar-day windows in both, late onboardings agree but for day rounding
    assert int((e_late != h_late).sum()) <= 0.01 * len(e_late)


@pytest.mark.xfail(
    strict=True,
    reason="measured (continuous calendar, seeds 0-2): coverage read from the export is "
    "below the engine's by 0.019, 0.007, 0.024 on average (0.035, 0.026, 0.045 before a "
    "cadence touch after a missed one stopped being charged the gap as lateness). What is "
    "left: the engine counts the kickoff, planned on the first renewal window's first day, "
    "when created + 365 - 365 >= created in floating point (about 3 in 4 accounts), the "
    "history when no 29 February falls in the year",
)
def test_the_history_reads_the_engines_coverage_without_bias(
    loaded: Loaded, tmp_path: Path
) -> None:
    scenario = load(SCENARIO, ["calendar.model=continuous"]).scenario
    e_cov, h_cov, *_ = _engine_vs_history(loaded, simulate(scenario, 0), tmp_path)
    assert abs(float(np.mean(h_cov - e_cov))) < 0.01


@pytest.mark.xfail(
    strict=True,
    reason="measured (working_days calendar, seeds 0-2): the history now counts on-time "
    "and due windows in weekdays as the engine does (it had read 51 vs 29, 89 vs 60, 57 vs "
    "40 late onboardings); it reads 21 vs 29, 57 vs 60, 33 vs 40, disagreeing on 8, 3 and 7 "
    "of about 650 renewals (1.2%, 0.4%, 1.1%): the export dates touches by whole days "
    "while the engine plans from fractional arrival times, which moves weekday deadlines",
)
def test_the_history_reads_the_engines_late_onboardings_in_working_days(
    loaded: Loaded, tmp_path: Path
) -> None:
    _, _, e_late, h_late, _ = _engine_vs_history(loaded, simulate(loaded.scenario, 0), tmp_path)
    assert int((e_late != h_late).sum()) <= 0.01 * len(e_late)


# ------------------------------------------------------------------ calibration

CALIBRATION_SEEDS = 8
CALIBRATION_MIN_COVERED = 6
"""Of 8 histories, at least 6 of the 95% intervals must cover the truth."""


@pytest.mark.slow
def test_calibration_recovers_the_engines_effects(loaded: Loaded, tmp_path: Path) -> None:
    """Over 8 engine-made histories (~620 renewals, ~85 churned each), the 95% profile
    intervals of the coverage effect and of the late-onboarding multiplier cover the
    scenario's values; an effect not identified counts as a miss.

    Failing when 5 or fewer of 8 cover: P(X <= 5) = 0.6% at the nominal 0.95. Measured
    (seeds 0-9, working_days calendar): both covered 10 of 10; median estimates 2.03
    (coverage effect, truth 2.0) and 1.50 (late onboarding, truth 1.8: attenuated by the
    late onboardings the history over-reads, see the xfail above); intervals are wide
    (coverage effect about [0.2, 8]).
    """
    covered: Counter[str] = Counter()
    for k in range(CALIBRATION_SEEDS):
        customers, activities = _read(tmp_path, *engine_history(loaded.scenario, k))
        cal = _calibrate(loaded, customers, activities, k + 1)
        assert cal.evidence is not None and cal.evidence.effects is not None
        assert cal.evidence.plan_names == {s: s for s in SEGMENTS}
        for key, truth in TRUTH.items():
            e = cal.evidence.effects.effect(key)
            assert e is not None
            if e.identified and e.low is not None and e.high is not None:
                covered[key] += e.low <= truth <= e.high
    assert stats.binom.cdf(CALIBRATION_MIN_COVERED - 1, CALIBRATION_SEEDS, 0.95) < 0.01
    for key in TRUTH:
        assert covered[key] >= CALIBRATION_MIN_COVERED, (key, covered)


# ------------------------------------------------------------------ the backtest

BACKTEST_SEEDS = 3
BACKTEST_REPLICATIONS = 40
CHECKED = ("churned_logos", "grr", "nrr")


def _naive_errors(customers: Any, b: Backtest, actual: dict[str, bool]) -> np.ndarray:
    """Per account of ``b.predictions``: squared error of the model minus the naive one's."""
    past, _ = book_at(customers, b.as_of, b.end)
    book = analyze_book(past, b.as_of, None)
    seg = dict(zip((c.id for c in past), book.customer_segments, strict=True))
    years = (b.end - b.as_of).days / 365.0
    out = []
    for ident, p in b.predictions.items():
        q = 1.0 - (1.0 - book.segments[seg[ident]].annual_churn.value) ** years
        y = 1.0 if actual[ident] else 0.0
        out.append((p - y) ** 2 - (q - y) ** 2)
    return np.array(out)


@pytest.mark.slow
def test_backtest_intervals_and_brier_on_engine_histories(loaded: Loaded, tmp_path: Path) -> None:
    """Backtests at two years in, predicting the third (40 replications), over 3 engine
    histories: the 90% intervals of churned logos, GRR and NRR of both segments (18
    checks) hold the actual value at about their nominal rate, and the Brier score is no
    worse than the naive segment rate's beyond noise.

    Failing when 12 or fewer of 18 are inside: P(X <= 12) = 0.6% at the nominal 0.9.
    Measured (seeds 0-4): 30 of 30 inside, the actual churn in the upper half of its
    interval in 8 of 10 (small: 23 in [2, 23.2], 15 in [1, 15.1]); Brier 0.145 vs naive
    0.151, 0.160/0.167, 0.132/0.137, 0.112/0.114, 0.131/0.132.
    Brier: fails when the pooled mean of (model - naive) squared errors exceeds 2 of its
    standard errors (2.3% when the model is only as good as the naive rate).
    """
    scenario = loaded.scenario
    plan = plan_templates(SCENARIO, loaded)
    end = list_date(scenario)
    as_of = end - dt.timedelta(days=365)
    inside: Counter[str] = Counter()
    diffs = []
    n = 0
    for k in range(BACKTEST_SEEDS):
        customers, activities = _read(tmp_path, *engine_history(scenario, k))
        b = backtest(
            customers,
            activities,
            as_of,
            end,
            365,
            BACKTEST_REPLICATIONS,
            seed=k + 1,
            plan=plan,
        )
        assert {c.segment for c in b.checks} == set(SEGMENTS)
        for c in b.checks:
            if c.metric in CHECKED:
                inside[c.metric] += c.inside
                n += 1
        churned = {
            c.id: c.churn_date is not None and as_of < c.churn_date <= b.end for c in customers
        }
        d = _naive_errors(customers, b, churned)
        assert float(np.mean(d)) == pytest.approx(b.brier - b.brier_naive, abs=1e-9)
        diffs.append(d)
    assert n == BACKTEST_SEEDS * len(SEGMENTS) * len(CHECKED)
    assert stats.binom.cdf(12, n, 0.9) < 0.01
    assert sum(inside.values()) >= 13, inside
    d = np.concatenate(diffs)
    assert float(d.mean()) <= 2.0 * float(d.std(ddof=1)) / math.sqrt(len(d)), d.mean()


def test_per_account_predictions_name_the_right_accounts(loaded: Loaded, tmp_path: Path) -> None:
    """Over a 120-day period only the accounts renewing in it can churn: each of them
    predicts a positive churn probability, every other one exactly 0."""
    scenario = loaded.scenario
    customers, activities = _read(tmp_path, *engine_history(scenario, 0))
    as_of = list_date(scenario) - dt.timedelta(days=365)
    b = backtest(
        customers,
        activities,
        as_of,
        list_date(scenario),
        120,
        6,
        seed=2,
        plan=plan_templates(SCENARIO, loaded),
    )
    past, _ = book_at(customers, as_of, list_date(scenario))
    renewal = {c.id: c.renewal_date for c in past if not c.churned}
    assert set(b.predictions) == set(renewal)
    due = {i for i, r in renewal.items() if r is not None and r <= b.end}
    assert 0 < len(due) < len(renewal)
    # the engine's terms are 365 days, the list's calendar anniversaries can be a day later
    edge = {i for i, r in renewal.items() if r is not None and abs((r - b.end).days) <= 1}
    for ident, p in b.predictions.items():
        if ident in edge:
            continue
        if ident in due:
            assert p > 0, ident
        else:
            assert p == 0, ident


def _one_account(stage: str | None) -> dict[str, Any]:
    """A scenario with one account renewing 2025-06-15 (200 days into its first contract
    on 2025-01-01), no CSM, one kickoff touch."""
    account: dict[str, Any] = {"id": "A", "arr": 10000, "renewal_date": "2025-06-15"}
    if stage is not None:
        account["stage"] = stage
    segment = {
        "accounts": [account],
        "arr": 10000,
        "team": {"csms": 0, "annual_cost_per_csm": 1},
        "churn": {"annual_baseline": 0.1},
        "lifecycle": {"onboarding_days": 45, "adoption_days": 60},
        "touchpoints": {
            "kickoff": {"trigger": {"kind": "stage_entry", "stage": "onboarding"}, "hours": 2}
        },
    }
    return {"start_date": "2025-01-01", "horizon_days": 365, "segments": {"core": segment}}


def test_a_first_period_account_past_adoption_keeps_its_onboarding() -> None:
    """An account 200 days into its first contract (steady stage) is simulated in its first
    period: its kickoff, missed in the burn-in by a team without CSMs, makes its renewal a
    late onboarding at zero coverage. Written as "steady" (as the backtest did), the
    engine gave it a renewed period with no kickoff: coverage 1, no late onboarding."""
    from simulator.analysis.backtest import _stage
    from simulator.scenario.loader import validate_data

    def renewal(stage: str | None) -> tuple[bool, float]:
        rec = simulate(validate_data(_one_account(stage)).scenario, 0)
        assert len(rec.renewals["time"]) == 1
        return bool(rec.renewals["late_onboarding"][0]), float(rec.renewals["coverage"][0])

    plan = validate_data(_one_account(None)).scenario.segments["core"]
    tenure = float((dt.date(2025, 1, 1) - dt.date(2024, 6, 15)).days)  # 200 days: steady
    assert renewal(_stage(plan, 12, tenure)) == (True, 0.0)
    assert renewal("steady") == (False, 1.0)
    assert _stage(plan, 12, 400.0) is None  # past the first period: placed by renewal date
