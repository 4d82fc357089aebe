"""Data safety: no command destroys a user's files, and outputs are checked before work."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import simulator.cli.common as common
import simulator.cli.plan as plan_module
from simulator.cli import cli
from simulator.errors import DataError, Hint, OutputError, hinted
from simulator.report.targets import check_run_directory, is_run_directory

ROOT = Path(__file__).resolve().parent.parent
TOP = ["--set", "segments.mid=null", "--set", "segments.smb=null"]


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a command starts simulating."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the simulation started before the outputs were checked")

    monkeypatch.setattr(common, "run_experiment", refuse)


def _plan(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    plan = folder / "plan.yaml"
    shutil.copy(ROOT / "scenarios" / "default.yaml", plan)
    return plan


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_force_never_replaces_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_simulation: None
) -> None:
    _plan(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")
    before = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, ["run", "plan.yaml", "-n", "2", "-o", ".", "--force"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "-o .: is the working folder" in res.output
    assert _tree(tmp_path) == before


def test_force_never_replaces_the_folder_of_the_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_simulation: None
) -> None:
    _plan(tmp_path / "plans").rename(tmp_path / "plans" / "fy27.yaml")
    before = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, ["run", "plans/fy27.yaml", "-o", "plans", "--force"])
    assert res.exit_code == 2
    assert "-o plans: holds an input of this run (fy27.yaml)" in res.output
    assert _tree(tmp_path) == before
    # nor the input itself, nor a folder with files cssim did not write
    res = CliRunner().invoke(cli, ["run", "plans/fy27.yaml", "-o", "plans/fy27.yaml", "--force"])
    assert res.exit_code == 2 and _tree(tmp_path) == before
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "budget.xlsx").write_text("x")
    res = CliRunner().invoke(cli, ["run", "plans/fy27.yaml", "-o", "other", "--force"])
    assert res.exit_code == 2 and "holds more than a saved run" in res.output
    assert (tmp_path / "other" / "budget.xlsx").read_text() == "x"


def test_calibrate_never_overwrites_the_customer_list(tmp_path: Path) -> None:
    customers = tmp_path / "book_accounts.csv"
    shutil.copy(ROOT / "scenarios" / "data" / "customers.csv", customers)
    before = customers.read_bytes()
    out = tmp_path / "book.yaml"
    res = CliRunner().invoke(
        cli, ["calibrate", str(customers), "--as-of", "2026-10-31", "-o", str(out), "--force"]
    )
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "is an input of this run" in res.output
    assert customers.read_bytes() == before and not out.exists()


@pytest.mark.parametrize("target", ["missing/r.csv", "missing/r.xlsx"])
def test_missing_output_folder_fails_before_the_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_simulation: None, target: str
) -> None:
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, ["run", "-n", "1", *TOP, "-o", target])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "the folder missing does not exist" in res.output
    assert ".tmp" not in res.output
    assert list(tmp_path.iterdir()) == []


def test_a_run_directory_gets_its_missing_folders(tmp_path: Path) -> None:
    """``cssim run -o runs/fy27`` on a fresh clone: runs/ is made, as cssim init makes
    plans/; a file where a folder should be is refused before any simulation."""
    args = ["run", "-n", "1", "-j", "1", *TOP]
    res = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "runs" / "fy27")])
    assert res.exit_code == 0, res.output
    assert is_run_directory(tmp_path / "runs" / "fy27")
    (tmp_path / "afile").write_text("x")
    bad = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "afile" / "deeper" / "run")])
    assert bad.exit_code == 2 and "is not a folder" in bad.output
    assert (tmp_path / "afile").read_text() == "x"


def test_force_replaces_a_saved_run_by_swapping_it_in(tmp_path: Path) -> None:
    out = tmp_path / "runs" / "fy27"
    out.parent.mkdir()
    args = ["run", "-n", "1", "-j", "1", *TOP, "-o", str(out)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert is_run_directory(out)
    first = (out / "run.json").read_text()
    again = CliRunner().invoke(cli, [*args, "--force", "--seed", "7"])
    assert again.exit_code == 0, again.output
    assert is_run_directory(out) and (out / "run.json").read_text() != first
    assert sorted(p.name for p in out.parent.iterdir()) == ["fy27"]  # nothing left aside
    (out / "mine.txt").write_text("x")
    assert not is_run_directory(out)
    with pytest.raises(OutputError, match="holds more than a saved run"):
        check_run_directory("directory", out, force=True)


def test_every_command_checks_its_outputs_first(tmp_path: Path, no_simulation: None) -> None:
    missing = tmp_path / "no" / "x"
    for argv in (
        ["compare", str(ROOT / "scenarios" / "default.yaml"), "-o", f"{missing}.csv"],
        ["sweep", "--vary", "segments.top.team.csms=4..5", "-o", f"{missing}.csv"],
        ["solve", "-o", f"{missing}.json"],
        ["tradeoff", "--team", "top", "--csms", "6", "-o", f"{missing}.yaml"],
    ):
        res = CliRunner().invoke(cli, argv)
        assert res.exit_code == 2, (argv, res.output)
        assert "does not exist" in res.output and "Traceback" not in res.output


def test_money_options_use_the_data_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = CliRunner().invoke(cli, ["tradeoff", "--team", "top", "--budget", "1.1.0M"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert "error: --budget 1.1.0M: misplaced thousands separators" in bad.output
    seen: list[int] = []

    def fake(loaded: object, team: str, csms: int, *args: object) -> None:
        seen.append(csms)
        raise KeyboardInterrupt

    monkeypatch.setattr(plan_module, "tradeoff", fake)
    # "1,1M": one separator and one digit is a decimal comma, so 1.1M (6 CSMs at $180k)
    res = CliRunner().invoke(cli, ["tradeoff", "--team", "top", "--budget", "1,1M"])
    assert res.exit_code == 130 and seen == [6]
    assert common.money("1,1M", "--budget") == 1_100_000
    neg = CliRunner().invoke(cli, ["tradeoff", "--team", "top", "--budget", "-1M"])
    assert neg.exit_code == 2 and "positive amount" in neg.output


def test_hints_read_as_python_or_as_options() -> None:
    text = hinted("map one with ", Hint("mapping", {"arr": "COLUMN"}, "arr=COLUMN"))
    assert str(text) == "map one with mapping={'arr': 'COLUMN'}"
    assert text.render(common.FLAGS) == "map one with --map arr=COLUMN"
    assert text.render(common.TIMESHEET_FLAGS) == "map one with --timesheet-map arr=COLUMN"
    assert ("no column; " + text).render(common.FLAGS) == "no column; map one with --map arr=COLUMN"


def test_library_messages_name_no_cli_flags(tmp_path: Path) -> None:
    from simulator.data.timesheet import read_timesheet

    path = tmp_path / "t.csv"
    path.write_text("person,date,activity\nAnn,2024-01-01,QBR\n")
    with pytest.raises(DataError) as info:
        read_timesheet(path)
    assert "mapping={'hours': 'COLUMN'}" in info.value.render()
    assert "--" not in info.value.render()
    assert "--map hours=COLUMN" in info.value.render(common.FLAGS)
    res = CliRunner().invoke(
        cli,
        [
            "calibrate",
            str(ROOT / "scenarios" / "data" / "customers.csv"),
            "--timesheet",
            str(path),
            "-o",
            str(tmp_path / "c.yaml"),
        ],
    )
    assert res.exit_code == 2 and "--timesheet-map hours=COLUMN" in res.output
    assert "--map hours" not in res.output


def test_data_does_not_import_scenario() -> None:
    for module in (ROOT / "simulator" / "data").glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("simulator.scenario"), module.name
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("simulator.scenario") for a in node.names)


# ---------------------------------------------------------------- found by an adversarial pass


def test_sweep_never_writes_over_an_input_of_the_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_simulation: None
) -> None:
    book = tmp_path / "book.csv"
    book.write_text("id,arr\nA1,1000\nA2,2000\n")
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        f"extends: {ROOT / 'scenarios' / 'default.yaml'}\n"
        "segments:\n  top:\n    accounts: {from_csv: book.csv}\n"
    )
    before = book.read_bytes()
    res = CliRunner().invoke(
        cli, ["sweep", str(plan), "--vary", "segments.top.team.csms=4..5", "-o", str(book)]
    )
    assert res.exit_code == 2, res.output
    assert "is an input of this run" in res.output
    assert book.read_bytes() == before


def test_a_folder_under_a_run_file_name_is_not_cssims(tmp_path: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "run.json").write_text('{"format": 1, "scenario_hash": "x"}')
    assert is_run_directory(out)
    (out / "frontier.csv").mkdir()
    (out / "frontier.csv" / "important.txt").write_text("mine")
    assert not is_run_directory(out)
    with pytest.raises(OutputError, match="holds more than a saved run"):
        check_run_directory("directory", out, force=True)


def test_schema_replaces_only_a_schema_without_force(tmp_path: Path) -> None:
    mine = tmp_path / "precious.json"
    mine.write_text('{"mine": true}')
    res = CliRunner().invoke(cli, ["schema", "-o", str(mine)])
    assert res.exit_code == 2 and "--force" in res.output
    assert mine.read_text() == '{"mine": true}'
    plan = tmp_path / "plan.yaml"
    plan.write_text("name: x\n")
    res = CliRunner().invoke(cli, ["schema", "-o", str(plan)])
    assert res.exit_code == 2 and ".json" in res.output and plan.read_text() == "name: x\n"
    schema = tmp_path / "cssim.schema.json"
    assert CliRunner().invoke(cli, ["schema", "-o", str(schema)]).exit_code == 0
    assert CliRunner().invoke(cli, ["schema", "-o", str(schema)]).exit_code == 0  # its own
    assert CliRunner().invoke(cli, ["schema", "-o", str(mine), "--force"]).exit_code == 0


def test_init_names_its_path_argument_by_value() -> None:
    err = OutputError("path", "plans/s.yaml", "cannot write there")
    assert err.render(common.FLAGS) == "plans/s.yaml: cannot write there"
    assert err.render() == "path='plans/s.yaml': cannot write there"


def test_from_csv_fixes_name_scenario_keys(tmp_path: Path) -> None:
    (tmp_path / "book.csv").write_text("Ref,Fee\nA1,100\n")
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        f"extends: {ROOT / 'scenarios' / 'default.yaml'}\n"
        "segments:\n  top:\n    accounts: {from_csv: book.csv}\n"
    )
    res = CliRunner().invoke(cli, ["validate", str(plan)])
    assert res.exit_code == 2
    assert "map: {arr: COLUMN} under segments.top.accounts" in res.output
    assert "--map" not in res.output and "mapping=" not in res.output


def test_a_dangling_link_on_the_run_path_is_refused_before_the_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_simulation: None
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    res = CliRunner().invoke(cli, ["run", "-n", "1", *TOP, "-o", "dangling/x/fy27"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "not a folder" in res.output
    assert not (tmp_path / "nowhere").exists()


def test_alternatives_in_different_currencies_are_refused(
    tmp_path: Path, no_simulation: None
) -> None:
    euro = tmp_path / "euro.yaml"
    euro.write_text(f"extends: {ROOT / 'scenarios' / 'cfo_six.yaml'}\ncurrency: EUR\n")
    base = str(ROOT / "scenarios" / "default.yaml")
    for command in ("compare", "decide"):
        res = CliRunner().invoke(cli, [command, base, str(euro)])
        assert res.exit_code == 2, res.output
        assert "different currencies (default: USD, euro: EUR)" in res.output
