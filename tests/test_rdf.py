"""kg.rdf: the linked data a SPARQL user expects.

Named graphs and provenance, the vocabulary, dates, places, the four serialisations
(each read back by rdflib and pyoxigraph), byte-identical output, the SHACL shapes of
data/shapes/ (passing on the sample corpus, failing on broken RDF), hostile names, and
the examples of docs/vocabulary.md.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from types import SimpleNamespace

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib import namespace as ns
from rdflib.namespace import PROV, RDF, SKOS

from conftest import CORPUS, ROOT
from kg.export import write_outputs
from kg.graph import build_graph, event_id
from kg.rdf import (BASE, CRM, ENTITIES_GRAPH, EVENT_KINDS, GEO, KG, OA, P4_HAS_TIME_SPAN, SDO,
                    VOCABULARY_GRAPH, article_graph_iri, article_iri, entity_iri,
                    event_iri, kind_iri, rdf_quads, serialize, to_dataset, to_rdf, write_rdf)
from kg.resources import read_mapping
from kg.types import (AWARD, DATE, ORG, PERSON, PLACE, UNIT, Article, Entity, Event, Extraction,
                      Mention, Relation)

SHAPES = ROOT / "data" / "shapes"
DOCS = ROOT / "docs" / "vocabulary.md"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
FORMATS = [  # file, rdflib format, pyoxigraph format
    ("graph.ttl", "turtle", ox.RdfFormat.TURTLE),
    ("graph.nt", "nt", ox.RdfFormat.N_TRIPLES),
    ("graph.jsonld", "json-ld", ox.RdfFormat.JSON_LD),
    ("graph.trig", "trig", ox.RdfFormat.TRIG),
]
SPARQL_PREFIXES = "\n".join(f"PREFIX {p}: <{n}>" for p, n in {
    "schema": "https://schema.org/", "kg": str(KG._NS), "oa": str(OA._NS), "prov": str(PROV._NS),
    "crm": str(CRM._NS), "rdf": str(RDF._NS), "skos": str(SKOS._NS), "geo": str(GEO._NS),
    "xsd": str(ns.XSD._NS)}.items())

pytestmark = pytest.mark.filterwarnings(
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning",
    "ignore:Dataset.default_context is deprecated:DeprecationWarning")


# --- a small sample with every kind of record ----------------------------------------

def extraction(text, spans, ents, source, relations=(), events=(), **meta):
    """An Extraction from (surface, label, entity id or EDTF); one sentence per line."""
    sentences, start = [], 0
    for line in text.split("\n"):
        sentences.append((start, start + len(line)))
        start += len(line) + 1
    mentions = []
    for surface, label, ref in spans:
        s = text.index(surface)
        sentence = next(x for x in sentences if x[0] <= s < x[1])
        mentions.append(Mention(s, s + len(surface), surface, label, sentence,
                                entity=None if label == DATE else ref,
                                value=ref if label == DATE else None))
    digest = hashlib.sha256((source + text).encode()).hexdigest()
    return Extraction(Article(source=source, text=text, digest=digest, **meta), tuple(mentions),
                      tuple(ents), tuple(events), tuple(relations), tuple(sentences))


OMAROV = Entity("person:кабыш_омаров", PERSON, "Кабыш Омаров", ("Омаров",), "лейтенант", "партизан")
MONGOL = Entity("unit:отряд_монгол", UNIT, "отряд «Монгол»")
RESISTANCE = Entity("org:сопротивление", ORG, "движение Сопротивления")
TOULOUSE = Entity("place:тулуза", PLACE, "Тулуза", geonames="2972315", coords=(43.60426, 1.44367))
FRANCE = Entity("place:франция", PLACE, "Франция", geonames="3017382", coords=(46.0, 2.0))
KAINAR = Entity("place:кайнар", PLACE, "Кайнар")
LEGION = Entity("award:легион", AWARD, "орден Почётного легиона")
TEXT1 = ("Кабыш Омаров родился в 1913 году в селе Кайнар.\n"
         "Летом 1943 года он бежал и вступил в отряд «Монгол» движения Сопротивления.\n"
         "19 августа 1944 года отряд освобождал Тулузу.")
TEXT2 = "Тулуза находится во Франции.\nОмаров получил орден Почётного легиона в 1939–1945 годах."


def _span(text, part):
    s = text.index(part)
    return (s, s + len(part))


BIRTH = Event("birth", (OMAROV.id,), "родиться", _span(TEXT1, TEXT1.split("\n")[0]), "1913", KAINAR.id)
ESCAPE = Event("escape", (OMAROV.id,), "бежать", _span(TEXT1, "он бежал"), "1943-22")
LIBERATION = Event("liberation", (MONGOL.id,), "освобождать", _span(TEXT1, TEXT1.split("\n")[2]),
                   "1944-08-19", TOULOUSE.id)
AWARDING = Event("award", (OMAROV.id,), "получить", _span(TEXT2, TEXT2.split("\n")[1]), "1939/1945")
MEMBER = Relation(OMAROV.id, "member_of", MONGOL.id, _span(TEXT1, "он бежал и вступил в отряд «Монгол»"),
                  "member.v1")


def sample() -> list[Extraction]:
    return [
        extraction(TEXT1, [("Кабыш Омаров", PERSON, OMAROV.id), ("1913 году", DATE, "1913"),
                           ("Кайнар", PLACE, KAINAR.id), ("Летом 1943 года", DATE, "1943-22"),
                           ("отряд «Монгол»", UNIT, MONGOL.id),
                           ("движения Сопротивления", ORG, RESISTANCE.id),
                           ("19 августа 1944 года", DATE, "1944-08-19"), ("Тулузу", PLACE, TOULOUSE.id)],
                   [OMAROV, KAINAR, MONGOL, RESISTANCE, TOULOUSE], "a.txt",
                   relations=[MEMBER, Relation(OMAROV.id, "born_in", KAINAR.id, BIRTH.evidence, "event:birth"),
                              Relation(MONGOL.id, "part_of", RESISTANCE.id, _span(TEXT1, "«Монгол» движения"))],
                   events=[BIRTH, ESCAPE, LIBERATION],
                   title="Они освобождали Европу", author="Юлия Полонская", published="2024-05-08"),
        extraction(TEXT2, [("Тулуза", PLACE, TOULOUSE.id), ("Франции", PLACE, FRANCE.id),
                           ("Омаров", PERSON, OMAROV.id), ("орден Почётного легиона", AWARD, LEGION.id)],
                   [TOULOUSE, FRANCE, OMAROV, LEGION], "https://example.org/news/1",
                   relations=[Relation(TOULOUSE.id, "located_in", FRANCE.id, _span(TEXT2, "Тулуза находится во Франции")),
                              Relation(OMAROV.id, "awarded", LEGION.id, _span(TEXT2, "Омаров получил орден Почётного легиона"))],
                   events=[AWARDING]),
    ]


@pytest.fixture(scope="module")
def small():
    g = build_graph(sample())
    return SimpleNamespace(graph=g, rdf=to_rdf(g), quads=rdf_quads(g))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("corpus")
    result, built = build([str(CORPUS)], out)
    g = built["graph"]
    return SimpleNamespace(out=out, graph=g, files=built["outputs"], extractions=result.extractions,
                           quads=rdf_quads(g))


def shapes_graph() -> rdflib.Graph:
    shapes = rdflib.Graph()
    for path in sorted(SHAPES.glob("*.ttl")):
        shapes.parse(path)
    return shapes


def validate(data: rdflib.Graph) -> tuple[bool, set[str], str]:
    """pyshacl's verdict, the constraint components and messages it reports, and its text."""
    conforms, report, text = pyshacl.validate(data, shacl_graph=shapes_graph(), inference="none")
    found = {str(o).rsplit("#", 1)[-1] for o in report.objects(None, SH.sourceConstraintComponent)}
    found |= {str(o) for o in report.objects(None, SH.resultMessage)}
    return conforms, found, text


