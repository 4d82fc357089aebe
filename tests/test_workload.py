"""Bounded work: the closed-form size of a replication, and --max-tasks before simulating.

The estimate is checked against the tasks a real replication creates on a few small
books (within :data:`FACTOR`); every hostile size of issue 17 is refused by the command
line in well under 5 s, before any replication starts, with exit code 2 and the
``--max-tasks`` that would let it run; ``--max-tasks`` raises the limit.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from click.testing import CliRunner

from simulator.analysis.workload import (
    DEFAULT_MAX_TASKS,
    WorkloadError,
    check_workload,
    workload,
)
from simulator.cli import cli
from simulator.engine import simulation
from simulator.scenario.loader import load_text

FACTOR = 1.5
"""The estimate is within this factor of the tasks a replication creates (measured
0.99-1.11 on these books: it ignores churn, so it errs high)."""

BOOK = """\
name: Sizing book
start_date: 2027-01-01
horizon_days: {horizon}
burn_in_days: {burn}
segments:
  book:
    accounts: {accounts}
    arr: {{dist: lognormal, mean: 30000, cv: 0.5}}
    new_accounts_per_month: {new}
    coverage: pooled
    team: {{csms: 4, annual_cost_per_csm: 150000}}
    lifecycle: {{onboarding_days: 45, adoption_days: 60, renewal_window_days: 120}}
    churn: {{annual_baseline: {churn}}}
    unscheduled_uplift: 1.2
    touchpoints:
      kickoff: {{trigger: {{kind: stage_entry, stage: onboarding}}, hours: 2}}
      check_in: {{trigger: {{kind: cadence, per_year: 4}}, hours: 1}}
      webinar: {{trigger: {{kind: cadence, per_year: 6}}, channel: one_to_many, hours: 1,
                max_attendees: 20, session_every_days: 14}}
      digest: {{trigger: {{kind: cadence, per_year: 12}}, channel: automated}}
      renewal: {{trigger: {{kind: before_renewal, days: 60}}, hours: 1}}
      save: {{trigger: {{kind: risk_event}}, hours: 2}}
      request: {{trigger: {{kind: inbound_request}}, hours: 0.5}}
    inbound: {{requests_per_account_year: 4, support_share: 0.5}}
    risk_events:
      usage_drop: {{per_account_year: 0.5, unhandled_churn_probability: 0.2,
                   handled_churn_probability: 0.1}}
