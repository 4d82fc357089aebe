"""Targets written as text (``top.grr>=0.92@0.9``) turned into scenario overrides."""

from __future__ import annotations

import re

from simulator.errors import Issue, Location, ScenarioError

__all__ = ["target_overrides"]

_TARGET = re.compile(
    r"^\s*([^\W\d_][^\s.<>=@]*)\.(\w+)\s*(>=|<=)\s*([-\d.eE]+)\s*(?:@\s*([\d.]+))?\s*$"
)
"""A segment name starting with a letter of any script (``Großkunden.grr>=0.9``; the
name itself is checked when the override is applied), a metric, a bound, a confidence."""


def target_overrides(text: str, where: str | None = None) -> list[str]:
    """``top.grr>=0.92@0.9`` -> ``["segments.top.targets.grr.min=0.92", "...confidence=0.9"]``.

    Parameters
    ----------
    text
        ``SEGMENT.METRIC>=VALUE[@CONFIDENCE]`` or ``...<=VALUE``; the confidence is the
        share of replications that must meet the bound.
    where
        How to name the text's origin in a message (default ``target <text>``).

    Raises
    ------
    ScenarioError
        When the text is not of that form, located at ``where``. Unknown segments and
        metrics are reported when the overrides are applied.
    """
    m = _TARGET.match(text)
    if not m:
        raise ScenarioError(
            [
                Issue(
                    "expected SEGMENT.METRIC>=VALUE[@CONFIDENCE], e.g. top.grr>=0.92@0.9",
                    location=Location(where or f"target {text}"),
                )
            ],
            "reading a target",
        )
    seg, metric, op, value, conf = m.groups()
    base = f"segments.{seg}.targets.{metric}"
    out = [f"{base}.{'min' if op == '>=' else 'max'}={value}"]
    if conf is not None:
        out.append(f"{base}.confidence={conf}")
    return out
