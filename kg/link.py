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
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial

import iuliia

from . import collector
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

Local = tuple[str, str]  # an entity as one article has it: (the article's slot, its id there)
GroupKey = tuple  # ("thing", n), ("lone", id) or ("person", name parts, n): a group of locals


@dataclass(eq=False)  # compared and hashed by identity
class _Person:
    """A person with a full name, as one article has them, and what can tie them to others."""

    local: Local
    article: str  # Article.id
    key: str  # the article key that scopes ids
    patronymic: str | None  # its spelling key
    born: set[str] = field(default_factory=set)  # years
    ties: set[tuple[str, str]] = field(default_factory=set)  # ("unit", id), ("born", "1920")...

    def facts(self) -> tuple[frozenset, frozenset]:
        return frozenset(self.ties), frozenset(self.born)


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
    linker = Linker()
    out = linker.update(extractions)
    log.info("linked %d entities of %d articles into %d entities",
             len(linker.local), len(linker.slots), len(linker.records))
    return out


class Linker:
    """Linking kept up to date while articles come, change and go, for a process that
    holds a corpus: :meth:`update` with the whole corpus again gives what
    :func:`link_entities` gives for it, but works again only on what the changed
    articles reach: the groups of things sharing a name or id with theirs, the people
    of their names, and the people of articles whose context things changed id or
    became (or stopped being) too common to tie anyone. Afterwards
    ``changed_articles`` holds the slots (digests) of the articles whose ids changed,
    added and removed ones included, and ``changed_entities`` the linked ids whose
    record changed, appeared or went.

    >>> from kg.types import Article, Entity, Extraction, PLACE
    >>> a = Extraction(Article("a", "", "a" * 8), entities=(Entity("place:алматы", PLACE, "Алматы"),))
    >>> b = Extraction(Article("b", "", "b" * 8), entities=(Entity("place:almaty", PLACE, "Almaty"),))
    >>> linker = Linker([a])
    >>> [e.aliases for ex in linker.update([a, b]) for e in ex.entities]
    [('Almaty',), ('Almaty',)]
    >>> sorted(linker.changed_articles), sorted(linker.changed_entities)
    (['bbbbbbbb'], ['place:алматы'])
    """

    def __init__(self, extractions: Iterable[Extraction] = ()):
        self.slots: list[str] = []  # the articles' digests, in the order given
        self.ex: dict[str, Extraction] = {}
        self.pos: dict[str, int] = {}
        self.aid: dict[str, str] = {}  # Article.id, by slot
        self.local: dict[Local, Entity] = {}
        self.locals_of: dict[str, list[Local]] = {}
        self.keys: dict[tuple, set[Local]] = defaultdict(set)  # thing keys -> locals
        self.comp_of: dict[Local, int] = {}  # thing local -> the number of its group
        self.comps: dict[int, list[Local]] = {}
        self.thing_of: dict[Local, str] = {}  # thing local -> its group's id
        self.gid_articles: dict[str, Counter] = {}  # thing group id -> slots naming it
        self.common: set[str] = set()
        self.limit = 0.0
        self.people: dict[Local, _Person] = {}  # persons with a full name
        self.blocks: dict[tuple, list[Local]] = defaultdict(list)  # name parts -> persons
        self.block_groups: dict[tuple, list[GroupKey]] = {}
        self.lone: dict[str, list[Local]] = defaultdict(list)
        self.groups: dict[GroupKey, tuple[str, list[Local]]] = {}  # -> (base id, members)
        self.by_base: dict[str, set[GroupKey]] = defaultdict(set)
        self.base_idents: dict[str, list[str]] = {}
        self.ident: dict[GroupKey, str] = {}
        self.records: dict[str, Entity] = {}
        self.new_ids: dict[Local, str] = {}
        self.linked: dict[str, Extraction] = {}
        self.changed_articles: set[str] = set()
        self.changed_entities: set[str] = set()
        self._numbers = 0
        self._bases: set[str] = set()  # base ids whose groups changed
        if extractions:
            self.update(extractions)

    def order(self, loc: Local) -> tuple[str, str, int]:
        """The order that makes linking independent of the order of the articles."""
        return self.aid[loc[0]], loc[1], self.pos[loc[0]]

    def article_key(self, loc: Local) -> str:
        """The key that scopes ids to an article: what ``kg.pipeline`` gives ``resolve``."""
        a = self.ex[loc[0]].article
        return a.digest[:8] or a.source

    def update(self, extractions: Iterable[Extraction]) -> list[Extraction]:
        """Link the corpus ``extractions`` (the whole of it, in its order), reusing what
        did not change since the last call; return the linked extractions."""
        with collector.paused():  # hundreds of thousands of small sets and tuples
            return self._update(list(extractions))

    def _update(self, extractions: list[Extraction]) -> list[Extraction]:
        slots = _slots(extractions)
        new = dict(zip(slots, extractions))
        kept = [s for s in slots if s in self.ex]
        if self.ex and ([s for s in self.slots if s in new] != kept or not all(slots)):
            # the articles kept came in another order (the first of a group gives its
            # rank and role), or have no digest to tell them apart: link all again
            before = set(self.slots), set(self.records)
            self.__init__()
            self._update(extractions)
            self.changed_articles |= before[0]
            self.changed_entities |= before[1]
            return [self.linked[s] for s in self.slots]
        removed = [s for s in self.slots if s not in new]
        added = [s for s in slots if s not in self.ex]
        renamed = {s for s in kept if new[s].article.source != self.ex[s].article.source}
        self.slots, self.pos = slots, {s: k for k, s in enumerate(slots)}
        self.changed_articles = set(removed) | set(added) | renamed
        self.changed_entities = set()
        for s in renamed:
            self.ex[s] = new[s]
        gone = [loc for s in removed for loc in self.locals_of[s]]
        came = []
        for s in added:
            self.ex[s] = new[s]
            self.aid[s] = new[s].article.id
            locs = self.locals_of[s] = []
            for e in new[s].entities:
                if (s, e.id) not in self.local:
                    self.local[(s, e.id)] = e
                    locs.append((s, e.id))
            came += locs

        changed_things = self._things(gone, came)
        flipped = self._common(len({ex.article.id for ex in extractions}), changed_things)
        self._people(gone, came, removed, added, changed_things, flipped)
        for loc in gone:
            del self.local[loc]
            self.new_ids.pop(loc, None)
        for s in removed:
            del self.ex[s], self.aid[s], self.locals_of[s], self.linked[s]
        rewrite = self._assemble() | set(added) | renamed
        for s in rewrite - set(removed):
            self.linked[s] = _rewrite(s, self.ex[s], self.new_ids, self.records)
        return [self.linked[s] for s in self.slots]

    # -- places, units, organizations, awards --------------------------------------

    def _things(self, gone: list[Local], came: list[Local]) -> dict[Local, str | None]:
        """Group again the things of the groups that the changed articles reach; return
        the locals whose group id changed, with the old one (None: new here)."""
        affected = {self.comp_of[loc] for loc in gone if loc in self.comp_of}
        came_keys = {loc: _thing_keys(self.local[loc]) for loc in came
                     if self.local[loc].label != PERSON}
        for keys in came_keys.values():
            for key in keys:
                if key in self.keys:
                    affected.update(self.comp_of[o] for o in self.keys[key])
        gone_set = set(gone)
        for loc in gone_set & self.comp_of.keys():
            for key in _thing_keys(self.local[loc]):
                self.keys[key].discard(loc)
                if not self.keys[key]:
                    del self.keys[key]
        for loc, keys in came_keys.items():
            for key in keys:
                self.keys[key].add(loc)
        old: dict[Local, str | None] = {}
        subset = []
        for n in affected:
            self._drop_group(("thing", n))
            for loc in self.comps.pop(n):
                gid = self.thing_of.pop(loc)
                del self.comp_of[loc]
                self._count(gid, loc[0], -1)
                old[loc] = gid
                if loc not in gone_set:
                    subset.append(loc)
        for loc in came_keys:
            old[loc] = None
            subset.append(loc)
        for gid, members in _thing_groups(self, subset):
            self._numbers += 1
            n = self._numbers
            self.comps[n] = members
            self._add_group(("thing", n), gid, members)
            for loc in members:
                self.comp_of[loc] = n
                self.thing_of[loc] = gid
            self.gid_articles.setdefault(gid, Counter()).update(loc[0] for loc in members)
        return {loc: gid for loc, gid in old.items() if gid != self.thing_of.get(loc)}

    def _count(self, gid: str, slot: str, n: int) -> None:
        articles = self.gid_articles.setdefault(gid, Counter())
        articles[slot] += n
        if articles[slot] <= 0:
            del articles[slot]
            if not articles:
                del self.gid_articles[gid]

    def _common(self, n_articles: int, changed: dict[Local, str | None]) -> set[str]:
        """Keep up to date the things named in too many articles to tie anyone; return
        those that became or stopped being so."""
        limit = max(COMMON_MIN, COMMON_SHARE * n_articles)
        if limit != self.limit:
            candidates = set(self.gid_articles) | self.common
        else:
            candidates = {gid for gid in changed.values() if gid}
            candidates.update(self.thing_of[loc] for loc in changed if loc in self.thing_of)
        self.limit = limit
        flipped = set()
        for gid in candidates:
            now = len(self.gid_articles.get(gid, ())) > limit
            if now != (gid in self.common):
                flipped.add(gid)
                if now:
                    self.common.add(gid)
                else:
                    self.common.discard(gid)
        return flipped

    def _thing(self, slot: str, ident: str | None) -> str | None:
        """The linked id of a place, unit or organization of an article, when it can tie people."""
        gid = self.thing_of.get((slot, ident)) if ident else None
        return gid if gid not in self.common else None

    # -- people ---------------------------------------------------------------------

    def _people(self, gone: list[Local], came: list[Local], removed: list[str], added: list[str],
                changed_things: dict[Local, str | None], flipped: set[str]) -> None:
        """Persons: the lone ones of the changed articles; the people of every name whose
        bearers came, went, or were given other ties, clustered again."""
        blocks: set[tuple] = set()  # the names to cluster again
        lone: set[str] = set()
        for loc in gone:
            if self.people.pop(loc, None) is not None:
                parts = name_parts(self.local[loc].name)[0]
                self.blocks[parts].remove(loc)
                blocks.add(parts)
            elif self.local[loc].label == PERSON:
                gid = self._lone_id(loc)
                self.lone[gid].remove(loc)
                lone.add(gid)
        for loc in came:
            e = self.local[loc]
            if e.label != PERSON:
                continue
            if _one_word(e):
                gid = self._lone_id(loc)
                self.lone[gid].append(loc)
                lone.add(gid)
            else:
                parts, patronymic = name_parts(e.name)
                self.people[loc] = _Person(loc, self.ex[loc[0]].article.id, self.article_key(loc),
                                           patronymic)
                self.blocks[parts].append(loc)
                blocks.add(parts)
        articles = set(added) | {loc[0] for loc in changed_things}
        for gid in flipped:
            articles.update(self.gid_articles.get(gid, ()))
        new = set(added)  # their people are new: their names are clustered anyway
        for s in articles - set(removed):
            here = {e.id: self.people[(s, e.id)] for e in self.ex[s].entities
                    if (s, e.id) in self.people}
            before = {p: p.facts() for p in here.values()} if s not in new else {}
            for p in here.values():
                p.ties, p.born = set(), set()
            if here:
                _evidence(self.ex[s], here, partial(self._thing, s))
            blocks.update(name_parts(self.local[p.local].name)[0]
                          for p, facts in before.items() if p.facts() != facts)
        for gid in lone:
            if ("lone", gid) in self.groups:
                self._drop_group(("lone", gid))
            if self.lone.get(gid):
                self._add_group(("lone", gid), gid, list(self.lone[gid]))
            else:
                self.lone.pop(gid, None)
        for parts in blocks:
            self._cluster(parts)

    def _cluster(self, parts: tuple) -> None:
        for key in self.block_groups.pop(parts, ()):
            self._drop_group(key)
        if not self.blocks.get(parts):
            self.blocks.pop(parts, None)
            return
        people = sorted((self.people[loc] for loc in self.blocks[parts]),
                        key=lambda p: self.order(p.local))
        clusters = _clusters(people)
        keys = self.block_groups[parts] = []
        for n, cluster in enumerate(clusters):
            entities = [self.local[p.local] for p in cluster]
            ids = {e.id for e in entities}
            base = ids.pop() if len(ids) == 1 else entity_id(PERSON, _canonical(entities))
            if len(clusters) > 1:
                base = base.split("@")[0] + "@" + cluster[0].key
            keys.append(("person", parts, n))
            self._add_group(keys[-1], base, [p.local for p in cluster])

    def _lone_id(self, loc: Local) -> str:
        """A person known by one word stays alone, under an id scoped to its article."""
        e = self.local[loc]
        return e.id if "@" in e.id else entity_id(PERSON, e.name, scope=self.article_key(loc))

    # -- ids and records ---------------------------------------------------------------

    def _drop_group(self, key: GroupKey) -> None:
        base, _ = self.groups.pop(key)
        self.by_base[base].discard(key)
        self.ident.pop(key, None)
        self._bases.add(base)

    def _add_group(self, key: GroupKey, base: str, members: list[Local]) -> None:
        self.groups[key] = (base, members)
        self.by_base[base].add(key)
        self._bases.add(base)

    def _assemble(self) -> set[str]:
        """Give the groups of every base id touched their ids (the base for the first
        group in the corpus' order, ``base~2``, ``base~3``... for the others: two
        groups never share an id) and records; return the slots of the articles to
        rewrite (the ids or records of their entities changed)."""
        rewrite: set[str] = set()
        for base in self._bases:
            keys = list(self.by_base.get(base, ()))
            if len(keys) > 1:
                keys.sort(key=lambda k: min(map(self.order, self.groups[k][1])))
            idents = []
            for n, key in enumerate(keys, 1):
                ident = base if n == 1 else f"{base}~{n}"
                idents.append(ident)
                self.ident[key] = ident
                members = sorted(self.groups[key][1], key=lambda loc: (self.pos[loc[0]], loc[1]))
                record = _merged(ident, [self.local[loc] for loc in members])
                if self.records.get(ident) != record:
                    self.records[ident] = record
                    self.changed_entities.add(ident)
                    rewrite.update(loc[0] for loc in members)
                for loc in members:
                    if self.new_ids.get(loc) != ident:
                        self.new_ids[loc] = ident
                        rewrite.add(loc[0])
                        self.changed_articles.add(loc[0])
            for ident in set(self.base_idents.get(base, ())) - set(idents):
                del self.records[ident]
                self.changed_entities.add(ident)
            if idents:
                self.base_idents[base] = idents
            else:
                self.base_idents.pop(base, None)
                self.by_base.pop(base, None)
        self._bases = set()
        return rewrite


