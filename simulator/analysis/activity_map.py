"""Which scenario touchpoint each logged activity delivers: CRM activity types matched
to touchpoint names.

:func:`map_activities` takes the activities of a history
(:func:`simulator.data.activities.read_activities`) and the touchpoints of a segment
(name -> description; pass those activities can deliver, leaving out automated ones)
and decides, once per activity type as written, which touchpoint it is. The rules, in
order; the first that gives an answer wins (a type or subject that says it is
preparation, :data:`~simulator.analysis.activity_aliases.PREPARATION`, such as ``"QBR
prep"``, is matched by rule 1 only):

1. **Overrides** (``activity_map={TYPE: touchpoint}``; ``--activity-map TYPE=touchpoint`` on the command line): the type, compared ignoring case
   and runs of spaces, goes to the named touchpoint (named exactly, ignoring case, or
   by its key as in rule 2). ``TYPE=-`` or ``TYPE=none`` leaves the type unmatched on
   purpose: it is not reported as unmatched. A touchpoint that does not exist is an
   error (:class:`ValueError` listing the names); a TYPE found in no activity is a
   warning.
2. **Name** (``how="name"``): the type's key equals a touchpoint's. A key is the text
   in lower case with anything but letters and digits as ``_``
   (:func:`simulator.analysis.timesheet.touchpoint_name`, as timesheet activities become
   touchpoints), and a plural ``s`` dropped from each word: ``"Health Check"``,
   ``"health-check"`` and ``"HEALTH_CHECKS"`` are all ``health_check``.
3. **Alias** (``how="alias"``): the type holds a phrase of :data:`ALIASES` as whole
   words (``"QBR - Q3 2025"`` holds ``qbr``), or is one of :data:`WHOLE_ALIASES`
   (``"Incident"``); the phrase names touchpoints in order of preference and the first
   that exists in the segment is used, so ``"QBR"`` is ``qbr`` where the segment has
   one and ``business_review`` where it has that instead. The phrase with most words
   wins (``"quarterly business review"`` before ``"business review"``). A phrase none
   of whose touchpoints exists falls through to rule 4.
4. **Words** (``how="words"``): the touchpoint whose name and description share most
   words with the type (plural ``s`` dropped; generic words such as call, meeting,
   email, session, review, follow up, prep, and numbers, do not count). One shared
   word is enough (``"Risk review"`` -> escalation, described as "Save play after a
   risk event"); a tie between touchpoints is broken by words in the name, else the
   type stays unmatched with a warning.
5. **Subject** (``how="subject"``): a *generic* type (:data:`GENERIC_TYPES`: Call,
   Meeting, Email, Task, Other, Event, Note, To Do, Log a Call...) that rules 2-4 do not
   match is decided activity by activity from its subject line, by rules 2-4:
   ``Call`` with subject ``"Quarterly business review"`` is a ``qbr``. Its other
   activities stay unmatched.

The tables are in :mod:`simulator.analysis.activity_aliases` (:data:`ALIAS_TABLE`
renders them for the docs). Types that none of this matches are reported with their counts
(:attr:`ActivityMap.unmatched`) so that they can be mapped with ``activity_map``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from simulator.analysis.activity_aliases import (
    ALIAS_TABLE,
    ALIASES,
    GENERIC_TYPES,
    NOT_COUNTED,
    PREPARATION,
    WHOLE_ALIASES,
)
from simulator.analysis.timesheet import touchpoint_name
from simulator.data.activities import Activity
from simulator.errors import Hint, did_you_mean, hinted

__all__ = [
    "ALIASES",
    "ALIAS_TABLE",
    "GENERIC_TYPES",
    "WHOLE_ALIASES",
    "ActivityMap",
    "map_activities",
    "parse_activity_map",
]

_MANUAL = "override"
"""The ``how`` of a type the caller mapped (``activity_map``)."""
_UNMATCHED = {"-", "none"}


def _stem(word: str) -> str:
    """A word without a plural ``s`` (``qbrs`` -> ``qbr``; ``class``, ``bus`` kept)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _words(text: str) -> list[str]:
    """Lower-case words of ``text``, plural ``s`` dropped: ``"Check-ins"`` -> check, in."""
    return [_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())]


def _key(text: str) -> str:
    """A name's key: :func:`touchpoint_name` with each word's plural ``s`` dropped."""
    return "_".join(_stem(w) for w in touchpoint_name(text).split("_"))


_PHRASES = [(_words(p), names) for p, names in ALIASES]
_WHOLE = {" ".join(_words(p)): names for p, names in WHOLE_ALIASES}
_GENERIC = {" ".join(_words(t)) for t in GENERIC_TYPES}


