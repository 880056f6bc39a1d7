"""HTML benchmark: graph.html with 1k, 10k and 30k entities in headless Chromium.

    .venv/bin/python bench/html_bench.py [--sizes 1000 10000 30000]

For each size, a synthetic graph of that many people, units and places (a preferential
attachment graph, so a few hubs and many leaves, as in an archive) with an article and
events, rendered by ``kg.render.render_html`` twice: as a build writes it (the most
connected ``MAX_SHOWN`` entities drawn, the rest one search or click away) and with
every entity drawn (``max_shown`` = size). Reported: the Python time to lay out and
write the page, its size, and in Debian's headless chromium (through playwright, no
network) the time from opening the file to the first drawing of the network and until
the page answers a search (typing a name, Enter, the side panel filled). Results are
printed and written to ``bench/results/html.md``. Not a test: numbers depend on the
machine.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.render import MAX_SHOWN, render_html  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "html.md"
CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic", "--host-resolver-rules=MAP * ~NOTFOUND"]
LABELS = ("PERSON", "PERSON", "PERSON", "UNIT", "PLACE", "ORG", "AWARD")


def synthetic_graph(n: int, seed: int = 1945) -> nx.MultiDiGraph:
    shape = nx.barabasi_albert_graph(n, 2, seed=seed)
    g = nx.MultiDiGraph()
    for a in range(max(1, n // 50)):
        g.add_node(f"article:{a}", kind="article", title=f"Статья {a}", source=f"{a}.txt")
    for i in shape:
        label = LABELS[i % len(LABELS)]
        attrs = {"kind": "entity", "label": label, "name": f"Имя {i} Фамилия{i % 997}",
                 "aliases": [f"Имени {i}"], "articles": [f"article:{i % max(1, n // 50)}"]}
        if label == "PLACE":
            attrs.update(lat=40 + (i * 7919 % 2000) / 100, lon=20 + (i * 104729 % 5000) / 100)
        g.add_node(f"e:{i}", **attrs)
    for k, (u, v) in enumerate(shape.edges()):
        relation = "member_of" if k % 5 == 0 else "co_occurs"
        g.add_edge(f"e:{u}", f"e:{v}", relation=relation, article=f"article:{u % max(1, n // 50)}",
                   sentence=f"Предложение {k} о том, кто где был.")
    for k in range(n // 4):
        who = f"e:{(k * 31) % n}"
        g.add_node(f"event:{k}", kind="event", event_kind="battle", date=f"{1941 + k % 5}-{1 + k % 12:02d}",
                   place=f"e:{4 + 7 * (k % max(1, n // 7 - 1))}", participants=[who],
                   article="article:0", sentence="Бой.", start=0, end=4, trigger="бой")
    return g


def measure(path: Path, query: str) -> tuple[float, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:", "about:")) else r.abort())
        started = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_selector("html[data-ready]", timeout=600_000)
        drawn = time.perf_counter() - started
        page.fill("#kg-search", query)
        page.press("#kg-search", "Enter")
        page.wait_for_function("document.querySelector('#kg-panel h2') !== null", timeout=600_000)
        answered = time.perf_counter() - started
        browser.close()
    return drawn, answered


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 30000])
    args = ap.parse_args(argv)
    lines = [
        "# HTML benchmark: graph.html in headless Chromium",
        "",
        f"`python bench/html_bench.py --sizes {' '.join(map(str, args.sizes))}` on "
        f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, Debian chromium, vis-network from pyvis.",
        "",
        "Synthetic graphs (preferential attachment: a few hubs, many leaves), one event per four "
        "entities. *first drawing*: from opening the file to vis-network's first frame; *search "
        "answered*: until a typed name + Enter has filled the side panel (the page is usable).",
        "",
        "| entities | edges | drawn | layout + page (Python) | page size | first drawing | search answered |",
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory(prefix="kg-html-bench-") as tmp:
        for n in args.sizes:
            g = synthetic_graph(n)
            edges = sum(1 for _, _, a in g.edges(data=True) if a.get("relation"))
            for shown in sorted({min(n, MAX_SHOWN), n}):
                started = time.perf_counter()
                page = render_html(g, max_shown=shown, article_pages=False)
                python_s = time.perf_counter() - started
                path = Path(tmp) / f"graph-{n}-{shown}.html"
                path.write_text(page, encoding="utf-8")
                drawn, answered = measure(path, f"Имя {n - 1} ")
                row = (f"| {n:,} | {edges:,} | {'all' if shown == n else f'most connected {shown:,}'} "
                       f"| {python_s:.1f} s | {path.stat().st_size / 1e6:.1f} MB | {drawn:.1f} s "
                       f"| {answered:.1f} s |")
                print(row, flush=True)
                lines.append(row)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
