"""kg.rdf and kg.export: the eight files, RDF that parses back, safe IRIs, atomic writes.

The RDF design itself (named graphs, provenance, vocabulary, SHACL) is tested in test_rdf.py.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import re

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib import namespace as ns
from rdflib.namespace import RDF

from kg import export
from kg.export import ENTITY_COLUMNS, RELATION_COLUMNS, atomic_open, atomic_write, write_outputs
from kg.graph import build_graph, event_id
from kg.rdf import BASE, CRM, KG, OA, article_iri, entity_iri, to_rdf, xsd_date
from kg.types import (AWARD, DATE, PERSON, PLACE, UNIT, Article, Entity, Event, Extraction,
                      Mention, Relation)

FILES = {"graph.ttl", "graph.nt", "graph.jsonld", "graph.trig", "graph.graphml", "entities.csv",
         "relations.csv", "graph.html"}
RDF_FORMATS = [  # file, rdflib format, pyoxigraph format
    ("graph.ttl", "turtle", ox.RdfFormat.TURTLE),
    ("graph.nt", "nt", ox.RdfFormat.N_TRIPLES),
    ("graph.jsonld", "json-ld", ox.RdfFormat.JSON_LD),
]
HOSTILE = ['"} ; DROP ALL ; #', "a/b c", "<script>", "..", "Кабыш {Омаров}\\ `x` |y| ^z",
           "line\nbreak\ttab 'single' \"double\"", "~x", ".hidden", "-", "@base <x> .",
           "\u200bzero width", "эмодзи 🎖️", "x#y?z=1&w", "%41", "a:b", "_:b0"]


def extraction(text, spans, ents=(), source="a.txt", relations=(), events=(), **meta):
    """An Extraction from (surface, label, entity id or EDTF) triples; one sentence per article."""
    sentence = (0, len(text))
    mentions = []
    for surface, label, ref in spans:
        start = text.index(surface)
        mentions.append(Mention(start, start + len(surface), surface, label, sentence,
                                entity=None if label == DATE else ref,
                                value=ref if label == DATE else None))
    digest = hashlib.sha256((source + text).encode()).hexdigest()
    return Extraction(Article(source=source, text=text, digest=digest, **meta), tuple(mentions),
                      tuple(ents), tuple(events), tuple(relations), (sentence,))


TEXT = "Рядовой Кабыш Омаров из отряда «Монгол» 19 августа 1944 года освобождал Тулузу."
OMAROV = Entity("person:омаров", PERSON, "Кабыш Омаров", ("Омарова",), "рядовой", "партизан")
MONGOL = Entity("unit:монгол", UNIT, "отряд «Монгол»")
TOULOUSE = Entity("place:тулуза", PLACE, "Тулуза")
FRANCE = Entity("place:франция", PLACE, "Франция")
LEGION = Entity("award:легион", AWARD, "орден Почётного легиона")
LIBERATION = Event("liberation", (MONGOL.id, OMAROV.id), "освобождал", (0, len(TEXT)),
                   "1944-08-19", TOULOUSE.id)


@pytest.fixture
def sample() -> list[Extraction]:
    return [
        extraction(TEXT, [("Кабыш Омаров", PERSON, OMAROV.id), ("отряда «Монгол»", UNIT, MONGOL.id),
                          ("19 августа 1944 года", DATE, "1944-08-19"),
                          ("Тулузу", PLACE, TOULOUSE.id)],
                   [OMAROV, MONGOL, TOULOUSE],
                   relations=[Relation(OMAROV.id, "member_of", MONGOL.id, (8, 39), "member.v1"),
                              Relation(MONGOL.id, "located_in", TOULOUSE.id, (24, 79))],
                   events=[LIBERATION],
                   title="Освобождение Тулузы", author="Дина Оразбаева", published="2024-05-08"),
        extraction("Тулуза находится во Франции. Омаров получил орден Почётного легиона.",
                   [("Тулуза", PLACE, TOULOUSE.id), ("Франции", PLACE, FRANCE.id),
                    ("Омаров", PERSON, OMAROV.id), ("орден Почётного легиона", AWARD, LEGION.id)],
                   [TOULOUSE, FRANCE, OMAROV, LEGION], source="b.txt",
                   relations=[Relation(TOULOUSE.id, "located_in", FRANCE.id, (0, 27)),
                              Relation(OMAROV.id, "awarded", LEGION.id, (29, 67))]),
    ]


@pytest.fixture
def outputs(sample, tmp_path):
    g = build_graph(sample)
    return g, write_outputs(g, tmp_path / "out")


def test_all_files_are_written(outputs, tmp_path):
    g, files = outputs
    pages = {name for name in files if name.startswith("articles/")}
    assert set(files) - pages == FILES
    assert len(pages) == sum(1 for _, a in g.nodes(data=True) if a.get("kind") == "article")
    assert {p.name for p in (tmp_path / "out").iterdir()} == FILES | {"articles"}  # no temp files
    assert all(p.stat().st_size > 0 for p in files.values())


def test_pages_of_removed_articles_go(sample, tmp_path):
    files = write_outputs(build_graph(sample), tmp_path)
    pages = sorted(name for name in files if name.startswith("articles/"))
    write_outputs(build_graph(sample[:1]), tmp_path)
    left = sorted(f"articles/{p.name}" for p in (tmp_path / "articles").iterdir())
    assert len(pages) > 1 and len(left) == 1 and left[0] in pages


# rdflib's own JSON-LD parser still builds a ConjunctiveGraph inside
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("name, rdflib_format, ox_format", RDF_FORMATS)
def test_rdf_files_parse_back_with_rdflib_and_pyoxigraph(outputs, name, rdflib_format, ox_format):
    g, files = outputs
    expected = len(to_rdf(g))
    data = files[name].read_bytes()
    assert len(rdflib.Graph().parse(data=data, format=rdflib_format)) == expected
    assert len(list(ox.parse(data, format=ox_format))) == expected
    store = ox.Store()
    store.load(data, format=ox_format)
    assert len(store) == expected


# rdflib's TriG parser still uses the deprecated ConjunctiveGraph API inside
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_trig_parses_back_with_rdflib_and_pyoxigraph(outputs):
    g, files = outputs
    data = files["graph.trig"].read_bytes()
    quads = list(ox.parse(data, format=ox.RdfFormat.TRIG))
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format="trig")
    assert len(list(dataset.quads((None, None, None, None)))) == len(quads)
    assert len({q.triple for q in quads}) == len(to_rdf(g))  # the named graphs hold the union


def test_rdf_files_are_byte_identical_across_runs(sample, tmp_path):
    first = write_outputs(build_graph(sample), tmp_path / "1")
    second = write_outputs(build_graph(sample), tmp_path / "2")
    for name in FILES:
        assert first[name].read_bytes() == second[name].read_bytes(), name


def test_entity_shape(sample):
    r = to_rdf(build_graph(sample))
    person = entity_iri(OMAROV.id, PERSON)
    assert str(person) == BASE + "person/омаров"
    assert (person, RDF.type, ns.SDO.Person) in r
    assert (person, ns.SDO.name, Literal("Кабыш Омаров", lang="ru")) in r
    assert (person, ns.SDO.alternateName, Literal("Омарова", lang="ru")) in r
    assert (person, KG.rank, Literal("рядовой", lang="ru")) in r
    assert (person, ns.SDO.jobTitle, Literal("партизан", lang="ru")) in r
    assert set(r.objects(person, ns.SDO.subjectOf)) == {
        article_iri(ex.article.id) for ex in sample}
    assert (entity_iri(MONGOL.id, UNIT), RDF.type, KG.MilitaryUnit) in r
    assert (entity_iri(LEGION.id, AWARD), RDF.type, KG.Award) in r
    assert (KG.MilitaryUnit, rdflib.RDFS.subClassOf, ns.SDO.Organization) in r


def test_article_shape(sample):
    r = to_rdf(build_graph(sample))
    art = article_iri(sample[0].article.id)
    assert str(art) == BASE + "article/" + sample[0].article.digest[:16]
    assert (art, RDF.type, ns.SDO.NewsArticle) in r
    assert (art, ns.SDO.headline, Literal("Освобождение Тулузы", lang="ru")) in r
    assert (art, ns.SDO.datePublished, Literal("2024-05-08", datatype=ns.XSD.date)) in r
    assert (art, KG.source, Literal("a.txt")) in r


def test_mentions_are_web_annotations(sample):
    r = to_rdf(build_graph(sample))
    person = entity_iri(OMAROV.id, PERSON)
    anns = sorted(r.subjects(OA.hasBody, person))
    assert len(anns) == 2
    for ann in anns:
        assert set(r.objects(ann, RDF.type)) == {OA.Annotation, KG.Mention}
    ann = next(a for a in anns if str(a).endswith("-8-20"))
    target = r.value(ann, OA.hasTarget)
    assert r.value(target, OA.hasSource) == article_iri(sample[0].article.id)
    selectors = {r.value(s, RDF.type): s for s in r.objects(target, OA.hasSelector)}
    position = selectors[OA.TextPositionSelector]
    assert (r.value(position, OA.start).toPython(), r.value(position, OA.end).toPython()) == (8, 20)
    assert str(r.value(selectors[OA.TextQuoteSelector], OA.exact)) == "Кабыш Омаров"


@pytest.mark.parametrize("subject, obj, predicate", [
    (OMAROV, MONGOL, ns.SDO.memberOf),
    (MONGOL, TOULOUSE, ns.SDO.location),  # a unit is located somewhere
    (TOULOUSE, FRANCE, ns.SDO.containedInPlace),  # a place is inside another
    (OMAROV, LEGION, ns.SDO.award),
])
def test_relations_map_to_vocabulary(sample, subject, obj, predicate):
    r = to_rdf(build_graph(sample))
    s, o = entity_iri(subject.id, subject.label), entity_iri(obj.id, obj.label)
    assert (s, predicate, o) in r


def test_event_shape(sample):
    r = to_rdf(build_graph(sample))
    ev = URIRef(BASE + "event/" + event_id(sample[0].article.id, LIBERATION).split(":")[1])
    assert {ns.SDO.Event, CRM.E5_Event} <= set(r.objects(ev, RDF.type))
    participants = {entity_iri(OMAROV.id, PERSON), entity_iri(MONGOL.id, UNIT)}
    assert set(r.objects(ev, KG.participant)) == participants
    assert set(r.objects(ev, CRM.P11_had_participant)) == participants
    assert r.value(ev, ns.SDO.location) == r.value(ev, CRM.P7_took_place_at) == entity_iri(
        TOULOUSE.id, PLACE)
    assert r.value(ev, KG.edtf) == Literal("1944-08-19")
    assert r.value(ev, ns.SDO.startDate) == Literal("1944-08-19", datatype=ns.XSD.date)
    assert r.value(ev, KG.kind) == KG.liberation


@pytest.mark.parametrize("edtf, datatype", [
    ("1941-06-22", ns.XSD.date),
    ("1941-06", ns.XSD.gYearMonth),
    ("1943", ns.XSD.gYear),
    ("1943-22", None),  # summer: EDTF only
    ("1939/1945", None),
    ("1941-06-22?", None),
    ("1941-02-30", None),
    (None, None),
])
def test_only_plain_edtf_becomes_xsd(edtf, datatype):
    lit = xsd_date(edtf)
    assert (lit.datatype if lit is not None else None) == datatype


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_make_valid_iris(name, tmp_path):
    ents = [Entity("person:" + name, PERSON, name), Entity(name, UNIT, name)]
    text = f"{name} и {name}."
    ex = extraction(text, [(name, PERSON, ents[0].id)], ents, title=name, author=name)
    g = build_graph([ex])
    files = write_outputs(g, tmp_path)
    expected = len(to_rdf(g))
    for file, rdflib_format, fmt in RDF_FORMATS:
        quads = list(ox.parse(files[file].read_bytes(), format=fmt))  # strict IRI checks
        assert len(quads) == expected
        assert len(rdflib.Graph().parse(files[file], format=rdflib_format)) == expected
    assert len(list(ox.parse(files["graph.trig"].read_bytes(), format=ox.RdfFormat.TRIG))) == expected
    iris = {entity_iri(e.id, e.label) for e in ents}
    assert len(iris) == 2
    for iri in iris:
        rest = str(iri)[len(BASE):]
        label, _, slug = rest.partition("/")
        assert label in ("person", "unit")
        assert not re.search(r"[\s\"<>{}|\\^`/#]", slug), slug
        assert slug not in (".", "..")
    r = rdflib.Graph().parse(files["graph.ttl"])
    assert str(r.value(entity_iri(ents[0].id, PERSON), ns.SDO.name)) == name


def test_distinct_ids_get_distinct_iris():
    ids = ["person:x", "x", "~x", "person:~x", "person:x y", "person:x%20y", "person:x/y"]
    assert len({entity_iri(i, PERSON) for i in ids}) == len(ids)


def test_graphml_reads_back_with_scalar_attributes(outputs, sample):
    g, files = outputs
    back = nx.read_graphml(files["graph.graphml"])
    assert back.number_of_nodes() == g.number_of_nodes()
    assert back.number_of_edges() == g.number_of_edges()
    omarov = back.nodes[OMAROV.id]
    assert omarov["aliases"] == "Омарова"
    assert omarov["articles"] == "; ".join(sorted(g.nodes[OMAROV.id]["articles"]))
    article = back.nodes[sample[0].article.id]
    assert article["title"] == "Освобождение Тулузы"
    assert "photographer" not in article  # None is dropped, not written as "None"


def test_entities_csv(outputs):
    g, files = outputs
    rows = list(csv.DictReader(io.StringIO(files["entities.csv"].read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == ENTITY_COLUMNS
    omarov = next(r for r in rows if r["id"] == OMAROV.id)
    assert omarov == {"id": OMAROV.id, "label": PERSON, "name": "Кабыш Омаров",
                      "aliases": "Омарова", "rank": "рядовой", "role": "партизан",
                      "articles": "; ".join(g.nodes[OMAROV.id]["articles"]), "mentions": "2"}
    assert len(rows) == 5


def test_relations_csv(outputs, sample):
    _, files = outputs
    rows = list(csv.DictReader(io.StringIO(files["relations.csv"].read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == RELATION_COLUMNS
    assert "mentions" not in {r["relation"] for r in rows}
    member = next(r for r in rows if r["relation"] == "member_of")
    assert (member["source"], member["target"], member["rule"]) == (
        OMAROV.id, MONGOL.id, "member.v1")
    assert (member["start"], member["end"], member["sentence"]) == ("8", "39", TEXT)
    co = next(r for r in rows if r["relation"] == "co_occurs"
              and (r["source"], r["target"]) == (OMAROV.id, MONGOL.id))
    assert co["dates"] == "1944-08-19"
    assert {"participant_in", "took_place_at", "located_in", "awarded"} <= {
        r["relation"] for r in rows}


def test_atomic_write_replaces_whole_files(tmp_path):
    path = tmp_path / "entities.csv"
    atomic_write(path, "старое\n")
    atomic_write(path, "новое\n".encode("utf-8"))
    assert path.read_text(encoding="utf-8") == "новое\n"
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)


def test_atomic_write_keeps_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "graph.ttl"
    atomic_write(path, "good\n")
    with pytest.raises(RuntimeError):
        with atomic_open(path) as f:
            f.write("half a fi")
            raise RuntimeError("disk gone")
    assert path.read_text(encoding="utf-8") == "good\n"
    assert os.listdir(tmp_path) == ["graph.ttl"]


def test_failed_build_leaves_previous_outputs(outputs, monkeypatch):
    g, files = outputs
    before = {name: p.read_bytes() for name, p in files.items()}

    def broken(_g):
        raise RuntimeError("render crashed")

    monkeypatch.setattr(export, "render_html", broken)
    with pytest.raises(RuntimeError):
        write_outputs(g, files["graph.html"].parent)
    assert {name: p.read_bytes() for name, p in files.items()} == before
    assert {p.name for p in files["graph.html"].parent.iterdir()} == FILES | {"articles"}


def test_atomic_open_refuses_append(tmp_path):
    with pytest.raises(ValueError):
        with atomic_open(tmp_path / "x", "a"):
            pass
