"""The book of business: what a new VP of Customer Success asks of the customer list.

Everything here is computed from a list of customers (see
:class:`simulator.data.customers.Customer`) as of a date: the size and spread of
contract values, tenure, churn (per renewal, per calendar year, with 95% CIs), growth,
the 80/20 break and value tertiles, renewals coming up, lifecycle stages, and a
Kaplan-Meier retention curve per segment that handles customers still active (censored).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from scipy import stats

from simulator.data.values import add_months
from simulator.errors import Hint, hinted

__all__ = [
    "BookAnalysis",
    "KaplanMeier",
    "Rate",
    "account_segments",
    "analyze_book",
    "assign_bands",
    "infer_term_months",
    "kaplan_meier",
    "renewals_reached",
    "wilson",
]

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12


class CustomerLike(Protocol):
    """What the analysis reads of a customer (see simulator.data.customers.Customer)."""

    id: str
    segment: str | None
    arr: float
    starting_arr: float | None
    contract_start: dt.date | None
    renewal_date: dt.date | None
    churn_date: dt.date | None
    churned: bool
    stage: str | None


@dataclass(frozen=True)
class Rate:
    """A proportion with its 95% Wilson interval: ``events`` of ``trials``."""

    events: float
    trials: float
    value: float
    low: float
    high: float


def wilson(events: float, trials: float, confidence: float = 0.95) -> Rate:
    """Wilson score interval of a binomial proportion (well behaved near 0 and 1)."""
    if trials <= 0:
        return Rate(events, trials, math.nan, math.nan, math.nan)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = events / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    low = 0.0 if events <= 0 else max(0.0, centre - half)
    high = 1.0 if events >= trials else min(1.0, centre + half)
    return Rate(events, trials, p, low, high)


@dataclass(frozen=True)
class KaplanMeier:
    """A Kaplan-Meier survival curve: retention at each event time, Greenwood 95% CI.

    ``times`` are days since the contract start; ``survival[i]`` holds from ``times[i]``
    until the next time. The curve starts at (0, 1).
    """

    times: np.ndarray
    survival: np.ndarray
    low: np.ndarray
    high: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    n: int
    n_events: int

    def at(self, day: float) -> tuple[float, float, float]:
        """Retention (and its CI) ``day`` days after the contract start."""
        i = int(np.searchsorted(self.times, day, side="right")) - 1
        return float(self.survival[i]), float(self.low[i]), float(self.high[i])

    @property
    def max_time(self) -> float:
        """Longest follow-up (days); the curve is not defined beyond it."""
        return float(self.times[-1]) if len(self.times) else 0.0


def kaplan_meier(
    durations: Sequence[float], observed: Sequence[bool], confidence: float = 0.95
) -> KaplanMeier:
    """Product-limit estimate of survival from durations (days) and event flags.

    Customers still active are censored at their follow-up time: they count as at risk
    up to it and leave without an event. At ties, events come before censorings.
    The interval is Greenwood's on the log(-log) scale (stays within [0, 1]).
    """
    d = np.asarray(durations, dtype=float)
    e = np.asarray(observed, dtype=bool)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    times = [0.0]
    surv = [1.0]
    lows = [1.0]
    highs = [1.0]
    risk = [len(d)]
    events = [0]
    s = 1.0
    var_sum = 0.0
    for t in np.unique(d[e]):
        n_at_risk = int((d >= t).sum())
        n_events = int(((d == t) & e).sum())
        s *= 1 - n_events / n_at_risk
        if n_at_risk > n_events:
            var_sum += n_events / (n_at_risk * (n_at_risk - n_events))
        if 0 < s < 1 and var_sum > 0:
            se = math.sqrt(var_sum) / abs(math.log(s))
            lo = s ** math.exp(z * se)
            hi = s ** math.exp(-z * se)
        else:
            lo = hi = s
        times.append(float(t))
        surv.append(s)
        lows.append(lo)
        highs.append(hi)
        risk.append(n_at_risk)
        events.append(n_events)
    if len(d) and d.max() > times[-1]:  # follow-up continues past the last event
        times.append(float(d.max()))
        surv.append(s)
        lows.append(lows[-1])
        highs.append(highs[-1])
        risk.append(int((d >= d.max()).sum()))
        events.append(0)
    return KaplanMeier(
        np.array(times),
        np.array(surv),
        np.array(lows),
        np.array(highs),
        np.array(risk),
        np.array(events),
        len(d),
        int(e.sum()),
    )


def infer_term_months(start: dt.date | None, renewal: dt.date | None) -> int | None:
    """Contract term from the contract start and the next renewal date.

    The time between them is a whole number of terms when renewals fall on anniversaries:
    12 months when it is a whole number of years (within half a month), 6 when a whole
    number of half years, else unknown (co-termed or extended contracts; the book's
    most common term, or 12 months, is used). Quarterly and monthly terms need a term
    column: a gap of whole months says nothing about them.
    """
    if start is None or renewal is None or renewal <= start:
        return None
    months = (renewal - start).days / DAYS_PER_MONTH
    for term in (12, 6):
        k = round(months / term)
        if k >= 1 and abs(months - k * term) <= 0.5:
            return term
    return None


def _term(c: CustomerLike) -> int | None:
    """The customer's term in months: its term column, else inferred from its dates."""
    given = getattr(c, "term_months", None)
    if given is not None and given >= 1:
        return round(given)
    return infer_term_months(c.contract_start, c.renewal_date)


