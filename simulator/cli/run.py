"""Simulating a plan: run, report (re-render a saved run) and sweep."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from simulator.analysis.executors import executor
from simulator.analysis.frontier import frontier as frontier_table
from simulator.analysis.sweep import run_sweep
from simulator.cli.brief_option import check_html, html_option, once, page, write_html
from simulator.cli.common import (
    check_charts,
    check_output,
    emit,
    experiment,
    experiment_options,
    fail,
    force_option,
    format_option,
    handle_errors,
    load_plan,
    output_option,
    overrides_option,
    quiet_option,
    run_provenance,
    scenario_argument,
)
from simulator.cli.limits import check_size, max_tasks_option
from simulator.report.assumptions import assumption_rows
from simulator.report.files import atomic_target
from simulator.report.packs import run_pack
from simulator.report.progress import progress_bar
from simulator.report.run import run_csv, run_json, run_renderable, sweep_renderable
from simulator.report.saved import (
    load_run,
    read_extras,
    save_run,
    tidy_csv,
    tidy_json,
    write_parquet,
)
from simulator.report.targets import check_run_directory
from simulator.scenario.loader import load

__all__ = ["report", "run", "sweep"]


@click.command()
@scenario_argument
@experiment_options
@overrides_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Also save the results: FILE.csv or FILE.json (tidy segment x metric rows), "
    "FILE.xlsx (the CFO pack: summary, value, segments, months, assumptions, provenance), "
    "FILE.html (the decision brief, as --html), or a DIR for a saved run (Parquet and CSV, resolved scenario, seed, versions, hash) that "
    "'cssim report DIR' re-renders.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace existing output files, and an -o DIR when it holds a run cssim saved.",
)
@click.option(
    "--frontier",
    is_flag=True,
    help="Also simulate every team at headcounts around its plan and its closed-form "
    "need (same replications) for the headcount-vs-retention frontier in -o DIR or .xlsx.",
)
@html_option
@format_option
@click.option("--detail", is_flag=True, help="Add touchpoint delivery by type.")
@quiet_option
@max_tasks_option
@handle_errors
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
    html_path: Path | None,
    fmt: str,
    detail: bool,
    quiet: bool,
) -> None:
    """Simulate the plan: touchpoints, CSM queues, churn and ARR, with 95% CIs.

    Runs REPLICATIONS independent replications (same seed, same output, whatever -j or
    --dask) and prints per segment the on-time and delivered share of planned touches,
    utilisation, backlog, logo churn, GRR, NRR and ARR, each as mean [95% CI], then the
    net value over the plan and the horizon, a P&L view and the cost to serve an account
    (the scenario's economics:). Uses the bundled default plan when SCENARIO is omitted.

    \b
    Example:
      cssim run -n 20 -j 2
      cssim run scenarios/cfo_six.yaml --precision 0.02 -o cfo_six.csv
      cssim run --dask local -n 40 -o runs/fy27 --frontier
      cssim run -n 20 -o fy27.xlsx
      cssim run -n 20 --frontier --html fy27.html
    """
    as_dir = output is not None and output.suffix.lower() not in (
        ".csv",
        ".json",
        ".xlsx",
        ".html",
        ".htm",
    )
    if as_dir and output is not None and output.suffix and not output.is_dir():
        fail(
            f"error: -o {output}: use FILE.csv, FILE.json, FILE.xlsx, FILE.html, or a directory name "
            "without a suffix for a saved run"
        )
    loaded = load_plan(scenario, overrides, quiet)
    inputs: list[str | Path] = [*loaded.inputs(), *([scenario] if scenario is not None else [])]
    if output is not None and as_dir:
        check_run_directory("directory", output, inputs, force)
    else:
        check_output(output, (".csv", ".json", ".xlsx", ".html"), inputs)
    check_html(html_path, inputs)
    check_size(loaded.scenario, quiet)
    exp = experiment(
        loaded.scenario, replications, seed, precision, max_replications, jobs, dask, quiet
    )
    rows = _frontier_rows(loaded.scenario, exp, jobs, dask, quiet) if frontier else None
    assumptions = assumption_rows(loaded.scenario, loaded)
    if as_dir and output is not None:
        save_run(output, exp, force=force, frontier=rows, assumptions=assumptions)
        click.echo(f"saved run to {output} (cssim report {output})", err=True)
        output = None
    prov = run_provenance(exp)
    pack = once(lambda: run_pack(exp, assumptions, prov, rows))
    from simulator.report.briefs import run_brief  # matplotlib: only when a brief is made

    brief = once(lambda: run_brief(exp, prov, assumptions, rows, pack()))
    write_html(html_path, brief)
    emit(
        output,
        fmt,
        {
            "csv": lambda: run_csv(exp),
            "json": lambda: run_json(exp),
            "xlsx": pack,
            "html": page(brief),
        },
        lambda: run_renderable(exp, detail),
        loaded.scenario.currency,
        brief,
    )


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


@click.command()
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
    help="Write the decision brief: one self-contained HTML page (charts inline, no "
    "network access) that opens on the answer; the assumptions collapsed at the end.",
)
@force_option
@handle_errors
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
    check_output(xlsx, (".xlsx",), [run_dir], param="xlsx")
    check_output(html_path, (".html", ".htm"), [run_dir], param="html")
    check_charts(charts_dir, [run_dir])
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
    from simulator.report.publish import publish_run  # matplotlib: charts

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
    emit(
        None,
        fmt,
        {"csv": lambda: run_csv(exp), "json": lambda: run_json(exp)},
        lambda: run_renderable(exp, detail),
    )


@click.command()
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
@output_option(
    "Write the tidy table (point x segment x metric: mean, CI, P10/P50/P90) to "
    "FILE.csv, FILE.json or FILE.parquet.",
)
@force_option
@format_option
@quiet_option
@max_tasks_option
@handle_errors
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
    if precision is not None:
        fail("error: --precision is not used by sweep; give -n REPLICATIONS")
    # report the base scenario's problems and warnings once, then check -o against its inputs
    base = load_plan(scenario, overrides, quiet)
    check_output(output, (".csv", ".json", ".parquet"), base.inputs())

    def at(point: list[str]) -> Any:
        return check_size(load(scenario, [*overrides, *point]).scenario, quiet)

    with executor(jobs, dask) as ex, progress_bar("points x replications", quiet) as progress:
        result = run_sweep(at, varies, replications, seed, ex, progress)
    rows = result.rows()
    emit(
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
