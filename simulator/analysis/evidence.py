"""From a customer list and an activity history to the effects they show.

:func:`gather_evidence` joins the two exports: each activity is mapped to a touchpoint
of the plan (:mod:`simulator.analysis.activity_map`), attached to its customer by ID or
name, and every renewal the history covers gets its drivers
(:mod:`simulator.analysis.history`); :func:`simulator.analysis.effects.estimate_effects`
then fits the engine's churn and expansion models to them. Activities that name no
known customer and types that match no touchpoint are counted, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from simulator.analysis.activity_map import ActivityMap, map_activities
from simulator.analysis.contracts import CustomerLike
from simulator.analysis.effects import Effects, estimate_effects
from simulator.analysis.history import History, build_history
from simulator.data.values import text_key
from simulator.scenario.model import Segment

__all__ = [
    "STAFF_WINDOW_DAYS",
    "Evidence",
    "active_owners",
    "customer_lookup",
    "gather_evidence",
    "touched_months",
]

STAFF_WINDOW_DAYS = 90
"""Days before the list's date whose activity owners are taken as a segment's team
(assumption: docs/assumptions.md#evidence-from-history)."""


@dataclass
class Evidence:
    """What the history shows, and how it was read."""

    mapping: ActivityMap
    history: History
    effects: Effects | None
    """None when no renewal could be measured (see :attr:`problem`)."""
    activities: int
    matched: int
    """Activities mapped to a touchpoint of a known customer."""
    unknown_accounts: Counter[str] = field(default_factory=Counter)
    """Account as written -> activities naming no customer of the list."""
    plan_names: dict[str, str] = field(default_factory=dict)
    """Data segment -> the plan segment whose touchpoints it was measured against."""
    owners: dict[str, int] = field(default_factory=dict)
    """Data segment -> the people who logged its accounts' activities in the
    :data:`STAFF_WINDOW_DAYS` before the list's date (:func:`active_owners`)."""
    silent: int = 0
    """Accounts with a measured renewal and no activity in the history at all."""
    problem: str = ""


def customer_lookup(customers: Sequence[CustomerLike]) -> Callable[[str], CustomerLike | None]:
    """Find a customer by ID or by name (ignoring case and spacing); IDs win."""
    table: dict[str, CustomerLike] = {}
    for c in customers:
        name = getattr(c, "name", None)
        if name:
            table.setdefault(text_key(name), c)
    for c in customers:
        table[text_key(c.id)] = c
    return lambda account: table.get(text_key(account))


def touched_months(
    customers: Sequence[CustomerLike], activities: Sequence[Any], as_of: dt.date
) -> dict[str, int]:
    """Customer ID -> distinct calendar months with an activity in the 12 before it
    ended (its churn date, else the renewal it left at, else ``as_of``)."""
    from simulator.analysis.contracts import end_of_follow_up

    find = customer_lookup(customers)
    months: dict[str, set[tuple[int, int]]] = defaultdict(set)
    ends = {c.id: end_of_follow_up(c, as_of)[0] or as_of for c in customers}
    for a in activities:
        c = find(a.account)
        if c is None:
            continue
        end = ends[c.id]
        if end - dt.timedelta(days=365) < a.date <= end:
            months[c.id].add((a.date.year, a.date.month))
    return {k: len(v) for k, v in months.items()}


def active_owners(
    activities: Sequence[Any], segment_of: Callable[[str], str | None], date: dt.date
) -> dict[str, int]:
    """Per segment: the people who logged activities on its accounts in the
    :data:`STAFF_WINDOW_DAYS` up to ``date``, each shared out by their activities
    (rounded, at least 1 where anyone logged any)."""
    share: dict[str, dict[str, int]] = {}
    lo = date - dt.timedelta(days=STAFF_WINDOW_DAYS)
    for act in activities:
        if act.owner and lo < act.date <= date:
            s = segment_of(act.account)
            if s is not None:
                share.setdefault(act.owner, {}).setdefault(s, 0)
                share[act.owner][s] += 1
    people: dict[str, float] = {}
    for counts in share.values():
        total = sum(counts.values())
        for s, n in counts.items():
            people[s] = people.get(s, 0.0) + n / total
    return {s: max(1, round(v)) for s, v in people.items()}


def gather_evidence(
    customers: Sequence[CustomerLike],
    segment_of: Callable[[CustomerLike], str | None],
    plans: Mapping[str, Segment],
    activities: Sequence[Any],
    as_of: dt.date,
    activity_map: Mapping[str, str] | None = None,
    history_start: dt.date | None = None,
    seed: int = 1,
) -> Evidence:
    """Map, join and measure the history, then estimate the effects.

    Parameters
    ----------
    customers
        Every customer of the list.
    segment_of
        A customer's data segment.
    plans
        Data segment -> the plan's segment it is measured against.
    activities
        :class:`simulator.data.activities.Activity` records.
    as_of
        The date the customer list describes.
    activity_map
        ``--activity-map`` pairs: activity type -> touchpoint name.
    history_start
        First day the history covers (default: its earliest activity).
    seed
        Seed of the bootstrap intervals.

    Raises
    ------
    ValueError
        When an override names an unknown touchpoint, or no activity is dated on or
        before ``as_of``.
    """
    described: dict[str, str] = {}
    for seg in plans.values():
        for name, tp in seg.touchpoints.items():
            described.setdefault(name, tp.description)
    mapping = map_activities(activities, described, activity_map)
    find = customer_lookup(customers)
    touches: dict[str, dict[str, list[tuple[dt.date, float | None]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    unknown: Counter[str] = Counter()
    matched = 0
    dated = [a for a in activities if a.date <= as_of]
    if not dated:
        raise ValueError(f"no activity is dated on or before {as_of.isoformat()}")
    for a in dated:
        c = find(a.account)
        if c is None:
            unknown[a.account] += 1
            continue
        tp_name = mapping.touchpoint(a)
        if tp_name is None:
            continue
        touches[c.id][tp_name].append((a.date, a.response_hours))
        matched += 1
    if matched == 0:
        evidence = Evidence(
            mapping,
            History([], []),
            None,
            len(activities),
            0,
            unknown,
            problem="no activity of a touchpoint names a customer of the list (by ID or name)",
        )
        return evidence
    start = history_start or min(a.date for a in dated)
    history = build_history(customers, segment_of, plans, touches, as_of, start)
    evidence = Evidence(mapping, history, None, len(activities), matched, unknown)
    evidence.silent = len({r.account for r in history.renewals} - set(touches))

    def account_segment(account: str) -> str | None:
        c = find(account)
        return segment_of(c) if c is not None else None

    evidence.owners = active_owners(dated, account_segment, as_of)
    try:
        evidence.effects = estimate_effects(history, plans, seed)
    except ValueError as exc:
        evidence.problem = str(exc)
    return evidence
