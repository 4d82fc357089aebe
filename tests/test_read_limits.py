"""Bounded reading of every file a command reads (issue 17, points 2, 3 and 6).

Paths that are not regular files (a FIFO, /dev/zero, a folder) are refused before they
are opened; tables past the read limits are refused naming the limit (workbooks: see
tests/test_read_limits_xlsx.py); text that is not a
table is refused without quoting it; ``from_csv`` errors name the scenario line.

Anything that could hang runs in a thread with a join timeout, or in a subprocess with a
timeout and a memory cap, so that a regression fails the test instead of hanging it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from simulator.data import DataError, read_customers, read_table
from simulator.data.limits import DEFAULT_LIMITS, ReadLimits, read_regular
from simulator.errors import ScenarioError
from simulator.scenario.loader import load, load_text

ROOT = Path(__file__).resolve().parents[1]
HANG = 30.0  # seconds: a hang guard, not a benchmark

PLAN = (
    "start_date: 2027-01-01\n"
    "segments:\n"
    "  big:\n"
    "    accounts: {from_csv: FILE}\n"
    "    team: {csms: 1, annual_cost_per_csm: 150000}\n"
    "    churn: {annual_baseline: 0.1}\n"
)


def _within(fn: Callable[[], Any], seconds: float = HANG) -> Any:
    """Run ``fn`` in a thread; fail the test (not hang it) if it does not return."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    if "error" in out:
        raise out["error"]
    return out.get("value")


def _plan(tmp_path: Path, file: str, extra: str = "") -> Path:
    plan = tmp_path / "plan.yaml"
    text = PLAN.replace("FILE", file)
    if extra:
        text = text.replace("{from_csv: " + file + "}", "{from_csv: " + file + ", " + extra + "}")
    plan.write_text(text)
    return plan


def _load_error(plan: Path) -> str:
    with pytest.raises(ScenarioError) as err:
        _within(lambda: load(plan))
    return err.value.render()


# ------------------------------------------------------------------ not a regular file


def test_a_fifo_as_from_csv_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.csv")
    text = _load_error(_plan(tmp_path, "pipe.csv"))
    assert "pipe.csv: is a named pipe (FIFO), not a regular file" in text
    # the scenario line that points at the file
    assert f"{tmp_path / 'plan.yaml'}:4:" in text and "segments.big.accounts.from_csv" in text


