"""A SYNTHETIC CRM history made by the engine itself: one replication, exported.

SYNTHETIC DATA - not real customers. :mod:`simulator.synthetic.history` draws a history
from a stand-alone implementation of the coverage definition; this module instead runs
the simulation engine (:func:`simulator.engine.simulation.simulate`) on a scenario and
writes what one replication did as the two exports a CRM would give: a customer list
and an activity log. The model itself generates the data, so a test that calibrates on
them, or backtests on them, checks the whole loop (engine -> export -> reader -> history
measures -> fit -> simulation) against the effects the scenario put in.

Design
------
The scenario's book must start empty (``accounts: 0`` in every segment) and grow by
``new_accounts_per_month`` (or dated batches), so every account's whole life lies inside
the simulated horizon. Day ``t`` of the run is the date ``start_date + floor(t)``; the
list describes :func:`list_date` (``start_date + horizon_days - 1``, the last day run).

Customer rows (columns of :data:`simulator.synthetic.customers.CUSTOMER_COLUMNS`), one per
account of the records, in creation order:

* ``Customer ID`` ``ENG-00001``..., ``Customer Name`` ``Engine account 1 (synthetic)``;
  ``Segment`` the scenario's segment name;
* ``Customer Since`` the signing day (``created``); ``Starting ARR`` ``arr_start``;
* ``ARR`` the ARR at the list date (``arr_end``), or for a churned account the ARR it
  churned with (the last ARR before churn);
* ``Churn Date`` the day it churned (``churned_at``: at a renewal), ``Status`` Churned or
  Active; ``Renewal Date`` the churn date for a churned account, else its next renewal
  (``created + k x term``, the first after the horizon, term of 365/12-day months);
* ``Lifecycle Stage`` the stage it entered last (its last stage event), "Churned" when it
  churned.

Activity rows (columns :data:`ACTIVITY_COLUMNS`; Duration in minutes, and a response time
column when asked), one per *delivered* CSM touch of a planned touchpoint: the tasks of a
``stage_entry``, ``cadence`` or ``before_renewal`` touchpoint on the ``one_to_one`` or
``one_to_many`` channel (an attendee's touch, not the session) whose status is on time or
late. Automated, skipped, missed, cancelled and still-open touches write nothing, and so
do risk escalations, ad hoc (unscheduled) work and support. ``Activity Date`` is the day
the CSM started the task (``start_date + floor(start)``), ``Activity Type`` the
touchpoint's name (or ``labels[name]``), ``Assigned To`` ``CSM <id>`` of the CSM who did
it, ``Duration (minutes)`` the task's hours x 60. With ``inbound=True`` the CSM-routed
inbound requests answered (on time or late) are written too, typed by their touchpoint,
with ``Response Time (hours)`` = (start - planned) x 24.

Limits
------
* The history measures (:mod:`simulator.analysis.history`) read these rows close to,
  not exactly as, the engine's own drivers (``records.renewals``; measured in
  tests/test_backtest.py): they plan ``days in allowed stages / interval`` cadence
  touches per window where the engine planned a whole number (its drawn phase), and
  charge a cadence touch after a missed one its whole gap as lateness; the engine counts
  a kickoff on the window's first day when ``created + 365 - 365 >= created`` in floating
  point; so coverage reads 0.03-0.05 low on average (sd of the difference ~0.1). Under
  the default ``working_days`` calendar the engine's on-time and due windows count
  weekdays and the history's calendar days, so late onboardings read 1.4-1.8x the
  engine's (a ``continuous`` calendar makes them agree). Dates are whole days (lateness
  up to a day off); calendar anniversaries (``add_months``) sit a day after the engine's
  365-day terms across a 29 February, so a renewal of the last day may not show.
* What the customer list cannot show is not shown: ARR between signing and the list date
  (a backtest interpolates it), the drivers of each renewal, risk events, reassignments,
  ad hoc work and responsiveness. A scenario whose churn depends on those (risk events,
  ``responsiveness_effect`` > 0 without ``inbound``, attrition with a
  ``reassignment_multiplier`` != 1) makes churn the history cannot explain.
* One replication is one history: its randomness is the engine's (numpy Generators keyed
  by the root seed and the replication, :mod:`simulator.engine.streams`); the export
  itself draws nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import numpy as np

from simulator.engine.codes import Channel, Event, Kind, Status
from simulator.engine.records import Records
from simulator.engine.simulation import simulate
from simulator.scenario.lifecycle import STAGES, term_days
from simulator.scenario.model import Scenario
from simulator.synthetic.customers import CUSTOMER_COLUMNS
from simulator.synthetic.history_rows import ACTIVITY_COLUMNS

__all__ = [
    "ACTIVITY_COLUMNS",
    "RESPONSE_COLUMN",
    "engine_history",
    "history_from_records",
    "list_date",
]

RESPONSE_COLUMN = "Response Time (hours)"
"""Column of an answered inbound request's response time (hours; blank for touches)."""

