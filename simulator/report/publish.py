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
    """Write any of the Excel pack (opening on the brief), the chart files (PNG and SVG)
    and the HTML brief (:func:`simulator.report.briefs.run_brief`).

    Returns
    -------
    list of Path
        The files written.
    """
    from simulator.report.brief import brief_html
    from simulator.report.briefs import run_brief

    written: list[Path] = []
    cur = exp.scenario.currency
    brief = None
    if xlsx is not None or html is not None:
        sheets = run_pack(exp, assumptions, provenance, frontier)
        brief = run_brief(exp, provenance, assumptions, frontier, sheets)
    if xlsx is not None:
        written.append(write_workbook(xlsx, sheets, cur, brief))
    figs: dict[str, Any] = {}
    if charts is not None and brief is not None:  # the brief's charts are the run's
        figs = {**(brief.figures or {}), **(brief.more_figures or {})}
    elif charts is not None:
        figs = figures(exp, frontier)
    if charts is not None:
        written += write_charts(charts, figs)
    if html is not None and brief is not None:
        written.append(atomic_write(html, brief_html(brief)))
    return written
