"""The command line: kg build and kg extract --jsonl, as a user runs them."""
from __future__ import annotations

import json
import subprocess
import sys

import pyoxigraph
import pytest
import rdflib

from conftest import CORPUS

OUTPUTS = ("graph.ttl", "graph.jsonld", "graph.graphml", "graph.html", "entities.csv", "relations.csv")
CONTRACT = {"source", "title", "author", "published", "text", "boilerplate", "mentions",
            "entities", "events", "relations"}
LABELS = {"PERSON", "PLACE", "UNIT", "ORG", "DATE", "AWARD"}


def kg(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    proc = kg("build", str(CORPUS), "--out", str(out))
    return proc, out


def test_build_writes_everything(built):
    proc, out = built
    assert proc.returncode == 0, proc.stderr
    assert "articles read: 5" in proc.stdout and "files skipped: 0" in proc.stdout
    assert "PERSON" in proc.stdout and "relations:" in proc.stdout
    for name in OUTPUTS:
        assert (out / name).stat().st_size > 0


@pytest.mark.parametrize("name, rdflib_format, oxi_format", [
    ("graph.ttl", "turtle", pyoxigraph.RdfFormat.TURTLE),
    ("graph.jsonld", "json-ld", pyoxigraph.RdfFormat.JSON_LD),
])
def test_rdf_parses_back(built, name, rdflib_format, oxi_format):
    _, out = built
    g = rdflib.Graph().parse(out / name, format=rdflib_format)
    store = pyoxigraph.Store()
    store.load(path=str(out / name), format=oxi_format)
    assert len(g) > 100 and len(store) == len(g)
    names = {str(o) for o in g.objects(None, rdflib.URIRef("https://schema.org/name"))}
    assert {"Кабыш Омаров", "Тулуза", "отряд «Монгол»"} <= names


def test_html_loads_nothing_remote(built):
    _, out = built
    html = (out / "graph.html").read_text(encoding="utf-8")
    assert "<link" not in html and "<script src" not in html
    for attr in ('src="http', "src='http", 'href="http', "href='http", "url(http"):
        assert attr not in html


def test_extract_jsonl_follows_the_contract():
    files = sorted(str(p) for p in CORPUS.iterdir())
    proc = kg("extract", *files, "--jsonl")
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["source"] for r in records] == files
    for r in records:
        assert CONTRACT <= set(r)
        text = r["text"]
        for s, e in r["boilerplate"]:
            assert 0 <= s < e <= len(text)
        ids = {e["id"] for e in r["entities"]}
        for m in r["mentions"]:
            assert m["label"] in LABELS and text[m["start"]:m["end"]] == m["text"]
            assert m["entity"] is None or m["entity"] in ids
            if m["label"] == "DATE":
                assert "value" in m
        for e in r["entities"]:
            assert e["label"] in LABELS and e["name"] and isinstance(e["aliases"], list)


def test_text_file_text_is_the_file(tmp_path):
    raw = "Заголовок\r\n\r\nКабыш Омаров встретил войну 22\u00a0июня 1941 года.\r\n"
    path = tmp_path / "crlf.txt"
    path.write_bytes(raw.encode("cp1251"))
    proc = kg("extract", str(path), "--jsonl")
    [rec] = [json.loads(line) for line in proc.stdout.splitlines()]
    assert rec["text"] == raw


def test_bad_file_reported_and_exit_nonzero(tmp_path):
    (tmp_path / "good.txt").write_text("Кабыш Омаров воевал во Франции.", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"   \n")
    out = tmp_path / "out"
    proc = kg("build", str(tmp_path), "--out", str(out))
    assert proc.returncode == 1
    assert "empty.txt" in proc.stdout and "articles read: 1" in proc.stdout
    assert (out / "graph.ttl").exists()


def test_failed_build_keeps_previous_outputs(tmp_path, built):
    _, out = built
    before = (out / "graph.ttl").read_bytes()
    proc = kg("build", str(tmp_path / "missing.txt"), "--out", str(out))
    assert proc.returncode == 1
    assert "missing.txt" in proc.stdout and "nothing written" in proc.stdout
    assert (out / "graph.ttl").read_bytes() == before
