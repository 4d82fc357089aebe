"""Why customers churn (issue 14): the churn-reason column as evidence, never as a driver.

The corpus file tests/data/messy/churn_reasons.csv (see tests/data/messy/README.md) is a
CRM export of 40 accounts in three segments with a messy ``Churn Reason`` column and a
``Status Reason`` column that must not be mistaken for it.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import math
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from simulator.analysis.book import analyze_book
from simulator.analysis.calibrate import calibrate
from simulator.analysis.churn_reasons import (
    BLANK_LABEL,
    BUSY_MONTHS,
    ReasonSummary,
    summarise_reasons,
    with_activity,
)
from simulator.analysis.reason_words import is_informative, reason_key, says_no_contact
from simulator.cli import cli
from simulator.data import (
    CUSTOMER_FIELDS,
    DataError,
    match_columns,
    read_customers,
    read_table,
)
from simulator.data.common import match_table
from simulator.data.customers import Customer
from simulator.report.churn_reasons import CAVEAT, quality_lines

MESSY = Path(__file__).parent / "data" / "messy"
CORPUS = MESSY / "churn_reasons.csv"
AS_OF = dt.date(2025, 6, 30)
REQUIRED = [("id", "name"), ("arr", "mrr")]


@pytest.fixture(scope="module")
def corpus() -> tuple[list[Customer], ReasonSummary]:
    read = read_customers(CORPUS)
    analysis = analyze_book(read.customers, AS_OF)
    assert analysis.reasons is not None
    return read.customers, analysis.reasons


def _customer(
    ident: str,
    reason: str | None,
    *,
    churned: bool = True,
    arr: float = 1000.0,
    segment: str = "s",
    churn_date: dt.date | None = dt.date(2024, 5, 1),
) -> Customer:
    return Customer(
        id=ident,
        arr=arr,
        segment=segment,
        churned=churned,
        churn_date=churn_date if churned else None,
        contract_start=dt.date(2022, 1, 1),
        churn_reason=reason,
    )


def _flat(text: str) -> str:
    """Terminal output with rich's line wrapping undone."""
    return " ".join(text.split())


# ------------------------------------------------------------------------ the field


@pytest.mark.parametrize(
    "header",
    [
        "Churn Reason",
        "churn_reason",
        "Reason for Churn",
        "Churn Reason (Category)",
        "Churn Reason Category",
        "Primary Churn Reason",
        "Cancellation Reason",
        "Cancel Reason",
        "Reason for Cancellation",
        "Closed/Lost Reason",
        "Closed Lost Reason",
        "Loss Reason",
        "Lost Reason",
        "Downgrade Reason",
    ],
)
def test_reason_headers_are_recognised(header: str) -> None:
    match = match_columns(["ID", "ARR", header], CUSTOMER_FIELDS, file="x.csv")
    assert match.columns["churn_reason"] == 2
    assert match.how["churn_reason"] == "exact"


def test_reason_columns_do_not_steal_or_get_stolen() -> None:
    header = ["ID", "ARR", "Status", "Status Reason", "Churn", "Churn Reason", "Lost Date"]
    match = match_columns(header, CUSTOMER_FIELDS, file="x.csv")
    assert match.headers["status"] == "Status"
    assert match.headers["churn_reason"] == "Churn Reason"
    assert match.headers["churn_date"] == "Lost Date"
    assert "Status Reason" not in match.headers.values()
    # a header naming a reason is never *guessed* for any field, nor is a bare "Reason"
    for other in ("Status Reason", "Reason", "Churn Reason Notes", "Reason Code"):
        m = match_columns(["ID", "ARR", other], CUSTOMER_FIELDS, file="x.csv")
        assert set(m.columns) == {"id", "arr"}, other
    assert not match.warnings


def test_the_existing_corpus_reads_as_before() -> None:
    without = [f for f in CUSTOMER_FIELDS if f.name != "churn_reason"]
    checked = 0
    for path in sorted(MESSY.glob("*.csv")):
        if path.name == CORPUS.name or "timesheet" in path.name:
            continue
        try:
            table = read_table(path)
            new = match_table(table, CUSTOMER_FIELDS, None, "the customer list", REQUIRED)
        except DataError:  # the unreadable files of the corpus stay unreadable
            with pytest.raises(DataError):
                match_table(read_table(path), without, None, "the customer list", REQUIRED)
            continue
        old = match_table(table, without, None, "the customer list", REQUIRED)
        assert "churn_reason" not in new.columns, path.name
        assert new.columns == old.columns and new.warnings == old.warnings, path.name
        checked += 1
    assert checked >= 10


