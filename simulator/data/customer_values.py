"""Customer-list cells with words in them: account status, lifecycle stage, contract term.

Exports spell these many ways (``Closed Lost``, ``Steady State``, ``12 months``); the
functions here read them into the values the analysis uses and say when they cannot.
"""

from __future__ import annotations

import re
from typing import Any

from simulator.data.errors import cell_text
from simulator.data.headers import normalise_header

__all__ = [
    "NO_WORDS",
    "PROSPECT_STAGES",
    "STAGES",
    "normalise_stage",
    "parse_status",
    "parse_term_months",
]

STAGES = ("onboarding", "adoption", "steady", "renewal")
_STAGE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "onboarding",
        (
            "onboarding",
            "onboard",
            "implementation",
            "implementing",
            "kickoff",
            "kick off",
            "setup",
            "set up",
            "welcome",
            "new customer",
            "getting started",
        ),
    ),
    (
        "adoption",
        (
            "adoption",
            "adopting",
            "adopt",
            "ramp",
            "ramping",
            "ramp up",
            "enablement",
            "activation",
            "value realization",
            "value realisation",
        ),
    ),
    ("renewal", ("renewal", "renewing", "renew", "renewals")),
    (
        "steady",
        (
            "steady",
            "steady state",
            "live",
            "mature",
            "ongoing",
            "bau",
            "business as usual",
            "established",
            "maintenance",
            "retention",
            "stable",
        ),
    ),
)
_CHURNED = {
    "churned",
    "churn",
    "cancelled",
    "canceled",
    "cancel",
    "lost",
    "closed lost",
    "inactive",
    "terminated",
    "former",
    "former customer",
    "ex customer",
    "not renewed",
    "non renewed",
    "did not renew",
    "expired",
    "lapsed",
    "left",
    "deactivated",
    "discontinued",
}
_ACTIVE = {
    "active",
    "customer",
    "live",
    "renewed",
    "current",
    "paying",
    "existing",
    "closed won",
    "won",
    "in contract",
    "activated",
}
PROSPECT_STAGES = frozenset(
    {
        "subscriber",
        "lead",
        "marketing qualified lead",
        "sales qualified lead",
        "mql",
        "sql",
        "opportunity",
        "prospect",
    }
)
"""Lifecycle stages (lower case) of companies that are not customers yet: HubSpot's
stages before ``Customer``; read only when the list has no status column."""
_YES = {"yes", "y", "true", "t", "1", "x", "✓", "✔", "ja", "oui", "si"}
NO_WORDS = frozenset({"no", "n", "false", "f", "0", "nein", "non"})
"""Cell texts meaning "no" (``no``, ``false``, ``0``...), lower case."""
_CHURN_HEADER_WORDS = {"churned", "churn", "cancelled", "canceled", "lost", "terminated"}
_TERM = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(months?|mos?|mths?|m|years?|yrs?|y)?$", re.IGNORECASE)


def normalise_stage(value: Any) -> str | None:
    """``"Steady State"`` -> ``"steady"``, ``"Live"`` -> ``"steady"``, ``"Adopting"`` ->
    ``"adoption"``; unrecognised text is returned as written; blank -> None."""
    text = cell_text(value)
    if not text:
        return None
    words = " " + " ".join(re.sub(r"[^\w]|_", " ", text.lower()).split()) + " "
    for stage, keys in _STAGE_WORDS:
        if words.strip() in keys:
            return stage
    for stage, keys in _STAGE_WORDS:
        if any(f" {k} " in words for k in keys):
            return stage
    return text


def parse_status(value: Any, header: str = "status") -> bool | None:
    """Whether a status cell says churned: True, False, or None when not recognised.

    Parameters
    ----------
    value
        The cell: ``Active``, ``Churned``, ``Closed Lost``... or yes/no.
    header
        The column's header; yes/no mean churned under ``Churned``/``Churn`` and active
        under ``Active``, and are not recognised under other headers.
    """
    text = " ".join(re.sub(r"[^\w✓✔]|_", " ", cell_text(value).lower()).split())
    if text in _CHURNED:
        return True
    if text in _ACTIVE:
        return False
    words = set(normalise_header(header).split())
    if text in _YES or text in NO_WORDS:
        if words & _CHURN_HEADER_WORDS:
            return text in _YES
        if "active" in words:
            return text in NO_WORDS
    return None


def parse_term_months(value: Any) -> float:
    """A contract term in months: ``12``, ``"12 months"``, ``"1 year"``, ``"annual"``.

    Raises
    ------
    ValueError
        With a short reason.
    """
    if isinstance(value, bool):
        raise ValueError("a true/false value is not a term")
    if isinstance(value, (int, float)):
        return float(value)
    text = cell_text(value).lower()
    if not text:
        raise ValueError("blank")
    if text in ("annual", "yearly", "annually"):
        return 12.0
    if text in ("monthly", "month to month", "month-to-month"):
        return 1.0
    m = _TERM.match(text)
    if not m:
        raise ValueError("not a number of months")
    number = float(m.group(1).replace(",", "."))
    unit = (m.group(2) or "m").lower()
    return number * 12 if unit.startswith("y") else number