def _end_of_follow_up(c: CustomerLike, as_of: dt.date) -> tuple[dt.date | None, bool]:
    """When the customer's history ends and whether it ends in churn.

    A churned customer without a churn date is taken to have left at its renewal date
    when that is on or before ``as_of``; otherwise its end is unknown (None).
    """
    if c.churned:
        if c.churn_date is not None:
            return c.churn_date, True
        if c.renewal_date is not None and c.renewal_date <= as_of:
            return c.renewal_date, True
        return None, True
    return as_of, False


def renewals_reached(c: CustomerLike, as_of: dt.date, term: int) -> tuple[int, bool]:
    """Renewal dates a customer reached by ``as_of`` and whether it churned at one.

    Renewals are the contract anniversaries ``start + k x term`` (k >= 1) up to the end
    of its history; a churn counts as a renewal reached (and lost).
    """
    end, churned = _end_of_follow_up(c, as_of)
    if c.contract_start is None or end is None or end < c.contract_start:
        return 0, False
    k = 0
    if churned:
        # the renewals it passed before leaving, and the one it left at (a customer
        # leaving at contract end, the day before the anniversary, left at that renewal)
        while add_months(c.contract_start, (k + 1) * term) < end:
            k += 1
        return k + 1, True
    while add_months(c.contract_start, (k + 1) * term) <= end:
        k += 1
    return k, False


@dataclass
class SegmentBook:
    """The analysis of one segment (or of the whole book)."""

    name: str
    customers: int
    active: int
    churned: int
    arr_total: float
    arr_min: float
    arr_max: float
    arr_mean: float
    arr_median: float
    largest: tuple[str, float] | None
    smallest: tuple[str, float] | None
    tenure_years_mean: float
    churned_arr_mean: float
    term_months_mean: float
    term_months_mode: int | None
    renewal_churn: Rate
    """Churn per renewal reached (logo)."""
    renewal_dollar_churn: float
    """ARR lost at renewals over ARR up for renewal (approximated by each customer's last ARR)."""
    annual_churn: Rate
    """Renewal churn converted to a year: 1 - (1 - p)^(12 / term)."""
    growth_mean: float
    """Average annual ARR growth of retained customers (geometric per customer)."""
    growth_median: float
    growth_per_renewal_mean: float
    growth_per_renewal_sd: float
    growth_customers: int
    top10_growth_mean: float
    km: KaplanMeier | None
    new_per_month: float
    """New logos per month over the last 12 months before the as-of date."""
    dated_customers: int = 0
    """Customers with a contract start date (the denominators above need them)."""


