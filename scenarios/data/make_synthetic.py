"""Regenerate the SYNTHETIC example data in scenarios/data/ (not real customers).

What it writes, next to this script:

- ``customers.csv``: a customer list of about 3,200 accounts (active and churned) signed
  over the three years to 31 October 2026, written as a deliberately messy CRM export
  (title row, "$12,345.00" amounts, US dates, blank cells, duplicate rows, churned rows
  without a churn date, a repeated header row). README.md lists every defect.
- ``timesheet.csv``: six weeks of time entries of nine CSMs (Person, Date, Activity,
  Account, Hours) against the active accounts of that list.

Both are drawn by :mod:`simulator.synthetic` from the true parameters in
``DEFAULT_TRUTH`` (churn per renewal, expansion, ARR at signing, logos per month,
customer time share, unscheduled uplift, hours per activity) with fixed seeds:
20261031 for the customers and 20261101 for the timesheet. Running it again gives
byte-identical files.

Run from the repository root::

    python scenarios/data/make_synthetic.py

SYNTHETIC DATA - not real customers. Every name carries "(synthetic)" and every person
is "<first name> Example".
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _synthetic() -> ModuleType:
    """The generator module, from the installed package or else this checkout."""
    try:
        return importlib.import_module("simulator.synthetic")
    except ModuleNotFoundError:
        sys.path.insert(0, str(ROOT))
        return importlib.import_module("simulator.synthetic")


def main() -> int:
    """Write customers.csv (messy) and timesheet.csv next to this script."""
    return int(_synthetic().main(["--out-dir", str(HERE)]))


if __name__ == "__main__":
    raise SystemExit(main())
