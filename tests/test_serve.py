"""kg push into a real Oxigraph server and kg serve, over HTTP on loopback, as a user runs them.

Every server here listens on 127.0.0.1 on a free port, is waited for at most
``WAIT`` seconds and is stopped in the fixture's teardown, whatever the test did.
"""
from __future__ import annotations

import csv
import io
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph
import pytest

from conftest import CORPUS
from kg.serve import free_port, oxigraph_command, rdf_file

WAIT = 20.0
JSON = "application/sparql-results+json"
PERSON = """PREFIX schema: <https://schema.org/>
SELECT DISTINCT ?person WHERE { ?person a schema:Person ; schema:name ?name . FILTER(STR(?name) = "Кабыш Омаров") }"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"  # the default graph, or every graph in union
COUNT_IN = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?s ?p ?o } }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy


def kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], check=False, capture_output=True, text=True,
                          encoding="utf-8", stdin=subprocess.DEVNULL, timeout=120)


def wait_for_port(port: int, process: subprocess.Popen, log: Path | None = None) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited ({process.returncode}): "
                        + (log.read_text(errors="replace") if log else ""))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing listens on 127.0.0.1:{port} after {WAIT:.0f} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def query(base: str, text: str, accept: str = JSON, how: str = "get", union: bool = False) -> str:
    """A SPARQL 1.1 Protocol query: GET, POST of a form, or POST of the query itself.

    ``union`` asks the Oxigraph server to see every named graph as the default graph.
    """
    if union:
        base, how = base + "/query?union-default-graph", "post"
        request = urllib.request.Request(base, data=text.encode("utf-8"),
                                         headers={"Accept": accept, "Content-Type": "application/sparql-query"})
    elif how == "get":
        request = urllib.request.Request(f"{base}/query?" + urlencode({"query": text}),
                                         headers={"Accept": accept})
    elif how == "form":
        request = urllib.request.Request(f"{base}/query", data=urlencode({"query": text}).encode(),
                                         headers={"Accept": accept,
                                                  "Content-Type": "application/x-www-form-urlencoded"})
    else:
        request = urllib.request.Request(f"{base}/query", data=text.encode("utf-8"),
                                         headers={"Accept": accept, "Content-Type": "application/sparql-query"})
    with LOCAL.open(request, timeout=30) as response:
        return response.read().decode("utf-8")


def rows(base: str, text: str, how: str = "get", union: bool = False) -> list[dict[str, str]]:
    found = json.loads(query(base, text, how=how, union=union))["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in found]


def count(base: str, text: str = COUNT, union: bool = False) -> int:
    return int(rows(base, text, union=union)[0]["n"])


def dataset(out: Path) -> dict[str | None, int]:
    """Triples per graph (None: the default graph) of the RDF kg push and kg serve take."""
    path, fmt = rdf_file(out)
    return dict(Counter(None if isinstance(q.graph_name, pyoxigraph.DefaultGraph) else q.graph_name.value
                        for q in pyoxigraph.parse(path=str(path), format=fmt)))


def distinct_triples(out: Path) -> int:
    path, fmt = rdf_file(out)
    return len({q.triple for q in pyoxigraph.parse(path=str(path), format=fmt)})


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("export")
    build([str(CORPUS)], out)
    return out


@pytest.fixture
def oxigraph(tmp_path):
    """A real Oxigraph server (read-write) on a fresh store; yields its base URL."""
    port, log = free_port(), tmp_path / "oxigraph.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([oxigraph_command(), "serve", "--location", str(tmp_path / "store"),
                                    "--bind", f"127.0.0.1:{port}"],
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=out)
    try:
        wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@pytest.fixture
def kg_serve():
    """Start ``kg serve ARGS...`` on a free port; yields (base URL, process, what it printed)."""
    started = []

    def start(*args: str) -> tuple[str, subprocess.Popen, str]:
        port = free_port()
        process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", str(port), *args],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                   start_new_session=True)
        started.append(process)
        ready, _, _ = select.select([process.stdout], [], [], WAIT)  # it prints once it answers
        if not ready:
            pytest.fail(f"kg serve printed nothing in {WAIT:.0f} s")
        banner = process.stdout.readline() + process.stdout.readline()  # one print, two lines
        assert banner.startswith(f"SPARQL endpoint: http://127.0.0.1:{port}/query (read-only)\n"), banner
        wait_for_port(port, process)
        return f"http://127.0.0.1:{port}", process, banner

    yield start
    for process in started:
        stop(process)
        try:  # and the Oxigraph server it started, had kg serve not stopped it
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.communicate(timeout=10)


# --- kg push ---------------------------------------------------------------------------

def test_push_into_oxigraph_then_query(built, oxigraph):
    proc = kg("push", "--endpoint", f"{oxigraph}/store", "--out", str(built))
    assert proc.returncode == 0, proc.stderr
    graphs = dataset(built)
    n, named = sum(graphs.values()), len(graphs) - (None in graphs)
    assert proc.stdout.startswith(f"pushed {n} triples: {graphs.get(None, 0)} to the default graph, "
                                  f"{n - graphs.get(None, 0)} to {named} named graph")
    assert count(oxigraph) == graphs.get(None, 0)
    for graph, triples in graphs.items():
        if graph is not None:
            assert count(oxigraph, COUNT_IN % graph) == triples
    assert count(oxigraph, union=True) == n
    people = rows(oxigraph, PERSON, union=True)
    assert len(people) == 1 and people[0]["person"].startswith("https://w3id.org/kg-ww2/id/person/")


def test_push_again_replaces_each_graph(built, oxigraph):
    for _ in range(2):
        proc = kg("push", "--endpoint", f"{oxigraph}/store", "--out", str(built))
        assert proc.returncode == 0, proc.stderr
    assert count(oxigraph, union=True) == sum(dataset(built).values())  # blank nodes would double under POST


def test_push_into_one_named_graph(built, oxigraph):
    iri = "https://example.org/kg/сборка/1"
    proc = kg("push", "--endpoint", f"{oxigraph}/store", "--out", str(built), "--graph", iri)
    assert proc.returncode == 0, proc.stderr
    assert rows(oxigraph, GRAPHS) == [{"g": iri}] and count(oxigraph) == 0
    assert count(oxigraph, COUNT_IN % iri) == distinct_triples(built)


def test_push_into_the_default_graph(built, oxigraph):
    proc = kg("push", "--endpoint", f"{oxigraph}/store", "--out", str(built), "--default-graph")
    assert proc.returncode == 0, proc.stderr
    assert rows(oxigraph, GRAPHS) == [] and count(oxigraph) == distinct_triples(built)
    assert len(rows(oxigraph, PERSON)) == 1


TRIG = """@prefix schema: <https://schema.org/> .
<https://example.org/p/1> schema:name "Кабыш Омаров"@ru .
<https://example.org/статья?id=1&x=2#a> {
  <https://example.org/p/1> schema:description "\\"} ; DROP ALL ; #" ;
      schema:subjectOf [ schema:name "a blank node" ] . }
