"""Every file in tests/data/bad fails with exit code 2 and a message holding its fragments.

Each bad file lists what its message must contain in ``# expect: ...`` lines at its top.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import cli
from simulator.errors import ScenarioError
from simulator.scenario.loader import load

BAD = sorted((Path(__file__).parent / "data" / "bad").glob("*.yaml"))


def _expectations(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8", errors="replace")
    return [m.group(1).strip() for m in re.finditer(r"^# expect: (.+)$", text, re.MULTILINE)]


def test_corpus_is_large_enough() -> None:
    assert len(BAD) >= 25
    for path in BAD:
        assert _expectations(path), f"{path.name} states no expectation"


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_file_message(path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load(path)
    message = info.value.render()
    for fragment in _expectations(path):
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    # every problem names the file (or the base file for extends problems)
    for issue in info.value.issues:
        assert issue.location is not None, issue.render()
        assert issue.location.file.endswith(".yaml"), issue.render()


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_file_cli_exit_code(path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert path.name in result.output
