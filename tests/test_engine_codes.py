"""Named codes: the engine's codes match the scenario language, and work kinds never collide.

Regression (issue 11): a one_to_many session used to store its touchpoint as
``SESSION - i``; for the second touchpoint (i = 1) that was the code of an inbound
request answered by support, so sessions were counted as support requests.
"""

from __future__ import annotations

import typing

import numpy as np

from simulator.engine.codes import Channel, Kind, Status
from simulator.engine.records import planned_touches
from simulator.engine.simulation import simulate
from simulator.scenario import model
from simulator.scenario.loader import load_text

SEGMENT = """\
name: Sessions and support
start_date: 2027-01-01
horizon_days: 365
seed: 3
segments:
  s:
    accounts: 120
    arr: 20000
    coverage: pooled
    team: {{csms: 2, annual_cost_per_csm: 150000}}
    churn: {{annual_baseline: 0}}
    inbound: {{requests_per_account_year: 3, support_share: 0.6}}
    touchpoints:
{touchpoints}
"""
CALL = "      call: {trigger: {kind: cadence, per_year: 4}, hours: 1}"
WEBINAR = (
    "      webinar: {trigger: {kind: cadence, per_year: 6}, channel: one_to_many, hours: 1,"
    " max_attendees: 30, session_every_days: 30}"
)

ASK = "      ask: {trigger: {kind: inbound_request}, hours: 0.5}"


def _run(*touchpoints: str):
    text = SEGMENT.format(touchpoints="\n".join([*touchpoints, ASK]))
    return simulate(load_text(text, "sessions.yaml").scenario, 0)


def test_the_codes_cover_the_scenario_language() -> None:
    assert set(typing.get_args(model.Channel)) <= set(Channel.labels())
    trigger_kinds = {
        typing.get_args(cls.model_fields["kind"].annotation)[0]
        for cls in typing.get_args(typing.get_args(model.Trigger)[0])
    }
    assert trigger_kinds <= set(Kind.labels())
    assert Status.of("on_time") is Status.ON_TIME and Status.ON_TIME.label == "on_time"


def test_sessions_are_not_counted_as_support_whatever_the_touchpoint_order() -> None:
    first = _run(CALL, WEBINAR)  # the session's touchpoint has index 1
    second = _run(WEBINAR, CALL)
    counts = []
    for rec in (first, second):
        m = rec.summary()["s"]
        t = rec.tasks
        sessions = t["kind"] == Kind.SESSION
        support = t["channel"] == Channel.SUPPORT
        assert sessions.any() and support.any()
        # every support request is an inbound request answered by support, and nothing else
        assert m["inbound_to_support"] == support.sum() == (t["status"] == Status.SUPPORT).sum()
        assert not np.any(sessions & support)
        assert not np.any(planned_touches(t) & (sessions | support))
        names = {r["touchpoint"] for r in rec.task_rows() if r["touchpoint"].startswith("session")}
        assert names == {"session:webinar"}
        counts.append((m["inbound_requests"], m["inbound_to_support"]))
    # inbound requests are drawn when an account is created, before any touchpoint draw
    # (and with no churn every account stays to receive all of them in both runs)
    assert counts[0] == counts[1]
    assert counts[0][1] < counts[0][0]
