"""Map the knowledge graph (``kg.graph``) to RDF, and write RDF files.

This module alone knows both the graph's attributes and the vocabularies
(``docs/vocabulary.md`` describes them for SPARQL users): schema.org first; a small
``kg:`` vocabulary for what schema.org lacks (``kg:MilitaryUnit``, ``kg:Award``, event
kinds as a SKOS concept scheme, ``kg:participant``...); CIDOC CRM for events
(``crm:E5_Event``, ``crm:P11_had_participant``, ``crm:P7_took_place_at``,
``crm:P4_has_time-span``); GeoSPARQL and GeoNames for places; PROV-O and the W3C Web
Annotation model for provenance.

The dataset is a set of named graphs (``rdf_quads``; ``graph.trig`` keeps them,
the triple formats hold their union):

- ``VOCABULARY_GRAPH`` (``https://w3id.org/kg-ww2/ns``): the ``kg:`` terms and the
  event-kind concept scheme;
- ``ENTITIES_GRAPH`` (``graph:entities``): one description per entity, merged over
  the articles by linking (type, name, aliases, rank, role, coordinates, GeoNames);
- one graph per article (``graph:<digest16>``): the article's description
  and every statement it supports: its mentions, relations (a direct triple and a
  reified ``rdf:Statement``), events, and ``schema:subjectOf`` links. Each mention,
  relation and event has a Web Annotation whose target selects the evidence in the
  article by position and by quote (the rest of the sentence as prefix and suffix),
  and ``prov:wasDerivedFrom`` the article.

Every node has an IRI (no blank nodes), derived from ids only, so it is the same on
every build and machine and loading a build twice adds nothing. Any character of an
id that is not a letter, digit, ``_``, ``-`` or ``.`` (or is a final ``.``) is
percent-encoded, so no name can break an IRI; an id without the usual ``label:``
prefix gets a ``~`` mark so that it cannot take another entity's IRI:

>>> str(entity_iri("person:кабыш_омаров", "PERSON"))
'https://w3id.org/kg-ww2/id/person/кабыш_омаров'
>>> str(entity_iri('unit:"} ; DROP ALL ; #', "UNIT"))
'https://w3id.org/kg-ww2/id/unit/%22%7D%20%3B%20DROP%20ALL%20%3B%20%23'
>>> str(entity_iri("a/b c", "PLACE"))
'https://w3id.org/kg-ww2/id/place/~a%2Fb%20c'
"""
from __future__ import annotations

import calendar
import hashlib
import json
import logging
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import groupby
from urllib.parse import quote

import networkx as nx
import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from .types import AWARD, ORG, PERSON, PLACE, UNIT

log = logging.getLogger(__name__)

BASE = "https://w3id.org/kg-ww2/id/"
LANG = "ru"


class KG(ns.DefinedNamespace):
    """The project's own terms, for what schema.org has no word for.

    The event kinds (``kg:escape``...) are the concepts of ``kg:eventKinds``.
    """

    _NS = Namespace("https://w3id.org/kg-ww2/ns#")
    _fail = True

    MilitaryUnit: URIRef
    Award: URIRef
    Mention: URIRef
    rank: URIRef
    edtf: URIRef
    participant: URIRef
    kind: URIRef
    commanded: URIRef
    burialPlace: URIRef
    source: URIRef
    rule: URIRef
    trigger: URIRef
    curation: URIRef
    citation: URIRef
    eventKinds: URIRef
    # the event kinds of data/lexicons/event_triggers.txt
    birth: URIRef
    conscription: URIRef
    battle: URIRef
    wounded: URIRef
    captured: URIRef
    escape: URIRef
    joined: URIRef
    death: URIRef
    award: URIRef
    reburial: URIRef
    liberation: URIRef
    other: URIRef


class SDO(ns.DefinedNamespace):
    """The schema.org terms used here (a misspelled term raises, unlike ``rdflib.SDO``)."""

    _NS = Namespace("https://schema.org/")
    _fail = True

    Person: URIRef
    Place: URIRef
    Organization: URIRef
    Event: URIRef
    NewsArticle: URIRef
    GeoCoordinates: URIRef
    Thing: URIRef
    name: URIRef
    alternateName: URIRef
    jobTitle: URIRef
    memberOf: URIRef
    parentOrganization: URIRef
    location: URIRef
    containedInPlace: URIRef
    birthPlace: URIRef
    deathPlace: URIRef
    birthDate: URIRef
    deathDate: URIRef
    award: URIRef
    relatedTo: URIRef
    subjectOf: URIRef
    headline: URIRef
    author: URIRef
    datePublished: URIRef
    identifier: URIRef
    inLanguage: URIRef
    url: URIRef
    sameAs: URIRef
    geo: URIRef
    latitude: URIRef
    longitude: URIRef
    startDate: URIRef
    endDate: URIRef
    description: URIRef


class OA(ns.DefinedNamespace):
    """W3C Web Annotation terms used here."""

    _NS = Namespace("http://www.w3.org/ns/oa#")
    _fail = True

    Annotation: URIRef
    SpecificResource: URIRef
    TextPositionSelector: URIRef
    TextQuoteSelector: URIRef
    hasBody: URIRef
    hasTarget: URIRef
    hasSource: URIRef
    hasSelector: URIRef
    motivatedBy: URIRef
    identifying: URIRef
    describing: URIRef
    start: URIRef
    end: URIRef
    exact: URIRef
    prefix: URIRef
    suffix: URIRef


