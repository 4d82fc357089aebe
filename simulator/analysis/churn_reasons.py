"""Why customers churn: the customer list's churn-reason column, per segment, with its flaws.

Read this before the numbers. A churn reason is typed into the CRM by a person at the
moment a customer is lost, usually the one who lost it, often in a hurry, picking one
option from a list that rarely fits. Reason codes are therefore often blank or
"Other", name one cause where there were several, lean towards causes nobody in the
team could have prevented ("price", "budget cuts", "acquired"), and are sometimes left
on a customer that was saved. They are evidence to read and to check with the account
teams, not a measurement. **They are not a driver of the simulation: no model in cssim
reads them** (churn is calibrated from churn dates and renewals alone).

What :func:`summarise_reasons` computes, per segment and for the whole book (``all``):
churned logos and churned ARR (each customer's last ARR, currency per year) by reason,
their shares, and the same by churn year (the churn date's year; the renewal date's
when that is blank, as :func:`simulator.analysis.contracts.end_of_follow_up` does).
Reasons are grouped by :func:`~simulator.analysis.reason_words.reason_key` (``Price``,
``price ``, ``PRICE`` are one reason) under their most common spelling. Quality flags,
each with its customers' IDs and ARR: ``blank`` reasons on churned customers;
``uninformative`` ones (``Other``, ``N/A``, ``-``...); ``active_with_reason`` (stale
data from a save, or a downgrade entered in the same field); ``no_contact`` reasons
("no engagement", "went dark", "unresponsive") and, when an activity history is given
(:func:`with_activity`), ``activity_conflict``: those of them touched in at least
:data:`BUSY_MONTHS` of the 12 months before the churn.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from simulator.analysis.contracts import CustomerLike, end_of_follow_up
from simulator.analysis.reason_words import (
    UNINFORMATIVE,
    is_informative,
    reason_key,
    says_no_contact,
)

__all__ = [
    "BLANK_LABEL",
    "BUSY_MONTHS",
    "UNINFORMATIVE",
    "QualityFlag",
    "ReasonRow",
    "ReasonSummary",
    "SegmentReasons",
    "is_informative",
    "reason_key",
    "says_no_contact",
    "summarise_reasons",
    "with_activity",
]

BLANK_LABEL = "(blank)"
"""The reason shown for churned customers with no reason recorded."""

_BLANK_KEY = "\0blank"  # no reason key can hold a NUL

BUSY_MONTHS = 9
"""Months with CSM activity (of the 12 before the churn) from which a "no engagement"
reason is at odds with the history."""

# ------------------------------------------------------------------------ records


@dataclass(frozen=True)
class ReasonRow:
    """One reason in one segment.

    Attributes
    ----------
    reason
        The reason's most common spelling in the list (:data:`BLANK_LABEL` for none).
    informative
        False for blanks and reasons that say nothing (:data:`UNINFORMATIVE`).
    logos
        Churned customers giving this reason.
    arr
        Their churned ARR (each customer's last ARR), currency per year.
    logo_share, arr_share
        Fractions (0-1) of the segment's churned logos and churned ARR; NaN when the
        segment's churned ARR is 0 (``arr_share``).
    by_year
        Churn year (None: unknown) -> (logos, ARR currency per year), years ascending,
        unknown last; sums to ``logos`` and ``arr``.
    customers
        Their customer IDs, in list order.
    """

    reason: str
    informative: bool
    logos: int
    arr: float
    logo_share: float
    arr_share: float
    by_year: dict[int | None, tuple[int, float]]
    customers: tuple[str, ...]


@dataclass(frozen=True)
class SegmentReasons:
    """The churned customers of one segment (or ``all``) by reason.

    Attributes
    ----------
    segment
        The segment's name, ``all`` for the whole book.
    churned
        Churned customers (logos).
    churned_arr
        Their ARR, currency per year.
    rows
        Informative reasons by ARR (largest first), then uninformative ones, then blank.
    """

    segment: str
    churned: int
    churned_arr: float
    rows: tuple[ReasonRow, ...]

    @property
    def informative_arr(self) -> float:
        """Churned ARR with an informative reason, currency per year."""
        return sum(r.arr for r in self.rows if r.informative)

    @property
    def informative_arr_share(self) -> float:
        """Fraction of churned ARR with an informative reason (NaN when that ARR is 0)."""
        return self.informative_arr / self.churned_arr if self.churned_arr else math.nan

    @property
    def years(self) -> list[int | None]:
        """Churn years present, ascending, None (unknown) last."""
        return _sorted_years(y for r in self.rows for y in r.by_year)


@dataclass(frozen=True)
class QualityFlag:
    """Customers whose reason data has one problem.

    Attributes
    ----------
    kind
        ``blank``, ``uninformative``, ``active_with_reason``, ``no_contact`` or
        ``activity_conflict`` (see the module docstring).
    customers
        Their IDs, in list order.
    arrs
        Their ARR (the last ARR when churned), currency per year, as ``customers``.
    reasons
        Their reasons as labelled in the summary (None for blank), as ``customers``.
    months
        For ``activity_conflict``: customer ID -> months with CSM activity (of 12).
    """

    kind: str
    customers: tuple[str, ...] = ()
    arrs: tuple[float, ...] = ()
    reasons: tuple[str | None, ...] = ()
    months: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """Customers flagged."""
        return len(self.customers)

    @property
    def arr(self) -> float:
        """Their ARR, currency per year."""
        return float(sum(self.arrs))

    @property
    def distinct_reasons(self) -> list[str]:
        """The reasons that raised the flag, most common first (none for ``blank``)."""
        return [r for r, _ in Counter(r for r in self.reasons if r).most_common()]


@dataclass(frozen=True)
class ReasonSummary:
    """The churn-reason column summarised (see the module docstring).

    Attributes
    ----------
    segments
        Segment name -> its churned customers by reason (segments with churned
        customers only, in the order asked for).
    total
        The whole book (``all``).
    blank, uninformative, active_with_reason, no_contact
        Quality flags (see :class:`QualityFlag`); ``no_contact`` lists the churned
        customers whose reason says there was no engagement.
    activity_conflict
        Those of ``no_contact`` touched in at least :data:`BUSY_MONTHS` of their last
        12 months; None when no activity history was given.
    """

    segments: dict[str, SegmentReasons]
    total: SegmentReasons
    blank: QualityFlag
    uninformative: QualityFlag
    active_with_reason: QualityFlag
    no_contact: QualityFlag
    activity_conflict: QualityFlag | None = None

    @property
    def informative_arr_share(self) -> float:
        """Fraction (0-1) of the book's churned ARR with an informative reason."""
        return self.total.informative_arr_share

    @property
    def activity_checked(self) -> bool:
        """Whether the reasons were checked against an activity history."""
        return self.activity_conflict is not None

    @property
    def flags(self) -> list[QualityFlag]:
        """The flags raised (count > 0): blank, uninformative, active, then the activity
        conflict (or, when there was no activity history, the unchecked ``no_contact``)."""
        last = self.no_contact if self.activity_conflict is None else self.activity_conflict
        return [
            f for f in (self.blank, self.uninformative, self.active_with_reason, last) if f.count
        ]


# ------------------------------------------------------------------------ summary


def _sorted_years(years: Iterable[int | None]) -> list[int | None]:
    """Distinct years ascending, None last."""
    found = set(years)
    known: list[int | None] = [*sorted(y for y in found if y is not None)]
    return known + ([None] if None in found else [])


def _flag(
    kind: str, members: Sequence[tuple[CustomerLike, str | None]], labels: Mapping[str, str]
) -> QualityFlag:
    """A flag over (customer, reason as written) pairs, reasons by their label."""
    return QualityFlag(
        kind,
        tuple(c.id for c, _ in members),
        tuple(float(c.arr) for c, _ in members),
        tuple(labels.get(reason_key(r), r) if r else None for _, r in members),
    )


def with_activity(
    summary: ReasonSummary, touched_months: Mapping[str, int] | None
) -> ReasonSummary:
    """The summary with its "no engagement" reasons checked against an activity history.

    Parameters
    ----------
    summary
        A summary from :func:`summarise_reasons`.
    touched_months
        Customer ID -> number of distinct calendar months, of the 12 before the churn,
        with at least one CSM activity (0-12); None when no activity history was given.
        Customers absent from the mapping are not flagged.

    Returns
    -------
    ReasonSummary
        A copy with ``activity_conflict`` filled (None when ``touched_months`` is None).
    """
    if touched_months is None:
        return replace(summary, activity_conflict=None)
    nc = summary.no_contact
    busy = [i for i, c in enumerate(nc.customers) if touched_months.get(c, 0) >= BUSY_MONTHS]
    conflict = QualityFlag(
        "activity_conflict",
        tuple(nc.customers[i] for i in busy),
        tuple(nc.arrs[i] for i in busy),
        tuple(nc.reasons[i] for i in busy),
        {nc.customers[i]: int(touched_months[nc.customers[i]]) for i in busy},
    )
    return replace(summary, activity_conflict=conflict)


def _segment(
    name: str,
    members: Sequence[tuple[CustomerLike, str, int | None]],
    labels: Mapping[str, str],
) -> SegmentReasons:
    """One segment's churned customers (customer, key, churn year) by reason."""
    churned_arr = float(sum(c.arr for c, _, _ in members))
    groups: dict[str, list[tuple[CustomerLike, int | None]]] = {}
    for c, key, year in members:
        groups.setdefault(key, []).append((c, year))
    rows = []
    for key, cs in groups.items():
        arr = float(sum(c.arr for c, _ in cs))
        years: dict[int | None, tuple[int, float]] = {}
        for y in _sorted_years(y for _, y in cs):
            these = [c for c, yy in cs if yy == y]
            years[y] = (len(these), float(sum(c.arr for c in these)))
        rows.append(
            ReasonRow(
                reason=labels.get(key, BLANK_LABEL),
                informative=key in labels and key not in UNINFORMATIVE,
                logos=len(cs),
                arr=arr,
                logo_share=len(cs) / len(members),
                arr_share=arr / churned_arr if churned_arr else math.nan,
                by_year=years,
                customers=tuple(c.id for c, _ in cs),
            )
        )
    rows.sort(key=lambda r: (r.reason == BLANK_LABEL, not r.informative, -r.arr, -r.logos))
    return SegmentReasons(name, len(members), churned_arr, tuple(rows))


def _reason(c: CustomerLike) -> str | None:
    """A customer's reason as written, whitespace squashed; None when blank or absent."""
    text = getattr(c, "churn_reason", None)
    if text is None:
        return None
    return " ".join(str(text).split()) or None


def summarise_reasons(
    customers: Sequence[CustomerLike],
    segment_of: Sequence[str] | Callable[[CustomerLike], str | None],
    as_of: dt.date,
    touched_months: Mapping[str, int] | None = None,
    *,
    order: Sequence[str] = (),
) -> ReasonSummary | None:
    """Churned logos and ARR by reason per segment, with the reasons' quality flagged.

    Parameters
    ----------
    customers
        The customer list (active and churned); the reason is each customer's
        ``churn_reason`` attribute (see :class:`simulator.data.customers.Customer`).
    segment_of
        Each customer's segment, in the order of ``customers`` (as
        :attr:`simulator.analysis.book.BookAnalysis.customer_segments`), or a function
        of the customer (None: ``(none)``).
    as_of
        The date the list describes (churn years from past renewal dates, as
        :func:`simulator.analysis.contracts.end_of_follow_up`).
    touched_months
        Customer ID -> distinct calendar months, of the 12 before the churn, with CSM
        activity; None when no activity history was given (see :func:`with_activity`).
    order
        Segments to list first, in this order (the others follow, most churned ARR first).

    Returns
    -------
    ReasonSummary or None
        None when no churned customer has a reason (no reason column, or an empty one).

    Raises
    ------
    ValueError
        When ``segment_of`` is a sequence of another length than ``customers``.
    """
    if callable(segment_of):
        names = [segment_of(c) or "(none)" for c in customers]
    else:
        names = list(segment_of)
        if len(names) != len(customers):
            raise ValueError(f"{len(names)} segments given for {len(customers)} customers")
    said = [_reason(c) for c in customers]
    churned = [(c, s, r) for c, s, r in zip(customers, names, said, strict=True) if c.churned]
    if not any(r for _, _, r in churned):
        return None
    spellings: dict[str, Counter[str]] = {}
    for _, _, r in churned:
        if r:
            spellings.setdefault(reason_key(r), Counter())[r] += 1
    # the most common spelling; on ties the first met (Counter keeps insertion order)
    labels = {k: counts.most_common(1)[0][0] for k, counts in spellings.items()}
    members: dict[str, list[tuple[CustomerLike, str, int | None]]] = {}
    for c, s, r in churned:
        end = end_of_follow_up(c, as_of)[0]
        item = (c, reason_key(r) if r else _BLANK_KEY, end.year if end else None)
        members.setdefault(s, []).append(item)
    ranked = sorted(members, key=lambda s: -sum(c.arr for c, _, _ in members[s]))
    listed = [s for s in order if s in members] + [s for s in ranked if s not in order]
    summary = ReasonSummary(
        segments={s: _segment(s, members[s], labels) for s in listed},
        total=_segment("all", [m for s in listed for m in members[s]], labels),
        blank=_flag("blank", [(c, None) for c, _, r in churned if not r], labels),
        uninformative=_flag(
            "uninformative",
            [(c, r) for c, _, r in churned if r and not is_informative(r)],
            labels,
        ),
        active_with_reason=_flag(
            "active_with_reason",
            [(c, r) for c, r in zip(customers, said, strict=True) if r and not c.churned],
            labels,
        ),
        no_contact=_flag(
            "no_contact", [(c, r) for c, _, r in churned if r and says_no_contact(r)], labels
        ),
    )
    return with_activity(summary, touched_months)
