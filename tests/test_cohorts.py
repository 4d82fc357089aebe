"""Retention of the starting book and of new-logo cohorts, reported separately."""

from __future__ import annotations

import math

import numpy as np

from simulator.engine.simulation import simulate
from simulator.scenario.loader import load_scenario

TOP_ONLY = ["segments.mid=null", "segments.smb=null"]


def test_a_book_without_new_logos_has_no_cohort_figures() -> None:
    m = simulate(load_scenario(None, [*TOP_ONLY, "horizon_days=120"]), 0, 3).summary()["top"]
    assert m["new_accounts"] == 0 and m["new_renewals"] == 0
    for name in ("new_logo_churn", "new_expected_logo_churn", "new_renewal_churn", "new_grr"):
        assert math.isnan(m[name]), name
    assert 0 < m["grr"] <= 1


def test_cohort_figures_are_those_of_the_new_logos(scenarios_dir) -> None:
    rec = simulate(load_scenario(scenarios_dir / "sales_pod.yaml"), 1)
    m = rec.summary()["pod"]
    a, r = rec.accounts, rec.renewals
    new = ~a["starting"]
    assert not a["starting"].any() and math.isnan(m["grr"])  # an empty starting book
    assert m["new_accounts"] == new.sum() > 0
    assert m["new_logo_churn"] == a["churned"][new].mean()
    mine = np.isin(r["account"], np.flatnonzero(new))
    assert m["new_renewals"] == mine.sum() > 0
    assert m["new_expected_logo_churn"] * new.sum() == np.float64(r["probability"][mine].sum())
    assert m["new_renewal_churn"] == r["probability"][mine].mean()
    arr0, arr1 = a["arr_start"][new], a["arr_end"][new]
    assert m["new_grr"] == np.minimum(arr0, arr1).sum() / arr0.sum()
    assert m["new_nrr"] == arr1.sum() / arr0.sum()
    assert m["new_grr"] <= 1.0


def test_an_overloaded_pod_csm_costs_new_logo_retention(scenarios_dir) -> None:
    """Paired over replications: one CSM for the pod against three (same logos, same draws)."""
    path = scenarios_dir / "sales_pod.yaml"
    one = load_scenario(path)
    three = load_scenario(path, ["segments.pod.team.csms=3"])
    worse = 0
    for rep in range(4):
        a, b = simulate(one, rep).summary()["pod"], simulate(three, rep).summary()["pod"]
        assert a["new_accounts"] == b["new_accounts"]
        assert a["new_renewals"] == b["new_renewals"]  # the same arrivals and renewal days
        worse += a["new_renewal_churn"] > b["new_renewal_churn"]
        assert a["new_grr"] < b["new_grr"] + 0.02
    assert worse == 4
