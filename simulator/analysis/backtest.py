"""Backtest: calibrate on the history before a date, predict the next period, compare.

:func:`backtest` rebuilds the book as it stood on ``as_of`` (its accounts, ARR and next
renewals: :mod:`simulator.analysis.backtest_book`), calibrates a scenario from the
customer list and the activity history *before* that date only (the effects and
baselines of :mod:`simulator.analysis.effects`), staffs each team with the CSMs active
in the history's last 90 days before the date when the history names owners, and
simulates the following period. Each replication draws the fitted parameters from their
estimated joint distribution (:meth:`~simulator.analysis.effects.Effects.parameter_draws`),
so the prediction intervals carry both the parameter uncertainty and the chance in
who churns. It then compares, per segment, churned logos and ARR, GRR and NRR of the
starting book with what happened, and scores each account's predicted churn
probability (calibration by decile, Brier score against each segment's historical
churn rate).
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simulator.analysis.backtest_book import Outcome, book_at, outcomes
from simulator.analysis.book import analyze_book
from simulator.analysis.calibrate import Calibration, HistoryInput, PlanTemplates, calibrate
from simulator.engine.simulation import simulate
from simulator.scenario.lifecycle import term_days, timeline
from simulator.scenario.model import Scenario

__all__ = ["BACKTEST_KEY", "Backtest", "SegmentCheck", "backtest"]

BACKTEST_KEY = 0x42544B31
"""Spawn key of the parameter draws (``"BTK1"``): no engine stream uses a one-entry key."""

METRICS = ("churned_logos", "churned_arr", "grr", "nrr")


@dataclass(frozen=True)
class SegmentCheck:
    """One metric of one segment: what the model predicted and what happened."""

    segment: str
    metric: str
    actual: float
    mean: float
    low: float
    """5th percentile of the replications."""
    high: float
    """95th percentile."""

    @property
    def inside(self) -> bool:
        """Whether the actual value lies in the 90% prediction interval."""
        return self.low <= self.actual <= self.high


@dataclass
class Backtest:
    """A backtest's comparison, calibration table and scores."""

    as_of: dt.date
    end: dt.date
    replications: int
    checks: list[SegmentCheck]
    deciles: list[dict[str, float]]
    """Accounts by decile of predicted churn: mean predicted, observed rate, counts."""
    brier: float
    brier_naive: float
    accounts: int
    churned: int
    calibration: Calibration
    staffing: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    predictions: dict[str, float] = field(default_factory=dict)
    """Account ID -> predicted probability of churning in the period."""
    coverage: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Segment -> mean coverage at renewals: in the history's last year before the date,
    and in the simulation (a plan whose team cannot deliver what the history shows
    predicts the wrong churn)."""

    @property
    def skill(self) -> float:
        """Brier skill score against the naive rates (1: perfect, 0: no better, < 0: worse)."""
        return 1.0 - self.brier / self.brier_naive if self.brier_naive > 0 else math.nan


@dataclass(frozen=True)
class _Rep:
    """What one replication predicts."""

    metrics: dict[str, dict[str, float]]
    risk: dict[str, float]
    """Account ID -> probability of churning in the period, given this replication."""


def _replicate(scenario: Scenario, replication: int, seed: int) -> _Rep:
    """One replication: per-segment metrics of the starting book, and each account's risk."""
    rec = simulate(scenario, replication, seed)
    a, ren = rec.accounts, rec.renewals
    summary = rec.summary()
    metrics: dict[str, dict[str, float]] = {}
    risk: dict[str, float] = {}
    ids: list[list[str]] = []
    first: list[int] = []
    for si, name in enumerate(rec.segments):
        accounts = scenario.segments[name].accounts
        ids.append([x.id for x in accounts] if isinstance(accounts, list) else [])
        start = (a["segment"] == si) & a["starting"].astype(bool)
        rows = np.flatnonzero(start)
        if len(rows) != len(ids[-1]) or (len(rows) and rows[-1] - rows[0] + 1 != len(rows)):
            raise RuntimeError(f"{name}: the starting accounts are not one block of the records")
        first.append(int(rows[0]) if len(rows) else 0)
        gone = start & a["churned"].astype(bool)
        s = summary[name]
        seg_ren = ren["segment"] == si
        metrics[name] = {
            "churned_logos": float(gone.sum()),
            "churned_arr": float(a["arr_churned"][gone].sum()),
            "grr": s["grr"],
            "nrr": s["nrr"],
            "coverage": float(ren["coverage"][seg_ren].mean()) if seg_ren.any() else math.nan,
        }
        risk.update(dict.fromkeys(ids[-1], 0.0))
    # a renewal's ``account`` is its row of the accounts table, where each segment's
    # starting accounts come first, in the order of its account list
    keep: dict[str, float] = {}
    for row, p in zip(ren["account"], ren["probability"], strict=True):
        row = int(row)
        if a["starting"][row]:
            si = int(a["segment"][row])
            ident = ids[si][row - first[si]]
            keep[ident] = keep.get(ident, 1.0) * (1.0 - float(p))
    risk.update({ident: 1.0 - k for ident, k in keep.items()})
    return _Rep(metrics, risk)


