"""Delimited text files: decode the bytes, sniff the delimiter, split into records.

The text is decoded as UTF-8 (with or without a byte-order mark), UTF-16 (with a BOM),
else Windows-1252, else Latin-1; the delimiter is sniffed among ``,`` ``;`` tab and
``|`` by which one gives a recognisable header row and a steady number of columns.
Line numbers are those of the file (a quoted value spanning lines counts every line).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from simulator.data.errors import file_error
from simulator.data.headers import HEADER_SCAN, header_score
from simulator.data.limits import DEFAULT_LIMITS, FIELDS_PER_CELL, ReadLimits, past_limit

__all__ = ["DELIMITERS", "DELIMITER_NAMES", "CsvText", "read_csv_text"]

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SNIFF_LINES = 200
_SNIFF_CHARS = 1 << 20
_LONG_LINE = 1 << 22
_EMPTY = re.compile(rb"[ \t\r\n\x00\xef\xbb\xbf]*")


@dataclass(frozen=True)
class CsvText:
    """The records of a delimited text file.

    Attributes
    ----------
    records
        (1-based first line, cells as text) per record, blank ones included.
    encoding, delimiter
        As detected.
    warnings
        Notes for the report (long quoted values, a non-UTF-8 encoding).
    """

    records: list[tuple[int, list[Any]]]
    encoding: str
    delimiter: str
    warnings: list[str]


def read_csv_text(
    data: bytes, display: str, what: str, limits: ReadLimits = DEFAULT_LIMITS
) -> CsvText:
    """Decode and split a delimited file's bytes.

    DataError when empty, binary, broken, or past ``limits`` (rows, columns, cells).
    """
    if _EMPTY.fullmatch(data):  # no copy of a large file, unlike bytes.strip
        raise file_error(
            display, "the file is empty; export the data again, with a header row", what
        )
    text, encoding = _decode(data, display, what)
    if _looks_binary(text):
        raise file_error(
            display,
            "is not a text (CSV) or Excel file: it holds binary data; export the data as "
            "CSV or .xlsx",
            what,
        )
    delimiter = _sniff(text)
    tail = _Tail(_lines(text, delimiter, limits.max_columns))
    reader = csv.reader(tail, delimiter=delimiter)
    records: list[tuple[int, list[Any]]] = []
    warnings: list[str] = []
    last = 0
    cells = fields = 0
    record: list[str] = []
    try:
        for row in reader:
            start = last + 1
            last = reader.line_num
            record = tail.take()
            if len(records) == limits.max_rows:
                raise file_error(display, past_limit("rows", limits.max_rows), what, start)
            if len(row) > limits.max_columns:
                while row and not row[-1].strip():
                    row.pop()  # trailing empty fields: a spreadsheet's unused columns
                if len(row) > limits.max_columns:
                    raise file_error(
                        display, past_limit("columns", limits.max_columns, len(row)), what, start
                    )
            cells += len(row) - row.count("")  # values: an empty field costs a pointer
            fields += len(row)
            if cells > limits.max_cells or fields > FIELDS_PER_CELL * limits.max_cells:
                raise file_error(display, past_limit("cells", limits.max_cells), what, start)
            if last - start > 20:
                warnings.append(
                    f"line {start}: a quoted value runs over {last - start + 1} lines; "
                    'check for a missing closing quote (")'
                )
            records.append((start, list(row)))
    except _WideLineError as exc:
        raise file_error(
            display, past_limit("columns", limits.max_columns), what, exc.line
        ) from None
    except csv.Error as exc:
        raise file_error(
            display,
            f"cannot read the CSV ({exc}); check the quoting on this line",
            what,
            reader.line_num or None,
        ) from None
    if records and _unclosed(record, delimiter):
        start = records[-1][0]
        problem = f"line {start}: a quote opened here is never closed"
        if last > start:  # later lines were swallowed: refuse rather than lose them
            raise file_error(
                display,
                f"{problem}; the rest of the file (lines {start} to {last}) was read as one "
                'value; close the quote (") or remove it',
                what,
            )
        warnings.append(f'{problem}; the rest of the line was read as one value; check it (")')
    if encoding in ("cp1252", "latin-1"):
        name = "Windows-1252" if encoding == "cp1252" else "Latin-1"
        warnings.append(
            f"{display} is not UTF-8; read it as {name} text (check that accented letters "
            "and currency signs came out right)"
        )
    return CsvText(records, encoding, delimiter, warnings)


def _decode(data: bytes, display: str, what: str) -> tuple[str, str]:
    """(text, encoding name) of a file's bytes; DataError for binary data."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data[:8192]:
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                continue
    raise file_error(
        display,
        "is not a text (CSV) or Excel file: it holds binary data; export the data as CSV or .xlsx",
        what,
    )