@dataclass
class BookAnalysis:
    """Every answer about a customer list (see the module docstring)."""

    as_of: dt.date
    total: SegmentBook
    segments: dict[str, SegmentBook]
    segment_source: str
    """``column`` when segments come from the file, ``breaks`` when from value breaks."""
    breaks: list[float]
    pareto_share: float
    """Share of active customers that hold 80% of ARR."""
    pareto_customers: int
    pareto_threshold: float
    """ARR of the smallest customer inside the 80% group."""
    tertiles: list[float]
    yearly: list[dict[str, Any]]
    """Per calendar year: customers at risk, logo churn and dollar churn with CIs."""
    renewal_dates: int
    """Active customers with a renewal date (0: renewal counts are unknown)."""
    renewals_this_month: tuple[int, float]
    renewals_next_6_months: tuple[int, float]
    renewals_by_month: list[dict[str, Any]]
    stages: list[dict[str, Any]]
    pareto_curve: tuple[np.ndarray, np.ndarray]
    """(share of customers, share of ARR), largest first, for the Pareto chart."""
    active_arr: np.ndarray
    customer_segments: list[str] = field(default_factory=list)
    """Each analysed customer's segment, in the order the customers were given."""
    segment_arr_at_signing: dict[str, list[float]] = field(default_factory=dict)
    """Per segment: each customer's starting ARR (its current ARR when not given)."""
    notes: list[str] = field(default_factory=list)


def assign_bands(arr: Sequence[float], breaks: Sequence[float]) -> list[str]:
    """Band names for values cut at ``breaks``: ``small``/``medium``/``large`` for two
    breaks, ``band1``..``bandN`` otherwise (a value on a break goes to the upper band)."""
    names = (
        ["small", "medium", "large"]
        if len(breaks) == 2
        else [f"band{i + 1}" for i in range(len(breaks) + 1)]
    )
    idx = np.searchsorted(np.asarray(breaks, dtype=float), np.asarray(arr, dtype=float), "right")
    return [names[i] for i in idx]


