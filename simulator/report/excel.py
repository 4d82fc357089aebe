"""The pack entry point: every pack's builder and the xlsx writer under one import.

The packs are built in :mod:`simulator.report.packs` (run, compare),
:mod:`simulator.report.solve` and :mod:`simulator.report.tradeoff` from the table model
of :mod:`simulator.report.layout`, and written by :mod:`simulator.report.xlsx`.
"""

from __future__ import annotations

from simulator.report.packs import compare_pack, run_pack
from simulator.report.solve import solve_pack
from simulator.report.tradeoff import tradeoff_pack
from simulator.report.xlsx import write_workbook

__all__ = ["compare_pack", "run_pack", "solve_pack", "tradeoff_pack", "write_workbook"]