def union_store(data: bytes, fmt=ox.RdfFormat.TRIG) -> ox.Store:
    store = ox.Store()
    store.load(data, format=fmt)
    return store


def select(store: ox.Store, query: str, **bindings) -> list[dict]:
    solutions = store.query(SPARQL_PREFIXES + "\n" + query, use_default_graph_as_union=True,
                            substitutions={ox.Variable(k): v for k, v in bindings.items()})
    names = [v.value for v in solutions.variables]
    return [{n: row[n] for n in names} for row in solutions]


# --- named graphs and provenance -----------------------------------------------------

def test_one_named_graph_per_article_beside_vocabulary_and_entities(small):
    graphs = {q[3] for q in small.quads}
    articles = [n for n, a in small.graph.nodes(data=True) if a["kind"] == "article"]
    assert graphs == {VOCABULARY_GRAPH, ENTITIES_GRAPH, *map(article_graph_iri, articles)}
    for article in articles:
        c = article_graph_iri(article)
        assert (c, PROV.wasDerivedFrom, article_iri(article), c) in small.quads
        assert (ENTITIES_GRAPH, PROV.wasDerivedFrom, article_iri(article), ENTITIES_GRAPH) in small.quads
    # what each graph holds
    person = entity_iri(OMAROV.id, PERSON)
    assert (person, SDO.name, Literal("Кабыш Омаров", lang="ru"), ENTITIES_GRAPH) in small.quads
    assert (KG.MilitaryUnit, ns.RDFS.subClassOf, SDO.Organization, VOCABULARY_GRAPH) in small.quads
    first = article_graph_iri(sample()[0].article.id)
    assert (person, SDO.memberOf, entity_iri(MONGOL.id, UNIT), first) in small.quads


def test_every_annotation_is_derived_from_the_article_of_its_graph(small):
    store = union_store(serialize(small.quads, "trig"))
    rows = list(store.query(SPARQL_PREFIXES + """
        SELECT ?g ?ann WHERE { GRAPH ?g {
            ?g prov:wasDerivedFrom ?article .
            ?ann a oa:Annotation .
            FILTER NOT EXISTS { ?ann prov:wasDerivedFrom ?article ; oa:hasTarget/oa:hasSource ?article }
        } }"""))
    assert rows == []
    assert len(list(store.query("SELECT * WHERE { ?s ?p ?o }"))) == 0  # no default graph


def test_relation_is_a_direct_triple_and_a_reified_statement(small):
    store = union_store(serialize(small.quads, "trig"))
    person, unit = entity_iri(OMAROV.id, PERSON), entity_iri(MONGOL.id, UNIT)
    assert (person, SDO.memberOf, unit) in small.rdf
    rows = select(store, """
        SELECT ?s ?o ?article ?g ?rule ?start ?end ?sentence WHERE {
            GRAPH ?g { ?s schema:memberOf ?o }
            ?st rdf:subject ?s ; rdf:predicate schema:memberOf ; rdf:object ?o ;
                prov:wasDerivedFrom ?article ; kg:rule ?rule ;
                oa:hasTarget/oa:hasSelector ?pos , ?quote .
            ?pos oa:start ?start ; oa:end ?end .
            ?quote oa:exact ?exact .
            OPTIONAL { ?quote oa:prefix ?prefix } OPTIONAL { ?quote oa:suffix ?suffix }
            BIND (CONCAT(COALESCE(?prefix, ""), ?exact, COALESCE(?suffix, "")) AS ?sentence)
        }""", s=ox.NamedNode(str(person)), o=ox.NamedNode(str(unit)))
    ex = sample()[0]
    assert len(rows) == 1
    row = rows[0]
    assert row["article"].value == str(article_iri(ex.article.id))
    assert row["g"].value == str(article_graph_iri(ex.article.id))
    assert row["rule"].value == "member.v1"
    assert (int(row["start"].value), int(row["end"].value)) == MEMBER.evidence
    assert row["sentence"].value == TEXT1.split("\n")[1]


