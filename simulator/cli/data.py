"""Reading the real book of business: analyze (the questions a VP asks) and calibrate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from simulator.cli.common import (
    FLAGS,
    TIMESHEET_FLAGS,
    check_charts,
    check_output,
    echo_lines,
    emit,
    fail,
    force_option,
    format_option,
    handle_errors,
    make_folder_for,
    money,
    output_option,
    print_warnings,
    quiet_option,
    render_error,
    stdout_console,
)
from simulator.cli.history import (
    ACTIVITY_FLAGS,
    activity_options,
    check_reasons,
    evidence_for,
    evidence_sheets,
    history_input,
    is_override_error,
    plan_input,
    with_evidence,
    with_evidence_json,
)
from simulator.errors import ScenarioError, render_text
from simulator.report.files import atomic_write
from simulator.report.saved import tidy_csv
from simulator.report.targets import check_file_target
from simulator.report.terminal import plain_text
from simulator.scenario.loader import load_text

if TYPE_CHECKING:
    from simulator.analysis.timesheet import TimesheetAnalysis

__all__ = ["analyze", "calibrate"]


_MAP_EXAMPLES = {
    "--map": "arr='Contract Value'",
    "--timesheet-map": "person='Full Name'",
    "--activities-map": "date='Activity Date'",
}
"""An example ``FIELD=COLUMN`` for each mapping option, naming one of its reader's fields."""


def _mapping(pairs: tuple[str, ...], option: str) -> dict[str, str] | None:
    """``FIELD=COLUMN`` options as a mapping (None when there are none)."""
    out: dict[str, str] = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            example = _MAP_EXAMPLES.get(option, "FIELD='Column Header'")
            fail(f"error: {option} {pair}: write FIELD=COLUMN, e.g. {option} {example}")
        out[field.strip()] = column.strip()
    return out or None


def _breaks(text: str | None) -> list[float] | None:
    """``--breaks 25000,100000`` (``k``/``M`` allowed) or ``tertiles``."""
    if text is None:
        return None
    if text.strip().lower() == "tertiles":
        return []
    values = [money(part, "--breaks") for part in text.split(",")]
    if sorted(values) != values or len(set(values)) != len(values):
        fail(f"error: --breaks {text}: give increasing ARR values, e.g. --breaks 25000,100000")
    return values


def _as_of(value: Any) -> Any:
    """The date of a ``--as-of`` datetime, or None."""
    return value.date() if value is not None else None


_AS_OF = click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date the list describes, YYYY-MM-DD (default: today).",
)

