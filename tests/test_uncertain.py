"""Uncertain inputs: paths with wildcards, located load-time errors, draws, options, default."""

from __future__ import annotations

import copy
import math
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.cli import cli
from simulator.errors import ScenarioError
from simulator.scenario.loader import Loaded, load, load_variants, loaded_variants
from simulator.scenario.uncertain import (
    PSA_KEY,
    UncertainInput,
    apply_values,
    draw_values,
    expand_path,
    quantile_values,
    scenario_with,
    shared_inputs,
    uncertain_inputs,
)
from tests.conftest import ROOT

TWO = """\
start_date: 2027-01-01
segments:
  big:
    accounts: 20
    arr: 50000
    team: {csms: 2, annual_cost_per_csm: 150000}
    churn: {annual_baseline: 0.1, coverage_effect: 0.8}
    touchpoints:
      qbr: {trigger: {kind: cadence, per_year: 4}, hours: 2}
      digest: {trigger: {kind: cadence, per_year: 12}, channel: automated, effectiveness: 0.4}
  small:
    accounts: 200
    arr: 5000
    team: {csms: 1, annual_cost_per_csm: 120000}
    churn: {annual_baseline: 0.2}
"""


def _load(text: str, tmp_path: Path, name: str = "plan.yaml") -> Loaded:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load(path)


def _with(block: str) -> str:
    return TWO + "uncertain:\n" + block


# ----------------------------------------------------------------------------- paths


def test_wildcards_set_every_match_and_create_what_is_absent(tmp_path: Path) -> None:
    loaded = _load(
        _with(
            "  segments.*.churn.coverage_effect: {dist: uniform, low: 0.5, high: 1.5}\n"
            "  segments.*.expansion.touch_effect: {dist: uniform, low: 0.2, high: 0.8}\n"
        ),
        tmp_path,
    )
    inputs = uncertain_inputs(loaded)
    assert [i.path for i in inputs] == [
        ("segments", "*", "churn", "coverage_effect"),
        ("segments", "*", "expansion", "touch_effect"),
    ]
    before = copy.deepcopy(loaded.data)
    out = apply_values(loaded.data, inputs, [1.25, 0.3])
    assert loaded.data == before  # a copy: the loaded data is untouched
    for seg in ("big", "small"):
        # big states coverage_effect, small leaves it to the default: both are set
        assert out["segments"][seg]["churn"]["coverage_effect"] == 1.25
        # no segment has an expansion mapping: it is created
        assert out["segments"][seg]["expansion"] == {"touch_effect": 0.3}
    assert "expansion" not in loaded.data["segments"]["big"]
    assert expand_path(loaded.data, ("segments", "*", "touchpoints", "*", "hours")) == [
        ("segments", "big", "touchpoints", "qbr", "hours"),
        ("segments", "big", "touchpoints", "digest", "hours"),
    ]


def test_an_absent_literal_path_is_created_like_set(tmp_path: Path) -> None:
    loaded = _load(
        _with("  segments.small.inbound.support_share: {dist: uniform, low: 0.2, high: 0.4}\n"),
        tmp_path,
    )
    s = scenario_with(loaded.data, uncertain_inputs(loaded), [0.3])
    assert s.segments["small"].inbound.support_share == 0.3
    assert "inbound" not in loaded.data["segments"]["small"]


def _line_of(text: str, key: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.strip().startswith(key))


BAD = [
    ("segments.big.churn.coverage_efect: 1", "has no field 'coverage_efect'; did you mean"),
    ("segments.huge.churn.coverage_effect: 1", "no segment 'huge' in segments"),
    ("teams.*.csms: 2", "* after teams matches no key"),
    (
        "segments.*.risk_events.*.per_account_year: 1",
        "* after segments.*.risk_events matches no key",
    ),
    ("segments.*.description: 1", "segments.big.description is text, not a number"),
    ("segments.big.team.csms: 2", "holds a whole number"),
    ("segments.big.touchpoints.qbr.trigger: 2", "is a mapping of fields, not a number"),
    ("segments..churn: 1", "cannot read the path"),
    ("variants.x: 1", "variants is not a value of the plan"),
    (
        "segments.*.churn.coverage_effect: {dist: normal, mean: 0.5, sd: 0.5}",
        "its 0.1% quantile is not valid: segments.big.churn.coverage_effect must be >= 0; "
        "add min: 0 to the distribution",
    ),
    (
        "segments.*.expansion.coverage_effect: {dist: uniform, low: 0.5, high: 1.5}",
        "its highest value is not valid: segments.big.expansion.coverage_effect must be <= 1; "
        "lower high to 1",
    ),
    (
        "segments.big.arr: {dist: triangular, low: -10, mode: 100, high: 1000}",
        "must not take negative values",
    ),
]


