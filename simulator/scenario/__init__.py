"""The scenario language: models, distributions, loader, checks and JSON Schema."""

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
