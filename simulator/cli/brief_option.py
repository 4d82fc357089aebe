"""``--html FILE``: the decision brief of a command, checked first and written atomically."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from simulator.cli.common import check_output
from simulator.report.files import atomic_write

__all__ = ["HTML_SUFFIXES", "check_html", "html_option", "write_html"]

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


def check_html(path: Path | None, inputs: Iterable[str | Path] = ()) -> None:
    """Refuse ``--html FILE`` before any work (wrong suffix, missing folder, an input)."""
    check_output(path, HTML_SUFFIXES, inputs, param="html")


def write_html(path: Path | None, page: Callable[[], str]) -> None:
    """Write the brief ``page()`` to ``path`` (atomically) when a path is given."""
    if path is not None:
        atomic_write(path, page())
        click.echo(f"wrote {path}", err=True)
