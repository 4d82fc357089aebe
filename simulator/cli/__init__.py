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

import click

from simulator import __version__
from simulator.cli.app import app
from simulator.cli.backtest import backtest_command
from simulator.cli.compare import compare_command
from simulator.cli.data import analyze, calibrate
from simulator.cli.decide import decide_command
from simulator.cli.plan import hire, solve, tradeoff_command
from simulator.cli.run import report, run, sweep
from simulator.cli.scenario import estimate, init, schema, show, validate
from simulator.scenario.loader import bundled_scenario

__all__ = ["bundled_scenario", "cli", "main"]


SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Start a plan", ("init", "estimate", "validate", "show")),
    ("Simulate it", ("run", "compare", "report", "sweep")),
    ("Decide", ("solve", "decide", "tradeoff", "hire")),
    ("From your CRM export", ("analyze", "calibrate", "backtest")),
    ("Explore", ("app",)),
    ("Reference", ("schema",)),
)
"""Commands in the order a user meets them, under the question they answer."""


class _Sections(click.Group):
    """A group whose help lists commands by section, in the order of :data:`SECTIONS`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        known = [n for _, names in SECTIONS for n in names if n in self.commands]
        return known + sorted(n for n in self.commands if n not in known)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        listed: set[str] = set()
        for title, names in (*SECTIONS, ("Other", tuple(sorted(self.commands)))):
            rows = []
            for name in names:
                cmd = self.commands.get(name)
                if cmd is None or cmd.hidden or name in listed:
                    continue
                listed.add(name)
                rows.append((name, cmd.get_short_help_str(limit=formatter.width - 20)))
            if rows:
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


for _command in (
    validate,
    schema,
    init,
    show,
    estimate,
    run,
    compare_command,
    decide_command,
    report,
    sweep,
    solve,
    tradeoff_command,
    hire,
    analyze,
    calibrate,
    backtest_command,
    app,
):
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="cssim")
