"""Hostile and implausible input: no traceback ever, and a warning for what is odd.

Console markup and control codes in names, dates at the end of the calendar, Ctrl-C while
cssim loads, amounts near the largest float, variants, ``--set`` positions, names in any
script (issue 17, points 3, 4 and 6), and the plausibility warnings.
"""

from __future__ import annotations

import io
import re
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from rich.table import Table

from simulator.cli import cli
from simulator.errors import ScenarioError
from simulator.report.terminal import PlainConsole, plain_text
from simulator.scenario.loader import load, load_text

ROOT = Path(__file__).resolve().parent.parent

PLAN = """\
name: {name}
start_date: {start}
segments:
  top:
    description: {description}
    accounts: 20
    arr: 100000
    team: {{csms: 2, annual_cost_per_csm: 150000}}
    touchpoints:
      qbr:
        description: {description}
        trigger: {{kind: cadence, per_year: 4}}
        hours: 4
    churn: {{annual_baseline: 0.1}}
"""


def plan(tmp_path: Path, name: str = "Plan", start: str = "2027-01-01", **extra: str) -> Path:
    path = tmp_path / "plan.yaml"
    text = PLAN.format(name=name, start=start, description=extra.get("description", '""'))
    path.write_text(text + extra.get("tail", ""), encoding="utf-8")
    return path


def invoke(*args: str, color: bool = False) -> tuple[int, str, str, BaseException | None]:
    result = CliRunner().invoke(cli, list(args), color=color)
    return result.exit_code, result.stdout, result.stderr, result.exception


# ----------------------------------------------------------------------------- names


@pytest.mark.parametrize("command", [["estimate"], ["run", "-n", "2", "-j", "1"]])
def test_markup_in_free_text_prints_as_written(tmp_path: Path, command: list[str]) -> None:
    path = plan(
        tmp_path, name='"FY27 [/] plan [bold]x"', description='"Tier [red]one[/red] :smile:"'
    )
    code, out, err, exc = invoke(*command, str(path))
    assert exc is None or isinstance(exc, SystemExit), err
    assert code == 0, err
    assert "FY27 [/] plan [bold]x" in out


def test_control_characters_never_reach_a_terminal() -> None:
    buf = io.StringIO()
    console = PlainConsole(file=buf, force_terminal=True, color_system=None, width=80)
    table = Table(title="plan \x1b]0;owned\x07 [/]")
    table.add_column("Segment")
    table.add_row("a\x1b[31mb\x9bc\u202eD")
    console.print(table)
    console.print("x\x1b[2Jy [bold]z")
    text = buf.getvalue()
    assert not any(ch in text for ch in "\x1b\x07\x9b\u202e")
    assert "[31mbcD" in text and "[/]" in text and "[2Jy [bold]z" in text
    assert plain_text("a\x1b[31mb") == "a\\x1b[31mb"


def test_control_characters_in_messages_are_shown_as_escapes(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        'start_date: 2027-01-01\nsegments:\n  "a\\x1b[31mb":\n    accounts: 1\n    arr: 1\n'
        "    coverage: digital\n    churn: {annual_baseline: 0.1}\n",
        encoding="utf-8",
    )
    for command in (["validate"], ["estimate"]):
        code, _, err, _ = invoke(*command, str(path), color=True)
        assert code == 2
        assert "\x1b" not in err
        assert "a\\x1b[31mb" in err
        assert "Traceback" not in err


def test_a_segment_named_with_markup_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        'start_date: 2027-01-01\nsegments:\n  "[bold]x":\n    accounts: 1\n    arr: 1\n'
        "    coverage: digital\n    churn: {annual_baseline: 0.1}\n",
        encoding="utf-8",
    )
    code, _, err, _ = invoke("estimate", str(path))
    assert code == 2
    assert f"{path}:3:3 segments.[bold]x: names must start with a letter" in err


@pytest.mark.parametrize(
    "name", ["Großkunden", "Кабинет", "大客户", "हिन्दी", "Ελλάδα_2", "top-tier_2"]
)
def test_names_take_letters_of_any_script(name: str) -> None:
    text = PLAN.format(name="x", start="2027-01-01", description='""').replace("top:", f"{name}:")
    text = text.replace("qbr:", f"{name}_qbr:")
    loaded = load_text(text)
    assert list(loaded.scenario.segments) == [name]
    assert list(loaded.scenario.segments[name].touchpoints) == [f"{name}_qbr"]