_TOUCH_KINDS = (Kind.STAGE_ENTRY, Kind.CADENCE, Kind.BEFORE_RENEWAL)
_CSM_CHANNELS = (Channel.ONE_TO_ONE, Channel.ONE_TO_MANY)
_DONE = (Status.ON_TIME, Status.LATE)
_STAGE_LABEL = {
    "onboarding": "Onboarding",
    "adoption": "Adoption",
    "steady": "Steady State",
    "renewal": "Renewal",
}


def list_date(scenario: Scenario) -> dt.date:
    """The date the exported customer list describes: the last day simulated."""
    return scenario.start_date + dt.timedelta(days=math.ceil(scenario.horizon_days) - 1)


def _check(scenario: Scenario) -> None:
    """Raise when an account could have lived before the simulated horizon."""
    for name, seg in scenario.segments.items():
        if seg.accounts != 0:
            raise ValueError(
                f"segment {name!r} starts with accounts; an engine-made history needs "
                "accounts: 0 in every segment (each account's whole life in the run)"
            )


def _customer_id(index: int) -> str:
    return f"ENG-{index + 1:05d}"


def _customer_name(index: int) -> str:
    return f"Engine account {index + 1} (synthetic)"


def _last_stages(rec: Records) -> dict[int, str]:
    """Account row -> the stage it entered last."""
    ev = rec.events
    out: dict[int, str] = {}
    stage = ev["event"] == Event.STAGE
    order = np.argsort(ev["time"][stage], kind="stable")
    accounts = ev["account"][stage][order].tolist()
    values = ev["value"][stage][order].tolist()
    for acc, v in zip(accounts, values, strict=True):
        out[int(acc)] = STAGES[int(v)]
    return out


def _customers(scenario: Scenario, rec: Records) -> list[dict[str, str]]:
    """The customer list at :func:`list_date` (see the module docstring)."""
    a = rec.accounts
    start = scenario.start_date
    horizon = rec.horizon_days
    stages = _last_stages(rec)
    rows = []
    for i in range(len(a["segment"])):
        name = rec.segments[int(a["segment"][i])]
        created = float(a["created"][i])
        since = start + dt.timedelta(days=math.floor(created))
        churned = bool(a["churned"][i])
        if churned:
            gone = start + dt.timedelta(days=math.floor(float(a["churned_at"][i])))
            arr, renewal, status, stage = float(a["arr_churned"][i]), gone, "Churned", "Churned"
            churn_date = gone.isoformat()
        else:
            term = term_days(scenario.segments[name].contract_term_months)
            k = max(1, math.floor((horizon - created) / term) + 1)
            renewal = start + dt.timedelta(days=math.floor(created + k * term))
            arr, status, churn_date = float(a["arr_end"][i]), "Active", ""
            stage = _STAGE_LABEL.get(stages.get(i, "onboarding"), "Onboarding")
        row = {
            "Customer ID": _customer_id(i),
            "Customer Name": _customer_name(i),
            "Segment": name,
            "ARR": f"{arr:.2f}",
            "Starting ARR": f"{float(a['arr_start'][i]):.2f}",
            "Customer Since": since.isoformat(),
            "Renewal Date": renewal.isoformat(),
            "Churn Date": churn_date,
            "Status": status,
            "Lifecycle Stage": stage,
        }
        rows.append({c: row[c] for c in CUSTOMER_COLUMNS})
    return rows