def test_mention_annotation_selects_the_name_in_its_sentence(small):
    r = small.rdf
    ex = sample()[1]
    ann = URIRef(BASE + "mention/" + ex.article.digest[:16] + "-{}-{}".format(*_span(TEXT2, "Омаров")))
    assert set(r.objects(ann, RDF.type)) == {OA.Annotation, KG.Mention}
    assert r.value(ann, OA.hasBody) == entity_iri(OMAROV.id, PERSON)
    assert r.value(ann, OA.motivatedBy) == OA.identifying
    assert r.value(ann, PROV.wasDerivedFrom) == article_iri(ex.article.id)
    target = r.value(ann, OA.hasTarget)
    selectors = {r.value(s, RDF.type): s for s in r.objects(target, OA.hasSelector)}
    quote = selectors[OA.TextQuoteSelector]
    assert r.value(quote, OA.exact) == Literal("Омаров")
    assert r.value(quote, OA.prefix) is None  # the sentence starts with the name
    assert r.value(quote, OA.suffix) == Literal(" получил орден Почётного легиона в 1939–1945 годах.")


def test_quotes_are_the_article_text_at_their_offsets(corpus):
    """On real output: every selector's quote is the article's text at its position, and
    prefix + quote + suffix lie in the article in that order."""
    texts = {str(article_iri(ex.article.id)): ex.article.text for ex in corpus.extractions}
    store = union_store(corpus.files["graph.trig"].read_bytes())
    rows = select(store, """
        SELECT ?article ?start ?end ?exact ?prefix ?suffix WHERE {
            ?ann a oa:Annotation ; oa:hasTarget ?t .
            ?t oa:hasSource ?article ; oa:hasSelector ?p , ?q .
            ?p oa:start ?start ; oa:end ?end . ?q oa:exact ?exact .
            OPTIONAL { ?q oa:prefix ?prefix } OPTIONAL { ?q oa:suffix ?suffix }
        }""")
    assert len(rows) > 300
    for row in rows:
        text = texts[row["article"].value]
        start, end = int(row["start"].value), int(row["end"].value)
        assert text[start:end] == row["exact"].value
        prefix = row["prefix"].value if row["prefix"] else ""
        suffix = row["suffix"].value if row["suffix"] else ""
        assert text[start - len(prefix):end + len(suffix)] == prefix + row["exact"].value + suffix


# --- the vocabulary ------------------------------------------------------------------

def test_event_kinds_are_a_skos_scheme_named_by_kind(small):
    r = small.rdf
    lexicon_kinds = set(read_mapping("event_triggers").values())
    assert lexicon_kinds <= set(EVENT_KINDS)  # every kind the extractor makes has its labels
    assert (KG.eventKinds, RDF.type, SKOS.ConceptScheme) in r
    for kind in EVENT_KINDS:
        concept = kind_iri(kind)
        assert str(concept) == "https://w3id.org/kg-ww2/ns#" + kind
        assert (concept, RDF.type, SKOS.Concept) in r
        assert (concept, SKOS.inScheme, KG.eventKinds) in r
        assert {lit.language for lit in r.objects(concept, SKOS.prefLabel)} == {"ru", "en"}


def test_a_new_kind_in_the_lexicon_gets_a_concept_and_a_bad_one_is_other(caplog):
    ex = extraction("Его эвакуировали в Ташкент.", [], [OMAROV], "c.txt",
                    events=[Event("evacuation", (OMAROV.id,), "эвакуировать", (0, 27)),
                            Event('"} ; DROP ALL ; #', (OMAROV.id,), "x", (0, 3))])
    r = to_rdf(build_graph([ex]))
    new = URIRef(str(KG._NS) + "evacuation")
    assert (new, SKOS.inScheme, KG.eventKinds) in r
    assert (new, SKOS.prefLabel, Literal("evacuation", lang="en")) in r
    kinds = set(r.objects(None, KG.kind))
    assert kinds == {new, KG.other}
    assert "cannot be a kg: term" in caplog.text


def test_entity_types_and_properties(small):
    r = small.rdf
    person, unit = entity_iri(OMAROV.id, PERSON), entity_iri(MONGOL.id, UNIT)
    assert (person, KG.rank, Literal("лейтенант", lang="ru")) in r
    assert (person, SDO.jobTitle, Literal("партизан", lang="ru")) in r
    assert (person, SDO.alternateName, Literal("Омаров", lang="ru")) in r
    assert {SDO.Organization, KG.MilitaryUnit} == set(r.objects(unit, RDF.type))
    assert (unit, SDO.parentOrganization, entity_iri(RESISTANCE.id, ORG)) in r
    assert (person, SDO.award, entity_iri(LEGION.id, AWARD)) in r
    assert (entity_iri(TOULOUSE.id, PLACE), SDO.containedInPlace, entity_iri(FRANCE.id, PLACE)) in r
    assert set(r.objects(person, SDO.subjectOf)) == {article_iri(ex.article.id) for ex in sample()}


@pytest.mark.parametrize("name, lang", [
    ("Кабыш Омаров", "ru"), ("Kabysh Omarov", "ru-Latn"), ("Omarov Кабыш", "ru"), ("1-й", "ru"),
])
def test_names_are_tagged_with_their_script(name, lang):
    ex = extraction(name + ".", [(name, PERSON, "person:x")], [Entity("person:x", PERSON, name)], "d.txt")
    r = to_rdf(build_graph([ex]))
    assert r.value(entity_iri("person:x", PERSON), SDO.name) == Literal(name, lang=lang)


def test_birth_from_the_event_and_the_relation(small):
    r = small.rdf
    person = entity_iri(OMAROV.id, PERSON)
    assert r.value(person, SDO.birthDate) == Literal("1913", datatype=ns.XSD.gYear)
    assert r.value(person, SDO.birthPlace) == entity_iri(KAINAR.id, PLACE)
    assert r.value(person, SDO.deathDate) is None


def test_place_coordinates_wkt_and_geonames(small):
    r = small.rdf
    place = entity_iri(TOULOUSE.id, PLACE)
    assert r.value(place, SDO.sameAs) == URIRef("https://sws.geonames.org/2972315/")
    assert GEO.Feature in set(r.objects(place, RDF.type))
    coords = r.value(place, SDO.geo)
    assert r.value(coords, SDO.latitude) == Literal("43.60426", datatype=ns.XSD.decimal)
    assert r.value(coords, SDO.longitude) == Literal("1.44367", datatype=ns.XSD.decimal)
    wkt = r.value(r.value(place, GEO.hasGeometry), GEO.asWKT)
    assert wkt == Literal("POINT(1.44367 43.60426)", datatype=GEO.wktLiteral)  # longitude first
    kainar = entity_iri(KAINAR.id, PLACE)  # no gazetteer entry: no geometry
    assert r.value(kainar, SDO.geo) is None and r.value(kainar, SDO.sameAs) is None


