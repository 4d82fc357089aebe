"""A segment's accounts: the starting book (a count, a list or a customer file) and arrivals."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag

from simulator.scenario.base import Strict
from simulator.scenario.model.fields import Stage

__all__ = ["AccountSpec", "Accounts", "AccountsFile", "NewAccountBatch"]


class AccountSpec(Strict):
    """One named account of a segment's starting book."""

    id: str = Field(min_length=1, max_length=200, description="Account identifier.")
    arr: float = Field(
        ge=0.01,
        le=1e11,
        description="Annual recurring revenue (currency per year; at least 0.01, a cent a "
        "year: docs/assumptions.md#input-bounds).",
    )
    renewal_date: dt.date | None = Field(
        default=None, description="Next renewal date; drawn over the contract term when omitted."
    )
    stage: Stage | None = Field(
        default=None,
        description="Lifecycle stage at the start date: places the account within its "
        "contract when renewal_date is omitted (a given renewal_date wins); derived when "
        "both are omitted.",
    )
    contract_start: dt.date | None = Field(
        default=None, description="Original contract date (customer since)."
    )


class AccountsFile(Strict):
    """A starting book read from a customer list (CSV or xlsx) when the scenario loads."""

    from_csv: str = Field(
        min_length=1,
        description="Path of the customer list, relative to the scenario file. Columns are "
        "matched by name as in 'cssim analyze' (id, arr, renewal date, stage, contract "
        "start, segment, status); churned rows are left out.",
    )
    segment: str | None = Field(
        default=None,
        description="Only the rows whose segment column has this value (all rows when omitted).",
    )
    map: dict[str, str] | None = Field(
        default=None,
        description="Field -> column name for headers the forgiving match does not find, "
        "e.g. {arr: Contract Amount}.",
    )
    dayfirst: bool | None = Field(
        default=None,
        description="Read ambiguous dates such as 03/04/2026 as day first (default: inferred "
        "from the column, month first when nothing tells).",
    )


def _accounts_tag(v: Any) -> str:
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict | AccountsFile):
        return "file"
    return "count"


Accounts = Annotated[
    Annotated[Annotated[int, Field(ge=0, le=10_000_000)], Tag("count")]
    | Annotated[list[AccountSpec], Tag("list")]
    | Annotated[AccountsFile, Tag("file")],
    Discriminator(_accounts_tag),
]


class NewAccountBatch(Strict):
    """Accounts that arrive from sales on a given date."""

    date: dt.date = Field(description="Arrival date.")
    count: int = Field(ge=0, le=1_000_000, description="Accounts arriving that day.")
