"""Golden fixed-seed regression (labelled as such): the engine's results do not drift.

A failure means the engine now draws or decides differently for the same seed. If that
change is intended, regenerate with ``python tests/golden.py`` and say why in the commit.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.golden import CASES, current


@pytest.mark.parametrize("path", list(CASES), ids=lambda p: p.stem)
def test_segment_matches_its_golden_file(path: Path) -> None:
    expected = json.loads(path.read_text())
    got = json.loads(json.dumps(current(path), default=float))
    assert got["tasks"] == expected["tasks"]
    assert got["renewals"] == expected["renewals"]
    for seg, metrics in expected["summary"].items():
        for name, value in metrics.items():
            actual = got["summary"][seg][name]
            if value is None or (isinstance(value, float) and math.isnan(value)):
                assert actual is None or math.isnan(actual), name
            else:
                assert actual == pytest.approx(value, rel=1e-9, abs=1e-9), name
