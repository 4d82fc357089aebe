"""A local web explorer of a scenario (the optional ``app`` extra: Shiny for Python).

:mod:`~simulator.app.model` is the framework-free logic (control values -> overrides ->
closed-form numbers, the decision sentence and the downloads);
:mod:`~simulator.app.explorer` the Shiny page and server; :mod:`~simulator.app.serve`
serves it on 127.0.0.1 only. Importing this package does not import Shiny.
"""

from __future__ import annotations

from simulator.app.model import Edits, overrides_for, team_numbers
from simulator.app.serve import HOST, free_port, missing, serve

__all__ = ["HOST", "Edits", "free_port", "missing", "overrides_for", "serve", "team_numbers"]