def _event(ex: Extraction, ev: Event) -> URIRef:
    return event_iri(event_id(ex.article.id, ev))


@pytest.mark.parametrize("which, ev, edtf, start, end, begin, last", [
    (0, LIBERATION, "1944-08-19", ("1944-08-19", "date"), None, "1944-08-19", "1944-08-19"),
    (0, ESCAPE, "1943-22", None, None, "1943-06-01", "1943-08-31"),  # summer: no xsd value
    (0, BIRTH, "1913", ("1913", "gYear"), None, "1913-01-01", "1913-12-31"),
    (1, AWARDING, "1939/1945", ("1939", "gYear"), ("1945", "gYear"), "1939-01-01", "1945-12-31"),
])
def test_event_dates_edtf_xsd_and_crm_time_span(small, which, ev, edtf, start, end, begin, last):
    r = small.rdf
    s = _event(sample()[which], ev)
    assert r.value(s, KG.edtf) == Literal(edtf)
    for prop, value in ((SDO.startDate, start), (SDO.endDate, end)):
        expected = Literal(value[0], datatype=ns.XSD[value[1]]) if value else None
        assert r.value(s, prop) == expected
    span = r.value(s, P4_HAS_TIME_SPAN)
    assert (span, RDF.type, CRM["E52_Time-Span"]) in r
    assert r.value(span, KG.edtf) == Literal(edtf)
    assert r.value(span, CRM.P82a_begin_of_the_begin) == Literal(begin, datatype=ns.XSD.date)
    assert r.value(span, CRM.P82b_end_of_the_end) == Literal(last, datatype=ns.XSD.date)


def test_event_in_schema_org_and_cidoc_crm(small):
    r = small.rdf
    ex = sample()[0]
    s = _event(ex, LIBERATION)
    assert {SDO.Event, CRM.E5_Event} <= set(r.objects(s, RDF.type))
    assert r.value(s, KG.kind) == KG.liberation
    assert set(r.objects(s, KG.participant)) == set(r.objects(s, CRM.P11_had_participant)) == {
        entity_iri(MONGOL.id, UNIT)}
    assert r.value(s, SDO.location) == r.value(s, CRM.P7_took_place_at) == entity_iri(TOULOUSE.id, PLACE)
    assert r.value(s, PROV.wasDerivedFrom) == article_iri(ex.article.id)
    ann = r.value(None, OA.hasBody, s)
    assert r.value(ann, OA.motivatedBy) == OA.describing


def test_article_description(small):
    r = small.rdf
    first, second = (article_iri(ex.article.id) for ex in sample())
    assert (first, SDO.headline, Literal("Они освобождали Европу", lang="ru")) in r
    assert (first, SDO.author, Literal("Юлия Полонская", lang="ru")) in r
    assert r.value(first, SDO.datePublished) == Literal("2024-05-08", datatype=ns.XSD.date)
    assert r.value(first, KG.source) == Literal("a.txt") and r.value(first, SDO.url) is None
    assert r.value(second, SDO.url) == URIRef("https://example.org/news/1")
    assert r.value(first, SDO.identifier) == Literal(sample()[0].article.digest)
    assert r.value(first, SDO.inLanguage) == Literal("ru")


# --- serialisations ------------------------------------------------------------------

@pytest.mark.parametrize("name, rdflib_format, ox_format", FORMATS)
def test_every_file_parses_back_with_rdflib_and_pyoxigraph(corpus, name, rdflib_format, ox_format):
    data = corpus.files[name].read_bytes()
    from_ox = list(ox.parse(data, format=ox_format))
    if name == "graph.trig":
        expected = len(corpus.quads)
        parsed = rdflib.Dataset()
        parsed.parse(data=data, format=rdflib_format)
        from_rdflib = len(list(parsed.quads((None, None, None, None))))
        assert {q.graph_name.value for q in from_ox} == {str(q[3]) for q in corpus.quads}
    else:
        expected = len({q[:3] for q in corpus.quads})
        from_rdflib = len(rdflib.Graph().parse(data=data, format=rdflib_format))
        assert all(q.graph_name == ox.DefaultGraph() for q in from_ox)
    assert from_rdflib == len(from_ox) == expected > 1000
    assert len(union_store(data, ox_format)) == expected


def test_to_dataset_is_the_trig(small):
    d = to_dataset(small.graph)
    assert len(list(d.quads((None, None, None, None)))) == len(small.quads)
    assert {c.identifier for c in d.graphs() if len(c)} == {q[3] for q in small.quads}


def test_no_blank_nodes_so_loading_twice_adds_nothing(corpus):
    data = corpus.files["graph.trig"].read_bytes()
    assert not any(isinstance(t, rdflib.BNode) for q in corpus.quads for t in q)
    store = union_store(data)
    before = len(store)
    store.load(data, format=ox.RdfFormat.TRIG)
    assert len(store) == before


def test_jsonld_has_a_context_and_prefixed_keys(corpus):
    doc = json.loads(corpus.files["graph.jsonld"].read_text(encoding="utf-8"))
    assert doc["@context"]["schema"] == "https://schema.org/"
    assert doc["@context"]["kg"] == "https://w3id.org/kg-ww2/ns#"
    omarov = next(n for n in doc["@graph"] if n["@id"] == str(entity_iri("person:кабыш_омаров", PERSON)))
    assert omarov["@type"] == ["schema:Person"]
    assert omarov["schema:name"] == [{"@value": "Кабыш Омаров", "@language": "ru"}]


def test_turtle_and_trig_use_short_names(corpus):
    ttl = corpus.files["graph.ttl"].read_text(encoding="utf-8")
    assert "person:кабыш_омаров a schema:Person" in ttl
    trig = corpus.files["graph.trig"].read_text(encoding="utf-8")
    assert re.search(r"^graph:[0-9a-f]{16} \{$", trig, re.M)
    assert "\ngraph:entities {\n" in trig


