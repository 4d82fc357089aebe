"""JSON Schema: committed copy is current, accepts every bundled scenario, rejects junk."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from simulator.scenario.schema import scenario_schema, schema_text
from simulator.scenario.yamlsource import parse_yaml

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml"))
VALIDATOR = jsonschema.Draft202012Validator(scenario_schema())


def _data(path: Path) -> object:
    data, _ = parse_yaml(path.read_text(encoding="utf-8"), str(path))
    return data


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(scenario_schema())


def test_committed_schema_is_current() -> None:
    committed = (ROOT / "scenarios" / "cssim.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "run: cssim schema -o scenarios/cssim.schema.json"


@pytest.mark.parametrize("path", BUNDLED, ids=[p.name for p in BUNDLED])
def test_schema_accepts_bundled_scenario(path: Path) -> None:
    errors = [e.message for e in VALIDATOR.iter_errors(_data(path))]
    assert errors == []


@pytest.mark.parametrize("path", BUNDLED, ids=[p.name for p in BUNDLED])
def test_bundled_scenarios_declare_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=cssim.schema.json"


def test_starter_template_matches_schema() -> None:
    path = ROOT / "simulator" / "scenario" / "starter.yaml"
    assert list(VALIDATOR.iter_errors(_data(path))) == []


@pytest.mark.parametrize(
    "data",
    [
        {
            "start_date": "2027-01-01",
            "segments": {"a": {"accounts": 1, "churn": {"annual_baseline": 2}}},
        },
        {"start_date": "2027-01-01", "segments": {}, "colour": "red"},
        {"segments": {"a": {"accounts": 1, "churn": {"annual_baseline": 0.1}}}},
        {"extends": "x.yaml", "segments": {"a": {"team": {"csmz": 1}}}},
    ],
)
def test_schema_rejects_bad_documents(data: object) -> None:
    assert list(VALIDATOR.iter_errors(data)), json.dumps(data)


def test_partial_files_need_no_required_fields() -> None:
    assert (
        list(
            VALIDATOR.iter_errors(
                {"extends": "default.yaml", "segments": {"top": {"team": {"csms": 6}}}}
            )
        )
        == []
    )
