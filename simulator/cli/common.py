"""What every command shares: consoles, failing cleanly, shared options and output.

Library errors carry structured hints naming Python-API parameters; :data:`FLAGS` spells
them as this command line's options when a message is printed.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console

from simulator.analysis.executors import DaskUnavailableError, executor
from simulator.analysis.experiment import run_experiment
from simulator.data.values import parse_money
from simulator.errors import Issue, ScenarioError, render_text
from simulator.report.files import atomic_write
from simulator.report.progress import progress_bar
from simulator.report.saved import provenance
from simulator.report.targets import check_file_target, check_folder_target
from simulator.report.terminal import PlainConsole, plain_text
from simulator.report.xlsx import write_workbook
from simulator.scenario.loader import Loaded, load

EXIT_BAD_INPUT = 2

FLAGS: Mapping[str, str] = {
    "overrides": "--set",
    "varies": "--vary",
    "mapping": "--map",
    "sheet": "--sheet",
    "dayfirst": "--dayfirst",
    "rates": "--fx",
    "breaks": "--breaks",
    "as_of": "--as-of",
    "force": "--force",
    "output": "-o",
    "directory": "-o",
    "xlsx": "--xlsx",
    "html": "--html",
    "charts": "--charts",
    "target": "--target",
    "timesheet_mapping": "--timesheet-map",
    "activity_map": "--activity-map",
    "max_tasks": "--max-tasks",
    "path": "",  # init's PATH argument: named by its value alone
}
"""Python-API parameter named by a library hint -> the option of this command line."""

TIMESHEET_FLAGS: Mapping[str, str] = {**FLAGS, "mapping": "--timesheet-map"}
"""The timesheet reader's ``mapping`` is ``--timesheet-map`` on the command line."""


def stderr_console() -> Console:
    """Messages and progress; a user's text is printed as plain text
    (:class:`~simulator.report.terminal.PlainConsole`)."""
    return PlainConsole(stderr=True, highlight=False, soft_wrap=True)


def stdout_console() -> Console:
    """Tables: a pipe or file gets a wide, plain table rather than an 80-column squeeze.

    Names and other user text in the tables are printed as written: no console markup,
    no control characters (:class:`~simulator.report.terminal.PlainConsole`).
    """
    console = PlainConsole(highlight=False)
    if not console.is_terminal:
        console = PlainConsole(highlight=False, width=200)
    return console


def fail(message: str) -> NoReturn:
    """Print ``message`` on stderr and exit with code 2 (bad input); control characters
    from a user's text are shown as escapes (``\\x1b``), never sent to the terminal."""
    click.echo(plain_text(message), err=True)
    sys.exit(EXIT_BAD_INPUT)


def render_error(exc: ScenarioError, flags: Mapping[str, str] = FLAGS) -> str:
    """``error: ...`` with the library's hints spelled as options."""
    return f"error: {exc.render(flags)}"


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn bad-input exceptions into a message on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ScenarioError as exc:
            fail(render_error(exc))
        except DaskUnavailableError as exc:
            fail(f"error: {exc}")
        except OSError as exc:
            name = exc.filename or ""
            fail(
                f"error: cannot write {name}: {exc.strerror or exc}; check the path and permissions"
            )
        except RuntimeError as exc:
            # Path.resolve() on a link that leads back to itself (Python 3.11)
            if not str(exc).startswith("Symlink loop"):
                raise
            fail(f"error: {exc}: the link leads back to itself; give the path of a real file")
        except KeyboardInterrupt:
            from simulator.cli import interrupted  # the one Ctrl-C message and exit code

            interrupted()

    return wrapper


def echo_lines(lines: Iterable[str], flags: Mapping[str, str] = FLAGS) -> None:
    """Print message lines on stderr with their hints spelled as options."""
    for line in lines:
        click.echo(plain_text(render_text(line, flags)), err=True)


def print_warnings(warnings: list[Issue], quiet: bool = False) -> None:
    """Each warning on its own stderr line, unless ``quiet``."""
    if quiet:
        return
    for w in warnings:
        click.echo(plain_text(w.render(FLAGS)), err=True)


