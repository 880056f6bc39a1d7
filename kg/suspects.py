"""Finding what to correct: likely duplicates and likely errors in a built graph, ranked.

:func:`suspects` reads the graph ``kg.graph.build_graph`` makes (or ``kg.lifepath.read_graph``
reads back) and lists what a historian should look at first, each with the sentences
and article titles that support every side, and the command that fixes it if the
historian agrees (:class:`Suspect`). :func:`format_suspects` is the text ``kg suspects``
prints. Nothing here changes the graph.

**Duplicates** (``kind="duplicate"``, two entities of one label):

- *persons*: every word of the shorter name matches a word of the other (the same
  spelling key, ``kg.link.spelling_key``, so "Жуманиязов" = "Джуманиязов" and Kazakh
  letters = Russian ones; a diminutive, "Маша" = "Мария"; or a close spelling,
  ``close_words``), and what is left agrees: an initial is the first letter of the
  other's first name ("К. Омаров" ~ "Кабыш Омаров"), two given first names or
  patronymics never differ ("Ахмет Маметов" and "Маншук Маметова" are namesakes,
  never proposed). A one-word name ("Омаров") fits every full name with that word.
  The score starts from how well the names match (``BASE``) and rises with what ties
  the two (``TIE``): the same article, the same unit (both ``member_of`` it, or both
  named in a sentence with it), the same place or organization in their sentences,
  the same year of birth or patronymic. It falls when the two are named side by
  side in one sentence (two people) or when the short name fits several people who
  are not one. Masculine and feminine forms of one surname ("Маметов" / "Маметова")
  are another person of the family unless something ties them: base 0.
- *places, units, organizations, awards*: names that differ only by inflection,
  abbreviation, quotes or a generic word ("Секешфехерваром" / "Секешфехервар",
  "316 сд" / "316-я стрелковая дивизия", "город Тулуза" / "Тулуза"), the same quoted
  name ("партизанский отряд «Монгол»" / "отряд «Монгол»"), or one letter apart
  with the same numbers.

**Errors** (``kind="error"``, one entity):

- *boilerplate*: named in one sentence only, and that sentence looks like a headline
  or a menu line (``headline_signals``): at most 12 words, no word ending as a Russian
  verb does outside the names, and at least one of: every word of 4+ letters
  capitalised, no final ``.``/``!``/``?``, a ``boilerplate_markers`` or
  ``boilerplate_patterns`` line, the title of an article.
- *common word*: the name is a word of the lexicons (relatives, roles, ranks, titles,
  unit, organization and generic place nouns, months, seasons, weekdays: "Дед",
  "Командир", "Дивизия"); or, for a person, every word is a dictionary word that is
  no name (pymorphy3 knows it, and none of its readings is a first name, surname,
  patronymic, place or organization: "Победа").
- *life path*: two births (birth events, or dates in a ``born_in`` sentence) whose
  dates cannot overlap (``kg.lifepath.date_bounds``); two deaths likewise; an event
  of the living (conscription, battle, wounded, captured, escape, joined) after the
  death; an event before the birth.
- *mixed label*: only when a node carries ``label_votes`` (a mapping label -> count)
  with a runner-up of at least a quarter of the votes; graphs without it skip this.

**Ranking**: score first (0..1, two decimals), then errors before duplicates, then ids:
the same graph always gives the same list. Suspects under ``MIN_SCORE`` are left out,
and a person is the one to merge away in its ``MAX_PER_ENTITY`` best pairs only (a
"К. Омаров" that fits forty people is shown with three, and the count of the others).
**Speed**: a name is only compared with the names in the block of its rarest word (that
word's spelling key, its one-letter deletions, its masculine form, its full first name),
never all against all; when that block holds more than ``BLOCK_LIMIT`` people, only
with those who share an article or a unit with it.

>>> from kg.graph import build_graph
>>> from kg.types import Article, Entity, Extraction, Mention, Relation, PERSON, UNIT
>>> def article(text, person, unit, title):
...     s, at = (0, len(text)), text.index("отряд")
...     return Extraction(Article(source=title, text=text, digest=title * 8, title=title),
...         mentions=(Mention(0, len(person.name), person.name, PERSON, s, person.id),
...                   Mention(at, len(text) - 1, text[at:-1], UNIT, s, unit.id)),
...         entities=(person, unit),
...         relations=(Relation(person.id, "member_of", unit.id, s),))
>>> mongol = Entity("unit:монгол", UNIT, "отряд «Монгол»")
>>> g = build_graph([
...     article("Кабыш Омаров воевал в отряде «Монгол».",
...             Entity("person:кабыш_омаров", PERSON, "Кабыш Омаров"), mongol, "Партизаны"),
...     article("К. Омаров служил в отряде «Монгол».",
...             Entity("person:к_омаров@b", PERSON, "К. Омаров"), mongol, "Маки")])
>>> [(s.kind, s.score, s.names, s.action) for s in suspects(g)]
[('duplicate', 0.7, ('Кабыш Омаров', 'К. Омаров'), "kg merge 'person:кабыш_омаров' 'person:к_омаров@b'")]
>>> suspects(g)[0].reason
'same surname; initial К. = Кабыш; both member_of отряд «Монгол»'
"""
from __future__ import annotations

import re
import shlex
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import combinations

import networkx as nx

from .lifepath import clip, date_bounds
from .link import BIRTH_EVENTS, spelling_key
from .normalize import fold
from .resources import read_lexicon, read_lexicon_lines, read_mapping

PERSON, PLACE, UNIT, ORG, AWARD = "PERSON", "PLACE", "UNIT", "ORG", "AWARD"
DUPLICATE, ERROR = "duplicate", "error"

MIN_SCORE = 0.25  # suspects scored lower are not listed
SENTENCE_WIDTH = 160  # characters of a quoted sentence
TITLE_WIDTH = 50
MAX_SIGHTINGS = 2  # sentences quoted for each side of a duplicate
MAX_PER_ENTITY = 3  # a person is the one to merge away in its best 3 pairs only
BLOCK_LIMIT = 100  # a name fitting more people than this is compared with tied people only

# persons: how well two names match (the start of the score) ...
BASE = {"same": 0.3, "spelling": 0.35, "initials": 0.4, "partial": 0.3, "gender": 0.0}
CLOSE_PENALTY = 0.05  # per word matched by a close spelling or a diminutive only
CLOSE_MIN = 5  # letters of the shorter word, for a close spelling
FIRST_NAME_PENALTY = 0.1  # a one-word name that is the other's first name, not the surname
# ... and what ties the two people (added), or sets them apart (subtracted)
TIE = {"article": 0.3, "unit": 0.3, "unit_near": 0.2, "context": 0.1, "born": 0.2,
       "patronymic": 0.15, "side_by_side": -0.3, "ambiguous": -0.15}
