"""Every example in README.md and docs/*.md runs as written, in a fresh copy of scenarios/.

- ```python blocks run in order, a page's blocks in one namespace.
- In ```bash, ```console and ```sh blocks every ``cssim`` command (``$ cssim`` in a
  console block) runs through click's CliRunner on the ``cssim`` group, in order, and must
  end with exit code 0. Where a console block shows output, each line shown must appear
  in the output, in order (a line ending in `` ...`` is a prefix; a paragraph in
  parentheses describes what is left out and is not compared).
- Each page runs in its own temporary folder holding a copy of the repository's
  scenarios/, so a command's outputs land there and a later command of the page reads them.
- Commands run with a small budget through their own options (replications, draws,
  worker processes: :data:`BUDGET`); everything else is as the page writes it. Console
  output is compared only for commands the budget leaves unchanged.

A comment on the line before a block changes what happens to it:
``<!-- no-run: REASON -->`` leaves it out (the reason is required), ``<!-- exit: N -->``
expects exit code N from its commands, ``<!-- file: PATH -->`` on a block of any language
writes its text to PATH in the page's folder before the page's examples run.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from simulator.cli import cli

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL = {"bash", "console", "sh", "shell"}

BUDGET: dict[str, int] = {
    "replications": 2,
    "max_replications": 10,
    "draws": 6,
    "sensitivity_replications": 1,
    "inner": 1,
    "jobs": 1,
}
"""Upper bounds on the options that set how much a command simulates (the option's own
minimum wins where it is higher)."""

NOT_HERE: dict[str, str] = {
    "app": "serves the explorer until Ctrl-C; tests/test_app.py drives it",
}
"""Commands the examples do not run, with the reason (every other command runs)."""

_FENCE = re.compile(r"^( *)```(\w*)[^\n]*\n(.*?)^\1```[ \t]*$", re.M | re.S)
_MARK = re.compile(r"<!--\s*(no-run|exit|file)\s*:\s*(.*?)\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced example: its page, line, language, text and marker."""

    page: Path
    line: int
    lang: str
    text: str
    mark: str = ""
    arg: str = ""

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of *page*, each with the marker on the line before it."""
    text = page.read_text(encoding="utf-8")
    out = []
    for m in _FENCE.finditer(text):
        indent, lang, body = m.group(1), m.group(2), m.group(3)
        before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mark = _MARK.search(before)
        body = "\n".join(line[len(indent) :] for line in body.splitlines())
        out.append(
            Block(
                page,
                text[: m.start()].count("\n") + 1,
                lang,
                body,
                mark.group(1) if mark else "",
                mark.group(2) if mark else "",
            )
        )
    return out


def _examples() -> list[Block]:
    return [b for p in PAGES for b in blocks(p) if b.lang == "python" or b.lang in SHELL]


@dataclass
class Command:
    """A command of a shell block (``cssim`` or ``mkdir``) and the output the page shows."""

    args: list[str]
    shown: list[str] = field(default_factory=list)
    program: str = "cssim"


def commands(block: Block) -> list[Command]:
    """The ``cssim`` and ``mkdir`` commands of a shell block, continuation lines joined,
    ``&&`` split (other programs, such as make, pip and python, are not run)."""
    out: list[Command] = []
    lines = block.text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        prompt = line.startswith("$ ")
        if block.lang == "console" and not prompt:
            if out and line.strip():
                out[-1].shown.append(line)
            continue
        line = line[2:] if prompt else line
        while line.rstrip().endswith("\\") and i < len(lines):
            line = line.rstrip()[:-1] + " " + lines[i].strip()
            i += 1
        words = shlex.split(line, comments=True)
        while words:
            cut = words.index("&&") if "&&" in words else len(words)
            if words[0] in ("cssim", "mkdir"):
                out.append(Command(words[1:cut], program=words[0]))
            elif out and block.lang == "console" and prompt:
                out.append(Command([]))  # a command of another program: its output is its own
            words = words[cut + 1 :]
    return [c for c in out if c.args]


def budgeted(args: list[str]) -> list[str]:
    """*args* with each :data:`BUDGET` option of the command capped (or set, when absent)."""
    command = cli.get_command(click.Context(cli), args[0]) if args else None
    if command is None:
        return args
    out = list(args)
    for param in command.params:
        if param.name not in BUDGET or not isinstance(param, click.Option):
            continue
        low = getattr(param.type, "min", None) or 0
        cap = max(BUDGET[param.name], low)
        for j, word in enumerate(out):
            name, eq, value = word.partition("=")
            if name in param.opts and eq:
                out[j] = f"{name}={min(int(value), cap)}"
                break
            if word in param.opts and j + 1 < len(out):
                out[j + 1] = str(min(int(out[j + 1]), cap))
                break
        else:
            if param.default is None or int(param.default) > cap:
                out += [max(param.opts, key=len), str(cap)]
    return out


def _matches(shown: list[str], output: str) -> list[str]:
    """The lines of *shown* (the page's output) not found, in order, in *output*."""
    actual = [line.rstrip() for line in output.splitlines()]
    missing, at, aside = [], 0, False
    for line in shown:
        if line.startswith("(") or aside:
            aside = not line.rstrip().endswith(")")
            continue
        want = line.rstrip()
        prefix = want.endswith(" ...")
        want = want[:-4] if prefix else want
        for k in range(at, len(actual)):
            if actual[k] == want or (prefix and actual[k].startswith(want)):
                at = k + 1
                break
        else:
            missing.append(line)
    return missing


@dataclass
class Workspace:
    """A page's folder and Python namespace."""

    path: Path
    namespace: dict[str, Any] = field(default_factory=dict)


@contextlib.contextmanager
def _inside(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


_WORKSPACES: dict[Path, Workspace] = {}


def _workspace(page: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    if page not in _WORKSPACES:
        path = tmp_path_factory.mktemp(page.stem)
        shutil.copytree(ROOT / "scenarios", path / "scenarios")
        for b in blocks(page):
            if b.mark == "file":
                (path / b.arg).parent.mkdir(parents=True, exist_ok=True)
                (path / b.arg).write_text(b.text + "\n", encoding="utf-8")
        _WORKSPACES[page] = Workspace(path)
    return _WORKSPACES[page]


def _run(block: Block, ws: Workspace) -> None:
    with _inside(ws.path):
        if block.lang == "python":
            code = compile(block.text, f"{block.id}", "exec")
            exec(code, ws.namespace)  # the page's own example
            return
        want = int(block.arg) if block.mark == "exit" else 0
        runner = CliRunner()
        for cmd in commands(block):
            if cmd.program == "mkdir":
                for name in (a for a in cmd.args if not a.startswith("-")):
                    Path(name).mkdir(parents="-p" in cmd.args, exist_ok="-p" in cmd.args)
                continue
            if cmd.args[0] in NOT_HERE:
                continue
            args = budgeted(cmd.args)
            res = runner.invoke(cli, args, prog_name="cssim", catch_exceptions=True)
            said = f"{block.id}: cssim {shlex.join(args)}\n{res.output[-3000:]}"
            if res.exception is not None and not isinstance(res.exception, SystemExit):
                raise AssertionError(said) from res.exception
            assert res.exit_code == want, said
            if cmd.shown and args == cmd.args:
                missing = _matches(cmd.shown, res.output)
                assert not missing, f"{said}\nshown on the page but not printed: {missing}"


_SLOW = {"decide", "solve", "tradeoff", "backtest", "compare", "sweep"}


def _slow(block: Block) -> bool:
    """Whether *block* runs a search, a comparison or a backtest (seconds to minutes)."""
    if block.lang == "python":
        return re.search(rf"\b({'|'.join(_SLOW)})\(", block.text) is not None
    return any(c.program == "cssim" and c.args[0] in _SLOW for c in commands(block))


def _pages() -> list[Any]:
    """One case per page: its examples build on each other, so they run in order in one
    process (a page split over workers would replay its slow blocks)."""
    out = []
    for page in PAGES:
        found = [b for b in _examples() if b.page == page]
        if not found:
            continue
        slow = any(b.mark != "no-run" and _slow(b) for b in found)
        out.append(
            pytest.param(
                page,
                id=page.relative_to(ROOT).as_posix(),
                marks=[pytest.mark.slow] if slow else [],
            )
        )
    return out


def test_every_marker_gives_its_reason() -> None:
    for page in PAGES:
        for b in blocks(page):
            if b.mark:
                assert b.arg, f"{b.id}: <!-- {b.mark}: ... --> needs its reason or value"
            if b.mark == "exit":
                assert b.arg.isdigit(), f"{b.id}: <!-- exit: N --> wants an exit code"


def test_examples_are_found() -> None:
    found = _examples()
    assert sum(b.lang == "python" for b in found) >= 5
    assert sum(len(commands(b)) for b in found if b.lang in SHELL) >= 20


@pytest.mark.parametrize("page", _pages())
def test_examples_run_as_written(page: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every example of ``page`` in order; a failure names its block (page:line)."""
    ws = _workspace(page, tmp_path_factory)
    for block in _examples():
        if block.page == page and block.mark != "no-run":
            _run(block, ws)


def test_budget_caps_and_keeps_the_rest() -> None:
    run = budgeted(["run", "-n", "20", "--seed", "7"])
    assert run == ["run", "-n", "2", "--seed", "7", "--max-replications", "10", "--jobs", "1"]
    assert budgeted(["run", "--replications=1", "-j", "2"])[1:4] == ["--replications=1", "-j", "1"]
    assert budgeted(["backtest", "x.csv"])[-4:] == ["--replications", "20", "--jobs", "1"]
    assert budgeted(["estimate", "--set", "a=1"]) == ["estimate", "--set", "a=1"]


def test_commands_are_read_as_a_shell_reads_them() -> None:
    text = "cssim a --x 'y z' \\\n  -o f  # note\ncssim b && cssim c\nmake d\nmkdir -p e"
    found = [(c.program, c.args) for c in commands(Block(ROOT, 1, "bash", text))]
    assert found == [
        ("cssim", ["a", "--x", "y z", "-o", "f"]),
        ("cssim", ["b"]),
        ("cssim", ["c"]),
        ("mkdir", ["-p", "e"]),
    ]
    shown = Block(ROOT, 1, "console", "$ cssim a\nout 1\n$ python x.py\nout 2")
    assert [(c.args, c.shown) for c in commands(shown)] == [(["a"], ["out 1"])]


def test_output_match_rules() -> None:
    out = "a\nb c d\ne\n"
    assert _matches(["a", "(left out", " and more)", "b c ...", "e"], out) == []
    assert _matches(["e", "a"], out) == ["a"]
