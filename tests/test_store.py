"""The on-disk store of a build: loaded once, reopened read-only, swapped crash-safely."""
from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, Quad, Store

from kg.errors import KgError
from kg.store import (STORE, VERSIONS, NoStoreError, StoreBusyError, open_store, store_info,
                      store_path, update_store)

NAME = "https://schema.org/name"


def nt(*names: str) -> str:
    return "".join(f'<https://w3id.org/kg-ww2/id/person/{i}> <{NAME}> "{n}"@ru .\n'
                   for i, n in enumerate(names))


def names(store: Store) -> set[str]:
    return {q.object.value for q in store.quads_for_pattern(None, NamedNode(NAME), None)}


def versions(out: Path) -> list[str]:
    return sorted(p.name for p in (out / VERSIONS).iterdir() if p.is_dir())


def test_load_then_reopen_read_only(tmp_path):
    (tmp_path / "graph.nt").write_text(nt("Кабыш Омаров", "Кадем Жуманиязов"), encoding="utf-8")
    live = update_store(None, tmp_path)
    assert live == tmp_path / STORE and live.is_symlink() and store_path(tmp_path) == live.resolve()
    assert store_path(tmp_path).parent == (tmp_path / VERSIONS).resolve()
    assert names(open_store(tmp_path)) == {"Кабыш Омаров", "Кадем Жуманиязов"}
    assert names(open_store(tmp_path)) == names(open_store(tmp_path))  # readers share it
    info = store_info(tmp_path)
    assert info["source"] == "graph.nt" and info["quads"] == 2 and len(info["sha256"]) == 64
    # an Oxigraph tool can take OUT/store as it is
    assert names(Store.read_only(str(tmp_path / STORE))) == {"Кабыш Омаров", "Кадем Жуманиязов"}


def test_prefers_trig_then_ntriples_then_turtle(tmp_path):
    (tmp_path / "graph.ttl").write_text(nt("из Turtle"), encoding="utf-8")
    update_store(None, tmp_path)
    assert names(open_store(tmp_path)) == {"из Turtle"}
    (tmp_path / "graph.nt").write_text(nt("из N-Triples"), encoding="utf-8")
    update_store(None, tmp_path)
    assert names(open_store(tmp_path)) == {"из N-Triples"}
    (tmp_path / "graph.trig").write_text(
        "<https://w3id.org/kg-ww2/id/graph/a> {\n" + nt("из TriG") + "}\n", encoding="utf-8")
    update_store(None, tmp_path)
    store = open_store(tmp_path)
    assert [g.value for g in store.named_graphs()] == ["https://w3id.org/kg-ww2/id/graph/a"]
    assert store_info(tmp_path)["source"] == "graph.trig"


@pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated")  # inside rdflib's N-Quads writer
def test_takes_rdflib_graphs_and_datasets(tmp_path):
    g = rdflib.Graph()
    g.add((rdflib.URIRef("https://w3id.org/kg-ww2/id/person/x"), rdflib.URIRef(NAME),
           rdflib.Literal("Кабыш Омаров", lang="ru")))
    update_store(g, tmp_path)
    assert names(open_store(tmp_path)) == {"Кабыш Омаров"}
    d = rdflib.Dataset()
    d.graph(rdflib.URIRef("https://w3id.org/kg-ww2/id/graph/a")).add(
        (rdflib.URIRef("https://w3id.org/kg-ww2/id/person/y"), rdflib.URIRef(NAME), rdflib.Literal("Кадем")))
    update_store(d, tmp_path)
    assert names(open_store(tmp_path)) == {"Кадем"}
    assert len(list(open_store(tmp_path).named_graphs())) == 1


def test_same_content_keeps_the_live_version(tmp_path):
    (tmp_path / "graph.nt").write_text(nt("Кабыш Омаров"), encoding="utf-8")
    update_store(None, tmp_path)
    first = store_path(tmp_path)
    update_store(None, tmp_path)
    assert store_path(tmp_path) == first and versions(tmp_path) == [first.name]


