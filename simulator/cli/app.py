"""``cssim app``: the local web explorer (a thin layer over :mod:`simulator.app`)."""

from __future__ import annotations

from pathlib import Path

import click

from simulator.cli.common import (
    fail,
    handle_errors,
    load_plan,
    overrides_option,
    scenario_argument,
)
from simulator.cli.limits import check_size, max_tasks_option

__all__ = ["app"]


@click.command()
@scenario_argument
@overrides_option
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
    help="Replications of the run and of each frontier headcount when you press Simulate.",
)
@max_tasks_option
@handle_errors
def app(scenario: Path | None, overrides: tuple[str, ...], port: int, replications: int) -> None:
    """Explore a plan in the browser: move CSMs, touchpoints and channels, see the need at once.

    Serves a local page on 127.0.0.1 only (nothing leaves the machine; every asset is
    served locally). --set edits the plan the page starts from, as for run. Simulate runs
    the edited plan and the team's frontier and offers the run's decision brief. Needs the
    optional extra: pip install 'cssim[app]'. Stop with Ctrl-C.

    \b
    Example:
      cssim app scenarios/cfo_six.yaml --port 8765
      cssim app --set segments.top.team.csms=6
    """
    from simulator.app import HOST, free_port, missing, serve

    if missing():
        fail(f"error: the explorer needs {', '.join(missing())}: pip install 'cssim[app]'")
    plan = check_size(load_plan(scenario, overrides).scenario)  # bad plans fail here
    if not any(plan.segments_of(t) for t in plan.all_teams()):
        fail(
            f"error: {scenario or 'the default scenario'}: no team serves a segment (every "
            "segment digital or without a team); the explorer edits a team's CSMs and "
            "touchpoints: give a segment a team: or use cssim run"
        )
    chosen = port or free_port()
    click.echo(f"cssim explorer on http://{HOST}:{chosen}/ (Ctrl-C to stop)", err=True)
    serve(scenario, chosen, replications, overrides=overrides)
