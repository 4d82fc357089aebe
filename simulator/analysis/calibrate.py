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

Every value written carries a comment saying where it came from. This module owns the
scenario's skeleton (settings, calendar, segment order and templates, baselines);
filling one segment is :mod:`simulator.analysis.calibrate_segment`, the commented-node
helpers :mod:`simulator.analysis.yaml_nodes`.
"""

from __future__ import annotations

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
from simulator.analysis.calibrate_segment import fill_segment
from simulator.analysis.timesheet import TimesheetAnalysis, touchpoint_name
from simulator.analysis.yaml_nodes import (
    clean_copy,
    eol_comment,
    plain,
    set_commented,
    unique_key,
)
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


def _template_segments() -> CommentedMap:
    """The bundled default plan's segments, with their comments."""
    y = YAML()
    with open(bundled_scenario(), encoding="utf-8") as fh:
        data = y.load(fh)
    return data["segments"]


def _baseline_for(observed: float, coverage: float, effect: float) -> float:
    """The annual baseline whose churn at planned coverage is ``observed``."""
    multiplier = 1 + effect * (1 - coverage)
    return 1 - (1 - observed) ** (1 / multiplier)


def _header(book: BookAnalysis, source: str, timesheet: TimesheetAnalysis | None) -> CommentedMap:
    """The scenario's top-level settings: name, description, start date, horizon, seed."""
    root = CommentedMap()
    root["name"] = f"Calibrated from {Path(source).name}"
    root["description"] = (
        f"Written by cssim calibrate on {dt.date.today().isoformat()} from {Path(source).name} "
        f"as of {book.as_of.isoformat()}"
        + (f" and a {timesheet.days}-day timesheet" if timesheet else "")
        + "."
    )
    root["currency"] = "USD"
    set_commented(
        root, "start_date", book.as_of.isoformat(), "data: the date the customer list describes"
    )
    root["horizon_days"] = 365
    root["seed"] = 1
    return root


def _calendar(timesheet: TimesheetAnalysis | None) -> CommentedMap:
    """Working hours and days, and the customer time share (from the timesheet if given)."""
    calendar = CommentedMap()
    calendar["available_hours_per_year"] = 1730
    calendar.yaml_add_eol_comment(
        "D: Capacity - 2,080 paid less 44 days off (GitLab)", "available_hours_per_year"
    )
    if timesheet is not None:
        set_commented(
            calendar,
            "customer_time_share",
            round(timesheet.customer_time_share, 3),
            f"data: {timesheet.hours_customer:,.1f} of {timesheet.hours_total:,.1f} logged hours on customers",
        )
    else:
        set_commented(
            calendar,
            "customer_time_share",
            0.63,
            "D: Capacity - 1,092 of 1,729 h on customers (GitLab); no timesheet",
        )
    calendar["working_days_per_year"] = 216
    return calendar


def _kept_segments(book: BookAnalysis, notes: list[str]) -> list[str]:
    """The segments with an active customer (a note for each one left out).

    Raises
    ------
    ValueError
        When no segment has an active customer.
    """
    names = list(book.segments)
    kept = [n for n in names if book.segments[n].active > 0]
    for n in names:
        if n not in kept:
            notes.append(
                f"segment {n!r} has no active customer ({book.segments[n].churned} churned): "
                "left out of the scenario"
            )
    if not kept:
        raise ValueError("no segment has an active customer; there is no book to plan for")
    return kept


def _template_name(rank: int, count: int) -> str:
    """The template for the segment of ``rank`` (0: largest ARR) among ``count``."""
    if rank == 0:
        return TEMPLATES[0]
    if rank == count - 1 and count > 1:
        return TEMPLATES[-1]
    return TEMPLATES[1]


def _dump(
    root: CommentedMap, book: BookAnalysis, source: str, timesheet: TimesheetAnalysis | None
) -> str:
    """The scenario's YAML text with its header comment."""
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
    return header + buf.getvalue()


def _account_rows(customers: Sequence[Any], book: BookAnalysis) -> list[dict[str, Any]]:
    """The accounts file's rows: each active customer with its segment."""
    return [
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
    notes: list[str] = []
    root = _header(book, source, timesheet)
    root["calendar"] = _calendar(timesheet)
    segments = CommentedMap()
    names = _kept_segments(book, notes)
    for i, name in enumerate(names):
        seg_book = book.segments[name]
        template_name = _template_name(i, len(names))
        seg = clean_copy(templates[template_name])
        seg["description"] = (
            f"{name}: {seg_book.active} active accounts, mean ARR ${seg_book.arr_mean:,.0f}; "
            + (
                "touchpoints from the timesheet, other settings"
                if timesheet is not None
                else "engagement model"
            )
            + f" from the default plan's {template_name} segment"
        )
        fill_segment(seg, name, seg_book, accounts_file, timesheet, cost_per_csm, notes, book)
        # "Mid Market" and "mid-market" are two segments with one key: number the second
        segments[unique_key(segment_key(name), segments)] = seg
    root["segments"] = segments
    _calibrate_baselines(root, [book.segments[n] for n in names])
    text = _dump(root, book, source, timesheet)
    return Calibration(text, _account_rows(customers, book), accounts_file, notes)


def segment_key(name: str) -> str:
    """A scenario name for a segment value: ``"Mid-Market"`` -> ``mid-market``."""
    key = touchpoint_name(name).replace("__", "_")
    return key[:64]


def _calibrate_baselines(root: CommentedMap, books: list[SegmentBook]) -> None:
    """Set each baseline so that churn at the planned coverage is the observed churn."""
    from simulator.analysis.analytic import estimate
    from simulator.scenario.loader import validate_data

    data = plain(root)
    for seg, b in zip(data["segments"].values(), books, strict=True):
        seg["accounts"] = max(b.active, 1)
        seg.setdefault("arr", b.arr_mean if math.isfinite(b.arr_mean) else 1.0)
    est = estimate(validate_data(data).scenario)
    for seg, e in zip(root["segments"].values(), est.segments, strict=True):
        churn = seg["churn"]
        observed = churn["annual_baseline"]
        effect = float(churn.get("coverage_effect", 0.0))
        text = eol_comment(churn, "annual_baseline") or ""
        if e.planned_coverage < 1 and effect > 0 and text.startswith("data:"):
            churn["annual_baseline"] = round(_baseline_for(observed, e.planned_coverage, effect), 4)
            churn.yaml_add_eol_comment(
                f"{text}; lower than observed: the plan's coverage is {e.planned_coverage:.2f} "
                "and churn at it must match",
                "annual_baseline",
            )
