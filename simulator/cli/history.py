"""Activity-history options shared by analyze, calibrate and backtest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from simulator.cli.common import FLAGS, echo_lines, fail, render_error
from simulator.errors import ScenarioError

if TYPE_CHECKING:
    from simulator.data.activities import ActivityLog

__all__ = [
    "ACTIVITY_FLAGS",
    "activity_options",
    "activity_overrides",
    "check_reasons",
    "evidence_for",
    "evidence_sheets",
    "history_input",
    "is_override_error",
    "plan_input",
    "read_activity_log",
    "with_evidence",
    "with_evidence_json",
]

ACTIVITY_FLAGS = {**FLAGS, "mapping": "--activities-map", "sheet": "--activities-sheet"}
"""The activity reader's ``mapping`` is ``--activities-map`` on the command line."""

_options = [
    click.option(
        "--activities",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="An activity history (CSV or xlsx: account, date, type, and owner, duration, "
        "response time when the export has them): Salesforce tasks/events, Gainsight "
        "timeline, HubSpot, ChurnZero, Vitally or a plain table.",
    ),
    click.option(
        "--activities-map",
        multiple=True,
        metavar="FIELD=COLUMN",
        help="Column overrides for the activity history (fields account, date, type, "
        "subject, owner, hours, response_hours).",
    ),
    click.option(
        "--activities-sheet",
        default=None,
        help="Worksheet of an xlsx activity history (default: the first).",
    ),
    click.option(
        "--plan",
        "plan_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="Start from this plan's segments (by value rank) instead of the default plan's: "
        "its touchpoints are what the history is measured against.",
    ),
    click.option(
        "--activity-map",
        multiple=True,
        metavar="TYPE=TOUCHPOINT",
        help="Count activities of TYPE as TOUCHPOINT (e.g. --activity-map 'Exec "
        "Sync'=qbr), or TYPE=- to leave them out; repeatable.",
    ),
]


def activity_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--activities`` options."""
    for option in reversed(_options):
        fn = option(fn)
    return fn


def activity_overrides(pairs: tuple[str, ...]) -> dict[str, str] | None:
    """``--activity-map TYPE=TOUCHPOINT`` pairs (None when there are none), parsed by
    :func:`simulator.analysis.activity_map.parse_activity_map`."""
    from simulator.analysis.activity_map import parse_activity_map

    try:
        return parse_activity_map(pairs) or None
    except ValueError as exc:
        fail(f"error: --activity-map: {exc}; TYPE=- leaves a type out")


def read_activity_log(
    path: Path,
    pairs: tuple[str, ...],
    dayfirst: bool | None,
    quiet: bool,
    sheet: str | None = None,
    customers: Path | None = None,
) -> ActivityLog:
    """Read the history, printing what was read and skipped unless ``quiet``."""
    from simulator.cli.data import _mapping
    from simulator.data.activities import read_activities
    from simulator.report.book import read_report_lines

    if customers is not None and path.resolve() == customers.resolve():
        fail(f"error: --activities {path} is the customer list itself; give the activity export")
    try:
        log = read_activities(
            path, mapping=_mapping(pairs, "--activities-map"), dayfirst=dayfirst, sheet=sheet
        )
    except ScenarioError as exc:
        fail(render_error(exc, ACTIVITY_FLAGS))
    if not log.activities:
        fail(f"error: {path}: no activity could be read; check the columns with --activities-map")
    if not quiet:
        lines = read_report_lines(_Counted(log), "activities")
        echo_lines(lines, ACTIVITY_FLAGS)
    return log


class _Counted:
    """An activity log seen as the reader report expects (``entries``)."""

    def __init__(self, log: ActivityLog) -> None:
        self.entries = log.activities
        self.skipped = log.skipped
        self.warnings = log.warnings
        self.path = log.path


def evidence_for(
    analysis: Any, read: Any, source: str, activities: Path | None, history: Any, plan: Any = None
) -> Any:
    """What the history shows against the plan calibrate would write (None without one)."""
    if history is None:
        return None
    from simulator.analysis.calibrate import calibrate as build
    from simulator.cli.data import _reason as reason

    try:
        result = build(analysis, read.customers, source, "accounts.csv", history=history, plan=plan)
    except ValueError as exc:
        fail(f"error: {activities if is_override_error(exc) else source}: {reason(exc)}")
    return result.evidence


def check_reasons(analysis: Any, read: Any, history: Any) -> None:
    """Check the churn reasons against the activity history, when there are both."""
    if history is None or analysis.reasons is None:
        return
    from simulator.analysis.churn_reasons import with_activity
    from simulator.analysis.evidence import touched_months

    touched = touched_months(read.customers, history.activities, analysis.as_of)
    analysis.reasons = with_activity(analysis.reasons, touched)


def with_evidence(renderable: Any, evidence: Any) -> Any:
    """The analyze report, with the evidence section when there is evidence."""
    if evidence is None:
        return renderable
    from rich.console import Group

    from simulator.report.effects import effects_renderable

    return Group(renderable, effects_renderable(evidence, ACTIVITY_FLAGS))


def with_evidence_json(text: str, evidence: Any) -> str:
    """The analyze JSON, with an ``evidence`` member when there is evidence."""
    if evidence is None:
        return text
    import json

    from simulator.report.effects import effects_json_data

    data = json.loads(text)
    data["evidence"] = effects_json_data(evidence, ACTIVITY_FLAGS)
    return json.dumps(data, indent=2) + "\n"


def evidence_sheets(evidence: Any) -> list[Any]:
    """The Effects sheet of the analyze pack (none without evidence)."""
    if evidence is None:
        return []
    from simulator.report.effects import effects_sheets

    return effects_sheets(evidence, ACTIVITY_FLAGS)


def plan_input(plan_path: Path | None, quiet: bool) -> Any:
    """The ``--plan`` templates (None without one)."""
    if plan_path is None:
        return None
    from simulator.analysis.calibrate import plan_templates
    from simulator.cli.common import load_plan

    plan = plan_templates(plan_path, load_plan(plan_path, (), quiet))
    if not quiet:
        echo_lines("note: " + n for n in plan.notes)
    return plan


def history_input(
    activities: Path | None,
    activities_map: tuple[str, ...],
    activity_map: tuple[str, ...],
    dayfirst: bool | None,
    quiet: bool,
    sheet: str | None = None,
    customers: Path | None = None,
) -> Any:
    """The activity history to estimate effects from (None without --activities)."""
    from simulator.analysis.calibrate import HistoryInput

    if activities is None:
        if activities_map or activity_map:
            fail("error: --activities-map and --activity-map need --activities FILE")
        return None
    log = read_activity_log(activities, activities_map, dayfirst, quiet, sheet, customers)
    return HistoryInput(log.activities, activity_overrides(activity_map))


def is_override_error(exc: ValueError) -> bool:
    """Whether a library error is about the activity history (an --activity-map pair, or
    no activity to use)."""
    from simulator.errors import names

    if not exc.args or not isinstance(exc.args[0], str):
        return False
    return names(exc.args[0], "activity_map") or "no activity" in exc.args[0]
