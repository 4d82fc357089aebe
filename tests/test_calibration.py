"""The customer-list analysis, the timesheet analysis, calibration and account files.

Recovery tests generate data from known parameters (simulator.synthetic) and check
that the estimates' 95% intervals contain them.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner
from scipy import stats

from simulator.analysis.book import analyze_book, infer_term_months, kaplan_meier, wilson
from simulator.analysis.timesheet import analyze_timesheet, is_scheduled
from simulator.cli import cli
from simulator.data.customers import read_customers
from simulator.data.values import add_months
from simulator.errors import ScenarioError
from simulator.scenario.loader import load, load_text
from simulator.synthetic import (
    DEFAULT_TRUTH,
    SegmentTruth,
    Truth,
    generate_timesheet,
    write_csv,
    write_customers,
)

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "scenarios" / "data"

FAMILY_ALPHA = 0.05
"""Chance that a recovery test's intervals miss a true value on a fresh seed.

The expansion and timesheet recovery tests derive their bounds from standard errors and
split this level among the estimates each one checks (Bonferroni), so such a test fails
wrongly at most 5% of the time. The shipped data are fixed, so a pass is a property of
the file, and a fail is a finding, not noise to tune away.
"""


# ----------------------------------------------------------------------------- statistics


def test_kaplan_meier_matches_a_hand_computed_case() -> None:
    # durations 1, 2, 2+, 3, 4+, 5 (+: still active, censored)
    km = kaplan_meier([1, 2, 2, 3, 4, 5], [True, True, False, True, False, True])
    # S(1) = 5/6; S(2) = 5/6 x 4/5; S(3) = that x 2/3 (at risk 3: 3, 4+, 5); S(5) = 0
    assert list(km.times) == [0, 1, 2, 3, 5]
    assert km.survival == pytest.approx([1, 5 / 6, 4 / 6, 4 / 9, 0])
    assert list(km.at_risk) == [6, 6, 5, 3, 1]
    assert km.at(2.5)[0] == pytest.approx(4 / 6)
    assert km.at(0.5)[0] == 1.0
    # Greenwood at t=2: var(log S) = 1/(6x5) + 1/(5x4); log(-log) interval
    s = 4 / 6
    se = math.sqrt(1 / 30 + 1 / 20) / abs(math.log(s))
    z = stats.norm.ppf(0.975)
    assert km.at(2)[1] == pytest.approx(s ** math.exp(z * se))
    assert km.at(2)[2] == pytest.approx(s ** math.exp(-z * se))
    assert km.n == 6 and km.n_events == 4


def test_kaplan_meier_without_events_is_flat_at_one() -> None:
    km = kaplan_meier([10, 20, 30], [False, False, False])
    assert km.at(25) == (1.0, 1.0, 1.0) and km.max_time == 30


def test_wilson_interval_known_value() -> None:
    r = wilson(10, 100)
    assert (r.value, round(r.low, 4), round(r.high, 4)) == (0.1, 0.0552, 0.1744)
    assert math.isnan(wilson(0, 0).value)
    assert wilson(0, 50).low == 0.0


@pytest.mark.parametrize(
    ("start", "renewal", "term"),
    [
        (dt.date(2025, 3, 1), dt.date(2026, 3, 1), 12),
        (dt.date(2023, 3, 1), dt.date(2027, 3, 1), 12),
        (dt.date(2026, 1, 15), dt.date(2026, 7, 15), 6),
        # whole months that are not half years: co-termed, or quarterly/monthly; only a
        # term column can tell
        (dt.date(2026, 1, 15), dt.date(2026, 4, 15), None),
        (dt.date(2023, 3, 15), dt.date(2027, 1, 1), None),
        (dt.date(2026, 1, 15), dt.date(2026, 1, 10), None),
    ],
)
def test_term_inference(start: dt.date, renewal: dt.date, term: int | None) -> None:
    assert infer_term_months(start, renewal) == term


def _customer(**kw: object) -> SimpleNamespace:
    base = {
        "id": "x",
        "segment": None,
        "arr": 1000.0,
        "starting_arr": None,
        "contract_start": None,
        "renewal_date": None,
        "churn_date": None,
        "churned": False,
        "stage": None,
        "term_months": None,
    }
    return SimpleNamespace(**{**base, **kw})


def test_small_book_answers() -> None:
    as_of = dt.date(2026, 6, 30)
    cs = [
        _customer(
            id=f"a{i}",
            arr=float(a),
            contract_start=dt.date(2024, 7, 1),
            renewal_date=dt.date(2026, 7, 1),
            stage="steady",
            starting_arr=float(a) / 1.21,
        )
        for i, a in enumerate([100, 200, 300, 400, 1000])
    ] + [
        _customer(
            id="c1",
            arr=500.0,
            churned=True,
            contract_start=dt.date(2024, 7, 1),
            churn_date=dt.date(2025, 7, 1),
        ),
    ]
    a = analyze_book(cs, as_of)
    t = a.total
    assert (t.customers, t.active, t.churned) == (6, 5, 1)
    assert (t.arr_min, t.arr_max, t.arr_total) == (100, 1000, 2000)
    assert t.largest == ("a4", 1000.0) and t.smallest == ("a0", 100.0)
    assert t.churned_arr_mean == 500
    # 80% of 2,000 ARR: 1000 + 400 + 300 = 1,700 >= 1,600 -> 3 of 5 customers
    assert (a.pareto_customers, a.pareto_share, a.pareto_threshold) == (3, 0.6, 300)
    # renewals in July (next month) are within six months; none this month (June)
    assert a.renewals_this_month == (0, 0.0)
    assert a.renewals_next_6_months == (5, 2000.0)
    # two renewals reached by each active customer (2025-07-01, 2026-07-01 not yet): one
    # each; the churned one churned at its first: 1 of 6 renewals lost
    assert (t.renewal_churn.events, t.renewal_churn.trials) == (1, 6)
    # growth: 21% over two years = 10% a year
    assert t.growth_mean == pytest.approx(0.1, abs=1e-3)
    assert a.stages == [
        {
            "stage": "steady",
            "customers": 5,
            "arr": 2000.0,
            "age_years_mean": pytest.approx(2.0, abs=0.01),
        }
    ]


def test_breaks_override_the_segment_column() -> None:
    cs = [_customer(id=str(i), arr=float(v), segment="one") for i, v in enumerate([10, 20, 30, 40])]
    assert list(analyze_book(cs, dt.date(2026, 1, 1)).segments) == ["one"]
    a = analyze_book(cs, dt.date(2026, 1, 1), breaks=[25])
    assert a.segment_source == "breaks" and {s.active for s in a.segments.values()} == {2}


# ----------------------------------------------------------------------------- recovery


@pytest.fixture(scope="module")
def shipped() -> tuple[object, object]:
    read = read_customers(SHIPPED / "customers.csv")
    return read, analyze_book(read.customers, DEFAULT_TRUTH.as_of)


def test_shipped_file_is_read_with_every_defect_counted(shipped: tuple[object, object]) -> None:
    read, _ = shipped
    assert len(read.customers) == 3174
    reasons = [s.reason for s in read.skipped]
    assert sum("duplicate" in r for r in reasons) == 3
    assert sum("header" in r for r in reasons) >= 2  # the title row and the repeated header
    assert any("4 churned customers without a churn date" in w for w in read.warnings)


def test_churn_per_renewal_recovers_the_truth(shipped: tuple[object, object]) -> None:
    _, a = shipped
    for seg in DEFAULT_TRUTH.segments:
        rate = a.segments[seg.name].renewal_churn
        assert rate.low <= seg.churn_per_renewal <= rate.high, (seg.name, rate)


def _bonferroni_z(checks: int, alpha: float = FAMILY_ALPHA) -> float:
    """Two-sided normal quantile that keeps ``checks`` intervals together at ``alpha``."""
    return float(stats.norm.ppf(1 - alpha / (2 * checks)))


def _most_renewals(truth: Truth, term_months: int) -> int:
    """Renewals of an account signed on the first signing day, up to ``as_of``."""
    k = 0
    while add_months(truth.first_signing, (k + 1) * term_months) <= truth.as_of:
        k += 1
    return k


def _geometric_shortfall(seg: SegmentTruth, k: int) -> float:
    """How far the mean per-renewal growth of an account with ``k`` renewals falls short
    of the mean ARR change (fraction of ARR).

    That growth is ``(prod(1 + e_i)) ** (1 / k) - 1`` over iid draws ``e_i``, so its
    mean is ``E[(1 + e) ** (1 / k)] ** k - 1`` (Jensen: never above ``E[e]``).
    """
    lo = (seg.expansion_floor - seg.expansion_mean) / seg.expansion_sd
    change = stats.truncnorm(lo, np.inf, loc=seg.expansion_mean, scale=seg.expansion_sd)
    root = change.expect(lambda e: (1 + e) ** (1 / k))
    return seg.expected_expansion - (root**k - 1)


def test_expansion_per_renewal_recovers_the_truth(shipped: tuple[object, object]) -> None:
    _, a = shipped
    z = _bonferroni_z(len(DEFAULT_TRUTH.segments))
    for seg in DEFAULT_TRUTH.segments:
        b = a.segments[seg.name]
        # the mean over accounts with one or more renewals (geometric per account). Its
        # standard error: the sd of one renewal's change (first renewals) over sqrt(n),
        # an upper bound, as a geometric mean over k renewals varies less than one draw.
        half = z * b.growth_per_renewal_sd / math.sqrt(b.growth_customers)
        # its mean lies between E[e] and E[e] less the shortfall of the most renewals
        bias = _geometric_shortfall(seg, _most_renewals(DEFAULT_TRUTH, seg.term_months))
        assert abs(b.growth_per_renewal_mean - seg.expected_expansion) <= half + bias, (
            seg.name,
            b.growth_per_renewal_mean,
        )


def test_tertile_breaks_recover_the_truth(tmp_path: Path) -> None:
    # a year of signings and no renewal yet: current ARR is ARR at signing
    truth = dataclasses.replace(
        DEFAULT_TRUTH, first_signing=dt.date(2025, 12, 1), logos_per_month=150
    )
    write_customers(tmp_path / "c.csv", truth)
    read = read_customers(tmp_path / "c.csv")
    a = analyze_book(read.customers, truth.as_of)
    n = len(a.active_arr)
    x = np.sort(a.active_arr)
    for q, true in zip((1 / 3, 2 / 3), truth.signing_arr_tertiles(), strict=True):
        # distribution-free 95% interval of a quantile from order statistics
        lo, hi = (int(v) for v in stats.binom.ppf([0.025, 0.975], n, q))
        assert x[max(lo - 1, 0)] <= true <= x[min(hi, n - 1)], (q, true, x[lo - 1], x[hi])


# ----------------------------------------------------------------------------- timesheet


def test_timesheet_shares_hours_and_rates() -> None:
    e = SimpleNamespace
    d = dt.date(2026, 10, 1)
    entries = [
        e(person="a", date=d, activity="QBR", account="x", hours=2.0),
        e(person="a", date=d, activity="QBR", account="x", hours=1.0),  # same delivery
        e(person="a", date=d + dt.timedelta(days=9), activity="QBR", account="y", hours=4.0),
        e(person="b", date=d, activity="Ad hoc request", account="x", hours=3.5),
        e(person="b", date=d, activity="Admin", account=None, hours=1.5),
    ]
    ts = analyze_timesheet(entries, {"x": "s", "y": "s"}.get, {"s": 2})
    assert ts.hours_total == 12 and ts.hours_customer == 10.5
    assert ts.customer_time_share == pytest.approx(10.5 / 12)
    assert ts.uplift == pytest.approx(10.5 / 7)
    (qbr,) = ts.activities
    assert (qbr.deliveries, qbr.hours_mean) == (2, 3.5)
    # 2 deliveries over 2 accounts in 10 days
    assert qbr.per_account_year == pytest.approx(2 / 2 / (10 / 365))
    assert ts.people_by_segment == {"s": 2}


def _ratio_se(num: np.ndarray, den: np.ndarray) -> float:
    """Standard error of ``sum(num) / sum(den)`` over independent clusters (delta method)."""
    n = len(num)
    resid = num - num.sum() / den.sum() * den
    return math.sqrt(n / (n - 1) * float(resid @ resid)) / float(den.sum())


def test_shipped_timesheet_recovers_share_and_uplift() -> None:
    from simulator.data.timesheet import read_timesheet

    read = read_customers(SHIPPED / "customers.csv")
    seg = {c.id: c.segment for c in read.customers}
    sheet = read_timesheet(SHIPPED / "timesheet.csv")
    ts = analyze_timesheet(sheet.entries, seg.get, {})
    truth = DEFAULT_TRUTH.timesheet
    # both are ratios of hour totals; person-days are independent draws (clusters)
    days: dict[tuple[str, dt.date], list[float]] = {}
    for x in sheet.entries:
        day = days.setdefault((x.person, x.date), [0.0, 0.0, 0.0])
        day[0] += x.hours
        if x.account:
            day[1] += x.hours
            day[2] += x.hours if is_scheduled(x.activity or "") else 0.0
    total, customer, scheduled = (np.array(v) for v in zip(*days.values(), strict=True))
    z = _bonferroni_z(2)  # two intervals below
    half = z * _ratio_se(customer, total)
    assert abs(ts.customer_time_share - truth.customer_share) <= half
    assert ts.uplift == pytest.approx(truth.uplift, abs=z * _ratio_se(customer, scheduled))


# ----------------------------------------------------------------------------- CLI


def _small(tmp_path: Path) -> tuple[Path, Path, Truth]:
    truth = dataclasses.replace(DEFAULT_TRUTH, logos_per_month=12)
    customers = tmp_path / "customers.csv"
    write_customers(customers, truth, messy=True)
    rows = generate_timesheet(truth=truth, weeks=3, csms=3)
    sheet = tmp_path / "hours.csv"
    write_csv(rows, sheet)
    return customers, sheet, truth


def test_analyze_formats_outputs_and_charts(tmp_path: Path) -> None:
    customers, _, truth = _small(tmp_path)
    runner = CliRunner()
    base = ["analyze", str(customers), "--as-of", truth.as_of.isoformat()]
    res = runner.invoke(cli, base)
    assert res.exit_code == 0, res.output
    for text in ("80/20", "Kaplan-Meier", "Renewals", "rows skipped", "Churn by calendar year"):
        assert text in res.output
    res = runner.invoke(cli, [*base, "--format", "csv"])
    rows = list(csv.DictReader(res.stdout.splitlines()))
    assert {"segment", "measure", "value", "ci_low", "ci_high"} <= set(rows[0])
    res = runner.invoke(cli, [*base, "--format", "json"])
    data = json.loads(res.stdout)
    assert data["as_of"] == truth.as_of.isoformat() and data["rows_skipped"]
    res = runner.invoke(
        cli,
        [
            *base,
            "--breaks",
            "10k,50k",
            "-o",
            str(tmp_path / "book.xlsx"),
            "--charts",
            str(tmp_path / "ch"),
        ],
    )
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(tmp_path / "book.xlsx")
    assert wb.sheetnames == ["Book", "Skipped rows"]
    for name in ("pareto", "value_distribution", "renewals_by_month", "retention_curves"):
        assert (tmp_path / "ch" / f"{name}.png").stat().st_size > 10_000


def test_calibrate_validate_run_round_trip(tmp_path: Path) -> None:
    customers, sheet, truth = _small(tmp_path)
    out = tmp_path / "plans" / "cal.yaml"
    out.parent.mkdir()
    runner = CliRunner()
    argv = ["calibrate", str(customers), "--as-of", truth.as_of.isoformat(), "-o", str(out), "-q"]
    res = runner.invoke(cli, [*argv, "--timesheet", str(sheet)])
    assert res.exit_code == 0, res.output
    text = out.read_text()
    assert "annual_baseline" in text and "95% CI" in text and "data:" in text
    assert (out.parent / "cal_accounts.csv").exists()
    res = runner.invoke(cli, ["validate", str(out)])
    assert res.exit_code == 0, res.output
    loaded = load(out)
    active = [c for c in read_customers(customers).customers if not c.churned]
    assert sum(s.starting_accounts for s in loaded.scenario.segments.values()) == len(active)
    res = runner.invoke(cli, ["run", str(out), "-n", "2", "-j", "1", "-q", "--format", "json"])
    assert res.exit_code == 0, res.output
    # the same again without a timesheet: the default plan's engagement models by value rank
    res = runner.invoke(cli, [*argv, "--force", "--breaks", "tertiles"])
    assert res.exit_code == 0, res.output
    assert set(load(out).scenario.segments) == {"small", "medium", "large"}
    # an existing output is not overwritten without --force
    res = runner.invoke(cli, argv)
    assert res.exit_code == 2 and "--force" in res.output


def test_calibrate_leaves_nothing_on_failure(tmp_path: Path) -> None:
    bad = tmp_path / "c.csv"
    bad.write_text("Customer ID,ARR,Status\n1,100,Churned\n")
    res = CliRunner().invoke(cli, ["calibrate", str(bad), "-o", str(tmp_path / "p.yaml")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv"]


# ----------------------------------------------------------------------------- from_csv


def test_accounts_from_csv(tmp_path: Path) -> None:
    (tmp_path / "book.csv").write_text(
        "Account ID,Tier,ARR,Renewal Date,Lifecycle Stage,Status\n"
        'A1,big,"$120,000",2027-03-01,Steady State,Active\n'
        "A2,big,90000,2027-05-01,Onboarding,Active\n"
        "A3,big,50000,2026-01-01,,Churned\n"
        "B1,small,5000,2027-02-01,Adoption,Active\n"
    )
    text = (
        "start_date: 2027-01-01\n"
        "segments:\n"
        "  big:\n"
        "    accounts: {from_csv: book.csv, segment: big}\n"
        "    team: {csms: 1, annual_cost_per_csm: 150000}\n"
        "    churn: {annual_baseline: 0.1}\n"
    )
    loaded = load_text(text, str(tmp_path / "plan.yaml"), base_dir=tmp_path)
    accounts = loaded.scenario.segments["big"].accounts
    assert [(a.id, a.arr, a.stage) for a in accounts] == [
        ("A1", 120000, "steady"),
        ("A2", 90000, "onboarding"),
    ]
    assert accounts[0].renewal_date == dt.date(2027, 3, 1)
    # the filter forgives case and spacing
    assert (
        load_text(
            text.replace("segment: big", "segment: ' BIG'"),
            str(tmp_path / "plan.yaml"),
            base_dir=tmp_path,
        )
        .scenario.segments["big"]
        .starting_accounts
        == 2
    )
    with pytest.raises(ScenarioError) as err:
        load_text(
            text.replace("segment: big", "segment: huge"),
            str(tmp_path / "plan.yaml"),
            base_dir=tmp_path,
        )
    assert "segments in the file: big, small" in err.value.render()
    with pytest.raises(ScenarioError) as err:
        load_text(
            text.replace("book.csv", "missing.csv"), str(tmp_path / "plan.yaml"), base_dir=tmp_path
        )
    assert "missing.csv" in err.value.render()
    with pytest.raises(ScenarioError) as err:
        load_text(
            text.replace("segment: big", "segmnt: big"),
            str(tmp_path / "plan.yaml"),
            base_dir=tmp_path,
        )
    assert "segmnt" in err.value.render()


def test_shipped_synthetic_files_are_what_the_documented_script_makes(tmp_path: Path) -> None:
    from simulator import synthetic

    assert synthetic.main(["--out-dir", str(tmp_path)]) == 0
    for name in ("customers.csv", "timesheet.csv"):
        assert (tmp_path / name).read_bytes() == (SHIPPED / name).read_bytes(), name


def test_coterminous_renewals_fall_back_to_annual_and_calibrate(tmp_path: Path) -> None:
    # renewals co-termed to 1 January: not anniversaries, so no monthly term is inferred
    f = tmp_path / "coterm.csv"
    f.write_text(
        "Customer ID,ARR,Customer Since,Renewal Date,Status\n"
        "A1,10000,2023-03-15,2027-01-01,Active\n"
        "A2,20000,2023-05-20,2027-01-01,Active\n"
        "A3,15000,2024-02-10,2027-01-01,Active\n"
        "A4,12000,2022-08-01,2027-01-01,Active\n"
        "A5,30000,2023-11-07,2027-01-01,Active\n"
        "A6,8000,2022-04-18,2026-01-01,Churned\n"
    )
    runner = CliRunner()
    res = runner.invoke(cli, ["analyze", str(f), "--as-of", "2026-10-31"])
    assert res.exit_code == 0, res.output
    assert "off their signing anniversary" in res.output and "nan" not in res.output
    res = runner.invoke(
        cli, ["calibrate", str(f), "--as-of", "2026-10-31", "-o", str(tmp_path / "p.yaml"), "-q"]
    )
    assert res.exit_code == 0, res.output
    s = load(tmp_path / "p.yaml").scenario
    assert {seg.contract_term_months for seg in s.segments.values()} == {12}


def test_calibrate_leaves_out_a_segment_without_active_customers(tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text(
        "Customer ID,Segment,ARR,Customer Since,Renewal Date,Status\n"
        "E1,Enterprise,120000,2024-01-01,2027-01-01,Active\n"
        "E2,Enterprise,90000,2024-03-01,2027-03-01,Active\n"
        "S1,SMB,5000,2025-02-01,2027-02-01,Active\n"
        "L1,Legacy,3000,2022-01-01,2025-01-01,Churned\n"
    )
    res = CliRunner().invoke(
        cli, ["calibrate", str(f), "--as-of", "2026-10-31", "-o", str(tmp_path / "p.yaml")]
    )
    assert res.exit_code == 0, res.output
    assert "'Legacy' has no active customer" in res.output
    assert set(load(tmp_path / "p.yaml").scenario.segments) == {"enterprise", "smb"}


def test_a_list_without_dates_says_what_it_cannot_answer(tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text(
        "Customer,Segment,ARR,Status\n"
        + "".join(
            f"N{i},{'A' if i % 2 else 'B'},{1000 * (i + 1)},{'Churned' if i % 5 == 0 else 'Active'}\n"
            for i in range(20)
        )
    )
    runner = CliRunner()
    res = runner.invoke(cli, ["analyze", str(f), "--as-of", "2026-10-31"])
    assert res.exit_code == 0, res.output
    assert "Renewals: unknown" in res.output and "nan" not in res.output
    assert "Kaplan-Meier" not in res.output  # no curve to show
    out = tmp_path / "p.yaml"
    res = runner.invoke(cli, ["calibrate", str(f), "--as-of", "2026-10-31", "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    text = out.read_text()
    assert "assumption: the default plan's (no renewal observed in the data)" in text
    assert "assumption: the default plan's (no contract start dates in the data)" in text


def test_timesheet_accounts_match_by_name_and_skips_are_explained(tmp_path: Path) -> None:
    customers = tmp_path / "c.csv"
    customers.write_text(
        "Account ID,Account Name,ARR,Customer Since,Renewal Date,Status\n"
        "001A,Acme Corp,50000,2024-01-01,2027-01-01,Active\n"
        "002B,Globex,20000,2024-06-01,2027-06-01,Active\n"
    )
    sheet = tmp_path / "t.csv"
    sheet.write_text(
        "Person,Date,Activity,Account,Hours\n"
        "Ann,2026-10-01,QBR,Acme Corp,2\n"
        "Ann,2026-10-02,Health check,globex,1\n"
        "Ann,2026-10-02,Admin,,3\n"
        "Bob,2026-10-03,QBR,Initech,2\n"
        "Bob,,QBR,Acme Corp,2\n"
        "Bob,2026-10-04,QBR,Acme Corp,-1\n"
    )
    res = CliRunner().invoke(
        cli,
        [
            "calibrate",
            str(customers),
            "--timesheet",
            str(sheet),
            "--as-of",
            "2026-10-31",
            "-o",
            str(tmp_path / "p.yaml"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "Initech" in res.output  # the one account not in the list, named
    assert "2 rows skipped" in res.output and "line" in res.output
    # Acme and Globex (matched by name, case aside) are both in the plan's touchpoints
    text = (tmp_path / "p.yaml").read_text()
    assert "qbr:" in text and "health_check:" in text


def test_a_workbook_whose_first_sheet_is_not_the_list_names_the_others(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Summary"
    wb.active.append(["Pivot summary"])
    wb.active.append(["Total", 123])
    ws = wb.create_sheet("Customers")
    ws.append(["Customer ID", "ARR", "Customer Since", "Renewal Date", "Status"])
    ws.append(["C1", 12000, dt.datetime(2025, 1, 1), dt.datetime(2027, 1, 1), "Active"])
    ws.append(["C2", 30000, dt.datetime(2024, 6, 1), dt.datetime(2027, 6, 1), "Active"])
    wb.save(tmp_path / "export.xlsx")
    runner = CliRunner()
    res = runner.invoke(cli, ["analyze", str(tmp_path / "export.xlsx")])
    assert res.exit_code == 2 and "'Customers'" in res.output and "--sheet" in res.output
    res = runner.invoke(
        cli,
        ["analyze", str(tmp_path / "export.xlsx"), "--sheet", "customers", "--as-of", "2026-10-31"],
    )
    assert res.exit_code == 0, res.output
    assert "2 customers read" in res.output


@pytest.mark.parametrize(
    ("churn", "renewals"),
    [
        (dt.date(2024, 1, 1), 2),  # on the second anniversary
        (dt.date(2023, 12, 31), 2),  # at contract end, the day before it
        (dt.date(2023, 7, 1), 2),  # mid-term, after one renewal
        (dt.date(2022, 6, 1), 1),  # in the first term
    ],
)
def test_a_churner_counts_the_renewal_it_left_at(churn: dt.date, renewals: int) -> None:
    from simulator.analysis.book import renewals_reached

    c = _customer(contract_start=dt.date(2022, 1, 1), churned=True, churn_date=churn)
    assert renewals_reached(c, dt.date(2026, 6, 1), 12) == (renewals, True)


def test_timesheet_headcount_adds_up_and_activities_merge_by_key() -> None:
    from simulator.analysis.timesheet import _share_people

    assert _share_people(2, {"top": 98, "mid": 1, "smb": 1}) == {"top": 2}
    split = _share_people(4, {"a": 97, "b": 1, "c": 1, "(unknown)": 1})
    assert split == {"a": 2, "b": 1, "c": 1}
    e = SimpleNamespace
    d = dt.date(2026, 10, 1)
    entries = [
        e(person="p", date=d, activity="QBR", account="x", hours=2.0),
        e(person="p", date=d + dt.timedelta(days=1), activity="qbr ", account="x", hours=2.0),
        e(person="p", date=d, activity="Health-Check", account="x", hours=1.0),
        e(
            person="p",
            date=d + dt.timedelta(days=2),
            activity="health check",
            account="x",
            hours=1.0,
        ),
    ]
    ts = analyze_timesheet(entries, {"x": "s"}.get, {"s": 1})
    assert [(a.activity, a.deliveries) for a in ts.activities] == [("Health-Check", 2), ("QBR", 2)]


def test_excel_sheet_names_stay_unique_when_shortened(tmp_path: Path) -> None:
    from simulator.report.layout import Block, Col, Sheet
    from simulator.report.xlsx import write_workbook

    long = "Segment enterprise_north_america_"
    sheets = [
        Sheet(f"{long}{x}", [Block("", [Col("a", "A")], [{"a": 1}])]) for x in ("east", "west")
    ]
    sheets.append(Sheet("a/b:c", [Block("", [Col("a", "A")], [{"a": 1}])]))
    write_workbook(tmp_path / "x.xlsx", sheets)
    names = openpyxl.load_workbook(tmp_path / "x.xlsx").sheetnames
    assert len({n.casefold() for n in names}) == 3 and all(len(n) <= 31 for n in names)


def test_analyze_will_not_overwrite_its_input(tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text("Customer ID,ARR\nA,100\n")
    res = CliRunner().invoke(cli, ["analyze", str(f), "-o", str(f)])
    assert res.exit_code == 2 and "customer list itself" in res.output
    assert f.read_text() == "Customer ID,ARR\nA,100\n"
