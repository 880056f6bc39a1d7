"""Stage 3, nlp: Article -> spaCy Doc with sentences, morphology, lemmas and entity spans.

The pipeline is ``spacy.blank("ru")`` with a razdel tokenizer (so that tokens line
up with Natasha's models), then these components, in order:

* ``kg_natasha`` — sentences (line breaks, then razdel), Natasha's slovnet morphology
  (POS and Case/Gender/Number) and slovnet NER into ``doc.spans["model"]``;
* ``kg_lemmas`` — pymorphy3 lemmas, choosing the parse that agrees with slovnet's POS;
* ``kg_units``, ``kg_dates``, ``kg_awards``, ``kg_orgs``, ``kg_places`` — SpanRulers whose patterns are the data
  files ``data/patterns/*.jsonl``;
* ``kg_settle`` — one function, :func:`settle_overlaps`, decides between model and
  rule spans and writes ``doc.ents``;
* ``kg_syntax`` — Natasha's slovnet dependency parse (``token._.kg_head``,
  ``token._.kg_dep``) of the sentences whose events and relations depend on it
  (:func:`kg.events.needs_parse`); the other sentences keep no parse.

All weights come from the ``natasha`` wheel; nothing is fetched at run time.

>>> nlp = load_nlp()
>>> doc = nlp("Кабыш Омаров служил в 316-й стрелковой дивизии.")
>>> [(e.text, e.label_) for e in doc.ents]
[('Кабыш Омаров', 'PERSON'), ('316-й стрелковой дивизии', 'UNIT')]
"""
from __future__ import annotations

import json
import logging
import re
import warnings
from functools import lru_cache

import numpy
import spacy
from slovnet.conll import parse_conll_tag
from slovnet.exec.mask import split_masked
from spacy.attrs import LEMMA, ORTH, SENT_START
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import SpanRuler
from spacy.tokens import Doc, MorphAnalysis, Span, Token

from .errors import DataError
from .morph import lemma, morph_analyzer, parses, word_forms
from .resources import data_dir, read_lexicon, read_lexicon_lines
from .types import ORG, PERSON, PLACE, Article

log = logging.getLogger(__name__)

NER_LABELS = {"PER": PERSON, "LOC": PLACE, "ORG": ORG}
RULE_KEYS = ("units", "dates", "awards", "orgs", "places")
_LINE = re.compile(r"[^\n]+")


# --- models, loaded once per process -------------------------------------------------

@lru_cache(maxsize=1)
def _natasha():
    from natasha import NewsEmbedding, NewsMorphTagger, NewsNERTagger, NewsSyntaxParser

    emb = NewsEmbedding()
    return NewsNERTagger(emb), NewsMorphTagger(emb), NewsSyntaxParser(emb)


# --- tokenizer ---------------------------------------------------------------------

class RazdelTokenizer:
    """razdel tokens as a spaCy Doc whose text is the input, character for character."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        from razdel import tokenize

        words, spaces = [], []
        pos = 0
        for tok in tokenize(text):
            gap = text[pos:tok.start]
            _add_gap(gap, words, spaces)
            words.append(tok.text)
            spaces.append(False)
            pos = tok.stop
        _add_gap(text[pos:], words, spaces)
        return Doc(self.vocab, words=words, spaces=spaces)


def _add_gap(gap: str, words: list, spaces: list) -> None:
    if not gap:
        return
    if gap.startswith(" ") and words and not spaces[-1]:
        spaces[-1] = True
        gap = gap[1:]
    if gap:
        words.append(gap)
        spaces.append(False)


# --- components --------------------------------------------------------------------

def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences as character spans: every line break ends one, razdel splits the rest.

    >>> t = "Заголовок\\nОн родился в 1913 году. Через два дня он погиб."
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['Заголовок', 'Он родился в 1913 году.', 'Через два дня он погиб.']
    """
    from razdel import sentenize

    out = []
    for line in _LINE.finditer(text):
        if not line.group().strip():
            continue
        for s in sentenize(line.group()):
            out.append((line.start() + s.start, line.start() + s.stop))
    return out


# The dependency parse: per token, the index of its syntactic head (``token._.kg_head``)
# and its Universal Dependencies relation (``token._.kg_dep``). Both are kept as two
# lists in ``doc.user_data["kg_parse"]``, which stages read whole (:func:`dependencies`):
# an extension attribute costs a lookup each time it is read.
_PARSE = "kg_parse"


def dependencies(doc: Doc) -> tuple[list[int | None], list[str]]:
    """The heads and relations of every token of ``doc`` (None and "" before parsing)."""
    parse = doc.user_data.get(_PARSE)
    if parse is None:
        parse = doc.user_data[_PARSE] = ([None] * len(doc), [""] * len(doc))
    return parse


def _parse_attribute(column: int):
    def get(tok: Token):
        return dependencies(tok.doc)[column][tok.i]

    def set_(tok: Token, value) -> None:
        dependencies(tok.doc)[column][tok.i] = value

    return get, set_


for _column, _attr in enumerate(("kg_head", "kg_dep")):
    _get, _set = _parse_attribute(_column)
    Token.set_extension(_attr, getter=_get, setter=_set, force=True)


@Language.factory("kg_natasha", assigns=["token.pos", "token.morph", "token.is_sent_start"])
def make_natasha(nlp, name):
    return NatashaComponent(nlp.vocab)


