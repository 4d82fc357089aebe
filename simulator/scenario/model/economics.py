"""What a result is worth: margin, the value of an ARR dollar, support and CS cost.

Every option of a decision gets a net value from these inputs
(:mod:`simulator.analysis.value`); docs/assumptions.md#economics gives each default its
basis.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from simulator.scenario.base import Strict

__all__ = ["Economics"]


class Economics(Strict):
    """How money is counted: the value of retained ARR and the cost of serving it."""

    gross_margin: float = Field(
        default=0.78,
        ge=0,
        le=1,
        description="Gross margin on revenue before CS cost (fraction): what a dollar of "
        "revenue leaves after hosting and support infrastructure (assumption: "
        "docs/assumptions.md#economics).",
    )
    arr_value: Literal["lifetime", "replacement", "multiple"] = Field(
        default="lifetime",
        description="How a dollar of ARR held at the end of the plan is valued: lifetime "
        "(gross margin over valuation_years, discounted at discount_rate, survival from the "
        "segment's churn.annual_baseline), replacement (replacement_cost less renewal_cost: "
        "what winning the dollar back would cost) or multiple (arr_value_multiple).",
    )
    discount_rate: float = Field(
        default=0.10,
        ge=0,
        le=1,
        description="Annual discount rate of value after the plan (fraction): the margin of "
        "retained ARR (arr_value: lifetime) and the indirect value of the accounts held.",
    )
    valuation_years: int = Field(
        default=5,
        ge=0,
        le=30,
        description="Years after the plan over which retained ARR earns margin (arr_value: "
        "lifetime) and the accounts held earn their indirect value; 0 counts the plan only.",
    )
    replacement_cost: float = Field(
        default=1.13,
        ge=0,
        le=100,
        description="Sales and marketing spend to win one dollar of new ARR (currency per "
        "ARR dollar; arr_value: replacement).",
    )
    renewal_cost: float = Field(
        default=0.13,
        ge=0,
        le=100,
        description="Spend to renew one dollar of ARR (currency per ARR dollar; arr_value: "
        "replacement): a dollar lost saves it.",
    )
    arr_value_multiple: Annotated[float, Field(ge=0, le=100)] | None = Field(
        default=None,
        description="Value of one dollar of ARR held at the end of the plan (currency per "
        "ARR dollar); required when arr_value is multiple.",
    )
    support_cost_per_request: float = Field(
        default=15.0,
        ge=0,
        le=1e6,
        description="Cost of one inbound request answered by support instead of a CSM "
        "(currency per request; assumption: docs/assumptions.md#economics).",
    )
    cs_cost_class: Literal["cogs", "sm"] = Field(
        default="cogs",
        description="Where CS people cost sits in the P&L: cogs (cost of revenue: lowers "
        "gross margin) or sm (sales and marketing). Changes the P&L view, not net value.",
    )
    indirect_value_per_account: float = Field(
        default=0.0,
        ge=0,
        le=1e9,
        description="Value of one account per year beyond its ARR (referrals, advocacy, "
        "references), as the user states it (currency per account-year): earned for every "
        "account-year served in the plan and, like ARR, for each account held at the end "
        "over the valuation years.",
    )

    @model_validator(mode="after")
    def _renewal_below_replacement(self) -> Economics:
        if self.renewal_cost > self.replacement_cost:
            raise PydanticCustomError(
                "renewal_cost",
                "renewal_cost ({r}) exceeds replacement_cost ({w}): a lost ARR dollar would "
                "be worth less than nothing; keep renewal_cost at or below replacement_cost",
                {"r": self.renewal_cost, "w": self.replacement_cost},
            )
        return self

    @model_validator(mode="after")
    def _multiple_given(self) -> Economics:
        if self.arr_value == "multiple" and self.arr_value_multiple is None:
            raise PydanticCustomError(
                "arr_value_multiple",
                "arr_value is multiple but arr_value_multiple is not set; give the value of "
                "one ARR dollar, e.g. arr_value_multiple: 3",
            )
        return self
