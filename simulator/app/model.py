"""The explorer's pure logic: control values -> scenario overrides -> closed-form numbers.

Nothing here knows about the web framework: the app's server reads its inputs into a
:class:`Edits`, asks :func:`overrides_for` for the ``dotted.path=value`` edits (the same
strings the command line's overrides take, so the edited scenario validates exactly as a
file would), loads the scenario with them and reads the team's closed-form estimate with
:func:`team_numbers`. The quick simulation's rows become a sentence in
:func:`decision_sentence`; :func:`scenario_yaml` and :func:`summary_markdown` are the two
downloads.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simulator.analysis.analytic import Estimate, estimate
from simulator.report.formatting import money, num, pct
from simulator.scenario.loader import Loaded, load, load_text
from simulator.scenario.model import Cadence, Scenario
from simulator.scenario.yamlsource import dump_yaml

__all__ = [
    "CHANNELS",
    "DEFAULT_ON_TIME",
    "Edits",
    "TeamNumbers",
    "cadence_touchpoints",
    "decision_sentence",
    "edited",
    "numbers_for",
    "overrides_for",
    "scenario_yaml",
    "summary_markdown",
    "team_numbers",
    "team_path",
    "touch_values",
    "verdict",
]

CHANNELS = ("one_to_one", "one_to_many", "automated")
"""The delivery channels a touchpoint can be switched to."""

DEFAULT_ON_TIME = 0.9
"""On-time share the quick decision asks for when the team's segments set no target."""

_DEFAULT_ATTENDEES = 20
"""``max_attendees`` given to a touchpoint switched to one_to_many without one (assumption)."""

_DEFAULT_HOURS = 1.0
"""CSM hours given to an automated touchpoint switched to a CSM channel (assumption)."""


@dataclass
class Edits:
    """What the explorer's controls changed, by team, touchpoint and segment.

    A value equal to the plan's is no edit (:func:`overrides_for` writes nothing for it).

    Attributes
    ----------
    csms
        CSMs at the start, by team (named or a segment's inline team).
    per_year
        Touches per account-year of cadence touchpoints, by ``(segment, touchpoint)``.
    channel
        Channel of touchpoints, by ``(segment, touchpoint)``, one of :data:`CHANNELS`.
    support_share
        Share of a segment's inbound requests support handles instead of the CSM.
    """

    csms: dict[str, int] = field(default_factory=dict)
    per_year: dict[tuple[str, str], float] = field(default_factory=dict)
    channel: dict[tuple[str, str], str] = field(default_factory=dict)
    support_share: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class TeamNumbers:
    """The closed form's answer for one team, as the explorer shows it."""

    team: str
    csms: int
    fte_needed: float
    csms_needed: int
    gap: int
    demand_hours: float
    hours_per_csm: float
    people_cost_needed: float
    people_cost_current: float
    currency: str
    segment_hours: dict[str, float]
    """Customer hours per year by segment of the team."""


def team_path(s: Scenario, team: str) -> str:
    """The override path of ``team``'s definition: ``teams.X`` or ``segments.X.team``."""
    if team in s.teams:
        return f"teams.{team}"
    if team in s.segments:
        return f"segments.{team}.team"
    raise ValueError(f"no team {team!r}; teams: {', '.join(s.all_teams())}")


def cadence_touchpoints(s: Scenario, team: str | None = None) -> list[tuple[str, str]]:
    """``(segment, touchpoint)`` of every cadence touchpoint (of ``team``'s segments)."""
    segments = s.segments_of(team) if team is not None else list(s.segments)
    return [
        (seg, name)
        for seg in segments
        for name, tp in s.segments[seg].touchpoints.items()
        if isinstance(tp.trigger, Cadence)
    ]


def touch_values(s: Scenario, segment: str, touchpoint: str) -> tuple[float, str]:
    """Touches per account-year and channel of a cadence touchpoint."""
    tp = s.segments[segment].touchpoints[touchpoint]
    if not isinstance(tp.trigger, Cadence):
        raise ValueError(f"{segment}.{touchpoint} is not a cadence touchpoint")
    return _per_year(tp.trigger), tp.channel


def _per_year(trigger: Cadence) -> float:
    """Touches a year of a cadence given as ``per_year`` or ``every_days``."""
    if trigger.per_year is not None:
        return float(trigger.per_year)
    return 365.0 / float(trigger.every_days or 365.0)


