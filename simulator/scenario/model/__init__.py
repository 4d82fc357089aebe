"""The scenario language: pydantic models of a customer success plan.

Units are in the field names: ``_days`` calendar days, ``_hours`` hours of CSM work,
``_per_year`` / ``annual_`` per year, ``_per_month`` per month; money is in the
scenario's ``currency``; shares and probabilities are fractions in [0, 1].
The field descriptions are the reference documentation (docs/scenario-reference.md and
the JSON Schema); docs/assumptions.md gives every default its unit, range and basis.

The models live in one module per part of the plan, all importable from here:
:mod:`~simulator.scenario.model.fields` (shared field types),
:mod:`~simulator.scenario.model.touchpoints` (triggers and touchpoints),
:mod:`~simulator.scenario.model.teams`, :mod:`~simulator.scenario.model.accounts`,
:mod:`~simulator.scenario.model.segments` and :mod:`~simulator.scenario.model.scenario`
(the root).
"""

from __future__ import annotations

from simulator.scenario.distributions import Distribution, Fixed, NonNegativeDistribution
from simulator.scenario.model.accounts import Accounts, AccountsFile, AccountSpec, NewAccountBatch
from simulator.scenario.model.economics import Economics
from simulator.scenario.model.fields import (
    STAGES,
    Channel,
    Coverage,
    Hours,
    Money,
    Name,
    Share,
    Stage,
)
from simulator.scenario.model.scenario import Calendar, Scenario
from simulator.scenario.model.segments import (
    Churn,
    Expansion,
    Inbound,
    Lifecycle,
    RiskEvent,
    Segment,
    Target,
    Targets,
)
from simulator.scenario.model.teams import Burnout, HiringStep, Team, TeamRef
from simulator.scenario.model.touchpoints import (
    DEFAULT_AUTOMATED_EFFECTIVENESS,
    BeforeRenewal,
    Cadence,
    Offsets,
    OnInbound,
    OnRiskEvent,
    StageEntry,
    Touchpoint,
    Trigger,
)

__all__ = [
    "DEFAULT_AUTOMATED_EFFECTIVENESS",
    "STAGES",
    "AccountSpec",
    "Accounts",
    "AccountsFile",
    "BeforeRenewal",
    "Burnout",
    "Cadence",
    "Calendar",
    "Channel",
    "Churn",
    "Coverage",
    "Distribution",
    "Economics",
    "Expansion",
    "Fixed",
    "HiringStep",
    "Hours",
    "Inbound",
    "Lifecycle",
    "Money",
    "Name",
    "NewAccountBatch",
    "NonNegativeDistribution",
    "Offsets",
    "OnInbound",
    "OnRiskEvent",
    "RiskEvent",
    "Scenario",
    "Segment",
    "Share",
    "Stage",
    "StageEntry",
    "Target",
    "Targets",
    "Team",
    "TeamRef",
    "Touchpoint",
    "Trigger",
]
