"""A SYNTHETIC activity history and customer list drawn from known effects of coverage.

SYNTHETIC DATA - not real customers. :func:`generate_history` draws, per account:

1. **Signing**: a Poisson number of new logos per calendar month (mean
   ``logos_per_month``, pro rata for partial months) over the ``years`` to ``as_of``, each
   on a uniform day of its month; segment by new-logo share; ARR at signing lognormal.
2. **Plan**: the account follows its plan segment (``plan``, default the bundled default
   scenario) with the truth's effects and ARR change put in (:func:`true_segments`). Its
   slots are laid out on ``simulator.scenario.lifecycle.timeline`` (days from signing):
   ``stage_entry`` at each stage entry + offset, ``before_renewal`` at each renewal -
   days, ``cadence`` every I days from a phase uniform in [s, s + I), s the start of its
   first allowed stage, kept when in an allowed stage. Only CSM channels write rows:
   ``one_to_one`` touches, and ``one_to_many`` ones as the session the account attended
   (sessions every ``session_every_days`` on a fixed calendar); ``automated`` and
   ``skipped`` touchpoints write none, and neither do risk events or inbound requests.
3. **Delivery**: per contract period a propensity ~ Beta (``propensity_mean``,
   ``propensity_concentration``); each slot is delivered with it, late with
   ``late_probability``. On time: a uniform whole day in [p, p + on_time_days]; late:
   beyond the on-time day by a truncated exponential (``lateness_mean_days``), by the due
   day at the latest. A touch of a later period is dated after that period's renewal
   (term_days months and calendar renewals differ by a leap day). Activities after
   ``as_of`` or after the account churned are not written.
4. **Renewals** at every anniversary on or before ``as_of``: the true coverage and late
   onboarding (:mod:`simulator.synthetic.history_coverage`, the note's definition) from
   the activities written so far; churn by :func:`simulator.engine.churn.decide`
   (responsiveness 1, no risk, no reassignment) with one uniform draw; a retained account's
   ARR changes by :class:`simulator.engine.expansion.ExpansionRule` with E from the
   coverage. A churned account's churn date is that renewal date.
5. **Noise** rows ("Email", "Note"), a share ``noise_share`` of all rows, dated uniformly
   over the account's life; optionally **rescue touches** (``rescue_touch_share``), which
   leave the truth unchanged and show up only in ``RenewalTruth.observed_coverage``.
6. **Owners** ("Assigned To"): each segment's team is sized at every month end by the
   CSM hours behind the touches delivered in the 90 days before it (``HistoryTruth``'s
   ``staff_window_days``; :mod:`simulator.synthetic.history_owners`), and each account
   is owned by one of the team's CSMs when it signed.

Randomness comes from numpy Generators spawned from one ``SeedSequence(seed)``, one per
purpose (book, delivery, outcome, noise, formatting, rescue), so a seed gives the same rows
and the rescue switch changes no other row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from simulator.data.values import add_months
from simulator.engine.churn import ChurnRule, Drivers, decide
from simulator.engine.expansion import ExpansionRule
from simulator.scenario.distributions import Normal
from simulator.scenario.lifecycle import term_days
from simulator.scenario.loader import bundled_scenario, load_scenario
from simulator.scenario.model import Segment
from simulator.synthetic.customers import _NAME_FIRST, _NAME_SECOND, signing_dates
from simulator.synthetic.history_coverage import late_onboarding, renewal_coverage
from simulator.synthetic.history_delivery import Account, deliver
from simulator.synthetic.history_owners import assign_owners
from simulator.synthetic.history_rows import (
    ACTIVITY_COLUMNS,
    customer_row,
    noise_rows,
    touch_rows,
)
from simulator.synthetic.history_truth import DEFAULT_HISTORY_TRUTH, HistorySegment, HistoryTruth
from simulator.synthetic.stats import lognormal_params

__all__ = [
    "ACTIVITY_COLUMNS",
    "History",
    "RenewalTruth",
    "default_plan",
    "generate_history",
    "true_segments",
]


@dataclass(frozen=True)
class RenewalTruth:
    """What truly happened at one renewal (the values estimates are checked against).

    Attributes
    ----------
    customer_id, segment
        The account ("Customer ID") and its segment ("Segment").
    renewal_date, day, number
        Renewal date, its day from "Customer Since" (days) and which renewal it is (1, 2..).
    coverage
        True coverage (0-1) by the note's definition from the account's touches.
    late_onboarding
        Whether a late first onboarding counts at this renewal.
    hazard, churn_probability
        The engine's hazard and ``1 - exp(-hazard)``.
    churned
        Whether the account churned here (the churn date is the renewal date).
    arr_before
        ARR up for renewal (US$ per year).
    expansion_multiplier
        E, the share of the planned expansion the coverage kept (0-1).
    arr_change
        Applied relative ARR change (fraction; 0 when churned).
    observed_coverage
        Coverage by the same definition from every row written, rescue touches included
        (equals ``coverage`` when ``rescue_touch_share`` is 0).
    rescued
        Whether this renewal received rescue touches.
    """

    customer_id: str
    segment: str
    renewal_date: dt.date
    day: int
    number: int
    coverage: float
    late_onboarding: bool
    hazard: float
    churn_probability: float
    churned: bool
    arr_before: float
    expansion_multiplier: float
    arr_change: float
    observed_coverage: float
    rescued: bool = False


@dataclass(frozen=True)
class History:
    """A generated history: the customer list, the activity log and the per-renewal truth.

    Attributes
    ----------
    truth, seed
        The parameters and the seed drawn with.
    segments
        The true plan segment of each data segment (plan with the truth's effects).
    customers
        Rows with the columns of :data:`simulator.synthetic.customers.CUSTOMER_COLUMNS`
        (ISO dates, plain numbers), in signing order.
    activities
        Rows with the columns :data:`ACTIVITY_COLUMNS`, by date.
    renewals
        Every resolved renewal, by account then date.
    """

    truth: HistoryTruth
    seed: int
    segments: dict[str, Segment] = field(repr=False)
    customers: list[dict[str, str]] = field(repr=False)
    activities: list[dict[str, str]] = field(repr=False)
    renewals: list[RenewalTruth] = field(repr=False)


def default_plan(truth: HistoryTruth = DEFAULT_HISTORY_TRUTH) -> dict[str, Segment]:
    """Each data segment's plan segment in the bundled default scenario."""
    scenario = load_scenario(bundled_scenario())
    return {s.name: scenario.segments[s.plan_segment] for s in truth.segments}


def true_segments(truth: HistoryTruth, plan: Mapping[str, Segment]) -> dict[str, Segment]:
    """The plan segments with the truth's baseline, effects and ARR change put in."""
    out = {}
    for s in truth.segments:
        seg = plan[s.name]
        churn = seg.churn.model_copy(
            update={
                "annual_baseline": s.annual_baseline,
                "coverage_effect": truth.churn_coverage_effect,
                "late_onboarding_multiplier": truth.late_onboarding_multiplier,
            }
        )
        change = Normal.model_validate(
            {
                "dist": "normal",
                "mean": s.arr_change_mean,
                "sd": s.arr_change_sd,
                "min": s.arr_change_min,
                "max": s.arr_change_max,
            }
        )
        expansion = seg.expansion.model_copy(
            update={"coverage_effect": truth.expansion_coverage_effect}
        )
        out[s.name] = seg.model_copy(
            update={"churn": churn, "expansion": expansion, "arr_change_at_renewal": change}
        )
    return out


@dataclass(frozen=True)
class _Rules:
    """A data segment's plan and the engine rules its renewals use."""

    data: HistorySegment
    seg: Segment
    churn: ChurnRule
    expansion: ExpansionRule
    rescue_tp: str | None
    working_days: bool = True
    """On-time and due windows in weekdays (:attr:`HistoryTruth.working_days`)."""

    @classmethod
    def of(cls, data: HistorySegment, seg: Segment) -> _Rules:
        h0 = -math.log1p(-data.annual_baseline) * term_days(seg.contract_term_months) / 365.0
        cadence = [
            n
            for n, tp in seg.touchpoints.items()
            if tp.channel == "one_to_one" and tp.trigger.kind == "cadence"
        ]
        rescue = cadence[0] if cadence else None
        return cls(data, seg, ChurnRule.of(seg.churn, h0), ExpansionRule.of(seg), rescue)


def _signings(truth: HistoryTruth, rng: np.random.Generator) -> list[dt.date]:
    """Signing dates: Poisson per calendar month, uniform day within it, in order."""
    return signing_dates(truth.first_signing, truth.as_of, truth.logos_per_month, rng)


def _by_touchpoint(*touches: list[tuple[int, str]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for rows in touches:
        for day, name in rows:
            out.setdefault(name, []).append(day)
    return {n: sorted(d) for n, d in out.items()}


def _renew(acc: Account, rules: _Rules, u: np.ndarray) -> list[RenewalTruth]:
    """Resolve the account's renewals up to its end day (``u``: a churn and an expansion
    uniform per renewal); sets its churn day and ARR, drops touches after the churn."""
    seg = acc.seg
    days = _by_touchpoint(acc.touches)
    out: list[RenewalTruth] = []
    acc.arr = acc.start_arr
    for k in range(1, len(u) + 1):
        date = add_months(acc.since, k * seg.contract_term_months)
        r = (date - acc.since).days
        if r > acc.end_day:
            break
        shift = float(acc.since.weekday()) if rules.working_days else None
        cov = renewal_coverage(seg, days, r, shift)
        late = late_onboarding(seg, days, r, shift)
        d = decide(rules.churn, Drivers(cov, 0.0, 1.0, late, False, 0.0))
        churned = bool(u[k - 1, 0] < d.probability)
        e = rules.expansion.multiplier(cov, 1.0)
        change = 0.0 if churned else rules.expansion.change(float(u[k - 1, 1]), e)[1]
        out.append(
            RenewalTruth(
                customer_id=acc.cid,
                segment=acc.segment,
                renewal_date=date,
                day=r,
                number=k,
                coverage=cov,
                late_onboarding=late,
                hazard=d.hazard,
                churn_probability=d.probability,
                churned=churned,
                arr_before=acc.arr,
                expansion_multiplier=e,
                arr_change=change,
                observed_coverage=cov,
            )
        )
        if churned:
            acc.churn_day = r
            break
        acc.arr = round(acc.arr * (1.0 + change), 2)
    if acc.churn_day is not None:
        acc.touches = [t for t in acc.touches if t[0] <= acc.churn_day]
    return out


def _rescue(
    accounts: list[Account],
    renewals: list[list[RenewalTruth]],
    rules: Mapping[str, _Rules],
    truth: HistoryTruth,
    rng: np.random.Generator,
) -> list[list[RenewalTruth]]:
    """Add rescue touches before the riskiest renewals; recompute observed coverage."""
    flat = [(i, j) for i, rs in enumerate(renewals) for j in range(len(rs))]
    if truth.rescue_touch_share <= 0 or not flat:
        return renewals
    picked: list[tuple[int, int]] = []
    for name in rules:  # each segment's CSMs rescue that segment's riskiest renewals
        mine = [(i, j) for i, j in flat if accounts[i].segment == name]
        hazard = np.array([renewals[i][j].hazard for i, j in mine])
        top = math.ceil(truth.rescue_touch_share * len(mine))
        picked += [mine[int(x)] for x in np.argsort(-hazard, kind="stable")[:top]]
    picked.sort()
    out = [list(rs) for rs in renewals]
    for i, j in picked:
        acc, rt = accounts[i], renewals[i][j]
        tp = rules[acc.segment].rescue_tp
        if tp is None:
            continue
        w = truth.rescue_window_days
        acc.rescue += [
            (d, tp) for d in rng.integers(rt.day - w, rt.day, truth.rescue_touches).tolist()
        ]
        out[i][j] = replace(rt, rescued=True)
    for i, acc in enumerate(accounts):
        if acc.rescue:
            days = _by_touchpoint(acc.touches, acc.rescue)
            out[i] = [
                replace(
                    rt,
                    observed_coverage=renewal_coverage(
                        acc.seg,
                        days,
                        rt.day,
                        float(acc.since.weekday()) if truth.working_days else None,
                    ),
                )
                for rt in out[i]
            ]
    return out


def generate_history(
    truth: HistoryTruth = DEFAULT_HISTORY_TRUTH,
    seed: int | None = None,
    plan: Mapping[str, Segment] | None = None,
) -> History:
    """A synthetic customer list and activity log drawn from ``truth`` (module docstring).

    Parameters
    ----------
    truth
        The true parameters.
    seed
        Random seed (default ``truth.seed``).
    plan
        Data segment name -> validated plan segment whose lifecycle and touchpoints the
        accounts follow (default :func:`default_plan`: the bundled default scenario).

    Returns
    -------
    History
        Customers, activities and the per-renewal truth; the same seed gives the same rows.
    """
    seed = truth.seed if seed is None else seed
    segments = true_segments(truth, default_plan(truth) if plan is None else plan)
    rules = {
        s.name: dataclasses.replace(_Rules.of(s, segments[s.name]), working_days=truth.working_days)
        for s in truth.segments
    }
    order = [rules[s.name] for s in truth.segments]
    streams = np.random.SeedSequence(seed).spawn(6)
    book, delivery, outcome, noise, fmt, rescue = (np.random.default_rng(s) for s in streams)
    signed = _signings(truth, book)
    n = len(signed)
    shares = np.array([s.new_logo_share for s in truth.segments])
    seg_idx = book.choice(len(order), size=n, p=shares / shares.sum()).tolist()
    z_arr = book.standard_normal(n).tolist()
    names = book.integers(0, [[len(_NAME_FIRST), len(_NAME_SECOND)]], (n, 2)).tolist()
    owner_u = book.random(n).tolist()
    max_k = max(-(-12 * truth.years // r.seg.contract_term_months) for r in order) + 1
    u_out = outcome.random((n, max_k, 2))
    width = max(4, len(str(n)))
    accounts: list[Account] = []
    renewals: list[list[RenewalTruth]] = []
    for i, since in enumerate(signed):
        r = order[seg_idx[i]]
        mu, sig = lognormal_params(r.data.arr_mean, r.data.arr_cv)
        number = f"{i + 1:0{width}d}"
        acc = Account(
            cid=f"CUST-{number}",
            name=f"{_NAME_FIRST[names[i][0]]} {_NAME_SECOND[names[i][1]]} {number} (synthetic)",
            segment=r.data.name,
            seg=r.seg,
            since=since,
            owner="",  # set once the work delivered is known (history_owners)
            start_arr=max(1.0, float(round(math.exp(mu + sig * z_arr[i])))),
            end_day=(truth.as_of - since).days,
        )
        deliver(acc, truth, delivery)
        renewals.append(_renew(acc, r, u_out[i]))
        accounts.append(acc)
    renewals = _rescue(accounts, renewals, rules, truth, rescue)
    assign_owners(accounts, truth, owner_u)
    activities: list[dict[str, str]] = []
    for acc in accounts:
        activities += touch_rows(acc, acc.touches, truth, fmt)
        activities += noise_rows(acc, truth, noise)
    for acc in accounts:  # after every other row: the switch changes no other draw
        activities += touch_rows(acc, acc.rescue, truth, rescue)
    activities.sort(key=lambda a: (a["Activity Date"], a["Account ID"], a["Activity Type"]))
    customers = [customer_row(a, truth.as_of) for a in accounts]
    return History(
        truth=truth,
        seed=seed,
        segments=segments,
        customers=customers,
        activities=activities,
        renewals=[rt for rs in renewals for rt in rs],
    )
