"""Checks that need the whole scenario: cross-references (errors) and plausibility (warnings).

Plausible ranges and their sources are those of docs/assumptions.md; a value outside them
is allowed (the user may know better) but is named in a warning with the range, its basis
and the section of docs/assumptions.md that explains it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from simulator.errors import Issue, Path, suggestion
from simulator.scenario.model import Scenario, Segment, Team
from simulator.scenario.overrides import locate_issue
from simulator.scenario.yamlsource import SourceMap


class _Issues:
    """Cross-reference errors collected in order, each located through the source map."""

    def __init__(self, src: SourceMap) -> None:
        self.src = src
        self.issues: list[Issue] = []

    def add(self, path: Path, message: str, value: object = None, show: bool = True) -> None:
        """Record an error at ``path``; ``show`` names ``value`` in the message."""
        loc = locate_issue(self.src, path)
        self.issues.append(Issue(message, path, loc, value) if show else Issue(message, path, loc))


def cross_reference_issues(s: Scenario, src: SourceMap) -> list[Issue]:
    """Every broken reference or inconsistent combination in the scenario."""
    out = _Issues(src)
    for name, seg in s.segments.items():
        _team_reference_issues(out, s, name, seg)
        _touchpoint_issues(out, name, seg)
        _inbound_issues(out, name, seg)
    _staffing_issues(out, s)
    for name, seg in s.segments.items():
        _book_issues(out, s, name, seg)
    return out.issues


def _team_reference_issues(out: _Issues, s: Scenario, name: str, seg: Segment) -> None:
    """A segment's team: a known name, an inline team not clashing, present unless digital."""
    base: Path = ("segments", name)
    team = seg.team
    if isinstance(team, str) and team not in s.teams:
        out.add(
            (*base, "team"),
            "no such team in teams" + suggestion(team, list(s.teams), "defined"),
            team,
        )
    if isinstance(team, Team) and name in s.teams:
        out.add(
            (*base, "team"),
            f"an inline team takes the segment's name, and teams.{name} already exists; "
            f"rename one or write team: {name}",
            show=False,
        )
    if team is None and seg.coverage != "digital":
        out.add(
            base,
            f"a {seg.coverage} segment needs a team (a name from teams, or a team defined inline)",
            show=False,
        )


def _touchpoint_issues(out: _Issues, name: str, seg: Segment) -> None:
    """Each touchpoint: risk events it answers, renewal offset, channel for the coverage."""
    base: Path = ("segments", name)
    events = list(seg.risk_events)
    term = seg.contract_term_months * 365.0 / 12.0
    for tname, tp in seg.touchpoints.items():
        tpath: Path = (*base, "touchpoints", tname)
        trig = tp.trigger
        if trig.kind == "risk_event":
            for i, ev in enumerate(trig.events or []):
                if ev not in seg.risk_events:
                    out.add(
                        (*tpath, "trigger", "events", i),
                        "no such risk event in this segment's risk_events"
                        + suggestion(ev, events, "defined"),
                        ev,
                    )
            if not seg.risk_events:
                out.add(
                    (*tpath, "trigger"),
                    "answers risk events, but the segment defines no risk_events",
                    show=False,
                )
        if trig.kind == "before_renewal" and trig.days >= term:
            out.add(
                (*tpath, "trigger", "days"),
                f"must be shorter than the contract term ({term:.0f} days)",
                trig.days,
            )
        if seg.coverage == "digital" and tp.channel == "one_to_one":
            out.add(
                (*tpath, "channel"),
                "a digital segment has no CSM owner for one_to_one work; use automated "
                "or one_to_many, or set the segment's coverage to pooled",
                tp.channel,
            )
        elif tp.channel in ("one_to_one", "one_to_many") and seg.team is None:
            out.add(
                (*tpath, "channel"),
                f"{tp.channel} touches need CSM time, and this segment has no team",
                tp.channel,
            )


