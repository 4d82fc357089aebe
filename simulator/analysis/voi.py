"""Decision analysis on a probabilistic sensitivity analysis (PSA) sample: pure functions.

A PSA draws every uncertain input once per outer draw and evaluates every option on the same
draws (paired). ``nb`` is the array (draws, options) of net values, in the scenario's currency;
``theta`` is the array (draws, k) of the uncertain inputs' values in those draws. Nothing here
simulates, reads or writes.

- :func:`prob_best`, :func:`expected_loss`, :func:`evpi`: which option is best, how often, and
  what choosing each gives up on average; :func:`acceptability` sweeps the value of an ARR dollar.
- :func:`evppi`, :func:`evppi_inputs`, :func:`evpi_metamodel`: value of information estimated by
  regression on the PSA sample (Strong, Oakley & Brennan 2014, as dampack and BCEA do it).
- :func:`rank_correlations`: a global ranking of the inputs (Spearman and PRCC).
- :func:`flip_threshold`: where the decision flips along one input, for an expensive ``f``.

statsmodels (with its patsy) earns its weight here: a well-kept regression library with cubic
regression spline bases, instead of our own spline code. It is imported lazily inside the
functions that fit, so importing this module (and the CLI) stays fast.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from simulator.analysis.voi_sensitivity import RankCorrelation, flip_threshold, rank_correlations

__all__ = [
    "Evppi",
    "RankCorrelation",
    "acceptability",
    "df_rule",
    "evpi",
    "evpi_metamodel",
    "evppi",
    "evppi_inputs",
    "expected_loss",
    "flip_threshold",
    "prob_best",
    "rank_correlations",
]

#: observations per regression coefficient below which a smoother model is not fitted
PER_COEF = 10
DF_MIN, DF_MAX = 3, 10
BOOTSTRAPS = 200


@dataclass(frozen=True)
class Evppi:
    """Expected value of (partial perfect) information, in the scenario's currency.

    Attributes
    ----------
    name : the input (or "all inputs" for :func:`evpi_metamodel`).
    value : what knowing the input(s) before deciding is worth on average (currency).
    r_squared : share of the variance of the incremental net values that the metamodel
        explains, pooled over the options compared with the reference (0 when nothing fitted).
    se : bootstrap standard error over draws (currency); None when not computed.
    df : degrees of freedom of each input's smooth term (1 linear, 0 nothing fitted).
    method : "spline" (cubic regression spline), "groups" (mean per distinct value, for an
        input with few values), "additive spline", "linear", "raw" (no regression: the raw
        EVPI, which includes Monte Carlo noise) or "none" (value 0, see note).
    note : why a fallback was taken; "" when none was.
    """

    name: str
    value: float
    r_squared: float
    se: float | None = None
    df: int = 0
    method: str = "spline"
    note: str = ""


def _as_nb(nb: ArrayLike) -> np.ndarray:
    a = np.asarray(nb, dtype=float)
    if a.ndim != 2 or a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"nb must be a (draws, options) array, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("nb has non-finite values")
    return a


def prob_best(nb: ArrayLike) -> np.ndarray:
    """Probability that each option has the highest net value, shape (options,).

    An option tied for best in a draw gets an equal share of it, so the result sums to 1.
    """
    a = _as_nb(nb)
    best = a == a.max(axis=1, keepdims=True)
    return (best / best.sum(axis=1, keepdims=True)).mean(axis=0)


def expected_loss(nb: ArrayLike) -> np.ndarray:
    """Expected loss of choosing each option, ``E[max_o nb - nb_o]``, shape (options,).

    What choosing the option gives up on average against the best option of each draw
    (currency, >= 0). The smallest loss is that of the option best in expectation and
    equals :func:`evpi`.
    """
    a = _as_nb(nb)
    return (a.max(axis=1, keepdims=True) - a).mean(axis=0)


def evpi(nb: ArrayLike) -> float:
    """Expected value of perfect information, ``E[max_o nb] - max_o E[nb]`` (currency, >= 0).

    What learning every uncertain quantity before deciding is worth. From a raw PSA sample it
    also counts each draw's Monte Carlo noise as if it could be learned, so it overstates when
    that noise is large; :func:`evpi_metamodel` regresses it out.
    """
    return float(expected_loss(nb).min())


def acceptability(
    plan: ArrayLike, arr_end: ArrayLike, other: ArrayLike, lambdas: ArrayLike
) -> np.ndarray:
    """Probability that each option is best as a function of the value λ of an ARR dollar.

    The analogue of a cost-effectiveness acceptability curve. Net value is
    ``plan + λ * arr_end + other``, all arrays (draws, options) or broadcastable to it: the
    plan's net value (currency), the ARR held at the plan's end (currency) and anything else
    (currency). Returns shape (len(lambdas), options), each row summing to 1.
    """
    p, a, o = (np.asarray(x, dtype=float) for x in (plan, arr_end, other))
    lam = np.asarray(lambdas, dtype=float).reshape(-1)
    base = _as_nb(np.broadcast_to(p + o, np.broadcast_shapes(p.shape, a.shape, o.shape)))
    return np.array([prob_best(base + x * a) for x in lam]).reshape(lam.size, base.shape[1])


def df_rule(draws: int) -> int:
    """Degrees of freedom of a one-input spline fitted to ``draws`` PSA draws.

    ``round(2 * draws ** (1/5))`` clipped to [3, 10]: the basis grows as ``n^(1/5)``, the rate
    that balances squared bias against variance for a twice-differentiable curve (Stone 1982);
    the factor 2 gives 6 at the headline 300 draws, 8 at 1000 and 10 from about 3000. The
    fits then lower it (to 3 at least) until there are :data:`PER_COEF` draws per coefficient,
    and fall back to a line below that.
    """
    return int(min(DF_MAX, max(DF_MIN, round(2 * max(draws, 1) ** 0.2))))


def _smooth(x: np.ndarray, df: int) -> tuple[np.ndarray, str]:
    """Columns (no intercept) of a smooth function of ``x``, and what they are."""
    values, inverse = np.unique(x, return_inverse=True)
    if values.size <= df + 1:  # too few distinct values for the knots: the mean per value
        return np.eye(values.size)[inverse][:, 1:], "groups"
    import patsy

    sd = float(x.std())
    z = (x - x.mean()) / sd if 0 < sd < np.inf else x  # conditioning: currency can be 1e7
    formula = f"0 + cr(z, df={df}, constraints='center')"  # natural cubic, knots at quantiles
    try:
        with np.errstate(all="ignore"):
            cols = np.asarray(patsy.dmatrix(formula, {"z": z}))
    except (patsy.PatsyError, ValueError, np.linalg.LinAlgError):
        cols = np.empty((0, 0))
    if cols.shape != (x.size, df) or not np.all(np.isfinite(cols)):
        return z[:, None], "linear"  # knots too close for floating point (subnormal spacings)
    return cols, "spline"


def _incremental(a: np.ndarray) -> np.ndarray:
    """Net value of each option minus that of option 0 (the reference), (draws, options-1)."""
    return a[:, 1:] - a[:, :1]


def _value(fitted: np.ndarray) -> float:
    """EVPI of fitted incremental values, the reference option's being 0."""
    return evpi(np.column_stack([np.zeros(fitted.shape[0]), fitted]))