class NatashaComponent:
    def __init__(self, vocab):
        self.vocab = vocab
        self._tags: dict[str, tuple[str, MorphAnalysis | None]] = {}  # slovnet tag -> POS, morph

    def __call__(self, doc: Doc) -> Doc:
        ner, morph, _ = _natasha()
        sents = sentence_spans(doc.text)
        doc.user_data["kg_sentences"] = sents
        _mark_sentence_starts(doc, {s for s, _ in sents})
        toks_by_sent = sentence_tokens(doc)
        words = [[t.text for t in toks] for toks in toks_by_sent]
        for toks, tags in zip(toks_by_sent, _predict(morph, words)):
            for tok, tag in zip(toks, tags):
                tok.pos_, analysis = self._tag(tag)
                if analysis is not None:
                    tok.morph = analysis
        spans = []
        # the NER tokenizes the text as the tokenizer did (razdel): it is given those words
        tokens = [t for t in doc if not t.is_space]
        for start, end, kind in _ner_spans(ner, [t.text for t in tokens]):
            span = fix_model_span(Span(doc, tokens[start].i, tokens[end - 1].i + 1, NER_LABELS[kind]))
            if span is not None:
                spans.append(span)
        doc.spans["model"] = spans
        return doc

    def _tag(self, tag: str) -> tuple[str, MorphAnalysis | None]:
        """A slovnet morphology tag ("NOUN|Case=Nom|Gender=Fem") as a POS and the
        morphology to give a token (None without features), made once per tag."""
        found = self._tags.get(tag)
        if found is None:
            pos, feats = parse_conll_tag(tag)
            features = "|".join(f"{k}={v}" for k, v in sorted(feats.items()))
            found = self._tags[tag] = (pos, MorphAnalysis(self.vocab, features) if feats else None)
        return found


def _mark_sentence_starts(doc: Doc, starts: set[int]) -> None:
    """``is_sent_start`` for every token in one go (the first token and those at a
    sentence start): setting it token by token checks the whole Doc for a parse
    each time."""
    values = [1 if tok.i == 0 or tok.idx in starts else -1 for tok in doc]
    if values:
        doc.from_array([SENT_START], numpy.array(values, dtype="int64").astype(numpy.uint64))


def sentence_tokens(doc: Doc) -> list[list[Token]]:
    """The tokens (spaces left out) of each sentence of ``doc`` that has any, as the
    models see them."""
    out = []
    for s, e in doc.user_data.get("kg_sentences") or sentence_spans(doc.text):
        span = doc.char_span(s, e, alignment_mode="expand")
        toks = [t for t in span if not t.is_space] if span is not None else []
        if toks:
            out.append(toks)
    return out


# slovnet's models run on sentences padded to the longest of each batch of 8 in a row
# (``model.map``), and padding changes the result: the first convolution reads the pad
# word's vector past the end of a shorter sentence, where the longest sees zeros (later
# layers see zeros in both). A sentence's result depends on that alone: on how many pad
# words it sees, 0 up to the convolution's reach. kg runs sentences of like length
# together, which spares most of the padding, and gives each the pad words it would
# see in slovnet's batches, so the results are those of Natasha, and the same whatever
# other sentences are run: kg_syntax parses some sentences only.
_WORDS = 128


def _pads(lengths: list[int], batch_size: int, reach: int) -> list[int]:
    """How many pad words each sentence sees in slovnet's batches (``batch_size`` in a
    row, padded to the longest), the first convolution reaching ``reach`` words.

    >>> _pads([3, 5, 5, 2, 4], 2, 1)
    [1, 0, 0, 1, 0]
    """
    out = []
    for k in range(0, len(lengths), batch_size):
        chunk = lengths[k:k + batch_size]
        out += [min(max(chunk) - n, reach) for n in chunk]
    return out


def _predict(model, items: list[list[str]], pads: list[int] | None = None) -> list:
    """A slovnet morphology or syntax model's raw predictions for sentences of words
    (tag strings; for the parser, ids, heads and relations), in order, without the
    record per token that slovnet and natasha build on top of them. ``pads``: the pad
    words each sentence saw in slovnet's batches of the sentences of its text (by
    default ``items`` are the whole text)."""
    infer = model.infer
    reach = infer.model.encoder.layers[0].conv.padding
    if pads is None:
        pads = _pads([len(words) for words in items], model.batch_size, reach)
    order = sorted(range(len(items)), key=lambda k: len(items[k]) + pads[k])
    out: list = [None] * len(items)
    for chunk in _chunks(order, [len(items[k]) + pads[k] for k in order]):
        x, pad_mask = _encode(infer, [items[k] for k in chunk], [pads[k] for k in chunk])
        for k, pred in zip(chunk, infer.decoder(_decode(infer.model, x, pad_mask))):
            out[k] = pred
    return out


def _chunks(order: list[int], widths: list[int]) -> list[list[int]]:
    """``order`` (by width, ascending) in runs of at most ``_WORDS`` padded words (one
    sentence at least): small batches stay in the processor's cache.

    >>> _chunks([4, 2, 0, 1], [30, 40, 50, 100])
    [[4, 2], [0], [1]]
    """
    out: list[list[int]] = []
    for k, width in zip(order, widths):
        if out and (len(out[-1]) + 1) * width <= _WORDS:
            out[-1].append(k)
        else:
            out.append([k])
    return out


