"""Regenerate the golden fixed-seed regression file (only after an intended change).

    python tests/golden.py

The file holds the per-segment summary of one replication of the default plan's top tier
at a fixed seed. The test compares a fresh run with it: any change to what the engine
draws or decides shows up there, so a refactor that should not change results is checked
to the last digit.
"""

from __future__ import annotations

import json
from pathlib import Path

from simulator.engine.simulation import simulate
from simulator.scenario.loader import load_scenario

GOLDEN = Path(__file__).parent / "data" / "golden" / "top_tier_rep3_seed42.json"
OVERRIDES = ["segments.mid=null", "segments.smb=null"]


def current() -> dict:
    """The summary the golden file pins."""
    rec = simulate(load_scenario(None, OVERRIDES), 3, 42)
    return {
        "summary": rec.summary(),
        "tasks": len(rec.tasks["id"]),
        "renewals": len(rec.renewals["time"]),
    }


if __name__ == "__main__":
    data = current()
    GOLDEN.write_text(json.dumps(data, indent=2, sort_keys=True, default=float) + "\n")
    print(f"wrote {GOLDEN}")