def _with_draw(scenario: Scenario, keys: Mapping[str, str], draw: Mapping[str, Any]) -> Scenario:
    """``scenario`` with one draw of the fitted parameters (every segment of ``keys``)."""
    segments = dict(scenario.segments)
    for data_name, key in keys.items():
        seg = segments[key]
        churn = {"annual_baseline": draw.get(f"baseline:{data_name}", seg.churn.annual_baseline)}
        if "coverage_effect" in draw:
            churn["coverage_effect"] = max(0.0, draw["coverage_effect"])
        if "log_late_onboarding" in draw:
            churn["late_onboarding_multiplier"] = max(0.0, draw["log_late_onboarding"])
        if "responsiveness_effect" in draw:
            churn["responsiveness_effect"] = max(0.0, draw["responsiveness_effect"])
        expansion = {}
        if "expansion_coverage" in draw:
            expansion["coverage_effect"] = min(max(draw["expansion_coverage"], 0.0), 1.0)
        if "expansion_touch" in draw:
            expansion["touch_effect"] = min(max(draw["expansion_touch"], 0.0), 1.0)
        segments[key] = seg.model_copy(
            update={
                "churn": seg.churn.model_copy(update=churn),
                "expansion": seg.expansion.model_copy(update=expansion),
            }
        )
    return scenario.model_copy(update={"segments": segments})


FIRST_PERIOD_STAGES = ("onboarding", "adoption")
"""Stages by which the engine knows a starting account is in its first contract period."""


def _stage(plan: Any, term_months: int, tenure: float) -> str | None:
    """The stage written for an account ``tenure`` days into its contract (days; None
    past the first period: the engine places the account by its renewal date).

    With a renewal date given, the engine reads a starting account's stage only as
    whether its period at day 0 is its first (:data:`FIRST_PERIOD_STAGES`: laid out from
    its start, onboarding included) or a renewed one. So a first-period account past
    adoption is written as ``adoption``: as ``steady``, the burn-in would give it earlier
    periods it never had and none of its onboarding, nor its team the onboarding hours.
    """
    term = term_days(term_months)
    if tenure >= term:
        return None
    stage = timeline(plan.lifecycle, term, 0.0, True, term).stage_at(max(tenure, 0.0))
    return stage if stage in FIRST_PERIOD_STAGES else FIRST_PERIOD_STAGES[-1]


def _deciles(pred: np.ndarray, y: np.ndarray) -> list[dict[str, float]]:
    order = np.argsort(pred, kind="stable")
    out = []
    for i, idx in enumerate(np.array_split(order, min(10, len(order)))):
        if len(idx):
            out.append(
                {
                    "decile": i + 1,
                    "accounts": len(idx),
                    "churned": float(y[idx].sum()),
                    "predicted": float(pred[idx].mean()),
                    "observed": float(y[idx].mean()),
                }
            )
    return out


