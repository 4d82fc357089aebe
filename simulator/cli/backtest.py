"""Proving (or disproving) the model on a held-out period: backtest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from simulator.analysis.executors import executor
from simulator.cli.brief_option import check_html, html_option, once, page, write_html
from simulator.cli.common import (
    check_charts,
    check_output,
    emit,
    fail,
    force_option,
    format_option,
    handle_errors,
    output_option,
    quiet_option,
    runner_options,
)
from simulator.cli.data import _breaks, _reason, book_options
from simulator.cli.history import (
    activity_options,
    activity_overrides,
    plan_input,
    read_activity_log,
)
from simulator.cli.limits import max_tasks, max_tasks_option
from simulator.report.progress import progress_bar
from simulator.report.saved import tidy_csv

__all__ = ["backtest_command"]


def list_options(fn: Any) -> Any:
    """The customer-list options of analyze but --as-of (here the backtest date)."""
    for option in reversed(book_options):
        fn = option(fn)
    return fn


@click.command("backtest")
@click.argument("customers", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--as-of",
    "at",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The backtest date, YYYY-MM-DD: calibrate on the history up to it, predict after it.",
)
@click.option(
    "--list-date",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date the customer list describes, YYYY-MM-DD (default: today); the held-out "
    "period must end by then.",
)
@click.option(
    "--horizon-days",
    type=click.IntRange(30, 3650),
    default=365,
    show_default=True,
    help="Length of the held-out period (days).",
)
@click.option(
    "-n",
    "--replications",
    type=click.IntRange(20, 10_000),
    default=200,
    show_default=True,
    help="Replications, each with its own draw of the fitted effects.",
)
@activity_options
@list_options
@runner_options
@output_option(
    "Also write FILE.csv or FILE.json (checks, deciles, scores), FILE.xlsx, or FILE.html "
    "(the decision brief, as --html)."
)
@html_option
@click.option(
    "--charts",
    "charts_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write the calibration plot and the retention intervals to this directory.",
)
@force_option
@format_option
@quiet_option
@max_tasks_option
@handle_errors
def backtest_command(
    customers: Path,
    at: Any,
    horizon_days: int,
    replications: int,
    activities: Path | None,
    activities_map: tuple[str, ...],
    activities_sheet: str | None,
    plan_path: Path | None,
    activity_map: tuple[str, ...],
    mapping: tuple[str, ...],
    as_of: Any,
    breaks: str | None,
    dayfirst: bool | None,
    sheet: str | None,
    seed: int | None,
    jobs: int | None,
    dask: str | None,
    output: Path | None,
    html_path: Path | None,
    charts_dir: Path | None,
    fmt: str,
    quiet: bool,
) -> None:
    """Calibrate on the history up to --as-of, simulate what followed, compare with it.

    The book as it stood on --as-of (its accounts, ARR, renewal dates and, when the history
    names owners, the CSMs active in the 90 days before) is calibrated from the customer
    list and the activity history up to that date only, then simulated over the next
    --horizon-days, each replication drawing the fitted effects from their uncertainty.
    Reported per segment: churned logos and ARR, GRR and NRR, predicted (90% interval)
    against actual; each account's predicted churn by decile against what happened; the
    Brier score against each segment's historical churn rate. --list-date is the date
    the customer list describes (default today).

    \b
    Example:
      cssim backtest scenarios/data/history/customers.csv \\
        --activities scenarios/data/history/activities.csv --as-of 2025-10-31 \\
        --list-date 2026-10-31
    """
    from simulator.analysis.backtest import backtest
    from simulator.cli.data import read_list
    from simulator.report.backtest import (
        backtest_charts,
        backtest_json,
        backtest_renderable,
        backtest_rows,
        backtest_sheets,
    )
    from simulator.report.charts import write_charts

    if activities is None:
        fail("error: backtest needs --activities FILE (the activity history to calibrate on)")
    inputs = [customers, activities, *filter(None, [plan_path])]
    check_output(output, (".csv", ".json", ".xlsx", ".html"), inputs)
    check_html(html_path, inputs)
    check_charts(charts_dir, inputs)
    # the list is analysed as of the backtest date (in backtest()); here only read
    read = read_list(customers, mapping, dayfirst, sheet)
    list_date = as_of.date() if as_of is not None else dt.date.today()
    plan = plan_input(plan_path, quiet)
    log = read_activity_log(
        activities, activities_map, dayfirst, quiet or fmt != "table", activities_sheet, customers
    )
    with executor(jobs, dask) as ex, progress_bar("replications", quiet) as progress:
        try:
            result = backtest(
                read.customers,
                log.activities,
                at.date(),
                list_date,
                horizon_days,
                replications,
                activity_overrides(activity_map),
                _breaks(breaks),
                seed if seed is not None else 1,
                ex,
                progress,
                plan,
                max_tasks(),
            )
        except ValueError as exc:
            fail(f"error: {customers}: {_reason(exc)}")
    if charts_dir is not None:
        for path in write_charts(charts_dir, backtest_charts(result)):
            click.echo(f"wrote {path}", err=True)
    from simulator.report.briefs_plan import backtest_brief

    pack = once(lambda: backtest_sheets(result))
    brief = once(lambda: backtest_brief(result, pack()))
    write_html(html_path, brief)
    emit(
        output,
        fmt,
        {
            "html": page(brief),
            "csv": lambda: tidy_csv(backtest_rows(result)),
            "json": lambda: backtest_json(result),
            "xlsx": pack,
        },
        lambda: backtest_renderable(result),
        brief=brief,
    )
