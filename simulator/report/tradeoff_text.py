"""The sentences of a tradeoff report: the answer, the verdict, what the score and the
hours mean (shared by the terminal, JSON and the Excel pack)."""

from __future__ import annotations

import math

from simulator.analysis.compare import Difference
from simulator.analysis.tradeoff import TradeoffResult
from simulator.report.compare import delta_text
from simulator.report.formatting import money

__all__ = [
    "TIE_RULE",
    "headline",
    "hours_meaning",
    "money_ci",
    "score_meaning",
    "verdict_sentence",
]

TIE_RULE = "fewer changes, then more CSM hours freed, then the name in alphabetical order"
"""How plans that cannot be told apart are ranked."""


def money_ci(d: Difference, currency: str) -> str:
    """A signed money difference with its 95% CI (``+$12k [+$5k, +$19k]``, every number
    in the mean's scale: :func:`simulator.report.compare.delta_text`)."""
    if not math.isnan(d.mean) and math.isnan(d.low):
        return f"{'+' if d.mean >= 0 else '-'}{money(abs(d.mean), currency)}"
    return delta_text(d, "money", currency)


def score_meaning(r: TradeoffResult, currency: str) -> str:
    """What the score of a candidate is, in a sentence or two."""
    return (
        f"Score: net value per CSM hour freed, against today's plan at {r.current} CSMs. "
        f"Every candidate runs at {r.offered} CSMs, so people cost is the same for all of them "
        "and the score is the retention value (net of automation and support cost) a change "
        f"loses per CSM hour it frees over the {r.horizon_days} days: closer to zero is better. "
        f"For scale, a CSM customer hour costs {money(r.cost_per_hour, currency)}."
    )


def hours_meaning(r: TradeoffResult) -> str:
    """What the kinds of hours freed are."""
    h = r.hours_today
    share = h.adhoc / h.total if h.total > 0 else 0.0
    return (
        "Hours freed (closed form, a year): scheduled = the touches' own CSM hours; tied "
        "ad hoc = the unscheduled work that scales with scheduled hours "
        f"(unscheduled_uplift), which goes with the touch ({100 * share:.0f}% of today's "
        "CSM hours); inbound = requests routed to support instead."
    )


def _plan_value(r: TradeoffResult, currency: str) -> str:
    """The pick's net value against today, with what it counts."""
    p = r.plan
    assert p is not None
    return (
        f"net value {money_ci(p.net_value, currency)} against today's plan at {r.current} CSMs "
        f"over {r.horizon_days} days (people cost saved included; ARR held at the end valued "
        "over the valuation years)"
    )


def verdict_sentence(r: TradeoffResult, currency: str) -> str:
    """How sure the pick is against the runner-up ("" when there was nothing to pick)."""
    v = r.verdict
    if v is None:
        return ""
    if v.runner_up is None:
        return f"It is the only plan tried that fits {r.offered} CSMs."
    d = v.difference
    gap = money_ci(d, currency) if d is not None else "-"
    if v.distinct:
        return (
            f"It beats the runner-up ({v.runner_up.label}) by {gap} in net value (paired 95% "
            f"CI, {v.replications} replications)."
        )
    others = "; ".join(f"({x.label})" for x in v.tied if x is not v.pick)
    return (
        f"It cannot be told apart from {others} at this precision: its net value is {gap} "
        f"against the runner-up after {v.replications} replications (the most allowed), a "
        f"95% CI that includes 0. Both are shown; the tie goes to {TIE_RULE}."
    )


def headline(r: TradeoffResult, currency: str) -> str:
    """The answer in sentences: savings, the plan, its value and hours, the verdict."""
    change = (
        f"saves {money(r.savings, currency)} a year"
        if r.savings >= 0
        else f"costs {money(-r.savings, currency)} more a year"
    )
    head = (
        f"{r.team}: {r.current} -> {r.offered} CSMs {change}. "
        f"The plan needs {r.fte_needed:.1f} FTE (closed form); "
    )
    p = r.plan
    if p is None:
        return head + "no change or combination tried fits. Offer more CSMs or add changes by hand."
    churn = p.expected_logo_churn
    churn_text = (
        f"expected logo churn {100 * churn.mean:+.2f} pp [{100 * churn.low:+.2f}, "
        f"{100 * churn.high:+.2f}]"
    )
    if not p.changes:
        return (
            head + f"{r.offered} CSMs carry it without changes: {_plan_value(r, currency)}; "
            f"ARR at risk {money_ci(p.arr_at_risk, currency)} a year, {churn_text}."
        )
    f = p.freed
    text = (
        head + f"to fit {r.offered}: {p.label}.\n"
        f"That plan needs {p.fte:.1f} FTE and frees {f.total:,.0f} CSM hours a year "
        f"({f.scheduled:,.0f} scheduled + {f.adhoc:,.0f} tied ad hoc + {f.inbound:,.0f} "
        f"inbound); {_plan_value(r, currency)}; ARR at risk "
        f"{money_ci(p.arr_at_risk, currency)} a year, {churn_text}.\n"
        + verdict_sentence(r, currency)
    )
    extra = r.expected_extra_churned
    if extra is not None and r.savings > 0 and r.accounts:
        text += (
            f"\nBreak-even: cutting to {r.offered} saves {money(r.savings, currency)} a year and "
            f"is worth it while it loses fewer than {r.break_even_accounts:.1f} {r.team} accounts "
            f"a year (at {money(r.arr / r.accounts, currency)} average ARR); the simulation "
            f"expects {extra.mean:+.2f} [{extra.low:+.2f}, {extra.high:+.2f}]."
        )
    return text