def _encode(infer, items: list[list[str]], pads: list[int]):
    """Sentences through a model's embedding and encoder (``Tag`` or ``Syntax`` of
    ``slovnet.exec.model``): each sentence followed by its pad words, then zeros."""
    encoder, ids = infer.encoder, _word_ids(infer.encoder)
    width = max(len(words) + pad for words, pad in zip(items, pads))
    word_id = numpy.full((len(items), width), encoder.words_vocab.pad_id)
    shape_id = numpy.full((len(items), width), encoder.shapes_vocab.pad_id)
    blank = numpy.zeros((len(items), width), dtype=bool)
    for row, (words, pad) in enumerate(zip(items, pads)):
        for col, word in enumerate(words):
            found = ids.get(word)
            if found is None:
                found = ids[word] = tuple(x[0] for x in encoder.item([word]))
            word_id[row, col], shape_id[row, col] = found
        blank[row, len(words) + pad:] = True
    pad_mask = word_id == encoder.words_vocab.pad_id  # as slovnet's encoder has it
    x = infer.model.emb(word_id, shape_id)
    x[blank] = 0
    return infer.model.encoder(x, pad_mask), pad_mask


def _word_ids(encoder) -> dict[str, tuple[int, int]]:
    """A model's word and shape ids by word, kept (the word's shape is a function of
    Python: the same words recur)."""
    ids = getattr(encoder, "_kg_ids", None)
    if ids is None or len(ids) > 500_000:
        ids = encoder._kg_ids = {}
    return ids


def _decode(model, x, pad_mask):
    """The predictions per sentence, as ``slovnet.exec.infer``'s ``MorphInfer`` and
    ``SyntaxInfer`` make them from the encoder's output."""
    mask = ~pad_mask
    if hasattr(model, "rel"):  # the parser
        head_id = model.head.decode(model.head(x), mask)
        rel_id = model.rel.decode(model.rel(x, head_id), mask)
        return zip(split_masked(head_id, mask), split_masked(rel_id, mask))
    return split_masked(model.head.decode(model.head(x)), mask)


def _ner_spans(ner, words: list[str]) -> list[tuple[int, int, str]]:
    """slovnet NER spans of a text already split into ``words``, as (first word, last
    word + 1, type): what ``ner(text).spans`` gives, without tokenizing the text again."""
    if not words:
        return []
    infer = ner.infer
    x, _ = _encode(infer, [words], [0])  # the whole text is one sequence: no padding
    tags = _viterbi(infer.model.head.crf.transitions.array, infer.model.head(x)[0])
    return _bio_spans(next(infer.decoder([tags])))


def _bio_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """Spans of BIO tags as slovnet's ``bio_spans`` reads them: an I- tag goes on
    whatever span is open, whatever its type.

    >>> _bio_spans(["B-PER", "I-PER", "O", "I-LOC", "B-LOC", "B-ORG", "I-LOC"])
    [(0, 2, 'PER'), (4, 5, 'LOC'), (5, 7, 'ORG')]
    """
    out = []
    kind, start, end = None, 0, 0
    for k, tag in enumerate(tags):
        part, _, type_ = tag.partition("-")
        if part == "I":
            end = k + 1
            continue
        if kind:
            out.append((start, end, kind))
        kind, start, end = (type_, k, k + 1) if part == "B" else (None, 0, 0)
    if kind:
        out.append((start, end, kind))
    return out


def _viterbi(transitions, emissions) -> list[int]:
    """The best tags of one sequence: slovnet's ``CRF.decode`` for a batch of one
    without padding, the same sums in the same order, with fewer steps for numpy."""
    cols = numpy.arange(transitions.shape[0])
    score = emissions[0]
    history = []
    for emission in emissions[1:]:
        scores = score[:, None] + transitions + emission  # from tag (row) to tag (column)
        best = scores.argmax(0)
        score = scores[best, cols]
        history.append(best)
    tags = [int(score.argmax())]
    for best in reversed(history):
        tags.append(int(best[tags[-1]]))
    return tags[::-1]


_EDGE_POS = {"ADP", "CCONJ", "SCONJ", "PUNCT", "PART"}
_OPEN, _CLOSE = "«\"„“(", "»\"“”)"


def fix_model_span(span: Span) -> Span | None:
    """A model span with its boundaries mended, or None when it names nobody.

    The model runs over line breaks ("Юкия Амано\nУшёл") and brackets ("Шону Комбсу
    (Diddy"), stops short of a closing quote ("ООО УК «Металлоинвест") or of the
    rest of an official name ("Совет ... по эвакуации"), takes trailing prepositions
    ("Сопротивления во"), titles ("Император Акихито", "Шарлю де Голлю
    Чрезвычайный") and relatives ("Дед") for parts of names.
    """
    doc, start, end, label = span.doc, span.start, span.end, span.label_
    for i in range(start, end):  # a name never runs over a line break or into brackets
        if "\n" in doc[i].text or (doc[i].text == "(" and i > start):
            end = i
            break
    if end < len(doc) and doc[end].text in _CLOSE and _unclosed(doc[start:end]):
        end += 1
    while start < end and (doc[start].pos_ in _EDGE_POS and doc[start].text not in _OPEN
                           or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].pos_ in _EDGE_POS
                           and (doc[end - 1].text not in _CLOSE or not _unclosed(doc[start:end - 1]))
                           or doc[end - 1].is_space):
        end -= 1
    if label == PLACE and end - start > 1 and doc[start + 1].is_title \
            and lemma(doc[start].text, "NOUN") in read_lexicon("place_generic_words"):
        start += 1  # "Город Павия": the name is Павия
    if label == PERSON:
        while end - start > 1 and _title(doc[start]):
            start += 1
        while end - start > 1 and _adjective_not_name(doc[end - 1]):
            end -= 1
        end = _extend_person(doc, start, end)
        if end - start == 1 and lemma(doc[start].text, "NOUN") in read_lexicon("relatives"):
            return None
    elif label == ORG:
        start, end = _extend_org(doc, start, end)
    if end <= start:
        return None
    return span if (start, end) == (span.start, span.end) else Span(doc, start, end, label)