def _segment_book(name: str, cs: Sequence[CustomerLike], as_of: dt.date) -> SegmentBook:
    active = [c for c in cs if not c.churned]
    churned = [c for c in cs if c.churned]
    arr = np.array([c.arr for c in active], dtype=float)
    nan = math.nan
    tenure = []
    for c in cs:
        end, _ = _end_of_follow_up(c, as_of)
        if c.contract_start is not None and end is not None and end >= c.contract_start:
            tenure.append((end - c.contract_start).days / DAYS_PER_YEAR)
    terms = [_term(c) for c in cs]
    known = [t for t in terms if t is not None]
    mode = max(set(known), key=known.count) if known else None
    renewals = 0
    lost = 0
    arr_up = 0.0
    arr_lost = 0.0
    for c, t in zip(cs, terms, strict=True):
        k, gone = renewals_reached(c, as_of, t or mode or 12)
        renewals += k
        lost += int(gone)
        arr_up += k * c.arr
        arr_lost += c.arr if gone else 0.0
    rate = wilson(lost, renewals)
    term = mode or 12
    to_year = 12 / term

    def annual(p: float) -> float:
        return 1 - (1 - p) ** to_year if math.isfinite(p) else nan

    growth: list[tuple[CustomerLike, float]] = []
    per_renewal: list[tuple[float, int]] = []
    for c in active:
        if not c.starting_arr or c.starting_arr <= 0 or c.contract_start is None:
            continue
        years = (as_of - c.contract_start).days / DAYS_PER_YEAR
        t = _term(c) or term
        k, _ = renewals_reached(c, as_of, t)
        if years >= 1 and k >= 1:
            ratio = c.arr / c.starting_arr
            growth.append((c, ratio ** (1 / years) - 1))
            per_renewal.append((ratio ** (1 / k) - 1, k))
    g = np.array([x for _, x in growth])
    top_cut = np.quantile(arr, 0.9) if len(arr) else nan
    top_growth = [x for c, x in growth if c.arr >= top_cut]
    first = np.array([x for x, k in per_renewal if k == 1])
    allr = np.array([x for x, _ in per_renewal])
    sd_sample = first if len(first) >= 30 else allr
    km = None
    durations, events = [], []
    for c in cs:
        end, gone = _end_of_follow_up(c, as_of)
        if c.contract_start is None or end is None or end < c.contract_start:
            continue
        durations.append(float((end - c.contract_start).days))
        events.append(gone)
    if durations:
        km = kaplan_meier(durations, events)
    year_ago = as_of - dt.timedelta(days=365)
    new = sum(
        1 for c in cs if c.contract_start is not None and year_ago < c.contract_start <= as_of
    )
    big = max(active, key=lambda c: c.arr) if active else None
    small = min(active, key=lambda c: c.arr) if active else None
    return SegmentBook(
        name=name,
        customers=len(cs),
        active=len(active),
        churned=len(churned),
        arr_total=float(arr.sum()),
        arr_min=float(arr.min()) if len(arr) else nan,
        arr_max=float(arr.max()) if len(arr) else nan,
        arr_mean=float(arr.mean()) if len(arr) else nan,
        arr_median=float(np.median(arr)) if len(arr) else nan,
        largest=(big.id, big.arr) if big else None,
        smallest=(small.id, small.arr) if small else None,
        tenure_years_mean=float(np.mean(tenure)) if tenure else nan,
        churned_arr_mean=float(np.mean([c.arr for c in churned])) if churned else nan,
        term_months_mean=float(np.mean(known)) if known else nan,
        term_months_mode=mode,
        renewal_churn=rate,
        renewal_dollar_churn=arr_lost / arr_up if arr_up > 0 else nan,
        annual_churn=Rate(
            rate.events, rate.trials, annual(rate.value), annual(rate.low), annual(rate.high)
        ),
        growth_mean=float(g.mean()) if len(g) else nan,
        growth_median=float(np.median(g)) if len(g) else nan,
        growth_per_renewal_mean=float(allr.mean()) if len(allr) else nan,
        growth_per_renewal_sd=float(sd_sample.std(ddof=1)) if len(sd_sample) > 1 else nan,
        growth_customers=len(g),
        top10_growth_mean=float(np.mean(top_growth)) if top_growth else nan,
        km=km,
        new_per_month=new / 12,
        dated_customers=sum(1 for c in cs if c.contract_start is not None),
    )


def _yearly(cs: Sequence[CustomerLike], as_of: dt.date) -> list[dict[str, Any]]:
    starts = [c.contract_start for c in cs if c.contract_start is not None]
    if not starts:
        return []
    out = []
    for year in range(min(starts).year, as_of.year + 1):
        jan1 = dt.date(year, 1, 1)
        end = min(dt.date(year + 1, 1, 1), as_of + dt.timedelta(days=1))
        at_risk = []
        for c in cs:
            stop, gone = _end_of_follow_up(c, as_of)
            if c.contract_start is None or c.contract_start >= jan1 or stop is None:
                continue
            if gone and stop < jan1:
                continue
            at_risk.append((c, gone and jan1 <= stop < end))
        if not at_risk:
            continue
        lost = sum(1 for _, g in at_risk if g)
        arr_start = sum(c.arr for c, _ in at_risk)
        arr_lost = sum(c.arr for c, g in at_risk if g)
        rate = wilson(lost, len(at_risk))
        # dollar churn CI: bootstrap over customers (fixed seed: same file, same answer)
        rng = np.random.default_rng(year)
        arrs = np.array([c.arr for c, _ in at_risk])
        flags = np.array([g for _, g in at_risk], dtype=float)
        idx = rng.integers(0, len(arrs), size=(1000, len(arrs)))
        totals = arrs[idx].sum(axis=1)
        boot = (arrs[idx] * flags[idx]).sum(axis=1)[totals > 0] / totals[totals > 0]
        if not len(boot):
            boot = np.array([math.nan])
        partial = end < dt.date(year + 1, 1, 1)
        out.append(
            {
                "year": year,
                "partial": partial,
                "at_risk": len(at_risk),
                "churned": lost,
                "logo_churn": rate.value,
                "logo_churn_low": rate.low,
                "logo_churn_high": rate.high,
                "arr_at_risk": arr_start,
                "arr_churned": arr_lost,
                "dollar_churn": arr_lost / arr_start if arr_start else math.nan,
                "dollar_churn_low": float(np.quantile(boot, 0.025)),
                "dollar_churn_high": float(np.quantile(boot, 0.975)),
            }
        )
    return out


