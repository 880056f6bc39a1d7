"""Stage 4, normalize: entity spans -> canonical names in the nominative.

spaCy's lemmatizer works word by word and knows no surnames (it turns Омаров into
"омар"); here each word of a name is put in the nominative with pymorphy3, guided by
the case and gender that Natasha's morphology model read off the context, and with
suffix rules for the surnames and first names no dictionary knows (Жуманиязов,
Истыбаев). Phrases (places, units, organizations, awards) have their head and the
adjectives before it inflected, in agreement; what follows the head is kept.

>>> from kg.nlp import load_nlp
>>> doc = load_nlp()("Это родственники Кабыша Омарова, воевавшего в 316-й стрелковой дивизии под Тулузой.")
>>> [canonical_name(e) for e in doc.ents]
['Кабыш Омаров', '316-я стрелковая дивизия', 'Тулуза']
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from .morph import lemma, morph_analyzer, parses
from .resources import read_lexicon, read_lexicon_lines, read_mapping
from .types import AWARD, PERSON, PLACE, UNIT

if TYPE_CHECKING:  # the NLP stages hand spaCy spans in; this module needs no spaCy
    from spacy.tokens import Span, Token

_CASES = {"Nom": "nomn", "Gen": "gent", "Dat": "datv", "Acc": "accs", "Ins": "ablt",
          "Loc": "loct", "Voc": "voct", "Par": "gent"}
_GENDERS = {"Masc": "masc", "Fem": "femn", "Neut": "neut"}
_NAME_TAGS = {"Name", "Surn", "Patr"}
_ORDINAL = re.compile(r"^(\d+)(?:-?[а-яё]{1,3})?$")
_QUOTES = str.maketrans({"“": "«", "”": "»", "„": "«", "‘": "'", "’": "'"})
_DASHES = str.maketrans({"‒": "–", "—": "–", "―": "–"})


@lru_cache(maxsize=200_000)  # names are folded again and again while they are resolved
def fold(text: str) -> str:
    """The key two spellings of one name share: lower case, ё as е, quotes and dashes unified.

    >>> fold("Отряд «Монгол»") == fold('отряд "Монгол"')
    True
    """
    t = text.translate(_QUOTES).translate(_DASHES).lower().replace("ё", "е")
    t = re.sub(r"[«»\"']", '"', t)
    return re.sub(r"\s+", " ", t).strip()


def canonical_name(span: Span) -> str:
    """The canonical, nominative name of an entity span."""
    if span.label_ == PERSON:
        return person_name(span)
    if span.label_ == UNIT:
        return unit_name(span)
    if span.label_ == AWARD:
        return award_name(span)
    if span.label_ == PLACE:
        return place_name(span)
    return phrase_name(list(span))


def place_name(span: Span) -> str:
    """A place's name: without a generic word before it ("ауле Булак" -> Булак), and
    under the name ``data/lexicons/place_names.txt`` gives it (Алма-Ата -> Алматы);
    for an adjective, the place it names ("советских" -> СССР)."""
    words = [t for t in span if not t.is_space]
    if span.id_ == "region_abbreviation":
        return region_name(words)
    if span.id_ == "place_adjective":
        return read_mapping("place_adjectives").get(lemma(words[0].text, "ADJ"), words[0].text)
    if len(words) > 1 and words[1].text[:1].isupper() \
            and lemma(words[0].text, "NOUN") in read_lexicon("place_generic_words"):
        words = words[1:]
    name = phrase_name(words)
    return _place_names().get(fold(name), name)


def region_name(words: list[Token]) -> str:
    """"Сев.-Каз. обл." -> Северо-Казахстанская область; "Акмолинской обл." ->
    Акмолинская область (``data/lexicons/place_abbreviations.txt``)."""
    abbreviations = read_mapping("place_abbreviations")
    kind = next(i for i, t in enumerate(words) if t.lower_ in abbreviations and t.lower_ in
                ("обл", "р-н", "р-на", "р-не"))
    noun = abbreviations[words[kind].lower_]
    gender = "femn" if noun == "область" else "masc"
    head = "".join(t.text for t in words[:kind]).lower()
    if head in abbreviations:
        adjective = abbreviations[head]
        adjective = adjective if gender == "femn" else _agree_word(adjective, gender, "sing")
    else:
        adjective = _agree_word(words[0].text, gender, "sing")
    return f"{adjective} {noun}"


@lru_cache(maxsize=1)
def _place_names() -> dict[str, str]:
    return {fold(k): v for k, v in read_mapping("place_names").items()}


# --- persons -----------------------------------------------------------------------

def person_name(span: Span) -> str:
    words = [t for t in span if not t.is_space]
    model_case = _case(words[0]) if words else None
    out = name_nominative([t.text for t in words], model_case, _span_gender(words))
    return _join(words, out.split(" "))


def person_gender(span: Span) -> str | None:
    """"masc" or "femn": the gender the words of a person's name agree on."""
    words = [t for t in span if not t.is_space]
    return _name_case_gender([t.text for t in words], _case(words[0]) if words else None,
                             _span_gender(words))[1]


