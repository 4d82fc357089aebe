"""Synthetic CSM timesheets drawn from the truth against a customer list's active accounts.

The customer list is read back with the reading layer's parsers
(:func:`simulator.data.values.parse_date`, :func:`~simulator.data.values.parse_money`),
so a clean list and its messy export give the same accounts.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from simulator.data.values import parse_date, parse_money
from simulator.synthetic.customers import generate_customers
from simulator.synthetic.lifecycle import lifecycle_stage, next_renewal
from simulator.synthetic.stats import lognormal_params
from simulator.synthetic.timesheet_truth import ActivityTruth, Kind, TimesheetTruth
from simulator.synthetic.truth import DEFAULT_TRUTH, Truth

__all__ = ["TIMESHEET_COLUMNS", "generate_timesheet"]

TIMESHEET_COLUMNS: tuple[str, ...] = ("Person", "Date", "Activity", "Account", "Hours")
"""Columns of a generated timesheet, in file order."""

_PEOPLE = (
    "Avery",
    "Blake",
    "Casey",
    "Devon",
    "Emery",
    "Finley",
    "Harper",
    "Jordan",
    "Kendall",
    "Logan",
    "Morgan",
    "Parker",
)


def _person(i: int) -> str:
    """The ``i``-th CSM's made-up name."""
    first = _PEOPLE[i] if i < len(_PEOPLE) else f"CSM {i + 1:02d}"
    return f"{first} Example"


@dataclass(frozen=True)
class _Account:
    """An active account as the timesheet draws need it."""

    id: str
    segment: str
    since: dt.date
    term_months: int
    arr: float


def _arr_weight(text: str | None) -> float:
    """ARR read by the reading layer's :func:`parse_money`; 1.0 when blank, unreadable or
    not positive (the account is still drawn, with the smallest weight)."""
    try:
        value = parse_money(text)
    except ValueError:
        return 1.0
    return value if math.isfinite(value) and value > 0 else 1.0


def _active_accounts(customers: Sequence[Mapping[str, str]], truth: Truth) -> list[_Account]:
    """Active accounts of a clean or messy customer list (stray headers and copies skipped)."""
    terms = {s.name: s.term_months for s in truth.segments}
    seen: set[str] = set()
    out = []
    for r in customers:
        cid = (r.get("Customer ID") or "").strip()
        if not cid or cid == "Customer ID" or cid in seen:
            continue
        seen.add(cid)
        if (r.get("Status") or "").strip() != "Active":
            continue
        seg = (r.get("Segment") or "").strip()
        since = parse_date(r["Customer Since"], dayfirst=False)
        out.append(_Account(cid, seg, since, terms.get(seg, 12), _arr_weight(r.get("ARR"))))
    return out


def generate_timesheet(
    customers: Sequence[Mapping[str, str]] | None = None,
    truth: Truth = DEFAULT_TRUTH,
    seed: int | None = None,
    weeks: int | None = None,
    csms: int | None = None,
) -> list[dict[str, str]]:
    """A synthetic CSM timesheet drawn from ``truth.timesheet`` (see :class:`TimesheetTruth`).

    Parameters
    ----------
    customers
        Customer rows (clean or messy) whose active accounts the CSMs work on; default
        ``generate_customers(truth)``.
    truth
        The true parameters (``truth.as_of`` ends the period).
    seed
        Random seed (default ``truth.timesheet.seed``).
    weeks
        Weeks of working days (default ``truth.timesheet.weeks``).
    csms
        Number of CSMs (default ``truth.timesheet.csms``).

    Returns
    -------
    list[dict[str, str]]
        Rows with the columns :data:`TIMESHEET_COLUMNS`: ISO dates, hours as decimals,
        "Account" a Customer ID (blank for internal time); sorted by date and person.

    Raises
    ------
    ValueError
        When the customer list has no active account.
    """
    ts = truth.timesheet
    weeks = ts.weeks if weeks is None else weeks
    csms = ts.csms if csms is None else csms
    if weeks < 1 or csms < 1:
        raise ValueError("weeks and csms must be >= 1")
    if customers is None:
        customers = generate_customers(truth)
    accounts = _active_accounts(customers, truth)
    if not accounts:
        raise ValueError("the customer list has no active account to log time against")
    rng = np.random.default_rng(ts.seed if seed is None else seed)
    days = _working_days(truth.as_of, weeks)
    draws = _draws(accounts, ts, csms, rng)
    rows: list[dict[str, str]] = []
    for day in days:
        stage = np.array(
            [
                lifecycle_stage(a.since, next_renewal(a.since, a.term_months, day)[0], day)
                for a in accounts
            ]
        )
        signed = draws.since <= day.toordinal()
        for p in range(csms):
            rows += _person_day(draws, rng, day, p, signed, stage)
    return rows


