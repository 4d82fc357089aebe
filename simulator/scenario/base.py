"""Shared pydantic configuration for every model of the scenario language."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Immutable model that rejects unknown keys, NaN and infinity.

    YAML keys are the field aliases where a field has one (``mean`` for ``mu``); Python
    code uses the attribute names.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        validate_by_alias=True,
        validate_by_name=False,
        serialize_by_alias=True,
        use_attribute_docstrings=False,
    )
