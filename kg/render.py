r"""Render the knowledge graph as one self-contained, offline HTML page.

The page uses vis-network, the library pyvis wraps, taken from the installed pyvis
package and inlined, with a small Jinja2 template of our own (autoescape on) instead
of pyvis's template: pyvis's page links bootstrap and tom-select from CDNs, and
``Network.from_nx`` and its default physics are slow on a few thousand nodes.
The page references no outside resource, so it still opens in years.

- Entities are dots coloured by label (legend at the top) and sized by degree;
  articles are grey boxes linked to the entities they mention; events are diamonds.
- Positions are computed here (a seeded force layout), and physics is off.
- Tooltips give the canonical name, aliases, rank, role and up to two source
  sentences with their article title. Article text is untrusted: it travels as
  JSON (``<``, ``>``, ``&`` escaped) and tooltips are DOM nodes filled with
  ``textContent``, so no name is ever read as HTML.

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
from functools import lru_cache
from pathlib import Path

import networkx as nx
from jinja2 import Environment
from markupsafe import Markup

from .errors import KgError
from .types import AWARD, ORG, PERSON, PLACE, UNIT

log = logging.getLogger(__name__)

# colour-blind-safe Tableau 10 colours; the Russian names are for the legend
STYLES = {
    PERSON: ("#e15759", "люди"),
    PLACE: ("#4e79a7", "места"),
    UNIT: ("#59a14f", "воинские части"),
    ORG: ("#f28e2b", "организации"),
    AWARD: ("#edc948", "награды"),
    "event": ("#b07aa1", "события"),
    "article": ("#bab0ac", "статьи"),
}
OTHER_COLOUR = "#9c755f"
EDGE_COLOURS = {"mentions": "#d7d7d7", "co_occurs": "#a0a0a0"}
MAX_SENTENCE = 300

_TEMPLATE = """<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>{{ vis_css }}</style>
<style>
html, body { margin: 0; height: 100%; font: 14px/1.4 sans-serif; }
body { display: flex; flex-direction: column; }
header { padding: 6px 12px; border-bottom: 1px solid #ddd; display: flex; flex-wrap: wrap;
         gap: 6px 18px; align-items: center; }
header h1 { font-size: 16px; margin: 0; }
.legend { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 12px; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px;
          vertical-align: -1px; border-radius: 2px; }