def _inbound_issues(out: _Issues, name: str, seg: Segment) -> None:
    """Inbound requests routed to CSMs need exactly one touchpoint that answers them."""
    base: Path = ("segments", name)
    inbound_touches = [
        t for t, tp in seg.touchpoints.items() if tp.trigger.kind == "inbound_request"
    ]
    if len(inbound_touches) > 1:
        out.add(
            (*base, "touchpoints", inbound_touches[1], "trigger"),
            f"only one touchpoint may answer inbound requests ({inbound_touches[0]} already does)",
            show=False,
        )
    inb = seg.inbound
    if inb.requests_per_account_year > 0 and inb.support_share < 1 and not inbound_touches:
        out.add(
            (*base, "inbound"),
            "requests routed to CSMs need a touchpoint with trigger kind inbound_request "
            "(its hours, due window, priority), or set support_share: 1",
            show=False,
        )


def _staffing_issues(out: _Issues, s: Scenario) -> None:
    """Each team: some working capacity, hiring dates in the plan, never below zero CSMs."""
    for tname, t in s.all_teams().items():
        tbase: Path = ("teams", tname) if tname in s.teams else ("segments", tname, "team")
        if t.availability < 0.05:
            out.add(
                tbase,
                f"attrition x (hiring lead time + ramp-up) leaves no working capacity "
                f"(availability {t.availability:.2f}: each leaver empties the seat for "
                f"{t.hiring_lead_days:g} days plus {t.ramp_deficit_months:.1f} months of ramp); "
                "lower annual_attrition, hiring_lead_days or the ramp",
                show=False,
            )
        for i, step in enumerate(t.hiring_plan):
            if not (s.start_date <= step.date <= s.end_date):
                out.add(
                    (*tbase, "hiring_plan", i, "date"),
                    f"falls outside the plan ({s.start_date} to {s.end_date})",
                    step.date.isoformat(),
                )
        running = t.csms
        for step in sorted(t.hiring_plan, key=lambda h: h.date):
            running += step.change
            if running < 0:
                out.add(
                    (*tbase, "hiring_plan"),
                    f"takes the team below zero CSMs on {step.date}",
                    show=False,
                )
                break


def _book_issues(out: _Issues, s: Scenario, name: str, seg: Segment) -> None:
    """A segment's accounts: unique ids, arrival dates within the plan."""
    if isinstance(seg.accounts, list):
        seen: dict[str, int] = {}
        for i, acc in enumerate(seg.accounts):
            if acc.id in seen:
                out.add(
                    ("segments", name, "accounts", i, "id"),
                    f"duplicate account id (first at item {seen[acc.id]})",
                    acc.id,
                )
            seen.setdefault(acc.id, i)
    for i, batch in enumerate(seg.new_account_schedule):
        if not (s.start_date <= batch.date <= s.end_date):
            out.add(
                ("segments", name, "new_account_schedule", i, "date"),
                f"falls outside the plan ({s.start_date} to {s.end_date})",
                batch.date.isoformat(),
            )


# ----------------------------------------------------------------------------- warnings


@dataclass(frozen=True)
class _Range:
    path: tuple[str, ...]  # relative to the scenario, segment or team
    low: float
    high: float
    basis: str
    section: str  # heading of docs/assumptions.md that gives the basis


_SCENARIO_RANGES = [
    _Range(
        ("calendar", "available_hours_per_year"),
        1400,
        2000,
        "1,630-1,850 (GitLab handbook)",
        "Capacity",
    ),
    _Range(
        ("calendar", "customer_time_share"), 0.45, 0.8, "0.55-0.70 (GitLab; csin15)", "Capacity"
    ),
    _Range(
        ("calendar", "working_days_per_year"),
        180,
        250,
        "about 216 (260 weekdays less 44-56 days off)",
        "Capacity",
    ),
]
_TEAM_RANGES = [
    _Range(("annual_attrition",), 0.0, 0.35, "10-20% (LinkedIn 13.2%)", "Staffing"),
    _Range(("hiring_lead_days",), 30, 200, "75-120 days (SHRM)", "Staffing"),
    _Range(
        ("annual_cost_per_csm",),
        60_000,
        350_000,
        "USD 150-220k fully loaded; pooled ~130k",
        "Staffing",
    ),
]
_SEGMENT_RANGES = [
    _Range(
        ("churn", "annual_baseline"), 0.0, 0.6, "3-40% by segment (KBCM; SaaS Capital)", "Retention"
    ),
    _Range(
        ("unscheduled_uplift",),
        1.0,
        2.2,
        "x1.3 tech-touch to x1.75 enterprise (GitLab)",
        "Unscheduled work",
    ),
    _Range(
        ("churn", "late_onboarding_multiplier"), 1.0, 3.0, "1.2-2.5 (assumption)", "Churn drivers"
    ),
    _Range(("churn", "coverage_effect"), 0.0, 3.0, "0.8 (assumption)", "Churn drivers"),
    _Range(("churn", "responsiveness_effect"), 0.0, 3.0, "0.5 (assumption)", "Churn drivers"),
    _Range(
        ("churn", "late_credit_half_life_days"), 7, 180, "30 days (assumption)", "Churn drivers"
    ),
    _Range(("lifecycle", "renewal_window_days"), 30, 240, "~120 days", "Lifecycle"),
]


