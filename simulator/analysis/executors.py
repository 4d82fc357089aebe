"""Where replications run: in this process, a local process pool, or a Dask cluster.

Every option is a ``concurrent.futures.Executor``; results never depend on which.

On Dask, two failures are named rather than waited out. At connect, every worker's
cssim version must be the client's (a replication on another version could differ
silently), else :class:`DaskVersionError` names both. During a run, a watchdog asks the
scheduler for its workers; when there have been none for ``no_workers_timeout`` seconds
while replications are waiting, every waiting replication fails with
:class:`DaskWorkersLostError` ("no workers") instead of hanging; workers that come back
within the timeout pick the work up as usual.
"""

from __future__ import annotations

import contextlib
import gc
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import (
    Executor,
    Future,
    InvalidStateError,
    ProcessPoolExecutor,
)
from typing import Any

__all__ = [
    "DEFAULT_NO_WORKERS_TIMEOUT",
    "DaskUnavailableError",
    "DaskVersionError",
    "DaskWorkersLostError",
    "client_version",
    "executor",
    "resolve_no_workers_timeout",
]

DEFAULT_NO_WORKERS_TIMEOUT = 30.0
"""Seconds a Dask run waits with no worker before it fails (assumption: three times the
client's 10 s connect timeout, room for a nanny to restart a lost worker; set Dask's own
``distributed.scheduler.no-workers-timeout`` to wait longer, e.g. for an autoscaler)."""

_POLL_SECONDS = 0.25
"""How often the watchdog asks the scheduler for its workers, at most (seconds)."""


class DaskUnavailableError(RuntimeError):
    """Dask was asked for but is not installed or the scheduler cannot be reached."""


class DaskVersionError(DaskUnavailableError):
    """A Dask worker runs another cssim version than the client."""


class DaskWorkersLostError(DaskUnavailableError):
    """Every Dask worker was lost and none came back within the timeout."""


def client_version() -> str:
    """This process's cssim version (``simulator.__version__``)."""
    import simulator

    return simulator.__version__


def _worker_version() -> str:
    """Run on each worker: its cssim version."""
    import simulator

    return simulator.__version__


def resolve_no_workers_timeout(value: float | None = None) -> float:
    """The wait for workers: ``value``, else Dask's ``distributed.scheduler.no-workers-timeout``
    when set, else :data:`DEFAULT_NO_WORKERS_TIMEOUT` (seconds)."""
    if value is not None:
        return float(value)
    import dask.config
    from dask.utils import parse_timedelta

    configured = dask.config.get("distributed.scheduler.no-workers-timeout", None)
    if configured is None:
        return DEFAULT_NO_WORKERS_TIMEOUT
    return float(parse_timedelta(configured, default="s"))


def check_versions(client: Any, address: str) -> None:
    """Refuse workers whose cssim version differs from this client's.

    Raises
    ------
    DaskVersionError
        Naming the client's version and each other version with a worker that runs it.
    DaskUnavailableError
        When the workers cannot be asked (cssim not importable there).
    """
    mine = client_version()
    try:
        theirs: dict[str, str] = client.run(_worker_version)
    except Exception as exc:  # a worker without cssim fails to unpickle the function
        raise DaskUnavailableError(
            f"the Dask workers at {address} cannot report their cssim version "
            f"({type(exc).__name__}: {exc}); install cssim {mine} on every worker"
        ) from None
    other = {v: w for w, v in sorted(theirs.items()) if v != mine}
    if other:
        listed = ", ".join(f"cssim {v} on {w}" for v, w in other.items())
        raise DaskVersionError(
            f"the Dask workers at {address} run another cssim version than this client "
            f"(cssim {mine}): {listed}; install cssim {mine} on every worker (pip install "
            f"'cssim=={mine}') or run this client with theirs"
        )


