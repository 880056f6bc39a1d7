"""kg.store.patch_store: the store after one article changed, without writing everything.

The sample corpus is built into a store (G1); one article is edited, dropped or added
(G2); the patch made from G1 and G2 for what changed (kg.rdf.graph_nquads,
entity_nquads, nquads_diff) leaves the store with exactly the quads of a full build of
G2, and the next full build converges to its own quads whatever a patch did.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from conftest import CORPUS
from kg.errors import KgError
from kg.export import write_outputs
from kg.graph import build_graph
from kg.link import link_entities
from kg.rdf import (ENTITIES_GRAPH, VOCABULARY_GRAPH, article_graph_iri, entity_nquads,
                    graph_nquads, nquads_diff, vocabulary_nquads)
from kg.store import (PATCHED, STORE, VERSIONS, NoStoreError, compact_store, open_store,
                      patch_store, store_info, store_path, update_store)
from kg.types import Extraction

SEED, A03, A08 = "seed_partisans_toulouse.txt", "a03.txt", "a08.txt"
# a paragraph of the seed article, rewritten: another date, another place, another wound
PARAGRAPH = ("Кадем Жуманиязов в июле 1941\xa0года был ранен в ногу в ожесточенном сражении "
             "в районе Смоленска.")
REWRITTEN = "Кадем Жуманиязов в августе 1942\xa0года был тяжело ранен под Сталинградом."
ENTITIES, VOCABULARY = str(ENTITIES_GRAPH), str(VOCABULARY_GRAPH)
NON_NEGATIVE = b"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>"


@pytest.fixture(scope="module")
def corpus() -> dict[str, Extraction]:
    from kg.pipeline import run

    return {Path(ex.article.source).name: ex for ex in run([str(CORPUS)]).extractions}


@pytest.fixture(scope="module")
def rewritten(corpus) -> Extraction:
    """The seed article with one paragraph rewritten, extracted again (a new digest: a new id)."""
    from kg.pipeline import extract_article

    article = corpus[SEED].article
    at = article.text.index(PARAGRAPH)
    shift = len(REWRITTEN) - len(PARAGRAPH)
    text = article.text.replace(PARAGRAPH, REWRITTEN)
    moved = lambda spans: tuple((s + shift, e + shift) if s > at else (s, e) for s, e in spans)
    return extract_article(replace(article, text=text, digest=hashlib.sha256(text.encode()).hexdigest(),
                                   boilerplate=moved(article.boilerplate), credits=moved(article.credits)))


def graph(extractions):
    return build_graph(link_entities(list(extractions)))


def quads(out: Path) -> set:
    return set(open_store(out))


def delta(g1, g2) -> tuple[set[str], set[str]]:
    """What a delta of the graph names: the articles whose graph may differ, and the entities
    and events whose description may (or that came or went)."""
    def node(g, n):
        return g.nodes[n] if n in g else {}

    nodes = {n for n in set(g1) | set(g2) if node(g1, n) != node(g2, n)}
    articles = {n for n in nodes if (node(g1, n) or node(g2, n))["kind"] == "article"}
    for n in nodes:
        a1, a2 = node(g1, n), node(g2, n)
        if a1.get("label") != a2.get("label"):  # an IRI, in the graphs of all its articles
            articles |= set(a1.get("articles", ())) | set(a2.get("articles", ()))
        articles |= set(a1.get("articles", ())) ^ set(a2.get("articles", ()))  # schema:subjectOf
        articles |= {a["article"] for a in (a1, a2) if a.get("kind") == "event" and a.get("article")}
    e1, e2 = ({(u, v, k): a for u, v, k, a in g.edges(keys=True, data=True)} for g in (g1, g2))
    for key in set(e1) | set(e2):
        if e1.get(key) != e2.get(key):
            articles |= {e[key].get("article") for e in (e1, e2) if key in e} - {None}
    entities = {n for n in nodes if (node(g1, n) or node(g2, n))["kind"] != "article"}
    return articles, entities


def kinds(g) -> set:
    return {a.get("event_kind") for _, a in g.nodes(data=True) if a["kind"] == "event"}


def patch(out: Path, g1, g2) -> tuple[set[str], set[str]]:
    """Patch the store of g1 in ``out`` to g2, as a process that keeps the graph would."""
    articles, entities = delta(g1, g2)
    before = entity_nquads(g1, entities, articles)  # from g1, before a delta would change it
    graphs = graph_nquads(g2, articles)
    graphs[VOCABULARY] = vocabulary_nquads(kinds(g2))
    remove, add = nquads_diff(before, entity_nquads(g2, entities, articles))
    patch_store(out, graphs, remove, add)
    return articles, entities


@pytest.fixture(scope="module")
def cases(corpus, rewritten):
    everything = list(corpus.values())
    return {
        "edited": (everything, [rewritten if ex is corpus[SEED] else ex for ex in everything]),
        "dropped": (everything, [ex for ex in everything if ex is not corpus[A03]]),
        "added": ([ex for ex in everything if ex is not corpus[A08]], everything),
    }


@pytest.mark.parametrize("case, changed", [
    ("edited", {SEED}),  # the old id goes, the new one comes
    ("dropped", {A03}),
    ("added", {A08}),
])
def test_a_patch_gives_the_quads_of_a_full_build(cases, corpus, rewritten, case, changed, tmp_path):
    before, after = cases[case]
    g1, g2 = graph(before), graph(after)
    write_outputs(g1, tmp_path / "out", store=True)
    write_outputs(g2, tmp_path / "full", store=True)
    assert quads(tmp_path / "out") != quads(tmp_path / "full")
    articles, entities = patch(tmp_path / "out", g1, g2)
    assert quads(tmp_path / "out") == quads(tmp_path / "full")
    assert store_info(tmp_path / "out")["quads"] == len(quads(tmp_path / "full"))
    ids = {corpus[name].article.id for name in changed} | ({rewritten.article.id} if case == "edited" else set())
    assert ids <= articles and len(articles) < len(corpus) and entities  # a part, not everything


def test_the_next_full_build_converges(cases, tmp_path):
    """The build after a patch replaces the graphs the patch changed, and only those."""
    before, after = cases["edited"]
    g1, g2 = graph(before), graph(after)
    out = tmp_path / "out"
    write_outputs(g1, out, store=True)
    articles, _ = patch(out, g1, g2)
    record = json.loads((store_path(out).with_suffix(".graphs.json")).read_text(encoding="utf-8"))
    assert record[ENTITIES][0] == PATCHED
    write_outputs(g2, tmp_path / "full", store=True)
    full = json.loads((store_path(tmp_path / "full").with_suffix(".graphs.json")).read_text(encoding="utf-8"))
    replaced = {str(article_graph_iri(a)) for a in articles} & set(full)
    assert {iri: record[iri] for iri in replaced} == {iri: full[iri] for iri in replaced}  # the build's digests
    write_outputs(g2, out, store=True)
    assert quads(out) == quads(tmp_path / "full")
    assert json.loads(store_path(out).with_suffix(".graphs.json").read_text(encoding="utf-8")) == full


G = "https://w3id.org/kg-ww2/id/graph/"
BOGUS = f'<https://w3id.org/kg-ww2/id/person/x> <https://schema.org/name> "Никто"@ru <{ENTITIES}> .\n'.encode()


@pytest.mark.parametrize("what", [
    "an article graph replaced by other quads",
    "a quad added that no build makes",
    "a quad removed that the build makes",
    "an article graph removed",
])
def test_a_full_build_undoes_whatever_a_patch_did(cases, what, tmp_path):
    g1 = graph(cases["edited"][0])
    write_outputs(g1, tmp_path / "out", store=True)
    expected = quads(tmp_path / "out")
    article = next(n for n, a in g1.nodes(data=True) if a["kind"] == "article")
    iri = str(article_graph_iri(article))
    name = next(q for q in expected if q.graph_name.value == ENTITIES and q.predicate.value.endswith("/name"))
    patch_store(tmp_path / "out", *{
        "an article graph replaced by other quads": ({iri: BOGUS.replace(ENTITIES.encode(), iri.encode())},),
        "a quad added that no build makes": ({}, b"", BOGUS),
        "a quad removed that the build makes": ({}, f"{name} .\n".encode()),
        "an article graph removed": ({iri: b""},),
    }[what])
    assert quads(tmp_path / "out") != expected
    write_outputs(g1, tmp_path / "out", store=True)
    assert quads(tmp_path / "out") == expected


def test_removing_quads_with_their_datatype_in_the_files(corpus, tmp_path):
    """The selectors' offsets are xsd:nonNegativeInteger in the N-Quads and xsd:integer in
    the store: removing the file's quads removes the stored ones."""
    g1 = graph(corpus.values())
    write_outputs(g1, tmp_path, store=True)
    article = corpus[SEED].article.id
    iri = str(article_graph_iri(article))
    lines = graph_nquads(g1, [article])[iri]
    assert NON_NEGATIVE in lines
    stored = {q.object.datatype.value for q in quads(tmp_path)
              if q.graph_name.value == iri and q.predicate.value == "http://www.w3.org/ns/oa#start"}
    assert stored == {"http://www.w3.org/2001/XMLSchema#integer"}
    total = store_info(tmp_path)["quads"]
    patch_store(tmp_path, {}, remove=lines)
    assert [q for q in quads(tmp_path) if q.graph_name.value == iri] == []
    assert NamedNode(iri) not in set(open_store(tmp_path).named_graphs())  # as a build: no empty graph
    assert store_info(tmp_path)["quads"] == total - lines.count(b"\n") == len(quads(tmp_path))


