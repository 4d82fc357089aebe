"""Scipy's Wilson interval and Kaplan-Meier reproduce the project's formulas to 1e-12.

The reference implementations below are the hand-written formulas the project used
before :mod:`simulator.analysis.estimators` moved to ``scipy.stats``; they stay here so
that the replacement is checked against them on random data, ties, all-censored,
no-censoring and empty samples.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from simulator.analysis.estimators import kaplan_meier, wilson

TOL = 1e-12


def reference_wilson(events: int, trials: int, confidence: float = 0.95) -> tuple[float, ...]:
    """The project's former Wilson score interval: (value, low, high)."""
    if trials <= 0:
        return math.nan, math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = events / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    low = 0.0 if events <= 0 else max(0.0, centre - half)
    high = 1.0 if events >= trials else min(1.0, centre + half)
    return p, low, high


def reference_kaplan_meier(
    durations: np.ndarray, observed: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, ...]:
    """The project's former product-limit loop with Greenwood log(-log) bands."""
    d = np.asarray(durations, dtype=float)
    e = np.asarray(observed, dtype=bool)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    times, surv, lows, highs, risk, events = [0.0], [1.0], [1.0], [1.0], [len(d)], [0]
    s = 1.0
    var_sum = 0.0
    for t in np.unique(d[e]):
        n_at_risk = int((d >= t).sum())
        n_events = int(((d == t) & e).sum())
        s *= 1 - n_events / n_at_risk
        if n_at_risk > n_events:
            var_sum += n_events / (n_at_risk * (n_at_risk - n_events))
        if 0 < s < 1 and var_sum > 0:
            se = math.sqrt(var_sum) / abs(math.log(s))
            lo = s ** math.exp(z * se)
            hi = s ** math.exp(-z * se)
        else:
            lo = hi = s
        times.append(float(t))
        surv.append(s)
        lows.append(lo)
        highs.append(hi)
        risk.append(n_at_risk)
        events.append(n_events)
    if len(d) and d.max() > times[-1]:
        times.append(float(d.max()))
        surv.append(s)
        lows.append(lows[-1])
        highs.append(highs[-1])
        risk.append(int((d >= d.max()).sum()))
        events.append(0)
    return tuple(np.array(x) for x in (times, surv, lows, highs, risk, events))


def assert_same_curve(durations: np.ndarray, observed: np.ndarray, conf: float = 0.95) -> None:
    """The scipy-backed curve equals the reference at every point (1e-12)."""
    km = kaplan_meier(durations, observed, conf)
    times, surv, low, high, risk, events = reference_kaplan_meier(durations, observed, conf)
    np.testing.assert_array_equal(km.times, times)
    np.testing.assert_allclose(km.survival, surv, rtol=0, atol=TOL)
    np.testing.assert_allclose(km.low, low, rtol=0, atol=TOL)
    np.testing.assert_allclose(km.high, high, rtol=0, atol=TOL)
    np.testing.assert_array_equal(km.at_risk, risk)
    np.testing.assert_array_equal(km.events, events)
    assert km.n == len(durations)
    assert km.n_events == int(np.sum(observed))


@pytest.mark.parametrize("seed", range(40))
def test_wilson_matches_the_formula_on_random_counts(seed: int) -> None:
    rng = np.random.default_rng(seed)
    trials = int(rng.integers(1, 5000))
    events = int(rng.integers(0, trials + 1))
    conf = float(rng.choice([0.8, 0.9, 0.95, 0.99]))
    got = wilson(events, trials, conf)
    want = reference_wilson(events, trials, conf)
    assert abs(got.value - want[0]) <= TOL
    assert abs(got.low - want[1]) <= TOL
    assert abs(got.high - want[2]) <= TOL


@pytest.mark.parametrize(("events", "trials"), [(0, 1), (1, 1), (0, 50), (50, 50), (1, 2)])
def test_wilson_matches_the_formula_at_the_edges(events: int, trials: int) -> None:
    got = wilson(events, trials)
    assert (got.value, got.low, got.high) == pytest.approx(
        reference_wilson(events, trials), abs=TOL
    )
    assert got.low == (0.0 if events == 0 else got.low)
    assert got.high == (1.0 if events == trials else got.high)


def test_wilson_without_trials_is_nan_and_refuses_fractions() -> None:
    assert all(math.isnan(x) for x in (wilson(0, 0).value, wilson(0, 0).low))
    with pytest.raises(ValueError, match="whole counts"):
        wilson(1.5, 10)


@pytest.mark.parametrize("seed", range(30))
def test_kaplan_meier_matches_the_loop_on_random_data_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    days = rng.integers(1, int(rng.integers(2, 900)), size=n).astype(float)  # many ties
    observed = rng.random(n) < rng.uniform(0.05, 0.95)
    assert_same_curve(days, observed, float(rng.choice([0.9, 0.95])))


@pytest.mark.parametrize("seed", range(10))
def test_kaplan_meier_matches_the_loop_on_continuous_times(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    days = rng.exponential(700, size=300)
    assert_same_curve(days, rng.random(300) < 0.4)


def test_kaplan_meier_all_censored_is_flat_at_one() -> None:
    days = np.array([10.0, 20.0, 20.0, 30.0])
    assert_same_curve(days, np.zeros(4, dtype=bool))
    assert kaplan_meier(days, [False] * 4).low.tolist() == [1.0, 1.0]


def test_kaplan_meier_without_censoring_reaches_zero_with_a_zero_band() -> None:
    rng = np.random.default_rng(7)
    days = rng.integers(1, 50, size=200).astype(float)
    assert_same_curve(days, np.ones(200, dtype=bool))
    km = kaplan_meier(days, [True] * 200)
    assert km.survival[-1] == 0.0 and km.low[-1] == km.high[-1] == 0.0


def test_kaplan_meier_last_at_risk_all_leave_with_censoring_before() -> None:
    days = np.array([1.0, 2.0, 3.0, 3.0, 5.0, 5.0])
    assert_same_curve(days, np.array([True, False, True, False, True, True]))


def test_kaplan_meier_follow_up_beyond_the_last_event_repeats_its_band() -> None:
    days = np.array([1.0, 2.0, 2.0, 4.0, 9.0, 12.0])
    observed = np.array([True, True, False, True, False, False])
    assert_same_curve(days, observed)
    km = kaplan_meier(days, observed)
    assert km.times[-1] == 12.0 and km.low[-1] == km.low[-2] and km.events[-1] == 0


def test_kaplan_meier_single_and_empty_samples() -> None:
    assert_same_curve(np.array([5.0]), np.array([True]))
    assert_same_curve(np.array([5.0]), np.array([False]))
    km = kaplan_meier([], [])
    assert km.times.tolist() == [0.0] and km.survival.tolist() == [1.0] and km.n == 0
