"""Scipy's Kaplan-Meier and Wilson interval against the former hand-written formulas.

    python benchmarks/estimators_speed.py [--customers 100000] [--repeat 3]

It imports the reference formulas kept in tests/test_estimators.py. A book of ``--customers`` customers followed for up to five
years in whole days (so many ties), 30% churned; Kaplan-Meier with Greenwood log(-log)
bands by :func:`simulator.analysis.estimators.kaplan_meier` (``scipy.stats.ecdf``)
and by the former loop over event times; the Wilson interval on 10,000 random counts.
Reports the best of ``--repeat`` times (seconds), the ratio in the same run, and the
largest difference between the two results. A benchmark, not a test: it does not assert.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from simulator.analysis.estimators import Rate, kaplan_meier, wilson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_estimators import reference_kaplan_meier, reference_wilson


def _triple(rate: Rate) -> tuple[float, float, float]:
    return rate.value, rate.low, rate.high


def best_seconds(fn: Callable[[], object], repeat: int) -> float:
    """Best wall time of ``fn`` over ``repeat`` calls (seconds)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    """Time both implementations and print seconds, ratio and largest difference."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(2027)
    days = rng.integers(1, 5 * 365, size=args.customers).astype(float)
    churned = rng.random(args.customers) < 0.3

    new = kaplan_meier(days, churned)
    old = reference_kaplan_meier(days, churned)
    diff = max(
        float(np.max(np.abs(a - b)))
        for a, b in zip((new.survival, new.low, new.high), old[1:4], strict=True)
    )
    t_new = best_seconds(lambda: kaplan_meier(days, churned), args.repeat)
    t_old = best_seconds(lambda: reference_kaplan_meier(days, churned), args.repeat)
    print(
        f"Kaplan-Meier, {args.customers:,} customers, {new.n_events:,} events at "
        f"{len(new.times) - 1:,} distinct times"
    )
    print(f"  scipy.stats.ecdf  {t_new * 1000:9.1f} ms")
    print(f"  former loop       {t_old * 1000:9.1f} ms")
    print(f"  speed-up          {t_old / t_new:9.1f}x   largest difference {diff:.1e}")

    trials = rng.integers(1, 10_000, size=10_000)
    events = [int(rng.integers(0, t + 1)) for t in trials]
    pairs = list(zip(events, trials.tolist(), strict=True))
    w_diff = max(
        max(abs(a - b) for a, b in zip(_triple(wilson(k, n)), reference_wilson(k, n), strict=True))
        for k, n in pairs[:1000]
    )
    t_w_new = best_seconds(lambda: [wilson(k, n) for k, n in pairs], args.repeat)
    t_w_old = best_seconds(lambda: [reference_wilson(k, n) for k, n in pairs], args.repeat)
    print(f"Wilson interval, {len(pairs):,} counts")
    print(f"  scipy binomtest   {t_w_new * 1000:9.1f} ms")
    print(f"  former formula    {t_w_old * 1000:9.1f} ms")
    print(f"  ratio old/new     {t_w_old / t_w_new:9.2f}x   largest difference {w_diff:.1e}")


if __name__ == "__main__":
    main()