def test_a_patched_store_is_never_up_to_date_with_a_file(corpus, tmp_path):
    g1 = graph(corpus.values())
    write_outputs(g1, tmp_path, store=True)  # graph.trig, and the store loaded from it
    built = quads(tmp_path)
    patch_store(tmp_path, {}, add=BOGUS)
    info = store_info(tmp_path)
    assert info["sha256"] is None and info["source"] == "patch" and info["quads"] == len(built) + 1
    update_store(None, tmp_path)  # graph.trig says what the build made: loaded again
    assert quads(tmp_path) == built and store_info(tmp_path)["sha256"] is not None


def test_a_patch_makes_a_version_as_a_build_does(corpus, tmp_path):
    write_outputs(graph(corpus.values()), tmp_path, store=True)
    first = store_path(tmp_path)
    reader = open_store(tmp_path)  # opened before the patch
    patch_store(tmp_path, {}, add=BOGUS)
    second = store_path(tmp_path)
    assert second != first and store_info(tmp_path)["patched_from"] == first.name
    assert Quad(NamedNode("https://w3id.org/kg-ww2/id/person/x"), NamedNode("https://schema.org/name"),
                Literal("Никто", language="ru"), NamedNode(ENTITIES)) not in reader  # the old version as it was
    patch_store(tmp_path, {}, remove=BOGUS)
    kept = sorted(p.name for p in (tmp_path / VERSIONS).iterdir() if p.is_dir())
    assert kept == sorted([second.name, store_path(tmp_path).name])  # the one before stays, older go
    assert not [p for p in (tmp_path / VERSIONS).iterdir() if p.name.startswith(".tmp-")]


