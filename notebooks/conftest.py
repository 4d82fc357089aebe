"""Settings for executing the notebooks under pytest (nbmake; see setup.cfg).

The notebooks read their replication count from CSSIM_NOTEBOOK_REPLICATIONS (20 when it is
unset). Under pytest they run with 3 unless the variable is already set: enough to execute
every cell, small enough to keep `make test` quick. nbmake's kernels inherit this
process's environment, so setting it here at import (before any notebook starts) is
enough.
"""

from __future__ import annotations

import os

os.environ.setdefault("CSSIM_NOTEBOOK_REPLICATIONS", "3")
