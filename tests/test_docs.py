"""The README stays true: reference in step with the models, commands that exist."""

from __future__ import annotations

from pathlib import Path

from simulator.scenario.reference import splice

README = Path(__file__).resolve().parent.parent / "README.md"


def test_scenario_reference_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert splice(text) == text, "run: python -m simulator.scenario.reference README.md"


def test_readme_shows_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text


def test_readme_lists_the_data_columns() -> None:
    from simulator.data.fields import CUSTOMER_FIELD_TABLE, TIMESHEET_FIELD_TABLE

    text = README.read_text(encoding="utf-8")
    assert CUSTOMER_FIELD_TABLE.strip() in text, "README: paste CUSTOMER_FIELD_TABLE"
    assert TIMESHEET_FIELD_TABLE.strip() in text, "README: paste TIMESHEET_FIELD_TABLE"
