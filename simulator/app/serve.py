"""Serving the explorer on this machine only (127.0.0.1), with every asset served locally."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from importlib.util import find_spec
from pathlib import Path

HOST = "127.0.0.1"
"""The only address the explorer listens on: it is never reachable from another machine."""

__all__ = ["HOST", "free_port", "missing", "serve"]

_NEEDS = ("shiny", "uvicorn")
"""What the explorer imports beyond cssim's own dependencies (the ``app`` extra)."""


def missing() -> list[str]:
    """The packages of the ``app`` extra that are not installed."""
    return [name for name in _NEEDS if find_spec(name) is None]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def serve(
    path: str | Path | None = None,
    port: int = 8765,
    replications: int = 3,
    log_level: str = "warning",
    overrides: Sequence[str] = (),
) -> None:
    """Serve the explorer of the scenario at ``path`` until interrupted.

    Parameters
    ----------
    path
        Scenario file; the bundled default when None.
    port
        TCP port on 127.0.0.1 (0: any free port).
    replications
        Replications per headcount of the "Simulate" frontier.
    log_level
        uvicorn's log level.
    overrides
        ``dotted.path=value`` overrides the explorer starts from.

    Raises
    ------
    ScenarioError
        When the scenario does not load (before anything listens).
    """
    import uvicorn

    from simulator.app.explorer import make_app

    app = make_app(path, replications, overrides)
    uvicorn.run(app, host=HOST, port=port or free_port(), log_level=log_level)
