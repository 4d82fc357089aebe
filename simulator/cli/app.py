"""``cssim app``: the local web explorer (a thin layer over :mod:`simulator.app`)."""

from __future__ import annotations

from pathlib import Path

import click

from simulator.cli.common import fail, handle_errors, scenario_argument
from simulator.scenario.loader import load

__all__ = ["app"]


@click.command()
@scenario_argument
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option(
    "--replications",
    type=click.IntRange(1, 100),
    default=3,
    show_default=True,
    help="Replications per headcount when you press Simulate.",
)
@handle_errors
def app(scenario: Path | None, port: int, replications: int) -> None:
    """Explore a plan in the browser: move CSMs, touches and channels, see the need at once.

    Serves a local page on 127.0.0.1 only (nothing leaves the machine; every asset is
    served locally). Needs the optional extra: pip install 'cssim[app]'. Stop with Ctrl-C.

    \b
    Example:
      cssim app scenarios/cfo_six.yaml --port 8765
    """
    from simulator.app import HOST, free_port, missing, serve

    if missing():
        fail(f"error: the explorer needs {', '.join(missing())}: pip install 'cssim[app]'")
    load(scenario)  # a bad scenario fails here, with the file, line and field
    chosen = port or free_port()
    click.echo(f"cssim explorer on http://{HOST}:{chosen}/ (Ctrl-C to stop)", err=True)
    serve(scenario, chosen, replications)
