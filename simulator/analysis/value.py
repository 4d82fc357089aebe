"""Net value of an option: what its retained ARR is worth against what serving it costs.

Per replication and segment (docs/decisions.md, "Net value")::

    plan    = gross_margin * expected_revenue + indirect_plan
              - people_cost - automation_cost - support_cost
    horizon = plan + arr_value * expected_arr_end + indirect_tail

Costs count over the plan only (next year's budget is another decision); the ARR held at
the end of the plan is valued over ``economics.valuation_years`` at ``arr_value`` (λ)
per dollar. ``horizon`` is linear in λ, so a sweep of λ needs no new simulation.

Besides the net value, a P&L view (:func:`pnl`) and the cost to serve an account
(:func:`cost_to_serve`) read the same per-replication metrics.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from simulator.scenario.model import Economics, Scenario, Segment

__all__ = [
    "COST_TO_SERVE",
    "PNL_LINES",
    "SegmentValue",
    "annuity_years",
    "arr_value",
    "cost_to_serve",
    "net_value",
    "net_value_draws",
    "pnl",
    "segment_values",
]

Metrics = Mapping[str, Mapping[str, float]]
"""One replication's per-segment metrics (``ReplicationResult.segments``)."""


@dataclass(frozen=True)
class SegmentValue:
    """One segment's value in one replication (currency over the plan unless stated)."""

    segment: str
    revenue: float
    """Expected revenue over the plan (churn at its probability)."""
    arr_end: float
    """Expected ARR at the end of the plan (currency per year)."""
    arr_value: float
    """λ: value of one ARR dollar held at the end (currency per ARR dollar)."""
    margin: float
    """``gross_margin * revenue``."""
    indirect_plan: float
    """Indirect value earned over the plan (per account-year served)."""
    indirect_tail: float
    """Indirect value of the accounts held at the end, over the valuation years."""
    people_cost: float
    automation_cost: float
    support_cost: float
    """``support_cost_per_request * inbound_to_support``."""

    @property
    def cost(self) -> float:
        """People, automation and support cost over the plan."""
        return self.people_cost + self.automation_cost + self.support_cost

    @property
    def plan(self) -> float:
        """Net value over the plan: margin and indirect value less cost."""
        return self.margin + self.indirect_plan - self.cost

    @property
    def horizon(self) -> float:
        """Net value over the valuation horizon: the plan plus the ARR and accounts held."""
        return self.horizon_at(self.arr_value)

    def horizon_at(self, arr_value: float) -> float:
        """Net value over the horizon with ARR held at the end worth ``arr_value`` a dollar
        (a decision values a dollar the same in every option)."""
        return self.plan + arr_value * self.arr_end + self.indirect_tail


def annuity_years(economics: Economics, segment: Segment) -> float:
    """Discounted expected years an account held at the end keeps paying (years).

    ``sum_{t=1..Y} s**(t-1) / (1+r)**t`` with ``s = 1 - churn.annual_baseline``,
    ``Y = valuation_years`` and ``r = discount_rate``: a year's ARR is paid if the account
    survived the ``t-1`` renewals before it, discounted to the end of the plan.
    """
    s = 1.0 - segment.churn.annual_baseline
    r = economics.discount_rate
    t = np.arange(1, economics.valuation_years + 1, dtype=float)
    return float((s ** (t - 1) / (1.0 + r) ** t).sum())


def arr_value(economics: Economics, segment: Segment) -> float:
    """λ: the value of one ARR dollar held at the end of the plan (currency per dollar).

    ``lifetime``: gross margin times :func:`annuity_years`; ``replacement``:
    ``replacement_cost - renewal_cost`` (what winning the dollar back would cost, less
    the renewal spend it saves); ``multiple``: ``arr_value_multiple``.
    """
    if economics.arr_value == "lifetime":
        return economics.gross_margin * annuity_years(economics, segment)
    if economics.arr_value == "replacement":
        return economics.replacement_cost - economics.renewal_cost
    if economics.arr_value_multiple is None:  # the model's validator prevents this
        raise ValueError("arr_value is multiple but arr_value_multiple is not set")
    return economics.arr_value_multiple