def analyze_book(
    customers: Sequence[CustomerLike],
    as_of: dt.date | None = None,
    breaks: Sequence[float] | None = None,
) -> BookAnalysis:
    """Answer the VP's questions about a customer list.

    Parameters
    ----------
    customers
        The customers (active and churned).
    as_of
        The date the list describes (default: today).
    breaks
        ARR values that cut the book into value bands (currency per year), used for the
        segments; ``[]`` for the tertiles. None: the segment column when the list has
        one, else the tertiles.

    Raises
    ------
    ValueError
        When no customer is active (nothing to measure ARR on).
    """
    as_of = as_of or dt.date.today()
    active = [c for c in customers if not c.churned]
    if not active:
        raise ValueError(
            hinted(
                f"all {len(customers)} customers are churned, so there is no current book to "
                "measure; check the status and churn date columns (or map them with ",
                Hint("mapping", {"status": "COLUMN"}, "status=COLUMN"),
                ", ",
                Hint("mapping", {"churn_date": "COLUMN"}, "churn_date=COLUMN"),
                ")",
            )
        )
    arr = np.array([c.arr for c in active], dtype=float)
    tertiles = [float(x) for x in np.quantile(arr, [1 / 3, 2 / 3])]
    cut = [float(b) for b in breaks] if breaks else tertiles
    notes: list[str] = []
    if breaks is None and any(c.segment for c in customers):
        source = "column"
        names = [c.segment or "(none)" for c in customers]
    else:
        source = "breaks"
        names = assign_bands([c.arr for c in customers], cut)
    groups: dict[str, list[CustomerLike]] = {}
    for c, n in zip(customers, names, strict=True):
        groups.setdefault(n, []).append(c)
    segments = {n: _segment_book(n, cs, as_of) for n, cs in groups.items()}
    order = sorted(
        segments, key=lambda n: -segments[n].arr_mean if math.isfinite(segments[n].arr_mean) else 0
    )
    segments = {n: segments[n] for n in order}
    total = _segment_book("all", customers, as_of)

    desc = np.sort(arr)[::-1]
    cum = np.cumsum(desc) / desc.sum()
    k = int(np.searchsorted(cum, 0.8 - 1e-12)) + 1
    share_customers = np.arange(1, len(desc) + 1) / len(desc)

    month_start = as_of.replace(day=1)
    next_month = add_months(month_start, 1)
    six = as_of + dt.timedelta(days=round(6 * DAYS_PER_MONTH))
    this_month = [
        c for c in active if c.renewal_date and month_start <= c.renewal_date < next_month
    ]
    coming = [c for c in active if c.renewal_date and as_of <= c.renewal_date <= six]
    by_month = []
    for i in range(12):
        a, b = add_months(month_start, i), add_months(month_start, i + 1)
        due = [c for c in active if c.renewal_date and a <= c.renewal_date < b]
        by_month.append(
            {"month": f"{a:%Y-%m}", "renewals": len(due), "arr": float(sum(c.arr for c in due))}
        )
    stage_rows = []
    for stage in sorted({c.stage or "(blank)" for c in active}):
        members = [c for c in active if (c.stage or "(blank)") == stage]
        ages = [
            (as_of - c.contract_start).days / DAYS_PER_YEAR
            for c in members
            if c.contract_start is not None
        ]
        stage_rows.append(
            {
                "stage": stage,
                "customers": len(members),
                "arr": float(sum(c.arr for c in members)),
                "age_years_mean": float(np.mean(ages)) if ages else math.nan,
            }
        )
    checks = (
        (
            sum(1 for c in customers if c.contract_start and c.contract_start > as_of),
            hinted(
                "a contract start after the as-of date: left out of tenure, churn and "
                "retention (is ",
                Hint("as_of"),
                " right?)",
            ),
        ),
        (
            sum(1 for c in active if c.renewal_date and c.renewal_date < as_of),
            "a renewal date before the as-of date although active (renewed, date not "
            "updated?): a scenario draws their next renewal",
        ),
        (
            sum(1 for c in customers if c.churn_date and c.churn_date > as_of),
            "a churn date after the as-of date: counted as churned (a notice?)",
        ),
        (
            sum(
                1
                for c in customers
                if c.churn_date and c.contract_start and c.churn_date < c.contract_start
            ),
            "a churn date before the contract start: left out of churn and retention",
        ),
        (
            sum(1 for c in active if not c.renewal_date),
            "no renewal date although active: not in the renewal counts",
        ),
        (
            sum(1 for c in customers if not c.contract_start),
            "no contract start: not in tenure, churn per renewal, new logos or retention",
        ),
        (
            sum(1 for c in customers if _term(c) is None and c.renewal_date and c.contract_start),
            "renewal dates off their signing anniversary (co-termed?): their term is "
            "taken as the book's most common one, or 12 months (give a term column)",
        ),
    )
    for n, what in checks:
        if n:
            notes.append(f"{n:,} customer{'s have' if n > 1 else ' has'} " + what + ".")
    undated = sum(1 for c in customers if c.churned and c.churn_date is None)
    if undated:
        notes.append(
            f"{undated} churned customer{'s have' if undated > 1 else ' has'} no churn date: "
            "taken to have left at the renewal date when that is past, and left out of "
            "tenure and retention curves otherwise."
        )
    return BookAnalysis(
        as_of=as_of,
        total=total,
        segments=segments,
        segment_source=source,
        breaks=cut,
        pareto_share=k / len(desc),
        pareto_customers=k,
        pareto_threshold=float(desc[k - 1]),
        tertiles=tertiles,
        yearly=_yearly(customers, as_of),
        renewal_dates=sum(1 for c in active if c.renewal_date),
        renewals_this_month=(len(this_month), float(sum(c.arr for c in this_month))),
        renewals_next_6_months=(len(coming), float(sum(c.arr for c in coming))),
        renewals_by_month=by_month,
        stages=stage_rows,
        pareto_curve=(np.concatenate([[0.0], share_customers]), np.concatenate([[0.0], cum])),
        active_arr=arr,
        customer_segments=names,
        segment_arr_at_signing={
            n: [c.starting_arr or c.arr for c in cs] for n, cs in groups.items()
        },
        notes=notes,
    )


def account_segments(
    customers: Sequence[CustomerLike], analysis: BookAnalysis
) -> Callable[[str], str | None]:
    """Look up an account's segment by its ID or its name (ignoring case and spacing),
    for the customers ``analysis`` was made from; None for an unknown account."""
    from simulator.data.values import text_key

    table: dict[str, str] = {}
    pairs = list(zip(customers, analysis.customer_segments, strict=True))
    for c, s in pairs:
        if getattr(c, "name", None):
            table.setdefault(text_key(c.name), s)
    for c, s in pairs:  # an ID wins over a name
        table[text_key(c.id)] = s

    def lookup(account: str) -> str | None:
        return table.get(text_key(account))

    return lookup
