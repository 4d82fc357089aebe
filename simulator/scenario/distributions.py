"""Probability distributions of the scenario language.

Every distribution is an immutable pydantic model with

- ``sample(rng, n)``: ``n`` draws as a float64 array, drawn by inverse transform from
  exactly ``n`` uniforms of ``rng``. One uniform per draw keeps random streams aligned
  when a scenario variant swaps one distribution for another (common random numbers);
- ``ppf(u)``: the quantile function, for callers that pre-draw their uniforms;
- ``mean`` and ``variance``: exact moments (after truncation, where there is one);
- ``support``: the smallest and largest values a draw can take.

Units are those of the field that holds the distribution (hours, currency, a fraction).
In YAML a bare number is shorthand for ``{dist: fixed, value: <number>}``.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PrivateAttr,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError
from scipy import special

from simulator.scenario.base import Strict

__all__ = [
    "Distribution",
    "Empirical",
    "Exponential",
    "Fixed",
    "Lognormal",
    "NonNegativeDistribution",
    "Normal",
    "Triangular",
    "Uniform",
]


class _Dist(Strict):
    """Shared behaviour: sampling by inverse transform."""

    @abstractmethod
    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Quantile function: values at cumulative probabilities ``u`` in [0, 1)."""

    @abstractmethod
    def ppf1(self, u: float) -> float:
        """Quantile of one probability ``u`` in [0, 1): the fast scalar path."""

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values using exactly ``n`` uniforms from ``rng``."""
        return self.ppf(rng.random(n))

    @property
    @abstractmethod
    def mean(self) -> float:
        """Expected value of a draw."""

    @property
    @abstractmethod
    def variance(self) -> float:
        """Variance of a draw."""

    @property
    @abstractmethod
    def support(self) -> tuple[float, float]:
        """(lowest, highest) value a draw can take."""

    def describe(self) -> str:
        """Short human-readable form, e.g. ``lognormal(mean=300000, cv=0.4)``."""
        fields = self.model_dump(by_alias=True, exclude={"dist"})
        args = ", ".join(f"{k}={_fmt(v)}" for k, v in fields.items() if v is not None)
        return f"{self.dist}({args})"  # type: ignore[attr-defined]


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, list):
        return "[" + ", ".join(_fmt(x) for x in v[:5]) + (", ..." if len(v) > 5 else "") + "]"
    return str(v)


class Fixed(_Dist):
    """Always the same value."""

    dist: Literal["fixed"] = "fixed"
    value: float

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.full(np.shape(u), self.value, dtype=float)

    def ppf1(self, u: float) -> float:
        return self.value

    @property
    def mean(self) -> float:
        return self.value

    @property
    def variance(self) -> float:
        return 0.0

    @property
    def support(self) -> tuple[float, float]:
        return (self.value, self.value)

    def describe(self) -> str:
        return _fmt(self.value)

    @model_serializer(mode="plain")
    def _as_number(self) -> float:
        # a fixed value is written back as the bare number the YAML shorthand accepts
        return self.value


class Uniform(_Dist):
    """Every value in [low, high] equally likely."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise PydanticCustomError(
                "dist_order",
                "high must be >= low (got low={low}, high={high})",
                {"low": self.low, "high": self.high},
            )
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * np.asarray(u, dtype=float)

    def ppf1(self, u: float) -> float:
        return self.low + (self.high - self.low) * u

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