def segment_values(
    scenario: Scenario, metrics: Metrics, segments: Iterable[str] | None = None
) -> dict[str, SegmentValue]:
    """Every segment's value in one replication (``metrics``: segment -> metric -> value).

    ``segments`` limits the result (default: every segment of ``metrics``). A run saved
    before ``account_years`` existed has no indirect value over the plan (NaN when one
    is stated, 0 otherwise).
    """
    eco = scenario.economics
    per_account = eco.indirect_value_per_account
    out: dict[str, SegmentValue] = {}
    for seg in list(metrics) if segments is None else segments:
        m = metrics[seg]
        spec = scenario.segments[seg]
        revenue = m["expected_revenue"]
        years = m.get("account_years", math.nan)
        out[seg] = SegmentValue(
            segment=seg,
            revenue=revenue,
            arr_end=m["expected_arr_end"],
            arr_value=arr_value(eco, spec),
            margin=eco.gross_margin * revenue,
            indirect_plan=per_account * years if per_account else 0.0,
            indirect_tail=per_account * m["accounts_end"] * annuity_years(eco, spec),
            people_cost=m["people_cost"],
            automation_cost=m["automation_cost"],
            support_cost=eco.support_cost_per_request * m["inbound_to_support"],
        )
    return out


def net_value(
    scenario: Scenario, metrics: Metrics, segments: Iterable[str] | None = None
) -> tuple[float, float]:
    """Net value of one replication over the plan and over the horizon (currency),
    summed over ``segments`` (default: all)."""
    values = segment_values(scenario, metrics, segments).values()
    return sum(v.plan for v in values), sum(v.horizon for v in values)


def net_value_draws(
    scenario: Scenario, replications: Sequence[Metrics], segments: Iterable[str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per-replication net values over the plan and over the horizon (currency)."""
    segs = None if segments is None else list(segments)
    pairs = [net_value(scenario, m, segs) for m in replications]
    arr = np.array(pairs, dtype=float).reshape(-1, 2)
    return arr[:, 0], arr[:, 1]


PNL_LINES: tuple[str, ...] = (
    "revenue",
    "cost_of_revenue",
    "gross_profit",
    "gross_margin",
    "cs_cost_sm",
    "contribution",
)
"""Lines of :func:`pnl`, top to bottom."""


def pnl(economics: Economics, values: Iterable[SegmentValue]) -> dict[str, float]:
    """A P&L view of one replication over the plan (currency; ``gross_margin`` a fraction).

    Cost of revenue is ``(1 - gross_margin) * revenue`` plus CS cost (people, automation
    and support) when ``cs_cost_class`` is ``cogs``; under ``sm`` the CS cost sits below
    gross profit (``cs_cost_sm``). Contribution after CS is the same either way: the
    class moves lines, not the net value.
    """
    vals = list(values)
    revenue = sum(v.revenue for v in vals)
    cs = sum(v.cost for v in vals)
    cogs = economics.cs_cost_class == "cogs"
    cost_of_revenue = (1.0 - economics.gross_margin) * revenue + (cs if cogs else 0.0)
    gross_profit = revenue - cost_of_revenue
    sm = 0.0 if cogs else cs
    return {
        "revenue": revenue,
        "cost_of_revenue": cost_of_revenue,
        "gross_profit": gross_profit,
        "gross_margin": gross_profit / revenue if revenue > 0 else math.nan,
        "cs_cost_sm": sm,
        "contribution": gross_profit - sm,
    }


COST_TO_SERVE: tuple[str, ...] = (
    "accounts",
    "cost",
    "revenue",
    "margin",
    "indirect",
    "profit",
)
"""Keys of :func:`cost_to_serve`: average accounts served, then per account over the plan."""


def cost_to_serve(value: SegmentValue, account_years: float, plan_years: float) -> dict[str, float]:
    """A segment's cost to serve one account against what the account brings (currency
    per account over the plan).

    Parameters
    ----------
    value
        The segment's value in one replication (:func:`segment_values`).
    account_years
        Account-years served in the plan (years; the ``account_years`` metric).
    plan_years
        Length of the plan (years).

    Returns
    -------
    dict
        ``accounts`` (average accounts served: account-years over plan years), then per
        account: ``cost`` (people, automation, support), ``revenue``, ``margin``,
        ``indirect`` (indirect value over the plan) and ``profit`` (margin plus indirect
        value less cost; the account is profitable when it is positive). NaN per account
        when no account was served.
    """
    accounts = account_years / plan_years if plan_years > 0 else math.nan
    if not accounts > 0:
        nan = math.nan
        return {"accounts": accounts, **dict.fromkeys(COST_TO_SERVE[1:], nan)}
    cost = value.cost / accounts
    margin = value.margin / accounts
    indirect = value.indirect_plan / accounts
    return {
        "accounts": accounts,
        "cost": cost,
        "revenue": value.revenue / accounts,
        "margin": margin,
        "indirect": indirect,
        "profit": margin + indirect - cost,
    }