def test_reasons_are_read_as_text(corpus: tuple[list[Customer], ReasonSummary]) -> None:
    read = read_customers(CORPUS)
    c = {x.id: x for x in read.customers}
    assert read.columns["churn_reason"] == "Churn Reason"
    assert read.columns["status"] == "Status"
    assert "Status Reason" not in read.columns.values()
    assert c["M-202"].churn_reason == "price"  # stripped
    assert c["M-207"].churn_reason == "N/A"  # kept as written: a reason that says nothing
    assert c["S-307"].churn_reason == "-"
    assert c["E-109"].churn_reason is None and c["E-101"].churn_reason is None
    assert c["E-108"].churn_reason == "Price" and not c["E-108"].churned
    assert len(read.customers) == 40 and not read.skipped


# ------------------------------------------------------------------------ words


def test_spellings_of_one_reason_share_a_key() -> None:
    assert reason_key("Price") == reason_key("price ") == reason_key("PRICE") == "price"
    assert reason_key("Budget-Cuts.") == reason_key("budget cut") == reason_key("Budget  cuts")
    assert reason_key("N/A") == reason_key("n.a.") == reason_key("NA") == "na"
    assert reason_key("Product gaps") == reason_key("Product gap")
    assert reason_key("Price & budget") == reason_key("price and budget")
    assert reason_key("-") == "" and reason_key("Business") == reason_key("business")
    assert reason_key("Price") != reason_key("Product gaps")
    assert reason_key("Acquired") != reason_key("Budget cuts")


def test_uninformative_and_no_contact_words() -> None:
    for text in (
        "Other",
        "OTHER ",
        "others",
        "N/A",
        "-",
        "Misc.",
        "Not specified",
        "none",
        "Unknown",
        "TBD",
    ):
        assert not is_informative(text), text
    for text in ("Price", "Champion left", "Acquired", "Budget cuts", "No engagement"):
        assert is_informative(text), text
    for text in (
        "No engagement",
        "no engagement",
        "Went dark",
        "Unresponsive",
        "Customer non-responsive",
        "Lost contact with sponsor",
        "No relationship",
        "Disengaged",
        "Lack of engagement",
        "Not engaged",
    ):
        assert says_no_contact(text), text
    for text in ("Champion left", "Price", "Low usage", "Acquired", "Other", "Product gaps"):
        assert not says_no_contact(text), text


def test_label_is_the_most_common_spelling() -> None:
    cs = [_customer(f"C{i}", r) for i, r in enumerate(["price", "Price", "Price", "PRICE "])]
    cs += [_customer("D1", "budget cuts"), _customer("D2", "Budget Cuts")]  # a tie: first met
    s = summarise_reasons(cs, lambda c: c.segment, AS_OF)
    assert s is not None
    rows = {r.reason: r for r in s.total.rows}
    assert set(rows) == {"Price", "budget cuts"}
    assert rows["Price"].logos == 4 and rows["Price"].customers == ("C0", "C1", "C2", "C3")


# ------------------------------------------------------------------------ the summary


def test_the_corpus_by_segment_and_reason(corpus: tuple[list[Customer], ReasonSummary]) -> None:
    _, s = corpus
    assert list(s.segments) == ["Enterprise", "Mid-Market", "SMB"]  # the book's order
    total = {r.reason: r for r in s.total.rows}
    assert total["Price"].logos == 4 and total["Price"].arr == 124_400
    assert total["Price"].by_year == {2023: (3, 76_400.0), 2024: (1, 48_000.0)}
    assert total["Champion left"].logos == 2 and total["Champion left"].arr == 360_000
    assert total["Other"].logos == 3 and not total["Other"].informative
    assert total[BLANK_LABEL].logos == 3 and total[BLANK_LABEL].customers == (
        "E-109",
        "M-212",
        "S-314",
    )
    assert s.total.rows[-1].reason == BLANK_LABEL  # informative first, then the rest
    assert [r.informative for r in s.total.rows] == sorted(
        (r.informative for r in s.total.rows), reverse=True
    )
    assert s.total.churned == 25 and s.total.churned_arr == 1_768_000
    assert s.informative_arr_share == pytest.approx(1 - (237_200 + 195_400) / 1_768_000)
    # churn year from the renewal date when the churn date is blank; unknown when neither
    mid = {r.reason: r for r in s.segments["Mid-Market"].rows}
    assert mid["Acquired"].by_year == {2024: (1, 52_000.0)}  # M-208: renewal 2024-07-01
    smb = {r.reason: r for r in s.segments["SMB"].rows}
    assert smb["Other"].by_year == {2024: (1, 5_400.0), None: (1, 6_600.0)}  # S-308
    assert s.segments["SMB"].years == [2023, 2024, 2025, None]


