"""One segment of a calibrated scenario: its template copy filled from the data.

:func:`fill_segment` takes a copy of a bundled-plan segment (see
:mod:`simulator.analysis.calibrate`) and writes the book's accounts, ARR, term, new
logos, churn and growth into it, and with a timesheet the team's headcount, one
touchpoint per scheduled activity and the unscheduled uplift, each with its source.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ruamel.yaml.comments import CommentedMap

from simulator.analysis.book import BookAnalysis, SegmentBook
from simulator.analysis.timesheet import TimesheetAnalysis, touchpoint_name
from simulator.analysis.yaml_nodes import flow, set_commented, unique_key

__all__ = ["fill_segment"]


def _pct(x: float) -> str:
    """``x`` as a percentage with one decimal, ``n/a`` when not finite."""
    return f"{100 * x:.1f}%" if math.isfinite(x) else "n/a"


def _fit_to_term(seg: CommentedMap, term_months: int) -> None:
    """Keep the template's renewal-relative timings inside a shorter contract term."""
    term_days = term_months * 365 / 12
    life = seg.get("lifecycle")
    if isinstance(life, CommentedMap) and life.get("renewal_window_days", 0) >= term_days:
        set_commented(
            life, "renewal_window_days", round(term_days / 2), "assumption: half the term"
        )
    for tp in (seg.get("touchpoints") or {}).values():
        trig = tp.get("trigger") if isinstance(tp, dict) else None
        if (
            isinstance(trig, dict)
            and trig.get("kind") == "before_renewal"
            and trig.get("days", 0) >= term_days
        ):
            trig["days"] = round(term_days / 2)


def _lognormal(values: Sequence[float]) -> dict[str, Any] | None:
    """A lognormal (mean, cv) fitted to the positive values; fixed for one; None for none."""
    xs = [v for v in values if v and v > 0]
    if not xs:
        return None
    mean = sum(xs) / len(xs)
    if len(xs) < 2:
        return {"dist": "fixed", "value": round(mean, 2)}
    var = sum((v - mean) ** 2 for v in xs) / (len(xs) - 1)
    return {
        "dist": "lognormal",
        "mean": round(mean, 2),
        "cv": round(max(math.sqrt(var) / mean, 0.01), 3),
    }


def fill_segment(
    seg: CommentedMap,
    name: str,
    b: SegmentBook,
    accounts_file: str,
    timesheet: TimesheetAnalysis | None,
    cost_per_csm: float | None,
    notes: list[str],
    book: BookAnalysis,
) -> None:
    """Put the data's values for segment ``name`` into its template copy ``seg``."""
    _fill_book(seg, name, b, accounts_file, book)
    team = seg.get("team")
    if isinstance(team, CommentedMap):
        _fill_team(team, name, timesheet, cost_per_csm)
    _drop_risk_events(seg)
    if timesheet is not None:
        _touchpoints_from_timesheet(seg, name, timesheet)
    _fill_churn(seg, name, b, notes)
    _fill_growth(seg, name, b, notes)
    seg.pop("targets", None)


def _fill_book(
    seg: CommentedMap, name: str, b: SegmentBook, accounts_file: str, book: BookAnalysis
) -> None:
    """The segment's accounts, ARR of new accounts, contract term and new logos."""
    set_commented(
        seg,
        "accounts",
        flow({"from_csv": accounts_file, "segment": name}),
        f"data: {b.active} active account{'s' if b.active != 1 else ''}",
    )
    arr = _lognormal(book.segment_arr_at_signing.get(name, []))
    if arr is not None:
        set_commented(
            seg,
            "arr",
            flow(arr),
            "data: ARR at signing of this segment's customers (new accounts)",
        )
    term = b.term_months_mode or 12
    set_commented(
        seg,
        "contract_term_months",
        term,
        "data: most common term"
        if b.term_months_mode
        else "assumption: annual (no term in the data)",
    )
    _fit_to_term(seg, term)
    if b.dated_customers:
        set_commented(
            seg,
            "new_accounts_per_month",
            round(b.new_per_month, 2),
            "data: new logos in the last 12 months / 12",
        )
    else:
        seg.yaml_add_eol_comment(
            "assumption: the default plan's (no contract start dates in the data)",
            "new_accounts_per_month",
        )


