"""The synthetic activity history: reproducible, consistent with its stated truth.

SYNTHETIC DATA - not real customers. The history is drawn from known effects of coverage
on churn and expansion (simulator.synthetic.history); these tests check that what it
writes is what its truth says: coverage spreads between accounts, churn at full coverage
is the baseline, late onboardings come at the rate the delivery process implies, coverage
recomputed from the written rows is the true coverage, and the confounding switch only
adds touches before the riskiest renewals.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from simulator.data import read_customers
from simulator.scenario.lifecycle import term_days
from simulator.scenario.model import Segment
from simulator.synthetic import (
    ACTIVITY_COLUMNS,
    CUSTOMER_COLUMNS,
    DEFAULT_HISTORY_TRUTH,
    History,
    HistoryTruth,
    default_plan,
    generate_history,
    late_onboarding,
    main,
    renewal_coverage,
    write_history,
)

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "scenarios" / "data" / "history"
FILES = ("customers.csv", "activities.csv", "truth.json")


@pytest.fixture(scope="module")
def plan() -> dict[str, Segment]:
    return default_plan()


@pytest.fixture(scope="module")
def history(plan: dict[str, Segment]) -> History:
    return generate_history(plan=plan)


@pytest.fixture(scope="module")
def big(plan: dict[str, Segment]) -> History:
    """A larger book (more renewals per segment for the rate checks)."""
    return generate_history(
        dataclasses.replace(DEFAULT_HISTORY_TRUTH, logos_per_month=150), plan=plan
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, History]:
    """The default history written once: its directory and what was written."""
    out = tmp_path_factory.mktemp("history")
    return out, write_history(out)


def _read(path: Path) -> list[dict[str, str]]:
    """A written CSV's rows (the title row above the header skipped)."""
    with path.open(encoding="utf-8", newline="") as f:
        title = f.readline()
        assert "SYNTHETIC DATA (not real customers)" in title
        return list(csv.DictReader(f))


def _days(
    history: History, customers: list[dict[str, str]], activities: list[dict[str, str]]
) -> dict[str, dict[str, list[int]]]:
    """Activity days from signing by account and touchpoint, read from written rows: the
    type names the touchpoint, or for the generic type the subject does."""
    truth = history.truth
    of_type = {
        truth.type_name(tp): tp for seg in history.segments.values() for tp in seg.touchpoints
    }
    since = {c["Customer ID"]: dt.date.fromisoformat(c["Customer Since"]) for c in customers}
    out: dict[str, dict[str, list[int]]] = {}
    for a in activities:
        kind = a["Activity Type"]
        if kind == truth.generic_type:
            kind = a["Subject"].split(" - ")[0]
        tp = of_type.get(kind)
        if tp is None:
            assert kind in truth.noise_types
            continue
        day = (dt.date.fromisoformat(a["Activity Date"][:10]) - since[a["Account ID"]]).days
        out.setdefault(a["Account ID"], {}).setdefault(tp, []).append(day)
    return out


def test_default_size_is_enough_to_estimate_a_coverage_effect(history: History) -> None:
    assert 1_200 <= len(history.renewals) <= 2_000
    assert sum(r.churned for r in history.renewals) >= 150
    assert {c["Segment"] for c in history.customers} == {"Enterprise", "Mid-Market", "SMB"}
    assert all(set(c) == set(CUSTOMER_COLUMNS) for c in history.customers)
    assert all(set(a) == set(ACTIVITY_COLUMNS) for a in history.activities)
    dates = [dt.date.fromisoformat(c["Customer Since"]) for c in history.customers]
    assert min(dates) >= DEFAULT_HISTORY_TRUTH.first_signing == dt.date(2023, 11, 1)
    assert max(dates) <= DEFAULT_HISTORY_TRUTH.as_of
    last = max(a["Activity Date"][:10] for a in history.activities)
    assert last <= DEFAULT_HISTORY_TRUTH.as_of.isoformat()


