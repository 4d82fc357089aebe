"""Parameter sweeps: a grid of scenario overrides, each point simulated on the same seeds."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from simulator.analysis.experiment import Experiment, run_points
from simulator.errors import Hint, Issue, Location, ScenarioError, hinted

__all__ = ["Sweep", "parse_vary", "sweep_grid"]

_RANGE = re.compile(r"^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*(?::\s*(\d+))?\s*$")


def parse_vary(text: str) -> tuple[str, list[str]]:
    """``segments.top.team.csms=4..10`` -> (path, ["4", ..., "10"]).

    Values: an integer range ``a..b`` (inclusive, optional ``:step``), or a comma list of
    YAML values (``0.5,0.7,0.9``, ``automated,one_to_one``).
    """
    where = Location(hinted(Hint("varies", [text], text)))
    if "=" not in text:
        raise ScenarioError(
            [Issue("expected PATH=VALUES, e.g. segments.top.team.csms=4..10", location=where)],
            "reading the sweep",
        )
    path, spec = text.split("=", 1)
    m = _RANGE.match(spec)
    if m:
        a, b, step = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
        if b < a or step < 1 or (b - a) // step > 10_000:
            raise ScenarioError(
                [
                    Issue(
                        "a range needs a <= b, a step >= 1 and at most 10,000 values",
                        location=where,
                    )
                ],
                "reading the sweep",
            )
        values = [str(v) for v in range(a, b + 1, step)]
    else:
        values = [v.strip() for v in spec.split(",") if v.strip()]
    if not path.strip() or not values:
        raise ScenarioError(
            [
                Issue(
                    "give a path and at least one value, e.g. segments.top.team.csms=4..10",
                    location=where,
                )
            ],
            "reading the sweep",
        )
    return path.strip(), values


def sweep_grid(varies: Sequence[str]) -> tuple[list[str], list[tuple[str, ...]]]:
    """The paths and every combination of their values (the grid's points)."""
    parsed = [parse_vary(v) for v in varies]
    paths = [p for p, _ in parsed]
    points = list(itertools.product(*[vals for _, vals in parsed]))
    return paths, points


@dataclass
class Sweep:
    """A grid of points and the experiment at each."""

    paths: list[str]
    points: list[tuple[str, ...]]
    experiments: list[Experiment]

    def rows(self) -> list[dict[str, Any]]:
        """Tidy table: point x segment x metric with mean, CI and P10/P50/P90."""
        out = []
        for point, exp in zip(self.points, self.experiments, strict=True):
            base = {path: _plain(value) for path, value in zip(self.paths, point, strict=True)}
            for row in exp.rows():
                out.append({**base, **row})
        return out


def _plain(value: str) -> Any:
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


def run_sweep(
    load: Callable[[list[str]], Any],
    varies: Sequence[str],
    replications: int,
    root_seed: int | None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Sweep:
    """Load the scenario at every grid point (``load(overrides)``) and simulate all points.

    All points are dispatched together, so a process pool or cluster stays busy across the
    grid; every point uses the same seed.
    """
    paths, points = sweep_grid(varies)
    scenarios = [load([f"{p}={v}" for p, v in zip(paths, point, strict=True)]) for point in points]
    seed = scenarios[0].seed if root_seed is None else int(root_seed)
    experiments = run_points(scenarios, replications, seed, executor, progress)
    return Sweep(paths, points, experiments)
