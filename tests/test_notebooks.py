"""The notebooks in notebooks/: paired with their jupytext scripts, committed without
outputs, portable, and executed by the test suite.

nbmake executes every notebook (setup.cfg: ``testpaths`` includes ``notebooks`` and
``addopts`` has ``--nbmake``); these are the fast, static checks beside it.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")
nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
IPYNB = sorted(NOTEBOOKS.glob("*.ipynb"))
SCRIPTS = sorted(p for p in NOTEBOOKS.glob("*.py") if p.name != "conftest.py")
FORMATS = "ipynb,py:percent"

ABSOLUTE_PATH = re.compile(
    r"""['"](?:/(?:home|Users|work|tmp|root|mnt|opt|var|usr)\b|~[/\\]|[A-Za-z]:[\\/])"""
)
"""A string literal that starts with an absolute or home-relative path."""


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in nb.cells]


def _code(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_every_notebook_has_its_script_and_every_script_its_notebook() -> None:
    assert IPYNB, "no notebooks found in notebooks/"
    assert {p.stem for p in IPYNB} == {p.stem for p in SCRIPTS}


@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.name)
def test_notebook_and_script_agree(path: Path) -> None:
    script = path.with_suffix(".py")
    text = script.read_text(encoding="utf-8")
    assert jupytext.formats.guess_format(text, ".py")[0] == "percent", f"{script.name}: not percent"
    notebook, paired = jupytext.read(path), jupytext.read(script)
    for nb, name in ((notebook, path.name), (paired, script.name)):
        assert nb.metadata.get("jupytext", {}).get("formats") == FORMATS, f"{name}: not paired"
    assert _cells(notebook) == _cells(paired), (
        f"{path.name} and {script.name} differ: run `jupytext --sync {path.relative_to(ROOT)}`"
    )


@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"


@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.name)
def test_notebook_uses_no_paths_outside_the_repository(path: Path) -> None:
    for source in _code(path):
        for line in source.splitlines():
            assert not ABSOLUTE_PATH.search(line), f"{path.name}: absolute path in {line!r}"
            assert "os.chdir" not in line, f"{path.name}: changes directory in {line!r}"


@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.name)
def test_notebook_takes_its_replications_from_the_environment(path: Path) -> None:
    assert any("CSSIM_NOTEBOOK_REPLICATIONS" in s for s in _code(path))


def test_pytest_executes_the_notebooks_with_few_replications() -> None:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    assert "notebooks" in cfg["tool:pytest"]["testpaths"].split()
    assert "--nbmake" in cfg["tool:pytest"]["addopts"].split()
    conftest = (NOTEBOOKS / "conftest.py").read_text(encoding="utf-8")
    assert 'setdefault("CSSIM_NOTEBOOK_REPLICATIONS"' in conftest
