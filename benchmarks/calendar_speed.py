"""Calls per second of the working-day calendar (simulator/engine/calendar.py).

    python benchmarks/calendar_speed.py [--calls 200000] [--repeat 5]

One CSM's calendar over a burn-in year and a three-year plan (216 working days a year,
five-day PTO blocks, eleven holidays a year), queried at random instants: ``next_open``,
``finish`` of a task block (0.05-0.5 working days, a few hours) and ``working_between``
over a week; and ``build`` itself (one per CSM per replication). Best of ``--repeat``.
A benchmark, not a test: it reports, it does not assert.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import time
from collections.abc import Callable

import numpy as np

from simulator.engine.calendar import WorkCalendar

START = dt.date(2027, 1, 1)
DATES = ((1, 1), (1, 19), (2, 16), (5, 25), (6, 19), (7, 3), (9, 7), (10, 12), (11, 11))
HOLIDAYS = [
    dt.date(year, month, day)
    for year in (2026, 2027, 2028, 2029)
    for month, day in (*DATES, (11, 26), (12, 25))
]
"""Eleven fixed dates a year standing in for public holidays (a weekend date adds nothing)."""


def best_rate(fn: Callable[[], int], repeat: int) -> float:
    """Best calls per second of ``fn`` (which returns how many calls it made)."""
    rates = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        n = fn()
        rates.append(n / (time.perf_counter() - t0))
    return max(rates)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5, help="runs of each; the best is reported")
    args = ap.parse_args()
    rng = np.random.default_rng(1)

    def build() -> WorkCalendar:
        return WorkCalendar.build(
            START,
            -365,
            3 * 365,
            working_days_per_year=216,
            holidays=HOLIDAYS,
            rng=rng,
        )

    cal = build()
    ts = rng.uniform(-365, 3 * 365, args.calls).tolist()
    ws = rng.uniform(0.05, 0.5, args.calls).tolist()
    pairs = list(zip(ts, ws, strict=True))
    next_open, finish, between = cal.next_open, cal.finish, cal.working_between

    def run_next_open() -> int:
        for t in ts:
            next_open(t)
        return len(ts)

    def run_finish() -> int:
        for t, w in pairs:
            finish(t, w)
        return len(pairs)

    def run_between() -> int:
        for t in ts:
            between(t, t + 7.0)
        return len(ts)

    def run_block() -> int:  # what the engine does per task block: open, then finish
        for t, w in pairs:
            finish(next_open(t), w)
        return len(pairs)

    def run_build() -> int:
        n = 2_000
        for _ in range(n):
            build()
        return n

    print(f"calendar: {len(cal._ga)} holiday/PTO intervals over {cal.span} days")
    for name, fn in (
        ("next_open", run_next_open),
        ("finish", run_finish),
        ("working_between", run_between),
        ("next_open + finish", run_block),
        ("build", run_build),
    ):
        print(f"{name:>20}: {best_rate(fn, args.repeat):>12,.0f} calls/s")


if __name__ == "__main__":
    main()
