"""The engine configured as an M/M/c queue: the scenario the Erlang C test checks and the
speed benchmark times.

One pooled team of ``c`` CSMs, Poisson inbound requests from 200 accounts that never
churn or renew within the plan, exponential effort, the continuous calendar (capacity on
every day), so the queueing formulas of :mod:`simulator.analysis.queueing` apply.
"""

from __future__ import annotations

__all__ = ["HOURS_PER_DAY", "mmc_scenario"]

HOURS_PER_DAY = 1730 * 0.63 / 365
"""A CSM's customer hours per calendar day under the continuous calendar (the defaults:
1,730 hours a year, 63% with customers)."""

_TEXT = """
start_date: 2027-01-01
horizon_days: {horizon}
{burn_in}calendar: {{model: continuous}}  # queueing formulas: capacity on every day
segments:
  q:
    accounts: {accounts}
    arr: 1000
    contract_term_months: 120
    coverage: pooled
    team: {{csms: {c}, annual_cost_per_csm: 100000, annual_attrition: 0}}
    churn: {{annual_baseline: 0}}
    inbound: {{requests_per_account_year: {per_account_year}, support_share: 0}}
    touchpoints:
      request:
        trigger: {{kind: inbound_request}}
        hours: {{dist: exponential, mean: {mean_hours}}}
        due_days: 3650
"""


def mmc_scenario(
    c: int, rho: float, mean_hours: float, horizon: int, burn_in: bool = True
) -> tuple[str, float, float]:
    """Scenario text of an M/M/c queue at load ``rho``, with its rates.

    Parameters
    ----------
    c
        CSMs (servers).
    rho
        Load: arrival rate / (c x service rate).
    mean_hours
        Mean effort of a request (hours).
    horizon
        Plan length (days).
    burn_in
        Keep the scenario's default burn-in; False sets ``burn_in_days: 0``.

    Returns
    -------
    tuple
        The YAML text, the arrival rate (per day) and the service rate per CSM (per day).
    """
    mu = HOURS_PER_DAY / mean_hours
    lam = rho * c * mu
    accounts = 200
    text = _TEXT.format(
        horizon=horizon,
        burn_in="" if burn_in else "burn_in_days: 0\n",
        accounts=accounts,
        c=c,
        per_account_year=lam * 365 / accounts,
        mean_hours=mean_hours,
    )
    return text, lam, mu
