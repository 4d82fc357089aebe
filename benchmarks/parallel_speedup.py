"""Speed-up of replications across processes, and Dask's overhead, in one run.

    python benchmarks/parallel_speedup.py [--replications 40]

Prints the wall time of N replications of the default scenario with jobs=1, jobs=2 and
a Dask LocalCluster of 2 workers, the speed-up of jobs=2 over jobs=1 (target >= 1.7 on 2
cores) and Dask's overhead per replication relative to the process pool. Checks that all
three give identical results. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import time

from simulator.analysis.executors import executor
from simulator.analysis.experiment import run_experiment
from simulator.scenario.loader import load_scenario


def timed(jobs: int, dask: str | None, n: int) -> tuple[float, str, float]:
    """Seconds of the replications (cluster start-up reported apart), and the results."""
    t0 = time.perf_counter()
    with executor(jobs, dask) as ex:
        t1 = time.perf_counter()
        exp = run_experiment(load_scenario(), n, executor=ex, jobs=1)
        t2 = time.perf_counter()
    return t2 - t1, json.dumps(exp.rows()), t1 - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=40)
    args = ap.parse_args()
    n = args.replications
    serial, a, _ = timed(1, None, n)
    pooled, b, _ = timed(2, None, n)
    dask, c, startup = timed(2, "local", n)
    print(f"jobs=1: {serial:.1f} s for {n} replications ({serial / n:.2f} s each)")
    print(f"jobs=2: {pooled:.1f} s; speed-up {serial / pooled:.2f} (target >= 1.7)")
    print(
        f"dask LocalCluster (2 workers): {dask:.1f} s plus {startup:.1f} s start-up; "
        f"overhead {(dask - pooled) / n * 1000:+.0f} ms per replication against the process pool"
    )
    print(f"identical results: jobs=2 {a == b}, dask {a == c}")


if __name__ == "__main__":
    main()