@pytest.mark.parametrize("name", ["1abc", "_x", "-x", "a.b", "a b", "a[0]", "a=b", "x" * 65])
def test_names_still_refuse_what_a_set_path_would_misread(name: str) -> None:
    text = PLAN.format(name="x", start="2027-01-01", description='""').replace("top:", f'"{name}":')
    with pytest.raises(ScenarioError, match="names must start with a letter"):
        load_text(text)


# ----------------------------------------------------------------------------- dates


def test_a_start_date_late_in_9999_names_the_latest_allowed(tmp_path: Path) -> None:
    code, _, err, _ = invoke("estimate", str(plan(tmp_path, start="9999-12-01")))
    assert code == 2
    assert "plan.yaml:2:13 start_date: is too late" in err
    assert "the latest start_date allowed is 9995-12-31" in err
    assert "Traceback" not in err


def test_the_latest_and_earliest_allowed_start_dates_simulate(tmp_path: Path) -> None:
    for start in ("9995-12-31", "0006-01-01"):
        code, _, err, exc = invoke("run", str(plan(tmp_path, start=start)), "-n", "1", "-j", "1")
        assert code == 0, (start, err, exc)
    code, _, err, _ = invoke("estimate", str(plan(tmp_path, start="0005-12-31")))
    assert code == 2 and "the earliest start_date allowed is 0006-01-01" in err


def test_a_longer_plan_moves_the_latest_start_date(tmp_path: Path) -> None:
    path = plan(tmp_path, start="9990-01-01")
    code, _, err, _ = invoke("validate", str(path), "--set", "horizon_days=3650")
    assert code == 2
    assert "--set horizon_days=3650" not in err  # the file's start_date is what is too late
    assert "plan.yaml:2:13 start_date" in err and "allowed is 9987-01-02" in err


# ----------------------------------------------------------------------------- Ctrl-C

_CHILD = """\
import runpy, sys
import simulator  # the package: before it, Ctrl-C meets Python's own start-up
sys.argv = ["simulator", "estimate", sys.argv[1]]
sys.stderr.write("ready\\n")
sys.stderr.flush()
runpy.run_module("simulator", run_name="__main__", alter_sys=True)
"""


def test_ctrl_c_while_loading_says_interrupted_and_exits_130(tmp_path: Path) -> None:
    path = plan(tmp_path)
    interrupted = 0
    for delay in (0.02, 0.05, 0.1, 0.2, 0.3, 0.5):
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert child.stderr is not None
        assert child.stderr.readline() == "ready\n"
        time.sleep(delay)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
        assert "Traceback" not in err, (delay, err)
        assert child.returncode in (0, 130), (delay, child.returncode, err)
        if child.returncode == 130:
            interrupted += 1
            assert err.strip().splitlines() == ["interrupted"], err
    assert interrupted, "no delay interrupted the start-up"


# ----------------------------------------------------------------------------- money


def test_cost_per_touch_beyond_its_bound_is_refused(tmp_path: Path) -> None:
    path = plan(tmp_path)
    sets = ["--set", "segments.top.touchpoints.qbr.channel=automated"]
    code, _, err, _ = invoke(
        "estimate", str(path), *sets, "--set", "segments.top.touchpoints.qbr.cost_per_touch=1e300"
    )
    assert code == 2
    assert "segments.top.touchpoints.qbr.cost_per_touch: must be <= 100,000,000" in err


