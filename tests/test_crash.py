"""Crash safety: a build killed at any moment (kill -9) and started again ends with every
article in the outputs exactly once and nothing corrupt; two builds at once on one
output folder are refused, not interleaved."""
from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CORPUS
from kg.pipeline import BUILD_LOCK, build

OUTPUTS = ("graph.ttl", "graph.nt", "graph.trig", "graph.jsonld", "graph.graphml",
           "entities.csv", "relations.csv", "graph.html")


def kg_build(out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg.cli", "build", "corpus", "--out", str(out),
                             "--no-progress", "-j", "1", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def corpus(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(CORPUS, tmp_path / "corpus")
    return tmp_path / "corpus"


def snapshot(out: Path) -> dict[str, bytes]:
    files = {name: (out / name).read_bytes() for name in OUTPUTS}
    files.update({f"articles/{p.name}": p.read_bytes() for p in sorted((out / "articles").iterdir())})
    return files


def lock_held(out: Path) -> bool:
    path = out / BUILD_LOCK
    if not path.exists():
        return False
    with open(path, "a+b") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
        return False


def test_killed_builds_resume_to_the_same_outputs(corpus, tmp_path):
    timed = kg_build(tmp_path / "reference", "--no-cache")
    started = time.perf_counter()
    _, stderr = timed.communicate(timeout=600)
    whole = time.perf_counter() - started
    assert timed.returncode == 0, stderr
    reference = snapshot(tmp_path / "reference")
    out = tmp_path / "out"
    # kill -9 at moments spread over a whole build on this machine: loading the models,
    # extracting, writing the outputs, loading the store
    for fraction in (0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95):
        delay = whole * fraction
        proc = kg_build(out)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finished = kg_build(out)
    stdout, stderr = finished.communicate(timeout=600)
    assert finished.returncode == 0, stderr
    assert "articles read: 5" in stdout
    assert snapshot(out) == reference  # every article exactly once, nothing half-written
    assert not [p for p in out.rglob(".*.tmp")]
    from kg.store import open_store
    store = open_store(out)
    articles = list(store.query("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a <https://schema.org/NewsArticle> }",
                                use_default_graph_as_union=True))
    assert int(articles[0]["n"].value) == 5


def test_a_second_build_on_the_same_folder_is_refused(corpus, tmp_path):
    out = tmp_path / "out"
    first = kg_build(out, "--no-cache")
    deadline = time.time() + 60
    while not lock_held(out) and first.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert first.poll() is None, "the first build ended before the test could race it"
    second = kg_build(out)
    _, stderr = second.communicate(timeout=120)
    assert second.returncode == 2
    assert "another kg build is writing to this folder" in stderr
    _, stderr = first.communicate(timeout=600)
    assert first.returncode == 0, stderr
    assert not lock_held(out)


def test_the_lock_of_a_killed_build_does_not_block_the_next(corpus, tmp_path):
    out = tmp_path / "out"
    proc = kg_build(out, "--no-cache")
    deadline = time.time() + 60
    while not lock_held(out) and time.time() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not lock_held(out)  # the kernel released it with the process
    result, built = build(["corpus"], out)
    assert len(result.extractions) == 5 and built["outputs"]