<https://example.org/article/2> { <https://example.org/p/2> schema:name "Маншук Маметова"@ru . }
<https://example.org/статья?id=1&x=2#a> { <https://example.org/p/3> schema:name "again" . }
"""


def test_push_a_dataset_graph_by_graph(tmp_path, oxigraph):
    out = tmp_path / "export"
    out.mkdir()
    (out / "graph.trig").write_text(TRIG, encoding="utf-8")
    (out / "graph.ttl").write_text("<https://example.org/x> <https://example.org/y> 1 .\n")  # trig wins
    proc = kg("push", "--endpoint", f"{oxigraph}/store", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "pushed 6 triples: 1 to the default graph, 5 to 2 named graphs" in proc.stdout
    assert count(oxigraph) == 1
    assert {r["g"] for r in rows(oxigraph, GRAPHS)} == {
        "https://example.org/статья?id=1&x=2#a", "https://example.org/article/2"}
    # the graph seen twice is added to the second time, not replaced
    assert count(oxigraph, COUNT_IN % "https://example.org/статья?id=1&x=2#a") == 4
    assert count(oxigraph, COUNT_IN % "https://example.org/article/2") == 1


@pytest.mark.parametrize("endpoint, args, message", [
    ("http://127.0.0.1:{free}/store", (), "cannot reach http://127.0.0.1:"),
    ("http://reader:s3cret@127.0.0.1:{free}/store", (), "cannot reach http://127.0.0.1:"),
    ("{oxigraph}/nowhere", (), "HTTP 404"),
    ("{oxigraph}/store?default", (), "without ?default"),
    ("{oxigraph}/store", ("--graph", "not an IRI"), "not an absolute IRI"),
    ("ftp://127.0.0.1/store", (), "not an http(s) URL"),
])
def test_push_errors_say_what_went_wrong(built, oxigraph, endpoint, args, message):
    url = endpoint.format(free=free_port(), oxigraph=oxigraph)
    proc = kg("push", "--endpoint", url, "--out", str(built), *args)
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert "s3cret" not in proc.stderr + proc.stdout


def test_push_without_a_build(tmp_path, oxigraph):
    proc = kg("push", "--endpoint", f"{oxigraph}/store", "--out", str(tmp_path))
    assert proc.returncode != 0 and "no build in" in proc.stderr


# --- kg serve --------------------------------------------------------------------------

@pytest.fixture
def rdf_only(built, tmp_path) -> Path:
    """The build's RDF without its store."""
    out = tmp_path / "rdf-only"
    out.mkdir()
    path, _ = rdf_file(built)
    shutil.copy(path, out / path.name)
    return out


