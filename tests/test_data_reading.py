"""The data-reading layer: messy customer lists and timesheets (issue 7).

The corpus in tests/data/messy holds small real-world-shaped exports; the expectations
for each file (customers read, rows skipped by kind, parsed values, messages) are here.
"""

from __future__ import annotations

import codecs
from datetime import date, datetime, time, timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from simulator.cli.common import FLAGS as CLI_FLAGS
from simulator.data import (
    CUSTOMER_FIELD_TABLE,
    CUSTOMER_FIELDS,
    TIMESHEET_FIELD_TABLE,
    TIMESHEET_FIELDS,
    DataError,
    match_columns,
    parse_mapping,
    read_customers,
    read_table,
    read_timesheet,
)
from simulator.data.customers import normalise_stage, parse_status, parse_term_months
from simulator.data.headers import header_scale, header_time_unit, normalise_header
from simulator.data.values import (
    ambiguous_dates,
    infer_dayfirst,
    infer_decimal_comma,
    parse_date,
    parse_hours,
    parse_money,
)
from simulator.errors import ScenarioError, render_text

MESSY = Path(__file__).parent / "data" / "messy"
REQUIRED = [("id", "name"), ("arr", "mrr")]


def by_id(result):
    return {c.id: c for c in result.customers}


def accounted(result, table_rows: int) -> None:
    """Every data row is either kept or skipped with a reason."""
    data_skips = [i for i in result.skipped if i.reason != "above the header row"]
    items = result.customers if hasattr(result, "customers") else result.entries
    assert len(items) + len(data_skips) == table_rows == result.rows_read
    assert all(i.reason and i.detail for i in result.skipped)


# ------------------------------------------------------------------------ amounts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$12,000", 12000.0),
        ("12.000,00 EUR", 12000.0),
        ("€ 1 234,50", 1234.5),
        ("€\u00a01\u202f234,50", 1234.5),
        ("12k", 12000.0),
        ("12K", 12000.0),
        ("1.2M", 1_200_000.0),
        ("1,2 Mio", 1_200_000.0),
        ("2bn", 2e9),
        ("(1,200)", -1200.0),
        ("-$1,200", -1200.0),
        ("$-1,200", -1200.0),
        ("1,200-", -1200.0),
        ("USD 5000", 5000.0),
        ("5000 usd", 5000.0),
        ("12.000,00EUR", 12000.0),
        ("US$ 1,000", 1000.0),
        ("£99.99", 99.99),
        ("1'234.50", 1234.5),
        ("12,34,567", 1_234_567.0),
        ("1.234.567", 1_234_567.0),
        ("1,234,567.89", 1_234_567.89),
        ("1,5", 1.5),
        ("12000.0", 12000.0),
        ("1e5", 100000.0),
        (".5", 0.5),
        ("  42  ", 42.0),
        (12000, 12000.0),
        (1234.5, 1234.5),
    ],
)
def test_parse_money(text, expected) -> None:
    assert parse_money(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "blank"),
        ("   ", "blank"),
        (None, "blank"),
        ("abc", "not a number"),
        ("n/a", "missing-value marker"),
        ("12a", "unknown unit"),
        ("1,2,3", "misplaced thousands separators"),
        ("12,00,0.5", "misplaced"),
        (True, "true/false"),
        (float("nan"), "blank"),
        (date(2024, 1, 1), "date"),
    ],
)
def test_parse_money_rejects(text, reason) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_money(text)


def test_parse_money_ambiguous_three_digits_follow_the_column() -> None:
    assert parse_money("1,500") == 1500.0  # US by default
    assert parse_money("1.500") == 1.5
    assert parse_money("1,500", decimal_comma=True) == 1.5
    assert parse_money("1.500", decimal_comma=True) == 1500.0
    assert parse_money("12.000 EUR", decimal_comma=True) == 12000.0
    # unambiguous values ignore the column's convention
    assert parse_money("1,5", decimal_comma=False) == 1.5
    assert parse_money("12,000.50", decimal_comma=True) == 12000.5


def test_infer_decimal_comma() -> None:
    assert infer_decimal_comma(["12.000,00", "1.500"]) is True
    assert infer_decimal_comma(["1,5", "3"]) is True
    assert infer_decimal_comma(["1.234.567"]) is True
    assert infer_decimal_comma(["$1,500", "1,234.5"]) is False
    assert infer_decimal_comma(["1,234,567"]) is False
    assert infer_decimal_comma(["1,500", "2,000", 1500.0]) is False  # no evidence
    assert infer_decimal_comma([]) is False


# -------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "value",
    [
        "2024-03-05",
        "2024/03/05",
        "2024.03.05",
        "03/05/2024",
        "3/5/2024",
        "3/5/24",
        "05.03.2024",
        "Mar 5, 2024",
        "March 5 2024",
        "5 March 2024",
        "5-Mar-2024",
        "05-Mar-24",
        "Tuesday, March 5th, 2024",
        "2024 Mar 5",
        "5. März 2024",
        "20240305",
        "45356",
        "45356.75",
        45356,
        45356.5,
        20240305,
        "2024-03-05T10:00:00Z",
        "2024-03-05 00:00:00",
        "3/5/2024 10:30 AM",
        datetime(2024, 3, 5, 14, 0),
        date(2024, 3, 5),
    ],
)
def test_parse_date_formats(value) -> None:
    assert parse_date(value) == date(2024, 3, 5)