_PRONOUNS = {"он": "masc", "она": "femn"}


def pronouns(doc) -> list[tuple[int, int, str]]:
    """Third-person singular pronouns, (start, end, gender): the words that carry a
    person from one sentence to the next ("Однако он выжил", "план его удался").

    >>> from kg.nlp import load_nlp
    >>> pronouns(load_nlp()("Кадем выжил. Но он попал в плен, и её не видели."))
    [(16, 18, 'masc'), (35, 37, 'femn')]
    """
    out = []
    for tok in doc:
        if tok.pos_ not in ("PRON", "DET") or "Plur" in tok.morph.get("Number"):
            continue
        gender = _PRONOUNS.get(lemma(tok.text, "PRON"))
        if gender and not tok.ent_type_:
            out.append((tok.idx, tok.idx + len(tok.text), gender))
    return out


def unit_nouns(doc) -> list[tuple[int, int, str]]:
    """Unit nouns standing alone for a unit named before, (start, end, noun):
    "Дивизию начали формировать", "корпус действовал в тылу".

    >>> from kg.nlp import load_nlp
    >>> unit_nouns(load_nlp()("Зимой 1942 года корпус действовал в тылу противника."))
    [(16, 22, 'корпус')]
    """
    nouns = read_lexicon("unit_nouns")
    out = []
    for tok in doc:
        if tok.pos_ not in ("NOUN", "PROPN"):
            continue
        word = lemma(tok.text, "NOUN")  # the lexicon first: it rules out most nouns cheaply
        if word not in nouns or tok.ent_type_ or "Plur" in tok.morph.get("Number"):
            continue  # ("Дивизию начали формировать": sentence-initial nouns pass for names)
        if not any(c.pos_ in ("ADJ", "NUM") for c in tok.lefts if c.i == tok.i - 1):
            out.append((tok.idx, tok.idx + len(tok.text), word))
    return out


def name_nominative(words: list[str], case: str | None = None, gender: str | None = None) -> str:
    """A person's name (its words) in the nominative; ``case`` and ``gender`` are hints.

    >>> name_nominative(["Игоря", "Бургандинова"]), name_nominative(["Ольги", "Веденеевой"], "gent")
    ('Игорь Бургандинов', 'Ольга Веденеева')
    """
    case, gender = _name_case_gender(words, case, gender)
    return " ".join(person_word(w, case, gender) for w in words)


_SCORED_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")


def _name_case_gender(words: list[str], model_case: str | None,
                      model_gender: str | None) -> tuple[str | None, str | None]:
    """The case and gender that the words of one name can share.

    The words of a name agree, so "Сауле Кенжебаева" is a woman in the nominative
    (a man in the genitive would be "Саула Кенжебаева"). Each (case, gender) is
    scored by how many words can stand in it; the model's reading breaks ties.
    """
    return _scored_case_gender(tuple(words), model_case, model_gender)


@lru_cache(maxsize=100_000)  # asked for a person's name and again for its gender; names recur
def _scored_case_gender(words: tuple[str, ...], model_case: str | None,
                        model_gender: str | None) -> tuple[str | None, str | None]:
    best, best_score = (model_case, model_gender), -1.0
    for gender in ("masc", "femn"):
        for case in _SCORED_CASES:
            score = sum(_word_fits(w, case, gender) for w in words)
            score += 0.25 * (case == model_case) + 0.25 * (gender == model_gender)
            score += 0.1 * (case == "nomn")  # names are most often subjects
            if score > best_score:
                best, best_score = (case, gender), score
    return best


