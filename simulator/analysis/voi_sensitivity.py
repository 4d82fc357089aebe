"""Sensitivity of a decision to its inputs, from a PSA sample or along one input: pure functions.

- :func:`rank_correlations`: a global ranking of the uncertain inputs by their rank correlation
  (Spearman, and partial rank correlation PRCC) with the net-value difference of two options.
- :func:`flip_threshold`: the value of one input at which that difference changes sign, for an
  expensive ``f`` (a simulation per call).

Re-exported by :mod:`simulator.analysis.voi`. scipy is imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["RankCorrelation", "flip_threshold", "rank_correlations"]


@dataclass(frozen=True)
class RankCorrelation:
    """Rank correlation of one input with a net-value difference (dimensionless, -1 to 1).

    Attributes
    ----------
    name : the input.
    spearman : Spearman's rho between the input and the difference.
    p_value : two-sided p-value of rho against no monotone association.
    prcc : partial rank correlation: rho once the ranks of the other inputs are regressed out
        of both; None when there are too few draws for it (draws <= inputs + 2) or the input's
        ranks are fully explained by the others; 0 when the difference's are.
    note : why a value is missing or conventional; "" otherwise.
    """

    name: str
    spearman: float
    p_value: float
    prcc: float | None
    note: str = ""


def _ranks(a: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return np.asarray(rankdata(a, axis=0), dtype=float)


def _prcc(y: np.ndarray, x: np.ndarray) -> list[float | None]:
    """Partial rank correlation of each column of ``x`` (non-constant) with ``y``."""
    n, k = x.shape
    if n <= k + 2:
        return [None] * k
    rx, ry = _ranks(x), _ranks(y)
    tiny = 1e-9 * n**1.5  # a rank residual's norm is at most n^1.5: below this is rounding
    out: list[float | None] = []
    for j in range(k):
        z = np.column_stack([np.ones(n), np.delete(rx, j, axis=1)])
        ex = rx[:, j] - z @ np.linalg.lstsq(z, rx[:, j], rcond=None)[0]
        ey = ry - z @ np.linalg.lstsq(z, ry, rcond=None)[0]
        sx, sy = float(np.sqrt(ex @ ex)), float(np.sqrt(ey @ ey))
        if sx <= tiny:
            out.append(None)
        elif sy <= tiny:
            out.append(0.0)
        else:
            out.append(float(np.clip(ex @ ey / (sx * sy), -1.0, 1.0)))
    return out


def rank_correlations(
    delta: ArrayLike, theta: ArrayLike, names: Sequence[str]
) -> list[RankCorrelation]:
    """Spearman and partial rank correlation of each input with ``delta``, in input order.

    ``delta`` is the net-value difference of two options per draw (currency, shape (draws,));
    ``theta`` the inputs (draws, k). PRCC regresses the ranks of the other (non-constant)
    inputs out of both sides by least squares, so a strong input does not lend its
    correlation to one drawn independently of it. A constant input or difference (or fewer than
    3 draws) gets rho 0, p-value 1, PRCC None and a note.
    """
    from scipy.stats import spearmanr

    y = np.asarray(delta, dtype=float).reshape(-1)
    t = np.asarray(theta, dtype=float)
    if t.ndim != 2 or t.shape != (y.size, len(names)):
        raise ValueError(f"theta must be ({y.size}, {len(names)}), got shape {t.shape}")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(t))):
        raise ValueError("delta or theta has non-finite values")
    varies = np.ptp(t, axis=0) > 0 if y.size else np.zeros(len(names), dtype=bool)
    if y.size < 3 or np.ptp(y) == 0:
        why = "fewer than 3 draws" if y.size < 3 else "the difference is constant"
        return [RankCorrelation(str(name), 0.0, 1.0, None, why) for name in names]
    columns = np.flatnonzero(varies)
    partial = dict(zip(columns.tolist(), _prcc(y, t[:, columns]), strict=True))
    out = []
    for j, name in enumerate(names):
        if not varies[j]:
            out.append(RankCorrelation(str(name), 0.0, 1.0, None, "the input is constant"))
            continue
        res = spearmanr(t[:, j], y)
        out.append(RankCorrelation(str(name), float(res.statistic), float(res.pvalue), partial[j]))
    return out


def flip_threshold(
    f: Callable[[float], float],
    lo: float,
    hi: float,
    *,
    f_lo: float | None = None,
    f_hi: float | None = None,
    tol: float,
    max_iter: int,
) -> float | None:
    """Where ``f`` changes sign on [lo, hi] (units of the input), or None if it does not.

    ``f`` is typically the net-value difference of two options (currency) as one input moves,
    one simulation per call, so it is evaluated as few times as possible: Brent's method
    (scipy's ``brentq``, bracketing like bisection, superlinear on smooth ``f``), with the end
    values ``f_lo``/``f_hi`` taken as given and each end evaluated at most once. Returns the
    root within ``tol`` (absolute, plus a few ulps), an end where ``f`` is exactly 0 there, or
    the current estimate after ``max_iter`` interior evaluations. With the same sign at both
    ends (including a sign change and back inside) it returns None.
    """
    from scipy.optimize import brentq

    lo, hi = float(lo), float(hi)
    if not lo < hi:
        raise ValueError(f"need lo < hi, got [{lo}, {hi}]")
    if not tol > 0 or max_iter < 0:
        raise ValueError("tol must be > 0 and max_iter >= 0")
    y_lo = float(f(lo)) if f_lo is None else float(f_lo)
    y_hi = float(f(hi)) if f_hi is None else float(f_hi)
    if not (np.isfinite(y_lo) and np.isfinite(y_hi)):
        raise ValueError(f"f is not finite at an end: f({lo}) = {y_lo}, f({hi}) = {y_hi}")
    if y_lo == 0.0:
        return lo
    if y_hi == 0.0:
        return hi
    if (y_lo > 0) == (y_hi > 0):
        return None
    known = {lo: y_lo, hi: y_hi}

    def g(x: float) -> float:
        return known[x] if x in known else float(f(x))

    root = brentq(g, lo, hi, xtol=tol, maxiter=max_iter, full_output=True, disp=False)[0]
    return float(root)
