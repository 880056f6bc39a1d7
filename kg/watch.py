"""Keep a build up to date while its articles change: ``kg watch FOLDER -o export``.

A historian adds or corrects an article of an archive of thousands and wants to see
it in the graph at once. ``kg build`` does every corpus-wide stage again (at 10,000
articles: linking 8 s, the graph 7 s, the files a minute); a :class:`Watch` holds
those stages' state in memory between changes instead:

1. :meth:`Watch.start`: a whole build (``kg.pipeline``'s stages, the extraction cache
   reused), keeping what it saw: each file's size, time and digest, each article's
   extraction, the linker (``kg.link.Linker``) and the graph.
2. :meth:`Watch.refresh`: the folders are listed again and only files whose size or
   time changed are read; an article new or changed is extracted (the models stay
   loaded), linking is updated (``Linker.update``) and the graph changed in place
   (``kg.graph.update_graph``). Then what a historian reads and queries is brought up
   to date: the named graphs of the articles that changed and the statements about
   the entities that changed in the RDF store (``kg.store.patch_store``), the article
   pages they touch, and ``graph.html``.
3. :meth:`Watch.write_all`: the exchange files (``graph.ttl``, ``.nt``, ``.jsonld``,
   ``.trig``, ``.graphml``, the CSVs) are written again, from a graph built again, so
   that they are the bytes ``kg build`` gives. ``watch`` does it once changes have
   stopped for ``quiet`` seconds and when it stops; until then they are those of the
   last whole write.

With a curation file (``kg.curate``) the corrections apply to the whole graph, so
every change is followed by a whole write (linking stays incremental).
"""
from __future__ import annotations

import gc
import logging
import os
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import InputError
from .files import exclusive_lock, remove_temporaries
from .nlp import load_nlp
from .pipeline import (
    BUILD_LOCK,
    Duplicate,
    Skipped,
    add_copies,
    extract_corpus,
    extract_document,
    record_build,
    timed,
    write_build,
)
from .read import iter_paths, read_file
from .types import Extraction

log = logging.getLogger(__name__)

COMPACT_AFTER = 30  # patches of the store before it is compacted, at the next idle moment


@dataclass
class Update:
    """What one :meth:`Watch.refresh` found and did."""

    added: list[str] = field(default_factory=list)  # paths
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # files that could not be used
    articles: int = 0  # articles whose named graph changed
    entities: int = 0  # entities whose record changed, came or went
    seconds: float = 0.0
    whole: bool = False  # everything was written again (a curation file)

    def __str__(self) -> str:
        files = ", ".join(f"{n} {what}" for n, what in ((len(self.added), "added"),
                          (len(self.changed), "changed"), (len(self.removed), "removed")) if n)
        return (f"{files or 'no file changed'}: {_count(self.articles, 'article')} and "
                f"{_count(self.entities, 'entity', 'entities')} updated in {self.seconds:.1f} s"
                + (" (everything written again: a curation file)" if self.whole else ""))


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


