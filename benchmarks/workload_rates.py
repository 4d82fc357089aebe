"""The unit costs behind --max-tasks: CPU time and peak memory per task, light touch,
account, CSM-year and planner event (simulator/analysis/workload.py).

    python benchmarks/workload_rates.py

A measurement, not a test. Each book is simulated once (one replication) in a fresh
child process, with no burn-in, so everything simulated is counted: CPU time
(``time.process_time``) and peak RSS above the child's RSS before the run, against what
the run created (task ids taken, which every task and light touch takes; accounts; CSMs;
planner items). Each book is dominated by one kind of work, so its cost per unit is
close to that kind's; docs/performance.md#bounded-work lists the figures measured.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BOOK = """\
name: {name}
start_date: 2027-01-01
horizon_days: 365
seed: 1
burn_in_days: 0
segments:
  book:
    accounts: {accounts}
    arr: {{dist: lognormal, mean: 30000, cv: 0.5}}
    coverage: pooled
    team: {{csms: {csms}, annual_cost_per_csm: 150000}}
    lifecycle: {{onboarding_days: 45, adoption_days: 60, renewal_window_days: 120}}
    churn: {{annual_baseline: 0.1}}
    touchpoints:
{touchpoints}
    inbound: {{requests_per_account_year: {inbound}, support_share: 0.5}}
{risk}"""

RENEWAL = "      renewal: {trigger: {kind: before_renewal, days: 60}, channel: automated}"
REQUEST = "      request: {trigger: {kind: inbound_request}, hours: 0.5}"
DIGEST = "      digest: {trigger: {kind: cadence, per_year: 365}, channel: automated}"
RISK = """    risk_events:
      daily: {per_account_year: 365, unhandled_churn_probability: 0.1,
              handled_churn_probability: 0.05}"""

BOOKS = {
    # name: (what dominates, accounts, CSMs, touchpoints, inbound per account-year, risk)
    "tasks": ("tasks", 100, 300, f"{RENEWAL}\n{REQUEST}", 2000, ""),
    "light": ("light touches", 5000, 5, f"{RENEWAL}\n{DIGEST}", 0, ""),
    "accounts": ("accounts", 50000, 5, RENEWAL, 0, ""),
    "csms": ("CSM-years", 20, 20000, RENEWAL, 0, ""),
    "events": ("planner events", 1000, 5, RENEWAL, 0, RISK),
}

CHILD = """\
import json, os, resource, sys, time
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
from simulator.engine import simulation
from simulator.engine.codes import Channel
from simulator.scenario.loader import load_text
s = load_text(sys.stdin.read(), "book.yaml").scenario
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
c0 = time.process_time()
run = simulation._Simulation(s, 0, s.seed)
rec = run.run()
out = {
    "cpu": time.process_time() - c0,
    "bytes": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) * 1024,
    "ids": next(run.touches._tid),
    "light": int(sum(1 for c in rec.tasks["channel"] if c in (Channel.AUTOMATED, Channel.SKIPPED))),
    "accounts": len(next(iter(rec.accounts.values()))),
    "csms": len(next(iter(rec.staff.values()))),
    "planned": next(run.sched._seq),
}
print(json.dumps(out))
"""


def measure(name: str) -> dict[str, float]:
    """One replication of book ``name`` in a child process."""
    _, accounts, csms, touchpoints, inbound, risk = BOOKS[name]
    text = BOOK.format(
        name=name,
        accounts=accounts,
        csms=csms,
        touchpoints=touchpoints,
        inbound=inbound,
        risk=risk,
    )
    out = subprocess.run(
        [sys.executable, "-c", CHILD],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    for name, (what, *_rest) in BOOKS.items():
        m = measure(name)
        units = {
            "tasks": m["ids"] - m["light"],
            "light touches": m["ids"],
            "accounts": m["accounts"],
            "CSM-years": m["csms"],
            "planner events": m["planned"],
        }[what]
        print(
            f"{name:9s} {units:>10,.0f} {what:15s} {m['cpu']:6.2f} CPU-s "
            f"{m['bytes'] / 1e6:7.1f} MB: {m['cpu'] / units * 1e6:8.2f} us and "
            f"{m['bytes'] / units:8,.0f} B each"
        )


if __name__ == "__main__":
    main()
