"""A scenario from the user's own data: the real book, its churn and growth, its workload.

Segments come from the customer list's segment column or from value breaks. Each
segment starts from the bundled default plan's segment of the same rank by ARR per
account (top, mid, smb: their engagement model, lifecycle and team settings with their
``# D: Section`` sources in docs/assumptions.md), then takes from the data:

- the accounts themselves (``accounts: {from_csv: ...}``: ARR, renewal date, stage);
- ARR of new accounts (lognormal fitted to starting ARR), new logos per month, term;
- ``churn.annual_baseline`` set so that churn at the planned coverage equals the observed
  annual churn per renewal (95% CI in a comment); risk events are left out, since the
  observed churn already contains them;
- ``arr_change_at_renewal`` from the observed growth per renewal (normal: mean, sd);
- with a timesheet: the customer time share, the unscheduled uplift, and one touchpoint
  per scheduled activity with its hours and frequency, and the team's headcount.

Every value written carries a comment saying where it came from.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from simulator.analysis.book import BookAnalysis, SegmentBook
from simulator.analysis.timesheet import TimesheetAnalysis, touchpoint_name
from simulator.scenario.loader import bundled_scenario

__all__ = ["Calibration", "calibrate", "segment_key"]

TEMPLATES = ("top", "mid", "smb")
"""Segments of the bundled default plan used as templates, largest accounts first."""


@dataclass
class Calibration:
    """A calibrated scenario: its YAML text and the accounts file it reads."""

    yaml_text: str
    accounts_rows: list[dict[str, Any]]
    accounts_file: str
    notes: list[str] = field(default_factory=list)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%" if math.isfinite(x) else "n/a"


def _template_segments() -> CommentedMap:
    y = YAML()
    with open(bundled_scenario(), encoding="utf-8") as fh:
        data = y.load(fh)
    return data["segments"]


def _eol(node: CommentedMap, key: Any) -> str | None:
    """The end-of-line comment after ``key``'s value, if it has one of its own."""
    entry = node.ca.items.get(key)
    tokens = [tok for tok in (entry or [])[2:3] if tok is not None]
    if not tokens:
        return None
    text = tokens[0].value.split("\n")[0].strip()
    return text.lstrip("#").strip() or None


def _clean_copy(node: Any) -> Any:
    """A template node with its values and their own end-of-line sources, nothing else
    (comment lines about what follows do not travel with a value that may change)."""
    if isinstance(node, dict):
        out = CommentedMap()
        for key, value in node.items():
            out[key] = _clean_copy(value)
            comment = _eol(node, key) if isinstance(node, CommentedMap) else None
            if comment and not isinstance(value, dict):
                out.yaml_add_eol_comment(comment, key)
        if isinstance(node, CommentedMap) and node.fa.flow_style():
            out.fa.set_flow_style()
        return out
    if isinstance(node, list):
        return copy.deepcopy(node)
    return node


def _fit_to_term(seg: CommentedMap, term_months: int) -> None:
    """Keep the template's renewal-relative timings inside a shorter contract term."""
    term_days = term_months * 365 / 12
    life = seg.get("lifecycle")
    if isinstance(life, dict) and life.get("renewal_window_days", 0) >= term_days:
        _set(life, "renewal_window_days", round(term_days / 2), "assumption: half the term")
    for tp in (seg.get("touchpoints") or {}).values():
        trig = tp.get("trigger") if isinstance(tp, dict) else None
        if (
            isinstance(trig, dict)
            and trig.get("kind") == "before_renewal"
            and trig.get("days", 0) >= term_days
        ):
            trig["days"] = round(term_days / 2)


def _lognormal(values: Sequence[float]) -> dict[str, Any] | None:
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


def _flow(d: dict[str, Any]) -> CommentedMap:
    m = CommentedMap(d)
    m.fa.set_flow_style()
    return m


def _set(m: CommentedMap, key: str, value: Any, comment: str) -> None:
    m[key] = value
    m.yaml_add_eol_comment(comment, key)


def _baseline_for(observed: float, coverage: float, effect: float) -> float:
    """The annual baseline whose churn at planned coverage is ``observed``."""
    multiplier = 1 + effect * (1 - coverage)
    return 1 - (1 - observed) ** (1 / multiplier)


