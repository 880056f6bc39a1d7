"""Life paths: one person's names, rank, units, awards and events, in date order.

:func:`find_person` finds a person by any of its names, in any case and inflection,
or spelled in Latin letters; :func:`life_path` gathers what the graph says of the
person; :func:`format_life_path` is the text ``kg person NAME`` prints.

Order of events (:func:`date_key`): an event sorts by the **last day its date can
mean**, so a date sorts after every date that falls inside it (``1943-07-15``,
then ``1943-22`` summer, then ``1943``, then ``1941/1945``) and before every date
that lies wholly after it; among dates ending the same day the narrower comes
first, then the articles' order, then the order of the text. An **undated** event
keeps its place in its article: it comes right after the event that precedes it
in that article's text (see :func:`order_events`), not at the end.

>>> from kg.graph import build_graph
>>> from kg.types import Article, Entity, Event, Extraction, Relation, PERSON, PLACE
>>> text = "Кабыш Омаров погиб 11 марта 1945 года. Там совершил побег. Родился в 1913 году."
>>> art = Article(source="a.txt", text=text, digest="ab" * 32, title="Партизаны")
>>> g = build_graph([Extraction(art,
...     entities=(Entity("person:омаров", PERSON, "Кабыш Омаров", ("Кабыша Омарова",)),),
...     events=(Event("death", ("person:омаров",), "погиб", (0, 38), "1945-03-11"),
...             Event("escape", ("person:омаров",), "побег", (39, 58)),
...             Event("birth", ("person:омаров",), "Родился", (59, 80), "1913")))])
>>> find_person(g, "OMAROVA")
['person:омаров']
>>> [(e.date, e.kind) for e in life_path(g, "person:омаров").events]
[('1913', 'birth'), ('1945-03-11', 'death'), (None, 'escape')]
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from pathlib import Path

import networkx as nx

from .edtf import closed_bounds
from .link import spelling_key
from .normalize import fold

log = logging.getLogger(__name__)

GRAPHML = "graph.graphml"
# attributes kg.graph stores as lists, which GraphML keeps joined by "; "
LIST_ATTRIBUTES = ("aliases", "articles", "participants", "dates")
UNIT_PREDICATES = ("member_of", "commanded")
PLACE_PREDICATES = ("born_in", "died_in", "buried_in")
SENTENCE_WIDTH = 100  # characters of a sentence and of a title shown on an event's line
TITLE_WIDTH = 40

# -- finding a person -------------------------------------------------------------

# case endings of Russian names, as skeletons: Омаров-а/-у/-ым/-е, Кабыш-ем, Ольг-ой
_ENDINGS = {"", "a", "ia", "u", "iu", "om", "em", "oi", "ei", "e", "i", "im", "ogo", "ego",
            "omu", "emu", "ih", "imi", "ami", "ah", "am"}
_EXACT, _SPELLING, _WORDS, _STEMS = 4, 3, 2, 1  # match levels, best first


@dataclass(frozen=True)
class PersonMatch:
    id: str
    name: str
    level: int  # 4 a whole name, 3 a whole name spelled otherwise, 2 its words, 1 their stems


def skeleton(text: str) -> str:
    """The key every spelling of a name shares (Cyrillic, Kazakh, Latin): kg.link's.

    >>> skeleton("Жуманиязов") == skeleton("Zhumaniyazov") == skeleton("Jumaniyazov")
    True
    """
    return spelling_key(text)


def person_matches(g: nx.MultiDiGraph, query: str) -> list[PersonMatch]:
    """Every person whose name or alias matches ``query``, best first.

    Levels: 4, the query is the name or an alias (any case, ё = е); 3, the same
    spelled otherwise (Latin letters); 2, each word of the query is a word of the
    person's names ("Омаров" finds "Кабыш Омаров"); 1, each word shares all but
    its ending with one ("Омаровым"). Ties: more mentions first, then the name.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("p:1", kind="entity", label="PERSON", name="Кабыш Омаров", mentions=2)
    >>> g.add_node("p:2", kind="entity", label="PERSON", name="Омаров", mentions=1)
    >>> [(m.id, m.level) for m in person_matches(g, "омаров")]
    [('p:2', 4), ('p:1', 2)]
    """
    q_fold, q_skel = fold(query), _variants(query)
    if not q_skel:
        return []
    found = []
    for node, a in g.nodes(data=True):
        if a.get("kind") != "entity" or a.get("label") != "PERSON":
            continue
        names = [a.get("name") or "", *(a.get("aliases") or ())]
        level = _level(q_fold, q_skel, [n for n in names if n])
        if level:
            found.append((-level, -(a.get("mentions") or 0), a.get("name") or "", node))
    return [PersonMatch(node, name, -lv) for lv, _, name, node in sorted(found)]


def find_person(g: nx.MultiDiGraph, query: str) -> list[str]:
    """Entity ids of the persons matching ``query`` (see :func:`person_matches`), best first.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("p:1", kind="entity", label="PERSON", name="Кадем Жуманиязов",
    ...            aliases=["Кадема Жуманиязова", "Кадему"])
    >>> [find_person(g, q) for q in ("кадема жуманиязова", "Zhumaniyazov", "Kademu", "Иванов")]
    [['p:1'], ['p:1'], ['p:1'], []]
    """
    return [m.id for m in person_matches(g, query)]


def _variants(query: str) -> set[str]:
    """The skeletons of a query: a Latin j is ж to some (Jumaniyazov) and й to others (Jurij)."""
    q = fold(query)
    variants = {q, q.replace("j", "y")} if re.search("[a-z]", q) else {q}
    return {s for s in map(skeleton, variants) if s}


def _level(q_fold: str, q_skel: set[str], names: list[str]) -> int:
    if q_fold in {fold(n) for n in names}:
        return _EXACT
    skels = {skeleton(n) for n in names}
    if q_skel & skels:
        return _SPELLING
    words = {w for s in skels for w in s.split()}
    if any(set(q.split()) <= words for q in q_skel):
        return _WORDS
    if any(all(any(_same_stem(w, x) for x in words) for w in q.split()) for q in q_skel):
        return _STEMS
    return 0


def _same_stem(a: str, b: str) -> bool:
    """Two case forms of one word (skeletons): one stem, each with a case ending or none.

    >>> _same_stem("omarovim", "omarov"), _same_stem("ivanov", "ivan")
    (True, False)
    """
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n >= 3 and a[n:] in _ENDINGS and b[n:] in _ENDINGS


# -- dates --------------------------------------------------------------------------

def date_bounds(value: str | None) -> tuple[dt.date, dt.date] | None:
    """The first and the last day an EDTF value can mean (``kg.edtf.closed_bounds``:
    a half-open interval is its known end); None when it is not a date.

    >>> date_bounds("1943-22")
    (datetime.date(1943, 6, 1), datetime.date(1943, 8, 31))
    >>> [str(d) for d in date_bounds("194X") + date_bounds("1941-06-22/..")]
    ['1940-01-01', '1949-12-31', '1941-06-22', '1941-06-22']
    >>> date_bounds("около войны") is None
    True
    """
    return closed_bounds(value)


def date_key(value: str | None) -> tuple[int, int] | None:
    """The sort key of a date: its last day, then the narrower first; None when undated.

    >>> sorted(["1941/1945", "1943", "1943-22", "1943-07-15", "1944-01"], key=date_key)
    ['1943-07-15', '1943-22', '1943', '1944-01', '1941/1945']
    """
    bounds = date_bounds(value)
    return None if bounds is None else (bounds[1].toordinal(), -bounds[0].toordinal())


# -- the life path ------------------------------------------------------------------

@dataclass(frozen=True)
class LifeEvent:
    """One event of a life, as a line of the life path, with its provenance."""

    date: str | None  # EDTF
    kind: str
    place: str | None  # the place's name
    others: tuple[str, ...]  # the names of the other persons taking part
    trigger: str
    article: str  # article id
    title: str  # the article's title, else its file name
    sentence: str
    start: int  # the evidence in the article text
    end: int
    entities: tuple[str, ...] = ()  # the names of the units, awards, ... taking part
    curation: tuple[str, ...] = ()  # a historian's correction that made it (kg.curate)


@dataclass(frozen=True)
class Fact:
    """A relation of the person: member_of, commanded, awarded, born_in, died_in, buried_in,
    relative_of, with the sentence that says it."""

    predicate: str
    name: str  # the other entity's name
    entity: str
    article: str | None
    title: str | None
    sentence: str | None
    curation: tuple[str, ...] = ()  # a historian's correction that made it (kg.curate)


@dataclass(frozen=True)
class LifePath:
    id: str
    name: str
    aliases: tuple[str, ...]
    rank: str | None
    role: str | None
    facts: tuple[Fact, ...]
    events: tuple[LifeEvent, ...]  # in date order (see the module's docstring)
    articles: tuple[str, ...] = ()  # the titles of the articles that mention the person
    curation: tuple[str, ...] = ()  # the historians' corrections of the person (kg.curate)

    def _names(self, *predicates: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.name for f in self.facts if f.predicate in predicates))

    @property
    def units(self) -> tuple[str, ...]:
        return self._names(*UNIT_PREDICATES)

    @property
    def commanded(self) -> tuple[str, ...]:
        return self._names("commanded")

    @property
    def awards(self) -> tuple[str, ...]:
        return self._names("awarded")

    @property
    def born_in(self) -> tuple[str, ...]:
        return self._names("born_in")

    @property
    def died_in(self) -> tuple[str, ...]:
        return self._names("died_in")

    @property
    def buried_in(self) -> tuple[str, ...]:
        return self._names("buried_in")

    @property
    def relatives(self) -> tuple[str, ...]:
        return self._names("relative_of")


def life_path(g: nx.MultiDiGraph, entity_id: str) -> LifePath:
    """What the graph says of one person: names, rank, role, relations and events in order.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("p:1", kind="entity", label="PERSON", name="Кабыш Омаров", rank="лейтенант")
    >>> g.add_node("u:1", kind="entity", label="UNIT", name="отряд «Монгол»")
    >>> _ = g.add_edge("p:1", "u:1", relation="member_of", article="a:1", sentence="…")
    >>> lp = life_path(g, "p:1")
    >>> lp.rank, lp.units, lp.events
    ('лейтенант', ('отряд «Монгол»',), ())
    """
    a = g.nodes[entity_id] if entity_id in g else None
    if a is None or a.get("kind") != "entity":
        raise ValueError(f"{entity_id} is not an entity of the graph")
    articles = (n for n, d in g.nodes(data=True) if d.get("kind") == "article")
    order = {n: i for i, n in enumerate(articles)}
    facts = _facts(g, entity_id, order)
    events = [life_event(g, entity_id, ev) for _, ev, e in g.out_edges(entity_id, data=True)
              if e.get("relation") == "participant_in" and ev in g]
    for e in events:
        if e.date and date_key(e.date) is None:
            log.info("%s: %s has date %r, not one EDTF can mean: placed as undated",
                     e.title, e.kind, e.date)
    return LifePath(
        id=entity_id, name=a.get("name") or entity_id, aliases=tuple(a.get("aliases") or ()),
        rank=a.get("rank"), role=a.get("role"), facts=tuple(facts), curation=tuple(_notes(a)),
        events=tuple(order_events(events, order)),
        articles=tuple(_title(g, art) for art in sorted(a.get("articles") or (),
                                                          key=lambda x: order.get(x, len(order)))))


def order_events(events: list[LifeEvent], article_order: dict[str, int] | None = None
                 ) -> list[LifeEvent]:
    """Events in date order; an undated one right after what precedes it in its article.

    Events of one sentence go together: an undated event follows the latest dated
    event of its own sentence, else of the nearest sentence before it that has one;
    with none before it, it comes right before the earliest dated event of the
    nearest sentence after it; with none in its article, after every dated event.
    ``article_order`` ranks the articles (the graph's order); unknown ones come
    last, by id. Dated events of one day keep the articles' and the text's order.

    >>> def ev(kind, date, start):
    ...     return LifeEvent(date, kind, None, (), "", "a:1", "A", "", start, start + 1)
    >>> evs = [ev("joined", None, 0), ev("death", "1944", 5), ev("birth", "1913", 9),
    ...        ev("school", None, 12)]
    >>> [e.kind for e in order_events(evs)]
    ['birth', 'school', 'joined', 'death']
    """
    order = article_order or {}
    events = list(events)
    # (article, sentence, place of the trigger) and (date, text) of each event
    in_text = [(order.get(e.article, len(order)), e.article, e.start, e.end, _position(e), e.kind)
               for e in events]
    by_date = [(date_key(e.date), t) for e, t in zip(events, in_text)]

    dated = sorted((i for i, e in enumerate(events) if by_date[i][0]), key=by_date.__getitem__)
    before: dict[int, list[int]] = {}
    after: dict[int, list[int]] = {}
    tail: list[int] = []
    text_order = sorted(range(len(events)), key=in_text.__getitem__)
    for _, article in groupby(text_order, key=lambda i: in_text[i][:2]):
        anchor, waiting = None, []
        for _, sentence in groupby(article, key=lambda i: in_text[i][2:4]):
            sentence = list(sentence)
            known = [i for i in sentence if by_date[i][0]]
            if known:
                if anchor is None and waiting:
                    before[min(known, key=by_date.__getitem__)], waiting = waiting, []
                anchor = max(known, key=by_date.__getitem__)
            undated = [i for i in sentence if i not in known]
            (after.setdefault(anchor, []) if anchor is not None else waiting).extend(undated)
        tail += waiting
    out = []
    for i in dated:
        out += before.get(i, []) + [i] + after.get(i, [])
    return [events[i] for i in out + tail]


def _position(e: LifeEvent) -> int:
    """Where the trigger (a lemma: "попасть" for "попал") stands in the sentence."""
    text, word = e.sentence.lower(), e.trigger.lower().split()[0] if e.trigger.strip() else ""
    for n in range(len(word), min(4, len(word)) - 1, -1):
        m = _word_start(word[:n]).search(text)
        if m:
            return m.start()
    return len(text)


@lru_cache(maxsize=4096)
def _word_start(prefix: str) -> re.Pattern:
    # compiled once: graph.html orders every entity's events, tens of thousands at a time
    return re.compile(r"\b" + re.escape(prefix))


def _facts(g: nx.MultiDiGraph, person: str, order: dict[str, int]) -> list[Fact]:
    edges = [(v, e) for _, v, e in g.out_edges(person, data=True)]
    edges += [(u, e) for u, _, e in g.in_edges(person, data=True)
              if e.get("relation") == "relative_of"]
    facts = []
    for other, e in edges:
        pred = e.get("relation")
        if pred not in (*UNIT_PREDICATES, "awarded", *PLACE_PREDICATES, "relative_of"):
            continue
        art = e.get("article")
        facts.append(((order.get(art, len(order)), e.get("start") or 0), Fact(
            pred, g.nodes[other].get("name") or other, other, art,
            _title(g, art) if art else None, e.get("sentence"), tuple(_notes(e)))))
    return [f for _, f in sorted(facts, key=lambda x: x[0])]


def life_event(g: nx.MultiDiGraph, person: str, ev: str) -> LifeEvent:
    """The event node ``ev`` as a line of ``person``'s life path."""
    a = g.nodes[ev]
    place = a.get("place")
    others = [p for p in a.get("participants") or () if p != person and p in g]
    people = [p for p in others if g.nodes[p].get("label") == "PERSON"]
    return LifeEvent(
        date=a.get("date") or None, kind=a.get("event_kind") or "event",
        place=(g.nodes[place].get("name") or place) if place and place in g else place,
        others=tuple(g.nodes[p].get("name") or p for p in people),
        entities=tuple(g.nodes[p].get("name") or p for p in others if p not in people),
        trigger=a.get("trigger") or "", article=a.get("article") or "",
        title=_title(g, a.get("article")), sentence=a.get("sentence") or "",
        start=_first(a.get("start"), a.get("sentence_start"), 0),
        end=_first(a.get("end"), a.get("sentence_end"), 0), curation=tuple(_notes(a)))


def _notes(a: dict) -> list[str]:
    """The curation notes of a node or edge: a list, or "; "-joined text after GraphML."""
    notes = a.get("curation") or ()
    return [n for n in notes.split("; ") if n] if isinstance(notes, str) else list(notes)


def _first(*values):
    return next(v for v in values if v is not None)


def _title(g: nx.MultiDiGraph, article: str | None) -> str:
    a = g.nodes[article] if article in g else {}
    return a.get("title") or (Path(a["source"]).name if a.get("source") else article or "?")


# -- the text -----------------------------------------------------------------------

def format_life_path(lp: LifePath, width: int = SENTENCE_WIDTH) -> str:
    """The life path as ``kg person`` prints it: a header, then one line per event.

    Sentences longer than ``width`` are cut around the event's trigger with "…".

    >>> ev = LifeEvent("1941-07", "wounded", "Смоленск", (), "ранен", "a:1", "Партизаны",
    ...                "Кадем был ранен под Смоленском.", 0, 31)
    >>> lp = LifePath("p:1", "Кадем Жуманиязов", ("Кадем",), None, None, (), (ev,))
    >>> print(format_life_path(lp))
    Кадем Жуманиязов
      aliases: Кадем
      rank:    —
      units:   —
      awards:  —
      events:
        1941-07  wounded  Смоленск  — «Кадем был ранен под Смоленском.» (Партизаны)
    """
    def field(label: str, values) -> str:
        return f"  {label + ':':<8} {'; '.join(values) if values else '—'}"

    lines = [lp.name, field("aliases", lp.aliases), field("rank", [lp.rank] if lp.rank else ())]
    if lp.role:
        lines.append(field("role", [lp.role]))
    for label, values in (("born", lp.born_in), ("died", lp.died_in), ("buried", lp.buried_in)):
        if values:
            lines.append(field(label, values))
    if lp.curation:
        lines.append(field("curated", lp.curation))
    curated = {f.name for f in lp.facts if f.curation}
    units = [u + (" (commanded)" if u in lp.commanded else "") + (" (curated)" if u in curated else "")
             for u in lp.units]
    lines.append(field("units", units))
    lines.append(field("awards", [a + (" (curated)" if a in curated else "") for a in lp.awards]))
    if lp.relatives:
        lines.append(field("family", lp.relatives))
    if not lp.events:
        return "\n".join(lines + ["  events:  none found"])
    lines.append("  events:")
    dates = [e.date or "no date" for e in lp.events]
    places = [e.place or "" for e in lp.events]
    wd, wk = max(map(len, dates)), max(len(e.kind) for e in lp.events)
    wp = min(max(map(len, places)), 24)
    for e, date, place in zip(lp.events, dates, places):
        with_ = "".join(f"  {x}" for x in e.entities)
        with_ += f"  with {', '.join(e.others)}" if e.others else ""
        title = "curated: " + "; ".join(e.curation) if e.curation else clip(e.title, 0, TITLE_WIDTH)
        lines.append(f"    {date:<{wd}}  {e.kind:<{wk}}  {place:<{wp}}{with_}"
                     f"  — «{clip(e.sentence, _position(e), width)}» ({title})")
    return "\n".join(lines)


def clip(sentence: str, focus: int, width: int) -> str:
    """At most ``width`` characters of ``sentence`` around ``focus``, cut at spaces, with "…".

    >>> clip("Кабыш Омаров воевал в отряде «Монгол» под Тулузой.", 30, 20)
    '…отряде «Монгол» под…'
    """
    s = " ".join(sentence.split())
    if len(s) <= width:
        return s
    focus = min(focus, len(s))
    start = max(0, min(focus - width // 3, len(s) - width))
    start = s.rfind(" ", 0, start + 1) + 1 if start else 0
    end = start + width
    if end < len(s):
        cut = s.rfind(" ", start, end)
        end = cut if cut > start else end
    return ("…" if start else "") + s[start:end].strip(" ,;:") + ("…" if end < len(s) else "")


# -- reading a build ----------------------------------------------------------------

def read_graph(path: str | Path) -> nx.MultiDiGraph:
    """The graph of a build from its ``graph.graphml`` (a file, or the build's folder).

    GraphML keeps list attributes joined with "; " and drops empty values; the
    lists (``LIST_ATTRIBUTES``) are restored. Raises FileNotFoundError when there is
    no GraphML file.
    """
    from .export import LIST_SEPARATOR

    path = Path(path)
    if path.is_dir():
        path = path / GRAPHML
    g = nx.read_graphml(path, force_multigraph=True)
    items = [a for _, a in g.nodes(data=True)] + [a for *_, a in g.edges(data=True)]
    for a in items:
        for key in LIST_ATTRIBUTES:
            if isinstance(a.get(key), str):
                a[key] = [x for x in a[key].split(LIST_SEPARATOR) if x]
    return g
