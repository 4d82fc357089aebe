"""Distributions: moments by sampling (tolerances from confidence intervals), exact ppfs, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from simulator.scenario.distributions import Distribution, NonNegativeDistribution

ADAPTER = TypeAdapter(Distribution)
NONNEG = TypeAdapter(NonNegativeDistribution)

CASES = [
    5,
    {"dist": "fixed", "value": 2.5},
    {"dist": "uniform", "low": 1, "high": 4},
    {"dist": "triangular", "low": 0, "mode": 2, "high": 10},
    {"dist": "normal", "mean": 3, "sd": 1},
    {"dist": "normal", "mean": 1, "sd": 2, "min": 0},
    {"dist": "normal", "mean": 1, "sd": 2, "min": -1, "max": 2.5},
    {"dist": "lognormal", "mean": 300000, "cv": 0.4},
    {"dist": "exponential", "mean": 2},
    {"dist": "empirical", "values": [1, 2, 10]},
    {"dist": "empirical", "values": [1, 2, 10], "weights": [3, 1, 1]},
]

N = 200_000
Z = 4.0  # two-sided 99.994%: a correct distribution fails about once in 16,000 runs


@pytest.mark.parametrize("spec", CASES, ids=[str(c) for c in CASES])
def test_sample_moments_within_confidence_interval(spec: object) -> None:
    d = ADAPTER.validate_python(spec)
    rng = np.random.default_rng(12345)
    x = d.sample(rng, N)
    assert x.shape == (N,)
    assert np.all(x >= d.support[0]) and np.all(x <= d.support[1])
    if d.variance == 0:
        assert np.all(x == d.mean)
        return
    # mean: CLT interval; variance: interval from the sample's fourth central moment
    assert abs(x.mean() - d.mean) <= Z * math.sqrt(d.variance / N)
    m4 = np.mean((x - x.mean()) ** 4)
    se_var = math.sqrt(max(m4 - d.variance**2, 0) / N)
    assert abs(x.var(ddof=1) - d.variance) <= Z * se_var


@pytest.mark.parametrize("spec", CASES, ids=[str(c) for c in CASES])
def test_one_uniform_per_draw(spec: object) -> None:
    """Each draw consumes exactly one uniform: the stream stays aligned across variants."""
    d = ADAPTER.validate_python(spec)
    a = np.random.default_rng(7)
    d.sample(a, 1000)
    b = np.random.default_rng(7)
    b.random(1000)
    assert a.random() == b.random()


def test_known_quantiles() -> None:
    u = np.array([0.1, 0.5, 0.9])
    uni = ADAPTER.validate_python({"dist": "uniform", "low": 2, "high": 4})
    np.testing.assert_allclose(uni.ppf(u), [2.2, 3.0, 3.8])
    expo = ADAPTER.validate_python({"dist": "exponential", "mean": 2})
    np.testing.assert_allclose(expo.ppf(u), stats.expon(scale=2).ppf(u))
    tri = ADAPTER.validate_python({"dist": "triangular", "low": 0, "mode": 2, "high": 10})
    np.testing.assert_allclose(tri.ppf(u), stats.triang(0.2, loc=0, scale=10).ppf(u))
    logn = ADAPTER.validate_python({"dist": "lognormal", "mean": 10, "cv": 0.5})
    s = math.sqrt(math.log(1.25))
    np.testing.assert_allclose(logn.ppf(u), stats.lognorm(s, scale=10 / math.sqrt(1.25)).ppf(u))
    emp = ADAPTER.validate_python({"dist": "empirical", "values": [5, 6], "weights": [1, 3]})
    np.testing.assert_array_equal(emp.ppf(np.array([0.2, 0.3, 0.99])), [5, 6, 6])


def test_exact_moments() -> None:
    logn = ADAPTER.validate_python({"dist": "lognormal", "mean": 300000, "cv": 0.4})
    assert logn.mean == 300000
    assert logn.variance == pytest.approx(120000**2)
    tn = ADAPTER.validate_python({"dist": "normal", "mean": 0, "sd": 1, "min": 0})
    assert tn.mean == pytest.approx(math.sqrt(2 / math.pi))
    assert tn.variance == pytest.approx(1 - 2 / math.pi)
    tri = ADAPTER.validate_python({"dist": "triangular", "low": 0, "mode": 0, "high": 3})
    assert tri.mean == pytest.approx(1.0)
    assert tri.variance == pytest.approx(0.5)


def test_number_is_fixed_and_round_trips() -> None:
    d = ADAPTER.validate_python(8)
    assert d.dist == "fixed" and d.mean == 8 and d.variance == 0
    assert ADAPTER.dump_python(d, mode="json") == 8


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ({"dist": "uniform", "low": 5, "high": 1}, "high must be >= low"),
        ({"dist": "triangular", "low": 0, "mode": 5, "high": 4}, "low <= mode <= high"),
        ({"dist": "normal", "mean": 0, "sd": -1}, "greater than or equal to 0"),
        ({"dist": "normal", "mean": 0, "sd": 1, "min": 40}, "almost no probability"),
        ({"dist": "lognormal", "mean": 0, "cv": 1}, "greater than 0"),
        ({"dist": "empirical", "values": []}, "at least 1"),
        ({"dist": "empirical", "values": [1], "weights": [0]}, "not all 0"),
        ({"dist": "gamma", "shape": 2}, "does not match any of the expected tags"),
    ],
)
def test_invalid_parameters(spec: object, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        ADAPTER.validate_python(spec)


def test_nonnegative_rejects_unbounded_normal() -> None:
    with pytest.raises(ValidationError, match="must not take negative values"):
        NONNEG.validate_python({"dist": "normal", "mean": 3, "sd": 1})
    assert NONNEG.validate_python({"dist": "normal", "mean": 3, "sd": 1, "min": 0}).support[0] == 0


def test_describe() -> None:
    assert ADAPTER.validate_python({"dist": "lognormal", "mean": 300000, "cv": 0.4}).describe() == (
        "lognormal(mean=300000, cv=0.4)"
    )
    assert ADAPTER.validate_python(2.5).describe() == "2.5"
