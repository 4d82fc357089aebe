"""calibrate/analyze --activities and backtest through the command line (CliRunner).

The data are a small synthetic history (simulator.synthetic.write_history), labelled
SYNTHETIC in its files.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from simulator.cli import cli
from simulator.scenario.loader import load
from simulator.synthetic import DEFAULT_HISTORY_TRUTH, write_history

AS_OF = DEFAULT_HISTORY_TRUTH.as_of.isoformat()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("history")
    write_history(out, dataclasses.replace(DEFAULT_HISTORY_TRUTH, logos_per_month=25.0), seed=3)
    return out


def _invoke(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


def test_calibrate_writes_the_estimates_with_their_evidence(history: Path, tmp_path: Path) -> None:
    out = tmp_path / "fitted.yaml"
    res = _invoke(
        "calibrate",
        str(history / "customers.csv"),
        "--activities",
        str(history / "activities.csv"),
        "--as-of",
        AS_OF,
        "-o",
        str(out),
    )
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    text = out.read_text(encoding="utf-8")
    assert "Evidence from the activity history" in res.output  # type: ignore[attr-defined]
    data = YAML(typ="safe").load(text)
    block = data["uncertain"]
    # estimated effects carry their evidence; the rest keep the plan's distributions
    lines = {
        line.split(":")[0].strip(): line
        for line in text.splitlines()
        if line.startswith("  segments.*")
    }
    assert "# data:" in lines["segments.*.churn.coverage_effect"]
    assert "profile likelihood" in lines["segments.*.churn.coverage_effect"]
    assert "segments.*.churn.late_credit_half_life_days" in block
    assert "the data could not identify it" in lines["segments.*.churn.responsiveness_effect"]
    loaded = load(out)  # the written scenario loads, uncertain block and all
    seg = next(iter(loaded.scenario.segments.values()))
    assert seg.churn.coverage_effect == pytest.approx(
        block["segments.*.churn.coverage_effect"]["mean"], rel=0.2
    )
    assert "data: fitted with the effects" in text
    assert "people logged activities" in text  # teams from the history's owners


def test_analyze_shows_the_evidence_in_every_format(history: Path, tmp_path: Path) -> None:
    base = [
        "analyze",
        str(history / "customers.csv"),
        "--activities",
        str(history / "activities.csv"),
        "--as-of",
        AS_OF,
    ]
    res = _invoke(*base)
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    out = res.output  # type: ignore[attr-defined]
    for text in (
        "Effects estimated from the history",
        "Churn by coverage received",
        "observational",
        "Email",
    ):
        assert text in out
    res = _invoke(*base, "--format", "json")
    doc = json.loads(res.output)  # type: ignore[attr-defined]
    effects = {e["name"]: e for e in doc["evidence"]["effects"] if e["section"] == "effect"}
    assert effects["coverage_effect"]["identified"] is True
    assert effects["responsiveness_effect"]["identified"] is False
    xlsx = tmp_path / "book.xlsx"
    assert _invoke(*base, "-o", str(xlsx)).exit_code == 0  # type: ignore[attr-defined]
    assert "Effects" in openpyxl.load_workbook(xlsx).sheetnames


def test_activity_options_are_checked(history: Path) -> None:
    customers = str(history / "customers.csv")
    res = _invoke("analyze", customers, "--activity-map", "Email=-")
    assert res.exit_code == 2 and "need --activities" in res.output  # type: ignore[attr-defined]
    res = _invoke(
        "analyze",
        customers,
        "--as-of",
        AS_OF,
        "--activities",
        str(history / "activities.csv"),
        "--activity-map",
        "Email=qbrr",
    )
    assert res.exit_code == 2  # type: ignore[attr-defined]
    assert (
        "--activity-map 'Email=qbrr': there is no touchpoint 'qbrr'; did you mean 'qbr'"
        in res.output
    )  # type: ignore[attr-defined]
    assert "Traceback" not in res.output  # type: ignore[attr-defined]


def test_a_history_of_other_accounts_is_explained_not_a_traceback(history: Path) -> None:
    corpus = Path(__file__).parent / "data" / "messy" / "activities_generic.csv"
    res = _invoke(
        "analyze", str(history / "customers.csv"), "--as-of", AS_OF, "--activities", str(corpus)
    )
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    out = res.output  # type: ignore[attr-defined]
    assert "not in the customer list" in out
    assert "no estimate" in out


def test_backtest_compares_prediction_with_what_happened(history: Path, tmp_path: Path) -> None:
    csv_out = tmp_path / "bt.csv"
    res = _invoke(
        "backtest",
        str(history / "customers.csv"),
        "--activities",
        str(history / "activities.csv"),
        "--as-of",
        "2025-10-31",
        "--list-date",
        AS_OF,
        "-n",
        "20",
        "--format",
        "json",
        "-o",
        str(csv_out),
        "--charts",
        str(tmp_path / "charts"),
    )
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    doc = json.loads(res.stdout)  # type: ignore[attr-defined]
    assert {c["metric"] for c in doc["checks"]} == {"churned_logos", "churned_arr", "grr", "nrr"}
    assert len(doc["deciles"]) == 10
    assert 0 <= doc["brier"] <= 1 and 0 <= doc["brier_naive"] <= 1
    assert sum(d["accounts"] for d in doc["deciles"]) == doc["accounts"]
    # accounts renewing in the period get a churn probability; the deciles are ordered
    assert doc["deciles"][-1]["predicted"] > 0
    preds = [d["predicted"] for d in doc["deciles"]]
    assert preds == sorted(preds)
    assert csv_out.read_text(encoding="utf-8").startswith("section,segment,measure")
    assert (tmp_path / "charts" / "backtest_calibration.png").exists()


def test_backtest_refuses_a_period_past_the_list(history: Path) -> None:
    res = _invoke(
        "backtest",
        str(history / "customers.csv"),
        "--activities",
        str(history / "activities.csv"),
        "--as-of",
        "2026-06-30",
        "--list-date",
        AS_OF,
        "-n",
        "20",
    )
    assert res.exit_code == 2  # type: ignore[attr-defined]
    assert "runs past the list's date" in res.output  # type: ignore[attr-defined]
    res = _invoke("backtest", str(history / "customers.csv"), "--as-of", "2025-10-31")
    assert res.exit_code == 2 and "needs --activities" in res.output  # type: ignore[attr-defined]