def anchor(section: str) -> str:
    """The anchor of a docs/assumptions.md heading (``Churn drivers`` -> ``churn-drivers``)."""
    return section.strip().lower().replace(" ", "-")


def _get(obj: object, path: tuple[str, ...]) -> float | None:
    for el in path:
        obj = getattr(obj, el, None)
        if obj is None:
            return None
    return obj if isinstance(obj, int | float) else None


def _range_warnings(
    obj: object, ranges: list[_Range], base: Path, src: SourceMap
) -> Iterator[Issue]:
    for r in ranges:
        v = _get(obj, r.path)
        if v is not None and not (r.low <= v <= r.high):
            path = (*base, *r.path)
            yield Issue(
                f"far outside the plausible range {r.low:g}-{r.high:g} ({r.basis}; see "
                f"docs/assumptions.md#{anchor(r.section)}); check the value or the unit",
                path,
                src.locate(path),
                v,
                severity="warning",
            )


def _segment_warnings(name: str, seg: Segment, s: Scenario, src: SourceMap) -> Iterator[Issue]:
    base: Path = ("segments", name)
    yield from _range_warnings(seg, _SEGMENT_RANGES, base, src)
    for ename, ev in seg.risk_events.items():
        if ev.handled_churn_probability > ev.unhandled_churn_probability:
            path = (*base, "risk_events", ename, "handled_churn_probability")
            yield Issue(
                "is higher than unhandled_churn_probability: handling the event would make "
                "churn more likely",
                path,
                src.locate(path),
                ev.handled_churn_probability,
                severity="warning",
            )
        answered = any(
            tp.trigger.kind == "risk_event"
            and (tp.trigger.events is None or ename in tp.trigger.events)
            for tp in seg.touchpoints.values()
        )
        if not answered and ev.per_account_year > 0:
            path = (*base, "risk_events", ename)
            yield Issue(
                "no touchpoint answers this risk event, so every event stays unhandled",
                path,
                src.locate(path),
                severity="warning",
            )
    for tname, tp in seg.touchpoints.items():
        if tp.channel != "automated" and (tp.effectiveness is not None or tp.cost_per_touch):
            path = (*base, "touchpoints", tname)
            yield Issue(
                f"effectiveness and cost_per_touch apply to automated touches only; ignored "
                f"for {tp.channel}",
                path,
                src.locate(path),
                severity="warning",
            )
        if tp.channel == "one_to_many" and tp.trigger.kind in ("risk_event", "inbound_request"):
            path = (*base, "touchpoints", tname, "channel")
            yield Issue(
                "escalations and inbound requests are individual; one_to_many sessions suit "
                "scheduled touches",
                path,
                src.locate(path),
                severity="warning",
            )


def domain_warnings(s: Scenario, src: SourceMap) -> list[Issue]:
    """Values far outside the plausible ranges of docs/assumptions.md, and odd but legal
    combinations."""
    out = list(_range_warnings(s, _SCENARIO_RANGES, (), src))
    for tname, team in s.all_teams().items():
        base: Path = ("teams", tname) if tname in s.teams else ("segments", tname, "team")
        out.extend(_range_warnings(team, _TEAM_RANGES, base, src))
        if not s.segments_of(tname):
            out.append(
                Issue(
                    "no segment names this team; it is ignored",
                    base,
                    src.locate(base),
                    severity="warning",
                )
            )
    for name, seg in s.segments.items():
        out.extend(_segment_warnings(name, seg, s, src))
    from simulator.scenario.plausibility import plausibility_warnings

    out.extend(plausibility_warnings(s, src))
    return out
