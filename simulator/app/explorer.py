"""The explorer's page and server, in Shiny for Python.

One team at a time: its CSMs, the touches a year and channel of one of its cadence
touchpoints, and the support share of its segments' inbound requests. Every control is
an input of its own (``csms_<team>``, ``per_year_<touchpoint>``, ...), so edits made to
one team or touchpoint are kept while another is shown; :func:`collect_edits` reads them
all into :class:`~simulator.app.model.Edits`. The closed form is recomputed on every
change; "Simulate" runs a small frontier in a worker thread with a progress bar.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from shiny import App, Inputs, Outputs, Session, reactive, render, req, ui
from shiny.types import ImgData

from simulator.analysis.analytic import estimate
from simulator.analysis.frontier import default_headcounts, frontier
from simulator.app.model import (
    CHANNELS,
    Edits,
    TeamNumbers,
    cadence_touchpoints,
    decision_sentence,
    edited,
    overrides_for,
    scenario_yaml,
    summary_markdown,
    team_numbers,
    touch_values,
    verdict,
)
from simulator.errors import ScenarioError
from simulator.report.charts import frontier_chart
from simulator.report.formatting import money, num
from simulator.scenario.model import Scenario

__all__ = ["collect_edits", "make_app"]

_CHANNEL_LABELS = {
    "one_to_one": "One to one",
    "one_to_many": "One to many",
    "automated": "Automated",
}

_CSS = """
.cssim-verdict { font-size: 1.05rem; margin: 0.25rem 0 0.75rem; }
.cssim-error { color: #b00020; white-space: pre-wrap; }
.cssim-edits { font-family: monospace; font-size: 0.8rem; white-space: pre-wrap; }
"""


def _value(input: Inputs, name: str) -> Any | None:
    """An input's value, None while the browser has not sent it (a dependency either way)."""
    v = input[name]
    return v() if v.is_set() else None


def collect_edits(s: Scenario, input: Inputs) -> Edits:
    """Every control the page has shown, read into :class:`Edits` (indices name the ids)."""
    e = Edits()
    for i, team in enumerate(s.all_teams()):
        v = _value(input, f"csms_{i}")
        if v is not None:
            e.csms[team] = int(v)
    for k, key in enumerate(cadence_touchpoints(s)):
        rate, channel = _value(input, f"per_year_{k}"), _value(input, f"channel_{k}")
        if rate is not None:
            e.per_year[key] = float(rate)
        if channel is not None:
            e.channel[key] = str(channel)
    for j, seg in enumerate(s.segments):
        v = _value(input, f"support_{j}")
        if v is not None:
            e.support_share[seg] = float(v)
    return e


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


def _page(s: Scenario) -> ui.Tag:
    teams = list(s.all_teams())
    sidebar = ui.sidebar(
        ui.input_select("team", "Team", choices=teams, selected=teams[0]),
        ui.output_ui("team_controls"),
        ui.output_ui("touch_controls"),
        ui.hr(),
        ui.input_action_button("simulate", "Simulate", class_="btn-primary"),
        ui.download_button("download_yaml", "Edited scenario (YAML)"),
        ui.download_button("download_brief", "Summary (Markdown)"),
        width=340,
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
        ui.card(ui.card_header("The closed form"), ui.output_image("hours_plot", height="auto")),
        ui.card(
            ui.card_header("Simulated frontier"),
            ui.output_text("decision"),
            ui.output_image("frontier_plot", height="auto"),
        ),
        ui.card(ui.card_header("Edits (as --set overrides)"), ui.output_text("edits_text")),
        title=f"cssim explorer: {s.name}",
        fillable=False,
    )


def make_app(path: str | Path | None = None, replications: int = 3) -> App:
    """The explorer of the scenario at ``path`` (the bundled default when None).

    Parameters
    ----------
    path
        Scenario file.
    replications
        Replications per headcount of the "Simulate" frontier.

    Raises
    ------
    ScenarioError
        When the scenario does not load.
    """
    base = edited(path, []).scenario
    teams = list(base.all_teams())
    touches = cadence_touchpoints(base)
    segments = list(base.segments)

    def server(input: Inputs, output: Outputs, session: Session) -> None:
        sim_rows: reactive.Value[tuple[str, list[dict[str, Any]], str] | None] = reactive.Value(
            None
        )

        @reactive.calc
        def overrides() -> list[str]:
            return overrides_for(base, collect_edits(base, input))

        @reactive.calc
        def scenario() -> Scenario | str:
            try:
                return edited(path, overrides()).scenario
            except ScenarioError as exc:
                return str(exc)

        @reactive.calc
        def numbers() -> TeamNumbers:
            s = scenario()
            req(not isinstance(s, str))
            assert not isinstance(s, str)
            return team_numbers(estimate(s), s, input.team())

        @render.ui
        def team_controls() -> ui.TagList:
            team = input.team()
            i = teams.index(team)
            with reactive.isolate():
                csms = _value(input, f"csms_{i}") or base.all_teams()[team].csms
                shares = {j: _value(input, f"support_{j}") for j in range(len(segments))}
            top = max(3 * max(csms, 1), csms + 10)
            items: list[Any] = [
                ui.input_slider(f"csms_{i}", "CSMs at the start", 0, top, csms, step=1)
            ]
            options = {
                str(touches.index(k)): f"{k[0]}: {k[1]}" for k in cadence_touchpoints(base, team)
            }
            if options:
                items.append(ui.input_select("touch", "Cadence touchpoint", options))
            for seg in base.segments_of(team):
                j = segments.index(seg)
                share = shares[j]
                if share is None:
                    share = base.segments[seg].inbound.support_share
                label = f"Support share of inbound requests ({seg})"
                items.append(ui.input_slider(f"support_{j}", label, 0, 1, share, step=0.05))
            return ui.TagList(*items)

        @render.ui
        def touch_controls() -> ui.TagList:
            k = int(req(input.touch()))
            with reactive.isolate():
                rate = _value(input, f"per_year_{k}")
                channel = _value(input, f"channel_{k}")
            base_rate, base_channel = touch_values(base, *touches[k])
            rate = base_rate if rate is None else rate
            return ui.TagList(
                ui.input_slider(
                    f"per_year_{k}",
                    "Touches per account-year",
                    0.5,
                    max(24.0, 2 * base_rate),
                    rate,
                    step=0.5,
                ),
                ui.input_radio_buttons(
                    f"channel_{k}",
                    "Channel",
                    {c: _CHANNEL_LABELS[c] for c in CHANNELS},
                    selected=channel or base_channel,
                ),
            )

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
            s = scenario()
            if isinstance(s, str):
                return ui.div(s, class_="cssim-error")
            return ui.span(verdict(numbers()))

        @render.image(delete_file=True)
        def hours_plot() -> ImgData:
            alt = "Customer hours needed against what the team's CSMs carry"
            return _png(_hours_figure(numbers()), alt)

        @render.text
        def edits_text() -> str:
            return "\n".join(f"--set {o}" for o in overrides()) or "none: the plan as written"

        @reactive.effect
        @reactive.event(input.simulate)
        async def _simulate() -> None:
            s = scenario()
            if isinstance(s, str):
                ui.notification_show("Fix the scenario first: " + s, type="error")
                return
            team = input.team()
            heads = list(default_headcounts(s, team))
            done = [0, len(heads) * replications]
            lock = threading.Lock()

            def tick(n: int, total: int) -> None:
                with lock:
                    done[0], done[1] = n, total

            with ui.Progress(min=0, max=1) as bar:
                bar.set(0, message=f"Simulating {team} at {heads[0]}-{heads[-1]} CSMs")
                job = asyncio.ensure_future(
                    asyncio.to_thread(frontier, s, team, heads, replications, None, None, tick)
                )
                while not job.done():
                    await asyncio.sleep(0.25)
                    with lock:
                        fraction = done[0] / max(done[1], 1)
                    bar.set(fraction, detail=f"{done[0]} of {done[1]} runs")
                rows = job.result()
            need = estimate(s).team(team).csms_needed
            sim_rows.set((team, rows, decision_sentence(rows, s, team, need, replications)))

        @render.text
        def decision() -> str:
            got = sim_rows()
            if got is None:
                return "Press Simulate for the frontier of the team shown (a quick look)."
            return got[2]

        @render.image(delete_file=True)
        def frontier_plot() -> ImgData:
            got = sim_rows()
            req(got is not None)
            assert got is not None
            team, rows, _ = got
            s = scenario()
            plan = (base if isinstance(s, str) else s).all_teams()[team].csms
            fig = frontier_chart(rows, base.currency, marks={"plan": plan})
            return _png(fig, "Simulated frontier: GRR and on-time touches by headcount")

        @render.download_button(filename="scenario.yaml")
        def download_yaml() -> Iterator[str]:
            yield scenario_yaml(path, overrides())

        @render.download_button(filename="summary.md")
        def download_brief() -> Iterator[str]:
            got = sim_rows()
            sentence = got[2] if got is not None and got[0] == input.team() else None
            yield summary_markdown(numbers(), overrides(), base.name, sentence)

    return App(_page(base), server)
