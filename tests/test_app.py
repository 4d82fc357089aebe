"""The explorer (``cssim app``): its pure logic, and the page driven in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner

from simulator.app.model import (
    CHANNELS,
    Edits,
    channels_for,
    overrides_for,
    parse_offsets,
    risk_events_of,
    scaled_hours,
    touch_rate,
    touchpoints,
)
from simulator.app.numbers import numbers_for
from simulator.app.results import decision_sentence, scenario_yaml, simulate
from simulator.cli import cli
from simulator.errors import ScenarioError
from simulator.scenario.loader import load, load_text
from simulator.scenario.model import (
    BeforeRenewal,
    Cadence,
    OnRiskEvent,
    Scenario,
    StageEntry,
    Touchpoint,
)
from tests.conftest import SCENARIOS


@pytest.fixture(scope="module")
def base() -> Scenario:
    return load(None).scenario


def test_no_edit_is_no_override_and_the_plans_numbers(base: Scenario) -> None:
    e = Edits(
        csms={"top": 8},
        per_year={("top", "qbr"): 3.0},
        offsets={("top", "implementation_workshop"): (14, 45)},
        days_before={("top", "ebr"): 180},
        channel={("top", "qbr"): "one_to_one", ("smb", "usage_digest"): "automated"},
        hours={("top", "health_check"): 2.5, ("top", "escalation"): 4.0},
        attendees={("smb", "onboarding_webinar"): 40},
        session_days={("smb", "onboarding_webinar"): 7},
        cost_per_touch={("smb", "usage_digest"): 0.02},
        effectiveness={("smb", "usage_digest"): 0.4, ("smb", "renewal_reminder"): 0.5},
        event_rate={("top", "champion_loss"): 0.08},
        requests={"top": 12},
        support_share={"top": 0.5},
    )
    assert overrides_for(base, e) == []
    n = numbers_for(None, base, e, "top")
    assert (n.csms, n.csms_needed, n.gap) == (8, 8, 0)
    assert n.fte_needed == pytest.approx(7.9, abs=0.05)
    assert n.demand_hours == pytest.approx(8163, abs=1)
    assert n.people_cost_needed == 8 * 180_000
    assert set(n.touches) == set(touchpoints(base, "top"))


def test_controls_become_overrides_and_move_the_closed_form(base: Scenario) -> None:
    before = numbers_for(None, base, Edits(), "top")
    fewer = numbers_for(None, base, Edits(csms={"top": 5}), "top")
    assert (fewer.csms, fewer.gap) == (5, before.csms_needed - 5)
    assert fewer.demand_hours == before.demand_hours  # headcount does not change the work
    more = Edits(per_year={("top", "qbr"): 6.0})
    assert overrides_for(base, more) == ["segments.top.touchpoints.qbr.trigger.per_year=6"]
    # three more 6-hour QBRs on 50 accounts, times the segment's unscheduled uplift
    added = numbers_for(None, base, more, "top").demand_hours - before.demand_hours
    assert added == pytest.approx(3 * 6 * 50 * 1.64, rel=0.02)
    auto = Edits(channel={("top", "qbr"): "automated"})
    assert numbers_for(None, base, auto, "top").demand_hours < before.demand_hours
    share = Edits(support_share={"top": 1.0})
    assert overrides_for(base, share) == ["segments.top.inbound.support_share=1"]
    assert numbers_for(None, base, share, "top").demand_hours < before.demand_hours


def _moved(base: Scenario, e: Edits, team: str, key: tuple[str, str]) -> tuple[float, float]:
    """Change of the team's demand and of the touchpoint's own CSM hours a year."""
    old, new = numbers_for(None, base, Edits(), team), numbers_for(None, base, e, team)
    dt = new.touches[key].csm_hours_per_year - old.touches[key].csm_hours_per_year
    return new.demand_hours - old.demand_hours, dt


def test_every_touchpoint_kind_moves_the_closed_form(base: Scenario) -> None:
    old = numbers_for(None, base, Edits(), "top").touches
    uplift = base.segments["top"].unscheduled_uplift
    # a stage_entry touch: a third workshop is one more 10-hour touch per onboarding
    key = ("top", "implementation_workshop")
    e = Edits(offsets={key: (14, 45, 75)})
    assert overrides_for(base, e) == [
        "segments.top.touchpoints.implementation_workshop.trigger.offset_days=[14, 45, 75]"
    ]
    demand, own = _moved(base, e, "top", key)
    per_touch = old[key].touches_per_year / 2
    assert own == pytest.approx(per_touch * 10, rel=1e-6)
    assert demand == pytest.approx(own * uplift, rel=1e-6)
    # a before_renewal touch: its days move it, its hours (12 -> 15) move the need
    key = ("top", "renewal")
    e = Edits(days_before={key: 60}, hours={key: 15})
    assert overrides_for(base, e) == [
        "segments.top.touchpoints.renewal.trigger.days=60",
        "segments.top.touchpoints.renewal.hours=15",
    ]
    demand, own = _moved(base, e, "top", key)
    assert own == pytest.approx(old[key].touches_per_year * 3, rel=1e-6)
    assert demand == pytest.approx(own * uplift, rel=1e-6)
    # an escalation: twice the champion losses, each a 4-hour save play (no uplift)
    key = ("top", "escalation")
    e = Edits(event_rate={("top", "champion_loss"): 0.16})
    demand, own = _moved(base, e, "top", key)
    ay = old[key].touches_per_year / old[key].per_account_year
    assert own == pytest.approx(0.08 * ay * 4, rel=1e-6) and demand == pytest.approx(own)
    # inbound requests: twice as many, half to support, 1.5 hours each
    key = ("top", "request")
    demand, own = _moved(base, Edits(requests={"top": 24}), "top", key)
    assert own == pytest.approx(12 * 0.5 * ay * 1.5, rel=1e-6) and demand == pytest.approx(own)
    assert touch_rate(base, key) == 6.0


def test_one_to_many_automated_and_skipped_touches(base: Scenario) -> None:
    key = ("top", "qbr")
    groups = Edits(channel={key: "one_to_many"}, attendees={key: 10}, hours={key: 8})
    assert overrides_for(base, groups) == [
        "segments.top.touchpoints.qbr.channel=one_to_many",
        "segments.top.touchpoints.qbr.hours=8",
        "segments.top.touchpoints.qbr.max_attendees=10",
    ]
    small = numbers_for(None, base, groups, "top").touches[key]
    assert small.sessions_per_year > 0 and small.channel == "one_to_many"
    assert small.csm_hours_per_year == pytest.approx(small.sessions_per_year * 8)
    bigger = Edits(channel={key: "one_to_many"}, attendees={key: 40}, hours={key: 8})
    assert numbers_for(None, base, bigger, "top").touches[key].sessions_per_year < (
        small.sessions_per_year
    )
    rarer = Edits(channel={key: "one_to_many"}, attendees={key: 10}, session_days={key: 60})
    assert numbers_for(None, base, rarer, "top").touches[key].sessions_per_year < (
        small.sessions_per_year
    )
    # automated: the cost a touch and its coverage credit
    digest = ("smb", "usage_digest")
    before = numbers_for(None, base, Edits(), "smb")
    dearer = numbers_for(None, base, Edits(cost_per_touch={digest: 0.04}), "smb")
    assert dearer.automation_cost - before.automation_cost == pytest.approx(
        before.touches[digest].automation_cost_per_year
    )
    credit = numbers_for(None, base, Edits(effectiveness={digest: 0.8}), "smb")
    assert credit.coverage["smb"] > before.coverage["smb"]
    assert credit.demand_hours == before.demand_hours
    # skipped: planned, no hours, coverage lost
    cut = numbers_for(None, base, Edits(channel={key: "skipped"}), "top")
    assert cut.touches[key].csm_hours_per_year == 0 and cut.coverage["top"] < 1
    # fields of a channel the touchpoint does not take are not written
    stale = Edits(channel={key: "automated"}, hours={key: 9}, attendees={key: 5})
    assert overrides_for(base, stale) == ["segments.top.touchpoints.qbr.channel=automated"]


def test_a_channel_switch_fills_what_the_new_channel_needs(base: Scenario) -> None:
    many = overrides_for(base, Edits(channel={("top", "qbr"): "one_to_many"}))
    assert "segments.top.touchpoints.qbr.max_attendees=20" in many
    to_csm = overrides_for(base, Edits(channel={("smb", "usage_digest"): "one_to_one"}))
    assert "segments.smb.touchpoints.usage_digest.hours=1" in to_csm
    for edits in (many, to_csm):
        load(None, edits)  # validates
    with pytest.raises(ValueError, match="channel"):
        overrides_for(base, Edits(channel={("top", "qbr"): "carrier_pigeon"}))
    with pytest.raises(ValueError, match="no team"):
        overrides_for(base, Edits(csms={"nobody": 3}))
    with pytest.raises(ValueError, match="cadence touchpoint: no offsets"):
        overrides_for(base, Edits(offsets={("top", "qbr"): (3,)}))
    with pytest.raises(ValueError, match="no risk event"):
        overrides_for(base, Edits(event_rate={("top", "meteor"): 1.0}))


def test_channels_fit_the_trigger_and_the_coverage(base: Scenario) -> None:
    top = base.segments["top"]
    assert channels_for(top, top.touchpoints["qbr"]) == (
        "one_to_one",
        "one_to_many",
        "automated",
        "skipped",
    )
    # escalations and requests are answered one account at a time
    assert "one_to_many" not in channels_for(top, top.touchpoints["escalation"])
    assert "one_to_many" not in channels_for(top, top.touchpoints["request"])
    smb = base.segments["smb"]
    digital = smb.model_copy(update={"coverage": "digital"})
    assert channels_for(digital, smb.touchpoints["usage_digest"]) == (
        "one_to_many",
        "automated",
        "skipped",
    )
    odd = Touchpoint.model_validate(
        {
            "trigger": {"kind": "inbound_request"},
            "channel": "one_to_many",
            "hours": 1,
            "max_attendees": 5,
        }
    )
    assert "one_to_many" in channels_for(top, odd)  # its own channel stays offered


def _every_trigger_edited(s: Scenario) -> Edits:
    """Each touchpoint's timing or rate moved, as its kind's control would move it."""
    e = Edits()
    for key in touchpoints(s):
        seg = s.segments[key[0]]
        tp = seg.touchpoints[key[1]]
        trig = tp.trigger
        if isinstance(trig, Cadence):
            e.per_year[key] = trig.touches_per_year * 2
        elif isinstance(trig, StageEntry):
            e.offsets[key] = (*trig.offsets, max(trig.offsets) + 30)
        elif isinstance(trig, BeforeRenewal):
            e.days_before[key] = max(0.0, trig.days - 10)
        elif isinstance(trig, OnRiskEvent):
            for event in risk_events_of(seg, tp):
                e.event_rate[(key[0], event)] = 2 * seg.risk_events[event].per_account_year
        else:
            e.requests[key[0]] = seg.inbound.requests_per_account_year + 1
    return e


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_offered_channel_of_every_bundled_touchpoint_loads(path: Path) -> None:
    s = load(path).scenario
    timing = _every_trigger_edited(s)
    for team in s.all_teams():
        if s.segments_of(team):
            assert numbers_for(path, s, timing, team).demand_hours > 0
    for channel in CHANNELS:
        e = _every_trigger_edited(s)
        for key in touchpoints(s):
            seg = s.segments[key[0]]
            if channel in channels_for(seg, seg.touchpoints[key[1]]):
                e.channel[key] = channel
        load(path, overrides_for(s, e))  # validates: what a control offers, the plan takes


@pytest.mark.parametrize(
    "hours",
    [
        {"dist": "triangular", "low": 2, "mode": 4, "high": 6},
        {"dist": "lognormal", "mean": 2.5, "cv": 0.3},
        {"dist": "normal", "mean": 3, "sd": 2, "min": 0.5, "max": 9},
        {"dist": "empirical", "values": [1, 2, 5], "weights": [3, 1, 1]},
        {"dist": "uniform", "low": 1, "high": 3},
        4,
    ],
)
def test_hours_move_to_a_new_mean_keeping_their_shape(hours: object) -> None:
    tp = Touchpoint.model_validate({"trigger": {"kind": "inbound_request"}, "hours": hours})
    assert tp.hours is not None
    text = scaled_hours(tp.hours, 7.5)
    again = load(None, [f"segments.top.touchpoints.request.hours={text}"])
    moved = again.scenario.segments["top"].touchpoints["request"].hours
    assert moved is not None and moved.mean == pytest.approx(7.5, rel=1e-6)
    if moved.mean and tp.hours.variance:
        cv = (moved.variance**0.5 / moved.mean, tp.hours.variance**0.5 / tp.hours.mean)
        assert cv[0] == pytest.approx(cv[1], rel=1e-6)
    assert type(moved) is type(tp.hours)


def test_offsets_are_read_from_text() -> None:
    assert parse_offsets("14, 45") == (14.0, 45.0)
    assert parse_offsets(" 0 30;60 ") == (0.0, 30.0, 60.0)
    with pytest.raises(ValueError, match="'soon' is not a number of days"):
        parse_offsets("14, soon")
    with pytest.raises(ValueError, match="choose Skipped"):
        parse_offsets("  ")


def test_yaml_download_loads_back_and_validates(base: Scenario, tmp_path: Path) -> None:
    edits = overrides_for(
        base,
        Edits(
            csms={"mid": 9},
            per_year={("top", "health_check"): 7.5},
            hours={("top", "escalation"): 6},
            offsets={("top", "training"): (0, 30, 60)},
            channel={("top", "qbr"): "one_to_many"},
        ),
    )
    text = scenario_yaml(None, edits)
    assert "--set segments.mid.team.csms=9" in text
    again = load_text(text, "edited.yaml").scenario
    assert again.all_teams()["mid"].csms == 9
    top = again.segments["top"].touchpoints
    assert getattr(top["health_check"].trigger, "per_year", None) == 7.5
    assert getattr(top["training"].trigger, "offsets", None) == [0, 30, 60]
    assert top["escalation"].hours is not None and top["escalation"].hours.mean == 6
    assert top["qbr"].channel == "one_to_many" and top["qbr"].max_attendees == 20
    path = tmp_path / "edited.yaml"
    path.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert res.exit_code == 0, res.output


def test_simulate_gives_the_runs_brief(base: Scenario) -> None:
    start = ["segments.top.team.csms=6"]
    seen: list[tuple[int, int]] = []
    sim = simulate(None, start, "top", 2, lambda d, t: seen.append((d, t)))
    heads = sorted(r["csms"] for r in sim.rows)
    assert heads[0] <= 6 <= heads[-1] and sim.experiment.replications == 2
    total = 2 * (1 + len(heads))
    assert [d for d, _ in seen] == list(range(1, total + 1)) and {t for _, t in seen} == {total}
    assert sim.command == ("cssim", "run", "-n", "2", "--set", "segments.top.team.csms=6")
    page = sim.brief()
    assert page.startswith("<!DOCTYPE html>") or page.lstrip().lower().startswith("<!doctype")
    assert "what the CS plan delivers" in page and "(top 6," in page
    assert "frontier" in page.lower() and "segments.top.team.csms=6" in page
    assert not re.search(r"""(src|href)=["']https?://""", page)  # self-contained