class _Watched(Executor):
    """A Dask client's executor whose waiting futures fail when the workers are gone.

    ``submit`` returns a future of its own, completed from Dask's. A watchdog thread asks
    ``count_workers()`` every :data:`_POLL_SECONDS`; once it has been 0 (or the scheduler
    unreachable) for ``timeout`` seconds with futures waiting, they fail with
    :class:`DaskWorkersLostError`.

    A job whose result Dask's executor loses on the way (a worker leaving just after it
    finished: distributed's ``ClientExecutor`` then fails the future with a TypeError of
    its own) is submitted again by the watchdog; replications are seeded, so it gives the
    same result.
    """

    def __init__(
        self, inner: Executor, count_workers: Callable[[], int], timeout: float, address: str
    ) -> None:
        self._inner = inner
        self._count = count_workers
        self._timeout = timeout
        self._address = address
        self._lock = threading.Lock()
        self._waiting: dict[Future[Any], Future[Any]] = {}  # ours -> Dask's
        self._jobs: dict[Future[Any], tuple[Callable[..., Any], tuple[Any, ...]]] = {}
        self._again: list[Future[Any]] = []  # ours, to submit again
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="cssim-dask-watch", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if kwargs:
            raise TypeError("submit jobs with positional arguments only")
        ours: Future[Any] = Future()
        with self._lock:
            self._jobs[ours] = (fn, args)
        ours.add_done_callback(lambda f: self._forget(f, cancel=f.cancelled()))
        self._launch(ours)
        return ours

    def _launch(self, ours: Future[Any]) -> None:
        with self._lock:
            job = self._jobs.get(ours)
        if job is None or ours.done():
            return
        theirs = self._inner.submit(job[0], *job[1])
        with self._lock:
            self._waiting[ours] = theirs
        theirs.add_done_callback(lambda t: self._settle(ours, t))

    def _settle(self, ours: Future[Any], theirs: Future[Any]) -> None:
        """Copy Dask's outcome to our future (unless the watchdog already failed it)."""
        if ours.done():
            return  # cancelled or failed by us already
        if theirs.cancelled():  # not by us: the scheduler or the client closing
            with contextlib.suppress(InvalidStateError):
                ours.set_exception(
                    DaskUnavailableError(
                        f"the Dask scheduler at {self._address} cancelled a replication "
                        "(it closed, or lost this client); run again, or run without Dask"
                    )
                )
            return
        exc = theirs.exception()
        with contextlib.suppress(InvalidStateError):
            if exc is None:
                ours.set_result(theirs.result())
            elif _lost_on_the_way(exc):
                with self._lock:
                    self._again.append(ours)
            elif type(exc).__name__ == "KilledWorker":
                ours.set_exception(
                    DaskUnavailableError(
                        f"a Dask worker died running a replication, more often than the "
                        f"scheduler allows ({exc}); a worker out of memory is the usual "
                        "cause: give the workers more memory, or lower the task limit to "
                        "refuse bigger books"
                    )
                )
            else:
                ours.set_exception(exc)

    def _forget(self, ours: Future[Any], cancel: bool) -> None:
        with self._lock:
            theirs = self._waiting.pop(ours, None)
            self._jobs.pop(ours, None)
        if cancel and theirs is not None:
            theirs.cancel()

    def _watch(self) -> None:
        empty_since: float | None = None
        while not self._stop.wait(min(_POLL_SECONDS, self._timeout / 4)):
            with self._lock:
                again, self._again = self._again, []
                busy = bool(self._waiting)
            for ours in again:
                self._launch(ours)
            if not busy:
                empty_since = None
                continue
            try:
                workers = self._count()
            except Exception:  # the scheduler itself is gone or not answering
                workers = 0
            if workers > 0:
                empty_since = None
                continue
            now = time.monotonic()
            empty_since = now if empty_since is None else empty_since
            if now - empty_since >= self._timeout:
                self._fail_waiting()
                empty_since = None

    def _fail_waiting(self) -> None:
        with self._lock:
            waiting = list(self._waiting.items())
        error = DaskWorkersLostError(
            f"no workers: the Dask scheduler at {self._address} has had no worker for "
            f"{self._timeout:g} s with {len(waiting)} replication"
            f"{'s' if len(waiting) != 1 else ''} still to run; start workers "
            f"(dask worker {self._address}), or run without Dask"
        )
        for ours, theirs in waiting:
            with contextlib.suppress(InvalidStateError):
                ours.set_exception(error)  # first: cancelling Dask's would cancel ours
            theirs.cancel()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._stop.set()
        if cancel_futures:
            with self._lock:
                waiting = list(self._jobs)
            for ours in waiting:
                ours.cancel()
        self._inner.shutdown(wait=wait)
        self._thread.join(timeout=5)


def _lost_on_the_way(exc: BaseException) -> bool:
    """Whether ``exc`` is distributed's ClientExecutor failing to pass on a result it had
    (its future's status moved on, e.g. to lost, while it read it), not the job's error."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return (
        isinstance(exc, TypeError)
        and tb is not None
        and tb.tb_frame.f_code.co_name == "_cascade_future"
        and tb.tb_frame.f_code.co_filename.endswith("cfexecutor.py")
    )


@contextlib.contextmanager
def executor(
    jobs: int | None = None, dask: str | None = None, no_workers_timeout: float | None = None
) -> Iterator[Executor | None]:
    """An executor for replications, shut down on exit.

    Parameters
    ----------
    jobs
        Worker processes (default: the machine's cores). With ``jobs == 1`` and no Dask,
        yields None: replications run in this process.
    dask
        ``"local"`` starts a LocalCluster on loopback with ``jobs`` single-threaded worker
        processes; any other value is a scheduler address (``tcp://host:8786``).
    no_workers_timeout
        With Dask: seconds with no worker, while replications wait, before they fail
        with :class:`DaskWorkersLostError` (default: :func:`resolve_no_workers_timeout`).

    Raises
    ------
    DaskUnavailableError
        Dask not installed, the scheduler unreachable, or (:class:`DaskVersionError`)
        a worker on another cssim version.
    """
    n = jobs if jobs is not None else (os.cpu_count() or 1)
    if dask is None:
        if n <= 1:
            yield None
            return
        # forked workers share the parent's heap copy-on-write; freezing it keeps their
        # garbage collectors from touching (and so copying) every inherited page
        gc.freeze()
        pool = ProcessPoolExecutor(max_workers=n)
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            gc.unfreeze()
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise DaskUnavailableError(
            "Dask is not installed; install the extra with: pip install 'cssim[distributed]'"
        ) from None
    timeout = resolve_no_workers_timeout(no_workers_timeout)
    cluster = None
    client = None
    try:
        if dask == "local":
            cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=40,
            )
            client = Client(cluster)
        else:
            try:
                client = Client(dask, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise DaskUnavailableError(
                    f"cannot reach the Dask scheduler at {dask}: {exc}; check the address "
                    "(tcp://host:8786) and that the scheduler is running"
                ) from None
            except ValueError as exc:  # distributed's parser: no scheme, an unknown one
                raise DaskUnavailableError(
                    f"{dask!r} is not a Dask scheduler address ({exc}); write it as "
                    "tcp://host:8786, or local for a cluster on this machine"
                ) from None
        check_versions(client, dask)
    except BaseException:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
        raise
    live = client

    def count() -> int:
        return len(live.nthreads())

    watched = _Watched(client.get_executor(), count, timeout, dask)
    try:
        yield watched
    finally:
        watched.shutdown(wait=False, cancel_futures=True)
        client.close()
        if cluster is not None:
            cluster.close()