class CRM(ns.DefinedNamespace):
    """CIDOC CRM terms used here (``CRM["P4_has_time-span"]`` for the names with a hyphen)."""

    _NS = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
    _fail = True
    _extras = ["P4_has_time-span", "E52_Time-Span"]

    E5_Event: URIRef
    P11_had_participant: URIRef
    P7_took_place_at: URIRef
    P82a_begin_of_the_begin: URIRef
    P82b_end_of_the_end: URIRef


class GEO(ns.DefinedNamespace):
    """GeoSPARQL terms used here."""

    _NS = Namespace("http://www.opengis.net/ont/geosparql#")
    _fail = True

    Feature: URIRef
    Geometry: URIRef
    hasGeometry: URIRef
    asWKT: URIRef
    wktLiteral: URIRef


VOCABULARY_GRAPH = URIRef("https://w3id.org/kg-ww2/ns")
ENTITIES_GRAPH = URIRef(BASE + "graph/entities")
CURATION_GRAPH = URIRef(BASE + "graph/curation")  # what historians added, with who, when, why
P4_HAS_TIME_SPAN, E52_TIME_SPAN = CRM["P4_has_time-span"], CRM["E52_Time-Span"]

CLASSES = {PERSON: SDO.Person, PLACE: SDO.Place, ORG: SDO.Organization,
           UNIT: KG.MilitaryUnit, AWARD: KG.Award}

PREDICATES = {
    "member_of": SDO.memberOf,
    "commanded": KG.commanded,
    "part_of": SDO.parentOrganization,
    "located_in": SDO.location,  # schema:containedInPlace when the subject is a place
    "born_in": SDO.birthPlace,
    "died_in": SDO.deathPlace,
    "buried_in": KG.burialPlace,
    "awarded": SDO.award,
    "relative_of": SDO.relatedTo,
}

# kind -> (Russian label, English label): the concepts of kg:eventKinds
EVENT_KINDS = {
    "birth": ("рождение", "birth"),
    "conscription": ("призыв", "conscription"),
    "battle": ("бой", "battle"),
    "wounded": ("ранение", "wounded"),
    "captured": ("плен", "taken prisoner"),
    "escape": ("побег", "escape"),
    "joined": ("вступление в часть", "joined a unit"),
    "death": ("гибель", "death"),
    "award": ("награждение", "award"),
    "reburial": ("перезахоронение", "reburial"),
    "liberation": ("освобождение", "liberation"),
    "other": ("другое событие", "other event"),
}

# co-occurrence is a reading aid, not a claim; events carry their own links
_NOT_MAPPED = {"co_occurs", "participant_in", "took_place_at"}

# the namespaces, as prefixes of every file (none is the start of another, so each
# IRI has at most one short form)
PREFIXES = {"schema": SDO._NS, "kg": KG._NS, "oa": OA._NS, "crm": CRM._NS, "prov": PROV._NS,
            "geo": GEO._NS, "skos": SKOS._NS, "rdf": RDF._NS, "rdfs": RDFS._NS,
            "owl": OWL._NS, "xsd": ns.XSD._NS}
# short forms of the project's own IRIs, for Turtle and TriG
ID_PREFIXES = {family: Namespace(BASE + family + "/")
               for family in ("article", "person", "place", "unit", "org", "award", "event",
                              "mention", "statement", "graph")}

# EDTF values that are also plain XSD dates, with their datatype
_XSD_DATES = ((re.compile(r"\d{4}-\d{2}-\d{2}"), ns.XSD.date),
              (re.compile(r"\d{4}-(0[1-9]|1[0-2])"), ns.XSD.gYearMonth),
              (re.compile(r"\d{4}"), ns.XSD.gYear))
# EDTF sub-year codes -> (first month, last month); 24 and 28, winter, may be January or
# December of the year, so the year is its bound; 29-32 (southern seasons) have none
_SUB_YEAR = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (1, 12),
             25: (3, 5), 26: (6, 8), 27: (9, 11), 28: (1, 12),
             33: (1, 3), 34: (4, 6), 35: (7, 9), 36: (10, 12),
             37: (1, 4), 38: (5, 8), 39: (9, 12), 40: (1, 6), 41: (7, 12)}
_TYPE, _DERIVED_FROM = URIRef(str(RDF._NS) + "type"), URIRef(str(PROV._NS) + "wasDerivedFrom")
_TYPE_STR = str(_TYPE)
_NO_SLUG = frozenset("_-.")
_LATIN, _CYRILLIC = re.compile(r"[A-Za-z]"), re.compile(r"[\u0400-\u04FF]")

Quad = tuple  # (subject, predicate, object, graph), rdflib terms