def _row(csms: int, grr: float, on_time: float) -> dict[str, float]:
    return {"csms": csms, "grr": grr, "on_time_share": on_time, "people_cost": csms * 180_000.0}


def test_decision_sentence_picks_the_fewest_that_meet_the_targets(base: Scenario) -> None:
    rows = [_row(6, 0.90, 0.70), _row(7, 0.93, 0.88), _row(8, 0.94, 0.93), _row(9, 0.95, 0.95)]
    text = decision_sentence(rows, base, "top", 8, 3)
    assert "8 is the fewest that reach GRR >= 92% and on-time touches >= 90%" in text
    assert "7 saves $180k" in text and "3 replications" in text
    none = decision_sentence(rows[:2], base, "top", 8, 3)
    assert "no headcount from 6 to 7 reaches" in none


def test_cli_app_is_registered_and_refuses_a_bad_scenario(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["app", "--help"])
    assert res.exit_code == 0 and "127.0.0.1" in res.output and "--set" in res.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("start_date: 2027-01-01\nsegments: {top: {accounts: -1}}\n")
    res = CliRunner().invoke(cli, ["app", str(bad), "--port", "0"])
    assert res.exit_code == 2, res.output
    assert "bad.yaml" in res.output


@pytest.mark.parametrize(
    "override", ["segments.top.team.csms=-1", "segments.top.nonsense=1", "no equals sign"]
)
def test_cli_app_refuses_a_bad_override_as_run_does(
    override: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import simulator.app

    monkeypatch.setattr(simulator.app, "serve", lambda *a, **k: pytest.fail("served a bad plan"))
    run = CliRunner().invoke(cli, ["run", "-n", "1", "--set", override])
    app = CliRunner().invoke(cli, ["app", "--port", "0", "--set", override])
    assert run.exit_code == app.exit_code == 2
    assert app.output == run.output and "error" in app.output


def test_cli_app_starts_on_the_overridden_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    import simulator.app

    got: dict[str, object] = {}
    monkeypatch.setattr(simulator.app, "serve", lambda *a, **k: got.update(args=a, kwargs=k))
    res = CliRunner().invoke(cli, ["app", "--port", "0", "--set", "segments.mid.team.csms=9"])
    assert res.exit_code == 0, res.output
    assert got["kwargs"] == {"overrides": ("segments.mid.team.csms=9",)}
    from simulator.app.explorer import make_app

    make_app(None, 1, ["segments.mid.team.csms=9"])  # builds on the overridden plan
    with pytest.raises(ScenarioError, match="csms"):
        make_app(None, 1, ["segments.mid.team.csms=-9"])


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


STARTED_WITH = "segments.mid.team.csms=9"
"""The --set the browser test starts the explorer with."""


@pytest.fixture()
def server() -> Iterator[str]:
    from simulator.app.serve import free_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "app", "--port", str(port), "--set", STARTED_WITH],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    pytest.fail(f"the app did not start: {err}")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _changes(tab: Any, selector: str, before: str, timeout: float = 20_000) -> None:
    """Wait until the text of ``selector`` is no longer ``before``."""
    tab.wait_for_function(
        "([s, b]) => document.querySelector(s) && document.querySelector(s).innerText !== b",
        arg=[selector, before],
        timeout=timeout,
    )


