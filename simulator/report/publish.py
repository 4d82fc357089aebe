"""Writing a result for people who were not at the terminal: Excel, charts, HTML.

The functions here tie the packs (:mod:`simulator.report.packs`), the charts
(:mod:`simulator.report.charts`) and the HTML page (:mod:`simulator.report.html`) to the
results of ``run``/``report``; each file is written atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simulator.analysis.experiment import Experiment
from simulator.report.charts import figures, write_charts
from simulator.report.files import atomic_write
from simulator.report.packs import run_pack
from simulator.report.run import ci_money, ci_num, ci_pct
from simulator.report.xlsx import write_workbook

__all__ = ["publish_run", "run_findings"]


def run_findings(exp: Experiment) -> list[str]:
    """One sentence per segment with the headline metrics and their 95% CIs."""
    cur = exp.scenario.currency
    out = []
    for seg, m in exp.stats().items():
        out.append(
            f"{seg}: {ci_num(m['headcount'], 1)} CSMs, touches on time {ci_pct(m['on_time_share'])}, "
            f"utilisation {ci_pct(m['utilisation'])}, logo churn {ci_pct(m['logo_churn'])}, "
            f"GRR {ci_pct(m['grr'])}, NRR {ci_pct(m['nrr'])}, ARR at end {ci_money(m['arr_end'], cur)}."
        )
    return out


def publish_run(
    exp: Experiment,
    provenance: dict[str, Any],
    assumptions: Sequence[dict[str, Any]],
    frontier: Sequence[dict[str, Any]] | None = None,
    *,
    xlsx: Path | None = None,
    charts: Path | None = None,
    html: Path | None = None,
) -> list[Path]:
    """Write any of the Excel pack, the chart files (PNG and SVG) and the HTML brief
    (:func:`simulator.report.briefs.run_brief`).

    Returns
    -------
    list of Path
        The files written.
    """
    written: list[Path] = []
    cur = exp.scenario.currency
    sheets = run_pack(exp, assumptions, provenance, frontier) if xlsx else []
    if xlsx is not None:
        written.append(write_workbook(xlsx, sheets, cur))
    figs = figures(exp, frontier) if charts else {}
    if charts is not None:
        written += write_charts(charts, figs)
    if html is not None:
        from simulator.report.briefs import run_brief

        written.append(atomic_write(html, run_brief(exp, provenance, assumptions, frontier)))
    return written
