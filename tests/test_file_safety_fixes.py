"""Never destroy a user's file: the cases the property test of tests/test_file_safety.py
found (or that issue 17 named), each checked on its own."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import simulator.report.saved as saved
from simulator.cli import cli
from simulator.errors import OutputError
from simulator.report.files import atomic_target, atomic_write, current_umask
from simulator.report.targets import check_file_target, is_run_directory
from tests.conftest import SMALL

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "scenarios" / "data"
PLANNED = ("-n", "2", "-j", "1", "-q")
USER = b"the user's own file: not written by cssim\n"


def _slice(source: Path, target: Path, every: int) -> None:
    """Copy the title and header lines of a CSV export and every ``every``-th row."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    target.write_text("".join(lines[:2] + lines[2::every]), encoding="utf-8")


def _book(folder: Path) -> Path:
    book = folder / "customers.csv"
    _slice(DATA / "customers.csv", book, 25)
    return book


@pytest.mark.parametrize("command", ["analyze", "backtest"])
def test_analyze_and_backtest_keep_an_existing_file_without_force(
    tmp_path: Path, command: str
) -> None:
    book = _book(tmp_path)
    mine = tmp_path / "measures.csv"
    mine.write_bytes(USER)
    argv = {
        "analyze": ["analyze", str(book)],
        "backtest": ["backtest", str(book), "--activities", str(book), "--as-of", "2025-10-31"],
    }[command]
    res = CliRunner().invoke(cli, [*argv, "-o", str(mine)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert f"-o {mine}: exists; pass --force to overwrite it" in res.output
    assert mine.read_bytes() == USER
    if command == "analyze":  # with --force it is replaced
        res = CliRunner().invoke(cli, [*argv, "-o", str(mine), "--force"])
        assert res.exit_code == 0, res.output
        assert mine.read_bytes() != USER and mine.read_text().startswith("segment,")


def test_a_chart_folder_holding_images_needs_force(tmp_path: Path) -> None:
    book = _book(tmp_path)
    charts = tmp_path / "charts"
    charts.mkdir()
    (charts / "pareto.png").write_bytes(USER)
    res = CliRunner().invoke(cli, ["analyze", str(book), "--charts", str(charts)])
    assert res.exit_code == 2 and "--charts" in res.output and "pass --force" in res.output
    assert (charts / "pareto.png").read_bytes() == USER


def test_htm_is_accepted_wherever_html_is(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(SMALL, encoding="utf-8")
    for option in ("-o", "--html"):
        page = tmp_path / f"hire{option.strip('-')}.htm"
        res = CliRunner().invoke(cli, ["hire", str(plan), "-q", option, str(page)])
        assert res.exit_code == 0, res.output
        assert page.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    page = tmp_path / "run.htm"
    res = CliRunner().invoke(cli, ["run", str(plan), *PLANNED, "-o", str(page)])
    assert res.exit_code == 0, res.output
    assert page.is_file()


def test_a_saved_run_never_removes_a_folder_it_did_not_make(tmp_path: Path) -> None:
    """``.fy27.tmp-PID`` and ``.fy27.old-PID`` beside the run may be anyone's: a run
    saved (and replaced with --force) leaves them as they were."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "fy27"
    squats = [tmp_path / f".fy27.{kind}-{os.getpid()}" for kind in ("tmp", "old")]
    for squat in squats:
        squat.mkdir()
        (squat / "keep.txt").write_bytes(USER)
    args = ["run", str(plan), *PLANNED, "-o", str(out)]
    for extra in ([], ["--force"]):
        res = CliRunner().invoke(cli, [*args, *extra])
        assert res.exit_code == 0, res.output
        for squat in squats:
            assert (squat / "keep.txt").read_bytes() == USER
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["plan.yaml", "fy27", *(s.name for s in squats)])
    assert oct((out).stat().st_mode & 0o777) == oct(0o777 & ~current_umask())


def test_write_failures_name_the_target_not_a_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "a folder"
    folder.mkdir()
    with pytest.raises(IsADirectoryError) as info:
        atomic_write(folder, "x")  # the rename onto a folder fails
    assert info.value.filename == str(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a folder"]

    def full(rows: object, path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(saved, "write_parquet", full)
    plan = tmp_path / "plan.yaml"
    plan.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "runs" / "fy27"
    res = CliRunner().invoke(cli, ["run", str(plan), *PLANNED, "-o", str(out)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert f"error: cannot write {out}: No space left on device" in res.output
    assert ".tmp" not in res.output and not out.exists()
    assert list((tmp_path / "runs").iterdir()) == []


def test_outputs_inside_a_run_being_read_are_refused(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(SMALL, encoding="utf-8")
    run_dir = tmp_path / "fy27"
    assert CliRunner().invoke(cli, ["run", str(plan), *PLANNED, "-o", str(run_dir)]).exit_code == 0
    for option, target in (("--xlsx", "pack.xlsx"), ("--html", "b.html"), ("--charts", "c")):
        res = CliRunner().invoke(cli, ["report", str(run_dir), option, str(run_dir / target)])
        assert res.exit_code == 2, res.output
        assert "a folder this command reads" in res.output
    assert is_run_directory(run_dir)


def test_a_link_at_the_target_is_kept_without_force(tmp_path: Path) -> None:
    book = _book(tmp_path)
    dangling = tmp_path / "out.csv"
    dangling.symlink_to(tmp_path / "elsewhere.csv")
    res = CliRunner().invoke(cli, ["analyze", str(book), "-o", str(dangling)])
    assert res.exit_code == 2 and "is a link; pass --force" in res.output
    assert dangling.is_symlink() and not (tmp_path / "elsewhere.csv").exists()
    linked = tmp_path / "link.csv"
    linked.symlink_to(book)
    res = CliRunner().invoke(cli, ["analyze", str(book), "-o", str(linked), "--force"])
    assert res.exit_code == 2 and "customer list itself" in res.output
    (tmp_path / "afile").write_bytes(USER)
    res = CliRunner().invoke(cli, ["analyze", str(book), "-o", str(tmp_path / "afile" / "x.csv")])
    assert res.exit_code == 2 and "afile is not a folder" in res.output


def test_a_device_or_fifo_is_never_replaced(tmp_path: Path) -> None:
    fifo, pipe = tmp_path / "pipe.json", tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    os.mkfifo(pipe)
    for argv in (["schema", "-o", str(fifo)], ["init", str(pipe)]):
        res = CliRunner().invoke(cli, [*argv, "--force"])
        assert res.exit_code == 2 and "is not a regular file" in res.output, res.output
    # without --force, schema asks whether the target is a schema it wrote: it must not
    # open the FIFO to find out (that blocks until a writer comes)
    done = subprocess.run(
        [sys.executable, "-m", "simulator", "schema", "-o", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 2 and "is not a regular file" in done.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    with pytest.raises(OutputError, match="is not a regular file"):  # checked, never written
        check_file_target("output", "/dev/null", None, force=True)


def test_init_keeps_a_link_of_the_users(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.symlink_to(tmp_path / "elsewhere" / "plan.yaml")
    res = CliRunner().invoke(cli, ["init", str(plan)])
    assert res.exit_code == 2 and "is a link; pass --force" in res.output
    assert plan.is_symlink()
    schema = tmp_path / "cssim.schema.json"
    schema.symlink_to(tmp_path / "shared" / "cssim.schema.json")
    res = CliRunner().invoke(cli, ["init", str(tmp_path / "new.yaml")])
    assert res.exit_code == 0, res.output
    assert schema.is_symlink() and "cssim.schema.json" not in res.output
    res = CliRunner().invoke(cli, ["init", str(tmp_path / "new" / "plan.xlsx")])
    assert res.exit_code == 2 and "ending in .yaml or .yml" in res.output
    assert not (tmp_path / "new").exists()


def test_a_writers_own_error_names_the_target(tmp_path: Path) -> None:
    """pyarrow and others raise an OSError with no filename and the path in the text."""
    target = tmp_path / "grid.parquet"
    with pytest.raises(OSError) as info, atomic_target(target) as tmp:
        raise OSError(f"Failed to open local file '{tmp}'. Detail: [errno 28] No space left")
    assert info.value.filename == str(target)
    assert str(target) in str(info.value) and ".tmp" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_schema_keeps_a_link_without_force(tmp_path: Path) -> None:
    ours = tmp_path / "cssim.schema.json"
    assert CliRunner().invoke(cli, ["schema", "-o", str(ours)]).exit_code == 0
    for name, pointed in (("broken.json", tmp_path / "gone.json"), ("linked.json", ours)):
        link = tmp_path / name
        link.symlink_to(pointed)
        res = CliRunner().invoke(cli, ["schema", "-o", str(link)])
        assert res.exit_code == 2 and "is a link; pass --force" in res.output, res.output
        assert link.is_symlink()
