"""Number formatting for people: $1.2M, 93.4%, 8,163 h."""

from __future__ import annotations

import math
from typing import Any

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def money(x: float, currency: str = "USD") -> str:
    """Compact money: ``$1.2M``, ``$360k``, ``€950``; other codes as ``1.2M CHF``."""
    if x is None or not math.isfinite(x):
        return "-"
    sign = "-" if x < 0 else ""
    a = abs(x)
    if a >= 1e15:
        body = f"{a:.2e}"
    elif a >= 1e12:
        body = f"{a / 1e12:.2f}T"
    elif a >= 1e9:
        body = f"{a / 1e9:.2f}B"
    elif a >= 1e6:
        body = f"{a / 1e6:.2f}M" if a < 1e7 else f"{a / 1e6:.1f}M"
    elif a >= 1e4:
        body = f"{a / 1e3:.0f}k"
    elif a >= 1e3:
        body = f"{a / 1e3:.1f}k"
    else:
        body = f"{a:.0f}"
    sym = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{sym}{body}" if sym else f"{sign}{body} {currency}"


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
