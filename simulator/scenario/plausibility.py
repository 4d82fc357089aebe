"""Plausibility warnings for input that is valid but unlikely to be what the user meant.

Each warning names the field, says why the value is implausible and what is typical; the
thresholds and their basis are in docs/assumptions.md#plausibility-warnings ("assumption"
where no source gives one). Warnings never stop a command: the user may know better.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator

from simulator.errors import Issue, Path
from simulator.scenario.model import Scenario, Segment
from simulator.scenario.model.bounds import highest_draw
from simulator.scenario.yamlsource import SourceMap

__all__ = [
    "MAX_ACCOUNT_WARNINGS",
    "MAX_ARR_CV",
    "MAX_CHANGE_DRAW",
    "MAX_CHANGE_MEAN",
    "MAX_CSM_TOUCHES_PER_YEAR",
    "MAX_NRR_TARGET",
    "MAX_TOUCH_HOURS",
    "RENEWAL_SLACK_DAYS",
    "plausibility_warnings",
]

SECTION = "docs/assumptions.md#plausibility-warnings"

MAX_CSM_TOUCHES_PER_YEAR = 60.0
"""CSM touches (one_to_one and one_to_many) planned per account-year above which a plan
is warned: a weekly cadence (52) plus onboarding; the worked example's enterprise tier
plans 16 (assumption above the practitioner models, which stop at weekly)."""
MAX_TOUCH_HOURS = 40.0
"""Mean CSM hours of one touch above which it is warned: a full working week; the
heaviest touches practitioners report take 10-15 hours (an enterprise renewal)."""
MAX_CHANGE_MEAN = 0.5
"""Largest mean ARR change at renewal (either way) before a warning: +50% on average
means an NRR near 150%, far above the 100-110% medians and the 120% stretch target."""
MAX_CHANGE_DRAW = 10.0
"""Highest ARR change one renewal may draw (+1,000%) before a warning (assumption)."""
MAX_NRR_TARGET = 2.0
"""An NRR target whose min is above this (200%) is warned: the stretch target is 120%."""
SHARE_TARGETS = ("grr", "on_time_coverage", "logo_churn", "csm_quota_attainment")
"""Targets on a share, which lies between 0 and 1 by definition."""
RENEWAL_SLACK_DAYS = 31
"""Days beyond one contract term after the start date that an account's next renewal
may fall before it is warned (a month for renewal dates rounded to a month's end)."""
MAX_ARR_CV = 5.0
"""Spread of a segment's ARR distribution (sd / mean) above which it is warned: a whole
book's ARR spans a cv of about 1-2, a segment's less (bundled 0.3; assumption)."""
MAX_ACCOUNT_WARNINGS = 3
"""Per segment and kind, the accounts named one by one; the rest are counted."""


def _warn(src: SourceMap, path: Path, message: str, *value: object) -> Issue:
    """A warning at ``path``, showing ``value`` when one is given."""
    loc = src.locate(path)
    if value:
        return Issue(message, path, loc, value[0], severity="warning")
    return Issue(message, path, loc, severity="warning")


def plausibility_warnings(s: Scenario, src: SourceMap) -> list[Issue]:
    """Every accepted but implausible value of the scenario, in segment order."""
    out: list[Issue] = []
    for name, seg in s.segments.items():
        base: Path = ("segments", name)
        out.extend(_touch_warnings(seg, base, src))
        out.extend(_lifecycle_warnings(seg, base, src))
        out.extend(_change_warnings(seg, base, src))
        out.extend(_target_warnings(seg, base, src))
        out.extend(_account_warnings(s, seg, base, src))
    return out


def _csm_touches_per_year(seg: Segment) -> dict[str, float]:
    """Planned CSM touches per account-year of each touchpoint (an upper estimate: a
    cadence at its full rate over the share of a contract period its stages take, the
    larger of a first and a renewed period; a stage-entry touch at each entry of its
    stage in an account's first year; a before-renewal touch once per contract term; an
    escalation at its risk events' rates; an inbound touch at the requests routed to the
    CSM)."""
    from simulator.scenario.lifecycle import period_stages, term_days

    terms_per_year = 12.0 / seg.contract_term_months
    term = term_days(seg.contract_term_months)
    periods = [period_stages(seg.lifecycle, term, first) for first in (True, False)]
    out: dict[str, float] = {}
    for tname, tp in seg.touchpoints.items():
        if tp.channel not in ("one_to_one", "one_to_many"):
            continue
        trig = tp.trigger
        if trig.kind == "cadence":
            share = 1.0
            if trig.stages is not None and term > 0:
                share = max(sum(d for st, d in p if st in trig.stages) / term for p in periods)
            out[tname] = trig.touches_per_year * share
        elif trig.kind == "stage_entry":
            # the first period enters its stages once; each renewed period enters the
            # stages from after_renewal on (onboarding only when it restarts there)
            first, renewed = ({st for st, _ in p} for p in periods)
            entries = (trig.stage in first) + (trig.stage in renewed) * max(
                0.0, terms_per_year - 1.0
            )
            out[tname] = len(trig.offsets) * entries
        elif trig.kind == "before_renewal":
            out[tname] = terms_per_year
        elif trig.kind == "risk_event":
            names = trig.events if trig.events is not None else list(seg.risk_events)
            out[tname] = sum(seg.risk_events[n].per_account_year for n in names)
        elif trig.kind == "inbound_request":
            inbound = seg.inbound
            out[tname] = inbound.requests_per_account_year * (1.0 - inbound.support_share)
    return out


def _touch_warnings(seg: Segment, base: Path, src: SourceMap) -> Iterator[Issue]:
    """Too many CSM touches an account-year, a touch of implausibly many hours, an
    offset list that plans nothing."""
    per_tp = _csm_touches_per_year(seg)
    total = sum(per_tp.values())
    if total > MAX_CSM_TOUCHES_PER_YEAR:
        top = max(per_tp, key=lambda t: per_tp[t])
        path: Path = (*base, "touchpoints", top, "trigger")
        if per_tp[top] <= MAX_CSM_TOUCHES_PER_YEAR:
            path = (*base, "touchpoints")
        yield _warn(
            src,
            path,
            f"plans about {total:,.0f} CSM touches per account a year (this touchpoint "
            f"{per_tp[top]:,.0f}), more than {MAX_CSM_TOUCHES_PER_YEAR:g}: weekly contact is "
            f"the most practitioner models plan, and an enterprise tier plans about 16 "
            f"(see {SECTION}); check the rate (per_year or every_days, a risk event's "
            "per_account_year, inbound requests_per_account_year) or the unit",
        )
    for tname, tp in seg.touchpoints.items():
        tpath: Path = (*base, "touchpoints", tname)
        if tp.channel in ("one_to_one", "one_to_many") and tp.mean_csm_hours > MAX_TOUCH_HOURS:
            yield _warn(
                src,
                (*tpath, "hours"),
                f"a touch of {tp.mean_csm_hours:,.4g} hours on average is more than a "
                f"working week ({MAX_TOUCH_HOURS:g} h); the heaviest touches take 10-15 "
                f"hours (an enterprise renewal; see {SECTION}); check the unit (hours, "
                "not minutes)",
                tp.mean_csm_hours,
            )
        trig = tp.trigger
        if (
            trig.kind == "stage_entry"
            and isinstance(trig.offset_days, list)
            and not trig.offset_days
        ):
            yield _warn(
                src,
                (*tpath, "trigger", "offset_days"),
                "an empty list plans no touch, so this touchpoint never happens; give at "
                "least one offset (e.g. [0] for the day of stage entry) or remove the "
                f"touchpoint (see {SECTION})",
                [],
            )


def _lifecycle_warnings(seg: Segment, base: Path, src: SourceMap) -> Iterator[Issue]:
    """Onboarding plus adoption that outlast the contract term."""
    lc = seg.lifecycle
    term = seg.contract_term_months * 365.0 / 12.0
    if lc.onboarding_days + lc.adoption_days > term:
        yield _warn(
            src,
            (*base, "lifecycle"),
            f"onboarding ({lc.onboarding_days:g} days) plus adoption ({lc.adoption_days:g}) "
            f"last longer than the {seg.contract_term_months}-month contract term "
            f"({term:.0f} days): accounts come up for renewal before they reach steady "
            "state, and the stages are cut to fit the term (adoption first); typical "
            f"onboarding is 45-100 days and a term 12 months (see {SECTION})",
        )


def _change_warnings(seg: Segment, base: Path, src: SourceMap) -> Iterator[Issue]:
    """An ARR spread or an ARR change at renewal far from the benchmarks."""
    if seg.arr is not None and seg.arr.mean > 0:
        cv = getattr(seg.arr, "cv", None)
        if cv is None:
            try:
                cv = math.sqrt(max(seg.arr.variance, 0.0)) / seg.arr.mean
            except OverflowError:  # a variance beyond a float: a spread beyond any book
                cv = math.inf
        if cv > MAX_ARR_CV:
            yield _warn(
                src,
                (*base, "arr"),
                f"a spread (sd / mean) of {cv:,.3g} gives most accounts almost no ARR "
                f"and a few nearly all of it; a whole book spans a cv of about 1-2 and a "
                f"segment less (see {SECTION})",
                seg.arr.describe(),
            )
    d = seg.arr_change_at_renewal
    path: Path = (*base, "arr_change_at_renewal")
    if abs(d.mean) > MAX_CHANGE_MEAN:
        yield _warn(
            src,
            path,
            f"a mean ARR change of {d.mean:+,.0%} at every renewal means an NRR near "
            f"{1 + d.mean:,.0%}; median NRR is 100-110% and 120% a stretch target, so the "
            f"mean change is typically 0 to +17% (see {SECTION}); write shares as "
            "fractions (0.1 for +10%)",
            d.mean,
        )
        return
    top = highest_draw(d)
    if math.isfinite(top) and top > MAX_CHANGE_DRAW:
        yield _warn(
            src,
            path,
            f"a renewal can draw an ARR change of {top:+,.0%}, more than {MAX_CHANGE_DRAW:+,.0%}; "
            f"bound the distribution with max: (the bundled plans clip at +100%; see {SECTION})",
            d.describe(),
        )


_TYPICAL = {
    "grr": "typical GRR targets are 0.90-0.93",
    "on_time_coverage": "a share of touches on time: 0.9 is 90%",
    "logo_churn": "a share of accounts lost a year: 0.1 is 10%",
    "csm_quota_attainment": "a share of CSMs at quota: 0.8 is 80%",
}
"""What each share target typically looks like, for its warning."""


def _target_warnings(seg: Segment, base: Path, src: SourceMap) -> Iterator[Issue]:
    """Targets no plan can meet: a share outside 0-1, an NRR far above any benchmark."""
    for metric in SHARE_TARGETS:
        target = getattr(seg.targets, metric)
        if target is None:
            continue
        for bound in ("min", "max"):
            v = getattr(target, bound)
            if v is None or 0 <= v <= 1:
                continue
            hint = f"; write {v / 100:g} for {v:g}%" if 2 <= v <= 100 else ""
            yield _warn(
                src,
                (*base, "targets", metric, bound),
                f"{metric} is a share between 0 and 1, so a {bound} of {v:g} can never be "
                f"{'met' if bound == 'min' else 'binding'}{hint} ({_TYPICAL[metric]}; "
                f"see {SECTION})",
                v,
            )
    for metric in ("nrr", "csm_book_nrr"):
        target = getattr(seg.targets, metric)
        if target is not None and target.min is not None and target.min > MAX_NRR_TARGET:
            yield _warn(
                src,
                (*base, "targets", metric, "min"),
                f"an {metric} of at least {target.min:g} ({target.min:.0%}) is far above the "
                f"100-110% medians and the 120% stretch target (see {SECTION}); write "
                "1.1 for 110%",
                target.min,
            )


def _account_warnings(s: Scenario, seg: Segment, base: Path, src: SourceMap) -> Iterator[Issue]:
    """Listed accounts whose renewal lies beyond one contract term, or whose contract
    started after its renewal; a few named, the rest counted."""
    if not isinstance(seg.accounts, list):
        return
    term = seg.contract_term_months * 365.0 / 12.0
    latest = s.start_date + dt.timedelta(days=math.ceil(term) + RENEWAL_SLACK_DAYS)
    far: list[int] = []
    backwards: list[int] = []
    for i, acc in enumerate(seg.accounts):
        if acc.renewal_date is not None and acc.renewal_date > latest:
            far.append(i)
        if (
            acc.renewal_date is not None
            and acc.contract_start is not None
            and acc.contract_start > acc.renewal_date
        ):
            backwards.append(i)

    def where(i: int, field: str) -> tuple[Path, str]:
        """The account's field, or for a row of an account file the from_csv entry
        (the file's rows have no line in the scenario) and the field's name."""
        item: Path = (*base, "accounts", i)
        if item in src.values or item in src.keys:
            return (*item, field), ""
        return (*base, "accounts"), f" (its {field} in the from_csv file)"

    for n, i in enumerate(far):
        acc = seg.accounts[i]
        assert acc.renewal_date is not None
        years = (acc.renewal_date - s.start_date).days / 365.0
        path, row = where(i, "renewal_date")
        if n == MAX_ACCOUNT_WARNINGS:
            yield _warn(
                src,
                (*base, "accounts"),
                f"and {len(far) - n} more accounts renew more than one contract term after "
                "start_date",
            )
            break
        yield _warn(
            src,
            path,
            f"account {acc.id!r}{row} renews {years:.1f} years after start_date on a "
            f"{seg.contract_term_months}-month contract; its next renewal falls within one "
            f"term (by {latest}): check the date or contract_term_months (see {SECTION})",
            acc.renewal_date.isoformat(),
        )
    for n, i in enumerate(backwards):
        acc = seg.accounts[i]
        path, row = where(i, "contract_start")
        if n == MAX_ACCOUNT_WARNINGS:
            yield _warn(
                src,
                (*base, "accounts"),
                f"and {len(backwards) - n} more accounts whose contract starts after their renewal",
            )
            break
        yield _warn(
            src,
            path,
            f"account {acc.id!r}{row}: the contract starts after its renewal date "
            f"({acc.renewal_date}); a contract starts before it renews: check whether the "
            f"two dates are swapped or read day-first (see {SECTION})",
            acc.contract_start.isoformat() if acc.contract_start else None,
        )
