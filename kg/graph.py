"""Build the knowledge graph: a ``networkx.MultiDiGraph`` of articles, entities and events.

Node kinds (attribute ``kind``):

- ``"article"``: id ``Article.id``; title, source, author, published, photographer, digest,
  text (the offsets of every mention, sentence and event point into it); ``copies``
  (added by the build): other paths the same bytes were found under.
- ``"entity"``: id ``Entity.id``; label, name, aliases (sorted, without the name),
  rank, role, articles (sorted ids), mentions (count).
- ``"event"``: id ``"event:" + hash``; event_kind, date (EDTF), place, trigger,
  participants, article, start, end (the evidence), sentence.

Every edge has an attribute ``relation`` and its provenance: ``article``,
``sentence_start``, ``sentence_end`` and ``sentence`` (the text):

- article -> entity, key ``mention<i>``, relation ``"mentions"``, with the mention's
  ``start``, ``end`` and surface ``text``;
- entity -> entity, relation ``"co_occurs"``, one per pair per sentence, from the lower
  id to the higher, with the EDTF ``dates`` of that sentence;
- subject -> object, relation = the predicate, with ``rule``, ``start``, ``end``;
- participant -> event ``"participant_in"``; event -> place ``"took_place_at"``.

Ids are global: the same entity id in two articles is one node.

>>> from kg.types import Article, Mention, Entity, Extraction, PERSON, PLACE, DATE
>>> text = "Кабыш Омаров встретил войну 22 июня 1941 года в Западной Белоруссии."
>>> s = (0, len(text))
>>> ex = Extraction(
...     Article(source="a.txt", text=text, digest="ab" * 32, title="Партизаны"),
...     mentions=(Mention(0, 12, "Кабыш Омаров", PERSON, s, "person:омаров"),
...               Mention(28, 45, "22 июня 1941 года", DATE, s, value="1941-06-22"),
...               Mention(48, 67, "Западной Белоруссии", PLACE, s, "place:зб")),
...     entities=(Entity("person:омаров", PERSON, "Кабыш Омаров"),
...               Entity("place:зб", PLACE, "Западная Белоруссия")))
>>> g = build_graph([ex])
>>> [e["name"] for e in entities(g)]
['Кабыш Омаров', 'Западная Белоруссия']
>>> d = g.get_edge_data("person:омаров", "place:зб")
>>> [(a["relation"], a["dates"]) for a in d.values()]
[('co_occurs', ['1941-06-22'])]
>>> mentions_of(g, "person:омаров")[0]["title"]
'Партизаны'
"""
from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import combinations

import networkx as nx

from . import collector
from .types import DATE, Entity, Event, Extraction, Span

log = logging.getLogger(__name__)

ARTICLE, ENTITY, EVENT = "article", "entity", "event"
MENTIONS, CO_OCCURS = "mentions", "co_occurs"
PARTICIPANT_IN, TOOK_PLACE_AT = "participant_in", "took_place_at"


def build_graph(extractions: Iterable[Extraction]) -> nx.MultiDiGraph:
    """One graph from the extractions of many articles, in their order.

    Node and edge order follow the input order, so the same input always gives
    the same graph (and the same files downstream).
    """
    with collector.paused():  # half a million edge dicts at 10,000 articles
        return _build_graph(list(extractions))


def _build_graph(extractions: list[Extraction]) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for ex in extractions:
        _add_article(g, ex)
    for entity in _merge_entities(extractions):
        g.add_node(entity.pop("id"), **entity)
    for ex in extractions:
        _add_edges(g, ex)
    return g


def _add_edges(g: nx.MultiDiGraph, ex: Extraction) -> None:
    """An article's mentions, co-occurrences, relations and events (its entities in ``g``)."""
    prov = _Provenance(ex)
    _add_mentions(g, ex, prov)
    _add_co_occurrences(g, ex, prov)
    _add_relations(g, ex, prov)
    _add_events(g, ex, prov)