COMMON_SHARE, COMMON_MIN = 0.05, 10  # a context in more articles than this ties nobody (as kg.link)

# places, units, organizations, awards
THING_SCORE = {"inflection": 0.6, "quoted": 0.5, "close": 0.35}
THING_LABELS = (PLACE, UNIT, ORG, AWARD)

# errors
HEADLINE_WORDS = 12
BOILERPLATE_BASE, BOILERPLATE_SIGNAL = 0.25, 0.15  # 1 signal 0.4, 2 0.55, 3 0.7
LEXICON_SCORE, DICTIONARY_SCORE = 0.7, 0.45
BIRTH_CONFLICT, DEATH_CONFLICT, AFTER_DEATH, BEFORE_BIRTH = 0.8, 0.75, 0.7, 0.65
MIXED_LABEL, MIXED_SHARE = 0.5, 0.25

DEATH_EVENTS = frozenset({"death"})
LIVING_EVENTS = frozenset({"conscription", "battle", "wounded", "captured", "escape", "joined"})
UNIT_PREDICATES = ("member_of", "commanded")


@dataclass(frozen=True)
class Suspect:
    """Something a historian should check: a likely duplicate or a likely error.

    ``ids`` and ``names``: the entities (for a duplicate, the one to keep first);
    ``evidence``: one line per sentence that supports a side, quoted with its
    article's title; ``action``: the command that fixes it if the historian agrees.
    """

    kind: str  # "duplicate" or "error"
    score: float  # 0..1: how likely a correction is needed
    ids: tuple[str, ...]
    names: tuple[str, ...]
    reason: str
    evidence: tuple[str, ...]
    action: str


def suspects(g: nx.MultiDiGraph, limit: int | None = None) -> list[Suspect]:
    """Likely duplicates and errors in ``g``, most likely first (see the module's docstring)."""
    ix = _Index(g)
    found = [*_person_duplicates(ix), *_thing_duplicates(ix), *_boilerplate(ix),
             *_common_words(ix), *_life_conflicts(ix), *_mixed_labels(ix)]
    found = [s for s in found if s.score >= MIN_SCORE]
    found.sort(key=lambda s: (-s.score, s.kind != ERROR, s.ids, s.reason))
    return found if limit is None else found[:max(limit, 0)]


