"""Where the data files (lexicons, patterns, sample corpus) live, and how to read them.

Lexicons are plain UTF-8 text a historian can edit: one entry a line, ``#`` starts
a comment, blank lines are ignored.

>>> "дивизия" in read_lexicon("unit_nouns")
True
"""
from __future__ import annotations

import os
from functools import lru_cache
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from .errors import DataError


def data_dir() -> Path:
    """The project's ``data/`` folder (``KG_DATA_DIR`` overrides it)."""
    env = os.environ.get("KG_DATA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "data"


def lexicon_path(name: str) -> Path:
    return data_dir() / "lexicons" / f"{name}.txt"


@lru_cache(maxsize=None)
def read_lexicon_lines(name: str) -> tuple[str, ...]:
    """The non-comment, non-blank lines of ``data/lexicons/NAME.txt``, stripped."""
    path = lexicon_path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise DataError(f"{path}: cannot read lexicon ({e.strerror})") from e
    lines = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return tuple(lines)


@lru_cache(maxsize=None)
def read_lexicon(name: str) -> frozenset[str]:
    """The entries of a one-column lexicon, lower-cased."""
    return frozenset(line.lower() for line in read_lexicon_lines(name))


@lru_cache(maxsize=None)
def read_mapping(name: str) -> Mapping[str, str]:
    """A two-column lexicon ``key = value`` (keys lower-cased)."""
    out = {}
    for line in read_lexicon_lines(name):
        key, sep, value = line.partition("=")
        if not sep:
            raise DataError(f"{lexicon_path(name)}: line {line!r} has no '='")
        out[key.strip().lower()] = value.strip()
    return MappingProxyType(out)  # cached and shared: read-only