@lru_cache(maxsize=100_000)
def _word_fits(word: str, case: str, gender: str) -> float:
    """How well one word of a name can stand in (case, gender): 1 when the dictionary
    says so, about 0.5 when only its ending does (the dictionary knows neither Сауле
    nor Жуманиязов, and knows Амина only as a form of Амин)."""
    if len(word) <= 2 or not word[0].isalpha():
        return 0.0
    low = word.lower()
    names = [p for p in parses(low)
             if _NAME_TAGS & p.tag.grammemes and p.tag.number != "plur"]
    if any(p.tag.case == case and p.tag.gender in (gender, None)
           or "Fixd" in p.tag.grammemes and p.tag.gender == gender for p in names):
        return 1.0
    if low.endswith(_INDECLINABLE):
        return 0.5
    if case == "nomn":
        if low.endswith(("а", "я")):
            return 0.5 if gender == "femn" else 0.0
        if low[-1] in "еиоуыэю":
            return 0.4
        return 0.5 if gender == "masc" else 0.3
    return 0.5 if _suffix_rule(low, case, gender) != low else 0.0


def person_word(word: str, case: str | None, gender: str | None) -> str:
    """One word of a person's name in the nominative.

    ``case`` and ``gender`` come from the context (Natasha's morphology); a case the
    dictionary cannot have for this word (slovnet sometimes calls "Молдагуловой"
    nominative) gives way to the cases the dictionary offers.

    >>> person_word("Жуманиязова", "gent", "masc"), person_word("Маметовой", "gent", "femn")
    ('Жуманиязов', 'Маметова')
    >>> person_word("Голлю", "datv", "masc"), person_word("Момышулы", "datv", "masc")
    ('Голль', 'Момышулы')
    >>> person_word("Алие", "datv", "femn"), person_word("Молдагуловой", "nomn", "femn")
    ('Алия', 'Молдагулова')
    """
    if len(word) <= 2 or "." in word or not word[0].isalpha():
        return word
    low = word.lower()
    names = [p for p in parses(low)
             if _NAME_TAGS & p.tag.grammemes and "Fixd" not in p.tag.grammemes
             and p.tag.number != "plur"
             and (not gender or not p.tag.gender or p.tag.gender == gender)]
    if case in (None, "nomn"):
        if not names or any(p.tag.case == "nomn" for p in names):
            return word
        case = names[0].tag.case  # the dictionary knows no nominative reading
    for p in names:
        if p.tag.case == case or (case == "accs" and p.tag.case == "gent"):
            form = p.inflect({"nomn"})
            if form:
                return _restore_case(word, form.word)
    return _restore_case(word, _suffix_rule(low, case, gender))


# Surname and first-name endings for words pymorphy3 does not know, longest first:
# (gender, cases, oblique ending, nominative ending).
_SUFFIX_RULES = [
    ("femn", "gent datv ablt loct", "овой", "ова"), ("femn", "gent datv ablt loct", "евой", "ева"),
    ("femn", "gent datv ablt loct", "иной", "ина"), ("femn", "gent datv ablt loct", "ской", "ская"),
    ("femn", "accs", "ову", "ова"), ("femn", "accs", "еву", "ева"), ("femn", "accs", "ину", "ина"),
    ("femn", "accs", "скую", "ская"),
    ("masc", "gent accs", "ского", "ский"), ("masc", "datv", "скому", "ский"),
    ("masc", "ablt", "ским", "ский"), ("masc", "loct", "ском", "ский"),
    ("masc", "ablt", "овым", "ов"), ("masc", "ablt", "евым", "ев"), ("masc", "ablt", "иным", "ин"),
    ("masc", "gent accs", "ова", "ов"), ("masc", "gent accs", "ева", "ев"),
    ("masc", "gent accs", "ёва", "ёв"), ("masc", "gent accs", "ина", "ин"),
    ("masc", "gent accs", "ына", "ын"),
    ("masc", "datv", "ову", "ов"), ("masc", "datv", "еву", "ев"), ("masc", "datv", "ину", "ин"),
    ("masc", "loct", "ове", "ов"), ("masc", "loct", "еве", "ев"), ("masc", "loct", "ине", "ин"),
    ("femn", "gent", "ии", "ия"), ("femn", "datv loct", "ие", "ия"), ("femn", "accs", "ию", "ия"),
    ("femn", "gent", "ы", "а"), ("femn", "gent datv loct", "и", "а"), ("femn", "datv loct", "е", "а"),
    ("femn", "accs", "у", "а"), ("femn", "ablt", "ой", "а"),
    ("masc", "ablt", "ем", "ь"), ("masc", "ablt", "ом", ""),
    ("masc", "gent accs", "я", "ь"), ("masc", "datv", "ю", "ь"),
    ("masc", "gent accs", "а", ""), ("masc", "datv", "у", ""), ("masc", "loct", "е", ""),
]
_INDECLINABLE = ("улы", "ұлы", "уулу", "кызы", "қызы", "о", "э")


