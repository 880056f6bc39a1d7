"""The errors of kg: one base class, a few subclasses that name what went wrong.

>>> err = ReadError("a.txt", "empty file")
>>> str(err)
'a.txt: empty file'
>>> isinstance(err, KgError)
True
"""
from __future__ import annotations


class KgError(Exception):
    """Base of every error kg raises on purpose."""


class InputError(KgError):
    """An input file that cannot be used; carries the path and the reason."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ReadError(InputError):
    """The file cannot be read or decoded, or holds no text."""


class BusyError(KgError):
    """Another process holds the lock of an output folder (two builds at once)."""


class DataError(KgError):
    """A lexicon or pattern file in data/ is malformed."""
