"""Timesheets from real exports read right (issue 17, point 5): Harvest's first and last
names, Tempo's seconds, impossible and implausible days, future dates; and the same
day-total and future-date warnings on activity histories."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.analysis.timesheet import analyze_timesheet
from simulator.cli import cli
from simulator.cli.common import TIMESHEET_FLAGS
from simulator.data.activities import read_activities
from simulator.data.durations import duration_unit, parse_hours, unit_from_values
from simulator.data.timesheet import read_timesheet
from simulator.data.timesheet_checks import IMPOSSIBLE_DAY_HOURS, PLAUSIBLE_DAY_HOURS
from simulator.errors import DataError

MESSY = Path(__file__).parent / "data" / "messy"
TODAY = dt.date(2026, 12, 1)


def accounted(sheet, rows: int) -> None:
    """Every data row is kept or skipped with a reason."""
    data_skips = [i for i in sheet.skipped if i.reason != "above the header row"]
    assert len(sheet.entries) + len(data_skips) == rows == sheet.rows_read
    assert all(i.reason and i.detail for i in sheet.skipped)


def warning(sheet, text: str) -> str:
    """The one warning containing ``text``."""
    found = [w for w in sheet.warnings if text in w]
    assert len(found) == 1, sheet.warnings
    return found[0]


# ------------------------------------------------------------------------ Harvest


def test_harvest_people_are_first_and_last_names() -> None:
    sheet = read_timesheet(MESSY / "timesheet_harvest.csv", today=TODAY)
    # "Employee?" (yes/no) was read as the person: every entry was "Yes" or "No"
    assert sheet.columns == {
        "person": "First Name + Last Name",
        "date": "Date",
        "activity": "Task",
        "account": "Client",
        "hours": "Hours",
    }
    # two Anns are two people; a row with only a first name keeps it
    assert {e.person for e in sheet} == {"Ann Lee", "Ann Ortiz", "Sam Patel", "Lee"}
    # Hours, not Hours Rounded (1.75, 0.5)
    assert [e.hours for e in sheet][:2] == [1.6, 0.35]
    assert sheet.skipped_by_reason() == {
        "day over 24 hours": 2,
        "dated after today": 1,
        "no person": 1,
    }
    blank = next(i for i in sheet.skipped if i.reason == "no person")
    assert blank.line == 13 and '"First Name" and "Last Name"' in blank.detail
    assert sheet.total_hours() == pytest.approx(24.45)
    accounted(sheet, 13)


def test_harvest_warnings_name_people_days_lines_and_what_was_done() -> None:
    sheet = read_timesheet(MESSY / "timesheet_harvest.csv", today=TODAY)
    day = warning(sheet, "more than 24 hours")
    assert "Sam Patel on 2024-03-06, 30.0 h on lines 8, 9" in day
    assert "left out of the estimate" in day
    long = warning(sheet, "more than 16 hours")
    assert "Ann Ortiz on 2024-03-07, 17.5 h on lines 10, 11" in long
    assert "kept in the estimate" in long and "docs/assumptions.md#timesheet-plausibility" in long
    future = warning(sheet, "dated after today")
    assert "Ann Lee on 2204-03-07, line 12" in future and "left out of the estimate" in future
    assert [i.line for i in sheet.skipped if i.reason == "day over 24 hours"] == [8, 9]
    assert not any(e.line in (8, 9, 12) for e in sheet)


def test_a_yes_no_column_is_never_the_person(tmp_path: Path) -> None:
    path = tmp_path / "harvest_no_names.csv"
    path.write_text(
        "Date,Client,Task,Hours,Employee?\n2024-03-04,Acme,QBR,1.5,Yes\n2024-03-04,Acme,Call,1,No\n"
    )
    with pytest.raises(DataError) as info:
        read_timesheet(path)
    text = info.value.render(TIMESHEET_FLAGS)
    assert f'{path}:1 column "Employee?"' in text
    assert "yes/no" in text and "--timesheet-map person=COLUMN" in text
    # a yes/no column under a person-like header is refused too
    flags = tmp_path / "flags.csv"
    flags.write_text("Date,Hours,Staff\n2024-03-04,1,yes\n2024-03-05,2,no\n2024-03-06,1,yes\n")
    with pytest.raises(DataError, match="yes/no"):
        read_timesheet(flags)
    # what the user maps is read as mapped
    mapped = read_timesheet(path, mapping={"person": "Employee?"})
    assert [e.person for e in mapped] == ["Yes", "No"]


def test_mapping_the_person_overrides_first_and_last_names(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Date,Hours,First Name,Last Name,Email\n2024-03-04,1,Ann,Lee,ann@example.com\n")
    assert [e.person for e in read_timesheet(path)] == ["Ann Lee"]
    mapped = read_timesheet(path, mapping={"Person": "Email"})
    assert [e.person for e in mapped] == ["ann@example.com"]
    assert mapped.columns["person"] == "Email"


def test_harvest_through_calibrate(tmp_path: Path) -> None:
    customers = tmp_path / "c.csv"
    customers.write_text(
        "Account ID,Account Name,ARR,Customer Since,Renewal Date,Status\n"
        "001A,Acme Corp,50000,2024-01-01,2027-01-01,Active\n"
        "002B,Globex,20000,2024-06-01,2027-06-01,Active\n"
        "003C,Initech,30000,2023-06-01,2027-06-01,Active\n"
    )
    out = tmp_path / "p.yaml"
    res = CliRunner().invoke(
        cli,
        [
            "calibrate",
            str(customers),
            "--timesheet",
            str(MESSY / "timesheet_harvest.csv"),
            "--as-of",
            "2026-10-31",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "Sam Patel on 2024-03-06" in res.output and "Ann Lee on 2204-03-07" in res.output
    text = out.read_text()
    # the 2204 entry would have stretched the span to 65,000 days (frequencies near 0)
    assert "a 5-day timesheet" in text
    assert "4 people" in text  # Ann Lee, Ann Ortiz, Sam Patel, Lee: not "Yes" and "No"


def test_a_future_entry_does_not_reach_the_analysis() -> None:
    sheet = read_timesheet(MESSY / "timesheet_harvest.csv", today=TODAY)
    ts = analyze_timesheet(sheet.entries, lambda a: "top", {"top": 3})
    assert (ts.first, ts.last, ts.days) == (dt.date(2024, 3, 4), dt.date(2024, 3, 8), 5)


# -------------------------------------------------------------------------- Tempo


def test_tempo_seconds_are_read_as_seconds() -> None:
    sheet = read_timesheet(MESSY / "timesheet_tempo.csv", today=TODAY)
    assert sheet.hours_unit == "seconds"
    assert sheet.columns["hours"] == "Time Spent (s)"
    assert sheet.columns["person"] == "Username"
    assert [e.hours for e in sheet] == [1.5, 2.0, 0.5, 0.25]
    assert sheet.total_hours() == pytest.approx(4.25)
    # the 108,000 s (30 h) worklog makes Mo Khan's day impossible; the 2204 one is future
    assert sheet.skipped_by_reason() == {"day over 24 hours": 3, "dated after today": 1}
    assert "mkhan on 2024-03-05, 31.5 h on lines 5, 6, 7" in warning(sheet, "24 hours")
    assert "jlee on 2204-06-03, line 8" in warning(sheet, "after today")
    # the repeated worklog was left out with its day, so it is not reported as kept
    assert not any("repeating" in w for w in sheet.warnings)
    accounted(sheet, 8)


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("Time Spent (s)", "seconds"),
        ("Time Spent (S)", "seconds"),
        ("timeSpentSeconds", "seconds"),
        ("billableSeconds", "seconds"),
    ],
)
def test_duration_unit_from_the_header(header: str, unit: str) -> None:
    assert duration_unit(header) == unit


def test_parse_hours_reads_seconds() -> None:
    assert parse_hours(5400, "seconds") == 1.5
    assert parse_hours("5400", "seconds") == 1.5
    assert parse_hours("1:30", "seconds") == 1.5  # text carries its own unit
    assert parse_hours("45 min", "seconds") == 0.75


@pytest.mark.parametrize("header", ["timeSpentSeconds", "Time Spent (s)", "Duration (sec)"])
def test_a_seconds_header_is_never_read_as_hours(tmp_path: Path, header: str) -> None:
    path = tmp_path / "tempo.csv"
    path.write_text(
        f"Work date,Full name,Account Name,{header}\n"
        "2024-03-04,Jane Lee,Acme,5400\n2024-03-04,Jane Lee,,1800\n"
    )
    sheet = read_timesheet(path)
    assert [e.hours for e in sheet] == [1.5, 0.5]


def test_a_unit_less_header_with_numbers_that_cannot_be_hours(tmp_path: Path) -> None:
    jira = tmp_path / "jira.csv"
    jira.write_text(
        "Issue Key,Work date,Full name,Time Spent\n"
        "CS-1,2024-03-04,Jane Lee,5400\nCS-2,2024-03-04,Jane Lee,1800\nCS-3,2024-03-05,Jane Lee,900\n"
    )
    sheet = read_timesheet(jira)
    assert sheet.hours_unit == "seconds"
    assert [e.hours for e in sheet] == [1.5, 0.5, 0.25]
    assert "read as seconds: the header names no unit" in warning(sheet, "'Time Spent'")
    minutes = tmp_path / "minutes.csv"
    minutes.write_text("date,person,duration\n2024-03-04,Ann,45\n2024-03-04,Ann,90\n")
    sheet = read_timesheet(minutes)
    assert sheet.hours_unit == "minutes" and [e.hours for e in sheet] == [0.75, 1.5]
    # a header that says hours is believed: such a day is left out, not reread
    hours = tmp_path / "hours.csv"
    hours.write_text("date,person,hours\n2024-03-04,Ann,5400\n2024-03-05,Ann,2\n")
    sheet = read_timesheet(hours)
    assert sheet.hours_unit == "hours" and [e.hours for e in sheet] == [2.0]
    assert sheet.skipped_by_reason() == {"day over 24 hours": 1}


def test_unit_from_values_thresholds() -> None:
    assert unit_from_values([1.5, 2, "0.75"]) is None
    assert unit_from_values([24, 24]) is None
    assert unit_from_values([30, "45"]) == ("minutes", 37.5)
    assert unit_from_values([900, 900]) == ("seconds", 900.0)
    assert unit_from_values(["1:30", "45 min", None, True]) is None


# ------------------------------------------------------------ days and future dates


def _sheet(tmp_path: Path, rows: str, today: dt.date = TODAY):
    path = tmp_path / "t.csv"
    path.write_text("person,date,client,hours\n" + rows)
    return read_timesheet(path, today=today)


def test_day_limits_are_per_person_and_day(tmp_path: Path) -> None:
    assert (PLAUSIBLE_DAY_HOURS, IMPOSSIBLE_DAY_HOURS) == (16.0, 24.0)
    sheet = _sheet(
        tmp_path,
        "Ann,2024-03-04,A,16\n"  # 16 h: no warning
        "Bob,2024-03-04,A,12\nBob,2024-03-04,B,4.25\n"  # 16.25 h: kept, warned
        "Cy,2024-03-04,A,20\nCy,2024-03-04,,4\n"  # 24 h: possible, kept, warned
        "Di,2024-03-04,A,20\nDi,2024-03-04,,4.25\n"  # 24.25 h: left out
        "Di,2024-03-05,A,8\n",  # another day: kept
    )
    assert [(e.person, e.line) for e in sheet] == [
        ("Ann", 2),
        ("Bob", 3),
        ("Bob", 4),
        ("Cy", 5),
        ("Cy", 6),
        ("Di", 9),
    ]
    long = warning(sheet, "more than 16 hours")
    assert long.startswith("2 person-days")
    assert "Bob on 2024-03-04, 16.2 h on lines 3, 4" in long and "Cy on 2024-03-04" in long
    assert "Ann" not in long
    day = warning(sheet, "more than 24 hours")
    assert "Di on 2024-03-04, 24.2 h on lines 7, 8" in day
    assert "their 2 entries (24.2 h) are left out of the estimate" in day
    assert "Di on 2024-03-04, 24.2 h" not in long


def test_future_is_after_today(tmp_path: Path) -> None:
    sheet = _sheet(
        tmp_path,
        "Ann,2026-12-01,A,1\nAnn,2026-12-02,A,1\nBob,2030-01-01,,2\n",
        today=dt.date(2026, 12, 1),
    )
    assert [e.line for e in sheet] == [2]
    assert [(i.line, i.reason) for i in sheet.skipped] == [
        (3, "dated after today"),
        (4, "dated after today"),
    ]
    text = warning(sheet, "after today")
    assert text.startswith("2 entries dated after today, 2026-12-01 (Ann on 2026-12-02, line 3")
    assert "Bob on 2030-01-01, line 4" in text


def test_a_file_of_impossible_days_is_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        _sheet(tmp_path, "Ann,2024-03-04,A,30\nBob,2204-01-01,A,1\n")
    text = info.value.render()
    assert "1 day over 24 hours (line 2)" in text and "1 dated after today (line 3)" in text


def test_many_long_days_are_listed_briefly(tmp_path: Path) -> None:
    rows = "".join(f"P{i},2024-03-04,A,30\n" for i in range(8))
    sheet = _sheet(tmp_path, rows + "Ann,2024-03-05,A,1\n")
    day = warning(sheet, "more than 24 hours")
    assert day.startswith("8 person-days") and "P4 on" in day and "P5 on" not in day
    assert "; and 3 more" in day


# --------------------------------------------------------------------- activities


def test_activity_owner_days_over_24_hours_are_warned(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "account,date,type,owner,duration (min)\n"
        "Acme,2024-03-04,Meeting,Ann,900\n"
        "Globex,2024-03-04,Meeting,Ann,600\n"  # 25 h for Ann on one day
        "Acme,2024-03-04,Call,Bob,600\n"
        "Globex,2024-03-04,Call,Cy,900\n"  # Bob and Cy are not added up
    )
    log = read_activities(path)
    assert len(log) == 4  # kept: activity durations are not used by the estimates
    found = [w for w in log.warnings if "owner-day" in w]
    assert len(found) == 1
    assert "1 owner-day with more than 24 hours" in found[0]
    assert "Ann on 2024-03-04, 25.0 h on lines 2, 3" in found[0] and "Bob" not in found[0]
    assert "kept" in found[0]


def test_activity_owner_days_just_over_24_hours_show_it(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "account,date,type,owner,duration (min)\nAcme,2024-03-04,Meeting,Ann,720\n"
        "Globex,2024-03-04,Meeting,Ann,720.6\n"  # 24.01 h
    )
    found = [w for w in read_activities(path).warnings if "owner-day" in w]
    assert "Ann on 2024-03-04, 24.01 h on lines 2, 3" in found[0]


def test_future_activities_name_their_owners() -> None:
    log = read_activities(MESSY / "activities_generic.csv")
    found = [w for w in log.warnings if "dated after today" in w]
    assert len(found) == 1
    assert "(line 14) by dana on 2099-01-15" in found[0]
    assert "the evidence counts only activities up to the list's date" in found[0]


# ------------------------------------------------- adversarial cases (issue 17)


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("Duration (m)", "minutes"),
        ("Duration (min)", "minutes"),
        ("Duration (mins)", "minutes"),
        ("Duration (h)", "hours"),
        ("Duration (hrs)", "hours"),
    ],
)
def test_a_bracketed_unit_in_the_header_is_read(header: str, unit: str) -> None:
    assert duration_unit(header) == unit


def test_a_header_naming_minutes_wins_over_small_values() -> None:
    # 15 and 20 under "Duration (m)" were read as hours: a median below 24 looks like hours
    sheet = read_timesheet(MESSY / "timesheet_duration_m.csv", today=TODAY)
    assert sheet.hours_unit == "minutes"
    assert [e.hours for e in sheet] == [0.25, pytest.approx(1 / 3)]


def test_a_header_naming_hours_wins_over_large_values(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "Person,Date,Duration (h)\nAnn,2026-03-04,30\nAnn,2026-03-05,40\nAnn,2026-03-06,2\n"
    )
    sheet = read_timesheet(path, today=TODAY)
    assert sheet.hours_unit == "hours"
    assert [e.hours for e in sheet] == [2.0]
    assert sheet.skipped_by_reason() == {"day over 24 hours": 2}


def test_an_entry_far_in_the_past_is_left_out_with_a_warning() -> None:
    sheet = read_timesheet(MESSY / "timesheet_span_0001.csv", today=TODAY)
    assert sheet.skipped_by_reason() == {"far from the other dates": 1}
    assert [i.line for i in sheet.skipped] == [20]
    assert "Ann on 0001-01-01, line 20" in warning(sheet, "more than 180 days")
    assert min(e.date for e in sheet) == dt.date(2026, 1, 4)
    ts = analyze_timesheet(sheet.entries, lambda a: "top", {"top": 3})
    assert ts.first == dt.date(2026, 1, 4) and ts.days < 200


def _steady(path: Path, first: dt.date, weeks: int) -> Path:
    lines = ["Person,Date,Account,Hours"]
    for w in range(weeks):
        day = first + dt.timedelta(weeks=w)
        lines += [f"Ann,{day},C-1,2", f"Bob,{day + dt.timedelta(days=1)},C-2,1"]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_three_years_of_steady_entries_are_all_kept(tmp_path: Path) -> None:
    path = _steady(tmp_path / "t.csv", dt.date(2023, 11, 1), 156)
    sheet = read_timesheet(path, today=TODAY)
    assert len(sheet) == 312 and not sheet.skipped
    assert not [w for w in sheet.warnings if "180 days" in w]


def test_a_real_pause_splitting_a_timesheet_keeps_both_sides(tmp_path: Path) -> None:
    # a year of entries, a 200-day pause, then a year more: neither side is a handful
    first = _steady(tmp_path / "a.csv", dt.date(2023, 1, 2), 52).read_text()
    second = _steady(tmp_path / "b.csv", dt.date(2024, 7, 15), 52).read_text()
    path = tmp_path / "t.csv"
    path.write_text(first + second.split("\n", 1)[1])
    assert len(read_timesheet(path, today=TODAY)) == 208


def test_a_small_timesheet_with_a_gap_is_kept(tmp_path: Path) -> None:
    # two entries a year apart: neither side outnumbers the other tenfold
    path = tmp_path / "t.csv"
    path.write_text("Person,Date,Hours\nAnn,2025-01-06,1\nAnn,2026-01-06,1\n")
    assert len(read_timesheet(path, today=TODAY)) == 2


def test_day_totals_just_over_a_limit_are_shown_over_it(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "Person,Date,Hours\nAnn,2026-03-04,16.01\nBob,2026-03-04,12\nBob,2026-03-04,12.01\n"
    )
    sheet = read_timesheet(path, today=TODAY)
    assert "Ann on 2026-03-04, 16.01 h on line 2" in warning(sheet, "more than 16 hours")
    over = warning(sheet, "more than 24 hours")
    assert "Bob on 2026-03-04, 24.01 h on lines 3, 4" in over and "(24.01 h)" in over
    assert {i.detail for i in sheet.skipped} == {"Bob logged 24.01 hours on 2026-03-04"}


def test_a_column_writing_the_day_first_and_the_month_first_is_refused() -> None:
    for dayfirst in (None, True, False):
        with pytest.raises(DataError) as err:
            read_timesheet(MESSY / "timesheet_mixed_date_order.csv", dayfirst=dayfirst, today=TODAY)
        text = str(err.value)
        assert "line 3" in text and "line 4" in text and "YYYY-MM-DD" in text


def test_dates_readable_only_in_the_other_order_are_warned(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Person,Date,Hours\nAnn,03/04/2026,1\nAnn,04/14/2026,2\n")
    sheet = read_timesheet(path, dayfirst=True, today=TODAY)
    shown = warning(sheet, "can only be read month first")
    assert "line 3" in shown
    assert [e.date for e in sheet] == [dt.date(2026, 4, 3), dt.date(2026, 4, 14)]
    # inferred from the column: read month first, nothing contradicts it
    assert not [w for w in read_timesheet(path, today=TODAY).warnings if "only be read" in w]


@pytest.mark.parametrize("text", ["1:60", "1h90", "1:30:75", "1h 90m", "2m 75s", "1:30:60"])
def test_minutes_and_seconds_past_59_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="past 59"):
        parse_hours(text)


def test_minutes_past_59_name_the_cell(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "Person,Date,Hours\nAnn,2026-03-04,1h90\nAnn,2026-03-05,1:30:75\nAnn,2026-03-06,90m\n"
    )
    sheet = read_timesheet(path, today=TODAY)
    assert [e.hours for e in sheet] == [1.5]
    assert [i.detail for i in sheet.skipped] == [
        "hours '1h90' in column \"Hours\" is not a duration (90 minutes is past 59)",
        "hours '1:30:75' in column \"Hours\" is not a duration (75 seconds is past 59)",
    ]


def test_an_empty_timesheet_map_value_is_refused_with_a_timesheet_field(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(
        "Account ID,Account Name,ARR,Customer Since,Renewal Date,Status\n"
        "001A,Acme Corp,50000,2024-01-01,2027-01-01,Active\n"
    )
    (tmp_path / "t.csv").write_text("Person,Date,Account,Hours\nAnn,2026-03-04,001A,1\n")
    res = CliRunner().invoke(
        cli,
        [
            "calibrate",
            str(tmp_path / "c.csv"),
            "--timesheet",
            str(tmp_path / "t.csv"),
            "--timesheet-map",
            "person=",
            "-o",
            str(tmp_path / "o.yaml"),
        ],
    )
    assert res.exit_code == 2
    assert "--timesheet-map person='Full Name'" in res.output
    assert "Contract Value" not in res.output
