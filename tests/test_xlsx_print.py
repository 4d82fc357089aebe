"""Excel packs print: landscape, one page wide, a print area, Tables where they can be."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from simulator.report.layout import Block, Col, Sheet
from simulator.report.xlsx import write_workbook


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
