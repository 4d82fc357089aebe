"""The working-day calendar (simulator/engine/calendar.py): weekends, holidays, PTO blocks.

Event-style checks on fixed dates, brute-force checks day by day, and hypothesis
properties of ``next_open``, ``finish`` and ``working_between``. Calls per second are
measured by ``benchmarks/calendar_speed.py`` (a benchmark, not a timed test).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.engine.calendar import DEFAULT_PTO_BLOCK_DAYS, WorkCalendar

FRIDAY = dt.date(2027, 1, 1)  # 2027 starts on a Friday and has 261 weekdays
WEDNESDAY = dt.date(2025, 1, 1)
TOL = 1e-9


def weekdays(start: dt.date, end: dt.date) -> int:
    """Monday-to-Friday dates in ``[start, end)``."""
    return sum((start + dt.timedelta(days=i)).weekday() < 5 for i in range((end - start).days))


def anniversary(start: dt.date, years: int) -> dt.date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def day(start: dt.date, date: dt.date) -> float:
    return float((date - start).days)


def is_off(cal: WorkCalendar, t: float) -> bool:
    """Brute force from the public intervals: is day ``t`` in an off interval?"""
    return any(a <= t < b for a, b in cal.off_intervals)


def no_pto(start: dt.date = FRIDAY, holidays: tuple[dt.date, ...] = ()) -> WorkCalendar:
    """A one-year calendar whose only days off are weekends and ``holidays``."""
    end = anniversary(start, 1)
    open_days = weekdays(start, end) - sum(
        h.weekday() < 5 and start <= h < end for h in set(holidays)
    )
    return WorkCalendar.build(
        start,
        0,
        day(start, end),
        working_days_per_year=open_days,
        rng=np.random.default_rng(0),
        holidays=holidays,
    )


def drawn(seed: int = 7, **kw: object) -> WorkCalendar:
    """A calendar with a burn-in year, two plan years and 216 working days a year."""
    args: dict[str, object] = {"working_days_per_year": 216.0, **kw}
    return WorkCalendar.build(FRIDAY, -365, 730, rng=np.random.default_rng(seed), **args)  # type: ignore[arg-type]


# ---------------------------------------------------------------- event-style checks


def test_friday_afternoon_task_of_one_working_day_ends_monday_afternoon() -> None:
    cal = no_pto()
    friday_1500 = 0.625
    assert cal.finish(friday_1500, 1.0) == pytest.approx(3.625, abs=TOL)  # Monday 15:00


def test_next_open_on_a_saturday_is_monday_midnight() -> None:
    cal = no_pto()
    assert cal.next_open(1.3) == 3.0  # Saturday 07:12 -> Monday 00:00
    assert cal.next_open(2.99) == 3.0  # Sunday evening
    assert cal.next_open(1.0) == 3.0  # Saturday 00:00 is already off


def test_next_open_within_a_working_day_is_the_instant_itself() -> None:
    cal = no_pto()
    for t in (0.0, 0.3, 0.999999, 3.0, 7.25):
        assert cal.next_open(t) == t


def test_work_ending_at_friday_close_is_done_at_saturday_midnight_not_monday() -> None:
    cal = no_pto()
    assert cal.finish(0.0, 1.0) == pytest.approx(1.0, abs=TOL)
    assert cal.finish(0.5, 0.5) == pytest.approx(1.0, abs=TOL)
    assert cal.finish(0.0, 1.5) == pytest.approx(3.5, abs=TOL)  # Friday, then half of Monday


def test_zero_work_finishes_when_it_would_begin() -> None:
    cal = no_pto()
    assert cal.finish(0.5, 0.0) == 0.5
    assert cal.finish(1.5, 0.0) == 3.0  # Saturday: it would begin on Monday
    with pytest.raises(ValueError, match="work_days"):
        cal.finish(0.5, -0.1)


def test_a_week_of_work_started_on_monday_ends_friday_close() -> None:
    cal = no_pto()
    assert cal.finish(3.0, 5.0) == pytest.approx(8.0, abs=TOL)  # Saturday 00:00
    assert cal.finish(3.0, 5.25) == pytest.approx(10.25, abs=TOL)


def test_weekends_follow_the_weekday_of_start_date() -> None:
    cal = no_pto(WEDNESDAY)  # day 0 is a Wednesday: days 3 and 4 are the weekend
    assert [cal.next_open(d + 0.5) == d + 0.5 for d in range(7)] == [
        True,
        True,
        True,
        False,
        False,
        True,
        True,
    ]
    assert cal.off_intervals[0] == (3.0, 5.0)
    assert cal.working_between(0.0, 7.0) == pytest.approx(5.0)


def test_a_holiday_holds_no_work_and_work_runs_past_it() -> None:
    monday = dt.date(2027, 1, 18)  # Martin Luther King Jr. Day 2027
    cal = no_pto(holidays=(monday,))
    m = day(FRIDAY, monday)
    assert cal.working_between(m, m + 1) == 0.0
    assert cal.next_open(m + 0.5) == m + 1  # Tuesday 00:00
    assert cal.next_open(m - 2) == m + 1  # the weekend before runs into it
    assert (m - 2, m + 1) in cal.off_intervals
    # Friday noon + 1 working day: the rest of Friday, then half of Tuesday
    assert cal.finish(m - 2.5, 1.0) == pytest.approx(m + 1.5, abs=TOL)
    # work ending at the Friday's close is done at Saturday 00:00
    assert cal.finish(m - 3, 1.0) == pytest.approx(m - 2, abs=TOL)


def test_a_holiday_on_a_weekend_adds_nothing() -> None:
    saturday = dt.date(2027, 1, 2)
    assert no_pto(holidays=(saturday,)).off_intervals == no_pto().off_intervals


def test_pto_blocks_hold_no_work() -> None:
    cal = drawn()
    weekend_only = 0
    for a, b in cal.off_intervals:
        assert cal.working_between(a, b) == 0.0
        for x in np.linspace(a, b, 9, endpoint=False):
            assert cal.next_open(float(x)) == b
            assert cal.finish(float(x), 0.5) == pytest.approx(b + 0.5, abs=TOL)
        if b - a == 2:
            weekend_only += 1
            continue
        # PTO: the working day before the interval holds all of its work
        if cal.next_open(a - 0.5) == a - 0.5:
            assert cal.finish(a - 0.5, 0.5) == pytest.approx(a, abs=TOL)
            assert cal.finish(a - 0.5, 0.75) == pytest.approx(b + 0.25, abs=TOL)
    assert 0 < weekend_only < len(cal.off_intervals)


def test_a_pto_block_counts_working_days_and_spans_a_weekend() -> None:
    # 261 weekdays - 216 = 45 PTO days: nine whole five-day blocks a year, no remainder
    cal = WorkCalendar.build(
        FRIDAY, 0, 365, working_days_per_year=216, rng=np.random.default_rng(3)
    )
    pto = [(a, b) for a, b in cal.off_intervals if b - a > 2]
    weekday_counts = [
        sum((FRIDAY + dt.timedelta(days=d)).weekday() < 5 for d in range(int(a), int(b)))
        for a, b in pto
    ]
    assert sum(weekday_counts) == 45
    assert all(n % DEFAULT_PTO_BLOCK_DAYS == 0 for n in weekday_counts)  # blocks, merged
    spans_weekend = [
        (a, b)
        for (a, b), n in zip(pto, weekday_counts, strict=True)
        if n == 5 and (FRIDAY + dt.timedelta(days=int(a))).weekday() not in (0, 5)
    ]
    assert spans_weekend, "no five-day block started midweek in a year of nine blocks"


def test_block_length_is_configurable() -> None:
    cal = WorkCalendar.build(
        FRIDAY, 0, 365, working_days_per_year=216, pto_block_days=9, rng=np.random.default_rng(3)
    )
    pto = [(a, b) for a, b in cal.off_intervals if b - a > 2]
    counts = [
        sum((FRIDAY + dt.timedelta(days=d)).weekday() < 5 for d in range(int(a), int(b)))
        for a, b in pto
    ]
    assert sum(counts) == 45 and all(n % 9 == 0 for n in counts)


def test_a_remainder_block_is_shorter() -> None:
    # 261 - 217 = 44 PTO days in blocks of 5: eight blocks and one of four
    cal = WorkCalendar.build(
        FRIDAY, 0, 365, working_days_per_year=217, rng=np.random.default_rng(5)
    )
    assert cal.working_between(0, 365) == 217
    days_off = [
        d for d in range(365) if (FRIDAY + dt.timedelta(days=d)).weekday() < 5 and is_off(cal, d)
    ]
    assert len(days_off) == 44


def test_off_intervals_agree_with_next_open_day_by_day() -> None:
    cal = drawn(seed=11, holidays=(dt.date(2027, 7, 5), dt.date(2027, 12, 24)))
    lo, hi = cal.span
    for d in range(int(lo), int(hi)):
        t = d + 0.5
        assert (cal.next_open(t) != t) == is_off(cal, t), d
        assert cal.working_between(d, d + 1) == (0.0 if is_off(cal, t) else 1.0), d


def test_every_plan_year_holds_the_working_days_with_holidays_counted_in() -> None:
    holidays = (dt.date(2027, 5, 31), dt.date(2027, 7, 5), dt.date(2028, 1, 3))
    cal = drawn(seed=2, holidays=holidays)
    for j in (-1, 0, 1):
        a, b = day(FRIDAY, anniversary(FRIDAY, j)), day(FRIDAY, anniversary(FRIDAY, j + 1))
        assert cal.working_between(a, b) == pytest.approx(216.0)
    for h in holidays:
        assert is_off(cal, day(FRIDAY, h) + 0.5)


def test_plan_years_do_not_depend_on_the_burn_in() -> None:
    short = WorkCalendar.build(
        FRIDAY, 0, 730, working_days_per_year=216, rng=np.random.default_rng(4)
    )
    long = WorkCalendar.build(
        FRIDAY, -1000, 730, working_days_per_year=216, rng=np.random.default_rng(4)
    )
    assert [iv for iv in long.off_intervals if iv[0] >= 0] == list(short.off_intervals)


def test_same_seed_same_calendar_other_seed_other_calendar() -> None:
    assert drawn(seed=9).off_intervals == drawn(seed=9).off_intervals
    assert drawn(seed=9).off_intervals != drawn(seed=10).off_intervals


def test_outside_the_span_only_weekends_and_holidays_are_off() -> None:
    cal = drawn()
    lo, hi = cal.span
    assert cal.working_between(hi, hi + 70) == pytest.approx(50.0)
    assert cal.working_between(lo - 70, lo) == pytest.approx(50.0)


def test_working_between_is_zero_on_an_empty_interval() -> None:
    cal = drawn()
    assert cal.working_between(5.0, 5.0) == 0.0
    assert cal.working_between(9.0, 2.0) == 0.0


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"working_days_per_year": 262}, "exceeds"),
        ({"working_days_per_year": 0}, "working_days_per_year"),
        ({"pto_block_days": 0}, "pto_block_days"),
        ({"pto_block_days": 2.5}, "pto_block_days"),
    ],
)
def test_build_rejects_impossible_inputs(kw: dict[str, float], match: str) -> None:
    args = {"working_days_per_year": 216.0, "rng": np.random.default_rng(0), **kw}
    with pytest.raises(ValueError, match=match):
        WorkCalendar.build(FRIDAY, 0, 365, **args)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lo_day"):
        WorkCalendar.build(FRIDAY, 10, 10, working_days_per_year=216, rng=np.random.default_rng(0))


def test_holidays_leave_too_few_weekdays() -> None:
    holidays = tuple(dt.date(2027, 3, d) for d in range(1, 32))  # 23 weekdays
    with pytest.raises(ValueError, match="exceeds"):
        WorkCalendar.build(
            FRIDAY,
            0,
            365,
            working_days_per_year=240,
            holidays=holidays,
            rng=np.random.default_rng(0),
        )


def test_the_yearly_working_days_average_working_days_per_year() -> None:
    # 216.4: each year holds 216 or 217 working days, 217 with probability 0.4
    counts = []
    for seed in range(400):
        cal = WorkCalendar.build(
            FRIDAY, 0, 365, working_days_per_year=216.4, rng=np.random.default_rng(seed)
        )
        counts.append(cal.working_between(0, 365))
    assert set(counts) == {216.0, 217.0}
    se = math.sqrt(0.4 * 0.6 / len(counts))
    assert abs(np.mean(counts) - 216.4) < 4 * se


# ---------------------------------------------------------------- properties

START_DATES = st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31))


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    start = draw(START_DATES)
    holidays = draw(
        st.lists(st.integers(-400, 800).map(lambda d: start + dt.timedelta(days=d)), max_size=12)
    )
    return WorkCalendar.build(
        start,
        draw(st.sampled_from([0.0, -365.0, -400.5])),
        draw(st.sampled_from([365.0, 730.0, 1000.25])),
        working_days_per_year=draw(st.floats(150.0, 240.0)),
        pto_block_days=draw(st.integers(1, 15)),
        holidays=holidays,
        rng=np.random.default_rng(draw(st.integers(0, 2**32))),
    )


TIMES = st.floats(-500.0, 1100.0)
WORK = st.floats(0.0, 300.0)
PROPS = settings(max_examples=150, deadline=None)


@PROPS
@given(calendars(), TIMES, TIMES, WORK)
def test_finish_is_monotone_in_the_start(cal: WorkCalendar, t1: float, t2: float, w: float) -> None:
    t1, t2 = min(t1, t2), max(t1, t2)
    assert cal.finish(t1, w) <= cal.finish(t2, w) + TOL


@PROPS
@given(calendars(), TIMES, WORK, WORK)
def test_finish_is_monotone_in_the_work(cal: WorkCalendar, t: float, w1: float, w2: float) -> None:
    w1, w2 = min(w1, w2), max(w1, w2)
    assert cal.finish(t, w1) <= cal.finish(t, w2) + TOL
    assert cal.finish(t, w1) >= t


@PROPS
@given(calendars(), TIMES, WORK)
def test_the_working_time_up_to_finish_is_the_work(cal: WorkCalendar, t: float, w: float) -> None:
    assert cal.working_between(t, cal.finish(t, w)) == pytest.approx(w, abs=1e-9)


@PROPS
@given(calendars(), TIMES, st.floats(1e-6, 300.0))
def test_finish_is_never_inside_off_time(cal: WorkCalendar, t: float, w: float) -> None:
    end = cal.finish(t, w)
    # working time ran up to the end (it is a working instant or a stretch's close) ...
    assert cal.working_between(end - 1e-6, end) > 0
    # ... and it is the earliest such instant: a moment sooner, the work is not done
    assert cal.working_between(t, end - 1e-6) < w
    # at the close of a stretch the end is exactly an off interval's start
    if cal.span[0] <= end < cal.span[1] and cal.next_open(end) != end:
        assert any(abs(end - a) < 1e-9 for a, _ in cal.off_intervals)


@PROPS
@given(calendars(), TIMES)
def test_next_open_is_the_first_working_instant(cal: WorkCalendar, t: float) -> None:
    o = cal.next_open(t)
    assert o >= t
    assert cal.working_between(t, o) == 0.0
    assert cal.next_open(o) == o
    # working time follows, unless o is within float resolution of an off stretch's start
    # (t = -2e-16 before a PTO block at day 0: 2e-16 days of work, lost in rounding)
    assert cal.working_between(o, o + 1e-6) > 0 or any(
        0 <= a - o < 1e-9 for a, _ in cal.off_intervals
    )
    assert cal.finish(t, 0.0) == o


@PROPS
@given(calendars(), TIMES, TIMES, TIMES)
def test_working_time_adds_up(cal: WorkCalendar, a: float, b: float, c: float) -> None:
    a, b, c = sorted((a, b, c))
    whole = cal.working_between(a, c)
    assert whole == pytest.approx(cal.working_between(a, b) + cal.working_between(b, c), abs=1e-9)
    assert 0.0 <= whole <= c - a + 1e-9


@settings(max_examples=60, deadline=None)
@given(
    START_DATES,
    st.floats(150.0, 255.0),
    st.integers(1, 15),
    st.integers(0, 2**32),
)
def test_each_plan_year_holds_its_working_days_rounded(
    start: dt.date, days: float, block: int, seed: int
) -> None:
    cal = WorkCalendar.build(
        start,
        -365,
        3 * 366,
        working_days_per_year=days,
        pto_block_days=block,
        rng=np.random.default_rng(seed),
    )
    for j in (-1, 0, 1, 2):
        a, b = day(start, anniversary(start, j)), day(start, anniversary(start, j + 1))
        assert cal.working_between(a, b) in (math.floor(days), math.ceil(days))
