"""Real customer exports read right, or refused with a reason (issue 17, point 5).

Each file in tests/data/messy named here is written in its system's export layout (see
tests/data/messy/README.md); the expectations are the right totals, or the refusal.
"""

from __future__ import annotations

import csv
import datetime as dt
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from simulator.analysis import book as book_module
from simulator.analysis.book import analyze_book
from simulator.cli import cli
from simulator.data import DataError, read_customers
from simulator.data import customer_rows as rows_module
from simulator.errors import render_text

MESSY = Path(__file__).parent / "data" / "messy"
AS_OF = dt.date(2025, 1, 1)


def by_id(result):
    return {c.id: c for c in result.customers}


def accounted(result) -> None:
    """Every data row is either a customer or skipped with a reason."""
    data_skips = [i for i in result.skipped if i.reason != "above the header row"]
    assert len(result.customers) + len(data_skips) == result.rows_read


def analyze(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, ["analyze", *args])
    assert "Traceback" not in res.output
    return res.exit_code, res.output


# ------------------------------------------------------------ 1. lifecycle stage


def test_churn_is_read_from_the_lifecycle_stage_without_a_status_column() -> None:
    result = read_customers(MESSY / "hubspot_companies_lifecycle.csv")
    churned = {c.id for c in result if c.churned}
    assert churned == {"9871234502", "9871234505"}
    assert any("no status column" in w and "Lifecycle Stage" in w for w in result.warnings)
    assert not any("every customer is treated as active" in w for w in result.warnings)
    book = analyze_book(result.customers, AS_OF)
    assert (book.total.active, book.total.churned) == (4, 2)
    assert book.total.arr_total == 48000 + 120000 + 24000 + 60000
    # HubSpot's stages before Customer are companies that are not customers yet
    assert result.skipped_by_reason() == {"not a customer yet": 2}
    accounted(result)


def test_a_status_column_still_decides_over_the_stage() -> None:
    # the synthetic list has both: its Status column is read, as before
    result = read_customers(MESSY / "us_currency.csv")
    assert by_id(result)["C-003"].churned
    assert not any("no status column" in w for w in result.warnings)


# ---------------------------------------------------------------------- 2. Stripe


def test_stripe_subscriptions_give_mrr_from_cents_quantity_and_interval() -> None:
    result = read_customers(MESSY / "stripe_subscriptions.csv")
    assert result.layout == "stripe subscriptions"
    c = by_id(result)
    # 4900 cents x 5 seats a month
    assert c["cus_OdA1b2C3d4E5f6"].arr == pytest.approx(49 * 5 * 12)
    # $12,000 a year plus 10 seats at $15 a month: two subscriptions, one customer
    assert c["cus_OdA1b2C3d4E5f7"].arr == pytest.approx(12_000 + 15 * 10 * 12)
    # 13500 cents every 3 months for 3 seats, trialing: active
    assert c["cus_OdA1b2C3d4E5f9"].arr == pytest.approx(135 * 3 / 3 * 12)
    assert not c["cus_OdA1b2C3d4E5f9"].churned
    initech = c["cus_OdA1b2C3d4E5f8"]
    assert initech.churned and initech.churn_date == dt.date(2023, 10, 1)
    assert initech.contract_start == dt.date(2022, 9, 1)  # unix 1661990400, UTC
    assert c["cus_OdA1b2C3d4E5f6"].renewal_date == dt.date(2024, 11, 1)
    assert "cus_OdA1b2C3d4E5fA" not in c  # incomplete_expired: never a customer
    assert result.skipped_by_reason() == {
        "subscription never started": 1,
        "another subscription of a customer": 1,
    }
    assert result.currency == "USD"
    accounted(result)


def test_analyze_says_the_list_was_read_as_a_stripe_export() -> None:
    code, out = analyze(str(MESSY / "stripe_subscriptions.csv"), "--as-of", "2024-10-31")
    assert code == 0, out
    flat = " ".join(out.split())
    assert "read as a Stripe subscription export" in flat
    assert "amounts in cents" in flat and "MRR = amount x quantity / billing interval" in flat


# --------------------------------------------------------------------- 3. HubSpot