_ROMAN = re.compile(r"^(I{1,3}|IV|VI{0,3}|IX|XI{0,3})$")


def _extend_person(doc, start: int, end: int) -> int:
    """The end of a person's name the model cut short: a regnal number ("Елизавета
    II"), or the surname after a lone first name ("Юрия Царёва")."""
    if end < len(doc) and _ROMAN.match(doc[end].text):
        return end + 1
    if end - start == 1 and end < len(doc) and doc[end].is_title and not doc[end].is_sent_start:
        first = parses(doc[start].text.lower())
        nxt = parses(doc[end].text.lower())
        if any("Name" in p.tag.grammemes for p in first) and (
                any("Surn" in p.tag.grammemes for p in nxt)
                or not morph_analyzer().word_is_known(doc[end].text.lower())):
            return end + 1
    return end


def _unclosed(tokens) -> bool:
    """Whether a quote or bracket opened in ``tokens`` is left open."""
    texts = [t.text for t in tokens]
    return (texts.count("«") + texts.count("„") > texts.count("»")
            or texts.count("(") > texts.count(")") or texts.count('"') % 2 == 1)


def _title(tok) -> bool:
    """A title, rank or job written before a name (Император, Генерал, Посол, Рэперу),
    from the lexicons. (Not any common noun: Кит Флинт and Том Хэнкс are names.)"""
    word = lemma(tok.text, "NOUN")
    return any(word in read_lexicon(name) for name in ("person_titles", "ranks", "roles")) \
        and not _name_word(tok.text)


def _name_word(word: str) -> bool:
    return any({"Name", "Surn", "Patr"} & p.tag.grammemes for p in parses(word.lower()))


def _adjective_not_name(tok) -> bool:
    found = parses(tok.text.lower())
    if any({"Name", "Surn", "Patr"} & p.tag.grammemes for p in found):
        return False
    return tok.pos_ == "ADJ" or all(p.tag.POS in ("ADJF", "ADJS") for p in found)


def _extend_org(doc, start: int, end: int) -> tuple[int, int]:
    """An organization's name with the words the model left out around it:
    a lowercase head noun before it ("движения Сопротивления"), "по ..." after an
    official body ("Совет по эвакуации", "управления по делам обороны"), a genitive
    after a head noun ("школу снайперской подготовки")."""
    org_nouns = read_lexicon("org_nouns")
    if start > 0 and doc[start - 1].is_lower and lemma(doc[start - 1].text, "NOUN") in org_nouns:
        start -= 1
    head = lemma(doc[end - 1].text, "NOUN")
    first_noun = next((lemma(t.text, "NOUN") for t in doc[start:end] if t.pos_ in ("NOUN", "PROPN")), "")
    nxt = end
    if nxt < len(doc) and doc[nxt].lower_ == "по" and (
            head in read_lexicon("official_bodies") or first_noun in org_nouns):
        # "Европейский суд по правам человека", "комитет Совета Федерации по ... политике"
        nxt += 1
    elif head not in org_nouns or not doc[end - 1].is_lower:
        return start, end
    k = nxt
    # the rest of the name: adjectives and one noun, lowercase, in the case that
    # "по" governs or in the genitive ("школу снайперской подготовки")
    cases = {"Dat", "Loc", "Gen"} if nxt > end else {"Gen"}
    while k < len(doc) and doc[k].is_lower and doc[k].pos_ in ("ADJ", "NOUN") \
            and cases & set(doc[k].morph.get("Case")):
        k += 1
        if doc[k - 1].pos_ == "NOUN" and not (k < len(doc) and doc[k].pos_ == "NOUN" and nxt > end):
            break
    if k > nxt and doc[k - 1].pos_ == "NOUN":
        return start, k
    return start, end


@Language.factory("kg_lemmas", assigns=["token.lemma"])
def make_lemmas(nlp, name):
    def set_lemmas(doc: Doc) -> Doc:
        for tok in doc:
            tok.lemma_ = tok.text if tok.is_space else lemma(tok.text, tok.pos_)
        return doc

    return set_lemmas


@Language.factory("kg_syntax")
def make_syntax(nlp, name):
    # which sentences need a parse is for the stage that reads it to say
    from .events import needs_parse

    return lambda doc: dependency_parse(doc, needs_parse)


