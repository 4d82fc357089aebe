"""The planner: one heap of planned items, handled in time order by one SimPy process.

An item is a :class:`Planned` (day, sequence, handler, payload, clock). The handler is the
bound method that handles it; ``clock`` says whether it may hand a task to a CSM. An item
that cannot (an automated touch, a stage change, a renewal, a month end) is handled at its
own time without a SimPy event, as long as no SimPy event comes before it; only items
that may wake a CSM advance the SimPy clock. This keeps SimPy events per touchpoint low.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Generator
from typing import Any, NamedTuple

import simpy

__all__ = ["Planned", "Scheduler"]


class Planned(NamedTuple):
    """One planned item on the heap (ordered by day, then by when it was planned)."""

    time: float
    """Day it is due (days from the start of the plan)."""
    seq: int
    """Planning order: ties in time go to the item planned first."""
    handler: Callable[[Any], None]
    payload: Any
    clock: bool
    """Whether handling it may hand a task to a CSM (then it advances the SimPy clock)."""


_planned = tuple.__new__


class Scheduler:
    """The heap of planned items and the replication's clock."""

    def __init__(self, env: simpy.Environment, horizon: float) -> None:
        self.env = env
        self.horizon = horizon
        self.now = 0.0
        """Day of the item being handled (the planner may run ahead of the SimPy clock)."""
        self.heap: list[Planned] = []
        self._seq = itertools.count()

    def push(
        self, t: float, handler: Callable[[Any], None], payload: Any, clock: bool = True
    ) -> None:
        """Plan ``handler(payload)`` at day ``t`` (dropped when ``t`` is past the horizon)."""
        if t < self.horizon:
            # tuple.__new__ builds the named tuple without its Python-level __new__ (half
            # the cost; this runs for every planned item)
            heapq.heappush(
                self.heap, _planned(Planned, (t, next(self._seq), handler, payload, clock))
            )

    def events_scheduled(self) -> int:
        """SimPy events scheduled so far in this replication.

        SimPy numbers every scheduled event from its ``_eid`` counter; reading the
        counter's next value costs nothing during the run (a counting subclass would add a
        Python call to every event).
        """
        return next(self.env._eid)  # type: ignore[attr-defined]

    def run(self) -> Generator[simpy.Event, Any, None]:
        """The planner process: handle planned items in time order until the horizon."""
        heap, env, horizon = self.heap, self.env, self.horizon
        pop, peek = heapq.heappop, env.peek
        while heap:
            t, _, handler, payload, clock = heap[0]
            if t >= horizon:
                return
            clock_now = env.now
            if t > clock_now and (clock or t >= peek()):
                yield env.timeout(t - clock_now)
            pop(heap)
            self.now = t
            handler(payload)
