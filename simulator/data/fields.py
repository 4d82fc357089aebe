"""The fields cssim reads from customer lists and timesheets, with their header aliases.

Each :class:`FieldSpec` names a field, says what it holds and lists the header
spellings (already normalised, see :func:`~simulator.data.headers.normalise_header`)
that :func:`~simulator.data.columns.match_columns` recognises for it, in order of
preference. :data:`CUSTOMER_FIELD_TABLE` and :data:`TIMESHEET_FIELD_TABLE` render the
fields and aliases as Markdown tables for the README.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "CUSTOMER_FIELDS",
    "CUSTOMER_FIELD_TABLE",
    "TIMESHEET_FIELDS",
    "TIMESHEET_FIELD_TABLE",
    "FieldSpec",
    "field_table",
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
    FieldSpec(
        "currency",
        "currency",
        (
            "currency",
            "currency code",
            "currency iso code",
            "account currency",
            "deal currency code",
            "contract currency",
            "billing currency",
            "plan currency",
        ),
        "ISO code of the amounts on the row (USD, EUR...); a list in several currencies is "
        "refused unless exchange rates are given",
    ),
    FieldSpec(
        "churn_reason",
        "churn reason",
        (
            "churn reason",
            "reason for churn",
            "churn reason category",
            "primary churn reason",
            "churn reason code",
            "churned reason",
            "reason churned",
            "cancellation reason",
            "cancelation reason",
            "cancel reason",
            "reason for cancellation",
            "termination reason",
            "closed lost reason",
            "loss reason",
            "lost reason",
            "reason lost",
            "downgrade reason",
        ),
        "why the customer left, as entered at the time (text); summarised by analyze as "
        "evidence, never used by the model",
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
