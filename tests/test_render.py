"""kg.render: one offline page, untrusted text kept as text, nodes and tooltips present."""
from __future__ import annotations

import hashlib
import json
import re

import networkx as nx
import pytest

from kg.graph import build_graph
from kg.render import STYLES, layout, render_html
from kg.types import DATE, PERSON, PLACE, UNIT, Article, Entity, Extraction, Mention

XSS = "<img src=x onerror=alert(1)>"
BREAKOUT = "</script><script>alert(1)</script>"


def extraction(text, spans, ents, source="a.txt", title=None) -> Extraction:
    sentence = (0, len(text))
    mentions = []
    for surface, label, ref in spans:
        start = text.index(surface)
        mentions.append(Mention(start, start + len(surface), surface, label, sentence,
                                entity=None if label == DATE else ref,
                                value=ref if label == DATE else None))
    digest = hashlib.sha256((source + text).encode()).hexdigest()
    return Extraction(Article(source=source, text=text, digest=digest, title=title),
                      tuple(mentions), tuple(ents))


OMAROV = Entity("person:омаров", PERSON, "Кабыш Омаров", ("Омарова",), "рядовой", "партизан")
MONGOL = Entity("unit:монгол", UNIT, "отряд «Монгол»")
TOULOUSE = Entity("place:тулуза", PLACE, "Тулуза")
EVIL = Entity("person:evil", PERSON, XSS, (BREAKOUT,))


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    text = "Рядовой Кабыш Омаров из отряда «Монгол» освобождал Тулузу."
    evil_text = f"{XSS} встретил {BREAKOUT} в Тулузе & не только."
    return build_graph([
        extraction(text, [("Кабыш Омаров", PERSON, OMAROV.id), ("отряда «Монгол»", UNIT, MONGOL.id),
                          ("Тулузу", PLACE, TOULOUSE.id)],
                   [OMAROV, MONGOL, TOULOUSE], title="Освобождение Тулузы"),
        extraction(evil_text, [(XSS, PERSON, EVIL.id), ("Тулузе", PLACE, TOULOUSE.id)],
                   [EVIL, TOULOUSE], source="evil.html", title=BREAKOUT),
    ])


@pytest.fixture
def page(graph) -> str:
    return render_html(graph)


def page_data(page: str) -> dict:
    start = page.index('<script type="application/json" id="kg-data">')
    body = page[page.index(">", start) + 1:page.index("</script>", start)]
    return json.loads(body)


def test_page_references_nothing_outside(page):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "<link" not in page.lower()
    assert not re.search(r"<script[^>]*\ssrc\s*=", page, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page, re.I)


def test_page_is_self_contained_with_vis_inlined(page):
    assert page.startswith("<!DOCTYPE html>")
    assert "vis-network" in page and "new vis.Network(" in page
    assert '"physics": false' in page


@pytest.mark.parametrize("hostile", [XSS, BREAKOUT, "<script>alert(1)</script>"])
def test_untrusted_text_is_never_markup(page, hostile):
    assert hostile not in page


def test_only_our_script_elements_close(page):
    # the JSON block, vis-network, the page's own code: article text cannot add a fourth
    assert page.count("</script>") == 3


def test_hostile_text_survives_as_data(page):
    data = page_data(page)
    evil = next(n for n in data["nodes"] if n["label"] == XSS)
    tip = [text for _, text in evil["tip"]]
    assert XSS in tip and "также: " + BREAKOUT in tip
    assert BREAKOUT in {text for n in data["nodes"] for _, text in n["tip"]}


def test_tooltips_are_built_as_text_nodes(page):
    assert "textContent" in page
    app = page[page.rindex("<script>"):]
    assert "innerHTML" not in app


def test_nodes_edges_and_legend(page, graph):
    data = page_data(page)
    labels = {n["label"] for n in data["nodes"]}
    assert {"Кабыш Омаров", "отряд «Монгол»", "Тулуза", "Освобождение Тулузы"} <= labels
    assert len(data["nodes"]) == graph.number_of_nodes()
    boxes = [n for n in data["nodes"] if n["shape"] == "box"]
    assert len(boxes) == 2  # articles
    for colour, name in STYLES.values():
        assert name in page and colour in page
    omarov = next(n for n in data["nodes"] if n["label"] == "Кабыш Омаров")
    assert omarov["color"] == STYLES[PERSON][0]
    tip = [text for _, text in omarov["tip"]]
    assert "также: Омарова" in tip and "звание: рядовой" in tip and "роль: партизан" in tip
    assert "«Рядовой Кабыш Омаров из отряда «Монгол» освобождал Тулузу.»" in tip
    assert "Освобождение Тулузы" in tip
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])


def test_size_grows_with_degree(page):
    data = page_data(page)
    sizes = {n["label"]: n["size"] for n in data["nodes"] if n["shape"] == "dot"}
    assert sizes["Тулуза"] > sizes["Кабыш Омаров"]


def test_same_graph_same_page(graph):
    assert render_html(graph) == render_html(graph)


def test_hostile_title_is_escaped(graph):
    page = render_html(graph, title=XSS)
    assert "<title>&lt;img src=x onerror=alert(1)&gt;</title>" in page


@pytest.mark.parametrize("g", [
    nx.Graph(), nx.path_graph(1), nx.path_graph(4),
    nx.disjoint_union(nx.star_graph(5), nx.path_graph(3)),
    nx.gnm_random_graph(600, 1200, seed=1),  # past the size where spring_layout needs scipy
])
def test_layout_places_every_node(g):
    pos = layout(g)
    assert set(pos) == set(g)
    assert pos == layout(g)
    if len(g) > 1:
        points = {p for p in pos.values()}
        assert len(points) == len(g)  # nobody stacked on top of another
        limit = 400 + 40 * len(g) ** 0.5 + 0.1  # positions are rounded to 0.1 px
        assert max(abs(c) for p in points for c in p) <= limit
