"""The text of a synthetic history's rows: activity log entries and customer list rows.

Part of :mod:`simulator.synthetic.history`. Activity rows name a touchpoint by its export
type (:meth:`HistoryTruth.type_name`) or, for a share of them, by the generic type with the
name in the subject ("Meeting", "Quarterly Business Review - Acme Media"); noise rows name
no touchpoint. Dates are ISO with a time of day ("2025-03-14 10:30").
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from simulator.synthetic.history_delivery import Account
from simulator.synthetic.history_truth import HistoryTruth
from simulator.synthetic.lifecycle import lifecycle_stage, next_renewal

__all__ = ["ACTIVITY_COLUMNS", "NOISE_SUBJECTS", "customer_row", "noise_rows", "touch_rows"]

ACTIVITY_COLUMNS: tuple[str, ...] = (
    "Account ID",
    "Account Name",
    "Activity Date",
    "Activity Type",
    "Subject",
    "Assigned To",
    "Duration (minutes)",
)
"""Columns of a generated activity log, in file order."""
NOISE_SUBJECTS: tuple[str, ...] = (
    "Follow-up email",
    "Sent release notes",
    "Forwarded invoice question",
    "Internal account note",
    "Contact details updated",
    "Shared product roadmap",
)
"""Subjects of noise rows (no touchpoint's words in them)."""


def _clock(u: float) -> str:
    """A time of day in working hours, quarter-hour steps, from a uniform draw."""
    slot = min(int(u * 40), 39)
    return f"{8 + slot // 4:02d}:{15 * (slot % 4):02d}"


def _row(
    acc: Account, day: int, kind: str, subject: str, minutes: int, u_time: float
) -> dict[str, str]:
    return {
        "Account ID": acc.cid,
        "Account Name": acc.name,
        "Activity Date": f"{(acc.since + dt.timedelta(days=day)).isoformat()} {_clock(u_time)}",
        "Activity Type": kind,
        "Subject": subject,
        "Assigned To": acc.owner,
        "Duration (minutes)": str(minutes),
    }


def touch_rows(
    acc: Account, touches: list[tuple[int, str]], truth: HistoryTruth, rng: np.random.Generator
) -> list[dict[str, str]]:
    """Rows of delivered touches: type (or the generic type), subject, duration."""
    rows = []
    company = " ".join(acc.name.split()[:2])  # "Acme Media" of "Acme Media 0001 (synthetic)"
    u = rng.random((len(touches), 3)).tolist()
    for (day, name), (u_time, u_generic, u_hours) in zip(sorted(touches), u, strict=True):
        tp = acc.seg.touchpoints[name]
        named = truth.type_name(name)
        kind = truth.generic_type if u_generic < truth.generic_share(name) else named
        hours = tp.hours.ppf1(u_hours) if tp.hours is not None else 0.25
        minutes = max(5, 5 * round(hours * 12))
        rows.append(_row(acc, day, kind, f"{named} - {company}", minutes, u_time))
    return rows


def noise_rows(acc: Account, truth: HistoryTruth, rng: np.random.Generator) -> list[dict[str, str]]:
    """Noise rows (no touchpoint), a share ``noise_share`` of the account's rows on average."""
    last = acc.end_day if acc.churn_day is None else acc.churn_day
    ratio = truth.noise_share / (1.0 - truth.noise_share)
    n = int(rng.poisson(ratio * len(acc.touches)))
    days = rng.integers(0, last + 1, n).tolist()
    kinds = rng.integers(0, len(truth.noise_types), n).tolist()
    subjects = rng.integers(0, len(NOISE_SUBJECTS), n).tolist()
    u = rng.random((n, 2)).tolist()
    return [
        _row(acc, d, truth.noise_types[k], NOISE_SUBJECTS[s], 5 * (1 + int(ud * 6)), ut)
        for d, k, s, (ut, ud) in zip(days, kinds, subjects, u, strict=True)
    ]


def customer_row(acc: Account, as_of: dt.date) -> dict[str, str]:
    """The account's row in the customer list as of ``as_of`` (ISO dates, plain numbers)."""
    term = acc.seg.contract_term_months
    churn_date = None if acc.churn_day is None else acc.since + dt.timedelta(days=acc.churn_day)
    if churn_date is None:
        renewal, _ = next_renewal(acc.since, term, as_of)
        status, stage = "Active", lifecycle_stage(acc.since, renewal, as_of)
    else:
        renewal, status, stage = churn_date, "Churned", "Churned"
    return {
        "Customer ID": acc.cid,
        "Customer Name": acc.name,
        "Segment": acc.segment,
        "ARR": f"{acc.arr:.2f}",
        "Starting ARR": f"{acc.start_arr:.2f}",
        "Customer Since": acc.since.isoformat(),
        "Renewal Date": renewal.isoformat(),
        "Churn Date": churn_date.isoformat() if churn_date else "",
        "Status": status,
        "Lifecycle Stage": stage,
    }