def format_suspects(items: list[Suspect]) -> str:
    """The suspects as ``kg suspects`` prints them: one block each, numbered.

    >>> s = Suspect("duplicate", 0.7, ("person:a", "person:b"), ("Кабыш Омаров", "К. Омаров"),
    ...             "same surname, initial К. = Кабыш", ("Кабыш Омаров [person:a]: «Кабыш Омаров "
    ...             "воевал.» (Партизаны)",), "kg merge person:a person:b")
    >>> print(format_suspects([s]))
    1. duplicate  0.70  Кабыш Омаров ~ К. Омаров
       why:  same surname, initial К. = Кабыш
       - Кабыш Омаров [person:a]: «Кабыш Омаров воевал.» (Партизаны)
       fix:  kg merge person:a person:b
    >>> format_suspects([])
    'no suspects found'
    """
    if not items:
        return "no suspects found"
    width = len(str(len(items)))
    blocks = []
    for n, s in enumerate(items, 1):
        pad = " " * (width + 2)
        lines = [f"{n:>{width}}. {s.kind:<9}  {s.score:.2f}  {' ~ '.join(s.names)}",
                 f"{pad}why:  {s.reason}"]
        lines += [f"{pad}- {e}" for e in s.evidence]
        lines.append(f"{pad}fix:  {s.action}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


# -- what the graph says, gathered in one pass ------------------------------------------

@dataclass(frozen=True)
class _Sighting:
    """One sentence an entity is named in."""

    article: str
    start: int  # the sentence's offset in the article
    sentence: str
    focus: int  # where the entity's mention starts in the sentence


@dataclass(frozen=True)
class _Dated:
    """A dated statement about a person (a birth, a death, an event)."""

    kind: str
    date: str
    bounds: tuple
    article: str
    start: int
    sentence: str
    event: str | None = None  # the event's id, when it is an event
    relation: str | None = None  # the relation's edge key, when it is one


@dataclass
class _Index:
    g: nx.MultiDiGraph
    order: dict = field(default_factory=dict)  # article id -> its place in the graph
    titles: dict = field(default_factory=dict)  # article id -> title (or file name)
    entities: dict = field(default_factory=dict)  # entity id -> node attributes
    seen: dict = field(default_factory=lambda: defaultdict(list))  # id -> [_Sighting]
    words_at: dict = field(default_factory=lambda: defaultdict(set))  # (art, start) -> name words
    linked: dict = field(default_factory=lambda: defaultdict(dict))  # id -> {unit: (rel, sighting)}
    near: dict = field(default_factory=lambda: defaultdict(dict))  # id -> {other: sighting}
    dates: dict = field(default_factory=dict)  # (article, start) -> EDTF dates of the sentence
    born_in: dict = field(default_factory=lambda: defaultdict(list))  # person -> [(key, attrs)]
    events: dict = field(default_factory=lambda: defaultdict(list))  # entity -> [event id]
    _articles: dict = field(default_factory=dict)
    _units: dict = field(default_factory=dict)
    _keep: dict = field(default_factory=dict)
    _people_in: dict | None = None
    _members: dict | None = None

    def __post_init__(self) -> None:
        g = self.g
        for n, a in g.nodes(data=True):
            kind = a.get("kind")
            if kind == "article":
                self.order[n] = len(self.order)
                self.titles[n] = a.get("title") or (a.get("source") or n).rsplit("/", 1)[-1]
            elif kind == "entity":
                self.entities[n] = a
        for u, v, key, a in g.edges(keys=True, data=True):
            rel = a.get("relation")
            if rel == "mentions":
                if v in self.entities:
                    s = self._sighting(a, a.get("start"))
                    self.seen[v].append(s)
                    self.words_at[(s.article, s.start)].update(_words(a.get("text") or "").lower().split())
            elif rel == "co_occurs":
                s = self._sighting(a)
                self.near[u].setdefault(v, s)
                self.near[v].setdefault(u, s)
                if a.get("dates"):
                    self.dates.setdefault((s.article, s.start), list(a["dates"]))
            elif rel in UNIT_PREDICATES:
                self.linked[u].setdefault(v, (rel, self._sighting(a)))
            elif rel == "born_in":
                self.born_in[u].append((key, a))
            elif rel == "participant_in":
                self.events[u].append(v)
        for sightings in self.seen.values():
            sightings.sort(key=lambda s: (self.order.get(s.article, len(self.order)), s.article,
                                          s.start, s.focus))
        n_articles = len(self.order)
        limit = max(COMMON_MIN, COMMON_SHARE * n_articles)
        self.common = {e for e, a in self.entities.items() if len(a.get("articles") or ()) > limit}

    def _sighting(self, a: dict, at: int | None = None) -> _Sighting:
        start = a.get("sentence_start")
        start = int(start) if start is not None else 0
        return _Sighting(a.get("article") or "", start, a.get("sentence") or "",
                         max(int(at) - start, 0) if at is not None else 0)

    def name(self, ident: str) -> str:
        return self.entities.get(ident, {}).get("name") or ident

    def label(self, ident: str) -> str | None:
        return self.entities.get(ident, {}).get("label")

    def mentions(self, ident: str) -> int:
        a = self.entities.get(ident, {})
        return int(a.get("mentions") or len(self.seen.get(ident, ())))

    def articles(self, ident: str) -> set[str]:
        found = self._articles.get(ident)
        if found is None:
            a = self.entities.get(ident, {})
            found = self._articles[ident] = (set(a.get("articles") or ())
                                             | {s.article for s in self.seen.get(ident, ())})
        return found

    def people_in(self, article: str) -> set[str]:
        """The persons an article names."""
        if self._people_in is None:
            self._people_in = defaultdict(set)
            for e, a in self.entities.items():
                if a.get("label") == PERSON:
                    for art in self.articles(e):
                        self._people_in[art].add(e)
        return self._people_in.get(article, set())

    def members(self, unit: str) -> set[str]:
        """The entities linked to a unit (member_of, commanded)."""
        if self._members is None:
            self._members = defaultdict(set)
            for e, units in self.linked.items():
                for u in units:
                    self._members[u].add(e)
        return self._members.get(unit, set())

    def units(self, ident: str) -> set[str]:
        """The units a person is linked to, or named in a sentence with."""
        found = self._units.get(ident)
        if found is None:
            found = self._units[ident] = {u for u in (*self.linked[ident], *self.near[ident])
                                          if self.label(u) == UNIT}
        return found

    def quote(self, s: _Sighting | _Dated, focus: int | None = None) -> str:
        f = s.focus if isinstance(s, _Sighting) and focus is None else (focus or 0)
        title = clip(self.titles.get(s.article, s.article or "?"), 0, TITLE_WIDTH)
        return f"«{clip(s.sentence, f, SENTENCE_WIDTH)}» ({title})"

    def side(self, ident: str, limit: int = MAX_SIGHTINGS) -> list[str]:
        """Evidence lines for one entity: its first sentences, one per article."""
        name = f"{self.name(ident)} [{ident}]"
        out, articles = [], set()
        for s in self.seen.get(ident, ()):
            if s.article in articles:
                continue
            articles.add(s.article)
            out.append(f"{name}: {self.quote(s)}")
            if len(out) == limit:
                break
        n, k = self.mentions(ident), len(self.articles(ident))
        if not out:
            return [f"{name}: no sentence in the graph"]
        if k > len(out):
            out[-1] += f" … {n} mentions in {k} articles"
        return out


# -- persons' names -----------------------------------------------------------------------

_PATRONYMIC = re.compile(r"(?:ович|евич|ич|овна|евна|ична)$")
_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*\.?")


@dataclass(frozen=True)
class _Name:
    words: tuple[str, ...]  # spelling keys of the full words, without initials and patronymic
    raw: tuple[str, ...]  # those words as written
    initials: tuple[str, ...]  # spelling keys of the initials, in order
    raw_initials: tuple[str, ...]
    patronymic: str | None
    raw_patronymic: str | None = None


@lru_cache(maxsize=1 << 16)
def parse_name(name: str) -> _Name:
    """A person's name as words, initials and patronymic (spelling keys).

    >>> n = parse_name("Омаров К. А.")
    >>> n.words, n.initials, n.patronymic
    (('omarov',), ('k', 'a'), None)
    >>> parse_name("Ибраев Габдулла Нурмухамедович").patronymic
    'nurmuhamedoviq'
    >>> parse_name("Омаров К. Абенович").patronymic, parse_name("Дмитрий Шостакович").patronymic
    ('abenoviq', None)
    """
    words, raw, initials, raw_initials = [], [], [], []
    for token in _TOKEN.findall(name):
        bare = token.rstrip(".")
        if token.endswith(".") and len(bare) <= 2 or len(bare) == 1:
            initials.append(spelling_key(bare))
            raw_initials.append(bare[:1].upper() + bare[1:] + ".")
        elif spelling_key(bare):
            words.append(spelling_key(bare))
            raw.append(bare)
    patronymic = raw_patronymic = None
    if len(words) >= 2 and len(words) + len(initials) >= 3:  # "Омаров К. Абенович"
        for k in range(1, len(words)):
            if _PATRONYMIC.search(fold(raw[k])):
                patronymic, raw_patronymic = words.pop(k), raw.pop(k)
                break
    return _Name(tuple(words), tuple(raw), tuple(initials), tuple(raw_initials), patronymic,
                 raw_patronymic)


_RANK = {"same": 0, "diminutive": 1, "close": 2, "gender": 3}


@lru_cache(maxsize=1 << 18)
def word_match(a: str, b: str) -> str | None:
    """How two words of names (spelling keys) match: "same", "diminutive", "close",
    "gender" (a masculine and a feminine form) or None.

    >>> [word_match(spelling_key(x), spelling_key(y)) for x, y in [("Жуманиязов", "Джуманиязов"),
    ...     ("Маша", "Мария"), ("Маметов", "Маметова"), ("Петровский", "Петровская"),
    ...     ("Исмаилов", "Исмайлов"), ("Ахметов", "Ахмедов"), ("Иванов", "Петров")]]
    ['same', 'diminutive', 'gender', 'gender', 'same', 'close', None]
    """
    if a == b:
        return "same"
    if _full_first_name(a) == _full_first_name(b):
        return "diminutive"
    if _masculine(a) == _masculine(b) or a + "a" == b or b + "a" == a \
            or a + "ia" == b or b + "ia" == a:
        return "gender"
    if close_words(a, b):
        return "close"
    return None


def close_words(a: str, b: str) -> bool:
    """Two spelling keys of 5+ letters one edit apart: an insertion, a deletion, a
    substitution or a swap of neighbours ("Ахметов" / "Ахмедов"). Two edits are too many:
    "Маметов" and "Ахметов" are two surnames. (Spellings of one name that the spelling
    key already makes one, "Жуманиязов" / "Джуманиязов", are not "close" but "same".)

    >>> close_words("ahmetov", "ahmedov"), close_words("mametov", "ahmetov"), close_words("omar", "umar")
    (True, False, False)
    """
    if min(len(a), len(b)) < CLOSE_MIN or abs(len(a) - len(b)) > 1:
        return False
    return _distance(a, b, 1) <= 1


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance, stopped once it exceeds ``limit``."""
    if a == b:
        return 0
    prev2, prev = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


_FEMININE = (("skaia", "ski"), ("ckaia", "cki"), ("ova", "ov"), ("eva", "ev"), ("ina", "in"),
             ("ia", "i"))


_SURNAME_ENDINGS = ("ov", "ev", "ova", "eva", "ski", "skaia", "cki", "ckaia", "enko", "uk", "iuk",
                    "uli", "kizi", "ian", "dze", "wvili")


def surname_like(key: str) -> bool:
    """Whether a word of a name (its spelling key) ends as surnames do (-ов, -ева, -ский,
    -енко, -улы, -ян, -дзе...).

    >>> [surname_like(spelling_key(w)) for w in ("Маметова", "Момышулы", "Амина", "Кабыш")]
    [True, True, False, False]
    """
    return len(key) > 4 and key.endswith(_SURNAME_ENDINGS)


def _masculine(key: str) -> str:
    for fem, masc in _FEMININE:
        if key.endswith(fem) and len(key) > len(fem) + 2:
            return key[: -len(fem)] + masc
    return key


@lru_cache(maxsize=1)
def _diminutives() -> dict[str, str]:
    return {spelling_key(k): spelling_key(v) for k, v in read_mapping("diminutives").items()}


def _full_first_name(key: str) -> str:
    return _diminutives().get(key, key)


@dataclass(frozen=True)
class _NameMatch:
    kind: str  # "same", "spelling", "initials", "partial", "gender"
    notes: tuple[str, ...]  # how the words matched, for the reason
    penalty: float
    specific: int  # which side names more (0, 1), or -1 when neither does


def compare_names(x: str, y: str) -> _NameMatch | None:
    """How two persons' names fit one person, or None when they cannot.

    >>> [(m.kind, m.notes) if m else None for m in (compare_names("Кабыш Омаров", "К. Омаров"),
    ...  compare_names("Омаров", "Кабыш Омаров"), compare_names("Маншук Маметова", "Ахмет Маметов"),
    ...  compare_names("А. Омаров", "Кабыш Омаров"), compare_names("Жуманиязов Кадем", "Кадем Джуманиязов"))]
    [('initials', ('same surname', 'initial К. = Кабыш')), ('partial', ('one word: Омаров',)), None, None, ('spelling', ('Жуманиязов = Джуманиязов',))]
    """
    return _compare(parse_name(x), parse_name(y), x, y)


def _compare(a: _Name, b: _Name, a_name: str = "", b_name: str = "") -> _NameMatch | None:
    swapped = len(a.words) > len(b.words) or (len(a.words) == len(b.words)
                                               and len(a.initials) > len(b.initials))
    if swapped:
        a, b = b, a
    if not a.words:
        return None
    used: set[int] = set()
    notes: list[str] = []
    penalty, gender = 0.0, False
    for i, w in enumerate(a.words):
        best = None
        for j, x in enumerate(b.words):
            if j not in used:
                level = word_match(w, x)
                if level and (best is None or _RANK[level] < _RANK[best[1]]):
                    best = (j, level)
        if best is None:
            return None
        j, level = best
        used.add(j)
        if level == "gender":
            gender = True
            notes.append(f"{a.raw[i]} / {b.raw[j]}: masculine and feminine forms")
        elif level in ("close", "diminutive"):
            penalty += CLOSE_PENALTY
            notes.append(f"{a.raw[i]} ≈ {b.raw[j]}" + (" (diminutive)" if level == "diminutive" else ""))
        elif a.raw[i] != b.raw[j] and fold(a.raw[i]) != fold(b.raw[j]):
            notes.append(f"{a.raw[i]} = {b.raw[j]}")
    if a.patronymic and b.patronymic and word_match(a.patronymic, b.patronymic) not in ("same", "close"):
        return None
    left = [j for j in range(len(b.words)) if j not in used]
    candidates = [b.words[j] for j in left] + ([b.patronymic] if b.patronymic else [])
    raw_candidates = [b.raw[j] for j in left] + ([b.raw_patronymic] if b.patronymic else [])
    matched_initials = []
    for i, ini in enumerate(a.initials):
        if i < len(candidates):
            if not candidates[i].startswith(ini):
                return None
            matched_initials.append(f"initial {a.raw_initials[i]} = {raw_candidates[i]}")
    for x, y in zip(a.initials, b.initials):
        if not (x.startswith(y) or y.startswith(x)):
            return None
    if len(a.words) == len(b.words) and len(a.initials) == len(b.initials) \
            and not (bool(a.patronymic) ^ bool(b.patronymic)):
        kind = "same" if fold(a_name) == fold(b_name) or not notes else "spelling"
        specific = -1
    elif matched_initials:
        kind, specific = "initials", 1 - swapped
        notes = ["same surname" if len(a.words) == 1 else "same names"] + notes + matched_initials
    else:
        kind, specific = "partial", 1 - swapped
        if len(a.words) == 1 and not a.initials:
            j = next(iter(used))
            if not surname_like(b.words[j]) and any(surname_like(b.words[k]) for k in left):
                penalty += FIRST_NAME_PENALTY
                notes = [f"one word: {a.raw[0]} (a first name)"] + notes
            else:
                notes = [f"one word: {a.raw[0]}"] + notes
        elif raw_candidates or b.raw_initials:
            notes = ["the other adds " + " ".join(raw_candidates or b.raw_initials)] + notes
    if gender:
        kind = "gender"
    return _NameMatch(kind, tuple(notes), penalty, specific)


# -- duplicates: persons ------------------------------------------------------------------

def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1:] for i in range(len(key))}


def _person_duplicates(ix: _Index) -> list[Suspect]:
    people = {e: parse_name(a.get("name") or "") for e, a in ix.entities.items()
              if a.get("label") == PERSON}
    people = {e: n for e, n in people.items() if n.words}
    by_word: dict[str, list[str]] = defaultdict(list)
    for e, n in people.items():
        for w in dict.fromkeys(n.words):
            by_word[w].append(e)
    # blocks around a word: itself, its deletions (close spellings), its masculine form,
    # its full first name
    by_deletion: dict[str, set[str]] = defaultdict(set)
    by_root: dict[str, set[str]] = defaultdict(set)
    for w in by_word:
        if len(w) >= CLOSE_MIN:
            for d in _deletions(w) | {w}:
                by_deletion[d].add(w)
        by_root[_masculine(w)].add(w)
        by_root[_full_first_name(w)].add(w)
        if w.endswith("ia"):
            by_root[w[:-2]].add(w)
        elif w.endswith("a"):
            by_root[w[:-1]].add(w)

    @cache
    def near_words(w: str) -> tuple[str, ...]:
        out = {w} | by_root.get(_masculine(w), set()) | by_root.get(_full_first_name(w), set())
        out |= by_root.get(w, set())
        if len(w) >= CLOSE_MIN:
            for d in _deletions(w) | {w}:
                out |= {x for x in by_deletion.get(d, ()) if close_words(w, x)}
        return tuple(sorted(x for x in out if word_match(w, x)))

    near_sets = {}

    def near(w: str) -> frozenset[str]:
        if w not in near_sets:
            near_sets[w] = frozenset(near_words(w))
        return near_sets[w]

    births = {e: _birth_years(ix, e) for e in people}
    names = {e: ix.name(e) for e in people}
    matches: dict[tuple[str, str], _NameMatch] = {}
    compared: dict[tuple[str, str], _NameMatch | None] = {}  # by the names: namesakes recur
    for e in sorted(people):
        n = people[e]
        # the rarest word of e: every other name that can fit e contains a match of it
        # (or has fewer words, and is found from its own side)
        size, rare = min((sum(len(by_word[x]) for x in near(w)), w) for w in set(n.words))
        wanted = [near(w) for w in n.words]
        if size > BLOCK_LIMIT:  # a name hundreds share: only those tied to e
            rare_words = near(rare)
            block = {o for o in _tied_people(ix, e, people)
                     if any(x in rare_words for x in people[o].words)}
        else:
            block = {o for x in near(rare) for o in by_word[x]}
        for other in block:
            o = people[other]
            if other == e or len(o.words) < len(n.words) \
                    or not all(any(x in ws for x in o.words) for ws in wanted):
                continue
            pair = (e, other) if e < other else (other, e)
            if pair in matches:
                continue
            key = (names[pair[0]], names[pair[1]])
            if key not in compared:
                compared[key] = _compare(people[pair[0]], people[pair[1]], *key)
            if compared[key] is not None:
                matches[pair] = compared[key]
    # which names fit several people who are not one ("Омаров": Кабыш or Ахмет?)
    partners: dict[str, set[str]] = defaultdict(set)
    fits: dict[str, set[str]] = defaultdict(set)
    for (a, b), m in matches.items():
        fits[a].add(b)
        fits[b].add(a)
        if m.kind in ("partial", "initials"):
            short, full = (a, b) if m.specific in (-1, 1) else (b, a)
            partners[short].add(full)
    ctx = _PairContext(ix, partners, fits, births)
    scored = []
    for (a, b), m in matches.items():
        s = _person_suspect(ctx, a, b, m, render=False)
        if s is not None and s[0] >= MIN_SCORE:
            scored.append((s, a, b, m))
    # each entity is the one to merge away in its best MAX_PER_ENTITY pairs only
    scored.sort(key=lambda x: (-x[0][0], x[0][1:]))
    used: dict[str, int] = defaultdict(int)
    out = []
    for s, a, b, m in scored:
        drop = s[2]
        if used[drop] < MAX_PER_ENTITY:
            used[drop] += 1
            out.append(_person_suspect(ctx, a, b, m, render=True))
    return out


def _tied_people(ix: _Index, e: str, people: dict) -> set[str]:
    """The persons named in an article of ``e`` or with a unit of ``e``."""
    out = set()
    for art in ix.articles(e):
        out |= ix.people_in(art)
    for u in ix.units(e):
        out |= set(ix.near[u]) | ix.members(u)
    return out & people.keys()


@dataclass
class _PairContext:
    ix: _Index
    partners: dict  # a name that says less -> the people it fits
    fits: dict  # entity -> the entities its name fits
    births: dict  # person -> [_Dated]


def _person_suspect(ctx: _PairContext, a: str, b: str, m: _NameMatch, render: bool = True):
    """A pair of persons whose names fit (``m``, for ``a`` and ``b`` in that order), scored
    with what ties them; None when their births set them apart, or when only the
    gender of a surname differs and nothing ties them. Without ``render``, only
    (score, id to keep, id to merge away)."""
    ix, births = ctx.ix, ctx.births
    ba, bb = births[a], births[b]
    if ba and bb and not _overlap([d.bounds for d in ba], [d.bounds for d in bb]):
        return None  # born in different years: two people
    ambiguous: list[str] = []
    if m.kind in ("partial", "initials"):
        short, full = (a, b) if m.specific in (-1, 1) else (b, a)
        ambiguous = ctx.partners.get(short, set()) - ctx.fits.get(full, set()) - {full}
        ambiguous = sorted(ambiguous) if render else ambiguous
    # from here on, the one to keep first: the reason and the evidence read in that order
    keep, drop = sorted((a, b), key=lambda e: _keep_key(ix, e))
    score = BASE[m.kind] - m.penalty
    reason: list[str] = []
    evidence: list[str] = []
    if render:
        notes = _compare(parse_name(ix.name(keep)), parse_name(ix.name(drop)),
                         ix.name(keep), ix.name(drop)).notes
        reason = list(notes) if m.kind != "same" else ["same name"]
        if m.kind == "spelling" and notes:
            reason = ["same name, spelled otherwise: " + "; ".join(notes)]
    tied = False

    shared_articles = ix.articles(keep) & ix.articles(drop)
    if shared_articles:
        score += TIE["article"]
        tied = True
        if render:
            reason.append("same article")
            evidence.append("both in " + ", ".join(
                f"«{clip(ix.titles.get(x, x), 0, TITLE_WIDTH)}»"
                for x in sorted(shared_articles, key=lambda x: ix.order.get(x, 0))[:3]))
    unit_tie = _unit_tie(ix, keep, drop, render)
    if unit_tie:
        weight, text, lines = unit_tie
        score += weight
        tied = True
        reason.append(text)
        evidence += lines
    context = [c for c in (set(ix.near[keep]) & set(ix.near[drop])) - ix.common - {keep, drop}
               if ix.label(c) in (PLACE, ORG)]
    if context:
        score += TIE["context"]
        tied = True
        if render:
            c = min(context)
            reason.append(f"both named with {ix.name(c)}")
            evidence.append(f"both with {ix.name(c)}: {ix.quote(ix.near[keep][c])} / "
                            f"{ix.quote(ix.near[drop][c])}")
    bk, bd = births[keep], births[drop]
    if bk and bd:
        score += TIE["born"]
        tied = True
        if render:
            reason.append(f"born {bk[0].date} / {bd[0].date}")
            evidence.append(f"born {bk[0].date}: {ix.quote(bk[0])} / "
                            f"born {bd[0].date}: {ix.quote(bd[0])}")
    if parse_name(ix.name(keep)).patronymic and parse_name(ix.name(drop)).patronymic:
        score += TIE["patronymic"]
        tied = True
        reason.append("same patronymic")
    if drop in ix.near[keep]:
        score += TIE["side_by_side"]
        if render:
            reason.append("named side by side (two people?)")
            evidence.append(f"side by side: {ix.quote(ix.near[keep][drop])}")
    if m.kind == "gender" and not tied:
        return None
    if ambiguous:
        score += TIE["ambiguous"]
        if render:
            short = ix.name(a if m.specific in (-1, 1) else b)
            reason.append(f"{short} also fits {len(ambiguous)} other(s)")
            evidence.append(f"{short} also fits: "
                            + "; ".join(f"{ix.name(o)} [{o}]" for o in ambiguous[:3])
                            + (f" … {len(ambiguous)} in all" if len(ambiguous) > 3 else ""))
    score = round(min(max(score, 0.0), 0.99), 2)
    if not render:
        return score, keep, drop
    evidence = ix.side(keep) + ix.side(drop) + evidence
    return Suspect(DUPLICATE, score, (keep, drop), (ix.name(keep), ix.name(drop)),
                   "; ".join(reason), tuple(evidence), _command("merge", keep, drop))


def _keep_key(ix: _Index, e: str) -> tuple:
    """The entity to keep: the fuller name, then the more mentioned, then the id."""
    key = ix._keep.get(e)
    if key is None:
        n = parse_name(ix.name(e)) if ix.label(e) == PERSON else None
        words = (len(n.words), n.patronymic is not None, len(n.initials)) if n else (0, False, 0)
        key = ix._keep[e] = (-words[0], -words[1], -words[2], -ix.mentions(e),
                             -len(ix.articles(e)), "@" in e, e)
    return key


def _unit_tie(ix: _Index, a: str, b: str, render: bool = True
              ) -> tuple[float, str, list[str]] | None:
    """The weight of the unit two people share, the reason and the evidence: both
    ``member_of`` (or ``commanded``) it, else both named in a sentence with it."""
    shared = set(ix.linked[a]) & set(ix.linked[b]) - ix.common
    if shared and not render:
        return TIE["unit"], "", []
    if shared:
        u = min(shared)
        (ra, sa), (rb, sb) = ix.linked[a][u], ix.linked[b][u]
        rel = ra if ra == rb else f"{ra}/{rb}"
        return (TIE["unit"], f"both {rel} {ix.name(u)}",
                [f"{ix.name(a)} {ra} {ix.name(u)}: {ix.quote(sa)}",
                 f"{ix.name(b)} {rb} {ix.name(u)}: {ix.quote(sb)}"])
    shared = ix.units(a) & ix.units(b) - ix.common
    if shared and not render:
        return TIE["unit_near"], "", []
    if shared:
        u = min(shared)
        sa = ix.linked[a][u][1] if u in ix.linked[a] else ix.near[a][u]
        sb = ix.linked[b][u][1] if u in ix.linked[b] else ix.near[b][u]
        return (TIE["unit_near"], f"both named with {ix.name(u)}",
                [f"{ix.name(a)} with {ix.name(u)}: {ix.quote(sa)}",
                 f"{ix.name(b)} with {ix.name(u)}: {ix.quote(sb)}"])
    return None


# -- duplicates: places, units, organizations, awards --------------------------------------

_ENDINGS = sorted(["ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими", "ая", "яя", "ое", "ее", "ые", "ие", "ый", "ий", "ой", "ей", "ую", "юю", "ых", "их", "ым", "им", "ом", "ем", "ам", "ям", "ах", "ях", "ов", "ев", "а", "я", "о", "е", "у", "ю", "ы", "и", "ь", "й"], key=len, reverse=True)
_PHRASE_TOKEN = re.compile(r"\d+|[^\W\d_]+(?:\.[^\W\d_]+)*\.?")
_QUOTED = re.compile(r'"([^"]+)"')


def _stem(word: str) -> str:
    for e in _ENDINGS:
        if word.endswith(e) and len(word) - len(e) >= 3:
            return word[: -len(e)]
    return word


@lru_cache(maxsize=1 << 16)
def thing_key(name: str, label: str) -> str:
    """The key of a place's, unit's, organization's or award's name that inflection,
    abbreviations, quotes and generic words do not change.

    >>> thing_key("316-й стрелковой дивизии", UNIT) == thing_key("316 сд", UNIT)
    True
    >>> thing_key("Секешфехерваром", PLACE) == thing_key("город Секешфехервар", PLACE)
    True
    >>> thing_key("316-я стрелковая дивизия", UNIT) == thing_key("315-я стрелковая дивизия", UNIT)
    False
    """
    tokens, words = _PHRASE_TOKEN.findall(fold(name)), []
    abbreviations = _abbreviations()
    for i, t in enumerate(tokens):
        if not t[0].isdigit() and i and tokens[i - 1].isdigit() and len(t) <= 3 \
                and t.rstrip(".") not in abbreviations:
            continue  # the ending of an ordinal: 316-я, 316-й
        t = abbreviations.get(t, abbreviations.get(t.rstrip("."), t))
        words += re.findall(r"\d+|[^\W\d_]+", fold(t))
    generic = read_lexicon("place_generic_words") if label == PLACE else frozenset()
    if any(w not in generic for w in words):
        words = [w for w in words if w not in generic]
    return " ".join(k for k in (w if w.isdigit() else spelling_key(_stem(w)) for w in words) if k)


@lru_cache(maxsize=1)
def _abbreviations() -> dict[str, str]:
    return {**read_mapping("place_abbreviations"), **read_mapping("unit_abbreviations")}


def _quoted_key(name: str) -> str | None:
    m = _QUOTED.search(fold(name))
    return thing_key(m.group(1), ORG) if m else None


def _thing_duplicates(ix: _Index) -> list[Suspect]:
    by_key: dict[tuple, list[str]] = defaultdict(list)
    keys: dict[str, str] = {}
    for e, a in ix.entities.items():
        label = a.get("label")
        if label not in THING_LABELS:
            continue
        name = a.get("name") or ""
        keys[e] = thing_key(name, label)
        if keys[e]:
            by_key[(label, "key", keys[e])].append(e)
        quoted = _quoted_key(name) if label in (UNIT, ORG) else None
        if quoted:
            by_key[(label, "quoted", quoted)].append(e)
        if len(keys[e]) >= 7:
            for d in _deletions(keys[e]) | {keys[e]}:
                by_key[(label, "close", d)].append(e)
    digits = {e: re.findall(r"\d+", k) for e, k in keys.items()}
    pairs: dict[tuple[str, str], str] = {}
    for (label, how, _), members in sorted(by_key.items()):
        if len(members) < 2 or len(members) > 50:
            continue  # a block this big is a common word, not one name
        for a, b in combinations(sorted(set(members)), 2):
            if how == "close" and (keys[a] == keys[b] or digits[a] != digits[b]
                                   or _distance(keys[a], keys[b], 1) > 1):
                continue  # one letter apart, and the same numbers: 316-я is not 315-я
            how_now = pairs.get((a, b))
            if how_now is None or THING_SCORE[_HOW[how]] > THING_SCORE[how_now]:
                pairs[(a, b)] = _HOW[how]
    out = []
    for (a, b), how in sorted(pairs.items()):
        score = THING_SCORE[how]
        reason = {"inflection": "names differ only by inflection, abbreviation, quotes or a generic word",
                  "quoted": "the same quoted name",
                  "close": "names one letter apart"}[how]
        evidence = []
        if b in ix.near[a]:
            score += TIE["side_by_side"]
            reason += "; named side by side (two different ones?)"
            evidence.append(f"side by side: {ix.quote(ix.near[a][b])}")
        keep, drop = sorted((a, b), key=lambda e: _keep_key(ix, e))
        out.append(Suspect(DUPLICATE, round(max(score, 0.0), 2), (keep, drop),
                           (ix.name(keep), ix.name(drop)),
                           f"{ix.label(a)}: {reason}", tuple(ix.side(keep) + ix.side(drop) + evidence),
                           _command("merge", keep, drop)))
    return out


_HOW = {"key": "inflection", "quoted": "quoted", "close": "close"}


# -- errors: boilerplate -------------------------------------------------------------------

_VERB_POS = frozenset({"VERB", "INFN", "GRND", "PRTS"})
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _words(text: str) -> str:
    return " ".join(_WORD.findall(text))


def headline_signals(sentence: str, names: set[str] = frozenset(), titles: set[str] = frozenset()
                     ) -> list[str] | None:
    """Why a sentence looks like a headline or a menu line, or None when it does not.

    It must have at most ``HEADLINE_WORDS`` words and no verb (outside the ``names``
    in it, lower case): no word whose likeliest pymorphy3 reading is a verb, an
    infinitive, a gerund or a short participle ("воевал", "погиб", "награждён"); then
    each of these is a signal: every word of 4+ letters capitalised; no final
    "." "!" "?"; a boilerplate marker or pattern (``data/lexicons``); one of ``titles``
    (folded).

    >>> headline_signals("Популярные Новости Казахстана")
    ['every word capitalised', 'no final punctuation', 'boilerplate marker']
    >>> headline_signals("Кабыш Омаров воевал в отряде «Монгол».") is None
    True
    >>> headline_signals("Кабыш Омаров и отряд «Монгол»: память о партизанах")
    ['no final punctuation']
    """
    words = _WORD.findall(sentence)
    if not words or len(words) > HEADLINE_WORDS:
        return None
    from .morph import parses

    for w in words:
        low = w.lower()
        if low not in names and parses(low)[0].tag.POS in _VERB_POS:
            return None
    signals = []
    long_words = [w for w in words if len(w) >= 4]
    if long_words and all(w[0].isupper() for w in long_words):
        signals.append("every word capitalised")
    if not sentence.rstrip(" \t\n\"'»”)").endswith((".", "!", "?", "…")):
        signals.append("no final punctuation")
    if _boilerplate_line(sentence):
        signals.append("boilerplate marker")
    if fold(sentence).strip(" .") in titles:
        signals.append("an article's title")
    return signals or None


def _boilerplate_line(sentence: str) -> bool:
    line = re.sub(r"\s*\(\d+\)\s*$", "", fold(sentence).strip().rstrip(":").strip())
    markers, patterns = _boilerplate_lexicons()
    return any(m == line or line.startswith(m + " ") for m in markers) \
        or any(p.search(line) for p in patterns)


@lru_cache(maxsize=1)
def _boilerplate_lexicons() -> tuple[frozenset[str], tuple[re.Pattern, ...]]:
    markers = frozenset(fold(m).rstrip(":") for m in read_lexicon_lines("boilerplate_markers"))
    patterns = tuple(re.compile(p, re.IGNORECASE) for p in read_lexicon_lines("boilerplate_patterns"))
    return markers, patterns


def _boilerplate(ix: _Index) -> list[Suspect]:
    titles = {fold(t).strip(" .") for t in ix.titles.values() if t}
    out = []
    for e in sorted(ix.entities):
        seen = ix.seen.get(e, ())
        if not seen or len({(s.article, s.start) for s in seen}) != 1:
            continue
        s = seen[0]
        own_title = fold(ix.titles.get(s.article, "")).strip(" .")
        signals = headline_signals(s.sentence, ix.words_at[(s.article, s.start)], titles - {own_title})
        if not signals:
            continue
        score = min(BOILERPLATE_BASE + BOILERPLATE_SIGNAL * len(signals), 0.95)
        out.append(Suspect(
            ERROR, round(score, 2), (e,), (ix.name(e),),
            f"named once, in a headline-like line: {', '.join(signals)} "
            f"(≤{HEADLINE_WORDS} words, no verb)",
            (f"{ix.name(e)} [{e}]: {ix.quote(s)}",), _command("reject", e)))
    return out


# -- errors: common words --------------------------------------------------------------------

_LEXICONS = ("relatives", "roles", "ranks", "person_titles", "unit_nouns", "org_nouns",
             "place_generic_words")
_MAPPINGS = ("months", "seasons", "weekdays")
_NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Init", "Abbr"})


@lru_cache(maxsize=1)
def _lexicon_words() -> dict[str, str]:
    out = {}
    for name in _LEXICONS:
        for line in read_lexicon(name):
            out.setdefault(fold(line), name)
    for name in _MAPPINGS:
        for key in read_mapping(name):
            out.setdefault(fold(key), name)
    return out


def common_word(name: str, label: str) -> tuple[float, str] | None:
    """(score, why) when a name is a common word rather than a name, else None.

    >>> common_word("Дед", PERSON), common_word("дивизия", UNIT)
    ((0.7, 'a word of the lexicon relatives'), (0.7, 'a word of the lexicon unit_nouns'))
    >>> common_word("Победа", PERSON)
    (0.45, 'a dictionary word, not a name')
    >>> [common_word(n, l) for n, l in (("Кабыш Омаров", PERSON), ("316-я стрелковая дивизия", UNIT),
    ...                                   ("Роза", PERSON), ("Булак", PLACE))]
    [None, None, None, None]
    """
    from .morph import lemma, morph_analyzer, parses

    if label == AWARD or any(c.isdigit() for c in name) or _QUOTED.search(fold(name)):
        return None
    words = _WORD.findall(fold(name))
    if not words:
        return None
    lexicon = _lexicon_words()
    found = [lexicon.get(w) or lexicon.get(lemma(w, "NOUN")) for w in words]
    if all(found):
        return LEXICON_SCORE, "a word of the lexicon " + ", ".join(dict.fromkeys(found))
    if label != PERSON:
        return None
    analyzer = morph_analyzer()
    for w in words:
        if not analyzer.word_is_known(w):
            return None
        if any(_NAME_TAGS & p.tag.grammemes for p in parses(w)):
            return None
    return DICTIONARY_SCORE, "a dictionary word, not a name"


def _common_words(ix: _Index) -> list[Suspect]:
    out = []
    for e in sorted(ix.entities):
        a = ix.entities[e]
        hit = common_word(a.get("name") or "", a.get("label") or "")
        if hit:
            score, why = hit
            out.append(Suspect(ERROR, score, (e,), (ix.name(e),),
                               f"{a.get('label')} named by a common word: {why}",
                               tuple(ix.side(e)), _command("reject", e)))
    return out


# -- errors: life paths ------------------------------------------------------------------------

def _dated_events(ix: _Index, person: str) -> list[_Dated]:
    out = []
    for ev in dict.fromkeys(ix.events.get(person, ())):
        a = ix.g.nodes[ev] if ev in ix.g else {}
        bounds = date_bounds(a.get("date"))
        if a.get("kind") != "event" or bounds is None:
            continue
        start = a.get("sentence_start")
        out.append(_Dated(str(a.get("event_kind") or "event").lower(), a["date"], bounds,
                          a.get("article") or "", int(start) if start is not None else 0,
                          a.get("sentence") or "", event=ev))
    out.sort(key=lambda d: (ix.order.get(d.article, len(ix.order)), d.article, d.start, d.event or ""))
    return out


def _birth_years(ix: _Index, person: str) -> list[_Dated]:
    """Births of a person: birth events with a date, and the first date of a sentence
    that says ``born_in`` (unless a birth event already stands for that sentence)."""
    births = [d for d in _dated_events(ix, person) if d.kind in BIRTH_EVENTS]
    places = {(d.article, d.start) for d in births}
    for key, a in ix.born_in.get(person, ()):
        start = a.get("sentence_start")
        at = (a.get("article") or "", int(start) if start is not None else 0)
        if at in places:
            continue
        for value in ix.dates.get(at, ()):
            bounds = date_bounds(value)
            if bounds:
                births.append(_Dated("born_in", value, bounds, at[0], at[1], a.get("sentence") or "",
                                     relation=key))
                places.add(at)
                break
    return births


def _overlap(xs: list, ys: list) -> bool:
    """Whether some date of ``xs`` and some date of ``ys`` can be the same day."""
    return any(x[0] <= y[1] and y[0] <= x[1] for x in xs for y in ys)


def _conflict(dated: list[_Dated]) -> tuple[_Dated, _Dated] | None:
    """The two dates furthest apart that cannot be one: the earliest end, the latest start."""
    if len(dated) < 2:
        return None
    early = min(dated, key=lambda d: d.bounds[1])
    late = max(dated, key=lambda d: d.bounds[0])
    return (early, late) if early.bounds[1] < late.bounds[0] else None


def _life_conflicts(ix: _Index) -> list[Suspect]:
    out = []
    for p in sorted(ix.entities):
        if ix.label(p) != PERSON:
            continue
        events = _dated_events(ix, p)
        births = _birth_years(ix, p)
        deaths = [d for d in events if d.kind in DEATH_EVENTS]
        name = ix.name(p)
        pair = _conflict(births)
        if pair:
            out.append(_life_suspect(ix, p, BIRTH_CONFLICT, f"conflicting birth years: "
                                     f"{pair[0].date} and {pair[1].date}", pair, births))
        pair = _conflict(deaths)
        if pair:
            out.append(_life_suspect(ix, p, DEATH_CONFLICT, f"conflicting death dates: "
                                     f"{pair[0].date} and {pair[1].date}", pair, deaths))
        if deaths:
            death = max(deaths, key=lambda d: d.bounds[1])
            later = [d for d in events if d.kind in LIVING_EVENTS and d.bounds[0] > death.bounds[1]]
            if later:
                last = max(later, key=lambda d: d.bounds[0])
                out.append(_life_suspect(ix, p, AFTER_DEATH, f"{name}: {last.kind} {last.date} "
                                         f"after death {death.date}", (death, last), []))
        if births:
            birth = min(births, key=lambda d: d.bounds[0])
            earlier = [d for d in events if d.kind not in BIRTH_EVENTS
                       and d.bounds[1] < birth.bounds[0]]
            if earlier:
                first = min(earlier, key=lambda d: d.bounds[1])
                out.append(_life_suspect(ix, p, BEFORE_BIRTH, f"{name}: {first.kind} {first.date} "
                                         f"before birth {birth.date}", (birth, first), []))
    return out


def _life_suspect(ix: _Index, person: str, score: float, reason: str, pair: tuple[_Dated, _Dated],
                  more: list[_Dated]) -> Suspect:
    """An impossible life path: the evidence of each date, and the fix: split off the
    article of the second when the two come from different articles (two people under
    one name), else reject the second statement."""
    shown = list(dict.fromkeys([*pair, *more]))[:4]
    evidence = [f"{d.kind} {d.date}: {ix.quote(d)}" for d in shown]
    first, second = pair
    if first.article != second.article:
        action = _command("split", person, "--article", second.article)
        reason += "; different articles: two people under one name?"
    elif second.event:
        action = _command("reject", second.event)
    elif first.event:
        action = _command("reject", first.event)
    else:
        action = _command("reject", person, "--relation", second.relation or first.relation or "")
    return Suspect(ERROR, score, (person,), (ix.name(person),), reason, tuple(evidence), action)


# -- errors: mixed labels ----------------------------------------------------------------------

def _mixed_labels(ix: _Index) -> list[Suspect]:
    """Entities whose mentions voted for several labels, when the graph keeps the votes."""
    out = []
    for e in sorted(ix.entities):
        votes = ix.entities[e].get("label_votes")
        if not isinstance(votes, dict) or len(votes) < 2:
            continue
        ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
        total = sum(v for _, v in ranked)
        (top, _), (second, n2) = ranked[:2]
        if total <= 0 or n2 / total < MIXED_SHARE:
            continue
        label = ix.label(e)
        other = second if label == top else top
        out.append(Suspect(
            ERROR, MIXED_LABEL, (e,), (ix.name(e),),
            "label votes are mixed: " + ", ".join(f"{k} {v}" for k, v in ranked),
            tuple(ix.side(e)), _command("retype", e, other)))
    return out


# -- text -----------------------------------------------------------------------------------------

def _command(verb: str, *args: str) -> str:
    return " ".join(["kg", verb, *(a if a.startswith("--") else shlex.quote(a) for a in args)])

