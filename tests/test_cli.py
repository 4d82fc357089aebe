"""The command line through click's CliRunner: outputs, formats, exit codes, help."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import cli
from simulator.scenario.loader import load_scenario


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_estimate_default_shows_eight_top_tier_csms(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["estimate"])
    assert result.exit_code == 0, result.output
    assert "top: 8,163 h/yr" in result.output
    assert "7.9 FTE -> 8 CSMs" in result.output


def test_estimate_file_and_override(runner: CliRunner, scenarios_dir: Path) -> None:
    result = runner.invoke(cli, ["estimate", str(scenarios_dir / "cfo_six.yaml")])
    assert result.exit_code == 0, result.output
    assert "the plan has 6 (short by 2, $360k a year to close)" in result.output
    result = runner.invoke(cli, ["estimate", "--set", "segments.top.team.csms=9"])
    assert "the plan has 9 (enough)" in result.output


def test_estimate_json_and_csv(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["estimate", "--format", "json"])
    data = json.loads(result.output)
    top = next(s for s in data["segments"] if s["segment"] == "top")
    assert top["csms_needed"] == 8
    result = runner.invoke(cli, ["estimate", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["segment"] for r in rows] == ["top", "mid", "smb"]
    result = runner.invoke(cli, ["estimate", "--format", "csv", "--detail"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {"segment", "name", "touches", "csm_hours"} <= set(rows[0])
    assert sum(1 for r in rows if r["segment"] == "top") == 10


def test_estimate_detail_table(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["estimate", "--detail"])
    assert "top: touchpoints over the plan" in result.output
    assert "implementation_workshop" in result.output


def test_validate_ok_and_bad(runner: CliRunner, scenarios_dir: Path, data_dir: Path) -> None:
    files = [str(p) for p in sorted(scenarios_dir.glob("*.yaml"))]
    result = runner.invoke(cli, ["validate", *files])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok: ") == len(files)
    bad = data_dir / "bad" / "wrong_type_int.yaml"
    result = runner.invoke(cli, ["validate", files[0], str(bad)])
    assert result.exit_code == 2
    assert "ok: " in result.output and "wrong_type_int.yaml:" in result.output


def test_validate_strict_turns_warnings_into_failure(runner: CliRunner, tmp_path: Path) -> None:
    p = tmp_path / "w.yaml"
    p.write_text(
        "start_date: 2027-01-01\nsegments:\n  a:\n    accounts: 1\n    arr: 1\n"
        "    team: {csms: 1, annual_cost_per_csm: 5}\n    churn: {annual_baseline: 0.1}\n"
    )
    assert runner.invoke(cli, ["validate", str(p)]).exit_code == 0
    result = runner.invoke(cli, ["validate", "--strict", str(p)])
    assert result.exit_code == 2 and "warning:" in result.output


def test_show_resolves_extends_and_overrides(runner: CliRunner, scenarios_dir: Path) -> None:
    result = runner.invoke(
        cli,
        [
            "show",
            str(scenarios_dir / "cfo_six.yaml"),
            "--set",
            "segments.mid.team.csms=7",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["segments"]["top"]["team"]["csms"] == 6
    assert data["segments"]["mid"]["team"]["csms"] == 7
    assert "extends" not in data
    yaml_out = runner.invoke(cli, ["show", str(scenarios_dir / "cfo_six.yaml")]).output
    assert yaml_out.startswith("# resolved from")


def test_show_output_reloads_to_the_same_scenario(
    runner: CliRunner, tmp_path: Path, scenarios_dir: Path
) -> None:
    out = runner.invoke(cli, ["show", str(scenarios_dir / "automation.yaml")]).output
    p = tmp_path / "resolved.yaml"
    p.write_text(out)
    assert load_scenario(p) == load_scenario(scenarios_dir / "automation.yaml")


def test_schema_command(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["schema"])
    assert json.loads(result.output)["title"] == "cssim scenario"
    target = tmp_path / "s.json"
    assert runner.invoke(cli, ["schema", "-o", str(target)]).exit_code == 0
    assert json.loads(target.read_text())["$defs"]


def test_schema_to_missing_directory_fails_cleanly(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["schema", "-o", str(tmp_path / "no" / "s.json")])
    assert result.exit_code == 2
    assert "cannot write" in result.output
    assert not (tmp_path / "no").exists()


def test_init_writes_a_valid_starter(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "plan.yaml"
    result = runner.invoke(cli, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cssim.schema.json").exists()
    assert runner.invoke(cli, ["validate", str(target)]).exit_code == 0
    assert runner.invoke(cli, ["estimate", str(target)]).exit_code == 0
    again = runner.invoke(cli, ["init", str(target)])
    assert again.exit_code == 2 and "already exists" in again.output
    assert runner.invoke(cli, ["init", str(target), "--force"]).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cssim.schema.json", "plan.yaml"]


@pytest.mark.parametrize(
    "command",
    [
        "validate",
        "schema",
        "init",
        "show",
        "estimate",
        "run",
        "compare",
        "sweep",
        "report",
        "solve",
        "tradeoff",
        "hire",
    ],
)
def test_help_is_complete(runner: CliRunner, command: str) -> None:
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


def test_bad_override_exit_code(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["estimate", "--set", "segments.top.team.csms=-2"])
    assert result.exit_code == 2
    assert "--set segments.top.team.csms=-2" in result.output
    assert "must be >= 0" in result.output


def test_version(runner: CliRunner) -> None:
    assert "cssim" in runner.invoke(cli, ["--version"]).output


TOP = ["--set", "segments.mid=null", "--set", "segments.smb=null"]


def test_run_prints_cis_and_is_reproducible(runner: CliRunner) -> None:
    first = runner.invoke(cli, ["run", "-n", "3", *TOP])
    assert first.exit_code == 0, first.output
    assert "3 replications" in first.output and "[" in first.output
    second = runner.invoke(cli, ["run", "-n", "3", *TOP])
    assert second.output == first.output
    other = runner.invoke(cli, ["run", "-n", "3", "--seed", "99", *TOP])
    assert other.output != first.output


def test_run_outputs(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    result = runner.invoke(cli, ["run", "-n", "2", *TOP, "-o", str(target), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{") :])
    assert data["replications"] == 2
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert {r["metric"] for r in rows} >= {
        "grr",
        "nrr",
        "on_time_share",
        "utilisation",
        "logo_churn",
    }
    assert all(r["segment"] == "top" for r in rows)


def test_run_rejects_unknown_output_type(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["run", "-n", "1", *TOP, "-o", str(tmp_path / "x.txt")])
    assert result.exit_code == 2
    assert "use FILE.csv, FILE.json, FILE.xlsx, FILE.html, or a directory name" in result.output
    assert not (tmp_path / "x.txt").exists()


def test_run_detail_lists_touchpoints(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["run", "-n", "1", *TOP, "--detail"])
    assert "Touchpoint delivery by type" in result.output
    assert "implementation_workshop" in result.output
