"""Bounded reading of Excel workbooks (issue 17, point 2).

A workbook is read from the cells its XML holds, never from the dimension it declares;
its parts are measured before openpyxl opens it. The hostile files are made with
openpyxl in ``tmp_path`` (and rewritten with :mod:`zipfile` where openpyxl would not
write them) and read in a memory-capped subprocess with a timeout, or in a thread with a
join timeout, so that a regression fails the test instead of hanging it.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from simulator.data import DataError, read_table
from simulator.data.limits import ReadLimits
from tests.test_read_limits import _read_in_subprocess, _within


def _book(path: Path, far: str | None = None, style_only: bool = False) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Account ID", "ARR", "Renewal Date"])
    ws.append(["A1", 1000, "2027-01-01"])
    ws.append(["A2", 2000, "2027-02-01"])
    if far is not None:
        if style_only:
            ws[far].font = openpyxl.styles.Font(bold=True)
        else:
            ws[far] = 1
    wb.save(path)
    return path


def _declare(path: Path, dimension: str) -> Path:
    """The workbook at ``path`` rewritten to declare ``dimension`` for its sheet."""
    out = path.with_name("declared-" + path.name)
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith("sheet1.xml"):
                data = re.sub(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), data
                )
            zout.writestr(info, data)
    return out


def test_a_declared_dimension_of_a_whole_sheet_reads_only_the_cells_written(
    tmp_path: Path,
) -> None:
    declared = _declare(_book(tmp_path / "book.xlsx"), "A1:XFD1048576")
    assert declared.stat().st_size < 10_000
    outcome, peak = _read_in_subprocess(declared)
    assert outcome == "rows=2 width=3 blank=0"
    assert peak < 400, f"{peak} MB"


def test_a_value_at_xfd1048576_is_refused_naming_the_cell(tmp_path: Path) -> None:
    book = _book(tmp_path / "far.xlsx", "XFD1048576")
    assert book.stat().st_size < 10_000
    outcome, peak = _read_in_subprocess(book)
    assert "cell XFD1048576 (column 16,384), more than the limit of 1,000 columns" in outcome
    assert "far.xlsx:1048576:" in outcome
    assert peak < 400, f"{peak} MB"


def test_an_empty_formatted_cell_far_away_costs_nothing(tmp_path: Path) -> None:
    book = _book(tmp_path / "styled.xlsx", "XFD1048576", style_only=True)
    outcome, peak = _read_in_subprocess(book)
    assert outcome == "rows=2 width=3 blank=0"
    assert peak < 400, f"{peak} MB"


def test_a_value_far_down_is_read_without_building_the_blank_rows(tmp_path: Path) -> None:
    book = _book(tmp_path / "down.xlsx", "C1048576")
    outcome, peak = _read_in_subprocess(book)
    # the header, 2 rows, 1,048,572 blank rows, the last row
    assert outcome == "rows=3 width=3 blank=1048572"
    assert peak < 400, f"{peak} MB"
    with pytest.raises(DataError, match="has a value in row 1,048,576, more than the limit"):
        read_table(book, limits=ReadLimits(max_rows=1_000_000))


def test_blank_rows_of_a_workbook_are_counted_as_before(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Account ID", "ARR"])
    ws.append(["A1", 1000])
    ws.append([None, None])
    ws["A5"] = "A2"
    ws["B5"] = 2000
    ws["A6"].font = openpyxl.styles.Font(bold=True)  # an empty formatted row after the data
    wb.save(tmp_path / "b.xlsx")
    table = read_table(tmp_path / "b.xlsx")
    assert [r.line for r in table.rows] == [2, 5] and table.blank_rows == 2


def test_a_workbook_past_the_cell_or_unpacked_limits_is_refused_before_parsing(
    tmp_path: Path,
) -> None:
    book = _book(tmp_path / "book.xlsx")
    with pytest.raises(DataError, match=r"the workbook holds 9 cells, more than the limit of 8"):
        read_table(book, limits=ReadLimits(max_cells=8))
    with pytest.raises(
        DataError, match=r"the workbook unpacks to .* over the limit of 1,000 bytes"
    ):
        read_table(book, limits=ReadLimits(max_unpacked_bytes=1000))
    with pytest.raises(DataError, match=r"cell C1 .column 3., more than the limit of 2 columns"):
        read_table(book, limits=ReadLimits(max_columns=2))


def test_a_row_wider_than_excel_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    book = _book(tmp_path / "book.xlsx")
    wide = tmp_path / "wide.xlsx"
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(wide, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith("sheet1.xml"):
                data = data.replace(
                    b'<row r="3"', b'<row r="3">' + b"<c/>" * 20_000 + b'</row><row r="4"'
                )
            zout.writestr(info, data)
    with pytest.raises(DataError, match="a row of 20,000 cells, more than the 16,384 columns"):
        _within(lambda: read_table(wide))


def _rewrite(
    book: Path, out: Path, sheet: bytes | None = None, strings: bytes | None = None
) -> Path:
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if sheet is not None and info.filename.endswith("sheet1.xml"):
                data = sheet
            zout.writestr(info, data)
        if strings is not None:
            zout.writestr("xl/sharedStrings.xml", strings)
    return out


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_cells_and_strings_are_counted_before_openpyxl_opens_the_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefix: str
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    p = prefix
    xmlns = f'xmlns{":" + p[:-1] if p else ""}="{ns}"'
    # no dimension, cells without a reference: openpyxl would parse it all as it opens
    row = f"<{p}row>" + f"<{p}c/>" * 1000 + f"</{p}row>"
    sheet = f'<?xml version="1.0"?><{p}worksheet {xmlns}><{p}sheetData>{row * 200}</{p}sheetData></{p}worksheet>'
    strings = (
        f'<?xml version="1.0"?><{p}sst {xmlns}>'
        + f"<{p}si><{p}t>a</{p}t></{p}si>" * 5000
        + f"</{p}sst>"
    )
    book = _book(tmp_path / "book.xlsx")
    cells = _rewrite(book, tmp_path / "cells.xlsx", sheet=sheet.encode())
    many = _rewrite(book, tmp_path / "strings.xlsx", strings=strings.encode())

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("openpyxl opened a workbook past the limits")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(DataError, match="the workbook holds 200,000 cells, more than the limit"):
        read_table(cells, limits=ReadLimits(max_cells=100_000))
    with pytest.raises(DataError, match="holds 5,000 shared strings, more than the limit of 4,000"):
        read_table(many, limits=ReadLimits(max_cells=4_000))


def test_a_damaged_workbook_is_named_without_its_contents(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("secret-name-inside.txt", "password=hunter2")
    with pytest.raises(DataError) as err:
        read_table(bad)
    text = err.value.render()
    assert "not a readable Excel workbook" in text
    assert "secret" not in text and "hunter2" not in text
