"""Scenario commands: validate, schema, init, show and estimate (no simulation)."""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import replace
from importlib import resources
from pathlib import Path

import click

from simulator.analysis.analytic import estimate as closed_form
from simulator.cli.common import (
    EXIT_BAD_INPUT,
    FLAGS,
    fail,
    handle_errors,
    load_plan,
    make_folder_for,
    output_option,
    overrides_option,
    print_warnings,
    quiet_option,
    scenario_argument,
    stdout_console,
)
from simulator.errors import Issue, ScenarioError, render_text
from simulator.report.estimate import estimate_csv, estimate_json, estimate_renderable
from simulator.report.files import atomic_write
from simulator.report.targets import check_file_target
from simulator.report.terminal import plain_text
from simulator.scenario.loader import Loaded, check_variants, load
from simulator.scenario.schema import is_schema_file, schema_text
from simulator.scenario.yamlsource import dump_yaml

__all__ = ["estimate", "init", "schema", "show", "validate"]


@click.command()
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
            click.echo(plain_text(f"error: {f}: {exc.render(FLAGS)}"), err=True)
            continue
        variants, failures = check_variants(loaded)
        for _, problem in failures:
            click.echo(plain_text(f"error: {f}: {problem.render(FLAGS)}"), err=True)
        warnings = [*loaded.warnings, *_variant_warnings(loaded, variants)]
        print_warnings(warnings, quiet)
        if failures or (strict and warnings):
            failed = True
        if failures:
            continue
        s = loaded.scenario
        n_touch = sum(len(seg.touchpoints) for seg in s.segments.values())
        also = f", {len(variants)} variants" if variants else ""
        click.echo(
            plain_text(
                f"ok: {f} ({len(s.segments)} segments, {len(s.all_teams())} teams, "
                f"{n_touch} touchpoint types{also}, {len(warnings)} warnings)"
            )
        )
    if failed:
        sys.exit(EXIT_BAD_INPUT)


def _variant_warnings(loaded: Loaded, variants: dict[str, Loaded]) -> list[Issue]:
    """The warnings a variant adds to the file's own, each naming its variant."""
    seen = {w.render() for w in loaded.warnings}
    out: list[Issue] = []
    for name, variant in variants.items():
        for w in variant.warnings:
            if w.render() not in seen:
                seen.add(w.render())
                out.append(replace(w, message=f"in variant {name!r}: {render_text(w.message)}"))
    return out


@click.command()
@output_option(
    "Write to this file instead of stdout (a .json file; an existing file is replaced "
    "only when it is a cssim schema, or with --force).",
)
@click.option("--force", is_flag=True, help="Replace an existing -o file that is not a schema.")
@handle_errors
def schema(output: Path | None, force: bool) -> None:
    """Print the JSON Schema of scenario files (for editor autocompletion).

    Point your editor at it with a first line such as
    '# yaml-language-server: $schema=cssim.schema.json'.

    \b
    Example:
      cssim schema -o cssim.schema.json
    """
    if output is not None:
        # without --force only cssim's own schema is replaced: never a link (broken or not)
        there = output.exists() or output.is_symlink()
        replace = force or not there or (not output.is_symlink() and is_schema_file(output))
        check_file_target("output", output, (".json",), force=None if replace else False)
    text = schema_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write(output, text)
        click.echo(f"wrote {output}", err=True)


@click.command()
@click.argument(
    "path", required=False, default="scenario.yaml", type=click.Path(path_type=Path, dir_okay=False)
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--no-schema", is_flag=True, help="Do not write cssim.schema.json next to it.")
@handle_errors
def init(path: Path, force: bool, no_schema: bool) -> None:
    """Write a commented starter scenario to PATH (default scenario.yaml).

    Also writes cssim.schema.json beside it (unless present) so editors autocomplete.

    \b
    Example:
      cssim init plans/fy27.yaml && cssim estimate plans/fy27.yaml
    """
    if path.exists() and not force:
        fail(f"error: {path} already exists; pass --force to overwrite it or choose another path")
    if path.suffix.lower() not in (".yaml", ".yml"):  # before any folder is made
        fail(f"error: {path}: a scenario is YAML; use a file name ending in .yaml or .yml")
    make_folder_for(path)  # a new plan's folder (plans/fy27.yaml)
    check_file_target("path", path, force=force)  # a broken link too needs --force
    text = (resources.files("simulator.scenario") / "starter.yaml").read_text(encoding="utf-8")
    atomic_write(path, text)
    click.echo(f"wrote {path}", err=True)
    schema_path = path.parent / "cssim.schema.json"
    if not no_schema and not (schema_path.exists() or schema_path.is_symlink()):
        atomic_write(schema_path, schema_text())
        click.echo(f"wrote {schema_path}", err=True)
    click.echo(f"next: cssim validate {path} && cssim estimate {path}", err=True)


@click.command()
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
@handle_errors
def show(scenario: Path | None, overrides: tuple[str, ...], fmt: str, quiet: bool) -> None:
    """Print the resolved scenario: extends merged, overrides applied, defaults filled in.

    \b
    Example:
      cssim show scenarios/cfo_six.yaml --set segments.top.team.csms=7
    """
    loaded = load_plan(scenario, overrides, quiet)
    data = loaded.scenario.model_dump(mode="json", exclude={"extends"})
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
    else:
        origin = " + ".join(loaded.files) if loaded.files else "scenario"
        header = f"# resolved from {origin}"
        if overrides:
            # every line of an override is a comment line: a value may hold newlines
            shown = " ".join(shlex.quote(o) for o in overrides).replace("\n", "\n#   ")
            header += "\n# overrides: " + shown
        click.echo(header + "\n" + dump_yaml(data), nl=False)


@click.command()
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
@handle_errors
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
    loaded = load_plan(scenario, overrides, quiet)
    est = closed_form(loaded.scenario)
    if fmt == "json":
        click.echo(estimate_json(est), nl=False)
    elif fmt == "csv":
        click.echo(estimate_csv(est, detail), nl=False)
    else:
        stdout_console().print(estimate_renderable(est, detail))
