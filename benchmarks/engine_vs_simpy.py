"""Engine throughput against a bare SimPy M/M/c loop, measured in one process and one run.

    python benchmarks/engine_vs_simpy.py [--accounts 10000] [--repeat 3]

Prints (a) the engine's touchpoints per second on a 10,000-account scenario, (b) a bare
SimPy M/M/c loop's customers per second on the same machine, their ratio, and SimPy
events per touchpoint. Targets (issue 3): ratio >= 0.6, <= 4 events per touchpoint.
A benchmark, not a test: it reports, it does not assert.

Touchpoints are the plan's (the records'): a burn-in's work before day 0 costs time but
is not counted, so the engine is timed twice, with the default burn-in (one contract
term here, 365 days) and without it (``burn_in_days: 0``), and the cost of the burn-in
printed.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

import numpy as np
import simpy

from simulator.engine.simulation import simulate
from simulator.scenario.loader import load_text

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the same book as benchmarks/speed.py
from speed import BOOK as SCENARIO
from speed import NO_BURN_IN


def engine_rate(accounts: int, burn_in: bool = True) -> tuple[float, int, int, float]:
    """Plan touchpoints per second, plan touchpoints, SimPy events (burn-in included) and
    seconds for one replication, with the default burn-in or none."""
    hours = accounts * (4 * 1 + 1 + 2 * 0.5) * 1.1
    csms = max(1, int(hours / (1730 * 0.63 * 0.85)))
    text = SCENARIO.format(
        accounts=accounts,
        new=accounts * 0.02,
        csms=csms,
        burn_in="" if burn_in else NO_BURN_IN,
    )
    scenario = load_text(text, "benchmark.yaml").scenario
    gc.collect()
    t0 = time.perf_counter()
    rec = simulate(scenario, 0)
    dt = time.perf_counter() - t0
    touches = int((rec.tasks["tp"] >= 0).sum())
    return touches / dt, touches, rec.simpy_events, dt


def simpy_rate(customers: int, c: int = 10, rho: float = 0.8) -> tuple[float, float]:
    """Customers per second of a bare SimPy M/M/c queue (arrival process + Resource)."""
    rng = np.random.default_rng(1)
    lam = rho * c
    inter = rng.exponential(1 / lam, customers)
    service = rng.exponential(1.0, customers)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=c)

    def customer(i: int):
        with server.request() as req:
            yield req
            yield env.timeout(service[i])

    def source():
        for i in range(customers):
            yield env.timeout(inter[i])
            env.process(customer(i))

    env.process(source())
    gc.collect()
    t0 = time.perf_counter()
    env.run()
    dt = time.perf_counter() - t0
    return customers / dt, dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the best is reported")
    args = ap.parse_args()
    # alternate the two, each after a full collection, so neither runs on the other's
    # garbage; the best of each is reported
    eng, cold, bare = [], [], []
    customers = 0
    for _ in range(args.repeat):
        gc.collect()
        eng.append(engine_rate(args.accounts))
        gc.collect()
        cold.append(engine_rate(args.accounts, burn_in=False))
        customers = max(100_000, eng[-1][1])
        gc.collect()
        bare.append(simpy_rate(customers)[0])
    best = max(eng, key=lambda r: r[0])
    nob = max(cold, key=lambda r: r[0])
    top = max(bare)
    print(
        f"engine:   {best[0]:>10,.0f} touchpoints/s  ({best[1]:,} plan touchpoints, {args.accounts:,} accounts, {best[3]:.2f} s; 365-day burn-in)"
    )
    print(
        f"no burn-in: {nob[0]:>8,.0f} touchpoints/s  ({nob[1]:,} plan touchpoints, {nob[3]:.2f} s; burn_in_days: 0)"
    )
    print(
        f"burn-in cost: x{best[3] / nob[3]:.2f} the time of a run without it ({best[3] - nob[3]:+.2f} s)"
    )
    print(f"bare SimPy M/M/c: {top:>10,.0f} customers/s  ({customers:,} customers)")
    print(
        f"ratio engine / bare SimPy: {best[0] / top:.2f}  (target >= 0.6; without burn-in {nob[0] / top:.2f})"
    )
    print(
        f"SimPy events per plan touchpoint: {best[2] / best[1]:.2f}  (target <= 4; without burn-in {nob[2] / nob[1]:.2f})"
    )


if __name__ == "__main__":
    main()
