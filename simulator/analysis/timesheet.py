"""What a few weeks of time tracking say about the workload.

Each entry is (person, date, activity, account, hours). Entries without an account are
internal time; customer entries are *scheduled* when their activity names a planned
touchpoint (see :data:`SCHEDULED_WORDS`) and *unscheduled* otherwise (ad hoc requests,
e-mail, escalations). From them: the customer time share, the unscheduled uplift
(customer hours over scheduled hours), and per activity the hours of one delivery (the
hours a person logged on one account for it in one day) and how often it happens per
account and year.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

__all__ = [
    "SCHEDULED_WORDS",
    "ActivityStats",
    "TimesheetAnalysis",
    "analyze_timesheet",
    "is_scheduled",
]

SCHEDULED_WORDS = (
    "kickoff",
    "kick-off",
    "kick off",
    "onboarding",
    "implementation",
    "workshop",
    "training",
    "webinar",
    "health check",
    "healthcheck",
    "qbr",
    "ebr",
    "business review",
    "success plan",
    "value review",
    "renewal",
    "check-in",
    "check in",
)
"""Words that make a customer activity a scheduled touchpoint (case-insensitive)."""


class EntryLike(Protocol):
    """One time-tracking entry (see simulator.data.timesheet).

    Read-only members, so frozen records (the reader's ``TimeEntry``) satisfy it.
    """

    @property
    def person(self) -> str: ...
    @property
    def date(self) -> dt.date: ...
    @property
    def activity(self) -> str | None: ...
    @property
    def account(self) -> str | None: ...
    @property
    def hours(self) -> float: ...


def is_scheduled(activity: str) -> bool:
    """Whether an activity name is a planned touchpoint (see :data:`SCHEDULED_WORDS`)."""
    text = _words(activity)
    # a listed word at the start of a word: "QBRs" and "pre-renewal" count, "celebration"
    # (which contains "ebr") does not
    return any(re.search(rf"\b{re.escape(_words(w))}", text) for w in SCHEDULED_WORDS)


def _words(text: str) -> str:
    """Lower-case words of ``text``: ``"Health-Check"`` -> ``"health check"``."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def touchpoint_name(activity: str) -> str:
    """A scenario key for an activity: ``"Health check"`` -> ``health_check`` (a letter
    first, at most 64 characters)."""
    key = re.sub(r"[^a-z0-9]+", "_", activity.lower()).strip("_")
    key = key if key and key[0].isalpha() else f"t_{key}"
    return key[:64].rstrip("_")


@dataclass(frozen=True)
class ActivityStats:
    """One scheduled activity in one segment."""

    segment: str
    activity: str
    deliveries: int
    """Person-account-day groups logged for it."""
    hours_mean: float
    """CSM hours of one delivery."""
    hours_cv: float
    per_account_year: float
    """Deliveries per account of the segment per year."""


@dataclass
class TimesheetAnalysis:
    """The workload drivers found in a timesheet."""

    first: dt.date
    last: dt.date
    days: int
    people: int
    entries: int
    hours_total: float
    hours_customer: float
    hours_scheduled: float
    hours_unscheduled: float
    hours_internal: float
    customer_time_share: float
    uplift: float
    """Customer hours over scheduled hours (1 = no unscheduled work)."""
    activities: list[ActivityStats]
    hours_by_segment: dict[str, float]
    people_by_segment: dict[str, int]
    """The people who logged customer time, shared out by each segment's customer hours
    (largest remainder; at least one for a segment with hours)."""
    uplift_by_segment: dict[str, float]
    unknown_accounts: int
    """Customer entries whose account is not in the customer list (kept, segment unknown)."""

    def table(self) -> list[dict[str, Any]]:
        """Activities as rows (for reports)."""
        return [a.__dict__ for a in self.activities]


def _share_people(people: int, hours: dict[str, float]) -> dict[str, int]:
    """Whole heads per known segment in proportion to its hours (largest remainder).

    Every segment with hours gets at least one head when there are enough people; the
    total is always ``people``.
    """
    hours = {s: h for s, h in hours.items() if s != "(unknown)" and h > 0}
    total = sum(hours.values())
    if not total or people <= 0:
        return {}
    floor = 1 if people >= len(hours) else 0
    exact = {s: people * h / total for s, h in hours.items()}
    out = {s: max(floor, int(x)) for s, x in exact.items()}
    while sum(out.values()) > people:  # the floors overshot: take back where most above
        s = max((s for s in out if out[s] > floor), key=lambda s: out[s] - exact[s])
        out[s] -= 1
    while sum(out.values()) < people:
        s = max(out, key=lambda s: exact[s] - out[s])
        out[s] += 1
    return {s: n for s, n in out.items() if n > 0}


def _activity_stats(
    scheduled: Sequence[EntryLike],
    segment_of: Callable[[str], str | None],
    accounts_per_segment: dict[str, int],
    years: float,
) -> list[ActivityStats]:
    """Per segment and scheduled activity: deliveries, hours and frequency.

    A delivery is one person's time on one account on one day; ``years`` is the span of
    the timesheet (years).
    """
    # activities are grouped by their scenario key: "QBR" and "qbr" are one touchpoint
    groups: dict[tuple[str, str], dict[tuple[str, str, dt.date], float]] = {}
    shown: dict[str, str] = {}
    for e in scheduled:
        seg = segment_of(str(e.account)) or "(unknown)"
        name = (e.activity or "").strip() or "(no activity)"
        tp = touchpoint_name(name)
        shown.setdefault(tp, name)
        occ = groups.setdefault((seg, tp), {})
        k = (e.person, str(e.account), e.date)
        occ[k] = occ.get(k, 0.0) + e.hours
    activities = []
    for (seg, tp), occ in sorted(groups.items()):
        h = np.array(list(occ.values()))
        n_acc = accounts_per_segment.get(seg, 0)
        activities.append(
            ActivityStats(
                segment=seg,
                activity=shown[tp],
                deliveries=len(h),
                hours_mean=float(h.mean()),
                hours_cv=float(h.std(ddof=1) / h.mean()) if len(h) > 1 and h.mean() > 0 else 0.0,
                per_account_year=len(h) / n_acc / years if n_acc else math.nan,
            )
        )
    return activities


def analyze_timesheet(
    entries: Sequence[EntryLike],
    segment_of: Callable[[str], str | None],
    accounts_per_segment: dict[str, int],
) -> TimesheetAnalysis:
    """Customer share, uplift and per-activity hours and frequency from time entries.

    Parameters
    ----------
    entries
        Time entries; hours are CSM hours.
    segment_of
        The segment of an account id (None when unknown).
    accounts_per_segment
        Active accounts per segment, the denominators of the frequencies.

    Raises
    ------
    ValueError
        When there are no entries or no customer hours.
    """
    if not entries:
        raise ValueError("the timesheet has no entries")
    first = min(e.date for e in entries)
    last = max(e.date for e in entries)
    days = (last - first).days + 1
    total = sum(e.hours for e in entries)
    customer = [e for e in entries if e.account]
    internal = total - sum(e.hours for e in customer)
    if not customer:
        raise ValueError("the timesheet has no customer time (no entry names an account)")
    scheduled = [e for e in customer if is_scheduled(e.activity or "")]
    hours_sched = sum(e.hours for e in scheduled)
    hours_cust = sum(e.hours for e in customer)
    unknown = sum(1 for e in customer if segment_of(str(e.account)) is None)

    activities = _activity_stats(scheduled, segment_of, accounts_per_segment, days / 365.0)
    by_seg: dict[str, float] = {}
    sched_by_seg: dict[str, float] = {}
    person_seg: dict[str, dict[str, float]] = {}
    for e in customer:
        seg = segment_of(str(e.account)) or "(unknown)"
        by_seg[seg] = by_seg.get(seg, 0.0) + e.hours
        if is_scheduled(e.activity or ""):
            sched_by_seg[seg] = sched_by_seg.get(seg, 0.0) + e.hours
        person_seg.setdefault(e.person, {}).setdefault(seg, 0.0)
        person_seg[e.person][seg] += e.hours
    people = _share_people(len(person_seg), by_seg)
    return TimesheetAnalysis(
        first=first,
        last=last,
        days=days,
        people=len({e.person for e in entries}),
        entries=len(entries),
        hours_total=total,
        hours_customer=hours_cust,
        hours_scheduled=hours_sched,
        hours_unscheduled=hours_cust - hours_sched,
        hours_internal=internal,
        customer_time_share=hours_cust / total if total else math.nan,
        uplift=hours_cust / hours_sched if hours_sched else math.nan,
        activities=activities,
        hours_by_segment=by_seg,
        people_by_segment=people,
        uplift_by_segment={
            s: by_seg[s] / sched_by_seg[s] for s in by_seg if sched_by_seg.get(s, 0) > 0
        },
        unknown_accounts=unknown,
    )
