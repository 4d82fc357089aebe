"""Effect estimation from past renewals: recovery, interval coverage, identification.

The renewals here are drawn directly from the engine's churn form (drivers first, then
churn at the stated effect), so the tests judge the fitting alone; the end-to-end path
from activity exports is tests/test_history_e2e.py.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from simulator.analysis.calibrate_effects import interval_distribution
from simulator.analysis.effects import estimate_effects
from simulator.analysis.history import AccountGrowth, History, RenewalDrivers, RenewalRecord
from simulator.engine.expansion import ExpansionRule
from simulator.scenario.loader import bundled_scenario, load_scenario

PLAN = load_scenario(bundled_scenario())
PLANS = {"Enterprise": PLAN.segments["top"], "Mid-Market": PLAN.segments["mid"]}
BASE = {"Enterprise": 0.06, "Mid-Market": 0.12}
DAY = dt.date(2025, 1, 1)


def _renewals(
    rng: np.random.Generator,
    n: int,
    alpha: float,
    late_mult: float = 1.0,
    coverage: tuple[float, float] = (5.0, 2.0),
    by_segment: dict[str, float] | None = None,
) -> list[RenewalRecord]:
    """``n`` renewals per segment: coverage ~ Beta, late onboarding for a fifth, churn by
    the engine's hazard at effect ``alpha`` (``by_segment``: a fixed coverage each)."""
    out = []
    for seg, p0 in BASE.items():
        h0 = -math.log1p(-p0)
        for i in range(n):
            cov = by_segment[seg] if by_segment else float(rng.beta(*coverage))
            late = bool(rng.random() < 0.2)
            h = h0 * (1 + alpha * (1 - cov)) * (late_mult if late else 1.0)
            churned = bool(rng.random() < -math.expm1(-h))
            drivers = RenewalDrivers(cov, cov, late, None, 1.0, 1.0)
            out.append(RenewalRecord(f"{seg}-{i}", seg, DAY, 1, 12, churned, drivers))
    return out


def _fit(records: list[RenewalRecord], growth: list[AccountGrowth] | None = None):  # type: ignore[no-untyped-def]
    return estimate_effects(History(records, growth or []), PLANS, seed=3, draws=120)


def test_recovers_a_known_coverage_effect_with_honest_intervals() -> None:
    """Over 20 data sets the 95% profile interval covers the true effect about 95% of
    the time: at least 16 of 20 (P(fewer) < 2% at the nominal rate)."""
    truth = 2.0
    covered, estimates = 0, []
    for seed in range(20):
        fx = _fit(_renewals(np.random.default_rng(seed), 900, truth, 1.8))
        e = fx.effect("coverage_effect")
        assert e is not None and e.identified, e
        assert e.low is not None and e.high is not None and e.estimate is not None
        covered += e.low <= truth <= e.high
        estimates.append(e.estimate)
    assert covered >= 16, covered
    assert stats.binom.cdf(15, 20, 0.95) < 0.02  # the threshold's own error rate
    assert abs(float(np.median(estimates)) - truth) < 0.6


def test_late_onboarding_multiplier_and_baselines_recovered() -> None:
    fx = _fit(_renewals(np.random.default_rng(7), 4000, 2.0, 1.8))
    late = fx.effect("log_late_onboarding")
    assert late is not None and late.identified
    assert late.low is not None and late.high is not None
    assert late.low <= 1.8 <= late.high
    for seg, p in BASE.items():
        est, lo, hi = fx.baselines[seg]
        assert lo is not None and hi is not None and lo <= p <= hi, (seg, est, lo, hi)


def test_zero_effect_gives_an_interval_that_includes_zero() -> None:
    fx = _fit(_renewals(np.random.default_rng(11), 3000, 0.0))
    e = fx.effect("coverage_effect")
    assert e is not None and e.identified
    assert e.low is not None and e.high is not None and e.low <= 0.0 <= e.high


def test_too_few_churns_is_reported_not_estimated() -> None:
    records = _renewals(np.random.default_rng(1), 40, 2.0)[:60]
    records = [r for r in records if not r.churned] + [r for r in records if r.churned][:3]
    fx = _fit(records)
    e = fx.effect("coverage_effect")
    assert e is not None and not e.identified
    assert "churned renewals" in e.reason
    assert e.assumption == {"Enterprise": 0.8, "Mid-Market": 0.8}


