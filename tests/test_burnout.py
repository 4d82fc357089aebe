"""Burnout: chronic overload raises attrition; off, nothing changes."""

from __future__ import annotations

import numpy as np

from simulator.engine.simulation import simulate
from simulator.scenario.loader import load_text

OVERLOADED = """\
name: Overloaded team
start_date: 2027-01-01
horizon_days: 540
seed: 9
segments:
  book:
    accounts: 160
    arr: {dist: lognormal, mean: 40000, cv: 0.4}
    coverage: dedicated
    team:
      csms: 3
      annual_cost_per_csm: 150000
      annual_attrition: 0.3
      hiring_lead_days: 60
    lifecycle: {onboarding_days: 45, adoption_days: 60, renewal_window_days: 90}
    touchpoints:
      kickoff: {trigger: {kind: stage_entry, stage: onboarding}, hours: 4}
      check_in: {trigger: {kind: cadence, per_year: 12}, hours: 2}
      renewal: {trigger: {kind: before_renewal, days: 60}, hours: 3}
    churn: {annual_baseline: 0.1}
"""
"""About 1.6 times the hours three CSMs have: every CSM is busy all the time."""

BURNOUT = (
    "segments.book.team.burnout={utilisation_threshold: 0.85, window_days: 60, "
    "attrition_multiplier: 3}"
)


def _staff(*overrides: str, rep: int) -> dict[str, np.ndarray]:
    return simulate(load_text(OVERLOADED, "o.yaml", overrides).scenario, rep).staff


def _leavers(staff: dict[str, np.ndarray], horizon: float = 540.0) -> int:
    return int((staff["left"] < horizon).sum())


def test_chronic_overload_makes_more_leavers_paired_over_seeds() -> None:
    on = off = 0
    for rep in range(8):
        a, b = _staff(rep=rep), _staff(BURNOUT, rep=rep)
        assert b["joined"][:3].tolist() == a["joined"][:3].tolist()
        # the same draw per seat: a starting CSM never stays longer when burnt out
        assert (b["left"][:3] <= a["left"][:3] + 1e-9).all()
        off += _leavers(a)
        on += _leavers(b)
    assert on > off * 1.5, (on, off)


def test_burnout_that_never_triggers_leaves_the_same_days() -> None:
    # a multiplier of 1 (or a threshold of 1, never exceeded) keeps the base hazard, so
    # every CSM leaves on the day the constant-hazard draw says (up to rounding)
    for never in (
        "segments.book.team.burnout={attrition_multiplier: 1}",
        "segments.book.team.burnout={utilisation_threshold: 1.0, attrition_multiplier: 5}",
    ):
        _same_days(never)


def _same_days(never: str) -> None:
    for rep in range(3):
        a, b = _staff(rep=rep), _staff(never, rep=rep)
        assert len(a["left"]) == len(b["left"])
        assert np.allclose(a["left"], b["left"], rtol=0, atol=1e-6)


def test_burnout_off_is_the_default_and_changes_nothing() -> None:
    s = load_text(OVERLOADED, "o.yaml").scenario
    assert s.segments["book"].team.burnout is None  # type: ignore[union-attr]
    a = simulate(s, 2)
    b = simulate(load_text(OVERLOADED, "o.yaml", ["segments.book.team.burnout=null"]).scenario, 2)
    for part in ("tasks", "staff", "renewals"):
        for key, col in getattr(a, part).items():
            assert np.array_equal(col, getattr(b, part)[key], equal_nan=col.dtype.kind == "f")


def test_no_attrition_means_no_burnout_leavers() -> None:
    staff = _staff(BURNOUT, "segments.book.team.annual_attrition=0", rep=0)
    assert _leavers(staff) == 0
