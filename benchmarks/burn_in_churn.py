"""Year-1 against year-2 churn of one segment, with the burn-in on and off.

    python benchmarks/burn_in_churn.py [--scenario scenarios/default.yaml] [--segment top]
        [-n 20] [--seed SEED]

Runs the segment alone over two years (``horizon_days=730``, nothing else changed) with
the scenario's burn-in and with ``burn_in_days=0``, on the same replications, and prints
each year's expected churn (the mean churn probability of the renewals decided in that
year) with its 95% CI, and year 2 minus year 1 paired over replications. With nothing
changing in the plan, the two years should agree; without a burn-in, year 1 judges its
renewals on a part-year of history and reads low. A report, not a test (the test is
tests/test_burn_in.py).
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy import stats

from simulator.engine.simulation import simulate
from simulator.scenario.loader import load_scenario


def year_means(path: str, segment: str, extra: list[str], n: int, seed: int | None):
    """Per replication: the mean churn probability of year 1's and year 2's renewals."""
    base = load_scenario(path)
    drop = [f"segments.{s}=null" for s in base.segments if s != segment]
    s = load_scenario(path, [*drop, "horizon_days=730", *extra])
    y = np.zeros((n, 2))
    for rep in range(n):
        r = simulate(s, rep, seed).renewals
        for k in (0, 1):
            m = (r["time"] >= 365 * k) & (r["time"] < 365 * (k + 1))
            y[rep, k] = r["probability"][m].mean()
    return y, s.resolved_burn_in_days


def ci(x: np.ndarray) -> str:
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return f"{x.mean():.2%} [{x.mean() - half:.2%}, {x.mean() + half:.2%}]"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="scenarios/default.yaml")
    ap.add_argument("--segment", default="top")
    ap.add_argument("-n", type=int, default=20, help="replications")
    ap.add_argument("--seed", type=int, default=None, help="root seed (the scenario's)")
    a = ap.parse_args()
    for label, extra in (("burn-in", []), ("no burn-in", ["burn_in_days=0"])):
        y, b = year_means(a.scenario, a.segment, extra, a.n, a.seed)
        print(
            f"{label:>10} ({b:.0f} days): year 1 {ci(y[:, 0])}, year 2 {ci(y[:, 1])}, "
            f"year 2 - year 1 {ci(y[:, 1] - y[:, 0]).replace('%', ' pp')}"
        )


if __name__ == "__main__":
    main()