def test_parse_date_day_month_order() -> None:
    assert parse_date("05/03/2024", dayfirst=True) == date(2024, 3, 5)
    assert parse_date("05/03/2024", dayfirst=False) == date(2024, 5, 3)
    assert parse_date("05/03/2024") == date(2024, 5, 3)  # month first by default
    assert parse_date("05.03.2024") == date(2024, 3, 5)  # dots: day first by default
    # an unambiguous value wins over the column's order
    assert parse_date("25/03/2024", dayfirst=False) == date(2024, 3, 25)
    assert parse_date("03/25/2024", dayfirst=True) == date(2024, 3, 25)
    assert parse_date("1/2/99") == date(1999, 1, 2)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "blank"),
        (None, "blank"),
        ("TBD", "unknown date format"),
        ("2024-02-30", "not a calendar date"),
        ("31/31/2024", "no month"),
        ("Mar 2024", "unknown date format"),
        ("2024", "Excel"),
        (12, "Excel"),
        (True, "true/false"),
    ],
)
def test_parse_date_rejects(value, reason) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_date(value)


def test_infer_dayfirst() -> None:
    assert infer_dayfirst(["25/03/2024", "01/02/2024"]) is True
    assert infer_dayfirst(["03/25/2024", "01/02/2024"]) is False
    assert infer_dayfirst(["01/02/2024", "2024-05-30", date(2024, 1, 1)]) is None
    assert infer_dayfirst([]) is None
    # mixed evidence: the majority decides, a tie decides nothing
    assert infer_dayfirst(["25/03/2024", "26/03/2024", "03/27/2024"]) is True
    assert infer_dayfirst(["25/03/2024", "03/27/2024"]) is None
    assert ambiguous_dates(["01/02/2024", "05.03.2024", "25/03/2024", "04/04/2024"]) == [
        "01/02/2024"
    ]


# ---------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("value", "hours"),
    [
        ("1.5", 1.5),
        ("1,5", 1.5),
        ("1:30", 1.5),
        ("1:30:00", 1.5),
        ("01:30:00", 1.5),
        ("90m", 1.5),
        ("90 min", 1.5),
        ("1.5h", 1.5),
        ("1.5 hrs", 1.5),
        ("1h 30m", 1.5),
        ("1h30", 1.5),
        ("PT1H30M", 1.5),
        ("2 hours", 2.0),
        (1.5, 1.5),
        (timedelta(hours=1, minutes=30), 1.5),
        (time(1, 30), 1.5),
        (datetime(1899, 12, 31, 2, 0), 26.0),
    ],
)
def test_parse_hours(value, hours) -> None:
    assert parse_hours(value) == pytest.approx(hours)


def test_parse_hours_minutes_unit_and_errors() -> None:
    assert parse_hours("90", unit="minutes") == pytest.approx(1.5)
    assert parse_hours(45, unit="minutes") == pytest.approx(0.75)
    assert parse_hours("1:30", unit="minutes") == pytest.approx(1.5)  # explicit form wins
    assert parse_hours("-1") == -1.0
    for bad in ("abc", "", "1:75", "3 days"):
        with pytest.raises(ValueError):
            parse_hours(bad)


# ---------------------------------------------------------------- header matching


@pytest.mark.parametrize(
    ("header", "normalised"),
    [
        ("ARR (USD)", "arr"),
        ("ARR ($)", "arr"),
        ("ARR USD", "arr"),
        ("Customer_ID", "customer id"),
        ("customerId", "customer id"),
        ("  Customer   ID ", "customer id"),
        ("Account #", "account number"),
        ("Term (months)", "term"),
        ("(ARR)", "arr"),
        ("Date of Churn", "date churn"),
        ("Churned?", "churned"),
        ("ACV [EUR]", "acv"),
    ],
)
def test_normalise_header(header, normalised) -> None:
    assert normalise_header(header) == normalised


def test_match_exact_aliases() -> None:
    header = [
        "Account ID",
        "Account Name",
        "Tier",
        "ARR (USD)",
        "Starting ARR",
        "Customer Since",
        "Next Renewal",
        "Cancellation Date",
        "Account Status",
        "Lifecycle Stage",
        "Contract Term (months)",
    ]
    m = match_columns(header, CUSTOMER_FIELDS, file="c.csv", required=REQUIRED)
    assert m.headers == {
        "id": "Account ID",
        "name": "Account Name",
        "segment": "Tier",
        "arr": "ARR (USD)",
        "starting_arr": "Starting ARR",
        "contract_start": "Customer Since",
        "renewal_date": "Next Renewal",
        "churn_date": "Cancellation Date",
        "status": "Account Status",
        "stage": "Lifecycle Stage",
        "term_months": "Contract Term (months)",
    }
    assert set(m.how.values()) == {"exact"}
    assert m.warnings == []


