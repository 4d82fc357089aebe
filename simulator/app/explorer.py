"""The explorer's page and server, in Shiny for Python.

One team at a time: its CSMs, the support share of its segments' inbound requests, and
any one of its touchpoints, with the controls its trigger kind and channel take
(:mod:`simulator.app.controls`). The closed form is recomputed on every change;
"Simulate" runs the edited scenario and the team's frontier in a worker thread with a
progress bar, and offers that run's decision brief until the plan is edited again.
"""

from __future__ import annotations

import asyncio
import shlex
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from shiny import App, Inputs, Outputs, Session, reactive, render, req, ui
from shiny.types import ImgData

from simulator.analysis.analytic import estimate
from simulator.app.controls import (
    CHANNEL_LABELS,
    channel_controls,
    collect_edits,
    team_controls,
    trigger_controls,
    value,
)
from simulator.app.model import edited, overrides_for, touchpoints
from simulator.app.numbers import TeamNumbers, coverage_line, team_numbers, touch_line, verdict
from simulator.app.results import Simulated, scenario_yaml, simulate
from simulator.errors import ScenarioError
from simulator.report.charts import frontier_chart
from simulator.report.formatting import money, num
from simulator.scenario.loader import Loaded
from simulator.scenario.model import Scenario

__all__ = ["make_app"]

SIMULATE_FIRST = "Simulate first: the brief is the simulated run's."
"""The brief button's tooltip while there is no run of the plan as edited."""

_CSS = """
.cssim-verdict { font-size: 1.05rem; margin: 0.25rem 0 0.25rem; }
.cssim-touch { margin: 0 0 0.75rem; color: #333; }
.cssim-error { color: #b00020; white-space: pre-wrap; }
.cssim-edits { font-family: monospace; font-size: 0.8rem; }
.cssim-edits .shiny-text-output { white-space: pre-wrap; }
.cssim-table td, .cssim-table th { padding: 0.15rem 0.6rem; }
.cssim-table td.n { text-align: right; font-variant-numeric: tabular-nums; }
.cssim-table tr.cssim-shown { background: #e8f1fb; font-weight: 600; }
"""


def _hours_figure(n: TeamNumbers) -> Figure:
    """Customer hours a year the team needs, by segment, against what its CSMs carry."""
    fig = Figure(figsize=(8, 2.6), layout="constrained")
    ax = fig.subplots()
    left = 0.0
    colours = ["#1f77b4", "#6baed6", "#9ecae1", "#c6dbef"]
    for i, (seg, h) in enumerate(n.segment_hours.items()):
        ax.barh(["needed"], [h], left=left, color=colours[i % 4], label=seg)
        left += h
    capacity = n.csms * n.hours_per_csm
    ax.barh([f"{n.csms} CSMs carry"], [capacity], color="#2ca02c" if n.gap <= 0 else "#d62728")
    ax.axvline(n.demand_hours, color="#444", linestyle="--", linewidth=1)
    ax.set_xlabel("Customer hours a year")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.set_title(
        f"{num(n.demand_hours)} h needed = {n.fte_needed:.1f} FTE; {n.csms} CSMs carry "
        f"{num(capacity)} h",
        loc="left",
        fontsize=11,
    )
    if len(n.segment_hours) > 1:
        ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncols=4)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _png(fig: Figure, alt: str) -> ImgData:
    """A figure as a PNG file shown at the page's width (Shiny reads and deletes the file)."""
    with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as f:
        fig.savefig(f.name, dpi=110, bbox_inches="tight")  # room for a long title
    return {"src": f.name, "alt": alt, "style": "width: 100%; height: auto;"}


def _touch_table(n: TeamNumbers, shown: tuple[str, str] | None) -> ui.Tag:
    """Every touchpoint of the team in the closed form; the one being edited highlighted."""
    head = [
        "Segment",
        "Touchpoint",
        "Trigger",
        "Channel",
        "Per account-year",
        "A year",
        "CSM h a year",
    ]
    rows = []
    for key, t in n.touches.items():
        cells = [
            ui.tags.td(t.segment),
            ui.tags.td(t.touchpoint),
            ui.tags.td(t.trigger),
            ui.tags.td(CHANNEL_LABELS.get(t.channel, t.channel)),
            ui.tags.td(f"{t.per_account_year:.2f}", class_="n"),
            ui.tags.td(num(t.touches_per_year), class_="n"),
            ui.tags.td(num(t.csm_hours_per_year), class_="n"),
        ]
        rows.append(ui.tags.tr(*cells, class_="cssim-shown" if key == shown else None))
    return ui.tags.table(
        ui.tags.thead(ui.tags.tr(*[ui.tags.th(h) for h in head])),
        ui.tags.tbody(*rows),
        class_="table table-sm cssim-table",
    )


