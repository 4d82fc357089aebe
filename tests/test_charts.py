"""The charts read right: distinct tick labels, a waterfall from zero (or marked broken),
no file names in captions, calendar months on time axes, and the same mean for the same
figure in the summary, the waterfall and the fan."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.dates import num2date
from matplotlib.figure import Figure

from simulator.analysis.book import analyze_book
from simulator.analysis.compare import compare
from simulator.analysis.experiment import Experiment, run_experiment
from simulator.analysis.frontier import frontier
from simulator.analysis.hire import hiring_plan
from simulator.data.customers import read_customers
from simulator.report.book_charts import book_charts
from simulator.report.brief_charts import compare_chart, hire_chart
from simulator.report.chart_axes import BREAK_GID, PercentFormatter, percent_axis
from simulator.report.charts import (
    arr_bridge,
    arr_fan,
    arr_waterfall,
    figures,
    frontier_chart,
    new_figure,
    utilisation_backlog,
)
from simulator.scenario.loader import load

ROOT = Path(__file__).resolve().parent.parent

SMALL = """\
name: Small book for charts
start_date: 2027-03-01
horizon_days: 540
segments:
  core:
    accounts: 30
    arr: {dist: lognormal, mean: 60000, cv: 0.3}
    team: {csms: 2, annual_cost_per_csm: 150000}
    churn: {annual_baseline: 0.1}
    touchpoints:
      qbr: {trigger: {kind: cadence, per_year: 4}, hours: 5}
      health_check: {trigger: {kind: cadence, per_year: 6}, hours: 2}