def test_hubspot_deals_keep_only_closed_won() -> None:
    result = read_customers(MESSY / "hubspot_deals.csv")
    assert result.layout == "hubspot deals"
    assert set(by_id(result)) == {"9871234501", "9871234503", "9871234506"}
    assert sum(c.arr for c in result) == 48000 + 120000 + 60000
    assert by_id(result)["9871234501"].name == "Northwind Traders"
    assert result.skipped_by_reason() == {"deal closed lost": 2, "open deal": 2}
    note = next(w for w in result.warnings if "HubSpot deal export" in w)
    assert "4 deals left out" in note and "2 closed lost (lines 3, 8)" in note
    assert "2 still open (lines 5, 6)" in note
    accounted(result)


def test_salesforce_opportunities_keep_only_closed_won_and_skip_the_footer() -> None:
    result = read_customers(MESSY / "salesforce_opportunities.csv")
    assert result.layout == "salesforce opportunities"
    assert {c.id: c.arr for c in result} == {
        "0015g00000NwTrAAA1": 48000,
        "0015g00000CoPhAAA3": 120000,
    }
    assert by_id(result)["0015g00000CoPhAAA3"].name == "Contoso Pharma"
    assert result.skipped_by_reason() == {"no deal stage": 6, "open deal": 2, "deal closed lost": 1}
    note = next(w for w in result.warnings if "Salesforce opportunity export" in w)
    assert "3 deals left out: 1 closed lost (line 3), 2 still open (lines 5, 6)" in note
    accounted(result)


def test_hubspot_deals_with_stages_that_do_not_say_won_are_refused() -> None:
    with pytest.raises(DataError) as err:
        read_customers(MESSY / "hubspot_deals_custom_stages.csv")
    text = str(err.value)
    assert "'Verbal Commit' (line 5)" in text and "'Signed - Awaiting PO' (line 6)" in text
    assert "ambiguous" in text
    code, out = analyze(str(MESSY / "hubspot_deals_custom_stages.csv"))
    assert code == 2 and "hubspot_deals_custom_stages.csv:5" in out


# --------------------------------------------------- 4. summary rows, Excel IDs


def test_summary_rows_are_left_out_and_named() -> None:
    result = read_customers(MESSY / "excel_summary_rows.csv")
    assert result.skipped_by_reason() == {"summary row": 2, "totals row": 1}
    note = next(w for w in result.warnings if "summary row" in w)
    assert "line 7 'Total'" in note and "line 8 'Average'" in note and "line 9 'Count'" in note
    assert sum(c.arr for c in result) == 52000 + 18500 + 27000 + 9900 + 74000


def test_a_stripe_dashboard_export_in_major_units_is_read(tmp_path: Path) -> None:
    # the Dashboard's own CSV: amounts in major units, dates as text, no interval count
    path = tmp_path / "subscriptions.csv"
    path.write_text(
        "id,Customer ID,Customer Description,Customer Email,Plan,Product,Quantity,Currency,"
        "Interval,Amount,Status,Created (UTC),Start (UTC),Current Period Start (UTC),"
        "Current Period End (UTC),Canceled At (UTC),Cancel At Period End,Ended At (UTC)\n"
        "sub_1,cus_1,Acme,ops@acme.test,price_1,prod_1,2,eur,year,1200.00,active,"
        "2024-01-15 10:22,2024-01-15 10:22,2024-01-15 10:22,2025-01-15 10:22,,false,\n",
        encoding="utf-8",
    )
    result = read_customers(path)
    assert result.layout == "stripe subscriptions" and result.currency == "EUR"
    acme = by_id(result)["cus_1"]
    assert acme.arr == pytest.approx(2400) and acme.renewal_date == dt.date(2025, 1, 15)


def test_scientific_notation_ids_are_never_merged() -> None:
    result = read_customers(MESSY / "excel_summary_rows.csv")
    assert len(result) == 5
    assert sorted(c.arr for c in result if c.id.startswith("1.23457E+11")) == [18500, 52000]
    assert len({c.id for c in result}) == 5
    assert not any(i.reason.startswith("duplicate") for i in result.skipped)
    note = next(w for w in result.warnings if "scientific notation" in w)
    assert "line 2 '1.23457E+11'" in note and "line 3 '1.23457E+11'" in note