@pytest.mark.parametrize(("entry", "fragment"), BAD)
def test_a_bad_input_is_reported_at_its_key(tmp_path: Path, entry: str, fragment: str) -> None:
    text = _with("  " + entry + "\n")
    with pytest.raises(ScenarioError) as err:
        _load(text, tmp_path)
    [issue] = err.value.issues
    assert fragment in issue.render()
    assert issue.location is not None
    assert issue.location.file == str(tmp_path / "plan.yaml")
    assert issue.location.line == _line_of(text, entry.split(":")[0])


def test_the_same_field_twice_is_an_error_at_the_second_key(tmp_path: Path) -> None:
    text = _with(
        "  segments.*.churn.coverage_effect: {dist: uniform, low: 0.5, high: 1.5}\n"
        "  segments.big.churn.coverage_effect: {dist: uniform, low: 0.5, high: 1}\n"
        "  segments.big.churn.reassignment_multiplier: 1.1\n"
        "  segments.big . churn.reassignment_multiplier: 1.2\n"
    )
    with pytest.raises(ScenarioError) as err:
        _load(text, tmp_path)
    first, second = err.value.issues
    assert "sets segments.big.churn.coverage_effect, which 'segments.*.churn" in first.message
    assert first.location is not None and first.location.line == _line_of(text, "segments.big.c")
    assert "the same path as 'segments.big.churn.reassignment_multiplier'" in second.message
    assert second.location is not None
    assert second.location.line == _line_of(text, "segments.big . churn")


def test_validate_reports_the_file_line_and_exits_2(tmp_path: Path) -> None:
    text = _with("  segments.*.churn.responsiveness_effect: {dist: normal, mean: 0.5, sd: 0.4}\n")
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    line = _line_of(text, "segments.*.churn.responsiveness")
    assert f"{path}:{line}:3 uncertain.segments.*.churn.responsiveness_effect" in result.output
    assert "add min: 0" in result.output
    assert "Traceback" not in result.output


def test_lognormal_is_checked_at_its_quantiles_not_at_zero(tmp_path: Path) -> None:
    # late_credit_half_life_days must be > 0: a lognormal never draws 0
    loaded = _load(
        _with(
            "  segments.*.churn.late_credit_half_life_days: {dist: lognormal, mean: 30, cv: 1}\n"
        ),
        tmp_path,
    )
    assert len(uncertain_inputs(loaded)) == 1


# ----------------------------------------------------------------------------- draws


def _uniform_inputs(tmp_path: Path) -> list[UncertainInput]:
    loaded = _load(
        _with(
            "  segments.*.churn.coverage_effect: {dist: uniform, low: 0.4, high: 1.6}\n"
            "  segments.big.touchpoints.digest.effectiveness: {dist: uniform, low: 0.3, high: 0.6}\n"
        ),
        tmp_path,
    )
    return uncertain_inputs(loaded)


def test_draws_are_deterministic_with_uniform_moments(tmp_path: Path) -> None:
    inputs = _uniform_inputs(tmp_path)
    n = 20_000
    theta = draw_values(inputs, n, seed=7)
    assert theta.shape == (n, 2)
    assert np.array_equal(theta, draw_values(inputs, n, seed=7))
    assert not np.array_equal(theta, draw_values(inputs, n, seed=8))
    assert np.array_equal(draw_values(inputs, 50, seed=7), theta[:50])
    z = 4.0  # a two-sided 99.994% normal interval for each moment
    for j, (a, b) in enumerate([(0.4, 1.6), (0.3, 0.6)]):
        x = theta[:, j]
        assert a <= x.min() and x.max() <= b
        var = (b - a) ** 2 / 12
        assert abs(x.mean() - (a + b) / 2) < z * math.sqrt(var / n)
        # the sample variance's standard error: sqrt((mu4 - var**2) / n), mu4 = (b-a)**4/80
        assert abs(x.var() - var) < z * math.sqrt(((b - a) ** 4 / 80 - var**2) / n)
    # the columns are independent: their correlation is within its null interval
    assert abs(np.corrcoef(theta.T)[0, 1]) < z / math.sqrt(n)


