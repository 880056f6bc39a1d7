r"""Render the knowledge graph as HTML a historian opens offline: one page with the
network, a timeline and a map, and one annotated page per article.

``graph.html`` is self-contained: vis-network (from the installed pyvis package), the
page's own script and style, the data and a world outline (``data/world.geojson``,
Natural Earth) are inlined, and nothing is fetched, so the file still opens in ten
years with no server and no network. The templates (``kg/templates``) are Jinja2 with
autoescape on; the data travels as JSON with ``<``, ``>`` and ``&`` escaped
(:func:`script_json`) and the page's script writes every string with ``textContent``,
so a name or a sentence from an article is always shown as text, never run.

- **Network**: entities coloured and shaped by type, sized by degree, at positions
  computed here (:func:`layout`), physics off. A graph of more than ``max_shown``
  entities first shows the most connected ones; search, the side panel and
  "show connections" bring the others in.
- **Search** by any name or other name, in any case, or in Latin letters; **filters**
  by type, article and years; a **side panel** with the names, rank, role, life path
  (events in date order), facts and the source sentences, each linked to its place in
  the annotated article.
- **Timeline**: events on a time axis, one lane per kind, fuzzy dates drawn as the
  span they can mean; filtered by kind and by the selected person or unit.
- **Map**: places with coordinates over the world outline, sized by their events.

:func:`render_article` writes the article's text with its mentions highlighted by
type, from the same character offsets as every other output.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("person:x", kind="entity", label="PERSON", name="</script><b>Омаров</b>")
>>> page = render_html(g)
>>> "<b>Омаров" in page, "\\u003c/script\\u003e\\u003cb\\u003eОмаров" in page
(False, True)
"""
from __future__ import annotations

import importlib.util
import json
import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO
from urllib.parse import quote

import networkx as nx
import orjson
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from . import collector
from .errors import KgError
from .lifepath import date_bounds, life_event, order_events
from .link import latin
from .normalize import fold as normalize_fold
from .resources import data_dir
from .types import AWARD, ORG, PERSON, PLACE, UNIT

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
ARTICLES_DIR = "articles"

# colour-blind-safe Tableau 10 colours and vis-network shapes; Russian names for the legend
STYLES = {
    PERSON: ("#e15759", "dot", "люди"),
    PLACE: ("#4e79a7", "triangle", "места"),
    UNIT: ("#59a14f", "square", "воинские части"),
    ORG: ("#f28e2b", "diamond", "организации"),
    AWARD: ("#edc948", "star", "награды"),
}
OTHER_STYLE = ("#9c755f", "dot", "другое")
# event kinds in Russian; an unknown kind is shown as it is
EVENT_NAMES = {
    "birth": "рождение", "conscription": "призыв", "battle": "бой", "wounded": "ранение",
    "captured": "плен", "escape": "побег", "joined": "вступление в часть", "death": "гибель",
    "award": "награждение", "reburial": "перезахоронение", "liberation": "освобождение",
    "other": "другое событие",
}
# relation names for "subject — name → object"
RELATION_NAMES = {
    "member_of": "служба в", "commanded": "командир", "part_of": "в составе",
    "located_in": "находится в", "born_in": "место рождения", "died_in": "место гибели",
    "buried_in": "место захоронения", "awarded": "награда", "relative_of": "родственник",
    "co_occurs": "упомянуты вместе",
}
MAX_SHOWN = 1000  # entities drawn at first; more stay one click away
MAX_SENTENCE = 400
_CORE = 2000  # nodes laid out by force; the others are placed around their neighbours


VIEWS = ("network", "timeline", "map")


def render_html(g: nx.MultiDiGraph, title: str = "Граф знаний", max_shown: int = MAX_SHOWN,
                article_pages: bool = True, view: str = "network", focus: str | None = None) -> str:
    """The graph as one self-contained HTML page (see the module's docstring).

    ``article_pages``: link source sentences to ``articles/<id>.html`` (written by
    :func:`render_article`) rather than only quoting them. ``view``: the tab shown first
    (``"network"``, ``"timeline"`` or ``"map"``); ``focus``: an entity id selected on
    opening (the timeline then shows its events), as ``graph.html#<id>`` does.
    """
    with collector.paused():
        return "".join(html_pieces(g, title, max_shown, article_pages, view, focus))


