"""Never destroy a user's file: a property test over (input, output, --force) combinations.

Every command that writes files is run through click's CliRunner in a fresh folder that
holds its inputs (a small plan, a slice of the customer lists, a saved run) and a user's
own files, with generated output targets: an input itself, a new file inside an input's
folder, a link to an input, a user's file, a folder, a path below a file, a broken link,
a fresh path. Whatever the combination:

- every input is byte-identical afterwards;
- nothing that was there before changes without --force, and with --force only what sits
  at a target path (or in a target folder) does;
- no temporary file is left behind, a success writes each file target, and the exit
  code is 0 or 2 with no traceback.

The three destructive cases fixed before (``-o`` the working folder, the input's folder,
the customer list) stay covered in tests/test_safety.py; here they are among the draws.
Set CSSIM_SAFETY_EXAMPLES (default 45, about 20 s) to search longer. What the draws
found is checked case by case in tests/test_file_safety_fixes.py.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from simulator.cli import cli
from tests.conftest import SMALL

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "scenarios" / "data"
QUICK = ["-j", "1", "-q"]
USER = b"the user's own file: not written by cssim\n"


@dataclass(frozen=True)
class Command:
    """A command line and the output options it takes, each with what it writes."""

    argv: tuple[str, ...]
    outputs: dict[str, tuple[str, ...]]  # option -> suffixes ("/" for a folder)
    inputs: tuple[str, ...]  # files (relative to the workspace) the command reads
    force: bool = True  # has a --force option


PLAN = "plans/plan.yaml"
OTHER = "plans/other.yaml"  # extends PLAN and reads ACCOUNTS
ACCOUNTS = "plans/accounts.csv"
BOOK = "data/customers.csv"
HISTORY = "data/history.csv"
ACTIVITIES = "data/activities.csv"
SAVED = "runs/saved"
FILE = (".csv", ".json", ".xlsx", ".html", ".htm")
PLANNED = ("-n", "2", *QUICK)

COMMANDS: dict[str, Command] = {
    "run": Command(
        ("run", PLAN, *PLANNED), {"-o": (*FILE, ""), "--html": (".html", ".htm")}, (PLAN,)
    ),
    "report": Command(
        ("report", SAVED),
        {"--xlsx": (".xlsx",), "--html": (".html", ".htm"), "--charts": ("/",)},
        tuple(f"{SAVED}/{name}" for name in ("run.json", "scenario.yaml", "replications.json")),
    ),
    "compare": Command(
        ("compare", PLAN, OTHER, *PLANNED),
        {"-o": FILE, "--html": (".html",)},
        (PLAN, OTHER, ACCOUNTS),
    ),
    "decide": Command(
        ("decide", PLAN, OTHER, "--draws", "4", "--sensitivity-replications", "1", *QUICK),
        {"-o": (".json", ".html", ".htm", ".xlsx"), "--html": (".html",), "--charts": ("/",)},
        (PLAN, OTHER, ACCOUNTS),
    ),
    "solve": Command(("solve", PLAN, *PLANNED), {"-o": FILE, "--html": (".html",)}, (PLAN,)),
    "tradeoff": Command(
        ("tradeoff", PLAN, "--team", "core", "--csms", "1", "--max-replications", "2", *PLANNED),
        {"-o": (".yaml", ".xlsx", ".html", ".htm"), "--html": (".html",)},
        (PLAN,),
    ),
    "hire": Command(
        ("hire", OTHER, "-q"), {"-o": FILE, "--html": (".html",)}, (OTHER, PLAN, ACCOUNTS)
    ),
    "sweep": Command(
        ("sweep", OTHER, "--vary", "segments.core.team.csms=2..3", *PLANNED),
        {"-o": (".csv", ".json", ".parquet")},
        (OTHER, PLAN, ACCOUNTS),
    ),
    "analyze": Command(
        ("analyze", BOOK, "--as-of", "2026-10-31"),
        {"-o": (".csv", ".json", ".xlsx"), "--charts": ("/",)},
        (BOOK,),
    ),
    "calibrate": Command(
        ("calibrate", BOOK, "--as-of", "2026-10-31", "-q"), {"-o": (".yaml",)}, (BOOK,)
    ),
    "backtest": Command(
        (
            "backtest",
            HISTORY,
            "--activities",
            ACTIVITIES,
            "--as-of",
            "2025-10-31",
            "--list-date",
            "2026-10-31",
            "-n",
            "20",
            "--horizon-days",
            "30",
            *QUICK,
        ),
        {
            "-o": (".csv", ".json", ".xlsx", ".html", ".htm"),
            "--html": (".html",),
            "--charts": ("/",),
        },
        (HISTORY, ACTIVITIES),
    ),
    "init": Command(("init",), {"": (".yaml",)}, ()),
    "schema": Command(("schema",), {"-o": (".json",)}, ()),
}
"""Every command with an output option (cssim --help, docs/cli.md), on tiny settings."""

MAGIC: dict[str, tuple[bytes, ...]] = {
    ".html": (b"<!doctype html",),
    ".htm": (b"<!doctype html",),
    ".xlsx": (b"pk",),
    ".json": (b"{", b"["),
}
"""How a written file of each kind starts (lower case, after any white space)."""

KINDS = (
    "fresh",
    "input",
    "input by another path",
    "beside an input",
    "link to an input",
    "user file",
    "link to a user file",
    "broken link",
    "folder",
    "below a file",
    "squatted temp folder",
    "saved run",
    "through a linked folder",
    "beside files of the user's",
)


def _slice(source: Path, target: Path, every: int) -> list[str]:
    """Copy the title and header lines of a CSV export and every ``every``-th row; the
    rows' first cells (the IDs)."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    rows = lines[2::every]
    target.write_text("".join(lines[:2] + rows), encoding="utf-8")
    return [row.split(",", 1)[0] for row in rows]