def test_draws_use_their_own_stream(tmp_path: Path) -> None:
    inputs = _uniform_inputs(tmp_path)
    rng = np.random.default_rng(np.random.SeedSequence(3, spawn_key=(PSA_KEY,)))
    u = rng.random((5, 2))
    expected = np.column_stack([0.4 + 1.2 * u[:, 0], 0.3 + 0.3 * u[:, 1]])
    assert np.allclose(draw_values(inputs, 5, seed=3), expected)


def test_quantiles(tmp_path: Path) -> None:
    inputs = _uniform_inputs(tmp_path)
    assert np.allclose(quantile_values(inputs, 0.5), [1.0, 0.45])
    assert np.allclose(quantile_values(inputs, 0.1), [0.52, 0.33])


def test_scenario_with_sets_the_values(tmp_path: Path) -> None:
    loaded = _load(
        _with(
            "  segments.*.churn.coverage_effect: {dist: uniform, low: 0.4, high: 1.6}\n"
            "  segments.big.arr: {dist: uniform, low: 40000, high: 60000}\n"
        ),
        tmp_path,
    )
    before = copy.deepcopy(loaded.data)
    s = scenario_with(loaded.data, uncertain_inputs(loaded), [1.5, 55000.0])
    assert [seg.churn.coverage_effect for seg in s.segments.values()] == [1.5, 1.5]
    arr = s.segments["big"].arr
    assert arr is not None and arr.mean == 55000 and arr.variance == 0  # a number: fixed
    assert s.segments["small"].churn.annual_baseline == 0.2
    assert loaded.data == before
    with pytest.raises(ValueError, match="1 values for 2"):
        scenario_with(loaded.data, uncertain_inputs(loaded), [1.0])


