"""Stage "read": a file on disk -> a ``Document`` (decoded text, format, digest).

Encodings are detected without trusting any declaration: byte-order marks, strict
UTF-8, UTF-16 without a mark, then windows-1251 against KOI8-R (and rarer Cyrillic
code pages) by how Russian the result looks, and only then charset-normalizer, whose
guess is checked (it takes short Cyrillic text for Big5 or Korean).

A file larger than ``MAX_FILE_BYTES`` (20 MB) is refused before a byte of it is read,
so a database dump given by mistake costs no memory: no article is that long (the
language models take at most 1,000,000 characters, ``kg.clean.MAX_TEXT_CHARS``), and
even a web page with its scripts and styles inline stays well under it.

>>> decode_bytes("Подвиг солдата".encode("cp1251"))
('Подвиг солдата', 'cp1251')
>>> decode_bytes("Подвиг солдата".encode("koi8_r"))
('Подвиг солдата', 'koi8_r')
>>> decode_bytes(b"\\xef\\xbb\\xbf\\xd0\\x94\\xd0\\xb0\\r\\n")
('Да\\r\\n', 'utf-8-sig')
"""
from __future__ import annotations

import codecs
import hashlib
import logging
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import InputError, ReadError
from .types import Document

logger = logging.getLogger(__name__)

# Files were read whole whatever their size (a 50 MB dump: 50 MB of bytes, then
# several decoded copies of it while guessing the encoding); now refused up front.
MAX_FILE_BYTES = 20 * 1024 * 1024

FORMATS = {".txt": "text", ".md": "markdown", ".markdown": "markdown",
           ".html": "html", ".htm": "html"}