class Watch:
    """A build of ``paths`` into ``out_dir`` kept up to date (see the module's docstring).
    Holds the output folder's build lock from :meth:`start` to :meth:`close`."""

    def __init__(self, paths: list[str], out_dir: str | os.PathLike = "export",
                 processes: int = 1, curation: str | os.PathLike | None = None):
        from .curate import find_curation

        self.paths = [str(p) for p in paths]
        self.out = Path(out_dir)
        self.processes = processes
        self._curation_given = Path(curation) if curation else None
        self.curation = self._curation_given or find_curation(self.paths)
        self.stats: dict[str, tuple[int, int] | None] = {}  # path -> (size, mtime_ns)
        self.digest: dict[str, str] = {}  # path -> digest of its bytes, for files read
        self.skipped: dict[str, Skipped] = {}  # path -> why it could not be used
        self.by_digest: dict[str, Extraction] = {}  # the articles, before linking
        self.duplicates: list[Duplicate] = []
        self.linker = None
        self.graph = None
        self.cache = None
        self.stale = False  # the exchange files lag behind the graph
        self._lock = ExitStack()
        self._curation_stat = None
        self.patches = 0  # of the store since it was last compacted

    # -- the whole build ----------------------------------------------------------

    def start(self, on_item: Callable[[], None] | None = None) -> None:
        """Build everything, as ``kg build`` does, keeping the state."""
        from .cache import ExtractionCache
        from .link import Linker

        self.out.mkdir(parents=True, exist_ok=True)
        self._lock.enter_context(exclusive_lock(
            self.out / BUILD_LOCK, f"{self.out}: another kg build or watch is writing to this "
            "folder; wait for it to finish (one at a time on an output folder)"))
        try:
            remove_temporaries(self.out)
            self.cache = ExtractionCache(self.out)
            files = list(iter_paths(self.paths, exclude=[self.out]))
            self.stats = {p: _stat(p) for p in files}  # before reading: a later write is seen
            result = extract_corpus(files, self.out, on_item, self.processes, cache=self.cache)
            for ex in result.extractions:
                self.digest[ex.article.source] = ex.article.digest
                self.by_digest[ex.article.digest] = ex
            for d in result.duplicates:
                self.digest[d.path] = self.digest[d.original]
            self.skipped = {s.path: s for s in result.skipped}
            self.duplicates = result.duplicates
            with timed("link"):
                self.linker = Linker(result.extractions)
            self._curation_stat = _stat(str(self.curation)) if self.curation else None
            self.write_all()
            _warm_up()  # now, not at the first change
        except BaseException:
            self._lock.close()
            raise

    def write_all(self) -> dict[str, Path]:
        """Build the graph again and write every output, as ``kg build`` would."""
        linked = [self.linker.linked[s] for s in self.linker.slots]
        gc.unfreeze()  # the graph about to be replaced can go, now, not after the new one is made
        self.graph = None
        gc.collect()
        curation = self.curation if self.curation and self.curation.exists() else None
        self.graph, _, written = write_build(linked, self.duplicates, self.out, self.paths, curation)
        self.stale = False
        _freeze()
        return written

    def idle(self) -> None:
        """What to do when nothing changed: compact the store after a few dozen patches
        (each leaves small files that RocksDB would otherwise merge in the middle of a
        later patch, for seconds)."""
        from .store import compact_store

        if self.patches >= COMPACT_AFTER:
            with timed("compact the store"):
                compact_store(self.out)
            self.patches = 0

    def close(self) -> None:
        """Let go of the output folder."""
        self._lock.close()

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- a change ---------------------------------------------------------------------

    def refresh(self) -> Update | None:
        """Take in the files added, changed or removed since the last look; None when
        nothing changed."""
        started = time.perf_counter()
        files = list(iter_paths(self.paths, exclude=[self.out]))
        stats = {p: _stat(p) for p in files}
        update = Update(added=[p for p in files if p not in self.stats],
                        changed=[p for p in files if p in self.stats and stats[p] != self.stats[p]],
                        removed=[p for p in self.stats if p not in stats])
        from .curate import find_curation

        self.curation = self._curation_given or find_curation(self.paths)  # one may come or go
        curation_stat = _stat(str(self.curation)) if self.curation else None
        curation_changed = curation_stat != self._curation_stat
        if not (update.added or update.changed or update.removed or curation_changed):
            return None
        self.stats, self._curation_stat = stats, curation_stat
        docs = {}
        for p in update.added + update.changed:
            self.skipped.pop(p, None)
            try:
                docs[p] = read_file(p)
                self.digest[p] = docs[p].digest
            except InputError as e:
                log.warning("skipped %s", e)
                self.skipped[p] = Skipped(e.path, e.reason)
                self.digest.pop(p, None)
        for p in update.removed:
            self.digest.pop(p, None)
            self.skipped.pop(p, None)
        with timed("extract"):
            extractions = self._articles(files, docs)
        update.skipped = [self.skipped[p] for p in files if p in self.skipped]

        before = dict(self.linker.linked)
        with timed("link"):
            linked = self.linker.update(extractions)
        slots = self.linker.changed_articles
        update.articles, update.entities = len(slots), len(self.linker.changed_entities)
        if curation_stat is not None or curation_changed:  # corrections apply to the whole graph
            update.whole = True
            self.write_all()
        else:
            try:
                self._quick(before, linked, slots)
                self.patches += 1
                self.stale = True
            except Exception:  # the graph may be half changed: make everything again
                log.exception("the update failed; building the graph and the outputs again")
                self.write_all()
        update.seconds = time.perf_counter() - started
        log.info("%s", update)
        return update

    def _articles(self, files: list[str], docs: dict) -> list[Extraction]:
        """The corpus in the order of the files, the same bytes under two names once (as
        ``kg.pipeline.extract`` gives it), extracting only articles not seen before."""
        seen: dict[str, str] = {}
        extractions, self.duplicates = [], []
        for p in files:
            d = self.digest.get(p)
            if d is None:
                continue
            if d in seen:
                self.duplicates.append(Duplicate(p, f"same content as {seen[d]}", seen[d]))
                continue
            ex = self.by_digest.get(d)
            if ex is None:
                ex = self.cache.get(d, p)
                if ex is None:
                    ex = extract_document(docs[p])
                    if isinstance(ex, Skipped):
                        log.warning("skipped %s: %s", ex.path, ex.reason)
                        self.skipped[p] = ex
                        self.digest.pop(p)
                        continue
                    self.cache.put(ex)
            elif ex.article.source != p:  # renamed, or the first copy went
                ex = replace(ex, article=replace(ex.article, source=p))
            seen[d] = p
            extractions.append(ex)
        self.by_digest = {ex.article.digest: ex for ex in extractions}
        return extractions

    def _quick(self, before: dict[str, Extraction], linked: list[Extraction], slots: set[str]) -> None:
        """The graph changed in place; then the store, the pages touched and graph.html."""
        from .export import write_article_pages
        from .files import atomic_open
        from .graph import update_graph
        from .rdf import entity_nquads, graph_nquads, nquads_diff, vocabulary_nquads
        from .render import write_html
        from .store import patch_store

        g, linker = self.graph, self.linker
        old = [before[s] for s in slots if s in before]
        new = [linker.linked[s] for s in slots if s in linker.linked]
        articles = {ex.article.id for ex in old + new}
        entities = set(linker.changed_entities)
        for ex in old + new:
            entities.update(e.id for e in ex.entities)
        copies = _copies(g)
        with timed("graph"):
            old_quads = entity_nquads(g, entities, articles) + vocabulary_nquads(_kinds(g))
            entities |= update_graph(g, old, new, [linker.records[i] for i in linker.changed_entities
                                                   if i in linker.records])
            for n in copies:
                if n in g:
                    g.nodes[n].pop("copies", None)
            add_copies(g, linked, self.duplicates)
            articles |= {n for n in copies.keys() | _copies(g).keys()
                         if n in g and copies.get(n) != g.nodes[n].get("copies")}
        with timed("store"):
            new_quads = entity_nquads(g, entities, articles) + vocabulary_nquads(_kinds(g))
            remove, add = nquads_diff(old_quads, new_quads)
            patch_store(self.out, graph_nquads(g, articles), remove=remove, add=add)
        pages = set(articles)
        for e in linker.changed_entities:
            if e in g:
                pages.update(g.nodes[e].get("articles", ()))
        with timed("pages"):
            write_article_pages(g, self.out, articles=pages)
        with timed("graph.html"), atomic_open(self.out / "graph.html", "wb") as f:
            write_html(g, f)
        record_build(self.out, self.paths, self.curation)