def test_coverage_without_variation_is_not_identified() -> None:
    fx = _fit(_renewals(np.random.default_rng(2), 800, 2.0, coverage=(1e4, 1e-3)))
    e = fx.effect("coverage_effect")
    assert e is not None and not e.identified and "hardly varies" in e.reason


def test_coverage_confounded_with_segment_is_not_identified() -> None:
    fixed = {"Enterprise": 0.95, "Mid-Market": 0.55}
    fx = _fit(_renewals(np.random.default_rng(3), 800, 2.0, by_segment=fixed))
    e = fx.effect("coverage_effect")
    assert e is not None and not e.identified and "confounded with segment" in e.reason


def test_a_negative_association_is_reported_as_found() -> None:
    """Accounts with more touches churning more (reactive touches) give a negative
    estimate: it is reported with its reason, and the plan's value is kept."""
    fx = _fit(_renewals(np.random.default_rng(5), 3000, -0.6))
    e = fx.effect("coverage_effect")
    assert e is not None and not e.identified
    assert "churn rose with it" in e.reason and "at risk" in e.reason


def _growth(rng: np.random.Generator, n: int, beta: float) -> list[AccountGrowth]:
    """Accounts' geometric mean change over 1-3 renewals under the engine's expansion
    rule with coverage effect ``beta`` (Enterprise's change distribution)."""
    seg = PLANS["Enterprise"].model_copy(
        update={
            "expansion": PLANS["Enterprise"].expansion.model_copy(update={"coverage_effect": beta})
        }
    )
    rule = ExpansionRule.of(seg)
    out = []
    for i in range(n):
        m = int(rng.integers(1, 4))
        covs = rng.beta(4, 2, size=m)
        total = 1.0
        for c in covs:
            e = rule.multiplier(float(c), 1.0)
            total *= 1.0 + rule.change(float(rng.random()), e)[1]
        out.append(
            AccountGrowth(
                f"g{i}", "Enterprise", m, total ** (1 / m) - 1, float(np.mean(1 - covs)), 0.0
            )
        )
    return out


def test_expansion_response_recovered_within_its_bootstrap_interval() -> None:
    covered = 0
    for seed in range(6):
        rng = np.random.default_rng(100 + seed)
        fx = _fit(_renewals(rng, 300, 2.0), _growth(rng, 1500, 0.6))
        e = fx.effect("expansion_coverage")
        assert e is not None and e.identified, e
        assert e.low is not None and e.high is not None
        covered += e.low <= 0.6 <= e.high
    assert covered >= 4  # 6 at 95%: P(fewer than 4) < 0.3%


@pytest.mark.parametrize(
    ("est", "lo", "hi", "ceiling"),
    [
        (2.0, 1.2, 3.4, 100.0),
        (0.4, 0.0, 1.0, 100.0),
        (1.5, 1.3, 1.75, 100.0),
        (0.33, 0.19, 0.95, 1.0),
    ],
)
def test_interval_distribution_puts_its_95_percent_on_the_interval(
    est: float, lo: float, hi: float, ceiling: float
) -> None:
    from pydantic import TypeAdapter

    from simulator.scenario.distributions import Distribution

    spec = interval_distribution(est, lo, hi, 0.0, ceiling)
    dist = TypeAdapter(Distribution).validate_python(spec)
    q = dist.ppf(np.array([0.001, 0.025, 0.975, 0.999]))
    if lo > 0:
        assert q[1] == pytest.approx(lo, rel=1e-3)
    assert q[2] == pytest.approx(hi, rel=1e-3)
    assert q[0] >= 0.0 and q[3] <= ceiling  # the loader's check of the tails


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.sampled_from([1.0, 100.0]))
def test_written_distributions_always_stay_in_the_fields_range(
    a: float, b: float, c: float, ceiling: float
) -> None:
    from pydantic import TypeAdapter

    from simulator.scenario.distributions import Distribution

    lo, est, hi = sorted((a * ceiling, b * ceiling, c * ceiling))
    if hi - lo < 1e-3 * ceiling:
        return
    dist = TypeAdapter(Distribution).validate_python(
        interval_distribution(est, lo, hi, 0.0, ceiling)
    )
    q = dist.ppf(np.array([0.001, 0.999]))
    assert q[0] >= 0.0 and q[1] <= ceiling + 1e-9
