"""Queueing formulas for pooled teams: Erlang B and Erlang C (M/M/c).

Erlang C is computed from the numerically stable Erlang B recursion, as pyworkforce
does, so large teams do not overflow factorials.
"""

from __future__ import annotations

import math

__all__ = ["erlang_b", "erlang_c", "mmc_mean_wait", "mmc_wait_probability"]


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of an M/M/c/c system with ``load`` = arrival rate / service rate."""
    if servers < 0 or load < 0:
        raise ValueError(f"servers and load must be >= 0 (got servers={servers}, load={load})")
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (1 when ``load >= servers``)."""
    if servers <= 0 or load >= servers:
        return 1.0
    b = erlang_b(servers, load)
    return servers * b / (servers - load * (1 - b))


def mmc_wait_probability(servers: int, arrival_rate: float, service_rate: float) -> float:
    """P(wait > 0) in M/M/c with the given rates (per unit time)."""
    return erlang_c(servers, arrival_rate / service_rate)


def mmc_mean_wait(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Mean wait in queue of M/M/c (same time unit as the rates); inf when unstable."""
    load = arrival_rate / service_rate
    if load >= servers:
        return math.inf
    return erlang_c(servers, load) / (servers * service_rate - arrival_rate)