@pytest.mark.parametrize(
    ("header", "field", "column"),
    [
        (["Customer", "Contract Value"], "arr", "Contract Value"),
        (["Customer", "ACV"], "arr", "ACV"),
        (["Customer", "Annual Contract Value"], "arr", "Annual Contract Value"),
        (["Customer", "Current ARR 2024"], "arr", "Current ARR 2024"),  # guessed
        (["id", "Starting ARR", "ARR"], "arr", "ARR"),
        (["id", "Starting ARR", "ARR"], "starting_arr", "Starting ARR"),
        (["id", "arr", "Original Contract Date"], "contract_start", "Original Contract Date"),
        (["id", "arr", "renewal"], "renewal_date", "renewal"),
        (["id", "arr", "Churned On"], "churn_date", "Churned On"),
        (["Customer ID", "Customer Since", "arr"], "contract_start", "Customer Since"),
        (["Customer ID", "Customer Since", "arr"], "id", "Customer ID"),
    ],
)
def test_match_finds(header, field, column) -> None:
    m = match_columns(header, CUSTOMER_FIELDS, file="c.csv", required=REQUIRED)
    assert m.headers[field] == column


def test_match_never_guesses_owners_or_risks() -> None:
    header = ["Account Owner", "Churn Risk", "Name", "ARR"]
    m = match_columns(header, CUSTOMER_FIELDS, file="c.csv", required=REQUIRED)
    assert "id" not in m.columns and m.headers["name"] == "Name"
    assert "status" not in m.columns


def test_match_reports_ties() -> None:
    m = match_columns(["id", "ARR", "ARR"], CUSTOMER_FIELDS, file="c.csv")
    assert m.columns["arr"] == 1
    assert any("could also be the ARR column" in w for w in m.warnings)


def test_map_overrides_and_disables() -> None:
    header = ["Ref", "Yearly Fee (USD)", "Stage"]
    m = match_columns(
        header,
        CUSTOMER_FIELDS,
        {"ID": "ref", "arr": "Yearly Fee", "stage": ""},
        file="c.csv",
        required=REQUIRED,
    )
    assert m.columns == {"id": 0, "arr": 1}
    assert m.how == {"id": "--map", "arr": "--map"}


def test_map_errors_name_the_problem_and_suggest() -> None:
    with pytest.raises(DataError) as info:
        match_columns(
            ["Ref", "Yearly Fee (USD)"],
            CUSTOMER_FIELDS,
            {"ar": "Ref", "arr": "Yearly Fees"},
            file="c.csv",
            line=3,
        )
    # library messages name the Python API (mapping=...); the CLI spells them as options
    assert "mapping={'ar': 'Ref'}: there is no field 'ar'" in info.value.render()
    text = info.value.render(CLI_FLAGS)
    assert "--map ar=Ref: there is no field 'ar'; did you mean 'arr'?" in text
    assert "--map arr=Yearly Fees: no column 'Yearly Fees'" in text
    assert "did you mean 'Yearly Fee (USD)'?" in text
    assert "c.csv:3" in text
    with pytest.raises(DataError) as info:
        match_columns(["id", "ARR"], CUSTOMER_FIELDS, {"arr": ""}, file="c.csv", required=REQUIRED)
    assert "--map arr= cannot ignore it" in info.value.render(CLI_FLAGS)


def test_missing_required_column_message_lists_columns_and_fix() -> None:
    with pytest.raises(DataError) as info:
        match_columns(
            ["id", "Anual Revnue"], CUSTOMER_FIELDS, file="c.csv", line=1, required=REQUIRED
        )
    assert "map one with mapping={'arr': 'COLUMN'}" in info.value.render()
    text = info.value.render(CLI_FLAGS)
    assert "c.csv:1: no column for ARR (or MRR)" in text
    assert "columns are: 'id', 'Anual Revnue'" in text
    assert "map one with --map arr=COLUMN" in text
    assert "perhaps --map arr='Anual Revnue'" in text


def test_parse_mapping() -> None:
    assert parse_mapping(["arr=Yearly Fee", " id = Ref ", "stage="]) == {
        "arr": "Yearly Fee",
        "id": "Ref",
        "stage": "",
    }
    with pytest.raises(DataError, match="expected FIELD=COLUMN"):
        parse_mapping(["arr"])


def test_header_units() -> None:
    assert header_scale("ARR ($k)") == 1e3
    assert header_scale("ARR (000s)") == 1e3
    assert header_scale("ARR in thousands") == 1e3
    assert header_scale("ARR ($M)") == 1e6
    assert header_scale("ARR") == 1.0
    assert header_scale("Mrr") == 1.0
    assert header_time_unit("Duration (min)") == "minutes"
    assert header_time_unit("Minutes") == "minutes"
    assert header_time_unit("Hours") == "hours"


def test_field_tables_document_every_field() -> None:
    for spec in CUSTOMER_FIELDS:
        assert f"`{spec.name}`" in CUSTOMER_FIELD_TABLE
        assert len(spec.aliases) == len(set(spec.aliases))
        assert all(a == normalise_header(a) for a in spec.aliases), spec.name
    for spec in TIMESHEET_FIELDS:
        assert f"`{spec.name}`" in TIMESHEET_FIELD_TABLE
        assert all(a == normalise_header(a) for a in spec.aliases), spec.name
    assert CUSTOMER_FIELD_TABLE.startswith("| field | required |")


# ------------------------------------------------------------------ value helpers


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("Steady State", "steady"),
        ("Live", "steady"),
        ("Adopting", "adoption"),
        ("Onboarding", "onboarding"),
        ("2 - Implementation", "onboarding"),
        ("Renewal", "renewal"),
        ("Up for renewal", "renewal"),
        ("Ramp Up", "adoption"),
        ("Expansion", "Expansion"),
        ("", None),
        (None, None),
    ],
)
def test_normalise_stage(text, stage) -> None:
    assert normalise_stage(text) == stage


def test_parse_status() -> None:
    for churned in ("Churned", "cancelled", "Lost", "INACTIVE", "Closed Lost", "Closed-Lost"):
        assert parse_status(churned) is True, churned
    for active in ("Active", "customer", "Live", "Renewed"):
        assert parse_status(active) is False, active
    assert parse_status("Yes", "Churned?") is True
    assert parse_status("no", "Is Churned") is False
    assert parse_status("TRUE", "Active") is False
    assert parse_status("FALSE", "Active") is True
    assert parse_status("yes", "Status") is None
    assert parse_status("On Hold") is None


def test_parse_term_months() -> None:
    assert parse_term_months("12") == 12
    assert parse_term_months("12 months") == 12
    assert parse_term_months("1 year") == 12
    assert parse_term_months("2 yrs") == 24
    assert parse_term_months("Annual") == 12
    assert parse_term_months(36) == 36
    with pytest.raises(ValueError):
        parse_term_months("multi-year")


# --------------------------------------------------------------- the messy corpus


def test_us_currency() -> None:
    result = read_customers(MESSY / "us_currency.csv")
    c = by_id(result)
    assert list(c) == ["C-001", "C-002", "C-003", "C-004", "C-006"]
    assert result.skipped_by_reason() == {"negative ARR": 1, "ARR not an amount": 1}
    assert [i.line for i in result.skipped] == [6, 8]
    assert result.skipped[1].reason == "ARR not an amount"
    assert result.skipped[1].detail == "ARR 'abc' in column \"ARR\" is not an amount (not a number)"
    assert result.skipped[1].raw[0] == "C-007"
    assert result.skipped[1].render("us.csv").startswith("us.csv:8: ARR 'abc'")
    assert c["C-001"].arr == 120000.0 and c["C-001"].starting_arr == 100000.0
    assert c["C-002"].arr == 45500.5
    assert c["C-003"].arr == 12000.0 and c["C-003"].starting_arr == 10000.0
    assert c["C-004"].arr == 1_200_000.0
    assert c["C-006"].arr == 5000.0
    assert c["C-001"].contract_start == date(2021, 1, 15)
    assert c["C-002"].renewal_date == date(2025, 3, 1)
    assert c["C-004"].contract_start == date(2020, 1, 5)
    assert [c[k].stage for k in ("C-001", "C-002", "C-003", "C-004", "C-006")] == [
        "steady",
        "adoption",
        "renewal",
        "steady",
        "onboarding",
    ]
    assert c["C-003"].churned and c["C-003"].churn_date is None
    assert c["C-001"].name == "Acme Corp" and c["C-001"].segment == "Enterprise"
    assert c["C-001"].line == 2
    assert any("1 churned customer without a churn date (line 4)" in w for w in result.warnings)
    assert result.dayfirst_used is False  # '3/1/22' read month first, as '01/15/2021' shows
    accounted(result, 7)


def test_european_semicolon() -> None:
    result = read_customers(MESSY / "european_semicolon.csv")
    c = by_id(result)
    assert result.decimal_comma is True
    assert [c[k].arr for k in ("E1", "E2", "E3", "E4")] == [12000.0, 1234.5, 1234.5, 12000.0]
    assert c["E1"].name == "Müller GmbH"
    assert c["E1"].contract_start == date(2021, 3, 5)
    assert c["E4"].contract_start == date(2023, 2, 1)  # 01/02/2023 follows the column: day first
    assert c["E2"].churned and c["E2"].churn_date == date(2024, 6, 15)
    assert not c["E1"].churned
    assert result.skipped == []
    assert result.columns["arr"] == "ARR (EUR)"


def test_cp1252_tab_separated() -> None:
    result = read_customers(MESSY / "cp1252_euro.csv")
    c = by_id(result)
    assert c["A1"].name == "Café Crème" and c["A2"].name == "Zürich AG"
    assert [c[k].arr for k in ("A1", "A2", "A3")] == [10000.0, 1500.5, 7250.0]
    assert c["A3"].churned and not c["A1"].churned
    assert c["A1"].renewal_date == date(2025, 1, 1)
    assert any("not UTF-8; read it as Windows-1252" in w for w in result.warnings)
    table = read_table(MESSY / "cp1252_euro.csv")
    assert (table.encoding, table.delimiter) == ("cp1252", "\t")