# Longest BOM first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = ((b"%PDF", "PDF"), (b"PK\x03\x04", "ZIP or DOCX"), (b"\xd0\xcf\x11\xe0", "DOC or XLS"),
          (b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"))
_CYRILLIC_CANDIDATES = ("cp1251", "koi8_r")
_RARE_CYRILLIC = ("mac_cyrillic", "cp866", "iso8859_5")
_RUSSIAN = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ")
# How often each letter comes in Russian text (per cent), scaled so that an ordinary
# text scores about 0.7 a letter. A set of the 15 most frequent letters, counted
# in lower case only, could not tell a text all in capitals in windows-1251 from the
# same bytes read as KOI8-R (all lower case, letters swapped): it always chose the wrong
# code page. The swap keeps many frequent letters frequent; the weights tell them apart.
_LETTER_PERCENT = dict(zip(
    "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё",
    (10.97, 8.45, 8.01, 7.35, 6.70, 6.26, 5.47, 4.73, 4.54, 4.40, 3.49, 3.21, 2.98, 2.81,
     2.62, 2.01, 1.90, 1.74, 1.70, 1.65, 1.59, 1.44, 1.21, 0.97, 0.94, 0.73, 0.64, 0.48,
     0.36, 0.32, 0.26, 0.04, 0.04)))
_FREQUENCY = {c: p * 0.7 / sum(q * q / 100 for q in _LETTER_PERCENT.values())
              for c, p in _LETTER_PERCENT.items()}
_FOREIGN_CYRILLIC = frozenset("ЂЃѓЉЊЌЋЏђљњќћџЈЅѕј")  # Serbian, Macedonian: not in our texts


def read_file(path: str | os.PathLike) -> Document:
    """Read one file into a ``Document``; raise ``ReadError`` saying why it cannot be used."""
    source = str(path)
    p = Path(path)
    if not p.exists():
        raise ReadError(source, "file not found")
    if p.is_dir():
        raise ReadError(source, "is a folder, not a file")
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        supported = ", ".join(FORMATS)
        raise ReadError(source, f"unsupported file type {p.suffix or '(no suffix)'!r} "
                                f"(expected one of {supported})")
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ReadError(source, f"file too large ({size / 2**20:.1f} MB; at most "
                                    f"{MAX_FILE_BYTES // 2**20} MB: one article per file)")
        data = p.read_bytes()
    except OSError as e:
        raise ReadError(source, f"cannot read file ({e.strerror})") from e
    if not data:
        raise ReadError(source, "empty file")
    text, encoding = decode_bytes(data, source)
    if not text.strip():
        raise ReadError(source, "empty file (only whitespace)")
    logger.debug("read %s as %s (%s)", source, encoding, fmt)
    return Document(source=source, raw=text, format=fmt, encoding=encoding,
                    digest=hashlib.sha256(data).hexdigest())


def decode_bytes(data: bytes, source: str = "<bytes>") -> tuple[str, str]:
    """Decode ``data`` exactly (no newline translation); return ``(text, encoding)``."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)  # these codecs drop the mark
            except UnicodeDecodeError as e:
                raise ReadError(source, f"undecodable bytes after a {encoding} byte-order mark "
                                        f"(at byte {e.start})") from e
            # (tests/test_properties.py) A mark written twice (EF BB BF EF BB BF)
            # left U+FEFF at the start of the title, and a file of marks alone was "text";
            # binary data after a mark (FF FE + a PNG) decoded to CJK signs and was
            # accepted, as no other path accepts it.
            text = text.lstrip("\ufeff")
            if text and _ordinary_share(text) < 0.9:
                raise ReadError(source, f"binary file (unreadable signs after a {encoding} "
                                        "byte-order mark)")
            return text, encoding
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise ReadError(source, f"binary file (looks like {kind})")
    if b"\x00" in data:
        return _decode_utf16_without_bom(data, source)
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = _decode_legacy(data, source)
    if _ordinary_share(text) < 0.9:
        raise ReadError(source, "binary file (mostly control characters or unreadable signs)")
    return text, encoding


def _decode_utf16_without_bom(data: bytes, source: str) -> tuple[str, str]:
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _ordinary_share(text) > 0.95:  # binary read as UTF-16 gives CJK signs
            return text, encoding
    raise ReadError(source, "binary file (contains NUL bytes)")


def _decode_legacy(data: bytes, source: str) -> tuple[str, str]:
    # Single-byte code pages decode almost anything, so each guess must read as Russian;
    # the rare ones must read clearly better to beat windows-1251 or KOI8-R.
    scored = []
    for encoding in _CYRILLIC_CANDIDATES + _RARE_CYRILLIC:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        handicap = 0.0 if encoding in _CYRILLIC_CANDIDATES else 0.1
        scored.append((_russian_score(text) - handicap, encoding, text))
    scored.sort(key=lambda s: s[0], reverse=True)
    close = [s for s in scored if s[0] > 0.5 and scored[0][0] - s[0] < _CLOSE]
    if len(close) > 1:  # letters alone do not decide (a short text all in capitals): words do
        close.sort(key=lambda s: _known_share(s[2]), reverse=True)  # stable: ties keep the score order
        scored[0] = close[0]
    score, encoding, text = scored[0]
    if score > 0.5:
        return text, encoding
    return _decode_fallback(data, source)


_CLOSE = 0.3  # readings whose scores are this close are told apart by their words
_WORD = re.compile(r"[^\W\d_]{2,}")  # letters of any script: "ерЄмин" is one word, not "ер" and "мин"
_RUSSIAN_WORD = re.compile(r"[а-яё]+")


def _known_share(text: str, words: int = 300) -> float:
    """The share of the words of ``text`` (the first ``words``) that are Russian words of
    pymorphy3's dictionary: the right code page gives words ("ДЕРЕВНЯ"), the wrong one the
    same letters swapped ("детечос") or foreign ones ("ерЄмин"), which it does not have.

    >>> _known_share("НА ОРДЕН ДЕРЕВНЯ"), round(_known_share("об птдео детечос"), 2)
    (1.0, 0.33)
    """
    from .morph import morph_analyzer

    found = [m.group().lower() for m, _ in zip(_WORD.finditer(text), range(words))]
    if not found:
        return 0.0
    known = morph_analyzer().word_is_known
    return sum(bool(_RUSSIAN_WORD.fullmatch(w)) and known(w) for w in found) / len(found)


def _decode_fallback(data: bytes, source: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    # charset-normalizer reads short Cyrillic or random bytes as Korean or Big5: check it
    if best is None or _ordinary_share(str(best)) < 0.95:
        raise ReadError(source, "undecodable bytes (not UTF-8, windows-1251, KOI8-R "
                                "or another encoding that gives readable text)")
    logger.info("%s: no Cyrillic encoding fits, charset-normalizer guesses %s",
                source, best.encoding)
    return str(best), best.encoding


def _russian_score(text: str) -> float:
    """How Russian the non-ASCII characters look: about 1.7 for Russian; below 0.5 a wrong guess.

    Decoding cp1251 as KOI8-R swaps the cases, so capitals appear inside words, and
    swaps the letters, so the frequent ones grow rarer (the only sign left in a text
    all in capitals, or all in lower case); Mac capitals read as cp1251 turn Serbian
    ("Џ"); Latin-1 read as cp1251 glues Cyrillic to Latin; random bytes give
    box-drawing signs.

    >>> _russian_score("Орден нашёл семью") > 1.5 > _russian_score("оПДЕМ МЮЬ╦К ЯЕЛЭЧ")
    True
    >>> _russian_score("ОРДЕН НАШЁЛ СЕМЬЮ") > 1.5 > _russian_score("нпдем мюь╗к яелэч")
    True
    """
    wide = sum(1 for c in text if not c.isascii())
    if not wide:
        return 0.0
    russian = sum(c in _RUSSIAN for c in text)
    frequent = sum(_FREQUENCY.get(c.lower(), 0.0) for c in text)  # either case: see _FREQUENCY
    odd = sum(not _ordinary(c) or c in _FOREIGN_CYRILLIC for c in text if not c.isascii())
    odd += sum(1 for a, b in zip(text, text[1:]) if _odd_pair(a, b))
    odd += _odd_letters(text)
    return (russian + frequent - 3 * odd) / wide


_LONE_LETTER = re.compile(r"(?<!\w)(\w)(?!\w)")
_ONE_LETTER_WORDS = frozenset("вискоуаяжб")  # Russian words of one letter


def _odd_letters(text: str) -> int:
    """Letters standing alone that are no Russian word: cp1251 read as KOI8-R turns "в"
    into "Ч" (and back), and in a text all in one case, or of few words, little else
    tells the two apart. An initial ("И. Петров") and a unit after a number ("300 м")
    are no sign.

    >>> _odd_letters("В В ДЕРЕВНЕ. Ч. ИВАНОВ, 300 м"), _odd_letters("ч ч детечос")
    (0, 2)
    """
    odd = 0
    for m in _LONE_LETTER.finditer(text):
        c, end = m.group(1), m.end()
        if ("а" <= c.lower() <= "я" and c.lower() not in _ONE_LETTER_WORDS
                and text[end:end + 1] != "." and not text[:m.start()].rstrip()[-1:].isdigit()):
            odd += 1
    return odd


def _odd_pair(a: str, b: str) -> bool:
    """A capital inside a word, or Latin glued to non-Latin: signs of a wrong code page."""
    if not (a.isalpha() and b.isalpha()):
        return False
    return (a.islower() and b.isupper()) or a.isascii() != b.isascii()


def _ordinary(c: str) -> bool:
    """A character a Russian or European article is made of."""
    if c.isascii():
        return c.isprintable() or c in "\t\n\r\f"
    return ("\u00a0" <= c <= "\u024f" or "\u0400" <= c <= "\u04ff"
            or "\u2010" <= c <= "\u2044" or c in "№\u20bd\u20b8")


def _ordinary_share(text: str) -> float:
    return sum(map(_ordinary, text)) / len(text) if text else 0.0


def iter_paths(paths: Iterable[str | os.PathLike], exclude: Iterable[str | os.PathLike] = ()
               ) -> Iterator[str]:
    """Expand folders (recursively, sorted) into supported files; pass files through.

    A file named explicitly is yielded whatever its suffix, so that ``read_file`` can
    say what is wrong with it; inside folders hidden entries, other suffixes and the
    folders of ``exclude`` (a build's output folder inside its articles' folder: its
    pages are no articles) are skipped.

    >>> list(iter_paths(["notes.pdf", "missing.txt"]))
    ['notes.pdf', 'missing.txt']
    """
    skip = {os.path.realpath(p) for p in exclude}
    for given in paths:
        root = str(given)
        if not os.path.isdir(root):
            yield root
            continue
        found = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith(".")
                       and (not skip or os.path.realpath(os.path.join(folder, d)) not in skip)]
            rel = Path(os.path.relpath(folder, root))
            found += [rel.parts + (f,) for f in files
                      if not f.startswith(".") and Path(f).suffix.lower() in FORMATS]
        for parts in sorted(found):
            yield os.path.join(root, *parts)


def read_all(paths: Iterable[str | os.PathLike], exclude: Iterable[str | os.PathLike] = ()
             ) -> Iterator[Document | InputError]:
    """Read every file under ``paths`` (but ``exclude``, as :func:`iter_paths`); a file
    that cannot be read yields its error instead."""
    for path in iter_paths(paths, exclude):
        try:
            yield read_file(path)
        except InputError as e:
            logger.debug("skipping %s", e)
            yield e
