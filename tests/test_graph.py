"""kg.graph: nodes, edges, provenance, merging across articles, determinism."""
from __future__ import annotations

import hashlib
import logging
import re

import pytest

from kg.graph import build_graph, entities, event_id, mentions_of
from kg.types import (AWARD, DATE, PERSON, PLACE, UNIT, Article, Entity, Event, Extraction,
                      Mention, Relation)


def extraction(text, spans, ents=(), source="a.txt", title=None, relations=(), events=(),
               **meta) -> Extraction:
    """An Extraction from (surface, label, entity id or EDTF) triples; offsets are looked up."""
    sentences = tuple((m.start(), m.end()) for m in re.finditer(r"\S[^.!?]*[.!?]?", text))
    mentions = []
    for surface, label, ref in spans:
        start = text.index(surface)
        sentence = next(s for s in sentences if s[0] <= start < s[1])
        mentions.append(Mention(start, start + len(surface), surface, label, sentence,
                                entity=None if label == DATE else ref,
                                value=ref if label == DATE else None))
    digest = hashlib.sha256((source + text).encode()).hexdigest()
    art = Article(source=source, text=text, digest=digest, title=title, **meta)
    return Extraction(art, tuple(mentions), tuple(ents), tuple(events), tuple(relations),
                      sentences)


OMAROV = Entity("person:омаров", PERSON, "Кабыш Омаров", ("Омаров",))
BELARUS = Entity("place:западная_белоруссия", PLACE, "Западная Белоруссия")
MONGOL = Entity("unit:монгол", UNIT, "отряд «Монгол»")
TOULOUSE = Entity("place:тулуза", PLACE, "Тулуза")
ZHUMANIYAZOV = Entity("person:жуманиязов", PERSON, "Кадем Жуманиязов")
ISTYBAEV = Entity("person:истыбаев", PERSON, "Ашимбек Истыбаев")
LEGION = Entity("award:почётный_легион", AWARD, "орден Почётного легиона")

ARTICLES = [
    # text, spans, entities, expected co-occurring pairs with their dates
    ("Кабыш Омаров встретил войну 22 июня 1941 года в Западной Белоруссии.",
     [("Кабыш Омаров", PERSON, OMAROV.id), ("22 июня 1941 года", DATE, "1941-06-22"),
      ("Западной Белоруссии", PLACE, BELARUS.id)],
     [OMAROV, BELARUS],
     {(OMAROV.id, BELARUS.id): ["1941-06-22"]}),
    ("Отряд «Монгол» освобождал Тулузу в августе 1944 года. Кадем Жуманиязов воевал в отряде.",
     [("Отряд «Монгол»", UNIT, MONGOL.id), ("Тулузу", PLACE, TOULOUSE.id),
      ("августе 1944 года", DATE, "1944-08"), ("Кадем Жуманиязов", PERSON, ZHUMANIYAZOV.id),
      ("отряде", UNIT, None)],
     [MONGOL, TOULOUSE, ZHUMANIYAZOV],
     {(TOULOUSE.id, MONGOL.id): ["1944-08"]}),
    ("Ашимбек Истыбаев награждён орденом Почётного легиона.",
     [("Ашимбек Истыбаев", PERSON, ISTYBAEV.id), ("орденом Почётного легиона", AWARD, LEGION.id)],
     [ISTYBAEV, LEGION],
     {(LEGION.id, ISTYBAEV.id): []}),
]


@pytest.mark.parametrize("text, spans, ents, pairs", ARTICLES)
def test_nodes_and_co_occurrence(text, spans, ents, pairs):
    ex = extraction(text, spans, ents)
    g = build_graph([ex])
    assert [e["id"] for e in entities(g)] == [e.id for e in ents]
    assert g.nodes[ex.article.id]["kind"] == "article"
    co = {(u, v): a["dates"] for u, v, a in g.edges(data=True) if a["relation"] == "co_occurs"}
    assert co == pairs
    for u, v in co:
        assert u < v  # from the lower id to the higher
    assert not [n for n, a in g.nodes(data=True) if a.get("label") == DATE]


