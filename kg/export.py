"""Write the graph's files: RDF (Turtle, N-Triples, JSON-LD, TriG), GraphML, two CSV
tables and the HTML view.

Every file is written atomically (``kg.files.atomic_open``): a build that stops
half-way leaves the previous good file in place, never a truncated one. The big files
are streamed to disk as they are made (the RDF a named graph at a time, GraphML and
CSV an element or a row at a time), so a build holds the graph, not its files, in memory.
"""
from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Iterable
from contextlib import ExitStack
from functools import lru_cache
from io import BytesIO, StringIO
from pathlib import Path
from typing import IO

import networkx as nx
from rdflib import Graph

from .cache import CACHE_DIR
from .files import atomic_open, atomic_write, fsync_dir, read_record  # noqa: F401  (kg.export's API)
from .rdf import ENTITIES_GRAPH, serialize, write_rdf
from .render import ARTICLES_DIR, article_page, render_article, write_html
from .store import StoreWriter

log = logging.getLogger(__name__)

ENTITY_COLUMNS = ("id", "label", "name", "aliases", "rank", "role", "articles", "mentions")
RELATION_COLUMNS = ("source", "source_name", "target", "target_name", "relation", "rule",
                    "article", "start", "end", "sentence", "dates")
LIST_SEPARATOR = "; "
RDF_FILES = {"graph.ttl": "turtle", "graph.nt": "nt", "graph.jsonld": "jsonld", "graph.trig": "trig"}


