"""Fuzzing the loader: any text, or any mutation of a valid file, gives a Scenario or a ScenarioError."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.errors import ScenarioError
from simulator.scenario.loader import load_text
from simulator.scenario.model import Scenario

DEFAULT = (Path(__file__).resolve().parent.parent / "scenarios" / "default.yaml").read_text()
LINES = DEFAULT.splitlines()

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _outcome(text: str) -> None:
    try:
        loaded = load_text(text, "fuzz.yaml")
    except ScenarioError as exc:
        assert exc.issues, "a ScenarioError must carry at least one problem"
        for issue in exc.issues:
            assert issue.render()
        return
    assert isinstance(loaded.scenario, Scenario)


@FUZZ
@given(st.text(max_size=400))
def test_any_text(text: str) -> None:
    _outcome(text)


YAMLISH = st.text(
    alphabet=st.sampled_from(list("abc:-[]{},&*!|>'\"#\n\t 0123456789.~%@`")), max_size=300
)


@FUZZ
@given(YAMLISH)
def test_yaml_punctuation(text: str) -> None:
    _outcome(text)


SCALARS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        [
            "null",
            "~",
            "true",
            "[]",
            "{}",
            "''",
            ".nan",
            "-.inf",
            "2027-02-30",
            "[1, {a: b}]",
            "!x y",
            "*nope",
            "&a b",
        ]
    ),
    st.text(max_size=12).map(lambda s: repr(s)),
)


@FUZZ
@given(st.data())
def test_mutations_of_the_default_scenario(data: st.DataObject) -> None:
    lines = list(LINES)
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        i = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
        action = data.draw(st.sampled_from(["value", "delete", "duplicate", "indent", "key"]))
        line = lines[i]
        if action == "value" and ":" in line:
            key = line.split(":", 1)[0]
            lines[i] = f"{key}: {data.draw(SCALARS)}"
        elif action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, line)
        elif action == "indent":
            lines[i] = "  " + line
        elif action == "key" and ":" in line:
            indent = len(line) - len(line.lstrip())
            lines.insert(
                i,
                " " * indent + data.draw(st.sampled_from(["colour", "seed", "x", "hours"])) + ": 1",
            )
        if not lines:
            break
    _outcome("\n".join(lines) + "\n")


def test_many_random_single_line_deletions() -> None:
    """Deleting any one line of the default gives a Scenario or a located ScenarioError."""
    rng = random.Random(3)
    for i in rng.sample(range(len(LINES)), 60):
        _outcome("\n".join(LINES[:i] + LINES[i + 1 :]) + "\n")
