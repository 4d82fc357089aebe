"""The words of churn reasons: which spellings are one reason, which say nothing.

:func:`reason_key` is the forgiving key :mod:`simulator.analysis.churn_reasons` groups
reasons by; :data:`UNINFORMATIVE` the keys that say nothing about why a customer left
(``Other``, ``N/A``, ``-``); :func:`says_no_contact` spots reasons claiming there was no
engagement, relationship or contact, which an activity history can contradict.
"""

from __future__ import annotations

import re

__all__ = ["UNINFORMATIVE", "is_informative", "reason_key", "says_no_contact"]

UNINFORMATIVE = frozenset(
    {
        "",
        "other",
        "unknown",
        "na",
        "none",
        "misc",
        "miscellaneou",
        "not specified",
        "unspecified",
        "not known",
        "no reason",
        "no reason given",
        "not applicable",
        "tbd",
        "tbc",
        "null",
        "nan",
        "nil",
        "see note",
        "other see note",
        "blank",
        "various",
    }
)
"""Reason keys (see :func:`reason_key`) that say nothing about why a customer left."""

_NO_CONTACT = re.compile(
    r"\b(?:no|not|lack of|lost|without|never|zero)\s+"
    r"(?:engagement|engaged|relationship|contact|response|responsive|touch|touches|csm|"
    r"communication)\b"
    r"|\bdis ?engag\w*|\bwent dark\b|\bgone dark\b|\bwent silent\b|\bgone silent\b"
    r"|\bun ?responsive\b|\bnon ?responsive\b|\bghost\w*|\bno one to talk to\b"
    r"|\bcould not reach\b|\bcouldnt reach\b|\bunreachable\b"
)


def _squash(text: str) -> str:
    """Lower case, apostrophes dropped, ``&`` as ``and``, other punctuation as spaces."""
    s = text.lower().replace("'", "").replace("\u2019", "").replace("&", " and ")
    return " ".join(re.sub(r"[^\w]|_", " ", s).split())


def reason_key(text: str) -> str:
    """The key reasons are grouped by: ``"Budget-Cuts."`` and ``"budget cut"`` share one.

    Case, spacing and punctuation are ignored; runs of single letters are joined
    (``"N/A"`` -> ``"na"``); a plural ``s`` is dropped from words of four letters or
    more (not ``ss``). A reason of punctuation only (``"-"``) has the key ``""``.
    """
    out: list[str] = []
    run = ""
    for w in _squash(text).split():
        if len(w) == 1:
            run += w
            continue
        if run:
            out.append(run)
            run = ""
        out.append(w[:-1] if len(w) >= 4 and w.endswith("s") and not w.endswith("ss") else w)
    if run:
        out.append(run)
    return " ".join(out)


def is_informative(text: str) -> bool:
    """Whether a reason as written says something (not ``Other``, ``N/A``, ``-``...)."""
    return reason_key(text) not in UNINFORMATIVE


def says_no_contact(text: str) -> bool:
    """Whether a reason says the account had no engagement, relationship or contact."""
    return bool(_NO_CONTACT.search(_squash(text)))
