"""How churn is decided at a renewal: a pure function of named drivers.

This is the one place to read how a renewal's churn probability comes about.

The segment's baseline hazard ``h0`` is the renewal churn probability with the plan fully
delivered (``annual_baseline`` over the contract term, as a cumulative hazard). A risk
event in effect replaces it by its own hazard when that is larger (handled or unhandled,
by how promptly an escalation started, below). Shortfalls multiply it::

    hazard      = max(h0, h_risk) x m_coverage x m_responsiveness x m_late_onboarding
                  x m_reassignment
    m_coverage  = 1 + coverage_effect x (1 - coverage)
    m_responsiveness = 1 + responsiveness_effect x (1 - responsiveness)
    probability = 1 - exp(-hazard)

``coverage`` is the weighted share of the touches planned in the coverage window that
were delivered, each delivered touch earning its channel's credit (automated < 1), and a
late one (started d days after its on-time day) that credit x 0.5 ** (d / half-life)
(``late_credit_half_life_days``; null: full credit); missed, skipped and overdue touches
count against it. Inbound requests are no planned touches and stay out of coverage.

A risk event's hazard lies between its handled and unhandled hazards by how promptly an
escalation answered it: on time (started by its on-time day) handled, late by the
late-credit curve toward unhandled, none started unhandled.

``responsiveness`` is how well the CSM answered what the account asked for and what came
up unplanned: the weighted share of its CSM-routed inbound requests and ad hoc
(unscheduled) tasks in the coverage window that were answered, each earning its credit
by response time (on time 1, late by the same late-credit curve, missed or dropped 0);
1 when there were none. Late onboarding and a recent reassignment apply their
multipliers. Every effect size is a scenario input.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

from simulator.engine.codes import DELIVERED, Status
from simulator.engine.state import AutoTouch, RiskHit, Task
from simulator.scenario.model import Churn

__all__ = [
    "ChurnRule",
    "Decision",
    "Drivers",
    "coverage",
    "decide",
    "handling",
    "late_credit",
    "responsiveness",
    "strongest_risk",
]

# coverage() runs over every touch in a renewal's window: module-level names avoid an
# enum class lookup per comparison
_OPEN = Status.OPEN
_LATE = Status.LATE
_ON_TIME = Status.ON_TIME
_AUTOMATED = Status.AUTOMATED
_UNDELIVERED = (Status.MISSED, Status.SKIPPED)


class ChurnRule(NamedTuple):
    """A segment's churn inputs, as the renewal decision uses them."""

    base_hazard: float
    """Cumulative churn hazard over a contract term with the plan fully delivered."""
    coverage_effect: float
    late_onboarding_multiplier: float
    reassignment_multiplier: float
    late_credit_half_life: float | None
    """Days late at which a touch earns half its credit (None: full credit)."""
    responsiveness_effect: float

    @classmethod
    def of(cls, churn: Churn, base_hazard: float) -> ChurnRule:
        """The rule of a segment's ``churn`` inputs and its term's baseline hazard."""
        return cls(
            base_hazard,
            churn.coverage_effect,
            churn.late_onboarding_multiplier,
            churn.reassignment_multiplier,
            churn.late_credit_half_life,
            churn.responsiveness_effect,
        )


class Drivers(NamedTuple):
    """What the work delivered, as it bears on one renewal."""

    coverage: float
    """Weighted delivered share of planned touches in the coverage window (0-1), late
    touches at their late credit."""
    late_credit_loss: float
    """Coverage lost to lateness: coverage at full credit for late touches minus
    ``coverage`` (0 when nothing was late or late touches earn full credit)."""
    responsiveness: float
    """Weighted answered share of inbound requests and ad hoc tasks, late answers at
    their late credit (0-1; 1 when there were none)."""
    late_onboarding: bool
    """Onboarding ended with a planned touch undelivered, within the coverage window."""
    reassigned: bool
    """The account changed owner within the reassignment window."""
    risk_hazard: float
    """Hazard of the strongest risk event in effect (0: none)."""


class Decision(NamedTuple):
    """A renewal's churn probability and each driver's multiplier."""

    p_baseline: float
    coverage_multiplier: float
    responsiveness_multiplier: float
    late_onboarding_multiplier: float
    reassignment_multiplier: float
    risk_multiplier: float
    """Risk hazard over the baseline hazard when it is larger, else 1."""
    hazard: float
    probability: float


