"""The command line: ``kg build``, ``kg watch``, ``kg extract`` and the rest.

Thin by design: arguments are parsed by :func:`parse_args` (testable alone), the work
is done by :mod:`kg.pipeline`, and :func:`main` returns the exit status.

>>> parse_args(["build", "data/corpus", "--out", "/tmp/x"]).out
'/tmp/x'
>>> parse_args(["build", "data/corpus", "-o", "/tmp/x"]).out
'/tmp/x'
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections import Counter

from . import __version__
from .errors import KgError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="kg",
        description="Russian-language articles about the Second World War in, a knowledge graph out.")
    ap.add_argument("--version", action="version", version=f"kg {__version__}")
    ap.add_argument("-v", "--verbose", action="store_true", help="log what each stage does")
    sub = ap.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the graph of files and folders into an output folder")
    b.add_argument("paths", nargs="+", metavar="PATH", help="article files (.txt, .md, .html) or folders")
    b.add_argument("--out", "-o", default="export", metavar="DIR", help="output folder (default: export/)")
    b.add_argument("--no-progress", action="store_true", help="no progress bar")
    b.add_argument("--processes", "-j", type=int, default=None, metavar="N",
                   help="extract in N processes (default: one per core); the outputs are the same")
    b.add_argument("--scheduler", metavar="ADDRESS",
                   help="extract on a Dask cluster (dask.distributed scheduler address, "
                        "e.g. tcp://10.0.0.5:8786) instead of local processes")
    b.add_argument("--curation", metavar="FILE",
                   help="the historians' corrections to apply (default: curation.yaml in the first folder)")
    b.add_argument("--no-cache", action="store_true",
                   help="extract every article again, even those unchanged since the last build")

    w = sub.add_parser("watch", help="build, then keep the build up to date while the files change")
    w.add_argument("paths", nargs="+", metavar="PATH", help="article files (.txt, .md, .html) or folders")
    w.add_argument("--out", "-o", default="export", metavar="DIR", help="output folder (default: export/)")
    w.add_argument("--processes", "-j", type=int, default=None, metavar="N",
                   help="extract the first build in N processes (default: one per core)")
    w.add_argument("--interval", type=float, default=2.0, metavar="SECONDS",
                   help="look for changed files this often (default: 2)")
    w.add_argument("--quiet", type=float, default=60.0, metavar="SECONDS",
                   help="write the exchange files (RDF, GraphML, CSV) again once nothing changed "
                        "for this long (default: 60); the store, graph.html and the article pages "
                        "follow each change at once")

    e = sub.add_parser("extract", help="print what is extracted from each article")
    e.add_argument("paths", nargs="+", metavar="PATH")
    e.add_argument("--jsonl", action="store_true", required=True,
                   help="one JSON object per article, per line (the extract contract)")

    v = sub.add_parser("eval", help="measure extraction against gold data (development corpus, NEREL)")
    v.add_argument("--corpus", default="../shared/corpus/dev", metavar="DIR",
                   help="folder of articles with NAME.gold.json files (default: ../shared/corpus/dev)")
    v.add_argument("--nerel", default="../shared/benchmarks/nerel", metavar="DIR",
                   help="NEREL folder with eval_ner.py and dev/ (skipped when absent)")
    v.add_argument("--no-nerel", action="store_true", help="skip NEREL")
    v.add_argument("--nerel-split", default="dev", choices=("dev", "train"),
                   help="which NEREL split to score (default: dev)")
    v.add_argument("--out", "-o", default="docs/quality.md", metavar="FILE",
                   help="where the tables are written (default: docs/quality.md)")
    v.add_argument("--errors", action="store_true", help="also list every difference from the gold")

    p = sub.add_parser("person", help="print a person's life path from the last build")
    p.add_argument("name", nargs="+", metavar="NAME",
                   help="any of the person's names, in any case or form, or in Latin letters")
    p.add_argument("--out", "-o", default="export", metavar="DIR",
                   help="the folder of the build to read (default: export/)")

    s = sub.add_parser("serve", help="a read-only SPARQL endpoint on the last build (the Oxigraph server)")
    s.add_argument("--out", "-o", default="export", metavar="DIR",
                   help="the folder of the build to serve: its store, else its RDF (default: export/)")
    s.add_argument("--host", default="127.0.0.1",
                   help="the address to listen on (default: 127.0.0.1, this machine only)")
    s.add_argument("--port", type=int, default=7878, metavar="N", help="default: 7878; 0 picks a free port")

    u = sub.add_parser("push", help="load the last build into a SPARQL 1.1 Graph Store Protocol server")
    u.add_argument("--endpoint", required=True, metavar="URL",
                   help="the store's Graph Store Protocol URL, for example Oxigraph http://HOST:7878/store, "
                        "Fuseki http://HOST:3030/DATASET/data, "
                        "GraphDB http://HOST:7200/repositories/REPO/rdf-graphs/service")
    u.add_argument("--out", "-o", default="export", metavar="DIR", help="the folder of the build (default: export/)")
    into = u.add_mutually_exclusive_group()
    into.add_argument("--graph", metavar="IRI",
                      help="put every triple into this one named graph (default: each named graph of "
                           "graph.trig into its own, one per article)")
    into.add_argument("--default-graph", action="store_true",
                      help="put every triple into the default graph")
    u.add_argument("--append", action="store_true",
                   help="add to the graphs (HTTP POST) instead of replacing them (HTTP PUT)")
    u.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS",
                   help="per request (default: 300)")

    q = sub.add_parser("sparql", help="ask the last build's RDF store a SPARQL query")
    q.add_argument("query", nargs="?", metavar="QUERY_OR_FILE",
                   help="a query of queries/ by name (members_of_unit), a .rq file, the query "
                        "text, or - to read it from standard input")
    q.add_argument("--bind", action="append", default=[], metavar="NAME=VALUE",
                   help="give a variable of the query a value, as an RDF term, never as query "
                        "text (repeatable); the query's header says which variables it takes")
    q.add_argument("--out", "-o", default="export", metavar="DIR",
                   help="the folder of the build to query (default: export/)")
    q.add_argument("--format", default="table", choices=("table", "csv", "json", "turtle", "ntriples"),
                   help="table (default), SPARQL CSV or JSON results; turtle or ntriples for CONSTRUCT")
    q.add_argument("--list", action="store_true", help="list the queries of queries/ and what they take")

    x = sub.add_parser("suspects", help="likely duplicates and errors in the last build, with the evidence")
    x.add_argument("--out", "-o", default="export", metavar="DIR", help="the folder of the build (default: export/)")
    x.add_argument("--limit", type=int, default=50, metavar="N", help="show the N likeliest (default: 50)")

    # the curation commands: each writes one correction to the curation file and rebuilds
    def curation_command(name: str, help_: str):
        c = sub.add_parser(name, help=help_)
        c.add_argument("--out", "-o", default="export", metavar="DIR",
                       help="the build to correct and rebuild (default: export/)")
        c.add_argument("--curation", metavar="FILE",
                       help="the curation file (default: the last build's, else curation.yaml "
                            "in its first folder)")
        c.add_argument("--who", help="who makes the correction")
        c.add_argument("--why", help="why: the evidence, in a few words")
        c.add_argument("--no-rebuild", action="store_true", help="only write the correction")
        return c

    m = curation_command("merge", "merge entities into one (the first stays)")
    m.add_argument("ids", nargs="+", metavar="ID", help="two or more entity ids (entities.csv, kg suspects)")
    m.add_argument("--into", metavar="ID", help="the id that stays (default: the first)")
    sp = curation_command("split", "move an entity's mentions in some articles to a new entity")
    sp.add_argument("id", metavar="ID")
    sp.add_argument("--article", action="append", required=True, metavar="ARTICLE_ID",
                    help="an article whose mentions go to the new entity (repeatable)")
    sp.add_argument("--name", help="the new entity's name (default: the same name)")
    sp.add_argument("--new-id", metavar="ID", help="the new entity's id")
    r = curation_command("rename", "give an entity another name or more aliases")
    r.add_argument("id", metavar="ID")
    r.add_argument("name", nargs="?", help="the new canonical name (the old one becomes an alias)")
    r.add_argument("--alias", action="append", default=[], help="another name (repeatable)")
    j = curation_command("reject", "drop an entity, an event or a relation the extractor got wrong")
    j.add_argument("id", metavar="ID", help="an entity id, or an event id (event:...)")
    j.add_argument("--relation", metavar="PREDICATE",
                   help="drop the entity's relations of this kind (member_of, born_in...), not the entity")
    j.add_argument("--object", metavar="ID", help="with --relation: only the one to this entity")
    t = curation_command("retype", "give an entity another type")
    t.add_argument("id", metavar="ID")
    t.add_argument("label", choices=("PERSON", "PLACE", "UNIT", "ORG", "AWARD"))
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="kg: %(levelname)s: %(message)s")
    try:
        if args.command == "build":
            return _build(args)
        if args.command == "watch":
            return _watch(args)
        if args.command == "eval":
            return _eval(args)
        if args.command == "person":
            return _person(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "push":
            return _push(args)
        if args.command == "sparql":
            return _sparql(args)
        if args.command == "suspects":
            return _suspects(args)
        if args.command in ("merge", "split", "rename", "reject", "retype"):
            return _curate(args)
        return _extract(args)
    except KgError as e:
        print(f"kg: error: {e}", file=sys.stderr)
        return 2


def _extract(args) -> int:
    from .pipeline import Duplicate, Skipped, extract

    status = 0
    for item in extract(args.paths):
        if isinstance(item, Duplicate):
            print(f"kg: {item.path} is the same article as {item.original}", file=sys.stderr)
            continue
        if isinstance(item, Skipped):
            print(f"kg: skipped {item.path}: {item.reason}", file=sys.stderr)
            status = 1
            continue
        sys.stdout.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return status


def _eval(args) -> int:
    from pathlib import Path

    from .evaluate import evaluate

    report = evaluate(Path(args.corpus), None if args.no_nerel else Path(args.nerel),
                      Path(args.out) if args.out else None, nerel_split=args.nerel_split)
    print(report if args.errors else report.split("\n## Differences")[0])
    return 0


def _person(args) -> int:
    from pathlib import Path

    from .lifepath import GRAPHML, format_life_path, life_path, person_matches, read_graph

    query, path = " ".join(args.name), Path(args.out) / GRAPHML
    if not path.is_file():
        print(f"kg: no build in {args.out}/ (no {GRAPHML}): run kg build ARTICLES --out {args.out}",
              file=sys.stderr)
        return 1
    graph = read_graph(path)
    matches = person_matches(graph, query)
    if not matches:
        print(f"kg: no person in {args.out}/ matches {query!r}", file=sys.stderr)
        return 1
    best = [m for m in matches if m.level == matches[0].level]
    print("\n\n".join(format_life_path(life_path(graph, m.id)) for m in best[:5]))
    others = matches[len(best[:5]):]
    if others:
        print(f"\nalso matching {query!r}: " + "; ".join(f"{m.name} ({m.id})" for m in others))
    return 0


def _serve(args) -> int:
    import signal

    from .serve import serve

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    def ready(server) -> None:
        print(f"SPARQL endpoint: {server.query_url} (read-only)\n"
              f"serving {server.source}; a query page at {server.url}/; Ctrl-C stops it", flush=True)

    signal.signal(signal.SIGTERM, interrupt)  # a plain kill stops the server cleanly too
    try:
        serve(args.out, args.host, args.port, on_ready=ready)
    except KeyboardInterrupt:
        print("kg serve: stopped", file=sys.stderr)
    return 0


def _push(args) -> int:
    from .serve import push

    pushed = push(args.out, args.endpoint, args.graph, default_graph=args.default_graph,
                  append=args.append, timeout=args.timeout)
    total = sum(p.triples for p in pushed)
    default = sum(p.triples for p in pushed if p.graph is None)
    named = len({p.graph for p in pushed if p.graph is not None})
    print(f"pushed {total} triples: {default} to the default graph, "
          f"{total - default} to {named} named graph{'s' if named != 1 else ''}")
    return 0


def _sparql(args) -> int:
    import textwrap

    from .sparql import declared_prefixes, format_result, list_queries, load_query, run_query
    from .store import NoStoreError, open_store

    if args.list or not args.query:
        for query in list_queries():
            print(f"{query.name}\n" + textwrap.fill(query.description, 88, initial_indent="    ",
                                                     subsequent_indent="    "))
            for name, what in query.parameters.items():
                print(textwrap.fill(f"--bind {name}=...  {what}", 88, initial_indent="    ",
                                    subsequent_indent="        "))
        return 0 if args.list else 2
    query = load_query(sys.stdin.read() if args.query == "-" else args.query)
    bindings = {}
    for item in args.bind:
        name, sep, value = item.partition("=")
        if not sep:
            print(f"kg: --bind {item!r}: write NAME=VALUE", file=sys.stderr)
            return 2
        bindings[name.strip()] = value
    try:
        store = open_store(args.out)
    except NoStoreError:
        print(f"kg: no build in {args.out}/ (no store/): run kg build ARTICLES --out {args.out}",
              file=sys.stderr)
        return 1
    text = format_result(run_query(store, query, bindings), args.format,
                         declared_prefixes(query.text))
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if args.format == "table" and text.endswith("(0 rows)") and bindings:
        print("kg: no rows; names are matched as the graph spells them: "
              f"kg sparql find_name --bind text=PART --out {args.out} finds them", file=sys.stderr)
    return 0


def _suspects(args) -> int:
    from .lifepath import read_graph
    from .suspects import format_suspects, suspects

    print(format_suspects(suspects(read_graph(args.out), limit=args.limit)))
    return 0


def _curate(args) -> int:
    from pathlib import Path

    from .curate import CURATION_FILE, append_correction
    from .pipeline import build, last_build

    record = last_build(args.out)
    if args.curation:
        path = Path(args.curation)
    elif record and record.get("curation"):
        path = Path(record["curation"])
    elif record and record.get("paths") and Path(record["paths"][0]).is_dir():
        path = Path(record["paths"][0]) / CURATION_FILE
    else:
        raise KgError(f"no build in {args.out}/ to correct: run kg build ARTICLES --out {args.out} "
                      "first, or give --curation FILE")
    ids = list(args.ids) if args.command == "merge" else [args.id] + ([args.object] if getattr(args, "object", None) else [])
    # the articles each entity is in now: its id may change when new articles arrive
    seen_in = _articles_of(args.out, ids)
    common = {"who": args.who, "why": args.why, "seen_in": seen_in}
    if args.command == "merge":
        c = append_correction(path, "merge", ids, into=args.into, **common)
    elif args.command == "split":
        c = append_correction(path, "split", args.id, articles=list(args.article), name=args.name,
                              id=args.new_id, **common)
    elif args.command == "rename":
        c = append_correction(path, "rename", args.id, name=args.name, aliases=list(args.alias), **common)
    elif args.command == "retype":
        c = append_correction(path, "retype", args.id, label=args.label, **common)
    elif args.relation:
        c = append_correction(path, "reject_relation", {"subject": args.id, "predicate": args.relation,
                                                        "object": args.object}, **common)
    elif args.id.startswith("event:"):
        c = append_correction(path, "reject_event", args.id, **common)
    else:
        c = append_correction(path, "reject", args.id, **common)
    print(f"written to {path}:{c.line}: {c.note}")
    if args.no_rebuild or not record:
        return 0
    result, built = build(record["paths"], args.out, curation=path)
    report = result.curation
    print(f"rebuilt {args.out}/: {len(result.extractions)} articles; curation: {report.applied} "
          f"corrections applied" + (f", {len(report.unmatched)} no longer apply" if report.unmatched else ""))
    for line in report.unmatched:
        print(f"  {line}")
    return 1 if report.unmatched else 0


def _articles_of(out: str, ids: list[str]) -> dict[str, list[str]]:
    from .lifepath import GRAPHML, read_graph
    from pathlib import Path

    if not (Path(out) / GRAPHML).exists():
        return {}
    g = read_graph(out)
    found = {}
    for eid in ids:
        if eid in g:
            articles = g.nodes[eid].get("articles") or ""
            found[eid] = sorted(articles.split("; ") if isinstance(articles, str) else articles)
    return found


def _watch(args) -> int:
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")  # as for kg build
    from .watch import watch

    processes = args.processes if args.processes is not None else (os.cpu_count() or 1)
    if processes < 1:
        raise KgError(f"--processes must be at least 1, not {processes}")
    print(f"kg watch: building {', '.join(args.paths)} into {args.out}/, then watching (Ctrl-C to stop)",
          flush=True)
    watch(args.paths, args.out, interval=args.interval, quiet=args.quiet, processes=processes,
          on_update=lambda update: print(f"kg watch: {update}", flush=True),
          on_ready=lambda: print(f"kg watch: {args.out}/ is up to date; watching", flush=True))
    print(f"kg watch: stopped; every file in {args.out}/ is up to date")
    return 0


def _build(args) -> int:
    # one BLAS thread per process: with two, slovnet's small matrix products slow down
    # several times as soon as the other core is busy (with a worker, say); set before
    # numpy loads, and inherited by the worker processes
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    from .pipeline import build
    from .read import iter_paths

    bar = None
    if not args.no_progress and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=sum(1 for _ in iter_paths(args.paths, exclude=[args.out])), unit="file", desc="kg build")
    processes = args.processes if args.processes is not None else (os.cpu_count() or 1)
    if processes < 1:
        raise KgError(f"--processes must be at least 1, not {processes}")
    client = None
    if args.scheduler:
        from .distributed import connect

        client = connect(args.scheduler)
    try:
        result, built = build(args.paths, args.out, on_item=bar.update if bar else None,
                              processes=processes, executor=client, use_cache=not args.no_cache,
                              curation=args.curation)
    finally:
        if bar:
            bar.close()
        if client is not None:
            client.close()
    graph = built["graph"]
    labels = Counter(d.get("label") for _, d in graph.nodes(data=True) if d.get("kind") == "entity")
    kinds = Counter(d.get("relation") for *_, d in graph.edges(data=True))
    extracted = {k: n for k, n in kinds.items()
                 if k not in ("mentions", "co_occurs", "participant_in", "took_place_at")}
    events = sum(1 for _, d in graph.nodes(data=True) if d.get("kind") == "event")
    print(f"articles read: {len(result.extractions)}")
    print(f"files skipped: {len(result.skipped)}")
    for s in result.skipped:
        print(f"  {s.path}: {s.reason}")
    for d in result.duplicates:
        print(f"  {d.path}: the same article as {d.original} (both paths recorded)")
    print("entities: " + (", ".join(f"{k} {labels[k]}" for k in sorted(labels)) or "none"))
    print(f"events: {events}")
    print(f"relations: {sum(extracted.values())}"
          + (" (" + ", ".join(f"{k} {extracted[k]}" for k in sorted(extracted)) + ")" if extracted else "")
          + f"; co-occurrences in a sentence: {kinds.get('co_occurs', 0)}")
    if result.curation is not None:
        print(f"curation: {result.curation.applied} corrections applied"
              + (f", {len(result.curation.unmatched)} no longer apply:" if result.curation.unmatched else ""))
        for line in result.curation.unmatched:
            print(f"  {line}")
    html = built["outputs"].get("graph.html")
    if html:
        print(f"written to {args.out}/; open {html}")
    else:
        print(f"no article could be read: nothing written, {args.out}/ left as it was")
    return 1 if result.skipped else 0


if __name__ == "__main__":
    sys.exit(main())
