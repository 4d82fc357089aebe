"""Renewals: churn decided from the drivers, expansion from the work, and the row that
explains each decision.

A renewal in the plan reads the account's history over its windows (touch coverage with
late credit, responsiveness, late onboarding, reassignment, the strongest risk event in
effect), decides churn with :func:`simulator.engine.churn.decide` from the account's
pre-drawn uniform, and for a renewing account the ARR change with
:mod:`simulator.engine.expansion`; every decision is logged as a
:class:`~simulator.engine.runlog.RenewalRow`. A renewal before day 0 (the burn-in) only
builds history. Then the next contract period starts.
"""

from __future__ import annotations

from collections.abc import Callable

from simulator.engine import churn, expansion
from simulator.engine.books import Books
from simulator.engine.codes import Event, Status
from simulator.engine.plan import SegmentPlan
from simulator.engine.runlog import AccountEvent, RenewalRow, RunLog
from simulator.engine.schedule import Scheduler
from simulator.engine.state import Account

__all__ = ["Renewals"]

_STARTED = (Status.ON_TIME, Status.LATE)


class Renewals:
    """Decides every renewal of a replication.

    Parameters
    ----------
    sched, books
        The replication's planner (for the clock) and book owners.
    plans, log
        Every segment plan and the run log (renewals and account events are appended).
    start_period
        Starts an account's next contract period: ``(plan, account, start day, first)``.
    """

    def __init__(
        self,
        sched: Scheduler,
        books: Books,
        plans: list[SegmentPlan],
        log: RunLog,
        start_period: Callable[[SegmentPlan, Account, float, bool], None],
    ) -> None:
        self.sched = sched
        self.books = books
        self.plans = plans
        self.log = log
        self.start_period = start_period
        self.rules = [churn.ChurnRule.of(p.seg.churn, p.h_base) for p in plans]
        self.growth = [expansion.ExpansionRule.of(p.seg) for p in plans]
        log.csm_nrr_quota = [p.seg.csm_nrr_quota for p in plans]

    def on_renewal(self, acc: Account) -> None:
        """The renewal: decide churn from the drivers, then expand or contract and renew."""
        if self.sched.now < 0.0:  # a burn-in renewal (before day 0): history only
            self.renew_in_burn_in(acc)
            return
        if not acc.active:
            return
        plan = self.plans[acc.segment]
        seg = plan.seg
        ch = seg.churn
        now = self.sched.now
        window = ch.coverage_window_days
        _forget_before(acc, now - window)
        rule = self.rules[acc.segment]
        h_risk, risk_event, risk_handling = churn.strongest_risk(
            acc.risks, now, plan.risk_effect_days, plan.risk_hazard, rule.late_credit_half_life
        )
        acc.risks = [h for h in acc.risks if now - h.time <= plan.risk_effect_days[h.event]]
        cov, cov_full = churn.coverage(acc.touches, now, rule.late_credit_half_life, acc.auto)
        drivers = churn.Drivers(
            coverage=cov,
            late_credit_loss=cov_full - cov,
            responsiveness=churn.responsiveness(acc.service, now, rule.late_credit_half_life),
            late_onboarding=acc.late_onboarding_at >= now - window,
            reassigned=acc.reassigned_at >= now - ch.reassignment_window_days,
            risk_hazard=h_risk,
        )
        d = churn.decide(rule, drivers)
        k = acc.renewals
        u = float(acc.churn_u[k]) if k < len(acc.churn_u) else float(acc.rng.random())
        churned = u < d.probability
        arr_before = acc.arr
        owner = acc.owner.id if acc.owner is not None else -1
        change = 0.0
        grow = self.growth[acc.segment]
        x = expansion.Outcome(0.0, 0.0, 1.0, 1.0)
        events = self.log.events
        if churned:
            acc.active = False
            acc.churned_at = now
            self.books.give(acc, None)
            for t in acc.touches:
                # a touch of the period that never comes, started early (booked ahead):
                # the work was done, the touch is cancelled (not requested, not delivered)
                if t.planned > now and t.status in _STARTED:
                    t.status = Status.CANCELLED
            events.append(AccountEvent(now, acc.segment, acc.index, Event.CHURNED, arr_before, 0.0))
        else:
            ue = float(acc.expand_u[k]) if k < len(acc.expand_u) else float(acc.rng.random())
            x = grow.decide(ue, cov, acc.touches, now, rule.late_credit_half_life, acc.auto)
            change = x.change
            new_arr = arr_before * (1.0 + change)
            if acc.owner is not None:
                acc.owner.arr += new_arr - arr_before
            acc.arr = new_arr
            acc.renewals += 1
            events.append(
                AccountEvent(now, acc.segment, acc.index, Event.RENEWED, arr_before, new_arr)
            )
        self.log.renewals.append(
            RenewalRow(
                time=now,
                segment=acc.segment,
                account=acc.index,
                csm=owner,
                arr=arr_before,
                p_baseline=d.p_baseline,
                coverage=drivers.coverage,
                late_credit_loss=drivers.late_credit_loss,
                coverage_multiplier=d.coverage_multiplier,
                responsiveness=drivers.responsiveness,
                responsiveness_multiplier=d.responsiveness_multiplier,
                late_onboarding=drivers.late_onboarding,
                late_onboarding_multiplier=d.late_onboarding_multiplier,
                reassigned=drivers.reassigned,
                reassignment_multiplier=d.reassignment_multiplier,
                risk_event=risk_event,
                risk_handled=risk_handling > 0,
                risk_handling=risk_handling,
                risk_multiplier=d.risk_multiplier,
                hazard=d.hazard,
                probability=d.probability,
                uniform=u,
                churned=churned,
                arr_change=change,
                arr_change_planned=x.planned,
                expansion_delivery=x.delivery,
                expansion_multiplier=x.multiplier,
            )
        )
        if not churned:
            self.start_period(plan, acc, now, False)

    def renew_in_burn_in(self, acc: Account) -> None:
        """A renewal before day 0: no churn, no ARR change, not recorded; the next period
        starts (its touches and risk events build the history the plan starts with)."""
        plan = self.plans[acc.segment]
        now = self.sched.now
        window = plan.seg.churn.coverage_window_days
        _forget_before(acc, now - window)
        acc.risks = [h for h in acc.risks if now - h.time <= plan.risk_effect_days[h.event]]
        self.start_period(plan, acc, now, False)


def _forget_before(acc: Account, since: float) -> None:
    """Drop the account's touches and service work planned before day ``since`` (they
    are outside every coverage window from now on)."""
    acc.touches = [t for t in acc.touches if t.planned >= since]
    acc.auto = [a for a in acc.auto if a[0] >= since]
    acc.service = [t for t in acc.service if t.planned >= since]