def _warm_up() -> None:
    """Load the models and run them once: the first article extracted in a process
    otherwise pays a second or more of loading and first calls."""
    from .pipeline import extract_article
    from .types import Article

    text = "Кабыш Омаров родился в 1913 году в Алма-Ате и воевал в отряде «Монгол»."
    extract_article(Article(source="warm-up", text=text, digest="0" * 64), load_nlp())


def _freeze() -> None:
    """Keep Python's cycle collector off what is there now: the corpus and its graph are
    tens of millions of objects, which each full collection (set off by any stage that
    makes many objects, such as extraction) would walk again, for a second or more."""
    gc.collect()
    gc.freeze()


def _copies(g) -> dict[str, list[str]]:
    return {n: list(a["copies"]) for n, a in g.nodes(data=True) if a.get("copies")}


def _kinds(g) -> set:
    return {a.get("event_kind") for _, a in g.nodes(data=True) if a.get("kind") == "event"}


def watch(paths: list[str], out_dir: str | os.PathLike = "export", interval: float = 2.0,
          quiet: float = 60.0, processes: int = 1, stop: Callable[[], bool] = lambda: False,
          on_update: Callable[[Update], None] | None = None,
          on_ready: Callable[[], None] | None = None) -> None:
    """Build, then keep the build up to date: look for changed files every ``interval``
    seconds; write the exchange files again once nothing changed for ``quiet`` seconds,
    and before returning (when ``stop()`` says so, or on Ctrl-C or SIGTERM; a signal
    during an update lets the update finish first, so that what is kept stays whole)."""
    busy, asked = [False], []

    def interrupt(signum, frame):
        asked.append(signum)
        if not busy[0]:
            raise KeyboardInterrupt

    handlers = _handle_signals(interrupt)
    try:
        with Watch(paths, out_dir, processes=processes) as w:
            w.start()
            if on_ready:
                on_ready()
            last = time.monotonic()
            try:
                while not stop() and not asked:
                    time.sleep(interval)
                    busy[0] = True
                    try:
                        update = w.refresh()
                    finally:
                        busy[0] = False
                    if update is not None:
                        last = time.monotonic()
                        if on_update:
                            on_update(update)
                    elif w.stale and time.monotonic() - last >= quiet:
                        w.write_all()
                    else:
                        w.idle()
            except KeyboardInterrupt:
                log.info("stopping")
            if w.stale:
                w.write_all()
    finally:
        _handle_signals(handlers)


def _handle_signals(handler):
    """Give SIGINT and SIGTERM to ``handler`` (a function, or the dict this returns, to put
    back what was there); only the main thread can."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return {}
    if isinstance(handler, dict):
        for signum, old in handler.items():
            signal.signal(signum, old)
        return {}
    return {signum: signal.signal(signum, handler) for signum in (signal.SIGINT, signal.SIGTERM)}
