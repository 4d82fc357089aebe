"""Decisions under uncertainty: scope, pairing with compare, sensitivity, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from simulator.analysis.compare import compare
from simulator.analysis.decide import options_of, psa
from simulator.analysis.decide_scope import changed_segments, reduced_data
from simulator.analysis.sensitivity import _Model, sensitivity
from simulator.cli import cli
from simulator.scenario.loader import load, load_text
from simulator.scenario.uncertain import uncertain_inputs

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "default.yaml"
SIX = ROOT / "scenarios" / "cfo_six.yaml"
TOP_ONLY = ("segments.mid=null", "segments.smb=null")


def test_only_the_changed_segment_is_simulated() -> None:
    a, b = load(DEFAULT).scenario, load(SIX).scenario
    assert changed_segments([a, b]) == ["top"]
    c = load(DEFAULT, ["economics.gross_margin=0.7"]).scenario
    assert changed_segments([a, c]) == list(a.segments)


def test_segments_sharing_a_team_with_a_changed_one_are_simulated() -> None:
    text = """
start_date: 2027-01-01
teams:
  pod: {csms: 2, annual_cost_per_csm: 100000}
  solo: {csms: 1, annual_cost_per_csm: 100000}
segments:
  a: {accounts: 5, arr: 1000, team: pod, churn: {annual_baseline: 0.1}}
  b: {accounts: 5, arr: 1000, team: pod, churn: {annual_baseline: 0.1}}
  c: {accounts: 5, arr: 1000, team: solo, churn: {annual_baseline: 0.1}}
