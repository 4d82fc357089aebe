"""Limits on what a data file may hold, and reading a file's bytes within them.

Every file a command reads (customer lists, activity logs, timesheets, scenario files)
is opened through :func:`read_regular`: a path that is not a regular file (a folder,
``/dev/zero``, a named pipe, a device, a socket) is refused from ``os.stat`` before it
is opened, so nothing blocks on a pipe or reads a device forever; a file larger than
the limit is refused before it is read, and at most the limit is read from a file
whose size the system does not know in advance (``/proc``).

:class:`ReadLimits` bounds the table inside a data file (rows, columns, cells and, for
a workbook, its unpacked size). The defaults are assumptions, sized well above real
CRM exports (see ``docs/assumptions.md#size-limits-of-data-files``); the Python API
can raise them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DEFAULT_LIMITS",
    "FIELDS_PER_CELL",
    "ReadLimits",
    "file_kind",
    "past_limit",
    "read_regular",
    "size_text",
]

_MIB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """The most a data file may hold; a file past any limit is refused, naming it.

    Attributes
    ----------
    max_bytes
        Size of the file (bytes). Default 256 MiB: 20 million cells at about 12 bytes a
        cell of CSV.
    max_unpacked_bytes
        Size of an ``.xlsx`` workbook once unpacked (bytes, all its parts). Default
        1 GiB: 20 million cells at about 40 bytes of sheet XML a cell, plus styles.
    max_rows
        Rows of the table, blank ones included (CSV records, or Excel's row number of
        the last row holding a value). Default 1,048,576: the most rows an Excel sheet
        holds, so any export meant to open in a spreadsheet fits.
    max_columns
        Columns of a row up to its last value (trailing empty cells are not counted).
        Default 1,000: the most fields a Salesforce custom report type exposes.
    max_cells
        Cells holding a value in the whole table (and cell or shared-string entries in
        a workbook's XML); empty cells count toward :data:`FIELDS_PER_CELL` times it.
        Default 20 million: Excel's row limit times 20 columns, or 100,000 accounts
        times 200 columns.
    """

    max_bytes: int = 256 * _MIB
    max_unpacked_bytes: int = 1024 * _MIB
    max_rows: int = 1_048_576
    max_columns: int = 1_000
    max_cells: int = 20_000_000


DEFAULT_LIMITS = ReadLimits()

FIELDS_PER_CELL = 5
"""Fields (empty ones included) a table may hold per ``max_cells``: an "all properties"
CRM export of 50,000 companies x 450 mostly empty columns (22.5 million fields) reads,
while a sheet of a billion empty fields is still refused (assumption)."""

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str | None:
    """What a non-regular file is (``"a folder"``, ``"a character device"``...); None
    for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def size_text(n: int) -> str:
    """A size in bytes for a message: ``"512 bytes"``, ``"3.2 MB"``, ``"1,024 MB"``."""
    if n < 1024 * 1024:
        return f"{n:,} bytes"
    mb = n / _MIB
    return f"{mb:,.1f} MB" if mb < 10 else f"{mb:,.0f} MB"


def read_regular(path: Path, max_bytes: int, refuse: Callable[[str], Exception]) -> bytes:
    """The bytes of the regular file at ``path``, at most ``max_bytes`` of them.

    Parameters
    ----------
    path
        The file (a link is followed).
    max_bytes
        The most bytes read; a larger file is refused.
    refuse
        Builds the caller's error from a reason (``"is a folder, not a regular file"``,
        ``"is 300 MB, over the limit of 256 MB for this file"``); it is raised.

    Raises
    ------
    OSError
        From ``os.stat`` or ``open``: a missing file, no permission.
    Exception
        ``refuse(reason)`` for a file that is not regular or is too large.
    """
    kind = file_kind(os.stat(path).st_mode)  # before open: opening a FIFO would block
    if kind is not None:
        raise refuse(f"is {kind}, not a regular file")
    # O_NONBLOCK: should the path become a FIFO after the stat, open still returns
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        kind = file_kind(st.st_mode)
        if kind is not None:
            raise refuse(f"is {kind}, not a regular file")
        if st.st_size > max_bytes:
            raise refuse(_too_big(st.st_size, max_bytes))
        data = fh.read(max_bytes + 1)  # /proc files report a size of 0
    if len(data) > max_bytes:
        raise refuse(_too_big(None, max_bytes))
    return data


def _too_big(size: int | None, limit: int) -> str:
    if size is None:
        over = f"holds more than {size_text(limit)}, the limit for a file cssim reads"
    else:
        over = f"is {size_text(size)}, over the limit of {size_text(limit)} for a file cssim reads"
    return over + "; export only the rows and columns needed, or split the file"


def past_limit(
    what: str,
    limit: int,
    found: int | None = None,
    fix: str = "export only the rows and columns needed, or split the file",
) -> str:
    """The reason for refusing a table past a limit (``what``: "rows", "columns", "cells")."""
    has = f"{found:,} {what}, " if found is not None else ""
    return f"{has}more than the limit of {limit:,} {what} for a table cssim reads; {fix}"
