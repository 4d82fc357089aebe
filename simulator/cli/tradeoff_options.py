"""The options of ``cssim tradeoff`` beyond the shared ones: the candidate rules and the
replications of the precision rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import click

from simulator.analysis.tradeoff_rules import CandidateRules, check_rules
from simulator.cli.common import fail, money
from simulator.scenario.loader import Loaded

__all__ = ["ALLOW", "rules_from_options", "tradeoff_options"]

ALLOW = {
    "renewal-changes": "renewal_changes",
    "onboarding-changes": "onboarding_changes",
    "onboarding-one-to-many": "onboarding_one_to_many",
}
"""``--allow`` values and the :class:`CandidateRules` field each sets."""


def rules_from_options(
    loaded: Loaded, team: str, allow: tuple[str, ...], keep: tuple[str, ...], high: str | None
) -> CandidateRules:
    """The candidate rules from ``--allow``, ``--keep`` and ``--high-touch-arr``."""
    rules = CandidateRules(
        **{field: value in allow for value, field in ALLOW.items()},
        keep=frozenset(keep),
        high_touch_arr=money(high, "--high-touch-arr")
        if high is not None
        else CandidateRules.high_touch_arr,
    )
    for entry in keep:
        try:
            check_rules(loaded.scenario, team, replace(rules, keep=frozenset({entry})))
        except ValueError as exc:
            fail(f"error: --keep {entry}: {exc}")
    return rules


def tradeoff_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--allow, --keep, --high-touch-arr, -n, --seed, --max-replications, -j, --dask."""
    options = [
        click.option(
            "--allow",
            "allow",
            multiple=True,
            type=click.Choice(list(ALLOW)),
            help="Lift a rule (repeatable): renewal-changes lets renewals and EBRs of high-touch "
            "segments be cut, halved or automated; onboarding-changes lets the onboarding "
            "touches of high-touch segments be cut, halved or automated; "
            "onboarding-one-to-many lets implementation and onboarding touches move to "
            "one_to_many sessions.",
        ),
        click.option(
            "--keep",
            "keep",
            multiple=True,
            metavar="TOUCHPOINT",
            help="Never change this touchpoint (repeatable): NAME in every segment of the team, or "
            "SEGMENT.NAME; 'inbound' keeps the inbound routing.",
        ),
        click.option(
            "--high-touch-arr",
            default=None,
            metavar="AMOUNT",
            help="Starting ARR per account from which a dedicated segment is high-touch (its "
            "renewals and EBRs are kept). [default: 100k]",
        ),
        click.option(
            "-n",
            "--replications",
            type=click.IntRange(1, 100_000),
            default=10,
            show_default=True,
            help="Monte Carlo replications per candidate change.",
        ),
        click.option(
            "--seed",
            type=click.IntRange(0, 2**63 - 1),
            default=None,
            help="Root seed (default: the scenario's seed).",
        ),
        click.option(
            "--max-replications",
            type=click.IntRange(2, 100_000),
            default=40,
            show_default=True,
            help="Most replications the pick and its rivals get while the paired 95% CI of their "
            "net-value difference includes 0.",
        ),
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(1, 1024),
            default=None,
            help="Worker processes (default: all cores; 1 runs in this process).",
        ),
        click.option(
            "--dask",
            metavar="ADDRESS",
            default=None,
            help="Run replications on a Dask scheduler (tcp://host:8786), or 'local' for a "
            "LocalCluster on this machine; needs cssim[distributed].",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn
