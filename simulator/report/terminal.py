"""Terminal output that shows a user's text as plain text, never as instructions.

Names, descriptions and ids come from scenario files and exports. Printed on a terminal
they must not be read as rich console markup (``"FY27 [/] plan"`` is a closing tag with
nothing to close, ``"[bold]"`` would restyle the table) nor reach the terminal as control
codes (``"\\x1b[31m"`` would turn the rest of the screen red, ``"\\x1b]0;..."`` retitle the
window). :class:`PlainConsole` turns console markup and emoji codes off, so every string
renders exactly as written (styles come from :class:`rich.text.Text` objects only), and
drops control characters from the rendered text. :func:`plain_text` does the same for a
message printed without rich, showing each control character as an escape instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment

__all__ = ["CONTROL", "PlainConsole", "plain_text"]

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Characters a terminal may act on rather than show: C0 controls other than tab and
newline (ESC starts every escape sequence), DEL, the C1 controls (U+009B is an 8-bit CSI)
and the bidirectional overrides and isolates, which reorder what is shown."""


def plain_text(text: str) -> str:
    """``text`` with each control character shown as a Python escape (``\\x1b``)."""
    return CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class PlainConsole(Console):
    """A rich console that prints every string as plain text.

    Markup and emoji codes are off and cannot be turned back on per call, and control
    characters are dropped from what is rendered. Dropping keeps a table's columns
    aligned: rich measures control characters as zero width.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(markup=False, emoji=False)
        super().__init__(**kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Any:
        """Rich's text for ``text``, never read as markup or emoji codes."""
        kwargs.update(markup=False, emoji=False)
        return super().render_str(text, **kwargs)

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        """Rich's segments, control characters dropped from their text."""
        for seg in super().render(renderable, options):
            if seg.control is None and CONTROL.search(seg.text):
                yield Segment(CONTROL.sub("", seg.text), seg.style)
            else:
                yield seg
