"""Decisions under uncertainty: a probabilistic sensitivity analysis (PSA) of options.

Each outer draw samples every uncertain input once (:mod:`simulator.scenario.uncertain`);
every option is simulated with the same draw (paired) and the same inner replications
(common random numbers: replication ``draw * inner + r``). With no uncertain input a draw
is just a replication, so the PSA of fixed inputs is ``compare`` on the same segments.
Only the segments the options change are simulated (:mod:`~.decide_scope`); net value
follows :mod:`simulator.analysis.value`, with every option valuing an ARR dollar as the
first option does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.analysis.decide_scope import changed_segments, reduced_data
from simulator.analysis.experiment import ReplicationResult, run_jobs
from simulator.analysis.value import SegmentValue, arr_value, segment_values
from simulator.scenario.loader import Loaded, loaded_variants
from simulator.scenario.model import Scenario
from simulator.scenario.uncertain import (
    UncertainInput,
    apply_values,
    draw_values,
    scenario_with,
    shared_inputs,
)

__all__ = [
    "MAX_JOBS",
    "Option",
    "Psa",
    "arr_values",
    "build_points",
    "option_of",
    "options_of",
    "psa",
    "values_of",
]

_PARTS = (
    "plan",
    "arr_end",
    "indirect_tail",
    "revenue",
    "margin",
    "people_cost",
    "automation_cost",
    "support_cost",
)
"""The :class:`~simulator.analysis.value.SegmentValue` fields a PSA sums over segments."""

MAX_JOBS = 200_000
"""Most replications one decision may ask for (draws x inner x options): beyond it the
run would take hours; the caller is told to lower --draws or --inner."""


@dataclass(frozen=True)
class Option:
    """One alternative of a decision: its label and its scenario data (validated)."""

    label: str
    data: dict[str, Any]
    scenario: Scenario


def option_of(label: str, loaded: Loaded) -> Option:
    """The option a loaded scenario file stands for."""
    return Option(label, loaded.data, loaded.scenario)


def options_of(
    label: str, loaded: Loaded, variants: dict[str, Loaded] | None = None
) -> list[Option]:
    """The file as an option, then each of its ``variants:`` (``label:name``); pass
    ``variants`` when they are already loaded (:func:`loaded_variants`)."""
    if variants is None:
        variants = loaded_variants(loaded)
    return [option_of(label, loaded)] + [
        option_of(f"{label}:{name}", v) for name, v in variants.items()
    ]


@dataclass
class Psa:
    """Net values of every option in every outer draw (means over inner replications).

    Arrays are (draws, options) in the scenario's currency; ``inner`` is
    (draws, options, replications) of the horizon net value.
    """

    labels: list[str]
    inputs: list[UncertainInput]
    segments: list[str]
    theta: np.ndarray
    """(draws, inputs): the value of each uncertain input in each draw."""
    plan: np.ndarray
    """Net value over the plan: margin on revenue + indirect value - CS cost."""
    arr_end: np.ndarray
    """Expected ARR held at the end of the plan (churn at its probability)."""
    tail: np.ndarray
    """Value of that ARR over the valuation horizon (each segment's value per dollar)."""
    indirect_tail: np.ndarray
    """Indirect value of the accounts held at the end, over the valuation horizon."""
    inner: np.ndarray
    replications: int
    root_seed: int
    arr_value: float
    """The stated value of an ARR dollar (ARR-weighted over the segments, first option)."""
    components: dict[str, np.ndarray] = field(default_factory=dict)
    """(draws, options) means of revenue, margin, people, automation and support cost."""
    seconds: float = 0.0

    @property
    def horizon(self) -> np.ndarray:
        """Net value over the plan and the valuation horizon, (draws, options)."""
        return self.plan + self.tail + self.indirect_tail

    @property
    def draws(self) -> int:
        """Number of outer draws."""
        return int(self.plan.shape[0])


def values_of(
    scenario: Scenario, result: ReplicationResult, segments: Sequence[str]
) -> dict[str, SegmentValue]:
    """Net value of each simulated segment in one replication."""
    return segment_values(scenario, result.segments, segments)


def arr_values(scenario: Scenario, segments: Sequence[str]) -> dict[str, float]:
    """Value of one ARR dollar held at the end, per segment (currency per dollar)."""
    return {s: arr_value(scenario.economics, scenario.segments[s]) for s in segments}


def _stated_value(lam: dict[str, float], scenario: Scenario, segments: Sequence[str]) -> float:
    """The value of an ARR dollar, weighted by each segment's ARR at the start."""
    weights = {s: scenario.segments[s].starting_arr for s in segments}
    total = sum(weights.values())
    if total <= 0:
        return float(np.mean(list(lam.values()))) if lam else 0.0
    return float(sum(lam[s] * weights[s] for s in segments) / total)


def build_points(
    options: Sequence[Option],
    inputs: Sequence[UncertainInput],
    points: np.ndarray,
    segments: Sequence[str],
) -> list[list[Scenario]]:
    """Per point (a row of input values) and option, the scenario to simulate."""
    out: list[list[Scenario]] = []
    for row in points:
        per: list[Scenario] = []
        for opt in options:
            data = apply_values(opt.data, inputs, list(row)) if inputs else opt.data
            # each option keeps its own burn-in (its default depends on every segment)
            burn = opt.scenario.resolved_burn_in_days
            per.append(scenario_with(reduced_data(data, segments, burn), [], []))
        out.append(per)
    return out


def psa(
    options: Sequence[Option],
    draws: int,
    inner: int = 1,
    root_seed: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    loadeds: Sequence[Loaded] | None = None,
) -> Psa:
    """Simulate every option in ``draws`` outer draws of ``inner`` replications each.

    Parameters
    ----------
    options
        Two or more alternatives; the first sets the seed and the uncertain inputs.
    draws, inner
        Outer draws of the uncertain inputs, and replications per draw and option.
    root_seed
        Root of every stream (the first option's ``seed`` when None).
    loadeds
        The loaded files behind the options, to check they declare the same uncertain
        inputs (:func:`~simulator.scenario.uncertain.shared_inputs`).

    Raises
    ------
    ValueError
        Fewer than two options, a count below 1, or more work than :data:`MAX_JOBS`.
    """
    if len(options) < 2:
        raise ValueError("a decision needs at least two options")
    if draws < 1 or inner < 1:
        raise ValueError("draws and inner replications must be at least 1")
    jobs_total = draws * inner * len(options)
    if jobs_total > MAX_JOBS:
        raise ValueError(
            f"{draws} draws x {inner} replications x {len(options)} options is {jobs_total:,} "
            f"replications, more than the {MAX_JOBS:,} a decision may run; lower the draws "
            "or the inner replications"
        )
    started = time.perf_counter()
    seed = options[0].scenario.seed if root_seed is None else int(root_seed)
    inputs = shared_inputs(list(loadeds)) if loadeds else []
    segments = changed_segments([o.scenario for o in options])
    if not segments:
        raise ValueError(
            "the options are identical in everything that is simulated, so there is nothing "
            "to decide; change a plan, a team or the economics in one of them"
        )
    for opt in options:
        missing = [s for s in segments if s not in opt.scenario.segments]
        if missing:
            raise ValueError(
                f"option {opt.label} has no segment {', '.join(missing)} that another option "
                "has; options are weighed over the same segments: keep the segment and "
                "change its plan or team instead"
            )
    theta = draw_values(inputs, draws, seed) if inputs else np.zeros((draws, 0))
    if inputs:
        scenarios = build_points(options, inputs, theta, segments)
    else:
        fixed = build_points(options, [], np.zeros((1, 0)), segments)[0]
        scenarios = [fixed] * draws
    jobs = [
        (scenarios[d][o], d * inner + r)
        for d in range(draws)
        for o in range(len(options))
        for r in range(inner)
    ]
    results = run_jobs(jobs, seed, executor, progress)
    n_opt = len(options)
    sums = {f: np.zeros((draws, n_opt, inner)) for f in (*_PARTS, "tail")}
    k = 0
    for d in range(draws):
        lam = arr_values(scenarios[d][0], segments)
        for o in range(n_opt):
            for r in range(inner):
                for seg, v in values_of(scenarios[d][o], results[k], segments).items():
                    for f in _PARTS:
                        sums[f][d, o, r] += getattr(v, f)
                    sums["tail"][d, o, r] += lam[seg] * v.arr_end
                k += 1
    lam0 = arr_values(options[0].scenario, segments)
    stated = _stated_value(lam0, options[0].scenario, segments)
    mean = {f: x.mean(axis=2) for f, x in sums.items()}
    return Psa(
        labels=[o.label for o in options],
        inputs=list(inputs),
        segments=list(segments),
        theta=theta,
        plan=mean["plan"],
        arr_end=mean["arr_end"],
        tail=mean["tail"],
        indirect_tail=mean["indirect_tail"],
        inner=sums["plan"] + sums["tail"] + sums["indirect_tail"],
        replications=inner,
        root_seed=seed,
        arr_value=float(stated),
        components={
            "revenue": mean["revenue"],
            "margin": mean["margin"],
            "people": mean["people_cost"],
            "automation": mean["automation_cost"],
            "support": mean["support_cost"],
        },
        seconds=time.perf_counter() - started,
    )
