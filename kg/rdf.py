"""Map the knowledge graph (``kg.graph``) to RDF: schema.org first, a small ``kg:`` vocabulary
for what schema.org lacks, W3C Web Annotations for mentions, CIDOC-CRM for events.

This module alone knows both the graph's attributes and the vocabularies.

Shape, for one mention of a person in one article (``id:`` stands for ``BASE``)::

    id:person/кабыш_омаров a schema:Person ;
        schema:name "Кабыш Омаров"@ru ; schema:alternateName "Омаров"@ru ;
        kg:rank "рядовой"@ru ; schema:jobTitle "партизан"@ru ;
        schema:subjectOf id:article/<digest16> .
    id:article/<digest16> a schema:NewsArticle ; schema:headline "…"@ru ;
        schema:author "…"@ru ; schema:datePublished "2024-05-08"^^xsd:date ;
        kg:source "a.txt" ; schema:identifier "<sha256>" .
    id:mention/<digest16>/0-12 a oa:Annotation, kg:Mention ;
        oa:motivatedBy oa:identifying ; oa:hasBody id:person/кабыш_омаров ;
        oa:hasTarget [ oa:hasSource id:article/<digest16> ;
            oa:hasSelector [ a oa:TextPositionSelector ; oa:start 0 ; oa:end 12 ] ,
                           [ a oa:TextQuoteSelector ; oa:exact "Кабыш Омаров"@ru ] ] .

Relations become direct triples (see ``PREDICATES``); co-occurrences are left out.
Events are ``schema:Event`` and ``crm:E5_Event`` with ``kg:kind``, participants
(``kg:participant``, ``crm:P11_had_participant``), place (``schema:location``,
``crm:P7_took_place_at``), the EDTF date as ``kg:edtf`` and, when it is a plain
date, month or year, as a typed ``schema:startDate``.

IRIs are derived from ids only, so they are stable across runs and the same entity
from two articles has one IRI; any character that is not a letter, digit, ``_``, ``-``
or ``.`` is percent-encoded, so no name can break an IRI; an id without the usual
``label:`` prefix gets a ``~`` mark so that it cannot take another entity's IRI:

>>> str(entity_iri("person:кабыш_омаров", "PERSON"))
'https://w3id.org/kg-ww2/id/person/кабыш_омаров'
>>> str(entity_iri('unit:"} ; DROP ALL ; #', "UNIT"))
'https://w3id.org/kg-ww2/id/unit/%22%7D%20%3B%20DROP%20ALL%20%3B%20%23'
>>> str(entity_iri("a/b c", "PLACE"))
'https://w3id.org/kg-ww2/id/place/~a%2Fb%20c'
"""
from __future__ import annotations

import hashlib
import logging
import re
from datetime import date
from urllib.parse import quote

import networkx as nx
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns
from rdflib.namespace import RDF, RDFS

from .types import AWARD, ORG, PERSON, PLACE, UNIT

log = logging.getLogger(__name__)

BASE = "https://w3id.org/kg-ww2/id/"
LANG = "ru"


class KG(ns.DefinedNamespace):
    """The project's own terms, for what schema.org has no word for."""

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


class OA(ns.DefinedNamespace):
    """W3C Web Annotation terms used here."""

    _NS = Namespace("http://www.w3.org/ns/oa#")
    _fail = True

    Annotation: URIRef
    TextPositionSelector: URIRef
    TextQuoteSelector: URIRef
    hasBody: URIRef
    hasTarget: URIRef
    hasSource: URIRef
    hasSelector: URIRef
    motivatedBy: URIRef
    identifying: URIRef
    start: URIRef
    end: URIRef
    exact: URIRef


class CRM(ns.DefinedNamespace):
    """CIDOC-CRM terms used here."""

    _NS = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
    _fail = True

    E5_Event: URIRef
    P11_had_participant: URIRef
    P7_took_place_at: URIRef


CLASSES = {PERSON: ns.SDO.Person, PLACE: ns.SDO.Place, ORG: ns.SDO.Organization,
           UNIT: KG.MilitaryUnit, AWARD: KG.Award}