def write_html(g: nx.MultiDiGraph, f: IO[bytes], **options) -> None:
    """:func:`render_html` written to a binary file piece by piece: the page of 10,000
    articles is 130 MB, which memory then never holds whole (as text, twice that)."""
    with collector.paused():
        for piece in html_pieces(g, **options):
            f.write(piece.encode("utf-8"))


def html_pieces(g: nx.MultiDiGraph, title: str = "Граф знаний", max_shown: int = MAX_SHOWN,
                article_pages: bool = True, view: str = "network", focus: str | None = None
                ) -> Iterator[str]:
    """The page of :func:`render_html` in pieces: the template around the data, and the
    data's JSON a few thousand items at a time."""
    if view not in VIEWS:
        raise KgError(f"unknown view {view!r}: one of {', '.join(VIEWS)}")
    if focus is not None and (focus not in g or g.nodes[focus].get("kind") != "entity"):
        raise KgError(f"cannot focus on {focus!r}: not an entity of the graph")
    data = page_data(g, max_shown=max_shown, article_pages=article_pages)
    data["view"], data["focus"] = view, focus
    css, js = _vis_assets()
    page = _env().get_template("graph.html").render(
        title=title.replace("\x00", ""),  # nothing but the slot has a NUL
        legend=[(label, STYLES[label][0], STYLES[label][2]) for label in STYLES],
        n_entities=len(data["entities"]),
        n_events=len(data["events"]),
        n_articles=len(data["articles"]),
        data=Markup(_DATA_SLOT),
        vis_css=Markup(_raw_css(css)),
        vis_js=Markup(_raw_js(js)),
        app_css=Markup(_raw_css(_asset("graph.css"))),
        app_js=Markup(_raw_js(_asset("graph.js"))),
    )
    head, _, tail = page.partition(_DATA_SLOT)
    yield head
    yield from script_json_pieces(data)
    yield tail


_DATA_SLOT = "\x00kg-data\x00"  # where the data goes: no template or asset has a NUL


def page_data(g: nx.MultiDiGraph, max_shown: int = MAX_SHOWN, article_pages: bool = True) -> dict:
    """What ``graph.html`` draws, as JSON-ready lists that refer to each other by index.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("article:1", kind="article", title="Партизаны", source="a.txt")
    >>> g.add_node("person:o", kind="entity", label="PERSON", name="Кабыш Омаров",
    ...            aliases=["Кабыша Омарова"], articles=["article:1"])
    >>> d = page_data(g)
    >>> e = d["entities"][0]
    >>> e["name"], e["key"]
    ('Кабыш Омаров', 'кабыш омаров|кабыша омарова|kabysh omarov|kabysha omarova')
    """
    with collector.paused():
        return _page_data(g, max_shown, article_pages)


def _page_data(g: nx.MultiDiGraph, max_shown: int, article_pages: bool) -> dict:
    attrs = dict(g.nodes(data=True))  # plain dicts: g.nodes[n] costs more than the work
    ids: dict[str, list[str]] = defaultdict(list)
    for n, a in attrs.items():
        ids[a.get("kind")].append(n)
    articles, entity_ids, event_ids = ids["article"], ids["entity"], ids["event"]
    art_index = {n: i for i, n in enumerate(articles)}
    ent_index = {n: i for i, n in enumerate(entity_ids)}

    sentences = _Sentences()
    events = [_event(n, attrs[n], ent_index, art_index, sentences) for n in event_ids]
    edges, mentions, dated = _edges_and_mentions(g, ent_index, art_index, sentences)
    simple = nx.Graph()
    simple.add_nodes_from(range(len(entity_ids)))
    simple.add_edges_from((e["f"], e["t"]) for e in edges if e["f"] != e["t"])
    positions = layout(simple)
    degree = [d for _, d in simple.degree()]  # nodes 0, 1, ... in order

    took_part: dict[int, list[int]] = defaultdict(list)
    for k, ev in enumerate(events):
        for i in dict.fromkeys(ev["who"] + ([ev["place"]] if ev["place"] is not None else [])):
            took_part[i].append(k)
    years = _entity_years(events, took_part, dated)
    order = _life_order(g, entity_ids, event_ids, took_part, art_index)

    out_entities = [_entity(n, attrs[n], positions[i], degree[i], years.get(i), order.get(i, []),
                            mentions.get(i, []), art_index) for i, n in enumerate(entity_ids)]
    by_degree = sorted(range(len(entity_ids)), key=lambda i: (-degree[i], i))
    return {
        "articles": [_article(n, attrs[n], article_pages) for n in articles],
        "entities": out_entities,
        "events": events,
        "edges": edges,
        "sentences": sentences.texts,
        "core": sorted(by_degree[:max_shown]),
        "styles": {label: list(style) for label, style in STYLES.items()},
        "other": list(OTHER_STYLE),
        "eventNames": EVENT_NAMES,
        "relationNames": RELATION_NAMES,
        "world": world_paths(),
    }