def dependency_parse(doc: Doc, select=None) -> Doc:
    """Natasha's dependency parse of the sentences of ``doc`` (after ``kg_natasha``)
    that ``select`` (their tokens -> bool) passes, all by default; each gets the parse
    a parse of every sentence gives it.

    >>> doc = dependency_parse(load_nlp()("Он любил кошек. Отец служил в полку."), lambda toks: len(toks) > 4)
    >>> [(t.text, t._.kg_head, t._.kg_dep) for t in doc][1:5]
    [('любил', None, ''), ('кошек', None, ''), ('.', None, ''), ('Отец', 5, 'nsubj')]
    """
    # dependencies live in extension attributes: setting spaCy's own heads would
    # let the parse redraw the sentence boundaries decided above
    syntax = _natasha()[2]
    sents = sentence_tokens(doc)
    reach = syntax.infer.model.encoder.layers[0].conv.padding
    pads = _pads([len(toks) for toks in sents], syntax.batch_size, reach)
    chosen = [k for k, toks in enumerate(sents) if select is None or select(toks)]
    heads, deps = dependencies(doc)
    found = _predict(syntax, [[t.text for t in sents[k]] for k in chosen], [pads[k] for k in chosen])
    for k, (_, head_ids, rels) in zip(chosen, found):
        toks = sents[k]
        for tok, head_id, rel in zip(toks, head_ids, rels):
            head = int(head_id) - 1
            heads[tok.i] = toks[head].i if 0 <= head < len(toks) else None
            deps[tok.i] = rel
    return doc


@Language.factory("kg_settle", assigns=["doc.ents"])
def make_settle(nlp, name):
    def settle(doc: Doc) -> Doc:
        rules = [_trimmed(s) for key in RULE_KEYS for s in doc.spans.get(key, [])
                 if not (s.id_ in _NOT_AFTER and s.start > 0
                         and doc[s.start - 1].lemma_ in _NOT_AFTER[s.id_])]
        strong = [s for s in rules if s.id_ not in WEAK_RULES]
        weak = [s for s in rules if s.id_ in WEAK_RULES]
        ents = settle_overlaps(list(doc.spans.get("model", [])), strong, weak)
        doc.ents, doc.spans["nested"] = attach_places(ents)
        return doc

    return settle


def settle_overlaps(model: list[Span], rules: list[Span], weak: list[Span] = ()) -> list[Span]:
    """The one place where model and rule spans are reconciled.

    Rule spans (units, dates, awards, organizations) win over model spans they
    overlap, because the model was not trained on them (it calls "Красной Звезды"
    an ORG and "Белорусский" in "1-й Белорусский фронт" a LOC). Among rule spans,
    the longest wins, then the earliest. Model spans never overlap each other.
    Weak rule spans (place adjectives) only fill what is left.
    """
    kept: list[Span] = []
    taken: set[int] = set()
    for group in (sorted(rules, key=lambda s: (-(s.end - s.start), s.start)), model, weak):
        for span in group:
            if not taken.intersection(range(span.start, span.end)):
                kept.append(span)
                taken.update(range(span.start, span.end))
    return sorted(kept, key=lambda s: s.start)


def _trimmed(span: Span) -> Span:
    n = _TRIM_START.get(span.id_, 0)
    return Span(span.doc, span.start + n, span.end, span.label_, span_id=span.id_) if n else span


def attach_places(ents: list[Span]) -> tuple[list[Span], list[Span]]:
    """Organizations with the place in the genitive that ends their name: "Верховный
    суд Испании", "Министерство обороны СССР". The place stays a mention of its own,
    nested in the longer name (returned second). Units are left alone: "1-й
    Украинский фронт" must stay one unit whether or not "СССР" follows it."""
    out: list[Span] = []
    nested: list[Span] = []
    for ent in ents:
        prev = out[-1] if out else None
        if (prev is not None and prev.label_ == ORG and ent.label_ == PLACE
                and ent.start == prev.end and ent.id_ != "place_adjective"
                and "Gen" in ent[0].morph.get("Case") and ent[0].text[:1].isupper()):
            out[-1] = Span(ent.doc, prev.start, ent.end, prev.label_, span_id=prev.id_)
            nested.append(ent)
        else:
            out.append(ent)
    return out, nested


# --- rule matching only where a rule can match -----------------------------------------
# spaCy's Matcher starts every pattern at every token, so a ruler with a hundred patterns
# costs a hundred steps a token, although dates, units and awards are a few per cent of
# the words. What a match must look like narrows where the Matcher has to look:
# * it has a token for each required (not optional) token of its pattern, so it lies
#   within the pattern's reach (its longest stretch before and after that token) of a
#   token that passes the text conditions (ORTH/TEXT/LOWER/LEMMA: a value, IN, REGEX) of
#   the pattern's rarest required token in this Doc, its anchor;
# * when every pattern token has text conditions, every token of it passes those of some
#   pattern token, so it also lies inside one run of such tokens.
# The Matcher runs over these windows alone and finds the same matches: a pattern sees
# the same tokens (a neighbour test like ``kg_prev`` reads the Doc). The patterns with
# the same anchors have a Matcher of their own, run over their own windows only: a
# window that a year opens is not tried with the patterns of month names. A pattern with
# no required text conditions makes the ruler match over the whole Doc, as spaCy's does.