def update_graph(g: nx.MultiDiGraph, old: Iterable[Extraction], new: Iterable[Extraction],
                 records: Iterable[Entity] = ()) -> set[str]:
    """Change ``g`` in place as though built again with the articles ``old`` (linked, as
    ``g`` has them) taken out and ``new`` put in: an article's node, events and edges go
    and come with it, the ``articles`` and ``mentions`` of its entities follow, and an
    entity no article names any more goes. ``records``: entities whose linked record
    changed (``kg.link.Linker.changed_entities``), given their new attributes. Return
    the ids of the entity nodes whose attributes changed, that came or that went.

    The nodes and edges are those :func:`build_graph` gives for the whole corpus, with
    the same attributes; their order is not (the new ones come last).

    >>> from kg.types import Article, Mention, Entity, Extraction, PERSON
    >>> def ex(key, text):
    ...     return Extraction(Article(source=key, text=text, digest=key * 16),
    ...         mentions=(Mention(0, 12, text[:12], PERSON, (0, len(text)), "person:омаров"),),
    ...         entities=(Entity("person:омаров", PERSON, "Кабыш Омаров"),))
    >>> a, b = ex("a", "Кабыш Омаров воевал."), ex("b", "Кабыш Омаров вернулся.")
    >>> g = build_graph([a])
    >>> sorted(update_graph(g, [], [b]))
    ['person:омаров']
    >>> g.nodes["person:омаров"]["articles"], g.nodes["person:омаров"]["mentions"]
    (['article:aaaaaaaaaaaaaaaa', 'article:bbbbbbbbbbbbbbbb'], 2)
    >>> sorted(update_graph(g, [a, b], [])), g.number_of_nodes()
    (['person:омаров'], 0)
    """
    touched: dict[str, Counter] = {}  # entity -> articles gained (+1) and lost (-1)
    mentions: Counter = Counter()
    for ex in old:
        _remove_article(g, ex)
        _count_entities(ex, touched, mentions, -1)
    new = list(new)
    for ex in new:
        _add_article(g, ex)
        for e in _named(ex).values():
            if e.id not in g:
                g.add_node(e.id, **_entity_attributes(e))
        _count_entities(ex, touched, mentions, 1)
    for e in records:
        if e.id in g:
            g.nodes[e.id].update(_entity_attributes(e, counts=False))
    changed = {e.id for e in records}
    for eid, articles_changed in touched.items():
        node = g.nodes.get(eid)
        if node is None:
            continue
        articles = set(node["articles"])
        articles.update(a for a, n in articles_changed.items() if n > 0)
        articles.difference_update(a for a, n in articles_changed.items() if n < 0)
        node["articles"] = sorted(articles)
        node["mentions"] += mentions[eid]
        changed.add(eid)
        if not articles:
            g.remove_node(eid)
    for ex in new:
        _add_edges(g, ex)
    return changed


def _named(ex: Extraction) -> dict[str, Entity]:
    """The entities of an article: those it lists, and any its mentions name besides."""
    named = {e.id: e for e in ex.entities}
    for m in ex.mentions:
        if m.entity is not None and m.label != DATE and m.entity not in named:
            named[m.entity] = Entity(m.entity, m.label, m.text)
    return named


def _entity_attributes(e: Entity, counts: bool = True) -> dict:
    """An entity node's attributes from its linked record (every article has the same
    record of a linked entity), in the order ``build_graph`` gives them."""
    a = {"kind": ENTITY, "label": e.label, "name": e.name, "rank": e.rank, "role": e.role,
         "geonames": e.geonames, "lat": e.coords[0] if e.coords else None,
         "lon": e.coords[1] if e.coords else None}
    if counts:
        a.update(articles=[], mentions=0)
    a["aliases"] = sorted({x for x in (e.name, *e.aliases) if x} - {e.name})
    return a


def _count_entities(ex: Extraction, touched: dict[str, Counter], mentions: Counter, sign: int) -> None:
    """The article and the mentions one article gives (``sign`` 1) or takes (-1) from its entities."""
    for eid in _named(ex):
        touched.setdefault(eid, Counter())[ex.article.id] += sign
    for m in ex.mentions:
        if m.entity is not None and m.label != DATE:
            mentions[m.entity] += sign


def _remove_article(g: nx.MultiDiGraph, ex: Extraction) -> None:
    """Take out what ``_add_*`` put in for one article: its node (and mention edges), its
    events (and their edges), its co-occurrences and relations."""
    a = ex.article.id
    if a in g:
        g.remove_node(a)
    for ev in ex.events:
        eid = event_id(a, ev)
        if eid in g:
            g.remove_node(eid)
    for u, v, key, _, _ in _co_occurrences(ex):
        if g.has_edge(u, v, key):
            g.remove_edge(u, v, key)
    for r in ex.relations:
        key = f"{r.predicate}@{a}:{r.evidence[0]}-{r.evidence[1]}"
        if g.has_edge(r.subject, r.object, key):
            g.remove_edge(r.subject, r.object, key)