def to_rdf(g: nx.MultiDiGraph) -> Graph:
    """The RDF graph of a ``kg.graph`` graph: the union of all its named graphs,
    with the prefixes bound.

    >>> from kg.graph import build_graph
    >>> from kg.types import Article, Mention, Entity, Extraction, PERSON
    >>> art = Article(source="a.txt", text="Кабыш Омаров.", digest="ab" * 32, title="Т")
    >>> m = Mention(0, 12, "Кабыш Омаров", PERSON, (0, 13), "person:о")
    >>> ex = Extraction(art, mentions=(m,), entities=(Entity("person:о", PERSON, "Кабыш Омаров"),))
    >>> r = to_rdf(build_graph([ex]))
    >>> (entity_iri("person:о", PERSON), RDF.type, SDO.Person) in r
    True
    >>> len(list(r.subjects(RDF.type, OA.Annotation)))
    1
    """
    r = Graph()
    _bind(r)
    for s, p, o, _ in rdf_quads(g):
        r.add((s, p, o))
    return r


def to_dataset(g: nx.MultiDiGraph) -> Dataset:
    """The RDF dataset of a ``kg.graph`` graph: the named graphs of ``rdf_quads``."""
    d = Dataset()
    _bind(d)
    for quad in rdf_quads(g):
        d.add(quad)
    return d


def rdf_quads(g: nx.MultiDiGraph) -> list[Quad]:
    """Every statement as ``(subject, predicate, object, graph)``, without duplicates,
    sorted: the vocabulary graph, the entities graph, then the article graphs by IRI;
    inside a graph by subject, ``rdf:type`` first.

    >>> from kg.graph import build_graph
    >>> from kg.types import Article, Extraction
    >>> quads = rdf_quads(build_graph([Extraction(Article("a.txt", "Текст.", "ab" * 32))]))
    >>> sorted({str(q[3]) for q in quads})
    ['https://w3id.org/kg-ww2/id/graph/abababababababab', 'https://w3id.org/kg-ww2/id/graph/entities', 'https://w3id.org/kg-ww2/ns']
    """
    d = _Quads()
    kinds = set()
    for node, a in g.nodes(data=True):
        kind = a.get("kind")
        if kind == "article":
            _add_article(d, node, a)
        elif kind == "entity":
            _add_entity(d, node, a)
        elif kind == "event":
            kinds.add(_add_event(d, g, node, a))
    unmapped = set()
    for u, v, a in g.edges(data=True):
        rel = a.get("relation")
        if rel == "mentions":
            _add_mention(d, g, u, v, a)
        elif rel in PREDICATES:
            _add_relation(d, g, u, v, a)
        elif rel not in _NOT_MAPPED:
            unmapped.add(rel)
    if unmapped:
        log.warning("relations with no RDF mapping left out: %s",
                    ", ".join(sorted(map(str, unmapped))))
    for t in vocabulary(kinds):
        d.add(VOCABULARY_GRAPH, *t)
    return d.sorted()


def vocabulary(kinds: Iterable[URIRef] = ()) -> list[tuple]:
    """The ``kg:`` terms as triples: classes, properties and the event-kind scheme
    (with a concept for each of ``kinds`` that ``EVENT_KINDS`` does not name).

    >>> v = vocabulary()
    >>> (KG.MilitaryUnit, RDFS.subClassOf, SDO.Organization) in v
    True
    >>> (KG.escape, SKOS.prefLabel, Literal("побег", lang="ru")) in v
    True
    """
    onto = VOCABULARY_GRAPH
    out = [(onto, _TYPE, OWL.Ontology),
           (onto, RDFS.label, Literal("kg-ww2: terms for the knowledge graph of articles about "
                                      "the Second World War", lang="en")),
           (onto, RDFS.seeAlso, URIRef("https://schema.org/"))]

    def term(iri, kind, en, ru, comment, *more):
        out.extend([(iri, _TYPE, kind), (iri, RDFS.isDefinedBy, onto),
                    (iri, RDFS.label, Literal(en, lang="en")), (iri, RDFS.label, Literal(ru, lang="ru")),
                    (iri, RDFS.comment, Literal(comment, lang="en"))])
        out.extend((iri, p, o) for p, o in more)

    term(KG.MilitaryUnit, OWL.Class, "military unit", "воинская часть",
         "A military unit, formation or partisan detachment.", (RDFS.subClassOf, SDO.Organization))
    term(KG.Award, OWL.Class, "award", "награда",
         "An order, medal or title as a thing a person receives (schema:award points to it).",
         (RDFS.subClassOf, SDO.Thing))
    term(KG.Mention, OWL.Class, "mention", "упоминание",
         "An annotation saying that a stretch of an article names an entity.",
         (RDFS.subClassOf, OA.Annotation))
    term(KG.rank, OWL.DatatypeProperty, "rank", "звание", "The military rank a person is given.",
         (RDFS.domain, SDO.Person), (RDFS.range, RDF.langString))
    term(KG.commanded, OWL.ObjectProperty, "commanded", "командовал",
         "A person commanded a unit.", (RDFS.domain, SDO.Person), (RDFS.range, SDO.Organization))
    term(KG.burialPlace, OWL.ObjectProperty, "burial place", "место захоронения",
         "Where a person is buried or reburied.", (RDFS.domain, SDO.Person), (RDFS.range, SDO.Place))
    term(KG.participant, OWL.ObjectProperty, "participant", "участник",
         "A person, unit or organization that took part in an event.",
         (RDFS.domain, SDO.Event), (RDFS.subPropertyOf, CRM.P11_had_participant))
    term(KG.kind, OWL.ObjectProperty, "kind", "вид события",
         "The kind of an event: a concept of kg:eventKinds.",
         (RDFS.domain, SDO.Event), (RDFS.range, SKOS.Concept))
    term(KG.edtf, OWL.DatatypeProperty, "EDTF date", "дата EDTF",
         "The date as the article gives it, in EDTF (ISO 8601-2): 1941-06-22, 1943-22 "
         "(summer), 1939/1945, 194X; a question mark or tilde marks doubt.",
         (RDFS.range, ns.XSD.string))
    term(KG.source, OWL.DatatypeProperty, "source file", "файл",
         "The path of the article's file as it was given to kg build.",
         (RDFS.domain, SDO.NewsArticle), (RDFS.range, ns.XSD.string))
    term(KG.rule, OWL.DatatypeProperty, "rule", "правило",
         "The rule of kg that made a statement.", (RDFS.range, ns.XSD.string))
    term(KG.curation, OWL.DatatypeProperty, "curation", "правка",
         "A historian's correction that made or changed this (kg curate: the operation, "
         "who, when, why); statements without it were extracted from the articles.",
         (RDFS.range, ns.XSD.string))
    term(KG.citation, OWL.DatatypeProperty, "citation", "источник",
         "The source a historian cites for a curated statement: an archive reference, "
         "a page, a note.", (RDFS.range, ns.XSD.string))
    term(KG.trigger, OWL.DatatypeProperty, "trigger", "слово-признак",
         "The word (in its dictionary form) that states an event.",
         (RDFS.domain, SDO.Event), (RDFS.range, RDF.langString))
    scheme = KG.eventKinds
    out += [(scheme, _TYPE, SKOS.ConceptScheme), (scheme, RDFS.isDefinedBy, onto),
            (scheme, SKOS.prefLabel, Literal("event kinds", lang="en")),
            (scheme, SKOS.prefLabel, Literal("виды событий", lang="ru"))]
    labels = dict(EVENT_KINDS)
    for iri in kinds:
        local = str(iri)[len(KG._NS):]
        labels.setdefault(local, (None, local))
    for local, (ru, en) in sorted(labels.items()):
        concept = URIRef(KG._NS + local)
        out += [(concept, _TYPE, SKOS.Concept), (concept, SKOS.inScheme, scheme),
                (concept, SKOS.topConceptOf, scheme), (scheme, SKOS.hasTopConcept, concept),
                (concept, SKOS.notation, Literal(local)),
                (concept, SKOS.prefLabel, Literal(en, lang="en"))]
        if ru:
            out.append((concept, SKOS.prefLabel, Literal(ru, lang="ru")))
    return out


