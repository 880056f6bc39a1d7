"""kg.rdf and kg.export: the eight files, RDF that parses back, safe IRIs, atomic writes.

The RDF design itself (named graphs, provenance, vocabulary, SHACL) is tested in test_rdf.py.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from pathlib import Path

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
    # no temporary files; the build's state (which pages are up to date) in .kg-cache
    assert {p.name for p in (tmp_path / "out").iterdir()} == FILES | {"articles", ".kg-cache"}
    assert all(p.stat().st_size > 0 for p in files.values())


def test_pages_of_removed_articles_go(sample, tmp_path):
    files = write_outputs(build_graph(sample), tmp_path)
    pages = sorted(name for name in files if name.startswith("articles/"))
    write_outputs(build_graph(sample[:1]), tmp_path)
    left = sorted(f"articles/{p.name}" for p in (tmp_path / "articles").iterdir())
    assert len(pages) > 1 and len(left) == 1 and left[0] in pages


def test_unchanged_article_pages_are_not_rendered_again(sample, tmp_path, monkeypatch):
    """A rebuild renders the pages whose article or named entities changed, and no other."""
    rendered = count_renders(monkeypatch)
    g = build_graph(sample)
    files = write_outputs(g, tmp_path)
    first = {n: files[export.article_page(n)].read_bytes() for n in rendered}
    assert len(first) == 2
    rendered.clear()
    write_outputs(build_graph(sample), tmp_path)
    assert rendered == []
    g = build_graph(sample)
    g.nodes[FRANCE.id]["name"] = "Французская Республика"  # named in the second article only
    write_outputs(g, tmp_path)
    assert rendered == [sample[1].article.id]
    assert "Французская Республика" in (tmp_path / export.article_page(sample[1].article.id)).read_text(
        encoding="utf-8")
    rendered.clear()
    (tmp_path / export.article_page(sample[0].article.id)).unlink()  # a page lost: made again
    (tmp_path / export.PAGE_INPUTS).write_text("{not json", encoding="utf-8")
    write_outputs(build_graph(sample), tmp_path)  # and a damaged record: every page made again
    assert sorted(rendered) == sorted(first)
    for n, data in first.items():
        assert (tmp_path / export.article_page(n)).read_bytes() == data
    rendered.clear()  # pages are not synced: one a power cut left empty is made again
    (tmp_path / export.article_page(sample[1].article.id)).write_bytes(b"")
    write_outputs(build_graph(sample), tmp_path)
    assert rendered == [sample[1].article.id]
    assert (tmp_path / export.article_page(sample[1].article.id)).read_bytes() == first[sample[1].article.id]


AHMETOV = Entity("person:ахметов", PERSON, "Хасен Ахметов", ("Ахметова",), "сержант")
STALINGRAD = Entity("place:сталинград", PLACE, "Сталинград")
STALINGRAD_TEXT = "Сержант Хасен Ахметов в 1942 году воевал под Сталинградом вместе с Омаровым."


def page_articles(sample) -> dict[str, Extraction]:
    """The articles of the page tests by a name: the sample's two, a third, and the third
    with its text edited (a new article id)."""
    spans = [("Хасен Ахметов", PERSON, AHMETOV.id), ("Сталинградом", PLACE, STALINGRAD.id),
             ("Омаровым", PERSON, OMAROV.id)]
    third = [AHMETOV, STALINGRAD, OMAROV]
    return {"a": sample[0], "b": sample[1],
            "c": extraction(STALINGRAD_TEXT, spans, third, source="c.txt", title="Сталинград"),
            "c2": extraction(STALINGRAD_TEXT.replace("воевал", "был ранен"), spans, third,
                             source="c.txt", title="Сталинград")}


PAGE_UPDATES = [  # (what changed, articles after, names changed, ids passed, rendered, removed)
    ("nothing", "a b c", {}, "a", "", ""),
    ("a name in one article", "a b c", {FRANCE.id: "Французская Республика"}, "b", "b", ""),
    ("a name in two articles", "a b c", {TOULOUSE.id: "город Тулуза"}, "a b", "a b", ""),
    ("a name in every article", "a b c", {OMAROV.id: "Омаров К."}, "a b c", "a b c", ""),
    ("one of two passed changed", "a b c", {STALINGRAD.id: "Волгоград"}, "a c", "c", ""),
    ("an article removed", "a b", {}, "c", "", "c"),
    ("an article's text edited: a new id", "a b c2", {}, "c c2", "c2", "c"),
    ("an article added", "a b c c2", {}, "c2", "c2", ""),
]


@pytest.mark.parametrize("change, after, names, passed, rendered, removed", PAGE_UPDATES,
                         ids=[case[0] for case in PAGE_UPDATES])
def test_article_pages_of_the_articles_passed(sample, tmp_path, monkeypatch, change, after, names,
                                              passed, rendered, removed):
    """With ``articles``, only their pages are made again or removed; the other pages and
    their records stay as they were; and, the right articles passed, the folder is what a
    full build makes."""
    articles = page_articles(sample)
    ids = {k: x.article.id for k, x in articles.items()}
    page = {k: export.article_page(n) for k, n in ids.items()}
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    out.mkdir()
    fresh.mkdir()
    export.write_article_pages(build_graph([articles[k] for k in "abc"]), out)
    files, record = page_files(out), page_record(out)
    made = count_renders(monkeypatch)

    g = build_graph([articles[k] for k in after.split()])
    for entity, name in names.items():
        g.nodes[entity]["name"] = name
    pages = export.write_article_pages(g, out, articles=(ids[k] for k in passed.split()))

    assert made == [ids[k] for k in rendered.split()]
    assert sorted(pages) == sorted(page[k] for k in passed.split() if k in after.split())
    now, record_now = page_files(out), page_record(out)
    for k in set("abc") - set(passed.split()):
        assert now[page[k]] == files[page[k]] and record_now[page[k]] == record[page[k]]
    for k in removed.split():
        assert page[k] not in now and page[k] not in record_now
    export.write_article_pages(g, fresh)
    assert contents(out) == contents(fresh)


def test_article_pages_not_passed_stay_as_they_were(sample, tmp_path, monkeypatch):
    """A page the update did not pass keeps its old text and record, a stray page its
    place; the next full build brings both up to date."""
    articles = page_articles(sample)
    a, b = (export.article_page(articles[k].article.id) for k in "ab")
    export.write_article_pages(build_graph(sample), tmp_path)
    (tmp_path / "articles" / "stray.html").write_text("<p>Старая страница</p>", encoding="utf-8")
    record = page_record(tmp_path)
    made = count_renders(monkeypatch)
    g = build_graph(sample)
    g.nodes[TOULOUSE.id]["name"] = "город Тулуза"  # named in both articles, only the first passed
    export.write_article_pages(g, tmp_path, articles=[articles["a"].article.id, "article:0000"])
    assert made == [articles["a"].article.id]
    assert "город Тулуза" in (tmp_path / a).read_text(encoding="utf-8")
    assert "город Тулуза" not in (tmp_path / b).read_text(encoding="utf-8")
    assert page_record(tmp_path)[b] == record[b] and page_record(tmp_path)[a] != record[a]
    assert (tmp_path / "articles" / "stray.html").exists()
    export.write_article_pages(g, tmp_path)
    assert made == [articles["a"].article.id, articles["b"].article.id]
    assert "город Тулуза" in (tmp_path / b).read_text(encoding="utf-8")
    assert not (tmp_path / "articles" / "stray.html").exists()


def count_renders(monkeypatch) -> list[str]:
    """The ids of the article pages rendered from now on, in order."""
    made = []
    render_article = export.render_article

    def counting(g, n):
        made.append(n)
        return render_article(g, n)

    monkeypatch.setattr(export, "render_article", counting)
    return made


def page_files(out: Path) -> dict[str, tuple[bytes, int, int]]:
    """Each page's bytes and the file it is in (inode, modification time): a page written
    again, even with the same bytes, is another file."""
    return {f"articles/{p.name}": (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
            for p in (out / "articles").iterdir()}


def page_record(out: Path) -> dict:
    return json.loads((out / export.PAGE_INPUTS).read_text(encoding="utf-8"))


def contents(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


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

    def broken(_g, _f):
        raise RuntimeError("render crashed")

    monkeypatch.setattr(export, "write_html", broken)
    with pytest.raises(RuntimeError):
        write_outputs(g, files["graph.html"].parent)
    assert {name: p.read_bytes() for name, p in files.items()} == before
    assert {p.name for p in files["graph.html"].parent.iterdir()} == FILES | {"articles", ".kg-cache"}


@pytest.mark.parametrize("options, synced", [
    ({}, ["file", "folder"]),
    ({"durable": False}, []),  # a cache entry, an article page: checked when read, made again
])
def test_atomic_write_syncs_what_it_is_asked_to(tmp_path, monkeypatch, options, synced):
    import kg.files

    done = []
    monkeypatch.setattr(kg.files.os, "fsync", lambda fd: done.append(
        "folder" if os.path.isdir(f"/proc/self/fd/{fd}") else "file"))
    atomic_write(tmp_path / "a.html", "<p>Кабыш</p>", **options)
    assert done == synced
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == "<p>Кабыш</p>"


def test_atomic_open_refuses_append(tmp_path):
    with pytest.raises(ValueError):
        with atomic_open(tmp_path / "x", "a"):
            pass


# --- GraphML, written element by element ----------------------------------------------

def networkx_graphml(g: nx.MultiDiGraph) -> bytes:
    """What kg wrote before it wrote GraphML itself: networkx's writer on a copy of the
    graph with list values joined and None dropped."""
    flat = nx.MultiDiGraph()
    flat.add_nodes_from((n, {k: export._cell(v) for k, v in a.items() if v is not None})
                        for n, a in g.nodes(data=True))
    flat.add_edges_from((u, v, k, {k2: export._cell(v2) for k2, v2 in a.items() if v2 is not None})
                        for u, v, k, a in g.edges(keys=True, data=True))
    buf = io.BytesIO()
    nx.write_graphml(flat, buf, encoding="utf-8")
    return buf.getvalue()


def same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> bool:
    return (list(a.nodes(data=True)) == list(b.nodes(data=True))
            and list(a.edges(keys=True, data=True)) == list(b.edges(keys=True, data=True)))


def test_graphml_is_the_bytes_networkx_wrote(outputs):
    g, files = outputs
    assert files["graph.graphml"].read_bytes() == networkx_graphml(g)


@pytest.mark.parametrize("name", HOSTILE)
def test_graphml_of_hostile_names_reads_back_as_networkx_wrote_it(name):
    ents = [Entity("person:" + name, PERSON, name, (name, name + "2")), Entity(name, UNIT, name)]
    ex = extraction(f"{name} и {name}.", [(name, PERSON, ents[0].id)], ents, title=name, author=name,
                    relations=[Relation(ents[0].id, "member_of", ents[1].id, (0, 1), name)])
    g = build_graph([ex])
    g.nodes[ents[0].id].update(score=1.5, flag=True, count=3, places={"x"}, empty=None)
    ours = export.graphml_bytes(g)
    assert ours == networkx_graphml(g)
    assert same_graph(nx.read_graphml(io.BytesIO(ours), force_multigraph=True),
                      nx.read_graphml(io.BytesIO(networkx_graphml(g)), force_multigraph=True))


def test_graphml_replaces_characters_xml_cannot_carry():
    g = nx.MultiDiGraph()
    g.add_node("a\x01b", name="x\x00y\x1b[31m\ufffe", ok="tab\tline\ncr\r")
    g.add_edge("a\x01b", "c", key="k\x02", relation="r\x7f")
    back = nx.read_graphml(io.BytesIO(export.graphml_bytes(g)), force_multigraph=True)
    assert back.nodes["a\ufffdb"] == {"name": "x\ufffdy\ufffd[31m\ufffd", "ok": "tab\tline\ncr\r"}
    assert [(u, v, k) for u, v, k in back.edges(keys=True)] == [("a\ufffdb", "c", "k\ufffd")]
    assert back.edges["a\ufffdb", "c", "k\ufffd"]["relation"] == "r\x7f"  # DEL is XML


def test_graphml_is_written_in_pieces(outputs):
    g, files = outputs
    buf = io.BytesIO()
    writes = []
    export.write_graphml(g, type("F", (), {"write": lambda self, b: (writes.append(len(b)), buf.write(b))})(),
                         elements_at_a_time=2)
    assert buf.getvalue() == files["graph.graphml"].read_bytes()
    assert len(writes) > g.number_of_nodes() // 2


def test_graphml_keeps_mixed_value_types_apart():
    """A value of another type under the same name gets its own key, as networkx does."""
    g = nx.MultiDiGraph()
    g.add_node("a", n=1, when=["1941", "1942"])
    g.add_node("b", n="один", when="1943")
    g.add_edge("a", "b", n=2.5)
    assert export.graphml_bytes(g) == networkx_graphml(g)
    back = nx.read_graphml(io.BytesIO(export.graphml_bytes(g)))
    assert back.nodes["a"] == {"n": 1, "when": "1941; 1942"} and back.nodes["b"]["n"] == "один"


def test_relations_csv_written_in_pieces_is_the_same(outputs):
    g, files = outputs
    buf = io.BytesIO()
    export.write_relations_csv(g, buf, rows_at_a_time=2)
    assert buf.getvalue().decode("utf-8") == export.relations_csv(g) == files["relations.csv"].read_text(
        encoding="utf-8")


def test_store_loaded_beside_the_other_files(sample, tmp_path):
    import hashlib

    from kg.store import VERSIONS, open_store, store_info, update_store

    g = build_graph(sample)
    files = write_outputs(g, tmp_path, store=True)
    assert files["store"] == tmp_path / "store"
    info = store_info(tmp_path)
    trig = files["graph.trig"].read_bytes()
    assert info["source"] == "graph.trig" and info["sha256"] == hashlib.sha256(trig).hexdigest()
    assert info["quads"] == len(list(ox.parse(trig, format=ox.RdfFormat.TRIG))) > 100
    version = info["path"]
    assert update_store(None, tmp_path) == tmp_path / "store"  # up to date: nothing reloaded
    assert store_info(tmp_path)["path"] == version
    assert len(open_store(tmp_path)) == info["quads"]
    files = write_outputs(g, tmp_path, store=True)  # the same bytes again: the same version
    assert store_info(tmp_path)["path"] == version
    assert [p.name for p in (tmp_path / VERSIONS).iterdir() if p.name.startswith(".tmp-")] == []


class BrokenStore:
    """A store whose writes fail (the copy of the live version it starts from is real)."""

    read_only = staticmethod(ox.Store.read_only)

    def __init__(self, path):
        self.path = path

    def bulk_load(self, **kwargs):
        raise OSError("disk full")

    def remove_graph(self, graph):
        raise OSError("disk full")


def test_a_failed_store_load_fails_the_writing_and_keeps_the_store(sample, tmp_path, monkeypatch):
    from kg import store
    from kg.store import VERSIONS, store_info

    write_outputs(build_graph(sample[:1]), tmp_path, store=True)
    before = store_info(tmp_path)
    monkeypatch.setattr(store, "Store", BrokenStore)
    with pytest.raises(OSError, match="disk full"):
        write_outputs(build_graph(sample), tmp_path, store=True)
    assert store_info(tmp_path) == before
    assert [p.name for p in (tmp_path / VERSIONS).iterdir() if p.name.startswith(".tmp-")] == []


def test_a_failed_file_leaves_the_store_as_it_was(sample, tmp_path, monkeypatch):
    from kg.store import VERSIONS, store_info, update_store

    write_outputs(build_graph(sample[:1]), tmp_path, store=True)
    before = store_info(tmp_path)

    def broken(_g, _f):
        raise RuntimeError("render crashed")

    monkeypatch.setattr(export, "write_html", broken)
    with pytest.raises(RuntimeError, match="render crashed"):
        write_outputs(build_graph(sample), tmp_path, store=True)
    assert store_info(tmp_path) == before  # the store waits for every file
    assert [p.name for p in (tmp_path / VERSIONS).iterdir() if p.name.startswith(".tmp-")] == []
    update_store(None, tmp_path)  # the lock is free again
    assert store_info(tmp_path)["quads"] > before["quads"]


def test_a_failed_rdf_file_stops_the_store_load(sample, tmp_path, monkeypatch):
    from kg import rdf
    from kg.store import VERSIONS

    def half(g, files):
        files["trig"].write(b"@prefix schema: <https://schema.org/> .\n<https://x/a> schema:name ")
        raise RuntimeError("out of memory")

    monkeypatch.setattr(export, "write_rdf", half)
    with pytest.raises(RuntimeError, match="out of memory"):
        write_outputs(build_graph(sample), tmp_path, store=True)
    assert not (tmp_path / "store").exists() and not (tmp_path / "graph.trig").exists()
    assert [p.name for p in (tmp_path / VERSIONS).iterdir()] == [".lock"]


def test_graph_html_written_in_pieces_is_the_page(outputs, monkeypatch):
    """graph.html streamed (the data's JSON a few items at a time) is render_html's page."""
    from kg import render

    g, files = outputs
    page = render.render_html(g)
    assert files["graph.html"].read_text(encoding="utf-8") == page
    pieces = render.script_json_pieces
    monkeypatch.setattr(render, "script_json_pieces", lambda data: pieces(data, items_at_a_time=3))
    buf = io.BytesIO()
    render.write_html(g, buf)
    assert buf.getvalue().decode("utf-8") == page
    assert page.count("\x00") == 0


def test_a_rebuild_changes_the_store_in_place(sample, tmp_path, monkeypatch):
    """The second store is the live one's copy with the changed graphs replaced and the
    removed ones gone, and holds exactly the quads of the new graph.trig."""
    from kg import store
    from kg.rdf import ENTITIES_GRAPH, article_graph_iri
    from kg.store import open_store, store_info

    writers = []
    real = store.StoreWriter

    class Spy(real):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            writers.append(self)

    monkeypatch.setattr(export, "StoreWriter", Spy)
    first = write_outputs(build_graph(sample), tmp_path, store=True)
    assert writers[-1].base == {} and writers[-1].changed == []  # a first build loads all
    for record in (tmp_path / "store.versions").glob("*.graphs.json"):
        record.unlink()  # as a store made before graphs were recorded
    write_outputs(build_graph(sample), tmp_path, store=True)  # up to date: the record is made
    assert writers[-1].base == {} and list((tmp_path / "store.versions").glob("*.graphs.json"))
    version = store_info(tmp_path)["path"]
    g = build_graph(sample[:1])  # the second article removed...
    g.nodes[OMAROV.id]["name"] = "Кабыш Омарович Омаров"  # ...and an entity renamed
    files = write_outputs(g, tmp_path, store=True)
    changed = writers[-1].changed
    assert sorted(changed) == sorted([str(ENTITIES_GRAPH), str(article_graph_iri(sample[1].article.id))])
    info = store_info(tmp_path)
    assert info["path"] != version
    assert set(open_store(tmp_path)) == loaded(files["graph.trig"]) and info["quads"] == len(
        loaded(files["graph.trig"]))
    write_outputs(build_graph(sample), tmp_path, store=True)  # and back: the article returns
    assert set(open_store(tmp_path)) == loaded(first["graph.trig"])


def loaded(trig: Path) -> set:
    """The quads of a TriG file as a store holds them (Oxigraph keeps xsd:nonNegativeInteger
    as xsd:integer)."""
    memory = ox.Store()
    memory.load(path=str(trig), format=ox.RdfFormat.TRIG)
    return set(memory)

