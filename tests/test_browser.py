"""graph.html and the article pages in a real browser (headless Debian chromium):
no network, no console error, the expected nodes, search, filters, side panel,
timeline, map, big graphs, and hostile article text that runs nothing.

Screenshots for a person to look at are saved in tests/artifacts/.
"""
from __future__ import annotations

import hashlib

import networkx as nx
import pytest

from kg.export import write_outputs
from kg.graph import build_graph
from kg.types import DATE, PERSON, PLACE, UNIT, Article, Entity, Event, Extraction, Mention, Relation

XSS = "<img src=x onerror=alert(1)>"
BREAKOUT = "</script><script>alert(2)</script>"
QUOTE = "\" onmouseover=\"alert(3)"

OMAROV = Entity("person:кабыш_омаров", PERSON, "Кабыш Омаров", ("Кабыша Омарова",), "лейтенант")
ZHUMANIYAZOV = Entity("person:кадем_жуманиязов", PERSON, "Кадем Жуманиязов")
MONGOL = Entity("unit:отряд_монгол", UNIT, "отряд «Монгол»")
TOULOUSE = Entity("place:тулуза", PLACE, "Тулуза", geonames=2972315, coords=(43.6, 1.44))
SMOLENSK = Entity("place:смоленск", PLACE, "Смоленск", geonames=491687, coords=(54.78, 32.04))
EVIL = Entity("person:evil", PERSON, XSS, (BREAKOUT, QUOTE), role=XSS)


def article(text: str, source: str, title: str, names: list[tuple[str, str, str | None]],
            entities, events=(), relations=()) -> Extraction:
    sentence = (0, len(text))
    mentions = []
    for surface, label, ref in names:
        start = text.index(surface)
        mentions.append(Mention(start, start + len(surface), surface, label, sentence,
                                entity=None if label == DATE else ref,
                                value=ref if label == DATE else None))
    digest = hashlib.sha256((source + text).encode()).hexdigest()
    return Extraction(Article(source=source, text=text, digest=digest, title=title),
                      tuple(mentions), tuple(entities), tuple(events), tuple(relations),
                      sentences=(sentence,))