def test_mixed_date_formats() -> None:
    result = read_customers(MESSY / "mixed_dates.csv")
    c = by_id(result)
    for ident in ("M1", "M2", "M3", "M4", "M5", "M6", "M7"):
        assert c[ident].contract_start == date(2024, 3, 5), ident
        assert c[ident].renewal_date == date(2025, 3, 5), ident
    assert c["M8"].contract_start is None and c["M8"].renewal_date is None
    text = "\n".join(render_text(w, CLI_FLAGS) for w in result.warnings)
    assert "mixed_dates.csv:9 column \"contract start\": 'TBD' is not a date" in text
    assert "'2025-02-30' is not a date (not a calendar date); left blank" in text
    assert "could be month/day or day/month" in text and "--dayfirst" in text
    assert result.dayfirst_used is False
    assert len(result) == 8


def test_dayfirst_inferred_from_column() -> None:
    result = read_customers(MESSY / "dayfirst_dates.csv")
    c = by_id(result)
    assert c["D1"].contract_start == date(2023, 3, 25)
    assert c["D2"].contract_start == date(2023, 2, 1)
    assert c["D3"].renewal_date == date(2024, 11, 10)
    assert result.dayfirst_used is True
    assert not any("could be month/day" in w for w in result.warnings)


def test_ambiguous_dates_default_month_first_and_warn() -> None:
    result = read_customers(MESSY / "ambiguous_dates.csv")
    assert by_id(result)["A1"].contract_start == date(2023, 1, 2)
    assert result.dayfirst_used is False
    assert sum("could be month/day or day/month" in w for w in result.warnings) == 2
    forced = read_customers(MESSY / "ambiguous_dates.csv", dayfirst=True)
    assert by_id(forced)["A1"].contract_start == date(2023, 2, 1)
    assert by_id(forced)["A2"].renewal_date == date(2025, 4, 3)
    assert forced.dayfirst_used is True
    assert not any("could be month/day" in w for w in forced.warnings)


def test_blank_cells_and_lines() -> None:
    result = read_customers(MESSY / "blanks.csv")
    assert list(by_id(result)) == ["B1", "B4"]
    assert result.skipped_by_reason() == {"blank ARR": 2, "no ID": 1, "totals row": 1}
    assert {i.reason: i.line for i in result.skipped if i.reason != "blank ARR"} == {
        "no ID": 4,
        "totals row": 10,
    }
    assert [i.line for i in result.skipped if i.reason == "blank ARR"] == [5, 8]
    assert result.blank_rows == 3
    b4 = by_id(result)["B4"]
    assert b4.segment is None and b4.renewal_date is None
    report = result.report()
    assert "2 customers read from 6 rows (3 blank rows ignored)" in report
    assert "2 blank ARR (lines 5, 8)" in report
    accounted(result, 6)


def test_duplicate_ids() -> None:
    result = read_customers(MESSY / "duplicates.csv")
    c = by_id(result)
    assert {k: (v.line, v.arr) for k, v in c.items()} == {
        "D1": (2, 1000.0),
        "D2": (5, 2500.0),  # later renewal date wins
        "D3": (7, 3500.0),  # same renewal date: later row wins
        "D4": (8, 4000.0),  # later renewal date wins even though it is the earlier row
    }
    assert result.skipped_by_reason() == {
        "duplicate ID (different values)": 3,
        "duplicate ID (identical row)": 1,
    }
    reasons = {i.line: i.detail for i in result.skipped}
    assert result.skipped[0].raw == ("D2", "Beta", "2000", "2025-02-01")
    assert reasons[4].startswith("duplicate of line 2")
    assert "ID 'D2' is also on line 5 with different values (ARR 2000 vs 2500" in reasons[3]
    assert "kept line 5 (the later renewal date)" in reasons[3]
    assert "kept line 7 (the later row)" in reasons[6]
    assert "kept line 8" in reasons[9]
    assert any("3 IDs on several rows with different values" in w for w in result.warnings)
    accounted(result, 8)


def test_churn_status_and_dates() -> None:
    result = read_customers(MESSY / "churn_no_dates.csv")
    c = by_id(result)
    churned = {k for k, v in c.items() if v.churned}
    assert churned == {"X2", "X3", "X4", "X5", "X6"}
    assert c["X2"].churn_date is None and c["X5"].churn_date is None
    assert c["X4"].churn_date == date(2024, 3, 1)  # a churn date implies churned
    assert not c["X7"].churned  # 'On Hold' is unrecognised -> active, with a warning
    text = "\n".join(result.warnings)
    assert "2 churned customers without a churn date (lines 3, 6)" in text
    assert "1 customer with an active status but a churn date (treated as churned) (line 7)" in text
    assert "status 'On Hold' on 1 row (line 8) is not recognised" in text
    assert result.skipped == []


def test_churned_flag_column() -> None:
    result = read_customers(MESSY / "churned_flag.csv")
    c = by_id(result)
    assert result.columns == {
        "id": "Customer",
        "arr": "ACV",
        "churn_date": "Cancel Date",
        "status": "Churned?",
    }
    assert not c["Y1"].churned
    assert c["Y2"].churned and c["Y2"].churn_date == date(2024, 3, 15)
    assert c["Y3"].churned and c["Y3"].churn_date is None


