"""Field types shared by the scenario models: stages, channels, names, shares, capped amounts.

``Hours`` and ``Money`` are non-negative distributions whose mean must stay within a
plausible bound, so a value given in the wrong unit is caught at load time.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from simulator.scenario.distributions import NonNegativeDistribution, _Dist
from simulator.scenario.model.bounds import highest_draw

__all__ = [
    "NAME_PATTERN",
    "STAGES",
    "Channel",
    "Coverage",
    "Hours",
    "Money",
    "Name",
    "Share",
    "Stage",
]

STAGES: tuple[str, ...] = ("onboarding", "adoption", "steady", "renewal")
"""Lifecycle stages in the order an account passes through them."""

Stage = Literal["onboarding", "adoption", "steady", "renewal"]
Channel = Literal["one_to_one", "one_to_many", "automated", "skipped"]
Coverage = Literal["dedicated", "pooled", "digital"]

NAME_PATTERN = r"^\p{L}[\p{L}\p{M}\p{Nd}_-]{0,63}$"
"""A letter of any script, then up to 63 letters, combining marks (the vowel signs of
Devanagari or Thai), decimal digits, ``_`` or ``-``: ``Großkunden``, ``Кабинет``,
``大客户``, ``हिन्दी`` and ``top-tier_2`` are names; dots, brackets and spaces, which a
``--set`` path would misread, are not."""

_NAME_SCHEMA_PATTERN = r"^[^\s\d_\-.\[\]=][^\s.\[\]=]{0,63}$"
"""The JSON Schema's looser form of :data:`NAME_PATTERN`: editors and Python's
``jsonschema`` read ECMA or ``re`` syntax, neither of which knows Unicode letter classes,
so the schema checks only what a name must not hold; ``cssim validate`` checks letters."""

Name = Annotated[
    str,
    StringConstraints(pattern=NAME_PATTERN),
    WithJsonSchema({"type": "string", "pattern": _NAME_SCHEMA_PATTERN}),
]
"""A segment, team, touchpoint or risk-event name: a letter (of any script), then letters,
combining marks, digits, _ or -."""

Share = Annotated[float, Field(ge=0, le=1)]


def _at_most(limit: float, what: str, least: float = 0.0) -> Any:
    """A check that a distribution's mean stays within a plausible ``limit`` and that its
    highest draw is a finite number."""

    def check(d: _Dist) -> _Dist:
        if not d.mean <= limit:
            raise PydanticCustomError(
                "dist_too_large",
                f"has a mean of {d.mean:.3g}, beyond any plausible {what} "
                f"(at most {limit:,.0f}); check the unit",
                {},
            )
        if not math.isfinite(highest_draw(d)):
            raise PydanticCustomError(
                "dist_too_wide",
                "has a spread too wide to draw from (its highest draw passes the largest "
                "float); narrow it (a smaller cv or sd)",
                {},
            )
        if d.mean < least:
            raise PydanticCustomError(
                "dist_too_small",
                f"has a mean of {d.mean:.3g}, below the least {what} accepted ({least:g}); "
                "check the unit",
                {},
            )
        return d

    return AfterValidator(check)


Hours = Annotated[NonNegativeDistribution, _at_most(10_000, "hours for one touch")]
MIN_ARR = 0.01
"""The least mean ARR of one account (currency per year), a cent a year: ratios to ARR
(cost per retained dollar) stay within a float (docs/assumptions.md#input-bounds)."""

Money = Annotated[NonNegativeDistribution, _at_most(1e11, "ARR of one account", MIN_ARR)]
