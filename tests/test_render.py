"""kg.render: one offline page, untrusted text kept as text, nodes and tooltips present."""
from __future__ import annotations

import hashlib
import json
import re

import networkx as nx
import pytest

from kg.graph import build_graph
from kg.render import STYLES, layout, render_article, render_html
from kg.types import DATE, PERSON, PLACE, UNIT, Article, Entity, Event, Extraction, Mention

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
    # and the browser is told so: nothing may be fetched even if a script tried
    assert "default-src 'none'" in page


def test_page_is_self_contained_with_vis_inlined(page):
    assert page.startswith("<!DOCTYPE html>")
    assert "vis-network" in page and "new vis.Network(" in page
    assert "physics: false" in page


@pytest.mark.parametrize("hostile", [XSS, BREAKOUT, "<script>alert(1)</script>"])
def test_untrusted_text_is_never_markup(page, hostile):
    assert hostile not in page


def test_only_our_script_elements_close(page):
    # the JSON block, vis-network, the page's own code: article text cannot add a fourth
    assert page.count("</script>") == 3


def test_hostile_text_survives_as_data(page):
    data = page_data(page)
    evil = next(e for e in data["entities"] if e["name"] == XSS)
    assert evil["aliases"] == [BREAKOUT]
    assert BREAKOUT in {a["title"] for a in data["articles"]}
    assert any(XSS in data["sentences"][m[2]] for m in evil["m"])


def test_the_page_script_writes_text_never_html(page):
    app = page[page.rindex("<script>"):]
    assert "textContent" in app
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in app


def test_entities_articles_and_legend(page, graph):
    data = page_data(page)
    names = {e["name"] for e in data["entities"]}
    assert {"Кабыш Омаров", "отряд «Монгол»", "Тулуза"} <= names
    assert len(data["entities"]) == 4 and len(data["articles"]) == 2
    for colour, _shape, name in STYLES.values():
        assert name in page and colour in page
    omarov = next(e for e in data["entities"] if e["name"] == "Кабыш Омаров")
    assert omarov["label"] == PERSON and omarov["aliases"] == ["Омарова"]
    assert omarov["rank"] == "рядовой" and omarov["role"] == "партизан"
    assert omarov["latin"] == "Kabysh Omarov"
    [(art, start, k)] = omarov["m"]
    sentence = data["sentences"][k]
    assert data["articles"][art]["title"] == "Освобождение Тулузы"
    assert data["articles"][art]["page"].startswith("articles/")
    assert sentence == "Рядовой Кабыш Омаров из отряда «Монгол» освобождал Тулузу."
    assert start == sentence.index("Кабыш")
    assert all(isinstance(e["x"], float) and isinstance(e["y"], float) for e in data["entities"])


@pytest.mark.parametrize("query, name", [
    ("кабыш омаров", "Кабыш Омаров"),
    ("ОМАРОВА", "Кабыш Омаров"),       # another form, another case
    ("kabysh omarov", "Кабыш Омаров"),  # Latin letters
    ("omarova", "Кабыш Омаров"),
    ("монгол", "отряд «Монгол»"),
])
def test_search_keys_cover_forms_case_and_latin(page, query, name):
    data = page_data(page)
    hits = [e["name"] for e in data["entities"] if query.lower() in e["key"]]
    assert name in hits


def test_degree_and_core(page):
    data = page_data(page)
    deg = {e["name"]: e["deg"] for e in data["entities"]}
    assert deg["Тулуза"] > deg["Кабыш Омаров"]
    assert data["core"] == sorted(range(len(data["entities"])))


def test_big_graph_shows_most_connected_first(graph):
    from kg.render import page_data as data_of
    data = data_of(graph, max_shown=1)
    assert [data["entities"][i]["name"] for i in data["core"]] == ["Тулуза"]


def test_events_carry_dates_as_spans():
    text = "Летом 1943 года Кабыш Омаров бежал из лагеря в Баварии."
    ex = extraction(text, [("Кабыш Омаров", PERSON, OMAROV.id), ("Летом 1943 года", DATE, "1943-22")],
                    [OMAROV])
    ex = Extraction(ex.article, ex.mentions, ex.entities,
                    events=(Event("escape", (OMAROV.id,), "бежал", (0, len(text)), "1943-22"),))
    data = page_data(render_html(build_graph([ex])))
    [ev] = data["events"]
    assert (ev["kind"], ev["date"], ev["b"], ev["e"]) == ("escape", "1943-22", "1943-06-01", "1943-08-31")
    omarov = data["entities"][ev["who"][0]]
    assert omarov["ev"] == [0] and omarov["years"] == [1943, 1943]


def test_same_graph_same_page(graph):
    assert render_html(graph) == render_html(graph)


def test_hostile_title_is_escaped(graph):
    page = render_html(graph, title=XSS)
    assert "<title>&lt;img src=x onerror=alert(1)&gt;</title>" in page


def test_world_outline_is_inlined(page):
    data = page_data(page)
    assert len(data["world"]) > 150
    assert all(d.startswith("M") for d in data["world"])


def test_article_page_highlights_mentions_from_offsets(graph):
    article = next(n for n, a in graph.nodes(data=True) if a.get("title") == "Освобождение Тулузы")
    html = render_article(graph, article)
    text = graph.nodes[article]["text"]
    start = text.index("Кабыш Омаров")
    assert f'<mark class="kg-PERSON" id="m{start}"' in html
    assert ">Кабыш Омаров<" in html and "graph.html#person%3A" in html
    assert "Content-Security-Policy" in html


def test_article_page_keeps_hostile_text_as_text(graph):
    article = next(n for n, a in graph.nodes(data=True) if a.get("source") == "evil.html")
    html = render_article(graph, article)
    for hostile in (XSS, BREAKOUT, "<script>alert(1)</script>"):
        assert hostile not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&amp; не только" in html
    assert html.count("<script") == 0


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


def test_layout_of_a_big_graph_is_fast_and_complete():
    g = nx.disjoint_union(nx.barabasi_albert_graph(5000, 2, seed=3), nx.empty_graph(300))
    pos = layout(g)
    assert set(pos) == set(g) and pos == layout(g)
    assert len(set(pos.values())) > 0.99 * len(g)
