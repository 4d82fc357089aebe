"""Problems found in a scenario, with the place they were found.

Every problem renders as one line ``file:line:col field.path: problem (got value)``; a
:class:`ScenarioError` carries all the problems of one loading stage together.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

Path = tuple[str | int, ...]

_NOTHING = object()


def format_path(path: Path) -> str:
    """``("segments", "top", "hiring_plan", 2)`` -> ``segments.top.hiring_plan[2]``."""
    out = ""
    for el in path:
        if isinstance(el, int):
            out += f"[{el}]"
        else:
            out += ("." if out else "") + str(el)
    return out


def format_value(value: Any, limit: int = 70) -> str:
    """Compact, quoted rendering of a user's value for a message."""
    if isinstance(value, str):
        text = repr(value)
    else:
        try:
            text = json.dumps(value, default=str, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def did_you_mean(word: object, options: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for the closest option, or an empty string."""
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def suggestion(word: object, options: Iterable[str], listing: str = "allowed") -> str:
    """A did-you-mean hint, or else the list of options when it is short."""
    options = list(options)
    hint = did_you_mean(word, options)
    if hint or not options or len(options) > 30:
        return hint
    return f"; {listing}: " + ", ".join(options)


@dataclass(frozen=True)
class Location:
    """Where a value came from: a file position, or a command-line override."""

    file: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.col or 1}"


@dataclass(frozen=True)
class Issue:
    """One problem (or warning) in a scenario."""

    message: str
    path: Path = ()
    location: Location | None = None
    value: Any = field(default=_NOTHING, compare=False)
    severity: Literal["error", "warning"] = "error"

    def render(self) -> str:
        """``file:line:col field.path: message (got value)``."""
        parts = []
        if self.location is not None:
            parts.append(str(self.location))
        if self.path:
            parts.append(format_path(self.path) + ":")
        elif parts:
            parts[-1] += ":"
        text = " ".join([*parts, self.message])
        if self.value is not _NOTHING:
            text += f" (got {format_value(self.value)})"
        if self.severity == "warning":
            text = "warning: " + text
        return text

    def __str__(self) -> str:
        return self.render()


class ScenarioError(Exception):
    """A scenario that cannot be used, with every problem found at the failing stage."""

    def __init__(self, issues: list[Issue], stage: str = "") -> None:
        self.issues = list(issues)
        self.stage = stage
        super().__init__(self.render())

    def render(self) -> str:
        """Header line, then one line per problem."""
        n = len(self.issues)
        head = f"invalid scenario ({n} problem{'s' if n != 1 else ''}"
        head += f" found while {self.stage})" if self.stage else ")"
        return head + ":\n" + "\n".join("  " + i.render() for i in self.issues)
