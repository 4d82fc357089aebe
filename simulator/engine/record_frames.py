"""One replication's records as Arrow tables, with names instead of the engine's codes.

:class:`~simulator.engine.records.Records` keeps integer codes in numpy columns (cheap to
filter); these tables are for people and notebooks: segment, team and touchpoint
columns hold names, ``status``, ``kind``, ``channel`` and ``event`` their lower-case
labels (:mod:`simulator.engine.codes`). Times are days since the plan start; money in
the scenario's currency; hours are CSM hours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from simulator.engine.codes import NO_TOUCHPOINT, Channel, Event, Kind, Status
from simulator.frames import columns_table

if TYPE_CHECKING:
    import pyarrow as pa

    from simulator.engine.records import Records

__all__ = ["RECORD_TABLES", "RecordTable", "record_table"]

RecordTable = Literal["tasks", "accounts", "renewals", "events"]
RECORD_TABLES: tuple[RecordTable, ...] = ("tasks", "accounts", "renewals", "events")
"""The record tables :func:`record_table` builds."""


def _names(codes: np.ndarray, names: list[str]) -> list[str | None]:
    """Each code's name (None for a negative code: no segment, team or touchpoint)."""
    return [names[c] if c >= 0 else None for c in codes.tolist()]


def _labels(
    codes: np.ndarray, enum: type[Status] | type[Kind] | type[Channel] | type[Event]
) -> list[str]:
    labels = enum.labels()
    return [labels[c] for c in codes.tolist()]


def _segment_teams(rec: Records, segments: np.ndarray) -> list[str | None]:
    """The team name of each row's segment (None: a segment without a team)."""
    team_of = [rec.teams[t] if t >= 0 else None for t in rec.segment_team]
    return [team_of[s] for s in segments.tolist()]


def _touchpoint_names(rec: Records) -> list[str | None]:
    """Each task's touchpoint: the plan's name, ``session:<name>`` for a one_to_many
    session, ``unscheduled`` or ``support`` (as :meth:`Records.task_rows` names them)."""
    t = rec.tasks
    out: list[str | None] = []
    rows = zip(
        t["segment"].tolist(),
        t["tp"].tolist(),
        t["kind"].tolist(),
        t["channel"].tolist(),
        strict=True,
    )
    for si, tp, kind, channel in rows:
        if channel == Channel.SUPPORT:
            out.append("support")
        elif kind == Kind.UNSCHEDULED:
            out.append("unscheduled")
        elif tp == NO_TOUCHPOINT:
            out.append(None)
        elif kind == Kind.SESSION:
            out.append("session:" + rec.touchpoints[si][tp])
        else:
            out.append(rec.touchpoints[si][tp])
    return out


def record_table(rec: Records, table: RecordTable = "tasks") -> pa.Table:
    """One of the records' tables with names in place of codes.

    Parameters
    ----------
    rec : Records
        One replication's records.
    table : {"tasks", "accounts", "renewals", "events"}
        ``tasks``: every task (planned, on-time, due, start and end in days; ``hours``
        CSM hours; ``status``, ``kind``, ``channel`` labels; ``touchpoint`` name).
        ``accounts``: every account's start and end state (ARR in currency).
        ``renewals``: every renewal decision with its drivers (see
        :class:`~simulator.engine.runlog.RenewalRow`; ``risk_event`` is the risk
        event's name). ``events``: account events with their ``event`` label.

    Returns
    -------
    pyarrow.Table
        The columns of the records in their order, plus ``team`` (the segment's team)
        where the records keep no team of their own.
    """
    if table == "tasks":
        t = rec.tasks
        cols: dict[str, object] = dict(t)
        cols["segment"] = _names(t["segment"], rec.segments)
        cols["team"] = _names(t["team"], rec.teams)
        cols["tp"] = _touchpoint_names(rec)
        cols["kind"] = _labels(t["kind"], Kind)
        cols["channel"] = _labels(t["channel"], Channel)
        cols["status"] = _labels(t["status"], Status)
        return columns_table({("touchpoint" if k == "tp" else k): v for k, v in cols.items()})
    if table == "accounts":
        source = rec.accounts
    elif table == "renewals":
        source = rec.renewals
    elif table == "events":
        source = rec.events
    else:
        raise ValueError(f"no record table {table!r}; tables: {', '.join(RECORD_TABLES)}")
    segments = source["segment"].astype(int)
    cols = {}
    for name, values in source.items():
        cols[name] = values
        if name == "segment":
            cols["segment"] = _names(segments, rec.segments)
            cols["team"] = _segment_teams(rec, segments)
    if table == "events":
        cols["event"] = _labels(source["event"].astype(int), Event)
    if table == "renewals":
        risk = source["risk_event"].astype(int)
        cols["risk_event"] = [
            rec.risk_events[s][r] if r >= 0 else None
            for s, r in zip(segments.tolist(), risk.tolist(), strict=True)
        ]
        for flag in ("late_onboarding", "reassigned", "risk_handled", "churned"):
            cols[flag] = source[flag].astype(bool)
    return columns_table(cols)
