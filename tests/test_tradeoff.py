"""The CFO trade-off: the plan fits its budget, the frontier is monotone, the plan file
extends the input; the candidate rules, the hours split, the net-value score and the
precision rule of the pick; the pick agrees across replication counts."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from simulator.analysis.analytic import estimate
from simulator.analysis.compare import paired_difference
from simulator.analysis.tradeoff import (
    CandidateRules,
    Change,
    Hours,
    Scored,
    candidate_changes,
    tradeoff,
)
from simulator.analysis.tradeoff_pick import pick, tie_key
from simulator.analysis.tradeoff_rules import (
    apply_rules,
    check_rules,
    is_high_touch,
    is_renewal_or_ebr,
)
from simulator.analysis.tradeoff_score import team_hours
from simulator.cli import cli
from simulator.scenario.loader import load, load_scenario, merge, validate_data
from simulator.scenario.yamlsource import SourceMap

TOP = ["segments.mid=null", "segments.smb=null"]
TOP_SET = ["--set", "segments.mid=null", "--set", "segments.smb=null"]


# the tests that share this module fixture stay on one xdist worker (--dist loadgroup)
RESULT_GROUP = pytest.mark.xdist_group("tradeoff_result")


@pytest.fixture(scope="module")
def result():
    return tradeoff(
        load(None, TOP),
        "top",
        6,
        replications=4,
        root_seed=3,
        frontier=range(5, 10),
        max_replications=8,
    )


@pytest.mark.slow
@RESULT_GROUP
def test_plan_fits_the_offered_headcount_with_its_verdict(result) -> None:
    assert result.plan is not None
    assert result.plan.fte <= 6
    assert result.savings == pytest.approx(2 * 180_000)
    assert result.horizon_days >= 730  # judged over two contract terms
    v = result.verdict
    assert v is not None and v.pick is result.plan
    assert v.pick.fte <= 6 and 4 <= v.replications <= 8
    assert v.distinct or v.pick in v.tied
    # candidates best score first, each with its hours split and a net value
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    for c in result.candidates:
        assert c.hours_freed == pytest.approx(c.freed.scheduled + c.freed.adhoc + c.freed.inbound)
    # the rules left the high-touch renewal and EBR alone
    assert {"cut top.renewal", "automate top.ebr"} <= {e.change for e in result.excluded}
    assert not any("top.renewal" in c.label for c in result.candidates)


@pytest.mark.slow
@RESULT_GROUP
def test_frontier_is_monotone_within_its_intervals(result) -> None:
    rows = result.frontier
    for lo, hi in itertools.pairwise(rows):
        # more CSMs: on-time touches rise, ARR at risk never rises beyond the interval
        assert hi["on_time_share"] > lo["on_time_share"]
        assert hi["arr_at_risk"] <= lo["arr_at_risk_high"]
        assert hi["people_cost"] > lo["people_cost"]


def test_candidates_keep_individual_conversations_individual() -> None:
    labels = [c.label for c in candidate_changes(load_scenario(None, TOP), "top")]
    assert "cut top.qbr" in labels and "halve top.qbr" in labels
    assert not any(label.startswith(("1:many top.renewal", "1:many top.ebr")) for label in labels)
    assert any(label.startswith("route top inbound") for label in labels)


@pytest.mark.slow
def test_tradeoff_cli_writes_a_plan_that_extends_the_input(
    tmp_path: Path, scenarios_dir: Path
) -> None:
    out = tmp_path / "plan.yaml"
    args = [
        "tradeoff",
        str(scenarios_dir / "default.yaml"),
        "--team",
        "top",
        "--budget",
        "1.1M",
        "-n",
        "3",
        "-j",
        "1",
        "--seed",
        "3",
        "--max-replications",
        "3",
    ]
    result = CliRunner().invoke(cli, [*args, *TOP_SET, "-o", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["offered"] == 6  # 1.1M / 180k
    assert data["verdict"]["verdict"] in ("only_plan", "distinct", "indistinguishable")
    assert data["verdict"]["tie_rule"] and data["score_meaning"].startswith("Score: net value")
    first = data["candidates"][0]
    assert set(first["hours_freed"]) == {"scheduled", "tied_adhoc", "inbound", "total"}
    assert {"net_value", "value_before_people_cost", "score"} <= set(first)
    assert {e["rule"] for e in data["excluded"]} == {
        "renewal_changes",
        "onboarding_changes",
        "onboarding_one_to_many",
    }
    assert data["plan"]["net_value"]["mean"] == data["plan"]["net_value"]["mean"]  # not NaN
    text = out.read_text()
    assert "extends: " in text and "default.yaml" in text
    plan = load_scenario(out, TOP)
    assert plan.segments["top"].team.csms == 6
    assert next(t for t in estimate(plan).teams if t.team == "top").fte_needed <= 6


def test_tradeoff_cli_errors() -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["tradeoff", "--team", "top"]).exit_code == 2
    bad_team = runner.invoke(cli, ["tradeoff", "--team", "topp", "--csms", "6"])
    assert bad_team.exit_code == 2 and "no such team" in bad_team.output
    bad_budget = runner.invoke(cli, ["tradeoff", "--team", "top", "--budget", "lots"])
    assert bad_budget.exit_code == 2 and "1.1M" in bad_budget.output
    base = ["tradeoff", "--team", "top", "--csms", "6"]
    bad_allow = runner.invoke(cli, [*base, "--allow", "everything"])
    assert bad_allow.exit_code == 2 and "renewal-changes" in bad_allow.output
    bad_keep = runner.invoke(cli, [*base, "--keep", "top.qbrr"])
    assert bad_keep.exit_code == 2 and "Traceback" not in bad_keep.output
    assert "error: --keep top.qbrr: no touchpoint" in bad_keep.output
    assert "top.qbr" in bad_keep.output
    bad_arr = runner.invoke(cli, [*base, "--high-touch-arr", "much"])
    assert bad_arr.exit_code == 2 and "--high-touch-arr" in bad_arr.output
    precision = runner.invoke(cli, [*base, "--precision", "0.02"])
    assert precision.exit_code == 2 and "Traceback" not in precision.output


def test_offer_that_already_fits_needs_no_change() -> None:
    r = tradeoff(load(None, TOP), "top", 9, replications=2, root_seed=3)
    assert r.plan is not None and r.plan.changes == []
    assert r.savings == -180_000 and r.candidates == []
    from simulator.report.tradeoff import tradeoff_renderable

    assert tradeoff_renderable(r, "USD") is not None


@pytest.mark.slow
def test_every_days_cadences_can_be_halved() -> None:
    loaded = load(
        None,
        [*TOP, "segments.top.touchpoints.health_check.trigger={kind: cadence, every_days: 73}"],
    )
    r = tradeoff(
        loaded, "top", 6, replications=2, root_seed=3, frontier=range(6, 7), max_replications=2
    )
    assert any(c.label == "halve top.health_check" for c in r.candidates)


def test_shared_team_weights_segments() -> None:
    text = """