def write_outputs(g: nx.MultiDiGraph, out_dir: str | os.PathLike, store: bool = False
                  ) -> dict[str, Path]:
    """Write all output files into ``out_dir`` (created if missing); return name -> path.

    Files: graph.ttl, graph.nt, graph.jsonld (the RDF, every named graph in one),
    graph.trig (the RDF in its named graphs: one per article), graph.graphml,
    entities.csv, relations.csv, graph.html, and ``articles/<id>.html``, each article
    with its mentions highlighted (pages of articles no longer in the graph are removed);
    the graph carries everything they show. Each file is the same bytes for the same graph.

    ``store``: also load the quads of graph.trig into a new version of the RDF store, as
    ``kg.store.update_store(None, out_dir)`` would (the result is ``"store"``), but while
    the files are written and a chunk at a time (``kg.store.StoreWriter``): the loads run
    in pyoxigraph without Python's lock, on a second core, and memory never holds the
    dataset; when the live store recorded its named graphs, the new version is a copy of
    it with only the graphs that changed replaced. A later ``update_store(None, out_dir)``
    finds the store up to date. If any file fails, the store is left as it was.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    loading = None
    started = time.perf_counter()
    try:
        with ExitStack() as stack:  # the four RDF files in one pass over the graph
            files = {fmt: stack.enter_context(atomic_open(out / name, "wb"))
                     for name, fmt in RDF_FILES.items()}
            if store:  # the store takes the same quads as N-Quads, a chunk at a time
                loading = StoreWriter(out, "graph.trig", checked=True)  # the TriG's Turtle parsed them
                files["trig"] = loading.hashing(files["trig"])
                files["nquads"] = loading
            write_rdf(g, files)
        for name in RDF_FILES:
            written[name] = out / name
        log.info("wrote %s in %.1f s", ", ".join(RDF_FILES), time.perf_counter() - started)
        writers = {
            "graph.graphml": lambda f: write_graphml(g, f),
            "entities.csv": lambda f: write_entities_csv(g, f),
            "relations.csv": lambda f: write_relations_csv(g, f),
            "graph.html": lambda f: write_html(g, f),
        }
        for name, write in writers.items():
            started = time.perf_counter()
            with atomic_open(out / name, "wb") as f:
                write(f)
            written[name] = out / name
            log.info("wrote %s in %.1f s", written[name], time.perf_counter() - started)
        started = time.perf_counter()
        written.update(write_article_pages(g, out))
        log.info("wrote the article pages in %.1f s", time.perf_counter() - started)
    except BaseException:
        if loading is not None:
            loading.abort()  # nothing left running; this error is the one to report
        raise
    if loading is not None:
        started = time.perf_counter()
        written["store"] = loading.finish()  # raises what the load raised
        log.info("the store finished loading %.1f s after the files", time.perf_counter() - started)
    return written


def write_article_pages(g: nx.MultiDiGraph, out: Path, articles: Iterable[str] | None = None
                        ) -> dict[str, Path]:
    """``articles/<id>.html`` for every article of the graph that carries its text; pages
    of other articles are removed. A page whose inputs (the article, its mentions and
    their entities' names and types, the page's code and template) are those of the
    last build is neither rendered nor written again: ``.kg-cache/article-pages.json``
    keeps a digest of them per page, so a rebuild after one article changed renders that
    one and those that name an entity that changed.

    ``articles``: only these ids are looked at (an update that knows what changed): their
    pages are made as above, the pages of those no longer in the graph (or without their
    text) are removed, and every other page and its digest is left as it is. The pages
    returned are those of the ids looked at.
    """
    folder = out / ARTICLES_DIR
    folder.mkdir(exist_ok=True)
    record = out / PAGE_INPUTS
    before = read_record(record)  # page name -> [digest of its inputs, size]
    nodes = dict(g.nodes(data=True))  # plain dicts: NodeView's lookups cost more than the work
    targets = dict(g.adjacency())
    if articles is None:
        ids = [n for n, a in nodes.items() if a.get("kind") == "article"]
        inputs = {}
    else:
        ids = list(dict.fromkeys(articles))
        inputs = dict(before)
    code = _page_code()
    written = {}
    for n in ids:
        a = nodes.get(n)
        name = article_page(n)
        if a is not None and a.get("kind") == "article" and a.get("text"):
            written[name] = out / name
            inputs[name] = _page(g, n, written[name], _page_inputs(n, a, targets[n], nodes, code),
                                 before.get(name))
        elif articles is not None and (a is None or a.get("kind") == "article"):
            inputs.pop(name, None)
            _remove_page(out / name)
    if articles is None:
        for stale in folder.glob("*.html"):
            if f"{ARTICLES_DIR}/{stale.name}" not in written:
                _remove_page(stale)
    if inputs != before:
        record.parent.mkdir(exist_ok=True)
        atomic_write(record, json.dumps(inputs, ensure_ascii=False, sort_keys=True) + "\n")
    return written


PAGE_INPUTS = f"{CACHE_DIR}/article-pages.json"  # beside the extraction cache: build state


def _page(g: nx.MultiDiGraph, n: str, path: Path, digest: str, old) -> list:
    """The article's page made unless the record says it is up to date; its record."""
    if isinstance(old, list) and len(old) == 2 and old[0] == digest and _file_size(path) == old[1]:
        return old
    data = render_article(g, n).encode("utf-8")
    if not (path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data):
        # not synced: the record (synced) keeps each page's size, and a page that a power
        # cut left empty or cut short is made again by the next build
        atomic_write(path, data, durable=False)
    return [digest, len(data)]


def _file_size(path: Path) -> int | None:
    """The size of a file, None when there is none: one stat, as 10,000 pages are looked at."""
    from stat import S_ISREG

    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size if S_ISREG(st.st_mode) else None


def _remove_page(path: Path) -> None:
    if path.is_file():
        path.unlink()
        log.info("removed %s: its article is no longer in the graph", path)


def _page_inputs(n: str, a: dict, targets: dict, nodes: dict, code: str) -> str:
    """A digest of what an article's page is made of (see ``write_article_pages``), from
    the article's attributes, its out-edges (``g.adjacency()``) and the graph's nodes:
    one JSON text, not one per mention, as json's C encoder is fast only on big values."""
    mentions = []
    for entity, keyed in targets.items():
        node = nodes.get(entity)
        if node is None:
            continue
        for e in keyed.values():
            if e.get("relation") == "mentions":
                mentions.append((e.get("start"), e.get("end"), entity, node.get("label"),
                                 node.get("name")))
    fields = [n] + [a.get(k) for k in ("text", "title", "source", "author", "published",
                                       "photographer")]
    h = hashlib.blake2b(code.encode(), digest_size=16)
    h.update(json.dumps([fields, mentions], ensure_ascii=False).encode())
    return h.hexdigest()