def test_the_same_bytes_in_another_process(corpus, tmp_path):
    """Deterministic across processes (string hashing differs), so across builds and machines."""
    dump = tmp_path / "extractions.json"
    dump.write_text(json.dumps([ex.to_json() for ex in corpus.extractions], ensure_ascii=False),
                    encoding="utf-8")
    script = ("import json, sys\n"
              "from kg.types import Extraction\nfrom kg.graph import build_graph\n"
              "from kg.export import write_outputs\n"
              "exs = [Extraction.from_json(d) for d in json.load(open(sys.argv[1], encoding='utf-8'))]\n"
              "write_outputs(build_graph(exs), sys.argv[2])\n")
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = tmp_path / seed
        proc = subprocess.run([sys.executable, "-c", script, str(dump), str(out)], env=env,
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        for name, *_ in FORMATS:
            assert (out / name).read_bytes() == corpus.files[name].read_bytes(), (seed, name)


# --- SHACL ---------------------------------------------------------------------------

def test_shapes_cover_every_kind_of_node():
    shapes = shapes_graph()
    targets = set(shapes.objects(None, SH.targetClass))
    assert {SDO.Person, SDO.Place, KG.MilitaryUnit, SDO.Organization, KG.Award, SDO.Event,
            SDO.NewsArticle, OA.Annotation, KG.Mention, RDF.Statement} <= targets
    assert {p.name for p in SHAPES.glob("*.ttl")} >= {
        "persons.ttl", "places.ttl", "units.ttl", "awards.ttl", "events.ttl", "articles.ttl",
        "annotations.ttl"}


def test_shapes_pass_on_the_sample_corpus(corpus):
    data = rdflib.Graph().parse(corpus.files["graph.nt"], format="nt")
    conforms, _, text = validate(data)
    assert conforms, text


def test_shapes_pass_on_the_small_sample(small):
    conforms, _, text = validate(small.rdf)
    assert conforms, text


PERSON_IRI = entity_iri(OMAROV.id, PERSON)
PLACE_IRI = entity_iri(TOULOUSE.id, PLACE)
UNIT_IRI = entity_iri(MONGOL.id, UNIT)


def _drop(s, p):
    def f(r):
        r.remove((s(r) if callable(s) else s, p, None))
    return f


def _set(s, p, o):
    def f(r):
        s_ = s(r) if callable(s) else s
        r.remove((s_, p, None))
        r.add((s_, p, o(r) if callable(o) else o))
    return f


def _add(s, p, o):
    def f(r):
        r.add((s(r) if callable(s) else s, p, o(r) if callable(o) else o))
    return f


def _a(cls):
    """The first node of a class, as a function of the graph."""
    return lambda r: sorted(r.subjects(RDF.type, cls))[0]


def _value(s, p):
    """The value of ``p`` on ``s``, as a function of the graph."""
    return lambda r: r.value(s(r) if callable(s) else s, p)


def _liberation(r=None):
    return _event(sample()[0], LIBERATION)


# the mention of Омаров in the second article
MENTION = URIRef(BASE + "mention/" + sample()[1].article.digest[:16] + "-{}-{}".format(*_span(TEXT2, "Омаров")))
FIRST, SECOND = (article_iri(ex.article.id) for ex in sample())


BROKEN = [  # what is broken, how, what pyshacl must report
    ("person without a name", _drop(PERSON_IRI, SDO.name), "MinCountConstraintComponent"),
    ("person with two names", _add(PERSON_IRI, SDO.name, Literal("Омаров", lang="ru")),
     "MaxCountConstraintComponent"),
    ("name without a language", _set(PERSON_IRI, SDO.name, Literal("Кабыш Омаров")),
     "DatatypeConstraintComponent"),
    ("birth date as text", _set(PERSON_IRI, SDO.birthDate, Literal("в 1913 году")), "OrConstraintComponent"),
    ("member of a place", _add(PERSON_IRI, SDO.memberOf, PLACE_IRI), "ClassConstraintComponent"),
    ("person in no article", _drop(PERSON_IRI, SDO.subjectOf), "OrConstraintComponent"),
    ("WKT that is no point", _set(_value(PLACE_IRI, GEO.hasGeometry), GEO.asWKT,
                                  Literal("POINT(1.44367)", datatype=GEO.wktLiteral)),
     "PatternConstraintComponent"),
    ("latitude out of range", _set(_value(PLACE_IRI, SDO.geo), SDO.latitude,
                                   Literal("91.5", datatype=ns.XSD.decimal)),
     "MaxInclusiveConstraintComponent"),
    ("GeoNames link elsewhere", _set(PLACE_IRI, SDO.sameAs, URIRef("https://example.org/2972315")),
     "PatternConstraintComponent"),
    ("unit not an organization", lambda r: r.remove((UNIT_IRI, RDF.type, SDO.Organization)),
     "HasValueConstraintComponent"),
    ("award without a name", _drop(entity_iri(LEGION.id, AWARD), SDO.name), "MinCountConstraintComponent"),
    ("event without a kind", _drop(_liberation, KG.kind), "MinCountConstraintComponent"),
    ("event kind as text", _set(_liberation, KG.kind, Literal("liberation")), "NodeKindConstraintComponent"),
    ("event kind outside the scheme", _set(_liberation, KG.kind, URIRef(str(KG._NS) + "x")),
     "NodeConstraintComponent"),
    ("participant only in schema.org terms", _drop(_liberation, CRM.P11_had_participant),
     "EqualsConstraintComponent"),
    ("EDTF in words", _set(_liberation, KG.edtf, Literal("лето 1944")), "PatternConstraintComponent"),
    ("time-span ending before it begins", _set(_value(_liberation, P4_HAS_TIME_SPAN),
                                               CRM.P82a_begin_of_the_begin,
                                               Literal("1945-01-01", datatype=ns.XSD.date)),
     "LessThanOrEqualsConstraintComponent"),
    ("event without its evidence", lambda r: r.remove((None, OA.hasBody, _liberation())),
     "OrConstraintComponent"),  # neither evidence from an article nor a historian's curation
    ("publication date as text", _set(FIRST, SDO.datePublished, Literal("8 мая 2024")),
     "DatatypeConstraintComponent"),
    ("article without its digest", _drop(FIRST, SDO.identifier), "MinCountConstraintComponent"),
    ("selection that ends before it starts", _set(_a(OA.TextPositionSelector), OA.start,
                                                  Literal(10**6, datatype=ns.XSD.nonNegativeInteger)),
     "LessThanConstraintComponent"),
    ("quote that is not as long as its position",
     _set(_a(OA.TextQuoteSelector), OA.exact, Literal("Кабыш Омаров и другие")),
     "a quote is not as long as its position says"),
    ("annotation without a target", _drop(MENTION, OA.hasTarget), "MinCountConstraintComponent"),
    ("annotation derived from another article", _set(MENTION, PROV.wasDerivedFrom, FIRST),
     "EqualsConstraintComponent"),
    ("mention of a literal", _set(MENTION, OA.hasBody, Literal("Омаров")), "OrConstraintComponent"),
    ("statement without its triple", lambda r: r.remove((PERSON_IRI, SDO.memberOf, UNIT_IRI)),
     "a statement's triple is not in the graph"),
    ("statement of an unknown predicate", _set(_a(RDF.Statement), RDF.predicate,
                                               URIRef("https://schema.org/knows")),
     "InConstraintComponent"),
]


@pytest.mark.parametrize("what, breaks, reported", BROKEN, ids=[b[0] for b in BROKEN])
def test_shapes_reject_broken_rdf(small, what, breaks, reported):
    broken = rdflib.Graph()
    for t in small.rdf:
        broken.add(t)
    breaks(broken)
    assert len(broken) != len(small.rdf) or set(broken) != set(small.rdf), "nothing was broken"
    conforms, found, text = validate(broken)
    assert not conforms, what
    assert reported in found, text


# --- hostile names -------------------------------------------------------------------

HOSTILE = ['"} ; DROP ALL ; #', "a/b c", "<script>alert(1)</script>", "..", "x.", "~x", "-",
           "Кабыш {Омаров}\\ `x` |y| ^z", "line\nbreak\ttab 'single' \"double\"", "@base <x> .",
           "\u200bzero width", "эмодзи 🎖️", "x#y?z=1&w", "%41", "a:b", "_:b0", "x²", "]]>",
           "\\u0022", "SELECT * WHERE { ?s ?p ?o }"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_everywhere(name, tmp_path):
    """A hostile string as every id, name, alias, title, rank, role and trigger: every IRI
    is valid, every file parses back the same with both libraries, the shapes pass."""
    text = f"{name} служил в {name}, родился в {name}."
    person = Entity("person:" + name, PERSON, name, (name + " 2",), name, name)
    unit = Entity(name, UNIT, name)  # no label prefix
    place = Entity("place:" + name, PLACE, name, geonames="1526384", coords=(43.25, 76.91))
    ents = [person, unit, place]
    n = len(name)
    ex = extraction(text, [(name, PERSON, person.id)], ents, name, title=name, author=name,
                    relations=[Relation(person.id, "member_of", unit.id, (0, len(text)), name)],
                    events=[Event("birth", (person.id,), name, (0, len(text)), "1913", place.id)])
    assert ex.mentions[0].start == 0 and ex.mentions[0].end == n
    g = build_graph([ex])
    files = write_outputs(g, tmp_path)
    quads = rdf_quads(g)
    for q in quads:
        for term in q:
            if isinstance(term, URIRef):
                ox.NamedNode(str(term))  # pyoxigraph checks IRI syntax strictly
                assert not re.search(r"[\s\"<>{}|\\^`]", str(term)), term
    iris = {entity_iri(e.id, e.label) for e in ents}
    assert len(iris) == 3
    for file, rdflib_format, ox_format in FORMATS:
        data = files[file].read_bytes()
        expected = len(quads) if file == "graph.trig" else len({q[:3] for q in quads})
        assert len(list(ox.parse(data, format=ox_format))) == expected, file
        if file == "graph.trig":
            d = rdflib.Dataset()
            d.parse(data=data, format=rdflib_format)
            assert len(list(d.quads((None, None, None, None)))) == expected, file
        else:
            parsed = rdflib.Graph().parse(data=data, format=rdflib_format)
            assert len(parsed) == expected, file
            assert str(parsed.value(entity_iri(person.id, PERSON), SDO.name)) == name, file
    conforms, _, report = validate(to_rdf(g))
    assert conforms, report


@pytest.mark.parametrize("entity_id, label, iri", [
    ("person:кабыш_омаров", PERSON, "person/кабыш_омаров"),
    ('unit:"} ; DROP ALL ; #', UNIT, "unit/%22%7D%20%3B%20DROP%20ALL%20%3B%20%23"),
    ("place:с.", PLACE, "place/с%2E"),
    ("place:..", PLACE, "place/%2E%2E"),
    ("place:a.b", PLACE, "place/a.b"),
    ("x", PERSON, "person/~x"),
    ("person:~x", PERSON, "person/%7Ex"),
    ("award:орден_ленина", AWARD, "award/орден_ленина"),
])
def test_iris_are_a_function_of_the_id(entity_id, label, iri):
    assert str(entity_iri(entity_id, label)) == BASE + iri


# --- docs/vocabulary.md --------------------------------------------------------------

def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)


def test_docs_turtle_examples_parse():
    blocks = _blocks("turtle")
    assert blocks
    for block in blocks:
        assert len(rdflib.Graph().parse(data=block, format="turtle")) > 0


def test_docs_worked_example_is_real_output(corpus):
    """The worked example's triples are all in the build of the sample corpus."""
    union = {q[:3] for q in corpus.quads}
    example = rdflib.Graph().parse(data=_blocks("turtle")[0], format="turtle")
    missing = [t for t in example if t not in union]
    assert not missing, missing[:5]


def test_docs_sparql_examples_answer(corpus):
    store = union_store(corpus.files["graph.trig"].read_bytes())
    queries = _blocks("sparql")
    assert len(queries) >= 5
    for query in queries:
        rows = list(store.query(query, use_default_graph_as_union=True))
        assert rows, query


# --- the streaming writer (kg.rdf.write_rdf) ---------------------------------------------

WRITE_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                 "jsonld": ox.RdfFormat.JSON_LD, "trig": ox.RdfFormat.TRIG,
                 "nquads": ox.RdfFormat.N_QUADS}