PREDICATES = {
    "member_of": ns.SDO.memberOf,
    "commanded": KG.commanded,
    "part_of": ns.SDO.parentOrganization,
    "located_in": ns.SDO.location,  # schema:containedInPlace when the subject is a place
    "born_in": ns.SDO.birthPlace,
    "died_in": ns.SDO.deathPlace,
    "buried_in": KG.burialPlace,
    "awarded": ns.SDO.award,
    "relative_of": ns.SDO.relatedTo,
}

# co-occurrence is a reading aid, not a claim; events carry their own links
_NOT_MAPPED = {"co_occurs", "participant_in", "took_place_at"}

PREFIXES = {"schema": ns.SDO._NS, "kg": KG._NS, "oa": OA._NS, "crm": CRM._NS,
            "xsd": ns.XSD._NS, "rdfs": RDFS._NS}

# EDTF values that are also plain XSD dates, with their datatype
_XSD_DATES = ((re.compile(r"\d{4}-\d{2}-\d{2}"), ns.XSD.date),
              (re.compile(r"\d{4}-(0[1-9]|1[0-2])"), ns.XSD.gYearMonth),
              (re.compile(r"\d{4}"), ns.XSD.gYear))


def to_rdf(g: nx.MultiDiGraph) -> Graph:
    """The RDF graph of a ``kg.graph`` graph, with the prefixes bound.

    >>> from kg.graph import build_graph
    >>> from kg.types import Article, Mention, Entity, Extraction, PERSON
    >>> art = Article(source="a.txt", text="Кабыш Омаров.", digest="ab" * 32, title="Т")
    >>> m = Mention(0, 12, "Кабыш Омаров", PERSON, (0, 13), "person:о")
    >>> ex = Extraction(art, mentions=(m,), entities=(Entity("person:о", PERSON, "Кабыш Омаров"),))
    >>> r = to_rdf(build_graph([ex]))
    >>> (entity_iri("person:о", PERSON), RDF.type, ns.SDO.Person) in r
    True
    >>> len(list(r.subjects(RDF.type, OA.Annotation)))
    1
    """
    r = Graph()
    for prefix, namespace in PREFIXES.items():
        r.bind(prefix, namespace, override=True)
    r.add((KG.MilitaryUnit, RDFS.subClassOf, ns.SDO.Organization))
    r.add((KG.Award, RDF.type, RDFS.Class))
    for node, a in g.nodes(data=True):
        kind = a.get("kind")
        if kind == "article":
            _add_article(r, node, a)
        elif kind == "entity":
            _add_entity(r, node, a)
        elif kind == "event":
            _add_event(r, g, node, a)
    unmapped = set()
    for u, v, a in g.edges(data=True):
        rel = a.get("relation")
        if rel == "mentions":
            _add_mention(r, g, u, v, a)
        elif rel in PREDICATES:
            _add_relation(r, g, u, v, rel)
        elif rel not in _NOT_MAPPED:
            unmapped.add(rel)
    if unmapped:
        log.warning("relations with no RDF mapping left out: %s",
                    ", ".join(sorted(map(str, unmapped))))
    return r


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


def event_iri(event_id: str) -> URIRef:
    return URIRef(BASE + "event/" + _slug(event_id.removeprefix("event:")))


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