def render_article(g: nx.MultiDiGraph, article_id: str, graph_page: str = "../graph.html") -> str:
    """One article's text with its mentions highlighted by type (displaCy-like), each
    mention linked to its entity in ``graph_page`` and reachable as ``#m<start>``.

    >>> g = nx.MultiDiGraph()
    >>> text = "Кабыш Омаров ушёл к партизанам <img src=x onerror=alert(1)>."
    >>> g.add_node("article:1", kind="article", title="<script>", source="a.txt", text=text)
    >>> g.add_node("person:o", kind="entity", label="PERSON", name="Кабыш Омаров")
    >>> _ = g.add_edge("article:1", "person:o", relation="mentions", start=0, end=12, text="Кабыш Омаров")
    >>> page = render_article(g, "article:1")
    >>> '<mark class="kg-PERSON" id="m0"' in page, "<img" in page, "&lt;img" in page
    (True, False, True)
    """
    a = g.nodes[article_id]
    text = a.get("text") or ""
    spans = []
    for _, entity, e in g.out_edges(article_id, data=True):
        if e.get("relation") == "mentions" and entity in g:
            spans.append((e["start"], e["end"], entity))
    spans.sort(key=lambda s: (s[0], -s[1]))
    body, at = [], 0  # the marked-up text, made here: a template loop took 3x as long
    for start, end, entity in spans:
        if start < at or end > len(text):
            continue  # nested or out of range: the outer mention is shown
        if start > at:
            body.append(escape(text[at:start]))
        node = g.nodes[entity]
        label = escape(node.get("label") or "")
        body.append(f'<mark class="kg-{label}" id="m{start}" title="{escape(node.get("name") or entity)}'
                    f' · {escape(STYLES.get(node.get("label") or "", OTHER_STYLE)[2])}">'
                    f'<a href="{escape(graph_page + "#" + quote(entity, safe=""))}">'
                    f'{escape(text[start:end])}</a><span class="kg-tag">{label}</span></mark>')
        at = end
    body.append(escape(text[at:]))
    return _env().get_template("article.html").render(
        title=a.get("title") or Path(a.get("source") or article_id).name,
        meta=[(name, a.get(key)) for key, name in (
            ("source", "файл"), ("author", "автор"), ("published", "опубликовано"),
            ("photographer", "фото")) if a.get(key)],
        legend=[(label, STYLES[label][0], STYLES[label][2]) for label in STYLES],
        body=Markup("".join(body)),
        graph_page=graph_page,
        app_css=Markup(_raw_css(_asset("article.css"))),
    )


def notebook_frame(page: str, height: int = 600) -> str:
    """A page as an ``<iframe srcdoc>`` for Jupyter (``IPython.display.HTML``): the page
    keeps its own script and style apart from the notebook's.

    >>> notebook_frame("<p title='x'>&</p>", 300)
    '<iframe srcdoc="&lt;p title=&#x27;x&#x27;&gt;&amp;&lt;/p&gt;" style="width:100%;height:300px;border:1px solid #ddd"></iframe>'
    """
    import html

    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" '
            f'style="width:100%;height:{int(height)}px;border:1px solid #ddd"></iframe>')


