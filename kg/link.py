"""Stage 5b, link: one real-world entity, one id across articles.

Runs after every article has been extracted (stage 5, ``kg.resolve``) and before
the graph is built (stage 6, ``kg.graph``). ``kg.resolve`` gives ids inside one
article; this module decides which of them, in different articles, are one entity.
The rules, in the order they are applied:

1. **Spellings.** Two names with the same spelling key (``spelling_key``) are one
   name: Cyrillic, Kazakh and Latin spellings of it are aliases ("Жумабеков",
   "Жұмабеков", "Zhumabekov", "Jumabekov"). The key's letters are data, in
   ``data/lexicons/transliteration.txt`` and ``transliteration_kazakh.txt``.
2. **Places, units, organizations, awards**: same label and same key -> one entity,
   in whatever article ("Алматы" and "Almaty" are one place).
3. **A person known by one word** ("Амина", "Омаров", "К. Омаров": an id scoped to
   its article, ``...@<article key>``) never joins anyone in another article.
4. **A person with a full name** (first name and surname, in any order; the
   patronymic may be missing) is one person with the same full name in other
   articles only when something ties them and nothing sets them apart:

   - *ties*: the same article; the same military unit named in both articles; the
     same place or organization named in the same sentence as the person (or linked
     to them by a relation or an event) in both; the same year of birth; the same
     patronymic, given in both;
   - *apart*: two different patronymics; two different years of birth, even through
     a third article: Иван Иванович and Иван Сергеевич Петров never meet in one
     entity, and an "Иван Петров" tied to both could be either, so joins neither;
   - a place, unit or organization named in more than 5% of the articles (and in
     more than 10) ties nobody: "Казахстан" or "Москва" say nothing about who is who.
     Ranks and awards tie nobody either: millions shared them, and ranks changed.

   Two "Иван Петров" with nothing in common stay two people. When a full name
   belongs to one person only, its id is the plain ``person:иван_петров``; when the
   corpus holds several people of that name, each gets the id scoped to the first of
   its articles (``person:иван_петров@<article key>``).
5. **The merged entity**: its name is the commonest Cyrillic form (for a person, the
   fullest: with the patronymic when one article gives it); its aliases, every other
   name and surface form of it, and for a person the Latin spelling of the name
   (``latin``: Омаров -> Omarov, so that a search for "Omarov" finds him); rank, role
   and coordinates, the first given, in the order of the articles.

The same articles, in any order, give the same ids.

>>> from kg.types import Article, Entity, Extraction, Mention, PERSON, UNIT
>>> def article(key, text, people, unit):
...     s = (0, len(text))
...     return Extraction(Article(source=key, text=text, digest=key * 8),
...         mentions=(Mention(0, 12, text[:12], PERSON, s, "person:иван_петров"),
...                   Mention(22, 25, unit, UNIT, s, "unit:" + unit)),
...         entities=(Entity("person:иван_петров", PERSON, people),
...                   Entity("unit:" + unit, UNIT, unit)))
>>> a = article("a", "Иван Петров служил в 316 сд.", "Иван Петров", "316")
>>> b = article("b", "Иван Петров служил в 316 сд.", "Петров Иван", "316")
>>> c = article("c", "Иван Петров служил в 101 сд.", "Иван Петров", "101")
>>> [ex.entities[0].id for ex in link_entities([a, b, c])]
['person:иван_петров@aaaaaaaa', 'person:иван_петров@aaaaaaaa', 'person:иван_петров@cccccccc']
>>> link_entities([a, b, c])[0].entities[0].aliases
('Ivan Petrov', 'Петров Иван')
"""
from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial

import iuliia

from .normalize import fold
from .resolve import entity_id
from .resources import read_mapping
from .types import DATE, ORG, PERSON, PLACE, UNIT, Entity, Extraction, Mention

log = logging.getLogger(__name__)

COMMON_SHARE = 0.05  # a context entity named in more than this share of the articles...
COMMON_MIN = 10  # ...and in more than this many ties nobody
BIRTH_EVENTS = frozenset({"birth", "born", "рождение"})
_BIRTH_WORDS = re.compile(r"родил(?:ся|ась)|родивш|рожд[её]н|рождения|уроженец|уроженка|г\.\s?р\.",
                          re.IGNORECASE)
_PATRONYMIC = re.compile(r"(?:ович|евич|ич|овна|евна|ична)$")
_YEAR = re.compile(r"^(\d{4})")


