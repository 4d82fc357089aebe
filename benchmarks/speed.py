"""What a replication costs, counted honestly: one process, paired rounds, medians.

    python benchmarks/speed.py [--rounds 5] [--accounts 10000] [--big 100000] [--psa]

A benchmark, not a test: it reports, it does not assert. Every figure is the median of
``--rounds`` rounds; within a round the compared runs alternate in this process, each
after a full garbage collection, so a busy machine slows them alike and the ratios hold
(absolute times do not). CPU time (``time.process_time``) and wall time are both shown.

1. **The default replication**: one replication of the bundled default plan (all three
   teams, its one-year burn-in included), CPU and wall seconds.
2. **CSM tasks served per CPU-second** on a book of ``--accounts`` accounts with no
   burn-in (so everything simulated is counted): tasks that occupy a CSM (one_to_one
   touches, one_to_many sessions, ad hoc work, inbound requests answered by a CSM).
   Automated and skipped touches cost no CSM time and are counted apart. Against a bare
   SimPy M/M/c loop's customers per CPU-second.
3. **The pooled M/M/c reduction**: the engine configured as an M/M/c queue (one pooled
   team of 10 CSMs at 80% load, Poisson requests, exponential effort; the scenario of the
   Erlang C test), against bare SimPy and Ciw on the same queue. Ciw is optional
   (``pip install 'cssim[bench]'``).
4. **A big book**: one replication of ``--big`` accounts in a child process: CPU seconds,
   peak memory (max RSS) and cost per CSM task against the small book's.
5. **Start-up**: ``import simulator.cli`` and ``cssim --help`` in fresh processes.
6. With ``--psa``, two probabilistic sensitivity analyses (``cssim decide``, its defaults:
   300 draws, 1 replication each, 8 replications a tornado point; ``-j 2``), wall seconds
   and the CPU seconds of the child processes (the command and its workers):

   a. the headline decision of issue 10, ``default`` against ``cfo_six``: decide
      simulates only the segment the options change (top);
   b. the whole default plan: ``default`` against ``default_plus_one``, the default
      with one more CSM in every team (a temporary file that extends it), so every
      segment is simulated.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# as the command line does (simulator/cli/__init__.py): before NumPy is imported, and
# inherited by the child processes below; set NUMPY_MADVISE_HUGEPAGE=1 to measure with
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

import numpy as np
import simpy

from simulator.engine.codes import Channel, Kind, Status
from simulator.engine.records import Records
from simulator.engine.simulation import simulate
from simulator.scenario.loader import load_scenario, load_text
from simulator.scenario.model.teams import Team
from simulator.synthetic.mmc import mmc_scenario

ROOT = Path(__file__).resolve().parent.parent

BOOK = """\
name: Benchmark book
start_date: 2027-01-01
horizon_days: 365
seed: 1
{burn_in}segments:
  book:
    accounts: {accounts}
    arr: {{dist: lognormal, mean: 30000, cv: 0.5}}
    new_accounts_per_month: {new}
    coverage: pooled
    team: {{csms: {csms}, annual_cost_per_csm: 150000}}
    lifecycle: {{onboarding_days: 45, adoption_days: 60, renewal_window_days: 120}}
    churn: {{annual_baseline: 0.1}}
    touchpoints:
      kickoff: {{trigger: {{kind: stage_entry, stage: onboarding}}, hours: 2}}
      check_in: {{trigger: {{kind: cadence, per_year: 4}}, hours: {{dist: lognormal, mean: 1, cv: 0.3}}}}
      digest: {{trigger: {{kind: cadence, per_year: 12}}, channel: automated, cost_per_touch: 0.05}}
      renewal: {{trigger: {{kind: before_renewal, days: 60}}, hours: 1}}
      request: {{trigger: {{kind: inbound_request}}, hours: 0.5}}
    inbound: {{requests_per_account_year: 4, support_share: 0.5}}
"""
"""A pooled book: cadence, stage-entry, before-renewal and inbound work, an automated digest
(``{burn_in}``: :data:`NO_BURN_IN`, or empty for the default burn-in)."""

NO_BURN_IN = "burn_in_days: 0\n"
"""Everything simulated is counted: no burn-in."""

MMC_C, MMC_RHO, MMC_HOURS = 10, 0.8, 2.0


class Timed:
    """CPU and wall seconds of one call, and what it returned.

    The timing ends after a full collection: freeing the call's garbage is part of its
    cost (in a run of replications the next one pays it otherwise)."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        gc.collect()
        c0, w0 = time.process_time(), time.perf_counter()
        self.value = fn()
        gc.collect()
        self.cpu = time.process_time() - c0
        self.wall = time.perf_counter() - w0


