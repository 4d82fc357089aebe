"""A newcomer's first commands: init into a new folder, help in the order a user meets
the commands, a run that ends with its verdict, the example data shipped with the package."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from simulator.cli import COMMANDS, SECTIONS, cli


def test_init_creates_the_plans_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, ["init", "plans/fy27.yaml"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "plans" / "fy27.yaml").is_file()
    assert "created plans/" in res.output
    # a path under a file is refused, not created
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    res = CliRunner().invoke(cli, ["init", "afile/plan.yaml"])
    assert res.exit_code == 2 and "is a file, not a folder" in res.output


def test_help_lists_commands_in_the_order_a_user_meets_them() -> None:
    out = CliRunner().invoke(cli, ["--help"]).output
    titles = [t for t, names in SECTIONS if any(n in COMMANDS for n in names)]
    positions = [out.index(f"{t}:") for t in titles]
    assert positions == sorted(positions)
    assert out.index("  init ") < out.index("  estimate ") < out.index("  run ")
    assert out.index("  run ") < out.index("  solve ") < out.index("  analyze ")
    for name in COMMANDS:
        assert f"  {name} " in out, name  # nothing hidden by the sections


def test_help_lists_each_commands_own_short_help_without_importing_it() -> None:
    """``cssim --help`` prints :data:`COMMANDS`' short helps (no command module is
    imported for it): each must be the command's own."""
    ctx = click.Context(cli, info_name="cssim", max_content_width=100)
    for name, (_, _, first) in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None, name
        for limit in (45, 60, 78, 100):
            shown = click.Command(None, help=first).get_short_help_str(limit)
            assert shown == command.get_short_help_str(limit=limit), (name, limit)


def test_import_of_the_cli_loads_no_command_engine_or_plotting() -> None:
    code = (
        "import sys, simulator.cli\n"
        "heavy = [m for m in ('scipy', 'matplotlib', 'simulator.engine', 'simulator.cli.run')"
        " if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("module", sorted({m for m, _, _ in COMMANDS.values()}))
def test_every_command_module_starts_without_scipy_stats_or_matplotlib(module: str) -> None:
    """Every command's module (run, solve, decide, ...): 0.4 s of scipy.stats and 0.3 s
    of matplotlib are imported only by what uses them (a brief, a chart, an estimate from
    a customer list)."""
    code = (
        f"import sys, simulator.cli.{module}\n"
        "print([m for m in ('scipy.stats', 'matplotlib') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "args",
    [
        ["hire", "--format", "json"],
        ["solve", "-n", "2", "--no-value", "--format", "json"],
        [
            "decide",
            "scenarios/default.yaml",
            "scenarios/cfo_six.yaml",
            "--draws",
            "4",
            "--sensitivity-replications",
            "0",
            "--format",
            "json",
        ],
    ],
    ids=lambda a: a[0],
)
def test_a_command_that_makes_no_brief_or_chart_imports_no_matplotlib(args: list[str]) -> None:
    """matplotlib (0.3 s) is imported by a brief (--html, .xlsx, .html) or --charts only."""
    code = (
        "import sys\n"
        "from simulator.cli import cli\n"
        f"cli({args!r} + ['--quiet'], standalone_mode=False)\n"
        "print('matplotlib' in sys.modules, file=sys.stderr)"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert json.loads(out.stdout)
    assert out.stderr.strip().splitlines()[-1] == "False"


def test_a_run_ends_with_its_verdict() -> None:
    res = CliRunner().invoke(cli, ["run", "-n", "2"])
    assert res.exit_code == 0, res.output
    tail = res.output[res.output.index("Verdict") :]
    assert "top" in tail and ("meets its targets" in tail or "misses" in tail)
    assert "mid has no targets" in tail


@pytest.mark.parametrize(
    "name",
    [
        "data/customers.csv",
        "data/timesheet.csv",
        "data/history/customers.csv",
        "data/history/activities.csv",
    ],
)
def test_the_example_data_is_package_data(name: str) -> None:
    """The docs' example files are declared package data of simulator.bundled (pyproject),
    so a wheel carries them."""
    assert resources.files("simulator.bundled").joinpath(name).is_file()
    text = (Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    folder = name.rsplit("/", 1)[0]
    assert f'"{folder}/*.csv"' in text