# ------------------------------------------------------------ 5. mixed currencies


def test_mixed_currency_marks_are_refused_naming_rows_and_currencies() -> None:
    with pytest.raises(DataError) as err:
        read_customers(MESSY / "mixed_currency_marks.csv")
    text = str(err.value)
    assert "USD on lines 2, 3" in text and "EUR on lines 4, 5, 6" in text
    assert "'€900'" in text and "'EUR 900'" in text
    code, out = analyze(str(MESSY / "mixed_currency_marks.csv"))
    assert code == 2 and "--fx USD=RATE" in " ".join(out.split())


def test_a_currency_column_with_several_values_is_refused_or_converted() -> None:
    with pytest.raises(DataError) as err:
        read_customers(MESSY / "salesforce_multicurrency.csv")
    assert "EUR on line 3" in str(err.value) and "GBP on line 4" in str(err.value)
    result = read_customers(MESSY / "salesforce_multicurrency.csv", rates={"EUR": 1.1, "GBP": 1.25})
    assert result.currency == "USD"
    assert by_id(result)["0015g00000AbCdFAAV"].arr == pytest.approx(99_000)
    assert sum(c.arr for c in result) == pytest.approx(120_000 + 99_000 + 56_250 + 30_000)
    assert any("converted to USD" in w for w in result.warnings)
    with pytest.raises(DataError) as partial:
        read_customers(MESSY / "salesforce_multicurrency.csv", rates={"EUR": 1.1})
    message = render_text(partial.value.issues[0].message)
    assert "no rate for USD, GBP (every currency but one needs a rate)" in message


def test_fx_converts_on_the_command_line_and_refuses_a_bad_rate() -> None:
    path = str(MESSY / "salesforce_multicurrency.csv")
    code, out = analyze(path, "--as-of", "2025-01-01", "--fx", "EUR=1.1", "--fx", "GBP=1.25")
    assert code == 0, out
    assert "converted to USD at the rates given: EUR x 1.1 (1 row), GBP x 1.25 (1 row)" in out
    code, out = analyze(path, "--fx", "EUR=-2")
    assert code == 2 and "--fx EUR=-2" in out


def test_the_calibrated_scenario_keeps_the_lists_currency(tmp_path: Path) -> None:
    out = tmp_path / "eur.yaml"
    res = CliRunner().invoke(
        cli,
        ["calibrate", str(MESSY / "cp1252_euro.csv"), "-o", str(out), "--as-of", "2025-01-01"],
    )
    assert res.exit_code == 0, res.output
    assert "currency: EUR" in out.read_text(encoding="utf-8")
    assert "US-dollar defaults" in " ".join(res.output.split())
    usd = tmp_path / "usd.yaml"
    res = CliRunner().invoke(
        cli,
        ["calibrate", str(MESSY / "us_currency.csv"), "-o", str(usd), "--as-of", "2025-01-01"],
    )
    assert res.exit_code == 0, res.output
    assert "currency: USD" in usd.read_text(encoding="utf-8")


# ------------------------------------------------------ 6. blank ARR, start value


def test_a_blank_arr_takes_the_starting_contract_value_flagged() -> None:
    result = read_customers(MESSY / "blank_arr_starting_value.csv")
    big = by_id(result)["ENT-0042"]
    assert big.arr == 423_000 and big.arr_from_starting
    assert not by_id(result)["ENT-0041"].arr_from_starting
    assert [i.line for i in result.skipped if i.reason == "blank ARR"] == [5]  # no value at all
    assert any(
        "starting contract value" in w and "line 3 ENT-0042 423,000" in w for w in result.warnings
    )
    code, out = analyze(str(MESSY / "blank_arr_starting_value.csv"), "--as-of", "2025-01-01")
    assert code == 0 and "starting contract value" in out


# -------------------------------------------------------------- 7. proportionate