def csm_tasks(rec: Records) -> tuple[int, int]:
    """Tasks a CSM served (delivered one_to_one work and sessions) and automated or
    skipped touches, of one replication's records."""
    t = rec.tasks
    delivered = np.isin(t["status"], [Status.ON_TIME, Status.LATE])
    by_csm = delivered & ((t["channel"] == Channel.ONE_TO_ONE) | (t["kind"] == Kind.SESSION))
    free = np.isin(t["status"], [Status.AUTOMATED, Status.SKIPPED])
    return int(by_csm.sum()), int(free.sum())


def book(accounts: int) -> Any:
    """The benchmark book of ``accounts`` accounts, staffed for about 85% load."""
    hours = accounts * (4 * 1 + 1 + 2 * 0.5) * 1.1
    csms = max(1, int(hours / (1730 * 0.63 * 0.85)))
    text = BOOK.format(accounts=accounts, new=accounts * 0.02, csms=csms, burn_in=NO_BURN_IN)
    return load_text(text, "benchmark.yaml").scenario


def mmc_engine(horizon: int) -> Any:
    """The Erlang C test's queue (:mod:`simulator.synthetic.mmc`), no burn-in."""
    text = mmc_scenario(MMC_C, MMC_RHO, MMC_HOURS, horizon, burn_in=False)[0]
    return load_text(text, "mmc.yaml").scenario


def bare_simpy(customers: int, c: int = MMC_C, rho: float = MMC_RHO) -> int:
    """A bare SimPy M/M/c queue: an arrival process and a Resource; customers served."""
    rng = np.random.default_rng(1)
    inter = rng.exponential(1 / (rho * c), customers)
    service = rng.exponential(1.0, customers)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=c)
    served = [0]

    def customer(i: int) -> Any:
        with server.request() as req:
            yield req
            yield env.timeout(service[i])
            served[0] += 1

    def source() -> Any:
        for i in range(customers):
            yield env.timeout(inter[i])
            env.process(customer(i))

    env.process(source())
    env.run()
    return served[0]


def ciw_mmc(customers: int, c: int = MMC_C, rho: float = MMC_RHO) -> int | None:
    """Ciw's M/M/c on the same load; customers served (None when Ciw is not installed)."""
    try:
        import ciw
    except ImportError:
        return None
    ciw.seed(1)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=rho * c)],
        service_distributions=[ciw.dists.Exponential(rate=1.0)],
        number_of_servers=[c],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(customers, method="Finish")
    return len(sim.get_all_records())


def big_book(accounts: int) -> dict[str, float]:
    """One replication of a big book in a child process: CPU s, peak MB, CSM tasks."""
    code = (
        "import json, resource, sys, time\n"
        f"sys.path.insert(0, {str(ROOT / 'benchmarks')!r})\n"
        "from speed import book, csm_tasks\n"
        "from simulator.engine.simulation import simulate\n"
        f"s = book({accounts})\n"
        "c0 = time.process_time()\n"
        "rec = simulate(s, 0)\n"
        "cpu = time.process_time() - c0\n"
        "tasks, free = csm_tasks(rec)\n"
        # VmHWM: this process's own peak (ru_maxrss also counts the parent's memory at
        # the fork before exec)
        "hwm = [int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM:')]\n"
        "mb = hwm[0] / 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'cpu': cpu, 'mb': mb, 'tasks': tasks, 'free': free}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def startup(argv: list[str]) -> float:
    """Wall seconds of a fresh process running ``argv``."""
    t0 = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True, cwd=ROOT)
    return time.perf_counter() - t0