def entity_iri(entity_id: str, label: str) -> URIRef:
    """``BASE + label + "/" + slug``; the conventional ``label:`` prefix of the id is dropped."""
    prefix = label.lower() + ":"
    if entity_id.startswith(prefix):
        slug = _slug(entity_id[len(prefix):])
    else:
        # "~" never survives _slug, so the mark keeps "person:x" and "x" apart
        slug = "~" + _slug(entity_id)
    return URIRef(BASE + _slug(label.lower()) + "/" + slug)


def article_iri(article_id: str) -> URIRef:
    """``BASE + "article/" + the digest part of the article id``.

    >>> str(article_iri("article:0123456789abcdef"))
    'https://w3id.org/kg-ww2/id/article/0123456789abcdef'
    """
    return URIRef(BASE + "article/" + _slug(article_id.removeprefix("article:")))


def article_graph_iri(article_id: str) -> URIRef:
    """The named graph of what one article supports (an article digest is hex, so it
    is never ``ENTITIES_GRAPH``).

    >>> str(article_graph_iri("article:0123456789abcdef"))
    'https://w3id.org/kg-ww2/id/graph/0123456789abcdef'
    """
    return URIRef(BASE + "graph/" + _slug(article_id.removeprefix("article:")))


def event_iri(event_id: str) -> URIRef:
    return URIRef(BASE + "event/" + _slug(event_id.removeprefix("event:")))


def kind_iri(kind: str) -> URIRef:
    """The concept of an event kind: ``kg:`` + the kind; a kind that is no plain word,
    or is the name of another ``kg:`` term, is ``kg:other``.

    >>> kind_iri("escape"), kind_iri("evacuation"), kind_iri("rank")
    (rdflib.term.URIRef('https://w3id.org/kg-ww2/ns#escape'), rdflib.term.URIRef('https://w3id.org/kg-ww2/ns#evacuation'), rdflib.term.URIRef('https://w3id.org/kg-ww2/ns#other'))
    """
    if kind in EVENT_KINDS:
        return KG[kind]
    if re.fullmatch(r"[a-z][a-z0-9_]*", kind) and kind not in KG:
        return URIRef(KG._NS + kind)
    log.warning("event kind %r cannot be a kg: term; mapped to kg:other", kind)
    return KG.other


def xsd_date(edtf: str | None) -> Literal | None:
    """The EDTF value as a typed XSD literal when it is a plain date, month or year.

    >>> xsd_date("1941-06-22").datatype == ns.XSD.date, xsd_date("1941-22")
    (True, None)
    """
    if not edtf:
        return None
    for pattern, datatype in _XSD_DATES:
        if pattern.fullmatch(edtf):
            if datatype == ns.XSD.date and not _real_day(edtf):
                return None
            return Literal(edtf, datatype=datatype)
    return None


