"""Compatibility name for :mod:`simulator.errors` (where the error types now live)."""

from simulator.errors import (
    Issue,
    Location,
    Path,
    ScenarioError,
    did_you_mean,
    format_path,
    format_value,
    suggestion,
)

__all__ = [
    "Issue",
    "Location",
    "Path",
    "ScenarioError",
    "did_you_mean",
    "format_path",
    "format_value",
    "suggestion",
]
