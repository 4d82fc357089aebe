"""Capacity by team and day: available and busy customer hours, headcount and FTE.

Built from a replication's staff presence, its CSMs' ramp, their working days and the
log of work blocks (each CSM works one block at a time, so busy time is the union of the
blocks).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from simulator.engine.state import MONTH_DAYS

if TYPE_CHECKING:
    from simulator.engine.records import Records

__all__ = ["daily_capacity"]


def daily_capacity(rec: Records) -> dict[str, np.ndarray]:
    """Per team and day: available and busy hours, headcount and effective FTE.

    Available hours are presence x ramp productivity x working share x hours per working
    day; busy hours the
    part of that capacity spent on tasks. Busy time lies within presence, so
    utilisation never exceeds 1. Arrays have shape (teams, days).
    """
    days = math.ceil(rec.horizon_days)
    edges = np.minimum(np.arange(days + 1, dtype=float), rec.horizon_days)
    mid = (edges[:-1] + edges[1:]) / 2
    n = len(rec.teams)
    avail = np.zeros((n, days))
    busy = np.zeros((n, days))
    heads = np.zeros((n, days))
    fte = np.zeros((n, days))
    st = rec.staff
    bl = rec.blocks
    # blocks of one CSM never overlap: each CSM works one block at a time
    order = np.lexsort((bl["start"], bl["csm"]))
    b_csm, b_start, b_end = bl["csm"][order], bl["start"][order], bl["end"][order]
    for i in range(len(st["csm"])):
        cid, team = int(st["csm"][i]), int(st["team"][i])
        joined, left = float(st["joined"][i]), float(st["left"][i])
        lo, hi = max(joined, 0.0), min(left, rec.horizon_days)
        present = np.clip(np.minimum(edges[1:], hi) - np.maximum(edges[:-1], lo), 0, None)
        ramp = rec.team_ramp[team]
        month = np.floor((mid - joined) / MONTH_DAYS).astype(int)
        prod = np.ones(days)
        if ramp and joined > -1e8:
            inside = (month >= 0) & (month < len(ramp))
            prod[inside] = np.asarray(ramp)[month[inside]]
        work_share = rec.working[i]
        heads[team] += present
        fte[team] += present * prod
        avail[team] += present * prod * work_share * rec.hours_per_day
        lo_i, hi_i = np.searchsorted(b_csm, [cid, cid + 1])
        if hi_i > lo_i:
            s = b_start[lo_i:hi_i]
            e = np.minimum(b_end[lo_i:hi_i], rec.horizon_days)
            cum = np.concatenate([[0.0], np.cumsum(e - s)])

            def busy_until(
                x: np.ndarray, s: np.ndarray = s, e: np.ndarray = e, cum: np.ndarray = cum
            ) -> np.ndarray:
                k = np.searchsorted(s, x, side="right")  # intervals started before x
                done = cum[np.maximum(k - 1, 0)]
                last = np.where(k > 0, np.clip(x - s[np.maximum(k - 1, 0)], 0, None), 0.0)
                last = np.minimum(
                    last,
                    np.where(k > 0, e[np.maximum(k - 1, 0)] - s[np.maximum(k - 1, 0)], 0.0),
                )
                return done + last

            # off days are whole days, so a block's part on an off day holds no work
            b = np.diff(busy_until(edges))
            busy[team] += np.minimum(b, present) * prod * work_share * rec.hours_per_day
    return {
        "available": avail,
        "busy": busy,
        "headcount": heads,
        "fte": fte,
        "edges": edges,
    }
