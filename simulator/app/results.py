"""What "Simulate" and the downloads give: the run, its frontier, the sentence, the brief.

:func:`simulate` runs the edited scenario as ``cssim run -n R`` would (every segment,
``R`` replications) and the shown team's headcount frontier on the same replications,
reporting progress across both; :meth:`Simulated.brief` is that run's decision brief,
built by :func:`simulator.report.briefs.run_brief` and rendered by
:func:`simulator.report.brief.brief_html` as ``cssim run --html`` does.
:func:`decision_sentence` says what the frontier says; :func:`scenario_yaml` is the
edited scenario as a file.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.analysis.analytic import estimate
from simulator.analysis.experiment import Experiment, run_experiment
from simulator.analysis.frontier import default_headcounts, frontier
from simulator.app.model import edited
from simulator.report.assumptions import assumption_rows
from simulator.report.brief import brief_html
from simulator.report.briefs import run_brief
from simulator.report.formatting import money, pct
from simulator.report.saved import provenance
from simulator.scenario.loader import Loaded, load_text
from simulator.scenario.model import Scenario
from simulator.scenario.yamlsource import dump_yaml

__all__ = [
    "DEFAULT_ON_TIME",
    "Simulated",
    "decision_sentence",
    "run_command",
    "scenario_yaml",
    "simulate",
]

DEFAULT_ON_TIME = 0.9
"""On-time share the quick decision asks for when the team's segments set no target."""


@dataclass(frozen=True)
class Simulated:
    """One press of "Simulate": the edited scenario's run and one team's frontier."""

    loaded: Loaded
    """The edited scenario that was simulated."""
    overrides: tuple[str, ...]
    """The overrides that made it (a brief is offered only while they still hold)."""
    team: str
    experiment: Experiment
    rows: list[dict[str, Any]]
    """Frontier rows of ``team`` (:func:`simulator.analysis.frontier.frontier`)."""
    sentence: str
    """:func:`decision_sentence` of the rows."""
    command: tuple[str, ...]
    """The ``cssim run`` command line that repeats the run (:func:`run_command`)."""

    def brief(self) -> str:
        """The run's decision brief: one self-contained HTML page (as ``cssim run --html``)."""
        exp = self.experiment
        s = exp.scenario
        prov = provenance(s, exp.root_seed, exp.replications, exp.precision, list(self.command))
        return brief_html(run_brief(exp, prov, assumption_rows(s, self.loaded), self.rows))


def run_command(
    path: str | Path | None, overrides: Sequence[str], replications: int
) -> tuple[str, ...]:
    """``cssim run [SCENARIO] -n R --set ...``: the command line of the same run."""
    head = ["cssim", "run", *([str(path)] if path is not None else []), "-n", str(replications)]
    return tuple(head + [x for o in overrides for x in ("--set", o)])


def simulate(
    path: str | Path | None,
    overrides: Sequence[str],
    team: str,
    replications: int,
    progress: Callable[[int, int], None] | None = None,
) -> Simulated:
    """Run the edited scenario and ``team``'s frontier, in this thread.

    Parameters
    ----------
    path
        Scenario file (the bundled default when None).
    overrides
        Every override in force (the explorer's start and its edits).
    team
        The team whose headcount frontier is simulated.
    replications
        Replications of the run and of each headcount (common random numbers).
    progress
        Called as ``progress(done, total)`` after each replication of either.

    Raises
    ------
    ScenarioError
        When the edited scenario does not load.
    """
    loaded = edited(path, overrides)
    s = loaded.scenario
    heads = list(default_headcounts(s, team))
    total = replications * (1 + len(heads))

    def tick(offset: int) -> Callable[[int, int], None]:
        def report(done: int, _: int) -> None:
            if progress is not None:
                progress(offset + done, total)

        return report

    exp = run_experiment(s, replications, None, tick(0), jobs=1)
    rows = frontier(s, team, heads, replications, exp.root_seed, None, tick(replications))
    need = estimate(s).team(team).csms_needed
    return Simulated(
        loaded=loaded,
        overrides=tuple(overrides),
        team=team,
        experiment=exp,
        rows=rows,
        sentence=decision_sentence(rows, s, team, need, replications),
        command=run_command(path, overrides, replications),
    )


def _target_mins(s: Scenario, team: str) -> dict[str, float]:
    """The strictest ``min`` of GRR and on-time targets across the team's segments."""
    mins: dict[str, float] = {}
    for seg in s.segments_of(team):
        tg = s.segments[seg].targets
        for metric, target in (("grr", tg.grr), ("on_time_share", tg.on_time_coverage)):
            if target is not None and target.min is not None:
                mins[metric] = max(mins.get(metric, 0.0), target.min)
    mins.setdefault("on_time_share", DEFAULT_ON_TIME)
    return mins


def decision_sentence(
    rows: Sequence[dict[str, Any]], s: Scenario, team: str, closed_form: int, replications: int
) -> str:
    """What the quick frontier says: the fewest CSMs whose mean meets the team's targets.

    Parameters
    ----------
    rows
        Frontier rows of ``team`` (:func:`simulator.analysis.frontier.frontier`).
    s
        The edited scenario the rows were simulated from.
    closed_form
        CSMs the closed form needs.
    replications
        Replications per headcount (said in the sentence: a quick look is not a solve).
    """
    mins = _target_mins(s, team)
    rows = sorted(rows, key=lambda r: r["csms"])
    wants = " and ".join(
        f"{'GRR' if m == 'grr' else 'on-time touches'} >= {pct(v, 0)}" for m, v in mins.items()
    )
    ok = [r for r in rows if all(r[m] >= v for m, v in mins.items())]
    current = s.all_teams()[team].csms
    cur = s.currency
    head = f"{team}: by hours you need {closed_form} CSMs (closed form)"
    if not ok:
        return (
            f"{head}; no headcount from {rows[0]['csms']} to {rows[-1]['csms']} reaches "
            f"{wants} on average in {replications} replications."
        )
    pick = ok[0]
    text = (
        f"{head}; simulated, {pick['csms']} is the fewest that reach {wants} on average "
        f"(GRR {pct(pick['grr'])}, on time {pct(pick['on_time_share'], 0)}, people cost "
        f"{money(pick['people_cost'], cur)} a year)"
    )
    below = next((r for r in rows if r["csms"] == pick["csms"] - 1), None)
    if below is not None:
        text += (
            f"; {below['csms']} saves {money(pick['people_cost'] - below['people_cost'], cur)} "
            f"and gives on time {pct(below['on_time_share'], 0)}, GRR {pct(below['grr'])}"
        )
    text += f"; the plan has {current}."
    return (
        text
        + f" A quick look at {replications} replications; 'cssim solve' gives the answer with confidence."
    )


def scenario_yaml(path: str | Path | None, overrides: Sequence[str]) -> str:
    """The edited scenario as a YAML file that loads as it stands.

    The file's data (its ``extends`` chain merged) with the overrides written in; a header
    says where it came from and which edits were made. Checked by loading it back.
    """
    loaded = edited(path, overrides)
    data = {k: v for k, v in loaded.data.items() if k != "extends"}
    origin = " + ".join(loaded.files) or "the bundled default scenario"
    header = [f"# edited in 'cssim app' from {origin}"]
    header += [f"#   --set {shlex.quote(o)}".replace("\n", "\n#   ") for o in overrides] or [
        "#   (no edits)"
    ]
    text = "\n".join(header) + "\n" + dump_yaml(data)
    base = Path(loaded.files[0]).parent if loaded.files else None
    load_text(text, "edited.yaml", base_dir=base)  # raises if it would not load
    return text
