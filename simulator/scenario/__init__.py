"""The scenario language: models, distributions, loader, checks and JSON Schema.

The names below are imported on first use (PEP 562): importing a submodule such as
:mod:`simulator.scenario.yamlsource` or :mod:`simulator.errors` does not load
the distributions (SciPy) or the models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.lazy import lazy_attributes

if TYPE_CHECKING:
    from simulator.errors import Issue, ScenarioError
    from simulator.scenario.distributions import (
        Distribution,
        Empirical,
        Exponential,
        Fixed,
        Lognormal,
        Normal,
        Triangular,
        Uniform,
    )
    from simulator.scenario.loader import Loaded, load, load_scenario, load_text
    from simulator.scenario.model import Scenario, Segment, Team, Touchpoint

_DISTRIBUTIONS = "simulator.scenario.distributions"
_LAZY: dict[str, str] = {
    "Distribution": _DISTRIBUTIONS,
    "Empirical": _DISTRIBUTIONS,
    "Exponential": _DISTRIBUTIONS,
    "Fixed": _DISTRIBUTIONS,
    "Issue": "simulator.errors",
    "Loaded": "simulator.scenario.loader",
    "Lognormal": _DISTRIBUTIONS,
    "Normal": _DISTRIBUTIONS,
    "Scenario": "simulator.scenario.model",
    "ScenarioError": "simulator.errors",
    "Segment": "simulator.scenario.model",
    "Team": "simulator.scenario.model",
    "Touchpoint": "simulator.scenario.model",
    "Triangular": _DISTRIBUTIONS,
    "Uniform": _DISTRIBUTIONS,
    "load": "simulator.scenario.loader",
    "load_scenario": "simulator.scenario.loader",
    "load_text": "simulator.scenario.loader",
}
"""Public name -> the module that defines it."""

__all__ = [
    "Distribution",
    "Empirical",
    "Exponential",
    "Fixed",
    "Issue",
    "Loaded",
    "Lognormal",
    "Normal",
    "Scenario",
    "ScenarioError",
    "Segment",
    "Team",
    "Touchpoint",
    "Triangular",
    "Uniform",
    "load",
    "load_scenario",
    "load_text",
]


__getattr__, __dir__ = lazy_attributes(__name__, globals(), _LAZY)
