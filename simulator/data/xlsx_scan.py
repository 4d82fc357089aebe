"""Measure an ``.xlsx`` archive before openpyxl parses it, so that a small file cannot
unpack into more than the limits allow.

A workbook is a zip of XML parts. Its parts' unpacked sizes are read from the archive's
directory (Python's zip reader never returns more than a part's stated size), and the
XML is scanned at C speed (``bytes.count``) for the elements that cost memory when
parsed: shared strings (all loaded when the workbook opens), cells (per sheet, and per
row, since a row is parsed whole). A 3 KB file that declares a sheet of 16,384 columns
by 1,048,576 rows costs nothing here: only the elements written in the file count.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["EXCEL_MAX_COLUMNS", "MAX_PARTS", "PartCounts", "scan_archive"]

EXCEL_MAX_COLUMNS = 16_384
"""Columns of an Excel sheet (A to XFD): a row with more cell elements is damaged."""

MAX_PARTS = 10_000
"""Parts (zip members) of a workbook: an assumption, far above the few dozen of a real
export (one XML part per sheet, plus styles, shared strings and relationships)."""

_CHUNK = 1 << 22
_MAIN_NS = re.compile(
    rb'xmlns(?::([A-Za-z_][\w.-]*))?="http://schemas\.openxmlformats\.org/spreadsheetml/2006/main"'
)


@dataclass(frozen=True)
class PartCounts:
    """Elements written in one XML part of a workbook.

    Attributes
    ----------
    cells
        ``<c>`` elements (cells, empty ones included).
    widest_row
        Most ``<c>`` elements inside one ``<row>``.
    strings
        ``<si>`` elements (shared-string entries).
    """

    cells: int = 0
    widest_row: int = 0
    strings: int = 0


def scan_archive(zf: zipfile.ZipFile) -> dict[str, PartCounts]:
    """The element counts of every ``.xml`` part of ``zf``, by part name."""
    return {
        info.filename: _scan_part(zf, info)
        for info in zf.infolist()
        if info.filename.lower().endswith(".xml")
    }


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> PartCounts:
    cells = widest = current = strings = 0
    with zf.open(info) as fh:
        head = fh.read(4096)
        match = _MAIN_NS.search(head)
        prefix = (match.group(1) + b":") if match and match.group(1) else b""
        row = b"<" + prefix + b"row"
        cell_tags = [b"<" + prefix + b"c" + end for end in (b" ", b">", b"/>", b"\t", b"\n")]
        cell_start, si_start = b"<" + prefix + b"c", b"<" + prefix + b"si"
        si_tags = [b"<" + prefix + b"si" + end for end in (b" ", b">", b"/>", b"\t", b"\n")]

        def chunks() -> Iterator[bytes]:
            yield head
            while chunk := fh.read(_CHUNK):
                yield chunk

        carry = b""
        for piece in chunks():
            piece = carry + piece
            cut = piece.rfind(b"<")
            if cut >= 0 and len(piece) - cut < 64:  # a tag name may be cut: carry it over
                piece, carry = piece[:cut], piece[cut:]
            else:
                carry = b""
            if si_start in piece:
                strings += sum(piece.count(t) for t in si_tags)
            if cell_start not in piece:  # no cell here; a row that starts here is empty
                if row in piece:
                    widest, current = max(widest, current), 0
                continue
            parts = piece.split(row)
            for i, part in enumerate(parts):
                n = sum(part.count(t) for t in cell_tags)
                if i:  # a new row starts here
                    widest = max(widest, current)
                    current = 0
                current += n
                cells += n
        if carry:
            cells += sum(carry.count(t) for t in cell_tags)
            strings += sum(carry.count(t) for t in si_tags)
    return PartCounts(cells, max(widest, current), strings)