start_date: 2027-01-01
teams:
  pool: {csms: 1, annual_cost_per_csm: 100000, annual_attrition: 0}
segments:
  big:
    accounts: 10
    arr: 500000
    team: pool
    churn: {annual_baseline: 0.1}
    touchpoints: {qbr: {trigger: {kind: cadence, per_year: 4}, hours: 6}}
  small:
    accounts: 300
    arr: 5000
    team: pool
    churn: {annual_baseline: 0.3}
    touchpoints: {call: {trigger: {kind: cadence, per_year: 1}, hours: 1}}
"""
    from simulator.analysis.experiment import run_experiment
    from simulator.analysis.frontier import team_values
    from simulator.scenario.loader import load_text

    s = load_text(text, "shared.yaml").scenario
    exp = run_experiment(s, 2, 1, jobs=1)
    churn = team_values(exp, ["big", "small"], "expected_logo_churn")
    by_accounts = (
        exp.values("big", "expected_logo_churn") * 10
        + exp.values("small", "expected_logo_churn") * 300
    ) / 310
    assert churn == pytest.approx(by_accounts)


@pytest.mark.slow
def test_plan_file_keeps_overrides_and_never_overwrites_an_input(
    tmp_path: Path, scenarios_dir: Path
) -> None:
    out = tmp_path / "p.yaml"
    runner = CliRunner()
    args = [
        "tradeoff",
        "--team",
        "top",
        "--csms",
        "6",
        "-n",
        "2",
        "-j",
        "1",
        "--max-replications",
        "2",
        *TOP_SET,
        "--set",
        "segments.top.accounts=60",
    ]
    assert runner.invoke(cli, [*args, "-o", str(out)]).exit_code == 0
    plan = load_scenario(out)
    assert set(plan.segments) == {"top"} and plan.segments["top"].starting_accounts == 60
    src = tmp_path / "input.yaml"
    src.write_text(
        (scenarios_dir / "cfo_six.yaml")
        .read_text()
        .replace("extends: default.yaml", f"extends: {scenarios_dir / 'default.yaml'}")
    )
    clash = runner.invoke(
        cli, ["tradeoff", str(src), "--team", "top", "--csms", "6", "-n", "1", "-o", str(src)]
    )
    assert clash.exit_code == 2 and "is an input of this run" in clash.output
    tiny = runner.invoke(cli, ["tradeoff", "--team", "top", "--budget", "100k"])
    assert tiny.exit_code == 2 and "buys no CSM" in tiny.output


# --- the candidate rules ---------------------------------------------------------------


def _allowed(s, team: str, rules: CandidateRules) -> tuple[set[str], dict[str, str]]:
    kept, excluded = apply_rules(s, candidate_changes(s, team), rules)
    return {c.label for c in kept}, {e.change: e.rule for e in excluded}


def test_rules_keep_high_touch_renewals_and_one_to_one_onboarding() -> None:
    s = load_scenario(None, TOP)
    allowed, excluded = _allowed(s, "top", CandidateRules())
    for label in ("cut top.renewal", "automate top.renewal", "cut top.ebr", "automate top.ebr"):
        assert label not in allowed and excluded[label] == "renewal_changes"
    for tp in ("kickoff", "implementation_workshop", "first_value_review"):
        label = f"1:many top.{tp} (monthly sessions of 10)"
        assert label not in allowed and excluded[label] == "onboarding_one_to_many"
        # a high-touch tier's onboarding is a CSM's work: not automated or cut either
        for kind in ("automate", "cut"):
            assert excluded[f"{kind} top.{tp}"] == "onboarding_changes"
    assert "1:many top.training (monthly sessions of 10)" in allowed  # adoption, not onboarding
    lifted = CandidateRules(
        renewal_changes=True, onboarding_changes=True, onboarding_one_to_many=True
    )
    allowed, excluded = _allowed(s, "top", lifted)
    assert not excluded
    assert {"cut top.renewal", "automate top.ebr"} <= allowed
    assert "1:many top.kickoff (monthly sessions of 10)" in allowed
    # a renewal is never a webinar, whatever the rules
    assert not any(x.startswith("1:many top.renewal") for x in allowed)


def test_high_touch_needs_dedicated_coverage_and_high_arr_per_account() -> None:
    s = load_scenario(None)
    assert is_high_touch(s.segments["top"], CandidateRules())
    assert not is_high_touch(s.segments["mid"], CandidateRules())  # $30k an account
    assert not is_high_touch(s.segments["smb"], CandidateRules())  # pooled
    assert is_high_touch(s.segments["mid"], CandidateRules(high_touch_arr=20_000))
    allowed, _ = _allowed(s, "mid", CandidateRules())
    assert "cut mid.renewal" in allowed
    allowed, excluded = _allowed(s, "mid", CandidateRules(high_touch_arr=20_000))
    assert "cut mid.renewal" not in allowed and excluded["cut mid.renewal"] == "renewal_changes"


def test_renewals_and_ebrs_are_known_by_trigger_purpose_or_name() -> None:
    s = load_scenario(
        None,
        [
            *TOP,
            "segments.top.touchpoints.exec_review={trigger: {kind: cadence, per_year: 1}, hours: 4}",
            "segments.top.touchpoints.EBR_h2={trigger: {kind: cadence, per_year: 1}, hours: 4}",
            "segments.top.touchpoints.renewal_prep={trigger: {kind: cadence, per_year: 1}, hours: 2}",
            "segments.top.touchpoints.ebrake={trigger: {kind: cadence, per_year: 1}, hours: 1}",
        ],
    )
    tps = s.segments["top"].touchpoints
    assert is_renewal_or_ebr("ebr", tps["ebr"]) and is_renewal_or_ebr("renewal", tps["renewal"])
    assert is_renewal_or_ebr("EBR_h2", tps["EBR_h2"])
    assert is_renewal_or_ebr("renewal_prep", tps["renewal_prep"])
    assert not is_renewal_or_ebr("exec_review", tps["exec_review"])
    assert not is_renewal_or_ebr("ebrake", tps["ebrake"])  # a word, not a substring


def test_keep_leaves_a_touchpoint_alone_and_unknown_names_are_refused() -> None:
    s = load_scenario(None, TOP)
    allowed, excluded = _allowed(s, "top", CandidateRules(keep=frozenset({"qbr", "top.inbound"})))
    assert not any("top.qbr" in x or "inbound" in x for x in allowed)
    assert excluded["halve top.qbr"] == "keep"
    assert any(c.startswith("route top inbound") and r == "keep" for c, r in excluded.items())
    check_rules(s, "top", CandidateRules(keep=frozenset({"top.qbr", "inbound"})))
    with pytest.raises(ValueError, match="qbrr"):
        check_rules(s, "top", CandidateRules(keep=frozenset({"qbrr"})))


# --- hours freed, split -----------------------------------------------------------------


def test_hours_freed_split_scheduled_tied_ad_hoc_and_inbound() -> None:
    s = load_scenario(None, TOP)
    uplift = s.segments["top"].unscheduled_uplift
    base = estimate(s)
    today = team_hours(base, ["top"])
    by_label = {c.label: c for c in candidate_changes(s, "top")}
    for label in ("automate top.qbr", "route top inbound to support (50% -> 75%)"):
        ch = by_label[label]
        merged = merge(load(None, TOP).data, ch.patch, (), SourceMap(), SourceMap())
        after = validate_data(merged).scenario
        freed = today - team_hours(estimate(after), ["top"])
        fte_freed = base.team("top").fte_needed - estimate(after).team("top").fte_needed
        # the three kinds add up to the closed form's hours
        assert freed.total == pytest.approx(fte_freed * base.team("top").customer_hours_per_csm)
        if ch.kind == "automate":
            assert freed.scheduled > 0 and freed.inbound == pytest.approx(0)
            # the ad hoc work tied to a touch goes with it, at the uplift on its hours
            assert freed.adhoc == pytest.approx((uplift - 1) * freed.scheduled)
        else:
            assert freed.scheduled == pytest.approx(0) and freed.adhoc == pytest.approx(0)
            assert freed.inbound > 0


# --- the score and the pick ---------------------------------------------------------------


def _fake(label: str, value: list[float], hours: float, changes: int = 1, nv=None) -> Scored:
    """A scored plan with per-replication value before people cost ``value`` against a
    today of zeros, and net values ``nv`` (default: the same)."""
    zeros = np.zeros(len(value))
    vc = paired_difference("top", "value", zeros, np.array(value))
    values = np.array(nv if nv is not None else value, dtype=float)
    d = paired_difference("top", "x", zeros, zeros)
    chs = [Change(f"{label}#{i}" if i else label, f"top.{label}{i}", {}) for i in range(changes)]
    return Scored(
        chs,
        5.0,
        Hours(hours, 0.5 * hours, 0.0),
        paired_difference("top", "net_value", zeros, values),
        vc,
        d,
        d,
        d,
        2.0,
        None,
        values,
    )


def test_score_ranks_value_lost_per_hour_freed() -> None:
    free = _fake("free", [0.0, 0.0, 0.0], hours=100)  # frees hours at no retention cost
    costly = _fake("costly", [-5e4, -6e4, -4e4], hours=0)  # adds ARR at risk, frees nothing
    cheap = _fake("cheap", [-1e4, -2e4, -1.5e4], hours=100)
    dear = _fake("dear", [-1e4, -2e4, -1.5e4], hours=10)  # same loss, fewer hours
    assert costly.score < dear.score < cheap.score < free.score
    assert free.score == 0 and cheap.score < 0
    assert free.hours_freed == pytest.approx(150)  # scheduled + tied ad hoc


def test_pick_adds_replications_until_the_best_is_distinct() -> None:
    rng = np.random.default_rng(1)
    noise, own = rng.normal(0, 1e5, 64), rng.normal(0, 4e4, 64)
    calls: list[int] = []

    def make(n: int) -> list[Scored]:
        # plan a is $50k better than b, behind noise they share (CRN) and some of b's own
        return [
            _fake("a", list(noise[:n] + 5e4), 100),
            _fake("b", list(noise[:n] + own[:n]), 120),
        ]

    def extend(plans: list[Scored], n: int) -> list[Scored]:
        calls.append(n)
        return [x for x in make(n) if x.label in {p.label for p in plans}]

    v = pick(make(2), extend, 64)
    assert v is not None and v.distinct and v.pick.label == "a" and v.runner_up.label == "b"
    assert v.difference.low > 0 and not v.tied
    assert calls and calls == sorted(calls) and calls[0] == 4  # doubling from 2


def test_pick_says_when_plans_cannot_be_told_apart_and_breaks_the_tie_by_rule() -> None:
    rng = np.random.default_rng(2)
    common, two, one = rng.normal(0, 1e5, 16), rng.normal(1e3, 5e4, 16), rng.normal(0, 5e4, 16)

    def make(n: int) -> list[Scored]:
        return [
            # about the same net value; two changes lose the tie to one
            _fake("two", list(common[:n] + two[:n]), 300, changes=2),
            _fake("one", list(common[:n] + one[:n]), 100),
        ]

    v = pick(make(4), lambda plans, n: make(n), 16)
    assert v is not None and not v.distinct
    assert v.replications == 16 and v.max_replications == 16
    assert v.pick.label == "one" and {x.label for x in v.tied} == {"one", "two; two#1"}
    assert v.difference is not None and v.difference.low < 0 < v.difference.high
    assert pick([], lambda plans, n: plans, 8) is None


def test_tie_rule_is_fewer_changes_then_more_hours_then_name() -> None:
    a = _fake("a", [0.0], 100, changes=2)
    b = _fake("b", [0.0], 50)
    c = _fake("c", [0.0], 80)
    d = _fake("d", [0.0], 80)
    assert sorted([a, b, c, d], key=tie_key) == [c, d, b, a]


# --- stable across replication counts ----------------------------------------------------

SMALL_TOP = [*TOP, "segments.top.accounts=16", "segments.top.team.csms=3"]
# a short menu (training, QBRs): the onboarding, health checks and inbound kept as they are
SHORT_MENU = CandidateRules(
    keep=frozenset(
        {"kickoff", "implementation_workshop", "first_value_review", "health_check", "inbound"}
    )
)


def test_pick_agrees_across_replication_counts() -> None:
    loaded = load(None, SMALL_TOP)
    verdicts = [
        tradeoff(
            loaded,
            "top",
            2,
            replications=n,
            root_seed=5,
            frontier=range(2, 3),
            rules=SHORT_MENU,
            max_replications=8,
        ).verdict
        for n in (2, 4)
    ]
    assert verdicts[0] is not None and verdicts[1] is not None
    same = verdicts[0].pick.label == verdicts[1].pick.label
    # the same plan, or at least one run says it cannot tell the plans apart
    assert same or not (verdicts[0].distinct and verdicts[1].distinct)
    assert all(v.replications >= 4 for v in verdicts)  # n=2 alone never settles it


def test_a_distinct_pick_is_shown_against_a_plan_it_beat_on_the_same_replications() -> None:
    """c is ruled out against a early on; b then overtakes a: the runner-up named is a
    (ruled out by b on b's replications), not c, which was never compared with b."""
    vals = {
        "a": [10, 10, 5, 5, 5, 5, 5, 5.0],
        "b": [9.5, 10.3, 10, 10, 10, 10, 10, 10.0],
        "c": [9.5] * 8,
    }

    def make(label: str, n: int) -> Scored:
        return _fake(label, vals[label][:n], 100)

    def extend(plans: list[Scored], n: int) -> list[Scored]:
        return [make(p.label, n) for p in plans]

    v = pick([make(x, 2) for x in "abc"], extend, 8)
    assert v is not None and v.distinct and v.pick.label == "b"
    assert v.runner_up is not None and v.runner_up.label == "a"
    assert v.difference is not None and v.difference.low > 0
    assert v.difference.n == v.replications == 8


def test_business_reviews_count_with_renewals_and_ebrs() -> None:
    s = load_scenario(None, TOP)
    qbr = s.segments["top"].touchpoints["qbr"]
    for name in ("qbr", "QBRs", "business_review", "executive-business-reviews"):
        assert is_renewal_or_ebr(name, qbr), name
    assert not is_renewal_or_ebr("review_call", s.segments["top"].touchpoints["health_check"])