def _page(s: Scenario) -> ui.Tag:
    teams = [t for t in s.all_teams() if s.segments_of(t)]  # a team serving none has no need
    sidebar = ui.sidebar(
        ui.input_select("team", "Team", choices=teams, selected=teams[0]),
        ui.output_ui("team_controls"),
        ui.output_ui("touch_controls"),
        ui.output_ui("channel_controls"),
        ui.hr(),
        ui.input_action_button("simulate", "Simulate", class_="btn-primary"),
        ui.download_button("download_yaml", "Edited scenario (YAML)"),
        ui.output_ui("brief_button"),
        width=360,
    )
    boxes = ui.layout_columns(
        ui.value_box("FTE needed", ui.output_text("fte")),
        ui.value_box("Gap (needed - planned)", ui.output_text("gap")),
        ui.value_box("Customer hours a year", ui.output_text("hours")),
        ui.value_box("People cost at the need", ui.output_text("cost")),
        fill=False,
    )
    return ui.page_sidebar(
        sidebar,
        ui.head_content(ui.tags.link(rel="icon", href="data:,")),  # no favicon request
        ui.tags.style(_CSS),
        boxes,
        ui.div(ui.output_ui("verdict_text"), class_="cssim-verdict"),
        ui.div(ui.output_ui("touch_text"), class_="cssim-touch"),
        ui.card(ui.card_header("The closed form"), ui.output_image("hours_plot", height="auto")),
        ui.card(
            ui.card_header("Simulated frontier"),
            ui.output_text("decision"),
            ui.output_image("frontier_plot", height="auto"),
        ),
        ui.card(
            ui.card_header("The team's touchpoints (closed form)"), ui.output_ui("touch_table")
        ),
        ui.card(
            ui.card_header("Edits (as --set overrides)"),
            ui.div(ui.output_text("edits_text"), class_="cssim-edits"),
        ),
        title=f"cssim explorer: {s.name}",
        fillable=False,
    )


