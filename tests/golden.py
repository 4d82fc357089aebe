"""Regenerate the golden fixed-seed regression files (only after an intended change).

    python tests/golden.py

Each file holds the per-segment summary of one replication of one segment of the default
plan at a fixed seed: the top tier (dedicated books, risk events, inbound work) and SMB
(pooled, one_to_many sessions, automated digests, support routing). The test compares a
fresh run with each: any change to what the engine draws or decides shows up there, so a
refactor that should not change results is checked to the last digit.
"""

from __future__ import annotations

import json
from pathlib import Path

from simulator.engine.simulation import simulate
from simulator.scenario.loader import load_scenario

FOLDER = Path(__file__).parent / "data" / "golden"
GOLDEN = FOLDER / "top_tier_rep3_seed42.json"
CASES = {
    GOLDEN: ["segments.mid=null", "segments.smb=null"],
    FOLDER / "smb_rep1_seed42.json": ["segments.top=null", "segments.mid=null"],
}
"""Golden file -> the overrides of the default plan it pins (replication 3 or 1, seed 42)."""
REPLICATION = {GOLDEN: 3}


def current(path: Path = GOLDEN) -> dict:
    """The summary a golden file pins."""
    rec = simulate(load_scenario(None, CASES[path]), REPLICATION.get(path, 1), 42)
    return {
        "summary": rec.summary(),
        "tasks": len(rec.tasks["id"]),
        "renewals": len(rec.renewals["time"]),
    }


if __name__ == "__main__":
    for path in CASES:
        path.write_text(json.dumps(current(path), indent=2, sort_keys=True, default=float) + "\n")
        print(f"wrote {path}")
