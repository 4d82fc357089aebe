"""Number formatting for people: $1.2M, 93.4%, 8,163 h."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def _money_scale(a: float) -> tuple[float, str, int]:
    """Divisor, suffix and decimals :func:`money` uses for an amount of size ``a`` >= 0."""
    if a >= 1e12:
        return 1e12, "T", 2
    if a >= 1e9:
        return 1e9, "B", 2
    if a >= 1e6:
        return 1e6, "M", 2 if a < 1e7 else 1
    if a >= 1e4:
        return 1e3, "k", 0
    if a >= 1e3:
        return 1e3, "k", 1
    return 1.0, "", 0


def _with_symbol(sign: str, body: str, currency: str) -> str:
    sym = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{sym}{body}" if sym else f"{sign}{body} {currency}"


def money(x: float, currency: str = "USD") -> str:
    """Compact money: ``$1.2M``, ``$360k``, ``€950``; other codes as ``1.2M CHF``."""
    if x is None or not math.isfinite(x):
        return "-"
    sign = "-" if x < 0 else ""
    a = abs(x)
    if a >= 1e15:
        return _with_symbol(sign, f"{a:.2e}", currency)
    div, suffix, digits = _money_scale(a)
    return _with_symbol(sign, f"{a / div:.{digits}f}{suffix}", currency)


def money_ends(
    low: float, high: float, like: float, currency: str = "USD", signed: bool = False
) -> str:
    """An interval ``[$1.07M, $1.54M]`` in the scale and digits :func:`money` chooses for
    ``like`` (the mean it belongs to), each end with the symbol.

    ``signed`` prefixes ``+`` to ends that are not negative (a difference). An end that
    is not finite is ``-inf`` / ``inf``; an end that rounds to zero has no minus sign.
    """
    a = abs(like) if like is not None and math.isfinite(like) else 0.0
    div, suffix, digits = (1.0, "", 0) if a >= 1e15 else _money_scale(a)

    def one(x: float) -> str:
        if not math.isfinite(x):
            return "-inf" if x < 0 else "inf"
        if a >= 1e15:  # as money() shows such a mean: in powers of ten
            sign = "-" if x < 0 else ("+" if signed else "")
            return _with_symbol(sign, f"{abs(x):.2e}", currency)
        body = f"{abs(x) / div:,.{digits}f}"
        zero = float(body.replace(",", "")) == 0
        sign = "-" if x < 0 and not zero else ("+" if signed else "")
        return _with_symbol(sign, body + suffix, currency)

    return f"[{one(low)}, {one(high)}]"


def money_interval(
    mean: float, low: float, high: float, currency: str = "USD", signed: bool = False
) -> str:
    """Money with its interval, every number in the mean's scale and digits:
    ``$1.30M [$1.07M, $1.54M]``, ``$16.1M [$15.5M, $16.7M]``, ``-$40k [-$95k, $15k]``.

    ``signed`` prefixes ``+`` to amounts that are not negative (a difference:
    ``+$1.30M [-$0.20M, +$2.80M]``). A mean that is not finite is ``-``.
    """
    if mean is None or not math.isfinite(mean):
        return "-"
    head = money(mean, currency)
    if signed and mean >= 0:
        head = "+" + head
    return f"{head} {money_ends(low, high, mean, currency, signed)}"


def number_format_of(value: Any, fmt: str = "num3") -> str:
    """The number format to show ``value`` in, in a column whose format is ``fmt``.

    An integer (a Python or numpy int: a count, replications, touchpoints a year, a
    12-month term) in a decimal column (``num0``..``num3``) is ``int``, so it never
    reads ``12.000``; everything else keeps ``fmt``. A float keeps the column's digits
    even when it is whole (a mean that came out round), so a column of means keeps one
    precision; a source of mixed inputs states whole numbers as ints
    (:func:`whole`).
    """
    if isinstance(value, bool) or not fmt.startswith("num"):
        return fmt
    if isinstance(value, int | np.integer):
        return "int"
    return fmt


def whole(value: Any) -> Any:
    """``value`` as an int when it is a finite whole float (``1730.0`` -> ``1730``),
    unchanged otherwise: an input stated as a whole number is shown as one."""
    if (
        isinstance(value, float)
        and math.isfinite(value)
        and value.is_integer()
        and abs(value) < 2**53
    ):
        return int(value)
    return value


def month_name(calendar_month: str) -> str:
    """A plan month for people: ``2027-01`` -> ``Jan 2027``; a month named by its first
    day (:func:`simulator.analysis.experiment.calendar_month`) ``2027-01-31`` ->
    ``31 Jan 2027``."""
    parts = calendar_month.split("-")
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    label = f"{names[int(parts[1]) - 1]} {int(parts[0])}"
    return f"{int(parts[2])} {label}" if len(parts) > 2 else label


def pct(x: float, digits: int = 1) -> str:
    """A fraction as a percentage: 0.934 -> ``93.4%``."""
    if x is None or not math.isfinite(x):
        return "-"
    return f"{100 * x:.{digits}f}%"


def num(x: float, digits: int = 0) -> str:
    """Thousands-separated number: ``8,163`` or ``7.9``."""
    if x is None or not math.isfinite(x):
        return "-"
    return f"{x:,.{digits}f}"


def json_safe(v: Any) -> Any:
    """``v`` with every non-finite float (NaN, inf) replaced by None, through dicts and
    lists: JSON has no NaN, and an empty CSV cell reads better than ``nan``."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: json_safe(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [json_safe(x) for x in v]
    return v
