"""Decision analysis on PSA arrays (simulator.analysis.voi): closed forms and properties.

The toy model: NB_1 = 0 and NB_2 = a + b*θ1 + c*θ2 (+ noise), θ independent standard normals,
so the incremental net value X is Normal(μ, σ) and EVPI = E[max(0, X)] - max(0, μ) =
μΦ(μ/σ) + σφ(μ/σ) - max(0, μ). EVPPI(θ1) is the same with σ1 = |b|. Every tolerance below is a
number of standard errors, derived from the sample size or from the spread over seeds.
"""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import norm

from simulator.analysis.voi import (
    acceptability,
    df_rule,
    evpi,
    evpi_metamodel,
    evppi,
    evppi_inputs,
    expected_loss,
    flip_threshold,
    prob_best,
    rank_correlations,
)

MU, B, C = 0.5, 1.0, 1.0
Z = 4.0  # standard errors allowed: a fixed-seed failure by chance is ~6e-5


def closed_evpi(mu: float, sigma: float) -> float:
    """EVPI of a choice between 0 and X ~ Normal(mu, sigma)."""
    return mu * norm.cdf(mu / sigma) + sigma * norm.pdf(mu / sigma) - max(0.0, mu)


def toy(n: int, seed: int, noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal((n, 2))
    x = MU + theta @ np.array([B, C]) + noise * rng.standard_normal(n)
    return np.column_stack([np.zeros(n), x]), theta


def test_evpi_matches_the_closed_form_within_its_standard_error() -> None:
    n = 20_000
    nb, _ = toy(n, seed=1)
    x = nb[:, 1]
    assert x.mean() > 0  # then EVPI estimate = mean(max(0, -X)) exactly
    se = np.maximum(0, -x).std(ddof=1) / math.sqrt(n)
    assert abs(evpi(nb) - closed_evpi(MU, math.hypot(B, C))) < Z * se


@pytest.mark.parametrize("noise", [0.0, 2.0])
def test_regression_evppi_and_metamodel_recover_the_truth_under_noise(noise: float) -> None:
    # repeated over seeds: the mean is within Z standard errors (spread / sqrt(seeds)) of the
    # closed form, while with Monte Carlo noise the raw EVPI is far above it
    n, seeds = 1000, 30
    raw, part, meta = [], [], []
    for seed in range(seeds):
        nb, theta = toy(n, seed, noise)
        raw.append(evpi(nb))
        part.append(evppi(nb, theta[:, 0], bootstraps=0).value)
        meta.append(evpi_metamodel(nb, theta, bootstraps=0).value)
    truth_all, truth_1 = closed_evpi(MU, math.hypot(B, C)), closed_evpi(MU, abs(B))
    for values, truth in [(part, truth_1), (meta, truth_all)]:
        v = np.array(values)
        assert abs(v.mean() - truth) < Z * v.std(ddof=1) / math.sqrt(seeds)
    r = np.array(raw)
    raw_truth = closed_evpi(MU, math.sqrt(B**2 + C**2 + noise**2))
    assert abs(r.mean() - raw_truth) < Z * r.std(ddof=1) / math.sqrt(seeds)
    if noise:
        assert r.mean() - truth_all > Z * r.std(ddof=1) / math.sqrt(seeds)


def test_evppi_bootstrap_se_matches_the_spread_over_seeds() -> None:
    # the sd of an sd from m samples has relative standard error ~ 1/sqrt(2(m-1))
    n, seeds = 500, 30
    values, ses = [], []
    for seed in range(seeds):
        nb, theta = toy(n, seed, noise=1.0)
        e = evppi(nb, theta[:, 0], bootstraps=100, seed=seed)
        assert e.se is not None and e.method == "spline" and e.df == df_rule(n)
        values.append(e.value)
        ses.append(e.se)
    ratio = float(np.mean(ses)) / float(np.std(values, ddof=1))
    assert abs(ratio - 1) < Z / math.sqrt(2 * (seeds - 1))


def test_evppi_inputs_ranks_the_input_with_the_larger_effect_first() -> None:
    n = 2000
    rng = np.random.default_rng(3)
    theta = rng.standard_normal((n, 3))
    theta[:, 2] = 7.0  # constant input
    nb = np.column_stack([np.zeros(n), 0.2 + 2 * theta[:, 0] + 0.5 * theta[:, 1]])
    out = evppi_inputs(nb, theta, ["big", "small", "fixed"], bootstraps=0)
    assert [e.name for e in out] == ["big", "small", "fixed"]
    assert out[0].value > out[1].value > 0
    assert out[0].r_squared == pytest.approx(4 / 4.25, abs=Z * 2 / math.sqrt(n))
    assert out[2].value == 0 and out[2].method == "none" and "constant" in out[2].note
    for e in out[:2]:  # within Z standard errors of the closed form
        sigma = 2.0 if e.name == "big" else 0.5
        assert e.value == pytest.approx(closed_evpi(0.2, sigma), abs=Z * sigma / math.sqrt(n))


def test_evppi_guards_few_draws_discrete_inputs_and_one_option() -> None:
    nb, theta = toy(12, seed=0)
    few = evppi(nb, theta[:, 0])
    assert (few.value, few.method) == (0.0, "none") and "too few draws" in few.note
    nb, theta = toy(30, seed=0)  # enough for a line, not for a spline of 4 coefficients+
    line = evppi(nb, theta[:, 0])
    assert line.method == "linear" and line.df == 1 and "fitted a line" in line.note
    nb, _ = toy(400, seed=0)
    binary = (np.arange(400) % 2).astype(float)
    groups = evppi(nb + np.column_stack([np.zeros(400), binary]), binary, bootstraps=0)
    assert groups.method == "groups" and math.isfinite(groups.value)
    assert evppi(nb[:, :1], binary).note == "one option: nothing to choose"


def test_evpi_metamodel_falls_back_to_linear_then_raw() -> None:
    rng = np.random.default_rng(5)
    theta = rng.standard_normal((60, 4))
    nb = np.column_stack([np.zeros(60), theta.sum(axis=1)])
    linear = evpi_metamodel(nb, theta)
    assert linear.method == "linear" and "additive spline" in linear.note
    wide = rng.standard_normal((300, 7))  # the headline draws: a coarser additive spline
    coarse = evpi_metamodel(np.column_stack([np.zeros(300), wide.sum(axis=1)]), wide)
    assert coarse.method == "additive spline" and 3 <= coarse.df < df_rule(300)
    assert 10 * (1 + 7 * coarse.df) <= 300
    raw = evpi_metamodel(nb[:30], theta[:30])
    assert raw.method == "raw" and raw.value == evpi(nb[:30])
    assert evpi_metamodel(nb, np.ones((60, 2))).value == 0.0


def test_three_options_prob_best_shares_ties_and_sums_to_one() -> None:
    nb = np.array([[1.0, 1.0, 0.0], [0.0, 2.0, 2.0], [3.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    third = 1 / 3
    expected = np.array([0.5 + 1 + third, 0.5 + 0.5 + third, 0.5 + third]) / 4
    np.testing.assert_allclose(prob_best(nb), expected)
    rng = np.random.default_rng(0)
    p = prob_best(rng.normal([0.0, 0.1, 0.2], 1.0, size=(5000, 3)))
    assert p.sum() == pytest.approx(1.0) and np.all(np.diff(p) > 0)


def test_expected_loss_is_non_negative_and_its_minimum_is_evpi() -> None:
    nb = np.array([[1.0, 3.0], [4.0, 0.0]])
    np.testing.assert_allclose(expected_loss(nb), [1.0, 2.0])  # mean(3-1, 0) and mean(0, 4)
    assert evpi(nb) == 1.0
    rng = np.random.default_rng(1)
    nb = rng.normal(size=(1000, 4)) * [1, 2, 3, 4]
    loss = expected_loss(nb)
    assert np.all(loss >= 0) and loss.min() == evpi(nb)
    assert np.argmin(loss) == np.argmax(nb.mean(axis=0))


def test_acceptability_at_its_extremes_and_monotone_in_lambda() -> None:
    rng = np.random.default_rng(2)
    n = 500
    plan = np.column_stack([rng.normal(100, 10, n), rng.normal(50, 10, n)])  # A's plan higher
    arr = np.column_stack([rng.normal(1000, 50, n), rng.normal(1100, 50, n)])
    arr[:, 1] = np.maximum(arr[:, 1], arr[:, 0] + 1)  # B holds more ARR in every draw
    lambdas = np.linspace(0, 10, 201)
    curve = acceptability(plan, arr, 0.0, np.r_[lambdas, 1e9])
    assert curve.shape == (202, 2)
    np.testing.assert_allclose(curve.sum(axis=1), 1.0)
    assert curve[0, 1] == 0.0 and curve[-1, 1] == 1.0  # A's plan wins at λ=0, B's ARR at ∞
    assert np.all(np.diff(curve[:, 1]) >= 0)


def test_rank_correlations_and_prcc() -> None:
    rng = np.random.default_rng(4)
    n = 3000
    theta = np.column_stack([rng.standard_normal((n, 2)), np.zeros(n)])
    theta[:, 1] += 0.8 * theta[:, 0]  # correlated with the driver but no effect of its own
    delta = np.exp(theta[:, 0])  # monotone in θ1 alone: rho = 1
    out = rank_correlations(delta, theta, ["driver", "passenger", "fixed"])
    assert out[0].spearman == pytest.approx(1.0) and out[0].p_value < 1e-12
    assert out[1].spearman > 0.5  # borrowed correlation...
    assert abs(out[1].prcc or 0) < Z / math.sqrt(n)  # ...that PRCC removes
    assert (out[2].spearman, out[2].p_value, out[2].note) == (0.0, 1.0, "the input is constant")
    flat = rank_correlations(np.ones(n), theta, ["a", "b", "c"])
    assert all(r.prcc is None and r.note for r in flat)


class Counted:
    """A function that records each point it is evaluated at."""

    def __init__(self, f: Callable[[float], float]) -> None:
        self.f, self.calls = f, list[float]()

    def __call__(self, x: float) -> float:
        self.calls.append(x)
        return float(self.f(x))


def test_flip_threshold_finds_a_linear_root_evaluating_no_end_twice() -> None:
    f = Counted(lambda x: 3 * x - 2)
    root = flip_threshold(f, 0.0, 5.0, tol=1e-9, max_iter=50)
    assert root == pytest.approx(2 / 3, abs=1e-9)
    assert f.calls.count(0.0) == 1 and f.calls.count(5.0) == 1
    assert len(f.calls) <= 2 + 3  # the secant step of Brent's method is exact on a line
    g = Counted(lambda x: 3 * x - 2)
    assert flip_threshold(g, 0.0, 5.0, f_lo=-2.0, f_hi=13.0, tol=1e-9, max_iter=50) == root
    assert 0.0 not in g.calls and 5.0 not in g.calls


def test_flip_threshold_on_a_nonlinear_function_beats_bisection() -> None:
    tol = 1e-10
    f = Counted(lambda x: x**3 - 2)
    root = flip_threshold(f, 0.0, 3.0, f_lo=-2.0, f_hi=25.0, tol=tol, max_iter=100)
    assert root is not None and abs(root - 2 ** (1 / 3)) <= tol + 4 * np.finfo(float).eps
    assert len(f.calls) < math.ceil(math.log2(3.0 / tol))  # what bisection would need
    capped = Counted(lambda x: x**3 - 2)
    flip_threshold(capped, 0.0, 3.0, f_lo=-2.0, f_hi=25.0, tol=tol, max_iter=3)
    assert len(capped.calls) <= 3


def test_flip_threshold_without_a_sign_change_or_at_an_end() -> None:
    f = Counted(lambda x: x**2 + 1)
    assert flip_threshold(f, -1.0, 1.0, tol=1e-6, max_iter=20) is None
    assert f.calls == [-1.0, 1.0]
    assert flip_threshold(lambda x: x, 0.0, 1.0, tol=1e-6, max_iter=20) == 0.0
    with pytest.raises(ValueError, match="lo < hi"):
        flip_threshold(lambda x: x, 1.0, 1.0, tol=1e-6, max_iter=20)


finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), draws=st.integers(1, 150), options=st.integers(1, 4))
def test_properties_on_random_arrays(data: st.DataObject, draws: int, options: int) -> None:
    nb = data.draw(arrays(float, (draws, options), elements=finite))
    theta = data.draw(arrays(float, (draws, 2), elements=finite))
    p = prob_best(nb)
    assert np.all((p >= 0) & (p <= 1)) and p.sum() == pytest.approx(1.0)
    value = evpi(nb)
    assert value >= 0 and np.all(expected_loss(nb) >= 0)
    # EVPPI <= EVPI up to the fitted values' departure from the data: mean max_o ĝ_o -
    # mean max_o y_o <= mean max_o |e_o| <= sqrt(SSR/n) = sqrt((1 - R²) Σ_o var(inc_o))
    inc = nb[:, 1:] - nb[:, :1]
    spread = float(np.sum(inc.var(axis=0))) if options > 1 else 0.0
    slack = 1e-9 * (1 + np.abs(nb).max())
    for e in [evppi(nb, theta[:, 0], bootstraps=0), evpi_metamodel(nb, theta, bootstraps=0)]:
        assert math.isfinite(e.value) and e.value >= -slack, e
        assert 0 <= e.r_squared <= 1 + 1e-9
        bound = 0.0 if e.method in ("none", "raw") else math.sqrt((1 - e.r_squared) * spread)
        assert e.value <= value + bound + slack, e


def test_importing_the_module_loads_no_regression_stack() -> None:
    code = (
        "import sys, simulator.analysis.voi\n"
        "print(' '.join(m for m in ('scipy', 'statsmodels', 'patsy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []
