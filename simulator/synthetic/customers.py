"""Synthetic customer lists: the clean rows drawn from the truth, and the messy CRM export."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from simulator.data.values import add_months
from simulator.synthetic.lifecycle import lifecycle_stage, next_renewal
from simulator.synthetic.stats import lognormal_params
from simulator.synthetic.truth import DEFAULT_TRUTH, Truth

__all__ = [
    "CUSTOMER_COLUMNS",
    "MESSY_BLANKS",
    "MESSY_CHURN_DATE_BLANKS",
    "MESSY_DUPLICATES",
    "Mess",
    "generate_customers",
    "messy_customers",
    "signing_dates",
]

CUSTOMER_COLUMNS: tuple[str, ...] = (
    "Customer ID",
    "Customer Name",
    "Segment",
    "ARR",
    "Starting ARR",
    "Customer Since",
    "Renewal Date",
    "Churn Date",
    "Status",
    "Lifecycle Stage",
)
"""Columns of a generated customer list, in file order."""


def _us_date(text: str) -> str:
    if not text:
        return ""
    d = dt.date.fromisoformat(text)
    return f"{d.month}/{d.day}/{d.year}"


def _money(text: str) -> str:
    return f"${float(text):,.2f}" if text else ""


_NAME_FIRST = ("Acme", "Example", "Sample", "Demo", "Mock", "Fictional", "Placeholder", "Dummy")
_NAME_SECOND = (
    "Analytics",
    "Logistics",
    "Health",
    "Foods",
    "Robotics",
    "Software",
    "Labs",
    "Energy",
    "Media",
    "Finance",
    "Retail",
    "Systems",
)


def signing_dates(
    first: dt.date, last: dt.date, per_month: float, rng: np.random.Generator
) -> list[dt.date]:
    """Signing days from ``first`` to ``last``: a Poisson number per calendar month with
    mean ``per_month`` (pro rata for partial months), each on a uniform day of it, in order."""
    signed: list[dt.date] = []
    month = first.replace(day=1)
    while month <= last:
        days_in = calendar.monthrange(month.year, month.month)[1]
        lo = max(month, first)
        hi = min(month.replace(day=days_in), last)
        span = (hi - lo).days + 1
        n = int(rng.poisson(per_month * span / days_in))
        offsets = rng.integers(0, span, size=n)
        signed.extend(lo + dt.timedelta(days=int(o)) for o in np.sort(offsets))
        month = add_months(month, 1)
    return signed


def _clean_customers(truth: Truth, rng: np.random.Generator) -> list[dict[str, str]]:
    """The customer rows with ISO dates and plain numbers (draws the rng in a fixed order)."""
    # 1. signing dates: Poisson per calendar month, uniform day within the month
    signed = signing_dates(truth.first_signing, truth.as_of, truth.logos_per_month, rng)
    n = len(signed)
    if n == 0:
        return []
    # 2. segment, ARR at signing, name
    shares = np.array([s.new_logo_share for s in truth.segments])
    seg_idx = rng.choice(len(truth.segments), size=n, p=shares / shares.sum())
    z_arr = rng.standard_normal(n)
    name_a = rng.integers(0, len(_NAME_FIRST), size=n)
    name_b = rng.integers(0, len(_NAME_SECOND), size=n)
    # 3. renewals: one churn uniform and one expansion draw per possible renewal
    max_renewals = max(
        next_renewal(truth.first_signing, s.term_months, truth.as_of)[1] for s in truth.segments
    )
    u_churn = rng.random((n, max(max_renewals, 1)))
    z_exp = rng.standard_normal((n, max(max_renewals, 1)))
    mean = np.array([truth.segments[i].expansion_mean for i in seg_idx])[:, None]
    sd = np.array([truth.segments[i].expansion_sd for i in seg_idx])[:, None]
    floor = np.array([truth.segments[i].expansion_floor for i in seg_idx])[:, None]
    expansion = mean + sd * z_exp
    while (low := expansion < floor).any():  # truncated normal by rejection
        expansion[low] = (mean + sd * rng.standard_normal(z_exp.shape))[low]

    rows: list[dict[str, str]] = []
    width = max(4, len(str(n)))
    for i, since in enumerate(signed):
        seg = truth.segments[int(seg_idx[i])]
        mu, sig = lognormal_params(seg.arr_mean, seg.arr_cv)
        start_arr = max(1.0, float(round(math.exp(mu + sig * z_arr[i]))))
        arr = start_arr
        renewal, reached = next_renewal(since, seg.term_months, truth.as_of)
        churn_date: dt.date | None = None
        for k in range(reached):
            if u_churn[i, k] < seg.churn_per_renewal:
                churn_date = add_months(since, (k + 1) * seg.term_months)
                break
            arr = round(arr * (1.0 + float(expansion[i, k])), 2)
        number = f"{i + 1:0{width}d}"
        if churn_date is None:
            status, stage = "Active", lifecycle_stage(since, renewal, truth.as_of)
        else:
            status, stage, renewal = "Churned", "Churned", churn_date
        rows.append(
            {
                "Customer ID": f"CUST-{number}",
                "Customer Name": f"{_NAME_FIRST[name_a[i]]} {_NAME_SECOND[name_b[i]]} "
                f"{number} (synthetic)",
                "Segment": seg.name,
                "ARR": f"{arr:.2f}",
                "Starting ARR": f"{start_arr:.2f}",
                "Customer Since": since.isoformat(),
                "Renewal Date": renewal.isoformat(),
                "Churn Date": churn_date.isoformat() if churn_date else "",
                "Status": status,
                "Lifecycle Stage": stage,
            }
        )
    return rows


MESSY_BLANKS: tuple[tuple[str, int], ...] = (
    ("Customer Name", 2),
    ("Lifecycle Stage", 3),
    ("Starting ARR", 2),
)
"""Optional columns blanked in messy mode and on how many (distinct, active) rows."""
MESSY_DUPLICATES = 3
"""Rows repeated as identical copies in messy mode."""
MESSY_CHURN_DATE_BLANKS = 4
"""Churned rows whose churn date is left blank in messy mode."""


@dataclass(frozen=True)
class Mess:
    """Exactly what :func:`messy_customers` did to the clean rows.

    File lines are 1-based lines of the CSV written with the title row
    (``write_csv(rows, path, title=mess.title)``): line 1 title, line 2 header.

    Attributes
    ----------
    title
        The title row above the header (one cell).
    blank_cells
        ``(Customer ID, column)`` of each optional cell left blank (active rows).
    churn_date_blank
        Customer IDs of churned rows whose "Churn Date" is blank (their "Renewal Date"
        still holds the date they churned).
    duplicates
        Customer IDs whose row appears twice (identical copies).
    duplicate_lines
        File lines of the second copies, in the order of ``duplicates``.
    stray_header_line
        File line of the repeated header row.
    line_of
        File line of each customer's (first) row, by Customer ID.
    records
        Distinct customers (rows of the clean list).
    data_lines
        Lines after the header: records + duplicates + the stray header.
    """

    title: str
    blank_cells: tuple[tuple[str, str], ...]
    churn_date_blank: tuple[str, ...]
    duplicates: tuple[str, ...]
    duplicate_lines: tuple[int, ...]
    stray_header_line: int
    line_of: dict[str, int] = field(repr=False)
    records: int
    data_lines: int


def messy_customers(
    truth: Truth = DEFAULT_TRUTH, seed: int | None = None
) -> tuple[list[dict[str, str]], Mess]:
    """The customer list as a messy CRM export, and a record of the mess.

    The records are those of ``generate_customers(truth, seed)``; then ARR and Starting
    ARR become ``"$12,345.00"`` strings, dates become US ``M/D/YYYY``, optional cells are
    blanked (:data:`MESSY_BLANKS`), :data:`MESSY_CHURN_DATE_BLANKS` churned rows lose
    their churn date, :data:`MESSY_DUPLICATES` rows are copied to random later
    positions, and a copy of the header row is inserted in the middle. The title row is
    not a record: it is returned as ``Mess.title`` for :func:`write_csv`.

    Parameters
    ----------
    truth
        The true parameters.
    seed
        Random seed (default ``truth.seed``).

    Returns
    -------
    tuple[list[dict[str, str]], Mess]
        The rows (columns :data:`CUSTOMER_COLUMNS`) and what was done to them.
    """
    rng = np.random.default_rng(truth.seed if seed is None else seed)
    clean = _clean_customers(truth, rng)
    # the mess draws come after all clean draws, so the records match the clean list
    picked, no_churn_date, dup_src = _pick_mess(clean, rng)
    rows, blank_cells = _export_rows(clean, picked, no_churn_date)
    final, stray, copy_line, line_of = _with_copies(rows, dup_src, rng)
    title = (
        f"Customer export - generated {truth.as_of.month}/{truth.as_of.day}/{truth.as_of.year}"
        " - SYNTHETIC DATA (not real customers)"
    )
    mess = Mess(
        title=title,
        blank_cells=tuple((clean[i]["Customer ID"], c) for i, c in blank_cells),
        churn_date_blank=tuple(clean[i]["Customer ID"] for i in no_churn_date),
        duplicates=tuple(clean[i]["Customer ID"] for i in dup_src),
        duplicate_lines=tuple(copy_line[i] for i in dup_src),
        stray_header_line=stray,
        line_of=line_of,
        records=len(clean),
        data_lines=len(final),
    )
    return final, mess


def _pick_mess(
    clean: list[dict[str, str]], rng: np.random.Generator
) -> tuple[list[int], list[int], list[int]]:
    """Rows to blank cells of (active), to lose the churn date (churned), to duplicate
    (active, none of the blanked)."""
    active = [i for i, r in enumerate(clean) if r["Status"] == "Active"]
    churned = [i for i, r in enumerate(clean) if r["Status"] == "Churned"]
    n_blank = sum(k for _, k in MESSY_BLANKS)
    if len(active) < n_blank + MESSY_DUPLICATES or len(churned) < MESSY_CHURN_DATE_BLANKS:
        raise ValueError("too few accounts to make a messy list; raise logos_per_month")
    picked = [active[int(j)] for j in rng.choice(len(active), n_blank, replace=False)]
    no_churn_date = sorted(
        churned[int(j)] for j in rng.choice(len(churned), MESSY_CHURN_DATE_BLANKS, replace=False)
    )
    untouched = sorted(set(active) - set(picked))
    dup_src = sorted(
        untouched[int(j)] for j in rng.choice(len(untouched), MESSY_DUPLICATES, replace=False)
    )
    return picked, no_churn_date, dup_src


def _export_rows(
    clean: list[dict[str, str]], picked: list[int], no_churn_date: list[int]
) -> tuple[list[dict[str, str]], list[tuple[int, str]]]:
    """The rows in CRM format (money strings, US dates) with the picked cells blanked,
    and the (row, column) cells blanked."""
    rows = [
        {
            **r,
            "ARR": _money(r["ARR"]),
            "Starting ARR": _money(r["Starting ARR"]),
            "Customer Since": _us_date(r["Customer Since"]),
            "Renewal Date": _us_date(r["Renewal Date"]),
            "Churn Date": _us_date(r["Churn Date"]),
        }
        for r in clean
    ]
    blank_cells: list[tuple[int, str]] = []
    pos = 0
    for column, k in MESSY_BLANKS:
        for i in picked[pos : pos + k]:
            rows[i][column] = ""
            blank_cells.append((i, column))
        pos += k
    for i in no_churn_date:
        rows[i]["Churn Date"] = ""
    return rows, blank_cells


def _with_copies(
    rows: list[dict[str, str]], dup_src: list[int], rng: np.random.Generator
) -> tuple[list[dict[str, str]], int, dict[int, int], dict[str, int]]:
    """The rows with duplicates at random later positions and a header copy in the middle;
    the header copy's line, each duplicate's line (by source row) and each ID's first line."""
    # insert duplicates (highest target first keeps earlier positions valid), then header
    targets = [int(rng.integers(i + 1, len(rows) + 1)) for i in dup_src]
    out: list[dict[str, str] | None] = list(rows)
    for i, t in sorted(zip(dup_src, targets, strict=True), key=lambda p: -p[1]):
        out.insert(t, dict(rows[i]))
    middle = len(out) // 2
    out.insert(middle, None)
    stray = 0
    copy_line: dict[int, int] = {}
    line_of: dict[str, int] = {}
    final: list[dict[str, str]] = []
    by_id = {r["Customer ID"]: i for i, r in enumerate(rows)}
    for line, r in enumerate(out, start=3):
        if r is None:
            stray = line
            final.append({c: c for c in CUSTOMER_COLUMNS})
            continue
        if r["Customer ID"] in line_of:
            copy_line[by_id[r["Customer ID"]]] = line
        else:
            line_of[r["Customer ID"]] = line
        final.append(r)
    return final, stray, copy_line, line_of


def generate_customers(
    truth: Truth = DEFAULT_TRUTH, seed: int | None = None, messy: bool = False
) -> list[dict[str, str]]:
    """A synthetic customer list drawn from ``truth`` (see the module docstring).

    Parameters
    ----------
    truth
        The true parameters.
    seed
        Random seed (default ``truth.seed``).
    messy
        False: ISO dates, ARR as plain numbers (US$ per year, 2 decimals), one row per
        customer. True: the rows of :func:`messy_customers` (its title row is not
        included; use :func:`write_customers` for the full file).

    Returns
    -------
    list[dict[str, str]]
        Rows with the columns :data:`CUSTOMER_COLUMNS`, in signing order.
    """
    if messy:
        return messy_customers(truth, seed)[0]
    return _clean_customers(truth, np.random.default_rng(truth.seed if seed is None else seed))
