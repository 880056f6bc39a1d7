"""Files written whole or not at all: the one way kg replaces an output.

A temporary file beside the target is written, flushed to disk, then renamed over the
target, and the folder is synced: a build killed at any moment leaves either the old
file or the new one, never a truncated one.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     p = atomic_write(Path(d) / "a.txt", "Кабыш Омаров\\n")
...     p.read_text(encoding="utf-8")
'Кабыш Омаров\\n'
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .errors import BusyError


@contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", durable: bool = True,
                **kwargs) -> Iterator[IO]:
    """Open a temporary file beside ``path``; it replaces ``path`` only if the block succeeds.

    Text mode defaults to UTF-8. On an exception the temporary file is removed and
    ``path`` is left as it was. ``durable=False``: nothing is synced, for files that
    are checked when read and made again when lost (cache entries, article pages): the
    replacement is still whole or absent for any reader, but a power cut may leave the
    file empty or old; a sync costs a millisecond or more, 10,000 of them a build's minutes
    on a spinning disk.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes whole files: mode 'w' or 'wb', not {mode!r}")
    path = Path(path)
    if mode == "w":
        kwargs.setdefault("encoding", "utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **kwargs) as f:
            yield f
            f.flush()
            if durable:
                os.fsync(f.fileno())
        # mkstemp makes the file private; an output file should read like any other
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if durable:
        fsync_dir(path.parent)


def atomic_write(path: str | os.PathLike, data: bytes | str, durable: bool = True) -> Path:
    """Write ``data`` (str as UTF-8) to ``path`` atomically; return the path."""
    with atomic_open(path, "wb", durable=durable) as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


def read_record(path: str | os.PathLike) -> dict:
    """A JSON object a build wrote for the next one (a store's version, the digests of
    the article pages, the last build's paths); empty when missing, unreadable or not
    an object: the next build then does all the work again.

    >>> read_record("/nonexistent/record.json")
    {}
    """
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def fsync_dir(folder: Path) -> None:
    """Make the rename itself durable; not every system can open a folder, which is fine."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def exclusive_lock(path: Path, busy: str, error: type[BusyError] = BusyError) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (created if missing) for the block;
    raise ``error`` (a :class:`~kg.errors.BusyError`) saying ``busy`` at once when another
    process holds it. The kernel drops the lock when its holder dies, even by kill -9,
    so a crashed build never blocks the next one."""
    try:
        import fcntl
    except ImportError:  # no POSIX locks (Windows): one build at a time is up to the user
        yield
        return
    with open(path, "a+b") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise error(busy) from None
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def remove_temporaries(folder: Path) -> int:
    """Remove the temporary files :func:`atomic_open` leaves behind when its process is
    killed (``.<name>.<random>.tmp``) in ``folder`` and below; only safe while holding the
    folder's build lock. Returns how many went."""
    removed = 0
    for path in Path(folder).rglob(".*.tmp"):
        if path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
