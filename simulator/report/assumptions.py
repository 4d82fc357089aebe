"""Every input of a plan with its unit and its source, for the Assumptions sheet.

The source of a value is the comment on its line in the scenario file, as written: the
bundled scenarios say ``# D: Section - note`` (the basis is that section of
docs/assumptions.md), ``# assumption: note`` (no source) or, when calibrated, ``# data:
note``. A value without a comment of its own takes that of the nearest enclosing key that
has one; a value set by an override (``--set``) says so, and a value no file sets is a cssim default.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from simulator.report.formatting import whole
from simulator.scenario.distributions import _Dist as Distribution
from simulator.scenario.loader import Loaded
from simulator.scenario.model import Scenario
from simulator.scenario.overrides import override_text

__all__ = ["ASSUMPTION_COLUMNS", "assumption_rows", "unit_of"]

ASSUMPTION_COLUMNS = ("input", "value", "unit", "meaning", "source")

_FRACTION = "fraction (0-1)"
_UNITS: dict[str, str] = {
    "accounts": "accounts",
    "count": "accounts",
    "csms": "CSMs",
    "change": "CSMs",
    "hours": "hours",
    "available_hours_per_year": "hours per CSM-year",
    "working_days_per_year": "days per year",
    "per_year": "touches per account-year",
    "requests_per_account_year": "requests per account-year",
    "per_account_year": "events per account-year",
    "new_accounts_per_month": "accounts per month",
    "contract_term_months": "months",
    "annual_attrition": "fraction per year",
    "annual_baseline": "probability per year",
    "unhandled_churn_probability": "probability (12 months)",
    "handled_churn_probability": "probability (12 months)",
    "customer_time_share": _FRACTION,
    "support_share": _FRACTION,
    "effectiveness": _FRACTION,
    "confidence": _FRACTION,
    "grr": _FRACTION,
    "nrr": _FRACTION,
    "logo_churn": _FRACTION,
    "on_time_coverage": _FRACTION,
    "utilisation": _FRACTION,
    "ramp": "productivity per month (fraction)",
    "renewal_month_weights": "relative weight",
    "arr_change_at_renewal": "fraction of ARR",
    "coverage_effect": "hazard multiplier slope",
    "responsiveness_effect": "hazard multiplier slope",
    "expansion.coverage_effect": "share of expected expansion",
    "expansion.touch_effect": "share of expected expansion",
    "late_onboarding_multiplier": "hazard multiplier",
    "reassignment_multiplier": "hazard multiplier",
    "unscheduled_uplift": "multiplier on scheduled hours",
    "max_attendees": "accounts per session",
    "priority": "rank (1 first)",
    "unscheduled_priority": "rank (1 first)",
    "weight": "coverage weight",
    "seed": "integer",
    "start_date": "date",
    "date": "date",
    "renewal_date": "date",
    "contract_start": "date",
}
_MONEY = {"arr": "{c} per year", "annual_cost_per_csm": "{c} per CSM-year", "cost_per_touch": "{c}"}


def unit_of(name: str, currency: str = "USD", parent: str = "") -> str:
    """The unit of a scenario field by its name (``hours`` -> ``hours``); ``parent`` (the
    enclosing field) tells apart fields of the same name (``expansion.coverage_effect``)."""
    if f"{parent}.{name}" in _UNITS:
        return _UNITS[f"{parent}.{name}"]
    if name in _MONEY:
        return _MONEY[name].format(c=currency)
    if name in _UNITS:
        return _UNITS[name]
    if name.endswith("_days"):
        return "days"
    if name.endswith("_months"):
        return "months"
    return ""


def _describe(value: Any) -> Any:
    """A leaf value as a cell: a distribution as ``lognormal(mean=2.5, cv=0.3)``, a whole
    number as an int (``1730``, not ``1730.0``)."""
    if isinstance(value, Distribution):
        data = value.model_dump(mode="json")
        if not isinstance(data, dict):  # a fixed value dumps as its number
            return whole(data)
        kind = data.pop("dist", type(value).__name__.lower())
        if kind == "fixed":
            return whole(data.get("value"))
        args = ", ".join(f"{k}={whole(v)}" for k, v in data.items() if v is not None)
        return f"{kind}({args})"
    if isinstance(value, list):
        return ", ".join(str(_describe(v)) for v in value)
    if isinstance(value, BaseModel):
        data = value.model_dump(mode="json", exclude_none=True)
        return ", ".join(f"{k}={whole(v)}" for k, v in data.items())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return whole(value)


_COMMENT = re.compile(r"""^(?:[^#"']|"[^"]*"|'[^']*')*?\s#\s?(.*)$""")


@cache
def _lines(file: str) -> tuple[str, ...]:
    try:
        return tuple(Path(file).read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError):
        return ()


def _comment(file: str, line: int) -> str | None:
    lines = _lines(file)
    if not 1 <= line <= len(lines):
        return None
    m = _COMMENT.match(lines[line - 1])
    return m.group(1).strip() if m else None


def _source(loaded: Loaded | None, path: tuple[Any, ...]) -> str:
    if loaded is None:
        return "not recorded"
    keys = loaded.sources.keys
    if path not in keys and path not in loaded.sources.values:
        return "cssim default"
    p = path
    while p:
        loc = keys.get(p) or loaded.sources.values.get(p)
        if loc is not None:
            override = override_text(loc)
            if override is not None:
                return f"override ({override})"
            text = _comment(loc.file, loc.line) if loc.line else None
            if text:
                return text
        p = p[:-1]
    return "scenario file (no source given)"


def assumption_rows(scenario: Scenario, loaded: Loaded | None = None) -> list[dict[str, Any]]:
    """Every input of ``scenario``: path, value, unit, meaning and source.

    Parameters
    ----------
    scenario
        The resolved scenario.
    loaded
        Where it came from (files and locations); without it, sources read "not recorded".
    """
    rows: list[dict[str, Any]] = []
    cur = scenario.currency

    def leaf(path: tuple[Any, ...], name: str, value: Any, meaning: str) -> None:
        rows.append(
            {
                "input": ".".join(str(p) for p in path),
                "value": _describe(value),
                "unit": unit_of(name, cur, str(path[-2]) if len(path) > 1 else ""),
                "meaning": meaning,
                "source": _source(loaded, path),
            }
        )

    def walk(model: BaseModel, path: tuple[Any, ...]) -> None:
        for name, info in type(model).model_fields.items():
            if name in ("extends", "variants"):
                continue
            value = getattr(model, name)
            if value is None or (isinstance(value, list | dict) and not value):
                continue
            here = (*path, name)
            meaning = info.description or ""
            if isinstance(value, dict):
                for key, item in value.items():
                    if isinstance(item, BaseModel) and not isinstance(item, Distribution):
                        walk(item, (*here, key))
                    else:
                        leaf((*here, key), name, item, meaning)
            elif name == "accounts" and isinstance(value, list):
                leaf(here, name, f"{len(value)} accounts listed", meaning)
            elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
                for i, item in enumerate(value):
                    leaf((*here, i), name, item, meaning)
            elif isinstance(value, BaseModel) and not isinstance(value, Distribution):
                walk(value, here)
            else:
                leaf(here, name, value, meaning)

    walk(scenario, ())
    if scenario.burn_in_days is None:
        # a default that depends on the segments: shown resolved, where the plan's own
        # settings are listed (after seed)
        at = next((i + 1 for i, r in enumerate(rows) if r["input"] == "seed"), len(rows))
        info = type(scenario).model_fields["burn_in_days"]
        rows.insert(
            at,
            {
                "input": "burn_in_days",
                "value": whole(scenario.resolved_burn_in_days),
                "unit": "days",
                "meaning": info.description or "",
                "source": "cssim default (the longest contract term or look-back window)",
            },
        )
    return rows