@pytest.mark.parametrize(
    "overrides",
    [
        [
            "segments.top.touchpoints.qbr.channel=automated",
            "segments.top.touchpoints.qbr.cost_per_touch=1e8",
            "segments.top.touchpoints.qbr.trigger.per_year=365",
            "segments.top.arr=0.01",
            "economics.support_cost_per_request=1e6",
            "economics.indirect_value_per_account=1e9",
        ],
        ["segments.top.arr=1e11", "segments.top.team.annual_cost_per_csm=1e7"],
        ["segments.top.arr={dist: lognormal, mean: 1e11, cv: 1e150}"],
        ["segments.top.touchpoints.qbr.hours={dist: lognormal, mean: 10000, cv: 1e150}"],
        [
            "horizon_days=3650",
            "segments.top.contract_term_months=1",
            "segments.top.arr_change_at_renewal=2",
        ],
    ],
)
def test_no_numpy_warning_for_accepted_extremes(tmp_path: Path, overrides: list[str]) -> None:
    path = plan(tmp_path)
    sets = [a for o in overrides for a in ("--set", o)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for command in (["estimate"], ["run", "-n", "2", "-j", "1"]):
            code, out, err, exc = invoke(*command, str(path), *sets, "-q")
            assert code == 0 and (exc is None or isinstance(exc, SystemExit)), (err, exc)
            if "lognormal" not in str(overrides) and "horizon_days=3650" not in overrides:
                assert not re.search(r"\d{25}", out)  # no 300-digit number


@pytest.mark.parametrize(
    ("override", "field", "words"),
    [
        (
            "segments.top.arr_change_at_renewal=50",
            "segments.top.arr_change_at_renewal",
            "keep the largest change at or below",
        ),
        ("segments.top.arr=1e-300", "segments.top.arr", "below the least ARR of one account"),
        (
            "segments.top.accounts=[{id: a, arr: 1e-300}]",
            "segments.top.accounts[0].arr",
            "must be >= 0.01",
        ),
        (
            "segments.top.arr={dist: lognormal, mean: 100000, cv: 1e300}",
            "segments.top.arr",
            "has a spread too wide to draw from",
        ),
        (
            "segments.top.arr_change_at_renewal={dist: lognormal, mean: 1, cv: 1e300}",
            "segments.top.arr_change_at_renewal",
            "has a spread too wide to draw from",
        ),
    ],
)
def test_growth_beyond_a_float_is_refused(
    tmp_path: Path, override: str, field: str, words: str
) -> None:
    path = plan(tmp_path)
    code, _, err, _ = invoke(
        "estimate",
        str(path),
        "--set",
        "horizon_days=3650",
        "--set",
        "segments.top.contract_term_months=1",
        "--set",
        override,
    )
    assert code == 2, err
    assert f"--set {override} {field}: " in err and words in err


# ----------------------------------------------------------------------------- variants

VARIANTS = """
variants:
  six:
    segments: {top: {team: {csms: six}}}
  lean:
    segments: {top: {team: {csms: 1, annual_attrition: 0.5}}}
  broken:
    segments: {top: {team: nobody}}
"""


def test_validate_checks_every_variant_and_names_it(tmp_path: Path) -> None:
    path = plan(tmp_path, tail=VARIANTS)
    code, _, err, _ = invoke("validate", str(path))
    assert code == 2
    lines = err.splitlines()
    assert any("in variant 'six'" in line for line in lines)
    assert any(
        "plan.yaml:18:35 segments.top.team.csms: must be a whole number" in line for line in lines
    )
    assert any("in variant 'broken'" in line for line in lines)
    assert any("plan.yaml:22:28 segments.top.team: no such team" in line for line in lines)
    assert any("segments.top.team.annual_attrition: in variant 'lean'" in line for line in lines)


def test_compare_names_the_variant_that_fails(tmp_path: Path) -> None:
    code, _, err, _ = invoke("compare", str(plan(tmp_path, tail=VARIANTS)), "-n", "2", "-j", "1")
    assert code == 2
    assert "in variant 'six'" in err


# ----------------------------------------------------------------------------- --set


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("segments.top.team.csms=abc", "segments.top.team.csms: must be a whole number"),
        ("segments.top.touchpoints.qbr.channel=one_to_many", "need max_attendees"),
        ("segments.top.touchpoints.qbr.hours=null", "need hours"),
        ("segments.top.touchpoints.qbr.trigger.kind=risk_event", "unknown field 'per_year'"),
        ("segments.top.renewal_month_weights=[1,2]", "one weight per contract month"),
        ("segments.extra.accounts=5", "missing required field 'churn'"),
        ("segments.top.team=nobody", "no such team"),
    ],
)
def test_set_errors_name_the_override(tmp_path: Path, override: str, message: str) -> None:
    code, _, err, _ = invoke("validate", str(plan(tmp_path)), "--set", override)
    assert code == 2
    line = next(line for line in err.splitlines() if message in line)
    assert line.strip().startswith(f"--set {override} "), line
    assert "plan.yaml:" not in line


