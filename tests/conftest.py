"""Shared fixtures: paths to the repository's scenarios and test data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def scenarios_dir() -> Path:
    return SCENARIOS


@pytest.fixture
def data_dir() -> Path:
    return DATA


MINIMAL = """\
start_date: 2027-01-01
segments:
  core:
    accounts: 20
    arr: 50000
    team: {csms: 2, annual_cost_per_csm: 150000}
    churn: {annual_baseline: 0.1}
"""


@pytest.fixture
def minimal_text() -> str:
    return MINIMAL


SMALL = """\
name: Small book
start_date: 2027-01-01
segments:
  core:
    accounts: 40                      # D: a test book
    arr: {dist: lognormal, mean: 60000, cv: 0.3}
    team: {csms: 2, annual_cost_per_csm: 150000}
    churn: {annual_baseline: 0.1}     # assumption: test churn
    touchpoints:
      qbr: {trigger: {kind: cadence, per_year: 4}, hours: 5}
      health_check: {trigger: {kind: cadence, per_year: 6}, hours: 2}
      training: {trigger: {kind: stage_entry, stage: adoption}, hours: 4}
    targets:
      grr: {min: 0.85, confidence: 0.8}
"""
"""A 40-account, two-CSM book with a GRR target: the packs' and briefs' small plan."""