def _big_list(path: Path, n: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Customer ID", "ARR", "Customer Since", "Renewal Date", "Status"])
        for i in range(n):
            month = 1 + i % 12
            status = "Churned" if i % 9 == 0 else "Active"
            money = f"${1000 + i % 977:,}.00"
            w.writerow([f"C{i:06d}", money, f"{month}/1/2022", f"{month}/1/2025", status])


def test_repeated_dates_are_parsed_once(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "many.csv"
    _big_list(path, 600)
    calls = []
    real = rows_module.parse_date

    def counting(value, dayfirst=None):
        calls.append(value)
        return real(value, dayfirst)

    monkeypatch.setattr(rows_module, "parse_date", counting)
    result = read_customers(path)
    assert len(result) == 600
    assert len(calls) <= 24  # 12 distinct start dates and 12 renewal dates


def test_the_yearly_bootstrap_is_drawn_in_blocks_with_the_same_draws(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    arrs = rng.uniform(1000, 5000, 30_000)
    flags = (rng.uniform(size=30_000) < 0.1).astype(float)
    tracemalloc.start()
    boot = book_module._boot_dollar_churn(arrs, flags, 2024)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 120e6  # one (1000, 30000) draw would hold 3 x 240 MB
    idx = np.random.default_rng(2024).integers(0, len(arrs), size=(1000, len(arrs)))
    whole = (arrs * flags)[idx].sum(axis=1) / arrs[idx].sum(axis=1)
    assert np.array_equal(boot, whole)


def test_analyze_writes_money_in_the_lists_currency() -> None:
    from click.testing import CliRunner

    from simulator.cli import cli

    res = CliRunner().invoke(
        cli, ["analyze", str(MESSY / "cp1252_euro.csv"), "--as-of", "2025-01-01"]
    )
    assert res.exit_code == 0, res.output
    assert "€" in res.output and "$" not in res.output.replace("$ churn", "")


def test_from_csv_refuses_a_list_in_another_currency_than_the_scenario(tmp_path: Path) -> None:
    from simulator.errors import ScenarioError
    from simulator.scenario.loader import load_scenario

    (tmp_path / "eur.csv").write_text(
        "Account ID,ARR,Renewal Date\nA-1,€12000,2027-06-01\nA-2,€9500,2027-09-01\n",
        encoding="utf-8",
    )
    plan = tmp_path / "plan.yaml"
    body = (
        "name: EUR book\nstart_date: 2027-01-01\n{currency}segments:\n  s:\n"
        "    accounts: {{from_csv: eur.csv}}\n    team: {{csms: 1, annual_cost_per_csm: 1}}\n"
        "    churn: {{annual_baseline: 0.1}}\n"
    )
    plan.write_text(body.format(currency=""), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(plan)
    text = str(err.value)
    assert "plan.yaml:5:" in text and "EUR" in text and "currency: EUR" in text
    plan.write_text(body.format(currency="currency: EUR\n"), encoding="utf-8")
    assert sum(a.arr for a in load_scenario(plan).segments["s"].accounts) == pytest.approx(21500)


def test_amounts_that_read_either_way_are_noted_when_read_as_decimals(tmp_path: Path) -> None:
    """'€12.000' alone is twelve (decimal dot) or twelve thousand: the reading is stated."""
    from simulator.data.customers import read_customers

    path = tmp_path / "eur.csv"
    path.write_text("Account ID,ARR\nA-1,€12.000\nA-2,€9.500\n", encoding="utf-8")
    book = read_customers(path)
    assert [c.arr for c in book.customers] == [12.0, 9.5]
    assert any("'€12.000'" in w and "decimal mark" in w for w in book.warnings)
    # one amount with its decimals settles it, and nothing is noted
    path.write_text('Account ID,ARR\nA-1,€12.000\nA-2,"€9.500,00"\n', encoding="utf-8")
    book = read_customers(path)
    assert [c.arr for c in book.customers] == [12000.0, 9500.0]
    assert not any("read two ways" in w for w in book.warnings)
    # '1,500' read as fifteen hundred is the usual reading: not noted
    path.write_text('Account ID,ARR\nA-1,"$1,500"\n', encoding="utf-8")
    assert not any("read two ways" in w for w in read_customers(path).warnings)