# ----------------------------------------------------------------------------- warnings

IMPLAUSIBLE = """\
start_date: 2027-01-01
segments:
  top:
    accounts:
      - {id: a1, arr: 100000, renewal_date: 2035-01-01}
      - {id: a2, arr: 100000, renewal_date: 2027-06-01, contract_start: 2027-09-01}
    arr_change_at_renewal: 50
    lifecycle: {onboarding_days: 300, adoption_days: 200}
    team: {csms: 2, annual_cost_per_csm: 150000}
    targets:
      grr: {min: 1.5}
    touchpoints:
      qbr:
        trigger: {kind: cadence, per_year: 200}
        hours: 4
      big:
        trigger: {kind: before_renewal, days: 30}
        hours: 9999
      none:
        trigger: {kind: stage_entry, stage: onboarding, offset_days: []}
        hours: 1
    churn: {annual_baseline: 0.1}
"""

WARNED = [
    ("14:9 segments.top.touchpoints.qbr.trigger", "plans about 201 CSM touches per account a year"),
    ("18:16 segments.top.touchpoints.big.hours", "more than a working week"),
    ("20:57 segments.top.touchpoints.none.trigger.offset_days", "plans no touch"),
    ("8:5 segments.top.lifecycle", "last longer than the 12-month contract term"),
    ("7:28 segments.top.arr_change_at_renewal", "a mean ARR change of +5,000%"),
    ("11:18 segments.top.targets.grr.min", "a min of 1.5 can never be met"),
    ("5:45 segments.top.accounts[0].renewal_date", "renews 8.0 years after start_date"),
    ("6:73 segments.top.accounts[1].contract_start", "the contract starts after its renewal"),
]