def test_same_seed_same_bytes(
    tmp_path: Path, written: tuple[Path, History], history: History, plan: dict[str, Segment]
) -> None:
    write_history(tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (written[0] / name).read_bytes()
    assert generate_history(seed=7, plan=plan).activities != history.activities


def test_shipped_files_are_what_the_command_writes(tmp_path: Path) -> None:
    assert main(["--history", "--out-dir", str(tmp_path)]) == 0
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (SHIPPED / name).read_bytes(), name
    assert sum((SHIPPED / n).stat().st_size for n in FILES) < 3_000_000
    assert "SYNTHETIC" in (SHIPPED / "README.md").read_text(encoding="utf-8")


def test_true_coverage_spreads_between_accounts(history: History) -> None:
    for seg in ("Enterprise", "Mid-Market"):
        c = np.array([r.coverage for r in history.renewals if r.segment == seg])
        assert c.std() > 0.1 and c.min() < 0.4 and np.mean(c >= 1.0) < 0.2
    smb = np.array([r.coverage for r in history.renewals if r.segment == "SMB"])
    # automated touches earn 0.4-0.5 credit: SMB coverage stays well below 1
    assert smb.std() > 0.0 and smb.max() < 0.6


def test_churn_probability_is_the_engine_form_and_the_draws_follow_it(history: History) -> None:
    truth = history.truth
    for r in history.renewals:
        base = truth.segment(r.segment).annual_baseline
        term = history.segments[r.segment].contract_term_months
        h = -math.log(1 - base) * term_days(term) / 365
        h *= 1 + truth.churn_coverage_effect * (1 - r.coverage)
        h *= truth.late_onboarding_multiplier if r.late_onboarding else 1.0
        assert r.churn_probability == pytest.approx(1 - math.exp(-h), rel=1e-12)
        if r.churned:
            assert r.arr_change == 0.0
    p = np.array([r.churn_probability for r in history.renewals])
    churned = sum(r.churned for r in history.renewals)
    assert abs(churned - p.sum()) < 4 * math.sqrt((p * (1 - p)).sum())


def test_churn_at_full_coverage_matches_the_baseline(plan: dict[str, Segment]) -> None:
    truth = dataclasses.replace(
        DEFAULT_HISTORY_TRUTH, propensity_mean=1.0, late_probability=0.0, logos_per_month=150
    )
    h = generate_history(truth, plan=plan)
    assert not any(r.late_onboarding for r in h.renewals)  # every touch on time
    churned = expected = variance = 0.0
    for seg in ("Enterprise", "Mid-Market"):
        full = [r for r in h.renewals if r.segment == seg and r.coverage == 1.0]
        assert len(full) >= 500
        base = truth.segment(seg).annual_baseline
        assert all(r.churn_probability == pytest.approx(base) for r in full)
        rate = sum(r.churned for r in full) / len(full)
        assert abs(rate - base) < 4 * math.sqrt(base * (1 - base) / len(full)), (seg, rate)
        churned += rate * len(full)
        expected += base * len(full)
        variance += base * (1 - base) * len(full)
    assert abs(churned - expected) < 3 * math.sqrt(variance)  # both segments together


def _onboarding_slots(seg: Segment) -> tuple[int, int]:
    """(CSM onboarding slots, milestones among them) of a segment's first onboarding."""
    n = m = 0
    for tp in seg.touchpoints.values():
        trig = tp.trigger
        if trig.kind == "stage_entry" and trig.stage == "onboarding" and tp.channel != "automated":
            k = sum(off < seg.lifecycle.onboarding_days for off in trig.offsets)
            n += k
            m += k if tp.purpose == "milestone" else 0
    return n, m


def test_share_of_late_onboardings_follows_the_delivery_process(big: History) -> None:
    truth = big.truth
    for name, seg in big.segments.items():
        n, m = _onboarding_slots(seg)
        # on time when every slot is delivered (propensity p each) and no milestone is late
        expected = 1 - truth.propensity_moment(n) * (1 - truth.late_probability) ** m
        first = [r.late_onboarding for r in big.renewals if r.segment == name and r.number == 1]
        share = float(np.mean(first))
        assert abs(share - expected) < 4 * math.sqrt(expected * (1 - expected) / len(first))
        # late onboarding counts only while it is within the coverage window: after the
        # first renewal only where renewed periods restart in onboarding
        later = [r.late_onboarding for r in big.renewals if r.segment == name and r.number > 1]
        if seg.lifecycle.after_renewal != "onboarding":
            assert not any(later)


def test_coverage_recomputed_from_the_written_rows_is_the_truth(
    written: tuple[Path, History],
) -> None:
    out, h = written
    customers = _read(out / "customers.csv")
    activities = _read(out / "activities.csv")
    days = _days(h, customers, activities)
    since = {c["Customer ID"]: dt.date.fromisoformat(c["Customer Since"]) for c in customers}
    for r in h.renewals:
        seg = h.segments[r.segment]
        acts = days.get(r.customer_id, {})
        shift = float(since[r.customer_id].weekday()) if h.truth.working_days else None
        assert renewal_coverage(seg, acts, r.day, shift) == r.coverage
        assert late_onboarding(seg, acts, r.day, shift) == r.late_onboarding
    # the reader must use the subject for some rows, and some rows are noise
    kinds = Counter(a["Activity Type"] for a in activities)
    assert kinds["Meeting"] > 0.05 * len(activities)
    noise = (kinds["Email"] + kinds["Note"]) / len(activities)
    assert abs(noise - h.truth.noise_share) < 0.03
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    assert truth["renewals"][0]["coverage"] == h.renewals[0].coverage
    assert truth["truth"]["churn_coverage_effect"] == 2.0


def test_only_csm_channels_write_rows_and_sessions_fall_on_session_days(history: History) -> None:
    smb = {c["Customer ID"] for c in history.customers if c["Segment"] == "SMB"}
    kinds = {a["Activity Type"] for a in history.activities if a["Account ID"] in smb}
    # welcome sequence, usage digest and renewal reminder are automated: no rows
    assert kinds == {"Onboarding Webinar", "Check-in Call", "Email", "Note"}
    webinars = [a for a in history.activities if a["Activity Type"] == "Onboarding Webinar"]
    weekdays = {dt.date.fromisoformat(a["Activity Date"][:10]).weekday() for a in webinars}
    assert weekdays == {1}  # weekly sessions on Tuesdays


def test_rescue_switch_adds_touches_only_before_the_riskiest_renewals(
    plan: dict[str, Segment], history: History
) -> None:
    truth = dataclasses.replace(DEFAULT_HISTORY_TRUTH, rescue_touch_share=0.1)
    rescued = generate_history(truth, plan=plan)
    assert rescued.customers == history.customers

    # the truth is unchanged: only the coverage read from the log differs
    def stripped(h: History) -> list[object]:
        return [dataclasses.replace(r, observed_coverage=0.0, rescued=False) for r in h.renewals]

    assert stripped(rescued) == stripped(history)
    picked = [r for r in rescued.renewals if r.rescued]
    for seg in ("Enterprise", "Mid-Market", "SMB"):  # each segment's riskiest renewals
        mine = [r for r in picked if r.segment == seg]
        others = [r for r in rescued.renewals if r.segment == seg and not r.rescued]
        assert len(mine) == math.ceil(0.1 * (len(mine) + len(others)))
        assert min(r.hazard for r in mine) >= max(r.hazard for r in others)
    base = Counter(tuple(a.values()) for a in history.activities)
    now = Counter(tuple(a.values()) for a in rescued.activities)
    assert not base - now  # no row removed or changed
    extra = now - base
    assert sum(extra.values()) == truth.rescue_touches * len(picked)
    windows: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for r in picked:
        lo = r.renewal_date - dt.timedelta(days=truth.rescue_window_days)
        windows.setdefault(r.customer_id, []).append((lo, r.renewal_date))
    cols = list(ACTIVITY_COLUMNS)
    for row in extra:
        a = dict(zip(cols, row, strict=True))
        day = dt.date.fromisoformat(a["Activity Date"][:10])
        assert a["Activity Type"] in ("Health Check Call", "Check-in Call")
        assert any(lo <= day < hi for lo, hi in windows[a["Account ID"]])
    # the log now shows more coverage exactly where the true hazard is highest
    gain = np.array([r.observed_coverage - r.coverage for r in picked])
    assert (gain >= 0).all() and gain.mean() > 0.02
    assert all(r.observed_coverage == r.coverage for r in history.renewals)


def _csm_hours(seg: Segment, rows: list[dict[str, str]], account_days: int) -> float:
    """CSM hours behind ``rows`` (one segment's, one window): touch durations (a session
    once) times the uplift, plus the plan's inbound and escalation hours per account-year."""
    sessions: set[str] = set()
    hours = 0.0
    for a in rows:
        if a["Activity Type"] in DEFAULT_HISTORY_TRUTH.noise_types:
            continue
        if a["Activity Type"] == "Onboarding Webinar":  # one_to_many: the session once
            if a["Activity Date"][:10] in sessions:
                continue
            sessions.add(a["Activity Date"][:10])
        hours += int(a["Duration (minutes)"]) / 60
    per_account = 0.0
    for tp in seg.touchpoints.values():
        if tp.trigger.kind == "inbound_request":
            rate = seg.inbound.requests_per_account_year * (1 - seg.inbound.support_share)
        elif tp.trigger.kind == "risk_event":
            rate = sum(e.per_account_year for e in seg.risk_events.values())
        else:
            continue
        per_account += rate * tp.mean_csm_hours
    return hours * seg.unscheduled_uplift + account_days / 365 * per_account


def test_owners_are_the_team_the_delivered_work_needed(
    history: History, plan: dict[str, Segment]
) -> None:
    """The CSMs with rows in the 90 days before a date (the team a backtest staffs) are
    the annualised CSM hours those rows imply over a CSM's customer hours (1730 x 0.63 x
    0.95), within rounding and the drawn durations; before, Enterprise had 4 names for
    ~260 accounts."""
    truth = history.truth
    seg_of = {c["Customer ID"]: c["Segment"] for c in history.customers}
    life = {
        c["Customer ID"]: (
            dt.date.fromisoformat(c["Customer Since"]),
            dt.date.fromisoformat(c["Churn Date"]) if c["Churn Date"] else truth.as_of,
        )
        for c in history.customers
    }
    for date in (dt.date(2024, 10, 31), dt.date(2025, 10, 31), truth.as_of):
        lo = date - dt.timedelta(days=90)
        rows = [
            a
            for a in history.activities
            if lo < dt.date.fromisoformat(a["Activity Date"][:10]) <= date
        ]
        for s in truth.segments:
            mine = [a for a in rows if seg_of[a["Account ID"]] == s.name]
            days = sum(
                max(0, (min(end, date) - max(since, lo)).days)
                for cid, (since, end) in life.items()
                if seg_of[cid] == s.name
            )
            need = _csm_hours(plan[s.name], mine, days) * 365 / 90 / truth.csm_hours_per_year
            owners = {a["Assigned To"] for a in mine}
            assert abs(len(owners) - max(need, 1.0)) <= max(1.5, 0.1 * need), (date, s.name)
    enterprise = {
        a["Assigned To"] for a in history.activities if seg_of[a["Account ID"]] == "Enterprise"
    }
    assert len(enterprise) >= 25
    assert truth.csm_hours_per_year == pytest.approx(1730 * 0.63 * 0.95)


def test_customers_csv_reads_with_the_project_reader(
    written: tuple[Path, History], history: History
) -> None:
    cl = read_customers(written[0] / "customers.csv")
    assert cl.skipped_by_reason() == {"above the header row": 1}
    assert len(cl.customers) == len(history.customers)
    by_id = {c.id: c for c in cl.customers}
    for row in history.customers:
        c = by_id[row["Customer ID"]]
        assert c.arr == pytest.approx(float(row["ARR"]))
        assert c.churned == (row["Status"] == "Churned")
        assert c.contract_start == dt.date.fromisoformat(row["Customer Since"])
    churns = {r.customer_id for r in history.renewals if r.churned}
    assert churns == {c.id for c in cl.customers if c.churned}


def test_truth_is_validated() -> None:
    seg = DEFAULT_HISTORY_TRUTH.segments[0]
    with pytest.raises(ValueError, match="sum to 1"):
        HistoryTruth(segments=(seg,) * 1 + (dataclasses.replace(seg, name="Other"),))
    with pytest.raises(ValueError, match="propensity"):
        HistoryTruth(propensity_mean=0.0)
    m = DEFAULT_HISTORY_TRUTH.propensity_mean
    assert DEFAULT_HISTORY_TRUTH.propensity_moment(1) == pytest.approx(m)
    k = DEFAULT_HISTORY_TRUTH.propensity_concentration
    assert DEFAULT_HISTORY_TRUTH.propensity_moment(2) == pytest.approx(m * (m * k + 1) / (k + 1))
