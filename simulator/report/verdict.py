"""The verdict of a run: does each segment meet its targets, in words.

A run's tables give every figure; the verdict says what they mean for the plan: for each
segment with targets, whether enough replications meet each bound
(:func:`simulator.analysis.solve.target_checks`), and for a segment without targets
what the plan delivers on time and at what retention.
"""

from __future__ import annotations

from simulator.analysis.experiment import Experiment
from simulator.analysis.solve import TargetCheck, target_checks

__all__ = ["verdict_lines"]

_NAMES = {
    "grr": "GRR",
    "nrr": "NRR",
    "logo_churn": "logo churn",
    "on_time_coverage": "on-time coverage",
    "on_time_share": "on-time share",
    "utilisation": "utilisation",
}


def _check(c: TargetCheck) -> str:
    name = _NAMES.get(c.target, c.target.replace("_", " "))
    return (
        f"{name} {c.bound} in {100 * c.share_meeting:.0f}% of replications "
        f"(needs {100 * c.confidence:.0f}%)"
    )


def verdict_lines(exp: Experiment) -> list[str]:
    """One sentence per segment: its targets met or missed, with the evidence."""
    checks = target_checks(exp)
    stats = exp.stats()
    out: list[str] = []
    for seg in exp.scenario.segments:
        mine = [c for c in checks if c.segment == seg]
        if mine:
            missed = [c for c in mine if not c.met]
            if missed:
                out.append(
                    f"{seg} misses {len(missed)} of its {len(mine)} targets: "
                    + "; ".join(_check(c) for c in missed)
                    + "."
                )
            else:
                out.append(f"{seg} meets its targets: " + "; ".join(_check(c) for c in mine) + ".")
            continue
        m = stats.get(seg)
        if m is None:
            continue
        out.append(
            f"{seg} has no targets: {100 * m['on_time_share'].mean:.0f}% of touches on time, "
            f"GRR {100 * m['grr'].mean:.1f}%."
        )
    return out