class Triangular(_Dist):
    """Triangular on [low, high] with its peak at ``mode``."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high) or self.low == self.high:
            raise PydanticCustomError(
                "dist_order",
                "need low <= mode <= high and low < high (got low={low}, mode={mode}, high={high})",
                {"low": self.low, "mode": self.mode, "high": self.high},
            )
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        a, c, b = self.low, self.mode, self.high
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < fc, left, right)

    def ppf1(self, u: float) -> float:
        a, c, b = self.low, self.mode, self.high
        if u < (c - a) / (b - a):
            return a + math.sqrt(u * (b - a) * (c - a))
        return b - math.sqrt((1 - u) * (b - a) * (b - c))

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    @property
    def variance(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


class Normal(_Dist):
    """Normal with mean ``mean`` and standard deviation ``sd``, optionally truncated to [min, max].

    ``mean`` and ``sd`` are the parameters before truncation; the ``mean`` and ``variance``
    properties give the moments after it.
    """

    dist: Literal["normal"]
    _flip: float = PrivateAttr(default=1.0)
    _p0: float = PrivateAttr(default=0.0)
    _dp: float = PrivateAttr(default=1.0)
    mu: float = Field(alias="mean")
    sigma: float = Field(alias="sd", ge=0)
    low: float | None = Field(default=None, alias="min")
    high: float | None = Field(default=None, alias="max")

    @model_validator(mode="after")
    def _mass(self) -> Normal:
        lo = -math.inf if self.low is None else self.low
        hi = math.inf if self.high is None else self.high
        if lo >= hi:
            raise PydanticCustomError(
                "dist_order", "max must be > min (got min={lo}, max={hi})", {"lo": lo, "hi": hi}
            )
        if self.sigma > 0:
            a, b = self._ab()
            mass = special.ndtr(b) - special.ndtr(a)
            if mass < 1e-6:
                raise PydanticCustomError(
                    "dist_mass",
                    f"min/max leave almost no probability (P = {float(mass):.1e}); "
                    "move them closer to the mean or widen sd",
                    {},
                )
        elif not (lo <= self.mu <= hi):
            raise PydanticCustomError(
                "dist_mass", "with sd 0 the mean must lie within [min, max]", {}
            )
        return self

    def _ab(self) -> tuple[float, float]:
        a = -math.inf if self.low is None else (self.low - self.mu) / self.sigma
        b = math.inf if self.high is None else (self.high - self.mu) / self.sigma
        return a, b

    def model_post_init(self, context: Any, /) -> None:
        # quantile constants; an interval above the mean is sampled by reflection, so that
        # the normal CDF is always read in its accurate lower tail
        if self.sigma == 0:
            self._flip, self._p0, self._dp = 1.0, 0.0, 1.0
            return
        a, b = self._ab()
        flip = 1.0
        if a > 0:
            a, b, flip = -b, -a, -1.0
        p0 = float(special.ndtr(a))
        self._flip, self._p0, self._dp = flip, p0, float(special.ndtr(b)) - p0

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        if self.sigma == 0:
            return np.full(u.shape, self.mu)
        z = special.ndtri(self._p0 + u * self._dp)
        x = self.mu + self.sigma * self._flip * z
        lo, hi = self.support
        return np.clip(x, lo, hi)

    def ppf1(self, u: float) -> float:
        if self.sigma == 0:
            return self.mu
        z = float(special.ndtri(self._p0 + u * self._dp))
        x = self.mu + self.sigma * self._flip * z
        lo, hi = self.support
        return min(max(x, lo), hi)

    @property
    def mean(self) -> float:
        if self.sigma == 0:
            return self.mu
        from scipy import stats  # 0.4 s to import: only when a truncated normal is read

        a, b = self._ab()
        return float(stats.truncnorm.mean(a, b, loc=self.mu, scale=self.sigma))

    @property
    def variance(self) -> float:
        if self.sigma == 0:
            return 0.0
        from scipy import stats

        a, b = self._ab()
        return float(stats.truncnorm.var(a, b, loc=self.mu, scale=self.sigma))

    @property
    def support(self) -> tuple[float, float]:
        lo = -math.inf if self.low is None else self.low
        hi = math.inf if self.high is None else self.high
        return (lo, hi)


class Lognormal(_Dist):
    """Lognormal given by its own mean and coefficient of variation (sd / mean)."""

    dist: Literal["lognormal"]
    mu: float = Field(alias="mean", gt=0)
    cv: float = Field(ge=0)

    def _params(self) -> tuple[float, float]:
        s2 = math.log1p(self.cv**2)
        return math.log(self.mu) - s2 / 2, math.sqrt(s2)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        m, s = self._params()
        return np.exp(m + s * special.ndtri(np.asarray(u, dtype=float)))

    def ppf1(self, u: float) -> float:
        m, s = self._params()
        return math.exp(m + s * float(special.ndtri(u)))

    @property
    def mean(self) -> float:
        return self.mu

    @property
    def variance(self) -> float:
        return (self.cv * self.mu) ** 2

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)


class Exponential(_Dist):
    """Exponential with the given mean."""

    dist: Literal["exponential"]
    mu: float = Field(alias="mean", gt=0)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return -self.mu * np.log1p(-np.asarray(u, dtype=float))

    def ppf1(self, u: float) -> float:
        return -self.mu * math.log1p(-u)

    @property
    def mean(self) -> float:
        return self.mu

    @property
    def variance(self) -> float:
        return self.mu**2

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)


class Empirical(_Dist):
    """Draws from a list of observed values, optionally weighted."""

    dist: Literal["empirical"]
    values: list[float] = Field(min_length=1, max_length=1_000_000)
    weights: list[Annotated[float, Field(ge=0, le=1e12)]] | None = None

    @model_validator(mode="after")
    def _weights(self) -> Empirical:
        w = self.weights
        if w is not None:
            if len(w) != len(self.values):
                raise PydanticCustomError(
                    "dist_weights",
                    "weights must have one entry per value ({n} values, {m} weights)",
                    {"n": len(self.values), "m": len(w)},
                )
            if any(x < 0 for x in w) or sum(w) <= 0:
                raise PydanticCustomError("dist_weights", "weights must be >= 0 and not all 0", {})
        return self

    def _probs(self) -> np.ndarray:
        if self.weights is None:
            return np.full(len(self.values), 1 / len(self.values))
        w = np.asarray(self.weights, dtype=float)
        return w / w.sum()

    def ppf(self, u: np.ndarray) -> np.ndarray:
        cum = np.cumsum(self._probs())
        idx = np.searchsorted(cum, np.asarray(u, dtype=float), side="right")
        return np.asarray(self.values, dtype=float)[np.minimum(idx, len(self.values) - 1)]

    def ppf1(self, u: float) -> float:
        return float(self.ppf(np.array([u]))[0])

    @property
    def mean(self) -> float:
        return float(np.dot(self._probs(), self.values))

    @property
    def variance(self) -> float:
        x = np.asarray(self.values, dtype=float)
        return float(np.dot(self._probs(), (x - self.mean) ** 2))

    @property
    def support(self) -> tuple[float, float]:
        return (min(self.values), max(self.values))


_AnyDist = Annotated[
    Fixed | Uniform | Triangular | Normal | Lognormal | Exponential | Empirical,
    Field(discriminator="dist"),
]


def _number_to_fixed(v: Any) -> Any:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return {"dist": "fixed", "value": v}
    return v


def _require_nonnegative(d: _Dist) -> _Dist:
    if d.support[0] < 0:
        raise PydanticCustomError(
            "negative_dist",
            "must not take negative values (lowest possible value {lo}); "
            "use a lognormal, or set min: 0 on a normal",
            {"lo": d.support[0]},
        )
    return d


Distribution = Annotated[
    _AnyDist, BeforeValidator(_number_to_fixed, json_schema_input_type=float | _AnyDist)
]
"""Any distribution, or a bare number for a fixed value."""

NonNegativeDistribution = Annotated[Distribution, AfterValidator(_require_nonnegative)]
"""A distribution that never draws a negative value (hours, money)."""
