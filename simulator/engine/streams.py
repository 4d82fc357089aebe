"""Random streams: one numpy Generator per purpose, keyed by (replication, stream, ...).

Every stream is spawned from ``SeedSequence(root_seed, spawn_key=(replication, stream,
*key))``, so a draw depends only on what it is for, never on how many other draws came
before it. Accounts draw their own attributes, event times and churn uniforms from
their own stream at creation: changing the staff changes no other account's draws
(common random numbers across scenario variants).
"""

from __future__ import annotations

import numpy as np

ACCOUNT = 1
"""Per account (key: segment index, account index): ARR, renewal phase, cadence phases,
risk, inbound and background event times, churn and expansion uniforms, task hours."""
ARRIVALS = 2
"""Per segment (key: segment index): arrival times of new accounts."""
STAFF = 3
"""Per CSM seat (key: team index, seat index): time to attrition."""


def stream(root_seed: int, replication: int, purpose: int, *key: int) -> np.random.Generator:
    """The Generator for ``purpose`` and ``key`` in a replication."""
    seq = np.random.SeedSequence(root_seed, spawn_key=(replication, purpose, *key))
    return np.random.Generator(np.random.PCG64(seq))


SESSIONS = 4
"""Per one_to_many touchpoint (key: segment index, touchpoint index): session hours."""
CALENDAR = 5
"""Per CSM seat (key: team index, seat index): the CSM's PTO blocks."""