@dataclass
class ActivityMap:
    """The touchpoint of each activity type of a history.

    Attributes
    ----------
    touchpoint_of
        Activity type as written -> touchpoint name; None when the type itself is not
        matched (a generic type may still be matched activity by activity, see
        :attr:`by_subject`).
    how
        Type -> the rule that decided: ``"override"`` (``activity_map``), ``"name"``, ``"alias"``,
        ``"words"``, ``"subject"`` (some activities matched by subject) or
        ``"unmatched"``.
    counts
        Type -> number of activities.
    warnings
        Override types found in no activity, ties between touchpoints.
    by_subject
        (generic type, subject as written) -> touchpoint (None: unmatched).
    missing
        Type -> activities of it with no touchpoint (deliberately unmatched types
        excluded).
    """

    touchpoint_of: dict[str, str | None]
    how: dict[str, str]
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    by_subject: dict[tuple[str, str], str | None] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)

    @property
    def unmatched(self) -> dict[str, int]:
        """Type -> activities with no touchpoint, most frequent first (then by type)."""
        ranked = sorted(self.missing.items(), key=lambda kv: (-kv[1], kv[0]))
        return {t: n for t, n in ranked if n > 0}

    def touchpoint(self, activity: Activity) -> str | None:
        """The touchpoint an activity delivers, or None (also for types not mapped)."""
        tp = self.touchpoint_of.get(activity.type)
        if tp is not None or self.how.get(activity.type) == _MANUAL:
            return tp
        if activity.subject is None:
            return None
        return self.by_subject.get((activity.type, activity.subject))


class _Matcher:
    """Rules 2-4 for one segment's touchpoints."""

    def __init__(self, touchpoints: Mapping[str, str]) -> None:
        self.names = list(touchpoints)
        self.by_key = {_key(n): n for n in self.names}
        self.words = {
            n: (
                set(_words(n.replace("_", " "))) - NOT_COUNTED,
                set(_words(d or "")) - NOT_COUNTED,
            )
            for n, d in touchpoints.items()
        }
        self.ties: dict[str, list[str]] = {}

    def match(self, text: str) -> tuple[str | None, str]:
        """(touchpoint or None, rule) for one type or subject; ties are kept in
        :attr:`ties` (text -> touchpoints sharing as many words)."""
        if PREPARATION & set(_words(text)):
            return None, "unmatched"
        name = self.by_key.get(_key(text))
        if name is not None:
            return name, "name"
        alias = self._alias(_words(text))
        if alias is not None:
            return alias, "alias"
        return self._by_words(text), "words"

    def _alias(self, words: list[str]) -> str | None:
        """The first existing touchpoint of the longest phrase the words hold."""
        held = [i for i, (phrase, _) in enumerate(_PHRASES) if _holds(words, phrase)]
        held.sort(key=lambda i: (-len(_PHRASES[i][0]), i))
        candidates = [_PHRASES[i][1] for i in held]
        whole = _WHOLE.get(" ".join(words))
        if whole is not None:
            candidates.append(whole)
        for names in candidates:
            for n in names:
                if _key(n) in self.by_key:
                    return self.by_key[_key(n)]
        return None

    def _by_words(self, text: str) -> str | None:
        words = {w for w in _words(text) if not w.isdigit() and len(w) > 1} - NOT_COUNTED
        if not words:
            return None
        scored = []
        for n in self.names:
            in_name, in_desc = self.words[n]
            shared = words & (in_name | in_desc)
            if shared:
                scored.append((len(shared), len(words & in_name), n))
        if not scored:
            return None
        scored.sort(key=lambda s: (-s[0], -s[1]))
        best = [s for s in scored if s[:2] == scored[0][:2]]
        if len(best) > 1:
            self.ties[text] = [s[2] for s in best]
            return None
        return best[0][2]


def _holds(words: Sequence[str], phrase: Sequence[str]) -> bool:
    """Whether ``phrase`` occurs in ``words`` as consecutive whole words."""
    n = len(phrase)
    return any(list(words[i : i + n]) == list(phrase) for i in range(len(words) - n + 1))


def _fold(text: str) -> str:
    """A type compared ignoring case and runs of spaces."""
    return " ".join(text.casefold().split())


def _resolve(value: str, touchpoints: Mapping[str, str], key: str) -> str | None:
    """The touchpoint an override names (None: deliberately unmatched).

    Raises
    ------
    ValueError
        A touchpoint the segment does not have.
    """
    wanted = value.strip()
    if wanted.casefold() in _UNMATCHED:
        return None
    for test in (
        lambda n: n == wanted,
        lambda n: n.casefold() == wanted.casefold(),
        lambda n: _key(n) == _key(wanted),
    ):
        for n in touchpoints:
            if test(n):
                return n
    raise ValueError(
        hinted(
            _hint(key, value),
            f": there is no touchpoint {wanted!r}{did_you_mean(wanted, touchpoints)}; "
            f"touchpoints are: {', '.join(touchpoints)} (or ",
            _hint(key, "-"),
            " to leave the type unmatched)",
        )
    )