def test_title_rows_and_repeated_header() -> None:
    result = read_customers(MESSY / "title_and_repeated_header.csv")
    assert list(by_id(result)) == ["R1", "R2", "R3"]
    assert by_id(result)["R3"].line == 8
    assert result.skipped_by_reason() == {"above the header row": 2, "repeated header row": 1}
    assert [i.line for i in result.skipped] == [1, 2, 7]
    assert result.skipped[0].raw == ("Customer export - Acme CS",)
    accounted(result, 4)


def test_mrr_instead_of_arr() -> None:
    result = read_customers(MESSY / "mrr.csv")
    c = by_id(result)
    assert c["M1"].arr == 12000.0
    assert c["M2"].arr == pytest.approx(3006.0)
    assert c["M1"].name == "One"
    assert result.skipped_by_reason() == {"blank MRR": 1}
    assert result.columns["mrr"] == "MRR" and "arr" not in result.columns
    assert any("ARR is MRR x 12" in w for w in result.warnings)


def test_unusual_headers_need_map() -> None:
    path = MESSY / "unusual_headers.csv"
    with pytest.raises(DataError) as info:
        read_customers(path)
    text = info.value.render(CLI_FLAGS)
    assert text.startswith("cannot read the customer list (2 problems):")
    assert "unusual_headers.csv:1: no column for customer ID (or customer name)" in text
    # no cell names a known column, but every one reads like a column name: listed
    assert "no column for ARR (or MRR); columns are: 'Ref', 'Org', 'Yearly Fee (USD)'" in text
    assert "--map arr=COLUMN" in text
    mapping = parse_mapping(
        [
            "id=Ref",
            "name=Org",
            "arr=Yearly Fee",
            "contract_start=Went Live",
            "renewal_date=next cycle",
        ]
    )
    result = read_customers(path, mapping=mapping)
    u1 = by_id(result)["U1"]
    assert (u1.arr, u1.name, u1.contract_start, u1.renewal_date) == (
        1000.0,
        "One",
        date(2023, 1, 1),
        date(2025, 1, 1),
    )
    assert result.columns["arr"] == "Yearly Fee (USD)"


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("empty.csv", "the file is empty"),
        ("blank_lines_only.csv", "has no rows with content"),
        ("binary.csv", "holds binary data"),
        ("old_excel.xls", "old-format Excel (.xls)"),
        ("no_columns.csv", "no column for ARR (or MRR); columns are: 'foo', 'bar', 'baz'"),
    ],
)
def test_impossible_files(name, fragment) -> None:
    with pytest.raises(DataError) as info:
        read_customers(MESSY / name)
    assert isinstance(info.value, ScenarioError)
    text = info.value.render()
    assert fragment in text
    assert name in text
    assert "Traceback" not in text


