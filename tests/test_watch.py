"""kg.watch: a build kept up to date gives what a new build of the same files gives."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.pipeline import build
from kg.resources import data_dir
from kg.store import open_store
from kg.watch import Watch, watch

NEW_ARTICLE = """Ветеран из Уральска

Иван Петрович Петров родился в 1920 году в Уральске. В июле 1941 года он ушёл на фронт
и служил в 316-й стрелковой дивизии под командованием генерала Панфилова.

Кабыш Омарович Омаров, его земляк, воевал в партизанском отряде «Монгол» во Франции.
"""
ADDED_PARAGRAPH = "\n\nВ 1943 году Иван Петрович Петров был награждён орденом Красной Звезды в Москве.\n"
# (what is done to the corpus folder, a description)
STEPS = [
    (lambda c: (c / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8"), "an article added"),
    (lambda c: (c / "new.txt").write_text(NEW_ARTICLE + ADDED_PARAGRAPH, encoding="utf-8"),
     "an article changed"),
    (lambda c: (c / "a03.txt").unlink(), "an article removed"),
    (lambda c: (c / "a08.txt").rename(c / "z08.txt"), "an article renamed"),
    (lambda c: shutil.copy(c / "a05.html", c / "copy.html"), "the same bytes under another name"),
    (lambda c: (c / "a05.html").unlink(), "the first of two copies removed"),
    (lambda c: (c / "empty.txt").write_text("", encoding="utf-8"), "a file that cannot be read"),
]


def quads(out: Path) -> set[str]:
    return {str(q) for q in open_store(out).quads_for_pattern(None, None, None, None)}


def files(out: Path, names) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in names}


def contents(g) -> tuple[dict, dict]:
    return ({n: a for n, a in g.nodes(data=True)},
            {(u, v, k): a for u, v, k, a in g.edges(keys=True, data=True)})


def reference(corpus: Path, out: Path, tmp: Path):
    """A new build of the same files (reusing the extraction cache, to save the time)."""
    shutil.copytree(out / ".kg-cache" / "extractions", tmp / ".kg-cache" / "extractions")
    return build([str(corpus)], tmp)


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(data_dir() / "corpus", folder)
    return folder


def test_each_change_updates_the_store_graph_and_pages_as_a_new_build(corpus, tmp_path):
    out = tmp_path / "out"
    with Watch([str(corpus)], out) as w:
        w.start()
        assert w.refresh() is None  # nothing changed
        for k, (change, what) in enumerate(STEPS):
            change(corpus)
            update = w.refresh()
            assert update is not None, what
            result, built = reference(corpus, out, tmp_path / f"ref{k}")
            assert contents(w.graph) == contents(built["graph"]), what
            assert quads(out) == quads(tmp_path / f"ref{k}"), what
            pages = sorted(p.name for p in (tmp_path / f"ref{k}" / "articles").iterdir())
            assert sorted(p.name for p in (out / "articles").iterdir()) == pages, what
            assert files(out / "articles", pages) == files(tmp_path / f"ref{k}" / "articles", pages), what
            assert [s.path for s in update.skipped] == [s.path for s in result.skipped], what
        assert w.stale
        # the exchange files, written again, are the bytes of a new build
        w.write_all()
        names = ["graph.ttl", "graph.nt", "graph.jsonld", "graph.trig", "graph.graphml",
                 "entities.csv", "relations.csv", "graph.html"]
        assert files(out, names) == files(tmp_path / f"ref{len(STEPS) - 1}", names)


def test_a_new_article_is_in_graph_html_at_once(corpus, tmp_path):
    out = tmp_path / "out"
    with Watch([str(corpus)], out) as w:
        w.start()
        (corpus / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        w.refresh()
        [article] = [n for n, a in w.graph.nodes(data=True) if a.get("source", "").endswith("new.txt")]
        assert article.split(":")[1] in (out / "graph.html").read_text(encoding="utf-8")
        assert (out / "articles" / f"{article.split(':')[1]}.html").exists()


def test_watch_writes_the_exchange_files_when_it_stops(corpus, tmp_path):
    out = tmp_path / "out"
    calls = []

    def stop() -> bool:
        calls.append(1)
        if len(calls) == 2:
            (corpus / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        return len(calls) > 3

    updates = []
    watch([str(corpus)], out, interval=0.01, quiet=3600, stop=stop, on_update=updates.append)
    assert len(updates) == 1 and updates[0].added == [str(corpus / "new.txt")]
    assert "Уральск" in (out / "graph.ttl").read_text(encoding="utf-8")


def test_one_watch_or_build_at_a_time(corpus, tmp_path):
    from kg.errors import BusyError

    out = tmp_path / "out"
    with Watch([str(corpus)], out) as w:
        w.start()
        with pytest.raises(BusyError, match="one at a time|another kg build"):
            build([str(corpus)], out)


def test_the_store_is_compacted_when_idle_and_keeps_its_quads(corpus, tmp_path, monkeypatch):
    import kg.watch

    monkeypatch.setattr(kg.watch, "COMPACT_AFTER", 1)
    out = tmp_path / "out"
    with Watch([str(corpus)], out) as w:
        w.start()
        (corpus / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        w.refresh()
        before = quads(out)
        w.idle()
        assert w.patches == 0 and quads(out) == before


def test_an_update_that_fails_half_way_writes_everything_again(corpus, tmp_path, monkeypatch):
    import kg.store

    def broken(*args, **kwargs):
        raise OSError("disk full")

    out = tmp_path / "out"
    with Watch([str(corpus)], out) as w:
        w.start()
        monkeypatch.setattr(kg.store, "patch_store", broken)
        (corpus / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        w.refresh()
        _, built = reference(corpus, out, tmp_path / "ref")
        assert quads(out) == quads(tmp_path / "ref")
        assert contents(w.graph) == contents(built["graph"])
        assert not w.stale


def test_a_curation_file_that_comes_and_goes_applies_to_the_whole_graph(corpus, tmp_path):
    out = tmp_path / "out"
    with Watch([str(corpus)], out) as w:
        w.start()
        (corpus / "curation.yaml").write_text(
            "- rename: person:кабыш_омаров\n  name: Кабыш Омарович Омаров\n", encoding="utf-8")
        update = w.refresh()
        assert update.whole
        assert w.graph.nodes["person:кабыш_омаров"]["name"] == "Кабыш Омарович Омаров"
        _, built = reference(corpus, out, tmp_path / "ref1")
        assert contents(w.graph) == contents(built["graph"])
        assert quads(out) == quads(tmp_path / "ref1")
        (corpus / "curation.yaml").unlink()
        assert w.refresh().whole
        assert w.graph.nodes["person:кабыш_омаров"]["name"] == "Кабыш Омаров"
        assert quads(out) == quads(reference(corpus, out, tmp_path / "ref2")[1]["outputs"]["store"].parent)


def test_an_output_folder_inside_the_articles_folder_is_not_read(corpus, tmp_path):
    """Its pages and README are no articles: neither a second build nor kg watch take them in."""
    out = corpus / "export"
    first, _ = build([str(corpus)], out)
    again, _ = build([str(corpus)], out)
    assert len(again.extractions) == len(first.extractions) == 5
    with Watch([str(corpus)], out) as w:
        w.start()
        assert w.refresh() is None  # the pages it wrote are not changes
        (corpus / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        assert w.refresh().added == [str(corpus / "new.txt")]
        assert w.refresh() is None
