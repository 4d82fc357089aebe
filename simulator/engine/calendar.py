"""Working time of one CSM: weekends, public holidays and PTO on the simulation clock.

The clock counts calendar days from the plan's day 0, which is ``start_date`` at 00:00;
it may be negative (a burn-in before the plan starts). Day ``d`` is the half-open
interval ``[d, d + 1)`` and falls on the date ``start_date + floor(d)``.

A working day is working time from its start to its end: all of its 24 hours hold
capacity, spread evenly (a modelling convention: times within a day are shares of the
day's capacity, not clock times). Daily capacity is ``customer_hours_per_year /
working_days_per_year``; converting hours to working days is the caller's business. A
day is off when it is

- a Saturday or a Sunday (which simulation days those are follows from the weekday of
  ``start_date``);
- a public holiday in the list given to :meth:`WorkCalendar.build` (off for everyone;
  a holiday on a weekend adds nothing: give the observed date); or
- one of the CSM's PTO days.

Days off per year beyond weekends are ``weekdays in the year - working_days_per_year``:
the weekday holidays of that year count towards them and the rest is PTO, so every plan
year holds ``working_days_per_year`` working days (rounded, see below) whatever the
holidays. With no holidays listed, as in the default scenario, the public holidays are
folded into the PTO days: every CSM's days off are then placed independently, and no
day finds the whole team off together.

PTO is taken in blocks of ``pto_block_days`` working days (the last block of a year is
the remainder), at random positions drawn from the ``numpy`` Generator given to
:meth:`WorkCalendar.build`. A block counts working days only: one that starts on a
Thursday runs over the weekend, and one that meets a holiday runs past it.

Time is kept in three coordinates, each a nondecreasing function of the one before:

``u = t + weekday(start_date)``
    week time: ``u = 0`` is a Monday 00:00.
``g = 5 * floor(u / 7) + min(u mod 7, 5)``
    weekday time: weekends squeezed out, by arithmetic on weeks.
``w = g - (holiday and PTO time before g)``
    working time: holidays and PTO squeezed out, by bisection of their merged intervals
    in weekday time (which merges a block across a weekend into one interval).

Every query maps ``t`` to ``w``, or ``w`` back to ``t``, in ``O(log n)`` for ``n``
merged holiday and PTO intervals. The module is pure: no SimPy, no I/O; its only
randomness is the Generator passed in.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

__all__ = ["DEFAULT_PTO_BLOCK_DAYS", "WorkCalendar", "add_weekdays"]

DEFAULT_PTO_BLOCK_DAYS = 5
"""PTO block length (working days): one working week (an assumption)."""

_WEEK = 7.0
_WEEKDAYS = 5.0


def _anniversary(start: dt.date, years: int) -> dt.date:
    """``start`` moved by whole ``years``; a 29 February becomes 28 February off leap years."""
    year = start.year + years
    try:
        return start.replace(year=year)
    except ValueError:
        return start.replace(year=year, day=28)


@lru_cache(maxsize=64)
def _layout(
    start: dt.date, lo_day: float, hi_day: float, holidays: tuple[dt.date, ...]
) -> tuple[tuple[tuple[np.ndarray, int], ...], np.ndarray, float, float]:
    """What every CSM's calendar over the same days shares (no randomness).

    Returns
    -------
    years
        One ``(weekday times of its open weekdays, year index)`` per plan year that
        overlaps ``[lo_day, hi_day)``: plan years ``0, 1, ...`` first, then the burn-in
        years ``-1, -2, ...`` (the order PTO is drawn in). Open weekdays are those that
        are not holidays; the year index counts anniversaries of ``start`` (0: the first
        plan year).
    holiday_g
        Weekday times (integers) of the holidays that fall on weekdays.
    span_lo, span_hi
        The first day of the first year and the end of the last (days).
    """
    shift = start.weekday()
    j = math.floor(lo_day / 366.0) - 1
    while (_anniversary(start, j + 1) - start).days <= lo_day:
        j += 1
    first = j
    bounds = [(_anniversary(start, j) - start).days]
    while bounds[-1] < hi_day:
        j += 1
        bounds.append((_anniversary(start, j) - start).days)
    days = np.arange(bounds[0], bounds[-1], dtype=np.int64)
    u = days + shift
    weekday = u % 7
    g_all = 5 * (u // 7) + weekday
    hol = np.array(sorted({(h - start).days for h in holidays}), dtype=np.int64)
    is_holiday = np.isin(days, hol)
    open_weekday = (weekday < 5) & ~is_holiday
    years = []
    for k in range(len(bounds) - 1):
        a, b = bounds[k] - bounds[0], bounds[k + 1] - bounds[0]
        slots = g_all[a:b][open_weekday[a:b]]
        slots.setflags(write=False)  # shared by every calendar built from the cache
        years.append((slots, first + k))
    years.sort(key=lambda y: (y[1] < 0, abs(y[1])))
    hu = hol + shift
    hu = hu[hu % 7 < 5]
    hol_g = 5 * (hu // 7) + hu % 7
    hol_g.setflags(write=False)
    return tuple(years), hol_g, float(bounds[0]), float(bounds[-1])


class WorkCalendar:
    """One CSM's working time: weekends, holidays and PTO on the simulation clock.

    Build one with :meth:`build`. Times are calendar days on the simulation clock (day 0
    is ``start_date`` at 00:00); work amounts are working days. Working time is a union
    of half-open intervals ``[open, close)``; off time is the rest.

    Attributes
    ----------
    start_date : datetime.date
        The date of day 0.
    span : tuple of float
        ``(first, end)`` days of the plan years PTO was drawn for: whole years from
        ``start_date``'s anniversaries covering the ``lo_day``-``hi_day`` range of
        :meth:`build`. Outside it only weekends and holidays are off.
    """

    __slots__ = ("_cum", "_ga", "_gb", "_off", "_shift", "_ws", "span", "start_date")

    def __init__(self, start_date: dt.date, off_g: np.ndarray, span: tuple[float, float]) -> None:
        """Calendar from the sorted, distinct weekday times ``off_g`` of holidays and PTO.

        Use :meth:`build`; this constructor takes the weekday-time representation.
        """
        self.start_date = start_date
        self.span = span
        self._shift = float(start_date.weekday())
        if off_g.size:
            breaks = np.flatnonzero(np.diff(off_g) != 1)
            starts = off_g[np.concatenate(([0], breaks + 1))]
            ends = off_g[np.concatenate((breaks, [off_g.size - 1]))] + 1
        else:
            starts = ends = off_g
        ga = [float(x) for x in starts]
        gb = [float(x) for x in ends]
        cum = [0.0]
        for a, b in zip(ga, gb, strict=True):
            cum.append(cum[-1] + (b - a))
        self._ga = ga
        """Weekday time at which each merged holiday/PTO interval starts."""
        self._gb = gb
        """Weekday time at which each interval ends (exclusive)."""
        self._cum = cum
        """Holiday/PTO length before interval ``i`` (``cum[i]``; ``len(ga) + 1`` items)."""
        self._ws = [a - c for a, c in zip(ga, cum, strict=False)]
        """Working time at which each interval starts (strictly increasing)."""
        self._off: tuple[tuple[float, float], ...] | None = None

    @classmethod
    def build(
        cls,
        start_date: dt.date,
        lo_day: float,
        hi_day: float,
        *,
        working_days_per_year: float,
        rng: np.random.Generator,
        pto_block_days: int = DEFAULT_PTO_BLOCK_DAYS,
        holidays: Iterable[dt.date] = (),
    ) -> WorkCalendar:
        """Draw one CSM's calendar for the days ``lo_day`` to ``hi_day``.

        Parameters
        ----------
        start_date
            The date of day 0 (the plan's ``start_date``).
        lo_day, hi_day
            First and last day the calendar must cover (days on the simulation clock;
            ``lo_day`` negative for a burn-in). PTO is drawn for every plan year (from an
            anniversary of ``start_date`` to the next) that overlaps this range.
        working_days_per_year
            Working days in a plan year (days per year, 0 < value <= the year's weekdays
            less its weekday holidays). A fractional part is a chance: a year's PTO days
            are ``weekdays - weekday holidays - working_days_per_year`` rounded down or
            up at random, so the expected working days per year is exact.
        rng
            Source of the PTO positions (the CSM's own stream). Plan years 0, 1, ... are
            drawn first, then the burn-in years -1, -2, ...: the plan years' PTO does not
            depend on the burn-in's length.
        pto_block_days
            Length of a PTO block (working days, >= 1; default
            :data:`DEFAULT_PTO_BLOCK_DAYS`). A year's PTO is as many whole blocks as it
            holds and one shorter block for the remainder.
        holidays
            Public holidays (dates), off for everyone; a date on a weekend adds nothing.
            Empty by default: the holidays are then part of the PTO days.

        Returns
        -------
        WorkCalendar

        Raises
        ------
        ValueError
            If ``hi_day <= lo_day``, ``pto_block_days < 1``, ``working_days_per_year <= 0``
            or a plan year has fewer open weekdays than ``working_days_per_year``.

        Notes
        -----
        A year's blocks stay inside the year and come in random order (the remainder block
        anywhere among them). One uniform draw per block over ``0..F``, with ``F`` the
        year's open weekdays left after its PTO, sorted, gives the free weekdays before
        each block: blocks never overlap but may abut, making a longer leave.
        """
        if not (math.isfinite(lo_day) and math.isfinite(hi_day)) or hi_day <= lo_day:
            raise ValueError(f"need finite lo_day < hi_day, got {lo_day} and {hi_day}")
        if pto_block_days < 1 or int(pto_block_days) != pto_block_days:
            raise ValueError(f"pto_block_days must be a whole number >= 1, got {pto_block_days}")
        if not working_days_per_year > 0:
            raise ValueError(f"working_days_per_year must be > 0, got {working_days_per_year}")
        block = int(pto_block_days)
        years, hol_g, span_lo, span_hi = _layout(
            start_date, float(lo_day), float(hi_day), tuple(sorted(set(holidays)))
        )
        parts = [hol_g]
        for slots, index in years:
            n_open = slots.size
            extra = n_open - working_days_per_year
            if extra < 0:
                first = _anniversary(start_date, index)
                raise ValueError(
                    f"working_days_per_year {working_days_per_year} exceeds the {n_open} "
                    f"weekdays that are not holidays in the year from {first}"
                )
            whole = math.floor(extra)
            n = whole + int(rng.random() < extra - whole)
            if n == 0:
                continue
            lengths = np.full(n // block, block, dtype=np.int64)
            if n % block:
                lengths = rng.permutation(np.append(lengths, n % block))
            gaps = np.sort(rng.integers(0, n_open - n, size=lengths.size, endpoint=True))
            chosen = np.arange(n) + np.repeat(gaps, lengths)
            parts.append(slots[chosen])
        off_g = np.unique(np.concatenate(parts))
        return cls(start_date, off_g, (span_lo, span_hi))

    def next_open(self, t: float) -> float:
        """The first working instant at or after day ``t`` (days).

        ``t`` itself, unchanged, when ``t`` is working time; else the start of the next
        working day (a Saturday gives the Monday at 00:00, or later if that is off).
        """
        u = t + self._shift
        k = u // _WEEK
        r = u - _WEEK * k
        if r < _WEEKDAYS:
            g = _WEEKDAYS * k + r
            i = bisect_right(self._ga, g)
            if i == 0 or g >= self._gb[i - 1]:
                return t
            g = self._gb[i - 1]
        else:
            g = _WEEKDAYS * k + _WEEKDAYS
            i = bisect_right(self._ga, g)
            if i and g < self._gb[i - 1]:
                g = self._gb[i - 1]
        k = g // _WEEKDAYS
        return _WEEK * k + (g - _WEEKDAYS * k) - self._shift

    def finish(self, t: float, work_days: float) -> float:
        """The day at which ``work_days`` of work started at day ``t`` is done (days).

        The work begins at :meth:`next_open` of ``t`` and runs through working time only,
        skipping weekends, holidays and PTO. The result is the earliest instant at which
        that much working time has passed: a stretch that ends at the close of a Friday
        is done on the Saturday at 00:00, not the Monday. So for ``work_days > 0`` the
        result is a working instant or the close of a working stretch (the start of an
        off interval), never inside an off interval; ``finish(t, 0)`` is
        ``next_open(t)``, the instant the work would begin.

        Parameters
        ----------
        t
            Day the work is ready to start (days).
        work_days
            Working time it takes (working days, >= 0).

        Raises
        ------
        ValueError
            If ``work_days`` is negative.
        """
        if work_days <= 0:
            if work_days < 0:
                raise ValueError(f"work_days must be >= 0, got {work_days}")
            return self.next_open(t)
        shift = self._shift
        ga = self._ga
        gb = self._gb
        cum = self._cum
        ws = self._ws
        u = t + shift
        k = u // _WEEK
        r = u - _WEEK * k
        if r < _WEEKDAYS:
            g = _WEEKDAYS * k + r
            i = bisect_right(ga, g)
            if i == 0 or g >= gb[i - 1]:  # t is working time: the work starts at t
                w = g - cum[i] + work_days
                g1 = w + cum[bisect_left(ws, w)]
                if g1 <= g:
                    return t  # work too small to move the clock (float rounding)
                k = -((-g1) // _WEEKDAYS) - 1.0  # ceil(g1 / 5) - 1: a week's close
                return _WEEK * k + (g1 - _WEEKDAYS * k) - shift
            g = gb[i - 1]
        else:
            g = _WEEKDAYS * k + _WEEKDAYS
            i = bisect_right(ga, g)
            if i and g < gb[i - 1]:
                g = gb[i - 1]
        # t is off time: the work starts at weekday time g, the next open instant
        w = g - cum[i] + work_days
        g1 = w + cum[bisect_left(ws, w)]
        if g1 <= g:  # work too small to move the clock (float rounding): next_open(t)
            k = g // _WEEKDAYS
            return _WEEK * k + (g - _WEEKDAYS * k) - shift
        k = -((-g1) // _WEEKDAYS) - 1.0
        return _WEEK * k + (g1 - _WEEKDAYS * k) - shift

    def _work(self, t: float) -> float:
        """Working time at day ``t``: working days from an arbitrary origin to ``t``."""
        u = t + self._shift
        k = u // _WEEK
        r = u - _WEEK * k
        g = _WEEKDAYS * k + (r if r < _WEEKDAYS else _WEEKDAYS)
        i = bisect_right(self._ga, g)
        if i:
            return self._ws[i - 1] if g < self._gb[i - 1] else g - self._cum[i]
        return g

    def working_between(self, a: float, b: float) -> float:
        """Working time inside the days ``[a, b)`` (working days; 0 when ``b <= a``).

        The available capacity of the interval, in working days (utilisation's
        denominator).
        """
        if b <= a:
            return 0.0
        return self._work(b) - self._work(a)

    @property
    def off_intervals(self) -> tuple[tuple[float, float], ...]:
        """Merged off intervals ``(start, end)`` (days, half-open) over :attr:`span`.

        Weekends, holidays and PTO together, adjacent ones merged (a week of PTO is one
        interval from the Saturday before to the Sunday after); intervals are cut at the
        ends of :attr:`span`. For records and tests, not for the hot path.
        """
        if self._off is None:
            lo, hi = int(self.span[0]), int(self.span[1])
            shift = int(self._shift)
            days = np.arange(lo, hi, dtype=np.int64)
            u = days + shift
            off = u % 7 >= 5
            g = 5 * (u // 7) + u % 7  # weekday time of a weekday (weekend days are off anyway)
            for a, b in zip(self._ga, self._gb, strict=True):
                off |= (g >= a) & (g < b)
            off_days = days[off]
            if off_days.size:
                breaks = np.flatnonzero(np.diff(off_days) != 1)
                starts = off_days[np.concatenate(([0], breaks + 1))]
                ends = off_days[np.concatenate((breaks, [off_days.size - 1]))] + 1
                self._off = tuple((float(a), float(b)) for a, b in zip(starts, ends, strict=True))
            else:
                self._off = ()
        return self._off


def add_weekdays(t: float, days: float, shift: float) -> float:
    """The day ``days`` weekdays after day ``t``, weekends not counted (days).

    ``shift`` is the weekday of day 0 (``start_date.weekday()``, Monday 0). A window
    from a weekend counts from the Monday after it; a window that ends exactly at the
    close of a Friday ends on the Monday at 00:00 (no work falls in between).
    """
    u = t + shift
    k = u // _WEEK
    r = u - _WEEK * k
    g = _WEEKDAYS * k + (r if r < _WEEKDAYS else _WEEKDAYS) + days
    k = g // _WEEKDAYS
    return _WEEK * k + (g - _WEEKDAYS * k) - shift
