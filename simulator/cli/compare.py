"""Comparing plans on common random numbers: compare."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from simulator.analysis.compare import compare
from simulator.analysis.executors import executor
from simulator.cli.brief_option import check_html, html_option, once, page, write_html
from simulator.cli.common import (
    check_one_currency,
    check_output,
    emit,
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
)
from simulator.cli.limits import check_size, max_tasks_option
from simulator.report.assumptions import assumption_rows
from simulator.report.compare import compare_csv, compare_json, compare_renderable
from simulator.report.packs import compare_pack
from simulator.report.progress import progress_bar
from simulator.scenario.loader import Loaded, load_variants

__all__ = ["compare_command"]


@click.command(name="compare")
@click.argument(
    "scenarios", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False)
)
@experiment_options
@overrides_option
@output_option(
    "Also write the differences to FILE (.csv or .json), or the Excel pack (.xlsx: "
    "differences, every alternative, months, assumptions, provenance), or the decision "
    "brief (.html, as --html).",
)
@html_option
@force_option
@format_option
@quiet_option
@max_tasks_option
@handle_errors
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
    html_path: Path | None,
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
      cssim compare scenarios/default.yaml scenarios/cfo_six.yaml --html eight_vs_six.html
    """
    check_output(output, (".csv", ".json", ".xlsx", ".html"))
    check_html(html_path)
    labels: list[str] = []
    first: Loaded | None = None
    plans: list[Any] = []
    inputs: list[str | Path] = list(scenarios)
    for path in scenarios:
        loaded = load_plan(path, overrides, quiet)
        inputs += loaded.inputs()
        first = first or loaded
        labels.append(path.stem)
        plans.append(loaded.scenario)
        for name, variant in load_variants(loaded).items():
            labels.append(f"{path.stem}:{name}")
            plans.append(variant)
    if len(plans) < 2:
        fail("error: compare needs two scenarios, or one with variants: in it")
    check_one_currency(labels, [p.currency for p in plans])
    check_output(output, (".csv", ".json", ".xlsx", ".html"), inputs)
    check_html(html_path, inputs)
    check_size(plans, quiet)
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
    assumptions = once(lambda: assumption_rows(plans[0], first))
    prov = run_provenance(base)
    pack = once(lambda: compare_pack(result, assumptions(), prov))
    from simulator.report.briefs import compare_brief  # matplotlib: only for a brief

    brief = once(lambda: compare_brief(result, plans[0].currency, assumptions(), prov, pack()))
    write_html(html_path, brief)
    emit(
        output,
        fmt,
        {
            "csv": lambda: compare_csv(result),
            "json": lambda: compare_json(result),
            "xlsx": pack,
            "html": page(brief),
        },
        lambda: compare_renderable(result, plans[0].currency),
        plans[0].currency,
        brief,
    )
