"""Planning headcount: solve (fewest CSMs for the targets), tradeoff and hire."""

from __future__ import annotations

from pathlib import Path

import click

from simulator.analysis.executors import executor
from simulator.analysis.hire import hiring_plan
from simulator.analysis.solve import solve_headcount
from simulator.analysis.solve_value import solve_value
from simulator.analysis.tradeoff import tradeoff
from simulator.analysis.tradeoff_plan import plan_yaml
from simulator.analysis.workload import team_csms_path
from simulator.cli.brief_option import check_html, html_option, once, page, write_html
from simulator.cli.common import (
    check_output,
    emit,
    experiment_options,
    fail,
    force_option,
    forced,
    format_option,
    handle_errors,
    load_plan,
    money,
    output_kind,
    output_option,
    overrides_option,
    quiet_option,
    scenario_argument,
    stderr_console,
)
from simulator.cli.limits import check_size, max_tasks_option
from simulator.cli.tradeoff_options import ALLOW, rules_from_options, tradeoff_options
from simulator.report.assumptions import assumption_rows
from simulator.report.briefs_plan import hire_brief, solve_brief, tradeoff_brief
from simulator.report.files import atomic_write
from simulator.report.hire import hire_csv, hire_json, hire_renderable
from simulator.report.progress import progress_bar
from simulator.report.saved import provenance
from simulator.report.solve import solve_csv, solve_json, solve_pack, solve_renderable
from simulator.report.targets import check_file_target
from simulator.report.tradeoff import (
    tradeoff_csv,
    tradeoff_json,
    tradeoff_pack,
    tradeoff_renderable,
)
from simulator.scenario.loader import Loaded, load
from simulator.scenario.targets import target_overrides

__all__ = ["hire", "solve", "tradeoff_command"]


def _check_team(loaded: Loaded, team: str) -> None:
    """Refuse an unknown ``--team`` or one that serves no segment."""
    teams = loaded.scenario.all_teams()
    if team not in teams:
        fail(f"error: --team {team}: no such team; teams: {', '.join(teams)}")
    if not loaded.scenario.segments_of(team):
        fail(f"error: --team {team}: no segment is served by this team; nothing to trade off")