def decide(rule: ChurnRule, drivers: Drivers) -> Decision:
    """The churn probability of a renewal under ``rule`` given ``drivers``."""
    h0 = rule.base_hazard
    h_risk = drivers.risk_hazard
    m_cov = 1.0 + rule.coverage_effect * (1.0 - drivers.coverage)
    m_resp = 1.0 + rule.responsiveness_effect * (1.0 - drivers.responsiveness)
    m_late = rule.late_onboarding_multiplier if drivers.late_onboarding else 1.0
    m_re = rule.reassignment_multiplier if drivers.reassigned else 1.0
    base = max(h0, h_risk)
    mults = m_cov * m_resp * m_late * m_re
    if base == 0.0 or mults == 0.0:
        hazard = 0.0
    elif math.isinf(base):
        hazard = math.inf
    else:
        hazard = base * mults
    m_risk = (h_risk / h0) if h0 > 0 and h_risk > h0 else 1.0
    return Decision(
        1.0 - math.exp(-h0), m_cov, m_resp, m_late, m_re, m_risk, hazard, 1.0 - math.exp(-hazard)
    )


def late_credit(days_late: float, half_life: float | None) -> float:
    """Share of its credit a touch started ``days_late`` after its on-time day earns."""
    if half_life is None or days_late <= 0:
        return 1.0
    return 0.5 ** (days_late / half_life)


def coverage(
    touches: Iterable[Task],
    now: float,
    half_life: float | None = None,
    auto: Iterable[AutoTouch] = (),
) -> tuple[float, float]:
    """Weighted credit of delivered touches over the weight of touches due by ``now``.

    Touches planned after ``now`` do not count; open touches count against coverage once
    overdue. A late touch earns its credit x :func:`late_credit` of its days late. ``auto``
    are the light automated and skipped touches (:data:`~simulator.engine.state.AutoTouch`):
    an automated one earns its credit on its day, a skipped one earns nothing. Returns
    (coverage, coverage with full credit for late touches); (1, 1) when nothing was due.
    """
    num = full = den = 0.0
    for t in touches:
        if t.planned > now:
            continue
        st = t.status
        if st in DELIVERED:
            w = t.weight
            c = w * t.credit
            full += c
            if st == _LATE and half_life is not None:
                c *= 0.5 ** ((t.start - t.ontime) / half_life)
            num += c
            den += w
        elif st in _UNDELIVERED or (st == _OPEN and t.due < now):
            den += t.weight
    for planned, _, c, w in auto:
        if planned <= now:
            num += c
            full += c
            den += w
    if den > 0:
        return num / den, full / den
    return 1.0, 1.0


def responsiveness(service: Iterable[Task], now: float, half_life: float | None) -> float:
    """Weighted credit of answered requests and ad hoc tasks over those due by ``now``.

    Inbound requests weigh and earn as their touchpoint says (``weight``, the channel's
    ``credit``); ad hoc tasks, which are no touchpoint, weigh 1 and earn 1. A late answer
    earns its credit x :func:`late_credit` of its days late; missed and dropped ones 0;
    open ones count against once overdue. 1 when nothing was due.
    """
    num = den = 0.0
    for t in service:
        if t.planned > now:
            continue
        st = t.status
        if st in DELIVERED:
            if t.tp < 0:
                w = c = 1.0
            else:
                w = t.weight
                c = w * t.credit
            if st == _LATE and half_life is not None:
                c *= 0.5 ** ((t.start - t.ontime) / half_life)
            num += c
            den += w
        elif st in _UNDELIVERED or (st == _OPEN and t.due < now):
            den += 1.0 if t.tp < 0 else t.weight
    return num / den if den > 0 else 1.0


def handling(hit: RiskHit, now: float, half_life: float | None) -> float:
    """How well ``hit`` was answered by ``now``: the best late credit of its escalations.

    An escalation started on time (or automated) earns 1, one started d days after its
    on-time day :func:`late_credit` of d, one not started by ``now`` 0.
    """
    best = 0.0
    for t in hit.tasks:
        st = t.status
        if st == _AUTOMATED:
            return 1.0
        if st in (_ON_TIME, _LATE) and t.start <= now:
            c = late_credit(t.start - t.ontime, half_life)
            if c > best:
                best = c
    return best


def strongest_risk(
    hits: Iterable[RiskHit],
    now: float,
    effect_days: list[float],
    hazards: list[tuple[float, float]],
    half_life: float | None = None,
) -> tuple[float, int, float]:
    """The strongest risk event in effect at ``now``: (hazard, event index, handling).

    ``effect_days`` and ``hazards`` (handled, unhandled) are per risk event of the
    segment. A hit's hazard moves from unhandled toward handled by its
    :func:`handling` (h_unhandled - (h_unhandled - h_handled) x handling), so an escalation
    started late saves less than one started on time. (0, -1, 0) when none is in effect.
    """
    h_risk, event, handled = 0.0, -1, 0.0
    for hit in hits:
        if now - hit.time <= effect_days[hit.event]:
            h_handled, h_unhandled = hazards[hit.event]
            k = handling(hit, now, half_life)
            h = h_unhandled - (h_unhandled - h_handled) * k if k < 1.0 else h_handled
            if h > h_risk or event < 0:
                h_risk, event, handled = h, hit.event, k
    return h_risk, event, handled