def test_article_node_carries_metadata():
    ex = extraction(*ARTICLES[0][:3], source="seed.txt", title="Партизаны", author="Дина",
                    published="2024-05-08", photographer="Асель")
    a = build_graph([ex]).nodes[ex.article.id]
    assert a == {"kind": "article", "title": "Партизаны", "source": "seed.txt",
                 "author": "Дина", "published": "2024-05-08", "photographer": "Асель",
                 "digest": ex.article.digest, "text": ex.article.text}


def test_mention_edges_have_provenance():
    text, spans, ents, _ = ARTICLES[1]
    ex = extraction(text, spans, ents, title="Тулуза")
    g = build_graph([ex])
    edge = g.edges[ex.article.id, ZHUMANIYAZOV.id, "mention3"]
    start = text.index("Кадем")
    assert edge["relation"] == "mentions"
    assert (edge["start"], edge["end"], edge["text"]) == (start, start + 16, "Кадем Жуманиязов")
    assert edge["sentence"] == "Кадем Жуманиязов воевал в отряде."
    assert text[edge["sentence_start"]:edge["sentence_end"]] == edge["sentence"]
    assert edge["article"] == ex.article.id
    # the unresolved "отряде" and the date make no edge
    assert g.out_degree(ex.article.id) == 3
    assert mentions_of(g, ZHUMANIYAZOV.id) == [{
        "article": ex.article.id, "title": "Тулуза", "source": "a.txt",
        "text": "Кадем Жуманиязов", "start": start, "end": start + 16,
        "sentence": "Кадем Жуманиязов воевал в отряде."}]


def test_same_entity_id_merges_across_articles():
    first = extraction("Омаров ушёл на фронт.", [("Омаров", PERSON, OMAROV.id)],
                       [Entity(OMAROV.id, PERSON, "Кабыш Омаров", ("Омаров",), role="стрелок")],
                       source="a.txt")
    second = extraction("Рядовой Кабыш Омаров бежал из плена.",
                        [("Кабыш Омаров", PERSON, OMAROV.id)],
                        [Entity(OMAROV.id, PERSON, "Кабыш Омаров", ("Кабыша Омарова",),
                                rank="рядовой", role="партизан")],
                        source="b.txt")
    g = build_graph([first, second])
    node = g.nodes[OMAROV.id]
    assert node["aliases"] == ["Кабыша Омарова", "Омаров"]
    assert (node["rank"], node["role"]) == ("рядовой", "стрелок")  # first non-empty wins
    assert node["articles"] == sorted([first.article.id, second.article.id])
    assert node["mentions"] == 2
    assert len(mentions_of(g, OMAROV.id)) == 2


def test_relations_become_edges_with_evidence(caplog):
    text = "Кадем Жуманиязов воевал в отряде «Монгол»."
    ex = extraction(text, [("Кадем Жуманиязов", PERSON, ZHUMANIYAZOV.id),
                           ("отряде «Монгол»", UNIT, MONGOL.id)], [ZHUMANIYAZOV, MONGOL],
                    relations=[Relation(ZHUMANIYAZOV.id, "member_of", MONGOL.id, (0, len(text) - 1),
                                        "member.v1"),
                               Relation(ZHUMANIYAZOV.id, "member_of", "unit:нет", (0, 5))])
    with caplog.at_level(logging.WARNING, logger="kg.graph"):
        g = build_graph([ex])
    [(key, a)] = [(k, a) for _, _, k, a in g.edges(ZHUMANIYAZOV.id, keys=True, data=True)
                  if a["relation"] == "member_of"]
    assert a["rule"] == "member.v1"
    assert (a["start"], a["end"]) == (0, len(text) - 1)
    assert a["sentence"] == text
    assert "unit:нет" not in g
    assert "unit:нет" in caplog.text


