"""The tables behind :mod:`simulator.analysis.activity_map`: phrases that name
touchpoints, generic activity types, and words that do not count.

Each alias names touchpoints in order of preference; the first that a segment has is
used, so one table serves segments with a ``qbr`` and segments with a
``business_review``. Phrases and types are compared as lower-case words with a plural
``s`` dropped (``"Check-ins"`` holds ``check in``).
"""

from __future__ import annotations

__all__ = [
    "ALIASES",
    "ALIAS_TABLE",
    "GENERIC_TYPES",
    "NOT_COUNTED",
    "PREPARATION",
    "WHOLE_ALIASES",
    "alias_table",
]

ALIASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("quarterly business review", ("qbr", "business_review")),
    ("executive business review", ("ebr", "business_review")),
    ("executive review", ("ebr", "business_review")),
    ("business review", ("business_review", "qbr")),
    ("qbr", ("qbr", "business_review")),
    ("ebr", ("ebr", "business_review")),
    ("onboarding kickoff", ("kickoff",)),
    ("kickoff", ("kickoff",)),
    ("kick off", ("kickoff",)),
    ("welcome call", ("kickoff",)),
    ("onboarding session", ("onboarding_session", "implementation_workshop")),
    ("onboarding call", ("onboarding_session", "implementation_workshop")),
    ("onboarding meeting", ("onboarding_session", "implementation_workshop")),
    ("implementation", ("implementation_workshop", "onboarding_session")),
    ("value review", ("first_value_review",)),
    ("health check", ("health_check", "check_in_call")),
    ("healthcheck", ("health_check", "check_in_call")),
    ("check in", ("check_in_call", "health_check")),
    ("checkin", ("check_in_call", "health_check")),
    ("status call", ("health_check", "check_in_call")),
    ("touch base", ("health_check", "check_in_call")),
    ("renewal call", ("renewal",)),
    ("renewal meeting", ("renewal",)),
    ("renewal discussion", ("renewal",)),
    ("renewal negotiation", ("renewal",)),
    ("training", ("training", "onboarding_webinar")),
    ("enablement", ("training", "onboarding_webinar")),
    ("webinar", ("onboarding_webinar", "training")),
    ("escalation", ("escalation",)),
    ("escalated", ("escalation",)),
    ("save play", ("escalation",)),
    ("support ticket", ("request",)),
    ("support request", ("request",)),
    ("feature request", ("request",)),
    ("ticket", ("request",)),
    ("complaint", ("request",)),
)
"""Phrase found as whole words in a type -> touchpoints it means, in order of preference."""

WHOLE_ALIASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("question", ("request",)),
    ("incident", ("request",)),
    ("problem", ("request",)),
    ("support case", ("request",)),
    ("case", ("request",)),
)
"""Words that name a touchpoint only as the whole type (a helpdesk's ticket types)."""

GENERIC_TYPES: frozenset[str] = frozenset(
    (
        "call",
        "phone call",
        "log a call",
        "logged call",
        "outbound call",
        "inbound call",
        "meeting",
        "in person meeting",
        "video call",
        "email",
        "e mail",
        "sent email",
        "task",
        "to do",
        "todo",
        "other",
        "event",
        "note",
        "update",
        "activity",
        "follow up",
    )
)
"""Types that say how, not what: their subject line decides the touchpoint (rule 5)."""

PREPARATION: frozenset[str] = frozenset({"prep", "preparation", "prepare", "preparing", "internal"})
"""Words that mark work *for* a touchpoint rather than the touchpoint itself (``"QBR
prep"``, ``"Internal renewal sync"``): such a type or subject is never matched by name,
alias or words (an override still can)."""

NOT_COUNTED: frozenset[str] = frozenset(
    (
        "a",
        "an",
        "and",
        "or",
        "the",
        "of",
        "for",
        "to",
        "with",
        "on",
        "in",
        "at",
        "by",
        "from",
        "about",
        "after",
        "before",
        "re",
        "fw",
        "fwd",
        "call",
        "meeting",
        "email",
        "mail",
        "task",
        "other",
        "session",
        "review",
        "update",
        "note",
        "event",
        "follow",
        "up",
        "sync",
        "discussion",
        "prep",
        "customer",
        "account",
        "csm",
        "routed",
    )
)
"""Words that do not count in the word-overlap rule: fillers, and words saying how
rather than what (call, meeting, session, review...)."""


def alias_table() -> str:
    """A Markdown table of :data:`ALIASES` and :data:`WHOLE_ALIASES`: phrase, where it is
    looked for, and the touchpoints it names in order of preference."""
    rows = ["| phrase | found | touchpoints, first that exists |", "|---|---|---|"]
    for table, where in ((ALIASES, "anywhere in the type"), (WHOLE_ALIASES, "as the whole type")):
        for phrase, names in table:
            rows.append(f"| {phrase} | {where} | {', '.join(f'`{n}`' for n in names)} |")
    return "\n".join(rows) + "\n"


ALIAS_TABLE = alias_table()
"""Markdown table of the alias phrases (for docs/data-activities.md)."""