@lru_cache(maxsize=100_000)
def _suffix_rule(low: str, case: str, gender: str | None) -> str:
    if low.endswith(_INDECLINABLE):
        return low
    for g, cases, oblique, nominative in _SUFFIX_RULES:
        if (gender is None or g == gender) and case in cases.split() and low.endswith(oblique):
            stem = low[: len(low) - len(oblique)]
            if len(stem) >= 2:
                return stem + nominative
    return low


_FEMININE_ENDINGS = ("овой", "евой", "иной", "ская", "ской", "скую", "ова", "ева", "ина")


def _span_gender(words: list[Token]) -> str | None:
    """The gender of a name as the model read it, unless the surname's ending is
    unambiguously feminine ("Маметовой")."""
    last = words[-1].text.lower() if words else ""
    if len(words) > 1 and last.endswith(_FEMININE_ENDINGS[:6]):
        return "femn"
    votes = {}
    for t in words:
        g = _GENDERS.get(next(iter(t.morph.get("Gender")), ""))
        if g:
            votes[g] = votes.get(g, 0) + 1
    if votes:
        return max(sorted(votes), key=votes.get)
    return None


def _case(tok: Token) -> str | None:
    return _CASES.get(next(iter(tok.morph.get("Case")), ""))


# --- phrases -----------------------------------------------------------------------

def phrase_name(tokens: list[Token], singular: bool = False) -> str:
    """A place or organization name: adjectives and head noun in the nominative.

    The head is the first noun; what comes after it (a genitive, a quoted name,
    "по эвакуации") does not change with the case of the phrase. ``singular`` puts
    the head in the singular ("стрелковые полки" -> "стрелковый полк").
    """
    words = [t for t in tokens if not t.is_space]
    head = _head_index(words)
    if head is None:
        return _join(words, [t.text for t in words])
    head_form = _nominative_noun(words[head], singular)
    gender, number = _agreement(head_form, words[head])
    out = [t.text for t in words]
    for i in range(head):
        out[i] = _agree(words[i], gender, number)
    out[head] = _restore_case(words[head].text, head_form.word if head_form else words[head].text)
    return _join(words, out)


def unit_name(span: Span) -> str:
    """A unit's name in the nominative; a quoted name keeps its noun and drops the epithets.

    "316-й стрелковой дивизии" -> "316-я стрелковая дивизия";
    "партизанский отряд «Монгол»" -> "отряд «Монгол»" (the same detachment is "отряд
    «Монгол»" elsewhere; the full form stays as an alias).
    """
    words = [t for t in span if not t.is_space]
    abbreviations = read_mapping("unit_abbreviations")
    short = next((t for t in words if t.lower_ in abbreviations), None)
    if short is not None and _ORDINAL.match(words[0].text):
        return _expanded_unit(words, abbreviations[short.lower_])
    quote = next((i for i, t in enumerate(words) if t.text in "«\"„“"), None)
    if quote is not None and not _ORDINAL.match(words[0].text):
        head = max((i for i in range(quote) if words[i].pos_ in ("NOUN", "PROPN")), default=None)
        if head is not None:
            form = _nominative_noun(words[head])
            noun = form.word if form else words[head].text.lower()
            return noun + " " + _join(words[quote:], [t.text for t in words[quote:]])
    return phrase_name(words)


def _expanded_unit(words: list[Token], expansion: str) -> str:
    """"8-й гв. сд" -> "8-я гвардейская стрелковая дивизия": the same unit as when
    it is written out, so both spellings make one entity."""
    noun = expansion.split()[-1]
    parse = parses(noun)[0]
    gender = parse.tag.gender or "masc"
    number = _ORDINAL.match(words[0].text).group(1)
    suffix = {"masc": "й", "femn": "я", "neut": "е"}[gender]
    guards = any(t.lower_ in ("гв", "гвард") for t in words)
    parts = [f"{number}-{suffix}"]
    if guards:
        parts.append(_agree_word("гвардейский", gender, "sing"))
    return " ".join(parts + [expansion])