def written(g, formats=tuple(WRITE_FORMATS)) -> dict[str, bytes]:
    import io

    files = {fmt: io.BytesIO() for fmt in formats}
    write_rdf(g, files)
    return {fmt: f.getvalue() for fmt, f in files.items()}


def parsed(data: bytes, fmt: str) -> set[tuple[str, ...]]:
    """Statements as N-Triples/N-Quads strings of their terms, by pyoxigraph."""
    out = [tuple(str(t) for t in q) for q in ox.parse(data, format=WRITE_FORMATS[fmt])]
    assert len(out) == len(set(out)), f"{fmt}: a statement twice"
    return set(out)


def expected(quads, union: bool) -> set[tuple[str, ...]]:
    """rdf_quads as pyoxigraph's strings, term by term (not through kg.rdf's writer)."""
    def term(t):
        if isinstance(t, Literal):
            if t.language:
                return ox.Literal(str(t), language=t.language)
            return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)) if t.datatype else None)
        return ox.NamedNode(str(t))

    out = {tuple(str(term(t)) for t in q) for q in quads}
    return {q[:3] for q in out} if union else out


def test_write_rdf_says_what_rdf_quads_says_in_every_format(small):
    files = written(small.graph)
    dataset, union = expected(small.quads, False), expected(small.quads, True)
    assert len(dataset) == len(small.quads)
    for fmt in WRITE_FORMATS:
        want = dataset if fmt in ("trig", "nquads") else union
        got = parsed(files[fmt], fmt)
        if fmt not in ("trig", "nquads"):
            got = {q[:3] for q in got}
        assert got == want, fmt
    json.loads(files["jsonld"])