def calibrate(
    book: BookAnalysis,
    customers: Sequence[Any],
    source: str,
    accounts_file: str,
    timesheet: TimesheetAnalysis | None = None,
    cost_per_csm: float | None = None,
) -> Calibration:
    """Build the scenario text for ``book`` (see the module docstring).

    Parameters
    ----------
    book
        The analysis of the customer list (segments from a column or value breaks).
    customers
        The customers analysed (active ones become the accounts file's rows).
    source
        The customer list's name, for comments.
    accounts_file
        The accounts file name the scenario will read, relative to the scenario.
    timesheet
        Analysis of a time-tracking export, when there is one.
    cost_per_csm
        Fully loaded annual cost of a CSM (default: the template's, $180k; see
        docs/assumptions.md#staffing).
    """
    templates = _template_segments()
    names = list(book.segments)
    notes: list[str] = []
    root = CommentedMap()
    root["name"] = f"Calibrated from {Path(source).name}"
    root["description"] = (
        f"Written by cssim calibrate on {dt.date.today().isoformat()} from {Path(source).name} "
        f"as of {book.as_of.isoformat()}"
        + (f" and a {timesheet.days}-day timesheet" if timesheet else "")
        + "."
    )
    root["currency"] = "USD"
    _set(root, "start_date", book.as_of.isoformat(), "data: the date the customer list describes")
    root["horizon_days"] = 365
    root["seed"] = 1
    calendar = CommentedMap()
    calendar["available_hours_per_year"] = 1730
    calendar.yaml_add_eol_comment(
        "D: Capacity - 2,080 paid less 44 days off (GitLab)", "available_hours_per_year"
    )
    if timesheet is not None:
        _set(
            calendar,
            "customer_time_share",
            round(timesheet.customer_time_share, 3),
            f"data: {timesheet.hours_customer:,.1f} of {timesheet.hours_total:,.1f} logged hours on customers",
        )
    else:
        _set(
            calendar,
            "customer_time_share",
            0.63,
            "D: Capacity - 1,092 of 1,729 h on customers (GitLab); no timesheet",
        )
    calendar["working_days_per_year"] = 216
    root["calendar"] = calendar

    segments = CommentedMap()
    kept = [n for n in names if book.segments[n].active > 0]
    for n in names:
        if n not in kept:
            notes.append(
                f"segment {n!r} has no active customer ({book.segments[n].churned} churned): "
                "left out of the scenario"
            )
    if not kept:
        raise ValueError("no segment has an active customer; there is no book to plan for")
    names = kept
    rank = {n: i for i, n in enumerate(names)}
    for name in names:
        seg_book = book.segments[name]
        i = rank[name]
        template_name = (
            TEMPLATES[0]
            if i == 0
            else TEMPLATES[-1]
            if i == len(names) - 1 and len(names) > 1
            else TEMPLATES[1]
        )
        seg = _clean_copy(templates[template_name])
        seg["description"] = (
            f"{name}: {seg_book.active} active accounts, mean ARR ${seg_book.arr_mean:,.0f}; "
            + (
                "touchpoints from the timesheet, other settings"
                if timesheet is not None
                else "engagement model"
            )
            + f" from the default plan's {template_name} segment"
        )
        _fill_segment(seg, name, seg_book, accounts_file, timesheet, cost_per_csm, notes, book)
        # "Mid Market" and "mid-market" are two segments with one key: number the second
        segments[_unique(segment_key(name), segments)] = seg
    root["segments"] = segments
    _calibrate_baselines(root, [book.segments[n] for n in names])

    y = YAML()
    y.width = 110
    y.indent(mapping=2, sequence=4, offset=2)
    buf = io.StringIO()
    y.dump(root, buf)
    header = (
        "# yaml-language-server: $schema=cssim.schema.json\n"
        f"# Calibrated by cssim from {Path(source).name} (as of {book.as_of.isoformat()})"
        + (
            f" and a timesheet of {timesheet.people} people over {timesheet.days} days"
            if timesheet
            else ""
        )
        + ".\n# 'data:' comments give the evidence; 'D: <section>' (of docs/assumptions.md)"
        " and 'assumption' come from the default plan.\n"
    )
    text = header + buf.getvalue()
    rows = [
        {
            "id": c.id,
            "segment": seg_name,
            "arr": c.arr,
            "renewal_date": c.renewal_date.isoformat()
            if c.renewal_date and c.renewal_date > book.as_of
            else "",
            "stage": c.stage or "",
            "contract_start": c.contract_start.isoformat() if c.contract_start else "",
        }
        for c, seg_name in zip(customers, book.customer_segments, strict=True)
        if not c.churned
    ]
    return Calibration(text, rows, accounts_file, notes)


def _unique(key: str, taken: Any) -> str:
    """``key``, or ``key_2``, ``key_3``... (at most 64 characters) when it is taken."""
    n = 1
    out = key
    while out in taken:
        n += 1
        suffix = f"_{n}"
        out = key[: 64 - len(suffix)] + suffix
    return out