def test_a_fifo_as_a_data_file_or_a_scenario_is_refused(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    for reader in (read_table, read_customers):
        with pytest.raises(DataError, match="not a regular file"):
            _within(lambda r=reader: r(pipe))  # type: ignore[misc]
    with pytest.raises(ScenarioError, match=r"named pipe .FIFO., not a regular file"):
        _within(lambda: load(pipe))


def test_a_fifo_swapped_in_after_the_stat_does_not_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    (tmp_path / "plain").write_text("id,arr\n")
    real_stat = os.stat

    def stat_says_regular(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        return real_stat(tmp_path / "plain" if Path(path) == pipe else path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat_says_regular)
    with pytest.raises(ValueError, match="not a regular file"):
        _within(lambda: read_regular(pipe, 100, ValueError))


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_devices_are_not_regular_files(tmp_path: Path, device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device} here")
    text = _load_error(_plan(tmp_path, device))
    assert f"{device}: is a character device, not a regular file" in text
    with pytest.raises(DataError, match="character device, not a regular file"):
        _within(lambda: read_table(device))
    with pytest.raises(ScenarioError, match="character device, not a regular file"):
        _within(lambda: load(device))


def test_a_link_to_a_device_and_a_folder_are_refused(tmp_path: Path) -> None:
    if Path("/dev/zero").exists():
        (tmp_path / "book.csv").symlink_to("/dev/zero")
        with pytest.raises(DataError, match="not a regular file"):
            _within(lambda: read_table(tmp_path / "book.csv"))
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(DataError, match="is a folder, not a regular file"):
        read_table(tmp_path / "folder.csv")
    text = _load_error(_plan(tmp_path, "folder.csv"))
    assert "is a folder, not a regular file" in text and "plan.yaml:4:" in text


def test_extends_dev_zero_and_a_fifo_say_not_a_regular_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "base.yaml")
    for target, kind in (("/dev/zero", "a character device"), ("base.yaml", "a named pipe")):
        if not (tmp_path / target).exists():
            continue
        plan = tmp_path / "plan.yaml"
        plan.write_text(f"extends: {target}\nname: x\n")
        text = _load_error(plan)
        assert f"plan.yaml:1:10 extends: is {kind}" in text and "not a regular file" in text
    plan.write_text(f"extends: {tmp_path}\nname: x\n")
    assert "is a directory, not a regular file" in _load_error(plan)


# ------------------------------------------------------------------------ size limits


def test_the_default_limits_are_the_documented_ones() -> None:
    doc = (ROOT / "docs" / "assumptions.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Size limits of data files") :]
    for value in (
        DEFAULT_LIMITS.max_bytes // 2**20,
        DEFAULT_LIMITS.max_unpacked_bytes // 2**20,
        DEFAULT_LIMITS.max_rows,
        DEFAULT_LIMITS.max_columns,
        DEFAULT_LIMITS.max_cells,
    ):
        assert f"{value:,}" in section, value


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text("id,arr\n" + "".join(f"A{i},{i}\n" for i in range(1, 100)))
    with pytest.raises(DataError) as err:
        read_table(book, limits=ReadLimits(max_bytes=500))
    assert "over the limit of 500 bytes" in err.value.render()
    assert len(read_table(book, limits=ReadLimits(max_bytes=5000)).rows) == 99


def test_a_file_whose_size_is_unknown_is_read_no_further_than_the_limit(tmp_path: Path) -> None:
    proc = Path("/proc/self/status")
    if not proc.exists() or proc.stat().st_size != 0:
        pytest.skip("no /proc file of unknown size here")
    with pytest.raises(ValueError, match="holds more than 64 bytes"):
        read_regular(proc, 64, ValueError)


