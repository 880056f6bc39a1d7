"""kg.pipeline.build at scale: the same bytes whatever the number of processes or a Dask
cluster, an extraction cache that re-extracts only what changed, and removed articles
whose facts disappear."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import CORPUS
from kg.cache import CACHE_DIR, ExtractionCache, fingerprint
from kg.pipeline import build

OUTPUTS = ("graph.ttl", "graph.nt", "graph.trig", "graph.jsonld", "graph.graphml",
           "entities.csv", "relations.csv", "graph.html")
FILES = ("seed_partisans_toulouse.txt", "a05.html")


def make_corpus(folder: Path) -> Path:
    """The articles in ``folder/corpus``; builds name it by that relative path, so that
    the sources (and the bytes of the outputs) are the same in every test."""
    (folder / "corpus").mkdir()
    for name in FILES:
        shutil.copy(CORPUS / name, folder / "corpus" / name)
    return Path("corpus")


@pytest.fixture
def corpus(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return make_corpus(tmp_path)


def outputs(out: Path) -> dict[str, bytes]:
    found = {name: (out / name).read_bytes() for name in OUTPUTS}
    found.update({f"articles/{p.name}": p.read_bytes() for p in sorted((out / "articles").iterdir())})
    return found


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, bytes]:
    """One process, no cache: what every other way of building must give."""
    folder = tmp_path_factory.mktemp("ref")
    with pytest.MonkeyPatch.context() as m:
        m.chdir(folder)
        build([str(make_corpus(folder))], folder / "out", processes=1, use_cache=False)
    return outputs(folder / "out")


def test_two_processes_give_the_same_bytes(corpus, tmp_path, reference):
    build([str(corpus)], tmp_path / "out", processes=2, use_cache=False)
    assert outputs(tmp_path / "out") == reference


def test_a_dask_cluster_gives_the_same_bytes(corpus, tmp_path, reference):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        build([str(corpus)], tmp_path / "out", executor=client, use_cache=False)
    assert outputs(tmp_path / "out") == reference


def test_a_rebuild_reuses_every_unchanged_article(corpus, tmp_path, reference, caplog):
    out = tmp_path / "out"
    build([str(corpus)], out)
    assert outputs(out) == reference
    caplog.set_level("INFO", logger="kg.pipeline")
    build([str(corpus)], out)
    assert "extraction cache: 2 articles reused, 0 extracted" in caplog.text
    assert outputs(out) == reference


def test_a_changed_article_alone_is_extracted_again(corpus, tmp_path, caplog):
    out = tmp_path / "out"
    build([str(corpus)], out)
    seed = corpus / FILES[0]
    seed.write_text(seed.read_text(encoding="utf-8").replace("Кабыш", "Кабыж"), encoding="utf-8")
    caplog.set_level("INFO", logger="kg.pipeline")
    result, _ = build([str(corpus)], out)
    assert "extraction cache: 1 articles reused, 1 extracted" in caplog.text
    names = (out / "entities.csv").read_text(encoding="utf-8")
    assert "Кабыж Омаров" in names and "Кабыш Омаров" not in names
    # the old extraction of the changed file is pruned: one entry per article
    entries = list((out / CACHE_DIR / "extractions" / fingerprint()).rglob("*.json.gz"))
    assert len(entries) == 2


def test_a_removed_article_takes_its_facts_along(corpus, tmp_path):
    out = tmp_path / "out"
    build([str(corpus)], out)
    assert "Кабыш Омаров" in (out / "entities.csv").read_text(encoding="utf-8")
    (corpus / FILES[0]).unlink()
    build([str(corpus)], out)
    for name in ("entities.csv", "graph.ttl", "graph.html"):
        assert "Омаров" not in (out / name).read_text(encoding="utf-8")
    assert len(list((out / "articles").iterdir())) == 1
    assert len(list((out / CACHE_DIR).rglob("*.json.gz"))) == 1


def test_a_moved_file_is_reused_under_its_new_name(corpus, tmp_path, caplog):
    out = tmp_path / "out"
    build([str(corpus)], out)
    (corpus / FILES[0]).rename(corpus / "renamed.txt")
    caplog.set_level("INFO", logger="kg.pipeline")
    result, _ = build([str(corpus)], out)
    assert "2 articles reused, 0 extracted" in caplog.text
    assert sorted(Path(ex.article.source).name for ex in result.extractions) == ["a05.html", "renamed.txt"]


# entries are not synced to disk: a power cut can leave one empty or cut short
@pytest.mark.parametrize("damage", [lambda data: b"not gzip", lambda data: data[:len(data) // 2],
                                    lambda data: b""], ids=["not gzip", "cut short", "empty"])
def test_a_damaged_cache_entry_is_extracted_again(corpus, tmp_path, reference, damage, caplog):
    out = tmp_path / "out"
    build([str(corpus)], out)
    for entry in (out / CACHE_DIR).rglob("*.json.gz"):
        entry.write_bytes(damage(entry.read_bytes()))
    caplog.set_level("INFO", logger="kg.pipeline")
    build([str(corpus)], out)
    assert "0 articles reused, 2 extracted" in caplog.text
    assert outputs(out) == reference


def test_the_fingerprint_follows_the_lexicons(monkeypatch, tmp_path):
    import kg.cache

    before = fingerprint()
    data = tmp_path / "data"
    shutil.copytree(Path(kg.cache.data_dir()) / "lexicons", data / "lexicons")
    shutil.copytree(Path(kg.cache.data_dir()) / "patterns", data / "patterns")
    monkeypatch.setattr(kg.cache, "data_dir", lambda: data)
    fingerprint.cache_clear()
    try:
        assert fingerprint() == before  # the same files, the same fingerprint
        with open(data / "lexicons" / "ranks.txt", "a", encoding="utf-8") as f:
            f.write("\nгенералиссимус\n")
        fingerprint.cache_clear()
        assert fingerprint() != before
        assert ExtractionCache(tmp_path).folder.name == fingerprint()
    finally:
        fingerprint.cache_clear()


def test_the_same_text_under_two_names_is_one_article_with_both_paths(corpus, tmp_path):
    shutil.copy(corpus / FILES[0], corpus / "copy of seed.txt")
    out = tmp_path / "out"
    result, built = build([str(corpus)], out)
    assert len(result.extractions) == 2 and result.skipped == []
    [dup] = result.duplicates
    assert {dup.path, dup.original} == {str(corpus / FILES[0]), str(corpus / "copy of seed.txt")}
    trig = (out / "graph.trig").read_text(encoding="utf-8")
    assert "copy of seed.txt" in trig and FILES[0] in trig
    assert len(list((out / "articles").iterdir())) == 2


def test_the_fingerprint_covers_every_module_extraction_runs():
    """A module that extraction imports but the fingerprint leaves out could change what an
    article yields while its cached extraction is reused."""
    import subprocess
    import sys

    from kg.cache import EXTRACTION_MODULES

    code = ("import sys, kg.pipeline as p; p.extract_document; "
            "print(' '.join(sorted(m.split('.')[1] for m in sys.modules if m.startswith('kg.'))))")
    used = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert set(used) - {"cache"} <= set(EXTRACTION_MODULES)
