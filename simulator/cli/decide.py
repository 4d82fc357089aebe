"""Weighing options under uncertainty: decide."""

from __future__ import annotations

import json
from pathlib import Path

import click

from simulator.analysis.decide import Option, options_of
from simulator.analysis.decision import decide
from simulator.analysis.executors import executor
from simulator.cli.brief_option import check_html, html_option, once, write_html
from simulator.cli.common import (
    check_charts,
    check_one_currency,
    check_output,
    fail,
    force_option,
    handle_errors,
    load_plan,
    output_kind,
    overrides_option,
    quiet_option,
    runner_options,
    stdout_console,
)
from simulator.cli.limits import check_size, max_tasks_option
from simulator.report.briefs import decide_brief
from simulator.report.decide import (
    decision_json,
    decision_renderable,
)
from simulator.report.files import atomic_write
from simulator.report.progress import progress_bar
from simulator.report.xlsx import write_workbook
from simulator.scenario.loader import Loaded, loaded_variants

__all__ = ["decide_command"]


@click.command(name="decide")
@click.argument(
    "scenarios", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False)
)
@click.option(
    "--draws",
    type=click.IntRange(1, 100_000),
    default=300,
    show_default=True,
    help="Outer draws of the uncertain inputs (each simulates every option).",
)
@click.option(
    "--inner",
    type=click.IntRange(1, 1000),
    default=1,
    show_default=True,
    help="Replications per draw and option (common random numbers across options).",
)
@click.option(
    "--sensitivity-replications",
    type=click.IntRange(0, 1000),
    default=8,
    show_default=True,
    help="Replications per point of the tornado and the flip-threshold search (0: skip).",
)
@runner_options
@overrides_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the decision to FILE (.json), its brief (.html, as --html), or an "
    "Excel pack that opens on the brief (.xlsx).",
)
@html_option
@click.option(
    "--charts",
    "charts_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write the acceptability curve and the tornado to this directory (PNG and SVG).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="What to print on stdout.",
)
@force_option
@quiet_option
@max_tasks_option
@handle_errors
def decide_command(
    scenarios: tuple[Path, ...],
    draws: int,
    inner: int,
    sensitivity_replications: int,
    seed: int | None,
    jobs: int | None,
    dask: str | None,
    overrides: tuple[str, ...],
    output: Path | None,
    html_path: Path | None,
    charts_dir: Path | None,
    fmt: str,
    quiet: bool,
) -> None:
    """Weigh options under uncertainty: net value, P(best), acceptability, tornado, EVPPI.

    Each SCENARIO is an option (a single file with 'variants:' is the file and each
    variant). The first option's 'uncertain:' inputs are drawn --draws times; every
    option is simulated with the same draws and replications (paired), and only the
    segments the options change are simulated. --set applies to every scenario.

    \b
    Example:
      cssim decide scenarios/default.yaml scenarios/cfo_six.yaml
      cssim decide scenarios/default.yaml scenarios/cfo_six.yaml scenarios/fit_to_six.yaml \\
        --draws 300 -j 2 --charts decision_charts
      cssim decide scenarios/default.yaml scenarios/cfo_six.yaml --html decision.html
    """
    check_output(output, (".json", ".html", ".xlsx"))
    check_html(html_path)
    check_charts(charts_dir)
    loadeds: list[Loaded] = []
    options: list[Option] = []
    inputs: list[str | Path] = list(scenarios)
    for path in scenarios:
        loaded = load_plan(path, overrides, quiet)
        variants = loaded_variants(loaded)
        # variants count as options: their uncertain: blocks are checked like the files'
        loadeds += [loaded, *variants.values()]
        inputs += loaded.inputs()
        options += options_of(path.stem, loaded, variants)
    if len(options) < 2:
        fail("error: decide needs two scenarios, or one with variants: in it")
    labels = [o.label for o in options]
    if len(set(labels)) < len(labels):
        fail("error: two options have the same label (file name); give the files different names")
    check_one_currency(labels, [o.scenario.currency for o in options])
    check_output(output, (".json", ".html", ".xlsx"), inputs)
    check_html(html_path, inputs)
    check_charts(charts_dir, inputs)
    check_size([o.scenario for o in options], quiet)
    currency = options[0].scenario.currency
    with executor(jobs, dask) as ex, progress_bar("replications", quiet) as progress:
        try:
            result = decide(
                options,
                draws,
                inner,
                seed,
                ex,
                progress,
                loadeds,
                sensitivity_replications,
            )
        except ValueError as exc:
            fail(f"error: {exc}")
    doc = decision_json(result, currency)
    brief = once(lambda: decide_brief(result, currency))
    if output is not None and output_kind(output) == "html":
        write_html(output, brief)
    elif output is not None and output.suffix.lower() == ".xlsx":
        write_workbook(output, brief().sheets, currency, brief())
        click.echo(f"wrote {output}", err=True)
    elif output is not None:
        atomic_write(output, json.dumps(doc, indent=2) + "\n")
        click.echo(f"wrote {output}", err=True)
    write_html(html_path, brief)
    if charts_dir is not None:  # the brief's charts: the acceptability curve, the tornado
        from simulator.report.charts import write_charts  # matplotlib: only for charts

        for path in write_charts(charts_dir, dict(brief().figures or {})):
            click.echo(f"wrote {path}", err=True)
    if fmt == "json":
        click.echo(json.dumps(doc, indent=2))
    else:
        stdout_console().print(decision_renderable(result, currency))