def test_years_and_segments_add_up(corpus: tuple[list[Customer], ReasonSummary]) -> None:
    _, s = corpus
    for v in [*s.segments.values(), s.total]:
        assert sum(r.logos for r in v.rows) == v.churned
        assert sum(r.arr for r in v.rows) == pytest.approx(v.churned_arr)
        assert sum(r.arr_share for r in v.rows) == pytest.approx(1.0)
        assert sum(r.logo_share for r in v.rows) == pytest.approx(1.0)
        for r in v.rows:
            assert sum(n for n, _ in r.by_year.values()) == r.logos
            assert sum(a for _, a in r.by_year.values()) == pytest.approx(r.arr)
    assert sum(v.churned for v in s.segments.values()) == s.total.churned
    assert sum(v.churned_arr for v in s.segments.values()) == pytest.approx(s.total.churned_arr)


def test_quality_flags(corpus: tuple[list[Customer], ReasonSummary]) -> None:
    _, s = corpus
    assert s.blank.customers == ("E-109", "M-212", "S-314") and s.blank.arr == 237_200
    assert s.uninformative.customers == ("E-106", "M-207", "S-304", "S-307", "S-308", "S-310")
    assert s.uninformative.distinct_reasons == ["Other", "N/A", "-"]
    assert s.active_with_reason.customers == ("E-108",)
    assert s.active_with_reason.arr == 260_000
    assert s.no_contact.customers == ("M-204", "M-214", "S-312")
    assert s.activity_conflict is None and not s.activity_checked
    assert [f.kind for f in s.flags] == [
        "blank",
        "uninformative",
        "active_with_reason",
        "no_contact",
    ]
    lines = quality_lines(s)
    assert lines[0].startswith("76% of churned ARR ($1.34M of $1.77M, 25 churned customers)")
    assert "have no reason recorded: E-109, M-212, S-314." in lines[1]
    assert "not checked against an activity history" in lines[-1].lower()


def test_reasons_at_odds_with_the_activity_history(
    corpus: tuple[list[Customer], ReasonSummary],
) -> None:
    customers, s = corpus
    touched = {"M-204": 11, "M-214": BUSY_MONTHS - 1, "S-312": BUSY_MONTHS, "E-103": 12}
    checked = with_activity(s, touched)
    assert checked.activity_conflict is not None and checked.activity_checked
    assert checked.activity_conflict.customers == ("M-204", "S-312")  # E-103: budget cuts
    assert checked.activity_conflict.months == {"M-204": 11, "S-312": BUSY_MONTHS}
    assert checked.activity_conflict.arr == 55_000 + 7_000
    assert checked.activity_conflict.distinct_reasons == ["No engagement", "Unresponsive"]
    assert [f.kind for f in checked.flags][-1] == "activity_conflict"
    assert "M-204 (11 months), S-312 (9 months)" in quality_lines(checked)[-1]
    # the same when given to summarise_reasons directly; and undone by None
    direct = summarise_reasons(customers, lambda c: c.segment, AS_OF, touched)
    assert direct is not None and direct.activity_conflict == checked.activity_conflict
    assert with_activity(checked, None).activity_conflict is None
    quiet = with_activity(s, {"M-204": 2, "S-312": 0})
    assert quiet.activity_conflict is not None and quiet.activity_conflict.count == 0
    assert "activity_conflict" not in [f.kind for f in quiet.flags]


def test_no_summary_without_reasons() -> None:
    plain = [_customer("A", None), _customer("B", None, churned=False)]
    assert summarise_reasons(plain, ["s", "s"], AS_OF) is None
    only_active = [_customer("A", None), _customer("B", "Price", churned=False)]
    assert summarise_reasons(only_active, ["s", "s"], AS_OF) is None
    read = read_customers(MESSY / "us_currency.csv")
    assert analyze_book(read.customers, AS_OF).reasons is None
    with pytest.raises(ValueError, match="1 segments given for 2 customers"):
        summarise_reasons(only_active, ["s"], AS_OF)


def test_the_model_never_reads_the_reasons(corpus: tuple[list[Customer], ReasonSummary]) -> None:
    customers, _ = corpus
    blanked = [dataclasses.replace(c, churn_reason=None) for c in customers]
    with_reasons = analyze_book(customers, AS_OF)
    without = analyze_book(blanked, AS_OF)
    assert without.reasons is None and with_reasons.reasons is not None
    a = calibrate(with_reasons, customers, "c.csv", "c_accounts.csv", None, None)
    b = calibrate(without, blanked, "c.csv", "c_accounts.csv", None, None)
    assert a.yaml_text == b.yaml_text and a.accounts_rows == b.accounts_rows
    assert "reason" not in a.yaml_text.lower()