_FORCE_KEY = "cssim.force"


def _remember_force(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    ctx.meta[_FORCE_KEY] = bool(value)
    return value


def force_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--force``: replace existing output files (read by :func:`forced`, so the command
    function takes no parameter for it)."""
    return click.option(
        "--force",
        is_flag=True,
        expose_value=False,
        callback=_remember_force,
        help="Replace existing output files (without it, an existing file is never overwritten).",
    )(fn)


def forced() -> bool:
    """True when the running command was given ``--force`` (its own option or
    :func:`force_option`)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return False
    return bool(ctx.params.get("force") or ctx.meta.get(_FORCE_KEY))


def file_suffixes(allowed: Iterable[str]) -> tuple[str, ...]:
    """The suffixes a file option accepts: ``.htm`` wherever ``.html`` is."""
    out = tuple(allowed)
    return (*out, ".htm") if ".html" in out and ".htm" not in out else out


def output_kind(path: Path) -> str:
    """What a file target is by its suffix, lower case without the dot (``html`` for
    ``.htm`` too): the key of :func:`emit`'s ``formats``."""
    kind = path.suffix.lower().lstrip(".")
    return "html" if kind == "htm" else kind


def check_output(
    output: Path | None,
    allowed: tuple[str, ...],
    inputs: Iterable[str | Path] | None = None,
    param: str = "output",
) -> None:
    """Refuse ``-o FILE`` before any work: wrong suffix, missing folder, an input, or an
    existing file without ``--force``.

    ``inputs`` None: they are not known yet (a first check, before the scenario is read);
    what is already at the target is then left to the check with the inputs, so that an
    input is refused as one, not as a file that ``--force`` would replace.
    """
    if output is not None:
        force = None if inputs is None else forced()
        check_file_target(param, output, file_suffixes(allowed), inputs or (), force=force)


def check_charts(path: Path | None, inputs: Iterable[str | Path] = ()) -> None:
    """Refuse ``--charts DIR`` before any work: a file, an input folder, or a folder
    already holding PNG or SVG files without ``--force``."""
    if path is not None:
        check_folder_target("charts", path, inputs, force=forced())


def money(text: str, option: str) -> float:
    """An amount from an option (``1.1M``, ``950k``, ``1,100,000``), read by the data
    layer's :func:`~simulator.data.values.parse_money`; must be positive."""
    try:
        value = parse_money(text)
    except ValueError as exc:
        fail(f"error: {option} {text}: {exc}; write an amount such as 1.1M, 950k or 1100000")
    if value <= 0:
        fail(f"error: {option} {text}: give a positive amount, such as 1.1M, 950k or 1100000")
    return value


def emit(
    output: Path | None,
    fmt: str,
    formats: dict[str, Callable[[], Any]],
    table: Callable[[], Any],
    currency: str = "USD",
    brief: Callable[[], Any] | None = None,
) -> None:
    """Write ``-o FILE`` (by its suffix) and print ``--format`` to stdout.

    ``formats`` maps a suffix to a function giving the text (csv, json), writing the
    file itself (parquet) or giving the sheets of an Excel pack (xlsx); ``brief`` gives
    the command's decision brief, the Excel pack's first sheet.
    """
    if output is not None:
        suffix = output_kind(output)
        if suffix == "xlsx":
            sheets = formats["xlsx"]()
            write_workbook(output, sheets, currency, brief() if brief is not None else None)
        elif suffix == "parquet":
            formats["parquet"]()  # writes the file itself, atomically
        else:
            atomic_write(output, formats[suffix]())
        click.echo(f"wrote {output}", err=True)
    if fmt == "table":
        stdout_console().print(table())
    else:
        click.echo(formats[fmt](), nl=False)


def load_plan(path: Path | None, overrides: tuple[str, ...], quiet: bool = False) -> Loaded:
    """Load a scenario and print its warnings."""
    loaded = load(path, overrides)
    print_warnings(loaded.warnings, quiet)
    return loaded


def experiment(
    scenario: Any,
    replications: int,
    seed: int | None,
    precision: float | None,
    max_replications: int,
    jobs: int | None,
    dask: str | None,
    quiet: bool,
) -> Any:
    """Run an experiment with a progress bar on stderr."""
    with executor(jobs, dask) as ex, progress_bar("replications", quiet) as progress:
        return run_experiment(
            scenario,
            replications,
            seed,
            progress,
            precision=precision,
            max_replications=max_replications,
            executor=ex,
            jobs=1,
        )


def run_provenance(exp: Any) -> dict[str, Any]:
    """The provenance of an experiment's run."""
    return provenance(exp.scenario, exp.root_seed, exp.replications, exp.precision)


scenario_argument = click.argument(
    "scenario", required=False, type=click.Path(path_type=Path, dir_okay=False)
)


def overrides_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--set PATH=VALUE``, repeatable."""
    return click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="PATH=VALUE",
        help="Override a scenario value, e.g. --set segments.top.team.csms=6 (repeatable; "
        "the value is YAML, null deletes the key).",
    )(fn)


def output_option(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``-o/--output FILE`` with the command's own ``help`` (what each suffix writes)."""
    return click.option(
        "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help=help
    )


def quiet_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``-q/--quiet``."""
    return click.option("-q", "--quiet", is_flag=True, help="Print no warnings.")(fn)


def format_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--format table|csv|json``: what a command prints on stdout."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "csv", "json"]),
        default="table",
        show_default=True,
        help="What to print on stdout.",
    )(fn)


_SEED = click.option(
    "--seed",
    type=click.IntRange(0, 2**63 - 1),
    default=None,
    help="Root seed (default: the (first) scenario's seed).",
)
_JOBS = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 1024),
    default=None,
    help="Worker processes (default: all cores; 1 runs in this process).",
)
_DASK = click.option(
    "--dask",
    metavar="ADDRESS",
    default=None,
    help="Run replications on a Dask scheduler (tcp://host:8786), or 'local' for a "
    "LocalCluster on this machine; needs cssim[distributed].",
)


def runner_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The seed and where replications run (``--seed``, ``-j``, ``--dask``)."""
    for option in (_DASK, _JOBS, _SEED):
        fn = option(fn)
    return fn


def experiment_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Replications, seed, precision and where they run: shared by run, compare and sweep."""
    options = [
        click.option(
            "-n",
            "--replications",
            type=click.IntRange(1, 100_000),
            default=10,
            show_default=True,
            help="Monte Carlo replications (ignored with --precision).",
        ),
        _SEED,
        click.option(
            "--precision",
            type=click.FloatRange(0, 1, min_open=True, max_open=True),
            default=None,
            help="Add replications until every headline metric's 95% CI half-width is at "
            "most this share of its mean, e.g. 0.02.",
        ),
        click.option(
            "--max-replications",
            type=click.IntRange(2, 100_000),
            default=200,
            show_default=True,
            help="Upper bound with --precision.",
        ),
        _JOBS,
        _DASK,
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def make_folder_for(path: Path, label: str = "") -> None:
    """Make ``path``'s missing folder (``plans/`` for ``plans/fy27.yaml``) and say so on
    stderr; a file where the folder should be is refused. ``label`` leads each message
    (``-o plans/fy27.yaml: ``)."""
    parent = path.parent
    if parent.exists() and not parent.is_dir():
        fail(f"error: {label}{parent} is a file, not a folder; choose another path")
    if not parent.exists():
        try:
            parent.mkdir(parents=True)
        except OSError as exc:
            fail(f"error: {label}cannot create the folder {parent}: {exc.strerror or exc}")
        click.echo(f"created {parent}/", err=True)


def check_one_currency(labels: Sequence[str], currencies: Sequence[str]) -> None:
    """Refuse alternatives stated in different currencies (their money would be mixed)."""
    if len(set(currencies)) > 1:
        listed = ", ".join(f"{lab}: {cur}" for lab, cur in zip(labels, currencies, strict=True))
        fail(
            f"error: the alternatives are in different currencies ({listed}); differences "
            "of money would mix them: set currency: to one code in every plan"
        )