def _real_day(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _slug(text: str) -> str:
    # quote() would keep "~", which entity_iri reserves as a marker
    out = "".join(ch if ch.isalnum() or ch in "_-." else quote(ch, safe="").replace("~", "%7E")
                  for ch in text)
    if out and not out.strip("."):
        out = out.replace(".", "%2E")  # "." and ".." are path steps, not names
    return out


def _text(value: str | None) -> Literal | None:
    return Literal(value, lang=LANG) if value else None


def _add(r: Graph, s, p, o) -> None:
    if o is not None:
        r.add((s, p, o))


def _add_article(r: Graph, node: str, a: dict) -> None:
    s = article_iri(node)
    r.add((s, RDF.type, ns.SDO.NewsArticle))
    _add(r, s, ns.SDO.headline, _text(a.get("title")))
    _add(r, s, ns.SDO.author, _text(a.get("author")))
    published = a.get("published")
    if published:
        r.add((s, ns.SDO.datePublished, xsd_date(published) or Literal(published)))
    _add(r, s, KG.source, Literal(a["source"]) if a.get("source") else None)
    _add(r, s, ns.SDO.identifier, Literal(a["digest"]) if a.get("digest") else None)


def _add_entity(r: Graph, node: str, a: dict) -> None:
    s = entity_iri(node, a["label"])
    r.add((s, RDF.type, CLASSES.get(a["label"], ns.SDO.Thing)))
    _add(r, s, ns.SDO.name, _text(a.get("name")))
    for alias in a.get("aliases", ()):
        _add(r, s, ns.SDO.alternateName, _text(alias))
    _add(r, s, KG.rank, _text(a.get("rank")))
    _add(r, s, ns.SDO.jobTitle, _text(a.get("role")))
    for article in a.get("articles", ()):
        r.add((s, ns.SDO.subjectOf, article_iri(article)))


def _iri(g: nx.MultiDiGraph, node: str) -> URIRef:
    a = g.nodes[node]
    if a.get("kind") == "article":
        return article_iri(node)
    if a.get("kind") == "event":
        return event_iri(node)
    return entity_iri(node, a["label"])


def _add_mention(r: Graph, g: nx.MultiDiGraph, article: str, entity: str, a: dict) -> None:
    source = article_iri(article)
    ann = URIRef(BASE + "mention/" + _slug(article.removeprefix("article:"))
                 + f"/{a['start']}-{a['end']}")
    # labels derived from the annotation keep the files byte-identical across runs
    tag = hashlib.sha256(ann.encode("utf-8")).hexdigest()[:20]
    target, position, quote_ = (BNode(f"m{tag}{part}") for part in ("t", "p", "q"))
    r.add((ann, RDF.type, OA.Annotation))
    r.add((ann, RDF.type, KG.Mention))
    r.add((ann, OA.motivatedBy, OA.identifying))
    r.add((ann, OA.hasBody, _iri(g, entity)))
    r.add((ann, OA.hasTarget, target))
    r.add((target, OA.hasSource, source))
    r.add((target, OA.hasSelector, position))
    r.add((target, OA.hasSelector, quote_))
    # Web Annotation positions count code points, as Python string offsets do
    r.add((position, RDF.type, OA.TextPositionSelector))
    r.add((position, OA.start, Literal(a["start"], datatype=ns.XSD.nonNegativeInteger)))
    r.add((position, OA.end, Literal(a["end"], datatype=ns.XSD.nonNegativeInteger)))
    r.add((quote_, RDF.type, OA.TextQuoteSelector))
    r.add((quote_, OA.exact, Literal(a["text"], lang=LANG)))


def _add_relation(r: Graph, g: nx.MultiDiGraph, u: str, v: str, predicate: str) -> None:
    p = PREDICATES[predicate]
    if predicate == "located_in" and g.nodes[u].get("label") == PLACE:
        p = ns.SDO.containedInPlace
    r.add((_iri(g, u), p, _iri(g, v)))


def _add_event(r: Graph, g: nx.MultiDiGraph, node: str, a: dict) -> None:
    s = event_iri(node)
    r.add((s, RDF.type, ns.SDO.Event))
    r.add((s, RDF.type, CRM.E5_Event))
    _add(r, s, KG.kind, Literal(a["event_kind"]) if a.get("event_kind") else None)
    for p in a.get("participants", ()):
        r.add((s, KG.participant, _iri(g, p)))
        r.add((s, CRM.P11_had_participant, _iri(g, p)))
    if a.get("place"):
        r.add((s, ns.SDO.location, _iri(g, a["place"])))
        r.add((s, CRM.P7_took_place_at, _iri(g, a["place"])))
    _add(r, s, KG.edtf, Literal(a["date"]) if a.get("date") else None)
    _add(r, s, ns.SDO.startDate, xsd_date(a.get("date")))
    _add(r, s, ns.SDO.description, _text(a.get("sentence")))
    if a.get("article"):
        r.add((s, ns.SDO.subjectOf, article_iri(a["article"])))
