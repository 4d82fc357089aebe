"""Excel packs print: landscape, one page wide, a print area, Tables where they can be;
the packs of the deciding commands open on their brief; Item/Value cells carry formats."""

from __future__ import annotations

import html
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from simulator.cli import cli
from simulator.report.layout import Block, Col, Sheet
from simulator.report.xlsx import write_workbook
from tests.conftest import SMALL


def test_every_sheet_prints_landscape_one_page_wide_with_tables(tmp_path: Path) -> None:
    rows = [{"a": "x", "b": 1.5}, {"a": "y", "b": 2.5}]
    sheets = [
        Sheet(
            "Two blocks",
            [
                Block("first", [Col("a", "Name"), Col("b", "Value", "num1")], rows),
                # two columns with one header cannot be an Excel Table: kept as a range
                Block("second", [Col("a", "Same"), Col("b", "Same", "num1")], rows),
                Block("empty", [Col("a", "Name")], []),
            ],
            ["A title"],
        ),
        Sheet(
            "One block", [Block("only", [Col("a", "Name"), Col("b", "Value")], rows)], freeze=True
        ),
    ]
    path = write_workbook(tmp_path / "pack.xlsx", sheets)
    wb = openpyxl.load_workbook(path)
    two, one = wb["Two blocks"], wb["One block"]
    for ws in (two, one):
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToHeight == 0  # as many pages tall as needed
        assert ws.print_area is not None
        assert "&P" in (ws.oddFooter.right.text or "")
    assert len(two.tables) == 1  # the duplicate-header and the empty blocks are ranges
    # the block's title on row 1, its header on row 2 (frozen below), its rows on 3-4
    assert len(one.tables) == 1 and one.freeze_panes == "A3"
    table = next(iter(one.tables.values()))
    assert table.ref == "A2:B4"
    assert one["A3"].value == "x" and one["B4"].value == 2.5


FAST = ["-n", "2", "-j", "1", "-q"]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def _cli(args: list[str]) -> None:
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output


