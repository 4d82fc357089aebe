"""Loader: extends (maps merge, lists replace, null deletes), overrides, positions, warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.cli.common import FLAGS as CLI_FLAGS
from simulator.errors import ScenarioError
from simulator.scenario.loader import load, load_scenario, load_text
from simulator.scenario.model import Team


def write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / name
    p.write_text(text, encoding="utf-8")
    return p


BASE = """\
name: Base
start_date: 2027-01-01
segments:
  core:
    accounts: 20
    arr: 50000
    team: {csms: 2, annual_cost_per_csm: 150000, ramp: [0.2, 0.4, 0.6]}
    churn: {annual_baseline: 0.1}
    touchpoints:
      kickoff:
        trigger: {kind: stage_entry, stage: onboarding}
        hours: 4
      check_in:
        trigger: {kind: cadence, per_year: 4}
        hours: 1
"""


def test_bundled_default_loads_without_warnings() -> None:
    loaded = load()
    assert set(loaded.scenario.segments) == {"top", "mid", "smb"}
    assert loaded.warnings == []
    assert load_scenario().segments["top"].starting_accounts == 50


def test_extends_merges_maps_and_replaces_lists(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    child = write(
        tmp_path,
        "child.yaml",
        "extends: base.yaml\nname: Child\nsegments:\n  core:\n    team: {csms: 5, ramp: [0.5]}\n",
    )
    s = load_scenario(child)
    team = s.segments["core"].team
    assert isinstance(team, Team)
    assert s.name == "Child"
    assert team.csms == 5
    assert team.annual_cost_per_csm == 150000  # merged from the base
    assert team.ramp == [0.5]  # lists replace
    assert set(s.segments["core"].touchpoints) == {"kickoff", "check_in"}


def test_extends_null_deletes(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    child = write(
        tmp_path,
        "child.yaml",
        "extends: base.yaml\nsegments:\n  core:\n    touchpoints:\n      kickoff: null\n",
    )
    assert set(load_scenario(child).segments["core"].touchpoints) == {"check_in"}


def test_extends_chain_and_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    write(tmp_path, "base.yaml", BASE)
    write(tmp_path / "a", "mid.yaml", "extends: ../base.yaml\nseed: 7\n")
    leaf = write(tmp_path / "a", "leaf.yaml", "extends: mid.yaml\nhorizon_days: 180\n")
    loaded = load(leaf)
    assert loaded.scenario.seed == 7
    assert loaded.scenario.horizon_days == 180
    assert len(loaded.files) == 3


def test_error_positions_point_at_the_right_file(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE.replace("hours: 1\n", "hours: 1\n        weight: -1\n"))
    child = write(
        tmp_path, "child.yaml", "extends: base.yaml\nsegments:\n  core:\n    accounts: -4\n"
    )
    with pytest.raises(ScenarioError) as info:
        load(child)
    rendered = {i.render() for i in info.value.issues}
    assert any(
        "child.yaml:4:15 segments.core.accounts: must be >= 0 (got -4)" in r for r in rendered
    )
    assert any("base.yaml:16:17 segments.core.touchpoints.check_in.weight" in r for r in rendered)


def test_overrides_types_and_creation(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", BASE)
    s = load_scenario(
        path,
        [
            "segments.core.team.csms=7",
            "segments.core.touchpoints.check_in.channel=automated",
            "segments.core.team.ramp=[0.5, 0.75]",
            "segments.core.targets.grr.min=0.9",
            "segments.core.touchpoints.kickoff=null",
            "segments.core.team.ramp[1]=0.8",
        ],
    )
    core = s.segments["core"]
    assert isinstance(core.team, Team)
    assert core.team.csms == 7
    assert core.team.ramp == [0.5, 0.8]
    assert core.touchpoints["check_in"].channel == "automated"
    assert core.targets.grr is not None and core.targets.grr.min == 0.9
    assert "kickoff" not in core.touchpoints


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("segments.core.team.csms", "expected PATH=VALUE"),
        ("segments..core=1", "cannot read the path"),
        ("segments.core.accounts.x=1", "it is 20, not a mapping"),
        ("segments.core.team.ramp[9]=1", "past the end of the list"),
        ("segments.core.team.csmz=3", "unknown field 'csmz'; did you mean 'csms'?"),
        ("segments.core.team.csms=[1", "not valid YAML"),
        ("segments.core.team.csms=", "the value is empty"),
        ("segments[0].accounts=5", "keyed by name, not by position"),
        (
            "segments.core.team.hiring_plan[0].change=1",
            "not set in the scenario, so it has no item 0",
        ),
        ("extends=other.yaml", "extends cannot be set from the command line"),
        ("segments.core.accounts=true", "must be a whole number"),
        ("segments.extra.accounts=5", "segments.extra: missing required field 'churn'"),
    ],
)
def test_override_errors(tmp_path: Path, override: str, fragment: str) -> None:
    path = write(tmp_path, "s.yaml", BASE)
    with pytest.raises(ScenarioError) as info:
        load(path, [override])
    # the library names the Python parameter; the command line renders its own flag
    message = info.value.render(CLI_FLAGS)
    assert fragment in message
    assert "--set " in message
    assert "--set" not in info.value.render() and "overrides=[" in info.value.render()


def test_override_of_team_reference_explains(tmp_path: Path) -> None:
    text = BASE.replace(
        "team: {csms: 2, annual_cost_per_csm: 150000, ramp: [0.2, 0.4, 0.6]}", "team: shared"
    )
    text += "teams:\n  shared: {csms: 2, annual_cost_per_csm: 1}\n"
    path = write(tmp_path, "s.yaml", text)
    with pytest.raises(ScenarioError, match=r"override teams\.<name> instead"):
        load(path, ["segments.core.team.csms=3"])
    assert load_scenario(path, ["teams.shared.csms=3"]).teams["shared"].csms == 3


def test_all_field_errors_reported_together(minimal_text: str) -> None:
    text = minimal_text.replace("accounts: 20", "accounts: -1").replace("0.1}", "7}")
    with pytest.raises(ScenarioError) as info:
        load_text(text + "    colour: red\n", "t.yaml")
    assert len(info.value.issues) == 3
    assert [i.location.line for i in info.value.issues if i.location] == sorted(
        i.location.line for i in info.value.issues if i.location
    )


def test_warnings_for_values_outside_domain_ranges(minimal_text: str) -> None:
    text = minimal_text.replace("annual_cost_per_csm: 150000", "annual_cost_per_csm: 1500")
    text += "calendar: {customer_time_share: 0.2}\n"
    loaded = load_text(text, "w.yaml")
    rendered = [w.render() for w in loaded.warnings]
    assert any("annual_cost_per_csm" in r and "warning:" in r for r in rendered)
    assert any("customer_time_share" in r and "0.55-0.70" in r for r in rendered)
    assert all(w.severity == "warning" for w in loaded.warnings)


def test_unanswered_risk_event_warns(minimal_text: str) -> None:
    text = minimal_text + (
        "    risk_events:\n      champion_loss: {per_account_year: 0.1, "
        "unhandled_churn_probability: 0.5, handled_churn_probability: 0.6}\n"
    )
    rendered = [w.render() for w in load_text(text, "w.yaml").warnings]
    assert any("no touchpoint answers this risk event" in r for r in rendered)
    assert any("handling the event would make churn more likely" in r for r in rendered)


def test_unreadable_and_directory_paths(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        load(tmp_path / "missing.yaml")
    with pytest.raises(ScenarioError, match="is a directory"):
        load(tmp_path)


def test_yaml_12_semantics(minimal_text: str) -> None:
    # YAML 1.2: 'on' and 'yes' are strings, not booleans
    loaded = load_text(minimal_text + "name: on\ndescription: yes\n", "t.yaml")
    assert loaded.scenario.name == "on"
    assert loaded.scenario.description == "yes"


def test_alias_bomb_is_rejected() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    with pytest.raises(ScenarioError, match="too large"):
        load_text("\n".join(lines) + "\n", "bomb.yaml")


def test_account_list_segment(minimal_text: str) -> None:
    text = minimal_text.replace(
        "accounts: 20\n    arr: 50000",
        "accounts:\n      - {id: a1, arr: 1000, renewal_date: 2027-03-01}\n      - {id: a2, arr: 3000}",
    )
    seg = load_text(text, "t.yaml").scenario.segments["core"]
    assert seg.starting_accounts == 2
    assert seg.starting_arr == 4000


def test_override_quotes_are_stripped(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", BASE)
    assert (
        load_scenario(path, ['segments."core".churn.annual_baseline=0.2'])
        .segments["core"]
        .churn.annual_baseline
        == 0.2
    )


def test_override_created_keys_are_located_at_the_override(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", BASE)
    with pytest.raises(ScenarioError) as info:
        load(path, ["segments.extra.accounts=5"])
    assert all(
        i.location is not None and i.location.render(CLI_FLAGS).startswith("--set")
        for i in info.value.issues
    )


def test_strict_types_reject_coercions(minimal_text: str) -> None:
    for bad in ("accounts: true", 'accounts: "20"', "accounts: 20.0"):
        with pytest.raises(ScenarioError, match="whole number"):
            load_text(minimal_text.replace("accounts: 20", bad), "t.yaml")
    # numbers written as integers are fine where a fraction is expected
    assert (
        load_text(minimal_text.replace("0.1}", "1}"), "t.yaml")
        .scenario.segments["core"]
        .churn.annual_baseline
        == 1.0
    )