def split_coordinated(span: Span) -> list[tuple[int, int, str]]:
    """One unit per number of "1073-й, 1075-й и 1077-й стрелковые полки": each
    number is a mention (its own characters) of "<number> стрелковый полк".

    >>> from kg.nlp import load_nlp
    >>> doc = load_nlp()("В её состав вошли 1073-й, 1075-й и 1077-й стрелковые полки.")
    >>> [name for _, _, name in split_coordinated(doc.ents[0])]
    ['1073-й стрелковый полк', '1075-й стрелковый полк', '1077-й стрелковый полк']
    """
    words = [t for t in span if not t.is_space]
    numbers = [t for t in words if _ORDINAL.match(t.text)]
    tail = words[words.index(numbers[-1]) + 1:]
    out = []
    for tok in numbers:
        name = phrase_name([tok] + tail, singular=True)
        out.append((tok.idx, tok.idx + len(tok.text), name))
    return out


def award_name(span: Span) -> str:
    """An award's name: its first word in the nominative, the rest as written.

    "орденом Красной Звезды" -> "орден Красной Звезды"; "Героя Советского Союза" ->
    "Герой Советского Союза".
    """
    words = [t for t in span if not t.is_space]
    first = _restore_case(words[0].text, lemma(words[0].text, "NOUN"))
    return _join(words, [first] + [t.text for t in words[1:]])


def _head_index(words: list[Token]) -> int | None:
    for i, t in enumerate(words):
        if t.pos_ in ("NOUN", "PROPN") and not _ORDINAL.match(t.text):
            return i
    return None


def _nominative_noun(tok: Token, singular: bool = False):
    case = _case(tok)
    number = "plur" if "Plur" in tok.morph.get("Number") else None
    nouns = [p for p in parses(tok.text.lower()) if p.tag.POS == "NOUN"]
    if not nouns:
        return None
    units = read_lexicon("unit_nouns")  # "полки" is a plural of полк before one of полка
    ranked = sorted(nouns, key=lambda p: (p.normal_form not in units, p.tag.case != case,
                                          "Geox" not in p.tag.grammemes,
                                          number is not None and p.tag.number != number))
    best = ranked[0]
    plural = "Pltm" in best.tag.grammemes or best.tag.number == "plur" and not singular
    want = {"nomn", "plur"} if plural else {"nomn", "sing"}
    return best.inflect(want) or best.inflect({"nomn"}) or best


def _agreement(head_form, head_tok: Token) -> tuple[str | None, str]:
    if head_form is not None:
        number = "plur" if head_form.tag.number == "plur" else "sing"
        return head_form.tag.gender, number
    return _GENDERS.get(next(iter(head_tok.morph.get("Gender")), "")), "sing"


def _agree(tok: Token, gender: str | None, number: str) -> str:
    text = tok.text
    m = _ORDINAL.match(text)
    if m:
        if "-" not in text and not text[len(m.group(1)):]:
            return text  # a bare number: "22 июня", nothing to agree
        suffix = {"masc": "й", "femn": "я", "neut": "е"}.get(gender, "й") if number == "sing" else "е"
        return f"{m.group(1)}-{suffix}"
    if "-" in text:  # Северо-Казахстанской: only the last part inflects
        first, _, last = text.rpartition("-")
        return first + "-" + _agree_word(last, gender, number)
    return _agree_word(text, gender, number)


_SK_ENDINGS = re.compile(r"(ск|цк)(ого|ому|им|ом|ой|ую|ая|ий|ое|ие|их|ими|ым|ых)$")


def _agree_word(word: str, gender: str | None, number: str) -> str:
    low = word.lower()
    m = _SK_ENDINGS.search(low)
    if m and not morph_analyzer().word_is_known(low):
        # unknown place adjectives (Урдинском, Аулиекольском): pymorphy3 guesses
        # "-ской" stems; the "-ский" paradigm is what such names follow
        ending = "ие" if number == "plur" else {"femn": "ая", "neut": "ое"}.get(gender, "ий")
        return _restore_case(word, low[:m.start(2)] + ending)
    for p in parses(low):
        if p.tag.POS in ("ADJF", "PRTF", "NUMR"):
            want = {"nomn", "plur"} if number == "plur" else {"nomn", "sing"} | ({gender} if gender else set())
            form = p.inflect(want)
            if form:
                return _restore_case(word, form.word)
    return word


# --- ranks -------------------------------------------------------------------------