book_options = [
    click.option(
        "--map",
        "mapping",
        multiple=True,
        metavar="FIELD=COLUMN",
        help="Use COLUMN for FIELD when the header match misses it, e.g. --map "
        "arr='Contract Amount' (fields: see the README's customer-list columns; repeatable).",
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
"""How the customer list is read (every data command)."""

_FX = click.option(
    "--fx",
    "rates",
    multiple=True,
    metavar="CUR=RATE",
    help="Convert amounts in currency CUR at RATE (one CUR in the list's other currency), "
    "e.g. --fx EUR=1.08, for a list in several currencies (refused without; repeatable, "
    "or comma-separated: --fx EUR=1.08,GBP=1.27).",
)

data_options = [book_options[0], _AS_OF, *book_options[1:], _FX]
"""The list's options with --as-of, its date, and --fx (analyze and calibrate)."""


def _rates(pairs: tuple[str, ...]) -> dict[str, float] | None:
    """``--fx EUR=1.08`` options as exchange rates (None when there are none)."""
    out: dict[str, float] = {}
    # "--fx EUR=1.08,GBP=1.27" as the mixed-currency message writes it, or one per option
    for pair in (p for given in pairs for p in given.split(",") if p.strip()):
        code, _, rate = pair.partition("=")
        try:
            value = float(rate)
        except ValueError:
            value = float("nan")
        if not code.strip().isalpha() or not value > 0 or value == float("inf"):
            fail(f"error: --fx {pair}: write CUR=RATE with a positive rate, e.g. --fx EUR=1.08")
        key = code.strip().upper()
        if key in out:
            fail(f"error: --fx {pair}: a rate for {key} was already given; give each currency once")
        out[key] = value
    return out or None


def data_input_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by analyze and calibrate."""
    for option in reversed(data_options):
        fn = option(fn)
    return fn


def read_list(
    customers: Path,
    mapping: tuple[str, ...],
    dayfirst: bool | None,
    sheet: str | None,
    rates: tuple[str, ...] = (),
) -> Any:
    """Read the customer list with the --map, --dayfirst, --sheet and --fx options."""
    from simulator.data.customers import read_customers

    return read_customers(
        customers,
        mapping=_mapping(mapping, "--map"),
        dayfirst=dayfirst,
        sheet=sheet,
        rates=_rates(rates),
    )


def _read_book(
    customers: Path,
    mapping: tuple[str, ...],
    dayfirst: bool | None,
    sheet: str | None,
    as_of: Any,
    breaks: str | None,
    rates: tuple[str, ...] = (),
) -> tuple[Any, Any]:
    from simulator.analysis.book import analyze_book

    read = read_list(customers, mapping, dayfirst, sheet, rates)
    try:
        analysis = analyze_book(
            read.customers, _as_of(as_of), _breaks(breaks), read.currency or "USD"
        )
    except ValueError as exc:
        fail(f"error: {customers}: {_reason(exc)}")
    # the reports print these as they are: spell their hints as this command's options
    read.warnings = [render_text(w, FLAGS) for w in read.warnings]
    analysis.notes = [render_text(n, FLAGS) for n in analysis.notes]
    return read, analysis


def _reason(exc: ValueError) -> str:
    """The message of a library ValueError with its hints spelled as options."""
    return render_text(exc.args[0], FLAGS) if exc.args else str(exc)


@click.command()
@click.argument("customers", type=click.Path(path_type=Path, dir_okay=False))
@data_input_options
@activity_options
@output_option(
    "Also write FILE.csv or FILE.json (tidy measures) or FILE.xlsx (every table).",
)
@click.option(
    "--charts",
    "charts_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write the Pareto curve, value distribution, renewals by month, retention "
    "curves and churned ARR by reason to this directory (PNG and SVG).",
)
@force_option
@format_option
@handle_errors
def analyze(
    customers: Path,
    mapping: tuple[str, ...],
    as_of: Any,
    breaks: str | None,
    dayfirst: bool | None,
    sheet: str | None,
    rates: tuple[str, ...],
    activities: Path | None,
    activities_map: tuple[str, ...],
    activities_sheet: str | None,
    plan_path: Path | None,
    activity_map: tuple[str, ...],
    output: Path | None,
    charts_dir: Path | None,
    fmt: str,
) -> None:
    """Answer the questions a new VP asks of the customer list (CSV or xlsx).

    How many customers; the range, largest, smallest and average contract; tenure; the
    churned (how many, their average value); contract length; the 80/20 break in ARR and
    the value breaks in three; logo and dollar churn per year with 95% CIs; contract
    growth (and of the top 10%); renewals this month and in the next six; customers and
    their average age per lifecycle stage; Kaplan-Meier retention per segment; why
    customers churn, when the list has a churn-reason column (logos and ARR by reason
    and year, with its data quality flagged; evidence only, never fed to the model). Rows
    that cannot be used are counted with their reason. With --activities: the effects
    the activity history shows (coverage, late onboarding, responsiveness, expansion
    response), measured against the plan calibrate would write, with 95% intervals.

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

    if output is not None and output.resolve() == customers.resolve():
        fail(f"error: -o {output} is the customer list itself; write the measures to another file")
    inputs = [customers, *filter(None, [activities, plan_path])]
    check_output(output, (".csv", ".json", ".xlsx"), inputs)
    if activities is not None and output is not None and output.suffix.lower() == ".csv":
        click.echo(
            "note: the evidence from the activity history is written to .json and .xlsx "
            "outputs, not to the tidy CSV",
            err=True,
        )
    check_charts(charts_dir, inputs)
    read, analysis = _read_book(customers, mapping, dayfirst, sheet, as_of, breaks, rates)
    history = history_input(
        activities,
        activities_map,
        activity_map,
        dayfirst,
        fmt != "table",
        activities_sheet,
        customers,
    )
    plan = plan_input(plan_path, fmt != "table")
    evidence = evidence_for(analysis, read, str(customers), activities, history, plan)
    check_reasons(analysis, read, history)
    if charts_dir is not None:
        for path in write_charts(charts_dir, book_charts(analysis)):
            click.echo(f"wrote {path}", err=True)
    emit(
        output,
        fmt,
        {
            "csv": lambda: tidy_csv(book_rows(analysis)),
            "json": lambda: with_evidence_json(book_json(analysis, read), evidence),
            "xlsx": lambda: book_sheets(analysis, read) + evidence_sheets(evidence),
        },
        lambda: with_evidence(book_renderable(analysis, read), evidence),
    )


@click.command()
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
@activity_options
@data_input_options
@click.option(
    "--cost-per-csm",
    default=None,
    metavar="AMOUNT",
    help="Fully loaded annual cost of a CSM, e.g. 150k (default: $180k, docs/assumptions.md#staffing).",
)
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
@quiet_option
@handle_errors
def calibrate(
    customers: Path,
    output: Path,
    timesheet: Path | None,
    timesheet_map: tuple[str, ...],
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
    rates: tuple[str, ...],
    cost_per_csm: str | None,
    force: bool,
    quiet: bool,
) -> None:
    """Write a scenario that starts from the real book of business.

    Segments come from the segment column, or from value breaks (--breaks; tertiles when
    the list has no segment column). Accounts are the real ones (ARR, renewal date,
    stage) in NAME_accounts.csv; churn and expansion come from the data (95% CIs in
    comments); the engagement model starts from the default plan's segment of the same
    value rank, or from the timesheet when one is given. With --activities, the effects
    the history identifies (coverage, late onboarding, responsiveness, expansion response)
    are fitted by maximum likelihood and written with their 95% intervals, also as the
    uncertain inputs of 'cssim decide'; the others keep the plan's values, with the
    reason. The scenario is validated before anything is written.

    \b
    Example:
      cssim calibrate scenarios/data/customers.csv --timesheet scenarios/data/timesheet.csv \\
                      --as-of 2026-10-31 -o plans/calibrated.yaml
      cssim estimate plans/calibrated.yaml && cssim run plans/calibrated.yaml
      cssim calibrate scenarios/data/history/customers.csv \\
                      --activities scenarios/data/history/activities.csv -o plans/fitted.yaml
    """
    from simulator.analysis.calibrate import calibrate as build
    from simulator.report.book import read_report_lines

    inputs = [p for p in (timesheet, activities, plan_path) if p is not None]
    accounts_path = _calibrate_targets(customers, output, inputs, force)
    read, analysis = _read_book(customers, mapping, dayfirst, sheet, as_of, breaks, rates)
    if not quiet:
        echo_lines(read_report_lines(read))
    ts = None
    if timesheet is not None:
        ts = _timesheet_analysis(timesheet, timesheet_map, dayfirst, read, analysis, quiet)
    cost = money(cost_per_csm, "--cost-per-csm") if cost_per_csm is not None else None
    history = history_input(
        activities, activities_map, activity_map, dayfirst, quiet, activities_sheet, customers
    )
    try:
        result = build(
            analysis,
            read.customers,
            str(customers),
            accounts_path.name,
            ts,
            cost,
            history,
            plan_input(plan_path, quiet),
        )
    except ValueError as exc:
        fail(f"error: {activities if is_override_error(exc) else customers}: {_reason(exc)}")
    if result.evidence is not None and not quiet:
        from simulator.report.effects import effects_renderable

        stdout_console().print(effects_renderable(result.evidence, ACTIVITY_FLAGS))
    # the accounts file first, then the scenario validated as it will be read; on any
    # failure neither file is left behind
    atomic_write(accounts_path, tidy_csv(result.accounts_rows))
    try:
        loaded = load_text(result.yaml_text, str(output), base_dir=output.parent)
        atomic_write(output, result.yaml_text)
    except BaseException:
        accounts_path.unlink(missing_ok=True)
        raise
    echo_lines("note: " + w for w in result.notes)
    print_warnings([w for w in loaded.warnings if "accounts read from" not in w.message], quiet)
    click.echo(f"wrote {output} and {accounts_path}", err=True)
    click.echo(f"next: cssim estimate {output} && cssim run {output}", err=True)


def _calibrate_targets(
    customers: Path, output: Path, extra_inputs: list[Path], force: bool
) -> Path:
    """Refuse unwritable outputs before any work; the accounts file's path."""
    if output.suffix.lower() not in (".yaml", ".yml"):
        fail(f"error: -o {output}: the output is a scenario; use a .yaml file name")
    accounts_path = output.with_name(f"{output.stem}_accounts.csv")
    inputs = [customers, *extra_inputs]
    for source in inputs:
        if accounts_path.resolve() == source.resolve():
            fail(
                f"error: -o {output}: its accounts file {accounts_path} is an input of this run "
                f"({source}); choose another -o name"
            )
    make_folder_for(output, f"-o {output}: ")  # as cssim init makes one
    for path in (output, accounts_path):
        check_file_target("output", path, None, inputs, force=force, role="the scenario")
    return accounts_path


def _timesheet_analysis(
    timesheet: Path,
    timesheet_map: tuple[str, ...],
    dayfirst: bool | None,
    read: Any,
    analysis: Any,
    quiet: bool,
) -> TimesheetAnalysis:
    """Read and analyse the timesheet against the book's segments (warnings unless quiet)."""
    from simulator.analysis.book import account_segments
    from simulator.analysis.timesheet import analyze_timesheet
    from simulator.data.timesheet import read_timesheet
    from simulator.report.book import read_report_lines

    try:
        entries = read_timesheet(
            timesheet, mapping=_mapping(timesheet_map, "--timesheet-map"), dayfirst=dayfirst
        )
    except ScenarioError as exc:
        # the reader's hints name its ``mapping``: here that is --timesheet-map
        fail(render_error(exc, TIMESHEET_FLAGS))
    seg_of = account_segments(read.customers, analysis)
    counts = {name: s.active for name, s in analysis.segments.items()}
    try:
        ts = analyze_timesheet(entries.entries, seg_of, counts)
    except ValueError as exc:
        fail(f"error: {timesheet}: {_reason(exc)}")
    if quiet:
        return ts
    echo_lines(read_report_lines(entries, "timesheet entries"), TIMESHEET_FLAGS)
    if ts.unknown_accounts:
        unknown = sorted(
            {
                str(e.account)
                for e in entries.entries
                if e.account and seg_of(str(e.account)) is None
            }
        )
        click.echo(
            plain_text(
                f"warning: {ts.unknown_accounts:,} customer entries name accounts that are "
                f"not in the customer list (by ID or name): {', '.join(unknown[:5])}"
                + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
                + "; their hours count in the totals but in no segment"
            ),
            err=True,
        )
    return ts
