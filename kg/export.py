"""Write the graph's files: RDF (Turtle, N-Triples, JSON-LD, TriG), GraphML, two CSV
tables and the HTML view.

Every file is written atomically (``kg.files.atomic_write``): a build that stops
half-way leaves the previous good file in place, never a truncated one.
"""
from __future__ import annotations

import csv
import io
import logging
import os
from collections.abc import Iterable
from pathlib import Path

import networkx as nx
from rdflib import Graph

from .files import atomic_open, atomic_write, fsync_dir  # noqa: F401  (kg.export's API)
from .rdf import ENTITIES_GRAPH, RdfWriter, rdf_quads, serialize
from .render import ARTICLES_DIR, article_page, render_article, render_html

log = logging.getLogger(__name__)

ENTITY_COLUMNS = ("id", "label", "name", "aliases", "rank", "role", "articles", "mentions")
RELATION_COLUMNS = ("source", "source_name", "target", "target_name", "relation", "rule",
                    "article", "start", "end", "sentence", "dates")
LIST_SEPARATOR = "; "


def write_outputs(g: nx.MultiDiGraph, out_dir: str | os.PathLike) -> dict[str, Path]:
    """Write all output files into ``out_dir`` (created if missing); return name -> path.

    Files: graph.ttl, graph.nt, graph.jsonld (the RDF, every named graph in one),
    graph.trig (the RDF in its named graphs: one per article), graph.graphml,
    entities.csv, relations.csv, graph.html, and ``articles/<id>.html``, each article
    with its mentions highlighted (pages of articles no longer in the graph are removed);
    the graph carries everything they show. Each file is the same bytes for the same graph.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rdf = RdfWriter(rdf_quads(g))
    files = {
        "graph.ttl": lambda: rdf.write("turtle"),
        "graph.nt": lambda: rdf.write("nt"),
        "graph.jsonld": lambda: rdf.write("jsonld"),
        "graph.trig": lambda: rdf.write("trig"),
        "graph.graphml": lambda: graphml_bytes(g),
        "entities.csv": lambda: entities_csv(g),
        "relations.csv": lambda: relations_csv(g),
        "graph.html": lambda: render_html(g),
    }
    written = {}
    for name, make in files.items():
        written[name] = atomic_write(out / name, make())
        log.info("wrote %s", written[name])
    written.update(write_article_pages(g, out))
    return written


def write_article_pages(g: nx.MultiDiGraph, out: Path) -> dict[str, Path]:
    """``articles/<id>.html`` for every article of the graph that carries its text; pages
    of other articles are removed. An unchanged page is not rewritten."""
    folder = out / ARTICLES_DIR
    folder.mkdir(exist_ok=True)
    written = {}
    for n, a in g.nodes(data=True):
        if a.get("kind") != "article" or not a.get("text"):
            continue
        name = article_page(n)
        data = render_article(g, n).encode("utf-8")
        path = out / name
        if not (path.exists() and path.read_bytes() == data):
            atomic_write(path, data)
        written[name] = path
    for stale in folder.glob("*.html"):
        if f"{ARTICLES_DIR}/{stale.name}" not in written:
            stale.unlink()
            log.info("removed %s: its article is no longer in the graph", stale)
    return written


def jsonld_text(rdf: Graph) -> str:
    """JSON-LD of an rdflib graph with the prefixes as ``@context``, in a stable order."""
    return serialize([(s, p, o, ENTITIES_GRAPH) for s, p, o in rdf], "jsonld").decode("utf-8")


def graphml_bytes(g: nx.MultiDiGraph) -> bytes:
    """GraphML for Gephi: list values joined with ``"; "``, ``None`` dropped.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("person:x", name="Омаров", aliases=["Кабыш"], rank=None)
    >>> "Кабыш" in graphml_bytes(g).decode("utf-8")
    True
    """
    flat = nx.MultiDiGraph()
    flat.add_nodes_from((n, _scalars(a)) for n, a in g.nodes(data=True))
    flat.add_edges_from((u, v, k, _scalars(a)) for u, v, k, a in g.edges(keys=True, data=True))
    buf = io.BytesIO()
    nx.write_graphml(flat, buf, encoding="utf-8")
    return buf.getvalue()


def entities_csv(g: nx.MultiDiGraph) -> str:
    """One row per entity: ``ENTITY_COLUMNS``, lists joined with ``"; "``."""
    rows = ({"id": n, **a} for n, a in g.nodes(data=True) if a.get("kind") == "entity")
    return _csv(ENTITY_COLUMNS, rows)


def relations_csv(g: nx.MultiDiGraph) -> str:
    """Every edge but mentions (co-occurrences, relations, event links) with its provenance.

    ``start``/``end`` are the evidence span, or the sentence when there is none.
    """
    def rows():
        for u, v, a in g.edges(data=True):
            if a.get("relation") == "mentions":
                continue
            yield {
                "source": u, "source_name": _name(g, u), "target": v, "target_name": _name(g, v),
                "relation": a.get("relation"), "rule": a.get("rule"), "article": a.get("article"),
                "start": a.get("start", a.get("sentence_start")),
                "end": a.get("end", a.get("sentence_end")),
                "sentence": a.get("sentence"), "dates": a.get("dates"),
            }
    return _csv(RELATION_COLUMNS, rows())


def _name(g: nx.MultiDiGraph, node: str) -> str | None:
    a = g.nodes[node]
    return a.get("name") or a.get("title") or a.get("event_kind")


def _csv(columns: tuple[str, ...], rows: Iterable[dict]) -> str:
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: _cell(row.get(c)) for c in columns})
    return buf.getvalue()


def _cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set, frozenset)):
        return LIST_SEPARATOR.join(map(str, value))
    return value


def _scalars(attrs: dict) -> dict:
    return {k: _cell(v) for k, v in attrs.items() if v is not None}