def test_swap_keeps_the_previous_version_for_readers_and_drops_older_ones(tmp_path):
    rdf = tmp_path / "graph.nt"
    rdf.write_text(nt("первый"), encoding="utf-8")
    update_store(None, tmp_path)
    one = store_path(tmp_path)
    reader = open_store(tmp_path)  # opened before the swap
    rdf.write_text(nt("второй"), encoding="utf-8")
    update_store(None, tmp_path)
    two = store_path(tmp_path)
    assert names(reader) == {"первый"} and names(open_store(tmp_path)) == {"второй"}
    assert versions(tmp_path) == sorted([one.name, two.name])
    rdf.write_text(nt("третий"), encoding="utf-8")
    update_store(None, tmp_path)
    three = store_path(tmp_path)
    assert versions(tmp_path) == sorted([two.name, three.name])
    assert not (tmp_path / VERSIONS / f"{one.name}.json").exists()


def test_rdf_that_does_not_parse_leaves_the_old_store(tmp_path):
    rdf = tmp_path / "graph.nt"
    rdf.write_text(nt("Кабыш Омаров"), encoding="utf-8")
    update_store(None, tmp_path)
    live = store_path(tmp_path)
    rdf.write_text('<https://x/a> <https://x/p> "не закрыта .\n', encoding="utf-8")
    with pytest.raises(KgError, match="does not parse"):
        update_store(None, tmp_path)
    assert store_path(tmp_path) == live and names(open_store(tmp_path)) == {"Кабыш Омаров"}
    assert versions(tmp_path) == [live.name]  # no half-loaded folder left


def test_no_build_no_store(tmp_path):
    with pytest.raises(NoStoreError, match="run kg build"):
        open_store(tmp_path)
    with pytest.raises(KgError, match="no RDF"):
        update_store(None, tmp_path)
    with pytest.raises(NoStoreError):
        store_path(tmp_path)


def test_a_second_build_is_refused_while_one_updates(tmp_path):
    (tmp_path / "graph.nt").write_text(nt("Кабыш Омаров"), encoding="utf-8")
    (tmp_path / VERSIONS).mkdir()
    with open(tmp_path / VERSIONS / ".lock", "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(StoreBusyError, match="one build at a time"):
            update_store(None, tmp_path)
    update_store(None, tmp_path)  # released: fine


def test_a_store_folder_made_by_hand_is_moved_aside(tmp_path):
    hand = Store(str(tmp_path / STORE))  # an Oxigraph store at OUT/store, as `oxigraph load` makes
    hand.add(Quad(NamedNode("https://x/a"), NamedNode(NAME), Literal("старое")))
    del hand
    (tmp_path / "graph.nt").write_text(nt("Кабыш Омаров"), encoding="utf-8")
    update_store(None, tmp_path)
    assert (tmp_path / STORE).is_symlink() and names(open_store(tmp_path)) == {"Кабыш Омаров"}


KILLED_BUILD = """
import sys
from kg.store import update_store
update_store(sys.argv[1], sys.argv[2])
"""


def test_a_build_killed_while_loading_leaves_a_whole_store(tmp_path):
    rdf = tmp_path / "graph.nt"
    rdf.write_text(nt("старый"), encoding="utf-8")
    update_store(None, tmp_path)
    big = tmp_path / "big.nt"
    with open(big, "w", encoding="utf-8") as f:
        f.writelines(f'<https://w3id.org/kg-ww2/id/person/{i}> <{NAME}> "имя {i}"@ru .\n' for i in range(300_000))
    proc = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(big), str(tmp_path)])
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # the old store or, if the build was quick enough, the whole new one; never a part
    assert len(open_store(tmp_path)) in (1, 300_000)
    update_store(None, tmp_path)
    assert names(open_store(tmp_path)) == {"старый"}
    leftovers = [p.name for p in (tmp_path / VERSIONS).iterdir() if p.name.startswith(".tmp-")]
    assert leftovers == [] and len(versions(tmp_path)) <= 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(f".{STORE}.")]


