"""Stage 6, events and relations: who did what, when and where, from the dependency parse.

An event is a trigger word of ``data/lexicons/event_triggers.txt`` ("ранен", "попал в
плен", "освобождении") with the people or units it happened to (its subject, or its
object for what is done to someone: "его призвали", "ему присвоили"), the date and
the place that depend on it, and its sentence as evidence. A sentence with no
subject of its own ("Там совершил побег") continues the last one: its subject, and
for "там" its place, carry over. Dates never carry over: a date the sentence does not
give is not asserted.

Relations come from the same parse and from the words around names: "служил в 38-й
армии" (member_of), "корпусе генерала Павла Белова" (commanded), "бригады 22-й
армии" (part_of), "ауле Булак нынешней Актюбинской области" (located_in), "родился
в" / "погиб под" / "похоронена в" (born_in, died_in, buried_in), "получил медаль"
(awarded), "Её отец, Павел Лысенко" (relative_of). Each carries the rule that made it.

>>> from kg.pipeline import extract_article
>>> from kg.types import Article
>>> text = "Кадем Жуманиязов в июле 1941 года был ранен под Смоленском. Там совершил побег."
>>> ex = extract_article(Article(source="x.txt", text=text, digest="0" * 64))
>>> [(e.kind, e.participants, e.date, e.place) for e in ex.events]
[('wounded', ('person:жуманиязов_кадем',), '1941-07', 'place:смоленск'), ('escape', ('person:жуманиязов_кадем',), None, 'place:смоленск')]
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Token

from .morph import lemma as lemma_of
from .nlp import dependencies
from .normalize import rank_words
from .resources import read_lexicon, read_mapping
from .types import AWARD, DATE, ORG, PERSON, PLACE, UNIT, Event, Mention, Relation, Span

SUBJECTS = {"nsubj", "nsubj:pass"}
# kinds whose object or indirect object is the one it happened to ("его ранило")
PATIENT_KINDS = {"wounded", "conscription", "award", "captured", "death", "reburial"}
# dependencies through which a date or place belongs to a word
ATTACH = {"obl", "nmod", "advmod", "obl:agent", "flat", "appos", "iobj", "obj"}
COMMAND_WORDS = {"командир", "командующий", "комбат", "комдив", "комполка", "командовать"}
RELATIVE_POSSESSIVES = {"его", "её", "ее", "их"}
BURIAL_VERBS = ("похоронить", "погрести")  # buried_in, for the subject or the object
FORMATION_VERBS = ("сформировать", "формировать", "дислоцироваться")  # a unit located_in


@lru_cache(maxsize=1)
def _triggers() -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    single, pair = {}, {}
    for key, kind in read_mapping("event_triggers").items():
        words = key.split()
        if len(words) == 2:
            pair[(words[0], words[1])] = kind
        else:
            single[key] = kind
    return single, pair


def needs_parse(tokens: list[Token]) -> bool:
    """Whether a sentence's dependency parse can change its events or relations: kg.nlp
    parses only the sentences that pass (the parser is a third of the models' time).

    Everything that reads the parse starts from a word of the sentence: a trigger, a
    verb of :func:`_verb_relations`, "состав" or "назначить" (:func:`_composition_relations`),
    a relative noun (:func:`_relative_anchor`). A sentence with none of them yields no
    event, carries the same subjects and place to the next one (:func:`_sentence_events`)
    and only the relations read off the words between names, parsed or not. A trigger
    of two words needs its second word in the sentence ("получить медаль"; a unit for
    "стать @UNIT", or right after it), and the verbs and relative nouns need a name to
    relate ("работал в школе" relates nobody): a token of an entity but a date (its
    label may still change, by a vote in kg.resolve) or a bare unit noun.

    >>> from kg.nlp import load_nlp
    >>> doc = load_nlp()("Он стал врачом. Он стал снайпером бригады. Отец работал дома.")
    >>> [needs_parse(list(s)) for s in doc.sents]
    [False, True, False]
    """
    lemmas = {t.lemma_ for t in tokens}
    if not lemmas.isdisjoint(_triggers()[0]) or "состав" in lemmas \
            or "назначить" in lemmas and not lemmas.isdisjoint(COMMAND_WORDS):
        return True
    for first in lemmas.intersection(_pairs_by_first()):
        for second, _ in _pairs_by_first()[first]:
            if second in lemmas:
                return True
            if second.startswith("@") and _may_name(tokens + _next_words_after(tokens)):
                return True
    return not lemmas.isdisjoint(_relating_words()) and _may_name(tokens)


def _next_words_after(tokens: list[Token]) -> list[Token]:
    """The words after a sentence that :func:`_next_words` of a word in it may reach
    (none when it ends with punctuation)."""
    if not tokens or tokens[-1].is_punct:
        return []
    out = []
    for t in tokens[-1].doc[tokens[-1].i + 1:tokens[-1].i + 7]:
        if t.is_punct or t.is_space:
            break
        out.append(t)
    return out


@lru_cache(maxsize=1)
def _relating_words() -> frozenset[str]:
    """The words that relate names through the parse (besides triggers): verbs and relatives."""
    return frozenset(read_lexicon("relation_words") | read_lexicon("relatives")
                     | set(FORMATION_VERBS + BURIAL_VERBS + ("командовать",)))


def _may_name(tokens: list[Token]) -> bool:
    """Whether any of the tokens may become a mention with an entity other than a date
    or a pronoun: an entity's token, or a unit noun (kg.normalize.unit_nouns)."""
    nouns = read_lexicon("unit_nouns")
    return any(t.ent_type_ and t.ent_type_ != DATE or lemma_of(t.text, "NOUN") in nouns
               for t in tokens)


@dataclass
class _Article:
    """What one article's parse is looked up by."""

    doc: Doc
    mentions: list[Mention]
    at: dict[int, Mention]  # token index -> the mention covering it
    children: dict[int, list[Token]]
    # per token index, its head's index and its relation (kg.nlp.dependencies)
    heads: list[int | None]
    deps: list[str]

    def mention(self, tok: Token | None) -> Mention | None:
        return None if tok is None else self.at.get(tok.i)

    def head(self, tok: Token) -> Token | None:
        h = self.heads[tok.i]
        return None if h is None else self.doc[h]

    def dep(self, tok: Token) -> str:
        return self.deps[tok.i]

    def ancestors(self, tok: Token, limit: int = 12) -> list[Token]:
        """Heads up the tree; bounded, because a parse may loop back on itself."""
        out: list[Token] = []
        h = self.head(tok)
        while h is not None and len(out) < limit and h.i != tok.i and all(h.i != a.i for a in out):
            out.append(h)
            h = self.head(h)
        return out

    def subtree(self, tok: Token, depth: int = 3) -> list[Token]:
        """Dependents down to ``depth``, within the clause: not into a coordinated
        verb ("преобразовали ..., а 18 ноября ... погиб")."""
        out, frontier = [], [tok]
        for _ in range(depth):
            nxt = [c for t in frontier for c in self.children.get(t.i, ())
                   if self.deps[c.i] in ATTACH or self.deps[c.i] == "conj" and c.pos_ != "VERB"]
            out += nxt
            frontier = nxt
        return out


def extract_events(doc: Doc, mentions: list[Mention], sentences: list[Span]
                   ) -> tuple[list[Event], list[Relation]]:
    """Events and relations of one article, from its parsed Doc and resolved mentions."""
    art = _index(doc, mentions)
    events: list[Event] = []
    relations: list[Relation] = []
    carry: tuple[tuple[str, ...], str | None] = ((), None)  # subjects, place of the last sentence
    starts = [t.idx for t in doc]  # in order: a sentence's tokens are found by bisection
    for s, e in sentences:
        tokens = [t for t in doc[bisect_left(starts, s):bisect_left(starts, e)] if not t.is_space]
        found, carry = _sentence_events(art, tokens, (s, e), carry)
        events.extend(found)
        relations.extend(_event_relations(art, found, tokens, (s, e)))
        relations.extend(_pattern_relations(art, tokens, (s, e)))
    return _merge_events(events), _unique(relations)


def _merge_events(events: list[Event]) -> list[Event]:
    """One event per kind, participants and sentence ("попал в плен": two triggers),
    with the date and place any of them found."""
    merged: dict[tuple, Event] = {}
    for ev in events:
        key = (ev.kind, ev.participants, ev.evidence)
        old = merged.get(key)
        if old is None:
            merged[key] = ev
        else:
            merged[key] = Event(old.kind, old.participants, old.trigger, old.evidence,
                                old.date or ev.date, old.place or ev.place)
    return list(merged.values())


def _index(doc: Doc, mentions: list[Mention]) -> _Article:
    at: dict[int, Mention] = {}
    for m in mentions:
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None:
            continue
        for t in span:
            if t.i not in at or (at[t.i].end - at[t.i].start) > (m.end - m.start):
                at[t.i] = m  # the innermost mention: "Испании" inside "Верховный суд Испании"
    heads, deps = dependencies(doc)
    children: dict[int, list[Token]] = {}
    for t in doc:
        if heads[t.i] is not None:
            children.setdefault(heads[t.i], []).append(t)
    return _Article(doc, mentions, at, children, heads, deps)


# --- events ----------------------------------------------------------------------

def _sentence_events(art: _Article, tokens: list[Token], evidence: Span, carry):
    single = _triggers()[0]
    events = []
    subjects_here: tuple[str, ...] = ()
    last_place = None
    for tok in tokens:
        m = art.mention(tok)
        if m is not None and m.label == PLACE and m.entity:
            last_place = m.entity
    triggers: list[Token] = []
    for tok in tokens:
        if art.mention(tok) is not None and art.mention(tok).label != PERSON:
            continue  # "Освобождение" in «Освобождение», "Победы" in a name
        kind = _kind(art, tok, single)
        if kind is None:
            continue
        twin = next((k for k, t in enumerate(triggers) if events[k].kind == kind
                     and "VERB" in (t.pos_, tok.pos_) and t.pos_ != tok.pos_
                     and (art.head(tok) is t or art.head(t) is tok)), None)
        if twin is not None:
            continue  # "попал в плен": one event, two trigger words
        participants, subjects = _participants(art, tok, kind)
        if not participants and _dropped_subject(art, tok):
            participants = subjects = carry[0]  # "Там совершил побег": the last subject goes on
        if not participants:
            continue
        participants = _in_order(art, participants, evidence)
        subjects_here = subjects_here or subjects
        date = _attached(art, tok, DATE) or _nearest(art, tokens, tok, DATE)
        place = _attached(art, tok, PLACE)
        place_id = place.entity if place else None
        clause = [tok] + ([art.head(tok)] if art.head(tok) is not None else [])
        if place is None and any(c.lower_ == "там" for t in clause for c in art.children.get(t.i, ())):
            # "под Вязьмой, там ... был ранен"; "Там совершил побег": where the text just was
            before = [m.entity for t in tokens if t.i < tok.i for m in [art.mention(t)]
                      if m is not None and m.label == PLACE and m.entity]
            place_id = before[-1] if before else carry[1]
        events.append(Event(kind, participants, tok.lemma_, evidence,
                            date.value if date else None, place_id))
        triggers.append(tok)
    return events, (subjects_here or carry[0], last_place or carry[1])


def _in_order(art: _Article, ids: tuple[str, ...], evidence: Span) -> tuple[str, ...]:
    """Persons first, then units, each in the order the sentence names them."""
    first: dict[str, int] = {}
    for m in art.mentions:
        if m.entity in ids and evidence[0] <= m.start < evidence[1]:
            first.setdefault(m.entity, m.start)
    return tuple(sorted(ids, key=lambda x: (not x.startswith("person:"), first.get(x, evidence[1]))))


def _next_words(art: _Article, tok: Token, n: int = 6) -> list[Token]:
    """The words right after a verb, up to punctuation: where the parse may have hung
    its object on another verb ("ушла на фронт и попала в 100-ю бригаду")."""
    out = []
    for t in art.doc[tok.i + 1: tok.i + 1 + n]:
        if t.is_punct or t.is_space:
            break
        out.append(t)
    return out


def _dropped_subject(art: _Article, tok: Token) -> bool:
    """A finite verb with no subject at all: Russian drops a subject it just named."""
    clause = tok if tok.pos_ == "VERB" else art.head(tok)
    if clause is None or clause.pos_ != "VERB" or "Part" in clause.morph.get("VerbForm"):
        return False
    return not any(art.dep(c) in SUBJECTS for c in art.children.get(clause.i, ()))


@lru_cache(maxsize=1)
def _pairs_by_first() -> dict[str, list[tuple[str, str]]]:
    """The two-word triggers by their first word: (second word, kind), in lexicon order."""
    out: dict[str, list[tuple[str, str]]] = {}
    for (first, second), kind in _triggers()[1].items():
        out.setdefault(first, []).append((second, kind))
    return out


def _kind(art: _Article, tok: Token, single: dict) -> str | None:
    lemma = tok.lemma_
    below = None  # the lemmas under the word, looked up only for a two-word trigger's first
    for second, kind in _pairs_by_first().get(lemma, ()):
        if below is None:
            below = {c.lemma_ for c in art.subtree(tok, 2)} | {c.lemma_ for c in art.children.get(tok.i, ())}
        if second.startswith("@"):  # "стать @UNIT": a unit among the dependents, or right after
            label = second[1:].upper()
            if any(m is not None and m.label == label for t in art.subtree(tok, 3) + _next_words(art, tok)
                   for m in [art.mention(t)]):
                return kind
        elif second in below:
            return kind
    if lemma in single and (tok.pos_ in ("VERB", "NOUN", "AUX") or tok.pos_ == "ADJ" and lemma.endswith("ый")
                            or tok.pos_ == "ADV"):
        if (tok.pos_ == "ADJ" or "Part" in tok.morph.get("VerbForm")) and art.dep(tok) in ("xcomp", "obj"):
            return None  # "посчитало его погибшим": thought dead, not dead
        return single[lemma]
    return None


def _participants(art: _Article, trigger: Token, kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(everyone it happened to or who did it, the subjects among them)."""
    tok, subjects, patients = trigger, [], []
    for _ in range(3):
        for c in art.children.get(tok.i, ()):
            dep = art.dep(c)
            if dep in SUBJECTS:
                subjects += _actors(art, c)
            elif dep in ("obj", "iobj") and kind in PATIENT_KINDS or dep == "iobj":
                patients += _actors(art, c)
            elif dep == "obj":  # "дивизию перебросили", "бригаду сформировали"
                patients += [a for a in _actors(art, c) if a.startswith("unit:")]
        if subjects or patients:
            break
        if art.dep(tok) in ("xcomp", "conj", "advcl", "acl", "obl", "obj", "nmod", "ccomp") \
                and art.head(tok) is not None:
            tok = art.head(tok)  # "удалось бежать", "приняли участие в освобождении"
        else:
            break
    if not subjects and not patients:
        # a parse that hangs the name elsewhere ("Звание Героя ... Алие Молдагуловой
        # присвоено"): the persons below the trigger
        patients = [m.entity for t in art.subtree(trigger, 3) for m in [art.mention(t)]
                    if m is not None and m.label == PERSON and m.entity]
    if kind == "joined":  # the unit joined takes part: "стала снайпером 54-й бригады"
        patients += [m.entity for t in art.subtree(trigger, 3) + _next_words(art, trigger)
                     for m in [art.mention(t)] if m is not None and m.label == UNIT and m.entity][:1]
    # "сражался ... в составе 4-й гвардейской армии": the unit fought too
    for t in art.subtree(trigger, 2):
        if t.lemma_ == "состав":
            patients += [m.entity for c in art.subtree(t, 2) for m in [art.mention(c)]
                         if m is not None and m.label == UNIT and m.entity]
    ordered = list(dict.fromkeys(patients + subjects))
    return tuple(ordered), tuple(dict.fromkeys(subjects))


def _actors(art: _Article, tok: Token) -> list[str]:
    """Persons and units a dependent stands for, with those coordinated to it; a
    relative pronoun ("которые") stands for the names it refers back to."""
    out = []
    # "Посол ... Сильван Гиоге": the name stands in apposition to the subject word
    group = [tok] + [c for c in art.children.get(tok.i, ()) if art.dep(c) in ("conj", "appos", "flat:name")]
    for t in group:
        m = art.mention(t)
        if m is not None and m.label in (PERSON, UNIT) and m.entity:
            out.append(m.entity)
        elif t.lemma_ == "который":
            out += _antecedents(art, t)
    return out


def _antecedents(art: _Article, relative: Token) -> list[str]:
    clause = art.head(relative)
    noun = art.head(clause) if clause is not None else None
    if noun is None:
        return []
    found = []
    for t in [noun] + art.subtree(noun, 3):
        m = art.mention(t)
        if m is not None and m.label in (PERSON, UNIT) and m.entity and m.entity not in found:
            found.append(m.entity)
    return found


def _attached(art: _Article, trigger: Token, label: str) -> Mention | None:
    """The date or place of an event, in this order: one that depends on the trigger;
    one in the trigger's own stretch of words; for a noun, one that depends on the
    verb it belongs to; for a coordinated verb, one fronted before the first verb and
    so shared ("15 октября 1943 года под Невелем ... вела огонь и погибла", but not
    "встретил войну 22 июня ..., и ... попал в плен")."""
    local = _clause_mention(art, trigger, label)
    if local is not None:
        return local
    own = [t for t in art.subtree(trigger, 3) if _fits(art.mention(t), label)]
    if own:
        return _first_place(art, own, trigger) if label == PLACE else art.mention(own[0])
    head = art.head(trigger)
    roots = []
    if head is not None and (trigger.pos_ == "NOUN" or art.dep(trigger) == "xcomp"):
        roots.append((head, None))
    elif head is not None and art.dep(trigger) == "conj":
        roots.append((head, head.i))  # only what is fronted before the head
    single, _ = _triggers()
    for root, before in roots:
        for t in art.subtree(root, 3):
            m = art.mention(t)
            if _fits(m, label) and (before is None or t.i < before) \
                    and not (label == PLACE and _through_event(art, t, root, single)):
                return m
    return None


def _fits(m: Mention | None, label: str) -> bool:
    """A dated date, or a named place (not an adjective: "к французским партизанам")."""
    return m is not None and m.label == label and bool(m.value if label == DATE else m.entity) \
        and m.origin != "place_adjective"


def _first_place(art: _Article, found: list[Token], trigger: Token) -> Mention | None:
    single = _triggers()[0]
    for t in found:
        if not _through_event(art, t, trigger, single):
            return art.mention(t)
    return None


def _clause_mention(art: _Article, trigger: Token, label: str) -> Mention | None:
    """A date or place in the trigger's own stretch of words, where the parse hung it
    on another verb: "а 18 ноября генерал Панфилов погиб у деревни Гусенево". The
    stretch ends at a comma, or at a conjunction that joins another verb."""
    doc = art.doc

    def boundary(t: Token) -> bool:
        if t.text in ",;:—–()" or t.is_sent_start and t.i != trigger.i:
            return True
        head = art.head(t)
        return t.pos_ == "CCONJ" and head is not None and head.pos_ == "VERB"

    order = []
    i = trigger.i - 1
    while i >= 0 and not boundary(doc[i]) and not doc[i].is_space:
        order.append(doc[i])
        i -= 1
    i = trigger.i + 1
    while i < len(doc) and not boundary(doc[i]) and not doc[i].is_space and doc[i].text != ".":
        order.append(doc[i])
        i += 1
    single = _triggers()[0]
    for t in order:
        if _fits(art.mention(t), label) and not (label == PLACE and _through_event(art, t, trigger, single)):
            return art.mention(t)
    return None


def _through_event(art: _Article, tok: Token, root: Token, single: dict) -> bool:
    """Whether ``tok`` hangs on ``root`` through the reason for it: the place of "за
    бои под Москвой" is the battle's, not the award's (while "ранен ... в сражении
    в районе Смоленска" was wounded there)."""
    for h in art.ancestors(tok):
        if h.i == root.i:
            break
        if h.pos_ == "NOUN" and h.lemma_ in single and any(
                c.lower_ == "за" for c in art.children.get(h.i, ())):
            return True
    return False


def _nearest(art: _Article, tokens: list[Token], trigger: Token, label: str) -> Mention | None:
    """The date of the sentence nearest the trigger: before it first (Russian fronts
    its time adverbials), then after it."""
    found = [(t.i, m) for t in tokens for m in [art.mention(t)] if m is not None and m.label == label
             and (m.value if label == DATE else m.entity)]
    before = [m for i, m in found if i < trigger.i]
    after = [m for i, m in found if i > trigger.i]
    return before[-1] if before else (after[0] if after else None)


# --- relations -------------------------------------------------------------------

def _event_relations(art: _Article, events: list[Event], tokens: list[Token], evidence: Span) -> list[Relation]:
    out = []
    label_of = {m.entity: m.label for m in art.mentions if m.entity}
    for ev in events:
        persons = [p for p in ev.participants if label_of.get(p) == PERSON]
        predicate = {"birth": "born_in", "death": "died_in", "reburial": "buried_in"}.get(ev.kind)
        if predicate and ev.place:
            out += [Relation(p, predicate, ev.place, evidence, f"event:{ev.kind}") for p in persons]
        if ev.kind == "award":
            awards = [m.entity for m in art.mentions if m.label == AWARD and m.entity
                      and evidence[0] <= m.start < evidence[1]]
            trigger = next((t for t in tokens if t.lemma_ == ev.trigger), None)
            receive = trigger is not None and trigger.lemma_ in ("получить", "удостоить", "награда")
            # the giver of "вручил" is not a recipient: without one named, no relation
            recipients = _recipients(art, tokens, ev) or (persons if receive or ev.trigger == "присвоить" else [])
            first = {}
            for m in art.mentions:
                if m.entity and evidence[0] <= m.start < evidence[1]:
                    first.setdefault(m.entity, m.start)
            recipients = sorted(dict.fromkeys(recipients), key=lambda x: first.get(x, 0))
            awards = sorted(dict.fromkeys(awards), key=lambda x: first.get(x, 0))
            if len(recipients) == len(awards) > 1:  # "Мария получила медаль ..., а Асхат — орден ..."
                out += [Relation(p, "awarded", a, evidence, "event:award") for p, a in zip(recipients, awards)]
            else:
                out += [Relation(p, "awarded", a, evidence, "event:award") for p in recipients for a in awards]
        if ev.kind == "joined":
            trigger = next((t for t in tokens if t.lemma_ == ev.trigger), None)
            groups = [m.entity for t in art.subtree(trigger, 4) if trigger is not None
                      for m in [art.mention(t)] if m is not None and m.label in (UNIT, ORG) and m.entity]
            out += [Relation(p, "member_of", g, evidence, "event:joined") for p in persons for g in groups[:1]]
            units = [p for p in ev.participants if label_of.get(p) == UNIT]
            out += [Relation(p, "member_of", u, evidence, "event:joined") for p in persons for u in units]
    return out


def _recipients(art: _Article, tokens: list[Token], ev: Event) -> list[str]:
    """Who received the award: the object or indirect object of "вручил",
    "присвоили"; the subject of "получил"."""
    trigger = next((t for t in tokens if t.lemma_ == ev.trigger), None)
    if trigger is None or trigger.lemma_ in ("получить", "удостоить"):
        return []
    out = []
    for c in art.children.get(trigger.i, ()):
        if art.dep(c) in ("iobj", "obj", "obl"):
            out += [a for a in _actors(art, c) if a.startswith("person:")]
    return out


def _pattern_relations(art: _Article, tokens: list[Token], evidence: Span) -> list[Relation]:
    out = []
    names = _name_runs(art, tokens)
    verbs = read_lexicon("relation_words")
    echelons = {k: int(v) for k, v in read_mapping("unit_echelons").items()}
    for i, (m, first, last) in enumerate(names):
        nxt = names[i + 1] if i + 1 < len(names) else None
        gap = tokens[tokens.index(last) + 1: tokens.index(nxt[1])] if nxt else []
        gap_words = [t.lower_ for t in gap]
        # "корпусе генерала Павла Белова": the general commands the unit
        if nxt and m.label == UNIT and nxt[0].label == PERSON and len(gap) <= 2 and gap \
                and any(_is_rank(t) for t in gap):
            out.append(Relation(nxt[0].entity, "commanded", m.entity, evidence, "unit_of_general"))
        # "бригады 22-й армии", "ауле Булак нынешней Актюбинской области"
        if nxt and not gap or nxt and gap_words in (["нынешней"], ["нынешнего"], ["города"], ["г", "."]):
            other = nxt[0]
            if m.label == UNIT and other.label == UNIT and _echelon(m, echelons) < _echelon(other, echelons):
                out.append(Relation(m.entity, "part_of", other.entity, evidence, "unit_of_unit"))
            elif m.label in (PLACE, ORG) and other.label == PLACE and (
                    "Gen" in nxt[1].morph.get("Case") or gap_words in (["города"], ["г", "."])):
                out.append(Relation(m.entity, "located_in", other.entity, evidence, "place_of_place"))
        # "музей ... в Уральске", "средней школе № 12 города Актобе"
        if nxt and m.label == ORG and nxt[0].label == PLACE and gap_words in (["в"], ["во"]):
            out.append(Relation(m.entity, "located_in", nxt[0].entity, evidence, "org_in_place"))
    out += _role_relations(art, tokens, evidence)
    out += _verb_relations(art, tokens, evidence, verbs, echelons)
    out += _composition_relations(art, tokens, evidence, echelons)
    return out


def _composition_relations(art: _Article, tokens: list[Token], evidence: Span, echelons: dict) -> list[Relation]:
    """"в составе 3-й ударной армии" (the clause's subject is part or member of it);
    "В её состав вошли ... полки" (the units are part of the unit named before);
    "Командиром назначили генерал-майора Ивана Панфилова" (commanded the unit named before)."""
    out = []
    by_id = {m.entity: m for m in art.mentions if m.entity}
    units_before = [m for m in art.mentions if m.label == UNIT and m.entity and m.start < evidence[0]]
    for tok in tokens:
        if tok.lemma_ == "состав":
            owner = next((m for t in art.subtree(tok, 2) for m in [art.mention(t)]
                          if m is not None and m.label == UNIT and m.entity), None)
            if owner is None and any(c.lower_ in RELATIVE_POSSESSIVES for c in art.children.get(tok.i, ())):
                owner = units_before[-1] if units_before else None  # "её состав": the unit just named
            verb = next((h for h in [tok, *art.ancestors(tok)] if h.pos_ == "VERB"), None)
            if owner is None or verb is None:
                continue
            for a in [a for c in art.children.get(verb.i, ()) if art.dep(c) in SUBJECTS for a in _actors(art, c)]:
                m = by_id.get(a)
                if m is None or a == owner.entity:
                    continue
                if m.label == PERSON:
                    out.append(Relation(a, "member_of", owner.entity, evidence, "in_composition"))
                elif m.label == UNIT and _echelon(m, echelons) < _echelon(owner, echelons):
                    out.append(Relation(a, "part_of", owner.entity, evidence, "in_composition"))
        if tok.lemma_ == "назначить" and any(c.lemma_ in COMMAND_WORDS for c in art.children.get(tok.i, ())):
            unit = next((m for t in art.subtree(tok, 3) for m in [art.mention(t)]
                         if m is not None and m.label == UNIT and m.entity), None) \
                or (units_before[-1] if units_before else None)
            people = [a for c in art.children.get(tok.i, ()) if art.dep(c) in ("obj", "nsubj:pass")
                      for a in _actors(art, c) if a.startswith("person:")]
            if unit is not None:
                out += [Relation(p, "commanded", unit.entity, evidence, "appointed_commander") for p in people]
    return out


def _name_runs(art: _Article, tokens: list[Token]) -> list[tuple[Mention, Token, Token]]:
    runs: list[tuple[Mention, Token, Token]] = []
    for t in tokens:
        m = art.mention(t)
        if m is None or m.label == DATE or not m.entity or m.origin == "pronoun":
            continue
        if runs and runs[-1][0] is m:
            runs[-1] = (m, runs[-1][1], t)
        else:
            runs.append((m, t, t))
    return runs


def _role_relations(art: _Article, tokens: list[Token], evidence: Span) -> list[Relation]:
    """A person named after a role that names a unit or organization: "пулемётчику
    1073-го стрелкового полка Сейткали Ахметову" (member_of), "командир дивизии ..."
    (commanded); after a relative noun: "Её отец, Павел Лысенко" (relative_of)."""
    out = []
    roles = read_lexicon("roles") | read_lexicon("person_titles")
    relatives = read_lexicon("relatives")
    runs = _name_runs(art, tokens)
    for k, (m, first, _) in enumerate(runs):
        if m.label != PERSON:
            continue
        j = tokens.index(first) - 1
        if j >= 0 and tokens[j].text == ",":  # "внук, Марат Ахметов"
            j -= 1
        window = []
        while j >= 0 and tokens[j].pos_ not in ("VERB", "AUX", "SCONJ") and tokens[j].text not in ";:.!?(),–—«»":
            window.insert(0, tokens[j])
            j -= 1
        lemmas = [t.lemma_ for t in window]
        at = next((n for n, x in enumerate(lemmas) if x in roles), None)
        if at is not None:
            # the role governs the unit after it: "командир дивизии", not "дивизии и её комбату"
            groups = [art.mention(t) for t in window[at:] if art.mention(t) is not None
                      and art.mention(t).label in (UNIT, ORG) and art.mention(t).entity]
            for g in dict.fromkeys(groups):
                command = any(x in COMMAND_WORDS for x in lemmas)
                out.append(Relation(m.entity, "commanded" if command else "member_of", g.entity,
                                    evidence, "role_of_person"))
        relative = next((t for t in window if t.lemma_ in relatives), None)
        if relative is not None:
            anchor = _relative_anchor(art, tokens, relative, m)
            if anchor and anchor != m.entity:
                out.append(Relation(m.entity, "relative_of", anchor, evidence, "relative_noun"))
    return out


def _relative_anchor(art: _Article, tokens: list[Token], relative: Token, person: Mention) -> str | None:
    """Whose relative: the name in the genitive after the word ("Брат Жумагали,
    Сейтжан Исмаилов"), else a possessive before it ("Её старший сын, Асхат"), else
    the subject of the sentence ("она росла в семье дяди, Аубакира Молдагулова"),
    else a person the sentence refers to by pronoun ("Его письма передал ... внук")."""
    i = tokens.index(relative)
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    m = art.mention(after)
    if m is not None and m.label == PERSON and m is not person and m.entity:
        return m.entity
    for t in reversed(tokens[max(0, i - 3):i]):
        m = art.mention(t)
        if m is not None and m.origin == "pronoun" and m.entity:
            return m.entity
    for t in tokens[:i]:
        m = art.mention(t)
        if m is not None and m.label == PERSON and m.entity and art.dep(t) in SUBJECTS and m is not person:
            return m.entity
    for t in tokens[:i]:
        m = art.mention(t)
        if m is not None and m.origin == "pronoun" and m.entity and m.entity != person.entity:
            return m.entity
    return None


def _verb_relations(art: _Article, tokens: list[Token], evidence: Span, verbs: frozenset,
                    echelons: dict) -> list[Relation]:
    """"служил в 38-й армии", "сражался в составе 4-й гвардейской армии" (member_of);
    "бригада в составе 3-й ударной армии" (part_of); "Во Франции был сформирован
    партизанский отряд" (located_in); "командовал ... батальонов 1073-го полка"."""
    out = []
    for tok in tokens:
        lemma = tok.lemma_
        if lemma not in verbs and lemma not in FORMATION_VERBS + BURIAL_VERBS + ("командовать",):
            continue
        subject_ids = [a for c in art.children.get(tok.i, ()) if art.dep(c) in SUBJECTS
                       for a in _actors(art, c)]
        by_id = {m.entity: m for m in art.mentions if m.entity}
        subjects = [by_id[a] for a in subject_ids if a in by_id]
        below = [m for t in art.subtree(tok, 4) for m in [art.mention(t)]
                 if m is not None and m.entity and m not in subjects]
        if lemma in BURIAL_VERBS:
            places = [m for m in below if m.label == PLACE]
            objects = subjects or [by_id[a] for c in art.children.get(tok.i, ()) if art.dep(c) == "obj"
                                   for a in _actors(art, c) if a in by_id]
            out += [Relation(s.entity, "buried_in", places[0].entity, evidence, "buried_verb")
                    for s in objects if s.label == PERSON and places]
            continue
        if lemma in FORMATION_VERBS:
            places = [m for m in below if m.label == PLACE]
            out += [Relation(s.entity, "located_in", places[0].entity, evidence, "formed_in")
                    for s in subjects if s.label == UNIT and places]
            continue
        groups = [m for m in below if m.label in (UNIT, ORG)]
        for s in subjects:
            for g in groups[:1]:
                if s.label == PERSON:
                    direct = any(art.mention(c) is g for c in art.children.get(tok.i, ()))
                    pred = "commanded" if lemma == "командовать" and direct else "member_of"
                    out.append(Relation(s.entity, pred, g.entity, evidence, f"verb:{lemma}"))
                elif s.label == UNIT and g.label == UNIT and _echelon(s, echelons) < _echelon(g, echelons):
                    out.append(Relation(s.entity, "part_of", g.entity, evidence, f"verb:{lemma}"))
    return out


def _echelon(m: Mention, echelons: dict) -> int:
    words = m.entity.split(":", 1)[-1].split("_")
    return max((echelons.get(w, 0) for w in words), default=0)


def _is_rank(tok: Token) -> bool:
    return tok.lemma_ in rank_words()


def _unique(items: list) -> list:
    return list(dict.fromkeys(items))
