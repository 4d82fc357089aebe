"""Rendering what an activity history showed: the effects, their evidence, the caveat."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.analysis.effects import Effect, Effects
from simulator.analysis.evidence import Evidence
from simulator.errors import Flags, Hint, hinted, render_text
from simulator.report.formatting import json_safe
from simulator.report.layout import Block, Col, Sheet

__all__ = [
    "effects_json_data",
    "effects_renderable",
    "effects_rows",
    "effects_sheets",
    "evidence_lines",
]

CAVEAT = (
    "These are observational estimates: CSMs may give more touches to accounts they see at "
    "risk, which makes touches look less protective than they are, and accounts that are "
    "easy to reach may also be the ones that stay. Read them as evidence, not as proof."
)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3g}"


def _plan(e: Effect) -> str:
    values = sorted(set(e.assumption.values()))
    return ", ".join(f"{v:g}" for v in values) or "-"


def evidence_lines(ev: Evidence) -> list[str]:
    """How the history was read: types mapped, accounts joined, renewals measured."""
    m = ev.mapping
    excluded = [
        t
        for t, n in m.counts.items()
        if m.how.get(t) == "override" and m.touchpoint_of.get(t) is None
    ]
    mapped = sum(m.counts.values()) - sum(m.unmatched.values()) - sum(m.counts[t] for t in excluded)
    lines = [
        f"{ev.activities:,} activities; {len(m.counts) - len(m.unmatched) - len(excluded)} "
        f"activity types mapped to touchpoints, by name or by subject ({mapped:,} activities)"
        + (f"; {len(excluded)} left out as asked ({', '.join(excluded[:4])})" if excluded else "")
    ]
    if m.unmatched:
        top = ", ".join(f"{t} {n:,}" for t, n in list(m.unmatched.items())[:6])
        more = len(m.unmatched) - 6
        lines.append(
            hinted(
                f"{len(m.unmatched)} types match no touchpoint ({sum(m.unmatched.values()):,} "
                f"activities: {top}{f' and {more} more' if more > 0 else ''}); map one with ",
                Hint("activity_map", {"TYPE": "touchpoint"}, "TYPE=touchpoint"),
                ", or TYPE=- to leave it out",
            )
        )
    lines += ["warning: " + w for w in m.warnings]
    lines += ["warning: " + n for n in ev.notes]
    if ev.effects is not None:
        lines += ["note: " + n for n in ev.effects.notes]
    if ev.unknown_accounts:
        names = ", ".join(list(ev.unknown_accounts)[:5])
        lines.append(
            f"{sum(ev.unknown_accounts.values()):,} activities name {len(ev.unknown_accounts):,} "
            f"accounts that are not in the customer list (by ID or name): {names}"
            + (" ..." if len(ev.unknown_accounts) > 5 else "")
        )
    h = ev.history
    start = h.history_start.isoformat() if h.history_start else "?"
    churned = sum(r.churned for r in h.renewals)
    lines.append(
        f"{len(h.renewals):,} renewals measured ({churned:,} churned), the history starting "
        f"{start}"
        + (
            "; left out: " + "; ".join(f"{n:,} {why}" for why, n in h.excluded.most_common())
            if h.excluded
            else ""
        )
    )
    if ev.silent:
        lines.append(
            f"warning: {ev.silent:,} accounts with a measured renewal have no activity in the "
            "history; if the export left them out (a filter, an owner), their coverage reads "
            "as none and biases the estimates"
        )
    if ev.plan_names:
        pairs = ", ".join(
            f"{d} against {p}" + (f" (from {ev.templates[d]})" if d in ev.templates else "")
            for d, p in ev.plan_names.items()
        )
        lines.append(f"coverage measured against the plan's touchpoints: {pairs}")
    return lines


def _effect_table(fx: Effects) -> Table:
    t = Table(title="Effects estimated from the history (95% intervals)", title_justify="left")
    for col in ("Effect", "Estimate", "95% interval", "Method", "Plan's value", "Evidence"):
        t.add_column(col, justify="right" if col in ("Estimate", "Plan's value") else "left")
    for e in fx.effects:
        if e.identified:
            t.add_row(
                e.label,
                _num(e.estimate),
                f"{_num(e.low)} to {_num(e.high)}",
                e.method,
                _plan(e),
                f"{e.renewals:,} renewals, {e.events:,} churned"
                if e.key in ("coverage_effect", "log_late_onboarding", "responsiveness_effect")
                else f"{e.renewals:,} accounts",
            )
        else:
            t.add_row(
                e.label,
                "-",
                "not identified",
                "",
                _plan(e),
                Text(
                    e.reason if e.kept is not None else f"kept the plan's: {e.reason}",
                    style="yellow",
                ),
            )
    return t


def _baseline_table(fx: Effects) -> Table:
    t = Table(
        title="Annual churn with the plan fully delivered (fitted with the effects)",
        title_justify="left",
    )
    for col in ("Segment", "Baseline", "95% interval", "Renewals", "Churned"):
        t.add_column(col, justify="left" if col == "Segment" else "right")
    for s, (p, lo, hi) in fx.baselines.items():
        n, k = fx.per_segment[s]
        iv = f"{100 * lo:.1f}% to {100 * hi:.1f}%" if lo is not None and hi is not None else "open"
        t.add_row(s, f"{100 * p:.1f}%", iv, f"{n:,}", f"{k:,}")
    return t


def _band_table(fx: Effects) -> Table:
    t = Table(
        title="Churn by coverage received: observed against the fitted model", title_justify="left"
    )
    for col in ("Coverage", "Renewals", "Churned", "Observed", "Fitted"):
        t.add_column(col, justify="right")
    for b in fx.bands:
        t.add_row(
            f"{100 * b.low:.0f}% to {100 * b.high:.0f}%",
            f"{b.renewals:,}",
            f"{b.churned:,}",
            f"{100 * b.churned / b.renewals:.1f}%",
            f"{100 * b.predicted:.1f}%",
        )
    return t


def _check_lines(fx: Effects) -> list[str]:
    cov, early = fx.effect("coverage_effect"), fx.early
    if cov is None or not cov.identified or early is None or cov.estimate is None:
        return [CAVEAT]
    est = early.estimate or 0.0
    verdict = (
        "higher: touches near the renewal went to accounts at risk, so the full-window "
        "estimate understates the effect"
        if early.low is not None and early.low > cov.estimate
        else "not higher, as expected when nothing reacts to risk (half a window measures "
        "coverage with more noise, which pulls an estimate towards zero): no sign of touches "
        "given in reaction to risk"
    )
    return [
        CAVEAT,
        f"Check: with coverage measured over the first half of the window only, before "
        f"touches given in reaction to risk near the renewal, the coverage effect is "
        f"{est:.3g} [{_num(early.low)}, {_num(early.high)}] against {cov.estimate:.3g}: {verdict}.",
    ]


def effects_renderable(ev: Evidence, flags: Flags | None = None) -> Group:
    """The evidence section of ``analyze`` and ``calibrate`` (hints spelled for ``flags``)."""
    parts: list[Any] = [Text("Evidence from the activity history", style="bold")]
    parts += [Text(render_text(line, flags)) for line in evidence_lines(ev)]
    fx = ev.effects
    if fx is None:
        parts.append(Text(f"no estimate: {ev.problem}", style="yellow"))
        return Group(*parts)
    parts += [_effect_table(fx), _baseline_table(fx), _band_table(fx)]
    parts += [Text(line) for line in _check_lines(fx)]
    return Group(*parts)


def effects_rows(ev: Evidence) -> list[dict[str, Any]]:
    """Tidy rows: one per effect and per segment baseline."""
    fx = ev.effects
    if fx is None:
        return []
    rows: list[dict[str, Any]] = [
        {
            "section": "effect",
            "name": e.key,
            "label": e.label,
            "identified": e.identified,
            "estimate": e.estimate,
            "low": e.low,
            "high": e.high,
            "method": e.method,
            "reason": e.reason,
            "plan": _plan(e),
            "renewals": e.renewals,
            "events": e.events,
        }
        for e in fx.effects
    ]
    rows += [
        {
            "section": "baseline",
            "name": s,
            "label": f"annual baseline {s}",
            "identified": True,
            "estimate": p,
            "low": lo,
            "high": hi,
            "method": "profile likelihood",
            "renewals": fx.per_segment[s][0],
            "events": fx.per_segment[s][1],
        }
        for s, (p, lo, hi) in fx.baselines.items()
    ]
    return rows


def effects_json_data(ev: Evidence, flags: Flags | None = None) -> dict[str, Any]:
    """The evidence as JSON-ready data."""
    fx = ev.effects
    out: dict[str, Any] = {
        "read": [render_text(line, flags) for line in evidence_lines(ev)],
        "unmatched_types": ev.mapping.unmatched,
        "unknown_accounts": dict(ev.unknown_accounts),
        "renewals_left_out": dict(ev.history.excluded),
        "problem": ev.problem or None,
    }
    if fx is not None:
        out["effects"] = effects_rows(ev)
        out["coverage_bands"] = [b.__dict__ for b in fx.bands]
        out["early_window_coverage_effect"] = fx.early.__dict__ if fx.early else None
        out["caveat"] = _check_lines(fx)
    return json_safe(out)


def effects_sheets(ev: Evidence, flags: Flags | None = None) -> list[Sheet]:
    """An "Effects" sheet: the estimates, the baselines, churn by coverage, the caveat."""
    fx = ev.effects
    intro = [render_text(line, flags) for line in evidence_lines(ev)]
    if fx is None:
        return [Sheet("Effects", [], [*intro, f"no estimate: {ev.problem}"])]
    rows = effects_rows(ev)
    table = Block(
        "Effects estimated from the history (95% intervals)",
        [
            Col("label", "Effect", width=34),
            Col("identified", "Identified"),
            Col("estimate", "Estimate", "num3"),
            Col("low", "95% low", "num3"),
            Col("high", "95% high", "num3"),
            Col("method", "Method", width=30),
            Col("plan", "Plan's value"),
            Col("renewals", "Renewals or accounts", "int"),
            Col("events", "Churned", "int"),
            Col("reason", "Why not identified", width=60),
        ],
        rows,
    )
    bands = Block(
        "Churn by coverage received",
        [
            Col("low", "Coverage from", "pct"),
            Col("high", "Coverage to", "pct"),
            Col("renewals", "Renewals", "int"),
            Col("churned", "Churned", "int"),
            Col("observed", "Observed churn", "pct"),
            Col("predicted", "Fitted churn", "pct"),
        ],
        [{**b.__dict__, "observed": b.churned / b.renewals} for b in fx.bands],
    )
    return [Sheet("Effects", [table, bands], [*intro, *_check_lines(fx)])]