def test_events_are_nodes_linked_to_participants_and_place():
    text = "Отряд «Монгол» освобождал Тулузу в августе 1944 года."
    ev = Event("liberation", (MONGOL.id,), "освобождал", (0, len(text)), "1944-08", TOULOUSE.id)
    ex = extraction(text, [("Отряд «Монгол»", UNIT, MONGOL.id), ("Тулузу", PLACE, TOULOUSE.id)],
                    [MONGOL, TOULOUSE], events=[ev])
    g = build_graph([ex])
    eid = event_id(ex.article.id, ev)
    assert eid.startswith("event:") and eid == event_id(ex.article.id, ev)
    node = g.nodes[eid]
    assert (node["kind"], node["event_kind"], node["date"], node["place"], node["trigger"]) == (
        "event", "liberation", "1944-08", TOULOUSE.id, "освобождал")
    assert node["sentence"] == text
    assert g.edges[MONGOL.id, eid, "participant_in"]["article"] == ex.article.id
    assert g.edges[eid, TOULOUSE.id, "took_place_at"]["relation"] == "took_place_at"


def test_mention_of_unlisted_entity_still_makes_a_node(caplog):
    ex = extraction("Омаров вернулся домой.", [("Омаров", PERSON, OMAROV.id)], [])
    with caplog.at_level(logging.WARNING, logger="kg.graph"):
        g = build_graph([ex])
    assert g.nodes[OMAROV.id]["name"] == "Омаров"
    assert OMAROV.id in caplog.text


def test_same_input_same_graph_order():
    exs = [extraction(*row[:3], source=f"{i}.txt") for i, row in enumerate(ARTICLES)]
    g1, g2 = build_graph(exs), build_graph(list(exs))
    assert list(g1.nodes(data=True)) == list(g2.nodes(data=True))
    assert list(g1.edges(keys=True, data=True)) == list(g2.edges(keys=True, data=True))


def test_entities_filter_by_label():
    g = build_graph([extraction(*row[:3], source=f"{i}.txt") for i, row in enumerate(ARTICLES)])
    assert [e["name"] for e in entities(g, PERSON)] == [
        "Кабыш Омаров", "Кадем Жуманиязов", "Ашимбек Истыбаев"]
    assert [e["id"] for e in entities(g, AWARD)] == [LEGION.id]


def test_edges_of_a_sentence_share_its_text():
    """One string per sentence, not a copy per edge: a big archive's graph holds the
    sentence of every mention and co-occurrence."""
    text, spans, ents, _ = ARTICLES[0]
    g = build_graph([extraction(text, spans, ents)])
    sentences = [a["sentence"] for *_, a in g.edges(data=True)]
    assert len(sentences) >= 3 and sentences[0] == text
    assert all(s is sentences[0] for s in sentences)


# --- kept up to date (update_graph) -----------------------------------------------------------

def contents(g) -> tuple[dict, dict]:
    """A graph's nodes and edges with their attributes, whatever their order."""
    return ({n: a for n, a in g.nodes(data=True)},
            {(u, v, k): a for u, v, k, a in g.edges(keys=True, data=True)})


@pytest.fixture(scope="module")
def sample_corpus():
    from kg.pipeline import run
    from kg.resources import data_dir

    return run([str(data_dir() / "corpus")]).extractions


def test_an_updated_graph_has_what_a_new_one_has(sample_corpus):
    """Each article of the sample corpus taken out, then put back, and changed: the
    graph changed in place holds the nodes and edges a graph built again holds."""
    from dataclasses import replace

    from kg.graph import update_graph
    from kg.link import Linker

    linker = Linker()
    g = build_graph(linker.update(sample_corpus))
    before = dict(linker.linked)
    changed = replace(sample_corpus[0], mentions=sample_corpus[0].mentions[:-5],
                      article=replace(sample_corpus[0].article, digest="f" * 64))
    for corpus in ([ex for ex in sample_corpus if ex is not skip] for skip in sample_corpus), \
            [sample_corpus], [[changed, *sample_corpus[1:]]], [sample_corpus]:
        for now in corpus:
            linked = linker.update(now)
            slots = linker.changed_articles
            update_graph(g, [before[s] for s in slots if s in before],
                         [linker.linked[s] for s in slots if s in linker.linked],
                         [linker.records[i] for i in linker.changed_entities if i in linker.records])
            assert contents(g) == contents(build_graph(linked))
            before = dict(linker.linked)