def _offered_csms(csms: int | None, budget: str | None, cost: float) -> int:
    """The headcount on offer: ``--csms``, or what ``--budget`` buys at ``cost`` a CSM."""
    if budget is not None:
        amount = money(budget, "--budget")
        csms = int(amount // cost) if cost else 0
        if csms < 1:
            fail(
                f"error: --budget {budget} buys no CSM at {cost:,.0f} a year each; give at "
                f"least {cost:,.0f}"
            )
    if csms is None:
        fail("error: give --csms or --budget (one of them)")
    if csms < 1:
        fail("error: --csms must be at least 1")
    return csms


@click.command()
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
@click.option(
    "--value/--no-value",
    default=True,
    show_default=True,
    help="Also find every team's headcount that maximises expected net value, with the "
    "marginal value of each CSM (economics: in the scenario).",
)
@overrides_option
@output_option(
    "Also write FILE.csv or FILE.json (one row per team), FILE.xlsx (the pack: "
    "answer, targets, every headcount tried, assumptions, provenance), or FILE.html (the "
    "decision brief, as --html).",
)
@html_option
@force_option
@format_option
@quiet_option
@max_tasks_option
@handle_errors
def solve(
    scenario: Path | None,
    replications: int,
    seed: int | None,
    precision: float | None,
    max_replications: int,
    jobs: int | None,
    dask: str | None,
    targets: tuple[str, ...],
    value: bool,
    overrides: tuple[str, ...],
    output: Path | None,
    html_path: Path | None,
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
      cssim solve -n 20 --html headcount.html
    """
    check_output(output, (".csv", ".json", ".xlsx", ".html"))
    check_html(html_path)
    extra = [o for t in targets for o in target_overrides(t, f"--target {t}")]
    loaded = load_plan(scenario, (*overrides, *extra), quiet)
    check_output(output, (".csv", ".json", ".xlsx", ".html"), loaded.inputs())
    check_html(html_path, loaded.inputs())
    check_size(loaded.scenario, quiet)
    with executor(jobs, dask) as ex:
        err = stderr_console()
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
        values = []
        if value:
            for team in loaded.scenario.all_teams():
                if not loaded.scenario.segments_of(team):
                    continue
                if show:
                    err.print(f"\r{team}: headcount on value", end="")
                values.append(solve_value(loaded, team, replications, seed, ex))
        if show:
            err.print()
    if not solutions and not values:
        fail(
            "error: no segment has targets; add segments.NAME.targets to the scenario or use "
            "--target, or drop --no-value to get each team's headcount on value"
        )
    s = loaded.scenario
    reps = max((x.replications for x in solutions), default=replications)
    prov = provenance(s, s.seed if seed is None else seed, reps)

    assumptions = once(lambda: assumption_rows(s, loaded))
    pack = once(lambda: solve_pack(solutions, assumptions(), prov))
    brief = once(
        lambda: solve_brief(
            solutions, values, s, assumptions(), prov, pack() if solutions else None
        )
    )
    write_html(html_path, brief)
    emit(
        output,
        fmt,
        {
            "csv": lambda: solve_csv(solutions),
            "json": lambda: solve_json(solutions, values, s.currency),
            "xlsx": pack,
            "html": page(brief),
        },
        lambda: solve_renderable(solutions, s.currency, values),
        s.currency,
        brief,
    )


@click.command(name="tradeoff")
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
@tradeoff_options
@overrides_option
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the recommended plan as a scenario file (.yaml) that extends the input, "
    "the Excel pack (.xlsx: plan, candidates and exclusions, frontier, assumptions, "
    "provenance) and/or the decision brief (.html, as --html); repeatable.",
)
@html_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="What to print on stdout (csv: the plan, its rivals, every candidate change and "
    "the exclusions; json: also the verdict and the rules).",
)
@force_option
@quiet_option
@max_tasks_option
@handle_errors
def tradeoff_command(
    scenario: Path | None,
    team: str,
    csms: int | None,
    budget: str | None,
    allow: tuple[str, ...],
    keep: tuple[str, ...],
    high_touch_arr: str | None,
    replications: int,
    seed: int | None,
    max_replications: int,
    jobs: int | None,
    dask: str | None,
    overrides: tuple[str, ...],
    outputs: tuple[Path, ...],
    html_path: Path | None,
    fmt: str,
    quiet: bool,
) -> None:
    """Fit a team's engagement model to fewer CSMs at the least loss of net value.

    Tries every single change to the team's segments (cut, halve, move to 1:many or
    automate a touchpoint; route more inbound to support) that the rules allow, and
    scores each by net value per CSM hour freed: simulated at the offered headcount on
    common random numbers against today's plan at today's headcount, so the score is the
    retention value (net of automation and support cost) a change loses per hour it
    frees. Hours freed are the closed form's, split into scheduled hours and the ad hoc
    work tied to them (unscheduled_uplift), plus inbound requests routed to support.

    A greedy search (from each of the five best changes) builds plans that fit the
    offered headcount; the pick is the highest expected net value among them and the
    single changes that fit. Replications are doubled for the pick and its rivals until
    the paired 95% CI of their net-value difference excludes 0, or --max-replications:
    then the report says they cannot be told apart and breaks the tie by fewer changes,
    then more hours freed.

    Rules (lift with --allow): renewals and EBRs of high-touch segments (dedicated
    coverage, ARR per account at least --high-touch-arr) are not cut, halved or
    automated; implementation and onboarding touches are not moved to 1:many; a renewal
    is never a 1:many session. The report lists what the rules left out.

    \b
    Example:
      cssim tradeoff --team top --csms 6
      cssim tradeoff scenarios/default.yaml --team top --budget 1.1M -o top_at_6.yaml
      cssim tradeoff --team top --csms 6 --keep qbr --allow onboarding-one-to-many
      cssim tradeoff --team top --csms 6 -o top_at_6.yaml -o top_at_6.xlsx
      cssim tradeoff --team top --csms 6 --html top_at_6.html
    """
    if (csms is None) == (budget is None):
        fail("error: give --csms or --budget (one of them)")
    for out in outputs:
        check_output(out, (".yaml", ".yml", ".xlsx", ".html"))
    check_html(html_path)
    output = next((o for o in outputs if o.suffix.lower() in (".yaml", ".yml")), None)
    xlsx = next((o for o in outputs if o.suffix.lower() == ".xlsx"), None)
    pages = [o for o in outputs if output_kind(o) == "html"] + ([html_path] if html_path else [])
    max_replications = max(max_replications, replications)
    loaded = load_plan(scenario, overrides, quiet)
    _check_team(loaded, team)
    rules = rules_from_options(loaded, team, allow, keep, high_touch_arr)
    for out in outputs:
        check_file_target("output", out, None, loaded.inputs(), force=forced(), role="the plan")
    check_html(html_path, loaded.inputs())
    csms = _offered_csms(csms, budget, loaded.scenario.all_teams()[team].annual_cost_per_csm)
    check_size(loaded.scenario, quiet)
    # the candidates are simulated at the offered headcount: size that plan too
    offered = f"{team_csms_path(loaded.scenario, team)}={csms}"
    check_size(load(scenario, (*overrides, offered)).scenario, quiet)
    with (
        executor(jobs, dask) as ex,
        progress_bar("candidate changes x replications", quiet) as progress,
    ):
        # positional: the library's order (rules and the cap after the frontier)
        result = tradeoff(
            loaded, team, csms, replications, seed, ex, progress, None, rules, max_replications
        )
    if output is not None:
        text = plan_yaml(
            loaded,
            result,
            team,
            csms,
            output,
            overrides,
            f"cssim tradeoff --team {team} --csms {csms}",
        )
        if text is not None:
            atomic_write(output, text)
            click.echo(f"wrote {output}", err=True)
    s = loaded.scenario
    hints = {field: f"--allow {value}" for value, field in ALLOW.items()}
    hints["keep"] = "drop its --keep"
    prov = provenance(s, s.seed if seed is None else seed, replications)
    assumptions = once(lambda: assumption_rows(s, loaded))
    pack = once(lambda: tradeoff_pack(result, assumptions(), prov, s.currency))
    brief = once(lambda: tradeoff_brief(result, s.currency, assumptions(), prov, pack()))
    for html_page in pages:
        write_html(html_page, brief)
    emit(
        xlsx,
        fmt,
        {
            "csv": lambda: tradeoff_csv(result),
            "json": lambda: tradeoff_json(result, s.currency),
            "xlsx": pack,
        },
        lambda: tradeoff_renderable(result, s.currency, hints),
        s.currency,
        brief,
    )


@click.command()
@scenario_argument
@click.option("--team", default=None, help="One team (default: every team).")
@overrides_option
@output_option(
    "Also write FILE.csv or FILE.json (requisitions and months), FILE.html (the "
    "decision brief, as --html) or FILE.xlsx (an Excel pack that opens on the brief).",
)
@html_option
@force_option
@format_option
@quiet_option
@handle_errors
def hire(
    scenario: Path | None,
    team: str | None,
    overrides: tuple[str, ...],
    output: Path | None,
    html_path: Path | None,
    fmt: str,
    quiet: bool,
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
      cssim hire --html hiring.html
    """
    check_output(output, (".csv", ".json", ".html", ".xlsx"))
    check_html(html_path)
    loaded = load_plan(scenario, overrides, quiet)
    check_output(output, (".csv", ".json", ".html", ".xlsx"), loaded.inputs())
    check_html(html_path, loaded.inputs())
    s = loaded.scenario
    names = [t for t in s.all_teams() if s.segments_of(t)]
    if team is not None:
        if team not in names:
            fail(f"error: --team {team}: no such team; teams: {', '.join(names)}")
        names = [team]
    plans = [hiring_plan(s, t) for t in names]
    brief = once(lambda: hire_brief(plans, s.currency, s.name))
    write_html(html_path, brief)
    emit(
        output,
        fmt,
        {
            "csv": lambda: hire_csv(plans),
            "json": lambda: hire_json(plans),
            "html": page(brief),
            "xlsx": lambda: list(brief().sheets),
        },
        lambda: hire_renderable(plans, s.currency),
        s.currency,
        brief,
    )