def timed_child(argv: list[str]) -> tuple[float, float]:
    """Wall seconds of a fresh process running ``argv``, and the CPU seconds (user +
    system) of it and every process it waited for (its worker processes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = startup(argv)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def plus_one_csm(path: Path) -> dict[str, int]:
    """One more CSM in every team of the scenario at ``path`` (shared teams under
    ``teams``, inline ones under ``segments.NAME.team``): dotted path -> headcount. An
    option of decide that changes every segment."""
    s = load_scenario(path)
    out = {f"teams.{name}.csms": t.csms + 1 for name, t in s.teams.items()}
    for name, seg in s.segments.items():
        if isinstance(seg.team, Team):
            out[f"segments.{name}.team.csms"] = seg.team.csms + 1
    return out


def extending(path: Path, name: str, settings: dict[str, Any]) -> str:
    """A scenario file that extends ``path`` with ``settings`` (dotted path -> value), as
    JSON (which is YAML)."""
    doc: dict[str, Any] = {"extends": str(path.resolve()), "name": name}
    for dotted, value in settings.items():
        *parents, leaf = dotted.split(".")
        node = doc
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return json.dumps(doc, indent=2) + "\n"


def psa(label: str, option: Path, argv_tail: list[str]) -> None:
    """Time ``cssim decide scenarios/default.yaml OPTION`` (``argv_tail`` after it) and
    print the wall and child CPU seconds with the exact command."""
    argv = [sys.executable, "-m", "simulator", "decide", "scenarios/default.yaml", str(option)]
    argv += argv_tail
    wall, cpu = timed_child(argv)
    shown = shlex.join(["cssim", *argv[3:]])
    print(f"   {label}: {wall:.1f} s wall, {cpu:.1f} CPU-s (children)\n     {shown}")


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--accounts", type=int, default=10_000)
    ap.add_argument("--big", type=int, default=100_000, help="accounts of the big book (0: skip)")
    ap.add_argument("--psa", action="store_true", help="also time the headline decision")
    args = ap.parse_args()

    default = load_scenario(None)
    small = book(args.accounts)
    queue = mmc_engine(horizon=3650)
    rows: dict[str, list[float]] = {}

    def add(key: str, value: float) -> None:
        rows.setdefault(key, []).append(value)

    simulate(default, 0)  # warm caches and imports before timing
    tasks = free = mmc_tasks = 0
    for r in range(args.rounds):
        d = Timed(lambda r=r: simulate(default, r + 1))
        add("default cpu", d.cpu)
        add("default wall", d.wall)
        e = Timed(lambda r=r: simulate(small, r))
        tasks, free = csm_tasks(e.value)
        add("book tasks/cpu", tasks / e.cpu)
        add("book automated/cpu", free / e.cpu)
        add("book cpu", e.cpu)
        q = Timed(lambda r=r: simulate(queue, r))
        mmc_tasks = csm_tasks(q.value)[0]
        add("mmc engine /cpu", mmc_tasks / q.cpu)
        n = max(mmc_tasks, 50_000)
        b = Timed(lambda n=n: bare_simpy(n))
        add("simpy /cpu", b.value / b.cpu)
        c = Timed(lambda n=n: ciw_mmc(n))
        if c.value is not None:
            add("ciw /cpu", c.value / c.cpu)

    print(f"rounds: {args.rounds} (medians; CPU time unless marked wall)")
    print(
        f"1. default replication: {med(rows['default cpu']):.3f} CPU-s "
        f"({med(rows['default wall']):.3f} s wall)"
    )
    simpy_rate = med(rows["simpy /cpu"])
    rate = med(rows["book tasks/cpu"])
    print(
        f"2. CSM tasks served: {rate:,.0f} per CPU-s ({tasks:,} tasks, {args.accounts:,} "
        f"accounts, {med(rows['book cpu']):.2f} CPU-s); automated or skipped touches apart: "
        f"{free:,} ({med(rows['book automated/cpu']):,.0f} per CPU-s)"
    )
    print(f"   bare SimPy M/M/c: {simpy_rate:,.0f} customers per CPU-s")
    print(f"   ratio CSM tasks / bare SimPy customers: {rate / simpy_rate:.2f}")
    mmc = med(rows["mmc engine /cpu"])
    line = f"3. pooled M/M/c (c={MMC_C}, rho={MMC_RHO}): engine {mmc:,.0f} tasks per CPU-s, "
    line += f"{mmc / simpy_rate:.2f}x bare SimPy"
    if "ciw /cpu" in rows:
        ciw_rate = med(rows["ciw /cpu"])
        line += f", {mmc / ciw_rate:.2f}x Ciw ({ciw_rate:,.0f} per CPU-s)"
    else:
        line += " (Ciw not installed: pip install 'cssim[bench]')"
    print(line)
    if args.big:
        big = big_book(args.big)
        per_small = med(rows["book cpu"]) / max(tasks, 1)
        per_big = big["cpu"] / max(big["tasks"], 1)
        print(
            f"4. {args.big:,} accounts: {big['cpu']:.1f} CPU-s, peak {big['mb']:,.0f} MB, "
            f"{big['tasks']:,.0f} CSM tasks; cost per task x{per_big / per_small:.2f} the "
            f"{args.accounts:,}-account book's"
        )
    imports = [startup([sys.executable, "-c", "import simulator.cli"]) for _ in range(args.rounds)]
    helps = [startup([sys.executable, "-m", "simulator", "--help"]) for _ in range(args.rounds)]
    print(
        f"5. start-up (wall): import simulator.cli {med(imports):.2f} s, "
        f"cssim --help {med(helps):.2f} s"
    )
    if args.psa:
        tail = ["-q", "-j", "2"]
        print("6. PSA (cssim decide: 300 draws x 1 replication, tornado 8 a point; -j 2):")
        psa("a. default vs cfo_six (top simulated)", Path("scenarios/cfo_six.yaml"), tail)
        default_path = ROOT / "scenarios" / "default.yaml"
        settings = plus_one_csm(default_path)
        with tempfile.TemporaryDirectory() as tmp:
            option = Path(tmp) / "default_plus_one.yaml"
            text = extending(default_path, "The default plan, one more CSM in every team", settings)
            option.write_text(text, "utf-8")
            what = ", ".join(f"{k}={v}" for k, v in settings.items())
            psa(
                f"b. the whole plan, default vs {option.stem} (default.yaml with {what})",
                option,
                tail,
            )


if __name__ == "__main__":
    main()