def _thing_keys(e: Entity) -> tuple[tuple[str, str, str], ...]:
    """What makes two things one: the same label and id, or label and spelling key."""
    return (e.label, "id", e.id), (e.label, "key", spelling_key(e.name))


def _thing_groups(linker: Linker, locals_: list[Local]) -> list[tuple[str, list[Local]]]:
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
    for loc in sorted(locals_, key=linker.order):
        parent[loc] = loc
        for key in _thing_keys(linker.local[loc]):
            if key in first:
                parent[find(loc)] = find(first[key])
            else:
                first[key] = loc
    members: dict[Local, list[Local]] = defaultdict(list)
    for loc in parent:
        members[find(loc)].append(loc)
    out = []
    for group in members.values():
        entities = [linker.local[loc] for loc in group]
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


def _evidence(ex: Extraction, here: dict[str, _Person], thing) -> None:
    """What ties the persons of one article (``here``, by their id in it) to others:
    the article, the units in it, the places and organizations beside the person, the
    year of birth, the patronymic. ``thing``: id in the article -> the linked id of a
    place, unit or organization that can tie people, or None."""
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
    for p in here.values():
        p.ties.update(("born", y) for y in p.born)


def _slots(extractions: list[Extraction]) -> list[str]:
    """The digest of each article; the same bytes twice get ``#2``, ``#3``..."""
    slots, seen = [], Counter()
    for ex in extractions:
        d = ex.article.digest
        seen[d] += 1
        slots.append(d if seen[d] == 1 else f"{d}#{seen[d]}")
    return slots


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


def _rewrite(slot: str, ex: Extraction, new_ids: dict[Local, str], records: dict[str, Entity]
             ) -> Extraction:
    def new(ident: str | None) -> str | None:
        return new_ids.get((slot, ident), ident) if ident else ident

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