"""
    base = load_text(text).scenario
    more = load_text(text, overrides=["teams.pod.csms=3"]).scenario
    assert changed_segments([base, more]) == ["a", "b"]
    data = reduced_data(load_text(text).data, ["a", "b"], 365.0)
    assert set(data["segments"]) == {"a", "b"} and set(data["teams"]) == {"pod"}
    assert data["burn_in_days"] == 365.0


def test_fixed_inputs_reproduce_compare_exactly() -> None:
    """With no uncertain input, draw d is replication d: the PSA is compare on the same
    segments, replication by replication."""
    over = (*TOP_ONLY, "uncertain=null")
    la, lb = load(DEFAULT, over), load(SIX, over)
    options = options_of("eight", la) + options_of("six", lb)
    p = psa(options, draws=3, inner=1, loadeds=[la, lb])
    assert p.inputs == [] and p.segments == ["top"]
    c = compare([la.scenario, lb.scenario], ["eight", "six"], replications=3)
    for o, exp in enumerate(c.experiments):
        for d in range(3):
            seg = exp.results[d].segments["top"]
            assert p.components["people"][d, o] == seg["people_cost"]
            assert p.arr_end[d, o] == seg["expected_arr_end"]
            assert p.components["revenue"][d, o] == seg["expected_revenue"]


def test_options_share_every_draw() -> None:
    la, lb = load(DEFAULT, TOP_ONLY), load(SIX, TOP_ONLY)
    p = psa(options_of("eight", la) + options_of("six", lb), draws=2, inner=1, loadeds=[la, lb])
    assert p.theta.shape == (2, len(uncertain_inputs(la)))
    assert not np.allclose(p.theta[0], p.theta[1])
    # paired: the people cost of each option is the same whatever the draw of effects
    assert np.all(p.components["people"][:, 0] > p.components["people"][:, 1])


def test_the_flip_threshold_is_the_break_even_value_of_an_arr_dollar() -> None:
    """With the value of an ARR dollar uncertain, the difference is linear in it on fixed
    replications, so the flip is the closed-form break-even -plan / ARR held; the
    bisection on the simulated model finds it."""
    over = (
        *TOP_ONLY,
        "uncertain={economics.arr_value_multiple: {dist: uniform, low: 0, high: 6}}",
        "economics.arr_value=multiple",
        "economics.arr_value_multiple=2",
    )
    la, lb = load(DEFAULT, over), load(SIX, over)
    options = options_of("eight", la) + options_of("six", lb)
    res = sensitivity(options, uncertain_inputs(la), ["top"], (0, 1), 3, la.scenario.seed)
    (t,) = res.thresholds
    assert t.value is not None and t.below is True  # eight loses when a dollar is worth little
    model = _Model(options, uncertain_inputs(la), ["top"], (0, 1), 3, la.scenario.seed, None, None)
    d0 = model.one(np.zeros(1), 0, 0.0)
    d1 = model.one(np.zeros(1), 0, 1.0)
    break_even = -d0 / (d1 - d0)
    assert t.value == pytest.approx(break_even, abs=(t.hi - t.lo) / 2**6)


def test_decide_cli_json(tmp_path: Path) -> None:
    out = tmp_path / "decision.json"
    res = CliRunner().invoke(
        cli,
        [
            "decide",
            str(DEFAULT),
            str(SIX),
            *(f"--set={o}" for o in TOP_ONLY),
            "--draws",
            "12",
            "--sensitivity-replications",
            "2",
            "-j",
            "1",
            "-q",
            "--format",
            "json",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc == json.loads(out.read_text())
    assert sum(o["p_best"] for o in doc["options"]) == pytest.approx(1.0)
    assert doc["decision"].startswith(doc["best"])
    assert doc["segments"] == ["top"]
    names = {i["name"] for i in doc["uncertain_inputs"]}
    assert {e["name"] for e in doc["evppi"]} == names
    assert {b["name"] for b in doc["tornado"]["bars"]} == names
    curve = doc["acceptability"]["p_best"]
    for i in range(len(doc["acceptability"]["arr_value"])):
        assert sum(v[i] for v in curve.values()) == pytest.approx(1.0)


def test_decide_needs_two_options() -> None:
    res = CliRunner().invoke(cli, ["decide", str(DEFAULT), "--draws", "2"])
    assert res.exit_code == 2
    assert "two scenarios" in res.output


def test_an_option_without_a_segment_is_refused() -> None:
    la = load(DEFAULT, (*TOP_ONLY, "uncertain=null"))
    lb = load(DEFAULT, ("segments.smb=null", "uncertain=null"))
    with pytest.raises(ValueError, match="has no segment mid"):
        psa(options_of("a", la) + options_of("b", lb), draws=1, loadeds=[la, lb])


def test_each_option_keeps_its_own_burn_in() -> None:
    over = (*TOP_ONLY, "uncertain=null")
    la = load(DEFAULT, over)
    lb = load(DEFAULT, (*over, "segments.top.contract_term_months=24"))
    from simulator.analysis.decide import build_points

    a, b = build_points(options_of("a", la) + options_of("b", lb), [], np.zeros((1, 0)), ["top"])[0]
    assert a.resolved_burn_in_days == la.scenario.resolved_burn_in_days
    assert b.resolved_burn_in_days == lb.scenario.resolved_burn_in_days == 730.0


def test_identical_options_are_refused_with_a_reason() -> None:
    la = load(DEFAULT, TOP_ONLY)
    with pytest.raises(ValueError, match="nothing to decide"):
        psa(options_of("a", la) + options_of("b", la), draws=1, loadeds=[la, la])


def test_a_renewal_dearer_than_replacement_is_refused() -> None:
    res = CliRunner().invoke(
        cli,
        [
            "validate",
            str(DEFAULT),
            "--set",
            "economics.arr_value=replacement",
            "--set",
            "economics.renewal_cost=5",
        ],
    )
    assert res.exit_code == 2 and "renewal_cost" in res.output


def test_a_variant_with_its_own_uncertain_block_is_refused(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        f"extends: {DEFAULT}\n"
        "variants:\n"
        "  six:\n"
        "    segments: {top: {team: {csms: 6}}}\n"
        "    uncertain:\n"
        "      segments.top.unscheduled_uplift: {dist: uniform, low: 1.5, high: 1.7}\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(
        cli, ["decide", str(plan), *(f"--set={o}" for o in TOP_ONLY), "--draws", "2", "-j", "1"]
    )
    assert res.exit_code == 2, res.output
    assert "uncertain" in res.output
