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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from simulator.analysis.book import BookAnalysis, SegmentBook
from simulator.analysis.calibrate_effects import write_effects
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

if TYPE_CHECKING:
    from simulator.analysis.evidence import Evidence

__all__ = [
    "Calibration",
    "HistoryInput",
    "PlanTemplates",
    "calibrate",
    "plan_templates",
    "segment_key",
]

TEMPLATES = ("top", "mid", "smb")
"""Segments of the bundled default plan used as templates, largest accounts first."""


@dataclass
class Calibration:
    """A calibrated scenario: its YAML text and the accounts file it reads."""

    yaml_text: str
    accounts_rows: list[dict[str, Any]]
    accounts_file: str
    notes: list[str] = field(default_factory=list)
    evidence: Evidence | None = None
    """What the activity history showed, when one was given."""


@dataclass(frozen=True)
class HistoryInput:
    """An activity history to estimate the effects from."""

    activities: Sequence[Any]
    """:class:`simulator.data.activities.Activity` records."""
    activity_map: Mapping[str, str] | None = None
    """Activity type -> touchpoint (``--activity-map``)."""
    seed: int = 1


def _template_root() -> CommentedMap:
    """The bundled default plan, with its comments."""
    y = YAML()
    with open(bundled_scenario(), encoding="utf-8") as fh:
        data: CommentedMap = y.load(fh)
    return data


def _template_segments() -> CommentedMap:
    """The bundled default plan's segments, with their comments."""
    segments: CommentedMap = _template_root()["segments"]
    return segments


def _baseline_for(observed: float, coverage: float, effect: float) -> float:
    """The annual baseline whose churn at planned coverage is ``observed``."""
    multiplier = 1 + effect * (1 - coverage)
    return 1 - (1 - observed) ** (1 / multiplier)


def list_currency(customers: Sequence[Any]) -> str | None:
    """The currency of the customers' amounts (their ``currency``); None when none names one.

    Raises
    ------
    ValueError
        When the customers' amounts are in several currencies (never added up).
    """
    found = sorted({c for c in (getattr(x, "currency", None) for x in customers) if c})
    if len(found) > 1:
        raise ValueError(
            f"the customers' amounts are in several currencies ({', '.join(found)}); "
            "convert them to one before calibrating"
        )
    return found[0] if found else None


def _header(
    book: BookAnalysis,
    source: str,
    timesheet: TimesheetAnalysis | None,
    currency: str | None = None,
) -> CommentedMap:
    """The scenario's top-level settings: name, description, currency, start date, horizon."""
    root = CommentedMap()
    root["name"] = f"Calibrated from {Path(source).name}"
    root["description"] = (
        f"Written by cssim calibrate on {dt.date.today().isoformat()} from {Path(source).name} "
        f"as of {book.as_of.isoformat()}"
        + (f" and a {timesheet.days}-day timesheet" if timesheet else "")
        + "."
    )
    if currency:
        set_commented(root, "currency", currency, "data: the currency of the customer list")
    else:
        set_commented(root, "currency", "USD", "assumption: the customer list names no currency")
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