def test_rows_columns_and_cells_past_the_limits_are_refused(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text("id,arr,segment\n" + "".join(f"A{i},{i},x\n" for i in range(1, 11)))
    with pytest.raises(DataError, match=r"book.csv:6: more than the limit of 5 rows"):
        read_table(book, limits=ReadLimits(max_rows=5))
    with pytest.raises(DataError, match=r"3 columns, more than the limit of 2 columns"):
        read_table(book, limits=ReadLimits(max_columns=2))
    with pytest.raises(DataError, match=r"more than the limit of 20 cells"):
        read_table(book, limits=ReadLimits(max_cells=20))
    assert len(read_table(book, limits=ReadLimits(max_rows=11, max_cells=33)).rows) == 10


def test_trailing_empty_fields_do_not_count_as_columns(tmp_path: Path) -> None:
    # Excel saves a formatted column far to the right as empty fields on every row
    book = tmp_path / "book.csv"
    book.write_text("id,arr" + "," * 5000 + "\nA1,100" + "," * 5000 + "\n")
    table = read_table(book)
    assert table.header == ["id", "arr"] and table.rows[0].cells == ["A1", "100"]


def test_a_huge_csv_is_refused_fast_and_small(tmp_path: Path) -> None:
    book = tmp_path / "huge.csv"
    with book.open("wb") as fh:
        fh.truncate(DEFAULT_LIMITS.max_bytes + 1)  # sparse: no disk used
    start = time.monotonic()
    with pytest.raises(DataError, match="over the limit of 256 MB"):
        read_table(book)
    assert time.monotonic() - start < HANG


# ------------------------------------------------- reading in a capped subprocess

_PEAK = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
from simulator.data import DataError, read_table
start = time.monotonic()
try:
    table = read_table(sys.argv[1])
    result = f"rows={len(table.rows)} width={len(table.header)} blank={table.blank_rows}"
except DataError as exc:
    result = "error: " + exc.render()
# VmHWM, this process's own peak: ru_maxrss also counts the parent's memory at the fork
# before exec (a pytest worker's hundreds of MB)
hwm = [int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM:")]
peak = hwm[0] // 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(f"{result}\\npeak_mb={peak} seconds={time.monotonic() - start:.1f}")
"""


def _read_in_subprocess(path: Path) -> tuple[str, int]:
    """(outcome, peak resident memory in MB) of read_table(path) in a capped subprocess."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run(
        [sys.executable, "-c", _PEAK, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    outcome, stats = res.stdout.strip().rsplit("\n", 1)
    peak = int(re.search(r"peak_mb=(\d+)", stats).group(1))  # type: ignore[union-attr]
    return outcome, peak


def test_a_line_of_millions_of_fields_is_refused_before_it_is_split(tmp_path: Path) -> None:
    # 30 million fields on one line: splitting it took 8 minutes and 2.9 GB
    book = tmp_path / "wide.csv"
    book.write_text("id,arr\n" + "ab," * 30_000_000 + "\n")
    outcome, peak = _read_in_subprocess(book)
    assert "wide.csv:2: more than the limit of 1,000 columns" in outcome
    assert peak < 1200, f"{peak} MB"


# ------------------------------------------------------------ text that is not a table

PASSWD = (
    "root:x:0:0:root:/root:/bin/bash\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "bin:x:2:2:bin:/bin:/usr/sbin/nologin\n"
    "postgres:x:101:104:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash\n"
    "alice:x:1000:1000:Alice Liddell,Room 42,555-0100,:/home/alice:/bin/zsh\n"
    "sshd:x:105:65534::/run/sshd:/usr/sbin/nologin\n"
)


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[^A-Za-z0-9]+", text) if len(w) >= 3}


def test_a_password_file_shows_nothing_of_itself(tmp_path: Path) -> None:
    passwd = tmp_path / "passwd"
    passwd.write_text(PASSWD)
    plan = _plan(tmp_path, str(passwd))
    messages = [_load_error(plan)]
    for reader in (read_table, read_customers):
        with pytest.raises(DataError) as err:
            reader(passwd)
        messages.append(err.value.render())
    for text in messages:
        assert "does not look like a table" in text
        shown = text.replace(str(tmp_path), "")
        leaked = _words(PASSWD) & _words(shown)
        assert not leaked, leaked
    if Path("/etc/passwd").is_file():
        with pytest.raises(DataError) as err:
            read_customers("/etc/passwd")
        text = err.value.render()
        assert "does not look like a table" in text
        first = Path("/etc/passwd").read_text().splitlines()[0]
        assert first.split(":")[0] + ":" not in text


def test_a_scenario_or_notes_read_as_a_customer_list_are_not_tables(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Renewal call with Acme on Tuesday\nThey want a discount, again\n\nBob\n")
    scenario = tmp_path / "plan.yaml"
    scenario.write_text(PLAN.replace("FILE", "x.csv"))
    status = tmp_path / "status"  # the layout of /proc/self/status and /proc/cpuinfo
    status.write_text("Name:\tpython\nState:\tR (running)\nUid:\t1000\t1000\nVmPeak:\t 5120 kB\n")
    for path in (notes, scenario, status):
        with pytest.raises(DataError, match="does not look like a table") as err:
            read_customers(path)
        assert not _words(path.read_text()) & _words(err.value.render().replace(str(path), ""))


def test_real_tables_are_still_tables(tmp_path: Path) -> None:
    # unknown headers (mapped by the user), a title row, one data row
    book = tmp_path / "book.csv"
    book.write_text("Customer export\nRef,Fee\nA1,100\n")
    table = read_table(book)
    assert table.header == ["Ref", "Fee"] and len(table.rows) == 1
    (tmp_path / "ids.csv").write_text("Account ID,ARR\nA1,\nA2,\nA3,\n")  # known header
    assert len(read_table(tmp_path / "ids.csv").rows) == 3


# ---------------------------------------------------------------- from_csv messages


def test_from_csv_failures_name_the_scenario_line(tmp_path: Path) -> None:
    text = _load_error(_plan(tmp_path, "missing.csv"))
    assert "missing.csv: file not found" in text
    assert f"{tmp_path / 'plan.yaml'}:4:26 segments.big.accounts.from_csv:" in text
    (tmp_path / "book.csv").write_text("Ref,Fee\nA1,100\n")
    text = _load_error(_plan(tmp_path, "book.csv"))
    assert "plan.yaml:4:26 segments.big.accounts.from_csv: " in text
    assert "map: {id: COLUMN} under segments.big.accounts" in text


def test_from_csv_set_by_an_override_names_the_override(tmp_path: Path) -> None:
    from simulator.cli.common import FLAGS

    plan = _plan(tmp_path, "book.csv")
    with pytest.raises(ScenarioError) as err:
        load(plan, ["segments.big.accounts.from_csv=nowhere.csv"])
    assert "--set segments.big.accounts.from_csv=nowhere.csv" in err.value.render(FLAGS)


def test_dayfirst_as_a_string_is_refused_before_the_file_is_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.csv")  # reading it would be refused with another message
    for value in ("'false'", "'yes'", "1"):
        text = _load_error(_plan(tmp_path, "pipe.csv", f"dayfirst: {value}"))
        assert "segments.big.accounts.dayfirst" in text, text
        assert "FIFO" not in text and "not a regular file" not in text
    (tmp_path / "book.csv").write_text("id,arr\nA1,1000\n")
    loaded = load_text(
        PLAN.replace("{from_csv: FILE}", "{from_csv: book.csv, dayfirst: false}"),
        str(tmp_path / "plan.yaml"),
        base_dir=tmp_path,
    )
    assert loaded.scenario.segments["big"].starting_accounts == 1


def test_the_cli_refuses_a_fifo_without_hanging(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "book.csv")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for args in (["analyze", str(tmp_path / "book.csv")], ["validate", str(tmp_path / "book.csv")]):
        res = subprocess.run(
            [sys.executable, "-m", "simulator", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert res.returncode == 2, res.stderr
        assert "not a regular file" in res.stderr and "Traceback" not in res.stderr


def test_empty_fields_count_toward_a_looser_bound_than_cells(tmp_path: Path) -> None:
    """An "all properties" export: many columns, mostly empty. Its values are under
    max_cells, its fields under FIELDS_PER_CELL times it: it reads."""
    from simulator.data.limits import FIELDS_PER_CELL

    book = tmp_path / "wide.csv"
    header = "id,arr," + ",".join(f"p{i}" for i in range(48))
    book.write_text(header + "\n" + "".join(f"A{i},{i}" + "," * 48 + "\n" for i in range(100)))
    limits = ReadLimits(max_cells=1_100)  # 250 values, 5,050 fields
    assert len(read_table(book, limits=limits).rows) == 100
    with pytest.raises(DataError, match="cells"):  # the fields' bound
        read_table(book, limits=ReadLimits(max_cells=5_050 // FIELDS_PER_CELL - 1))
    with pytest.raises(DataError, match="cells"):  # the values' bound
        read_table(book, limits=ReadLimits(max_cells=200))


def test_the_readers_pass_their_limits_on(tmp_path: Path) -> None:
    from simulator.data.activities import read_activities
    from simulator.data.customers import read_customers
    from simulator.data.timesheet import read_timesheet

    book = tmp_path / "book.csv"
    book.write_text("id,arr,date,person,hours\n" + "A1,100,2026-01-05,Ann,1\n" * 20)
    for reader in (read_customers, read_timesheet, read_activities):
        with pytest.raises(DataError, match="rows"):
            reader(book, limits=ReadLimits(max_rows=5))