def _fill_team(
    team: CommentedMap,
    name: str,
    timesheet: TimesheetAnalysis | None,
    cost_per_csm: float | None,
) -> None:
    """The team's cost per CSM (when given) and headcount (from the timesheet if any)."""
    if cost_per_csm is not None:
        set_commented(team, "annual_cost_per_csm", cost_per_csm, "given with --cost-per-csm")
    if timesheet is not None and timesheet.people_by_segment.get(name):
        set_commented(
            team,
            "csms",
            timesheet.people_by_segment[name],
            f"data: the timesheet's {sum(timesheet.people_by_segment.values())} "
            "people shared out by customer hours",
        )
    else:
        team.yaml_add_eol_comment(
            "set to your headcount (the template's; 'cssim estimate' gives the need)", "csms"
        )


def _drop_risk_events(seg: CommentedMap) -> None:
    """Remove risk events and their touchpoints: the observed churn contains them."""
    seg.pop("risk_events", None)
    touchpoints = seg.get("touchpoints", CommentedMap())
    for key in [
        k
        for k, v in touchpoints.items()
        if isinstance(v, dict) and v.get("trigger", {}).get("kind") == "risk_event"
    ]:
        del touchpoints[key]


def _fill_churn(seg: CommentedMap, name: str, b: SegmentBook, notes: list[str]) -> None:
    """The observed annual churn as the baseline (the template's when none observed)."""
    churn = seg.setdefault("churn", CommentedMap())
    rate = b.annual_churn
    if rate.trials > 0 and math.isfinite(rate.value):
        churn["annual_baseline"] = round(rate.value, 4)
        churn.yaml_add_eol_comment(
            f"data: {_pct(rate.value)} a year [95% CI {_pct(rate.low)}, {_pct(rate.high)}] "
            f"from {rate.events:.0f} churned of {rate.trials:.0f} renewals",
            "annual_baseline",
        )
    else:
        churn.yaml_add_eol_comment(
            "assumption: the default plan's (no renewal observed in the data)",
            "annual_baseline",
        )
        notes.append(f"{name}: no renewal observed; churn kept from the default plan")


def _fill_growth(seg: CommentedMap, name: str, b: SegmentBook, notes: list[str]) -> None:
    """ARR change at renewal from the observed growth per renewal (template's if none)."""
    g_mean, g_sd = b.growth_per_renewal_mean, b.growth_per_renewal_sd
    if not math.isfinite(g_mean):
        notes.append(
            f"{name}: no account with a starting ARR and a renewal; expansion kept from the template"
        )
        return
    sd = g_sd if math.isfinite(g_sd) else 0.1
    set_commented(
        seg,
        "arr_change_at_renewal",
        flow(
            {
                "dist": "normal",
                "mean": round(g_mean, 4),
                "sd": round(max(sd, 0.001), 4),
                "min": -0.9,
                "max": 3.0,
            }
        ),
        f"data: growth per renewal of {b.growth_customers} retained accounts",
    )


def _touchpoints_from_timesheet(seg: CommentedMap, name: str, ts: TimesheetAnalysis) -> None:
    """One cadence touchpoint per scheduled activity of the segment, and its uplift."""
    acts = [a for a in ts.activities if a.segment == name and a.deliveries > 0]
    if not acts:
        return
    tps = CommentedMap()
    for a in acts:
        tp = CommentedMap()
        tp["description"] = f"{a.activity} (from the timesheet)"
        # the observed rate per account-year, as a cadence: tying an activity to a stage
        # or a renewal would assume a frequency the timesheet did not show
        per_year = round(a.per_account_year, 3) if math.isfinite(a.per_account_year) else 1
        tp["trigger"] = flow({"kind": "cadence", "per_year": max(per_year, 0.01)})
        hours = (
            flow({"dist": "lognormal", "mean": round(a.hours_mean, 2), "cv": round(a.hours_cv, 3)})
            if a.hours_cv > 0
            else round(a.hours_mean, 2)
        )
        set_commented(
            tp,
            "hours",
            hours,
            f"data: {a.deliveries} deliver{'ies' if a.deliveries != 1 else 'y'}, "
            f"{a.per_account_year:.2f} per account-year",
        )
        tps[unique_key(touchpoint_name(a.activity), tps)] = tp
    seg["touchpoints"] = tps
    seg.pop("inbound", None)
    # the timesheet's rates are per account-year already: no re-onboarding at renewal
    seg.get("lifecycle", {}).pop("after_renewal", None)
    uplift = ts.uplift_by_segment.get(name, ts.uplift)
    set_commented(
        seg,
        "unscheduled_uplift",
        round(uplift, 3),
        "data: customer hours / scheduled hours in the timesheet",
    )