#kg-network { flex: 1; min-height: 400px; }
.kg-tip { white-space: normal; max-width: 420px; }
.kg-tip-h { font-weight: bold; }
.kg-tip-m { color: #555; }
.kg-tip-q { margin-top: 4px; font-style: italic; }
.kg-tip-s { color: #555; font-size: 12px; }
</style>
</head>
<body>
<header>
<h1>{{ title }}</h1>
<ul class="legend">
{%- for colour, name in legend %}
<li><span class="swatch" style="background: {{ colour }}"></span>{{ name }}</li>
{%- endfor %}
</ul>
<span>{{ n_nodes }} узлов, {{ n_edges }} связей</span>
<input id="kg-search" type="search" placeholder="найти по имени…" aria-label="найти по имени">
</header>
<div id="kg-network"></div>
<script type="application/json" id="kg-data">{{ data }}</script>
<script>{{ vis_js }}</script>
<script>{{ app_js }}</script>
</body>
</html>
"""

_APP_JS = r"""(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  function tip(lines) {
    var box = document.createElement("div");
    box.className = "kg-tip";
    lines.forEach(function (line) {
      var row = document.createElement("div");
      row.className = "kg-tip-" + line[0];
      row.textContent = line[1];
      box.appendChild(row);
    });
    return box;
  }
  function withTip(item) {
    var copy = Object.assign({}, item);
    copy.title = tip(item.tip);
    delete copy.tip;
    return copy;
  }
  var nodes = new vis.DataSet(data.nodes.map(withTip));
  var edges = new vis.DataSet(data.edges.map(withTip));
  var network = new vis.Network(document.getElementById("kg-network"),
                                {nodes: nodes, edges: edges}, data.options);
  document.getElementById("kg-search").addEventListener("change", function (event) {
    var query = event.target.value.trim().toLowerCase();
    if (!query) { network.unselectAll(); return; }
    var hit = data.nodes.filter(function (n) { return n.label.toLowerCase().indexOf(query) >= 0; });
    if (hit.length) {
      network.selectNodes(hit.map(function (n) { return n.id; }));
      network.focus(hit[0].id, {scale: 1.0, animation: false});
    }
  });
})();
"""

_OPTIONS = {
    "physics": False,
    "layout": {"improvedLayout": False},
    "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True},
    "edges": {"smooth": False, "font": {"size": 10, "align": "middle"}},
    "nodes": {"font": {"size": 14}},
}


def render_html(g: nx.MultiDiGraph, title: str = "Граф знаний") -> str:
    """The graph as one HTML page with no outside resources (see the module doc)."""
    nodes = [n for n, a in g.nodes(data=True) if a.get("kind") in ("entity", "article", "event")]
    edges = _merge_edges(g, set(nodes))
    simple = nx.Graph()
    simple.add_nodes_from(nodes)
    simple.add_edges_from((u, v) for u, v, _ in edges)
    positions = layout(simple)
    index = {n: i for i, n in enumerate(nodes)}
    data = {
        "nodes": [_node(g, n, index[n], positions[n], simple.degree(n)) for n in nodes],
        "edges": [_edge(g, u, v, index, info) for u, v, info in edges],
        "options": _OPTIONS,
    }
    css, js = _vis_assets()
    env = Environment(autoescape=True)
    return env.from_string(_TEMPLATE).render(
        title=title,
        legend=[STYLES[k] for k in (PERSON, PLACE, UNIT, ORG, AWARD, "event", "article")],
        n_nodes=len(nodes),
        n_edges=len(edges),
        data=Markup(script_json(data)),
        vis_css=Markup(css.replace("</style", "<\\/style")),
        vis_js=Markup(js.replace("</script", "<\\/script")),
        app_js=Markup(_APP_JS),
    )


def script_json(value) -> str:
    """JSON that is safe inside an HTML ``<script>`` element: no ``<``, ``>`` or ``&`` left.

    >>> script_json({"name": "</script><img src=x onerror=alert(1)>"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003cimg src=x onerror=alert(1)\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def layout(g: nx.Graph, seed: int = 7, iterations: int = 60) -> dict:
    """Positions in pixels from a seeded Fruchterman-Reingold layout, computed with numpy.

    networkx's ``spring_layout`` needs scipy from 500 nodes on, which kg does not
    install; this one runs anywhere numpy does and gives the same picture everywhere.
    Repulsion is computed in blocks, so memory stays small on thousands of nodes.

    >>> pos = layout(nx.path_graph(3))
    >>> sorted(pos) == [0, 1, 2] and layout(nx.path_graph(3)) == pos
    True
    """
    import numpy as np

    nodes = list(g)
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {v: i for i, v in enumerate(nodes)}
    ends = np.array([(index[u], index[v]) for u, v in g.edges() if u != v], dtype=np.int64)
    ends = ends.reshape(-1, 2)
    pos = np.random.default_rng(seed).random((n, 2))
    k2 = 1.0 / n  # k, the ideal edge length, is sqrt(area / n) in a unit square
    step = 0.1
    block = max(1, 4_000_000 // n)
    for _ in range(iterations):
        x, y = pos[:, 0].astype(np.float32), pos[:, 1].astype(np.float32)
        disp = np.empty((n, 2))
        for lo in range(0, n, block):
            dx = x[lo:lo + block, None] - x[None, :]
            dy = y[lo:lo + block, None] - y[None, :]
            force = dx * dx
            force += dy * dy
            np.maximum(force, 1e-6, out=force)
            np.divide(k2, force, out=force)
            disp[lo:lo + block, 0] = (dx * force).sum(axis=1)
            disp[lo:lo + block, 1] = (dy * force).sum(axis=1)
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
    return {v: (round(float(x) / extent * scale, 1), round(float(y) / extent * scale, 1))
            for v, (x, y) in zip(nodes, pos)}


def _merge_edges(g: nx.MultiDiGraph, shown: set) -> list[tuple[str, str, dict]]:
    """One drawn edge per (source, target, relation), counting the graph's edges it stands for."""
    merged: dict[tuple[str, str, str], dict] = {}
    for u, v, a in g.edges(data=True):
        if u not in shown or v not in shown:
            continue
        key = (u, v, a.get("relation", ""))
        if key not in merged:
            merged[key] = {"relation": key[2], "count": 0, "first": a}
        merged[key]["count"] += 1
    return [(u, v, info) for (u, v, _), info in merged.items()]


def _node(g: nx.MultiDiGraph, n: str, i: int, xy: tuple, degree: int) -> dict:
    a = g.nodes[n]
    kind = a.get("kind")
    node = {"id": i, "x": xy[0], "y": xy[1]}
    if kind == "article":
        label = a.get("title") or a.get("source") or n
        node.update(shape="box", color=STYLES["article"][0], label=_short(label, 40),
                    tip=_article_tip(a, n))
    elif kind == "event":
        node.update(shape="diamond", color=STYLES["event"][0], size=12,
                    label=a.get("event_kind") or "событие", tip=_event_tip(g, a))
    else:
        colour = STYLES.get(a.get("label"), (OTHER_COLOUR,))[0]
        node.update(shape="dot", color=colour, size=round(8 + 5 * math.sqrt(degree), 1),
                    label=a.get("name") or n, tip=_entity_tip(g, n, a))
    return node


def _entity_tip(g: nx.MultiDiGraph, n: str, a: dict) -> list:
    lines = [["h", a.get("name") or n], ["m", f"{a.get('label', '')} · {n}"]]
    if a.get("aliases"):
        lines.append(["m", "также: " + "; ".join(a["aliases"])])
    if a.get("rank"):
        lines.append(["m", "звание: " + a["rank"]])
    if a.get("role"):
        lines.append(["m", "роль: " + a["role"]])
    if a.get("mentions"):
        lines.append(["m", f"упоминаний: {a['mentions']}, статей: {len(a.get('articles', ()))}"])
    seen = set()
    for article, _, e in g.in_edges(n, data=True):
        if e.get("relation") != "mentions" or e.get("sentence") in seen:
            continue
        seen.add(e.get("sentence"))
        lines += _quote(g, article, e.get("sentence"))
        if len(seen) == 2:
            break
    return lines


def _article_tip(a: dict, n: str) -> list:
    lines = [["h", a.get("title") or a.get("source") or n], ["m", a.get("source") or n]]
    for key, name in (("author", "автор"), ("published", "опубликовано"),
                      ("photographer", "фото")):
        if a.get(key):
            lines.append(["m", f"{name}: {a[key]}"])
    return lines


def _event_tip(g: nx.MultiDiGraph, a: dict) -> list:
    lines = [["h", a.get("event_kind") or "событие"]]
    if a.get("date"):
        lines.append(["m", "дата (EDTF): " + a["date"]])
    if a.get("trigger"):
        lines.append(["m", "слово: " + a["trigger"]])
    return lines + _quote(g, a.get("article"), a.get("sentence"))


def _edge(g: nx.MultiDiGraph, u: str, v: str, index: dict, info: dict) -> dict:
    relation, first = info["relation"], info["first"]
    edge = {"from": index[u], "to": index[v], "width": round(1 + math.log2(info["count"]), 2)}
    if relation in EDGE_COLOURS:
        edge["color"] = {"color": EDGE_COLOURS[relation]}
    else:
        edge.update(arrows="to", label=relation)
        if relation in ("participant_in", "took_place_at"):
            edge["dashes"] = True
    lines = [["h", relation if info["count"] == 1 else f"{relation} ×{info['count']}"]]
    if first.get("rule"):
        lines.append(["m", "правило: " + first["rule"]])
    edge["tip"] = lines + _quote(g, first.get("article"), first.get("sentence"))
    return edge


def _quote(g: nx.MultiDiGraph, article: str | None, sentence: str | None) -> list:
    if not sentence:
        return []
    meta = g.nodes[article] if article in g else {}
    where = meta.get("title") or meta.get("source") or article or ""
    return [["q", "«" + _short(sentence, MAX_SENTENCE) + "»"], ["s", where]]


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


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