def _fit(
    name: str, x: np.ndarray, inc: np.ndarray, df: int, method: str, note: str, boot: int, seed: int
) -> Evppi:
    """Regress each incremental net value on the design ``x`` (intercept first) and value it."""
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.sm_exceptions import SingularMatrixWarning

    fitted = np.empty_like(inc)
    ssr = tss = 0.0
    for o in range(inc.shape[1]):
        with warnings.catch_warnings():  # tied knots: the pseudo-inverse still projects
            warnings.simplefilter("ignore", SingularMatrixWarning)
            res = OLS(inc[:, o], x).fit()
        fitted[:, o] = res.fittedvalues
        ssr, tss = ssr + float(res.ssr), tss + float(res.centered_tss)
    r2 = 1.0 - ssr / tss if tss > 0 else 0.0
    se = None
    if boot > 1:  # resample draws and refit on the same basis: outer sampling and noise both
        rng = np.random.default_rng(seed)
        n = inc.shape[0]
        vals = np.empty(boot)
        for b in range(boot):
            i = rng.integers(0, n, n)
            beta = np.linalg.lstsq(x[i], inc[i], rcond=None)[0]
            vals[b] = _value(x[i] @ beta)
        se = float(vals.std(ddof=1))
    return Evppi(name, _value(fitted), max(0.0, r2), se, df, method, note)


def _nothing(name: str, note: str) -> Evppi:
    return Evppi(name, 0.0, 0.0, 0.0, 0, "none", note)