def test_serve_answers_sparql_and_refuses_updates(rdf_only, kg_serve):
    temporary = set(Path(tempfile.gettempdir()).glob("kg-serve-*"))
    base, process, banner = kg_serve("--out", str(rdf_only))
    assert f"serving {rdf_file(rdf_only)[0]} (in a temporary store)" in banner
    n = sum(dataset(rdf_only).values())
    assert count(base) == n  # every named graph is in the default graph, as in kg sparql
    for how in ("get", "form", "post"):
        assert len(rows(base, PERSON, how=how)) == 1
    table = list(csv.DictReader(io.StringIO(query(base, PERSON, accept="text/csv", how="post"))))
    assert table[0]["person"].startswith("https://w3id.org/kg-ww2/id/person/")

    insert = "INSERT DATA { <https://example.org/a> <https://example.org/b> 1 }"
    attempts = [
        urllib.request.Request(f"{base}/update", data=insert.encode(),
                               headers={"Content-Type": "application/sparql-update"}),
        urllib.request.Request(f"{base}/update", data=urlencode({"update": insert}).encode(),
                               headers={"Content-Type": "application/x-www-form-urlencoded"}),
        urllib.request.Request(f"{base}/store?default", data=b"<https://example.org/a> <https://example.org/b> 1 .",
                               method="PUT", headers={"Content-Type": "application/n-triples"}),
        urllib.request.Request(f"{base}/store?default", method="DELETE"),
    ]
    for request in attempts:
        with pytest.raises(urllib.error.HTTPError) as refused:
            LOCAL.open(request, timeout=30)
        assert 400 <= refused.value.code < 500
    with pytest.raises(urllib.error.HTTPError):  # an update sent as a query is no query
        query(base, insert, how="post")
    pushed = kg("push", "--endpoint", f"{base}/store", "--out", str(rdf_only))
    assert pushed.returncode != 0 and "HTTP 403" in pushed.stderr
    assert count(base) == n

    process.terminate()
    _, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    with pytest.raises(OSError):  # the Oxigraph server went with it
        socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), timeout=2).close()
    assert set(Path(tempfile.gettempdir()).glob("kg-serve-*")) <= temporary  # its store is gone


def test_serve_the_store_read_only_while_a_build_replaces_it(rdf_only, tmp_path, kg_serve):
    from kg.store import store_path, update_store

    update_store(None, rdf_only)  # the store a build makes
    live = store_path(rdf_only)
    before = {p.name: p.read_bytes() for p in live.iterdir() if p.is_file()}
    base, process, banner = kg_serve("--out", str(rdf_only))
    assert f"serving {live} (read-only)" in banner
    n = count(base)
    assert n == sum(dataset(rdf_only).values()) and len(rows(base, PERSON)) == 1

    # a new build while it serves: a new version goes live, the served one stays as it was
    rebuilt = tmp_path / "rebuilt.nt"
    rebuilt.write_text('<https://example.org/p> <https://schema.org/name> "new" .\n', encoding="utf-8")
    update_store(rebuilt, rdf_only)
    assert store_path(rdf_only) != live
    assert count(base) == n
    process.terminate()
    process.communicate(timeout=15)
    assert process.returncode == 0
    assert {p.name: p.read_bytes() for p in live.iterdir() if p.is_file()} == before


def test_serve_refuses_a_busy_port(built):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        proc = kg("serve", "--out", str(built), "--port", str(busy.getsockname()[1]))
    assert proc.returncode == 2 and "cannot listen on 127.0.0.1 port" in proc.stderr


def test_serve_without_a_build(tmp_path):
    proc = kg("serve", "--out", str(tmp_path), "--port", str(free_port()))
    assert proc.returncode == 2 and "no build in" in proc.stderr