# --- spellings ---------------------------------------------------------------

def spelling_key(name: str) -> str:
    """The key every spelling of a name shares: Cyrillic, Kazakh or Latin letters.

    >>> {spelling_key(n) for n in ("Жумабеков", "Жұмабеков", "Zhumabekov", "Jumabekov")}
    {'jumabekov'}
    >>> spelling_key("Юрий Щербаков") == spelling_key("Yury Shcherbakov") == spelling_key("Iurii Scherbakov")
    True
    >>> spelling_key("Фёдор Мухаммед") == spelling_key("Fyodor Mukhamed")
    True
    >>> spelling_key("316-я стрелковая дивизия")
    '316 ia strelkovaia divizia'
    """
    return _spelling_key(name)


@lru_cache(maxsize=1 << 18)
def _spelling_key(name: str) -> str:
    text = fold(name).translate(_kazakh_letters())
    text = re.sub(r"[\"'’ʼ`]", "", text)
    table, pattern = _key_table()
    words = []
    for word in re.split(r"[\W_]+", text):
        if not word:
            continue
        word = pattern.sub(lambda m: table[m.group()], word)
        word = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
        words.append(re.sub(r"([^\W\d_])\1+", r"\1", word))
    return " ".join(words)


def latin(name: str) -> str:
    """A name in Latin letters, as English texts write it (Wikipedia's romanization;
    Kazakh letters first become Russian ones).

    >>> latin("Кабыш Омаров"), latin("Жұмабеков Юрий")
    ('Kabysh Omarov', 'Zhumabekov Yury')
    """
    return _latin(name)


@lru_cache(maxsize=1 << 16)
def _latin(name: str) -> str:
    return iuliia.WIKIPEDIA.translate(name.translate(_kazakh_letters()))


@lru_cache(maxsize=1)
def _kazakh_letters() -> dict[int, str]:
    pairs = read_mapping("transliteration_kazakh")
    table = {ord(k): v for k, v in pairs.items()}
    table.update({ord(k.upper()): v.upper() for k, v in pairs.items()})
    return table


@lru_cache(maxsize=1)
def _key_table() -> tuple[dict[str, str], re.Pattern]:
    table = read_mapping("transliteration")
    pattern = re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))
    return table, pattern


def _cyrillic(name: str) -> bool:
    return any("а" <= c <= "я" or c == "ё" for c in name.lower())


# --- persons' names ------------------------------------------------------------

def _parts(name: str) -> list[str]:
    return [p for p in name.split() if any(c.isalpha() for c in p)]


def _initial(part: str) -> bool:
    return part.endswith(".") and len(part) <= 3


def name_parts(name: str) -> tuple[tuple[str, ...], str | None]:
    """A person's name as (the keys of first name and surname, sorted; the key of the
    patronymic or None). The patronymic is a word after the first, in a name of
    three words or more, ending as Russian patronymics do; initials are left out.

    >>> name_parts("Ибраев Габдулла Нурмухамедович")
    (('gabdula', 'ibraev'), 'nurmuhamedoviq')
    >>> name_parts("Дмитрий Шостакович")
    (('dmitri', 'wostakoviq'), None)
    """
    return _name_parts(name)


@lru_cache(maxsize=1 << 18)
def _name_parts(name: str) -> tuple[tuple[str, ...], str | None]:
    parts = [p for p in _parts(name) if not _initial(p)]
    patronymic = None
    if len(parts) >= 3:
        for k in range(1, len(parts)):
            if _PATRONYMIC.search(fold(parts[k]).translate(_kazakh_letters())):
                patronymic = parts.pop(k)
                break
    return (tuple(sorted(spelling_key(p) for p in parts)),
            spelling_key(patronymic) if patronymic else None)


# --- linking -----------------------------------------------------------------

Local = tuple[int, str]  # an entity as one article has it: (index of the extraction, its id there)


@dataclass(eq=False)  # compared and hashed by identity
class _Person:
    """A person with a full name, as one article has them, and what can tie them to others."""

    local: Local
    article: str  # Article.id
    key: str  # the article key that scopes ids
    patronymic: str | None  # its spelling key
    born: set[str] = field(default_factory=set)  # years
    ties: set[tuple[str, str]] = field(default_factory=set)  # ("unit", id), ("born", "1920")...