@pytest.fixture(scope="module")
def template() -> Iterator[Path]:
    """The workspace every example copies: plans, data slices, a saved run, user files."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        (root / "plans").mkdir(parents=True)
        (root / "data").mkdir()
        (root / PLAN).write_text(SMALL, encoding="utf-8")
        (root / ACCOUNTS).write_text("id,arr\nA1,1000\nA2,2000\nA3,50000\n", encoding="utf-8")
        (root / OTHER).write_text(
            "extends: plan.yaml\nsegments:\n  core:\n    team: {csms: 3}\n"
            "    accounts: {from_csv: accounts.csv}\n",
            encoding="utf-8",
        )
        _slice(DATA / "customers.csv", root / BOOK, 25)
        ids = set(_slice(DATA / "history" / "customers.csv", root / HISTORY, 40))
        lines = (DATA / "history" / "activities.csv").read_text(encoding="utf-8").splitlines(True)
        kept = [line for line in lines[2:] if line.split(",", 1)[0] in ids]
        (root / ACTIVITIES).write_text("".join(lines[:2] + kept), encoding="utf-8")
        res = CliRunner().invoke(cli, ["run", str(root / PLAN), *PLANNED, "-o", str(root / SAVED)])
        assert res.exit_code == 0, res.output
        (root / "notes.txt").write_bytes(USER)
        (root / "afile").write_bytes(USER)
        (root / "folder").mkdir()
        (root / "folder" / "keep.txt").write_bytes(USER)
        (root / "folder" / "keep.png").write_bytes(USER)
        yield root


@dataclass
class Case:
    """One generated command line and what it may touch."""

    argv: list[str]
    force: bool
    files: list[str] = field(default_factory=list)  # file targets (workspace-relative)
    folders: list[str] = field(default_factory=list)  # folder targets
    written: list[str] = field(default_factory=list)  # files a success must have written


def _target(root: Path, cmd: Command, kind: str, suffix: str, n: int, which: int) -> str:
    """Make what ``kind`` needs in ``root`` and return the target path to give (``which``
    picks the input, ``n`` numbers the option)."""
    name = f"out{n}{suffix}" if suffix != "/" else f"charts{n}"
    inputs = [p for p in cmd.inputs if (root / p).is_file()] or ["notes.txt"]
    source = inputs[which % len(inputs)]
    if kind == "input":
        return source
    if kind == "input by another path":
        parent, leaf = os.path.split(source)
        return f"./{parent}/../{Path(parent).name}/{leaf}" if parent else f"./{leaf}"
    if kind == "beside an input":
        return str(Path(source).parent / name)
    if kind in ("link to an input", "link to a user file", "broken link"):
        pointed = {"link to an input": source, "link to a user file": "notes.txt"}.get(kind)
        link = root / f"link{n}{suffix.strip('/')}"
        link.symlink_to(root / pointed if pointed else root / "nowhere" / name)
        return link.name
    if kind == "user file":
        if suffix == "/":
            return "folder"  # a folder of the user's, holding a .png of theirs
        (root / name).write_bytes(USER)
        return name
    if kind == "folder":  # the folder of an input, or one of the user's
        return str(Path(source).parent) if which % 2 or suffix == "/" else "folder"
    if kind == "below a file":
        return f"afile/{name}"
    if kind == "through a linked folder":
        parent = Path(source).parent
        link = root / f"linkdir{n}"
        link.symlink_to(root / parent, target_is_directory=True)
        return link.name if suffix == "/" else f"{link.name}/{Path(source).name}"
    if kind == "beside files of the user's":  # where calibrate and init write a second file
        (root / f"out{n}_accounts.csv").write_bytes(USER)
        (root / "cssim.schema.json").write_bytes(USER)
        return name
    if kind == "saved run":
        shutil.copytree(root / SAVED, root / name)
        aside = root / f".{name}.old-{os.getpid()}"
        aside.mkdir()
        (aside / "keep.txt").write_bytes(USER)
        return name
    if kind == "squatted temp folder":
        squat = root / f".{name}.tmp-{os.getpid()}"
        squat.mkdir()
        (squat / "keep.txt").write_bytes(USER)
        return name
    return name


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, list[tuple[str, str, str, int]], bool]:
    """A command, one or two of its output options each with a target kind and a suffix
    (a right one, mostly), and --force."""
    name = draw(st.sampled_from(sorted(COMMANDS)))
    cmd = COMMANDS[name]
    options = draw(
        st.lists(st.sampled_from(sorted(cmd.outputs)), min_size=1, max_size=2, unique=True)
    )
    picks = []
    for option in options:
        good = cmd.outputs[option]
        suffix = draw(st.sampled_from(good) | st.sampled_from((".txt", ".xlsx", "/")))
        picks.append((option, draw(st.sampled_from(KINDS)), suffix, draw(st.integers(0, 5))))
    return name, picks, draw(st.booleans())


def _build(root: Path, name: str, picks: list[tuple[str, str, str, int]], force: bool) -> Case:
    cmd = COMMANDS[name]
    case = Case(list(cmd.argv), force)
    for n, (option, kind, suffix, which) in enumerate(picks):
        target = _target(root, cmd, kind, suffix, n, which)
        case.argv += [target] if option == "" else [option, target]
        folder = option == "--charts" or (name == "run" and option == "-o" and suffix == "")
        (case.folders if folder else case.files).append(target)
        if not folder:
            case.written.append(target)
        if name == "calibrate":
            stem = Path(target)
            case.files.append(str(stem.with_name(f"{stem.stem}_accounts.csv")))
        if name == "init":
            case.files.append(str(Path(target).parent / "cssim.schema.json"))
    if force:
        case.argv.append("--force")
    return case


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every entry under ``root``: a file's bytes, a link's target, a folder's mark."""
    out: dict[str, bytes] = {}
    for path in [root, *root.rglob("*")]:
        key = os.path.normpath(path.relative_to(root))
        if path.is_symlink():
            out[key] = b"link -> " + os.fsencode(os.readlink(path))
        elif path.is_dir():
            out[key] = b"folder"
        else:
            out[key] = path.read_bytes()
    return out