_TEXT_ATTRS = {"ORTH": "orth_", "TEXT": "orth_", "LOWER": "lower_", "LEMMA": "lemma_"}
_REPEATS = re.compile(r"^\{(\d*)(,?)(\d*)\}$")
_UNBOUNDED = 10 ** 9


def _text_tests(spec: dict) -> tuple[tuple[str, str, object], ...] | None:
    """The text conditions of a pattern token as (token attribute, op, value), which every
    token it matches passes; None when there are none, or the token is negated ("!")."""
    if spec.get("OP") == "!":
        return None
    tests = []
    for key, cond in spec.items():
        attr = _TEXT_ATTRS.get(key.upper())
        if attr is None:
            continue  # other conditions only narrow the match: leaving them out is safe
        if isinstance(cond, str):
            tests.append((attr, "==", cond))
        elif isinstance(cond, dict):  # other operators (NOT_IN, FUZZY...) are left out
            if isinstance(cond.get("IN"), list) and all(isinstance(v, str) for v in cond["IN"]):
                tests.append((attr, "in", frozenset(cond["IN"])))
            if isinstance(cond.get("REGEX"), str):
                tests.append((attr, "re", cond["REGEX"]))
    return tuple(tests) or None


def _repeats(spec: dict) -> tuple[int, int]:
    """How many tokens a pattern token takes, at least and at most ("OP")."""
    op = spec.get("OP")
    fixed = {None: (1, 1), "!": (1, 1), "?": (0, 1), "*": (0, _UNBOUNDED), "+": (1, _UNBOUNDED)}
    if op in fixed:
        return fixed[op]
    low, comma, high = _REPEATS.match(op).groups()
    return int(low or 0), int(high) if high else (_UNBOUNDED if comma else int(low))


class _RuleIndex:
    """Which pattern tokens' text conditions a token passes, and where in a Doc the
    Matcher has to look (see above)."""

    def __init__(self, token_patterns: list[list[dict]]):
        self.tests: list[tuple] = []  # the distinct text conditions of pattern tokens
        ids: dict[tuple, int] = {}
        self.runs = True  # every pattern token has text conditions
        # per pattern, its required tokens with text conditions: (test id, reach before, after)
        self.anchors: list[list[tuple[int, int, int]]] | None = []
        for pattern in token_patterns:
            most = [_repeats(spec)[1] for spec in pattern]
            required = []
            for k, spec in enumerate(pattern):
                tests = _text_tests(spec)
                if tests is None:
                    self.runs = False
                    continue
                key = tuple((attr, op, tuple(sorted(v)) if op == "in" else v) for attr, op, v in tests)
                if key not in ids:
                    ids[key] = len(self.tests)
                    self.tests.append(tests)
                if _repeats(spec)[0] > 0:
                    # a repeated token: the anchor may be its first or its last
                    before = sum(most[:k]) + most[k] - 1
                    required.append((ids[key], before, sum(most[k + 1:]) + most[k] - 1))
            if self.anchors is not None:
                self.anchors = self.anchors + [required] if required else None
        # the patterns (by index) of each distinct list of anchors: they share their windows
        self.groups: dict[tuple, list[int]] = {}
        for k, required in enumerate(self.anchors or ()):
            self.groups.setdefault(tuple(required), []).append(k)
        # a single value or IN test is looked up by the token's value; the others tried
        self.by_value: dict[str, dict[str, list[int]]] = {a: {} for a in set(_TEXT_ATTRS.values())}
        self.others: list[tuple[int, tuple]] = []
        for i, tests in enumerate(self.tests):
            if len(tests) == 1 and tests[0][1] != "re":
                attr, op, value = tests[0]
                for word in (value if op == "in" else (value,)):
                    self.by_value[attr].setdefault(word, []).append(i)
            else:
                self.others.append((i, tuple((a, op, re.compile(v) if op == "re" else v)
                                             for a, op, v in tests)))
        self._seen: dict[tuple[int, int], frozenset[int]] = {}

    def passed(self, tok: Token) -> frozenset[int]:
        """The ids of the tests ``tok`` passes (cached by its text and lemma, which decide)."""
        return self._passed_at(tok.doc, tok.i, (tok.orth, tok.lemma))

    def _passed_at(self, doc: Doc, k: int, key: tuple[int, int]) -> frozenset[int]:
        found = self._seen.get(key)  # key: the token's text and lemma, as string store ids
        if found is None:
            if len(self._seen) > 500_000:
                self._seen.clear()
            found = self._seen[key] = self._passed(doc[k])
        return found

    def _passed(self, tok: Token) -> frozenset[int]:
        values = {attr: getattr(tok, attr) for attr in self.by_value}
        out = [i for attr, index in self.by_value.items() for i in index.get(values[attr], ())]
        out += [i for i, tests in self.others
                if all(_test(values[attr], op, value) for attr, op, value in tests)]
        return frozenset(out)

    def windows(self, doc: Doc) -> list[tuple[int, int]]:
        """The stretches of ``doc`` (token start, end) where a match can be, in order."""
        if self.anchors is None:
            return [(0, len(doc))]
        return _merged([w for _, found in self.group_windows(doc) for w in found])

    def group_windows(self, doc: Doc) -> list[tuple[tuple, list[tuple[int, int]]]]:
        """Per group of patterns (``groups``: those with the same anchors), the stretches
        of ``doc`` where one of them can match; only for patterns that all have anchors."""
        # the keys from one array, not a Token object per token and ruler (a fifth of
        # the rules' time went into making them)
        seen = self._seen
        passed = []
        for k, key in enumerate(map(tuple, doc.to_array([ORTH, LEMMA]).tolist())):
            found = seen.get(key)
            passed.append(found if found is not None else self._passed_at(doc, k, key))
        at: dict[int, list[int]] = {}  # test id -> the tokens that pass it
        for k, ids in enumerate(passed):
            for i in ids:
                at.setdefault(i, []).append(k)
        runs = _runs(passed) if self.runs else None
        out = []
        for required in self.groups:
            test, before, after = min(required, key=lambda r: len(at.get(r[0], ())))
            found = []
            for k in at.get(test, ()):
                start, end = max(0, k - before), min(len(doc), k + after + 1)
                if runs is not None:
                    start, end = max(start, runs[k][0]), min(end, runs[k][1])
                found.append((start, end))
            if found:
                out.append((required, _merged(found)))
        return out