def test_missing_file_and_directory(tmp_path) -> None:
    with pytest.raises(DataError, match="file not found"):
        read_customers(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a folder"):
        read_customers(tmp_path)


def test_impossible_files_exit_2_through_the_cli() -> None:
    from simulator.cli.common import handle_errors as _handle_errors

    @click.command()
    @click.argument("path")
    @_handle_errors
    def analyze(path: str) -> None:
        read_customers(path)

    for name in ("empty.csv", "binary.csv", "old_excel.xls", "unusual_headers.csv"):
        result = CliRunner().invoke(analyze, [str(MESSY / name)])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert isinstance(result.exception, SystemExit)
        assert name in result.output and "error: cannot read the customer list" in result.output


# ----------------------------------------------------------- other file shapes


def test_unbalanced_and_extra_columns(tmp_path) -> None:
    path = tmp_path / "extra.csv"
    path.write_text("id,arr\nA,1000,surplus\nB,2000\n")
    result = read_customers(path)
    assert len(result) == 2
    assert any("right of the last named column (lines 2)" in w for w in result.warnings)


def test_utf16_excel_unicode_text(tmp_path) -> None:
    path = tmp_path / "unicode.txt"
    text = "Customer ID\tARR\tRenewal Date\r\nÅ1\t€1.000,50\t2025-01-01\r\n"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    result = read_customers(path)
    assert by_id(result)["Å1"].arr == 1000.5


def test_utf8_bom_and_pipe_delimiter(tmp_path) -> None:
    path = tmp_path / "pipe.csv"
    path.write_bytes(b"\xef\xbb\xbfAccount ID|ARR|Status\nP1|$1,000|Active\nP2|$2,000|Churned\n")
    result = read_customers(path)
    assert result.columns["id"] == "Account ID"  # no BOM in the header
    assert [c.arr for c in result] == [1000.0, 2000.0]


def test_zero_arr_kept_and_scaled_header(tmp_path) -> None:
    path = tmp_path / "k.csv"
    path.write_text("id,ARR ($k),start arr\nA,12.5,10\nB,0,0\nC,1,-5\n")
    result = read_customers(path, mapping={"starting_arr": "start arr"})
    c = by_id(result)
    assert c["A"].arr == 12500.0 and c["B"].arr == 0.0
    assert c["A"].starting_arr == 10.0  # the starting column has no scale in its header
    assert c["C"].starting_arr is None
    text = "\n".join(result.warnings)
    assert "read as thousands" in text
    assert "1 customer with ARR of 0 (kept) (line 3)" in text
    assert "'-5' is negative; left blank" in text


def test_name_used_as_id_when_no_id_column(tmp_path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("Company Name,Contract Value\nAcme,1000\nGlobex,2000\n")
    result = read_customers(path)
    assert [c.id for c in result] == ["Acme", "Globex"]
    assert result.columns["id"] == "Company Name"
    assert any("used as IDs" in w for w in result.warnings)


def test_many_bad_cells_are_summarised(tmp_path) -> None:
    rows = "".join(f"C{i},1000,someday\n" for i in range(12))
    path = tmp_path / "bad_dates.csv"
    path.write_text("id,arr,renewal date\n" + rows)
    result = read_customers(path)
    bad = [w for w in result.warnings if "renewal date" in w]
    assert len(bad) == 6  # five shown, then one line counting the rest
    assert "7 more rows with dates that could not be read (lines 7, 8" in bad[-1]


# -------------------------------------------------------------------------- Excel


def _workbook(path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Summary"
    ws["A1"] = "Nothing to see here"
    data = wb.create_sheet("Customers")
    data["A1"] = "Customer list, exported 2024-06-01"
    data.append([])
    data.append(["Account ID", "Account Name", "ARR", "Customer Since", "Renewal Date", "Status"])
    data.append([1001, "Acme", 120000, datetime(2021, 1, 15), datetime(2025, 1, 15), "Active"])
    data.append([1002.0, "Globex", "$45,500.50", "2022-03-01", 45721, "Churned"])
    data.append([None, None, None, None, None, None])
    data.append([1003, "Initech", "#N/A", None, None, "Active"])
    data.append(["Account ID", "Account Name", "ARR", "Customer Since", "Renewal Date", "Status"])
    data.append([1004, "Umbrella", 9999.5, None, "n/a", True])
    wb.save(path)


def test_xlsx_named_sheet(tmp_path) -> None:
    path = tmp_path / "customers.xlsx"
    _workbook(path)
    result = read_customers(path, sheet="customers")
    c = by_id(result)
    assert list(c) == ["1001", "1002", "1004"]
    assert c["1001"].contract_start == date(2021, 1, 15)
    assert c["1001"].arr == 120000.0 and c["1001"].line == 4
    assert c["1002"].arr == 45500.5 and c["1002"].renewal_date == date(2025, 3, 5)
    assert c["1002"].churned
    assert c["1004"].renewal_date is None
    assert result.skipped_by_reason() == {
        "above the header row": 1,
        "ARR not an amount": 1,
        "repeated header row": 1,
    }
    assert [i.line for i in result.skipped] == [1, 7, 8]
    assert result.blank_rows == 1
    assert any("status 'True'" in w for w in result.warnings)


def test_xlsx_first_sheet_and_bad_sheet(tmp_path) -> None:
    path = tmp_path / "customers.xlsx"
    _workbook(path)
    with pytest.raises(DataError) as info:
        read_customers(path)  # the first sheet has no usable columns
    assert "no column for customer ID" in info.value.render()
    with pytest.raises(DataError) as info:
        read_customers(path, sheet="Custmers")
    text = info.value.render()
    assert "there is no sheet 'Custmers'; did you mean 'Customers'?" in text
    assert "sheets are: 'Summary', 'Customers'" in text
    table = read_table(path, sheet="Customers")
    assert table.format == "xlsx" and table.sheet == "Customers" and table.header_line == 3


def test_xlsx_damaged_and_renamed(tmp_path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip file")
    with pytest.raises(DataError, match="not a readable Excel workbook"):
        read_customers(bad)
    renamed = tmp_path / "renamed.xlsx"
    renamed.write_text("id,arr\nA,1000\n")
    result = read_customers(renamed)
    assert len(result) == 1
    assert any("not really an Excel workbook" in w for w in result.warnings)


# ---------------------------------------------------------------------- timesheets


def test_timesheet() -> None:
    sheet = read_timesheet(MESSY / "timesheet.csv")
    assert [(e.person, e.hours) for e in sheet] == [
        ("Ann", 1.5),
        ("Ann", 1.5),
        ("Bob", 1.5),
        ("Bob", 0.25),
        ("Cy", 1.5),
    ]
    first = sheet.entries[0]
    assert (first.date, first.activity, first.account, first.line) == (
        date(2024, 3, 4),
        "QBR",
        "C-001",
        2,
    )
    assert sheet.entries[1].account is None  # blank -> internal
    assert sheet.entries[3].account is None  # "Internal" -> internal
    assert sheet.entries[2].date == date(2024, 3, 5)
    assert sheet.skipped_by_reason() == {
        "hours not a duration": 1,
        "no person": 1,
        "date not a date": 1,
        "negative hours": 1,
        "zero hours": 1,
    }
    assert [i.line for i in sheet.skipped] == [6, 7, 8, 9, 10]
    assert sheet.total_hours() == pytest.approx(6.25)
    assert "5 entries (6.2 hours) read from 10 rows" in sheet.report()
    accounted(sheet, 10)


def test_timesheet_toggl_export() -> None:
    sheet = read_timesheet(MESSY / "timesheet_toggl.csv")
    assert sheet.columns == {
        "person": "User",
        "date": "Start date",
        "activity": "Task",
        "account": "Client",
        "hours": "Duration",
    }
    assert [e.hours for e in sheet] == [1.5, 0.75, 2.0]
    assert sheet.entries[1].account is None


def test_timesheet_minutes_semicolon_dayfirst() -> None:
    sheet = read_timesheet(MESSY / "timesheet_minutes.csv")
    assert sheet.hours_unit == "minutes"
    assert [round(e.hours, 4) for e in sheet] == [1.5, 0.5, round(45.5 / 60, 4)]
    assert sheet.entries[2].date == date(2024, 3, 13)
    assert sheet.entries[1].account is None


def test_timesheet_missing_hours_column(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("person,date,activity\nAnn,2024-01-01,QBR\n")
    with pytest.raises(DataError) as info:
        read_timesheet(path)
    text = info.value.render(CLI_FLAGS)
    assert text.startswith("cannot read the timesheet: ")
    assert "no column for hours" in text and "--map hours=COLUMN" in text


def test_timesheet_repeats_and_long_entries(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "csm,date,task,client,hrs\n"
        "Ann,2024-01-02,Call,A,1\n"
        "Ann,2024-01-02,Call,A,1\n"
        "Ann,2024-01-03,Offsite,,30\n"
    )
    sheet = read_timesheet(path)
    assert len(sheet) == 2  # a 30-hour day cannot be: left out (issue 17)
    assert sheet.skipped_by_reason() == {"day over 24 hours": 1}
    text = "\n".join(sheet.warnings)
    assert "1 row repeating an earlier row exactly (line 3)" in text
    assert "1 person-day with more than 24 hours logged" in text


# ------------------------------------------------------------ files with no usable rows


def test_header_only_and_no_usable_rows(tmp_path) -> None:
    header_only = tmp_path / "header_only.csv"
    header_only.write_text("id,arr\n\n")
    with pytest.raises(DataError, match="no data rows below the header on line 1"):
        read_customers(header_only)
    hopeless = tmp_path / "hopeless.csv"
    hopeless.write_text("id,arr\nA,x\nB,\n,5\n")
    with pytest.raises(DataError) as info:
        read_customers(hopeless)
    text = info.value.render()
    assert "none of the 3 rows below the header gives a usable customer" in text
    assert "1 ARR not an amount (line 2); 1 blank ARR (line 3); 1 no ID (line 4)" in text
    with pytest.raises(DataError, match="usable time entry"):
        read_timesheet(MESSY / "timesheet.csv", mapping={"hours": "Activity"})


def test_headerless_file_and_title_fallback(tmp_path) -> None:
    headerless = tmp_path / "headerless.csv"
    headerless.write_text("C1,1000,2024-01-01\nC2,2000,2024-02-01\n")
    with pytest.raises(DataError, match="may have no header row"):
        read_customers(headerless)
    # a title row above a header that names only one known field
    titled = tmp_path / "titled.csv"
    titled.write_text("Export for Q2\nRef,Org,ARR,Went Live\nU1,One,1000,2023-01-01\n")
    result = read_customers(titled, mapping={"id": "Ref"})
    assert [c.id for c in result] == ["U1"]
    assert result.skipped_by_reason() == {"above the header row": 1}


def test_date_order_warnings(tmp_path) -> None:
    path = tmp_path / "order.csv"
    path.write_text(
        "id,arr,start date,renewal date,churn date\n"
        "A,1000,2024-06-01,2024-01-01,\n"
        "B,1000,2024-06-01,2025-06-01,2024-01-01\n"
    )
    result = read_customers(path)
    text = "\n".join(result.warnings)
    assert "a renewal date before the contract start (kept as written) (line 2)" in text
    assert "a churn date before the contract start (kept as written) (line 3)" in text
    assert by_id(result)["A"].renewal_date == date(2024, 1, 1)


def test_data_error_issues_carry_the_file() -> None:
    with pytest.raises(DataError) as info:
        read_customers(MESSY / "no_columns.csv")
    for issue in info.value.issues:
        assert issue.location is not None
        assert issue.location.file.endswith("no_columns.csv")
        assert issue.location.line == 1


def test_guessed_columns_are_reported_and_checked(tmp_path) -> None:
    path = tmp_path / "guess.csv"
    path.write_text("Customer,Current ARR 2024,Renewal ARR,Expected Churn Date\nA,1000,1200,\n")
    result = read_customers(path)
    assert result.columns == {"id": "Customer", "arr": "Current ARR 2024"}
    assert any("'Current ARR 2024' is read as ARR" in w for w in result.warnings)
    # without values to check, the header alone would make 'Renewal ARR' a renewal date
    m = match_columns(["Customer", "ARR", "Renewal ARR"], CUSTOMER_FIELDS, file="x.csv")
    assert m.headers["renewal_date"] == "Renewal ARR" and m.how["renewal_date"] == "guess"
    samples = [["A"], ["1000"], ["1200"]]
    m = match_columns(
        ["Customer", "ARR", "Renewal ARR"], CUSTOMER_FIELDS, file="x", samples=samples
    )
    assert "renewal_date" not in m.columns


@pytest.mark.parametrize("text", ["--5", "(-5)", "--1,200", "-+5", "+-5", "-5-"])
def test_amounts_with_two_signs_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"sign|parentheses"):
        parse_money(text)