@pytest.mark.parametrize("graphs, remove, add, message", [
    ({G + "a": b"<https://x/a> <https://x/p> not N-Quads .\n"}, b"", b"", "patch of .*graph/a: the N-Quads do not parse"),
    ({}, b'<https://x/a> <https://x/p> "x" .\n', b"", "a quad to remove is not in a named graph"),
    ({}, b"", b"<https://x/a> <https://x/p> <https://x/b> <https://x/g>\n", "the quads to add do not parse"),
])
def test_a_patch_that_cannot_be_made_leaves_the_store(corpus, graphs, remove, add, message, tmp_path):
    write_outputs(graph(corpus.values()), tmp_path, store=True)
    live, before = store_path(tmp_path), quads(tmp_path)
    with pytest.raises(KgError, match=message):
        patch_store(tmp_path, graphs, remove, add)
    assert store_path(tmp_path) == live and quads(tmp_path) == before
    assert not [p for p in (tmp_path / VERSIONS).iterdir() if p.name.startswith(".tmp-")]


def test_no_store_to_patch(tmp_path):
    with pytest.raises(NoStoreError, match="run kg build"):
        patch_store(tmp_path, {}, add=BOGUS)
    with pytest.raises(NoStoreError, match="run kg build"):
        compact_store(tmp_path)
    assert not (tmp_path / VERSIONS).exists() and not (tmp_path / STORE).exists()


def test_compaction_keeps_quads_and_records(corpus, tmp_path):
    write_outputs(graph(corpus.values()), tmp_path, store=True)
    patch_store(tmp_path, {}, add=BOGUS)
    before, info = quads(tmp_path), store_info(tmp_path)
    record = store_path(tmp_path).with_suffix(".graphs.json").read_text(encoding="utf-8")
    compact_store(tmp_path)
    after = store_info(tmp_path)
    assert quads(tmp_path) == before and after["path"] != info["path"]
    assert {k: v for k, v in after.items() if k not in ("path", "built")} == \
        {k: v for k, v in info.items() if k not in ("path", "built")}
    assert store_path(tmp_path).with_suffix(".graphs.json").read_text(encoding="utf-8") == record
