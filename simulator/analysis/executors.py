"""Where replications run: in this process, a local process pool, or a Dask cluster.

Every option is a ``concurrent.futures.Executor``; results never depend on which.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor

__all__ = ["DaskUnavailableError", "executor"]


class DaskUnavailableError(RuntimeError):
    """Dask was asked for but is not installed or the scheduler cannot be reached."""


@contextlib.contextmanager
def executor(jobs: int | None = None, dask: str | None = None) -> Iterator[Executor | None]:
    """An executor for replications, shut down on exit.

    Parameters
    ----------
    jobs
        Worker processes (default: the machine's cores). With ``jobs == 1`` and no Dask,
        yields None: replications run in this process.
    dask
        ``"local"`` starts a LocalCluster on loopback with ``jobs`` single-threaded worker
        processes; any other value is a scheduler address (``tcp://host:8786``).
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
    cluster = None
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
    except BaseException:
        if cluster is not None:
            cluster.close()
        raise
    try:
        yield client.get_executor()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