def edtf_bounds(edtf: str | None) -> tuple[date | None, date | None] | None:
    """The first and last day an EDTF value can mean (doubt marks ignored), or None.

    >>> [tuple(map(str, edtf_bounds(v))) for v in ("1941-06-22", "1943-22", "194X", "1941-06-22/1945-05")]
    [('1941-06-22', '1941-06-22'), ('1943-06-01', '1943-08-31'), ('1940-01-01', '1949-12-31'), ('1941-06-22', '1945-05-31')]
    >>> edtf_bounds("1941-02-30"), edtf_bounds("../1945")
    (None, (None, datetime.date(1945, 12, 31)))
    """
    if not edtf:
        return None
    value = re.sub(r"[?~%]", "", edtf)
    if "/" in value:
        first, _, last = value.partition("/")
        lo, hi = _bounds(first), _bounds(last)
        lo, hi = lo[0] if lo else None, hi[1] if hi else None
        return (lo, hi) if lo or hi else None
    return _bounds(value)


def serialize(quads: list[Quad], fmt: str) -> bytes:
    """``rdf_quads`` as ``"trig"`` or ``"nquads"`` (named graphs kept) or as the union of
    the graphs in ``"turtle"``, ``"nt"`` or ``"jsonld"`` (with an ``@context``); the same
    quads give the same bytes.

    >>> q = [(entity_iri("person:x", PERSON), SDO.name, Literal("Кабыш", lang="ru"), ENTITIES_GRAPH)]
    >>> print(serialize(q, "nt").decode())
    <https://w3id.org/kg-ww2/id/person/x> <https://schema.org/name> "Кабыш"@ru .
    <BLANKLINE>
    """
    return RdfWriter(quads).write(fmt)


class RdfWriter:
    """The quads of ``rdf_quads`` in any of ``FORMATS``, their terms converted once for all."""

    FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
               "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS, "jsonld": None}

    def __init__(self, quads: list[Quad]):
        self.quads = quads
        self._union: list[tuple] | None = None
        self._ox: dict[bool, list] = {}

    def write(self, fmt: str) -> bytes:
        if fmt not in self.FORMATS:
            raise ValueError(f"unknown RDF format {fmt!r}: one of {', '.join(self.FORMATS)}")
        if fmt == "jsonld":
            return _jsonld(self.union())
        rdf_format = self.FORMATS[fmt]
        items = self._items(rdf_format.supports_datasets)
        if fmt in ("nt", "nquads"):
            return ox.serialize(items, format=rdf_format)
        prefixes = {**{k: str(v) for k, v in PREFIXES.items()},
                    **{k: str(v) for k, v in ID_PREFIXES.items()}}
        body = ox.serialize(items, format=rdf_format, prefixes=prefixes)
        # pyoxigraph orders the @prefix lines its own way: write them in ours
        lines = body.split(b"\n")
        k = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix ")), len(lines))
        header = "".join(f"@prefix {p}: <{n}> .\n" for p, n in prefixes.items()).encode("utf-8")
        return header + b"\n" + b"\n".join(lines[k:])

    def union(self) -> list[tuple]:
        """The distinct triples of all graphs, sorted."""
        if self._union is None:
            self._union = sorted({(s, p, o): None for s, p, o, _ in self.quads}, key=_triple_key)
        return self._union

    def _items(self, quads: bool) -> list:
        if quads not in self._ox:
            term = _OxTerms()
            if quads:
                self._ox[quads] = [ox.Quad(term(s), term(p), term(o), term(c))
                                   for s, p, o, c in self.quads]
            else:
                self._ox[quads] = [ox.Triple(term(s), term(p), term(o)) for s, p, o in self.union()]
        return self._ox[quads]


def _bounds(value: str) -> tuple[date, date] | None:
    try:
        if re.fullmatch(r"\d{4}|\d{3}X|\d{2}XX", value):
            return date(int(value.replace("X", "0")), 1, 1), date(int(value.replace("X", "9")), 12, 31)
        m = re.fullmatch(r"(\d{4})-(\d{2})", value)
        if m:
            year, code = int(m[1]), int(m[2])
            first, last = (code, code) if 1 <= code <= 12 else _SUB_YEAR.get(code, (0, 0))
            return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = date.fromisoformat(value)
            return day, day
    except ValueError:  # month 0, day 31 of a short month, year 0
        return None
    return None


