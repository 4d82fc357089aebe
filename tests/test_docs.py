"""The docs stay true: reference in step with the models, commands that exist, citations
that resolve to a section of docs/assumptions.md, links that lead somewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic_core import PydanticUndefined

from simulator.scenario.checks import _SCENARIO_RANGES, _SEGMENT_RANGES, _TEAM_RANGES, anchor
from simulator.scenario.reference import PAGE, SECTIONS, splice

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
ASSUMPTIONS = DOCS / "assumptions.md"
PAGES = [README, *sorted(DOCS.glob("*.md")), ROOT / "scenarios" / "data" / "README.md"]


def _slug(heading: str) -> str:
    """The anchor GitHub and MkDocs give a heading: lower case, punctuation out, - for space."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {_slug(m) for m in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}


def test_scenario_reference_is_current() -> None:
    text = (ROOT / PAGE).read_text(encoding="utf-8")
    assert splice(text) == text, f"run: python -m simulator.scenario.reference {PAGE}"


def test_cli_reference_is_current() -> None:
    from simulator.cli import reference

    text = (ROOT / reference.PAGE).read_text(encoding="utf-8")
    assert reference.render() == text, f"run: python -m simulator.cli.reference {reference.PAGE}"


def test_cli_reference_is_the_help_text() -> None:
    """Each command's block is what ``cssim COMMAND --help`` prints, in --help's order."""
    from click.testing import CliRunner

    from simulator.cli import cli
    from simulator.cli.reference import WIDTH

    text = (ROOT / "docs/cli.md").read_text(encoding="utf-8")
    runner = CliRunner()
    top = runner.invoke(cli, ["--help"], prog_name="cssim", terminal_width=WIDTH - 2)
    listed = re.findall(r"^  (\w+)  ", top.output.split("Options:")[1], flags=re.M)
    assert listed and listed[0] == "init"
    assert re.findall(r"^### cssim (\w+)$", text, flags=re.M) == listed
    for name in listed:
        out = runner.invoke(cli, [name, "--help"], prog_name="cssim", terminal_width=WIDTH - 2)
        assert out.exit_code == 0, out.output
        assert f"```text\n{out.output.rstrip()}\n```" in text, f"cssim {name} --help"


def test_readme_shows_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text


def test_readme_lists_the_data_columns() -> None:
    from simulator.data.fields import CUSTOMER_FIELD_TABLE, TIMESHEET_FIELD_TABLE

    text = README.read_text(encoding="utf-8")
    assert CUSTOMER_FIELD_TABLE.strip() in text, "README: paste CUSTOMER_FIELD_TABLE"
    assert TIMESHEET_FIELD_TABLE.strip() in text, "README: paste TIMESHEET_FIELD_TABLE"


def test_readme_links_the_docs_pages() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [p.name for p in DOCS.glob("*.md") if f"docs/{p.name}" not in text]
    assert not missing, f"README: link the docs pages {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # an external address
        file, _, frag = target.partition("#")
        dest = (page.parent / file).resolve() if file else page
        if not dest.exists() or (frag and dest.suffix == ".md" and frag not in _anchors(dest)):
            broken.append(target)
    assert not broken, f"{page.name}: broken links {broken}"


def _cited_sections() -> dict[str, str]:
    """Every ``D: Section`` cited by a bundled scenario or the calibrator, with its file."""
    files = [*sorted((ROOT / "scenarios").glob("*.yaml")), ROOT / "simulator/analysis/calibrate.py"]
    out: dict[str, str] = {}
    for f in files:
        for m in re.finditer(r"\bD: ([A-Z][A-Za-z ]*?)(?= - |\s*$|[\"')])", f.read_text(), re.M):
            out.setdefault(m.group(1).strip(), f.name)
    return out


def test_every_cited_section_is_a_heading_of_assumptions() -> None:
    cited = _cited_sections()
    assert {"Capacity", "Staffing", "Retention", "Worked example"} <= set(cited)
    headings = _anchors(ASSUMPTIONS)
    missing = {s: f for s, f in cited.items() if anchor(s) not in headings}
    assert not missing, f"D: sections with no heading in docs/assumptions.md: {missing}"


def test_every_assumptions_anchor_in_the_code_exists() -> None:
    headings = _anchors(ASSUMPTIONS)
    files = [*(ROOT / "simulator").rglob("*.py"), *(ROOT / "scenarios").glob("*.yaml")]
    bad = {
        f"{f.name}#{frag}"
        for f in files
        for frag in re.findall(r"assumptions\.md#([\w-]+)", f.read_text(encoding="utf-8"))
        if frag not in headings
    }
    assert not bad, f"citations of missing sections: {sorted(bad)}"


def test_every_plausible_range_is_documented() -> None:
    text = ASSUMPTIONS.read_text(encoding="utf-8")
    headings = _anchors(ASSUMPTIONS)
    for r in [*_SCENARIO_RANGES, *_TEAM_RANGES, *_SEGMENT_RANGES]:
        assert anchor(r.section) in headings, r
        assert f"{r.path[-1]}`" in text, f"docs/assumptions.md: document {'.'.join(r.path)}"


def test_every_default_is_documented() -> None:
    text = ASSUMPTIONS.read_text(encoding="utf-8")
    missing = []
    for _, cls, _ in SECTIONS:
        for name, field in cls.model_fields.items():
            default = field.default_factory() if field.default_factory else field.default
            if default is PydanticUndefined or not isinstance(default, int | float | list):
                continue
            if isinstance(default, bool) or default == []:
                continue
            if f"{field.alias or name}`" not in text:
                missing.append(f"{cls.__name__}.{name}")
    assert not missing, f"docs/assumptions.md: give unit, range and basis of {missing}"


def test_no_tracked_file_cites_a_file_users_do_not_have() -> None:
    """Citations point at docs/assumptions.md, never at a reference file outside the repo."""
    import subprocess

    out = subprocess.run(
        ["git", "grep", "-l", "DOMAIN" + ".md"], cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode not in (0, 1):
        pytest.skip("not a git checkout")
    assert out.stdout.split() == []
