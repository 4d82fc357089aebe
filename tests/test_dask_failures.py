"""Dask failures are named, never waited out: lost workers, another cssim version.

Each test starts its own LocalCluster on 127.0.0.1 (in-process workers, no dashboard)
and stops it. A run that might hang runs in a thread joined with a timeout (pytest-timeout
is not installed), so a regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from simulator.analysis import executors
from simulator.analysis.executors import (
    DaskUnavailableError,
    DaskVersionError,
    DaskWorkersLostError,
    executor,
    resolve_no_workers_timeout,
)
from simulator.analysis.experiment import run_experiment
from simulator.scenario.loader import load_text

distributed = pytest.importorskip("distributed")
dask_config = pytest.importorskip("dask.config")

TINY = """\
name: Tiny book
start_date: 2027-01-01
horizon_days: 60
burn_in_days: 0
segments:
  core:
    accounts: 5
    arr: {dist: lognormal, mean: 60000, cv: 0.3}
    team: {csms: 1, annual_cost_per_csm: 150000}
    churn: {annual_baseline: 0.1}
    touchpoints:
      qbr: {trigger: {kind: cadence, per_year: 4}, hours: 5}
"""

WAIT = 20.0
"""Seconds a test waits for a run before it fails as a hang (each should take 1-3)."""


@pytest.fixture
def tiny() -> Any:
    return load_text(TINY, "tiny.yaml").scenario


@pytest.fixture
def cluster() -> Iterator[Any]:
    """A scheduler on 127.0.0.1 with no worker; a test adds workers as it needs."""
    c = distributed.LocalCluster(
        n_workers=0,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=50,
    )
    try:
        yield c
    finally:
        c.close()


def finishes(fn: Callable[[], Any], wait: float = WAIT) -> tuple[Any, BaseException | None, float]:
    """Run ``fn`` in a thread; (result, exception, seconds). Fails the test on a hang."""
    out: dict[str, Any] = {}

    def target() -> None:
        t0 = time.monotonic()
        try:
            out["value"] = fn()
        except BaseException as exc:  # the test inspects it
            out["error"] = exc
        out["seconds"] = time.monotonic() - t0

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(wait)
    assert not thread.is_alive(), f"the run did not finish within {wait} s: it hangs"
    return out.get("value"), out.get("error"), out["seconds"]


def test_a_scheduler_without_workers_fails_with_no_workers_after_the_timeout(
    cluster: Any, tiny: Any
) -> None:
    def run() -> Any:
        with executor(dask=cluster.scheduler_address, no_workers_timeout=1.0) as ex:
            return run_experiment(tiny, 2, 1, executor=ex)

    _, error, seconds = finishes(run)
    assert isinstance(error, DaskWorkersLostError)
    assert "no workers" in str(error) and cluster.scheduler_address in str(error)
    assert "2 replications" in str(error)
    assert 0.9 <= seconds < 10


def test_workers_lost_during_a_run_fail_it_after_the_timeout(cluster: Any, tiny: Any) -> None:
    cluster.scale(1)
    cluster.wait_for_workers(1, timeout=10)
    done: list[int] = []

    def lose_workers(k: int, total: int) -> None:
        done.append(k)
        if len(done) == 1:  # every worker goes after the first replication
            cluster.scale(0)

    def run() -> Any:
        with executor(dask=cluster.scheduler_address, no_workers_timeout=1.0) as ex:
            return run_experiment(tiny, 40, 1, lose_workers, executor=ex)

    _, error, _ = finishes(run)
    assert isinstance(error, DaskWorkersLostError), error
    assert done and len(done) < 40


def test_workers_back_within_the_timeout_finish_the_run(cluster: Any, tiny: Any) -> None:
    serial = run_experiment(tiny, 3, 1, jobs=1)

    def add_a_worker_soon() -> None:
        time.sleep(1.0)
        cluster.scale(1)

    threading.Thread(target=add_a_worker_soon, daemon=True).start()

    def run() -> Any:
        with executor(dask=cluster.scheduler_address, no_workers_timeout=15.0) as ex:
            return run_experiment(tiny, 3, 1, executor=ex)

    result, error, _ = finishes(run)
    assert error is None, error
    assert result.rows() == serial.rows()


def test_a_worker_on_another_cssim_version_is_refused_at_connect(
    cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster.scale(1)
    cluster.wait_for_workers(1, timeout=10)
    real = executors.client_version()
    monkeypatch.setattr(executors, "client_version", lambda: "99.0.0")

    def connect() -> None:
        with executor(dask=cluster.scheduler_address, no_workers_timeout=1.0):
            pass

    _, error, _ = finishes(connect)
    assert isinstance(error, DaskVersionError)
    assert "cssim 99.0.0" in str(error) and f"cssim {real}" in str(error)


def test_the_cli_says_no_workers_on_stderr_and_exits_2(cluster: Any, tmp_path: Any) -> None:
    from simulator.cli import cli

    plan = tmp_path / "tiny.yaml"
    plan.write_text(TINY)
    args = ["run", str(plan), "-n", "2", "-q", "--dask", cluster.scheduler_address]

    def invoke() -> Any:
        with dask_config.set({"distributed.scheduler.no-workers-timeout": "1s"}):
            return CliRunner().invoke(cli, args)

    result, error, _ = finishes(invoke)
    assert error is None, error
    assert result.exit_code == 2, result.output
    assert "no workers" in result.stderr
    assert "Traceback" not in result.output


def test_the_timeout_default_and_dasks_setting() -> None:
    assert resolve_no_workers_timeout(2.5) == 2.5
    with dask_config.set({"distributed.scheduler.no-workers-timeout": None}):
        assert resolve_no_workers_timeout() == executors.DEFAULT_NO_WORKERS_TIMEOUT
    with dask_config.set({"distributed.scheduler.no-workers-timeout": "2 minutes"}):
        assert resolve_no_workers_timeout() == 120.0


@pytest.mark.parametrize("address", ["not a url::", "ftp://127.0.0.1:21"])
def test_a_malformed_scheduler_address_is_bad_input(address: str, tiny: Any) -> None:
    pytest.importorskip("distributed")
    with (
        pytest.raises(DaskUnavailableError, match="is not a Dask scheduler address"),
        executor(1, address),
    ):
        pass