def test_scenario_with_a_customer_list_reads_no_file(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text("Account ID,ARR,Renewal Date\nA1,120000,2027-03-01\nA2,90000,2027-05-01\n")
    text = (
        "start_date: 2027-01-01\n"
        "segments:\n"
        "  big:\n"
        "    accounts: {from_csv: book.csv}\n"
        "    team: {csms: 1, annual_cost_per_csm: 150000}\n"
        "    churn: {annual_baseline: 0.1}\n"
        "uncertain:\n"
        "  segments.big.churn.coverage_effect: {dist: uniform, low: 0.4, high: 1.6}  # assumption: x\n"
    )
    loaded = _load(text, tmp_path)
    assert isinstance(loaded.data["segments"]["big"]["accounts"], list)
    inputs = uncertain_inputs(loaded)
    assert inputs[0].note == "assumption: x"
    book.unlink()  # the accounts were read once, at load time
    s = scenario_with(loaded.data, inputs, [0.9])
    assert s.segments["big"].churn.coverage_effect == 0.9
    assert [a.id for a in s.segments["big"].accounts] == ["A1", "A2"]  # type: ignore[union-attr]


# ----------------------------------------------------------------------------- options


def test_variants_inherit_the_block_and_are_checked(tmp_path: Path) -> None:
    block = "  segments.*.churn.coverage_effect: {dist: uniform, low: 0.4, high: 1.6}\n"
    text = _with(block) + "variants:\n  six: {segments: {big: {team: {csms: 6}}}}\n"
    loaded = _load(text, tmp_path)
    [(name, six)] = loaded_variants(loaded).items()
    assert name == "six" and six.scenario.segments["big"].team.csms == 6  # type: ignore[union-attr]
    assert six.scenario.uncertain == loaded.scenario.uncertain
    assert load_variants(loaded)["six"].uncertain == loaded.scenario.uncertain
    assert shared_inputs([loaded, six]) == uncertain_inputs(loaded)
    # a variant the block no longer fits is an error at the variant's own line
    text = _with(
        block.replace("*.churn", "small.inbound").replace("coverage_effect", "support_share")
    )
    text = text.replace("high: 1.6", "high: 0.6") + "variants:\n  drop: {segments: {small: null}}\n"
    with pytest.raises(ScenarioError, match="no segment 'small'"):
        loaded_variants(_load(text, tmp_path))


def test_options_share_the_first_block(tmp_path: Path) -> None:
    block = "  segments.*.churn.coverage_effect: {dist: uniform, low: 0.4, high: 1.6}\n"
    first = _load(_with(block), tmp_path, "base.yaml")
    same = _load("extends: base.yaml\nsegments: {big: {team: {csms: 3}}}\n", tmp_path, "b.yaml")
    none = _load(TWO.replace("csms: 2", "csms: 4"), tmp_path, "c.yaml")
    assert shared_inputs([first, same, none]) == uncertain_inputs(first)
    assert shared_inputs([]) == []
    other = _load(_with(block.replace("1.6", "1.2")), tmp_path, "d.yaml")
    with pytest.raises(ScenarioError) as err:
        shared_inputs([first, other])
    [issue] = err.value.issues
    assert str(tmp_path / "base.yaml") in issue.message
    assert issue.location is not None and issue.location.file == str(tmp_path / "d.yaml")
    assert "uniform(low=0.4, high=1.2) here and uniform(low=0.4, high=1.6) there" in issue.message
    # an option with no block gets the first block's draws, so its paths must fit it too
    lone = _load(TWO.replace("  small:", "  other:"), tmp_path, "e.yaml")
    first = _load(_with(block.replace("*", "small")), tmp_path, "base.yaml")
    with pytest.raises(ScenarioError, match=r"applied to .*e\.yaml .*no segment 'small'"):
        shared_inputs([first, lone])


# ----------------------------------------------------------------------------- the default


@pytest.fixture(scope="module")
def default() -> Loaded:
    return load(None)


def test_the_default_runs_its_stated_values(default: Loaded) -> None:
    without = load(None, ["uncertain=null"]).scenario
    assert default.scenario.uncertain and not without.uncertain
    assert default.scenario.model_dump(exclude={"uncertain"}) == without.model_dump(
        exclude={"uncertain"}
    )
    inputs = uncertain_inputs(default)
    assert all(i.note.startswith("D: ") and "assumption" in i.note for i in inputs)


def test_effectiveness_is_drawn_for_automated_touches_only(default: Loaded) -> None:
    inputs = uncertain_inputs(default)
    j = next(k for k, i in enumerate(inputs) if i.name.endswith("effectiveness"))
    values = quantile_values(inputs, 0.5)
    values[j] = 0.33
    s = scenario_with(default.data, inputs, values)
    for seg in s.segments.values():
        for tp in seg.touchpoints.values():
            expected = {"automated": 0.33, "skipped": 0.0}.get(tp.channel, 1.0)
            assert tp.resolved_effectiveness == expected


@settings(max_examples=25, deadline=None)
@given(q=st.floats(0.01, 0.99))
def test_every_quantile_of_the_default_validates(default: Loaded, q: float) -> None:
    inputs = uncertain_inputs(default)
    values = quantile_values(inputs, q)
    s = scenario_with(default.data, inputs, values)
    top = s.segments["top"]
    assert top.churn.coverage_effect == pytest.approx(values[0])
    assert top.expansion.touch_effect == pytest.approx(values[-1])


def test_the_assumptions_table_matches_the_default(default: Loaded) -> None:
    text = (ROOT / "docs" / "assumptions.md").read_text(encoding="utf-8")
    section = text.split("## Uncertain inputs", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| [^|]+ \| ([\d.]+) \| ([\d.]+)-([\d.]+) \|", section, re.M)
    inputs = uncertain_inputs(default)
    assert [r[0] for r in rows] == [i.name for i in inputs]
    for (_, med, p10, p90), inp in zip(rows, inputs, strict=True):
        for shown, q in ((med, 0.5), (p10, 0.1), (p90, 0.9)):
            digits = len(shown.split(".")[1])
            assert float(shown) == round(inp.dist.ppf1(q), digits), (inp.name, q)