def test_a_fact_several_graphs_state_is_in_each_graph_and_once_in_the_union():
    """The same relation from two articles: in both article graphs of the TriG, once in
    Turtle, N-Triples and JSON-LD."""
    text = "Кабыш Омаров служил в отряде «Монгол»."
    member = Relation(OMAROV.id, "member_of", MONGOL.id, (0, len(text)), "member.v1")
    exs = [extraction(text, [("Кабыш Омаров", PERSON, OMAROV.id), ("отряде «Монгол»", UNIT, MONGOL.id)],
                      [OMAROV, MONGOL], source, relations=[member]) for source in ("a.txt", "b.txt")]
    g = build_graph(exs)
    files = written(g)
    fact = (f"<{entity_iri(OMAROV.id, PERSON)}>", f"<{SDO.memberOf}>", f"<{entity_iri(MONGOL.id, UNIT)}>")
    graphs = [q[3] for q in parsed(files["trig"], "trig") if q[:3] == fact]
    assert sorted(graphs) == sorted(f"<{article_graph_iri(ex.article.id)}>" for ex in exs)
    for fmt in ("turtle", "nt", "jsonld"):
        assert sum(q[:3] == fact for q in parsed(files[fmt], fmt)) == 1, fmt
    assert files["nt"].decode().count(" ".join(fact) + " .\n") == 1


def test_the_entities_graph_in_batches_is_one_graph(small, monkeypatch):
    from kg import rdf

    whole = written(small.graph)
    monkeypatch.setattr(rdf._Plan, "ENTITIES_BATCH", 3)
    batched = written(small.graph)
    for fmt in WRITE_FORMATS:
        assert parsed(batched[fmt], fmt) == parsed(whole[fmt], fmt), fmt
    trig = batched["trig"].decode()
    assert trig.count("\ngraph:entities {\n") == 1  # one block, made of several parts


def test_write_rdf_streams_a_graph_at_a_time(small):
    """The files get their bytes graph by graph, never the whole dataset in one write."""
    class Counting:
        def __init__(self):
            self.writes, self.size, self.largest = 0, 0, 0

        def write(self, data: bytes) -> None:
            self.writes += 1
            self.size += len(data)
            self.largest = max(self.largest, len(data))

    files = {fmt: Counting() for fmt in WRITE_FORMATS}
    write_rdf(small.graph, files)
    graphs = len({q[3] for q in small.quads})
    for fmt, f in files.items():
        assert f.writes >= graphs and f.largest < f.size / 2, fmt


def test_write_rdf_is_deterministic_and_the_same_whatever_the_formats(small):
    both = written(small.graph)
    assert written(small.graph) == both
    for fmt in WRITE_FORMATS:
        assert written(small.graph, (fmt,))[fmt] == both[fmt], fmt


def test_serialize_of_nothing_parses():
    for fmt in WRITE_FORMATS:
        data = serialize([], fmt)
        assert list(ox.parse(data, format=WRITE_FORMATS[fmt])) == [], fmt
    assert json.loads(serialize([], "jsonld"))["@graph"] == []
    with pytest.raises(ValueError):
        serialize([], "rdfxml")


def test_jsonld_values_are_json_escaped():
    hostile = 'a "quoted" \\ back\nslash\ttab \x00\x1f \u2028 «ёлка» 🎖️'
    quads = [(entity_iri("person:x", PERSON), SDO.name, Literal(hostile, lang="ru-Latn"), ENTITIES_GRAPH),
             (entity_iri("person:x", PERSON), KG.edtf, Literal(hostile), ENTITIES_GRAPH),
             (entity_iri("person:x", PERSON), SDO.birthDate, Literal("1913", datatype=ns.XSD.gYear),
              ENTITIES_GRAPH)]
    doc = json.loads(serialize(quads, "jsonld"))
    [node] = doc["@graph"]
    assert node["schema:name"] == [{"@value": hostile, "@language": "ru-Latn"}]
    assert node["kg:edtf"] == [{"@value": hostile}]
    assert node["schema:birthDate"] == [{"@value": "1913", "@type": "xsd:gYear"}]
    for fmt in WRITE_FORMATS:
        values = {q.object.value for q in ox.parse(serialize(quads, fmt), format=WRITE_FORMATS[fmt])}
        assert values == {hostile, "1913"}, fmt


@given(st.text(max_size=30))
@settings(max_examples=500, deadline=None)
@example("a.")
@example("..")
@example("~x")
@example("a b/c")
@example("ё")
@example("е\u0308")
@example("x\u00b2")
def test_slug_keeps_plain_ids_as_they_are(text):
    """_slug's shortcut (an id of letters, digits, "_", "-", "." is kept) gives what the
    character-by-character rule gives."""
    from urllib.parse import quote

    from kg.rdf import _slug

    out = "".join(ch if ch.isalnum() or ch in "_-." else quote(ch, safe="").replace("~", "%7E")
                  for ch in text)
    kept = out.rstrip(".")
    assert _slug(text) == kept + "%2E" * (len(out) - len(kept))


