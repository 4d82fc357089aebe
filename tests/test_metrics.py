"""The metric registry: every metric the engine reports is defined once, and every list
of metrics (headline, precision, compared, frontier, targets) names registered ones."""

from __future__ import annotations

import typing

import pytest

from simulator import metrics
from simulator.analysis.compare import COMPARED
from simulator.analysis.frontier import WEIGHTS
from simulator.analysis.solve import TARGET_METRICS
from simulator.engine.simulation import simulate
from simulator.scenario.loader import load_scenario
from simulator.scenario.model import Targets

FORMATS = {"text", "int", "num0", "num1", "num2", "num3", "pct", "pp", "money"}


@pytest.fixture(scope="module")
def summary() -> dict[str, dict[str, float]]:
    plan = load_scenario(overrides=["horizon_days=60"])
    return simulate(plan, 0, 1).summary()


def test_every_engine_summary_key_is_registered_and_nothing_else(summary) -> None:
    for seg, values in summary.items():
        assert list(values) == [m.name for m in metrics.METRICS], seg


def test_names_are_unique_and_fields_valid() -> None:
    names = [m.name for m in metrics.METRICS]
    assert len(set(names)) == len(names)
    units = set(typing.get_args(metrics.Unit))
    for m in metrics.METRICS:
        assert m.fmt in FORMATS, m.name
        assert m.unit in units, m.name
        assert m.better in ("higher", "lower", None), m.name
        assert m.label and m.phrase and m.column, m.name
        if m.unit == "share":
            assert m.fmt == "pct", m.name
        if m.weight is not None:
            assert m.unit == "share" and metrics.metric(m.weight).unit in ("count", "money"), m.name


@pytest.mark.parametrize(
    "group", [metrics.HEADLINE, metrics.PRECISION, metrics.COMPARED, metrics.FRONTIER]
)
def test_every_listed_metric_is_registered(group: tuple[str, ...]) -> None:
    for name in group:
        assert metrics.metric(name).name == name


def test_every_scenario_target_bounds_a_registered_share() -> None:
    assert list(TARGET_METRICS) == list(Targets.model_fields)
    for target, name in TARGET_METRICS.items():
        m = metrics.metric(name)
        assert m.target == target and m.unit == "share"


def test_analysis_lists_come_from_the_registry() -> None:
    assert [name for name, _, _ in COMPARED] == list(metrics.COMPARED)
    assert {n: metrics.metric(n).difference_unit for n, _, _ in COMPARED} == {
        n: unit for n, _, unit in COMPARED
    }
    assert WEIGHTS == {
        "logo_churn": "accounts_start",
        "expected_logo_churn": "accounts_start",
        "grr": "arr_start",
        "nrr": "arr_start",
        "new_logo_churn": "new_accounts",
        "new_expected_logo_churn": "new_accounts",
        "new_renewal_churn": "new_renewals",
        "new_grr": "new_arr",
        "new_nrr": "new_arr",
        "on_time_share": "touches_requested",
        "adhoc_dropped": "adhoc_tasks",
    }


def test_unknown_metric_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="no metric 'gr'; known: accounts_start"):
        metrics.metric("gr")
    with pytest.raises(KeyError, match="no metric for target"):
        metrics.by_target("speed")