def _nudge(tab: Any, slider: str, key: str, times: int = 1) -> None:
    """Move an ion.rangeSlider by keyboard steps."""
    tab.locator(slider).locator("xpath=..").locator(".irs-handle").first.click()
    for _ in range(times):
        tab.keyboard.press(key)


def test_explorer_in_chromium(server: str, tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        if os.environ.get("CSSIM_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (make test installs Debian's chromium)")
        pytest.skip("chromium not installed; make test installs it")
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    requests: list[str] = []
    brief_requests: list[str] = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=browser, args=["--no-sandbox"])
        try:
            tab = b.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: problems.append(f"{e}\n{e.stack}"))
            tab.on("request", lambda r: requests.append(r.url))
            tab.on("websocket", lambda w: requests.append(w.url))
            tab.goto(server)
            tab.wait_for_selector("#hours_plot img", timeout=20_000)
            assert tab.inner_text("#fte") == "7.9"
            assert tab.inner_text("#gap") == "0 (enough)"
            figure = tab.get_attribute("#hours_plot img", "src")
            # no run yet: the brief is a disabled button whose tooltip says why
            assert tab.is_disabled("#brief_disabled")
            tab.hover("#brief_wrapper")
            tab.wait_for_selector(".tooltip:has-text('Simulate first')", timeout=5_000)

            # three CSMs fewer: the gap and the figure change
            _nudge(tab, "#csms_0", "ArrowLeft", 3)
            tab.wait_for_function("document.querySelector('#gap').innerText === '+3 CSMs'")
            tab.wait_for_function(
                "s => document.querySelector('#hours_plot img').src !== s", arg=figure
            )
            # the cadence health check (shown first) automated: fewer customer hours
            assert tab.input_value("#touch") == "4"
            hours = tab.inner_text("#hours")
            tab.locator("input[name='channel_4'][value='automated']").check()
            _changes(tab, "#hours", hours)
            assert "health_check.channel=automated" in tab.inner_text("#edits_text")
            tab.wait_for_selector("#cost_4")  # an automated touch's own controls
            assert tab.locator("#hours_4").count() == 0

            # a stage-entry touch: a third workshop adds a touch per onboarding
            tab.select_option("#touch", "1")
            tab.wait_for_selector("#offsets_1")
            assert tab.input_value("#offsets_1") == "14, 45"
            hours = tab.inner_text("#hours")
            tab.fill("#offsets_1", "14, 45, 75")
            _changes(tab, "#hours", hours)
            assert "3.00 touches per account-year" in tab.inner_text("#touch_text")
            assert "offset_days=[14, 45, 75]" in tab.inner_text("#edits_text")
            tab.fill("#offsets_1", "14, soon")
            tab.wait_for_selector(".cssim-error:has-text('not a number of days')")
            tab.fill("#offsets_1", "14, 45, 75")
            tab.wait_for_selector("#verdict_text :not(.cssim-error)")

            # an escalation: the risk events' rates, and no one-to-many channel
            tab.select_option("#touch", "8")
            tab.wait_for_selector("#event_0_0")
            assert tab.locator("input[name='channel_8'][value='one_to_many']").count() == 0
            hours = tab.inner_text("#hours")
            _nudge(tab, "#event_0_0", "ArrowRight", 8)  # champion loss 0.08 -> about 0.16
            _changes(tab, "#hours", hours)
            edits = tab.inner_text("#edits_text")
            assert re.search(r"champion_loss\.per_account_year=0\.1\d\b", edits), edits

            # QBRs in one-to-many sessions: attendees and session rhythm appear
            tab.select_option("#touch", "5")
            tab.wait_for_selector("input[name='channel_5'][value='one_to_many']")
            hours = tab.inner_text("#hours")
            tab.locator("input[name='channel_5'][value='one_to_many']").check()
            tab.wait_for_selector("#attendees_5")
            tab.wait_for_selector("#session_5")
            _changes(tab, "#hours", hours)
            assert "qbr.max_attendees=20" in tab.inner_text("#edits_text")
            assert "sessions" in tab.inner_text("#touch_text")
            edited_gap = tab.inner_text("#gap")
            tab.screenshot(path=str(tmp_path / "explorer.png"))

            # another team (started at 9 CSMs by --set) and back: the edits are kept
            tab.select_option("#team", "mid")
            tab.wait_for_selector("#csms_1")
            assert tab.input_value("#csms_1") == "9"
            tab.wait_for_function("document.querySelector('#fte').innerText === '6.5'")
            assert f"{STARTED_WITH}   (started with)" in tab.inner_text("#edits_text")
            tab.select_option("#team", "top")
            tab.wait_for_selector("#csms_0")
            tab.wait_for_function(
                "g => document.querySelector('#gap').innerText === g", arg=edited_gap
            )
            assert tab.input_value("#csms_0") == "5"
            tab.wait_for_selector("input[name='channel_4'][value='automated']")
            assert tab.is_checked("input[name='channel_4'][value='automated']")
            assert "segments.top.team.csms=5" in tab.inner_text("#edits_text")

            # Simulate: a progress bar, then the frontier, the sentence and the brief
            tab.click("#simulate")
            tab.wait_for_selector(".shiny-progress-notification", timeout=20_000)
            tab.wait_for_selector("#frontier_plot img", timeout=180_000)
            decision = tab.inner_text("#decision")
            assert decision.startswith("top: by hours you need") and "the plan has 5" in decision
            tab.wait_for_selector("#download_brief:not(.disabled)", timeout=10_000)
            with tab.expect_download() as got:
                tab.click("#download_brief")
            brief = tmp_path / "brief.html"
            got.value.save_as(brief)
            page = brief.read_text(encoding="utf-8")
            assert "what the CS plan delivers" in page and "(top 5, mid 9," in page
            viewer = b.new_page()
            viewer.on("request", lambda r: brief_requests.append(r.url))
            viewer.goto(brief.as_uri())
            assert viewer.locator("figure svg").count() > 0  # charts inline
            viewer.close()

            with tab.expect_download() as got:
                tab.click("#download_yaml")
            text = Path(got.value.path()).read_text(encoding="utf-8")
            teams = load_text(text, "edited.yaml").scenario.all_teams()
            assert (teams["top"].csms, teams["mid"].csms) == (5, 9)
            saved = tmp_path / "edited.yaml"
            saved.write_text(text, encoding="utf-8")
            assert CliRunner().invoke(cli, ["validate", str(saved)]).exit_code == 0

            # an edit after the run: the brief is withdrawn until Simulate is pressed again
            _nudge(tab, "#csms_0", "ArrowRight")
            tab.wait_for_selector("#brief_disabled", timeout=10_000)
            assert tab.inner_text("#decision").startswith("Simulated before your last edits")
        finally:
            b.close()
    assert problems == [], "\n".join(problems)
    outside = [u for u in requests if urlparse(u).hostname != "127.0.0.1"]
    assert requests and outside == []
    assert brief_requests and all(u.startswith(("file:", "data:")) for u in brief_requests)