"""


def book(
    accounts: int = 150, new: float = 0, horizon: int = 365, burn: int = 0, churn: float = 0.1
) -> Any:
    text = BOOK.format(accounts=accounts, new=new, horizon=horizon, burn=burn, churn=churn)
    return load_text(text, "book.yaml").scenario


def created_tasks(s: Any) -> int:
    """Every task and light touch one replication creates, burn-in included (each takes
    one task id, the records keep only the plan's)."""
    run = simulation._Simulation(s, 0, s.seed)
    run.run()
    n = next(run.touches._tid)
    run.release()
    return n


@pytest.mark.parametrize(
    "size",
    [
        {"accounts": 150},
        {"accounts": 60, "new": 15},
        {"accounts": 100, "horizon": 730},
        {"accounts": 100, "burn": 365},
        {"accounts": 0, "new": 20, "burn": 365},
        {"accounts": 200, "horizon": 1825, "churn": 0.3, "burn": 365},
    ],
    ids=["book", "arrivals", "two-years", "burn-in", "arrivals-burn-in", "churn-five-years"],
)
def test_the_estimate_is_within_a_factor_of_the_tasks_created(size: dict[str, int]) -> None:
    s = book(**size)
    w = workload(s)
    real = created_tasks(s)
    estimated = w.tasks + w.light
    assert real / FACTOR <= estimated <= real * FACTOR, (estimated, real)


def test_the_burn_in_is_counted() -> None:
    without, with_burn = workload(book(burn=0)), workload(book(burn=365))
    assert with_burn.simulated_days == without.simulated_days + 365
    assert with_burn.tasks == pytest.approx(2 * without.tasks, rel=0.05)
    assert with_burn.accounts == without.accounts  # the burn-in adds history, not accounts


def test_the_library_raises_a_typed_error_naming_max_tasks() -> None:
    s = book()
    w = workload(s)
    with pytest.raises(WorkloadError) as caught:
        check_workload(s, max_tasks=w.task_equivalents / 2)
    err = caught.value
    assert err.param == "max_tasks" and err.workload.tasks == w.tasks
    assert "max_tasks=" in str(err)  # the Python API's words
    assert "--max-tasks" in err.render({"max_tasks": "--max-tasks"})
    assert "GB of memory" in str(err) and "CPU-seconds" in str(err)
    assert check_workload(s, max_tasks=w.task_equivalents * 1.5)  # near the limit: a warning
    assert check_workload(s, max_tasks=w.task_equivalents * 3) == []


BASE = """\
name: Hostile
start_date: 2027-01-01
segments:
  book:
    accounts: 1000
    arr: {dist: lognormal, mean: 30000, cv: 0.5}
    coverage: pooled
    team: {csms: 10, annual_cost_per_csm: 150000}
    churn: {annual_baseline: 0.1}
    touchpoints:
      check_in: {trigger: {kind: cadence, per_year: 4}, hours: 1}
      save: {trigger: {kind: risk_event}, hours: 2}
      request: {trigger: {kind: inbound_request}, hours: 0.5}
    inbound: {requests_per_account_year: 2, support_share: 0.5}
    risk_events:
      usage_drop: {per_account_year: 0.5, unhandled_churn_probability: 0.2,
                   handled_churn_probability: 0.1}
"""

SCHEDULE = "[" + ", ".join(f"{{date: 2027-{m:02d}-01, count: 1000000}}" for m in range(1, 13)) + "]"
DIGEST = "{trigger: {kind: cadence, per_year: 365}, channel: automated}"
DAILY_RISK = "{daily: {per_account_year: 365, unhandled_churn_probability: 0.1, handled_churn_probability: 0.05}}"

HOSTILE = {
    "10M accounts": ["segments.book.accounts=10000000"],
    "100,000 CSMs for 20 accounts": [
        "segments.book.accounts=20",
        "segments.book.team.csms=100000",
    ],
    "a million new accounts a month": ["segments.book.new_accounts_per_month=1000000"],
    "12M scheduled arrivals": [f"segments.book.new_account_schedule={SCHEDULE}"],
    "10,000 inbound requests per account-year": [
        "segments.book.inbound.requests_per_account_year=10000"
    ],
    "daily digests for 100k accounts": [
        "segments.book.accounts=100000",
        f"segments.book.touchpoints.digest={DIGEST}",
    ],
    "daily risk events for 50k accounts": [
        "segments.book.accounts=50000",
        f"segments.book.risk_events={DAILY_RISK}",
    ],
}


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any replication started fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a simulation was started")

    monkeypatch.setattr(simulation._Simulation, "__init__", refuse)


def invoke(args: list[str]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    result = CliRunner().invoke(cli, args)
    return result, time.perf_counter() - t0


@pytest.mark.parametrize("sets", list(HOSTILE.values()), ids=list(HOSTILE))
def test_a_hostile_size_is_refused_quickly_before_simulating(
    sets: list[str], tmp_path: Any, no_simulation: None
) -> None:
    plan = tmp_path / "hostile.yaml"
    plan.write_text(BASE)
    args = ["run", str(plan), "-n", "2", "-j", "1"]
    for s in sets:
        args += ["--set", s]
    result, seconds = invoke(args)
    assert result.exit_code == 2, result.output
    assert "--max-tasks" in result.stderr and "max_tasks=" not in result.stderr
    assert isinstance(result.exception, SystemExit)  # exit 2, not a traceback
    assert seconds < 5


@pytest.mark.parametrize(
    "command",
    [
        ["sweep", "{plan}", "--vary", "segments.book.team.csms=4,5"],
        ["compare", "{plan}", "{other}"],
        ["solve", "{plan}", "--target", "book.grr>=0.8"],
        ["tradeoff", "{plan}", "--team", "book", "--csms", "5"],
        ["decide", "{plan}", "{other}"],
        ["app", "{plan}"],
    ],
    ids=["sweep", "compare", "solve", "tradeoff", "decide", "app"],
)
def test_other_commands_refuse_too(command: list[str], tmp_path: Any, no_simulation: None) -> None:
    plan, other = tmp_path / "hostile.yaml", tmp_path / "other.yaml"
    plan.write_text(BASE)
    other.write_text(BASE)
    args = [a.format(plan=plan, other=other) for a in command]
    result, seconds = invoke([*args, "--set", HOSTILE["10M accounts"][0]])
    assert result.exit_code == 2, result.output
    assert "--max-tasks" in result.stderr and seconds < 5


def test_max_tasks_raises_the_limit(tmp_path: Any) -> None:
    plan = tmp_path / "small.yaml"
    plan.write_text(BOOK.format(accounts=40, new=0, horizon=90, burn=0, churn=0.1))
    need = workload(load_text(plan.read_text(), str(plan)).scenario).task_equivalents
    base = ["run", str(plan), "-n", "1", "-j", "1", "--format", "json"]
    refused, _ = invoke([*base, "--max-tasks", str(int(need / 2))])
    assert refused.exit_code == 2 and "--max-tasks" in refused.stderr
    near, _ = invoke([*base, "--max-tasks", str(int(need * 1.5))])
    assert near.exit_code == 0, near.output
    assert "warning:" in near.stderr and "of the limit" in near.stderr
    clear, _ = invoke([*base, "--max-tasks", str(int(need * 3))])
    assert clear.exit_code == 0 and "of the limit" not in clear.stderr


def test_the_default_limit_is_the_documented_one() -> None:
    result = CliRunner().invoke(cli, ["run", "--help"])
    assert "--max-tasks" in result.output and f"{DEFAULT_MAX_TASKS}" in result.output


def test_a_slow_replication_is_warned_below_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A replication far below the limit but estimated past SLOW_REPLICATION_SECONDS of
    CPU is run with a warning that says how long one takes."""
    from simulator.analysis import workload as module

    s = book()
    w = workload(s)
    assert check_workload(s, max_tasks=w.task_equivalents * 3) == []
    monkeypatch.setattr(module, "SLOW_REPLICATION_SECONDS", w.cpu_seconds / 2)
    (warning,) = check_workload(s, max_tasks=w.task_equivalents * 3)
    assert warning.severity == "warning" and "CPU-seconds" in warning.message
    assert "each replication takes about that long" in warning.message


def test_tradeoff_sizes_the_headcount_on_offer(tmp_path: Any, no_simulation: None) -> None:
    """The candidates are simulated at the offered headcount: 100,000 CSMs for a small
    book is refused before any simulation, though the plan as written is small."""
    plan = tmp_path / "small.yaml"
    plan.write_text(BASE)
    result, seconds = invoke(["tradeoff", str(plan), "--team", "book", "--csms", "100000"])
    assert result.exit_code == 2, result.output
    assert "--max-tasks" in result.stderr and "CSMs" in result.stderr and seconds < 5
