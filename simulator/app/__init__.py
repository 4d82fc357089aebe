"""A local web explorer of a scenario (the optional ``app`` extra: Shiny for Python).

The framework-free logic: :mod:`~simulator.app.model` turns control values into
``--set`` overrides, :mod:`~simulator.app.numbers` reads the closed form for a team,
:mod:`~simulator.app.results` simulates and gives the decision sentence and the
downloads. :mod:`~simulator.app.controls` and :mod:`~simulator.app.explorer` are the
Shiny page and server; :mod:`~simulator.app.serve` serves it on 127.0.0.1 only.
Importing this package does not import Shiny.
"""

from __future__ import annotations

from simulator.app.model import Edits, overrides_for
from simulator.app.numbers import numbers_for, team_numbers
from simulator.app.serve import HOST, free_port, missing, serve

__all__ = [
    "HOST",
    "Edits",
    "free_port",
    "missing",
    "numbers_for",
    "overrides_for",
    "serve",
    "team_numbers",
]