def _yaml_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def overrides_for(base: Scenario, e: Edits) -> list[str]:
    """The ``dotted.path=value`` edits that turn ``base`` into what the controls say.

    Only values that differ from ``base`` are written. A touchpoint switched to
    one_to_many without ``max_attendees`` gets :data:`_DEFAULT_ATTENDEES`; one switched
    from automated to a CSM channel without hours gets :data:`_DEFAULT_HOURS`.

    Raises
    ------
    ValueError
        For a team, segment, touchpoint or channel the scenario does not have.
    """
    teams = base.all_teams()
    out: list[str] = []
    for team, csms in e.csms.items():
        if team not in teams:
            raise ValueError(f"no team {team!r}; teams: {', '.join(teams)}")
        if int(csms) != teams[team].csms:
            out.append(f"{team_path(base, team)}.csms={int(csms)}")
    for key in sorted({*e.per_year, *e.channel}):
        out += _touch_overrides(base, key, e.per_year.get(key), e.channel.get(key))
    for seg, share in e.support_share.items():
        if not math.isclose(share, base.segments[seg].inbound.support_share):
            out.append(f"segments.{seg}.inbound.support_share={_yaml_number(share)}")
    return out


def _touch_overrides(
    base: Scenario, key: tuple[str, str], per_year: float | None, channel: str | None
) -> list[str]:
    seg, name = key
    tp = base.segments[seg].touchpoints[name]
    at = f"segments.{seg}.touchpoints.{name}"
    old_rate, old_channel = touch_values(base, seg, name)
    out: list[str] = []
    if per_year is not None and not math.isclose(per_year, old_rate):
        if isinstance(tp.trigger, Cadence) and tp.trigger.every_days is not None:
            out.append(f"{at}.trigger.every_days=null")
        out.append(f"{at}.trigger.per_year={_yaml_number(per_year)}")
    if channel is not None and channel != old_channel:
        if channel not in CHANNELS:
            raise ValueError(f"channel {channel!r}; one of {', '.join(CHANNELS)}")
        out.append(f"{at}.channel={channel}")
        if channel == "one_to_many" and tp.max_attendees is None:
            out.append(f"{at}.max_attendees={_DEFAULT_ATTENDEES}")
        if channel != "automated" and not tp.mean_csm_hours:
            out.append(f"{at}.hours={_yaml_number(_DEFAULT_HOURS)}")
    return out


def edited(path: str | Path | None, overrides: Sequence[str]) -> Loaded:
    """The scenario at ``path`` (the bundled default when None) with the overrides applied.

    The last few are kept (a slider moved back and forth reads no file again); the
    result is shared, so it is not to be changed.

    Raises
    ------
    ScenarioError
        When the edited scenario is not valid (not kept: the next call raises again).
    """
    return _edited(None if path is None else str(path), tuple(overrides))


@functools.lru_cache(maxsize=32)
def _edited(path: str | None, overrides: tuple[str, ...]) -> Loaded:
    return load(path, overrides)


def team_numbers(est: Estimate, s: Scenario, team: str) -> TeamNumbers:
    """The closed form's figures for ``team`` (``est`` is ``estimate(s)``)."""
    t = est.team(team)
    hours = {seg.segment: seg.demand_hours_per_year for seg in est.segments if seg.team == team}
    if not hours:  # an inline team is named after its segment
        hours = {seg: est.segment(seg).demand_hours_per_year for seg in s.segments_of(team)}
    return TeamNumbers(
        team=team,
        csms=int(t.csms_current),
        fte_needed=float(t.fte_needed),
        csms_needed=int(t.csms_needed),
        gap=int(t.gap),
        demand_hours=float(t.demand_hours_per_year),
        hours_per_csm=float(t.customer_hours_per_csm),
        people_cost_needed=float(t.people_cost_needed),
        people_cost_current=float(t.people_cost_current),
        currency=est.currency,
        segment_hours={k: float(v) for k, v in hours.items()},
    )


def numbers_for(path: str | Path | None, base: Scenario, e: Edits, team: str) -> TeamNumbers:
    """Edits -> overrides -> validated scenario -> ``team``'s closed-form numbers."""
    s = edited(path, overrides_for(base, e)).scenario
    return team_numbers(estimate(s), s, team)


def verdict(n: TeamNumbers) -> str:
    """One line: FTE needed against the CSMs planned."""
    if n.gap > 0:
        tail = f"short by {n.gap} ({money(n.gap * _cost_per_csm(n), n.currency)} a year to close)"
    elif n.gap < 0:
        tail = f"{-n.gap} more than the hours need"
    else:
        tail = "enough"
    return (
        f"{n.team}: {num(n.demand_hours)} h a year of customer work at {num(n.hours_per_csm)} h "
        f"per CSM = {n.fte_needed:.1f} FTE -> {n.csms_needed} CSMs; the plan has {n.csms} ({tail})."
    )


def _cost_per_csm(n: TeamNumbers) -> float:
    if n.csms_needed:
        return n.people_cost_needed / n.csms_needed
    return n.people_cost_current / n.csms if n.csms else 0.0