def _within(key: str, targets: list[str]) -> bool:
    normal = [os.path.normpath(t) for t in targets]
    return key in normal or any(key.startswith(t + os.sep) for t in normal)


def _check(root: Path, case: Case, before: dict[str, bytes], inputs: dict[str, bytes]) -> None:
    res = CliRunner().invoke(cli, case.argv)
    shown = f"{case.argv}\n{res.output[-1500:]}"
    assert res.exit_code in (0, 2), shown
    assert "Traceback" not in res.output, shown
    assert res.exception is None or isinstance(res.exception, SystemExit), (shown, res.exception)
    for path, data in inputs.items():  # an input, read through any link, is untouched
        assert (root / path).read_bytes() == data, f"input {path} changed: {shown}"
    after = _snapshot(root)
    for key, data in before.items():
        if after.get(key) == data or key == ".":
            continue
        # changed or gone: only with --force, and only at a target the user named
        allowed = case.force and _within(key, case.files + case.folders)
        assert allowed, f"{key} changed or removed without being a --force target: {shown}"
    leftovers = [k for k in after if k not in before and (".tmp" in k or ".old-" in k)]
    assert not leftovers, f"left behind {leftovers}: {shown}"
    if res.exit_code == 0:
        for target in case.written:
            assert (root / target).is_file(), f"success but {target} not written: {shown}"
            head = (root / target).read_bytes()[:64].lstrip().lower()
            magic = MAGIC.get(Path(target).suffix.lower())
            assert magic is None or head.startswith(magic), f"{target} holds {head!r}: {shown}"
    else:
        assert "error:" in res.output.lower(), shown


@settings(
    max_examples=int(os.environ.get("CSSIM_SAFETY_EXAMPLES", "45")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(cases())
@example(("analyze", [("-o", "user file", ".csv", 0)], False))
@example(("backtest", [("-o", "user file", ".json", 0)], False))
@example(("run", [("-o", "squatted temp folder", "", 0)], False))
@example(("run", [("-o", "saved run", "", 0)], True))
@example(("run", [("-o", "fresh", ".htm", 0)], False))
@example(("decide", [("-o", "fresh", ".htm", 0)], False))
@example(("tradeoff", [("-o", "fresh", ".htm", 0)], False))
@example(("calibrate", [("-o", "beside files of the user's", ".yaml", 0)], False))
@example(("report", [("--charts", "user file", "/", 0)], False))
@example(("sweep", [("-o", "input", ".csv", 2)], True))  # the from_csv file
@example(("hire", [("-o", "link to an input", ".csv", 1)], True))  # the extends: parent
def test_no_command_destroys_a_file(
    template: Path, drawn: tuple[str, list[tuple[str, str, str, int]], bool]
) -> None:
    name, picks, force = drawn
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        shutil.copytree(template, root, symlinks=True)
        case = _build(root, name, picks, force)
        before = _snapshot(root)
        inputs = {p: (root / p).read_bytes() for p in COMMANDS[name].inputs}
        with contextlib.chdir(root):
            _check(root, case, before, inputs)
