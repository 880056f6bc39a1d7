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

The files are written a named graph at a time (``write_rdf``): the mapping makes each
graph's statements with plain strings, pyoxigraph's serialiser writes them as Turtle
(TriG wraps each graph's Turtle in its block), so that memory holds one graph, not the
dataset, and the same graph gives the same bytes. rdflib stays the vocabulary layer
(the namespaces, ``vocabulary``, ``rdf_quads`` and ``to_rdf`` for tests and small graphs).
After a few articles changed, ``graph_nquads``, ``entity_nquads``, ``vocabulary_nquads``
and ``curation_nquads`` give just the N-Quads of the graphs, or of the part of the
entities graph, they touch (for ``kg.store.patch_store``), in the time of that part.

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

import hashlib
import io
import json
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace
from typing import IO
from urllib.parse import quote

import networkx as nx
import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from .edtf import edtf_bounds
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
_XSD_DATES = ((re.compile(r"\d{4}-\d{2}-\d{2}"), str(ns.XSD.date)),
              (re.compile(r"\d{4}-(0[1-9]|1[0-2])"), str(ns.XSD.gYearMonth)),
              (re.compile(r"\d{4}"), str(ns.XSD.gYear)))
_NO_SLUG = frozenset("_-.")
_SLUG_KEPT = re.compile(r"[\w.-]*")  # \w is str.isalnum() or "_", character by character
_LATIN, _CYRILLIC = re.compile(r"[A-Za-z]"), re.compile(r"[\u0400-\u04FF]")

Quad = tuple  # (subject, predicate, object, graph), rdflib terms

# The formats of ``serialize`` and ``write_rdf``: the dataset formats keep the named graphs,
# the others hold their union.
FORMATS = ("turtle", "nt", "trig", "nquads", "jsonld")
DATASET_FORMATS = frozenset({"trig", "nquads"})


# --- the mapping's own terms: plain strings ------------------------------------------
#
# The vocabularies above are rdflib's, and the public functions give rdflib terms. The
# mapping itself makes millions of statements for a big archive, so it works with plain
# strings: an IRI is a ``str``, a literal a tuple (lexical form, language, datatype)
# with "" for none (a literal with neither is an xsd:string). ``SDO.name`` is a Python
# call that makes a new ``URIRef`` each time; ``_schema.name`` is an attribute.

def _plain(vocabulary) -> SimpleNamespace:
    """The terms of an rdflib vocabulary as plain strings (``CRM["P4_has_time-span"]`` is
    ``_crm.P4_has_time_span``)."""
    base = str(vocabulary._NS)
    names = [*vocabulary.__annotations__, *getattr(vocabulary, "_extras", ())]
    return SimpleNamespace(**{name.replace("-", "_"): base + name for name in names})


_schema, _kg, _oa, _crm, _geo = map(_plain, (SDO, KG, OA, CRM, GEO))
_rdf, _rdfs, _owl, _prov, _skos, _xsd = map(_plain, (RDF, RDFS, OWL, PROV, SKOS, ns.XSD))
_TYPE, _DERIVED_FROM = _rdf.type, _prov.wasDerivedFrom
_VOCABULARY, _ENTITIES, _CURATION = str(VOCABULARY_GRAPH), str(ENTITIES_GRAPH), str(CURATION_GRAPH)
_CLASSES = {label: str(iri) for label, iri in CLASSES.items()}
_PREDICATES = {relation: str(iri) for relation, iri in PREDICATES.items()}
_BIRTH_DEATH = {"birth": (_schema.birthDate, _schema.birthPlace),
                "death": (_schema.deathDate, _schema.deathPlace)}
_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+$")

Lit = tuple  # (lexical form, language, datatype)


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
    """Every statement as ``(subject, predicate, object, graph)`` in rdflib terms, without
    duplicates, in the order of the files: the vocabulary graph, the entities graph, then
    the other graphs by IRI; inside a graph by subject, ``rdf:type`` first (an article's
    graph gives its statements about entities after the rest).

    For a small graph, or to look at: ``write_rdf`` writes files without making rdflib terms.

    >>> from kg.graph import build_graph
    >>> from kg.types import Article, Extraction
    >>> quads = rdf_quads(build_graph([Extraction(Article("a.txt", "Текст.", "ab" * 32))]))
    >>> sorted({str(q[3]) for q in quads})
    ['https://w3id.org/kg-ww2/id/graph/abababababababab', 'https://w3id.org/kg-ww2/id/graph/entities', 'https://w3id.org/kg-ww2/ns']
    """
    out = []
    for part in _parts(g):
        c = URIRef(part.iri)
        for rows in part.rows():
            out += [(URIRef(s), URIRef(p), _rdflib_term(o), c) for s, _, p, _, o in rows]
    return out


def write_rdf(g: nx.MultiDiGraph, files: dict[str, IO[bytes]]) -> None:
    """Write the RDF of ``g`` to open binary files, ``{format: file}`` for any of
    ``FORMATS``, all in one pass over the graph, a named graph (or a batch of the
    entities graph) at a time: memory holds one graph's statements, not the dataset's.

    The files are those of ``serialize``: TriG and N-Quads keep the named graphs; Turtle,
    N-Triples and JSON-LD hold their union (a statement that several graphs make, such
    as a relation found in two articles, once). Turtle and TriG are written by
    pyoxigraph's Turtle serialiser graph by graph (TriG wraps each graph's Turtle in its
    block), N-Triples and N-Quads a line per statement; the same graph gives the same bytes.
    """
    writer = _Writer(files)
    for part in _parts(g):
        writer.write(part)
    writer.close()


def serialize(quads: Iterable[Quad], fmt: str) -> bytes:
    """Quads in rdflib terms (``rdf_quads``) as ``"trig"`` or ``"nquads"`` (named graphs
    kept) or as the union of the graphs in ``"turtle"``, ``"nt"`` or ``"jsonld"`` (with an
    ``@context``); the same quads give the same bytes.

    >>> q = [(entity_iri("person:x", PERSON), SDO.name, Literal("Кабыш", lang="ru"), ENTITIES_GRAPH)]
    >>> print(serialize(q, "nt").decode())
    <https://w3id.org/kg-ww2/id/person/x> <https://schema.org/name> "Кабыш"@ru .
    <BLANKLINE>
    """
    buf = io.BytesIO()
    writer = _Writer({fmt: buf})
    parts: dict[str, _Graph] = {}
    for s, p, o, c in quads:
        c = str(c) if fmt in DATASET_FORMATS else ""
        part = parts.get(c)
        if part is None:
            part = parts[c] = _Graph(c)
        part.add(_light(s), _light(p), _light(o))
    for part in parts.values():
        writer.write(part)
    writer.close()
    return buf.getvalue()


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
    out = [(onto, RDF.type, OWL.Ontology),
           (onto, RDFS.label, Literal("kg-ww2: terms for the knowledge graph of articles about "
                                      "the Second World War", lang="en")),
           (onto, RDFS.seeAlso, URIRef("https://schema.org/"))]

    def term(iri, kind, en, ru, comment, *more):
        out.extend([(iri, RDF.type, kind), (iri, RDFS.isDefinedBy, onto),
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
    out += [(scheme, RDF.type, SKOS.ConceptScheme), (scheme, RDFS.isDefinedBy, onto),
            (scheme, SKOS.prefLabel, Literal("event kinds", lang="en")),
            (scheme, SKOS.prefLabel, Literal("виды событий", lang="ru"))]
    labels = dict(EVENT_KINDS)
    for iri in kinds:
        local = str(iri)[len(KG._NS):]
        labels.setdefault(local, (None, local))
    for local, (ru, en) in sorted(labels.items()):
        concept = URIRef(KG._NS + local)
        out += [(concept, RDF.type, SKOS.Concept), (concept, SKOS.inScheme, scheme),
                (concept, SKOS.topConceptOf, scheme), (scheme, SKOS.hasTopConcept, concept),
                (concept, SKOS.notation, Literal(local)),
                (concept, SKOS.prefLabel, Literal(en, lang="en"))]
        if ru:
            out.append((concept, SKOS.prefLabel, Literal(ru, lang="ru")))
    return out


# --- parts of the dataset, for an update after a few articles changed ----------------
#
# ``write_rdf`` writes everything (6 million statements at 10,000 articles). A process
# that keeps the graph and changes a few articles needs only the statements those
# changes touch: each function below takes the time of its part, not of the graph, and
# gives what ``write_rdf`` gives ``kg.store.StoreWriter`` for that part, as N-Quads bytes
# for ``kg.store.patch_store``.

def graph_nquads(g: nx.MultiDiGraph, article_ids: Iterable[str]) -> dict[str, bytes]:
    """The named graphs of some articles as N-Quads, ``{graph IRI: bytes}``: for an
    article of ``g``, the very bytes ``write_rdf`` gives for its graph; for an id no
    longer in ``g``, ``b""`` (the graph is to go). ``kg.store.patch_store`` takes it as it is.

    Each graph is found from its article node (its mentions, the entities they name and
    their out-edges), not from a pass over the graph, so it holds what ``write_rdf`` puts
    there as long as the graph is one ``kg.graph`` builds: an entity that lists the
    article in ``articles`` is mentioned in it, a relation's subject is mentioned in its
    article and every event has a participant mentioned in its article. A graph names
    the entities by their IRIs, which follow their labels: when an entity's label
    changes, the graphs of all its articles change.

    >>> from kg.graph import build_graph
    >>> from kg.types import Article, Mention, Entity, Extraction, PERSON
    >>> art = Article(source="a.txt", text="Кабыш Омаров.", digest="ab" * 32, title="Т")
    >>> m = Mention(0, 12, "Кабыш Омаров", PERSON, (0, 13), "person:о")
    >>> g = build_graph([Extraction(art, (m,), (Entity("person:о", PERSON, "Кабыш Омаров"),))])
    >>> full = io.BytesIO()
    >>> write_rdf(g, {"nquads": full})
    >>> parts = graph_nquads(g, [art.id, "article:00"])
    >>> [(iri.removeprefix(BASE), data in full.getvalue(), data.count(b"\\n")) for iri, data in parts.items()]
    [('graph/abababababababab', True, 23), ('graph/00', True, 0)]
    """
    out = {}
    for article in article_ids:
        c = _graph_iri(article)
        if article not in g:
            out[c] = b""
            continue
        kind = g.nodes[article].get("kind")
        if kind != "article":
            raise ValueError(f"{article} is a node of kind {kind!r}, not an article")
        out[c] = _nquads(_named_graph(g, c, _article_items(g, article)))
    return out


def entity_nquads(g: nx.MultiDiGraph, entity_ids: Iterable[str],
                  article_ids: Iterable[str] = ()) -> bytes:
    """The lines of the entities graph (N-Quads, sorted by subject) that describe
    ``entity_ids`` (entities, and events with neither article nor curation; other ids
    and ids not in ``g`` give nothing), and its ``prov:wasDerivedFrom`` line for each
    of ``article_ids`` that is an article of ``g``.

    Made before and after a change for the same ids, the two differ by what the
    entities graph loses and gains (``nquads_diff``). Each line is about one of the ids,
    but for the birth and death of a person that an event without article states: when
    two such events state the same line, removing the lines of one removes it for both
    (``kg.graph`` makes no such event: an extracted event has its article, a historian's
    is in the curation graph).

    >>> from kg.graph import build_graph
    >>> from kg.types import Article, Mention, Entity, Extraction, PERSON
    >>> art = Article(source="a.txt", text="Кабыш Омаров.", digest="ab" * 32, title="Т")
    >>> m = Mention(0, 12, "Кабыш Омаров", PERSON, (0, 13), "person:о")
    >>> g = build_graph([Extraction(art, (m,), (Entity("person:о", PERSON, "Кабыш Омаров"),))])
    >>> print(entity_nquads(g, ["person:о", "person:нет"], [art.id]).decode().replace(BASE, "id:"), end="")
    <id:graph/entities> <http://www.w3.org/ns/prov#wasDerivedFrom> <id:article/abababababababab> <id:graph/entities> .
    <id:person/о> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://schema.org/Person> <id:graph/entities> .
    <id:person/о> <https://schema.org/name> "Кабыш Омаров"@ru <id:graph/entities> .
    """
    d = _Graph(_ENTITIES)
    for article in article_ids:
        if article in g and g.nodes[article].get("kind") == "article":
            d.add(_ENTITIES, _DERIVED_FROM, _article_iri(article))
    for node in entity_ids:
        s = _entities_subject(node, g.nodes[node]) if node in g else None
        if s is not None:
            _add_described(d, g, s, node)
    return _nquads(d)


def vocabulary_nquads(kinds: Iterable[str | None] = ()) -> bytes:
    """The vocabulary graph as N-Quads, whole (about 180 lines), for a graph whose
    events have these ``event_kind`` values (None is ``other``): only a kind outside
    ``EVENT_KINDS`` adds to it. For a graph ``g``, the kinds are
    ``{a.get("event_kind") for _, a in g.nodes(data=True) if a.get("kind") == "event"}``
    (a pass over the nodes, milliseconds at 10,000 articles).

    >>> vocabulary_nquads(["escape"]) == vocabulary_nquads(), b"#evacuation>" in vocabulary_nquads(["evacuation"])
    (True, True)
    """
    return _nquads(_vocabulary_graph({_kind_iri(kind or "other") for kind in kinds}))


def curation_nquads(g: nx.MultiDiGraph) -> bytes:
    """The curation graph as N-Quads, whole (``b""`` when no historian changed ``g``):
    a pass over the whole graph (its edges: about 0.3 s at 10,000 articles)."""
    return _nquads(_named_graph(g, _CURATION, _curation_items(g)))


def nquads_diff(old: bytes, new: bytes) -> tuple[bytes, bytes]:
    """``(the lines of old not in new, the lines of new not in old)``, each sorted: what
    a part of a graph loses and gains (``remove`` and ``add`` of ``kg.store.patch_store``).

    >>> nquads_diff(b"<a> <p> <b> <g> .\\n<a> <p> <c> <g> .\\n", b"<a> <p> <c> <g> .\\n<a> <p> <d> <g> .\\n")
    (b'<a> <p> <b> <g> .\\n', b'<a> <p> <d> <g> .\\n')
    """
    before, after = set(old.splitlines(keepends=True)), set(new.splitlines(keepends=True))
    return b"".join(sorted(before - after)), b"".join(sorted(after - before))


def entity_iri(entity_id: str, label: str) -> URIRef:
    """``BASE + label + "/" + slug``; the conventional ``label:`` prefix of the id is dropped."""
    return URIRef(_entity_iri(entity_id, label))


def article_iri(article_id: str) -> URIRef:
    """``BASE + "article/" + the digest part of the article id``.

    >>> str(article_iri("article:0123456789abcdef"))
    'https://w3id.org/kg-ww2/id/article/0123456789abcdef'
    """
    return URIRef(_article_iri(article_id))


def article_graph_iri(article_id: str) -> URIRef:
    """The named graph of what one article supports (an article digest is hex, so it
    is never ``ENTITIES_GRAPH``).

    >>> str(article_graph_iri("article:0123456789abcdef"))
    'https://w3id.org/kg-ww2/id/graph/0123456789abcdef'
    """
    return URIRef(_graph_iri(article_id))


def event_iri(event_id: str) -> URIRef:
    return URIRef(_event_iri(event_id))


def kind_iri(kind: str) -> URIRef:
    """The concept of an event kind: ``kg:`` + the kind; a kind that is no plain word,
    or is the name of another ``kg:`` term, is ``kg:other``.

    >>> kind_iri("escape"), kind_iri("evacuation"), kind_iri("rank")
    (rdflib.term.URIRef('https://w3id.org/kg-ww2/ns#escape'), rdflib.term.URIRef('https://w3id.org/kg-ww2/ns#evacuation'), rdflib.term.URIRef('https://w3id.org/kg-ww2/ns#other'))
    """
    return URIRef(_kind_iri(kind))


def xsd_date(edtf: str | None) -> Literal | None:
    """The EDTF value as a typed XSD literal when it is a plain date, month or year.

    >>> xsd_date("1941-06-22").datatype == ns.XSD.date, xsd_date("1941-22")
    (True, None)
    """
    lit = _xsd_date(edtf)
    return None if lit is None else _rdflib_term(lit)


def _real_day(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _slug(text: str) -> str:
    if _SLUG_KEPT.fullmatch(text) and not text.endswith("."):
        return text  # the usual id: nothing to encode
    # quote() would keep "~", which entity_iri reserves as a marker
    out = "".join(ch if ch.isalnum() or ch in _NO_SLUG else quote(ch, safe="").replace("~", "%7E")
                  for ch in text)
    # "." and ".." are path steps, not names; a final "." ends a Turtle name badly
    kept = out.rstrip(".")
    return kept + "%2E" * (len(out) - len(kept))


def _hash(*parts) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def _name(value: str | None) -> Literal | None:
    """A name in the article's language; in Latin letters only (kg.link's transliterations,
    "Kabysh Omarov"), Russian in Latin script: ``ru-Latn``."""
    return Literal(value, lang=_name_language(value)) if value else None


def _name_language(value: str) -> str:
    latin = _LATIN.search(value) and not _CYRILLIC.search(value)
    return LANG + "-Latn" if latin else LANG


def _bind(r: Graph) -> None:
    for prefix, namespace in PREFIXES.items():
        r.bind(prefix, namespace, override=True)


# --- plain terms ---------------------------------------------------------------------

@lru_cache(maxsize=1 << 16)
def _entity_iri(entity_id: str, label: str) -> str:
    prefix = label.lower() + ":"
    if entity_id.startswith(prefix):
        slug = _slug(entity_id[len(prefix):])
    else:
        # "~" never survives _slug, so the mark keeps "person:x" and "x" apart
        slug = "~" + _slug(entity_id)
    return BASE + _slug(label.lower()) + "/" + slug


def _article_iri(article_id: str) -> str:
    return BASE + "article/" + _slug(article_id.removeprefix("article:"))


def _graph_iri(article_id: str) -> str:
    return BASE + "graph/" + _slug(article_id.removeprefix("article:"))


def _event_iri(event_id: str) -> str:
    return BASE + "event/" + _slug(event_id.removeprefix("event:"))


@lru_cache(maxsize=1024)  # and so one warning per kind
def _kind_iri(kind: str) -> str:
    if kind in EVENT_KINDS:
        return str(KG._NS) + kind
    if re.fullmatch(r"[a-z][a-z0-9_]*", kind) and kind not in KG:
        return str(KG._NS) + kind
    log.warning("event kind %r cannot be a kg: term; mapped to kg:other", kind)
    return _kg.other


def _iri(g: nx.MultiDiGraph, node: str) -> str:
    a = g.nodes[node]
    kind = a.get("kind")
    if kind == "article":
        return _article_iri(node)
    if kind == "event":
        return _event_iri(node)
    return _entity_iri(node, a["label"])


def _lit(value, datatype: str = "") -> Lit | None:
    """A literal of ``value`` (its ``str``), an xsd:string unless ``datatype``; None for None."""
    return None if value is None else (str(value), "", datatype)


def _text(value: str | None) -> Lit | None:
    return (value, LANG, "") if value else None


def _name_lit(value: str | None) -> Lit | None:
    return (value, _name_language(value), "") if value else None


def _xsd_date(edtf: str | None) -> Lit | None:
    if not edtf:
        return None
    for pattern, datatype in _XSD_DATES:
        if pattern.fullmatch(edtf):
            if datatype == _xsd.date and not _real_day(edtf):
                return None
            return (edtf, "", datatype)
    return None


def _light(term) -> str | Lit:
    """An rdflib term as a plain term."""
    if isinstance(term, Literal):
        if term.language:
            return (str(term), _bcp47(term.language), "")
        datatype = str(term.datatype) if term.datatype is not None else ""
        return (str(term), "", "" if datatype == _xsd.string else datatype)
    if isinstance(term, URIRef):
        return str(term)
    raise TypeError(f"kg.rdf writes IRIs and literals only, not {term!r}")


def _rdflib_term(term: str | Lit) -> URIRef | Literal:
    if type(term) is tuple:
        value, language, datatype = term
        return Literal(value, lang=language or None, datatype=URIRef(datatype) if datatype else None)
    return URIRef(term)


def _bcp47(tag: str) -> str:
    """A language tag in its usual case (rdflib lower-cases them): ``ru-latn`` -> ``ru-Latn``."""
    first, *rest = tag.split("-")
    return "-".join([first.lower(), *(p.title() if len(p) == 4 else p.upper() if len(p) == 2
                                      else p for p in rest)])


# --- the named graphs, one at a time -------------------------------------------------

class _Graph:
    """The statements of a named graph, or of a part of one, each once: ``own``, about the
    graph's own nodes, and ``facts``, about entities (relations, births and deaths,
    ``schema:subjectOf``), which other graphs may state again and the union files keep once."""

    __slots__ = ("facts", "iri", "own")

    def __init__(self, iri: str):
        self.iri, self.own, self.facts = iri, set(), set()

    def add(self, s: str, p: str, o: str | Lit | None) -> None:
        if o is not None:
            self.own.add((s, p, o))

    def fact(self, s: str, p: str, o: str | Lit | None) -> None:
        if o is not None:
            self.facts.add((s, p, o))

    def __len__(self) -> int:
        return len(self.own) + len(self.facts)

    def rows(self) -> tuple[list[tuple], list[tuple]]:
        """The own statements and the facts, each sorted (``_rows``)."""
        return _rows(self.own - self.facts), _rows(self.facts)


def _rows(triples: Iterable[tuple]) -> list[tuple]:
    """``(subject, not rdf:type, predicate, object in N-Triples, object)`` for each
    statement, sorted: by subject, ``rdf:type`` first, then by predicate and object."""
    out = []
    append = out.append
    for s, p, o in triples:
        append((s, p != _TYPE, p, _nt_literal(o) if type(o) is tuple else "<" + o + ">", o))
    out.sort()
    return out


# N-Triples escapes: the four it requires, and every other control character as \uXXXX
_NT_ESCAPES = {c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F)}
_NT_ESCAPES.update({ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r",
                    ord("\t"): "\\t"})
_NT_ESCAPED = re.compile('[\\x00-\\x1f"\\\\\\x7f]')


def _nt_literal(o: Lit) -> str:
    value, language, datatype = o
    if _NT_ESCAPED.search(value):
        value = value.translate(_NT_ESCAPES)
    if language:  # lower case, as pyoxigraph writes tags (they are case-insensitive)
        return f'"{value}"@{language.lower()}'
    if datatype:
        return f'"{value}"^^<{datatype}>'
    return f'"{value}"'


class _Plan:
    """Which nodes and edges state something in which named graph, from one pass over the
    graph; ``parts`` then makes the graphs one by one."""

    ENTITIES_BATCH = 20_000  # statements of the entities graph written at a time

    def __init__(self, g: nx.MultiDiGraph):
        self.g = g
        self.kinds: set[str] = set()
        self.entities: list[tuple[str, str]] = []  # (subject, node) in the entities graph
        self.articles: list[str] = []  # what the entities graph is derived from
        self.graphs: dict[str, _Items] = {}  # article graphs and the curation graph
        for node, a in g.nodes(data=True):
            kind = a.get("kind")
            if kind == "article":
                self._items(_graph_iri(node)).articles.append(node)
                self.articles.append(_article_iri(node))
            elif kind == "entity":
                self.entities.append((_entity_iri(node, a["label"]), node))
                for article in a.get("articles", ()):
                    self._items(_graph_iri(article)).subjects.append((node, article))
                if _curated_entity(a):
                    self._items(_CURATION).curated.append(node)
            elif kind == "event":
                self.kinds.add(_kind_iri(a.get("event_kind") or "other"))
                article = a.get("article")
                if a.get("curated"):
                    self._items(_CURATION).events.append(node)
                elif article:
                    self._items(_graph_iri(article)).events.append(node)
                else:
                    self.entities.append((_event_iri(node), node))
        unmapped = set()
        for u, v, a in g.edges(data=True):
            rel = a.get("relation")
            if rel == "mentions":
                self._items(_graph_iri(u)).mentions[u] = None
            elif rel in PREDICATES:
                if a.get("curated"):
                    self._items(_CURATION).relations.append((u, v, a))
                elif not a.get("article"):
                    log.warning("relation %s %s %s has no article; left out", u, rel, v)
                else:
                    self._items(_graph_iri(a["article"])).relations.append((u, v, a))
            elif rel not in _NOT_MAPPED:
                unmapped.add(rel)
        if unmapped:
            log.warning("relations with no RDF mapping left out: %s",
                        ", ".join(sorted(map(str, unmapped))))

    def _items(self, graph: str) -> _Items:
        items = self.graphs.get(graph)
        if items is None:
            items = self.graphs[graph] = _Items()
        return items

    def parts(self) -> Iterator[_Graph]:
        """The named graphs in the order of the files: the vocabulary, the entities (in
        batches of entities in IRI order), then the others by IRI."""
        g = self.g
        yield _vocabulary_graph(self.kinds)
        d = _Graph(_ENTITIES)
        for s in self.articles:
            d.add(_ENTITIES, _DERIVED_FROM, s)
        for s, node in sorted(self.entities):
            _add_described(d, g, s, node)
            if len(d) >= self.ENTITIES_BATCH:
                yield d
                d = _Graph(_ENTITIES)
        yield d
        for c in sorted(self.graphs):
            yield _named_graph(g, c, self.graphs.pop(c))


class _Items:
    """What one named graph (an article's, or the curation graph) is made of."""

    __slots__ = ("articles", "curated", "events", "mentions", "relations", "subjects")

    def __init__(self):
        self.articles: list[str] = []
        self.subjects: list[tuple[str, str]] = []  # (entity, article): schema:subjectOf
        self.mentions: dict[str, None] = {}  # the articles whose mention edges go here
        self.relations: list[tuple] = []
        self.events: list[str] = []
        self.curated: list[str] = []  # entities with corrections (the curation graph)


def _parts(g: nx.MultiDiGraph) -> Iterator[_Graph]:
    return _Plan(g).parts()


def _named_graph(g: nx.MultiDiGraph, c: str, items: _Items) -> _Graph:
    """The statements of the named graph ``c`` (an article's, or the curation graph),
    from what ``_Plan`` or ``_article_items`` found it is made of."""
    d = _Graph(c)
    for node in items.articles:
        _add_article(d, node, g.nodes[node])
    for node, article in items.subjects:
        d.fact(_entity_iri(node, g.nodes[node]["label"]), _schema.subjectOf, _article_iri(article))
    for article in items.mentions:
        for _, entity, a in g.out_edges(article, data=True):
            if a.get("relation") == "mentions":
                _add_mention(d, g, article, entity, a)
    for u, v, a in items.relations:
        _add_relation(d, g, u, v, a)
    for node in items.events:
        _add_event(d, g, node, g.nodes[node])
    for node in items.curated:
        _add_curation(d, node, g.nodes[node])
    return d


def _article_items(g: nx.MultiDiGraph, article: str) -> _Items:
    """What ``_Plan`` puts in the graph of ``article``, found from the article node alone:
    the entities it mentions, those of them that list it in ``articles`` (schema:subjectOf),
    their out-edges from this article (relations: a relation's subject is always
    mentioned in its sentence) and the events they take part in (every event has a
    participant). The time is that of the article's neighbourhood, not the graph's."""
    items = _Items()
    items.articles.append(article)
    mentioned = {entity: None for _, entity, a in g.out_edges(article, data=True)
                 if a.get("relation") == "mentions"}
    if mentioned:
        items.mentions[article] = None
    events: dict[str, None] = {}
    for node in mentioned:
        if article in (g.nodes[node].get("articles") or ()):
            items.subjects.append((node, article))
        for _, v, a in g.out_edges(node, data=True):
            rel = a.get("relation")
            if rel in PREDICATES:
                if not a.get("curated") and a.get("article") == article:
                    items.relations.append((node, v, a))
            elif rel == "participant_in":
                e = g.nodes[v]
                if e.get("article") == article and not e.get("curated"):
                    events[v] = None
    items.events.extend(events)
    return items


def _curation_items(g: nx.MultiDiGraph) -> _Items:
    """What ``_Plan`` puts in the curation graph: a pass over the whole graph."""
    items = _Items()
    for node, a in g.nodes(data=True):
        kind = a.get("kind")
        if kind == "entity" and _curated_entity(a):
            items.curated.append(node)
        elif kind == "event" and a.get("curated"):
            items.events.append(node)
    for u, v, a in g.edges(data=True):
        if a.get("curated") and a.get("relation") in PREDICATES:
            items.relations.append((u, v, a))
    return items


def _curated_entity(a: dict) -> bool:
    return bool(a.get("curation") or a.get("merged_from"))


def _entities_subject(node: str, a: dict) -> str | None:
    """The node's IRI when the entities graph describes it (an entity, or an event with
    neither article nor curation, as ``_Plan`` decides), else None."""
    kind = a.get("kind")
    if kind == "entity":
        return _entity_iri(node, a["label"])
    if kind == "event" and not a.get("article") and not a.get("curated"):
        return _event_iri(node)
    return None


def _add_described(d: _Graph, g: nx.MultiDiGraph, s: str, node: str) -> None:
    """A node's description in the entities graph (``s``: its IRI)."""
    a = g.nodes[node]
    if a.get("kind") == "event":
        _add_event(d, g, node, a)
    else:
        _add_entity(d, s, a)


def _vocabulary_graph(kinds: Iterable[str]) -> _Graph:
    """The vocabulary graph, with a concept for each kind IRI of ``kinds``."""
    d = _Graph(_VOCABULARY)
    for s, p, o in vocabulary(sorted(kinds)):
        d.add(str(s), str(p), _light(o))
    return d


def _nquads(d: _Graph) -> bytes:
    """A graph's statements as ``write_rdf`` gives them to N-Quads (and to the store)."""
    return _nquad_lines(d.iri, *d.rows())


def _nquad_lines(iri: str, own: list[tuple], facts: list[tuple]) -> bytes:
    graph = f" <{iri}> .\n"
    return "".join([f"<{s}> <{p}> {o}{graph}" for rows in (own, facts)
                    for s, _, p, o, _ in rows]).encode("utf-8")


# --- the mapping ---------------------------------------------------------------------

def _add_article(d: _Graph, node: str, a: dict) -> None:
    s, c = _article_iri(node), d.iri
    d.add(c, _DERIVED_FROM, s)
    d.add(s, _TYPE, _schema.NewsArticle)
    d.add(s, _schema.headline, _text(a.get("title")))
    d.add(s, _schema.author, _text(a.get("author")))
    published = a.get("published")
    if published:
        d.add(s, _schema.datePublished, _xsd_date(published) or _lit(published))
    source = a.get("source")
    if source:
        d.add(s, _kg.source, _lit(source))
        if _URL.match(source):
            d.add(s, _schema.url, source)
    for copy in a.get("copies") or ():  # the same bytes under another name: one article
        d.add(s, _kg.source, _lit(copy))
    d.add(s, _schema.identifier, _lit(a["digest"]) if a.get("digest") else None)
    d.add(s, _schema.inLanguage, _lit(LANG))


def _add_entity(d: _Graph, s: str, a: dict) -> None:
    """The entity's description in the entities graph (``s``: its IRI)."""
    label = a["label"]
    d.add(s, _TYPE, _CLASSES.get(label, _schema.Thing))
    if label == UNIT:  # so that a query for organizations finds units without inference
        d.add(s, _TYPE, _schema.Organization)
    d.add(s, _schema.name, _name_lit(a.get("name")))
    for alias in a.get("aliases", ()):
        d.add(s, _schema.alternateName, _name_lit(alias))
    d.add(s, _kg.rank, _text(a.get("rank")))
    d.add(s, _schema.jobTitle, _text(a.get("role")))
    if label == PLACE:
        _add_geo(d, s, a)


def _add_curation(d: _Graph, node: str, a: dict) -> None:
    """An entity's corrections, in the curation graph."""
    s = _entity_iri(node, a["label"])
    for note in a.get("curation") or ():
        d.add(s, _kg.curation, _lit(note))
    for old in a.get("merged_from") or ():  # links made before a merge still lead here
        d.add(_entity_iri(old, a["label"]), _owl.sameAs, s)


def _add_geo(d: _Graph, s: str, a: dict) -> None:
    geonames = a.get("geonames")
    if geonames:
        if str(geonames).isdigit():
            d.add(s, _schema.sameAs, f"https://sws.geonames.org/{geonames}/")
        else:
            log.warning("place %s: GeoNames id %r is not a number; left out", s, geonames)
    lat, lon = a.get("lat"), a.get("lon")
    if lat is None or lon is None:
        return
    lat, lon = _decimal(lat), _decimal(lon)
    coordinates, geometry = s + "#coordinates", s + "#geometry"
    d.add(s, _TYPE, _geo.Feature)
    d.add(s, _schema.geo, coordinates)
    d.add(coordinates, _TYPE, _schema.GeoCoordinates)
    d.add(coordinates, _schema.latitude, _lit(lat, _xsd.decimal))
    d.add(coordinates, _schema.longitude, _lit(lon, _xsd.decimal))
    d.add(s, _geo.hasGeometry, geometry)
    d.add(geometry, _TYPE, _geo.Geometry)
    # WKT without a CRS is CRS84: longitude first
    d.add(geometry, _geo.asWKT, _lit(f"POINT({lon} {lat})", _geo.wktLiteral))


def _decimal(x: float) -> str:
    return format(Decimal(repr(float(x))), "f")


def _select(d: _Graph, ann: str, article: str, start: int, end: int,
            sentence_start: int | None, sentence: str | None, exact: str | None = None) -> None:
    """The annotation's target: the article, the evidence by position and by quote, with
    the rest of its sentence as the quote's prefix and suffix; ``prov:wasDerivedFrom``."""
    source = _article_iri(article)
    target, position, quote_ = ann + "-target", ann + "-position", ann + "-quote"
    add = d.own.add  # (none of these objects is missing)
    add((ann, _TYPE, _oa.Annotation))
    add((ann, _DERIVED_FROM, source))
    add((ann, _oa.hasTarget, target))
    add((target, _TYPE, _oa.SpecificResource))
    add((target, _oa.hasSource, source))
    add((target, _oa.hasSelector, position))
    add((target, _oa.hasSelector, quote_))
    # Web Annotation positions count code points, as Python string offsets do
    add((position, _TYPE, _oa.TextPositionSelector))
    d.add(position, _oa.start, _lit(start, _xsd.nonNegativeInteger))
    d.add(position, _oa.end, _lit(end, _xsd.nonNegativeInteger))
    add((quote_, _TYPE, _oa.TextQuoteSelector))
    prefix = suffix = None
    if sentence is not None and sentence_start is not None \
            and sentence_start <= start <= end <= sentence_start + len(sentence):
        i, j = start - sentence_start, end - sentence_start
        exact = sentence[i:j] if exact is None else exact
        prefix, suffix = sentence[:i], sentence[j:]
    if exact is None:
        log.warning("%s: no text for the evidence %d-%d of %s", article, start, end, ann)
        exact = ""
    d.add(quote_, _oa.exact, _lit(exact))
    d.add(quote_, _oa.prefix, _lit(prefix) if prefix else None)
    d.add(quote_, _oa.suffix, _lit(suffix) if suffix else None)


def _add_mention(d: _Graph, g: nx.MultiDiGraph, article: str, entity: str, a: dict) -> None:
    ann = f"{BASE}mention/{_slug(article.removeprefix('article:'))}-{a['start']}-{a['end']}"
    d.add(ann, _TYPE, _kg.Mention)
    d.add(ann, _oa.motivatedBy, _oa.identifying)
    d.add(ann, _oa.hasBody, _iri(g, entity))
    _select(d, ann, article, a["start"], a["end"], a.get("sentence_start"), a.get("sentence"),
            exact=a.get("text"))


def _add_relation(d: _Graph, g: nx.MultiDiGraph, u: str, v: str, a: dict) -> None:
    predicate = a["relation"]
    p = _PREDICATES[predicate]
    if predicate == "located_in" and g.nodes[u].get("label") == PLACE:
        p = _schema.containedInPlace
    s, o = _iri(g, u), _iri(g, v)
    if a.get("curated"):
        _add_curated_relation(d, s, p, o, a)
        return
    article = a["article"]
    d.fact(s, p, o)  # the fact itself, for simple queries
    start, end = a.get("start", a.get("sentence_start")), a.get("end", a.get("sentence_end"))
    st = (BASE + "statement/" + _slug(article.removeprefix("article:")) + "-"
          + _hash(u, predicate, v, start, end))
    d.add(st, _TYPE, _rdf.Statement)
    d.add(st, _rdf.subject, s)
    d.add(st, _rdf.predicate, p)
    d.add(st, _rdf.object, o)
    d.add(st, _oa.motivatedBy, _oa.describing)
    d.add(st, _kg.rule, _lit(a["rule"]) if a.get("rule") else None)
    _select(d, st, article, start, end, a.get("sentence_start"), a.get("sentence"))


def _add_curated_relation(d: _Graph, s: str, p: str, o: str, a: dict) -> None:
    """A fact a historian added: in the curation graph, reified with the correction and
    the source it cites instead of a text selector."""
    d.fact(s, p, o)
    st = BASE + "statement/curated-" + _hash(s, p, o)
    d.add(st, _TYPE, _rdf.Statement)
    d.add(st, _rdf.subject, s)
    d.add(st, _rdf.predicate, p)
    d.add(st, _rdf.object, o)
    for note in a.get("curation") or ():
        d.add(st, _kg.curation, _lit(note))
    d.add(st, _kg.citation, _lit(a["reference"]) if a.get("reference") else None)
    d.add(st, _rdfs.comment, _text(a.get("sentence")))
    if a.get("article"):
        d.add(st, _DERIVED_FROM, _article_iri(a["article"]))


def _add_event(d: _Graph, g: nx.MultiDiGraph, node: str, a: dict) -> None:
    """An event, in the graph of its article (the curation graph for a historian's, the
    entities graph for one without an article)."""
    s = _event_iri(node)
    article = a.get("article")
    for note in a.get("curation") or ():
        d.add(s, _kg.curation, _lit(note))
    d.add(s, _kg.citation, _lit(a["reference"]) if a.get("reference") else None)
    d.add(s, _TYPE, _schema.Event)
    d.add(s, _TYPE, _crm.E5_Event)
    d.add(s, _kg.kind, _kind_iri(a.get("event_kind") or "other"))
    d.add(s, _kg.trigger, _text(a.get("trigger")))
    participants = [_iri(g, p) for p in a.get("participants", ())]
    for p in participants:
        d.add(s, _kg.participant, p)
        d.add(s, _crm.P11_had_participant, p)
    place = _iri(g, a["place"]) if a.get("place") else None
    if place is not None:
        d.add(s, _schema.location, place)
        d.add(s, _crm.P7_took_place_at, place)
    _add_dates(d, s, a.get("date"))
    d.add(s, _schema.description, _text(a.get("sentence")))
    if article:
        d.add(s, _schema.subjectOf, _article_iri(article))
        d.add(s, _DERIVED_FROM, _article_iri(article))
    if article and a.get("start") is not None:
        ann = s + "-annotation"
        d.add(ann, _oa.motivatedBy, _oa.describing)
        d.add(ann, _oa.hasBody, s)
        _select(d, ann, article, a["start"], a["end"], a.get("sentence_start"), a.get("sentence"))
    # a person's birth and death, from the event of that kind
    when_where = _BIRTH_DEATH.get(a.get("event_kind"))
    if when_where is not None:
        when, where = when_where
        day = _xsd_date(a.get("date"))
        for p in a.get("participants", ()):
            if g.nodes[p].get("label") == PERSON:
                d.fact(_iri(g, p), when, day)
                d.fact(_iri(g, p), where, place)


def _add_dates(d: _Graph, s: str, edtf: str | None) -> None:
    if not edtf:
        return
    d.add(s, _kg.edtf, _lit(edtf))
    first, _, last = edtf.partition("/")
    d.add(s, _schema.startDate, _xsd_date(first))
    d.add(s, _schema.endDate, _xsd_date(last) if last else None)
    span = s + "-time-span"
    d.add(s, _crm.P4_has_time_span, span)
    d.add(span, _TYPE, _crm.E52_Time_Span)
    d.add(span, _kg.edtf, _lit(edtf))
    lo, hi = edtf_bounds(edtf) or (None, None)
    if lo:
        d.add(span, _crm.P82a_begin_of_the_begin, (lo.isoformat(), "", _xsd.date))
    if hi:
        d.add(span, _crm.P82b_end_of_the_end, (hi.isoformat(), "", _xsd.date))


# --- writing -------------------------------------------------------------------------

_ALL_PREFIXES = {**{k: str(v) for k, v in PREFIXES.items()},
                 **{k: str(v) for k, v in ID_PREFIXES.items()}}
_SIMPLE_LOCAL = re.compile(r"[A-Za-z0-9_]+")


class _Writer:
    """Writes named graphs, one ``_Graph`` at a time, to open binary files by format."""

    def __init__(self, files: dict[str, IO[bytes]]):
        unknown = set(files) - set(FORMATS)
        if unknown:
            raise ValueError(f"unknown RDF format {', '.join(map(repr, sorted(unknown)))}: "
                             f"one of {', '.join(FORMATS)}")
        self.files = files
        self.union = bool(set(files) & {"turtle", "nt", "jsonld"})
        self.seen: set[bytes] = set()  # the facts the union files have, as digests
        self.block: str | None = None  # the TriG graph being written
        self.nodes = 0  # JSON-LD node objects written
        header = "".join(f"@prefix {p}: <{n}> .\n" for p, n in _ALL_PREFIXES.items()) + "\n"
        for fmt in ("turtle", "trig"):
            if fmt in files:
                files[fmt].write(header.encode("utf-8"))
        if "jsonld" in files:
            context = json.dumps({k: str(v) for k, v in PREFIXES.items()}, ensure_ascii=False)
            files["jsonld"].write(f'{{"@context": {context},\n "@graph": ['.encode("utf-8"))

    def write(self, part: _Graph) -> None:
        own, facts = part.rows()
        if not own and not facts:
            return
        files = self.files
        own_nt = "".join([f"<{s}> <{p}> {o} .\n" for s, _, p, o, _ in own])
        fact_lines = [f"<{s}> <{p}> {o} .\n" for s, _, p, o, _ in facts]
        fact_nt = "".join(fact_lines)
        new_facts, new_nt = facts, fact_nt
        if self.union and facts:  # the facts a graph written before has not stated
            seen, keep = self.seen, []
            for line in fact_lines:
                key = hashlib.blake2b(line.encode("utf-8"), digest_size=16).digest()
                keep.append(key not in seen)
                seen.add(key)
            if not all(keep):
                new_facts = [row for row, k in zip(facts, keep) if k]
                new_nt = "".join([line for line, k in zip(fact_lines, keep) if k])
        own_ttl = _turtle(own_nt) if "turtle" in files or "trig" in files else b""
        fact_ttl = _turtle(fact_nt) if "trig" in files else b""
        if "trig" in files:
            if part.iri != self.block:
                if self.block is not None:
                    files["trig"].write(b"}\n")
                self.block = part.iri
                files["trig"].write(f"{_short(part.iri)} {{\n".encode("utf-8"))
            files["trig"].write(own_ttl + fact_ttl)
        if "nquads" in files:
            data = _nquad_lines(part.iri, own, facts)
            by_graph = getattr(files["nquads"], "write_graph", None)  # kg.store.StoreWriter
            if by_graph is not None:
                by_graph(part.iri, data)
            else:
                files["nquads"].write(data)
        if "turtle" in files:
            files["turtle"].write(own_ttl + (fact_ttl if new_facts is facts and fact_ttl
                                             else _turtle(new_nt)))
        if "nt" in files:
            files["nt"].write((own_nt + new_nt).encode("utf-8"))
        if "jsonld" in files:
            self._jsonld(own)
            self._jsonld(new_facts)

    def close(self) -> None:
        if "trig" in self.files and self.block is not None:
            self.files["trig"].write(b"}\n")
        if "jsonld" in self.files:
            self.files["jsonld"].write(b"\n ]}\n")

    def _jsonld(self, rows: list[tuple]) -> None:
        """Flattened JSON-LD: a node object per subject, keys as prefixed names, one a
        line; written as ``json.dumps(node, ensure_ascii=False)`` writes it."""
        if not rows:
            return
        nodes = _jsonld_nodes(rows)
        text = ",\n  ".join(nodes)
        self.files["jsonld"].write(((",\n  " if self.nodes else "\n  ") + text).encode("utf-8"))
        self.nodes += len(nodes)


def _jsonld_nodes(rows: list[tuple]) -> list[str]:
    """The node objects of sorted rows (``_rows``), as JSON text: the strings written by
    json's C escaper, the rest from fragments made once per predicate, language and type."""
    nodes = []
    parts: list[str] = []
    subject = predicate = None
    for s, _, p, _, o in rows:
        if s != subject:
            if parts:
                parts.append("]}")
                nodes.append("".join(parts))
            parts = ['{"@id": ', _json(s)]
            subject, predicate = s, None
        if p != predicate:
            parts.append(_json_key(p) if predicate is None else "]" + _json_key(p))
            predicate = p
        else:
            parts.append(", ")
        if type(o) is tuple:
            value, language, datatype = o
            parts.append('{"@value": ' + _json(value) + (_json_language(language) if language else
                                                        _json_datatype(datatype) if datatype else "}"))
        elif p == _TYPE:
            parts.append(_json_type(o))
        else:
            parts.append('{"@id": ' + _json(o) + "}")
    parts.append("]}")
    nodes.append("".join(parts))
    return nodes


_json = json.encoder.encode_basestring  # a JSON string, as json.dumps(ensure_ascii=False)


@lru_cache(maxsize=1024)
def _json_key(p: str) -> str:
    return f', {_json("@type" if p == _TYPE else _compact(p))}: ['


@lru_cache(maxsize=1024)
def _json_type(iri: str) -> str:
    return _json(_compact(iri))


@lru_cache(maxsize=256)
def _json_language(language: str) -> str:
    return f', "@language": {_json(language)}}}'


@lru_cache(maxsize=256)
def _json_datatype(datatype: str) -> str:
    return f', "@type": {_json(_compact(datatype))}}}'


_TURTLE_PREFIXES_HEADER: list[bytes] = []


def _turtle(nt: str) -> bytes:
    """Statements in N-Triples as Turtle by pyoxigraph's serialiser, without the
    ``@prefix`` lines (the file has them once, at the top)."""
    if not nt:
        return b""
    body = ox.serialize(ox.parse(nt.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES),
                        format=ox.RdfFormat.TURTLE, prefixes=_ALL_PREFIXES)
    if not _TURTLE_PREFIXES_HEADER:  # pyoxigraph writes every prefix, in its own order
        lines = body.split(b"\n")
        k = next(i for i, line in enumerate(lines) if not line.startswith(b"@prefix "))
        _TURTLE_PREFIXES_HEADER.append(b"".join(line + b"\n" for line in lines[:k]))
    header = _TURTLE_PREFIXES_HEADER[0]
    if not body.startswith(header):
        raise AssertionError("pyoxigraph wrote other @prefix lines than before")
    return body[len(header):]


def _short(iri: str) -> str:
    """A prefixed name for an IRI when its local part is a plain word, else ``<iri>``."""
    for prefix, namespace in _ALL_PREFIXES.items():
        if iri.startswith(namespace) and _SIMPLE_LOCAL.fullmatch(iri, len(namespace)):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


@lru_cache(maxsize=4096)
def _compact(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri
