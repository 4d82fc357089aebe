"""Which engagement-model changes a tradeoff may offer: the rules a CS leader sets.

By default (each rule can be lifted):

- renewals and executive business reviews of **high-touch** segments are not cut, halved
  or automated. A segment is high-touch when its coverage is ``dedicated`` and its
  starting ARR per account is at least :attr:`CandidateRules.high_touch_arr`. A touchpoint
  is a renewal or a business review when its trigger is ``before_renewal``, its purpose
  is ``expansion``, or its name has a word ``renewal(s)``, ``ebr(s)`` or ``qbr(s)``, or
  the words ``business`` and ``review(s)`` (words split on anything but letters and
  digits);
- implementation and onboarding work (purpose ``milestone``, or a ``stage_entry`` touch
  of the ``onboarding`` stage) is not moved to one_to_many, in any segment, and in a
  high-touch segment it is not cut, halved or automated either (a $300k account's
  implementation workshop is not an email);
- a renewal conversation is never offered as a one_to_many session (not a rule: no
  option lifts it);
- touchpoints in :attr:`CandidateRules.keep` are never changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from simulator.analysis.tradeoff_changes import Change
from simulator.scenario.model import Scenario, Segment, Touchpoint

__all__ = [
    "CandidateRules",
    "Exclusion",
    "apply_rules",
    "check_rules",
    "is_high_touch",
    "is_onboarding",
    "is_renewal_or_ebr",
]


@dataclass(frozen=True)
class CandidateRules:
    """The changes a tradeoff may offer (defaults: what a CS leader accepts)."""

    renewal_changes: bool = False
    """Allow cutting, halving and automating renewals and EBRs of high-touch segments."""
    onboarding_one_to_many: bool = False
    """Allow moving implementation and onboarding touches to one_to_many sessions."""
    onboarding_changes: bool = False
    """Allow cutting, halving and automating onboarding touches of high-touch segments."""
    keep: frozenset[str] = field(default_factory=frozenset)
    """Touchpoints never changed: ``NAME`` (in every segment of the team) or
    ``SEGMENT.NAME``; ``inbound`` or ``SEGMENT.inbound`` keeps the inbound routing."""
    high_touch_arr: float = 100_000.0
    """Starting ARR per account (currency) from which a dedicated segment is high-touch."""


@dataclass(frozen=True)
class Exclusion:
    """A candidate change the rules left out."""

    change: str
    """The change's label, e.g. ``automate top.renewal``."""
    rule: str
    """The rule: ``renewal_changes``, ``onboarding_changes``, ``onboarding_one_to_many`` or
    ``keep``."""
    reason: str
    """Why, in words."""


def is_high_touch(seg: Segment, rules: CandidateRules) -> bool:
    """Dedicated coverage and starting ARR per account at least ``rules.high_touch_arr``."""
    n = seg.starting_accounts
    return seg.coverage == "dedicated" and n > 0 and seg.starting_arr / n >= rules.high_touch_arr


def is_renewal_or_ebr(name: str, tp: Touchpoint) -> bool:
    """A renewal or a (quarterly or executive) business review, by trigger, purpose or name."""
    words = set(re.split(r"[^a-z0-9]+", name.lower()))
    return (
        tp.trigger.kind == "before_renewal"
        or tp.purpose == "expansion"
        or bool(words & {"renewal", "renewals", "ebr", "ebrs", "qbr", "qbrs"})
        or {"business", "review"} <= words
        or {"business", "reviews"} <= words
    )


def is_onboarding(tp: Touchpoint) -> bool:
    """Implementation or onboarding work: a milestone or an onboarding stage_entry touch."""
    trig = tp.trigger
    return tp.purpose == "milestone" or (
        trig.kind == "stage_entry" and getattr(trig, "stage", None) == "onboarding"
    )


def check_rules(s: Scenario, team: str, rules: CandidateRules) -> None:
    """Refuse a ``keep`` entry that names no touchpoint of ``team``'s segments.

    Raises
    ------
    ValueError
        Naming the entry and the touchpoints there are.
    """
    segments = s.segments_of(team)
    known = {"inbound"} | {f"{x}.inbound" for x in segments}
    for x in segments:
        for name in s.segments[x].touchpoints:
            known |= {name, f"{x}.{name}"}
    for entry in sorted(rules.keep):
        if entry not in known:
            names = sorted(k for k in known if "." in k)
            raise ValueError(
                f"no touchpoint of team {team}'s segments is named {entry!r}; give NAME or "
                f"SEGMENT.NAME of one of: {', '.join(names)}"
            )


def _breach(s: Scenario, ch: Change, rules: CandidateRules) -> tuple[str, str] | None:
    """The rule ``ch`` breaks and why, or None."""
    seg_name, _, name = ch.target.partition(".")
    if {name, ch.target} & rules.keep:
        return "keep", f"{ch.target} is kept as it is"
    seg = s.segments[seg_name]
    tp = seg.touchpoints.get(name)
    if tp is None:  # the inbound routing
        return None
    if (
        not rules.renewal_changes
        and ch.kind in ("cut", "halve", "automate")
        and is_renewal_or_ebr(name, tp)
        and is_high_touch(seg, rules)
    ):
        per_account = seg.starting_arr / seg.starting_accounts
        return (
            "renewal_changes",
            f"a renewal or EBR of high-touch {seg_name} (dedicated, {per_account:,.0f} ARR "
            f"per account >= {rules.high_touch_arr:,.0f})",
        )
    if (
        not rules.onboarding_changes
        and ch.kind in ("cut", "halve", "automate")
        and is_onboarding(tp)
        and is_high_touch(seg, rules)
    ):
        return (
            "onboarding_changes",
            f"implementation or onboarding work of high-touch {seg_name} is delivered by a CSM",
        )
    if not rules.onboarding_one_to_many and ch.kind == "one_to_many" and is_onboarding(tp):
        return "onboarding_one_to_many", "implementation or onboarding work stays one_to_one"
    return None


def apply_rules(
    s: Scenario, changes: list[Change], rules: CandidateRules
) -> tuple[list[Change], list[Exclusion]]:
    """The changes the rules allow, and the ones they exclude with the reason."""
    kept: list[Change] = []
    excluded: list[Exclusion] = []
    for ch in changes:
        breach = _breach(s, ch, rules)
        if breach is None:
            kept.append(ch)
        else:
            excluded.append(Exclusion(ch.label, *breach))
    return kept, excluded
