"""The ``cssim`` command line: a thin layer over the Python API.

Data goes to stdout (or files); messages, warnings and progress go to stderr. Bad input
ends with exit code 2 and a message naming the file, line and field; never a traceback.
One module per command family holds its parsing and rendering only:
:mod:`~simulator.cli.scenario` (validate, schema, init, show, estimate),
:mod:`~simulator.cli.run` (run, report, sweep), :mod:`~simulator.cli.compare`,
:mod:`~simulator.cli.plan` (solve, tradeoff, hire), :mod:`~simulator.cli.data`
(analyze, calibrate) and :mod:`~simulator.cli.backtest`; :mod:`~simulator.cli.common` holds what they share.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import sys
from collections.abc import Mapping
from typing import Any, NoReturn

import click

from simulator import __version__

__all__ = ["COMMANDS", "EXIT_INTERRUPTED", "SECTIONS", "cli", "interrupted", "main"]

EXIT_INTERRUPTED = 130
"""Exit code after Ctrl-C: 128 + SIGINT, as a shell reports a command the signal ended."""

# NumPy asks Linux for transparent huge pages on every array of 4 MB or more; where the
# kernel then compacts memory synchronously (defrag "madvise", as here), freezing a big
# run's records stalls: 4.1 s against 1.6 s at 50,000 accounts, measured in
# docs/performance.md. NumPy reads this at import, and the commands import it later;
# a user's own setting wins (docs/performance.md#huge-pages).
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")


SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Start a plan", ("init", "estimate", "validate", "show")),
    ("Simulate it", ("run", "compare", "report", "sweep")),
    ("Decide", ("solve", "decide", "tradeoff", "hire")),
    ("From your CRM export", ("analyze", "calibrate", "backtest")),
    ("Explore", ("app",)),
    ("Reference", ("schema",)),
)
"""Commands in the order a user meets them, under the question they answer."""

COMMANDS: Mapping[str, tuple[str, str, str]] = {
    "init": (
        "scenario",
        "init",
        "Write a commented starter scenario to PATH (default scenario.yaml).",
    ),
    "estimate": (
        "scenario",
        "estimate",
        "Closed-form hours, FTE and CSMs per segment and team (no simulation).",
    ),
    "validate": (
        "scenario",
        "validate",
        "Check scenario files and report every problem with file, line and field.",
    ),
    "show": (
        "scenario",
        "show",
        "Print the resolved scenario: extends merged, overrides applied, defaults filled in.",
    ),
    "run": (
        "run",
        "run",
        "Simulate the plan: touchpoints, CSM queues, churn and ARR, with 95% CIs.",
    ),
    "compare": (
        "compare",
        "compare_command",
        "Compare scenarios on the same replications: paired differences with 95% CIs.",
    ),
    "report": (
        "run",
        "report",
        "Re-render a saved run (cssim run -o DIR) without simulating again.",
    ),
    "sweep": (
        "run",
        "sweep",
        "Simulate a grid of scenario values in parallel and tabulate every point.",
    ),
    "solve": (
        "plan",
        "solve",
        "The fewest CSMs per team that meet every target of its segments.",
    ),
    "decide": (
        "decide",
        "decide_command",
        "Weigh options under uncertainty: net value, P(best), acceptability, tornado, EVPPI.",
    ),
    "tradeoff": (
        "plan",
        "tradeoff_command",
        "Fit a team's engagement model to fewer CSMs at the least loss of net value.",
    ),
    "hire": (
        "plan",
        "hire",
        "When each requisition must open so capacity covers demand every month.",
    ),
    "analyze": (
        "data",
        "analyze",
        "Answer the questions a new VP asks of the customer list (CSV or xlsx).",
    ),
    "calibrate": (
        "data",
        "calibrate",
        "Write a scenario that starts from the real book of business.",
    ),
    "backtest": (
        "backtest",
        "backtest_command",
        "Calibrate on the history up to --as-of, simulate what followed, compare with it.",
    ),
    "app": (
        "app",
        "app",
        "Explore a plan in the browser: move CSMs, touchpoints and channels, see the need at once.",
    ),
    "schema": (
        "scenario",
        "schema",
        "Print the JSON Schema of scenario files (for editor autocompletion).",
    ),
}
"""Every command: its module under :mod:`simulator.cli`, its object there, and the first
sentence of its help, which ``cssim --help`` shortens to fit as click would. A command's module (and what it imports: the engine, scipy,
matplotlib) is imported only when the command runs or its own help is asked for, so
``cssim --help`` and ``import simulator.cli`` start fast; a test keeps the short help
equal to the command's own."""


def _short(first: str, limit: int) -> str:
    """``first`` shortened to ``limit`` characters as click shortens a command's help."""
    return click.Command(None, help=first).get_short_help_str(limit)


class _Sections(click.Group):
    """A group that imports each command when it is used and lists commands by section,
    in the order of :data:`SECTIONS`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        known = [n for _, names in SECTIONS for n in names if n in COMMANDS]
        return known + sorted(n for n in COMMANDS if n not in known)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        if cmd_name not in self.commands:
            module, attr, _ = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(f"simulator.cli.{module}"), attr)
            self.add_command(command, cmd_name)
        return self.commands[cmd_name]

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; Ctrl-C while its module loads (or anywhere it does not handle
        it) ends with one line on stderr and exit code 130, not click's "Aborted!"."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            interrupted()

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        for title, names in SECTIONS:
            limit = formatter.width - 20  # as click shortens a command's help
            rows = [(name, _short(COMMANDS[name][2], limit)) for name in names]
            with formatter.section(title):
                formatter.write_dl(rows)


@click.group(
    cls=_Sections,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="cssim")
def cli() -> None:
    """cssim: Customer Success headcount and capacity planning.

    Scenarios are YAML files (see 'cssim init' and docs/scenario-reference.md).
    Commands that take a SCENARIO use the bundled default plan when it is omitted.

    \b
    Example:
      cssim estimate                       # the bundled default plan
      cssim estimate plan.yaml --set segments.top.team.csms=6
    """


def __getattr__(name: str) -> object:
    # the old name, for code that imported it from here
    if name == "bundled_scenario":
        from simulator.scenario.loader import bundled_scenario

        return bundled_scenario
    raise AttributeError(name)


def interrupted() -> NoReturn:
    """Say "interrupted" on stderr and exit with code 130 (no traceback)."""
    try:
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
    finally:
        sys.exit(EXIT_INTERRUPTED)


def _exit_interrupted() -> NoReturn:
    """End the process with code 130 after the exit handlers, skipping interpreter
    finalisation.

    A Ctrl-C that passed through code a C extension ran with ``PyRun_*`` (while a
    module loads) leaves CPython flagged "interrupted": a normal exit then re-raises
    SIGINT and the shell sees the signal, not code 130, though the interrupt was handled.
    """
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(EXIT_INTERRUPTED)


def main() -> None:
    """Console-script entry point: Ctrl-C at any point ends with "interrupted" and exit
    code 130."""
    try:
        cli(prog_name="cssim")
    except KeyboardInterrupt:
        try:
            interrupted()
        except SystemExit:
            _exit_interrupted()
    except SystemExit as exc:
        if exc.code == EXIT_INTERRUPTED:
            _exit_interrupted()
        raise
