"""How ARR changes at a renewal: the segment's draw, moved by what the CSM delivered.

A renewing account's relative ARR change is drawn from ``arr_change_at_renewal`` with the
account's pre-drawn uniform ``u`` (common random numbers). That distribution is the change
with the plan fully delivered (coverage 1). What was delivered keeps a share ``E`` of the
expected expansion::

    E          = m_coverage x m_touches           (0-1)
    m_coverage = 1 - expansion.coverage_effect x (1 - coverage)
    m_touches  = 1 - expansion.touch_effect x (1 - expansion delivery)

``coverage`` is the churn driver of the same renewal (:mod:`simulator.engine.churn`);
``expansion delivery`` the same measure over the account's ``purpose: expansion`` touches
only (1 when it has none). With ``q = P(change <= 0)`` of the distribution, a draw
``u <= q`` (a contraction or a flat renewal) is kept as it is; an expansion draw slides
down the distribution by ``s`` to ``u - s`` and renews flat when that falls to ``q`` or
below, ``s`` being the slide that keeps exactly a share ``E`` of the expected expansion.
So fewer accounts expand and those that do expand by less: probability and size both
respond, and the expected expansion is ``E`` times the planned one. ``E = 1`` (zero
effect sizes, or everything delivered) gives the draw itself, bit for bit.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from simulator.engine.churn import coverage
from simulator.engine.state import AutoTouch, Task
from simulator.scenario.distributions import Distribution
from simulator.scenario.model import Segment

__all__ = ["ExpansionRule", "Outcome", "no_expansion_share", "slide_table"]

_BISECTIONS = 64
_GRID = 4096
"""Quantile cells of the slide table (midpoint rule over the expansion quantiles)."""


def no_expansion_share(dist: Distribution) -> float:
    """``q = P(change <= 0)``: the share of draws that are not an expansion.

    Found by bisection on the quantile function (non-decreasing), once per segment.
    """
    low, high = dist.support
    if high <= 0.0:
        return 1.0
    ppf1 = dist.ppf1
    if low > 0.0 or ppf1(0.0) > 0.0:
        return 0.0
    lo, hi = 0.0, 1.0
    for _ in range(_BISECTIONS):
        mid = (lo + hi) / 2
        if mid <= lo or mid >= hi:
            break
        if ppf1(mid) <= 0.0:
            lo = mid
        else:
            hi = mid
    return lo


def slide_table(dist: Distribution, q: float) -> tuple[list[float], list[float]]:
    """(lost, slide): the expected expansion lost (as a share) by each slide of the draws.

    ``lost[k]`` is the share of the expected expansion ``E[max(change, 0)]`` in the top
    ``slide[k]`` of the quantiles, which a slide of ``slide[k]`` removes; both increase
    from (0, 0) to (1, 1 - q). Empty when the distribution never expands.
    """
    if q >= 1.0:
        return [], []
    h = (1.0 - q) / _GRID
    v = q + (np.arange(_GRID) + 0.5) * h
    f = np.clip(dist.ppf(v), 0.0, None)
    top = np.concatenate([[0.0], np.cumsum(f[::-1])]) * h  # expansion in the top k cells
    total = float(top[-1])
    if total <= 0.0:
        return [], []
    return (top / total).tolist(), (np.arange(_GRID + 1) * h).tolist()


class Outcome(NamedTuple):
    """A renewal's ARR change and what moved it."""

    planned: float
    """The change the draw gives with the plan fully delivered."""
    change: float
    """The change applied."""
    delivery: float
    """Weighted delivered share of the account's expansion touches (1: none planned)."""
    multiplier: float
    """``E``: what the delivery leaves of the planned expansion (0-1)."""


class ExpansionRule(NamedTuple):
    """A segment's expansion inputs, as the renewal uses them."""

    dist: Distribution
    no_expansion: float
    """``q = P(change <= 0)``."""
    coverage_effect: float
    touch_effect: float
    touchpoints: frozenset[int]
    """Indices of the segment's ``purpose: expansion`` touchpoints."""
    lost: list[float]
    """Share of the expected expansion each slide of :attr:`slides` removes."""
    slides: list[float]

    @classmethod
    def of(cls, seg: Segment) -> ExpansionRule:
        """The rule of a segment's ``expansion`` inputs and ARR change distribution."""
        tps = frozenset(
            i for i, tp in enumerate(seg.touchpoints.values()) if tp.purpose == "expansion"
        )
        x = seg.expansion
        dist = seg.arr_change_at_renewal
        q = no_expansion_share(dist)
        lost, slides = slide_table(dist, q)
        return cls(dist, q, x.coverage_effect, x.touch_effect, tps, lost, slides)

    def delivery(
        self,
        touches: Iterable[Task],
        now: float,
        half_life: float | None,
        auto: Iterable[AutoTouch] = (),
    ) -> float:
        """Weighted delivered share of the expansion touches due by ``now`` (1: none);
        ``auto``: the light automated and skipped touches."""
        if not self.touchpoints:
            return 1.0
        tps = self.touchpoints
        return coverage(
            [t for t in touches if t.tp in tps], now, half_life, [a for a in auto if a[1] in tps]
        )[0]

    def multiplier(self, cov: float, delivery: float) -> float:
        """``E``: the share of the planned expansion the delivery leaves (0-1)."""
        m_cov = 1.0 - self.coverage_effect * (1.0 - cov)
        m_touch = 1.0 - self.touch_effect * (1.0 - delivery)
        return max(0.0, m_cov) * max(0.0, m_touch)

    def slide(self, e: float) -> float:
        """The slide of the expansion draws that keeps a share ``e`` of the expected
        expansion (linear between the table's cells)."""
        lost, slides = self.lost, self.slides
        target = 1.0 - e
        k = bisect.bisect_left(lost, target)
        if k <= 0:
            return 0.0
        if k >= len(lost):
            return slides[-1]
        a, b = lost[k - 1], lost[k]
        w = (target - a) / (b - a) if b > a else 1.0
        return slides[k - 1] + w * (slides[k] - slides[k - 1])

    def change(self, u: float, e: float) -> tuple[float, float]:
        """(planned change, applied change) of a renewal with uniform ``u`` and ``E = e``."""
        planned = self.dist.ppf1(u)
        q = self.no_expansion
        if e >= 1.0 or u <= q or not self.lost:
            return planned, planned
        v = u - self.slide(e)
        if v <= q:
            return planned, 0.0  # the expansion did not happen: a flat renewal
        return planned, max(0.0, self.dist.ppf1(v))

    def decide(
        self,
        u: float,
        cov: float,
        touches: Iterable[Task],
        now: float,
        half_life: float | None,
        auto: Iterable[AutoTouch] = (),
    ) -> Outcome:
        """The ARR change of a renewing account (uniform ``u``, churn driver ``cov``;
        ``auto``: its light automated and skipped touches)."""
        delivery = self.delivery(touches, now, half_life, auto) if self.touchpoints else 1.0
        e = self.multiplier(cov, delivery)
        planned, change = self.change(u, e)
        return Outcome(planned, change, delivery, e)
