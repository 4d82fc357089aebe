"""Retention by who held the book and by cohort: per-CSM book NRR, new-logo cohorts.

Pure functions of a replication's flat records (:class:`~simulator.engine.records.Records`
columns): the renewals each CSM owned and what they returned (the CSM's quota), and the
new logos of the plan measured against their ARR at arrival.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["csm_books", "csm_quota", "new_logo_cohort"]


def csm_books(
    ren: dict[str, np.ndarray], segments: list[str], quotas: list[float]
) -> list[dict[str, Any]]:
    """Per segment and CSM: the book NRR of the renewals the CSM owned.

    ``arr_up`` is the ARR that came up for renewal while the CSM owned the account,
    ``arr_returned`` what those renewals returned (0 for a churned one, the ARR after
    its change otherwise); ``nrr`` their ratio; ``at_quota`` whether it reaches the
    segment's ``csm_nrr_quota``. The renewals of accounts no CSM owned (a pooled
    segment's, or a dedicated book's while its CSM's seat was vacant) form one unowned
    book, ``csm`` -1.
    """
    if not len(ren["segment"]):
        return []
    csm = ren["csm"].astype(int)
    seg = ren["segment"].astype(int)
    arr = ren["arr"].astype(float)
    back = np.where(ren["churned"].astype(bool), 0.0, arr * (1.0 + ren["arr_change"]))
    rows = []
    for si, c in sorted({(int(s), int(x)) for s, x in zip(seg, csm, strict=True)}):
        mine = (seg == si) & (csm == c)
        up, returned = float(arr[mine].sum()), float(back[mine].sum())
        nrr = returned / up if up > 0 else math.nan
        quota = quotas[si] if si < len(quotas) else 1.0
        rows.append(
            {
                "segment": segments[si],
                "csm": c,
                "renewals": int(mine.sum()),
                "arr_up": up,
                "arr_returned": returned,
                "nrr": nrr,
                "quota": quota,
                "at_quota": bool(nrr >= quota - 1e-12) if up > 0 else False,
            }
        )
    return rows


def csm_quota(books: list[dict[str, Any]], name: str, quota: float) -> dict[str, float]:
    """Segment ``name``'s CSM books: the median CSM's book NRR and the share at ``quota``.

    Over the books of :func:`csm_books` (the unowned book counting as one: a book
    nobody holds meets its quota or not like any other); NaN when the segment had no
    renewal with ARR in the horizon.
    """
    nrr = np.array([r["nrr"] for r in books if r["segment"] == name])
    nrr = nrr[~np.isnan(nrr)]
    if not len(nrr):
        return {"csm_book_nrr": math.nan, "csm_quota_attainment": math.nan}
    return {
        "csm_book_nrr": float(np.median(nrr)),
        "csm_quota_attainment": float((nrr >= quota - 1e-12).mean()),
    }


def new_logo_cohort(
    a: dict[str, np.ndarray], ren: dict[str, np.ndarray], si: int
) -> dict[str, float]:
    """Segment ``si``'s new logos (accounts that arrived during the plan) as a cohort.

    Each new logo is measured against its ARR at arrival: GRR and NRR of that ARR at
    the end, logo churn and expected logo churn (the renewal probabilities summed)
    per new logo, and the expected churn per renewal of a new logo, which does not
    depend on how many of them came up for renewal within the horizon. NaN when the
    segment had no new logos (or no renewal of one).
    """
    new = (a["segment"] == si) & ~a["starting"]
    n_new = int(new.sum())
    nan = math.nan
    if n_new == 0:
        return {
            "new_logo_churn": nan,
            "new_expected_logo_churn": nan,
            "new_renewals": 0.0,
            "new_renewal_churn": nan,
            "new_grr": nan,
            "new_nrr": nan,
        }
    arr0 = a["arr_start"][new]
    arr1 = a["arr_end"][new]
    base = float(arr0.sum())
    p = np.zeros(0)
    if len(ren["segment"]):
        mine = (ren["segment"] == si) & np.isin(ren["account"], np.flatnonzero(new))
        p = ren["probability"][mine]
    return {
        "new_logo_churn": float(a["churned"][new].sum()) / n_new,
        "new_expected_logo_churn": float(p.sum()) / n_new,
        "new_renewals": float(len(p)),
        "new_renewal_churn": float(p.mean()) if len(p) else nan,
        # no new logo came up for renewal: their retention is not yet observed (not 100%)
        "new_grr": float(np.minimum(arr1, arr0).sum()) / base if base > 0 and len(p) else nan,
        "new_nrr": float(arr1.sum()) / base if base > 0 and len(p) else nan,
    }
