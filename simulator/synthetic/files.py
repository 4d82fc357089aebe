"""Writing synthetic data as files: byte-stable CSVs, the customer list, and the script entry."""

from __future__ import annotations

import argparse
import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

from simulator.synthetic.customers import (
    CUSTOMER_COLUMNS,
    Mess,
    generate_customers,
    messy_customers,
)
from simulator.synthetic.timesheet import TIMESHEET_COLUMNS, generate_timesheet
from simulator.synthetic.truth import DEFAULT_TRUTH, Truth

__all__ = ["main", "write_csv", "write_customers"]


def write_csv(
    rows: Sequence[Mapping[str, str]],
    path: str | Path,
    title: str | None = None,
    columns: Sequence[str] | None = None,
) -> Path:
    """Write rows as a UTF-8 CSV with ``\\n`` line endings (byte-stable for equal rows).

    Parameters
    ----------
    rows
        The rows; keys are column names.
    path
        The file to write (parent directories are created).
    title
        A one-cell line written above the header (the title row of a messy export).
    columns
        Column order (default: the keys of the first row).

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        if title is not None:
            w.writerow([title])
        w.writerow(cols)
        for r in rows:
            w.writerow([r.get(c, "") for c in cols])
    return path


def write_customers(
    path: str | Path, truth: Truth = DEFAULT_TRUTH, seed: int | None = None, messy: bool = False
) -> Mess | None:
    """Write a synthetic customer list (with the title row when messy).

    Returns
    -------
    Mess | None
        What the messy mode did (None when ``messy`` is False).
    """
    if not messy:
        write_csv(generate_customers(truth, seed), path, columns=CUSTOMER_COLUMNS)
        return None
    rows, mess = messy_customers(truth, seed)
    write_csv(rows, path, title=mess.title, columns=CUSTOMER_COLUMNS)
    return mess


def main(argv: Sequence[str] | None = None) -> int:
    """Write ``customers.csv`` (messy) and ``timesheet.csv`` into a directory.

    ``python -m simulator.synthetic --out-dir DIR [--seed N] [--clean]``; prints
    what it wrote and the mess introduced.
    """
    ap = argparse.ArgumentParser(
        prog="python -m simulator.synthetic",
        description="Write a SYNTHETIC customer list and timesheet (not real customers).",
    )
    ap.add_argument("--out-dir", default="scenarios/data", help="directory to write into")
    ap.add_argument("--seed", type=int, default=None, help="customer seed (default: truth)")
    ap.add_argument("--clean", action="store_true", help="write a tidy customer list")
    args = ap.parse_args(argv)
    out = Path(args.out_dir)
    truth = DEFAULT_TRUTH
    mess = write_customers(out / "customers.csv", truth, args.seed, messy=not args.clean)
    customers = generate_customers(truth, args.seed)
    timesheet = generate_timesheet(customers, truth)
    write_csv(timesheet, out / "timesheet.csv", columns=TIMESHEET_COLUMNS)
    active = sum(r["Status"] == "Active" for r in customers)
    print(f"{out / 'customers.csv'}: {len(customers)} customers ({active} active)")
    if mess is not None:
        print(f"  title row: {mess.title!r}")
        print(f"  stray header row: line {mess.stray_header_line}")
        dups = ", ".join(
            f"{i} (line {mess.line_of[i]}, copy at {line})"
            for i, line in zip(mess.duplicates, mess.duplicate_lines, strict=True)
        )
        print(f"  duplicated: {dups}")
        blank = ", ".join(f"{i} (line {mess.line_of[i]})" for i in mess.churn_date_blank)
        print(f"  churn date blank: {blank}")
        cells = ", ".join(f"{i} {c!r} (line {mess.line_of[i]})" for i, c in mess.blank_cells)
        print(f"  blank cells: {cells}")
    print(f"{out / 'timesheet.csv'}: {len(timesheet)} entries")
    return 0
