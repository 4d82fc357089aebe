"""CFO-ready outputs: the Excel packs, the charts, the HTML report in a real browser, and
``--format table|csv|json`` on every command that prints results."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

from simulator.analysis.compare import COMPARED
from simulator.analysis.experiment import run_experiment
from simulator.analysis.frontier import frontier
from simulator.cli import cli
from simulator.report.assumptions import assumption_rows
from simulator.report.charts import figures, write_charts
from simulator.report.run import ci_pct
from simulator.report.saved import save_run, scenario_hash
from simulator.scenario.loader import load
from tests.conftest import SMALL


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """The default plan, 3 replications, with a frontier for the top tier, saved."""
    loaded = load(None)
    exp = run_experiment(loaded.scenario, 3, jobs=1)
    rows = frontier(loaded.scenario, "top", range(6, 9), 3)
    out = tmp_path_factory.mktemp("run") / "fy27"
    save_run(
        out,
        exp,
        ["cssim", "test"],
        frontier=rows,
        assumptions=assumption_rows(loaded.scenario, loaded),
    )
    return out, exp


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def _cells(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[list[object]]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _table(ws: openpyxl.worksheet.worksheet.Worksheet, first_header: str) -> list[dict]:
    """The rows of the table whose header row starts with ``first_header``."""
    rows = _cells(ws)
    for i, r in enumerate(rows):
        if r and r[0] == first_header:
            header = [h for h in r if h is not None]
            out = []
            for body in rows[i + 1 :]:
                if body[0] is None:
                    break
                out.append(dict(zip(header, body, strict=False)))
            return out
    raise AssertionError(f"no table headed {first_header!r} in {ws.title}")


def _no_formulas(wb: openpyxl.Workbook) -> None:
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {ws.title}!{cell.coordinate}"


def test_report_writes_xlsx_charts_and_html(saved: tuple[Path, object], tmp_path: Path) -> None:
    run_dir, exp = saved
    runner = CliRunner()
    res = runner.invoke(
        cli,
        [
            "report",
            str(run_dir),
            "--xlsx",
            str(tmp_path / "plan.xlsx"),
            "--charts",
            str(tmp_path / "charts"),
            "--html",
            str(tmp_path / "plan.html"),
        ],
    )
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    assert wb.sheetnames == [
        "Brief",
        "Summary",
        "Value",
        "Segment top",
        "Segment mid",
        "Segment smb",
        "Monthly",
        "Frontier",
        "Assumptions",
        "Provenance",
    ]
    _no_formulas(wb)
    stats = exp.stats()
    summary = wb["Summary"]
    heads = {r["Segment"]: r for r in _table(summary, "Segment")}
    assert heads["top"]["CSMs (plan)"] == 8 and heads["top"]["CSMs required (closed form)"] == 8
    assert heads["top"]["People cost at plan / yr"] == pytest.approx(8 * 180_000)
    top = _retention_rows(summary)["top"]
    for key, name in (("grr", "GRR"), ("nrr", "NRR"), ("logo_churn", "Logo churn")):
        st = stats["top"][key]
        assert top[f"{name} mean"] == pytest.approx(st.mean)
        assert top[f"{name} P10"] == pytest.approx(st.p10)
        assert top[f"{name} P90"] == pytest.approx(st.p90)
    # number formats are set: shares as percentages, money with the currency symbol
    fmt = {c.value: c for c in summary[_header_row(summary, "GRR mean")]}
    col = fmt["GRR mean"].column
    assert summary.cell(_header_row(summary, "GRR mean") + 1, col).number_format == "0.0%"
    money_col = {c.value: c for c in summary[_header_row(summary, "Segment")]}[
        "People cost at plan / yr"
    ].column
    assert summary.cell(_header_row(summary, "Segment") + 1, money_col).number_format.startswith(
        '"$"'
    )
    # native charts for headcount and ARR
    assert len(summary._charts) == 2
    assert len(wb["Monthly"]._charts) == 2
    # every segment sheet lists every metric with CI and quantiles
    seg = _table(wb["Segment top"], "Metric")
    by = {r["Field"]: r for r in seg}
    assert by["grr"]["Mean"] == pytest.approx(stats["top"]["grr"].mean)
    assert by["grr"]["95% CI low"] == pytest.approx(stats["top"]["grr"].low)
    # the frontier, the assumptions and the provenance
    fr = _table(wb["Frontier"], "Team")
    assert [r["CSMs"] for r in fr] == [6, 7, 8]
    assumptions = {r["Input"]: r for r in _table(wb["Assumptions"], "Input")}
    csms = assumptions["segments.top.team.csms"]
    assert csms["Value"] == 8 and csms["Unit"] == "CSMs"
    assert "Worked example" in csms["Source"]
    assert assumptions["segments.top.touchpoints.qbr.hours"]["Unit"] == "hours"
    assert assumptions["calendar.customer_time_share"]["Source"].startswith("D: Capacity")
    assert all(r["Source"] for r in assumptions.values())
    prov = {r["Item"]: r["Value"] for r in _table(wb["Provenance"], "Item")}
    assert prov["scenario_hash"] == scenario_hash(exp.scenario)
    assert prov["root_seed"] == exp.root_seed
    assert prov["replications"] == 3
    assert "versions: numpy" in prov
    # charts as PNG and SVG
    names = ["frontier_top", "utilisation_backlog", "arr_waterfall", "arr_fan", "touch_delivery"]
    for name in names:
        png = tmp_path / "charts" / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        ET.parse(tmp_path / "charts" / f"{name}.svg")  # well-formed
    assert (tmp_path / "plan.html").stat().st_size > 10_000


def _header_row(ws: openpyxl.worksheet.worksheet.Worksheet, header: str) -> int:
    for row in ws.iter_rows():
        if any(c.value == header for c in row):
            return row[0].row
    raise AssertionError(header)


def _retention_rows(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, dict]:
    i = _header_row(ws, "GRR mean")
    header = [c.value for c in ws[i] if c.value is not None]
    out = {}
    for row in ws.iter_rows(min_row=i + 1, values_only=True):
        if row[0] is None:
            break
        out[row[0]] = dict(zip(header, row, strict=False))
    return out


def test_charts_state_their_finding_and_label_axes(saved: tuple[Path, object]) -> None:
    _, exp = saved
    rows = frontier(exp.scenario, "top", range(6, 9), 2)
    figs = figures(exp, rows)
    assert list(figs) == [
        "frontier_top",
        "utilisation_backlog",
        "arr_waterfall",
        "arr_fan",
        "touch_delivery",
    ]
    end = np.mean([sum(s["arr_end"] for s in r.segments.values()) for r in exp.results])
    from simulator.report.formatting import money

    assert money(end) in figs["arr_waterfall"].get_suptitle().replace("\\$", "$")
    for name, fig in figs.items():
        assert len(fig.get_suptitle()) > 30, name
        for ax in fig.axes:
            assert ax.get_xlabel() or name == "arr_waterfall", (name, "x label")
            assert ax.get_ylabel() or name == "touch_delivery", (name, "y label")


def test_write_charts_leaves_nothing_half_written(
    saved: tuple[Path, object], tmp_path: Path
) -> None:
    _, exp = saved
    written = write_charts(tmp_path / "c", figures(exp))
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == sorted(p.name for p in written)


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_html_is_self_contained_and_renders_in_chromium(
    saved: tuple[Path, object], tmp_path: Path
) -> None:
    run_dir, exp = saved
    page = tmp_path / "plan.html"
    res = CliRunner().invoke(cli, ["report", str(run_dir), "--html", str(page)])
    assert res.exit_code == 0, res.output
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), "external reference"
    assert "@import" not in text
    assert not re.search(r"url\(\s*['\"]?(?!#)", text), "url() to anything but an in-page id"
    browser = _chromium()
    if browser is None:
        if os.environ.get("CSSIM_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (make test installs Debian's chromium)")
        pytest.skip("chromium not installed; make test installs it")
    from playwright.sync_api import sync_playwright

    stats = exp.stats()
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=browser,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        try:
            tab = b.new_page(viewport={"width": 1280, "height": 900})
            problems: list[str] = []
            requests: list[str] = []
            tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: problems.append(str(e)))
            tab.on("request", lambda r: requests.append(r.url))
            tab.goto(page.as_uri())
            shot = tmp_path / "plan.png"
            tab.screenshot(path=str(shot), full_page=True)
            body = tab.inner_text("body")
            svgs = tab.locator("figure svg").count()
            width = tab.evaluate(
                "document.querySelector('figure svg').getBoundingClientRect().width"
            )
        finally:
            b.close()
    assert problems == []
    assert requests == [page.as_uri()], "the page loaded something besides itself"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
    assert svgs == 5 and width > 300
    for seg in ("top", "mid", "smb"):
        assert ci_pct(stats[seg]["grr"]) in body
        assert ci_pct(stats[seg]["on_time_share"]) in body
    for heading in ("Summary", "Charts", "Assumptions", "Provenance", "Frontier"):
        assert heading in body
    assert scenario_hash(exp.scenario) in body


def test_run_writes_an_xlsx_pack(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "small.xlsx"
    res = CliRunner().invoke(cli, ["run", str(small), "-n", "3", "-j", "1", "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:5] == ["Brief", "Summary", "Value", "Segment core", "Monthly"]
    assumptions = {r["Input"]: r for r in _table(wb["Assumptions"], "Input")}
    assert assumptions["segments.core.accounts"]["Source"] == "D: a test book"
    assert assumptions["segments.core.churn.annual_baseline"]["Source"] == "assumption: test churn"
    assert assumptions["segments.core.lifecycle.onboarding_days"]["Source"] == "cssim default"


def test_compare_solve_and_tradeoff_write_xlsx_packs(small: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    other = tmp_path / "more.yaml"
    other.write_text(f"extends: {small.name}\nsegments: {{core: {{team: {{csms: 3}}}}}}\n")
    res = runner.invoke(
        cli,
        [
            "compare",
            str(small),
            str(other),
            "-n",
            "3",
            "-j",
            "1",
            "-q",
            "-o",
            str(tmp_path / "c.xlsx"),
        ],
    )
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(tmp_path / "c.xlsx")
    _no_formulas(wb)
    assert wb.sheetnames[:3] == ["Brief", "Differences", "Summary"]
    diffs = _table(wb["Differences"], "Alternative")
    assert len(diffs) == len(COMPARED)
    csms = next(r for r in diffs if r["Metric"] == "CSMs")
    assert csms["Difference"] == pytest.approx(1.0, abs=0.1)
    assert {"Assumptions", "Provenance", "Monthly"} <= set(wb.sheetnames)

    res = runner.invoke(
        cli, ["solve", str(small), "-n", "3", "-j", "1", "-q", "-o", str(tmp_path / "s.xlsx")]
    )
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(tmp_path / "s.xlsx")
    answer = _table(wb["Summary"], "Team")[0]
    assert answer["CSMs required (simulated)"] >= 1
    assert "Frontier" in wb.sheetnames and len(_table(wb["Frontier"], "Team")) >= 2

    res = runner.invoke(
        cli,
        [
            "tradeoff",
            str(small),
            "--team",
            "core",
            "--csms",
            "1",
            "-n",
            "3",
            "-j",
            "1",
            "-q",
            "-o",
            str(tmp_path / "t.xlsx"),
            "-o",
            str(tmp_path / "t.yaml"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "t.yaml").exists()
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert wb.sheetnames == [
        "Brief",
        "Summary",
        "Candidates",
        "Frontier",
        "Assumptions",
        "Provenance",
    ]
    frontier_rows = _table(wb["Frontier"], "Team")
    assert [r["CSMs"] for r in frontier_rows] == sorted(r["CSMs"] for r in frontier_rows)
    assert len(_table(wb["Candidates"], "Change")) >= 3
    assert len(wb["Summary"]._charts) == 2


@pytest.mark.parametrize(
    "args",
    [
        ["estimate", "{small}"],
        ["run", "{small}", "-n", "2", "-j", "1"],
        ["compare", "{small}", "{small}", "-n", "2", "-j", "1"],
        ["sweep", "{small}", "--vary", "segments.core.team.csms=1..2", "-n", "2", "-j", "1"],
        ["solve", "{small}", "-n", "2", "-j", "1"],
        ["tradeoff", "{small}", "--team", "core", "--csms", "1", "-n", "2", "-j", "1"],
        ["hire", "{small}"],
    ],
    ids=lambda a: a[0],
)
def test_every_command_prints_table_csv_and_json(args: list[str], small: Path) -> None:
    runner = CliRunner()
    argv = [*(a.format(small=small) for a in args), "-q"]
    outputs = {}
    for fmt in ("table", "csv", "json"):
        res = runner.invoke(cli, [*argv, "--format", fmt])
        assert res.exit_code == 0, (fmt, res.output)
        outputs[fmt] = res.stdout
    assert outputs["table"].strip()
    rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
    assert rows and all(len(r) == len(rows[0]) for r in rows)
    json.loads(outputs["json"])


def test_report_rejects_wrong_output_names(saved: tuple[Path, object], tmp_path: Path) -> None:
    run_dir, _ = saved
    res = CliRunner().invoke(cli, ["report", str(run_dir), "--xlsx", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "xlsx" in res.output
    res = CliRunner().invoke(
        cli, ["report", str(run_dir), "--html", str(tmp_path / "missing" / "r.html")]
    )
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert not (tmp_path / "missing").exists()