def evppi(
    nb: ArrayLike,
    theta_j: ArrayLike,
    *,
    name: str = "",
    df: int | None = None,
    bootstraps: int = BOOTSTRAPS,
    seed: int = 0,
) -> Evppi:
    """Expected value of partial perfect information about one input (currency).

    What learning this input before deciding is worth: ``E_θ[max_o E(nb_o | θ)] -
    max_o E[nb_o]``. Each option's net value minus the reference's (option 0) is regressed on
    a cubic regression spline of the input (statsmodels OLS on patsy's ``cr``, df from
    :func:`df_rule` unless given); the fitted values stand for ``E(nb_o - nb_0 | θ)``, which
    removes the other inputs and the Monte Carlo noise. An input with at most df + 1 distinct
    values is fitted by its mean per value. With fewer than :data:`PER_COEF` draws per
    coefficient the df is lowered (to 3 at least), then the fit falls back to a straight line, and below 2 * PER_COEF draws, or for a
    constant input, returns 0 with a note. ``se`` is a bootstrap over draws (``bootstraps``
    resamples, seeded; 0 or 1 skips it); it does not include the spline's small upward bias
    from overfitting (of order residual sd * sqrt(df / draws)).
    """
    a = _as_nb(nb)
    x = np.asarray(theta_j, dtype=float).reshape(-1)
    n = a.shape[0]
    if x.shape[0] != n:
        raise ValueError(f"theta_j has {x.shape[0]} draws, nb has {n}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"input {name!r} has non-finite values")
    if a.shape[1] < 2:
        return _nothing(name, "one option: nothing to choose")
    if np.ptp(x) == 0:
        return _nothing(name, "the input is constant in the sample")
    if n < 2 * PER_COEF:
        return _nothing(name, f"too few draws ({n} < {2 * PER_COEF}) to regress on the input")
    d = df if df is not None else df_rule(n)
    unique = np.unique(x).size
    while d > DF_MIN and n < PER_COEF * (1 + min(d, unique - 1)):
        d -= 1
    cols, method = _smooth(x, d)
    note = "" if method != "linear" else "the spline basis is degenerate here: fitted a line"
    if n < PER_COEF * (1 + cols.shape[1]):
        note = f"{n} draws are too few for a {method} with df {cols.shape[1]}: fitted a line"
        cols, method = x[:, None], "linear"
    dof = 1 if method == "linear" else cols.shape[1]
    design = np.column_stack([np.ones(n), cols])
    return _fit(name, design, _incremental(a), dof, method, note, bootstraps, seed)


def evppi_inputs(
    nb: ArrayLike,
    theta: ArrayLike,
    names: Sequence[str],
    *,
    df: int | None = None,
    bootstraps: int = BOOTSTRAPS,
    seed: int = 0,
) -> list[Evppi]:
    """:func:`evppi` of each input (a column of ``theta``, shape (draws, k)), in order."""
    t = np.asarray(theta, dtype=float)
    if t.ndim != 2 or t.shape[1] != len(names):
        raise ValueError(f"theta must be (draws, {len(names)}), got shape {t.shape}")
    return [
        evppi(nb, t[:, j], name=str(names[j]), df=df, bootstraps=bootstraps, seed=seed)
        for j in range(t.shape[1])
    ]


def evpi_metamodel(
    nb: ArrayLike,
    theta: ArrayLike,
    *,
    df: int | None = None,
    bootstraps: int = BOOTSTRAPS,
    seed: int = 0,
) -> Evppi:
    """EVPI with each draw's Monte Carlo noise regressed out (currency).

    The incremental net values are regressed on an additive model of all inputs (a cubic
    regression spline of each, df from :func:`df_rule`), and the EVPI is that of the fitted
    values: the value of learning the inputs, not the noise of a finite simulation. Being
    additive it misses interactions between inputs, which understates the EVPI where they
    matter. With fewer than :data:`PER_COEF` draws per coefficient the df is lowered (to 3
    at least), then it falls back to a linear model (``method="linear"``); with too few for that, to the raw EVPI (``method="raw"``,
    an overstatement). Constant inputs are left out.
    """
    a = _as_nb(nb)
    t = np.asarray(theta, dtype=float)
    n = a.shape[0]
    if t.ndim != 2 or t.shape[0] != n:
        raise ValueError(f"theta must be ({n}, k), got shape {t.shape}")
    if not np.all(np.isfinite(t)):
        raise ValueError("theta has non-finite values")
    name = "all inputs"
    if a.shape[1] < 2:
        return _nothing(name, "one option: nothing to choose")
    t = t[:, np.ptp(t, axis=0) > 0]
    k = t.shape[1]
    if k == 0:
        return _nothing(name, "no input varies: all the spread is Monte Carlo noise")
    d = df if df is not None else df_rule(n)
    unique = [np.unique(t[:, j]).size for j in range(k)]
    while d > DF_MIN and n < PER_COEF * (1 + sum(min(d, u - 1) for u in unique)):
        d -= 1  # a coarser spline of every input before giving up curvature
    if n >= PER_COEF * (1 + sum(min(d, u - 1) for u in unique)):
        smooth = [_smooth(t[:, j], d) for j in range(k)]
        lines = sum(m == "linear" for _, m in smooth)
        note = f"the spline basis is degenerate for {lines} input(s): linear terms" if lines else ""
        design = np.column_stack([np.ones(n), *(c for c, _ in smooth)])
        return _fit(name, design, _incremental(a), d, "additive spline", note, bootstraps, seed)
    if n >= PER_COEF * (1 + k):
        note = (
            f"{n} draws are too few for an additive spline on {k} inputs ({PER_COEF} per "
            "coefficient): linear metamodel, misses curvature"
        )
        design = np.column_stack([np.ones(n), t])
        return _fit(name, design, _incremental(a), 1, "linear", note, bootstraps, seed)
    note = f"{n} draws are too few to regress on {k} inputs: raw EVPI, Monte Carlo noise included"
    return Evppi(name, evpi(a), 0.0, None, 0, "raw", note)