def _real_day(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _slug(text: str) -> str:
    # quote() would keep "~", which entity_iri reserves as a marker
    out = "".join(ch if ch.isalnum() or ch in _NO_SLUG else quote(ch, safe="").replace("~", "%7E")
                  for ch in text)
    # "." and ".." are path steps, not names; a final "." ends a Turtle name badly
    kept = out.rstrip(".")
    return kept + "%2E" * (len(out) - len(kept))


def _hash(*parts) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def _text(value: str | None) -> Literal | None:
    return Literal(value, lang=LANG) if value else None


def _name(value: str | None) -> Literal | None:
    """A name in the article's language; in Latin letters only (kg.link's transliterations,
    "Kabysh Omarov"), Russian in Latin script: ``ru-Latn``."""
    if not value:
        return None
    latin = _LATIN.search(value) and not _CYRILLIC.search(value)
    return Literal(value, lang=LANG + "-Latn" if latin else LANG)


def _bind(r: Graph) -> None:
    for prefix, namespace in PREFIXES.items():
        r.bind(prefix, namespace, override=True)


class _Quads:
    """Statements by graph, each once."""

    def __init__(self):
        self.graphs: dict[URIRef, dict[tuple, None]] = {}

    def add(self, graph: URIRef, s, p, o) -> None:
        if o is not None:
            self.graphs.setdefault(graph, {})[(s, p, o)] = None

    def sorted(self) -> list[Quad]:
        first = {VOCABULARY_GRAPH: 0, ENTITIES_GRAPH: 1}
        out = []
        for graph in sorted(self.graphs, key=lambda c: (first.get(c, 2), str(c))):
            out += [(s, p, o, graph) for s, p, o in sorted(self.graphs[graph], key=_triple_key)]
        return out


def _triple_key(t: tuple) -> tuple:
    s, p, o = t
    p = str(p)
    if type(o) is Literal:
        return (str(s), p != _TYPE_STR, p, 1, str(o), o.language or "", str(o.datatype or ""))
    return (str(s), p != _TYPE_STR, p, 0, str(o))


def _iri(g: nx.MultiDiGraph, node: str) -> URIRef:
    a = g.nodes[node]
    if a.get("kind") == "article":
        return article_iri(node)
    if a.get("kind") == "event":
        return event_iri(node)
    return entity_iri(node, a["label"])


def _add_article(d: _Quads, node: str, a: dict) -> None:
    s, c = article_iri(node), article_graph_iri(node)
    d.add(c, c, _DERIVED_FROM, s)
    d.add(ENTITIES_GRAPH, ENTITIES_GRAPH, _DERIVED_FROM, s)
    d.add(c, s, _TYPE, SDO.NewsArticle)
    d.add(c, s, SDO.headline, _text(a.get("title")))
    d.add(c, s, SDO.author, _text(a.get("author")))
    published = a.get("published")
    if published:
        d.add(c, s, SDO.datePublished, xsd_date(published) or Literal(published))
    source = a.get("source")
    if source:
        d.add(c, s, KG.source, Literal(source))
        if re.match(r"https?://[^\s<>\"{}|\\^`]+$", source):
            d.add(c, s, SDO.url, URIRef(source))
    for copy in a.get("copies") or ():  # the same bytes under another name: one article
        d.add(c, s, KG.source, Literal(copy))
    d.add(c, s, SDO.identifier, Literal(a["digest"]) if a.get("digest") else None)
    d.add(c, s, SDO.inLanguage, Literal(LANG))


def _add_entity(d: _Quads, node: str, a: dict) -> None:
    c, s = ENTITIES_GRAPH, entity_iri(node, a["label"])
    d.add(c, s, _TYPE, CLASSES.get(a["label"], SDO.Thing))
    if a["label"] == UNIT:  # so that a query for organizations finds units without inference
        d.add(c, s, _TYPE, SDO.Organization)
    d.add(c, s, SDO.name, _name(a.get("name")))
    for alias in a.get("aliases", ()):
        d.add(c, s, SDO.alternateName, _name(alias))
    d.add(c, s, KG.rank, _text(a.get("rank")))
    d.add(c, s, SDO.jobTitle, _text(a.get("role")))
    for article in a.get("articles", ()):
        d.add(article_graph_iri(article), s, SDO.subjectOf, article_iri(article))
    if a["label"] == PLACE:
        _add_geo(d, s, a)
    for note in a.get("curation") or ():
        d.add(CURATION_GRAPH, s, KG.curation, Literal(note))
    for old in a.get("merged_from") or ():  # links made before a merge still lead here
        d.add(CURATION_GRAPH, entity_iri(old, a["label"]), OWL.sameAs, s)


def _add_geo(d: _Quads, s: URIRef, a: dict) -> None:
    c = ENTITIES_GRAPH
    geonames = a.get("geonames")
    if geonames:
        if str(geonames).isdigit():
            d.add(c, s, SDO.sameAs, URIRef(f"https://sws.geonames.org/{geonames}/"))
        else:
            log.warning("place %s: GeoNames id %r is not a number; left out", s, geonames)
    lat, lon = a.get("lat"), a.get("lon")
    if lat is None or lon is None:
        return
    lat, lon = _decimal(lat), _decimal(lon)
    coordinates, geometry = URIRef(s + "#coordinates"), URIRef(s + "#geometry")
    d.add(c, s, _TYPE, GEO.Feature)
    d.add(c, s, SDO.geo, coordinates)
    d.add(c, coordinates, _TYPE, SDO.GeoCoordinates)
    d.add(c, coordinates, SDO.latitude, Literal(lat, datatype=ns.XSD.decimal))
    d.add(c, coordinates, SDO.longitude, Literal(lon, datatype=ns.XSD.decimal))
    d.add(c, s, GEO.hasGeometry, geometry)
    d.add(c, geometry, _TYPE, GEO.Geometry)
    # WKT without a CRS is CRS84: longitude first
    d.add(c, geometry, GEO.asWKT, Literal(f"POINT({lon} {lat})", datatype=GEO.wktLiteral))


def _decimal(x: float) -> str:
    return format(Decimal(repr(float(x))), "f")


def _select(d: _Quads, c: URIRef, ann: URIRef, article: str, start: int, end: int,
            sentence_start: int | None, sentence: str | None, exact: str | None = None) -> None:
    """The annotation's target: the article, the evidence by position and by quote, with
    the rest of its sentence as the quote's prefix and suffix; ``prov:wasDerivedFrom``."""
    source = article_iri(article)
    target, position, quote_ = (URIRef(ann + f"-{part}") for part in ("target", "position", "quote"))
    d.add(c, ann, _TYPE, OA.Annotation)
    d.add(c, ann, _DERIVED_FROM, source)
    d.add(c, ann, OA.hasTarget, target)
    d.add(c, target, _TYPE, OA.SpecificResource)
    d.add(c, target, OA.hasSource, source)
    d.add(c, target, OA.hasSelector, position)
    d.add(c, target, OA.hasSelector, quote_)
    # Web Annotation positions count code points, as Python string offsets do
    d.add(c, position, _TYPE, OA.TextPositionSelector)
    d.add(c, position, OA.start, Literal(start, datatype=ns.XSD.nonNegativeInteger))
    d.add(c, position, OA.end, Literal(end, datatype=ns.XSD.nonNegativeInteger))
    d.add(c, quote_, _TYPE, OA.TextQuoteSelector)
    prefix = suffix = None
    if sentence is not None and sentence_start is not None \
            and sentence_start <= start <= end <= sentence_start + len(sentence):
        i, j = start - sentence_start, end - sentence_start
        exact = sentence[i:j] if exact is None else exact
        prefix, suffix = sentence[:i], sentence[j:]
    if exact is None:
        log.warning("%s: no text for the evidence %d-%d of %s", article, start, end, ann)
        exact = ""
    d.add(c, quote_, OA.exact, Literal(exact))
    d.add(c, quote_, OA.prefix, Literal(prefix) if prefix else None)
    d.add(c, quote_, OA.suffix, Literal(suffix) if suffix else None)


def _add_mention(d: _Quads, g: nx.MultiDiGraph, article: str, entity: str, a: dict) -> None:
    c = article_graph_iri(article)
    ann = URIRef(BASE + "mention/" + _slug(article.removeprefix("article:"))
                 + f"-{a['start']}-{a['end']}")
    d.add(c, ann, _TYPE, KG.Mention)
    d.add(c, ann, OA.motivatedBy, OA.identifying)
    d.add(c, ann, OA.hasBody, _iri(g, entity))
    _select(d, c, ann, article, a["start"], a["end"], a.get("sentence_start"), a.get("sentence"),
            exact=a.get("text"))


def _add_relation(d: _Quads, g: nx.MultiDiGraph, u: str, v: str, a: dict) -> None:
    predicate = a["relation"]
    p = PREDICATES[predicate]
    if predicate == "located_in" and g.nodes[u].get("label") == PLACE:
        p = SDO.containedInPlace
    s, o = _iri(g, u), _iri(g, v)
    article = a.get("article")
    if a.get("curated"):
        _add_curated_relation(d, s, p, o, a)
        return
    if not article:
        log.warning("relation %s %s %s has no article; left out", u, predicate, v)
        return
    c = article_graph_iri(article)
    d.add(c, s, p, o)  # the fact itself, for simple queries
    start, end = a.get("start", a.get("sentence_start")), a.get("end", a.get("sentence_end"))
    st = URIRef(BASE + "statement/" + _slug(article.removeprefix("article:")) + "-"
                + _hash(u, predicate, v, start, end))
    d.add(c, st, _TYPE, RDF.Statement)
    d.add(c, st, RDF.subject, s)
    d.add(c, st, RDF.predicate, p)
    d.add(c, st, RDF.object, o)
    d.add(c, st, OA.motivatedBy, OA.describing)
    d.add(c, st, KG.rule, Literal(a["rule"]) if a.get("rule") else None)
    _select(d, c, st, article, start, end, a.get("sentence_start"), a.get("sentence"))


def _add_curated_relation(d: _Quads, s: URIRef, p: URIRef, o: URIRef, a: dict) -> None:
    """A fact a historian added: in the curation graph, reified with the correction and
    the source it cites instead of a text selector."""
    c = CURATION_GRAPH
    d.add(c, s, p, o)
    st = URIRef(BASE + "statement/curated-" + _hash(s, p, o))
    d.add(c, st, _TYPE, RDF.Statement)
    d.add(c, st, RDF.subject, s)
    d.add(c, st, RDF.predicate, p)
    d.add(c, st, RDF.object, o)
    for note in a.get("curation") or ():
        d.add(c, st, KG.curation, Literal(note))
    d.add(c, st, KG.citation, Literal(a["reference"]) if a.get("reference") else None)
    d.add(c, st, RDFS.comment, _text(a.get("sentence")))
    if a.get("article"):
        d.add(c, st, _DERIVED_FROM, article_iri(a["article"]))


def _add_event(d: _Quads, g: nx.MultiDiGraph, node: str, a: dict) -> URIRef:
    s = event_iri(node)
    article = a.get("article")
    c = CURATION_GRAPH if a.get("curated") else article_graph_iri(article) if article else ENTITIES_GRAPH
    for note in a.get("curation") or ():
        d.add(c, s, KG.curation, Literal(note))
    d.add(c, s, KG.citation, Literal(a["reference"]) if a.get("reference") else None)
    kind = kind_iri(a.get("event_kind") or "other")
    d.add(c, s, _TYPE, SDO.Event)
    d.add(c, s, _TYPE, CRM.E5_Event)
    d.add(c, s, KG.kind, kind)
    d.add(c, s, KG.trigger, _text(a.get("trigger")))
    participants = [_iri(g, p) for p in a.get("participants", ())]
    for p in participants:
        d.add(c, s, KG.participant, p)
        d.add(c, s, CRM.P11_had_participant, p)
    place = _iri(g, a["place"]) if a.get("place") else None
    if place is not None:
        d.add(c, s, SDO.location, place)
        d.add(c, s, CRM.P7_took_place_at, place)
    _add_dates(d, c, s, a.get("date"))
    d.add(c, s, SDO.description, _text(a.get("sentence")))
    if article:
        d.add(c, s, SDO.subjectOf, article_iri(article))
        d.add(c, s, _DERIVED_FROM, article_iri(article))
    if article and a.get("start") is not None:
        ann = URIRef(s + "-annotation")
        d.add(c, ann, OA.motivatedBy, OA.describing)
        d.add(c, ann, OA.hasBody, s)
        _select(d, c, ann, article, a["start"], a["end"], a.get("sentence_start"), a.get("sentence"))
    # a person's birth and death, from the event of that kind
    when = {"birth": SDO.birthDate, "death": SDO.deathDate}.get(a.get("event_kind"))
    where = {"birth": SDO.birthPlace, "death": SDO.deathPlace}.get(a.get("event_kind"))
    if when is not None:
        day = xsd_date(a.get("date"))
        for p in a.get("participants", ()):
            if g.nodes[p].get("label") == PERSON:
                d.add(c, _iri(g, p), when, day)
                d.add(c, _iri(g, p), where, place)
    return kind


def _add_dates(d: _Quads, c: URIRef, s: URIRef, edtf: str | None) -> None:
    if not edtf:
        return
    d.add(c, s, KG.edtf, Literal(edtf))
    first, _, last = edtf.partition("/")
    d.add(c, s, SDO.startDate, xsd_date(first))
    d.add(c, s, SDO.endDate, xsd_date(last) if last else None)
    span = URIRef(s + "-time-span")
    d.add(c, s, P4_HAS_TIME_SPAN, span)
    d.add(c, span, _TYPE, E52_TIME_SPAN)
    d.add(c, span, KG.edtf, Literal(edtf))
    lo, hi = edtf_bounds(edtf) or (None, None)
    if lo:
        d.add(c, span, CRM.P82a_begin_of_the_begin, Literal(lo.isoformat(), datatype=ns.XSD.date))
    if hi:
        d.add(c, span, CRM.P82b_end_of_the_end, Literal(hi.isoformat(), datatype=ns.XSD.date))


class _OxTerms:
    """rdflib terms -> pyoxigraph terms, each converted once."""

    def __init__(self):
        self.cache: dict = {}

    def __call__(self, t):
        key = str(t) if type(t) is URIRef else (type(t), str(t), t.language, t.datatype) \
            if type(t) is Literal else (type(t), str(t))
        out = self.cache.get(key)
        if out is None:
            if type(t) is URIRef:
                out = ox.NamedNode(str(t))
            elif type(t) is Literal:
                if t.language:
                    out = ox.Literal(str(t), language=_bcp47(t.language))
                elif t.datatype is not None:
                    out = ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
                else:
                    out = ox.Literal(str(t))
            else:
                out = ox.BlankNode(str(t))
            self.cache[key] = out
        return out


def _bcp47(tag: str) -> str:
    """A language tag in its usual case (rdflib lower-cases them): ``ru-latn`` -> ``ru-Latn``."""
    first, *rest = tag.split("-")
    return "-".join([first.lower(), *(p.title() if len(p) == 4 else p.upper() if len(p) == 2
                                      else p for p in rest)])


@lru_cache(maxsize=4096)
def _compact(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _jsonld_value(o) -> dict:
    if isinstance(o, Literal):
        if o.language:
            return {"@value": str(o), "@language": _bcp47(o.language)}
        if o.datatype is not None and o.datatype != ns.XSD.string:
            return {"@value": str(o), "@type": _compact(str(o.datatype))}
        return {"@value": str(o)}
    return {"@id": str(o)}


def _jsonld(triples: list[tuple]) -> bytes:
    """Flattened JSON-LD: one node object per subject, keys as prefixed names."""
    nodes = []
    for s, group in groupby(triples, key=lambda t: t[0]):
        node = {"@id": str(s)}
        for p, values in groupby(group, key=lambda t: t[1]):
            if p == _TYPE:
                node["@type"] = [_compact(str(o)) for _, _, o in values]
            else:
                node[_compact(str(p))] = [_jsonld_value(o) for _, _, o in values]
        nodes.append(node)
    # one node a line: readable, and json's C encoder (indent= would make it Python)
    context = json.dumps({k: str(v) for k, v in PREFIXES.items()}, ensure_ascii=False)
    lines = ",\n  ".join(json.dumps(node, ensure_ascii=False) for node in nodes)
    return f'{{"@context": {context},\n "@graph": [\n  {lines}\n ]}}\n'.encode("utf-8")
