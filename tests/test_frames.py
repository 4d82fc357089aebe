"""Results as DataFrames and Arrow tables: shapes, names not codes, round trips, and the
same values as the summaries they are built from."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from simulator.analysis.compare import COMPARED, Comparison, compare
from simulator.analysis.decide import options_of
from simulator.analysis.decision import Decision, decide
from simulator.analysis.experiment import Experiment, run_experiment
from simulator.analysis.frontier import frontier
from simulator.engine.codes import Channel, Event, Kind, Status
from simulator.engine.records import Records
from simulator.engine.simulation import simulate
from simulator.frames import frontier_frame, frontier_table
from simulator.scenario.loader import load

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "default.yaml"
SIX = ROOT / "scenarios" / "cfo_six.yaml"
TOP_ONLY = ("segments.mid=null", "segments.smb=null")


@pytest.fixture(scope="module")
def records() -> Records:
    return simulate(load(DEFAULT).scenario, 0, 3)


@pytest.fixture(scope="module")
def experiment() -> Experiment:
    return run_experiment(load(DEFAULT).scenario, 3, 5, jobs=1)


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    a, b = load(DEFAULT, TOP_ONLY).scenario, load(SIX, TOP_ONLY).scenario
    return compare([a, b], ["eight", "six"], replications=3, root_seed=1)


@pytest.fixture(scope="module")
def decision() -> Decision:
    la, lb = load(DEFAULT, TOP_ONLY), load(SIX, TOP_ONLY)
    options = options_of("eight", la) + options_of("six", lb)
    return decide(
        options, draws=4, inner=1, root_seed=2, loadeds=[la, lb], sensitivity_replications=0
    )


def _round_trip(table: pa.Table, frame: pd.DataFrame) -> None:
    """The DataFrame is the table, and converting it back to Arrow and to pandas again
    changes nothing (pandas reads Arrow nulls as NaN or None and writes them back)."""
    assert frame.shape == (table.num_rows, table.num_columns)
    assert list(frame.columns) == table.column_names
    back = pa.Table.from_pandas(frame, preserve_index=False)
    assert back.column_names == table.column_names
    pd.testing.assert_frame_equal(back.to_pandas(), frame)


@pytest.mark.parametrize("which", ["tasks", "accounts", "renewals", "events"])
def test_record_tables_have_one_row_per_record_and_round_trip(records: Records, which: str) -> None:
    source = getattr(records, which)
    table = records.to_arrow(which)  # type: ignore[arg-type]
    frame = records.to_pandas(which)  # type: ignore[arg-type]
    assert table.num_rows == len(next(iter(source.values()))) > 0
    assert set(source) - {"tp"} <= set(table.column_names)
    assert "team" in table.column_names
    _round_trip(table, frame)


def test_record_tables_hold_names_not_codes(records: Records) -> None:
    tasks = records.to_pandas("tasks")
    assert set(tasks["segment"]) == set(records.segments)
    assert set(tasks["team"].dropna()) <= set(records.teams)
    assert set(tasks["status"]) <= set(Status.labels())
    assert set(tasks["kind"]) <= set(Kind.labels()) and set(tasks["channel"]) <= set(
        Channel.labels()
    )
    plan = {n for tps in records.touchpoints for n in tps}
    names = set(tasks["touchpoint"].dropna())
    assert names <= plan | {"support", "unscheduled"} | {"session:" + n for n in plan}
    assert names & plan
    # the labels are the codes' names, row by row
    codes = records.tasks["status"]
    assert [Status.of(s) for s in tasks["status"]] == [Status(int(c)) for c in codes]
    first = records.task_rows()[0]
    row = tasks.iloc[0]
    assert (row["touchpoint"], row["status"], row["segment"]) == (
        first["touchpoint"],
        first["status"],
        first["segment"],
    )
    events = records.to_pandas("events")
    assert set(events["event"]) <= set(Event.labels()) and "created" in set(events["event"])
    accounts = records.to_pandas("accounts")
    team_of = {
        records.segments[s]: records.teams[t] for s, t in enumerate(records.segment_team) if t >= 0
    }
    assert all(accounts["team"] == accounts["segment"].map(team_of))
    renewals = records.to_pandas("renewals")
    assert renewals["churned"].dtype == bool
    risks = {n for rs in records.risk_events for n in rs}
    assert set(renewals["risk_event"].dropna()) <= risks


def test_record_tables_equal_the_summaries(records: Records) -> None:
    summary = records.summary()
    accounts = records.to_pandas("accounts")
    tasks = records.to_pandas("tasks")
    for seg, s in summary.items():
        mine = accounts[accounts["segment"] == seg]
        starting = mine[mine["starting"]]
        assert starting["arr_start"].sum() == pytest.approx(s["arr_start"], rel=1e-12)
        assert mine["arr_end"].sum() == pytest.approx(s["arr_end"], rel=1e-12)
        assert mine["churned"].sum() == s["churned_logos"]
        assert (~mine["starting"]).sum() == s["new_accounts"]
    by_touch = tasks.groupby(["segment", "touchpoint"]).size()
    for row in records.touch_table():
        if row["requested"]:
            assert by_touch[(row["segment"], row["touchpoint"])] >= row["requested"]
    with pytest.raises(ValueError, match="no record table"):
        records.to_arrow("nothing")  # type: ignore[arg-type]


def test_experiment_tables_equal_its_statistics(experiment: Experiment) -> None:
    reps = experiment.to_pandas()
    segments = list(experiment.results[0].segments)
    assert reps.shape[0] == experiment.replications * len(segments)
    for seg in segments:
        got = reps[reps["segment"] == seg].sort_values("replication")["grr"].to_numpy()
        np.testing.assert_array_equal(got, experiment.values(seg, "grr"))
    stats = experiment.to_pandas("stats")
    n_metrics = len(experiment.results[0].segments[segments[0]])
    assert stats.shape == (len(segments) * n_metrics, 10)
    st = experiment.stats()[segments[0]]["grr"]
    row = stats[(stats["segment"] == segments[0]) & (stats["metric"] == "grr")].iloc[0]
    assert (row["mean"], row["ci_low"], row["ci_high"], row["p90"]) == (
        st.mean,
        st.low,
        st.high,
        st.p90,
    )
    assert row["replications"] == experiment.replications
    teams = experiment.to_pandas("team_stats")
    ts = experiment.team_stats()
    team = next(iter(ts))
    got_u = teams[(teams["team"] == team) & (teams["metric"] == "utilisation")]["mean"].item()
    assert got_u == ts[team]["utilisation"].mean
    per_team = experiment.to_pandas("teams")
    assert per_team.shape[0] == experiment.replications * len(ts)
    _round_trip(experiment.to_arrow("stats"), stats)
    _round_trip(experiment.to_arrow(), reps)
    wide = experiment.to_pandas("stats", confidence=0.5)
    assert (wide["ci_high"] - wide["ci_low"]).sum() < (stats["ci_high"] - stats["ci_low"]).sum()


def test_comparison_tables_equal_its_differences(comparison: Comparison) -> None:
    diffs = comparison.to_pandas()
    want = comparison.differences(1)
    assert (
        diffs.shape[0]
        == len(want)
        == len(COMPARED) * len(comparison.experiments[0].results[0].segments)
    )
    for d, (_, row) in zip(want, diffs.iterrows(), strict=True):
        assert (row["segment"], row["metric"], row["alternative"]) == (d.segment, d.metric, "six")
        assert row["mean"] == pytest.approx(d.mean, nan_ok=True, abs=0)
        assert row["significant"] == d.significant
    reps = comparison.to_pandas("replications")
    assert set(reps["alternative"]) == {"eight", "six"}
    assert reps.shape[0] == 2 * 3
    _round_trip(comparison.to_arrow(), diffs)


def test_decision_draws_are_the_psa_net_values(decision: Decision) -> None:
    draws = decision.to_pandas()
    p = decision.psa
    assert draws.shape[0] == p.draws * len(p.labels)
    wide = draws.pivot(index="draw", columns="option", values="net_value")[p.labels]
    np.testing.assert_array_equal(wide.to_numpy(), p.horizon)
    for j, inp in enumerate(p.inputs):
        np.testing.assert_array_equal(
            draws[draws["option"] == p.labels[0]][inp.name], p.theta[:, j]
        )
    options = decision.to_pandas("options")
    assert list(options["label"]) == p.labels
    assert options["expected"].tolist() == pytest.approx(p.horizon.mean(axis=0).tolist(), rel=1e-12)
    assert (
        options["best"].sum() == 1
        and options["label"][options["best"]].item() == p.labels[decision.best]
    )
    _round_trip(decision.to_arrow(), draws)


def test_frontier_rows_as_a_frame() -> None:
    scenario = load(DEFAULT, TOP_ONLY).scenario
    rows = frontier(scenario, "top", range(6, 8), 2)
    frame = frontier_frame(rows)
    assert frame.shape == (2, len(rows[0]))
    assert frame["csms"].tolist() == [6, 7]
    assert frame["grr_low"].tolist() == [r["grr_low"] for r in rows]
    _round_trip(frontier_table(rows), frame)
    assert frontier_table([]).num_rows == 0


def test_the_cli_and_simulator_do_not_import_pandas() -> None:
    code = "import sys, simulator.cli, simulator.engine.records, simulator.analysis.experiment\n"
    code += "print('pandas' in sys.modules, 'pyarrow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "False"