@dataclass
class _Corpus:
    """The entities of every article, and the order that makes linking independent
    of the order the articles come in (by article id, then entity id)."""

    extractions: list[Extraction]
    local: dict[Local, Entity] = field(default_factory=dict)
    _order: dict[Local, tuple[str, str, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, ex in enumerate(self.extractions):
            article = ex.article.id
            for e in ex.entities:
                if (i, e.id) not in self.local:
                    self.local[(i, e.id)] = e
                    self._order[(i, e.id)] = (article, e.id, i)

    def order(self, loc: Local) -> tuple[str, str, int]:
        return self._order[loc]

    def article_key(self, loc: Local) -> str:
        """The key that scopes ids to an article: what ``kg.pipeline`` gives ``resolve``."""
        a = self.extractions[loc[0]].article
        return a.digest[:8] or a.source


def link_entities(extractions: list[Extraction]) -> list[Extraction]:
    """The extractions, with the ids of one real-world entity made one across articles
    (the rules are in the module's docstring). Ids in ``entities``, ``mentions``,
    ``events`` and ``relations`` are rewritten together; the order of the articles,
    entities and mentions is kept.

    >>> from kg.types import Article, Entity, Extraction, PLACE
    >>> a = Extraction(Article("a", "", "a" * 8), entities=(Entity("place:алматы", PLACE, "Алматы"),))
    >>> b = Extraction(Article("b", "", "b" * 8), entities=(Entity("place:almaty", PLACE, "Almaty"),))
    >>> [(e.id, e.name, e.aliases) for ex in link_entities([b, a]) for e in ex.entities]
    [('place:алматы', 'Алматы', ('Almaty',)), ('place:алматы', 'Алматы', ('Almaty',))]
    """
    corpus = _Corpus(list(extractions))
    things = _thing_groups(corpus)
    thing_of = {loc: gid for gid, members in things for loc in members}
    groups = things + _lone_people(corpus) + _people_groups(corpus, thing_of)

    new_ids: dict[Local, str] = {}
    records: dict[str, Entity] = {}
    for gid, members in sorted(groups, key=lambda g: min(map(corpus.order, g[1]))):
        ident, n = gid, 1
        while ident in records:  # a safety net: two groups never share an id
            n += 1
            ident = f"{gid}~{n}"
        members = sorted(members)  # in the order of the articles, for rank and role
        records[ident] = _merged(ident, [corpus.local[loc] for loc in members])
        for loc in members:
            new_ids[loc] = ident
    log.info("linked %d entities of %d articles into %d entities",
             len(corpus.local), len(corpus.extractions), len(records))
    return [_rewrite(i, ex, new_ids, records) for i, ex in enumerate(corpus.extractions)]


def _thing_groups(corpus: _Corpus) -> list[tuple[str, list[Local]]]:
    """Places, units, organizations and awards, grouped by label and spelling key
    (and by id: one id is always one entity). Each group is under the id its members
    share, or else the id of its canonical name."""
    parent: dict[Local, Local] = {}

    def find(x: Local) -> Local:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first: dict[tuple[str, str, str], Local] = {}
    for loc in sorted(corpus.local, key=corpus.order):
        e = corpus.local[loc]
        if e.label == PERSON:
            continue
        parent[loc] = loc
        for key in ((e.label, "id", e.id), (e.label, "key", spelling_key(e.name))):
            if key in first:
                parent[find(loc)] = find(first[key])
            else:
                first[key] = loc
    members: dict[Local, list[Local]] = defaultdict(list)
    for loc in parent:
        members[find(loc)].append(loc)
    out = []
    for group in members.values():
        entities = [corpus.local[loc] for loc in group]
        ids = {e.id for e in entities}
        out.append((ids.pop() if len(ids) == 1 else entity_id(entities[0].label, _canonical(entities)),
                    group))
    return out


def _one_word(e: Entity) -> bool:
    return "@" in e.id or _words(e.name) < 2


@lru_cache(maxsize=1 << 18)
def _words(name: str) -> int:
    """How many words of a name are more than initials."""
    return sum(not _initial(p) for p in _parts(name))


def _lone_people(corpus: _Corpus) -> list[tuple[str, list[Local]]]:
    """Persons known by one word: each stays alone, under an id scoped to its article."""
    out: dict[str, list[Local]] = defaultdict(list)
    for loc, e in corpus.local.items():
        if e.label == PERSON and _one_word(e):
            gid = e.id if "@" in e.id else entity_id(PERSON, e.name, scope=corpus.article_key(loc))
            out[gid].append(loc)  # the same article twice: one entity
    return list(out.items())


def _people_groups(corpus: _Corpus, thing_of: dict[Local, str]) -> list[tuple[str, list[Local]]]:
    """Persons with full names: grouped by name (the blocking key), then joined inside
    a name when something ties them and nothing sets them apart."""
    blocks: dict[tuple[str, ...], list[_Person]] = defaultdict(list)
    for loc, e in corpus.local.items():
        if e.label == PERSON and not _one_word(e):
            parts, patronymic = name_parts(e.name)
            blocks[parts].append(_Person(loc, corpus.order(loc)[0], corpus.article_key(loc), patronymic))
    if not blocks:
        return []
    common = _common(thing_of, len({ex.article.id for ex in corpus.extractions}))
    _add_evidence(corpus, {p.local: p for ps in blocks.values() for p in ps}, thing_of, common)

    out = []
    for parts in sorted(blocks):
        people = sorted(blocks[parts], key=lambda p: corpus.order(p.local))
        clusters = _clusters(people)
        for cluster in clusters:
            entities = [corpus.local[p.local] for p in cluster]
            ids = {e.id for e in entities}
            base = ids.pop() if len(ids) == 1 else entity_id(PERSON, _canonical(entities))
            if len(clusters) > 1:
                base = base.split("@")[0] + "@" + cluster[0].key
            out.append((base, [p.local for p in cluster]))
    return out


def _common(thing_of: dict[Local, str], n_articles: int) -> set[str]:
    """Places, units and organizations named in too many articles to tie anyone."""
    articles: dict[str, set[int]] = defaultdict(set)
    for (i, _), gid in thing_of.items():
        articles[gid].add(i)
    limit = max(COMMON_MIN, COMMON_SHARE * n_articles)
    return {gid for gid, found in articles.items() if len(found) > limit}


def _add_evidence(corpus: _Corpus, people: dict[Local, _Person], thing_of: dict[Local, str],
                  common: set[str]) -> None:
    """What ties each person to others: the article, the units in it, the places and
    organizations beside the person, the year of birth, the patronymic."""
    for i, ex in enumerate(corpus.extractions):
        here = {e.id: people[(i, e.id)] for e in ex.entities if (i, e.id) in people}
        if not here:
            continue

        thing = partial(_context, thing_of, common, i)
        units = {thing(e.id) for e in ex.entities if e.label == UNIT} - {None}
        for p in here.values():
            p.ties.add(("article", p.article))
            p.ties.update(("unit", u) for u in units)
            if p.patronymic:
                p.ties.add(("patronymic", p.patronymic))
        by_sentence: dict[tuple[int, int], list[Mention]] = defaultdict(list)
        for m in ex.mentions:
            if m.sentence[0] < m.sentence[1]:
                by_sentence[m.sentence].append(m)
        for sentence, ms in by_sentence.items():
            near = {thing(m.entity) for m in ms if m.label in (PLACE, ORG, UNIT)} - {None}
            for m in ms:
                if m.entity in here:
                    here[m.entity].ties.update(("near", t) for t in near)
            for pid, year in _births_in_sentence(ex.article.text[sentence[0]:sentence[1]], ms, here):
                here[pid].born.add(year)
        for r in ex.relations:
            for a, b in ((r.subject, r.object), (r.object, r.subject)):
                if a in here and thing(b):
                    here[a].ties.add(("near", thing(b)))
        for ev in ex.events:
            context = {thing(x) for x in (*ev.participants, ev.place)} - {None}
            year = _year(ev.date)
            for pid in ev.participants:
                if pid in here:
                    here[pid].ties.update(("near", t) for t in context)
                    if ev.kind.lower() in BIRTH_EVENTS and year:
                        here[pid].born.add(year)
    for p in people.values():
        p.ties.update(("born", y) for y in p.born)


def _context(thing_of: dict[Local, str], common: set[str], i: int, ident: str | None) -> str | None:
    """The linked id of a place, unit or organization of article ``i`` that can tie people."""
    gid = thing_of.get((i, ident)) if ident else None
    return gid if gid not in common else None


def _births_in_sentence(text: str, mentions: list[Mention], people: dict) -> list[tuple[str, str]]:
    """(person id, year) for a sentence that speaks of birth ("родился", "года рождения",
    "г. р."): the year of the first date after the person's name and before the next
    person's; or, when the sentence names one person only, of its first date."""
    if not _BIRTH_WORDS.search(text):
        return []
    ms = sorted(mentions, key=lambda m: m.start)
    persons = [m for m in ms if m.label == PERSON and m.entity]
    out = []
    for k, m in enumerate(ms):
        if m.entity not in people:
            continue
        for n in ms[k + 1:]:
            if n.label == PERSON and n.entity and n.entity != m.entity:
                break
            if n.label == DATE and _year(n.value):
                out.append((m.entity, _year(n.value)))
                break
    if not out and len({m.entity for m in persons}) == 1 and persons[0].entity in people:
        year = next((_year(m.value) for m in ms if m.label == DATE and _year(m.value)), None)
        if year:
            out.append((persons[0].entity, year))
    return out


def _year(edtf: str | None) -> str | None:
    match = _YEAR.match(edtf or "")
    return match.group(1) if match else None


def _clusters(people: list[_Person]) -> list[list[_Person]]:
    """Join people of one name who share a tie, never making a group with two
    patronymics or two years of birth. People who say more about themselves
    (patronymic, year of birth) are placed first; one who is tied to people set
    apart from each other could be either, and joins neither of them (only others
    who say nothing about themselves either)."""
    root = {p: p for p in people}
    facts = {p: ({p.patronymic} - {None}, set(p.born)) for p in people}

    def find(p: _Person) -> _Person:
        while root[p] is not p:
            p = root[p]
        return p

    def consistent(group: list[_Person]) -> bool:
        return all(len(set().union(*(facts[g][k] for g in group))) <= 1 for k in (0, 1))

    seen: dict[tuple[str, str], list[_Person]] = defaultdict(list)
    for p in sorted(people, key=lambda p: -(p.patronymic is not None) - bool(p.born)):
        found = list(dict.fromkeys(find(o) for tie in sorted(p.ties) for o in seen[tie]))
        if not consistent([p, *found]):
            if len(found) > 1:
                log.debug("%s could be any of %d people of that name: kept apart", p.local, len(found))
            found = [c for c in found if not any(facts[c])]
        for c in found:
            root[c] = p
            for k in (0, 1):
                facts[p][k].update(facts[c][k])
        for tie in p.ties:
            seen[tie].append(p)
    clusters: dict[_Person, list[_Person]] = defaultdict(list)
    for p in people:
        clusters[find(p)].append(p)
    return list(clusters.values())


# --- the merged entity -----------------------------------------------------------

def _canonical(entities: list[Entity]) -> str:
    """The commonest Cyrillic name; for a person, the fullest first; at equal counts,
    the one in Russian letters ("Жумабеков" over "Жұмабеков"), then the first in the
    alphabet."""
    names = Counter(e.name for e in entities)
    if len(names) == 1:
        return entities[0].name
    person = entities[0].label == PERSON
    kazakh = _kazakh_letters()
    return min(names, key=lambda n: (not _cyrillic(n), -len(_parts(n)) if person else 0,
                                     -names[n], any(ord(c) in kazakh for c in n), fold(n), n))


def _merged(ident: str, entities: list[Entity]) -> Entity:
    """One record for the entities of a group (given in the order of the articles)."""
    name = _canonical(entities)
    aliases = {x for e in entities for x in (e.name, *e.aliases) if x}
    if entities[0].label == PERSON:
        aliases.add(latin(name))
    first = entities[0]
    return Entity(
        ident, first.label, name, tuple(sorted(aliases - {name})),
        rank=next((e.rank for e in entities if e.rank), None),
        role=next((e.role for e in entities if e.role), None),
        geonames=next((e.geonames for e in entities if e.geonames), None),
        coords=next((e.coords for e in entities if e.coords), None),
    )


def _rewrite(i: int, ex: Extraction, new_ids: dict[Local, str], records: dict[str, Entity]
             ) -> Extraction:
    def new(ident: str | None) -> str | None:
        return new_ids.get((i, ident), ident) if ident else ident

    def mention(m: Mention) -> Mention:
        ident = new(m.entity)
        return m if ident == m.entity else replace(m, entity=ident)

    entities, seen = [], set()
    for e in ex.entities:
        ident = new(e.id)
        if ident not in seen:
            seen.add(ident)
            entities.append(records[ident])
    return replace(
        ex,
        entities=tuple(entities),
        mentions=tuple(mention(m) for m in ex.mentions),
        events=tuple(replace(ev, participants=tuple(dict.fromkeys(new(p) for p in ev.participants)),
                             place=new(ev.place)) for ev in ex.events),
        relations=tuple(replace(r, subject=new(r.subject), object=new(r.object))
                        for r in ex.relations),
    )