def rank_before(span: Span) -> str | None:
    """The military rank written just before a person's name, in the nominative.

    >>> from kg.nlp import load_nlp
    >>> doc = load_nlp()("Командиром назначили генерал-майора Ивана Панфилова.")
    >>> rank_before(doc.ents[0])
    'генерал-майор'
    """
    doc = span.doc
    lemmas = [lemma(t.text, t.pos_) for t in doc[max(0, span.start - 3): span.start]]
    for rank in _ranks():
        parts = rank.split()
        if len(parts) <= len(lemmas) and lemmas[len(lemmas) - len(parts):] == parts:
            guards = len(lemmas) > len(parts) and lemmas[len(lemmas) - len(parts) - 1] == "гвардия"
            return ("гвардии " if guards else "") + rank
    return None


def role_before(span: Span) -> str | None:
    """The job or function written just before a person's name, head in the nominative.

    >>> from kg.nlp import load_nlp
    >>> doc = load_nlp()("Учитель истории Сауле Кенжебаева ведёт кружок.")
    >>> role_before(doc.ents[0])
    'учитель истории'
    >>> doc = load_nlp()("Орден вручил руководитель районного управления по делам обороны подполковник Ержан Сатыбалдиев.")
    >>> role_before([e for e in doc.ents if e.label_ == "PERSON"][0])
    'руководитель районного управления по делам обороны'
    """
    doc = span.doc
    j = span.start
    rank = rank_before(span)
    if rank:  # "... подполковник Ержан Сатыбалдиев": the role stands before the rank
        j -= len(rank.split())
    if j > 0 and doc[j - 1].text == ",":
        j -= 1
    sent_start = span.sent.start
    window: list = []
    k = j - 1
    while k >= sent_start and len(window) < 12:
        tok = doc[k]
        if tok.is_space or tok.pos_ in ("VERB", "AUX", "PRON", "SCONJ") or tok.text in ",;:.!?()«»\"" \
                or tok.ent_type_ in (PERSON, "DATE"):
            break
        window.insert(0, tok)
        k -= 1
    words = read_lexicon("roles") | read_lexicon("person_titles") | read_lexicon("relatives")
    # a role stands in apposition, in the name's case: "внукам фронтовика Жумагали
    # Исмаилова" makes him a фронтовик; "внучка Марии" is someone else's role
    case = {c for t in span for c in t.morph.get("Case")}  # Сейткали does not decline
    at = next((i for i, t in enumerate(window)
               if t.pos_ in ("NOUN", "PROPN") and lemma(t.text, "NOUN") in words
               and (not case or case & set(t.morph.get("Case")))), None)
    if at is None:
        return None
    while at > 0 and _adjective(window[at - 1]) or at > 1 and window[at - 1].lower_ == "и" \
            and _adjective(window[at - 2]):
        at -= 1
    role = phrase_name(window[at:])
    if window[at].is_sent_start and not role[:2].isupper():
        role = role[:1].lower() + role[1:]
    return role


def _adjective(tok: Token) -> bool:
    return tok.pos_ == "ADJ" or parses(tok.text.lower())[0].tag.POS == "ADJF"


@lru_cache(maxsize=1)
def _ranks() -> list[str]:
    ranks = [" ".join(lemma(w) for w in line.split()) for line in read_lexicon_lines("ranks")]
    # the lexicon lists a rank by its nominative; keep that spelling for the output
    return sorted(set(ranks), key=lambda r: -len(r.split()))


@lru_cache(maxsize=1)
def rank_words() -> frozenset[str]:
    """The first words of the ranks, as lemmas: "генерал" of "генерал-майор", "старший"..."""
    return frozenset(r.split()[0] for r in _ranks())


# --- helpers -----------------------------------------------------------------------

def _restore_case(original: str, word: str) -> str:
    """Give ``word`` the capitalisation of ``original`` (part by part for hyphens)."""
    if original.isupper() and len(original) > 1:
        return word.upper()
    o_parts, w_parts = original.split("-"), word.split("-")
    if len(o_parts) != len(w_parts):
        return word[:1].upper() + word[1:] if original[:1].isupper() else word
    return "-".join(w[:1].upper() + w[1:] if o[:1].isupper() else w
                    for o, w in zip(o_parts, w_parts))


def _join(tokens: list[Token], words: list[str]) -> str:
    """Words joined with the spacing the tokens had (no space inside «…»)."""
    out = []
    for i, (tok, word) in enumerate(zip(tokens, words)):
        out.append(word)
        if i + 1 < len(tokens) and tokens[i + 1].idx > tok.idx + len(tok.text):
            out.append(" ")
    return "".join(out)


def is_unit_word(word: str) -> bool:
    return lemma(word, "NOUN") in read_lexicon("unit_nouns")