def make_app(
    path: str | Path | None = None, replications: int = 3, overrides: Sequence[str] = ()
) -> App:
    """The explorer of the scenario at ``path`` (the bundled default when None).

    Parameters
    ----------
    path
        Scenario file.
    replications
        Replications of the "Simulate" run and of each frontier headcount.
    overrides
        ``dotted.path=value`` overrides the explorer starts from (the page's edits are
        made on top of them and kept in the downloads).

    Raises
    ------
    ScenarioError
        When the scenario does not load.
    """
    start = list(overrides)
    base = edited(path, start).scenario
    keys = touchpoints(base)

    def server(input: Inputs, output: Outputs, session: Session) -> None:
        sim: reactive.Value[Simulated | None] = reactive.Value(None)

        @reactive.calc
        def state() -> tuple[list[str], Loaded] | str:
            """Every override in force and the scenario they make, or what is wrong."""
            try:
                ov = [*start, *overrides_for(base, collect_edits(base, input))]
                return ov, edited(path, ov)
            except (ScenarioError, ValueError) as exc:
                return str(exc)

        def current() -> tuple[list[str], Loaded]:
            got = state()
            req(not isinstance(got, str))
            assert not isinstance(got, str)
            return got

        @reactive.calc
        def numbers() -> TeamNumbers:
            s = current()[1].scenario
            return team_numbers(estimate(s), s, input.team())

        def shown() -> int | None:
            """Index of the touchpoint being edited, None before one of the team is picked."""
            v = value(input, "touch")
            k = None if v is None else int(v)
            if k is None or keys[k][0] not in base.segments_of(input.team()):
                return None
            return k

        @output(id="team_controls")
        @render.ui
        def _team_controls() -> ui.TagList:
            return team_controls(base, input.team(), input)

        @output(id="touch_controls")
        @render.ui
        def _touch_controls() -> ui.TagList:
            k = shown()
            req(k is not None)
            assert k is not None
            return trigger_controls(base, k, input)

        @output(id="channel_controls")
        @render.ui
        def _channel_controls() -> ui.TagList:
            k = shown()
            req(k is not None)
            assert k is not None
            seg, name = keys[k]
            channel = value(input, f"channel_{k}") or base.segments[seg].touchpoints[name].channel
            return channel_controls(base, k, str(channel), input)

        @render.text
        def fte() -> str:
            return f"{numbers().fte_needed:.1f}"

        @render.text
        def gap() -> str:
            g = numbers().gap
            return f"{g:+d} CSM{'' if abs(g) == 1 else 's'}" if g else "0 (enough)"

        @render.text
        def hours() -> str:
            return f"{num(numbers().demand_hours)} h"

        @render.text
        def cost() -> str:
            n = numbers()
            return money(n.people_cost_needed, n.currency)

        @render.ui
        def verdict_text() -> ui.Tag:
            got = state()
            if isinstance(got, str):
                return ui.div(got, class_="cssim-error")
            return ui.span(verdict(numbers()))

        @render.ui
        def touch_text() -> ui.TagList:
            n = numbers()
            k = shown()
            lines = [coverage_line(n)]
            if k is not None and keys[k] in n.touches:
                lines.insert(0, touch_line(n.touches[keys[k]], n.currency))
            return ui.TagList(*[ui.div(x) for x in lines])

        @render.ui
        def touch_table() -> ui.Tag:
            k = shown()
            return _touch_table(numbers(), None if k is None else keys[k])

        @render.image(delete_file=True)
        def hours_plot() -> ImgData:
            alt = "Customer hours needed against what the team's CSMs carry"
            return _png(_hours_figure(numbers()), alt)

        @render.text
        def edits_text() -> str:
            ov = current()[0]
            lines = [
                f"--set {shlex.quote(o)}" + ("   (started with)" if i < len(start) else "")
                for i, o in enumerate(ov)
            ]
            return "\n".join(lines) or "none: the plan as written"

        def fresh() -> Simulated | None:
            """The last run, while the plan is still as it was simulated."""
            got, now = sim(), state()
            if got is None or isinstance(now, str) or list(got.overrides) != now[0]:
                return None
            return got

        @reactive.effect
        @reactive.event(input.simulate)
        async def _simulate() -> None:
            got = state()
            if isinstance(got, str):
                ui.notification_show("Fix the scenario first: " + got, type="error")
                return
            ov, team = got[0], input.team()
            done = [0, 0]  # replications run, of how many (0: not known yet)
            lock = threading.Lock()

            def tick(n: int, total: int) -> None:
                with lock:
                    done[0], done[1] = n, total

            with ui.Progress(min=0, max=1) as bar:
                bar.set(0, message=f"Simulating the plan and {team}'s frontier")
                job = asyncio.ensure_future(
                    asyncio.to_thread(simulate, path, ov, team, replications, tick)
                )
                while not job.done():
                    await asyncio.sleep(0.25)
                    with lock:
                        fraction = done[0] / max(done[1], 1)
                        detail = f"{done[0]} of {done[1]} replications" if done[1] else ""
                    bar.set(fraction, detail=detail)
                try:
                    sim.set(job.result())
                except ScenarioError as exc:
                    ui.notification_show(str(exc), type="error")

        @render.text
        def decision() -> str:
            got = sim()
            if got is None:
                return "Press Simulate for the plan's run and the frontier of the team shown (a quick look)."
            if fresh() is None:
                return "Simulated before your last edits (press Simulate again): " + got.sentence
            return got.sentence

        @render.image(delete_file=True)
        def frontier_plot() -> ImgData:
            got = sim()
            req(got is not None)
            assert got is not None
            s = got.loaded.scenario
            plan = s.all_teams()[got.team].csms
            fig = frontier_chart(got.rows, s.currency, marks={"plan": plan})
            return _png(fig, "Simulated frontier: GRR and on-time touches by headcount")

        ready = reactive.Value(False)

        @reactive.effect
        def _ready() -> None:
            # a Value changes only when set to something else: the button is rendered
            # again when the brief comes or goes, not on every edit (a tooltip being
            # shown is not torn down under the pointer)
            ready.set(fresh() is not None)

        @render.ui
        def brief_button() -> ui.Tag:
            if ready():
                return ui.download_button("download_brief", "Decision brief (HTML)")
            placeholder = ui.input_action_button(
                "brief_disabled", "Decision brief (HTML)", disabled=True, class_="w-100"
            )
            # a disabled button takes no pointer events: the tooltip hangs on its wrapper
            wrapper = ui.span(placeholder, tabindex="0", class_="d-block", id="brief_wrapper")
            return ui.tooltip(wrapper, SIMULATE_FIRST, id="brief_tip", placement="top")

        @render.download_button(filename="scenario.yaml")
        def download_yaml() -> Iterator[str]:
            yield scenario_yaml(path, current()[0])

        @render.download_button(filename="brief.html", media_type="text/html")
        def download_brief() -> Iterator[str]:
            got = fresh()
            req(got is not None)
            assert got is not None
            yield got.brief()

    return App(_page(base), server)