def article_page(article_id: str) -> str:
    """The path of an article's annotated page, relative to the output folder.

    >>> article_page("article:0123456789abcdef")
    'articles/0123456789abcdef.html'
    """
    return f"{ARTICLES_DIR}/{re.sub(r'[^0-9A-Za-z_-]', '_', article_id.split(':', 1)[-1])}.html"


def script_json(value) -> str:
    """JSON that is safe inside an HTML ``<script>`` element: no ``<``, ``>`` or ``&`` left.

    >>> script_json({"name": "</script><img src=x onerror=alert(1)>"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cimg src=x onerror=alert(1)\\\\u003e"}'
    """
    return _script_safe(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode("utf-8"))


def script_json_pieces(data: dict, items_at_a_time: int = 2000) -> Iterator[str]:
    """:func:`script_json` of a dict, in pieces: its long lists a few thousand items at a
    time, each piece by json's C encoder.

    >>> d = {"a": list(range(5)), "b": "<"}
    >>> "".join(script_json_pieces(d, items_at_a_time=2)) == script_json(d)
    True
    """
    yield "{"
    for k, (key, value) in enumerate(data.items()):
        yield ("," if k else "") + script_json(key) + ":"
        if isinstance(value, list) and len(value) > items_at_a_time:
            yield "["
            for i in range(0, len(value), items_at_a_time):
                part = script_json(value[i:i + items_at_a_time])[1:-1]
                yield ("," if i else "") + part
            yield "]"
        else:
            yield script_json(value)
    yield "}"


def _script_safe(text: str) -> str:
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def fold(text: str) -> str:
    """The search form of a name (``kg.normalize.fold``: lower case, ё as е, one kind of
    quote and dash) without stress marks; the page folds what is typed the same way.

    >>> fold("  Алёна  ШАЙХИНА́ "), fold("отряд „Монгол“")
    ('алена шайхина', 'отряд "монгол"')
    """
    return normalize_fold(text.replace("\u0301", "").replace("\u0300", ""))


# -- layout ----------------------------------------------------------------------------

def layout(g: nx.Graph, seed: int = 7, iterations: int = 60) -> dict:
    """Positions in pixels, the same for the same graph on every machine.

    Up to a couple of thousand nodes: a seeded Fruchterman-Reingold layout computed with
    numpy (networkx's ``spring_layout`` needs scipy from 500 nodes on). Beyond, the most
    connected nodes are laid out so and every other node is placed beside the neighbour
    that already has a place (or, with none, on a spiral outside), so that 30,000 nodes
    take seconds, not hours.

    >>> pos = layout(nx.path_graph(3))
    >>> sorted(pos) == [0, 1, 2] and layout(nx.path_graph(3)) == pos
    True
    """
    nodes = list(g)
    if len(nodes) <= _CORE:
        return _force_layout(g, nodes, seed, iterations)
    degree = dict(g.degree())
    by_degree = sorted(nodes, key=degree.__getitem__, reverse=True)  # stable: ties keep graph order
    core = by_degree[:_CORE]
    pos = _force_layout(g.subgraph(core), core, seed, iterations)
    spread = 400 + 40 * math.sqrt(len(core))
    rng = _Rng(seed)
    placed = set(core)
    frontier = list(core)
    while frontier:  # breadth first from the core, so a node sits near its closest neighbour
        nxt = []
        for u in frontier:
            for v in g.neighbors(u):
                if v in placed:
                    continue
                angle, r = rng.next() * 2 * math.pi, 30 + 50 * rng.next()
                x, y = pos[u]
                pos[v] = (round(x + r * math.cos(angle), 1), round(y + r * math.sin(angle), 1))
                placed.add(v)
                nxt.append(v)
        frontier = nxt
    rest = [v for v in nodes if v not in placed]
    for k, v in enumerate(rest):  # the unconnected: a spiral around the picture
        angle = k * 2.399963  # the golden angle spreads them evenly
        r = spread * 1.15 + 12 * math.sqrt(k)
        pos[v] = (round(r * math.cos(angle), 1), round(r * math.sin(angle), 1))
    return pos