@pytest.mark.parametrize("command", [["validate"], ["estimate"], ["run", "-n", "1", "-j", "1"]])
def test_implausible_values_are_warned_with_file_line_and_field(
    tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(
        IMPLAUSIBLE.replace("arr_change_at_renewal: 50", "arr_change_at_renewal: 50"),
        encoding="utf-8",
    )
    code, _, err, _ = invoke(*command, str(path))
    assert code == 0, err
    warned = [line for line in err.splitlines() if line.startswith("warning: ")]
    for where, words in WARNED:
        assert any(f"{path}:{where}: " in w and words in w for w in warned), (where, warned)
    assert all("docs/assumptions.md#plausibility-warnings" in w for w in warned)


def test_each_warning_goes_away_with_a_plausible_value() -> None:
    fixed = (
        IMPLAUSIBLE.replace("renewal_date: 2035-01-01", "renewal_date: 2027-05-01")
        .replace("contract_start: 2027-09-01", "contract_start: 2026-06-01")
        .replace("arr_change_at_renewal: 50", "arr_change_at_renewal: 0.1")
        .replace(
            "onboarding_days: 300, adoption_days: 200", "onboarding_days: 90, adoption_days: 90"
        )
        .replace("min: 1.5", "min: 0.9")
        .replace("per_year: 200", "per_year: 4")
        .replace("hours: 9999", "hours: 8")
        .replace("offset_days: []", "offset_days: [0]")
    )
    assert load_text(fixed).warnings == []


def test_an_arr_spread_far_beyond_a_book_is_warned() -> None:
    text = PLAN.format(name="x", start="2027-01-01", description='""').replace(
        "arr: 100000", "arr: {dist: lognormal, mean: 100000, cv: 1e150}"
    )
    (w,) = load_text(text).warnings
    assert w.path == ("segments", "top", "arr") and w.location is not None
    assert w.location.line == 7 and "a spread (sd / mean) of 1e+150 gives" in w.render()


def test_accounts_read_from_a_file_are_warned_by_id(tmp_path: Path) -> None:
    (tmp_path / "book.csv").write_text(
        "Customer ID,ARR,Customer Since,Renewal Date,Status\n"
        'A1,"$10,000",2027-09-01,2027-06-01,Active\n'
        'A2,"$20,000",2026-01-01,2035-01-01,Active\n'
        'A3,"$20,000",2026-01-01,2027-03-01,Active\n',
        encoding="utf-8",
    )
    path = tmp_path / "book.yaml"
    path.write_text(
        PLAN.format(name="x", start="2027-01-01", description='""').replace(
            "accounts: 20\n    arr: 100000", "accounts: {from_csv: book.csv}"
        ),
        encoding="utf-8",
    )
    rendered = [w.render() for w in load(path).warnings]
    assert any(
        f"{path}:6:5 segments.top.accounts: account 'A1' (its contract_start in the from_csv "
        "file): the contract starts after its renewal" in w
        for w in rendered
    ), rendered
    assert any(
        "account 'A2' (its renewal_date in the from_csv file) renews 8.0 years" in w
        for w in rendered
    )
    assert not any("'A3'" in w for w in rendered)


def test_many_odd_accounts_are_named_a_few_and_counted() -> None:
    rows = "".join(
        f"      - {{id: a{i}, arr: 1000, renewal_date: 2031-01-01}}\n" for i in range(10)
    )
    text = PLAN.format(name="x", start="2027-01-01", description='""').replace(
        "accounts: 20\n", "accounts:\n" + rows
    )
    rendered = [w.render() for w in load_text(text).warnings]
    assert sum("renews 4.0 years" in w for w in rendered) == 3
    assert any("and 7 more accounts renew more than one contract term" in w for w in rendered)


def test_a_target_names_a_segment_in_any_script() -> None:
    from simulator.scenario.targets import target_overrides

    assert target_overrides("Großkunden.grr>=0.9@0.8") == [
        "segments.Großkunden.targets.grr.min=0.9",
        "segments.Großkunden.targets.grr.confidence=0.8",
    ]
    assert target_overrides("हिन्दी.nrr<=2") == ["segments.हिन्दी.targets.nrr.max=2"]
    with pytest.raises(ScenarioError, match=r"expected SEGMENT\.METRIC"):
        target_overrides("1x.grr>=1")


def test_data_warnings_show_control_characters_as_escapes(tmp_path: Path) -> None:
    from simulator.cli.common import echo_lines

    runner = CliRunner()

    @click.command()
    def say() -> None:
        echo_lines(["cell 'a\x1b]0;x\x07b' is odd"])

    result = runner.invoke(say, [], color=True)
    assert "\x1b" not in result.stderr and "\\x1b]0;x\\x07b" in result.stderr


def test_too_many_working_days_names_the_field(tmp_path: Path) -> None:
    holidays = ",".join(f"2027-01-{d:02d}" for d in (4, 5, 6, 7, 8, 11, 12, 13, 14, 15, 18, 19))
    code, _, err, _ = invoke(
        "validate",
        str(plan(tmp_path)),
        "--set",
        "calendar.working_days_per_year=250",
        "--set",
        f"calendar.holidays=[{holidays}]",
    )
    assert code == 2
    assert (
        "  --set calendar.working_days_per_year=250 calendar.working_days_per_year: exceeds "
        "the 249 weekdays"
    ) in err


def _touch_warnings(extra: str, inbound: str = "") -> list[str]:
    text = (
        "start_date: 2027-01-01\nsegments:\n  top:\n    accounts: 20\n    arr: 100000\n"
        "    team: {csms: 2, annual_cost_per_csm: 150000}\n    churn: {annual_baseline: 0.1}\n"
        + inbound
        + "    touchpoints:\n"
        + extra
    )
    return [w.message for w in load_text(text).warnings if "CSM touches" in w.message]


def test_escalations_and_inbound_requests_count_as_csm_touches() -> None:
    risk = (
        "    risk_events: {usage_drop: {per_account_year: 365, unhandled_churn_probability: 0.5, "
        "handled_churn_probability: 0.2}}\n"
        "    touchpoints:\n"
        "      save: {trigger: {kind: risk_event}, hours: 1}\n"
    )
    text = (
        "start_date: 2027-01-01\nsegments:\n  top:\n    accounts: 20\n    arr: 100000\n"
        "    team: {csms: 2, annual_cost_per_csm: 150000}\n    churn: {annual_baseline: 0.1}\n"
        + risk
    )
    assert any("365" in w.message for w in load_text(text).warnings)
    many = "    inbound: {requests_per_account_year: 10000, support_share: 0.5}\n"
    request = "      request: {trigger: {kind: inbound_request}, hours: 0.5}\n"
    assert any("5,000" in w for w in _touch_warnings(request, many))
    few = "    inbound: {requests_per_account_year: 12, support_share: 0.5}\n"
    assert _touch_warnings(request, few) == []


def test_a_cadence_limited_to_some_stages_counts_only_there() -> None:
    """100 a year in the renewal window (120 of 365 days) plans about 33, not 100."""
    cadence = "      call: {trigger: {kind: cadence, per_year: 100, stages: [renewal]}, hours: 1}\n"
    assert _touch_warnings(cadence) == []
    everywhere = "      call: {trigger: {kind: cadence, per_year: 100}, hours: 1}\n"
    assert _touch_warnings(everywhere)


def test_onboarding_touches_of_monthly_contracts_count_once() -> None:
    """A monthly contract renews into steady state: its 6 onboarding calls happen once,
    not 12 times a year (the renewal touch does happen every month)."""
    calls = (
        "      onboard: {trigger: {kind: stage_entry, stage: onboarding, "
        "offset_days: [0, 7, 14, 21, 28, 35]}, hours: 1}\n"
    )
    monthly = (
        "start_date: 2027-01-01\nsegments:\n  top:\n    accounts: 20\n    arr: 10000\n"
        "    contract_term_months: 1\n"
        "    lifecycle: {onboarding_days: 10, adoption_days: 5, renewal_window_days: 5}\n"
        "    team: {csms: 2, annual_cost_per_csm: 150000}\n    churn: {annual_baseline: 0.1}\n"
        "    touchpoints:\n" + calls
    )
    assert not [w for w in load_text(monthly).warnings if "CSM touches" in w.message]
    restarting = monthly.replace(
        "renewal_window_days: 5}", "renewal_window_days: 5, after_renewal: onboarding}"
    )
    assert [w for w in load_text(restarting).warnings if "CSM touches" in w.message]


def test_a_plan_name_is_one_line(tmp_path: Path) -> None:
    path = plan(tmp_path, name='"FY27\\nplan"')
    code, _, err, _ = invoke("validate", str(path))
    assert code == 2 and "plan.yaml:1:7 name: a plan name is one line of text" in err


def test_a_link_that_leads_back_to_itself_is_bad_input(tmp_path: Path) -> None:
    """Path.resolve() raises on a symlink loop: as extends, an input or an output it is
    a message and exit 2, never a traceback."""
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    base = plan(tmp_path)
    extending = tmp_path / "extending.yaml"
    extending.write_text("extends: loop1\n", encoding="utf-8")
    customers = str(ROOT / "scenarios" / "data" / "customers.csv")
    loop = str(tmp_path / "loop1")
    for args in (
        ["validate", str(extending)],
        ["run", str(base), "-n", "1", "-j", "1", "-o", loop],
        ["analyze", customers, "-o", loop],
        ["analyze", customers, "--activities", loop],
        ["calibrate", loop, "-o", str(tmp_path / "out.yaml")],
    ):
        code, _, err, exc = invoke(*args)
        assert code == 2 and isinstance(exc, SystemExit), (args, err)
        assert "leads back to itself" in err, (args, err)


def test_a_currency_rate_given_twice_is_refused() -> None:
    customers = str(ROOT / "scenarios" / "data" / "customers.csv")
    code, _, err, _ = invoke("analyze", customers, "--fx", "EUR=1.08", "--fx", "eur=2")
    assert code == 2 and "a rate for EUR was already given" in err


def test_rates_may_be_given_comma_separated_as_the_message_writes_them(tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("id,arr,currency\nA,1000,USD\nB,900,EUR\nC,800,GBP\n", encoding="utf-8")
    code, _, err, _ = invoke("analyze", str(mixed))
    assert code == 2 and "--fx EUR=RATE,GBP=RATE" in err
    code, _, err, _ = invoke("analyze", str(mixed), "--fx", "EUR=1.08,GBP=1.27")
    assert code == 0, err
