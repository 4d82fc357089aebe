"""Per-scenario work done once: the segment plans' background rate is cached by content."""

from __future__ import annotations

import datetime as dt

from simulator.engine import plan
from simulator.scenario.loader import load_scenario


def test_background_rate_is_cached_by_segment_content() -> None:
    s = load_scenario(None)
    seg = s.segments["top"]
    plan._BACKGROUND.clear()
    first = plan._background(seg, 365.0, s.start_date)
    assert first == plan._background_rate(seg, 365.0, s.start_date)
    assert len(plan._BACKGROUND) == 1
    # the same content in another object (a pickled copy in a worker) hits the cache
    assert plan._background(seg.model_copy(deep=True), 365.0, s.start_date) == first
    assert len(plan._BACKGROUND) == 1
    # a changed segment, horizon or start is computed afresh
    more = load_scenario(None, ["segments.top.unscheduled_uplift=1.5"]).segments["top"]
    assert plan._background(more, 365.0, s.start_date) != first
    assert plan._background(seg, 730.0, s.start_date) == plan._background_rate(
        seg, 730.0, s.start_date
    )
    plan._background(seg, 365.0, dt.date(2028, 1, 1))
    assert len(plan._BACKGROUND) == 4