class _Rng:
    """A tiny deterministic generator (an LCG): the same numbers on every platform."""

    def __init__(self, seed: int):
        self.state = seed or 1

    def next(self) -> float:
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (self.state >> 11) / float(1 << 53)


def _force_layout(g: nx.Graph, nodes: list, seed: int, iterations: int) -> dict:
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {v: i for i, v in enumerate(nodes)}
    ends = tuple((index[u], index[v]) for u, v in g.edges() if u != v)  # in order: the sums are
    return dict(zip(nodes, _forces(n, ends, seed, iterations)))


@lru_cache(maxsize=2)
def _forces(n: int, ends: tuple, seed: int, iterations: int) -> list[tuple[float, float]]:
    """The positions of ``n`` nodes joined by ``ends`` (pairs of indices). Kept
    for the last graphs: after one article of thousands changed, the most connected
    nodes and their edges are most often the same, and so is their layout."""
    import numpy as np

    ends = np.array(ends, dtype=np.int64).reshape(-1, 2)
    pos = np.random.default_rng(seed).random((n, 2))
    k2 = 1.0 / n  # k, the ideal edge length, is sqrt(area / n) in a unit square
    step = 0.1
    rows = max(1, 262_144 // n)  # repulsion a few rows at a time, in buffers the cache holds
    dx, dy, force, work = (np.empty((min(rows, n), n), np.float32) for _ in range(4))
    for _ in range(iterations):
        x, y = pos[:, 0].astype(np.float32), pos[:, 1].astype(np.float32)
        disp = np.empty((n, 2))
        for lo in range(0, n, rows):
            _repulsion(x, y, lo, k2, dx, dy, force, work, disp)
        if len(ends):
            delta = pos[ends[:, 0]] - pos[ends[:, 1]]
            pull = delta * (np.sqrt((delta ** 2).sum(axis=-1)) / math.sqrt(k2))[:, None]
            np.add.at(disp, ends[:, 0], -pull)
            np.add.at(disp, ends[:, 1], pull)
        disp -= pos - pos.mean(axis=0)  # gravity keeps components together
        length = np.maximum(np.sqrt((disp ** 2).sum(axis=-1)), 1e-9)
        pos += disp * (np.minimum(length, step) / length)[:, None]
        step -= 0.1 / (iterations + 1)
    pos -= pos.mean(axis=0)
    extent = float(np.abs(pos).max()) or 1.0
    scale = 400 + 40 * math.sqrt(n)  # a few thousand pixels for a few thousand nodes
    return [(round(float(x) / extent * scale, 1), round(float(y) / extent * scale, 1))
            for x, y in pos]


def _repulsion(x, y, lo: int, k2: float, dx, dy, force, work, disp) -> None:
    """The repulsion on the nodes from ``lo`` on, as many as the buffers have rows, into
    ``disp``: each row the same float32 operations in the same order whatever the rows."""
    import numpy as np

    m = min(len(dx), len(x) - lo)
    dx, dy, force, work = dx[:m], dy[:m], force[:m], work[:m]
    np.subtract(x[lo:lo + m, None], x, out=dx)
    np.subtract(y[lo:lo + m, None], y, out=dy)
    np.multiply(dx, dx, out=force)
    force += np.multiply(dy, dy, out=work)
    np.maximum(force, 1e-6, out=force)
    np.divide(k2, force, out=force)
    disp[lo:lo + m, 0] = np.multiply(dx, force, out=work).sum(axis=1)
    disp[lo:lo + m, 1] = np.multiply(dy, force, out=work).sum(axis=1)


# -- the data of the page ------------------------------------------------------------

def _article(n: str, a: dict, pages: bool) -> dict:
    return {"id": n, "title": a.get("title") or Path(a.get("source") or n).name,
            "source": a.get("source"), "author": a.get("author"),
            "published": a.get("published"),
            "page": article_page(n) if pages and a.get("text") else None}


def _entity(n: str, a: dict, xy: tuple, degree: int, years, events: list[int],
            mentions: list, art_index: dict) -> dict:
    names = (a.get("name") or n, *(a.get("aliases") or ()))
    out = {"id": n, "label": a.get("label"), "name": names[0], "aliases": list(names[1:]),
           "latin": latin(names[0]), "rank": a.get("rank"), "role": a.get("role"),
           "arts": sorted([art_index[x] for x in (a.get("articles") or ()) if x in art_index]),
           "deg": degree, "x": xy[0], "y": xy[1], "key": _search_key(names)}
    if a.get("lat") is not None and a.get("lon") is not None:
        out["lat"], out["lon"] = round(float(a["lat"]), 4), round(float(a["lon"]), 4)
    if years:
        out["years"] = list(years)
    if events:
        out["ev"] = events
    if mentions:
        out["m"] = mentions
    if a.get("curation"):
        out["cur"] = list(a["curation"])
    if a.get("merged_from"):
        out["former"] = list(a["merged_from"])
    return out


@lru_cache(maxsize=1 << 17)
def _search_key(names: tuple[str, ...]) -> str:
    """The names and their Latin spellings in search form, ``|``-joined; kept, as ``fold``
    and ``latin`` keep theirs, for the next page of a graph that changed a little."""
    return "|".join(dict.fromkeys([fold(x) for x in names] + [fold(latin(x)) for x in names]))


class _Sentences:
    """Source sentences, each once: mentions, edges and events give an index into
    ``sentences`` (a sentence names three entities on average)."""

    def __init__(self):
        self.index: dict[str, int] = {}
        self.texts: list[str] = []

    def __call__(self, sentence: str | None) -> int:
        k = self.index.get(sentence or "")
        if k is None:
            k = self.index[sentence or ""] = len(self.texts)
            self.texts.append(_short(sentence or "", MAX_SENTENCE))
        return k


def _event(n: str, a: dict, ent_index: dict, art_index: dict, sentence: _Sentences) -> dict:
    bounds = _date_bounds(a.get("date"))
    return {
        "id": n, "kind": a.get("event_kind") or "other", "date": a.get("date"),
        "b": bounds[0].isoformat() if bounds else None,
        "e": bounds[1].isoformat() if bounds else None,
        "place": ent_index.get(a.get("place")),
        "who": [ent_index[p] for p in (a.get("participants") or ()) if p in ent_index],
        "art": art_index.get(a.get("article")), "trigger": a.get("trigger"),
        "s": sentence(a.get("sentence")), "start": a.get("start"),
        **_curated(a),
    }


def _curated(a: dict) -> dict:
    """A historian's correction that made this, and the source it cites."""
    out = {}
    if a.get("curation"):
        out["cur"] = list(a["curation"])
    if a.get("reference"):
        out["ref"] = a["reference"]
    return out


def _edges_and_mentions(g: nx.MultiDiGraph, ent_index: dict, art_index: dict, sentence: _Sentences):
    """Drawn edges, one per (source, target, relation) with the count it stands for and
    its first evidence; per entity its source sentences, one per sentence; and the
    co-occurrences that carry dates, as (entity index or None, the same, dates).

    One pass over the edges in ``g.edges`` order (the sentences are numbered in it),
    with what depends on an edge's ends looked up once per pair of ends."""
    merged: dict[tuple[int, int, str], dict] = {}
    mentions: dict[int, list] = defaultdict(list)
    dated: list[tuple] = []
    for u, targets in g.adjacency():
        art, i = art_index.get(u), ent_index.get(u)
        for v, keyed in targets.items():
            j = ent_index.get(v)
            said = set()  # the sentences article u mentions entity v in: each once
            for e in keyed.values():
                relation = e.get("relation", "")
                if relation == "mentions":
                    start = e.get("start")
                    where = e.get("sentence_start", start)
                    if j is not None and art is not None and where not in said:
                        said.add(where)
                        mentions[j].append((art, start, sentence(e.get("sentence"))))
                    continue
                if relation == "co_occurs" and e.get("dates") and (i is not None or j is not None):
                    dated.append((i, j, e["dates"]))
                if i is None or j is None:
                    continue  # participant_in, took_place_at: events have their own lists
                drawn = merged.get((i, j, relation))
                if drawn is None:
                    drawn = merged[i, j, relation] = {
                        "f": i, "t": j, "rel": relation, "n": 0,
                        "art": art_index.get(e.get("article")), "start": e.get("start"),
                        "s": sentence(e.get("sentence")), "rule": e.get("rule"), **_curated(e)}
                drawn["n"] += 1
    return list(merged.values()), dict(mentions), dated


def _entity_years(events: list[dict], took_part: dict, dated: list[tuple]
                  ) -> dict[int, tuple[int, int]]:
    """The years an entity is dated to: its events', and those of the sentences it shares."""
    years: dict[int, list[int]] = defaultdict(list)
    for i, ks in took_part.items():
        for k in ks:
            if events[k]["b"]:
                years[i] += [int(events[k]["b"][:4]), int(events[k]["e"][:4])]
    for pair in dated:
        for value in pair[2]:
            bounds = _date_bounds(value)
            if bounds and bounds[1].year - bounds[0].year < 20:  # "в XX веке" dates nothing
                for x in pair[:2]:
                    if x is not None:
                        years[x] += [bounds[0].year, bounds[1].year]
    return {i: (min(ys), max(ys)) for i, ys in years.items()}


@lru_cache(maxsize=1 << 16)
def _date_bounds(value: str | None):
    """``date_bounds``, once per value: 10,000 articles date 90,000 co-occurrences with
    1,400 values."""
    return date_bounds(value)


def _life_order(g, entity_ids, event_ids, took_part, art_index) -> dict[int, list[int]]:
    """Each entity's events in the order ``kg person`` gives them (``kg.lifepath``)."""
    order = {}
    for i, ks in took_part.items():
        if len(ks) == 1:  # most entities: nothing to order
            order[i] = ks
            continue
        made = [life_event(g, entity_ids[i], event_ids[k]) for k in ks]
        index = {id(e): k for e, k in zip(made, ks)}
        order[i] = [index[id(e)] for e in order_events(made, art_index)]
    return order


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


# -- assets ---------------------------------------------------------------------------

@lru_cache(maxsize=1)
def world_paths() -> list[str]:
    """The world's countries as SVG path data in an equirectangular projection
    (x = longitude, y = -latitude), from ``data/world.geojson`` (Natural Earth);
    empty, with a warning, when the file is missing."""
    path = data_dir() / "world.geojson"
    if not path.exists():
        log.warning("%s is missing: the map is drawn without a world outline", path)
        return []
    features = json.loads(path.read_text(encoding="utf-8")).get("features", [])
    out = []
    for f in features:
        geometry = f.get("geometry") or {}
        polygons = geometry.get("coordinates") or []
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        d = []
        for polygon in polygons:
            for ring in polygon:
                if len(ring) > 2:
                    d.append("M" + "L".join(f"{x:g},{-y:g}" for x, y in ring) + "Z")
        if d:
            out.append("".join(d))
    return out


def _env() -> Environment:
    return _environment()


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)),
                       autoescape=select_autoescape(["html"], default=True),
                       trim_blocks=True, lstrip_blocks=True)


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _raw_css(text: str) -> str:
    return text.replace("</style", "<\\/style")


def _raw_js(text: str) -> str:
    return text.replace("</script", "<\\/script")


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    """vis-network's CSS and JS as shipped inside the pyvis package (newest version there)."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise KgError("pyvis is not installed: graph.html needs the vis-network it ships")
    lib = Path(next(iter(spec.submodule_search_locations))) / "templates" / "lib"
    found = sorted(lib.glob("vis-*/vis-network.min.js"), key=lambda p: _version(p.parent.name))
    if not found:
        raise KgError(f"{lib}: no vis-network.min.js in the pyvis package")
    folder = found[-1].parent
    log.debug("inlining vis-network from %s", folder)
    return ((folder / "vis-network.css").read_text(encoding="utf-8"),
            (folder / "vis-network.min.js").read_text(encoding="utf-8"))


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", name))