def _target_mins(s: Scenario, team: str) -> dict[str, float]:
    """The strictest ``min`` of GRR and on-time targets across the team's segments."""
    mins: dict[str, float] = {}
    for seg in s.segments_of(team):
        tg = s.segments[seg].targets
        for metric, target in (("grr", tg.grr), ("on_time_share", tg.on_time_coverage)):
            if target is not None and target.min is not None:
                mins[metric] = max(mins.get(metric, 0.0), target.min)
    mins.setdefault("on_time_share", DEFAULT_ON_TIME)
    return mins


def decision_sentence(
    rows: Sequence[dict[str, Any]], s: Scenario, team: str, closed_form: int, replications: int
) -> str:
    """What the quick frontier says: the fewest CSMs whose mean meets the team's targets.

    Parameters
    ----------
    rows
        Frontier rows of ``team`` (:func:`simulator.analysis.frontier.frontier`).
    s
        The edited scenario the rows were simulated from.
    closed_form
        CSMs the closed form needs.
    replications
        Replications per headcount (said in the sentence: a quick look is not a solve).
    """
    mins = _target_mins(s, team)
    rows = sorted(rows, key=lambda r: r["csms"])
    wants = " and ".join(
        f"{'GRR' if m == 'grr' else 'on-time touches'} >= {pct(v, 0)}" for m, v in mins.items()
    )
    ok = [r for r in rows if all(r[m] >= v for m, v in mins.items())]
    current = s.all_teams()[team].csms
    cur = s.currency
    head = f"{team}: by hours you need {closed_form} CSMs (closed form)"
    if not ok:
        return (
            f"{head}; no headcount from {rows[0]['csms']} to {rows[-1]['csms']} reaches "
            f"{wants} on average in {replications} replications."
        )
    pick = ok[0]
    text = (
        f"{head}; simulated, {pick['csms']} is the fewest that reach {wants} on average "
        f"(GRR {pct(pick['grr'])}, on time {pct(pick['on_time_share'], 0)}, people cost "
        f"{money(pick['people_cost'], cur)} a year)"
    )
    below = next((r for r in rows if r["csms"] == pick["csms"] - 1), None)
    if below is not None:
        text += (
            f"; {below['csms']} saves {money(pick['people_cost'] - below['people_cost'], cur)} "
            f"and gives on time {pct(below['on_time_share'], 0)}, GRR {pct(below['grr'])}"
        )
    text += f"; the plan has {current}."
    return (
        text
        + f" A quick look at {replications} replications; 'cssim solve' gives the answer with confidence."
    )


def scenario_yaml(path: str | Path | None, overrides: Sequence[str]) -> str:
    """The edited scenario as a YAML file that loads as it stands.

    The file's data (its ``extends`` chain merged) with the overrides written in; a header
    says where it came from and which edits were made. Checked by loading it back.
    """
    loaded = edited(path, overrides)
    data = {k: v for k, v in loaded.data.items() if k != "extends"}
    origin = " + ".join(loaded.files) or "the bundled default scenario"
    header = [f"# edited in 'cssim app' from {origin}"]
    header += [f"#   --set {o}" for o in overrides] or ["#   (no edits)"]
    text = "\n".join(header) + "\n" + dump_yaml(data)
    base = Path(loaded.files[0]).parent if loaded.files else None
    load_text(text, "edited.yaml", base_dir=base)  # raises if it would not load
    return text


def summary_markdown(
    n: TeamNumbers,
    overrides: Sequence[str],
    scenario_name: str,
    decision: str | None = None,
) -> str:
    """A plain Markdown summary of the team's estimate (and the quick decision, if run)."""
    cur = n.currency
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# {scenario_name}: team {n.team}",
        "",
        f"Made with 'cssim app' on {stamp}.",
        "",
        "## The closed form",
        "",
        verdict(n),
        "",
        "| Figure | Value |",
        "|---|---|",
        f"| CSMs planned | {n.csms} |",
        f"| FTE needed | {n.fte_needed:.1f} |",
        f"| CSMs needed | {n.csms_needed} |",
        f"| Gap (needed - planned) | {n.gap:+d} |",
        f"| Customer hours a year | {num(n.demand_hours)} |",
        f"| Customer hours per CSM | {num(n.hours_per_csm)} |",
        f"| People cost at the need | {money(n.people_cost_needed, cur)} a year |",
        f"| People cost as planned | {money(n.people_cost_current, cur)} a year |",
        "",
    ]
    if decision:
        lines += ["## Simulated", "", decision, ""]
    lines += ["## Edits", ""]
    lines += [f"- `--set {o}`" for o in overrides] or ["- none: the plan as written"]
    lines += [
        "",
        "The closed form ignores queueing, due windows, variability and churn; the "
        "simulation accounts for them.",
        "",
    ]
    return "\n".join(lines)
