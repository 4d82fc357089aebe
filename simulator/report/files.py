"""Writing files so that a failure never leaves a half-written result behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_target(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed onto it when the block succeeds.

    On any error (or Ctrl-C) the temporary file is removed and ``path`` left untouched.

    Raises
    ------
    OSError
        When the directory is missing or not writable, or the file cannot be written or
        renamed into place; its ``filename`` is ``path`` (the target the caller named),
        never the temporary file.
    """
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(
            dir=target.parent if str(target.parent) else ".",
            prefix=f".{target.name}.",
            suffix=".tmp",
        )
    except OSError as exc:
        raise naming_target(exc, target) from exc
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and (exc.filename is None or str(exc.filename) == tmp):
            raise naming_target(exc, target, tmp) from exc  # a writer's own OSError too
        raise


def naming_target(exc: OSError, target: Path, tmp: str | None = None) -> OSError:
    """An OSError of the same errno and reason as ``exc`` naming ``target``, the path the
    caller gave, instead of a temporary file (``tmp`` is replaced by ``target`` in the
    reason too: pyarrow and others put the path in the message)."""
    reason = exc.strerror or str(exc)
    if tmp:
        reason = reason.replace(tmp, str(target))
    try:
        return type(exc)(exc.errno, reason, str(target))
    except TypeError:  # a subclass with its own constructor
        return OSError(exc.errno, reason, str(target))


def current_umask() -> int:
    """The process's file-creation mask (read without changing it for long)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file renamed into place."""
    with atomic_target(path) as tmp:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding="utf-8")
    return Path(path)
