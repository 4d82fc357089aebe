"""The fields cssim reads from customer lists and timesheets, and how columns are found.

Column headers are matched to fields by a forgiving rule:

1. the header is *normalised*: camelCase split, lower case, anything in brackets dropped
   (``ARR (USD)`` -> ``arr``, ``Term (months)`` -> ``term``), ``#`` read as "number",
   punctuation and underscores turned into spaces, currency words (``usd``, ``eur``...)
   and filler words (``in``, ``of``, ``the``) removed;
2. a header equal to one of a field's aliases (below) is an *exact* match; earlier
   aliases win over later ones;
3. otherwise a header containing all the words of an alias is a *guess*
   (``Current ARR 2024`` -> ARR); longer aliases win; headers naming a person, a score,
   a forecast and the like (``Account Owner``, ``Churn Risk``) are never guessed, and a
   guessed amount, date or hours column must hold mostly amounts, dates or hours;
   guesses are reported;
4. each column serves at most one field; ties go to the field listed first, and are
   reported as warnings;
5. ``--map field=column`` overrides all of this (``--map stage=`` ignores a field).

:data:`CUSTOMER_FIELD_TABLE` and :data:`TIMESHEET_FIELD_TABLE` render the fields and
aliases as Markdown tables for the README.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from simulator.data.blanks import is_missing
from simulator.data.dates import parse_date
from simulator.data.durations import parse_hours
from simulator.data.values import parse_money
from simulator.errors import DataError, Hint, Issue, data_issue, did_you_mean, hinted

__all__ = [
    "CUSTOMER_FIELDS",
    "CUSTOMER_FIELD_TABLE",
    "TIMESHEET_FIELDS",
    "TIMESHEET_FIELD_TABLE",
    "ColumnMatch",
    "FieldSpec",
    "field_table",
    "header_hits",
    "header_scale",
    "header_time_unit",
    "match_columns",
    "normalise_header",
    "parse_mapping",
]


@dataclass(frozen=True)
class FieldSpec:
    """One field a reader looks for.

    Attributes
    ----------
    name
        The field's name, as used in ``--map name=COLUMN``.
    label
        How messages name it (``"ARR"``).
    aliases
        Header spellings, already normalised, in order of preference.
    description
        What the field holds, with its unit.
    required
        Whether the file is unusable without it (see the reader for alternatives).
    kind
        ``"money"``, ``"date"``, ``"hours"`` or ``"text"``: a column *guessed* for a
        money, date or hours field must hold mostly such values.
    """

    name: str
    label: str
    aliases: tuple[str, ...]
    description: str
    required: bool = False
    kind: str = "text"


CUSTOMER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "id",
        "customer ID",
        (
            "id",
            "customer id",
            "account id",
            "account",
            "customer",
            "account number",
            "customer number",
            "crm id",
            "salesforce id",
            "sfdc id",
            "hubspot id",
            "client id",
            "company id",
            "organization id",
            "org id",
            "tenant id",
            "external id",
            "account key",
            "customer key",
            "acct id",
            "acct",
        ),
        "unique customer identifier (text); the name is used when there is no ID column",
        required=True,
    ),
    FieldSpec(
        "name",
        "customer name",
        (
            "name",
            "customer name",
            "account name",
            "company",
            "company name",
            "client",
            "client name",
            "organization",
            "organisation",
            "organization name",
            "legal name",
        ),
        "customer name (text)",
    ),
    FieldSpec(
        "segment",
        "segment",
        (
            "segment",
            "tier",
            "customer tier",
            "plan tier",
            "customer segment",
            "account segment",
            "account tier",
            "market segment",
            "plan",
            "size",
            "band",
        ),
        "segment or tier (text)",
    ),
    FieldSpec(
        "arr",
        "ARR",
        (
            "arr",
            "contract value",
            "acv",
            "annual contract value",
            "current arr",
            "annual recurring revenue",
            "current acv",
            "current contract value",
            "annual value",
            "annualized revenue",
            "annualised revenue",
            "annual revenue",
            "subscription value",
            "ending arr",
            "revenue",
            "amount",
        ),
        "current annual recurring revenue, currency units per year (last ARR for churned "
        "customers); '$12,000', '12.000,00 EUR', '12k' are all read",
        required=True,
        kind="money",
    ),
    FieldSpec(
        "mrr",
        "MRR",
        (
            "mrr",
            "monthly recurring revenue",
            "current mrr",
            "monthly value",
            "monthly fee",
            "monthly revenue",
            "monthly contract value",
        ),
        "monthly recurring revenue, currency units per month; used x12 when there is no ARR",
        kind="money",
    ),
    FieldSpec(
        "starting_arr",
        "starting ARR",
        (
            "starting arr",
            "starting contract value",
            "initial arr",
            "original contract value",
            "start acv",
            "first year acv",
            "starting acv",
            "original arr",
            "original acv",
            "initial acv",
            "initial contract value",
            "beginning arr",
            "opening arr",
            "arr at signing",
            "new arr",
        ),
        "ARR at the original contract, currency units per year",
        kind="money",
    ),
    FieldSpec(
        "contract_start",
        "contract start date",
        (
            "contract start",
            "original contract date",
            "customer since",
            "start date",
            "signed date",
            "close date",
            "contract start date",
            "original start date",
            "first contract date",
            "contract signed",
            "signing date",
            "contract date",
            "closed won date",
            "won date",
            "acquisition date",
            "since",
        ),
        "date the customer first signed (date)",
        kind="date",
    ),
    FieldSpec(
        "renewal_date",
        "renewal date",
        (
            "renewal date",
            "next renewal",
            "contract end",
            "end date",
            "renewal",
            "next renewal date",
            "contract end date",
            "term end",
            "term end date",
            "expiry date",
            "expiration date",
            "renews on",
            "renewal due",
        ),
        "next (or, for churned customers, last) renewal date (date)",
        kind="date",
    ),
    FieldSpec(
        "churn_date",
        "churn date",
        (
            "churn date",
            "cancellation date",
            "churned on",
            "cancel date",
            "churned date",
            "date churned",
            "cancelled on",
            "canceled on",
            "cancelled date",
            "canceled date",
            "lost date",
            "termination date",
        ),
        "date the customer left (date); a date here marks the customer churned",
        kind="date",
    ),
    FieldSpec(
        "status",
        "status",
        (
            "status",
            "account status",
            "customer status",
            "churned",
            "active",
            "churn status",
            "is churned",
            "is active",
            "churn",
            "churn flag",
            "state",
            "account state",
        ),
        "Active/Churned (or yes/no under a 'Churned' or 'Active' header)",
    ),
    FieldSpec(
        "stage",
        "lifecycle stage",
        (
            "stage",
            "lifecycle stage",
            "lifecycle",
            "phase",
            "customer stage",
            "journey stage",
            "lifecycle phase",
            "cs stage",
        ),
        "onboarding, adoption, steady or renewal (other text is kept as written)",
    ),
    FieldSpec(
        "term_months",
        "contract term",
        (
            "term",
            "contract term",
            "term months",
            "contract length",
            "term length",
            "contract months",
            "contract duration",
        ),
        "contract length in months ('12', '12 months', '1 year')",
    ),
)

TIMESHEET_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "person",
        "person",
        (
            "person",
            "name",
            "csm",
            "employee",
            "user",
            "owner",
            "staff",
            "team member",
            "member",
            "worker",
            "consultant",
            "user name",
            "username",
            "employee name",
            "full name",
            "csm name",
            "resource",
            "assignee",
            "logged by",
            "email",
        ),
        "who logged the time (text)",
        required=True,
    ),
    FieldSpec(
        "date",
        "date",
        (
            "date",
            "day",
            "work date",
            "entry date",
            "spent on",
            "start date",
            "date worked",
            "activity date",
            "log date",
            "worked on",
            "start",
        ),
        "day the work was done (date)",
        required=True,
        kind="date",
    ),
    FieldSpec(
        "activity",
        "activity",
        (
            "activity",
            "task",
            "category",
            "type",
            "activity type",
            "task type",
            "work type",
            "touchpoint",
            "service",
            "project",
            "tag",
            "tags",
        ),
        "kind of work, e.g. QBR, onboarding call, internal meeting (text)",
    ),
    FieldSpec(
        "account",
        "account",
        (
            "account",
            "customer",
            "client",
            "account id",
            "account name",
            "customer name",
            "customer id",
            "client name",
            "client id",
            "company",
        ),
        "customer the work was for (text); blank or 'internal' means internal work",
    ),
    FieldSpec(
        "hours",
        "hours",
        (
            "hours",
            "duration",
            "time",
            "hrs",
            "time spent",
            "hours worked",
            "hours spent",
            "logged hours",
            "effort",
            "minutes",
            "mins",
        ),
        "time spent, hours ('1.5', '1:30', '90m'; bare numbers are minutes when the "
        "header says so, e.g. 'Duration (min)')",
        required=True,
        kind="hours",
    ),
)

# --------------------------------------------------------------------- normalisation

_BRACKETS = re.compile(r"[(\[{][^)\]}]*[)\]}]")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_DROP_TOKENS = {
    "usd",
    "eur",
    "gbp",
    "cad",
    "aud",
    "chf",
    "jpy",
    "sek",
    "nok",
    "dkk",
    "inr",
    "in",
    "of",
    "the",
}
# header words that rule out a *guessed* (word-containment) match
_NEVER_GUESS = {
    "owner",
    "manager",
    "rep",
    "email",
    "phone",
    "note",
    "notes",
    "comment",
    "comments",
    "url",
    "link",
    "health",
    "score",
    "nps",
    "reason",
    "risk",
    "probability",
    "likelihood",
    "forecast",
    "expected",
    "projected",
    "planned",
    "target",
    "count",
    "region",
    "country",
    "industry",
    "address",
    "by",
}


@functools.lru_cache(maxsize=4096)
def _normalise_text(raw: str) -> str:
    raw = _CAMEL.sub(" ", raw)
    out = _normalise(_BRACKETS.sub(" ", raw))
    return out or _normalise(raw)


def normalise_header(text: object) -> str:
    """A header reduced for matching: ``"ARR (USD)"`` -> ``"arr"``.

    ``"Customer_ID"``, ``"customerId"`` and ``"Customer ID #"`` all become
    ``"customer id"`` (the last as ``"customer id number"``).
    """
    return _normalise_text("" if text is None else str(text).strip())


def _normalise(text: str) -> str:
    s = text.lower().replace("#", " number ").replace("&", " and ")
    s = re.sub(r"[^\w\s]|_", " ", s)
    return " ".join(t for t in s.split() if t not in _DROP_TOKENS)


def header_scale(header: str) -> float:
    """Multiplier for money columns labelled in thousands or millions.

    ``"ARR ($k)"``, ``"ARR (000s)"``, ``"ARR in thousands"`` -> 1000; ``"ARR ($M)"``,
    ``"ARR (millions)"`` -> 1e6; anything else -> 1.
    """
    h = header.lower()
    if re.search(r"\(\s*[$€£]?\s*k\s*\)|\b000s?\b|'000|thousands|\btsd\b", h):
        return 1e3
    if re.search(r"\(\s*[$€£]?\s*(?:m|mm|mn|mio)\s*\)|millions", h):
        return 1e6
    return 1.0


def header_time_unit(header: str) -> str:
    """``"minutes"`` when a duration header says minutes (``Duration (min)``), else ``"hours"``."""
    words = set(re.sub(r"[^\w]|_", " ", header.lower()).split())
    return "minutes" if words & {"min", "mins", "minute", "minutes"} else "hours"


# ------------------------------------------------------------------------- matching

_ALL_ALIASES = frozenset(a for f in CUSTOMER_FIELDS + TIMESHEET_FIELDS for a in f.aliases)


def header_hits(cells: Iterable[object]) -> int:
    """How many cells are exactly a known alias (of any customer or timesheet field)."""
    seen = set()
    for cell in cells:
        norm = normalise_header(cell)
        if norm in _ALL_ALIASES:
            seen.add(norm)
    return len(seen)


@dataclass
class ColumnMatch:
    """Which column serves which field.

    Attributes
    ----------
    columns
        Field name -> 0-based column index.
    headers
        Field name -> the column's header as written in the file.
    how
        Field name -> ``"exact"`` (header is an alias), ``"guess"`` (header contains an
        alias's words), ``"--map"`` (chosen by the user) or ``"name"`` (ID taken from
        the name column).
    warnings
        Ambiguities resolved by preference, for the report.
    """

    columns: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def get(self, name: str) -> int | None:
        """Column index of a field, or None."""
        return self.columns.get(name)


def _score(header_norm: str, spec: FieldSpec) -> tuple[int, str, str] | None:
    """(score, kind, alias) of the best alias of ``spec`` for a header, or None."""
    if not header_norm:
        return None
    for i, alias in enumerate(spec.aliases):
        if header_norm == alias:
            return 10_000 - i, "exact", alias
    words = header_norm.split()
    if set(words) & _NEVER_GUESS:
        return None
    best: tuple[int, str, str] | None = None
    for alias in spec.aliases:
        tokens = alias.split()
        if all(t in words for t in tokens):
            # more alias words, and fewer extra header words, make a better guess
            score = 100 * len(tokens) - (len(words) - len(tokens))
            if best is None or score > best[0]:
                best = (score, "guess", alias)
    return best


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "money": parse_money,
    "date": parse_date,
    "hours": parse_hours,
}


def _values_fit(kind: str, values: Sequence[Any]) -> bool:
    """Whether most non-blank values (of the first 50) parse as ``kind``."""
    parse = _PARSERS.get(kind)
    if parse is None:
        return True
    present = [v for v in values if not is_missing(v)][:50]
    if not present:
        return True
    ok = 0
    for v in present:
        try:
            parse(v)
        except ValueError:
            continue
        ok += 1
    return ok * 2 >= len(present)


def _field_key(key: str) -> str:
    return re.sub(r"[\s\-]+", "_", key.strip().lower())


def _find_column(value: str, header: Sequence[str]) -> int | None:
    for test in (
        lambda h: h == value,
        lambda h: h.strip().lower() == value.strip().lower(),
        lambda h: normalise_header(h) == normalise_header(value) and normalise_header(h),
    ):
        for i, h in enumerate(header):
            if test(h):
                return i
    return None


def _listing(header: Sequence[str]) -> str:
    names = [h for h in header if h.strip()]
    if not names:
        return "the header row is empty"
    shown = ", ".join(repr(h) for h in names[:25])
    return "columns are: " + shown + (f" and {len(names) - 25} more" if len(names) > 25 else "")


def match_columns(
    header: Sequence[str],
    fields: Sequence[FieldSpec],
    mapping: Mapping[str, str] | None = None,
    *,
    file: str,
    line: int | None = None,
    required: Sequence[tuple[str, ...]] = (),
    what: str = "the data file",
    samples: Sequence[Sequence[Any]] | None = None,
) -> ColumnMatch:
    """Assign columns to fields by alias, with ``--map`` overrides.

    Parameters
    ----------
    header
        The header cells as written.
    fields
        The fields to look for, in order of preference.
    mapping
        Field name -> header (``{"arr": "Yearly Fee"}``); an empty header ignores the
        field. Field names are case-insensitive; headers match exactly, then ignoring
        case, then after normalisation.
    file, line
        Where the header is, for messages.
    required
        Groups of alternative fields of which one must be found, e.g.
        ``[("id", "name"), ("arr", "mrr")]``; a field marked ``required`` that is in
        no group forms its own group.
    what
        What the file is, for messages.
    samples
        Each column's values (by column index); when given, a column is *guessed* for a
        money, date or hours field only if most of its non-blank values parse as such.

    Returns
    -------
    ColumnMatch

    Raises
    ------
    DataError
        Unknown field names or columns in ``mapping``, or a required field missing.
    """
    header = ["" if h is None else str(h) for h in header]
    specs = {f.name: f for f in fields}
    match = ColumnMatch()
    issues: list[Issue] = []
    disabled: set[str] = set()
    for key, value in (mapping or {}).items():
        name = _field_key(key)
        if name not in specs:
            issues.append(
                data_issue(
                    hinted(
                        _map(key, value),
                        f": there is no field {key!r}"
                        f"{did_you_mean(name, specs)}; fields are: {', '.join(specs)}",
                    ),
                    file,
                )
            )
            continue
        if not str(value).strip():
            disabled.add(name)
            continue
        col = _find_column(str(value), header)
        if col is None:
            issues.append(
                data_issue(
                    hinted(
                        _map(key, value),
                        f": no column {str(value)!r}"
                        f"{did_you_mean(value, [h for h in header if h])}; {_listing(header)}",
                    ),
                    file,
                    line,
                )
            )
            continue
        match.columns[name], match.headers[name], match.how[name] = col, header[col], "--map"
    if issues:
        raise DataError(issues, what)

    taken = set(match.columns.values())
    candidates: list[tuple[int, int, int, str, str]] = []  # (-score, field#, col, name, kind)
    aliases: dict[tuple[str, int], str] = {}
    order = {f.name: i for i, f in enumerate(fields)}
    for spec in fields:
        if spec.name in match.columns or spec.name in disabled:
            continue
        for col, h in enumerate(header):
            if col in taken:
                continue
            scored = _score(normalise_header(h), spec)
            if not scored:
                continue
            guessed = scored[1] == "guess" and samples is not None and col < len(samples)
            if guessed and not _values_fit(spec.kind, samples[col]):
                continue
            candidates.append((-scored[0], order[spec.name], col, spec.name, scored[1]))
            aliases[(spec.name, col)] = scored[2]
    candidates.sort()
    best_score: dict[str, int] = {}
    for neg, _, col, name, kind in candidates:
        if name in match.columns or col in taken:
            continue
        match.columns[name], match.headers[name], match.how[name] = col, header[col], kind
        best_score[name] = -neg
        taken.add(col)
        if kind == "guess":
            match.warnings.append(
                hinted(
                    f"column {header[col]!r} is read as {specs[name].label} (its name contains "
                    f"{aliases[(name, col)]!r}); if that is wrong, choose with ",
                    _map(name),
                )
            )
    # report other columns that looked just as good for a field
    used = set(match.columns.values())
    for name, score in best_score.items():
        rivals = [
            header[col]
            for neg, _, col, other, _ in candidates
            if other == name and -neg == score and col not in used
        ]
        if rivals:
            chosen = match.headers[name]
            others = ", ".join(repr(r) for r in rivals)
            match.warnings.append(
                hinted(
                    f"{others} could also be the {specs[name].label} column; using {chosen!r} "
                    "(choose with ",
                    _map(name),
                    ")",
                )
            )
    _check_required(match, header, fields, required, disabled, file, line, what)
    ordered = [f.name for f in fields if f.name in match.columns]
    match.columns = {n: match.columns[n] for n in ordered}
    match.headers = {n: match.headers[n] for n in ordered}
    match.how = {n: match.how[n] for n in ordered}
    return match


def _check_required(
    match: ColumnMatch,
    header: Sequence[str],
    fields: Sequence[FieldSpec],
    required: Sequence[tuple[str, ...]],
    disabled: set[str],
    file: str,
    line: int | None,
    what: str,
) -> None:
    specs = {f.name: f for f in fields}
    groups = [tuple(g) for g in required]
    grouped = {n for g in groups for n in g}
    groups += [(f.name,) for f in fields if f.required and f.name not in grouped]
    issues = []
    for group in groups:
        if any(n in match.columns for n in group):
            continue
        first = specs[group[0]]
        alt = " or ".join(specs[n].label for n in group[1:])
        label = first.label + (f" (or {alt})" if alt else "")
        hint = _closest_header(header, [a for n in group for a in specs[n].aliases])
        if first.name in disabled:
            text = hinted(f"{label} is required; ", _map(first.name, ""), " cannot ignore it")
        else:
            text = f"no column for {label}; {_listing(header)}"
        text += hinted("; map one with ", _map(first.name))
        if hint:
            text += hinted(" (perhaps ", _map(first.name, hint, repr(hint)), ")")
        issues.append(data_issue(text, file, line))
    if issues and _looks_like_data(header):
        issues.append(
            data_issue(
                "this row holds numbers or dates, so the file may have no header row; add a "
                "first row naming the columns",
                file,
                line,
            )
        )
    if issues:
        raise DataError(issues, what)


def _looks_like_data(header: Sequence[str]) -> bool:
    for cell in header:
        for parse in (parse_money, parse_date):
            try:
                parse(cell)
            except ValueError:
                continue
            return True
    return False


def _closest_header(header: Sequence[str], aliases: Sequence[str]) -> str | None:
    best, best_ratio = None, 0.0
    for h in header:
        norm = normalise_header(h)
        if not norm:
            continue
        for alias in aliases:
            ratio = difflib.SequenceMatcher(None, norm, alias).ratio()
            if ratio > best_ratio:
                best, best_ratio = h, ratio
    return best if best_ratio >= 0.75 else None


def parse_mapping(items: Iterable[str]) -> dict[str, str]:
    """``["arr=Yearly Fee", "stage="]`` -> ``{"arr": "Yearly Fee", "stage": ""}``.

    Raises
    ------
    DataError
        For an item without ``=``.
    """
    out: dict[str, str] = {}
    issues = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            issues.append(
                data_issue(
                    hinted(
                        "expected FIELD=COLUMN, e.g. ",
                        _map("arr", "Contract Value", "'Contract Value'"),
                        f" (got {item!r})",
                    ),
                    "the column mapping",
                )
            )
            continue
        out[key.strip()] = value.strip()
    if issues:
        raise DataError(issues, "the column mapping")
    return out


def _map(name: str, column: str = "COLUMN", text: str | None = None) -> Hint:
    """The fix ``mapping={name: column}`` (``--map name=column`` on the command line)."""
    return Hint("mapping", {name: column}, f"{name}={column if text is None else text}")


# ------------------------------------------------------------------------ docs table


def field_table(fields: Sequence[FieldSpec]) -> str:
    """A Markdown table of fields, whether required, meaning and header aliases."""
    rows = [
        "| field | required | meaning | headers recognised |",
        "|---|---|---|---|",
    ]
    for f in fields:
        req = "yes" if f.required else ""
        rows.append(f"| `{f.name}` | {req} | {f.description} | {', '.join(f.aliases)} |")
    return "\n".join(rows) + "\n"


CUSTOMER_FIELD_TABLE = field_table(CUSTOMER_FIELDS)
"""Markdown table of customer-list fields (``id`` may come from ``name``, ``arr`` from
``mrr`` x 12)."""

TIMESHEET_FIELD_TABLE = field_table(TIMESHEET_FIELDS)
"""Markdown table of timesheet fields."""
