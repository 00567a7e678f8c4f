"""Writing files so that the requested name only ever holds a complete file."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .errors import StoreError


class WriteError(StoreError):
    """A file could not be written; the message says why, in one sentence."""


def write_atomically(data: bytes, path: Path) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename it, so
    the requested name only ever holds a complete file. Errors become one clear sentence."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise WriteError(f"cannot write {path}: the folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {_reason(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {_reason(exc)}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full (nothing was saved under that name)"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied (choose another folder)"
    return exc.strerror or str(exc)
