"""cssim: Customer Success headcount and capacity planning simulator.

The public Python API mirrors the command line::

    from simulator import load_scenario, estimate
    plan = load_scenario("scenarios/default.yaml", overrides=["segments.top.team.csms=6"])
    est = estimate(plan)
    est.team("top").csms_needed
"""

from __future__ import annotations

__version__ = "0.1.0"

from simulator.analysis.analytic import Estimate, estimate
from simulator.analysis.compare import Comparison, compare
from simulator.analysis.experiment import Experiment, run_experiment
from simulator.analysis.frontier import frontier
from simulator.analysis.hire import hiring_plan
from simulator.analysis.solve import solve_headcount
from simulator.analysis.tradeoff import TradeoffResult, tradeoff
from simulator.engine.records import Records
from simulator.engine.simulation import simulate
from simulator.scenario.errors import Issue, ScenarioError
from simulator.scenario.loader import Loaded, bundled_scenario, load, load_scenario, load_text
from simulator.scenario.model import Scenario

__all__ = [
    "Comparison",
    "Estimate",
    "Experiment",
    "Issue",
    "Loaded",
    "Records",
    "Scenario",
    "ScenarioError",
    "TradeoffResult",
    "__version__",
    "bundled_scenario",
    "compare",
    "estimate",
    "frontier",
    "hiring_plan",
    "load",
    "load_scenario",
    "load_text",
    "run_experiment",
    "simulate",
    "solve_headcount",
    "tradeoff",
]