def _hint(kind: str, touchpoint: str) -> Hint:
    """``activity_map={kind: touchpoint}`` (``--activity-map kind=touchpoint``)."""
    return Hint("activity_map", {kind: touchpoint}, f"'{kind}={touchpoint}'")


def map_activities(
    activities: Sequence[Activity],
    touchpoints: Mapping[str, str],
    activity_map: Mapping[str, str] | None = None,
) -> ActivityMap:
    """Match each activity type (and, for generic types, each subject) to a touchpoint.

    Parameters
    ----------
    activities
        The activities of a history (of one segment, or all).
    touchpoints
        Touchpoint name -> description (``""`` if none), e.g. a segment's
        ``{k: t.description or "" for k, t in seg.touchpoints.items()}``.
    activity_map
        Chosen mappings (``--activity-map`` on the command line): activity type -> touchpoint name, or ``-``/``none``
        to leave the type unmatched on purpose.

    Returns
    -------
    ActivityMap
        See the module docstring for the rules.

    Raises
    ------
    ValueError
        An override naming a touchpoint that ``touchpoints`` does not have.
    """
    counts = dict(Counter(a.type for a in activities).most_common())
    matcher = _Matcher(touchpoints)
    result = ActivityMap(touchpoint_of={}, how={}, counts=counts)
    manual: dict[str, str | None] = {}
    for key, value in (activity_map or {}).items():
        target = _resolve(value, touchpoints, key)
        hits = [t for t in counts if _fold(t) == _fold(key)]
        if not hits:
            result.warnings.append(
                hinted(
                    _hint(key, value),
                    f": no activity has the type {key!r}{did_you_mean(key, counts)}",
                )
            )
        manual.update(dict.fromkeys(hits, target))
    subjects: dict[str, Counter[str]] = {}
    for a in activities:
        if a.subject is not None:
            subjects.setdefault(a.type, Counter())[a.subject] += 1
    for kind, n in counts.items():
        if kind in manual:
            result.touchpoint_of[kind], result.how[kind] = manual[kind], _MANUAL
            continue
        tp, how = matcher.match(kind)
        result.touchpoint_of[kind] = tp
        if tp is not None:
            result.how[kind] = how
            continue
        missed = n
        if " ".join(_words(kind)) in _GENERIC:
            for subject, m in subjects.get(kind, Counter()).items():
                by_subject = matcher.match(subject)[0]
                result.by_subject[(kind, subject)] = by_subject
                missed -= m if by_subject is not None else 0
        result.how[kind] = "subject" if missed < n else "unmatched"
        result.missing[kind] = missed
    result.warnings.extend(_tie_warnings(matcher.ties, result))
    return result


def _tie_warnings(ties: Mapping[str, list[str]], result: ActivityMap) -> list[str]:
    """One warning per type left unmatched by a tie, and one per generic type whose
    subjects tied."""
    out: list[str] = []
    for kind in result.counts:
        if kind in ties:
            out.append(
                hinted(
                    f"activity type {kind!r} shares as many words with "
                    f"{', '.join(ties[kind])}; left unmatched (choose with ",
                    _hint(kind, "TOUCHPOINT"),
                    ")",
                )
            )
        tied = [s for (k, s) in result.by_subject if k == kind and s in ties]
        if tied:
            out.append(
                f"{len(tied)} subject(s) of type {kind!r} share as many words with two or "
                f"more touchpoints (e.g. {tied[0]!r}: {', '.join(ties[tied[0]])}); left "
                "unmatched"
            )
    return out


def parse_activity_map(items: Iterable[str]) -> dict[str, str]:
    """``["Onboarding=kickoff", "Note=-"]`` -> ``{"Onboarding": "kickoff", "Note": "-"}``.

    The last ``=`` splits an item, so a type may itself hold ``=``.

    Raises
    ------
    ValueError
        An item without ``=``, or with an empty type or touchpoint.
    """
    out: dict[str, str] = {}
    for item in items:
        kind, sep, touchpoint = item.rpartition("=")
        if not sep or not kind.strip() or not touchpoint.strip():
            raise ValueError(
                f"expected TYPE=TOUCHPOINT, e.g. 'Onboarding Call=kickoff' (got {item!r})"
            )
        out[kind.strip()] = touchpoint.strip()
    return out
