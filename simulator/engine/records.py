"""Flat records of one replication and the summaries computed from them.

Records are append-only columns (numpy arrays) built once at the end of a run:

- ``tasks``: every touch and unit of CSM work (planned, due, start, end, hours, status);
- ``accounts``: every account's start and end state;
- ``events``: account events (created, stage, renewed, churned, risk, reassigned, late
  onboarding);
- ``renewals``: every renewal decision with the probability and the drivers behind it;
- ``staff``: every CSM's presence (joined, left);
- ``monthly``: month-end backlog and headcount per team, accounts and ARR per segment.

Aggregation happens here, after the run: per-segment summaries, per-team capacity and
utilisation, touchpoint delivery by type, monthly series.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.engine.codes import Channel, Event, Kind, Status
from simulator.engine.runlog import MonthlyRow
from simulator.engine.state import MONTH_DAYS

ON_TIME, LATE, MISSED, OPEN = Status.ON_TIME, Status.LATE, Status.MISSED, Status.OPEN
CANCELLED, AUTOMATED, SKIPPED = Status.CANCELLED, Status.AUTOMATED, Status.SKIPPED


def csm_work(t: dict[str, np.ndarray]) -> np.ndarray:
    """Tasks that take CSM time: one_to_one work (touches, inbound, escalations,
    unscheduled) and one_to_many sessions; not attendees, automated touches or support."""
    return (t["channel"] == Channel.ONE_TO_ONE) | (t["kind"] == Kind.SESSION)


def planned_touches(t: dict[str, np.ndarray]) -> np.ndarray:
    """Tasks that are touches of the plan: not unscheduled work, sessions or support."""
    return (
        (t["tp"] >= 0)
        & (t["kind"] != Kind.SESSION)
        & (t["kind"] != Kind.UNSCHEDULED)
        & (t["channel"] != Channel.SUPPORT)
    )


def _dropped_share(status: np.ndarray) -> float:
    """Share of decided tasks that were missed (NaN when none was decided)."""
    decided = int(np.isin(status, [ON_TIME, LATE, MISSED]).sum())
    return float((status == MISSED).sum()) / decided if decided else math.nan


@dataclass
class Records:
    """Everything one replication produced, as flat columns."""

    scenario: str
    replication: int
    root_seed: int
    horizon_days: float
    segments: list[str]
    teams: list[str]
    segment_team: list[int]
    touchpoints: list[list[str]]
    risk_events: list[list[str]]
    team_cost: list[float]
    team_ramp: list[tuple[float, ...]]
    hours_per_day: float
    tasks: dict[str, np.ndarray]
    accounts: dict[str, np.ndarray]
    events: dict[str, np.ndarray]
    renewals: dict[str, np.ndarray]
    staff: dict[str, np.ndarray]
    blocks: dict[str, np.ndarray]
    """Work blocks: CSM id, start and end day of every stretch a CSM worked on a task."""
    working: np.ndarray
    """Per CSM (rows, in the order of ``staff``) and day: the share of the day that is
    working time (1 without a working-day calendar; off days are whole days)."""
    monthly_raw: list[MonthlyRow]
    simpy_events: int
    peer_covered: list[int] = field(default_factory=list)
    """Per segment: tasks a CSM started for an account of another CSM's book."""
    touch_costs: list[np.ndarray] = field(default_factory=list, repr=False)
    """Per segment: cost of each touchpoint's automated touch (0 for other channels)."""
    csm_nrr_quota: list[float] = field(default_factory=list)
    """Per segment: the NRR a CSM's book is asked to return."""
    _capacity: dict[str, np.ndarray] | None = field(default=None, repr=False)
    _books: list[dict[str, Any]] | None = field(default=None, repr=False)

    # --------------------------------------------------------------- capacity

    def capacity(self) -> dict[str, np.ndarray]:
        """Per team and day: available and busy hours, headcount and effective FTE.

        Available hours are presence x ramp productivity x working share x hours per working
        day; busy hours the
        part of that capacity spent on tasks. Busy time lies within presence, so
        utilisation never exceeds 1. Arrays have shape (teams, days).
        """
        if self._capacity is not None:
            return self._capacity
        days = math.ceil(self.horizon_days)
        edges = np.minimum(np.arange(days + 1, dtype=float), self.horizon_days)
        mid = (edges[:-1] + edges[1:]) / 2
        n = len(self.teams)
        avail = np.zeros((n, days))
        busy = np.zeros((n, days))
        heads = np.zeros((n, days))
        fte = np.zeros((n, days))
        st = self.staff
        bl = self.blocks
        # blocks of one CSM never overlap: each CSM works one block at a time
        order = np.lexsort((bl["start"], bl["csm"]))
        b_csm, b_start, b_end = bl["csm"][order], bl["start"][order], bl["end"][order]
        for i in range(len(st["csm"])):
            cid, team = int(st["csm"][i]), int(st["team"][i])
            joined, left = float(st["joined"][i]), float(st["left"][i])
            lo, hi = max(joined, 0.0), min(left, self.horizon_days)
            present = np.clip(np.minimum(edges[1:], hi) - np.maximum(edges[:-1], lo), 0, None)
            ramp = self.team_ramp[team]
            month = np.floor((mid - joined) / MONTH_DAYS).astype(int)
            prod = np.ones(days)
            if ramp and joined > -1e8:
                inside = (month >= 0) & (month < len(ramp))
                prod[inside] = np.asarray(ramp)[month[inside]]
            work_share = self.working[i]
            heads[team] += present
            fte[team] += present * prod
            avail[team] += present * prod * work_share * self.hours_per_day
            lo_i, hi_i = np.searchsorted(b_csm, [cid, cid + 1])
            if hi_i > lo_i:
                s = b_start[lo_i:hi_i]
                e = np.minimum(b_end[lo_i:hi_i], self.horizon_days)
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
                busy[team] += np.minimum(b, present) * prod * work_share * self.hours_per_day
        self._capacity = {
            "available": avail,
            "busy": busy,
            "headcount": heads,
            "fte": fte,
            "edges": edges,
        }
        return self._capacity

    # --------------------------------------------------------------- summaries

    def touch_table(self) -> list[dict[str, Any]]:
        """Delivery by segment and touchpoint type: requested, on time, late, missed, open."""
        t = self.tasks
        touches = planned_touches(t)
        rows = []
        for si, seg in enumerate(self.segments):
            for ti, name in enumerate(self.touchpoints[si]):
                m = touches & (t["segment"] == si) & (t["tp"] == ti)
                st = t["status"][m]
                rows.append(
                    {
                        "segment": seg,
                        "touchpoint": name,
                        "requested": int(m.sum()),
                        "on_time": int(((st == ON_TIME) | (st == AUTOMATED)).sum()),
                        "late": int((st == LATE).sum()),
                        "missed": int((st == MISSED).sum()),
                        "open": int((st == OPEN).sum()),
                        "cancelled": int((st == CANCELLED).sum()),
                        "automated": int((st == AUTOMATED).sum()),
                        "skipped": int((st == SKIPPED).sum()),
                    }
                )
        return rows

    def team_summary(self) -> dict[str, dict[str, float]]:
        """Per team: hours available and busy, utilisation, headcount, FTE, people cost."""
        cap = self.capacity()
        years = self.horizon_days / 365.0
        out = {}
        for i, team in enumerate(self.teams):
            avail = float(cap["available"][i].sum())
            busy = float(cap["busy"][i].sum())
            heads = float(cap["headcount"][i].sum()) / self.horizon_days
            out[team] = {
                "hours_available": avail,
                "hours_busy": busy,
                "utilisation": busy / avail if avail > 0 else 0.0,
                "headcount": heads,
                "fte": float(cap["fte"][i].sum()) / self.horizon_days,
                "people_cost": heads * years * self.team_cost[i],
            }
        return out

    def summary(self) -> dict[str, dict[str, float]]:
        """Headline metrics per segment (see docs/outputs.md, "What a run reports").

        Keys come in the order of :mod:`simulator.metrics`: the book and its retention,
        then delivery (touches, hours, inbound work, escalations), then cost and staff.
        """
        t = self.tasks
        is_touch = planned_touches(t)
        work_mask = csm_work(t)
        delivered_hours = np.where(~np.isnan(t["start"]) & work_mask, t["hours"], 0.0)
        seg_hours = np.array(
            [delivered_hours[t["segment"] == i].sum() for i in range(len(self.segments))]
        )
        teams = self.team_summary()
        out: dict[str, dict[str, float]] = {}
        for si, seg in enumerate(self.segments):
            team_name, share = self._team_share(si, seg_hours)
            tsum = teams.get(team_name, {}) if team_name else {}
            book, retained = self._book(si)
            delivery = self._delivery(si, is_touch, work_mask, float(seg_hours[si]))
            delivery["hours_available"] = tsum.get("hours_available", 0.0) * share
            delivery["utilisation"] = tsum.get("utilisation", 0.0)
            delivery.update(self._service(si, is_touch, work_mask))
            out[seg] = {
                **book,
                **self._csm_quota(si),
                **self._cohorts(si),
                **delivery,
                **self._costs(si, is_touch, book, retained, tsum, share),
            }
        return out

    def _team_share(self, si: int, seg_hours: np.ndarray) -> tuple[str | None, float]:
        """Segment ``si``'s team and its share of that team (by delivered CSM hours).

        Segments of a team that delivered nothing share it equally.
        """
        team_i = self.segment_team[si]
        team_name = self.teams[team_i] if team_i >= 0 else None
        mates = [j for j in range(len(self.segments)) if self.segment_team[j] == team_i]
        team_hours = sum(seg_hours[j] for j in mates)
        share = seg_hours[si] / team_hours if team_hours > 0 else (1.0 if team_name else 0.0)
        if team_name and team_hours == 0:
            share = 1.0 / len(mates)
        return team_name, float(share)

    def _book(self, si: int) -> tuple[dict[str, float], float]:
        """Segment ``si``'s book: accounts, ARR, churn, expansion and retention.

        Returns the metrics and the retained ARR of the starting book (the GRR numerator).
        """
        a = self.accounts
        acc = a["segment"] == si
        start = acc & a["starting"]
        n_start = int(start.sum())
        arr_start = float(a["arr_start"][start].sum())
        arr_end_start = a["arr_end"][start]
        grr_num = float(np.minimum(arr_end_start, a["arr_start"][start]).sum())
        nrr_num = float(arr_end_start.sum())
        expansion = contraction = exp_logo = at_risk = 0.0
        ren = self.renewals
        if len(ren["segment"]):
            seg_ren = ren["segment"] == si
            ren_start = seg_ren & np.isin(ren["account"], np.flatnonzero(start))
            renewed = ren_start & ~ren["churned"].astype(bool)
            change_arr = ren["arr"] * ren["arr_change"]
            expansion = float(np.clip(change_arr[renewed], 0, None).sum())
            contraction = float(-np.clip(change_arr[renewed], None, 0).sum())
            # expected churn given what was delivered: the renewal probabilities summed
            # (a smoother estimator of the same quantity as the realised churn)
            exp_logo = float(ren["probability"][ren_start].sum()) / n_start if n_start else 0.0
            at_risk = float((ren["probability"][seg_ren] * ren["arr"][seg_ren]).sum())
        churned = acc & a["churned"]
        new = acc & ~a["starting"]
        book = {
            "accounts_start": float(n_start),
            "arr_start": arr_start,
            "new_accounts": float(new.sum()),
            "new_arr": float(a["arr_start"][new].sum()),
            "accounts_end": float((acc & ~a["churned"]).sum()),
            "arr_end": float(a["arr_end"][acc].sum()),
            "churned_logos": float(churned.sum()),
            "churned_arr": float(a["arr_churned"][churned].sum()),
            "logo_churn": float((churned & a["starting"]).sum()) / n_start if n_start else 0.0,
            "expected_logo_churn": exp_logo,
            "arr_at_risk": at_risk,
            "expansion_arr": expansion,
            "contraction_arr": contraction,
            "grr": grr_num / arr_start if arr_start > 0 else math.nan,
            "nrr": nrr_num / arr_start if arr_start > 0 else math.nan,
        }
        return book, grr_num

    def csm_books(self) -> list[dict[str, Any]]:
        """Per segment and CSM: the book NRR of the renewals the CSM owned.

        ``arr_up`` is the ARR that came up for renewal while the CSM owned the account,
        ``arr_returned`` what those renewals returned (0 for a churned one, the ARR after
        its change otherwise); ``nrr`` their ratio; ``at_quota`` whether it reaches the
        segment's ``csm_nrr_quota``. The renewals of accounts no CSM owned (a pooled
        segment's, or a dedicated book's while its CSM's seat was vacant) form one unowned
        book, ``csm`` -1.
        """
        if self._books is not None:
            return self._books
        ren = self.renewals
        if not len(ren["segment"]):
            self._books = []
            return self._books
        csm = ren["csm"].astype(int)
        seg = ren["segment"].astype(int)
        arr = ren["arr"].astype(float)
        back = np.where(ren["churned"].astype(bool), 0.0, arr * (1.0 + ren["arr_change"]))
        rows = []
        for si, c in sorted({(int(s), int(x)) for s, x in zip(seg, csm, strict=True)}):
            mine = (seg == si) & (csm == c)
            up, returned = float(arr[mine].sum()), float(back[mine].sum())
            nrr = returned / up if up > 0 else math.nan
            quota = self.csm_nrr_quota[si] if si < len(self.csm_nrr_quota) else 1.0
            rows.append(
                {
                    "segment": self.segments[si],
                    "csm": c,
                    "renewals": int(mine.sum()),
                    "arr_up": up,
                    "arr_returned": returned,
                    "nrr": nrr,
                    "quota": quota,
                    "at_quota": bool(nrr >= quota - 1e-12) if up > 0 else False,
                }
            )
        self._books = rows
        return rows

    def _csm_quota(self, si: int) -> dict[str, float]:
        """Segment ``si``'s CSM books: the median CSM's book NRR and the share at quota.

        Over the books of :meth:`csm_books` (the unowned book counting as one: a book
        nobody holds meets its quota or not like any other); NaN when the segment had no
        renewal with ARR in the horizon.
        """
        name = self.segments[si]
        nrr = np.array([r["nrr"] for r in self.csm_books() if r["segment"] == name])
        nrr = nrr[~np.isnan(nrr)]
        if not len(nrr):
            return {"csm_book_nrr": math.nan, "csm_quota_attainment": math.nan}
        quota = self.csm_nrr_quota[si] if si < len(self.csm_nrr_quota) else 1.0
        return {
            "csm_book_nrr": float(np.median(nrr)),
            "csm_quota_attainment": float((nrr >= quota - 1e-12).mean()),
        }

    def _cohorts(self, si: int) -> dict[str, float]:
        """Segment ``si``'s new logos (accounts that arrived during the plan) as a cohort.

        Each new logo is measured against its ARR at arrival: GRR and NRR of that ARR at
        the end, logo churn and expected logo churn (the renewal probabilities summed)
        per new logo, and the expected churn per renewal of a new logo, which does not
        depend on how many of them came up for renewal within the horizon. NaN when the
        segment had no new logos (or no renewal of one).
        """
        a = self.accounts
        new = (a["segment"] == si) & ~a["starting"]
        n_new = int(new.sum())
        nan = math.nan
        if n_new == 0:
            return {
                "new_logo_churn": nan,
                "new_expected_logo_churn": nan,
                "new_renewals": 0.0,
                "new_renewal_churn": nan,
                "new_grr": nan,
                "new_nrr": nan,
            }
        arr0 = a["arr_start"][new]
        arr1 = a["arr_end"][new]
        base = float(arr0.sum())
        ren = self.renewals
        p = np.zeros(0)
        if len(ren["segment"]):
            mine = (ren["segment"] == si) & np.isin(ren["account"], np.flatnonzero(new))
            p = ren["probability"][mine]
        return {
            "new_logo_churn": float(a["churned"][new].sum()) / n_new,
            "new_expected_logo_churn": float(p.sum()) / n_new,
            "new_renewals": float(len(p)),
            "new_renewal_churn": float(p.mean()) if len(p) else nan,
            "new_grr": float(np.minimum(arr1, arr0).sum()) / base if base > 0 else nan,
            "new_nrr": float(arr1.sum()) / base if base > 0 else nan,
        }

    def _delivery(
        self, si: int, is_touch: np.ndarray, work_mask: np.ndarray, hours_delivered: float
    ) -> dict[str, float]:
        """Segment ``si``'s touches by outcome and its CSM hours."""
        t = self.tasks
        status = t["status"]
        in_seg = t["segment"] == si
        st = status[in_seg & is_touch]
        requested = len(st)
        on_time = int(((st == ON_TIME) | (st == AUTOMATED)).sum())
        late = int((st == LATE).sum())
        missed = int((st == MISSED).sum())
        open_ = int((st == OPEN).sum())
        skipped = int((st == SKIPPED).sum())
        # service shares count only touches that were attempted and decided
        resolved = requested - open_ - int((st == CANCELLED).sum()) - skipped
        work = in_seg & work_mask
        adhoc = in_seg & (t["kind"] == Kind.UNSCHEDULED)
        return {
            "touches_requested": float(requested),
            "touches_on_time": float(on_time),
            "touches_late": float(late),
            "touches_missed": float(missed),
            "touches_open": float(open_),
            "touches_skipped": float(skipped),
            "on_time_share": on_time / resolved if resolved > 0 else math.nan,
            "delivered_share": (on_time + late) / resolved if resolved > 0 else math.nan,
            "hours_demanded": float(t["hours"][work].sum()),
            "hours_delivered": hours_delivered,
            "hours_missed": float(t["hours"][work & (status == MISSED)].sum()),
            "hours_unscheduled": float(t["hours"][in_seg & (t["kind"] == Kind.UNSCHEDULED)].sum()),
            "adhoc_tasks": float(adhoc.sum()),
            "adhoc_dropped": _dropped_share(status[adhoc]),
            "peer_covered": float(self.peer_covered[si]) if self.peer_covered else 0.0,
        }

    def _service(self, si: int, is_touch: np.ndarray, work_mask: np.ndarray) -> dict[str, float]:
        """Segment ``si``'s end backlog, inbound requests, escalations and late onboardings."""
        t = self.tasks
        status = t["status"]
        in_seg = t["segment"] == si
        esc = in_seg & is_touch & (t["kind"] == Kind.RISK_EVENT)
        ev = self.events
        return {
            "backlog_end": float((in_seg & work_mask & (status == OPEN)).sum()),
            "inbound_requests": float((in_seg & (t["kind"] == Kind.INBOUND_REQUEST)).sum()),
            "inbound_to_support": float((in_seg & (t["channel"] == Channel.SUPPORT)).sum()),
            "escalations": float(esc.sum()),
            "escalations_handled": float(np.isin(status[esc], [ON_TIME, LATE, AUTOMATED]).sum()),
            "late_onboardings": float(
                ((ev["segment"] == si) & (ev["event"] == Event.LATE_ONBOARDING)).sum()
            ),
        }

    def _costs(
        self,
        si: int,
        is_touch: np.ndarray,
        book: dict[str, float],
        retained: float,
        tsum: dict[str, float],
        share: float,
    ) -> dict[str, float]:
        """Segment ``si``'s share of its team's staff and cost, and its automation spend."""
        t = self.tasks
        auto_mask = (t["segment"] == si) & is_touch & (t["status"] == AUTOMATED)
        automation = (
            float(self.touch_costs[si][t["tp"][auto_mask]].sum()) if auto_mask.any() else 0.0
        )
        people = tsum.get("people_cost", 0.0) * share
        heads = tsum.get("headcount", 0.0) * share
        return {
            "fte": tsum.get("fte", 0.0) * share,
            "headcount": heads,
            "people_cost": people,
            "automation_cost": automation,
            "cost_per_retained_arr": (people + automation) / retained if retained > 0 else math.nan,
            "accounts_per_csm": book["accounts_start"] / heads if heads > 0 else math.nan,
            "arr_per_csm": book["arr_start"] / heads if heads > 0 else math.nan,
        }

    def monthly(self) -> list[dict[str, Any]]:
        """Month-end series: backlog, utilisation, headcount per team; accounts, ARR per segment."""
        cap = self.capacity()
        edges = cap["edges"]
        rows = []
        for kind, idx, k, t_end, n, value, active in self.monthly_raw:
            t0 = (k - 1) * MONTH_DAYS
            if kind == "team":
                days = (edges[:-1] >= t0 - 1e-9) & (edges[:-1] < t_end - 1e-9)
                avail = float(cap["available"][idx][days].sum())
                busy = float(cap["busy"][idx][days].sum())
                rows.append(
                    {
                        "kind": "team",
                        "name": self.teams[idx],
                        "month": k,
                        "day": t_end,
                        "backlog_tasks": n,
                        "backlog_hours": value,
                        "headcount": active,
                        "hours_available": avail,
                        "utilisation": busy / avail if avail > 0 else 0.0,
                    }
                )
            else:
                rows.append(
                    {
                        "kind": "segment",
                        "name": self.segments[idx],
                        "month": k,
                        "day": t_end,
                        "accounts": n,
                        "arr": value,
                    }
                )
        return rows

    def task_rows(self) -> list[dict[str, Any]]:
        """The task records as dicts (for files), with names instead of codes."""
        t = self.tasks
        rows = []
        for i in range(len(t["id"])):
            si = int(t["segment"][i])
            tp = int(t["tp"][i])
            kind, channel = int(t["kind"][i]), int(t["channel"][i])
            if channel == Channel.SUPPORT:
                name = "support"
            elif kind == Kind.UNSCHEDULED:
                name = "unscheduled"
            elif kind == Kind.SESSION:
                name = "session:" + self.touchpoints[si][tp]
            else:
                name = self.touchpoints[si][tp]
            rows.append(
                {
                    "id": int(t["id"][i]),
                    "segment": self.segments[si],
                    "account": int(t["account"][i]),
                    "touchpoint": name,
                    "status": Status(int(t["status"][i])).label,
                    "planned": float(t["planned"][i]),
                    "start": float(t["start"][i]),
                    "end": float(t["end"][i]),
                    "hours": float(t["hours"][i]),
                }
            )
        return rows