def entities(g: nx.MultiDiGraph, label: str | None = None) -> list[dict]:
    """The entity nodes (optionally of one label) as dicts with their ``id``, in graph order."""
    return [
        {"id": n, **a} for n, a in g.nodes(data=True)
        if a.get("kind") == ENTITY and (label is None or a.get("label") == label)
    ]


def mentions_of(g: nx.MultiDiGraph, entity_id: str) -> list[dict]:
    """Where an entity is mentioned: article id, title, source, surface text, sentence."""
    out = []
    for article, _, a in g.in_edges(entity_id, data=True):
        if a.get("relation") != MENTIONS:
            continue
        meta = g.nodes[article]
        out.append({
            "article": article, "title": meta.get("title"), "source": meta.get("source"),
            "text": a["text"], "start": a["start"], "end": a["end"], "sentence": a["sentence"],
        })
    return out


def event_id(article_id: str, event: Event) -> str:
    """A deterministic id for an event: the same event from the same article, the same id.

    >>> event_id("article:00", Event("battle", ("unit:316",), "бой", (0, 10)))
    'event:058f5bfee6448861'
    """
    key = "\x1f".join([article_id, event.kind, f"{event.evidence[0]}-{event.evidence[1]}",
                       *event.participants])
    return "event:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _add_article(g: nx.MultiDiGraph, ex: Extraction) -> None:
    a = ex.article
    if a.id in g:
        log.warning("article %s (%s) occurs twice; its records are merged", a.id, a.source)
        return
    g.add_node(a.id, kind=ARTICLE, title=a.title, source=a.source, author=a.author,
               published=a.published, photographer=a.photographer, digest=a.digest, text=a.text)


def _merge_entities(extractions: list[Extraction]) -> list[dict]:
    """Entity node attributes, merged over articles: the first name, label, rank, role,
    GeoNames id and coordinates win."""
    merged: dict[str, dict] = {}
    aliases: dict[str, set[str]] = {}

    def add(e: Entity) -> dict:
        if e.id not in merged:
            merged[e.id] = {"id": e.id, "kind": ENTITY, "label": e.label, "name": e.name,
                            "rank": None, "role": None, "geonames": None, "lat": None, "lon": None,
                            "articles": set(), "mentions": 0}
            aliases[e.id] = set()
        node = merged[e.id]
        if node["label"] != e.label:
            log.warning("entity %s is %s and %s; keeping %s", e.id, node["label"], e.label,
                        node["label"])
        node["name"] = node["name"] or e.name
        node["rank"] = node["rank"] or e.rank
        node["role"] = node["role"] or e.role
        if node["geonames"] is None and e.geonames:  # the first article that could place it
            node["geonames"] = e.geonames
        if node["lat"] is None and e.coords:
            node["lat"], node["lon"] = e.coords
        aliases[e.id].update(x for x in (e.name, *e.aliases) if x)
        return node

    for ex in extractions:
        for e in ex.entities:
            add(e)["articles"].add(ex.article.id)
    for ex in extractions:
        for m in ex.mentions:
            if m.entity is None or m.label == DATE:
                continue
            node = merged.get(m.entity)
            if node is None:
                log.warning("%s: mention %r names entity %s that no article lists",
                            ex.article.source, m.text, m.entity)
                node = add(Entity(m.entity, m.label, m.text))
            node["articles"].add(ex.article.id)
            node["mentions"] += 1
    for eid, node in merged.items():
        node["aliases"] = sorted(aliases[eid] - {node["name"]})
        node["articles"] = sorted(node["articles"])
    return list(merged.values())


def _sentence(ex: Extraction, span: Span) -> Span:
    """The sentence around ``span``: from the article's sentences or its mentions, else the span."""
    start, end = span
    for s, e in ex.sentences:
        if s <= start and end <= e:
            return (s, e)
    for m in ex.mentions:
        s, e = m.sentence
        if s < e and s <= start and end <= e:
            return (s, e)
    return (start, end)