@lru_cache(maxsize=1)
def _page_code() -> str:
    """A digest of the code and the template that render an article's page."""
    from . import __version__, render

    h = hashlib.blake2b(digest_size=16)
    h.update(__version__.encode())
    h.update(Path(render.__file__).read_bytes())
    for asset in ("article.html", "article.css"):
        h.update((Path(render.__file__).parent / "templates" / asset).read_bytes())
    return h.hexdigest()


def jsonld_text(rdf: Graph) -> str:
    """JSON-LD of an rdflib graph with the prefixes as ``@context``, in a stable order."""
    return serialize([(s, p, o, ENTITIES_GRAPH) for s, p, o in rdf], "jsonld").decode("utf-8")


# --- GraphML -------------------------------------------------------------------------

GRAPHML_HEADER = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">')
# characters XML 1.0 cannot carry at all (lxml, networkx's writer, refuses them)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_XML_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def graphml_bytes(g: nx.MultiDiGraph) -> bytes:
    """GraphML for Gephi: list values joined with ``"; "``, ``None`` dropped.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("person:x", name="Омаров", aliases=["Кабыш"], rank=None)
    >>> "Кабыш" in graphml_bytes(g).decode("utf-8")
    True
    """
    buf = BytesIO()
    write_graphml(g, buf)
    return buf.getvalue()


def write_graphml(g: nx.MultiDiGraph, f: IO[bytes], elements_at_a_time: int = 4096) -> None:
    """Write ``g`` as GraphML to a binary file, element by element: the bytes
    ``networkx.write_graphml`` writes for a copy of the graph's nodes and edges with the
    values of ``_cell`` (lists joined, ``None`` dropped), without making the copy or
    the document in memory. A character XML cannot carry at all (a control character
    other than tab and line breaks), which networkx refuses, is written as U+FFFD.
    """
    keys, ids = _graphml_keys(g)
    out: list[str] = [GRAPHML_HEADER]
    out += [f'<key id="{key}" for="{scope}" attr.name="{_attribute(name)}" attr.type="{xml_type}"/>\n'
            for (name, xml_type, scope), key in reversed(keys.items())]
    out.append(f'<graph edgedefault="{"directed" if g.is_directed() else "undirected"}">')
    n = 0
    node_ids, edge_ids = ids["node"], ids["edge"]
    for node, a in g.nodes(data=True):
        data = _graphml_data(a, node_ids)
        tag = f'<node id="{_attribute(str(node))}"'
        out.append(f"{tag}>\n{data}</node>\n" if data else f"{tag}/>\n")
        n += 1
        if n % elements_at_a_time == 0:
            f.write("".join(out).encode("utf-8"))
            out.clear()
    edges = g.edges(keys=True, data=True) if g.is_multigraph() else \
        ((u, v, None, a) for u, v, a in g.edges(data=True))
    for u, v, k, a in edges:
        tag = f'<edge source="{_attribute(str(u))}" target="{_attribute(str(v))}"'
        if k is not None:
            tag += f' id="{_attribute(str(k))}"'
        data = _graphml_data(a, edge_ids)
        out.append(f"{tag}>\n{data}</edge>\n" if data else f"{tag}/>\n")
        n += 1
        if n % elements_at_a_time == 0:
            f.write("".join(out).encode("utf-8"))
            out.clear()
    out.append("</graph></graphml>")
    f.write("".join(out).encode("utf-8"))


_PLAIN = (str, int, float, bool)
_LISTS = (list, tuple, set, frozenset)