def _activities(
    scenario: Scenario, rec: Records, labels: Mapping[str, str], inbound: bool
) -> list[dict[str, str]]:
    """The delivered CSM touches (and answered requests) as activity rows, by date."""
    t = rec.tasks
    kind, channel, status = t["kind"], t["channel"], t["status"]
    done = np.isin(status, _DONE) & (t["tp"] >= 0) & ~np.isnan(t["start"])
    touch = done & np.isin(kind, _TOUCH_KINDS) & np.isin(channel, _CSM_CHANNELS)
    request = done & (kind == Kind.INBOUND_REQUEST) & (channel == Channel.ONE_TO_ONE)
    keep = touch | request if inbound else touch
    start = scenario.start_date
    rows = []
    for i in np.flatnonzero(keep).tolist():
        acc = int(t["account"][i])
        tp = rec.touchpoints[int(t["segment"][i])][int(t["tp"][i])]
        label = labels.get(tp, tp)
        day = float(t["start"][i])
        csm = int(t["csm"][i])
        row = {
            "Account ID": _customer_id(acc),
            "Account Name": _customer_name(acc),
            "Activity Date": (start + dt.timedelta(days=math.floor(day))).isoformat(),
            "Activity Type": label,
            "Subject": f"{label} - {_customer_name(acc)}",
            "Assigned To": f"CSM {csm}" if csm >= 0 else "",
            "Duration (minutes)": str(round(60.0 * float(t["hours"][i]))),
        }
        if inbound:
            late = 24.0 * (day - float(t["planned"][i]))
            row[RESPONSE_COLUMN] = f"{max(late, 0.0):.2f}" if request[i] else ""
        rows.append(row)
    rows.sort(key=lambda r: (r["Activity Date"], r["Account ID"], r["Activity Type"]))
    return rows


def history_from_records(
    scenario: Scenario,
    records: Records,
    labels: Mapping[str, str] | None = None,
    inbound: bool = False,
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The customer list and activity log of a finished replication of ``scenario``.

    Parameters
    ----------
    scenario
        The scenario ``records`` was simulated from (its book starts empty).
    records
        One replication's records.
    labels
        Touchpoint name -> the activity type written for it (default: the name).
    inbound
        Also write the CSM-answered inbound requests with their response time (hours).

    Returns
    -------
    tuple of list of dict
        Customer rows (columns ``CUSTOMER_COLUMNS``) and activity rows (columns
        ``ACTIVITY_COLUMNS``, plus :data:`RESPONSE_COLUMN` with ``inbound``).

    Raises
    ------
    ValueError
        When a segment of ``scenario`` starts with accounts.
    """
    _check(scenario)
    return _customers(scenario, records), _activities(scenario, records, labels or {}, inbound)


def engine_history(
    scenario: Scenario,
    replication: int = 0,
    seed: int | None = None,
    labels: Mapping[str, str] | None = None,
    inbound: bool = False,
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Simulate one replication of ``scenario`` and export it (module docstring).

    Parameters
    ----------
    scenario
        A validated scenario whose book starts empty (``accounts: 0`` in every segment).
    replication, seed
        The replication and root seed simulated (seed: the scenario's when None).
    labels, inbound
        As for :func:`history_from_records`.

    Returns
    -------
    tuple of list of dict
        Customer rows and activity rows; the same scenario, replication and seed give the
        same rows.

    Raises
    ------
    ValueError
        When a segment of ``scenario`` starts with accounts.
    """
    _check(scenario)
    records = simulate(scenario, replication, seed)
    return history_from_records(scenario, records, labels, inbound)