def backtest(
    customers: Sequence[Any],
    activities: Sequence[Any],
    as_of: dt.date,
    data_as_of: dt.date,
    horizon_days: int = 365,
    replications: int = 200,
    activity_map: Mapping[str, str] | None = None,
    breaks: Sequence[float] | None = None,
    seed: int = 1,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    plan: PlanTemplates | None = None,
    max_tasks: float | None = None,
) -> Backtest:
    """Calibrate on the history before ``as_of``, simulate, compare (module docstring).

    Parameters
    ----------
    customers
        The whole customer list (as read today).
    activities
        The whole activity history; only activities dated on or before ``as_of`` are used.
    as_of
        The backtest date.
    data_as_of
        The date the customer list describes (the held-out period must end by then).
    horizon_days
        Length of the held-out period (days).
    replications
        Simulated replications, each with its own parameter draw.
    activity_map
        ``--activity-map`` pairs.
    breaks
        Value breaks for the segments (as in ``analyze``).
    seed
        Root seed of the simulation and of the parameter draws.
    executor, progress
        Where replications run, and a ``progress(done, total)`` callback.
    plan
        The plan to calibrate from (default: the bundled plan's segments by value rank).
    max_tasks
        Refuse a calibrated book whose replication passes this many task-equivalents
        (:func:`simulator.analysis.workload.check_workload`); None: no limit.

    Raises
    ------
    ValueError
        When the held-out period runs past ``data_as_of`` or nothing can be measured.
    WorkloadError
        When one replication passes ``max_tasks`` (before any is simulated).
    """
    end = as_of + dt.timedelta(days=horizon_days)
    if end > data_as_of:
        raise ValueError(
            f"the held-out period {as_of.isoformat()} to {end.isoformat()} runs past the "
            f"list's date {data_as_of.isoformat()}: choose an earlier as_of or a shorter horizon"
        )
    past, unknown = book_at(customers, as_of, data_as_of)
    if not past:
        raise ValueError(f"no customer of the list had signed by {as_of.isoformat()}")
    notes = [f"{unknown} customers without a contract start are left out"] if unknown else []
    book = analyze_book(past, as_of, breaks)
    before = [a for a in activities if a.date <= as_of]
    if not before:
        raise ValueError(f"no activity is dated on or before {as_of.isoformat()}")
    cal = calibrate(
        book,
        past,
        "the list as of " + as_of.isoformat(),
        "accounts.csv",
        history=HistoryInput(before, activity_map, seed),
        plan=plan,
    )
    if cal.evidence is None or cal.evidence.effects is None:
        raise ValueError(
            "the history before the backtest date gives no estimate: "
            + (cal.evidence.problem if cal.evidence else "no evidence")
        )
    keys = cal.evidence.plan_names
    seg_of_id = dict(zip((c.id for c in past), book.customer_segments, strict=True))
    staffing = dict(cal.evidence.owners)  # calibrate staffed the teams with them
    scenario = _load(cal, keys, horizon_days, as_of)
    if max_tasks is not None:
        from simulator.analysis.workload import check_workload

        check_workload(scenario, max_tasks)
    fx = cal.evidence.effects
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(BACKTEST_KEY,)))
    draws = fx.parameter_draws(rng, replications)
    jobs = [(_with_draw(scenario, keys, draws[i]), i) for i in range(replications)]
    from simulator.analysis.experiment import run_jobs

    reps: list[_Rep] = run_jobs(jobs, seed, executor, progress, fn=_replicate)
    actual = outcomes(customers, as_of, end, data_as_of)
    return _compare(
        as_of, end, reps, actual, seg_of_id, keys, book, horizon_days, cal, staffing, notes
    )