def _page_text(page: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """The HTML brief's answer paragraphs and its key numbers (label, value)."""
    text = page.read_text(encoding="utf-8")
    leads = [html.unescape(x) for x in re.findall(r'<p class="lead">([^<]*)</p>', text)]
    labels = re.findall(r'<div class="kl">([^<]*)</div><div class="kv">([^<]*)</div>', text)
    return leads, [(html.unescape(a), html.unescape(b)) for a, b in labels]


@pytest.mark.parametrize(
    ("command", "after"),
    [
        ("run", ["Summary", "Value", "Segment core", "Monthly", "Assumptions", "Provenance"]),
        (
            "compare",
            ["Differences", "Summary", "Segment core", "Monthly", "Assumptions", "Provenance"],
        ),
        ("solve", ["Summary", "Frontier", "Segment core", "Assumptions", "Provenance"]),
        ("tradeoff", ["Summary", "Candidates", "Frontier", "Assumptions", "Provenance"]),
        ("decide", ["Decision", "Assumptions"]),
        ("hire", ["Hiring plan"]),
    ],
)
def test_the_pack_opens_on_the_brief_of_the_html_page(
    small: Path, tmp_path: Path, command: str, after: list[str]
) -> None:
    bigger = tmp_path / "bigger.yaml"
    bigger.write_text(SMALL.replace("csms: 2", "csms: 3"), encoding="utf-8")
    args = {
        "run": ["run", str(small), *FAST],
        "compare": ["compare", str(small), str(small), *FAST],
        "solve": ["solve", str(small), *FAST],
        "tradeoff": ["tradeoff", str(small), "--team", "core", "--csms", "1", *FAST],
        "decide": [
            "decide",
            str(small),
            str(bigger),
            "--draws",
            "4",
            "--sensitivity-replications",
            "1",
            "-j",
            "1",
            "-q",
        ],
        "hire": ["hire", str(small), "-q"],
    }[command]
    book, page = tmp_path / "pack.xlsx", tmp_path / "brief.html"
    _cli([*args, "-o", str(book), "--html", str(page)])
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["Brief", *after], "the Brief first, the pack's order after it"
    ws = wb.active
    assert ws.title == "Brief" and wb.worksheets[0] is ws
    cells = {
        (c.row, c.column): c.value
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value
    }
    texts = set(cells.values())
    leads, numbers = _page_text(page)
    assert leads and all(lead in texts for lead in leads), "the answer sentences"
    assert ws["A1"].value == re.search(r"<h1>([^<]*)</h1>", page.read_text()).group(1)
    for label, value in numbers:  # the key numbers: label in A, value beside it in B
        row = next(r for (r, c), v in cells.items() if c == 1 and v == label)
        assert ws.cell(row, 2).value == value, label
    assert {"How sure", "What it hinges on", "What shows it"} <= texts
    assert any("cssim brief, generated" in t for t in texts)
    # every wrapped sentence has the height of its lines (merged cells do not grow)
    for (r, c), v in cells.items():
        if c == 1 and len(v) > 160:
            assert ws.row_dimensions[r].height >= 15 * (len(v) // 160 + 1), v[:40]
    # the charts as images, within the four printed columns
    assert len(ws._images) >= 1
    for img in ws._images:
        assert img.anchor._from.col == 0 and img.anchor.to.col <= 3
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (1, None)
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_area is not None and "$D$" in ws.print_area
    assert "&P" in (ws.oddFooter.right.text or "")


def test_brief_sheet_draws_each_figure_as_a_png_the_page_width(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    from simulator.report.brief import Brief, KeyNumber
    from simulator.report.xlsx_brief import CHART_DPI, SHEET_PX

    figs = {}
    for name in ("one", "two"):
        fig = Figure(figsize=(12, 5))
        fig.subplots().plot([0, 1], [1, 0])
        figs[name] = fig
    brief = Brief("A question", ["The answer."], [KeyNumber("x", "1", "")], figures=figs)
    path = write_workbook(tmp_path / "b.xlsx", [Sheet("Next", [])], brief=brief)
    ws = openpyxl.load_workbook(path).active
    assert ws.title == "Brief" and len(ws._images) == 2
    for img in ws._images:
        data = img._data()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # 12 in at 110 dpi, shown at 96 dpi, is wider than the sheet: scaled into column D
    assert SHEET_PX < 12 * 96 and CHART_DPI == 110
    assert all(img.anchor.to.col <= 3 for img in ws._images)
    # two charts taller than half a page do not share one: a page break before the second
    assert ws._images[1].anchor._from.row in [b.id for b in ws.row_breaks.brk]


def test_tradeoff_item_value_cells_carry_their_unit_formats(small: Path, tmp_path: Path) -> None:
    book = tmp_path / "t.xlsx"
    _cli(["tradeoff", str(small), "--team", "core", "--csms", "1", *FAST, "-o", str(book)])
    wb = openpyxl.load_workbook(book)
    ws = wb["Summary"]
    formats = {}
    for row in ws.iter_rows():
        if isinstance(row[0].value, str) and isinstance(row[1].value, int | float):
            formats[row[0].value.strip()] = row[1].number_format
    assert formats, "the Item/Value block"
    assert (
        "$" in formats["ARR at start (USD)"] and "$" in formats["People cost saved per year (USD)"]
    )
    assert formats["CSMs today"] == "#,##0" and formats["Accounts"] == "#,##0"
    assert formats["FTE the full plan needs (closed form)"] == "#,##0.0"
    if "GRR change" in formats:  # a plan was found
        assert "pp" in formats["GRR change"]
        assert formats["CSM hours freed per year, in all"] == "#,##0"
    assert all(f not in ("General", "#,##0.00") for f in formats.values()), formats
    prov = {r[0].value: r[1] for r in wb["Provenance"].iter_rows() if r[0].value}
    assert prov["root_seed"].number_format == "0"  # a seed, not 20,270,101.000
    inputs = {r[0].value: r[1] for r in wb["Assumptions"].iter_rows() if r[0].value}
    assert "$" in inputs["segments.core.team.annual_cost_per_csm"].number_format
    assert inputs["segments.core.accounts"].number_format == "#,##0"


def test_user_text_is_never_a_formula_or_a_link(tmp_path: Path) -> None:
    """A scenario named ``=HYPERLINK(...)`` or an address stays plain text in every sheet."""
    from simulator.report.brief import Brief, KeyNumber
    from simulator.report.layout import Block, Col

    evil = '=HYPERLINK("http://example.com","x")'
    brief = Brief(evil, [evil, "https://evil.example/x"], [KeyNumber(evil, "1", evil)])
    block = Block("", [Col("name", "Name")], [{"name": evil}, {"name": "https://evil.example"}])
    path = write_workbook(tmp_path / "b.xlsx", [Sheet("Next", [block])], brief=brief)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                assert cell.hyperlink is None, (ws.title, cell.coordinate)
    assert wb["Brief"]["A1"].value == evil