# ------------------------------------------------------------------------ the outputs


def test_analyze_shows_the_section_and_its_warning() -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["analyze", str(CORPUS), "--as-of", AS_OF.isoformat()])
    assert res.exit_code == 0, res.output
    out = _flat(res.output)
    assert "Why customers churn" in out
    assert _flat(CAVEAT) in out and "The simulator never uses them." in out
    assert "Champion left" in out and "Budget cuts" in out
    assert "2023: 3 ($76k); 2024: 1 ($48k)" in out  # Price, all segments
    assert "have no reason recorded: E-109, M-212, S-314." in out
    assert "has a churn reason filled in ('Price'): E-108." in out
    # the section comes after the book's own tables, its warning before its tables
    assert out.index("Active customers by lifecycle stage") < out.index("Why customers churn")
    assert out.index("Read with care") < out.index("Enterprise: 7 churned customers")
    res = runner.invoke(cli, ["analyze", str(MESSY / "us_currency.csv"), "--as-of", "2025-06-30"])
    assert res.exit_code == 0, res.output
    assert "Why customers churn" not in res.output and "Read with care" not in res.output


def test_json_csv_xlsx_and_chart_carry_it(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["analyze", str(CORPUS), "--as-of", AS_OF.isoformat()]
    data = json.loads(runner.invoke(cli, [*base, "--format", "json"]).stdout)
    section = data["churn_reasons"]
    assert section["caveat"] == CAVEAT and section["used_by_model"] is False
    assert [v["segment"] for v in section["segments"]] == ["Enterprise", "Mid-Market", "SMB"]
    price = next(r for r in section["all"]["reasons"] if r["reason"] == "Price")
    assert price["logos"] == 4 and price["arr"] == 124_400
    assert {"year": 2023, "logos": 3, "arr": 76_400.0} in price["by_year"]
    flags = {f["kind"]: f for f in section["flags"]}
    assert flags["blank"]["customers"] == ["E-109", "M-212", "S-314"]
    assert flags["active_with_reason"]["count"] == 1 and "activity_conflict" not in flags
    assert section["quality"][0].startswith("76% of churned ARR")
    assert not math.isnan(section["informative_arr_share"])

    rows = list(csv.DictReader(runner.invoke(cli, [*base, "--format", "csv"]).stdout.splitlines()))
    measures = {
        (r["segment"], r["measure"]): float(r["value"]) for r in rows if "reason" in r["measure"]
    }
    assert measures[("all", "churned_arr[reason=Price]")] == 124_400
    assert measures[("SMB", "churned_logos[reason=Other,year=unknown]")] == 1
    assert measures[("all", "churn_reason_blank")] == 3

    res = runner.invoke(cli, [*base, "-o", str(tmp_path / "b.xlsx"), "--charts", str(tmp_path)])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(tmp_path / "b.xlsx")
    assert wb.sheetnames == ["Book", "Churn reasons"]
    cells = [c for row in wb["Churn reasons"].iter_rows(values_only=True) for c in row if c]
    assert CAVEAT in cells and "Champion left" in cells and "E-109, M-212, S-314" in cells
    assert any(str(c).startswith("76% of churned ARR") for c in cells)
    assert (tmp_path / "churn_reasons.png").stat().st_size > 10_000

    plain = ["analyze", str(MESSY / "us_currency.csv"), "--as-of", "2025-06-30"]
    assert (
        json.loads(runner.invoke(cli, [*plain, "--format", "json"]).stdout)["churn_reasons"] is None
    )
    res = runner.invoke(cli, [*plain, "-o", str(tmp_path / "p.xlsx")])
    assert "Churn reasons" not in openpyxl.load_workbook(tmp_path / "p.xlsx").sheetnames


def test_reasons_are_printed_as_written() -> None:
    from rich.console import Console

    from simulator.report.churn_reasons import reasons_renderable

    cs = [_customer("A", "[bold]Price"), _customer("B", "Other"), _customer("C", None)]
    s = summarise_reasons(cs, ["x", "x", "x"], AS_OF)
    assert s is not None
    console = Console(width=200, record=True)
    for part in reasons_renderable(s):
        console.print(part)
    text = console.export_text()
    assert "[bold]Price" in text and "(blank)" in text
    assert "x: 3 churned customers, $3.0k ARR lost (33% with an informative reason)" in text
