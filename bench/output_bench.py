"""Output benchmark: kg's stages after extraction, output by output, with peak memory.

    .venv/bin/python bench/output_bench.py [--articles 1000 5000] [--compare DIR]

For each size, synthetic articles of the sample corpus's shape (``bench/sparql_bench.py``'s
``make_article``: people born, conscripted, wounded, awarded, dying; units fighting at
places; every name mentioned in a sentence) go through kg's stages after extraction,
each run in a child process of its own, so that its peak resident memory (the kernel's
``ru_maxrss``) is its own:

1. **Outputs, one at a time** (``stages``): link, graph, the RDF files (the four in one
   pass, as a build writes them, and each format alone, which shows what each costs on
   top of the mapping), GraphML, the two CSV tables, graph.html, the article pages, then
   ``kg.store.update_store`` (pyoxigraph's ``bulk_load`` of graph.trig).
2. **As a build runs them** (``build``): link, graph, ``kg.export.write_outputs``,
   ``kg.store.update_store``; the peak memory after each step.
3. **With the store loaded while the files are written** (``overlap``):
   ``write_outputs(..., store=True)``: ``kg.store.StreamingLoad`` feeds graph.trig to
   pyoxigraph's ``bulk_load`` as it grows, on threads that take the second core.

``--compare DIR`` runs steps 1 and 2 again with ``kg`` imported from another checkout
(``git archive HEAD kg | tar -x -C DIR``, say) for before/after numbers in the same
conditions, for the sizes up to ``--compare-up-to`` (default 1000: the old writer held
every RDF format in memory, about 7 GB per 1,000 of these articles).

Results are printed and written to ``bench/results/output.md`` (``--out``). Not a test:
the numbers depend on the machine and on whatever else runs on it (run the sizes you
compare in the same conditions).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "output.md"
RDF_FORMATS = {"turtle": "graph.ttl", "nt": "graph.nt", "jsonld": "graph.jsonld", "trig": "graph.trig"}
MODES = ("stages", "build", "overlap")
NOTES = """
Reading the numbers: each RDF format alone costs the mapping (about 4 s per 1,000 of these
articles) plus its own writing; the four in one pass share the mapping. The peaks after
the files come from `kg.render.render_html` (the page's data, its JSON and the page, all
in memory: +0.2 GB at 1,000 articles, +1 GB at 5,000) and, after that, from pyoxigraph's
`bulk_load` (batches of a million quads in memory: 1.6 GB more at 2.4 million quads,
2 GB at 12 million); the RDF files themselves add tens of MB to the graph. The store's load
time varies most from run to run (it writes the most to disk); it also grows faster than
the number of quads.
"""


# --- in the child --------------------------------------------------------------------

def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(mode: str, n: int, folder: Path, seed: int) -> dict:
    """Run one mode on ``n`` synthetic articles in ``folder``; the timings and peaks."""
    import kg  # first: from the checkout on PYTHONPATH, whatever sparql_bench puts on the path
    from kg import export, render, store
    from kg.graph import build_graph
    from kg.link import link_entities

    sys.path.insert(1, str(ROOT / "bench"))
    from sparql_bench import make_article, make_pools

    print(f"    kg from {Path(kg.__file__).parent}", file=sys.stderr, flush=True)

    times: dict[str, float] = {}
    peaks: dict[str, float] = {}

    def step(name: str, run):
        t = time.perf_counter()
        value = run()
        times[name] = time.perf_counter() - t
        peaks[name] = _peak_mb()
        print(f"    {name:14s} {times[name]:7.2f} s   peak {peaks[name]:6.0f} MB", file=sys.stderr,
              flush=True)
        return value

    rng = random.Random(seed)
    pools = make_pools(rng, persons=max(1000, n * 10), places=max(300, n))
    extractions = [make_article(random.Random(seed + k), pools, k) for k in range(n)]
    peaks["articles"] = _peak_mb()
    extractions = step("link", lambda: link_entities(extractions))
    g = step("graph", lambda: build_graph(extractions))
    info = {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
    out = folder / "out"
    out.mkdir()
    if mode == "stages":
        write_rdf = getattr(__import__("kg.rdf", fromlist=["x"]), "write_rdf", None)
        step("rdf (4 files)", lambda: _rdf(g, out, write_rdf, list(RDF_FORMATS)))
        for fmt in RDF_FORMATS:
            step(fmt, lambda fmt=fmt: _rdf(g, folder, write_rdf, [fmt]))
        if hasattr(export, "write_graphml"):
            step("graphml", lambda: _to_file(out / "graph.graphml", lambda f: export.write_graphml(g, f)))
        else:
            step("graphml", lambda: (out / "graph.graphml").write_bytes(export.graphml_bytes(g)))
        if hasattr(export, "write_relations_csv"):
            step("csv", lambda: (_to_file(out / "entities.csv", lambda f: export.write_entities_csv(g, f)),
                                 _to_file(out / "relations.csv", lambda f: export.write_relations_csv(g, f))))
        else:
            step("csv", lambda: ((out / "entities.csv").write_text(export.entities_csv(g), encoding="utf-8"),
                                 (out / "relations.csv").write_text(export.relations_csv(g), encoding="utf-8")))
        step("html", lambda: (out / "graph.html").write_text(render.render_html(g), encoding="utf-8"))
        step("article pages", lambda: export.write_article_pages(g, out))
        step("store", lambda: store.update_store(None, out))
        info["sizes"] = {p.name: p.stat().st_size for p in sorted(out.iterdir()) if p.is_file()}
        info["quads"] = json.loads(next((out / "store.versions").glob("*.json")).read_text())["quads"]
    elif mode == "build":
        step("write_outputs", lambda: export.write_outputs(g, out))
        step("store", lambda: store.update_store(None, out))
    else:
        step("write_outputs + store", lambda: export.write_outputs(g, out, store=True))
    return {"times": times, "peaks": peaks, "peak": _peak_mb(), **info}


def _rdf(g, folder: Path, write_rdf, formats: list[str]) -> None:
    if write_rdf is not None:  # one pass, streamed to the files
        with ExitStack() as stack:
            write_rdf(g, {fmt: stack.enter_context(open(folder / RDF_FORMATS[fmt], "wb"))
                          for fmt in formats})
    else:  # a kg from before write_rdf: every file made in memory
        from kg.rdf import RdfWriter, rdf_quads

        writer = RdfWriter(rdf_quads(g))
        for fmt in formats:
            (folder / RDF_FORMATS[fmt]).write_bytes(writer.write(fmt))


def _to_file(path: Path, write) -> None:
    with open(path, "wb") as f:
        write(f)


# --- the parent ----------------------------------------------------------------------

def run_child(mode: str, n: int, seed: int, kg_root: Path) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"kg-output-bench-{n}-"))
    try:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(kg_root), *filter(None, [os.environ.get("PYTHONPATH")])])}
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--articles", str(n),
               "--seed", str(seed), "--folder", str(folder)]
        done = subprocess.run(cmd, env=env, cwd=str(kg_root), stdout=subprocess.PIPE, text=True,
                              check=False)
        if done.returncode != 0:
            raise SystemExit(f"{mode} on {n} articles failed (exit {done.returncode})")
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--compare", metavar="DIR", type=Path,
                    help="also run kg imported from DIR (a checkout with its kg/), for 'before'")
    ap.add_argument("--compare-up-to", type=int, default=1000, metavar="N",
                    help="compare only the sizes up to N articles (default 1000)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    ap.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        result = child(args.child, args.articles[0], args.folder, args.seed)
        print(json.dumps(result))
        return 0

    lines: list[str] = []

    def say(s: str = "") -> None:
        print(s, flush=True)
        lines.append(s)

    runs: dict[tuple[str, int], dict] = {}
    for n in args.articles:
        for label, root in (("after", ROOT), ("before", args.compare)):
            if root is None or (label == "before" and n > args.compare_up_to):
                continue
            for mode in MODES:
                if label == "before" and mode == "overlap":
                    continue  # write_outputs had no store=
                print(f"{n} articles, {mode} ({label}, kg from {root}) ...", flush=True)
                runs[label, n, mode] = run_child(mode, n, args.seed, root)

    compare = args.compare is not None
    say("# Output benchmark: the stages after extraction")
    say()
    say(f"`python bench/output_bench.py --articles {' '.join(map(str, args.articles))}"
        + (f" --compare {args.compare}" if compare else "") + f"` on {time.strftime('%Y-%m-%d')}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}.")
    say()
    say("Synthetic articles (`bench/sparql_bench.py`'s `make_article`), each mode in a child "
        "process of its own; *peak* is the child's peak resident memory (articles, graph and "
        "all) after the step. The machine's cores are shared, so timings vary by 10-30% from "
        "run to run" + ("; *before* is kg imported from the other checkout, run right before "
                        "*after*." if compare else "."))
    for n in args.articles:
        after = runs["after", n, "stages"]
        say()
        say(f"## {n:,} articles: {after['nodes']:,} nodes, {after['edges']:,} edges, "
            f"{after['quads']:,} quads")
        say()
        before = runs.get(("before", n, "stages"))
        head = "| step | " + ("before | " if before else "") + "after | peak after |"
        say(head)
        say("| --- | " + ("---: | " if before else "") + "---: | ---: |")
        for name, seconds in after["times"].items():
            old = before["times"].get(name) if before else None
            say(f"| {name} | " + ((f"{old:.1f} s | " if old is not None else "- | ") if before else "")
                + f"{seconds:.1f} s | {after['peaks'][name]:,.0f} MB |")
        say()
        say("As a build runs them (`write_outputs`, then `update_store`), and with the store "
            "loaded while the files are written (`write_outputs(..., store=True)`):")
        say()
        build, old, overlap = runs["after", n, "build"], runs.get(("before", n, "build")), \
            runs["after", n, "overlap"]
        say("| | " + ("before | " if old else "") + "after |")
        say("| --- | " + ("---: | " if old else "") + "---: |")
        for name in ("write_outputs", "store"):
            say(f"| {name} | " + (f"{old['times'][name]:.1f} s | " if old else "")
                + f"{build['times'][name]:.1f} s |")
        total = build["times"]["write_outputs"] + build["times"]["store"]
        say("| write_outputs + store | " + (
            f"{old['times']['write_outputs'] + old['times']['store']:.1f} s | " if old else "")
            + f"{total:.1f} s; {overlap['times']['write_outputs + store']:.1f} s with `store=True` |")
        say("| peak memory | " + (f"{old['peak']:,.0f} MB | " if old else "")
            + f"{build['peak']:,.0f} MB; {overlap['peak']:,.0f} MB with `store=True` |")
        say("| of which graph and articles | " + (f"{old['peaks']['graph']:,.0f} MB | " if old else "")
            + f"{build['peaks']['graph']:,.0f} MB |")
        say()
        say("Output sizes: " + ", ".join(f"{name} {size / 1e6:,.1f} MB"
                                         for name, size in after["sizes"].items()) + ".")
    say(NOTES.rstrip())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