def _runs(passed: list) -> list[tuple[int, int] | None]:
    """Per token, the (start, end) of the run of consecutive passing tokens it is in."""
    out: list[tuple[int, int] | None] = [None] * len(passed)
    k = 0
    while k < len(passed):
        end = k
        while end < len(passed) and passed[end]:
            end += 1
        for j in range(k, end):
            out[j] = (k, end)
        k = end + 1
    return out


def _merged(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _test(text: str, op: str, value) -> bool:
    if op == "==":
        return text == value
    if op == "in":
        return text in value
    return value.search(text) is not None


class WindowedSpanRuler(SpanRuler):
    """A SpanRuler whose token patterns are matched only where a match can be (above)."""

    def add_patterns(self, patterns) -> None:
        super().add_patterns(patterns)
        self._index = None

    def clear(self) -> None:
        super().clear()
        self._index = None

    def _group_matchers(self) -> tuple[_RuleIndex, dict[tuple, Matcher]]:
        """The index of the token patterns, and a Matcher per group of patterns that share
        anchors, each pattern under the key ``SpanRuler`` gives it."""
        patterns = [p for p in self.patterns if isinstance(p["pattern"], list)]
        index = _RuleIndex([p["pattern"] for p in patterns])
        matchers = {}
        for required, members in index.groups.items():
            matcher = matchers[required] = Matcher(self.nlp.vocab, validate=self.validate,
                                                   fuzzy_compare=self.matcher_fuzzy_compare)
            for k in members:
                matcher.add(repr((patterns[k]["label"], patterns[k].get("id", ""))), [patterns[k]["pattern"]])
        return index, matchers

    def match(self, doc: Doc):
        self._require_patterns()
        if getattr(self, "_index", None) is None:
            self._index, self._matchers = self._group_matchers()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="\\[W036")
            if self._index.anchors is None:  # a pattern without anchors: the whole Doc
                matches = list(self.matcher(doc))
            else:  # each group's patterns over its own windows: dates 2.5x faster
                matches = [(m_id, a + start, a + end)
                           for required, windows in self._index.group_windows(doc)
                           for a, b in windows
                           for m_id, start, end in self._matchers[required](doc[a:b])]
            matches += list(self.phrase_matcher(doc))
        # as SpanRuler.match: one span per label, id, start and end, in order
        return sorted({Span(doc, start, end, label=self._match_label_id_map[m_id]["label"],
                            span_id=self._match_label_id_map[m_id]["id"])
                       for m_id, start, end in matches if start != end})


@Language.factory("kg_span_ruler", assigns=["doc.spans"],
                  default_config={"spans_key": "ruler", "phrase_matcher_attr": None,
                                  "validate": False})
def make_span_ruler(nlp, name, spans_key: str, phrase_matcher_attr: str | None, validate: bool):
    return WindowedSpanRuler(nlp, name, spans_key=spans_key, phrase_matcher_attr=phrase_matcher_attr,
                             validate=validate, overwrite=True)


# --- rule patterns -------------------------------------------------------------------

# pattern id -> lemmas that must not stand just before a match ("not_after" in a pattern)
_NOT_AFTER: dict[str, frozenset[str]] = {}
# ids of patterns that yield to the model ("weak": true in a pattern)
WEAK_RULES: set[str] = set()
# pattern id -> tokens of context a match starts with, not part of the name ("trim_start")
_TRIM_START: dict[str, int] = {}


def load_patterns(name: str) -> list[dict]:
    """SpanRuler patterns from ``data/patterns/NAME.jsonl``.

    A value ``"@lexicon"`` inside ``IN`` / ``NOT_IN`` is replaced by the entries of
    ``data/lexicons/lexicon.txt`` (the text before any ``=``), so that word lists stay
    plain text a historian can extend; ``"@lexicon:forms"`` adds every inflected form.
    ``"not_after": "@lexicon"`` vetoes a match that follows one of those words;
    ``"weak": true`` lets model spans win over the pattern's matches;
    ``"trim_start": N`` keeps the first N tokens of a match out of the span ("с." in
    "с. Кайнар").
    """
    path = data_dir() / "patterns" / f"{name}.jsonl"
    patterns = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise DataError(f"{path}: cannot read patterns ({e.strerror})") from e
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            pat = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataError(f"{path}:{n}: not JSON ({e.msg})") from e
        if pat.pop("weak", False):
            WEAK_RULES.add(pat["id"])
        if "trim_start" in pat:
            _TRIM_START[pat["id"]] = int(pat.pop("trim_start"))
        if "not_after" in pat:
            _NOT_AFTER[pat["id"]] = frozenset(_lexicon_words(pat.pop("not_after")))
        if "lexicon" in pat:
            patterns.extend(_lexicon_patterns(pat))
        else:
            pat["pattern"] = [_expand(tok) for tok in pat["pattern"]]
            patterns.append(pat)
    return patterns