def test_the_mapping_module_does_not_import_spacy():
    code = "import sys, kg.rdf, kg.export; print(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'natasha', 'torch')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=ROOT)
    assert done.stdout.strip() == "[]"


# --- parts of the dataset (graph_nquads, entity_nquads...), for an incremental update ----

CURATION = """\
- rename: person:кабыш_омаров
  name: Кабыш Омарович Омаров
  who: Дина Ахметова
- add_entity: {id: person:ашимбек_истыбаев, label: PERSON, name: Ашимбек Истыбаев, rank: сержант}
- add_relation: {subject: person:кабыш_омаров, predicate: awarded, object: award:легион}
  citation: {reference: "ЦАМО, ф. 33, оп. 686044, д. 123", note: наградной лист}
- add_event: {kind: reburial, participants: [person:кабыш_омаров], date: "1965", place: place:тулуза}
  citation: {note: перезахоронение в Тулузе}
- reject: place:кайнар
"""


def by_graph(g) -> dict[str, bytes]:
    """What write_rdf gives kg.store.StoreWriter: the N-Quads of each named graph."""
    class Graphs(dict):
        def write_graph(self, iri: str, data: bytes) -> None:
            self[iri] = self.get(iri, b"") + data

        def write(self, data: bytes) -> None:
            raise AssertionError("write_rdf gives the store its quads a named graph at a time")

    out = Graphs()
    write_rdf(g, {"nquads": out})
    return out


def curated():
    from kg.curate import apply_curation, parse_curation

    g = build_graph(sample())
    report = apply_curation(g, parse_curation(CURATION, "curation.yaml"))
    assert report.applied == 5 and not report.unmatched
    return g


@pytest.mark.parametrize("which", ["small", "corpus", "curated"])
def test_the_parts_of_the_dataset_are_what_write_rdf_writes(which, request):
    """Each article's graph from its neighbourhood, the same bytes as the full write; the
    entities, vocabulary and curation graphs from their parts, the same lines."""
    from kg.rdf import (CURATION_GRAPH, curation_nquads, entity_nquads, graph_nquads,
                        vocabulary_nquads)

    g = curated() if which == "curated" else request.getfixturevalue(which).graph
    full = by_graph(g)
    articles = [n for n, a in g.nodes(data=True) if a["kind"] == "article"]
    graphs = graph_nquads(g, articles)
    assert graphs == {iri: data for iri, data in full.items() if iri in graphs}
    assert set(full) - set(graphs) <= {str(VOCABULARY_GRAPH), str(ENTITIES_GRAPH), str(CURATION_GRAPH)}
    entities = entity_nquads(g, list(g.nodes), articles)  # articles and events: no description there
    kinds = {a.get("event_kind") for _, a in g.nodes(data=True) if a["kind"] == "event"}
    assert set(entities.splitlines()) == set(full[str(ENTITIES_GRAPH)].splitlines())
    assert vocabulary_nquads(kinds) == full[str(VOCABULARY_GRAPH)]
    assert curation_nquads(g) == full.get(str(CURATION_GRAPH), b"")
    assert (which == "curated") == bool(curation_nquads(g))
    pieces = b"".join([*graphs.values(), entities, vocabulary_nquads(kinds), curation_nquads(g)])
    whole = written(g, ("nquads",))["nquads"]
    assert set(pieces.splitlines()) == set(whole.splitlines())


@pytest.mark.parametrize("ids, lines", [
    (["article:gone"], {"graph/gone": 0}),  # no longer in the graph: the graph is to go
    ([], {}),
])
def test_graph_nquads_of_articles_not_in_the_graph(small, ids, lines):
    from kg.rdf import graph_nquads

    got = graph_nquads(small.graph, ids)
    assert {iri.removeprefix(BASE): data.count(b"\n") for iri, data in got.items()} == lines


def test_graph_nquads_refuses_what_is_no_article(small):
    from kg.rdf import graph_nquads

    with pytest.raises(ValueError, match="person:кабыш_омаров is a node of kind 'entity'"):
        graph_nquads(small.graph, [OMAROV.id])


@pytest.mark.parametrize("ids, subjects", [
    ([OMAROV.id], {"person/кабыш_омаров"}),
    ([TOULOUSE.id], {"place/тулуза", "place/тулуза#coordinates", "place/тулуза#geometry"}),
    ([OMAROV.id, "person:нет"], {"person/кабыш_омаров"}),  # absent: nothing
    ([event_id(sample()[0].article.id, BIRTH)], set()),  # an article's event is in its graph
    ([sample()[0].article.id], set()),  # an article is no entity
])
def test_entity_nquads_describes_the_entities_asked_for(small, ids, subjects):
    from kg.rdf import entity_nquads

    got = {q.subject.value.removeprefix(BASE)
           for q in ox.parse(entity_nquads(small.graph, ids), format=ox.RdfFormat.N_QUADS)}
    assert got == subjects


def test_entity_nquads_with_the_articles_the_entities_graph_is_derived_from(small):
    from kg.rdf import entity_nquads

    article = sample()[1].article.id
    rows = list(ox.parse(entity_nquads(small.graph, [], [article, "article:gone"]),
                         format=ox.RdfFormat.N_QUADS))
    assert [(q.subject.value, q.predicate.value, q.object.value, q.graph_name.value) for q in rows] == [
        (str(ENTITIES_GRAPH), str(PROV.wasDerivedFrom), str(article_iri(article)), str(ENTITIES_GRAPH))]


@pytest.mark.parametrize("old, new, remove, add", [
    (b"", b"", b"", b""),
    (b"a\nb\n", b"b\na\n", b"", b""),  # the same lines in another order: nothing changes
    (b"a\nb\n", b"b\nc\n", b"a\n", b"c\n"),
    (b"b\na\n", b"", b"a\nb\n", b""),
])
def test_nquads_diff(old, new, remove, add):
    from kg.rdf import nquads_diff

    assert nquads_diff(old, new) == (remove, add)
