"""One money format, integers without decimals, months as calendar months."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pytest

from simulator.analysis.experiment import MetricStats, calendar_month, run_experiment
from simulator.report.assumptions import assumption_rows
from simulator.report.detail_sheets import monthly_sheet
from simulator.report.formatting import (
    money,
    money_ends,
    money_interval,
    month_name,
    number_format_of,
    whole,
)
from simulator.report.layout import Col, MultiCol
from simulator.report.run import ci_money, ci_pct
from simulator.scenario.loader import load_scenario


def _stats(mean: float, low: float, high: float, n: int = 10) -> MetricStats:
    return MetricStats(mean, low, high, 1.0, n, low, mean, high)


@pytest.mark.parametrize(
    ("mean", "low", "high", "text"),
    [
        (1.30e6, 1.07e6, 1.54e6, "$1.30M [$1.07M, $1.54M]"),
        (16.1e6, 15.5e6, 16.7e6, "$16.1M [$15.5M, $16.7M]"),
        (360e3, 340e3, 381e3, "$360k [$340k, $381k]"),
        (2.5e3, 1.9e3, 3.1e3, "$2.5k [$1.9k, $3.1k]"),
        (950, 900, 1010, "$950 [$900, $1,010]"),
        (-40e3, -95e3, 15e3, "-$40k [-$95k, $15k]"),
        (1.3e30, 1.2e30, 1.4e30, "$1.30e+30 [$1.20e+30, $1.40e+30]"),  # absurd, but short
    ],
)
def test_a_money_interval_has_the_symbol_and_the_means_scale_at_both_ends(
    mean: float, low: float, high: float, text: str
) -> None:
    assert ci_money(_stats(mean, low, high), "USD") == text
    assert money_interval(mean, low, high).split(" [")[0] == money(mean)


def test_a_signed_money_interval() -> None:
    assert money_interval(1.3e6, -0.2e6, 2.8e6, signed=True) == "+$1.30M [-$0.20M, +$2.80M]"
    assert money_ends(-1e-3, 5e3, 4e3, signed=True) == "[+$0.0k, +$5.0k]"
    assert money_interval(500, 300, 700, "CHF") == "500 CHF [300 CHF, 700 CHF]"
    assert money_interval(math.nan, 0, 1) == "-"


def test_a_point_interval_shows_the_mean_alone() -> None:
    assert ci_money(_stats(1.3e6, 1.3e6, 1.3e6), "USD") == "$1.30M"
    assert ci_pct(_stats(0.0, 0.0, 0.0)) == "0.0%"
    assert ci_pct(_stats(0.97, 0.95, 0.98)) == "97.0% [95.0, 98.0]"


def test_integers_show_without_decimals_and_floats_keep_their_digits() -> None:
    assert number_format_of(12, "num3") == "int"
    assert number_format_of(np.int64(12), "num1") == "int"
    assert number_format_of(12.0, "num3") == "num3"
    assert number_format_of(0.63, "num3") == "num3"
    assert number_format_of(True, "num3") == "num3"
    assert number_format_of(5, "pct") == "pct"
    assert Col("v", "V", "num3").cell({"v": 365}) == (365, "int")
    assert Col("v", "V", "num3").cell({"v": 0.5}) == (0.5, "num3")
    assert MultiCol("v", "V", ["num1"]).cell({"v_num1": 3}) == (3, "int")
    assert whole(1730.0) == 1730 and isinstance(whole(1730.0), int)
    assert whole(0.63) == 0.63 and whole("x") == "x" and math.isnan(whole(math.nan))


def test_assumption_rows_state_whole_inputs_as_integers() -> None:
    rows = {r["input"]: r["value"] for r in assumption_rows(load_scenario(None, []))}
    for key in ("horizon_days", "seed", "burn_in_days", "calendar.available_hours_per_year"):
        assert isinstance(rows[key], int) and not isinstance(rows[key], bool), key
    assert rows["calendar.customer_time_share"] == pytest.approx(0.63)
    assert not any(isinstance(v, str) and ".0," in v for v in rows.values())


def test_calendar_months() -> None:
    assert calendar_month(dt.date(2027, 1, 1), 1) == "2027-01"
    assert calendar_month(dt.date(2027, 1, 15), 12) == "2027-12-16"
    assert calendar_month(dt.date(2027, 11, 1), 3) == "2028-01"
    assert calendar_month(dt.date(2027, 1, 1), 36) == "2029-12"
    assert month_name("2027-01") == "Jan 2027"
    assert month_name("2028-12") == "Dec 2028"
    # a plan starting late in a month: plan months named by their first day
    assert calendar_month(dt.date(2027, 1, 31), 1) == "2027-01-31"
    assert calendar_month(dt.date(2027, 1, 31), 2) == "2027-03-02"
    assert month_name("2027-03-02") == "2 Mar 2027"


def test_calendar_month_names_run_one_per_month() -> None:
    """For every start on a month's first ten days over eight years, ten-year plans name
    consecutive calendar months, the first the start's own."""
    for year in range(2024, 2032):
        for month in range(1, 13):
            for day in range(1, 11):
                start = dt.date(year, month, day)
                names = [calendar_month(start, k) for k in range(1, 121)]
                index = [int(n[:4]) * 12 + int(n[5:7]) for n in names]
                assert index[0] == year * 12 + month
                assert all(b - a == 1 for a, b in itertools.pairwise(index)), start


def test_monthly_rows_carry_the_calendar_month_and_the_index() -> None:
    s = load_scenario(None, ["segments.mid=null", "segments.smb=null", "start_date=2027-04-01"])
    exp = run_experiment(s, 2, jobs=1)
    fan = exp.monthly_fan()
    first = min(fan, key=lambda r: r["month"])
    assert (first["month"], first["calendar_month"]) == (1, "2027-04")
    sheet = monthly_sheet([(None, exp)])
    arr = sheet.blocks[0]
    assert [c.key for c in arr.columns][:2] == ["calendar_month", "month"]
    assert [r["calendar_month"] for r in arr.rows][:3] == ["Apr 2027", "May 2027", "Jun 2027"]
    assert all(ch.categories == "calendar_month" for ch in sheet.charts)


def test_people_cost_sentence_keeps_signs_when_its_interval_crosses_zero() -> None:
    from simulator.analysis.compare import Difference
    from simulator.report.compare import sentence

    clear = Difference("top", "people_cost", 1e6, 0.7e6, -300e3, -350e3, -250e3, 0, 5)
    text = sentence("six", "eight", "top", [clear], "USD", 1.0)
    assert "saves $300k a year [$250k, $350k] in people" in text
    unclear = Difference("top", "people_cost", 1e6, 0.9e6, -100e3, -250e3, 50e3, 0, 5)
    text = sentence("six", "eight", "top", [unclear], "USD", 1.0)
    assert "no clear change in people cost (saves $100k a year [-$50k, +$250k])" in text


def test_alternatives_sharing_a_name_are_told_apart() -> None:
    from types import SimpleNamespace as N

    from simulator.report.brief_charts import compared_names

    def exp(name: str) -> N:
        return N(scenario=N(name=name))

    c = N(experiments=[exp("FY27"), exp("FY27"), exp("Other")], labels=["a", "b:six", "c"])
    assert compared_names(c) == ["FY27 (a)", "FY27 (six)", "Other"]  # type: ignore[arg-type]
