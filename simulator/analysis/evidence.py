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
from typing import Any, Literal, overload

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
    templates: dict[str, str] = field(default_factory=dict)
    """Data segment -> the plan segment it was built from (``the default plan's top``)."""
    owners: dict[str, int] = field(default_factory=dict)
    """Data segment -> the people who logged its accounts' activities in the
    :data:`STAFF_WINDOW_DAYS` before the list's date (:func:`active_owners`)."""
    silent: int = 0
    """Accounts with a measured renewal and no activity in the history at all."""
    notes: list[str] = field(default_factory=list)
    """Activities left out, and why (ambiguous names, dated before signing or after)."""
    problem: str = ""


@overload
def customer_lookup(
    customers: Sequence[CustomerLike], with_ambiguous: Literal[False] = False
) -> Callable[[str], CustomerLike | None]: ...


@overload
def customer_lookup(
    customers: Sequence[CustomerLike], with_ambiguous: Literal[True]
) -> tuple[Callable[[str], CustomerLike | None], set[str]]: ...


def customer_lookup(customers: Sequence[CustomerLike], with_ambiguous: bool = False) -> Any:
    """Find a customer by ID or by name (ignoring case and spacing); IDs win.

    A name several customers share finds none of them (an activity cannot tell which);
    with ``with_ambiguous`` the shared names (as keys) are returned too.
    """
    table: dict[str, CustomerLike] = {}
    shared: set[str] = set()
    for c in customers:
        name = getattr(c, "name", None)
        if name:
            key = text_key(name)
            if key in table and table[key].id != c.id:
                shared.add(key)
            table.setdefault(key, c)
    for key in shared:
        table.pop(key, None)
    for c in customers:
        table[text_key(c.id)] = c
    shared -= {text_key(c.id) for c in customers}

    def find(account: str) -> CustomerLike | None:
        return table.get(text_key(account))

    return (find, shared) if with_ambiguous else find


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
    working_days: bool = False,
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
    working_days
        Whether the plan counts on-time and due windows in weekdays
        (``calendar.model: working_days``).

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
    mapping = map_activities(activities, described, activity_map)  # validates the overrides
    find, ambiguous = customer_lookup(customers, with_ambiguous=True)
    touches: dict[str, dict[str, list[tuple[dt.date, float | None]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    unknown: Counter[str] = Counter()
    dated = [a for a in activities if a.date <= as_of]
    if not dated:
        raise ValueError(f"no activity is dated on or before {as_of.isoformat()}")
    by_segment: dict[str, list[tuple[Any, CustomerLike]]] = defaultdict(list)
    ambiguous_hits: Counter[str] = Counter()
    early = 0
    for a in dated:
        c = find(a.account)
        if c is None:
            if text_key(a.account) in ambiguous:
                ambiguous_hits[a.account] += 1
            else:
                unknown[a.account] += 1
            continue
        if c.contract_start is not None and a.date < c.contract_start:
            early += 1
            continue
        s = segment_of(c)
        if s is not None and s in plans:
            by_segment[s].append((a, c))
    matched = 0
    # each segment's activities are matched to its own touchpoints ("Business Review" is a
    # qbr where the plan has one, a business_review where it has that instead)
    for s, pairs in by_segment.items():
        own = {n: tp.description for n, tp in plans[s].touchpoints.items()}
        overrides = {
            k: v for k, v in (activity_map or {}).items() if v in own or v.strip() in ("-", "none")
        }
        seg_map = map_activities([a for a, _ in pairs], own, overrides)
        for a, c in pairs:
            tp_name = seg_map.touchpoint(a)
            if tp_name is not None:
                touches[c.id][tp_name].append((a.date, a.response_hours))
                matched += 1
    notes = []
    if ambiguous_hits:
        names = ", ".join(list(ambiguous_hits)[:5])
        notes.append(
            f"{sum(ambiguous_hits.values()):,} activities name an account by a name several "
            f"customers share ({names}): left out; export the account ID with each activity"
        )
    if early:
        notes.append(
            f"{early:,} activities are dated before their account signed: left out (check "
            "the date column, or that the history names the right accounts)"
        )
    later = len(activities) - len(dated)
    if later:
        notes.append(f"{later:,} activities dated after {as_of.isoformat()} are left out")
    if matched == 0:
        return Evidence(
            mapping,
            History([], []),
            None,
            len(activities),
            0,
            unknown,
            notes=notes,
            problem="no activity of a touchpoint names a customer of the list (by ID or name)",
        )
    start = history_start or min(a.date for a in dated)
    history = build_history(customers, segment_of, plans, touches, as_of, start, working_days)
    evidence = Evidence(mapping, history, None, len(activities), matched, unknown, notes=notes)
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
