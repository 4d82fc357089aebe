"""The CSMs of a synthetic history: as many as the work delivered needed, when it did.

Part of :mod:`simulator.synthetic.history` (SYNTHETIC DATA - not real customers). A
history's "Assigned To" is what a backtest staffs its teams from (the owners active in the
90 days before its date), so the number of owners must match the work the log shows, not
be a fixed few names per segment. The rule (:meth:`HistoryTruth.csm_hours_per_year` and
the attributes it names):

* **Work delivered**: at each month end t of the history and for each segment, the CSM
  hours behind the touches delivered in the ``staff_window_days`` days to t, as the plan
  counts them (``cssim estimate``'s demand): the hours of the delivered one_to_one touches
  (each at its touchpoint's mean hours) and of the one_to_many sessions attended (each
  session once) times the segment's ``unscheduled_uplift`` (ad hoc work), plus, per
  account-year the accounts were active in the window, the plan's hours of CSM-routed
  inbound requests and of escalations (none of which the log shows). Annualised:
  x 365 / window. Rescue touches (the confounding switch) are left out, so the switch
  changes no other row.
* **Owners needed**: that over the hours a CSM gives customers in a year (available hours x
  customer time share x availability: 1730 x 0.63 x 0.95 = 1,035 h by default), rounded
  up, at least 1; a team never shrinks (the running maximum over the month ends).
* **Who owns an account**: one owner for its life, from the team of the month it signed
  (sized at that month's end): the one with the fewest active accounts then (ties broken
  by the account's owner draw), so the books stay even and a CSM who joins takes the new
  accounts from the month the work called for them.

Owners are named from their segment's ``owners`` in order, then from :data:`FIRST_NAMES`
("<name> Example"), names no segment lists, in segment order.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from simulator.data.values import add_months
from simulator.scenario.model import Segment
from simulator.synthetic.history_delivery import Account
from simulator.synthetic.history_truth import HistoryTruth

__all__ = ["FIRST_NAMES", "assign_owners", "owners_needed"]

FIRST_NAMES: tuple[str, ...] = (
    "Alex", "Ari", "Bailey", "Cameron", "Charlie", "Dakota", "Drew", "Eden", "Ellis",
    "Emerson", "Frankie", "Gray", "Hayden", "Indigo", "Jamie", "Jesse", "Jules", "Kai",
    "Kit", "Lane", "Lee", "Logan", "Marley", "Micah", "Morgan", "Noel", "Oakley", "Parker",
    "Peyton", "Quinn", "Reese", "Remy", "Riley", "River", "Robin", "Rowan", "Sage", "Sam",
    "Shay", "Sky", "Spencer", "Stevie", "Sutton", "Tatum", "Taylor", "Teagan", "Toby",
    "Tyler", "Val", "Wren", "Winter", "Yael", "Zion", "Ainsley", "Arden", "Blair", "Briar",
    "Carson", "Dale", "Ember", "Finch", "Hollis", "Jody", "Kris", "Lou", "Mackenzie", "Nico",
    "Oren", "Perry", "Raleigh", "Sawyer", "Tristan",
)  # fmt: skip
"""First names of owners beyond those a segment lists ("<name> Example")."""


def _account_year_hours(seg: Segment) -> float:
    """CSM hours per account-year of inbound requests and escalations (the plan's)."""
    hours = 0.0
    for tp in seg.touchpoints.values():
        if tp.channel != "one_to_one":
            continue
        trig = tp.trigger
        if trig.kind == "inbound_request":
            rate = seg.inbound.requests_per_account_year * (1.0 - seg.inbound.support_share)
        elif trig.kind == "risk_event":
            events = trig.events or list(seg.risk_events)
            rate = sum(seg.risk_events[e].per_account_year for e in events if e in seg.risk_events)
        else:
            continue
        hours += rate * tp.mean_csm_hours
    return hours


def _month_ends(truth: HistoryTruth) -> list[dt.date]:
    """Month ends from the first signing's month to ``as_of`` (the last is ``as_of``)."""
    out: list[dt.date] = []
    month = truth.first_signing.replace(day=1)
    while month <= truth.as_of:
        out.append(min(add_months(month, 1) - dt.timedelta(days=1), truth.as_of))
        month = add_months(month, 1)
    return out


def _hours(accounts: Sequence[Account], lo: dt.date, hi: dt.date) -> float:
    """CSM hours of ``accounts`` (one segment) in the days ``(lo, hi]`` (see the module)."""
    if not accounts:
        return 0.0
    seg = accounts[0].seg
    touched = 0.0
    sessions: set[tuple[str, int]] = set()
    account_days = 0
    for acc in accounts:
        a, b = (lo - acc.since).days, (hi - acc.since).days
        last = acc.end_day if acc.churn_day is None else acc.churn_day
        account_days += max(0, min(b, last) - max(a, -1))
        for day, name in acc.touches:
            if a < day <= b:
                tp = seg.touchpoints[name]
                if tp.channel == "one_to_many":
                    sessions.add((name, acc.since.toordinal() + day))
                else:
                    touched += tp.mean_csm_hours
    touched += sum(seg.touchpoints[name].mean_csm_hours for name, _ in sessions)
    return touched * seg.unscheduled_uplift + account_days / 365.0 * _account_year_hours(seg)


def owners_needed(
    accounts: Sequence[Account], truth: HistoryTruth
) -> dict[str, list[tuple[dt.date, int]]]:
    """Per segment: (month end, owners on the team then), the team a running maximum."""
    window = truth.staff_window_days
    out: dict[str, list[tuple[dt.date, int]]] = {}
    for s in truth.segments:
        mine = [a for a in accounts if a.segment == s.name]
        team, rows = 1, []
        for end in _month_ends(truth):
            hours = _hours(mine, end - dt.timedelta(days=window), end) * 365.0 / window
            team = max(team, math.ceil(hours / truth.csm_hours_per_year - 1e-9))
            rows.append((end, team))
        out[s.name] = rows
    return out


def _names(truth: HistoryTruth, needed: dict[str, int]) -> dict[str, list[str]]:
    """Each segment's owner names, as many as it needs (see the module docstring)."""
    listed = {n for s in truth.segments for n in s.owners}
    pool = iter(f"{n} Example" for n in FIRST_NAMES if f"{n} Example" not in listed)
    out: dict[str, list[str]] = {}
    extra = 0
    for s in truth.segments:
        names = list(s.owners[: needed[s.name]])
        while len(names) < needed[s.name]:
            extra += 1
            names.append(next(pool, f"CSM {extra} Example"))
        out[s.name] = names
    return out


def assign_owners(
    accounts: Sequence[Account], truth: HistoryTruth, owner_u: Sequence[float]
) -> dict[str, list[tuple[dt.date, int]]]:
    """Set every account's owner (``owner_u``: its uniform draw); returns the teams.

    Returns
    -------
    dict
        Per segment: (month end, owners on the team then).
    """
    teams = owners_needed(accounts, truth)
    names = _names(truth, {k: v[-1][1] for k, v in teams.items()})
    books: dict[str, list[list[dt.date]]] = {k: [[] for _ in v] for k, v in names.items()}
    for acc, u in sorted(zip(accounts, owner_u, strict=True), key=lambda x: x[0].since):
        n = next(size for end, size in teams[acc.segment] if end >= acc.since)
        book = books[acc.segment]
        load = [sum(1 for gone in book[i] if gone > acc.since) for i in range(n)]
        fewest = [i for i in range(n) if load[i] == min(load)]
        pick = fewest[min(int(u * len(fewest)), len(fewest) - 1)]
        acc.owner = names[acc.segment][pick]
        last = acc.end_day if acc.churn_day is None else acc.churn_day
        book[pick].append(acc.since + dt.timedelta(days=last))
    return teams