"""
"""A small plan over 18 months from March, so the axes cross a year end."""

MONTHS = set(calendar.month_abbr[1:])


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plans") / "small_plan.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def exp(plan_file: Path) -> Experiment:
    return run_experiment(load(plan_file).scenario, 3, jobs=1)


def _drawn(fig: Figure) -> Figure:
    fig.draw_without_rendering()  # lays out the ticks
    return fig


def _labels(axis: object) -> list[str]:
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]  # type: ignore[attr-defined]


def _texts(fig: Figure) -> list[str]:
    """Every caption a reader sees: titles, context, axis labels, legends, annotations."""
    out = [fig.get_suptitle(), *(t.get_text() for t in fig.texts)]
    for ax in fig.axes:
        out += [ax.get_title(loc="left"), ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        out += [t.get_text() for t in ax.texts]
        out += _labels(ax.yaxis)
        if ax.get_legend() is not None:
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    return [t for t in out if t]


def _percent_axes(fig: Figure) -> list[object]:
    return [
        axis
        for ax in fig.axes
        for axis in (ax.xaxis, ax.yaxis)
        if isinstance(axis.get_major_formatter(), PercentFormatter)
    ]


def _frontier_rows(grr: list[float], on_time: list[float]) -> list[dict[str, float]]:
    """Frontier rows with narrow intervals: a percent axis spanning about 2 points."""
    return [
        {
            "team": "core",
            "csms": 2 + i,
            "grr": g,
            "grr_low": g - 0.002,
            "grr_high": g + 0.002,
            "on_time_share": o,
            "on_time_share_low": o - 0.003,
            "on_time_share_high": o + 0.003,
            "people_cost": 150000.0 * (2 + i),
        }
        for i, (g, o) in enumerate(zip(grr, on_time, strict=True))
    ]


@pytest.mark.parametrize(
    "limits", [(0.931, 0.948), (0.9302, 0.9318), (0.0, 1.05), (0.6, 0.97), (-0.02, 0.03)]
)
def test_percent_tick_labels_are_distinct_at_any_span(limits: tuple[float, float]) -> None:
    fig, ax = new_figure()
    ax.plot([0, 1], list(limits))
    percent_axis(ax)
    ax.set_ylim(*limits)
    labels = _labels(_drawn(fig).axes[0].yaxis)
    assert len(labels) >= 3
    assert len(set(labels)) == len(labels), labels
    decimals = {len(t.rstrip("%").partition(".")[2]) for t in labels}
    assert len(decimals) == 1, labels  # one precision on the axis
    assert "-0%" not in labels


def test_every_percent_axis_of_the_charts_has_distinct_labels(exp: Experiment) -> None:
    rows = _frontier_rows([0.9312, 0.9371, 0.9418, 0.9476], [0.921, 0.928, 0.934, 0.941])
    figs = {**figures(exp), "narrow_frontier": frontier_chart(rows, "USD", {"plan": 3})}
    seen = 0
    for name, fig in figs.items():
        for axis in _percent_axes(_drawn(fig)):
            labels = _labels(axis)
            assert len(set(labels)) == len(labels), (name, labels)
            seen += 1
    assert seen >= 4  # utilisation, touch delivery and both frontier panels


def test_waterfall_starts_at_zero_when_its_steps_are_readable(exp: Experiment) -> None:
    ax = arr_waterfall(exp).axes[0]
    assert ax.get_ylim()[0] == 0
    assert not [a for a in ax.get_children() if a.get_gid() == BREAK_GID]


def _scaled_changes(exp: Experiment, k: float) -> Experiment:
    """The experiment with every ARR change scaled by ``k`` (the end kept consistent)."""
    keys = ("churned_arr", "contraction_arr", "expansion_arr", "new_arr")
    results = []
    for r in exp.results:
        segments = {}
        for name, seg in r.segments.items():
            seg = {**seg, **{key: k * seg[key] for key in keys}}
            change = seg["expansion_arr"] + seg["new_arr"] - seg["churned_arr"]
            seg["arr_end"] = seg["arr_start"] + change - seg["contraction_arr"]
            segments[name] = seg
        results.append(dataclasses.replace(r, segments=segments))
    return dataclasses.replace(exp, results=results)


def test_waterfall_with_tiny_steps_is_marked_broken(exp: Experiment) -> None:
    tiny = _scaled_changes(exp, 0.005)
    fig = _drawn(arr_waterfall(tiny))
    ax = fig.axes[0]
    low = ax.get_ylim()[0]
    assert low > 0
    marks = [a for a in ax.get_children() if a.get_gid() == BREAK_GID]
    assert len(marks) >= 2
    assert "does not start at 0" in ax.get_title(loc="left")
    # the bars still reach their values: the end bar is the bridge's end
    end = next(p for p in ax.patches if p.get_gid() == "waterfall-end")
    assert end.get_height() == pytest.approx(arr_bridge(tiny)[-1][1], rel=1e-12)


def test_waterfall_end_equals_the_summary_mean(exp: Experiment) -> None:
    summary = sum(m["arr_end"].mean for m in exp.stats().values())  # what `run` reports
    start = sum(m["arr_start"].mean for m in exp.stats().values())
    fig = arr_waterfall(exp)
    bars = {p.get_gid(): p for p in fig.axes[0].patches if p.get_gid()}
    assert bars["waterfall-end"].get_height() == pytest.approx(summary, rel=1e-9)
    assert bars["waterfall-start"].get_height() == pytest.approx(start, rel=1e-9)
    bridge = arr_bridge(exp)
    # the plan's own steps explain the whole change: no remainder step is needed
    assert "Other" not in [name for name, _ in bridge]
    assert sum(v for _, v in bridge[:-1]) == pytest.approx(bridge[-1][1], rel=1e-9)


def test_fan_draws_the_summary_mean_and_names_it(exp: Experiment) -> None:
    summary = sum(m["arr_end"].mean for m in exp.stats().values())
    ax = arr_fan(exp).axes[0]
    (mean,) = [line for line in ax.get_lines() if line.get_label() == "mean"]
    assert mean.get_ydata()[-1] == pytest.approx(summary, rel=1e-9)
    assert "(mean)" in ax.figure.get_suptitle()
    s = exp.scenario
    last = num2date(ax.xaxis.convert_units(mean.get_xdata()[-1])).date()
    assert last == s.start_date + dt.timedelta(days=s.horizon_days)


def _assert_month_axis(axis: object, name: str) -> None:
    labels = _labels(axis)
    assert len(labels) >= 4, (name, labels)
    for label in labels:
        month, _, year = label.partition("\n")
        assert month in MONTHS, (name, label)
        assert not year or re.fullmatch(r"\d{4}", year), (name, label)
    assert any("\n" in label for label in labels), (name, "no year shown")


def test_time_axes_show_calendar_months(exp: Experiment) -> None:
    for name, fig in (("fan", arr_fan(exp)), ("utilisation", utilisation_backlog(exp))):
        for ax in _drawn(fig).axes:
            _assert_month_axis(ax.xaxis, name)
    hire = _drawn(hire_chart(hiring_plan(exp.scenario, "core")))
    _assert_month_axis(hire.axes[0].xaxis, "hire")
    assert hire.axes[0].xaxis.get_ticklabels()[0].get_text() != "1"


def test_renewals_by_month_are_named_months() -> None:
    read = read_customers(ROOT / "scenarios" / "data" / "customers.csv")
    analysis = analyze_book(read.customers, dt.date(2026, 10, 31))
    fig = _drawn(book_charts(analysis)["renewals_by_month"])
    _assert_month_axis(fig.axes[0].xaxis, "renewals")


PATH = re.compile(r"\.(ya?ml|csv|xlsx|json)\b|(?<![\w ])(?:~|\.{0,2})/[\w.-]+/", re.I)
"""A file name or a path in a caption."""


def test_no_caption_is_a_file_name(exp: Experiment, plan_file: Path) -> None:
    scenario = exp.scenario
    six = scenario.model_copy(update={"name": "Core at three CSMs"})
    comparison = compare([scenario, six], [plan_file.stem, "small_six"], 2)
    rows = frontier(scenario, "core", range(2, 4), 2)
    figs: dict[str, Figure] = {
        **figures(exp, rows),
        "compare": compare_chart(comparison, "USD"),
        "hire": hire_chart(hiring_plan(scenario, "core"), scenario.name),
    }
    for name, fig in figs.items():
        texts = _texts(_drawn(fig))
        for text in texts:
            assert not PATH.search(text), (name, text)
            assert plan_file.stem not in text and "small_six" not in text, (name, text)
    compared = " ".join(_texts(figs["compare"])).replace("\n", " ")
    assert scenario.name in compared and "Core at three CSMs" in compared
    for name in ("arr_waterfall", "arr_fan", "utilisation_backlog", "touch_delivery"):
        assert scenario.name in " ".join(_texts(figs[name])).replace("\n", " "), name


def test_money_ticks_share_one_precision(exp: Experiment) -> None:
    for name in ("arr_waterfall", "arr_fan"):
        ax = _drawn(figures(exp)[name]).axes[0]
        labels = [t.replace("\\$", "$") for t in _labels(ax.yaxis)]
        assert len(set(labels)) == len(labels), (name, labels)
        bodies = [re.sub(r"[^\d.]", "", t) for t in labels if t not in ("$0",)]
        assert len({len(b.partition(".")[2]) for b in bodies}) == 1, (name, labels)
        assert np.all([t.startswith(("$", "-$")) for t in labels]), (name, labels)


def test_a_bridge_that_does_not_add_up_shows_the_remainder(exp: Experiment) -> None:
    results = [
        dataclasses.replace(
            r,
            segments={
                name: {**seg, "arr_end": seg["arr_end"] + 1000.0}
                for name, seg in r.segments.items()
            },
        )
        for r in exp.results
    ]
    bridge = dict(arr_bridge(dataclasses.replace(exp, results=results)))
    assert bridge["Other"] == pytest.approx(1000.0 * len(exp.results[0].segments))
    assert "Other" not in dict(arr_bridge(exp))


def test_the_tornado_names_inputs_for_readers_not_by_path() -> None:
    from simulator.report.decide import input_label

    assert input_label("segments.*.churn.coverage_effect") == (
        "churn coverage effect (every segment)"
    )
    assert input_label("segments.top.expansion.coverage_effect") == (
        "top: expansion coverage effect"
    )
    assert input_label("economics.gross_margin") == "economics gross margin"
