"""Writing synthetic data as files: byte-stable CSVs, the customer list, the activity
history, and the script entry."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from simulator.synthetic.customers import (
    CUSTOMER_COLUMNS,
    Mess,
    generate_customers,
    messy_customers,
)
from simulator.synthetic.history import History, generate_history
from simulator.synthetic.history_rows import ACTIVITY_COLUMNS
from simulator.synthetic.history_truth import DEFAULT_HISTORY_TRUTH, HistoryTruth
from simulator.synthetic.timesheet import TIMESHEET_COLUMNS, generate_timesheet
from simulator.synthetic.truth import DEFAULT_TRUTH, Truth

__all__ = ["history_truth_json", "main", "write_csv", "write_customers", "write_history"]

SYNTHETIC = "SYNTHETIC DATA (not real customers)"
"""The label every synthetic file carries."""
_PLAN_FIELDS = {
    "contract_term_months",
    "book_ahead_days",
    "lifecycle",
    "touchpoints",
    "churn",
    "expansion",
    "arr_change_at_renewal",
}
"""Fields of a true plan segment the history depends on (written to truth.json)."""


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


def _plain(value: Any) -> Any:
    """A JSON value of a truth field: dates as ISO text, tuples as lists."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def history_truth_json(history: History) -> str:
    """The text of ``truth.json``: every true parameter and the truth of every renewal.

    Keys: ``label``; ``seed``; ``truth`` (:class:`HistoryTruth` fields, plus
    ``first_signing``); ``segments`` (per data segment its plan segment key, baseline
    hazard per term and the true plan fields it follows); ``activity_types``
    (touchpoint -> type written and generic share, for the touchpoints that write rows);
    ``counts``; ``renewals`` (one
    :class:`RenewalTruth` per line, dates ISO).
    """
    truth = history.truth
    meta: dict[str, Any] = {
        "label": f"{SYNTHETIC}: the true parameters behind customers.csv and activities.csv",
        "seed": history.seed,
        "truth": {**_plain(dataclasses.asdict(truth)), "first_signing": str(truth.first_signing)},
        "segments": {
            s.name: {
                "plan_segment": s.plan_segment,
                "plan": history.segments[s.name].model_dump(
                    mode="json", by_alias=True, include=_PLAN_FIELDS
                ),
            }
            for s in truth.segments
        },
        "activity_types": {
            tp: {"type": truth.type_name(tp), "generic_share": truth.generic_share(tp)}
            for tp in sorted(
                name
                for seg in history.segments.values()
                for name, t in seg.touchpoints.items()
                if t.channel in ("one_to_one", "one_to_many")
                and t.trigger.kind in ("stage_entry", "before_renewal", "cadence")
            )
        },
        "counts": {
            "customers": len(history.customers),
            "activities": len(history.activities),
            "renewals": len(history.renewals),
            "churns": sum(r.churned for r in history.renewals),
        },
    }
    head = json.dumps(meta, indent=2, sort_keys=False)
    rows = ",\n".join(
        "    " + json.dumps(_plain(dataclasses.asdict(r)), separators=(",", ":"))
        for r in history.renewals
    )
    return f'{head[:-2]},\n  "renewals": [\n{rows}\n  ]\n}}\n'


def write_history(
    out_dir: str | Path, truth: HistoryTruth = DEFAULT_HISTORY_TRUTH, seed: int | None = None
) -> History:
    """Write ``customers.csv``, ``activities.csv`` and ``truth.json`` of a synthetic history.

    Both CSVs start with a one-cell title row ending "SYNTHETIC DATA (not real
    customers)"; dates are ISO (activities with a time of day), amounts plain numbers.

    Returns
    -------
    History
        What was written (:func:`simulator.synthetic.history.generate_history`).
    """
    out = Path(out_dir)
    history = generate_history(truth, seed)
    day = f"{truth.as_of.month}/{truth.as_of.day}/{truth.as_of.year}"
    write_csv(
        history.customers,
        out / "customers.csv",
        title=f"Customer export - generated {day} - {SYNTHETIC}",
        columns=CUSTOMER_COLUMNS,
    )
    write_csv(
        history.activities,
        out / "activities.csv",
        title=f"Activity export - generated {day} - {SYNTHETIC}",
        columns=ACTIVITY_COLUMNS,
    )
    (out / "truth.json").write_text(history_truth_json(history), encoding="utf-8", newline="\n")
    return history


def main(argv: Sequence[str] | None = None) -> int:
    """Write ``customers.csv`` (messy) and ``timesheet.csv`` into a directory, or with
    ``--history`` a three-year history (:func:`write_history`).

    ``python -m simulator.synthetic --out-dir DIR [--seed N] [--clean]``; prints
    what it wrote and the mess introduced. ``python -m simulator.synthetic --history
    --out-dir DIR [--seed N]`` writes customers.csv, activities.csv and truth.json.
    """
    ap = argparse.ArgumentParser(
        prog="python -m simulator.synthetic",
        description="Write a SYNTHETIC customer list and timesheet (not real customers).",
    )
    ap.add_argument(
        "--out-dir",
        default=None,
        help="directory to write into (default scenarios/data, with --history "
        "scenarios/data/history)",
    )
    ap.add_argument("--seed", type=int, default=None, help="seed (default: the truth's)")
    ap.add_argument("--clean", action="store_true", help="write a tidy customer list")
    ap.add_argument(
        "--history",
        action="store_true",
        help="write a three-year customer list, activity log and truth.json instead",
    )
    args = ap.parse_args(argv)
    if args.history:
        if args.clean:
            ap.error("--clean is for the customer list and timesheet, not --history")
        out = Path(args.out_dir or "scenarios/data/history")
        h = write_history(out, DEFAULT_HISTORY_TRUTH, args.seed)
        churns = sum(r.churned for r in h.renewals)
        print(f"{out / 'customers.csv'}: {len(h.customers)} customers ({SYNTHETIC})")
        print(f"{out / 'activities.csv'}: {len(h.activities)} activities")
        print(f"{out / 'truth.json'}: {len(h.renewals)} renewals, {churns} churned")
        return 0
    out = Path(args.out_dir or "scenarios/data")
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
