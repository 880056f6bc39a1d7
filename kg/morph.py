"""pymorphy3, loaded once per process, and the lemmas every stage shares.

>>> lemma("дивизии", "NOUN"), lemma("летом", "NOUN"), lemma("1941")
('дивизия', 'лето', '1941')
"""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def morph_analyzer():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=200_000)
def parses(word: str) -> tuple:
    """pymorphy3's parses of a word, cached: names and lexicon words recur a lot."""
    return tuple(morph_analyzer().parse(word))


@lru_cache(maxsize=10_000)
def word_forms(word: str) -> tuple[str, ...]:
    """Every inflected form of a word's most likely reading ("июнь" -> "июня", "июне"...)."""
    found = parses(word.lower())
    return tuple(dict.fromkeys(f.word for f in found[0].lexeme)) if found else ()


# slovnet POS -> the pymorphy3 POS tags that may stand for it
_POS_MAP = {"NOUN": {"NOUN"}, "PROPN": {"NOUN"}, "ADJ": {"ADJF", "ADJS", "PRTF", "NUMR"},
            "VERB": {"VERB", "INFN", "PRTF", "PRTS", "GRND"}, "ADV": {"ADVB"},
            "NUM": {"NUMR"}, "DET": {"NPRO", "ADJF"}, "PRON": {"NPRO"}}


@lru_cache(maxsize=200_000)
def lemma(word: str, pos: str = "") -> str:
    """The pymorphy3 lemma of a word, preferring the parse that agrees with ``pos``
    (a Universal Dependencies tag, as Natasha's morphology gives it)."""
    low = word.lower()
    if not any(c.isalpha() for c in low):
        return low
    found = parses(low)
    wanted = _POS_MAP.get(pos)
    for p in found:
        if wanted is None or p.tag.POS in wanted:
            return p.normal_form
    return found[0].normal_form
