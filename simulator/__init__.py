"""cssim: Customer Success headcount and capacity planning simulator.

The public Python API mirrors the command line::

    from simulator import load_scenario, estimate
    plan = load_scenario("scenarios/default.yaml", overrides=["segments.top.team.csms=6"])
    est = estimate(plan)
    est.team("top").csms_needed

The names below are imported on first use (PEP 562), so ``import simulator`` and a
parser import such as ``simulator.scenario.yamlsource`` stay cheap: SciPy and SimPy
load only when an estimate or a simulation needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.lazy import lazy_attributes

__version__ = "0.1.0"

if TYPE_CHECKING:
    from simulator.analysis.analytic import Estimate, estimate
    from simulator.analysis.compare import Comparison, compare
    from simulator.analysis.experiment import Experiment, run_experiment
    from simulator.analysis.frontier import frontier
    from simulator.analysis.hire import hiring_plan
    from simulator.analysis.solve import solve_headcount
    from simulator.analysis.tradeoff import TradeoffResult, tradeoff
    from simulator.engine.records import Records
    from simulator.engine.simulation import simulate
    from simulator.errors import Issue, ScenarioError
    from simulator.scenario.loader import Loaded, bundled_scenario, load, load_scenario, load_text
    from simulator.scenario.model import Scenario

_LAZY: dict[str, str] = {
    "Comparison": "simulator.analysis.compare",
    "Estimate": "simulator.analysis.analytic",
    "Experiment": "simulator.analysis.experiment",
    "Issue": "simulator.errors",
    "Loaded": "simulator.scenario.loader",
    "Records": "simulator.engine.records",
    "Scenario": "simulator.scenario.model",
    "ScenarioError": "simulator.errors",
    "TradeoffResult": "simulator.analysis.tradeoff",
    "bundled_scenario": "simulator.scenario.loader",
    "compare": "simulator.analysis.compare",
    "estimate": "simulator.analysis.analytic",
    "frontier": "simulator.analysis.frontier",
    "hiring_plan": "simulator.analysis.hire",
    "load": "simulator.scenario.loader",
    "load_scenario": "simulator.scenario.loader",
    "load_text": "simulator.scenario.loader",
    "run_experiment": "simulator.analysis.experiment",
    "simulate": "simulator.engine.simulation",
    "solve_headcount": "simulator.analysis.solve",
    "tradeoff": "simulator.analysis.tradeoff",
}
"""Public name -> the module that defines it."""

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


__getattr__, __dir__ = lazy_attributes(__name__, globals(), _LAZY)
