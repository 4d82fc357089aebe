"""The explorer (``cssim app``): its pure logic, and the page driven in headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner

from simulator.app.model import (
    Edits,
    decision_sentence,
    numbers_for,
    overrides_for,
    scenario_yaml,
    summary_markdown,
)
from simulator.cli import cli
from simulator.scenario.loader import load, load_text
from simulator.scenario.model import Scenario


@pytest.fixture(scope="module")
def base() -> Scenario:
    return load(None).scenario


def test_no_edit_is_no_override_and_the_plans_numbers(base: Scenario) -> None:
    e = Edits(
        csms={"top": 8},
        per_year={("top", "qbr"): 3.0},
        channel={("top", "qbr"): "one_to_one"},
        support_share={"top": 0.5},
    )
    assert overrides_for(base, e) == []
    n = numbers_for(None, base, e, "top")
    assert (n.csms, n.csms_needed, n.gap) == (8, 8, 0)
    assert n.fte_needed == pytest.approx(7.9, abs=0.05)
    assert n.demand_hours == pytest.approx(8163, abs=1)
    assert n.people_cost_needed == 8 * 180_000


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


def test_downloads_load_back_and_say_what_changed(base: Scenario) -> None:
    edits = overrides_for(base, Edits(csms={"mid": 9}, per_year={("top", "health_check"): 7.5}))
    text = scenario_yaml(None, edits)
    assert "--set segments.mid.team.csms=9" in text
    again = load_text(text, "edited.yaml").scenario
    assert again.all_teams()["mid"].csms == 9
    hc = again.segments["top"].touchpoints["health_check"].trigger
    assert getattr(hc, "per_year", None) == 7.5
    md = summary_markdown(numbers_for(None, base, Edits(csms={"mid": 9}), "mid"), edits, "Plan")
    assert "| CSMs planned | 9 |" in md and "`--set segments.mid.team.csms=9`" in md


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
    assert res.exit_code == 0 and "127.0.0.1" in res.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("start_date: 2027-01-01\nsegments: {top: {accounts: -1}}\n")
    res = CliRunner().invoke(cli, ["app", str(bad), "--port", "0"])
    assert res.exit_code == 2, res.output
    assert "bad.yaml" in res.output


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture()
def server() -> Iterator[str]:
    from simulator.app.serve import free_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "app", "--port", str(port)],
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


def test_explorer_in_chromium(server: str, tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        if os.environ.get("CSSIM_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (make test installs Debian's chromium)")
        pytest.skip("chromium not installed; make test installs it")
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=browser, args=["--no-sandbox"])
        try:
            tab = b.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: problems.append(str(e)))
            tab.on("request", lambda r: requests.append(r.url))
            tab.on("websocket", lambda w: requests.append(w.url))
            tab.goto(server)
            tab.wait_for_selector("#hours_plot img", timeout=20_000)
            assert tab.inner_text("#fte") == "7.9"
            assert tab.inner_text("#gap") == "0 (enough)"
            figure = tab.get_attribute("#hours_plot img", "src")

            # three CSMs fewer: the gap and the figure change
            tab.locator("#csms_0").locator("xpath=..").locator(".irs-handle").first.click()
            for _ in range(3):
                tab.keyboard.press("ArrowLeft")
            tab.wait_for_function("document.querySelector('#gap').innerText === '+3 CSMs'")
            tab.wait_for_function(
                "s => document.querySelector('#hours_plot img').src !== s", arg=figure
            )
            # an automated health check: fewer customer hours
            hours = tab.inner_text("#hours")
            tab.locator("input[name='channel_0'][value='automated']").check()
            tab.wait_for_function(
                "h => document.querySelector('#hours').innerText !== h", arg=hours
            )
            assert "channel=automated" in tab.inner_text("#edits_text")
            edited_gap = tab.inner_text("#gap")
            tab.screenshot(path=str(tmp_path / "explorer.png"))
            # another team and back: the edits are kept, its controls show them
            tab.select_option("#team", "mid")
            tab.wait_for_function("document.querySelector('#csms_1') !== null")
            tab.wait_for_function("document.querySelector('#fte').innerText === '6.5'")
            tab.select_option("#team", "top")
            tab.wait_for_function("document.querySelector('#csms_0') !== null")
            tab.wait_for_function(
                "g => document.querySelector('#gap').innerText === g", arg=edited_gap
            )
            assert tab.input_value("#csms_0") == "5"
            assert tab.is_checked("input[name='channel_0'][value='automated']")
            assert "segments.top.team.csms=5" in tab.inner_text("#edits_text")

            tab.click("#simulate")
            tab.wait_for_selector("#frontier_plot img", timeout=40_000)
            decision = tab.inner_text("#decision")
            assert decision.startswith("top: by hours you need") and "the plan has 5" in decision

            with tab.expect_download() as got:
                tab.click("#download_yaml")
            text = Path(got.value.path()).read_text(encoding="utf-8")
            assert load_text(text, "edited.yaml").scenario.all_teams()["top"].csms == 5
        finally:
            b.close()
    assert problems == []
    outside = [u for u in requests if urlparse(u).hostname != "127.0.0.1"]
    assert requests and outside == []


def test_cli_app_names_the_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    # the package exports serve() under the module's name: fetch the module itself
    module = importlib.import_module("simulator.app.serve")
    monkeypatch.setattr(module, "_NEEDS", ("shiny", "no_such_package_cssim"))
    res = CliRunner().invoke(cli, ["app", "--port", "0"])
    assert res.exit_code == 2
    assert "no_such_package_cssim" in res.output and "cssim[app]" in res.output