def test_cli_app_names_the_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    # the package exports serve() under the module's name: fetch the module itself
    module = importlib.import_module("simulator.app.serve")
    monkeypatch.setattr(module, "_NEEDS", ("shiny", "no_such_package_cssim"))
    res = CliRunner().invoke(cli, ["app", "--port", "0"])
    assert res.exit_code == 2
    assert "no_such_package_cssim" in res.output and "cssim[app]" in res.output


def test_cli_app_refuses_a_plan_with_no_team_to_staff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import simulator.app

    monkeypatch.setattr(simulator.app, "serve", lambda *a, **k: pytest.fail("served"))
    plan = tmp_path / "digital.yaml"
    plan.write_text(
        "start_date: 2027-01-01\nsegments:\n  self_serve:\n    accounts: 10\n"
        "    arr: 1000\n    coverage: digital\n    churn: {annual_baseline: 0.1}\n"
        "    touchpoints:\n"
        "      digest: {trigger: {kind: cadence, per_year: 12}, channel: automated}\n"
    )
    assert CliRunner().invoke(cli, ["validate", str(plan)]).exit_code == 0
    res = CliRunner().invoke(cli, ["app", str(plan), "--port", "0"])
    assert res.exit_code == 2 and "no team serves a segment" in res.output, res.output


def test_an_override_with_a_newline_stays_inside_the_yaml_comment(tmp_path: Path) -> None:
    from simulator.app.results import scenario_yaml

    text = scenario_yaml(None, ["name=two\n  words"])
    out = tmp_path / "edited.yaml"
    out.write_text(text)
    assert CliRunner().invoke(cli, ["validate", str(out)]).exit_code == 0
    shown = CliRunner().invoke(cli, ["show", "--set", "name=>-\n  multi\n  line: text"])
    assert shown.exit_code == 0
    (tmp_path / "shown.yaml").write_text(shown.output)
    res = CliRunner().invoke(cli, ["validate", str(tmp_path / "shown.yaml")])
    assert res.exit_code == 0, res.output