class _Provenance:
    """The provenance attributes of the edges of one article, by sentence: every edge of
    a sentence shares its text (one string, not one copy per edge: the graph of a big
    archive holds a sentence for each of its mentions and co-occurrences)."""

    def __init__(self, ex: Extraction):
        self.article, self.text = ex.article.id, ex.article.text
        self.sentences: dict[Span, dict] = {}

    def __call__(self, sentence: Span) -> dict:
        prov = self.sentences.get(sentence)
        if prov is None:
            s, e = sentence
            prov = self.sentences[sentence] = {"article": self.article, "sentence_start": s,
                                               "sentence_end": e, "sentence": self.text[s:e]}
        return prov


def _add_mentions(g: nx.MultiDiGraph, ex: Extraction, provenance: _Provenance) -> None:
    for i, m in enumerate(ex.mentions):
        if m.entity is None or m.label == DATE:
            continue
        sentence = m.sentence if m.sentence[0] < m.sentence[1] else _sentence(ex, (m.start, m.end))
        g.add_edge(ex.article.id, m.entity, key=f"mention{i}", relation=MENTIONS,
                   start=m.start, end=m.end, text=m.text, **provenance(sentence))


def _add_co_occurrences(g: nx.MultiDiGraph, ex: Extraction, provenance: _Provenance) -> None:
    for a, b, key, sentence, dates in _co_occurrences(ex):
        g.add_edge(a, b, key=key, relation=CO_OCCURS, dates=list(dates), **provenance(sentence))


def _co_occurrences(ex: Extraction) -> Iterator[tuple[str, str, str, Span, list[str]]]:
    """(lower id, higher id, edge key, sentence, dates) for each pair of entities named
    in one sentence of the article."""
    by_sentence: dict[Span, tuple[list[str], list[str]]] = {}
    for m in ex.mentions:
        if m.sentence[0] >= m.sentence[1]:
            continue  # no sentence known: co-occurrence is undefined
        ids, dates = by_sentence.setdefault(m.sentence, ([], []))
        if m.label == DATE:
            if m.value and m.value not in dates:
                dates.append(m.value)
        elif m.entity is not None and m.entity not in ids:
            ids.append(m.entity)
    for sentence, (ids, dates) in by_sentence.items():
        for a, b in combinations(sorted(ids), 2):
            yield a, b, f"{CO_OCCURS}@{ex.article.id}:{sentence[0]}", sentence, dates


def _add_relations(g: nx.MultiDiGraph, ex: Extraction, provenance: _Provenance) -> None:
    for r in ex.relations:
        missing = [x for x in (r.subject, r.object) if x not in g]
        if missing:
            log.warning("%s: relation %s skipped, unknown entity %s",
                        ex.article.source, r.predicate, ", ".join(missing))
            continue
        start, end = r.evidence
        g.add_edge(r.subject, r.object, key=f"{r.predicate}@{ex.article.id}:{start}-{end}",
                   relation=r.predicate, rule=r.rule, start=start, end=end,
                   **provenance(_sentence(ex, r.evidence)))


def _add_events(g: nx.MultiDiGraph, ex: Extraction, provenance: _Provenance) -> None:
    for ev in ex.events:
        eid = event_id(ex.article.id, ev)
        start, end = ev.evidence
        prov = provenance(_sentence(ex, ev.evidence))
        participants = [p for p in ev.participants if p in g]
        if len(participants) < len(ev.participants):
            log.warning("%s: event %s has unknown participants %s", ex.article.source, ev.kind,
                        ", ".join(sorted(set(ev.participants) - set(participants))))
        place = ev.place if ev.place in g else None
        if ev.place and place is None:
            log.warning("%s: event %s has unknown place %s", ex.article.source, ev.kind, ev.place)
        g.add_node(eid, kind=EVENT, event_kind=ev.kind, date=ev.date, place=place,
                   trigger=ev.trigger, participants=participants, start=start, end=end, **prov)
        for p in participants:
            g.add_edge(p, eid, key=PARTICIPANT_IN, relation=PARTICIPANT_IN,
                       start=start, end=end, **prov)
        if place is not None:
            g.add_edge(eid, place, key=TOOK_PLACE_AT, relation=TOOK_PLACE_AT,
                       start=start, end=end, **prov)