def _template_name(rank: int, count: int, names: Sequence[str] = TEMPLATES) -> str:
    """The template for the segment of ``rank`` (0: largest ARR) among ``count``: the
    first of ``names`` (largest accounts first) for the largest, the last for the
    smallest, those between spread over the rest."""
    if rank == 0 or len(names) == 1:
        return names[0]
    if rank == count - 1 and count > 1:
        return names[-1]
    if len(names) == 2:
        return names[0]
    inner = names[1:-1]
    return inner[min(len(inner) - 1, (rank - 1) * len(inner) // max(count - 2, 1))]


@dataclass(frozen=True)
class PlanTemplates:
    """The plan whose segments calibrate starts from (default: the bundled plan)."""

    segments: CommentedMap
    """Segment name -> its YAML node (with its comments when the file has them)."""
    order: tuple[str, ...]
    """Segment names, largest accounts first."""
    uncertain: CommentedMap | None = None
    source: str = "the default plan"
    notes: list[str] = field(default_factory=list)
    """What was changed in the plan's segments to use them as templates."""


def _dump(
    root: CommentedMap,
    book: BookAnalysis,
    source: str,
    timesheet: TimesheetAnalysis | None,
    origin: str = "the default plan",
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
        f" and 'assumption' come from {origin}.\n"
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
    history: HistoryInput | None = None,
    plan: PlanTemplates | None = None,
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
    history
        An activity history: the effects it identifies (and the baselines fitted with
        them) replace the plan's, each with its evidence; ``uncertain:`` gets their
        distributions (see :mod:`simulator.analysis.calibrate_effects`).
    plan
        The plan to start from (``--plan``): its segments are the templates by value
        rank, its ``uncertain:`` block the distributions kept; default the bundled plan.
    """
    templates = plan.segments if plan is not None else _template_segments()
    order = plan.order if plan is not None else TEMPLATES
    origin = plan.source if plan is not None else "the default plan"
    notes: list[str] = []
    currency = list_currency(customers)
    if currency not in (None, "USD") and cost_per_csm is None:
        notes.append(
            f"the scenario is in {currency} (the customer list's currency), but the cost "
            "per CSM and the template's other money values are US-dollar defaults "
            f"(docs/assumptions.md); restate them in {currency}"
        )
    root = _header(book, source, timesheet, currency)
    root["calendar"] = _calendar(timesheet)
    segments = CommentedMap()
    keys: dict[str, str] = {}
    template_of: dict[str, str] = {}
    names = _kept_segments(book, notes)
    for i, name in enumerate(names):
        seg_book = book.segments[name]
        template_name = _template_name(i, len(names), order)
        template_of[name] = f"{origin}'s {template_name}"
        seg = clean_copy(templates[template_name])
        seg["description"] = (
            f"{name}: {seg_book.active} active accounts, mean ARR ${seg_book.arr_mean:,.0f}; "
            + (
                "touchpoints from the timesheet, other settings"
                if timesheet is not None
                else "engagement model"
            )
            + f" from {origin}'s {template_name} segment"
        )
        fill_segment(seg, name, seg_book, accounts_file, timesheet, cost_per_csm, notes, book)
        # "Mid Market" and "mid-market" are two segments with one key: number the second
        keys[name] = unique_key(segment_key(name), segments)
        segments[keys[name]] = seg
    root["segments"] = segments
    evidence = None
    if history is not None:
        evidence = _estimate(root, book, customers, keys, history, notes, plan)
        evidence.templates = template_of
    _calibrate_baselines(root, [book.segments[n] for n in names])
    text = _dump(root, book, source, timesheet, origin)
    return Calibration(text, _account_rows(customers, book), accounts_file, notes, evidence)


def _validated(root: CommentedMap, books: Sequence[SegmentBook]) -> Any:
    """The scenario of ``root`` validated, its accounts files replaced by counts."""
    from simulator.scenario.loader import validate_data

    data = plain(root)
    data.pop("uncertain", None)
    for seg, b in zip(data["segments"].values(), books, strict=True):
        seg["accounts"] = max(b.active, 1)
        seg.setdefault("arr", b.arr_mean if math.isfinite(b.arr_mean) else 1.0)
    return validate_data(data).scenario


def _estimate(
    root: CommentedMap,
    book: BookAnalysis,
    customers: Sequence[Any],
    keys: Mapping[str, str],
    history: HistoryInput,
    notes: list[str],
    plan: PlanTemplates | None,
) -> Evidence:
    """Measure the history against the calibrated plan and write what it identifies."""
    from simulator.analysis.evidence import gather_evidence

    scenario = _validated(root, [book.segments[n] for n in keys])
    plans = {name: scenario.segments[key] for name, key in keys.items()}
    seg_of = dict(zip((c.id for c in customers), book.customer_segments, strict=True))
    evidence = gather_evidence(
        customers,
        lambda c: seg_of.get(c.id),
        plans,
        history.activities,
        book.as_of,
        history.activity_map,
        seed=history.seed,
        working_days=scenario.calendar.model == "working_days",
    )
    evidence.plan_names = dict(keys)
    if evidence.effects is None:
        notes.append(f"the activity history gave no estimate: {evidence.problem}")
        return evidence
    template = plan.uncertain if plan is not None else _template_root().get("uncertain")
    notes.extend(write_effects(root, evidence.effects, keys, template))
    _staff_from_owners(root, keys, evidence, book.as_of)
    return evidence


def _staff_from_owners(
    root: CommentedMap, keys: Mapping[str, str], evidence: Evidence, as_of: dt.date
) -> None:
    """Each team's headcount from the people active in the history, unless the
    timesheet gave it."""
    from simulator.analysis.evidence import STAFF_WINDOW_DAYS

    for name, key in keys.items():
        n = evidence.owners.get(name)
        team = root["segments"][key].get("team")
        if not n or not isinstance(team, CommentedMap):
            continue
        if (eol_comment(team, "csms") or "").startswith("data:"):
            continue
        set_commented(
            team,
            "csms",
            n,
            f"data: {n} people logged activities on these accounts in the {STAFF_WINDOW_DAYS} "
            f"days to {as_of.isoformat()} (shared by their activities)",
        )


def segment_key(name: str) -> str:
    """A scenario name for a segment value: ``"Mid-Market"`` -> ``mid-market``."""
    key = touchpoint_name(name).replace("__", "_")
    return key[:64]


def _calibrate_baselines(root: CommentedMap, books: list[SegmentBook]) -> None:
    """Set each baseline so that churn at the planned coverage is the observed churn."""
    from simulator.analysis.analytic import estimate

    est = estimate(_validated(root, books))
    for seg, e in zip(root["segments"].values(), est.segments, strict=True):
        churn = seg["churn"]
        observed = churn["annual_baseline"]
        effect = float(churn.get("coverage_effect", 0.0))
        text = eol_comment(churn, "annual_baseline") or ""
        fitted = text.startswith("data: fitted")  # by the history: already at full delivery
        if e.planned_coverage < 1 and effect > 0 and text.startswith("data:") and not fitted:
            churn["annual_baseline"] = round(_baseline_for(observed, e.planned_coverage, effect), 4)
            churn.yaml_add_eol_comment(
                f"{text}; lower than observed: the plan's coverage is {e.planned_coverage:.2f} "
                "and churn at it must match",
                "annual_baseline",
            )


def plan_templates(path: str | Path, loaded: Any) -> PlanTemplates:
    """The segments of the plan at ``path`` (validated as ``loaded``) as templates.

    The file's own nodes keep their comments; a plan that extends another (its segments
    only partly in the file) gives its merged, validated segments without comments.
    """
    from simulator.scenario.yamlsource import read_text

    raw = YAML().load(read_text(Path(path), str(path)))  # a regular file, bounded in size
    own = raw.get("segments") if isinstance(raw, CommentedMap) else None
    merged = loaded.data.get("segments", {})
    if isinstance(own, CommentedMap) and "extends" not in raw and set(own) == set(merged):
        segments = own
        uncertain = raw.get("uncertain")
    else:
        segments = CommentedMap(merged)
        uncertain = CommentedMap(loaded.data["uncertain"]) if loaded.data.get("uncertain") else None
    teams = loaded.data.get("teams") or {}
    notes: list[str] = []
    users: dict[str, list[str]] = {}
    for seg_name, node in segments.items():
        ref = node.get("team") if isinstance(node, dict) else None
        if isinstance(ref, str) and ref in teams:
            node["team"] = CommentedMap(teams[ref])  # each calibrated segment gets its own
            users.setdefault(ref, []).append(str(seg_name))
        team = node.get("team") if isinstance(node, dict) else None
        if isinstance(team, dict) and team.pop("hiring_plan", None) is not None:
            notes.append(
                f"{seg_name}: the plan's hiring_plan is left out (its dates belong to that "
                "plan's period; the calibrated teams start from the history's headcount)"
            )
    for ref, names in users.items():
        if len(names) > 1:
            notes.append(
                f"team {ref!r} is shared by {', '.join(names)} in the plan: each calibrated "
                "segment gets its own copy of it; set their headcounts (or the history does)"
            )
    sc = loaded.scenario

    def size(name: str) -> float:
        arr = sc.segments[name].arr
        return -(arr.mean if arr is not None else 0.0)

    order = tuple(sorted(segments, key=lambda n: (size(n), list(segments).index(n))))
    if uncertain is None:
        uncertain = _template_root().get("uncertain")
    return PlanTemplates(segments, order, uncertain, Path(path).name, notes)
