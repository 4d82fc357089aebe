"""``--max-tasks``: refuse, before any simulation, a replication too big to finish.

A command that simulates takes the option with one decorator, :func:`max_tasks_option`,
and checks what it will simulate with one call, :func:`check_size`, once its scenarios
are loaded and before any replication starts. The estimate and the limit are the
library's (:mod:`simulator.analysis.workload`): past the limit the run is refused with
the estimate, exit code 2 and the ``--max-tasks`` that would let it run; past half of
it the run goes ahead with a warning.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click

from simulator.analysis.workload import DEFAULT_MAX_TASKS, check_workload
from simulator.cli.common import FLAGS
from simulator.report.terminal import plain_text
from simulator.scenario.model import Scenario

__all__ = ["check_size", "max_tasks", "max_tasks_option"]

T = TypeVar("T", Scenario, list[Scenario], tuple[Scenario, ...])

_KEY = "cssim.max_tasks"
"""Where the command's ``--max-tasks`` is kept in the click context's ``meta``."""


def max_tasks_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--max-tasks N`` on a command, kept for :func:`check_size` (not passed to ``fn``)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, max_tasks: int, **kwargs: Any) -> Any:
        click.get_current_context().meta[_KEY] = max_tasks
        return fn(*args, **kwargs)

    return click.option(
        "--max-tasks",
        "max_tasks",
        type=click.IntRange(1, None),
        default=DEFAULT_MAX_TASKS,
        show_default=True,
        metavar="N",
        help="Refuse, before simulating, a plan whose one replication is estimated at more "
        "than N task-equivalents (the CSM tasks that take as much CPU time or memory; "
        "docs/performance.md#bounded-work); warn past half of it.",
    )(wrapper)


def max_tasks() -> int:
    """The running command's ``--max-tasks`` (the default outside a command)."""
    ctx = click.get_current_context(silent=True)
    found = ctx.find_root().meta.get(_KEY) if ctx is not None else None
    return int(found) if found is not None else DEFAULT_MAX_TASKS


def check_size(scenarios: T, quiet: bool = False) -> T:
    """Refuse (exit 2) a scenario past ``--max-tasks``; warn past half of it.

    Returns what it was given, so that a loader can be wrapped:
    ``check_size(load(...).scenario)``. Raises the library's
    :class:`~simulator.analysis.workload.WorkloadError`, which the command's error
    handler prints with ``--max-tasks`` and exit code 2.
    """
    items: Iterable[Scenario] = [scenarios] if isinstance(scenarios, Scenario) else scenarios
    for warning in check_workload(items, max_tasks()):
        if not quiet:
            click.echo(plain_text(warning.render(FLAGS)), err=True)
    return scenarios
