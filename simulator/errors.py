"""Problems found in a scenario or a data file, with the place they were found.

The one low module of errors that both :mod:`simulator.scenario` and :mod:`simulator.data`
use. Every problem renders as one line ``file:line:col field.path: problem (got value)``;
a :class:`ScenarioError` carries all the problems of one loading stage together, and a
:class:`DataError` those of one data file. A fix that names an input of the Python API
is a :class:`Hint` inside a :class:`Hinted` message, so that the command line can render
it as its own option (``--map arr=COLUMN``) where Python shows ``mapping={'arr': ...}``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "DataError",
    "DataLocation",
    "Flags",
    "Hint",
    "Hinted",
    "Issue",
    "Location",
    "OutputError",
    "Path",
    "ScenarioError",
    "data_issue",
    "did_you_mean",
    "format_path",
    "format_value",
    "hinted",
    "names",
    "render_text",
    "suggestion",
]

Path = tuple[str | int, ...]

_NOTHING = object()


Flags = Mapping[str, str]
"""Python-API parameter -> how a front end spells it (``{"mapping": "--map"}``)."""


@dataclass(frozen=True)
class Hint:
    """A fix that names an input of the Python API, e.g. ``mapping={'arr': 'COLUMN'}``.

    Attributes
    ----------
    param
        The keyword of the Python API: ``"mapping"``, ``"sheet"``, ``"dayfirst"``,
        ``"overrides"``, ``"breaks"``, ``"as_of"``, ``"force"``...
    value
        The Python value to pass (rendered with ``repr``); ``None`` names the keyword alone.
    text
        The same value as a command line writes it after the option (``"arr=COLUMN"``);
        ``None`` for a flag without a value (``--dayfirst``).
    """

    param: str
    value: Any = None
    text: str | None = None

    def render(self, flags: Flags | None = None) -> str:
        """``mapping={'arr': 'COLUMN'}``, or ``--map arr=COLUMN`` when ``flags`` name it."""
        if flags is not None and self.param in flags:
            option = flags[self.param]
            if not option:  # a positional argument: the value alone
                return "" if self.text is None else str(self.text)
            return option if self.text is None else f"{option} {self.text}"
        return self.param if self.value is None else f"{self.param}={self.value!r}"


class Hinted(str):
    """Message text with :class:`Hint` parts; as a ``str`` it reads in Python-API words.

    Build one with :func:`hinted`; :meth:`render` spells the hints as a front end's
    options. Adding plain text keeps the hints.
    """

    parts: tuple[str | Hint, ...]

    def __new__(cls, parts: Iterable[str | Hint]) -> Hinted:
        parts = tuple(parts)
        obj = super().__new__(cls, _join(parts, None))
        obj.parts = parts
        return obj

    def render(self, flags: Flags | None = None) -> str:
        """The text with every hint rendered for ``flags`` (Python words when None)."""
        return _join(self.parts, flags)

    def __add__(self, other: str) -> Hinted:  # type: ignore[override]
        return Hinted((*self.parts, *_parts(other)))

    def __radd__(self, other: str) -> Hinted:
        return Hinted((*_parts(other), *self.parts))


def _parts(text: str) -> tuple[str | Hint, ...]:
    return text.parts if isinstance(text, Hinted) else (str(text),)


def _join(parts: Iterable[str | Hint], flags: Flags | None) -> str:
    return "".join(p.render(flags) if isinstance(p, Hint) else str(p) for p in parts)


def hinted(*parts: str | Hint) -> Hinted:
    """``hinted("map one with ", Hint("mapping", {"arr": "COLUMN"}, "arr=COLUMN"))``."""
    return Hinted(p for part in parts for p in (_parts(part) if isinstance(part, str) else (part,)))


def names(text: str, param: str) -> bool:
    """True when ``text`` holds a :class:`Hint` naming the parameter ``param``."""
    return any(isinstance(p, Hint) and p.param == param for p in _parts(text))


def render_text(text: str, flags: Flags | None = None) -> str:
    """A message (plain or :class:`Hinted`) with its hints spelled for ``flags``."""
    return text.render(flags) if isinstance(text, Hinted) else str(text)


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
    """Where a value came from: a file position, or an override.

    An override's ``file`` is a :class:`Hinted` naming it (``overrides=['a.b=1']`` in
    Python, ``--set a.b=1`` on the command line).
    """

    file: str
    line: int | None = None
    col: int | None = None

    def render(self, flags: Flags | None = None) -> str:
        """``file:line:col``; an override's hint spelled for ``flags`` (``--set PATH=VALUE``)."""
        where = render_text(self.file, flags)
        if self.line is None:
            return where
        return f"{where}:{self.line}:{self.col or 1}"

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True)
class Issue:
    """One problem (or warning) in a scenario."""

    message: str
    path: Path = ()
    location: Location | None = None
    value: Any = field(default=_NOTHING, compare=False)
    severity: Literal["error", "warning"] = "error"

    def render(self, flags: Flags | None = None) -> str:
        """``file:line:col field.path: message (got value)``; hints spelled for ``flags``."""
        parts = []
        if self.location is not None:
            parts.append(self.location.render(flags))
        if self.path:
            parts.append(format_path(self.path) + ":")
        elif parts:
            parts[-1] += ":"
        text = " ".join([*parts, render_text(self.message, flags)])
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

    def render(self, flags: Flags | None = None) -> str:
        """Header line, then one line per problem (hints spelled for ``flags``)."""
        n = len(self.issues)
        head = f"invalid scenario ({n} problem{'s' if n != 1 else ''}"
        head += f" found while {self.stage})" if self.stage else ")"
        return head + ":\n" + "\n".join("  " + i.render(flags) for i in self.issues)


