"""Parse the cell values found in real exports: amounts here, dates and durations beside.

Everything here is forgiving about *format* and strict about *meaning*: ``"$12,000"``,
``"12.000,00 EUR"`` and ``"12k"`` are all amounts, but ``"TBD"`` is not, and a value that
could be read two ways is read the way the rest of its column says (see
:func:`infer_decimal_comma` and :func:`infer_dayfirst`). Failures raise ``ValueError``
with a short reason (``"blank"``, ``"not a number"``, ...) that callers put into a
message naming the file, line and column.

This module owns amounts of money (:func:`parse_money` and the decimal-mark votes) and
:func:`text_key`; it is also the one import point for the other value parsers, which
live in :mod:`simulator.data.blanks` (empty cells), :mod:`simulator.data.dates` and
:mod:`simulator.data.durations`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from simulator.data.blanks import BLANK_WORDS, SPACES, is_blank, is_missing
from simulator.data.dates import add_months, ambiguous_dates, infer_dayfirst, parse_date
from simulator.data.durations import parse_hours

__all__ = [
    "add_months",
    "ambiguous_dates",
    "currency_of",
    "decimal_votes",
    "infer_dayfirst",
    "infer_decimal_comma",
    "is_blank",
    "is_missing",
    "parse_date",
    "parse_hours",
    "parse_money",
    "text_key",
]

# --------------------------------------------------------------------------- amounts

_CURRENCY_SYMBOLS = re.compile(
    r"(?:\b(?:us|ca|au|nz|hk|sg|r|c|a))?[$€£¥₹₩₽₺₪฿₫₴₦₱¤]", re.IGNORECASE
)
_CURRENCY_CODES = re.compile(
    r"(?<![a-z])(?:usd|eur|euro|euros|gbp|cad|aud|nzd|chf|jpy|cny|rmb|inr|sek|nok|dkk|"
    r"pln|czk|huf|brl|mxn|zar|sgd|hkd|ils|try|krw|rub)(?![a-z])",
    re.IGNORECASE,
)
_SYMBOL_CODES = {
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₪": "ILS",
    "฿": "THB",
    "₫": "VND",
    "₴": "UAH",
    "₦": "NGN",
    "₱": "PHP",
}
_DOLLAR_PREFIX = {
    "us": "USD",
    "ca": "CAD",
    "c": "CAD",
    "au": "AUD",
    "a": "AUD",
    "nz": "NZD",
    "hk": "HKD",
    "sg": "SGD",
    "r": "BRL",
}
_CODE_NAMES = {"euro": "EUR", "euros": "EUR", "rmb": "CNY"}
_SCALES = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "mio": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
}
_AMOUNT = re.compile(r"^(?P<num>\d[\d.,' ]*|[.,]\d+)\s*(?P<scale>[a-z]+)?$", re.IGNORECASE)
_PLAIN = re.compile(r"^\s*\$?((?:\d{1,3}(?:,\d{3})+\.\d+)|\d+(?:\.(?:\d{1,2}|\d{4,}))?)\s*$")
_SCIENTIFIC = re.compile(r"^\d+(?:\.\d+)?e[+-]?\d+$", re.IGNORECASE)


def _amount_core(text: str) -> tuple[bool, str, float]:
    """Split an amount into (negative, digits-and-separators, scale factor).

    Raises ``ValueError`` when no number is left after removing currency marks.
    """
    s = SPACES.sub(" ", text).strip()
    if not s:
        raise ValueError("blank")
    if s.lower() in BLANK_WORDS:
        raise ValueError("a missing-value marker")
    if s.startswith("#"):
        raise ValueError("a spreadsheet error value; fix the formula or type the amount")
    parenthesised = s.startswith("(") and s.endswith(")")
    if parenthesised:
        s = s[1:-1]
    s = s.replace("\u2212", "-")
    # the sign may sit before or after the currency: "-$1,200", "$-1,200", "- $ 5", "5-"
    s = _CURRENCY_SYMBOLS.sub(" ", s)
    s = _CURRENCY_CODES.sub(" ", s).strip()
    minus = False
    if s.startswith("-"):
        minus, s = True, s[1:].strip()
    elif s.endswith("-"):
        minus, s = True, s[:-1].strip()
    elif s.startswith("+"):
        s = s[1:].strip()
    if s.startswith(("-", "+")) or (minus and s.endswith("-")):
        raise ValueError("more than one sign")
    if minus and parenthesised:
        raise ValueError("both a minus sign and parentheses; write one of them")
    negative = minus or parenthesised
    if _SCIENTIFIC.match(s):
        return negative, s, 1.0
    m = _AMOUNT.match(s)
    if not m:
        raise ValueError("not a number")
    scale = 1.0
    if m.group("scale"):
        unit = m.group("scale").lower()
        if unit not in _SCALES:
            raise ValueError(f"unknown unit {m.group('scale')!r} (use k, M or bn)")
        scale = _SCALES[unit]
    return negative, m.group("num").strip(), scale


def _check_groups(groups: list[str], number: str) -> None:
    """Thousands groups: ``1,234,567`` (or Indian ``12,34,567``); else ValueError."""
    head, rest = groups[0], groups[1:]
    ok = 1 <= len(head) <= 3 and all(len(g) == 3 for g in rest)
    indian = (
        len(rest) >= 2
        and 1 <= len(head) <= 2
        and all(len(g) == 2 for g in rest[:-1])
        and len(rest[-1]) == 3
    )
    if not (ok or indian) or not all(g.isdigit() for g in groups):
        raise ValueError("misplaced thousands separators")


def _number(num: str, decimal_comma: bool | None) -> float:
    """Digits with separators -> float; ``decimal_comma`` settles ``1,500``/``1.500``."""
    original = num
    if " " in num or "'" in num:
        # spaces or apostrophes (Swiss) separate thousands: "1 234,50", "1'234.50"
        lead = re.split(r"[.,](?=\d*$)", num)[0] if re.search(r"[.,]\d*$", num) else num
        _check_groups(re.split(r"[ ']", lead), original)
        num = num.replace(" ", "").replace("'", "")
    has_dot, has_comma = "." in num, "," in num
    if has_dot and has_comma:
        dec = "," if num.rfind(",") > num.rfind(".") else "."
        thousands = "." if dec == "," else ","
        whole, frac = num.rsplit(dec, 1)
        if dec in whole or not frac.isdigit():
            raise ValueError("misplaced thousands separators")
        _check_groups(whole.split(thousands), original)
        return float(whole.replace(thousands, "") + "." + frac)
    if has_dot or has_comma:
        sep = "," if has_comma else "."
        parts = num.split(sep)
        if len(parts) > 2:
            _check_groups(parts, original)
            return float("".join(parts))
        whole, frac = parts
        if not whole:
            whole = "0"
        if not frac:
            return float(whole)
        if len(frac) != 3:
            decimal = True
        elif decimal_comma is None:
            decimal = sep == "."
        else:
            decimal = (sep == ",") == decimal_comma
        if decimal:
            if not (whole.isdigit() and frac.isdigit()):
                raise ValueError("misplaced thousands separators")
            return float(whole + "." + frac)
        _check_groups(parts, original)
        return float(whole + frac)
    if not num.isdigit():
        raise ValueError("not a number")
    return float(num)


def parse_money(value: Any, decimal_comma: bool | None = None) -> float:
    """An amount of money from a cell, in the file's currency units.

    Parameters
    ----------
    value
        A number (from a spreadsheet) or text such as ``"$12,000"``, ``"12.000,00 EUR"``,
        ``"€ 1 234,50"``, ``"12k"``, ``"1.2M"``, ``"(1,200)"`` (negative), ``"USD 5000"``,
        ``"-1,200"`` or ``"1'234.50"``. Currency symbols and ISO codes are dropped; no
        conversion between currencies is made.
    decimal_comma
        How to read a single separator followed by exactly three digits (``"1,500"``,
        ``"1.500"``): True -> the comma is the decimal mark (1.5 and 1500), False -> the
        dot is (1500 and 1.5), None -> US convention. Values with both separators, or
        other digit counts, are unambiguous and ignore this. See
        :func:`infer_decimal_comma`.

    Returns
    -------
    float
        The amount in currency units (``"12k"`` -> 12000.0); negative for ``"(1,200)"``.

    Raises
    ------
    ValueError
        With a short reason: ``"blank"``, ``"not a number"``, ``"misplaced thousands
        separators"``, ``"unknown unit 'x'"``.
    """
    if isinstance(value, bool):
        raise ValueError("a true/false value is not an amount")
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("blank" if math.isnan(number) else "not a finite number")
        return number
    if value is None:
        raise ValueError("blank")
    if isinstance(value, (date, time, timedelta)):
        raise ValueError("a date is not an amount")
    text = str(value)
    plain = _PLAIN.match(text)
    if plain:  # "$12,345.67", "12345.5", "1200": read the same whatever the decimal mark
        return float(plain.group(1).replace(",", ""))
    negative, num, scale = _amount_core(text)
    amount = float(num) if _SCIENTIFIC.match(num) else _number(num, decimal_comma)
    amount *= scale
    if not math.isfinite(amount):
        raise ValueError("too large")
    return -amount if negative else amount


def currency_of(value: Any) -> str | None:
    """The currency an amount cell names: ``"$1,000"`` -> ``"USD"``, ``"€900"`` and
    ``"EUR 900"`` -> ``"EUR"``, ``"CA$ 50"`` -> ``"CAD"``; None for a number or a bare
    amount (and for ``¤``, which names none). A bare ``$`` is taken as US dollars."""
    if not isinstance(value, str):
        return None
    symbol = _CURRENCY_SYMBOLS.search(value)
    if symbol:
        mark = symbol.group(0)
        if mark[-1] == "$" and len(mark) > 1:
            return _DOLLAR_PREFIX.get(mark[:-1].lower(), "USD")
        return _SYMBOL_CODES.get(mark[-1])
    code = _CURRENCY_CODES.search(value)
    if code:
        word = code.group(0).lower()
        return _CODE_NAMES.get(word, word.upper())
    return None


def decimal_votes(values: Iterable[Any]) -> tuple[int, int]:
    """(decimal-comma votes, decimal-point votes) of a column's unambiguous text values.

    ``"12.000,00"``, ``"1,5"``, ``"1.234.567"`` vote for a decimal comma; ``"12,000.00"``,
    ``"1.5"``, ``"1,234,567"`` for a decimal point; ``"1,500"``, ``"1200"`` and numbers
    from a spreadsheet do not vote.
    """
    texts = [v for v in values if isinstance(v, str)]
    votes = {t: _decimal_vote(t) for t in dict.fromkeys(texts)}  # each distinct text once
    counts = Counter(votes[t] for t in texts)
    return counts[1], counts[2]


def _decimal_vote(value: str) -> int:
    """One amount's vote: 1 decimal comma, 2 decimal point, 0 none (see decimal_votes)."""
    try:
        _, num, _ = _amount_core(value)
    except ValueError:
        return 0
    num = num.replace(" ", "").replace("'", "")
    if "," in num and "." in num:
        return 1 if num.rfind(",") > num.rfind(".") else 2
    if "," in num or "." in num:
        sep = "," if "," in num else "."
        parts = num.split(sep)
        if len(parts) > 2:
            return 2 if sep == "," else 1
        if len(parts[1]) not in (0, 3):
            return 1 if sep == "," else 2
    return 0


def infer_decimal_comma(values: Iterable[Any]) -> bool:
    """Whether a column writes decimals with a comma, judged from unambiguous values.

    Parameters
    ----------
    values
        The column's cells (see :func:`decimal_votes` for which ones vote).

    Returns
    -------
    bool
        True when more values vote for a decimal comma than for a decimal point.
    """
    comma, point = decimal_votes(values)
    return comma > point


def text_key(value: object) -> str:
    """A value as a key that ignores case and spacing: ``" Mid  Market"`` -> ``"mid market"``
    (segment filters, account names in timesheets; YAML's ``1`` matches the text ``"1"``)."""
    return " ".join(str(value).split()).casefold()
