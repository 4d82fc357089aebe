"""CRM activity histories (issue 14): the reader on a corpus of real export layouts, and
activity types matched to a scenario's touchpoints.

The corpus is tests/data/messy/activities_* (see the README there); each file's
expectations (activities kept, rows skipped by reason, columns chosen, durations in
hours) are written out here from the file, not from the reader's output.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.analysis.activity_aliases import (
    ALIAS_TABLE,
    ALIASES,
    GENERIC_TYPES,
    WHOLE_ALIASES,
)
from simulator.analysis.activity_map import map_activities, parse_activity_map
from simulator.data import (
    ACTIVITY_FIELD_TABLE,
    ACTIVITY_FIELDS,
    Activity,
    ActivityLog,
    DataError,
    read_activities,
)
from simulator.data.activities import duration_unit
from simulator.data.headers import normalise_header
from simulator.errors import ScenarioError

MESSY = Path(__file__).parent / "data" / "messy"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "data-activities.md"

# the default scenario's touchpoints (scenarios/default.yaml), name -> description
TOP = {
    "kickoff": "Kickoff and success plan",
    "implementation_workshop": "",
    "first_value_review": "",
    "training": "",
    "health_check": "",
    "qbr": "",
    "ebr": "",
    "renewal": "",
    "escalation": "Save play after a risk event",
    "request": "Feature request or complaint routed to the CSM",
}
MID = dict.fromkeys(
    [
        "kickoff",
        "onboarding_session",
        "health_check",
        "business_review",
        "renewal",
        "escalation",
        "request",
    ],
    "",
)
SMB = dict.fromkeys(["onboarding_webinar", "check_in_call", "request"], "")


def read(name: str, **kwargs: Any) -> ActivityLog:
    return read_activities(MESSY / name, **kwargs)


def accounted(log: ActivityLog) -> None:
    """Every row below the header is kept or skipped with a reason and a detail."""
    below = [i for i in log.skipped if i.reason != "above the header row"]
    assert len(log.activities) + len(below) == log.rows_read
    assert all(i.reason and i.detail for i in log.skipped)


def by_line(log: ActivityLog) -> dict[int, Activity]:
    return {a.line: a for a in log.activities}


# ---------------------------------------------------------------- the Vitally workbook

VITALLY_HEADER = (
    "Account",
    "Account External ID",
    "Category",
    "Title",
    "Date",
    "Author",
    "Duration (mins)",
)
VITALLY_ROWS: tuple[tuple[Any, ...], ...] = (
    ("Acme Corp", "0015A", "QBR", "Q1 QBR", dt.datetime(2025, 1, 15, 15, 0), "Dana Whitfield", 60),
    ("Acme Corp", "0015A", "Check-in", "Monthly sync", dt.datetime(2025, 2, 3, 10, 30), "Dana Whitfield", 30),
    ("Globex", "0015G", "Renewal", "Renewal kickoff", dt.datetime(2025, 2, 10), "Marcus Lee", 45.0),
    ("Globex", "0015G", "Churn Risk", "Budget cuts flagged", dt.datetime(2025, 2, 12, 9, 0), "Marcus Lee", None),
    ("Initech", "0015I", "Onboarding", "Kickoff workshop", "March 3, 2025", "Marcus Lee", "1h 15m"),
    ("Initech", "0015I", "Note", "Sent training deck", None, "Marcus Lee", None),
    ("Hooli", "0015H", "Check-in", "Monthly sync", "#N/A", "Priya Natarajan", 30),
    (None, None, "Note", "Internal prep", dt.datetime(2025, 3, 5), "Dana Whitfield", 15),
    ("Hooli", "0015H", "Note", "Health check call", dt.datetime(2025, 3, 6, 14, 0), "Priya Natarajan", 20),
    ("Hooli", "0015H", "Note", "Health check call", dt.datetime(2025, 3, 6, 14, 0), "Priya Natarajan", 20),
    ("Umbrella Health", "0015U", "QBR", "Q1 QBR", dt.datetime(2025, 3, 12), "Priya Natarajan", 90),
)  # fmt: skip


def write_vitally(path: Path) -> None:
    """Write activities_vitally.xlsx: a Vitally notes export, as Excel saves it (real
    date cells, numbers, a text date, an error value). Regenerate with
    ``python -c "from tests.test_activities import MESSY, write_vitally;
    write_vitally(MESSY / 'activities_vitally.xlsx')"``.
    """
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Notes"
    ws.append(VITALLY_HEADER)
    for row in VITALLY_ROWS:
        ws.append(row)
    wb.save(path)


def test_the_committed_vitally_workbook_is_the_generated_one() -> None:
    import openpyxl

    wb = openpyxl.load_workbook(MESSY / "activities_vitally.xlsx")
    values = [tuple(r) for r in wb["Notes"].iter_rows(values_only=True)]
    assert values == [VITALLY_HEADER, *VITALLY_ROWS]


# ------------------------------------------------------------------- the corpus


def test_salesforce_tasks_report() -> None:
    log = read("activities_salesforce_tasks.csv")
    accounted(log)
    assert log.columns == {
        "account": "Account Name",
        "date": "Activity Date",
        "type": "Type",
        "subject": "Subject",
        "owner": "Assigned",
        "hours": "Call Duration in seconds",
    }
    assert len(log) == 16
    assert log.skipped_by_reason() == {
        "one-cell line": 5,  # the report name, copyright, confidentiality, generated by, org
        "above the header row": 4,  # report title and filters
        "no date": 1,
        "duplicate row": 1,
        "no account": 1,
        "date not a date": 1,  # TBD
        "totals row": 1,  # Grand Totals (20 records)
    }
    assert [i.line for i in log.skipped if i.reason == "totals row"] == [28]
    assert log.units == {"hours": "seconds"}
    rows = by_line(log)
    assert rows[8].hours == pytest.approx(0.5)  # 1800 s
    assert rows[25].hours == pytest.approx(1 / 3)  # 1200 s
    assert rows[20].hours is None  # 0 s: no duration logged
    assert rows[7].hours is None  # a meeting: blank
    assert rows[7] == Activity(
        account="Acme Corp",
        date=dt.date(2025, 1, 14),
        type="Meeting",
        subject="Quarterly Business Review - Q1",
        owner="Dana Whitfield",
        line=7,
    )
    assert (log.first_date, log.last_date) == (dt.date(2025, 1, 14), dt.date(2025, 3, 24))
    assert any("zero duration" in w and "line 20" in w for w in log.warnings)
    assert any("read as seconds" in w for w in log.warnings)


def test_salesforce_events_report() -> None:
    log = read("activities_salesforce_events.csv")
    accounted(log)
    assert log.columns["date"] == "Start Date/Time"
    assert log.columns["account"] == "Company / Account"
    assert log.columns["hours"] == "Duration (Minutes)"
    assert len(log) == 9
    assert log.skipped_by_reason() == {
        "one-cell line": 5,
        "no account": 1,
        "duplicate row": 1,
        "no date": 1,
    }
    rows = by_line(log)
    assert rows[3].date == dt.date(2025, 4, 9)  # "4/9/2025 2:30 PM" keeps its date
    assert rows[3].hours == pytest.approx(1.0)
    assert rows[6].hours == pytest.approx(24.0)  # all-day event, 1440 minutes
    assert rows[11].hours == pytest.approx(48.0)
    assert log.dayfirst_used is False  # 4/15/2025 settles month first
    assert any("longer than 24 hours (line 11)" in w for w in log.warnings)


def test_gainsight_timeline_with_day_first_dates() -> None:
    log = read("activities_gainsight_timeline.csv")
    accounted(log)
    assert log.columns == {
        "account": "Company Name",
        "date": "Activity Date",
        "type": "Activity Type",
        "subject": "Subject",
        "owner": "Author",
        "hours": "Duration in minutes",
    }
    assert len(log) == 10
    assert log.skipped_by_reason() == {"duplicate row": 1, "no account": 1, "no date": 1}
    assert log.dayfirst_used is True
    rows = by_line(log)
    assert rows[5].date == dt.date(2025, 2, 4)  # 04/02/2025: 4 February
    assert rows[10].date == dt.date(2025, 3, 3)  # "3 March 2025"
    assert rows[2].hours == pytest.approx(1.0)  # 60 minutes
    assert rows[8].hours is None  # n/a
    assert rows[7].type == "Milestone" and rows[7].owner == "Gainsight System"


def test_hubspot_activities_with_clock_durations() -> None:
    log = read("activities_hubspot.csv")
    accounted(log)
    assert log.columns["account"] == "Associated Company"
    assert log.columns["subject"] == "Call title"
    assert log.columns["owner"] == "Activity assigned to"
    assert log.units == {"hours": "hours"}
    assert len(log) == 10
    assert log.skipped_by_reason() == {"no account": 1, "no date": 1, "duplicate row": 1}
    rows = by_line(log)
    assert rows[2].date == dt.date(2025, 3, 4)  # 2025-03-04 14:30
    assert rows[2].hours == pytest.approx(32 / 60 + 10 / 3600)  # 00:32:10
    assert rows[5].hours == pytest.approx(65 / 60)  # 01:05:00
    assert rows[14].hours == pytest.approx(12.5 / 60)  # 0:12:30
    assert rows[3].type == "Meeting" and rows[3].hours is None


def test_hubspot_custom_type_column_by_mapping() -> None:
    log = read("activities_hubspot.csv", mapping={"type": "Call and meeting type"})
    assert log.columns["type"] == "Call and meeting type"
    rows = by_line(log)
    assert rows[3].type == "QBR"
    assert rows[4].type == "Re: onboarding kickoff agenda"  # blank: the subject
    assert any("blank type" in w for w in log.warnings)


def test_churnzero_iso_datetimes_and_duration_text() -> None:
    log = read("activities_churnzero.csv")
    accounted(log)
    assert log.columns["account"] == "Account Name"  # the name, not the external ID
    assert len(log) == 9
    assert log.skipped_by_reason() == {"no account": 1, "duplicate row": 1, "date not a date": 1}
    rows = by_line(log)
    assert rows[2].date == dt.date(2025, 4, 8)  # 2025-04-08T14:00:00Z
    assert rows[3].date == dt.date(2025, 4, 15)  # with milliseconds
    assert rows[5].date == dt.date(2025, 4, 22)  # +02:00: the date as written
    assert rows[6].hours == pytest.approx(1.5)  # "1:30" under a minutes header
    assert rows[7].hours == pytest.approx(0.75)  # "45 min"
    assert rows[13].hours == pytest.approx(2.0)  # "2h"
    assert rows[11].hours is None  # -15: negative
    assert rows[11].subject is None and rows[11].type == "Health Check"
    assert any("'-15' is negative" in w for w in log.warnings)


def test_vitally_workbook() -> None:
    log = read("activities_vitally.xlsx")
    accounted(log)
    assert log.columns["account"] == "Account"
    assert log.columns["type"] == "Category"
    assert log.columns["subject"] == "Title"
    assert log.units == {"hours": "minutes"}
    assert len(log) == 7
    assert log.skipped_by_reason() == {
        "no date": 1,
        "date not a date": 1,  # #N/A
        "no account": 1,
        "duplicate row": 1,
    }
    rows = by_line(log)
    assert rows[3].date == dt.date(2025, 2, 3)  # a date cell with a time
    assert rows[6].date == dt.date(2025, 3, 3)  # text "March 3, 2025"
    assert rows[6].hours == pytest.approx(1.25)  # "1h 15m"
    assert rows[4].hours == pytest.approx(0.75)  # 45.0 minutes
    assert rows[5].hours is None


def test_generic_export_with_messy_values() -> None:
    log = read("activities_generic.csv")
    accounted(log)
    assert "subject" not in log.columns
    assert len(log) == 9
    assert log.skipped_by_reason() == {
        "no account": 2,  # blank, and "-"
        "duplicate row": 1,
        "no date": 1,
        "date not a date": 1,  # yesterday
        "no type": 1,
        "totals row": 1,
    }
    rows = by_line(log)
    assert log.dayfirst_used is True  # 13/01/2025
    assert rows[3].date == dt.date(2025, 1, 7)  # 07/01/2025, day first
    assert rows[3].hours == pytest.approx(1.5)  # 1:30
    assert rows[4].hours == pytest.approx(0.75)  # 45 min
    assert rows[7].hours == pytest.approx(1.5)  # 90m
    assert rows[12].hours == pytest.approx(1.25)  # 1h 15m
    assert rows[16].hours is None  # abc
    assert rows[14].date == dt.date(2099, 1, 15)
    assert any("dated after today (line 14)" in w for w in log.warnings)
    assert any("'abc' is not a duration" in w for w in log.warnings)


def test_helpdesk_tickets_with_first_reply_times() -> None:
    log = read("activities_tickets.csv")
    accounted(log)
    assert log.columns == {
        "account": "Organization",
        "date": "Created at",
        "type": "Ticket type",
        "subject": "Subject",
        "owner": "Assignee",
        "response_hours": "First reply time in minutes",
    }
    # "Full resolution time in minutes" would be guessed as a duration: it is not one
    assert "hours" not in log.columns
    assert any("wait or response time" in w for w in log.warnings)
    assert len(log) == 8
    assert log.skipped_by_reason() == {"no account": 1, "no date": 1}
    rows = by_line(log)
    assert rows[2].date == dt.date(2025, 3, 3)  # 2025-03-03 09:12:44 -0800
    assert rows[2].response_hours == pytest.approx(35 / 60)
    assert rows[4].response_hours == pytest.approx(24.0)  # 1440 minutes
    assert rows[6].type == "Complaint about response times"  # blank type: the subject
    assert rows[6].response_hours is None
    assert rows[10].response_hours is None  # n/a
    assert all(a.hours is None for a in log)


def test_report_names_counts_columns_and_reasons() -> None:
    text = read("activities_salesforce_tasks.csv").report()
    assert "16 activities read from 26 rows, 2025-01-14 to 2025-03-24" in text
    assert "account = 'Account Name'" in text
    assert "1 totals row (line 28)" in text


# ------------------------------------------------------------------- files that fail


def test_missing_file_is_a_data_error() -> None:
    with pytest.raises(DataError, match="file not found") as info:
        read_activities(MESSY / "no_such_activities.csv")
    assert isinstance(info.value, ScenarioError)


def test_no_date_column_names_the_file_line_and_fix(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("Account Name,Type,When it happened\nAcme,QBR,2025-01-02\n")
    with pytest.raises(DataError) as info:
        read_activities(f)
    text = str(info.value)
    assert f"{f}:1" in text and "no column for activity date" in text
    assert "columns are: 'Account Name', 'Type', 'When it happened'" in text
    assert "mapping={'date': 'COLUMN'}" in text


def test_no_type_or_subject_column(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("Account Name,Activity Date,Owner\nAcme,2025-01-02,dana\n")
    with pytest.raises(DataError, match=r"no column for activity type \(or subject\)"):
        read_activities(f)


def test_subject_only_export_uses_the_subject_as_type(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("Account Name,Activity Date,Subject\nAcme,2025-01-02,QBR\n")
    log = read_activities(f)
    assert log.activities[0].type == "QBR" and log.activities[0].subject == "QBR"
    assert any("no activity type column" in w for w in log.warnings)


def test_no_usable_row_lists_the_reasons(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("Account Name,Activity Date,Type\n,2025-01-02,QBR\nAcme,soon,QBR\n")
    with pytest.raises(DataError, match=r"1 no account \(line 2\); 1 date not a date \(line 3\)"):
        read_activities(f)


def test_unknown_mapping_field_is_a_data_error() -> None:
    with pytest.raises(DataError, match="there is no field 'hourz'; did you mean 'hours'"):
        read("activities_generic.csv", mapping={"hourz": "hours"})


def test_an_account_named_total_with_a_date_is_kept(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("Account,Date,Type\nTotal Wine,2025-01-02,QBR\nTotal,,\n")
    log = read_activities(f)
    assert [a.account for a in log] == ["Total Wine"]
    assert log.skipped_by_reason() == {"totals row": 1}


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("Call Duration in seconds", "seconds"),
        ("Duration (secs)", "seconds"),
        ("Duration (Minutes)", "minutes"),
        ("Duration in minutes", "minutes"),
        ("Call duration (HH:MM:SS)", "hours"),
        ("First Response Time (hrs)", "hours"),
    ],
)
def test_duration_unit_from_the_header(header: str, unit: str) -> None:
    assert duration_unit(header) == unit


# ------------------------------------------------------------------- the field table


def test_every_activity_alias_is_normalised() -> None:
    for spec in ACTIVITY_FIELDS:
        assert f"`{spec.name}`" in ACTIVITY_FIELD_TABLE
        assert len(spec.aliases) == len(set(spec.aliases)), spec.name
        assert all(a == normalise_header(a) for a in spec.aliases), spec.name
    assert ACTIVITY_FIELD_TABLE.startswith("| field | required |")


def test_the_docs_show_the_field_and_alias_tables() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert ACTIVITY_FIELD_TABLE.strip() in text, "docs/data-activities.md: paste the field table"
    assert ALIAS_TABLE.strip() in text, "docs/data-activities.md: paste ALIAS_TABLE"


# ---------------------------------------------------------------- types -> touchpoints


def acts(*items: tuple[str, str | None]) -> list[Activity]:
    return [Activity("Acme", dt.date(2025, 1, 1), t, subject=s) for t, s in items]


@pytest.mark.parametrize(
    ("kind", "touchpoints", "expected", "how"),
    [
        ("QBR", TOP, "qbr", "name"),
        ("Health-Checks", TOP, "health_check", "name"),
        ("Quarterly Business Review", TOP, "qbr", "alias"),
        ("Quarterly Business Review", MID, "business_review", "alias"),
        ("QBR - Q3 2025", MID, "business_review", "alias"),
        ("EBR", MID, "business_review", "alias"),
        ("Executive Business Review", TOP, "ebr", "alias"),
        ("Kick-off", TOP, "kickoff", "alias"),
        ("Onboarding Kickoff", MID, "kickoff", "alias"),
        ("Check-in", TOP, "health_check", "alias"),
        ("Check-in", SMB, "check_in_call", "alias"),
        ("Status call", MID, "health_check", "alias"),
        ("Renewal meeting", TOP, "renewal", "alias"),
        ("Enablement", TOP, "training", "alias"),
        ("Webinar", SMB, "onboarding_webinar", "alias"),
        ("Save play", MID, "escalation", "alias"),
        ("Incident", TOP, "request", "alias"),
        ("Success plan review", TOP, "kickoff", "words"),  # "Kickoff and success plan"
        ("Risk review", TOP, "escalation", "words"),  # "... after a risk event"
        ("Onboarding", MID, "onboarding_session", "words"),
    ],
)
def test_type_matching_rules(
    kind: str, touchpoints: dict[str, str], expected: str, how: str
) -> None:
    m = map_activities(acts((kind, None)), touchpoints)
    assert (m.touchpoint_of[kind], m.how[kind]) == (expected, how)
    assert m.unmatched == {}


@pytest.mark.parametrize(
    ("kind", "touchpoints"),
    [
        ("Webinar", MID),  # no training or webinar touchpoint in mid-market
        ("QBR prep", TOP),  # preparation, not the review
        ("Milestone", TOP),
        ("Incident report review", TOP),  # "incident" counts only as the whole type
    ],
)
def test_types_left_unmatched(kind: str, touchpoints: dict[str, str]) -> None:
    m = map_activities(acts((kind, None), (kind, None)), touchpoints)
    assert m.touchpoint_of[kind] is None and m.how[kind] == "unmatched"
    assert m.unmatched == {kind: 2}


def test_generic_types_fall_back_to_the_subject() -> None:
    items = acts(
        ("Call", "Quarterly business review"),
        ("Call", "Left voicemail"),
        ("Call", "Left voicemail"),
        ("Call", None),
        ("Meeting", "Kick-off call"),
        ("Email", "QBR prep"),
        ("Renewal", "Health check"),  # not generic: the type decides
    )
    m = map_activities(items, TOP)
    assert m.how == {
        "Call": "subject",
        "Meeting": "subject",
        "Email": "unmatched",
        "Renewal": "name",
    }
    assert [m.touchpoint(a) for a in items] == [
        "qbr",
        None,
        None,
        None,
        "kickoff",
        None,
        "renewal",
    ]
    assert m.unmatched == {"Call": 3, "Email": 1}
    assert m.counts == {"Call": 4, "Meeting": 1, "Email": 1, "Renewal": 1}


def test_overrides_win_and_can_leave_a_type_unmatched() -> None:
    items = acts(("Onboarding Call", None), ("Note", "Health check"), ("Milestone", None))
    m = map_activities(
        items, TOP, {"onboarding  call": "KICKOFF", "NOTE": "-", "Milestone": "none"}
    )
    assert m.touchpoint_of == {"Onboarding Call": "kickoff", "Note": None, "Milestone": None}
    assert set(m.how.values()) == {"override"}
    assert [m.touchpoint(a) for a in items] == ["kickoff", None, None]
    assert m.unmatched == {}  # deliberately unmatched is not reported
    assert m.warnings == []


def test_an_override_for_an_absent_type_is_a_warning() -> None:
    m = map_activities(acts(("QBR", None)), TOP, {"Quarterly": "qbr"})
    assert m.touchpoint_of == {"QBR": "qbr"}
    assert any("no activity has the type 'Quarterly'" in w for w in m.warnings)


def test_an_override_to_an_unknown_touchpoint_lists_the_names() -> None:
    with pytest.raises(ValueError, match="no touchpoint 'qbx'; did you mean 'qbr'") as info:
        map_activities(acts(("QBR", None)), MID | {"qbr": ""}, {"QBR": "qbx"})
    with pytest.raises(ValueError, match="touchpoints are: kickoff, onboarding_session"):
        map_activities(acts(("QBR", None)), MID, {"QBR": "quarterly_thing"})
    # the hint names the Python parameter, or the option when a front end renders it
    assert "activity_map={'QBR': '-'} to leave the type unmatched" in str(info.value)
    message = info.value.args[0]
    assert "--activity-map 'QBR=-' to leave" in message.render({"activity_map": "--activity-map"})


def test_a_tie_is_left_unmatched_with_a_warning() -> None:
    tps = {"exec_sync": "", "exec_dinner": ""}
    m = map_activities(acts(("Exec lunch", None)), tps)
    assert m.touchpoint_of["Exec lunch"] is None
    assert any(
        "'Exec lunch' shares as many words with exec_sync, exec_dinner" in w for w in m.warnings
    )


def test_unmatched_are_most_frequent_first() -> None:
    m = map_activities(acts(("B", None), ("A", None), ("B", None), ("C", None)), TOP)
    assert list(m.unmatched.items()) == [("B", 2), ("A", 1), ("C", 1)]


def test_corpus_mapping_salesforce_tasks_top_tier() -> None:
    log = read("activities_salesforce_tasks.csv")
    m = map_activities(log.activities, TOP)
    got = {a.line: m.touchpoint(a) for a in log}
    assert got == {
        7: "qbr",  # Meeting: "Quarterly Business Review - Q1"
        8: None,  # Call: "Call"
        9: "renewal",  # Email: "Email: Re: renewal quote" (words)
        10: "kickoff",
        11: "health_check",
        12: "renewal",
        14: "health_check",  # Check-in
        17: "ebr",
        18: "training",
        19: "escalation",  # "Email: save play for usage drop"
        20: None,
        21: None,  # To Do (generic): "Send invoice copy" names none
        22: None,  # Other: "QBR prep"
        24: "implementation_workshop",
        25: None,  # Log a Call
        26: "escalation",
    }
    assert m.unmatched == {"Call": 3, "Other": 1, "To Do": 1}


def test_corpus_mapping_tickets_are_requests() -> None:
    m = map_activities(read("activities_tickets.csv").activities, MID)
    assert m.touchpoint_of["Incident"] == m.touchpoint_of["Question"] == "request"
    assert m.touchpoint_of["Complaint about response times"] == "request"
    assert m.how["Task"] == "subject"  # "Feature request: bulk user import"
    assert m.unmatched == {"Task": 1}  # "Please resend the session recording"


def test_parse_activity_map() -> None:
    assert parse_activity_map(["Onboarding Call=kickoff", "Note=-", "a=b=c"]) == {
        "Onboarding Call": "kickoff",
        "Note": "-",
        "a=b": "c",
    }
    with pytest.raises(ValueError, match="expected TYPE=TOUCHPOINT"):
        parse_activity_map(["QBR"])


def test_the_tables_are_consistent() -> None:
    phrases = [p for p, _ in ALIASES + WHOLE_ALIASES]
    assert len(phrases) == len(set(phrases))
    assert all(names for _, names in ALIASES + WHOLE_ALIASES)
    assert {"call", "meeting", "email", "task", "other"} <= GENERIC_TYPES
    assert "| quarterly business review | anywhere in the type | `qbr`, `business_review` |" in (
        ALIAS_TABLE
    )


# ----------------------------------------------------------------------- properties

CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "-", "n/a", "Total", "Grand Totals (3 records)", "2025-03-04T14:30:00Z",
         "3/4/2025 2:30 PM", "13/01/2025", "1:30", "45 min", "1e308", "-5", "#N/A", "0",
         '"', ",", "\n", "Call", "QBR"]
    ),
)  # fmt: skip
HEADERS = st.lists(
    st.sampled_from(
        ["Account Name", "Activity Date", "Type", "Subject", "Duration (min)",
         "Call Duration in seconds", "First response time", "Owner", "Notes", ""]
    ),
    min_size=1,
    max_size=6,
)  # fmt: skip


def _csv(rows: Sequence[Sequence[str]]) -> str:
    def quote(c: str) -> str:
        return '"' + c.replace('"', '""') + '"'

    return "\n".join(",".join(quote(c) for c in row) for row in rows) + "\n"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(header=HEADERS, rows=st.lists(st.lists(CELL, min_size=1, max_size=7), max_size=8))
def test_reading_random_cells_raises_only_data_errors(
    tmp_path: Path, header: list[str], rows: list[list[str]]
) -> None:
    f = tmp_path / "random.csv"
    f.write_text(_csv([header, *rows]), encoding="utf-8")
    try:
        log = read_activities(f)
    except DataError:
        return
    accounted(log)
    for a in log:
        assert a.account and a.type
        assert a.hours is None or a.hours > 0
        assert a.response_hours is None or a.response_hours >= 0


EXCEL_CELL = st.one_of(
    st.none(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2099, 12, 31)),
    st.booleans(),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=10),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(EXCEL_CELL, min_size=5, max_size=5), min_size=1, max_size=6))
def test_reading_random_workbook_cells_raises_only_data_errors(
    tmp_path: Path, rows: list[list[Any]]
) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Account", "Date", "Activity Type", "Duration (mins)", "Response time (hours)"])
    for row in rows:
        ws.append(row)
    f = tmp_path / "random.xlsx"
    wb.save(f)
    try:
        log = read_activities(f)
    except DataError:
        return
    accounted(log)


def test_a_duplicate_row_leaves_no_second_note(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("Account,Date,Type,Hours\nAcme,2025-01-02,QBR,abc\nAcme,2025-01-02,QBR,abc\n")
    log = read_activities(f)
    assert log.skipped_by_reason() == {"duplicate row": 1}
    assert [w for w in log.warnings if "'abc'" in w] == [
        f'{f}:2 column "Hours": '
        + (
            "'abc' is not a duration (not a duration (use hours like 1.5, or 1:30, 90m)); "
            "left blank"
        )
    ]
