"""Hostile text given as a data file (issue 17): nothing quoted, nothing silently wrong.

A file that is not a table (a config file, a JSON secret) is refused without repeating its
first line; a real export that misses one column still lists its columns. One marked
amount among bare numbers is warned about, and messages name the file's own columns.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.data import DataError, read_activities, read_customers, read_timesheet

SECRET = '{"aws_secret_access_key": "AKIASECRETXYZ", "token": "tok_SECRET"}\n'
SERVICES = "http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP\n"
MOUNTS = "/dev/vda / ext4 rw,relatime,discard,resv_strict,resuid=65534,resgid=65534 0 0\n"


def _error(read: object, path: Path) -> str:
    with pytest.raises(DataError) as info:
        read(path)  # type: ignore[operator]
    return str(info.value)


@pytest.mark.parametrize("text", [SECRET, SERVICES, MOUNTS], ids=["json", "services", "mounts"])
@pytest.mark.parametrize(
    "read", [read_customers, read_activities, read_timesheet], ids=["customers", "acts", "time"]
)
def test_text_that_is_not_a_table_is_not_quoted(tmp_path: Path, text: str, read: object) -> None:
    path = tmp_path / "notes.csv"
    path.write_text(text)
    message = _error(read, path)
    for secret in ("AKIASECRETXYZ", "tok_SECRET", "WorldWideWeb", "/dev/vda", "80/tcp"):
        assert secret not in message
    assert "columns are" not in message
    assert "names none of the known columns" in message
    assert "cells" in message


def test_secret_behind_a_scenario_is_not_quoted(tmp_path: Path) -> None:
    from simulator.errors import ScenarioError
    from simulator.scenario.loader import load_text

    secret = tmp_path / "secret.json"
    secret.write_text(SECRET)
    plan = (
        "start_date: 2027-01-01\n"
        "segments:\n"
        "  big:\n"
        f"    accounts: {{from_csv: {secret}}}\n"
        "    team: {csms: 1, annual_cost_per_csm: 150000}\n"
        "    churn: {annual_baseline: 0.1}\n"
    )
    with pytest.raises((ScenarioError, DataError)) as info:
        load_text(plan, base_dir=tmp_path)
    assert "AKIASECRETXYZ" not in str(info.value)
    assert "names none of the known columns" in str(info.value)


def test_export_missing_one_column_still_lists_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text("Account Name,Owner,Region\nAcme,Ann,EU\n")
    message = _error(read_customers, path)
    assert "no column for ARR" in message
    assert "columns are: 'Account Name', 'Owner', 'Region'" in message


def test_one_marked_amount_among_bare_numbers_is_warned(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_text("id,arr\nA,1000\nB,EUR 500\nC,2000\nD,\n")
    result = read_customers(path)
    (warning,) = [w for w in result.warnings if "only some amounts name a currency" in w]
    assert "lines 2, 4" in warning and "taken to be in EUR" in warning
    assert "currency column" in warning


@pytest.mark.parametrize(
    "text",
    ["id,arr\nA,EUR 1000\nB,EUR 500\n", "id,arr,currency\nA,1000,EUR\nB,EUR 500,EUR\n"],
    ids=["all-marked", "currency-column"],
)
def test_settled_currency_is_not_warned(tmp_path: Path, text: str) -> None:
    path = tmp_path / "book.csv"
    path.write_text(text)
    result = read_customers(path)
    assert not [w for w in result.warnings if "only some amounts" in w]


STRIPE_HEADER = (
    "id,object,customer,customer_name,status,created,start_date,current_period_start,"
    "current_period_end,cancel_at_period_end,canceled_at,ended_at,quantity,plan.id,"
    "plan.amount,plan.currency,plan.interval,plan.interval_count,plan.product,metadata.segment\n"
)


def _stripe_row(n: int, quantity: str, currency: str) -> str:
    return (
        f"sub_{n},subscription,cus_{n},Co{n},active,1672531200,1672531200,1727740800,"
        f"1730419200,False,,,{quantity},price_x,10000,{currency},month,1,prod_X,SMB\n"
    )


def test_stripe_currency_problem_names_the_files_column(tmp_path: Path) -> None:
    path = tmp_path / "subs.csv"
    path.write_text(STRIPE_HEADER + _stripe_row(1, "1", "usd") + _stripe_row(2, "1", "eur"))
    message = _error(read_customers, path)
    assert 'column "plan.currency" mixes currencies' in message
    assert '"Currency"' not in message


def test_stripe_blank_quantity_is_named(tmp_path: Path) -> None:
    path = tmp_path / "subs.csv"
    path.write_text(STRIPE_HEADER + _stripe_row(1, "", "usd") + _stripe_row(2, "3", "usd"))
    result = read_customers(path)
    (issue,) = result.skipped
    assert issue.line == 2 and issue.reason == "blank quantity"
    assert "MRR" not in issue.reason
    assert 'column "quantity" is blank' in issue.detail


@pytest.mark.parametrize("rest", ["B,2000\n", "B,2000\nC,3000\n" * 20])
def test_quote_running_to_the_end_of_the_file_is_refused(tmp_path: Path, rest: str) -> None:
    path = tmp_path / "book.csv"
    path.write_text('id,arr\n"A,1000\n' + rest)
    message = _error(read_customers, path)
    assert "line 2: a quote opened here is never closed" in message
    assert "the rest of the file" in message and "read as one value" in message
    assert "blank ARR" not in message


def test_quote_left_open_on_the_last_line_is_warned(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_text('id,arr\nA,1000\n"B,2000\n')
    result = read_customers(path)
    assert any("line 3: a quote opened here is never closed" in w for w in result.warnings)


@pytest.mark.parametrize("text", ['id,arr,name\nA,1000,5" screen\n', 'id,arr\n"A","1,000"\n'])
def test_closed_or_inner_quotes_are_not_flagged(tmp_path: Path, text: str) -> None:
    path = tmp_path / "book.csv"
    path.write_text(text)
    result = read_customers(path)
    assert not [w for w in result.warnings if "never closed" in w]


def test_map_to_a_missing_column_of_a_non_table_is_not_quoted(tmp_path: Path) -> None:
    path = tmp_path / "secret.json"
    path.write_text(SECRET)
    with pytest.raises(DataError) as info:
        read_customers(path, mapping={"arr": "token"})
    message = str(info.value)
    assert "AKIASECRETXYZ" not in message and "tok_SECRET" not in message
    assert "no column 'token'; the first row names none of the known columns (2 cells" in message
    # a real export still lists its columns for a mistyped --map
    good = tmp_path / "good.csv"
    good.write_text("Account ID,Current ARR\nA,1000\n")
    with pytest.raises(DataError, match="columns are: 'Account ID', 'Current ARR'"):
        read_customers(good, mapping={"arr": "Fee"})


@pytest.mark.parametrize(
    ("header", "listed"),
    [
        (["Ref", "Org", "Yearly Fee (USD)"], True),  # an export that needs --map
        (["Größe", "Kunde"], True),
        (["/dev/vda / ext4 rw", "relatime"], False),  # /proc/self/mounts
        (["http", "80/tcp", "www"], False),  # /etc/services
        (['{"aws_secret_access_key": "AKIASECRETXYZ"', '"token": "tok_SECRET"}'], False),
        (["root:x:0:0:root:/root:/bin/bash"], False),
        (["API_KEY=abc123"], False),
    ],
)
def test_a_row_is_listed_only_when_it_reads_like_column_names(
    header: list[str], listed: bool
) -> None:
    from simulator.data.columns import header_like

    assert header_like(header) is listed


def test_a_rate_for_every_currency_says_to_leave_one_out(tmp_path: Path) -> None:
    from simulator.data.customers import read_customers

    path = tmp_path / "mixed.csv"
    path.write_text("id,arr,currency\nA,1000,USD\nB,900,EUR\n", encoding="utf-8")
    with pytest.raises(DataError, match="a rate was given for every currency of the list"):
        read_customers(path, rates={"EUR": 1.08, "USD": 0.9})
    assert len(read_customers(path, rates={"EUR": 1.08}).customers) == 2