def _load(cal: Calibration, keys: Mapping[str, str], horizon: int, as_of: dt.date) -> Scenario:
    """The calibrated scenario over the held-out period, its accounts' stages from the plan."""
    from simulator.report.files import atomic_write
    from simulator.report.saved import tidy_csv
    from simulator.scenario.loader import load

    sets = [f"horizon_days={horizon}"]
    with tempfile.TemporaryDirectory(prefix="cssim-backtest-") as tmp:
        path = Path(tmp) / "backtest.yaml"
        atomic_write(path.with_name("accounts.csv"), tidy_csv(cal.accounts_rows))
        atomic_write(path, cal.yaml_text)
        scenario = load(path, sets).scenario
        rows = []
        for row in cal.accounts_rows:
            plan = scenario.segments[keys[row["segment"]]] if row["segment"] in keys else None
            start = row.get("contract_start")
            if plan is not None and start:
                tenure = float((as_of - dt.date.fromisoformat(start)).days)
                row = {**row, "stage": _stage(plan, plan.contract_term_months, tenure) or ""}
            rows.append(row)
        atomic_write(path.with_name("accounts.csv"), tidy_csv(rows))
        return load(path, sets).scenario


def _compare(
    as_of: dt.date,
    end: dt.date,
    reps: Sequence[_Rep],
    actual: Mapping[str, Outcome],
    seg_of_id: Mapping[str, str],
    keys: Mapping[str, str],
    book: Any,
    horizon: int,
    cal: Calibration,
    staffing: dict[str, int],
    notes: list[str],
) -> Backtest:
    checks: list[SegmentCheck] = []
    coverage: dict[str, tuple[float, float]] = {}
    assert cal.evidence is not None
    year = as_of - dt.timedelta(days=365)
    for data_name, key in keys.items():
        past = [
            r.drivers.coverage
            for r in cal.evidence.history.renewals
            if r.segment == data_name and r.date > year
        ]
        sim = [r.metrics[key]["coverage"] for r in reps]
        coverage[data_name] = (
            float(np.mean(past)) if past else math.nan,
            float(np.nanmean(sim)) if np.isfinite(sim).any() else math.nan,
        )
        mine = [o for i, o in actual.items() if seg_of_id.get(i) == data_name]
        arr0 = sum(o.arr_start for o in mine)
        truth = {
            "churned_logos": float(sum(o.churned for o in mine)),
            "churned_arr": float(sum(o.arr_start for o in mine if o.churned)),
            "grr": sum(min(o.arr_end, o.arr_start) for o in mine) / arr0 if arr0 else math.nan,
            "nrr": sum(o.arr_end for o in mine) / arr0 if arr0 else math.nan,
        }
        for m in METRICS:
            vals = np.array([r.metrics[key][m] for r in reps], dtype=float)
            checks.append(
                SegmentCheck(
                    data_name,
                    m,
                    truth[m],
                    float(vals.mean()),
                    float(np.percentile(vals, 5)),
                    float(np.percentile(vals, 95)),
                )
            )
    ids = [i for i in actual if i in reps[0].risk]
    pred = np.array([np.mean([r.risk[i] for r in reps]) for i in ids])
    if not (pred > 0).any():
        raise ValueError(
            "no account of the book renews in the held-out period, so nothing in it can test "
            "the model: choose a longer horizon"
        )
    y = np.array([1.0 if actual[i].churned else 0.0 for i in ids])
    naive = np.array(
        [
            1.0 - (1.0 - book.segments[seg_of_id[i]].annual_churn.value) ** (horizon / 365.0)
            if math.isfinite(book.segments[seg_of_id[i]].annual_churn.value)
            else 0.0
            for i in ids
        ]
    )
    return Backtest(
        as_of,
        end,
        len(reps),
        checks,
        _deciles(pred, y),
        float(np.mean((pred - y) ** 2)),
        float(np.mean((naive - y) ** 2)),
        len(ids),
        int(y.sum()),
        cal,
        staffing,
        notes,
        dict(zip(ids, pred.tolist(), strict=True)),
        coverage,
    )
