"""A work queue: tasks that are due, and tasks booked ahead of their planned day.

A queue (a CSM's own book, or a team's pool) holds two heaps:

- ``due``: tasks whose planned day has come, by priority, then planned day, then creation;
- ``ahead``: tasks released before their planned day (booking ahead), by planned day,
  then priority, then creation. A task moves to ``due`` when its planned day comes.

A CSM takes due work first; a task booked ahead is taken only when nothing due is
waiting (:meth:`simulator.engine.work.Dispatcher.next_task`). Tasks that can no longer
start (taken elsewhere, account gone, past their due day) are dropped lazily when they
reach the head of a heap, so expiry costs no event.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.engine.state import Account, Task

__all__ = ["QueueItem", "WorkQueue", "due_item"]

QueueItem = tuple[tuple[float, float, int], "Task"]
"""A queued task with its order key."""

_push, _pop = heapq.heappush, heapq.heappop


def due_item(task: Task) -> QueueItem:
    """``task`` with its order among due work: priority, then planned day, then creation."""
    return ((task.priority, task.planned, task.id), task)


class WorkQueue:
    """The due and booked-ahead tasks of one CSM or one team's pool."""

    __slots__ = ("ahead", "due")

    def __init__(self) -> None:
        self.due: list[QueueItem] = []
        self.ahead: list[QueueItem] = []

    def __bool__(self) -> bool:
        return bool(self.due or self.ahead)

    def push(self, task: Task, now: float) -> None:
        """Queue ``task``: due when its planned day has come, else booked ahead."""
        if task.planned > now:
            _push(self.ahead, ((task.planned, task.priority, task.id), task))
        else:
            _push(self.due, due_item(task))

    def head(self, now: float, stale: Callable[[Task, float], bool]) -> QueueItem | None:
        """The most urgent due task at day ``now`` (not removed), or None.

        Booked-ahead tasks whose planned day has come move to the due heap first; heads
        that ``stale`` rejects (it settles their status) are dropped.
        """
        ahead, due = self.ahead, self.due
        while ahead and ahead[0][0][0] <= now:
            task = _pop(ahead)[1]
            _push(due, due_item(task))
        while due:
            item = due[0]
            if stale(item[1], now):
                _pop(due)
            else:
                return item
        return None

    def head_ahead(self, now: float, stale: Callable[[Task, float], bool]) -> QueueItem | None:
        """The booked-ahead task with the earliest planned day (not removed), or None."""
        ahead = self.ahead
        while ahead:
            item = ahead[0]
            if stale(item[1], now):
                _pop(ahead)
            else:
                return item
        return None

    def tasks(self) -> Iterator[Task]:
        """Every queued task (either heap, no order)."""
        for _, task in self.due:
            yield task
        for _, task in self.ahead:
            yield task

    def take(self, acc: Account) -> list[Task]:
        """Remove and return the queued tasks of account ``acc``."""
        moved: list[Task] = []
        for heap in (self.due, self.ahead):
            keep = [item for item in heap if item[1].account is not acc]
            if len(keep) != len(heap):
                moved.extend(item[1] for item in heap if item[1].account is acc)
                heap[:] = keep
                heapq.heapify(heap)
        return moved

    def clear(self) -> None:
        """Empty both heaps."""
        self.due.clear()
        self.ahead.clear()