def _working_days(as_of: dt.date, weeks: int) -> list[dt.date]:
    """Monday to Friday of the ``weeks`` weeks ending on the last Friday on or before ``as_of``."""
    last = as_of - dt.timedelta(days=(as_of.weekday() - 4) % 7)  # last Friday
    monday = last - dt.timedelta(days=4 + 7 * (weeks - 1))
    return [
        monday + dt.timedelta(days=d) for d in range(7 * weeks) if (monday.weekday() + d) % 7 < 5
    ]


@dataclass(frozen=True)
class _Draws:
    """What each day's draws need: the accounts as arrays, their CSM, the activity mix."""

    accounts: list[_Account]
    book: np.ndarray
    """Each account's CSM (0 .. csms - 1)."""
    seg: np.ndarray
    since: np.ndarray
    """Signing dates as ordinals."""
    arr: np.ndarray
    kinds: tuple[Kind, ...]
    rates: dict[Kind, float]
    """Entries per CSM-day of each kind."""
    acts: dict[Kind, tuple[ActivityTruth, ...]]
    probs: dict[Kind, np.ndarray]
    params: dict[str, tuple[float, float]]
    """Lognormal (mu, sigma) of each activity's hours."""
    hour_step: float


def _draws(
    accounts: list[_Account], ts: TimesheetTruth, csms: int, rng: np.random.Generator
) -> _Draws:
    """The accounts shared out among ``csms`` CSMs at random, and the activity mix."""
    book = rng.permutation(len(accounts)) % csms
    kinds: tuple[Kind, ...] = ("scheduled", "unscheduled", "internal")
    acts = {k: ts.of_kind(k) for k in kinds}
    return _Draws(
        accounts=accounts,
        book=book,
        seg=np.array([a.segment for a in accounts]),
        since=np.array([a.since.toordinal() for a in accounts]),
        arr=np.array([a.arr for a in accounts]),
        kinds=kinds,
        rates={k: ts.entries_per_day(k) for k in kinds},
        acts=acts,
        probs={
            k: np.array([a.weight for a in acts[k]]) / sum(a.weight for a in acts[k])
            for k in kinds
            if acts[k]
        },
        params={a.name: lognormal_params(a.mean_hours, a.cv) for a in ts.activities},
        hour_step=ts.hour_step,
    )


def _person_day(
    d: _Draws,
    rng: np.random.Generator,
    day: dt.date,
    p: int,
    signed: np.ndarray,
    stage: np.ndarray,
) -> list[dict[str, str]]:
    """CSM ``p``'s entries on ``day``, in random order."""
    mine = signed & (d.book == p)
    used: dict[str, list[int]] = {}
    entries: list[dict[str, str]] = []
    for kind in d.kinds:
        r = d.rates[kind]
        count = math.floor(r) + int(rng.random() < r - math.floor(r))
        for _ in range(count):
            act = d.acts[kind][int(rng.choice(len(d.acts[kind]), p=d.probs[kind]))]
            mu, sig = d.params[act.name]
            hours = d.hour_step * max(1.0, round(rng.lognormal(mu, sig) / d.hour_step))
            account = ""
            if kind != "internal":
                account = d.accounts[
                    _pick_account(rng, act, mine, signed, stage, d.seg, d.arr, used)
                ].id
            entries.append(
                {
                    "Person": _person(p),
                    "Date": day.isoformat(),
                    "Activity": act.name,
                    "Account": account,
                    "Hours": f"{hours:g}",
                }
            )
    return [entries[int(j)] for j in rng.permutation(len(entries))]


def _pick_account(
    rng: np.random.Generator,
    act: ActivityTruth,
    mine: np.ndarray,
    signed: np.ndarray,
    stage: np.ndarray,
    seg: np.ndarray,
    arr: np.ndarray,
    used: dict[str, list[int]],
) -> int:
    """Index of an account for one entry: the CSM's book first, then anyone's, then any fit."""
    fits = np.ones(len(stage), dtype=bool)
    if act.stages:
        fits &= np.isin(stage, act.stages)
    if act.segments:
        fits &= np.isin(seg, act.segments)
    free = np.ones(len(stage), dtype=bool)
    free[used.get(act.name, [])] = False
    for pool in (mine & fits & free, signed & fits & free, mine & free, signed & free, signed):
        idx = np.flatnonzero(pool)
        if len(idx):
            if act.arr_power:
                w = arr[idx] ** act.arr_power
                choice = int(idx[int(np.searchsorted(np.cumsum(w), rng.random() * w.sum()))])
            else:
                choice = int(idx[int(rng.integers(0, len(idx)))])
            used.setdefault(act.name, []).append(choice)
            return choice
    return int(rng.integers(0, len(stage)))