@dataclass(frozen=True)
class DataLocation(Location):
    """A place in a data file: ``file`` or ``file:line`` (no column number).

    Spreadsheet columns are named by their header in the message instead.
    """

    def render(self, flags: Flags | None = None) -> str:
        """``file`` or ``file:line``."""
        return self.file if self.line is None else f"{self.file}:{self.line}"


def data_issue(
    message: str, file: str, line: int | None = None, column: str | None = None
) -> Issue:
    """An :class:`Issue` rendering as ``file:line column "Header": message``.

    Parameters
    ----------
    message
        What is wrong and how to fix it.
    file
        The file name as the user gave it.
    line
        1-based line of a CSV file or row of a spreadsheet; None for the whole file.
    column
        The header of the column concerned, if any.
    """
    path: tuple[str, ...] = (f'column "{column}"',) if column else ()
    return Issue(message, path=path, location=DataLocation(file, line))


class DataError(ScenarioError):
    """A data file that cannot be used at all (missing, unreadable, no usable columns).

    Parameters
    ----------
    issues
        Every problem found; each names the file and, where known, line and column.
    what
        What was being read, e.g. ``"the customer list"``.
    """

    def __init__(self, issues: list[Issue], what: str = "the data file") -> None:
        self.what = what
        super().__init__(issues, f"reading {what}")

    def render(self, flags: Flags | None = None) -> str:
        """One line for one problem, else a header line and one line per problem."""
        if len(self.issues) == 1:
            return f"cannot read {self.what}: {self.issues[0].render(flags)}"
        n = len(self.issues)
        head = f"cannot read {self.what} ({n} problems):"
        return head + "\n" + "\n".join("  " + i.render(flags) for i in self.issues)


class OutputError(ScenarioError):
    """An output target that cannot or must not be written, found before any work.

    Parameters
    ----------
    param
        The Python-API parameter that named the target (``"output"``, ``"xlsx"``...).
    path
        The target as the user gave it.
    reason
        What is wrong and how to fix it (may hold :class:`Hint` parts).
    """

    def __init__(self, param: str, path: object, reason: str) -> None:
        self.param = param
        self.path = str(path)
        self.reason = reason
        super().__init__([Issue(reason, location=Location(self.path))], "checking the outputs")

    def render(self, flags: Flags | None = None) -> str:
        """``-o runs/fy27: reason`` (``output='runs/fy27': reason`` without flags)."""
        where = Hint(self.param, self.path, self.path).render(flags)
        return f"{where}: {render_text(self.reason, flags)}"
