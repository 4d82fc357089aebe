"""The ``cssim`` command line: a thin layer over the Python API.

Data goes to stdout (or files); messages, warnings and progress go to stderr. Bad input
ends with exit code 2 and a message naming the file, line and field; never a traceback.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from simulator import __version__
from simulator.analysis.analytic import estimate as closed_form
from simulator.analysis.compare import compare
from simulator.analysis.executors import DaskUnavailableError, executor
from simulator.analysis.experiment import run_experiment
from simulator.analysis.frontier import frontier as frontier_table
from simulator.analysis.hire import hiring_plan
from simulator.analysis.solve import solve_headcount
from simulator.analysis.sweep import run_sweep
from simulator.analysis.tradeoff import combine_patches, tradeoff
from simulator.errors import Issue, Location, ScenarioError
from simulator.report.assumptions import assumption_rows
from simulator.report.compare import compare_csv, compare_json, compare_renderable
from simulator.report.estimate import estimate_csv, estimate_json, estimate_renderable
from simulator.report.excel import (
    compare_pack,
    run_pack,
    solve_pack,
    tradeoff_pack,
    write_workbook,
)
from simulator.report.files import atomic_target, atomic_write
from simulator.report.hire import hire_csv, hire_json, hire_renderable
from simulator.report.progress import progress_bar
from simulator.report.publish import publish_run
from simulator.report.run import run_csv, run_json, run_renderable, sweep_renderable
from simulator.report.saved import (
    load_run,
    provenance,
    read_extras,
    save_run,
    tidy_csv,
    tidy_json,
    write_parquet,
)
from simulator.report.solve import solve_csv, solve_json, solve_renderable
from simulator.report.tradeoff import tradeoff_csv, tradeoff_json, tradeoff_renderable
from simulator.scenario.loader import (
    Loaded,
    bundled_scenario,
    load,
    load_text,
    load_variants,
    parse_override_path,
)
from simulator.scenario.schema import schema_text
from simulator.scenario.yamlsource import dump_yaml, parse_yaml

EXIT_BAD_INPUT = 2


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _stdout() -> Console:
    # a pipe or file gets a wide, plain table rather than an 80-column squeeze
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=200)
    return console


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(EXIT_BAD_INPUT)


def _handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn bad-input exceptions into a message on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ScenarioError as exc:
            _fail(f"error: {exc.render()}")
        except DaskUnavailableError as exc:
            _fail(f"error: {exc}")
        except OSError as exc:
            name = exc.filename or ""
            _fail(
                f"error: cannot write {name}: {exc.strerror or exc}; check the path and permissions"
            )
        except KeyboardInterrupt:
            click.echo("interrupted; no output file was written", err=True)
            sys.exit(130)

    return wrapper


def _print_warnings(warnings: list[Issue], quiet: bool = False) -> None:
    if quiet:
        return
    for w in warnings:
        click.echo(w.render(), err=True)


def _check_output(output: Path | None, allowed: tuple[str, ...]) -> None:
    if output is not None and output.suffix.lower() not in allowed:
        _fail(f"error: -o {output}: use a file name ending in {' or '.join(allowed)}")


def _emit(
    output: Path | None,
    fmt: str,
    formats: dict[str, Callable[[], Any]],
    table: Callable[[], Any],
    currency: str = "USD",
) -> None:
    """Write ``-o FILE`` (by its suffix) and print ``--format`` to stdout.

    ``formats`` maps a suffix to a function giving the text (csv, json), writing the
    file itself (parquet) or giving the sheets of an Excel pack (xlsx).
    """
    if output is not None:
        suffix = output.suffix.lower().lstrip(".")
        if suffix == "xlsx":
            write_workbook(output, formats["xlsx"](), currency)
        elif suffix == "parquet":
            write_parquet_rows = formats["parquet"]
            write_parquet_rows()  # writes the file itself, atomically
        else:
            atomic_write(output, formats[suffix]())
        click.echo(f"wrote {output}", err=True)
    if fmt == "table":
        _stdout().print(table())
    else:
        click.echo(formats[fmt](), nl=False)


def _load(path: Path | None, overrides: tuple[str, ...], quiet: bool = False) -> Loaded:
    loaded = load(path, overrides)
    _print_warnings(loaded.warnings, quiet)
    return loaded


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
        click.option(
            "--seed",
            type=click.IntRange(0, 2**63 - 1),
            default=None,
            help="Root seed (default: the scenario's seed).",
        ),
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
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(1, 1024),
            default=None,
            help="Worker processes (default: all cores; 1 runs in this process).",
        ),
        click.option(
            "--dask",
            metavar="ADDRESS",
            default=None,
            help="Run replications on a Dask scheduler (tcp://host:8786), or 'local' for a "
            "LocalCluster on this machine; needs cssim[distributed].",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="cssim")
def cli() -> None:
    """cssim: Customer Success headcount and capacity planning.

    Scenarios are YAML files (see 'cssim init' and the README's scenario reference).
    Commands that take a SCENARIO use the bundled default plan when it is omitted.

    \b
    Example:
      cssim estimate                       # the bundled default plan
      cssim estimate plan.yaml --set segments.top.team.csms=6
    """


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@overrides_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 2).")
@quiet_option
def validate(
    files: tuple[Path, ...], overrides: tuple[str, ...], strict: bool, quiet: bool
) -> None:
    """Check scenario files and report every problem with file, line and field.

    Exit code 0 when every file is valid, 2 when any is not (or has warnings with
    --strict).

    \b
    Example:
      cssim validate scenarios/*.yaml
    """
    failed = False
    for f in files:
        try:
            loaded = load(f, overrides)
        except ScenarioError as exc:
            failed = True
            click.echo(f"error: {f}: {exc.render()}", err=True)
            continue
        _print_warnings(loaded.warnings, quiet)
        if strict and loaded.warnings:
            failed = True
        s = loaded.scenario
        n_touch = sum(len(seg.touchpoints) for seg in s.segments.values())
        click.echo(
            f"ok: {f} ({len(s.segments)} segments, {len(s.all_teams())} teams, "
            f"{n_touch} touchpoint types, {len(loaded.warnings)} warnings)"
        )
    if failed:
        sys.exit(EXIT_BAD_INPUT)


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file instead of stdout.",
)
@_handle_errors
def schema(output: Path | None) -> None:
    """Print the JSON Schema of scenario files (for editor autocompletion).

    Point your editor at it with a first line such as
    '# yaml-language-server: $schema=cssim.schema.json'.

    \b
    Example:
      cssim schema -o cssim.schema.json
    """
    text = schema_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write(output, text)
        click.echo(f"wrote {output}", err=True)


@cli.command()
@click.argument(
    "path", required=False, default="scenario.yaml", type=click.Path(path_type=Path, dir_okay=False)
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--no-schema", is_flag=True, help="Do not write cssim.schema.json next to it.")
@_handle_errors
def init(path: Path, force: bool, no_schema: bool) -> None:
    """Write a commented starter scenario to PATH (default scenario.yaml).

    Also writes cssim.schema.json beside it (unless present) so editors autocomplete.

    \b
    Example:
      cssim init plans/fy27.yaml && cssim estimate plans/fy27.yaml
    """
    if path.exists() and not force:
        _fail(f"error: {path} already exists; pass --force to overwrite it or choose another path")
    if not path.parent.exists():
        _fail(f"error: {path.parent} does not exist; create the directory first")
    text = (resources.files("simulator.scenario") / "starter.yaml").read_text(encoding="utf-8")
    atomic_write(path, text)
    click.echo(f"wrote {path}", err=True)
    schema_path = path.parent / "cssim.schema.json"
    if not no_schema and not schema_path.exists():
        atomic_write(schema_path, schema_text())
        click.echo(f"wrote {schema_path}", err=True)
    click.echo(f"next: cssim validate {path} && cssim estimate {path}", err=True)


@cli.command()
@scenario_argument
@overrides_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
    help="Output format.",
)
@quiet_option
@_handle_errors
def show(scenario: Path | None, overrides: tuple[str, ...], fmt: str, quiet: bool) -> None:
    """Print the resolved scenario: extends merged, overrides applied, defaults filled in.

    \b
    Example:
      cssim show scenarios/cfo_six.yaml --set segments.top.team.csms=7
    """
    loaded = _load(scenario, overrides, quiet)
    data = loaded.scenario.model_dump(mode="json", exclude={"extends"})
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
    else:
        origin = " + ".join(loaded.files) if loaded.files else "scenario"
        header = f"# resolved from {origin}"
        if overrides:
            header += "\n# overrides: " + " ".join(overrides)
        click.echo(header + "\n" + dump_yaml(data), nl=False)


@cli.command()
@scenario_argument
@overrides_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="table for people; csv (one row per segment) and json for tools.",
)
@click.option(
    "--detail", is_flag=True, help="Add the touchpoint breakdown (rows per touchpoint in csv)."
)
@quiet_option
@_handle_errors
def estimate(
    scenario: Path | None, overrides: tuple[str, ...], fmt: str, detail: bool, quiet: bool
) -> None:
    """Closed-form hours, FTE and CSMs per segment and team (no simulation).

    Scheduled touches and their hours per account, the unscheduled uplift, inbound
    requests and escalations give the demand; customer hours per CSM after vacancy and
    ramp drag give the FTE. Uses the bundled default plan when SCENARIO is omitted.

    \b
    Example:
      cssim estimate scenarios/default.yaml --detail
      cssim estimate --set segments.top.touchpoints.training.channel=one_to_many \\
                     --set segments.top.touchpoints.training.max_attendees=10
    """
    loaded = _load(scenario, overrides, quiet)
    est = closed_form(loaded.scenario)
    if fmt == "json":
        click.echo(estimate_json(est), nl=False)
    elif fmt == "csv":
        click.echo(estimate_csv(est, detail), nl=False)
    else:
        _stdout().print(estimate_renderable(est, detail))


@cli.command()
@scenario_argument
@experiment_options
@overrides_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Also save the results: FILE.csv or FILE.json (tidy segment x metric rows), "
    "FILE.xlsx (the CFO pack: summary, segments, months, assumptions, provenance), or a "
    "DIR for a saved run (Parquet and CSV, resolved scenario, seed, versions, hash) that "
    "'cssim report DIR' re-renders.",
)
@click.option("--force", is_flag=True, help="Replace an existing -o DIR.")
@click.option(
    "--frontier",
    is_flag=True,
    help="Also simulate every team at headcounts around its plan and its closed-form "
    "need (same replications) for the headcount-vs-retention frontier in -o DIR or .xlsx.",
)
@format_option
@click.option("--detail", is_flag=True, help="Add touchpoint delivery by type.")
@quiet_option
@_handle_errors
def run(
    scenario: Path | None,
    replications: int,
    seed: int | None,
    precision: float | None,
    max_replications: int,
    jobs: int | None,
    dask: str | None,
    overrides: tuple[str, ...],
    output: Path | None,
    force: bool,
    frontier: bool,
    fmt: str,
    detail: bool,
    quiet: bool,
) -> None:
    """Simulate the plan: touchpoints, CSM queues, churn and ARR, with 95% CIs.

    Runs REPLICATIONS independent replications (same seed, same output, whatever -j or
    --dask) and prints per segment the on-time and delivered share of planned touches,
    utilisation, backlog, logo churn, GRR, NRR and ARR, each as mean [95% CI]. Uses the
    bundled default plan when SCENARIO is omitted.

    \b
    Example:
      cssim run -n 20 -j 2
      cssim run scenarios/cfo_six.yaml --precision 0.02 -o cfo_six.csv
      cssim run --dask local -n 40 -o runs/fy27 --frontier
      cssim run -n 20 -o fy27.xlsx
    """
    as_dir = output is not None and output.suffix.lower() not in (".csv", ".json", ".xlsx")
    if as_dir and output is not None and output.suffix and not output.is_dir():
        _fail(
            f"error: -o {output}: use FILE.csv, FILE.json, FILE.xlsx, or a directory name "
            "without a suffix for a saved run"
        )
    occupied = (
        output is not None and output.exists() and (not output.is_dir() or any(output.iterdir()))
    )
    if as_dir and occupied and not force:
        _fail(f"error: -o {output} exists; pass --force to replace it or choose another path")
    loaded = _load(scenario, overrides, quiet)
    exp = _experiment(
        loaded.scenario, replications, seed, precision, max_replications, jobs, dask, quiet
    )
    rows = _frontier_rows(loaded.scenario, exp, jobs, dask, quiet) if frontier else None
    assumptions = assumption_rows(loaded.scenario, loaded)
    if as_dir and output is not None:
        save_run(output, exp, force=force, frontier=rows, assumptions=assumptions)
        click.echo(f"saved run to {output} (cssim report {output})", err=True)
        output = None
    _emit(
        output,
        fmt,
        {
            "csv": lambda: run_csv(exp),
            "json": lambda: run_json(exp),
            "xlsx": lambda: run_pack(exp, assumptions, _provenance(exp), rows),
        },
        lambda: run_renderable(exp, detail),
        loaded.scenario.currency,
    )


def _provenance(exp: Any) -> dict[str, Any]:
    return provenance(exp.scenario, exp.root_seed, exp.replications, exp.precision)


def _frontier_rows(
    scenario: Any, exp: Any, jobs: int | None, dask: str | None, quiet: bool
) -> list[dict[str, Any]]:
    """Frontier rows of every team that serves a segment, on the run's replications."""
    rows: list[dict[str, Any]] = []
    teams = [t for t in scenario.all_teams() if scenario.segments_of(t)]
    with executor(jobs, dask) as ex, progress_bar("frontier headcounts", quiet) as progress:
        for team in teams:
            rows += frontier_table(
                scenario, team, None, exp.replications, exp.root_seed, ex, progress
            )
    return rows


def _experiment(
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


@cli.command(name="compare")
@click.argument(
    "scenarios", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False)
)
@experiment_options
@overrides_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the differences to FILE (.csv or .json), or the Excel pack (.xlsx: "
    "differences, every alternative, months, assumptions, provenance).",
)
@format_option
@quiet_option
@_handle_errors
def compare_command(
    scenarios: tuple[Path, ...],
    replications: int,
    seed: int | None,
    precision: float | None,
    max_replications: int,
    jobs: int | None,
    dask: str | None,
    overrides: tuple[str, ...],
    output: Path | None,
    fmt: str,
    quiet: bool,
) -> None:
    """Compare scenarios on the same replications: paired differences with 95% CIs.

    The first SCENARIO is the baseline; each other one is compared with it. A single file
    with 'variants:' compares the file with each of its variants. Replication i of every
    alternative uses the same random streams (common random numbers), so differences are
    far more precise than the separate runs' intervals. --set applies to every scenario.

    \b
    Example:
      cssim compare scenarios/default.yaml scenarios/automation.yaml
      cssim compare scenarios/default.yaml scenarios/cfo_six.yaml -n 40 -j 2
      cssim compare scenarios/default.yaml scenarios/cfo_six.yaml -o eight_vs_six.xlsx
    """
    _check_output(output, (".csv", ".json", ".xlsx"))
    labels: list[str] = []
    first: Loaded | None = None
    plans: list[Any] = []
    for path in scenarios:
        loaded = _load(path, overrides, quiet)
        first = first or loaded
        labels.append(path.stem)
        plans.append(loaded.scenario)
        for name, variant in load_variants(loaded).items():
            labels.append(f"{path.stem}:{name}")
            plans.append(variant)
    if len(plans) < 2:
        _fail("error: compare needs two scenarios, or one with variants: in it")
    with executor(jobs, dask) as ex, progress_bar("replications", quiet) as progress:
        result = compare(
            plans,
            labels,
            replications,
            seed,
            progress,
            precision=precision,
            max_replications=max_replications,
            executor=ex,
        )
    base = result.experiments[0]
    _emit(
        output,
        fmt,
        {
            "csv": lambda: compare_csv(result),
            "json": lambda: compare_json(result),
            "xlsx": lambda: compare_pack(
                result, assumption_rows(plans[0], first), _provenance(base)
            ),
        },
        lambda: compare_renderable(result, plans[0].currency),
        plans[0].currency,
    )


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path, file_okay=False))
@format_option
@click.option("--detail", is_flag=True, help="Add touchpoint delivery by type.")
@click.option(
    "--xlsx",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the Excel pack (summary, segments, months, frontier, assumptions, provenance).",
)
@click.option(
    "--charts",
    "charts_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write the charts to this directory as PNG and SVG (created if missing).",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write one self-contained HTML report (charts inline, no network access).",
)
@_handle_errors
def report(
    run_dir: Path,
    fmt: str,
    detail: bool,
    xlsx: Path | None,
    charts_dir: Path | None,
    html_path: Path | None,
) -> None:
    """Re-render a saved run (cssim run -o DIR) without simulating again.

    Prints the tables, and writes the Excel pack, the charts and the HTML report on
    request. The frontier chart and sheet need a run saved with --frontier.

    \b
    Example:
      cssim run -n 40 --frontier -o runs/fy27 && cssim report runs/fy27 --detail
      cssim report runs/fy27 --xlsx fy27.xlsx --charts fy27_charts --html fy27.html
    """
    _check_output(xlsx, (".xlsx",))
    _check_output(html_path, (".html", ".htm"))
    exp, meta = load_run(run_dir)
    frontier_rows, assumptions = read_extras(run_dir)
    click.echo(
        f"run of {meta.get('created', '?')}, scenario hash {str(meta.get('scenario_hash'))[:12]}, "
        f"cssim {meta.get('versions', {}).get('cssim', '?')}",
        err=True,
    )
    if (charts_dir or html_path) and not frontier_rows:
        click.echo("note: this run has no frontier (run it with --frontier to add one)", err=True)
    if assumptions is None:
        assumptions = assumption_rows(exp.scenario)
    for path in publish_run(
        exp,
        meta,
        assumptions,
        frontier_rows,
        xlsx=xlsx,
        charts=charts_dir,
        html=html_path,
    ):
        click.echo(f"wrote {path}", err=True)
    _emit(
        None,
        fmt,
        {"csv": lambda: run_csv(exp), "json": lambda: run_json(exp)},
        lambda: run_renderable(exp, detail),
    )


@cli.command()
@scenario_argument
@click.option(
    "--vary",
    "varies",
    multiple=True,
    required=True,
    metavar="PATH=VALUES",
    help="A scenario path and its values: an integer range a..b[:step] or a comma list "
    "(repeatable; the grid is every combination).",
)
@experiment_options
@overrides_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the tidy table (point x segment x metric: mean, CI, P10/P50/P90) to "
    "FILE.csv, FILE.json or FILE.parquet.",
)
@format_option
@quiet_option
@_handle_errors
def sweep(
    scenario: Path | None,
    varies: tuple[str, ...],
    replications: int,
    seed: int | None,
    precision: float | None,
    max_replications: int,
    jobs: int | None,
    dask: str | None,
    overrides: tuple[str, ...],
    output: Path | None,
    fmt: str,
    quiet: bool,
) -> None:
    """Simulate a grid of scenario values in parallel and tabulate every point.

    Every point runs the same replications (same seed), so points differ only by what
    they change. --precision is not used here: give -n.

    \b
    Example:
      cssim sweep --vary segments.top.team.csms=4..10 -n 20 -o top_csms.csv
      cssim sweep --vary segments.top.team.csms=5..8 \\
                  --vary segments.top.touchpoints.qbr.trigger.per_year=2,3,4 -o grid.parquet
    """
    _check_output(output, (".csv", ".json", ".parquet"))
    if precision is not None:
        _fail("error: --precision is not used by sweep; give -n REPLICATIONS")
    _load(scenario, overrides, quiet)  # report the base scenario's problems and warnings once

    def at(point: list[str]) -> Any:
        return load(scenario, [*overrides, *point]).scenario

    with executor(jobs, dask) as ex, progress_bar("points x replications", quiet) as progress:
        result = run_sweep(at, varies, replications, seed, ex, progress)
    rows = result.rows()
    _emit(
        output,
        fmt,
        {
            "csv": lambda: tidy_csv(rows),
            "json": lambda: tidy_json(rows),
            "parquet": lambda: _write_parquet_atomic(rows, output),
        },
        lambda: sweep_renderable(result),
    )


def _write_parquet_atomic(rows: list[dict[str, Any]], output: Path | None) -> None:
    assert output is not None
    with atomic_target(output) as tmp:
        write_parquet(rows, tmp)


@cli.command()
@scenario_argument
@experiment_options
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="SEGMENT.METRIC>=VALUE[@CONFIDENCE]",
    help="Add or replace a target, e.g. top.grr>=0.92@0.9 or top.utilisation<=0.85 "
    "(metrics: on_time_coverage, grr, nrr, logo_churn, utilisation; confidence default 0.9).",
)
@overrides_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write FILE.csv or FILE.json (one row per team), or FILE.xlsx (the pack: "
    "answer, targets, every headcount tried, assumptions, provenance).",
)
@format_option
@quiet_option
@_handle_errors
def solve(
    scenario: Path | None,
    replications: int,
    seed: int | None,
    precision: float | None,
    max_replications: int,
    jobs: int | None,
    dask: str | None,
    targets: tuple[str, ...],
    overrides: tuple[str, ...],
    output: Path | None,
    fmt: str,
    quiet: bool,
) -> None:
    """The fewest CSMs per team that meet every target of its segments.

    A target holds with confidence q when at least q of the replications meet its bound
    (P(GRR >= 0.92) >= 0.9). The search starts at the closed-form estimate and checks
    each headcount by simulation on the same seeds: the answer N meets every target and
    N - 1 does not. Targets come from the scenario (segments.NAME.targets) and --target.

    \b
    Example:
      cssim solve --target 'top.on_time_coverage>=0.9@0.9' -n 20
      cssim solve plans/fy27.yaml --precision 0.02 -j 2 --format json
      cssim solve -n 20 -o headcount.xlsx
    """
    _check_output(output, (".csv", ".json", ".xlsx"))
    extra = [o for t in targets for o in _target_overrides(t)]
    loaded = _load(scenario, (*overrides, *extra), quiet)
    with executor(jobs, dask) as ex:
        err = _stderr()
        show = not quiet and err.is_terminal

        def progress(team: str, n: int) -> None:
            if show:
                err.print(f"\\r{team}: simulating {n} CSMs", end="")

        solutions = solve_headcount(
            loaded.scenario,
            replications,
            seed,
            ex,
            progress,
            precision=precision,
            max_replications=max_replications,
        )
        if show:
            err.print()
    if not solutions:
        _fail(
            "error: no segment has targets; add segments.NAME.targets to the scenario or use --target"
        )
    s = loaded.scenario
    reps = max((x.replications for x in solutions), default=replications)
    _emit(
        output,
        fmt,
        {
            "csv": lambda: solve_csv(solutions),
            "json": lambda: solve_json(solutions),
            "xlsx": lambda: solve_pack(
                solutions,
                assumption_rows(s, loaded),
                provenance(s, s.seed if seed is None else seed, reps),
            ),
        },
        lambda: solve_renderable(solutions, s.currency),
        s.currency,
    )


_TARGET = re.compile(r"^\s*([A-Za-z][\w-]*)\.(\w+)\s*(>=|<=)\s*([-\d.eE]+)\s*(?:@\s*([\d.]+))?\s*$")


def _target_overrides(text: str) -> list[str]:
    """``top.grr>=0.92@0.9`` -> the --set overrides that express it."""
    m = _TARGET.match(text)
    if not m:
        raise ScenarioError(
            [
                Issue(
                    "expected SEGMENT.METRIC>=VALUE[@CONFIDENCE], e.g. top.grr>=0.92@0.9",
                    location=Location(f"--target {text}"),
                )
            ],
            "reading --target",
        )
    seg, metric, op, value, conf = m.groups()
    base = f"segments.{seg}.targets.{metric}"
    out = [f"{base}.{'min' if op == '>=' else 'max'}={value}"]
    if conf is not None:
        out.append(f"{base}.confidence={conf}")
    return out


@cli.command(name="tradeoff")
@scenario_argument
@click.option(
    "--team",
    required=True,
    help="The team whose headcount is offered (a segment's name for an inline team).",
)
@click.option(
    "--csms", type=click.IntRange(0, 100_000), default=None, help="The headcount on offer."
)
@click.option(
    "--budget",
    default=None,
    metavar="AMOUNT",
    help="Or a people budget a year, e.g. 1.1M or 950k; CSMs = budget / cost per CSM.",
)
@experiment_options
@overrides_option
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the recommended plan as a scenario file (.yaml) that extends the input, "
    "and/or the Excel pack (.xlsx: plan, candidates, frontier, assumptions, provenance); "
    "repeatable.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="What to print on stdout (csv: the plan and every candidate change).",
)
@quiet_option
@_handle_errors
def tradeoff_command(
    scenario: Path | None,
    team: str,
    csms: int | None,
    budget: str | None,
    replications: int,
    seed: int | None,
    precision: float | None,
    max_replications: int,
    jobs: int | None,
    dask: str | None,
    overrides: tuple[str, ...],
    outputs: tuple[Path, ...],
    fmt: str,
    quiet: bool,
) -> None:
    """Fit a team's engagement model to fewer CSMs with the least retention loss.

    Tries every single change to the team's segments (cut, halve, move to 1:many or
    automate a touchpoint; route more inbound to support), scores each by CSM hours freed
    per dollar of ARR put at risk (simulated on common random numbers against today's
    plan at today's headcount), and searches for the plan that fits the offered headcount
    with the least ARR at risk. Prints the plan, the break-even, the candidates and the
    frontier (today's plan at each headcount).

    \b
    Example:
      cssim tradeoff --team top --csms 6
      cssim tradeoff scenarios/default.yaml --team top --budget 1.1M -o top_at_6.yaml
      cssim tradeoff --team top --csms 6 -o top_at_6.yaml -o top_at_6.xlsx
    """
    if (csms is None) == (budget is None):
        _fail("error: give --csms or --budget (one of them)")
    for out in outputs:
        _check_output(out, (".yaml", ".yml", ".xlsx"))
    output = next((o for o in outputs if o.suffix.lower() in (".yaml", ".yml")), None)
    xlsx = next((o for o in outputs if o.suffix.lower() == ".xlsx"), None)
    if precision is not None:
        _fail("error: --precision is not used by tradeoff; give -n REPLICATIONS")
    loaded = _load(scenario, overrides, quiet)
    teams = loaded.scenario.all_teams()
    if team not in teams:
        _fail(f"error: --team {team}: no such team; teams: {', '.join(teams)}")
    if not loaded.scenario.segments_of(team):
        _fail(f"error: --team {team}: no segment is served by this team; nothing to trade off")
    if output is not None and any(
        output.resolve() == Path(f).resolve() for f in loaded.files if Path(f).exists()
    ):
        _fail(f"error: -o {output} is an input of this run; write the plan to another file")
    cost = teams[team].annual_cost_per_csm
    if budget is not None:
        amount = _parse_money(budget)
        csms = int(amount // cost) if cost else 0
        if csms < 1:
            _fail(
                f"error: --budget {budget} buys no CSM at {cost:,.0f} a year each; give at "
                f"least {cost:,.0f}"
            )
    assert csms is not None
    if csms < 1:
        _fail("error: --csms must be at least 1")
    with (
        executor(jobs, dask) as ex,
        progress_bar("candidate changes x replications", quiet) as progress,
    ):
        result = tradeoff(loaded, team, csms, replications, seed, ex, progress)
    if output is not None and result.plan_patch is not None:
        source = loaded.files[-1] if loaded.files else str(bundled_scenario())
        base = os.path.relpath(Path(source).resolve(), output.resolve().parent)
        header = (
            f"# written by cssim tradeoff --team {team} --csms {csms}: "
            + "; ".join(c.label for c in result.plan.changes)  # type: ignore[union-attr]
            + "\n"
        )
        # the plan is what was evaluated: the input, the --set overrides, then the changes
        body = combine_patches(
            {"extends": base, "name": f"{loaded.scenario.name} - {team} at {csms} CSMs"},
            combine_patches(_overrides_patch(overrides, loaded.data), result.plan_patch),
        )
        body = _deep_set(body, team, csms, loaded.scenario)
        atomic_write(output, header + dump_yaml(body))
        click.echo(f"wrote {output}", err=True)
    s = loaded.scenario
    _emit(
        xlsx,
        fmt,
        {
            "csv": lambda: tradeoff_csv(result),
            "json": lambda: tradeoff_json(result),
            "xlsx": lambda: tradeoff_pack(
                result,
                assumption_rows(s, loaded),
                provenance(s, s.seed if seed is None else seed, replications),
                s.currency,
            ),
        },
        lambda: tradeoff_renderable(result, s.currency),
        s.currency,
    )


def _overrides_patch(overrides: tuple[str, ...], data: dict[str, Any]) -> dict[str, Any]:
    """``--set`` overrides as a partial scenario (null stays, so it deletes when extended).

    An override inside a list (``ramp[1]=0.9``) writes the whole list as evaluated.
    """
    patch: dict[str, Any] = {}
    for text in overrides:
        raw_path, raw_value = text.split("=", 1)
        path = parse_override_path(raw_path)
        if path is None:
            continue
        first_index = next((i for i, el in enumerate(path) if isinstance(el, int)), None)
        if first_index is not None:
            path = path[:first_index]
            value: Any = data
            for el in path:
                value = value[el]
        else:
            value, _ = parse_yaml(raw_value, "--set")
        node = patch
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return patch


def _parse_money(text: str, option: str = "--budget") -> float:
    m = re.fullmatch(r"\s*[$€£]?\s*([\d.,]+)\s*([kKmM]?)\s*", text)
    if not m:
        _fail(f"error: {option} {text}: write an amount such as 1.1M, 950k or 1100000")
    value = float(m.group(1).replace(",", ""))  # type: ignore[union-attr]
    return value * {"": 1, "k": 1e3, "m": 1e6}[m.group(2).lower()]  # type: ignore[union-attr]


def _deep_set(body: dict[str, Any], team: str, csms: int, s: Any) -> dict[str, Any]:
    """Add the offered headcount to a plan body (inline or named team)."""
    if team in s.teams:
        teams = dict(body.get("teams", {}))
        teams[team] = {**teams.get(team, {}), "csms": csms}
        return {**body, "teams": teams}
    segments = dict(body.get("segments", {}))
    seg = dict(segments.get(team, {}))
    seg["team"] = {**seg.get("team", {}), "csms": csms}
    segments[team] = seg
    return {**body, "segments": segments}


@cli.command()
@scenario_argument
@click.option("--team", default=None, help="One team (default: every team).")
@overrides_option
@format_option
@quiet_option
@_handle_errors
def hire(
    scenario: Path | None, team: str | None, overrides: tuple[str, ...], fmt: str, quiet: bool
) -> None:
    """When each requisition must open so capacity covers demand every month.

    Demand grows with new accounts and follows renewals (closed form, month by month);
    capacity counts attrition drag, the team's dated hiring plan and each new hire's
    ramp. Prints the requisitions (open date, start date), demand and capacity by month
    and the people cost over the plan's horizon.

    \b
    Example:
      cssim hire --team mid
      cssim hire scenarios/sales_pod.yaml --format json
    """
    loaded = _load(scenario, overrides, quiet)
    s = loaded.scenario
    names = [t for t in s.all_teams() if s.segments_of(t)]
    if team is not None:
        if team not in names:
            _fail(f"error: --team {team}: no such team; teams: {', '.join(names)}")
        names = [team]
    plans = [hiring_plan(s, t) for t in names]
    _emit(
        None,
        fmt,
        {"csv": lambda: hire_csv(plans), "json": lambda: hire_json(plans)},
        lambda: hire_renderable(plans, s.currency),
    )


def _mapping(pairs: tuple[str, ...], option: str) -> dict[str, str] | None:
    out: dict[str, str] = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            _fail(f"error: {option} {pair}: write FIELD=COLUMN, e.g. {option} arr='Contract Value'")
        out[field.strip()] = column.strip()
    return out or None


def _breaks(text: str | None) -> list[float] | None:
    """``--breaks 25000,100000`` (``k``/``M`` allowed) or ``tertiles``."""
    if text is None:
        return None
    if text.strip().lower() == "tertiles":
        return []
    values = [_parse_money(part, "--breaks") for part in text.split(",")]
    if sorted(values) != values or len(set(values)) != len(values):
        _fail(f"error: --breaks {text}: give increasing ARR values, e.g. --breaks 25000,100000")
    return values


def _as_of(value: Any) -> Any:
    return value.date() if value is not None else None


data_options = [
    click.option(
        "--map",
        "mapping",
        multiple=True,
        metavar="FIELD=COLUMN",
        help="Use COLUMN for FIELD when the header match misses it, e.g. --map "
        "arr='Contract Amount' (fields: see the README's customer-list columns; repeatable).",
    ),
    click.option(
        "--as-of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="The date the list describes, YYYY-MM-DD (default: today).",
    ),
    click.option(
        "--breaks",
        default=None,
        metavar="ARR,ARR|tertiles",
        help="Cut the book into value bands at these ARR values (e.g. 25000,100000) instead "
        "of using the segment column; 'tertiles' for three bands of equal size.",
    ),
    click.option(
        "--dayfirst/--monthfirst",
        default=None,
        help="Read ambiguous dates (03/04/2026) day first or month first (default: "
        "inferred per column; month first when nothing tells).",
    ),
    click.option("--sheet", default=None, help="Worksheet of an xlsx file (default: the first)."),
]


def data_input_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by analyze and calibrate."""
    for option in reversed(data_options):
        fn = option(fn)
    return fn


def _read_book(
    customers: Path,
    mapping: tuple[str, ...],
    dayfirst: bool | None,
    sheet: str | None,
    as_of: Any,
    breaks: str | None,
) -> tuple[Any, Any]:
    from simulator.analysis.book import analyze_book
    from simulator.data.customers import read_customers

    read = read_customers(
        customers, mapping=_mapping(mapping, "--map"), dayfirst=dayfirst, sheet=sheet
    )
    try:
        analysis = analyze_book(read.customers, _as_of(as_of), _breaks(breaks))
    except ValueError as exc:
        _fail(f"error: {customers}: {exc}")
    return read, analysis


@cli.command()
@click.argument("customers", type=click.Path(path_type=Path, dir_okay=False))
@data_input_options
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write FILE.csv or FILE.json (tidy measures) or FILE.xlsx (every table).",
)
@click.option(
    "--charts",
    "charts_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write the Pareto curve, value distribution, renewals by month and retention "
    "curves to this directory (PNG and SVG).",
)
@format_option
@_handle_errors
def analyze(
    customers: Path,
    mapping: tuple[str, ...],
    as_of: Any,
    breaks: str | None,
    dayfirst: bool | None,
    sheet: str | None,
    output: Path | None,
    charts_dir: Path | None,
    fmt: str,
) -> None:
    """Answer the questions a new VP asks of the customer list (CSV or xlsx).

    How many customers; the range, largest, smallest and average contract; tenure; the
    churned (how many, their average value); contract length; the 80/20 break in ARR and
    the value breaks in three; logo and dollar churn per year with 95% CIs; contract
    growth (and of the top 10%); renewals this month and in the next six; customers and
    their average age per lifecycle stage; Kaplan-Meier retention per segment. Rows
    that cannot be used are counted with their reason.

    \b
    Example:
      cssim analyze scenarios/data/customers.csv --as-of 2026-10-31
      cssim analyze export.xlsx --map arr='Contract Amount' -o book.xlsx --charts book_charts
    """
    from simulator.report.book import (
        book_charts,
        book_json,
        book_renderable,
        book_rows,
        book_sheets,
    )
    from simulator.report.charts import write_charts

    _check_output(output, (".csv", ".json", ".xlsx"))
    if output is not None and output.resolve() == customers.resolve():
        _fail(f"error: -o {output} is the customer list itself; write the measures to another file")
    read, analysis = _read_book(customers, mapping, dayfirst, sheet, as_of, breaks)
    if charts_dir is not None:
        for path in write_charts(charts_dir, book_charts(analysis)):
            click.echo(f"wrote {path}", err=True)
    _emit(
        output,
        fmt,
        {
            "csv": lambda: tidy_csv(book_rows(analysis)),
            "json": lambda: book_json(analysis, read),
            "xlsx": lambda: book_sheets(analysis, read),
        },
        lambda: book_renderable(analysis, read),
    )


@cli.command()
@click.argument("customers", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The scenario to write (.yaml); its accounts go to NAME_accounts.csv beside it.",
)
@click.option(
    "--timesheet",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="A time-tracking export (person, date, activity, account, hours): hours per "
    "touchpoint, customer time share, unscheduled uplift and headcount.",
)
@click.option(
    "--timesheet-map",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Column overrides for the timesheet (fields person, date, activity, account, hours).",
)
@data_input_options
@click.option(
    "--cost-per-csm",
    default=None,
    metavar="AMOUNT",
    help="Fully loaded annual cost of a CSM, e.g. 150k (default: DOMAIN.md's $180k).",
)
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
@quiet_option
@_handle_errors
def calibrate(
    customers: Path,
    output: Path,
    timesheet: Path | None,
    timesheet_map: tuple[str, ...],
    mapping: tuple[str, ...],
    as_of: Any,
    breaks: str | None,
    dayfirst: bool | None,
    sheet: str | None,
    cost_per_csm: str | None,
    force: bool,
    quiet: bool,
) -> None:
    """Write a scenario that starts from the real book of business.

    Segments come from the segment column, or from value breaks (--breaks; tertiles when
    the list has no segment column). Accounts are the real ones (ARR, renewal date,
    stage) in NAME_accounts.csv; churn and expansion come from the data (95% CIs in
    comments); the engagement model starts from the default plan's segment of the same
    value rank, or from the timesheet when one is given. The scenario is validated
    before anything is written.

    \b
    Example:
      cssim calibrate scenarios/data/customers.csv --timesheet scenarios/data/timesheet.csv \\
                      --as-of 2026-10-31 -o plans/calibrated.yaml
      cssim estimate plans/calibrated.yaml && cssim run plans/calibrated.yaml
    """
    from simulator.analysis.book import account_segments
    from simulator.analysis.calibrate import calibrate as build
    from simulator.analysis.timesheet import analyze_timesheet
    from simulator.data.timesheet import read_timesheet
    from simulator.report.book import read_report_lines

    if output.suffix.lower() not in (".yaml", ".yml"):
        _fail(f"error: -o {output}: the output is a scenario; use a .yaml file name")
    accounts_path = output.with_name(f"{output.stem}_accounts.csv")
    for path in (output, accounts_path):
        if path.exists() and not force:
            _fail(f"error: {path} exists; pass --force to overwrite it or choose another -o")
    if not output.parent.is_dir():
        _fail(f"error: {output.parent} does not exist; create the directory first")
    read, analysis = _read_book(customers, mapping, dayfirst, sheet, as_of, breaks)
    if not quiet:
        for line in read_report_lines(read):
            click.echo(line, err=True)
    ts = None
    if timesheet is not None:
        try:
            entries = read_timesheet(
                timesheet, mapping=_mapping(timesheet_map, "--timesheet-map"), dayfirst=dayfirst
            )
        except ScenarioError as exc:
            # the reader's hints name --map; for the timesheet the option is --timesheet-map
            exc.issues = [
                dataclasses.replace(i, message=i.message.replace("--map ", "--timesheet-map "))
                for i in exc.issues
            ]
            raise
        seg_of = account_segments(read.customers, analysis)
        counts = {name: s.active for name, s in analysis.segments.items()}
        try:
            ts = analyze_timesheet(entries.entries, seg_of, counts)
        except ValueError as exc:
            _fail(f"error: {timesheet}: {exc}")
        if not quiet:
            for line in read_report_lines(entries, "timesheet entries"):
                click.echo(line, err=True)
            if ts.unknown_accounts:
                unknown = sorted(
                    {
                        str(e.account)
                        for e in entries.entries
                        if e.account and seg_of(str(e.account)) is None
                    }
                )
                click.echo(
                    f"warning: {ts.unknown_accounts:,} customer entries name accounts that are "
                    f"not in the customer list (by ID or name): {', '.join(unknown[:5])}"
                    + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
                    + "; their hours count in the totals but in no segment",
                    err=True,
                )
    cost = _parse_money(cost_per_csm, "--cost-per-csm") if cost_per_csm is not None else None
    try:
        result = build(analysis, read.customers, str(customers), accounts_path.name, ts, cost)
    except ValueError as exc:
        _fail(f"error: {customers}: {exc}")
    # the accounts file first, then the scenario validated as it will be read; on any
    # failure neither file is left behind
    atomic_write(accounts_path, tidy_csv(result.accounts_rows))
    try:
        loaded = load_text(result.yaml_text, str(output), base_dir=output.parent)
        atomic_write(output, result.yaml_text)
    except BaseException:
        accounts_path.unlink(missing_ok=True)
        raise
    for w in result.notes:
        click.echo(f"note: {w}", err=True)
    _print_warnings([w for w in loaded.warnings if "accounts read from" not in w.message], quiet)
    click.echo(f"wrote {output} and {accounts_path}", err=True)
    click.echo(f"next: cssim estimate {output} && cssim run {output}", err=True)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="cssim")


__all__ = ["bundled_scenario", "cli", "main"]