def _looks_binary(text: str) -> bool:
    """True when more than 1% of the text is control or unassigned characters."""
    sample = text[:8192]
    control = sum(
        1 for ch in sample if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\t\r\n"
    )
    return control > max(2, len(sample) // 100)


def _first_lines(text: str, n: int) -> list[str]:
    """The first ``n`` non-blank lines within the first MB of ``text`` (a line cut at the
    end is kept only when it is the only one): sniffing never splits a large file."""
    head = text[:_SNIFF_CHARS]
    lines = [ln for ln in head.splitlines() if ln.strip()]
    if len(head) < len(text) and len(lines) > 1 and not head.endswith(("\n", "\r")):
        lines.pop()
    return lines[:n]


def _lines(text: str, delimiter: str, max_columns: int) -> Iterator[str]:
    """The text's lines for the CSV reader; a very long line holding more delimiters
    than the column limit is refused before the reader splits it (60 million fields in
    one line would take gigabytes)."""
    stream = io.StringIO(text, newline="")
    long_line = any(
        "\n" not in text[pos : pos + _LONG_LINE] and "\r" not in text[pos : pos + _LONG_LINE]
        for pos in range(0, len(text), _LONG_LINE)
    )
    return _checked(stream, delimiter, max_columns) if long_line else stream


def _checked(lines: Iterator[str], delimiter: str, max_columns: int) -> Iterator[str]:
    for number, line in enumerate(lines, start=1):
        if (
            len(line) > _LONG_LINE
            and line.rstrip(delimiter + "\r\n").count(delimiter) >= max_columns
        ):
            raise _WideLineError(number)
        yield line


class _Tail:
    """The lines fed to the CSV reader, keeping those of the record being read."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = iter(lines)
        self._record: list[str] = []

    def __iter__(self) -> _Tail:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._record.append(line)
        return line

    def take(self) -> list[str]:
        """The lines read since the last call (one record's, when called per record)."""
        record, self._record = self._record, []
        return record


def _unclosed(lines: list[str], delimiter: str) -> bool:
    """Whether a record (the file's last) ends inside a quoted value: its quote never closes."""
    text = "".join(lines)
    if '"' not in text:
        return False
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


class _WideLineError(Exception):
    """A line holding more fields than the column limit (its physical line number)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _sniff(text: str) -> str:
    """The delimiter giving the best header row, then the steadiest width, then ``,``."""
    sample = "\n".join(_first_lines(text, _SNIFF_LINES))
    best: tuple[tuple[int, int, int], str] | None = None
    for rank, delim in enumerate(DELIMITERS):
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delim) if r]
        except csv.Error:
            continue
        hits = max((header_score(r) for r in rows[:HEADER_SCAN]), default=0)
        widths = Counter(len(r) for r in rows)
        width, freq = widths.most_common(1)[0] if widths else (1, 0)
        score = (hits, freq if width > 1 else 0, -rank)
        if best is None or score > best[0]:
            best = (score, delim)
    return best[1] if best else ","
