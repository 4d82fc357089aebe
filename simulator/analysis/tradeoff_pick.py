"""The pick of a tradeoff: the plan with the highest expected net value, stated only as
far as the replications can tell it from the runner-up.

The precision rule: rank the plans that fit by mean net value; a plan whose paired 95% CI
of net value against the best lies wholly below zero is out. While more than one plan is
in and fewer than ``max_replications`` replications have run, double the replications of
the plans still in (the same replication indices: common random numbers, paired) and
rank again. It ends with one plan (**distinct**: above the runner-up, the best plan ruled
out in the last round, at 95% on the same replications), or at the maximum with plans that
**cannot be told apart**. Then the tie goes, by a
fixed rule, to the plan with the fewest changes, then the most CSM hours freed, then the
first label in alphabetical order; the others stay on show.

A run with fewer replications reaches the same replications as one with more once it
has to add them, so two replication counts give the same pick or the same "cannot be
told apart" unless the difference is resolved on the way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from simulator.analysis.compare import Difference
from simulator.analysis.tradeoff_score import Scored, paired

__all__ = ["Verdict", "pick", "tie_key"]


@dataclass(frozen=True)
class Verdict:
    """The pick, the runner-up and whether the replications tell them apart."""

    pick: Scored
    runner_up: Scored | None
    """The next best plan (None: only one plan fits)."""
    difference: Difference | None
    """Net value of the pick minus the runner-up's (paired, currency)."""
    distinct: bool
    """Whether the precision rule left the pick alone: its net value is above the
    runner-up's at 95% on the same replications (every other plan fell below the best
    of the round it was ruled out in), or it is the only plan."""
    tied: tuple[Scored, ...]
    """Plans that cannot be told apart from the pick (the pick included; empty when
    distinct)."""
    replications: int
    """Replications of the pick when the rule stopped."""
    max_replications: int


def tie_key(x: Scored) -> tuple[int, float, str]:
    """The tie rule: fewest changes, then most hours freed, then the label."""
    return (len(x.changes), -x.hours_freed, x.label)


def _mean(x: Scored) -> float:
    return float(x.values.mean()) if len(x.values) else float("-inf")


def _below(best: Scored, other: Scored) -> bool:
    """Whether ``other``'s net value is below ``best``'s with 95% confidence."""
    d = paired("", "net_value", other.values, best.values)
    return d.n >= 2 and d.low > 0


def pick(
    options: Sequence[Scored],
    extend: Callable[[list[Scored], int], list[Scored]],
    max_replications: int,
) -> Verdict | None:
    """The plan to recommend among ``options`` (None when there is none).

    Parameters
    ----------
    options
        Plans that fit the offered headcount, scored on the same replications.
    extend
        ``extend(plans, n)``: the plans re-scored on replications 0..n-1.
    max_replications
        Stop adding replications here (at least the replications already run).
    """
    if not options:
        return None
    pool = list(options)
    while True:
        pool.sort(key=_mean, reverse=True)
        best = pool[0]
        # the plans this round rules out were compared with this best on its replications
        out = [x for x in pool[1:] if _below(best, x)]
        pool = [best] + [x for x in pool[1:] if x not in out]
        n = best.replications
        if len(pool) == 1 or n >= max_replications:
            break
        pool = extend(pool, min(max_replications, 2 * n))
    distinct = len(pool) == 1
    chosen = best if distinct else min(pool, key=tie_key)
    # distinct: the runner-up is the best of those ruled out in the last round (the pick
    # is above it at 95% on the same replications); plans ruled out in earlier rounds
    # were below that round's best, not necessarily tested against the pick
    rivals = out if distinct else pool
    others = [x for x in rivals if x.label != chosen.label]
    runner = max(others, key=_mean) if others else None
    diff = paired("", "net_value", runner.values, chosen.values) if runner is not None else None
    return Verdict(
        chosen,
        runner,
        diff,
        distinct,
        () if distinct else tuple(sorted(pool, key=tie_key)),
        chosen.replications,
        max_replications,
    )
