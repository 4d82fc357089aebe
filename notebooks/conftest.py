"""Settings for executing the notebooks under pytest (nbmake; see setup.cfg).

The notebooks read their replication count from CSSIM_NOTEBOOK_REPLICATIONS (20 when it is
unset). Under pytest they run with 3 unless the variable is already set: enough to execute
every cell, small enough to keep `make test` quick. nbmake's kernels inherit this
process's environment, so setting it here at import (before any notebook starts) is
enough; under pytest-xdist every worker imports this file before it runs a notebook.

Each notebook starts a Jupyter kernel and runs end to end (5-15 s each), so they are
marked ``slow``: ``make test`` runs them, ``make test-fast`` leaves them out.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("CSSIM_NOTEBOOK_REPLICATIONS", "3")

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the executed notebooks (not the other tests of the session) slow."""
    for item in items:
        path = Path(str(item.path)).resolve()
        if path.suffix == ".ipynb" and path.parent == HERE:
            item.add_marker(pytest.mark.slow)