def _graphml_keys(g: nx.MultiDiGraph) -> tuple[dict, dict]:
    """The GraphML keys: ``{(name, GraphML type, scope): key id}``, numbered in the order
    networkx finds them, and ``{scope: {(name, Python type of the value): key id}}``."""
    keys: dict[tuple[str, str, str], str] = {}
    ids: dict[str, dict[tuple, str]] = {"node": {}, "edge": {}}
    xml_types = _xml_types()
    for scope, attributes in (("node", (a for _, a in g.nodes(data=True))),
                              ("edge", (a for *_, a in g.edges(data=True)))):
        seen = ids[scope]
        for a in attributes:
            for k, v in a.items():
                if v is None:
                    continue
                t = str if isinstance(v, _LISTS) else type(v)
                if (k, t) in seen:
                    continue
                if t not in xml_types:
                    raise TypeError(f"GraphML does not support type {t} as data values.")
                seen[k, t] = keys.setdefault((str(k), xml_types[t], scope), f"d{len(keys)}")
    return keys, ids


def _graphml_data(a: dict, ids: dict) -> str:
    out = []
    for k, v in a.items():
        if v is None:
            continue
        t = type(v)
        if t not in _PLAIN and isinstance(v, _LISTS):
            v, t = LIST_SEPARATOR.join(map(str, v)), str
        out.append(f'  <data key="{ids[k, t]}">{_text(v if t is str else str(v))}</data>\n')
    return "".join(out)


@lru_cache(maxsize=1)
def _xml_types() -> dict[type, str]:
    """Python type -> GraphML type, as networkx writes them."""
    from networkx.readwrite.graphml import GraphML

    gml = GraphML()
    gml.construct_types()
    return gml.xml_type


def _text(value: str) -> str:
    """Escaped as lxml escapes element text."""
    if not _XML_SPECIAL.search(value):
        return value
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _NOT_XML.sub("\ufffd", value.replace("\r", "&#13;"))


def _attribute(value: str) -> str:
    """Escaped as lxml escapes an attribute value."""
    value = _text(value)
    if '"' in value or "\n" in value or "\t" in value:
        value = value.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return value


# --- CSV -----------------------------------------------------------------------------

def entities_csv(g: nx.MultiDiGraph) -> str:
    """One row per entity: ``ENTITY_COLUMNS``, lists joined with ``"; "``."""
    buf = BytesIO()
    write_entities_csv(g, buf)
    return buf.getvalue().decode("utf-8")


def relations_csv(g: nx.MultiDiGraph) -> str:
    """Every edge but mentions (co-occurrences, relations, event links) with its provenance.

    ``start``/``end`` are the evidence span, or the sentence when there is none.
    """
    buf = BytesIO()
    write_relations_csv(g, buf)
    return buf.getvalue().decode("utf-8")


def write_entities_csv(g: nx.MultiDiGraph, f: IO[bytes], rows_at_a_time: int = 5000) -> None:
    """``entities_csv`` written to a binary file a few thousand rows at a time."""
    _write_csv(f, ENTITY_COLUMNS, _entity_rows(g), rows_at_a_time)


def write_relations_csv(g: nx.MultiDiGraph, f: IO[bytes], rows_at_a_time: int = 5000) -> None:
    """``relations_csv`` written to a binary file a few thousand rows at a time."""
    _write_csv(f, RELATION_COLUMNS, _relation_rows(g), rows_at_a_time)


def _write_csv(f: IO[bytes], columns: tuple[str, ...], rows: Iterable[dict], rows_at_a_time: int) -> None:
    buf = StringIO(newline="")
    writer = csv.DictWriter(buf, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for n, row in enumerate(rows, 1):
        writer.writerow({c: _cell(row.get(c)) for c in columns})
        if n % rows_at_a_time == 0:
            f.write(buf.getvalue().encode("utf-8"))
            buf.seek(0)
            buf.truncate()
    f.write(buf.getvalue().encode("utf-8"))


def _entity_rows(g: nx.MultiDiGraph) -> Iterable[dict]:
    return ({"id": n, **a} for n, a in g.nodes(data=True) if a.get("kind") == "entity")


def _relation_rows(g: nx.MultiDiGraph) -> Iterable[dict]:
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


def _name(g: nx.MultiDiGraph, node: str) -> str | None:
    a = g.nodes[node]
    return a.get("name") or a.get("title") or a.get("event_kind")


def _cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set, frozenset)):
        return LIST_SEPARATOR.join(map(str, value))
    return value
