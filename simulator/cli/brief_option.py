"""``--html FILE``: the decision brief of a command, checked first and written atomically.

A command makes its :class:`~simulator.report.brief.Brief` once (:func:`once`) and hands
the same object to the HTML page (:func:`write_html`, :func:`page`) and to the Excel
pack, whose first sheet it is (:func:`simulator.cli.common.emit`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from simulator.cli.common import check_output
from simulator.report.brief import Brief, brief_html
from simulator.report.files import atomic_write

__all__ = ["HTML_SUFFIXES", "check_html", "html_option", "once", "page", "write_html"]

T = TypeVar("T")

HTML_SUFFIXES = (".html", ".htm")


def html_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--html FILE``: write the decision brief there."""
    return click.option(
        "--html",
        "html_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="Write the decision brief: one self-contained HTML page (no network) that "
        "opens on the answer, then its charts, the detail and the assumptions; prints on a "
        "few pages.",
    )(fn)


def check_html(path: Path | None, inputs: Iterable[str | Path] | None = None) -> None:
    """Refuse ``--html FILE`` before any work (wrong suffix, missing folder, an input, an
    existing file without ``--force``); ``inputs`` None: a first check, as in
    :func:`~simulator.cli.common.check_output`."""
    check_output(path, HTML_SUFFIXES, inputs, param="html")


def once(make: Callable[[], T]) -> Callable[[], T]:
    """``make``, called at most once: later calls return its first result."""
    return functools.cache(make)


def page(brief: Callable[[], Brief]) -> Callable[[], str]:
    """The HTML page of the brief ``brief()``, made on request."""
    return lambda: brief_html(brief())


def write_html(path: Path | None, brief: Callable[[], Brief]) -> None:
    """Write the HTML page of the brief ``brief()`` to ``path`` (atomically) when a path
    is given."""
    if path is not None:
        atomic_write(path, brief_html(brief()))
        click.echo(f"wrote {path}", err=True)