def _lexicon_patterns(spec: dict) -> list[dict]:
    """One pattern per lexicon phrase: the first word by ``spec["first"]`` (LEMMA by
    default, so that "орденом Красной Звезды" matches), the other words as written."""
    first = spec.get("first", "LEMMA")
    out = []
    for line in read_lexicon_lines(spec["lexicon"]):
        words = line.split("=")[0].split()
        head = lemma(words[0]) if first == "LEMMA" else words[0].lower()
        pattern = [{first: head}] + [{"LOWER": w.lower()} for w in words[1:]]
        out.append({"label": spec["label"], "id": spec.get("id", spec["lexicon"]),
                    "pattern": pattern})
    return out


def _expand(token: dict) -> dict:
    out = {}
    for attr, cond in token.items():
        if isinstance(cond, dict):
            cond = {op: (_lexicon_words(val) if isinstance(val, str) and val.startswith("@")
                         else val) for op, val in cond.items()}
        out[attr] = cond
    return out


@lru_cache(maxsize=None)
def _lexicon_words(ref: str) -> list[str]:
    name, _, mode = ref[1:].partition(":")
    words = {line.split("=")[0].strip().lower() for line in read_lexicon_lines(name)}
    if mode == "forms":
        words = words.union(*(word_forms(w) for w in words))
    return sorted(words)


# --- dates: the words around a token, as date patterns see them ------------------------
# (This block belongs with kg/dates.py and data/patterns/dates.jsonl.) A date pattern may
# test a token's neighbours without taking them into its span, so that "в 2001 принят"
# gives "2001" and "в возрасте 30 лет" gives no date:
#     {"TEXT": {"REGEX": "^\\d{4}$"}, "_": {"kg_prev": {"IN": ["в", "с", "("]}}}
# kg_prev / kg_next: the neighbour's lower-cased text ("" at the edge of the text, "\n"
# across a line break); kg_prev_pos / kg_next_pos: its part of speech.

def _neighbour(tok, step: int):
    doc, i = tok.doc, tok.i + step
    while 0 <= i < len(doc) and doc[i].is_space and "\n" not in doc[i].text:
        i += step
    return doc[i] if 0 <= i < len(doc) else None


def _neighbour_getter(step: int, attr: str):
    def get(tok) -> str:
        other = _neighbour(tok, step)
        if other is None:
            return ""
        return "\n" if other.is_space else getattr(other, attr)

    return get


for _name, _step, _attr in (("kg_prev", -1, "lower_"), ("kg_next", 1, "lower_"),
                            ("kg_prev_pos", -1, "pos_"), ("kg_next_pos", 1, "pos_")):
    spacy.tokens.Token.set_extension(_name, getter=_neighbour_getter(_step, _attr), force=True)


# --- the pipeline --------------------------------------------------------------------

@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The kg spaCy pipeline (built once per process)."""
    nlp = spacy.blank("ru")
    nlp.tokenizer = RazdelTokenizer(nlp.vocab)
    nlp.add_pipe("kg_natasha")
    nlp.add_pipe("kg_lemmas")
    for key in RULE_KEYS:
        ruler = nlp.add_pipe("kg_span_ruler", name=f"kg_{key}",
                             config={"spans_key": key, "phrase_matcher_attr": "LOWER",
                                     "validate": True})
        ruler.add_patterns(load_patterns(key))
    nlp.add_pipe("kg_settle")
    nlp.add_pipe("kg_syntax")
    return nlp


_ODD_SPACES = str.maketrans({c: " " for c in "\t\xa0\u2000\u2001\u2002\u2003\u2004\u2005"
                                           "\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"})


def masked_text(article: Article) -> str:
    """The article text with boilerplate and credits blanked out, offsets unchanged.

    Non-breaking and other one-character spaces become plain spaces, so that
    "22\u00a0июня" is two tokens like "22 июня" (newspaper dumps are full of them).

    >>> a = Article(source="x", text="Текст.\\nПопулярное\\nПутин", digest="", boilerplate=((7, 24),))
    >>> masked_text(a)
    'Текст.\\n          \\n     '
    """
    chars = list(article.text.translate(_ODD_SPACES))
    for s, e in article.boilerplate + article.credits:
        for i in range(s, min(e, len(chars))):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def analyze(article: Article, nlp: Language | None = None) -> Doc:
    """Run the pipeline over the article's body: boilerplate and credits are blanked,
    so the model never sees them and every offset still indexes ``article.text``."""
    return (nlp or load_nlp())(masked_text(article))


def analyze_many(articles, nlp: Language | None = None, batch_size: int = 8):
    """Docs for many articles, in order."""
    nlp = nlp or load_nlp()
    return nlp.pipe((masked_text(a) for a in articles), batch_size=batch_size)
