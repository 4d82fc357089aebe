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
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.engine import retention
from simulator.engine.capacity import daily_capacity
from simulator.engine.codes import Channel, Event, Kind, Status
from simulator.engine.runlog import MonthlyRow
from simulator.engine.state import MONTH_DAYS

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from simulator.engine.record_frames import RecordTable

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
        """Per team and day: available and busy hours, headcount and effective FTE
        (:func:`simulator.engine.capacity.daily_capacity`); shape (teams, days)."""
        if self._capacity is None:
            self._capacity = daily_capacity(self)
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
                **retention.csm_quota(self.csm_books(), seg, self._quota(si)),
                **retention.new_logo_cohort(self.accounts, self.renewals, si),
                **delivery,
                **self._costs(si, is_touch, book, retained, tsum, share),
            }
        return out

    def _quota(self, si: int) -> float:
        """Segment ``si``'s CSM book NRR quota (1 when the run did not record one)."""
        return self.csm_nrr_quota[si] if si < len(self.csm_nrr_quota) else 1.0

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
        if not n_start:
            exp_logo = math.nan  # no starting book: its churn is undefined (see the cohorts)
        churned = acc & a["churned"]
        new = acc & ~a["starting"]
        revenue, expected_revenue, expected_arr_end = self._revenue(si, acc)
        book = {
            "accounts_start": float(n_start),
            "arr_start": arr_start,
            "new_accounts": float(new.sum()),
            "new_arr": float(a["arr_start"][new].sum()),
            "accounts_end": float((acc & ~a["churned"]).sum()),
            "arr_end": float(a["arr_end"][acc].sum()),
            "churned_logos": float(churned.sum()),
            "churned_arr": float(a["arr_churned"][churned].sum()),
            "logo_churn": (
                float((churned & a["starting"]).sum()) / n_start if n_start else math.nan
            ),
            "expected_logo_churn": exp_logo,
            "arr_at_risk": at_risk,
            "expected_arr_end": expected_arr_end,
            "revenue": revenue,
            "expected_revenue": expected_revenue,
            "account_years": self._account_years(acc),
            "expansion_arr": expansion,
            "contraction_arr": contraction,
            "grr": grr_num / arr_start if arr_start > 0 else math.nan,
            "nrr": nrr_num / arr_start if arr_start > 0 else math.nan,
        }
        return book, grr_num

    def _revenue(self, si: int, acc: np.ndarray) -> tuple[float, float, float]:
        """Segment ``si``'s revenue over the plan, realised and expected, and its expected
        ARR at the end (currency).

        Revenue is ARR earned day by day: each account's ARR from day 0 (or its arrival)
        to the end, changed by every renewal and churn from its day on. The expected
        forms replace each renewal's realised churn (0 or its ARR) by its probability
        times its ARR: ``sum(arr * (churned - probability))`` has mean zero, because the
        probability is set before the draw, so they have the same expectation as the
        realised figures and far less noise (a control variate with coefficient 1).
        """
        a, ev, ren = self.accounts, self.events, self.renewals
        h = self.horizon_days
        left = (h - np.maximum(a["created"][acc], 0.0)) / 365.0
        revenue = float((a["arr_start"][acc] * left).sum())
        if len(ev["time"]):
            in_seg = ev["segment"] == si
            rest = (h - ev["time"]) / 365.0
            renewed = in_seg & (ev["event"] == Event.RENEWED)
            churned = in_seg & (ev["event"] == Event.CHURNED)
            revenue += float(((ev["value2"] - ev["value"]) * rest)[renewed].sum())
            revenue -= float((ev["value"] * rest)[churned].sum())
        arr_end = float(a["arr_end"][acc].sum())
        if not len(ren["segment"]):
            return revenue, revenue, arr_end
        seg_ren = ren["segment"] == si
        arr = ren["arr"][seg_ren]
        surprise = arr * (ren["churned"][seg_ren].astype(float) - ren["probability"][seg_ren])
        rest = (h - ren["time"][seg_ren]) / 365.0
        return (
            revenue,
            revenue + float((surprise * rest).sum()),
            arr_end + float(surprise.sum()),
        )

    def _account_years(self, acc: np.ndarray) -> float:
        """Account-years served in the plan by the accounts ``acc`` (years): each account
        from its arrival (day 0 for the starting book) to its churn or the end."""
        a, h = self.accounts, self.horizon_days
        start = np.clip(a["created"][acc], 0.0, h)
        churned_at = a["churned_at"][acc]
        end = np.clip(np.where(np.isnan(churned_at), h, churned_at), start, h)
        return float((end - start).sum()) / 365.0

    def csm_books(self) -> list[dict[str, Any]]:
        """Per segment and CSM: the book NRR of the renewals the CSM owned
        (:func:`simulator.engine.retention.csm_books`)."""
        if self._books is None:
            self._books = retention.csm_books(self.renewals, self.segments, self.csm_nrr_quota)
        return self._books

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

    def to_arrow(self, table: RecordTable = "tasks") -> pa.Table:
        """A record table (tasks, accounts, renewals, events) with segment, team and
        touchpoint names and status, kind, channel and event labels, not codes
        (:func:`simulator.engine.record_frames.record_table`; days, currency, hours)."""
        from simulator.engine.record_frames import record_table

        return record_table(self, table)

    def to_pandas(self, table: RecordTable = "tasks") -> pd.DataFrame:
        """The record table :meth:`to_arrow` gives, as a pandas DataFrame."""
        return self.to_arrow(table).to_pandas()