def segment_key(name: str) -> str:
    """A scenario name for a segment value: ``"Mid-Market"`` -> ``mid-market``."""
    key = touchpoint_name(name).replace("__", "_")
    return key[:64]


def _calibrate_baselines(root: CommentedMap, books: list[SegmentBook]) -> None:
    """Set each baseline so that churn at the planned coverage is the observed churn."""
    from simulator.analysis.analytic import estimate
    from simulator.scenario.loader import validate_data

    plain = _plain(root)
    for (key, seg), b in zip(plain["segments"].items(), books, strict=True):
        seg["accounts"] = max(b.active, 1)
        seg.setdefault("arr", b.arr_mean if math.isfinite(b.arr_mean) else 1.0)
        del key
    est = estimate(validate_data(plain).scenario)
    for (key, seg), e in zip(root["segments"].items(), est.segments, strict=True):
        churn = seg["churn"]
        observed = churn["annual_baseline"]
        effect = float(churn.get("coverage_effect", 0.0))
        text = _eol(churn, "annual_baseline") or ""
        if e.planned_coverage < 1 and effect > 0 and text.startswith("data:"):
            churn["annual_baseline"] = round(_baseline_for(observed, e.planned_coverage, effect), 4)
            churn.yaml_add_eol_comment(
                f"{text}; lower than observed: the plan's coverage is {e.planned_coverage:.2f} "
                "and churn at it must match",
                "annual_baseline",
            )
        del key


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _fill_segment(
    seg: CommentedMap,
    name: str,
    b: SegmentBook,
    accounts_file: str,
    timesheet: TimesheetAnalysis | None,
    cost_per_csm: float | None,
    notes: list[str],
    book: BookAnalysis,
) -> None:
    _set(
        seg,
        "accounts",
        _flow({"from_csv": accounts_file, "segment": name}),
        f"data: {b.active} active account{'s' if b.active != 1 else ''}",
    )
    arr = _lognormal(book.segment_arr_at_signing.get(name, []))
    if arr is not None:
        _set(
            seg,
            "arr",
            _flow(arr),
            "data: ARR at signing of this segment's customers (new accounts)",
        )
    term = b.term_months_mode or 12
    _set(
        seg,
        "contract_term_months",
        term,
        "data: most common term"
        if b.term_months_mode
        else "assumption: annual (no term in the data)",
    )
    _fit_to_term(seg, term)
    if b.dated_customers:
        _set(
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
    team = seg.get("team")
    if isinstance(team, dict):
        if cost_per_csm is not None:
            _set(team, "annual_cost_per_csm", cost_per_csm, "given with --cost-per-csm")
        if timesheet is not None and timesheet.people_by_segment.get(name):
            _set(
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
    # risk events are in the observed churn already
    seg.pop("risk_events", None)
    touchpoints = seg.get("touchpoints", CommentedMap())
    for key in [
        k
        for k, v in touchpoints.items()
        if isinstance(v, dict) and v.get("trigger", {}).get("kind") == "risk_event"
    ]:
        del touchpoints[key]
    if timesheet is not None:
        _touchpoints_from_timesheet(seg, name, timesheet)
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
    g_mean, g_sd = b.growth_per_renewal_mean, b.growth_per_renewal_sd
    if math.isfinite(g_mean):
        sd = g_sd if math.isfinite(g_sd) else 0.1
        _set(
            seg,
            "arr_change_at_renewal",
            _flow(
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
    else:
        notes.append(
            f"{name}: no account with a starting ARR and a renewal; expansion kept from the template"
        )
    seg.pop("targets", None)


def _touchpoints_from_timesheet(seg: CommentedMap, name: str, ts: TimesheetAnalysis) -> None:
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
        tp["trigger"] = _flow({"kind": "cadence", "per_year": max(per_year, 0.01)})
        hours = (
            _flow({"dist": "lognormal", "mean": round(a.hours_mean, 2), "cv": round(a.hours_cv, 3)})
            if a.hours_cv > 0
            else round(a.hours_mean, 2)
        )
        _set(
            tp,
            "hours",
            hours,
            f"data: {a.deliveries} deliver{'ies' if a.deliveries != 1 else 'y'}, "
            f"{a.per_account_year:.2f} per account-year",
        )
        tps[_unique(touchpoint_name(a.activity), tps)] = tp
    seg["touchpoints"] = tps
    seg.pop("inbound", None)
    # the timesheet's rates are per account-year already: no re-onboarding at renewal
    seg.get("lifecycle", {}).pop("after_renewal", None)
    uplift = ts.uplift_by_segment.get(name, ts.uplift)
    _set(
        seg,
        "unscheduled_uplift",
        round(uplift, 3),
        "data: customer hours / scheduled hours in the timesheet",
    )