def corpus() -> list[Extraction]:
    one = "Летом 1943 года Кабыш Омаров и Кадем Жуманиязов бежали из лагеря и ушли в отряд «Монгол» под Тулузой."
    two = "В июле 1941 года Кабыш Омаров был ранен под Смоленском."
    evil = f"{XSS} встретил {BREAKOUT} в Тулузе {QUOTE} & не только."
    return [
        article(one, "toulouse.txt", "Они освобождали Европу",
                [("Летом 1943 года", DATE, "1943-22"), ("Кабыш Омаров", PERSON, OMAROV.id),
                 ("Кадем Жуманиязов", PERSON, ZHUMANIYAZOV.id), ("отряд «Монгол»", UNIT, MONGOL.id),
                 ("Тулузой", PLACE, TOULOUSE.id)],
                [OMAROV, ZHUMANIYAZOV, MONGOL, TOULOUSE],
                events=[Event("escape", (OMAROV.id, ZHUMANIYAZOV.id), "бежали", (0, len(one)), "1943-22",
                              TOULOUSE.id)],
                relations=[Relation(OMAROV.id, "member_of", MONGOL.id, (0, len(one)), "event:joined")]),
        article(two, "smolensk.txt", "Смоленск, 1941",
                [("июле 1941 года", DATE, "1941-07"), ("Кабыш Омаров", PERSON, OMAROV.id),
                 ("Смоленском", PLACE, SMOLENSK.id)],
                [OMAROV, SMOLENSK],
                events=[Event("wounded", (OMAROV.id,), "ранен", (0, len(two)), "1941-07", SMOLENSK.id)]),
        article(evil, "evil<script>.html", BREAKOUT,
                [(XSS, PERSON, EVIL.id), ("Тулузе", PLACE, TOULOUSE.id)], [EVIL, TOULOUSE],
                events=[Event("battle", (EVIL.id,), "встретил", (0, len(evil)), "1944", TOULOUSE.id)]),
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    write_outputs(build_graph(corpus()), out)
    return out


def ready(opened, view="network"):
    opened.page.wait_for_selector(f"html[data-ready='{view}']")
    return opened


def clean(opened):
    assert opened.requests == [], opened.requests
    assert not opened.problems(), opened.problems()


def test_graph_page_opens_offline_with_every_node(open_page, built):
    opened = ready(open_page(built / "graph.html"))
    page = opened.page
    assert page.evaluate("kg.network.body.data.nodes.length") == 6
    names = set(page.evaluate("kg.network.body.data.nodes.get().map(n => n.label)"))
    assert {"Кабыш Омаров", "отряд «Монгол»", "Тулуза", XSS} <= names
    assert page.evaluate("kg.network.body.data.edges.length") > 0
    opened.screenshot("graph-network")
    clean(opened)


@pytest.mark.parametrize("query", ["кабыша омарова", "OMAROV", "kabysh", "Омаров"])
def test_search_opens_the_side_panel(open_page, built, query):
    opened = ready(open_page(built / "graph.html"))
    page = opened.page
    page.fill("#kg-search", query)
    assert "Кабыш Омаров" in page.inner_text("#kg-results")
    page.press("#kg-search", "Enter")
    panel = page.locator("#kg-panel")
    assert panel.locator("h2").inner_text().strip() == "Кабыш Омаров"
    text = panel.inner_text()
    assert "звание: лейтенант" in text and "Кабыша Омарова" in text
    # the life path in date order, then the sources with links into the annotated article
    assert text.index("1941-07") < text.index("1943-22")
    assert "Летом 1943 года Кабыш Омаров и Кадем Жуманиязов бежали" in text
    href = panel.locator("a", has_text="Они освобождали Европу").first.get_attribute("href")
    assert href.startswith("articles/") and "#m" in href
    opened.screenshot("graph-search-panel")
    clean(opened)


def test_panel_link_leads_to_the_highlighted_mention(open_page, built):
    opened = ready(open_page(built / "graph.html"))
    page = opened.page
    page.fill("#kg-search", "Омаров")
    page.press("#kg-search", "Enter")
    page.locator("#kg-panel a", has_text="Смоленск, 1941").first.click()
    page.wait_for_load_state("load")
    target = page.locator("mark:target")
    assert target.inner_text().startswith("Кабыш Омаров")
    assert page.locator("article mark.kg-PLACE").inner_text().startswith("Смоленском")
    opened.screenshot("article-page")
    clean(opened)


def test_filters_by_type_article_and_years(open_page, built):
    opened = ready(open_page(built / "graph.html"))
    page = opened.page

    def shown():
        return set(page.evaluate("kg.network.body.data.nodes.get().map(n => n.label)"))

    page.uncheck("#kg-types input[value=PERSON]")
    assert shown() == {"отряд «Монгол»", "Тулуза", "Смоленск"}
    page.check("#kg-types input[value=PERSON]")
    page.select_option("#kg-article", label="Смоленск, 1941")
    assert shown() == {"Кабыш Омаров", "Смоленск"}
    page.click("#kg-reset")
    page.fill("#kg-from", "1943")
    page.fill("#kg-to", "1943")
    page.dispatch_event("#kg-to", "change")
    assert shown() == {"Кабыш Омаров", "Кадем Жуманиязов", "Тулуза", "отряд «Монгол»"}
    clean(opened)


def test_timeline_draws_dated_events_as_spans(open_page, built):
    opened = ready(open_page(built / "graph.html"))
    page = opened.page
    page.click(".kg-tabs button[data-view=timeline]")
    bars = page.locator("#kg-timeline-plot rect.kg-ev")
    assert bars.count() == 3
    assert page.locator("#kg-timeline-plot rect.kg-fuzzy").count() == 2  # a summer, a year
    page.uncheck("#kg-kinds input[value=battle]")
    assert bars.count() == 2
    bars.first.click()
    assert page.locator("#kg-panel h2").inner_text() in ("ранение", "побег")
    opened.screenshot("graph-timeline")
    clean(opened)


def test_timeline_follows_a_person(open_page, built):
    opened = ready(open_page(built / "graph.html"))
    page = opened.page
    page.fill("#kg-search", "Жуманиязов")
    page.press("#kg-search", "Enter")
    page.click("#kg-panel button:has-text('на хронологии')")
    assert page.locator("#kg-timeline-plot rect.kg-ev").count() == 1
    assert "Кадем Жуманиязов" in page.inner_text("#kg-timeline-who")
    clean(opened)


def test_map_shows_places_with_coordinates(open_page, built):
    opened = ready(open_page(built / "graph.html"))
    page = opened.page
    page.click(".kg-tabs button[data-view=map]")
    assert page.locator("#kg-map-plot path.kg-land").count() > 150  # the world outline, offline
    places = page.locator("#kg-map-plot circle.kg-place")
    assert places.count() == 2
    places.first.click()
    assert page.locator("#kg-panel h2").inner_text() in ("Тулуза", "Смоленск")
    opened.screenshot("graph-map")
    clean(opened)


def test_hostile_text_is_shown_and_never_run(open_page, built):
    opened = ready(open_page(built / "graph.html"))
    page = opened.page
    page.fill("#kg-search", "img src")
    page.press("#kg-search", "Enter")
    panel = page.locator("#kg-panel")
    assert panel.locator("h2").inner_text().strip() == XSS
    text = panel.inner_text()
    assert BREAKOUT in text and QUOTE in text and "роль: " + XSS in text
    assert page.locator("#kg-panel img, #kg-panel script").count() == 0
    page.select_option("#kg-article", label=BREAKOUT)
    page.click(".kg-tabs button[data-view=timeline]")
    page.hover("#kg-timeline-plot rect.kg-ev")
    page.click(".kg-tabs button[data-view=map]")
    page.hover("#kg-map-plot circle.kg-place")
    opened.screenshot("graph-hostile")
    assert opened.dialogs == []
    clean(opened)

    evil = next(p for p in (built / "articles").iterdir() if BREAKOUT in p.read_text(encoding="utf-8").replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"'))
    page_of_article = open_page(evil)
    body = page_of_article.page.inner_text("article")
    assert XSS in body and BREAKOUT in body and QUOTE in body  # the article text, as text
    assert page_of_article.page.inner_text("h1") == BREAKOUT
    assert page_of_article.page.locator("article img, article script").count() == 0
    page_of_article.screenshot("article-hostile")
    clean(page_of_article)


def test_big_graph_shows_the_most_connected_and_expands(open_page, tmp_path):
    g = nx.MultiDiGraph()
    g.add_node("article:0", kind="article", title="Архив", source="a.txt")
    hub_graph = nx.barabasi_albert_graph(3000, 2, seed=5)
    for i in hub_graph:
        g.add_node(f"person:{i}", kind="entity", label=PERSON, name=f"Боец {i}",
                   articles=["article:0"])
    for u, v in hub_graph.edges():
        g.add_edge(f"person:{u}", f"person:{v}", relation="co_occurs", article="article:0",
                   sentence="…")
    from kg.render import render_html
    (tmp_path / "graph.html").write_text(render_html(g, article_pages=False), encoding="utf-8")
    opened = ready(open_page(tmp_path / "graph.html"))
    page = opened.page
    assert page.evaluate("kg.network.body.data.nodes.length") == 1000
    assert page.is_visible("#kg-all")
    # a node outside the first thousand whose neighbours are not all shown either
    rare = page.evaluate("""(() => {
      const shown = kg.state.shown, near = {};
      kg.data.edges.forEach(r => { (near[r.f] = near[r.f] || []).push(r.t); (near[r.t] = near[r.t] || []).push(r.f); });
      return kg.data.entities.findIndex((e, i) => !shown[i] && near[i].some(j => !shown[j]));
    })()""")
    page.fill("#kg-search", f"Боец {rare}")
    page.press("#kg-search", "Enter")
    assert page.evaluate("kg.network.body.data.nodes.length") == 1001
    assert page.evaluate(f"kg.network.body.data.nodes.get({rare}) !== null")
    page.click("#kg-panel button:has-text('показать связи')")
    assert page.evaluate("kg.network.body.data.nodes.length") > 1001
    opened.screenshot("graph-big")
    clean(opened)
