"""Experiments: identical results for any executor, precision rule, paired comparisons."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from simulator.analysis.compare import compare
from simulator.analysis.executors import executor
from simulator.analysis.experiment import run_experiment, summarise
from simulator.cli import cli
from simulator.scenario.loader import load_scenario, load_text, load_variants

TOP_ONLY = ["segments.mid=null", "segments.smb=null"]


@pytest.fixture(scope="module")
def top():
    return load_scenario(None, TOP_ONLY)


def test_results_identical_for_one_and_two_processes(top) -> None:
    serial = run_experiment(top, 4, 3, jobs=1)
    with executor(jobs=2) as ex:
        pooled = run_experiment(top, 4, 3, executor=ex)
    assert json.dumps(serial.rows()) == json.dumps(pooled.rows())
    assert [r.replication for r in pooled.results] == [0, 1, 2, 3]


def test_results_identical_on_a_dask_local_cluster(top) -> None:
    pytest.importorskip("dask.distributed")
    serial = run_experiment(top, 3, 3, jobs=1)
    with executor(jobs=2, dask="local") as ex:
        distributed = run_experiment(top, 3, 3, executor=ex)
    assert json.dumps(serial.rows()) == json.dumps(distributed.rows())


def test_precision_rule_stops_where_it_should(top) -> None:
    exp = run_experiment(
        top, None, 1, precision=0.03, jobs=1, min_replications=5, max_replications=60
    )
    pr = exp.precision
    assert pr is not None and pr.met
    assert all(v <= 0.03 for v in pr.reached.values())
    # every earlier batch fell short of the target, so it did not stop late
    assert all(worst > 0.03 for _, worst in pr.history[:-1])
    assert pr.history[-1][0] == exp.replications >= 5


def test_precision_rule_respects_the_maximum(top) -> None:
    exp = run_experiment(
        top, None, 1, precision=0.0001, jobs=1, min_replications=3, max_replications=5
    )
    assert exp.replications == 5 and exp.precision is not None and not exp.precision.met


def test_summarise_t_interval() -> None:
    st = summarise([1.0, 2.0, 3.0, 4.0])
    assert st.mean == 2.5
    assert st.half_width == pytest.approx(3.182446 * np.std([1, 2, 3, 4], ddof=1) / 2, rel=1e-5)
    assert (st.p10, st.p50, st.p90) == pytest.approx((1.3, 2.5, 3.7))


def test_common_random_numbers_narrow_the_difference(top) -> None:
    six = load_scenario(None, [*TOP_ONLY, "segments.top.team.csms=6"])
    c = compare([top, six], ["eight", "six"], 6)
    diffs = {d.metric: d for d in c.differences(1)}
    for metric in ("headcount", "on_time_share", "utilisation", "expected_logo_churn"):
        d = diffs[metric]
        assert d.half_width < d.unpaired_half_width, metric
    assert diffs["people_cost"].mean < 0 and diffs["people_cost"].significant
    assert diffs["utilisation"].mean > 0 and diffs["utilisation"].significant


def test_variants_are_merged_and_located(scenarios_dir: Path) -> None:
    text = (scenarios_dir / "default.yaml").read_text() + (
        "variants:\n  six: {segments: {top: {team: {csms: 6}}}}\n"
    )
    loaded = load_text(text, "v.yaml", base_dir=scenarios_dir)
    variants = load_variants(loaded)
    assert variants["six"].segments["top"].team.csms == 6
    assert variants["six"].segments["mid"] == loaded.scenario.segments["mid"]


def test_compare_cli_phrases_differences(scenarios_dir: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "compare",
            str(scenarios_dir / "default.yaml"),
            str(scenarios_dir / "cfo_six.yaml"),
            "-n",
            "4",
            "-j",
            "1",
            "--set",
            "segments.mid=null",
            "--set",
            "segments.smb=null",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "cfo_six vs default, top: saves $" in result.output
    assert "common random numbers" in result.output


def test_compare_needs_two(scenarios_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["compare", str(scenarios_dir / "default.yaml"), "-n", "1"])
    assert result.exit_code == 2
    assert "needs two scenarios" in result.output


def test_run_precision_and_jobs_flags() -> None:
    args = [
        "run",
        "--precision",
        "0.05",
        "-j",
        "1",
        "--set",
        "segments.mid=null",
        "--set",
        "segments.smb=null",
        "--format",
        "json",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["precision"]["met"] and data["replications"] >= 10


TOP_ARGS = ["--set", "segments.mid=null", "--set", "segments.smb=null"]


def test_sweep_table_shape(tmp_path: Path) -> None:
    target = tmp_path / "grid.parquet"
    result = CliRunner().invoke(
        cli,
        [
            "sweep",
            "--vary",
            "segments.top.team.csms=6..8",
            "--vary",
            "segments.top.touchpoints.qbr.trigger.per_year=2,3",
            "-n",
            "2",
            "-j",
            "1",
            *TOP_ARGS,
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    import pyarrow.parquet as pq

    table = pq.read_table(target).to_pylist()
    points = {
        (r["segments.top.team.csms"], r["segments.top.touchpoints.qbr.trigger.per_year"])
        for r in table
    }
    assert points == {(c, q) for c in (6, 7, 8) for q in (2, 3)}
    metrics = {r["metric"] for r in table}
    assert {"grr", "on_time_share", "utilisation"} <= metrics
    # one row per point x segment x metric
    assert len(table) == 6 * len(metrics)
    assert {"mean", "ci_low", "ci_high", "p10", "p50", "p90"} <= set(table[0])
    csv_out = CliRunner().invoke(
        cli,
        [
            "sweep",
            "--vary",
            "segments.top.team.csms=6..7",
            "-n",
            "2",
            "-j",
            "1",
            *TOP_ARGS,
            "--format",
            "csv",
        ],
    )
    assert csv_out.output.splitlines()[0].startswith("segments.top.team.csms,segment,metric,mean")


def test_sweep_bad_vary() -> None:
    result = CliRunner().invoke(cli, ["sweep", "--vary", "segments.top.team.csms=9..4", "-n", "1"])
    assert result.exit_code == 2 and "a range needs a <= b" in result.output
    result = CliRunner().invoke(cli, ["sweep", "--vary", "segments.top.team.csmz=4..5", "-n", "1"])
    assert result.exit_code == 2 and "did you mean 'csms'" in result.output


def test_saved_run_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "run"
    runner = CliRunner()
    first = runner.invoke(cli, ["run", "-n", "2", "-j", "1", *TOP_ARGS, "-o", str(out)])
    assert first.exit_code == 0, first.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "assumptions.csv",
        "csm_books.csv",
        "metrics.csv",
        "metrics.parquet",
        "monthly.csv",
        "replications.json",
        "run.json",
        "scenario.yaml",
        "touchpoints.csv",
    ]
    meta = json.loads((out / "run.json").read_text())
    assert (
        meta["root_seed"] == 20270101
        and meta["replications"] == 2
        and len(meta["scenario_hash"]) == 64
    )
    assert {"numpy", "simpy", "cssim", "python"} <= set(meta["versions"])
    again = runner.invoke(cli, ["report", str(out)])
    assert again.exit_code == 0, again.output
    table_of_run = first.output[first.output.index("Default plan") :]
    assert again.output[again.output.index("Default plan") :] == table_of_run
    # the saved, fully resolved scenario reproduces the run from scratch
    rerun = runner.invoke(
        cli, ["run", str(out / "scenario.yaml"), "-n", "2", "-j", "1", "--format", "csv"]
    )
    saved = runner.invoke(cli, ["report", str(out), "--format", "csv"])
    assert rerun.exit_code == 0 and saved.exit_code == 0
    assert rerun.stdout == saved.stdout
    refused = runner.invoke(cli, ["run", "-n", "1", "-j", "1", *TOP_ARGS, "-o", str(out)])
    assert refused.exit_code == 2 and "--force" in refused.output


def test_report_rejects_a_plain_directory(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "not a cssim run directory" in result.output


def test_interrupted_run_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import simulator.cli.common as cli_module

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "run_experiment", interrupt)
    out = tmp_path / "r.csv"
    result = CliRunner().invoke(cli, ["run", "-n", "1", *TOP_ARGS, "-o", str(out)])
    assert result.exit_code == 130
    assert "interrupted" in result.output
    assert list(tmp_path.iterdir()) == []


def test_missing_dask_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import now fails
    result = CliRunner().invoke(cli, ["run", "-n", "1", "--dask", "local", *TOP_ARGS])
    assert result.exit_code == 2
    assert "pip install 'cssim[distributed]'" in result.output


def test_skipped_touches_cost_coverage_where_deleted_ones_do_not(scenarios_dir: Path) -> None:
    """A cut modelled as channel: skipped stays in the plan, so coverage and churn see it."""
    base = load_scenario(None, TOP_ONLY)
    skipped = load_scenario(None, [*TOP_ONLY, "segments.top.touchpoints.qbr.channel=skipped"])
    deleted = load_scenario(None, [*TOP_ONLY, "segments.top.touchpoints.qbr=null"])
    c = compare([base, skipped, deleted], ["base", "skipped", "deleted"], 8, 4)
    skip = {d.metric: d for d in c.differences(1)}
    drop = {d.metric: d for d in c.differences(2)}
    assert skip["expected_logo_churn"].mean > 0 and skip["expected_logo_churn"].significant
    assert drop["expected_logo_churn"].mean < skip["expected_logo_churn"].low
    # both free the same CSM time
    assert skip["utilisation"].mean < 0 and drop["utilisation"].mean < 0
    summary = c.experiments[1].results[0].segments["top"]
    assert summary["touches_skipped"] > 0


def test_automation_roi_in_compare(scenarios_dir: Path) -> None:
    mid = ["segments.top=null", "segments.smb=null"]
    a = load_scenario(scenarios_dir / "default.yaml", mid)
    b = load_scenario(scenarios_dir / "automation.yaml", mid)
    c = compare([a, b], ["default", "automation"], 4, 1)
    (roi,) = c.roi(1)
    assert roi.segment == "mid"
    assert roi.fte_freed.significant and roi.fte_freed.mean > 1
    assert roi.value_freed.mean == pytest.approx(roi.fte_freed.mean * 180_000)
    assert roi.arr_at_risk.mean > 0  # automated health checks earn less coverage
    from simulator.report.compare import roi_sentence

    text = roi_sentence("automation", roi, "USD")
    assert "frees" in text and "worth it while the ARR at risk stays under" in text


def test_compare_people_cost_sentence_is_per_year() -> None:
    from simulator.report.compare import sentence

    base = load_scenario(None, [*TOP_ONLY, "horizon_days=730"])
    six = load_scenario(None, [*TOP_ONLY, "horizon_days=730", "segments.top.team.csms=6"])
    c = compare([base, six], ["eight", "six"], 2, 1)
    text = sentence("six", "eight", "top", c.differences(1), "USD", base.horizon_years)
    saved = float(text.split("saves $")[1].split("k")[0])
    assert 300 < saved < 380  # two CSMs at $180k a year, less vacancies: per year, not per horizon


def test_a_replication_cap_below_the_first_batch_is_not_an_error() -> None:
    """``-n 2 --max-replications 4`` (no precision rule) runs 2; under the rule, a cap below
    the usual first batch of 10 becomes the first batch."""
    top = load_scenario(None, ["segments.mid=null", "segments.smb=null"])
    fixed = run_experiment(top, 2, 1, jobs=1, max_replications=4)
    assert fixed.replications == 2
    capped = run_experiment(top, None, 1, precision=0.0001, jobs=1, max_replications=3)
    assert capped.replications == 3 and not capped.precision.met