def test_store_files_read_like_any_output(tmp_path):
    (tmp_path / "graph.nt").write_text(nt("Кабыш Омаров"), encoding="utf-8")
    assert os.stat(update_store(None, tmp_path)).st_mode & 0o755 == 0o755
    assert Literal("Кабыш Омаров", language="ru") in {q.object for q in open_store(tmp_path)}


# --- StoreWriter: loading N-Quads while a build writes them ------------------------------

def nq(*names: str) -> bytes:
    return "".join(f'<https://x/p{i}> <https://schema.org/name> "{n}"@ru <https://x/g> .\n'
                   for i, n in enumerate(names)).encode("utf-8")


def test_store_writer_loads_chunk_by_chunk(tmp_path):
    import hashlib

    from kg.store import StoreWriter

    lines = nq(*(f"имя {i}" for i in range(3000)))
    writer = StoreWriter(tmp_path, "graph.nq", quads_at_a_time=700)
    with pytest.raises(StoreBusyError):  # the lock is held while it loads
        update_store(None, tmp_path)
    for i in range(0, 3000, 250):  # whole lines, as the RDF writer gives them
        writer.write(b"".join(lines.splitlines(keepends=True)[i:i + 250]))
    assert writer.finish() == tmp_path / STORE
    info = store_info(tmp_path)
    assert info["quads"] == 3000 and info["sha256"] == hashlib.sha256(lines).hexdigest()
    assert info["source"] == "graph.nq"
    assert len(names(open_store(tmp_path))) == 3000
    assert sorted(p.name for p in (tmp_path / VERSIONS).iterdir() if not p.is_dir()) == [
        ".lock", Path(info["path"]).name + ".json"]


def test_store_writer_digest_of_the_file_written_beside(tmp_path):
    """The version records the digest of graph.trig, which update_store then finds loaded."""
    import io

    from kg.store import StoreWriter

    trig = io.BytesIO()
    writer = StoreWriter(tmp_path, "graph.trig")
    beside = writer.hashing(trig)
    beside.write('<https://x/g> { <https://x/a> <https://schema.org/name> "Кабыш"@ru . }\n'.encode())
    writer.write('<https://x/a> <https://schema.org/name> "Кабыш"@ru <https://x/g> .\n'.encode())
    writer.finish()
    version = store_info(tmp_path)["path"]
    (tmp_path / "graph.trig").write_bytes(trig.getvalue())
    update_store(None, tmp_path)  # the same content: nothing reloaded
    assert store_info(tmp_path)["path"] == version


def test_store_writer_rdf_that_does_not_parse_keeps_the_store(tmp_path):
    from kg.store import StoreWriter

    (tmp_path / "graph.nt").write_text(nt("старый"), encoding="utf-8")
    update_store(None, tmp_path)
    before = store_info(tmp_path)
    writer = StoreWriter(tmp_path, "new.nq", quads_at_a_time=100)
    with pytest.raises(KgError, match="new.nq: the RDF does not parse"):
        writer.write(nq("новый") * 100 + b'<https://x/a> <https://x/p> "not closed .\n')
        for _ in range(1000):  # more chunks than the queue holds: the writer must not hang
            writer.write(nq("ещё") * 100)
        writer.finish()
    writer.abort()  # what a build does after a failed write: the lock is let go
    assert store_info(tmp_path) == before
    assert names(open_store(tmp_path)) == {"старый"}
    assert [p.name for p in (tmp_path / VERSIONS).iterdir() if p.name.startswith(".tmp-")] == []


def test_store_writer_aborted_leaves_nothing(tmp_path):
    from kg.store import StoreWriter

    writer = StoreWriter(tmp_path, "graph.nq", quads_at_a_time=1)
    writer.write(nq("половина", "ещё"))
    writer.abort()
    assert not (tmp_path / STORE).exists()
    assert [p.name for p in (tmp_path / VERSIONS).iterdir()] == [".lock"]
    (tmp_path / "graph.nt").write_text(nt("половина"), encoding="utf-8")
    update_store(None, tmp_path)  # the lock is free
    assert names(open_store(tmp_path)) == {"половина"}
