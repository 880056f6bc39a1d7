"""The on-disk RDF store of a build: a pyoxigraph (RocksDB) store at ``OUT/store``.

A build loads the quads of ``graph.trig`` (the per-article named graphs) into a new
store while it writes the file (:class:`StoreWriter`): a first build loads everything,
a chunk at a time; a rebuild starts from a copy of the live version and replaces only
the named graphs whose quads changed. :func:`patch_store` makes a version from the live
one and a few named graphs and quads (a process that keeps the graph, after a few
articles changed: a fraction of a second), :func:`compact_store` merges the files a
chain of patches leaves. :func:`update_store` loads any RDF file into a
new store (``kg.store.update_store("other.ttl", out)``). Queries open the live store
read-only with :func:`open_store` (milliseconds) and never reload the RDF. Oxigraph keeps
``xsd:nonNegativeInteger`` values (the Web Annotation selectors' offsets) as
``xsd:integer``: the files have the first, the store the second.

Layout of an output folder::

    store -> store.versions/v<time>-<sha12>   the live store: a relative symbolic link
    store.versions/
        v<time>-<sha12>/       a version: a pyoxigraph store, never written once loaded
        v<time>-<sha12>.json   what it was loaded from: source, sha256, quads, built
                               (a patched version: no sha256, patched_from the version before)
        v<time>-<sha12>.graphs.json   a digest and the quads of each named graph (for the next build)
        .tmp-<random>/         a version being loaded (only while a build runs)
        .lock                  held by the build that is updating the store

``OUT/store`` is an ordinary store folder for any Oxigraph tool (``oxigraph serve-read-only
--location OUT/store``). Replacing it is crash-safe: the new version is loaded into
``.tmp-*``, renamed to its version name, and only then is the ``store`` link replaced
by a new link (``os.replace``, atomic): a reader sees the old version or the new one,
never a half-loaded store, and a build that fails or is killed leaves the old version
live (the next update removes its ``.tmp-*``). The version that was live before stays
on disk until the next update, so a reader that opened it just before the swap can
finish; older versions are removed (a version made from a copy of the one before shares
its unchanged files with it by hard links: RocksDB never changes a file it has written,
so removing one version never touches another). An input with the same content as the live
version (same SHA-256) leaves everything as it is. Readers resolve the link once
(:func:`store_path`) and open that folder, so a swap during their opening cannot mix
two versions. Where the system has no symbolic links, the old folder is renamed aside
and the new one renamed to ``store``: a reader may then find no store for a moment.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as out:
...     _ = (Path(out) / "graph.nt").write_text(
...         '<https://w3id.org/kg-ww2/id/person/x> <https://schema.org/name> "Кабыш Омаров"@ru .\\n',
...         encoding="utf-8")
...     live = update_store(None, out)
...     store = open_store(out)
...     [str(r["n"]) for r in store.query("SELECT ?n WHERE { ?p <https://schema.org/name> ?n }")]
['"Кабыш Омаров"@ru']
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse

from .errors import BusyError, KgError
from .files import exclusive_lock, fsync_dir, read_record

log = logging.getLogger(__name__)

STORE = "store"
VERSIONS = "store.versions"
LOCK = ".lock"
TMP_PREFIX = ".tmp-"
_VERSION = re.compile(r"v\d+-[0-9a-f]{12}")

# the RDF files a build writes, in order of preference: named graphs first
RDF_FILES = (("graph.trig", RdfFormat.TRIG), ("graph.nt", RdfFormat.N_TRIPLES),
             ("graph.ttl", RdfFormat.TURTLE))
_FORMATS = {".trig": RdfFormat.TRIG, ".nq": RdfFormat.N_QUADS, ".nt": RdfFormat.N_TRIPLES,
            ".ttl": RdfFormat.TURTLE, ".jsonld": RdfFormat.JSON_LD, ".rdf": RdfFormat.RDF_XML}


class NoStoreError(KgError):
    """An output folder has no store to query: no build has made one there."""


class StoreBusyError(BusyError):
    """Another process is updating the store of the same output folder."""


def update_store(rdf=None, out_dir: str | os.PathLike = "export") -> Path:
    """Load RDF into a new version of the store of ``out_dir`` and make it live.

    ``rdf`` is the path of an RDF file (format from its extension: ``.trig``,
    ``.nq``, ``.nt``, ``.ttl``, ``.jsonld``, ``.rdf``), an rdflib graph or dataset
    (anything with rdflib's ``serialize``: it is written as N-Quads or N-Triples
    first), or None for the richest RDF file the build wrote in ``out_dir``
    (:data:`RDF_FILES`). Returns ``out_dir/store``, the live store (a link to its
    version folder, which :func:`store_path` resolves).

    Raises :class:`StoreBusyError` when another build holds the lock, and
    :class:`~kg.errors.KgError` when there is no RDF to load or it does not parse;
    the old version then stays live.
    """
    out = Path(out_dir)
    versions = out / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    with _locked(versions):
        _remove_temporaries(versions)
        data, fmt, source = _rdf_input(rdf, out)
        digest = _sha256(data)
        live = _live_version(out)
        if _up_to_date(live, digest):
            log.info("store %s is up to date with %s", live, source)
            return out / STORE
        started = time.perf_counter()
        tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=versions))
        try:
            quads = _load(tmp, data, fmt, source)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return _install(out, tmp, digest, source, quads, live, started)


QUADS_AT_A_TIME = 200_000  # a bulk_load per 200,000 quads: ~0.3 GB, where one of everything took ~2 GB at 6M


class StoreWriter:
    """A new version of the store of ``out_dir``, loaded from N-Quads while a build
    writes them, on a thread of its own (pyoxigraph loads without Python's lock, on a
    second core).

    A first build loads everything: every ``quads_at_a_time`` lines go to one
    ``bulk_load``, so that memory holds one chunk being loaded and one being filled, not
    the dataset (one ``bulk_load`` of the 6 million quads of 10,000 articles took 1.9
    GB, chunks of 200,000 take 0.4 GB), and :meth:`finish` compacts the store
    (``optimize``), which leaves queries as fast as after one load, or faster.

    A rebuild changes the store in place of reloading it: when the build gives its
    quads a named graph at a time (:meth:`write_graph`, as ``kg.rdf.write_rdf`` does) and
    the live version recorded a digest of each of its graphs, the new version starts as
    a copy of the live one (a RocksDB checkpoint: hard links, milliseconds) and only the
    graphs whose quads changed are replaced, those that are gone removed: after one
    article of 10,000 changed, its graph and the entities graph.

    ``source`` names what the quads are for the version's record; its ``sha256`` is that
    of the bytes given to :meth:`hashing` (the file the build writes beside, so that
    :func:`update_store` on that file finds the store up to date), or of the N-Quads.
    Call :meth:`finish` when everything is written (the version goes live as
    :func:`update_store` would make it, or the live one stays if it has the same digest),
    or :meth:`abort` when the writing failed. The store's lock is held from here to
    either. ``checked``: the quads went through a strict parser already (the build's
    did, to write their TriG), so the load does not check their IRIs again.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as out:
    ...     writer = StoreWriter(out, "example")
    ...     _ = writer.write('<https://x/a> <https://x/name> "Кабыш" <https://x/g> .\\n'.encode())
    ...     live = writer.finish()
    ...     [str(r["n"]) for r in open_store(out).query("SELECT ?n { GRAPH ?g { ?a ?p ?n } }")]
    ['"Кабыш"']
    """

    def __init__(self, out_dir: str | os.PathLike, source: str = "N-Quads",
                 quads_at_a_time: int = QUADS_AT_A_TIME, checked: bool = False):
        self.out = Path(out_dir)
        # checked: the quads passed pyoxigraph's strict parser already (kg.rdf's Turtle
        # does), so the load skips checking their IRIs again: a sixth of its time
        self.lenient = checked
        self.versions = self.out / VERSIONS
        self.versions.mkdir(parents=True, exist_ok=True)
        self.source, self.quads_at_a_time = source, quads_at_a_time
        self.started = time.perf_counter()
        self._lock = contextlib.ExitStack()
        self._lock.enter_context(_locked(self.versions))
        try:
            _remove_temporaries(self.versions)
            self.tmp = self.versions / f"{TMP_PREFIX}{uuid.uuid4().hex}"
            live = _live_version(self.out)
            self.base = read_record(_graphs_record(live)) if live is not None else {}
            if self.base:
                Store.read_only(str(live)).backup(str(self.tmp))  # hard links to its files
                self.base_quads = read_record(live.with_suffix(".json")).get("quads")
            else:
                self.tmp.mkdir()
        except BaseException:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self._lock.close()
            raise
        self.sha = hashlib.sha256()
        self._hashed = False  # True once hashing() gave the bytes to digest
        self._plain = False  # True once write() gave quads outside the record of graphs
        self._chunk: list[bytes] = []
        self._lines = 0
        self.graphs: dict[str, list] = {}  # graph IRI -> [digest, quads] of this build
        self.changed: list[str] = []  # the graphs replaced or removed in the live version's copy
        self._graph: tuple | None = None  # the graph being written
        self.quads: int | None = None
        self.error: BaseException | None = None
        self._chunks: queue.Queue = queue.Queue(maxsize=1)  # one loading, one waiting
        self._loader = threading.Thread(target=self._load, name="kg-store-load", daemon=True)
        self._loader.start()

    def hashing(self, f):
        """``f``, a binary file, with what is written to it also digested as the version's sha256."""
        self._hashed = True
        return _Hashing(f, self.sha)

    def write(self, data: bytes) -> int:
        """N-Quads, whole lines (no record of graphs: the next build loads everything again)."""
        self._plain = True
        return self._add(data)

    def _add(self, data: bytes) -> int:
        if self.error is not None:
            raise self.error
        if not self._hashed:
            self.sha.update(data)
        self._chunk.append(data)
        self._lines += data.count(b"\n")
        if self._lines >= self.quads_at_a_time:
            self._hand_over()
        return len(data)

    def write_graph(self, iri: str, data: bytes) -> None:
        """N-Quads of the named graph ``iri``, whole lines; a graph's quads come in one or
        more calls in a row."""
        if self._graph is not None and self._graph[0] != iri:
            self._end_graph()
        if self._graph is None:  # (iri, digest, quads, the data when it may have to be loaded)
            self._graph = (iri, hashlib.blake2b(digest_size=16), [0], [] if self.base else None)
        _, digest, quads, kept = self._graph
        digest.update(data)
        quads[0] += data.count(b"\n")
        if kept is not None:  # a rebuild: loaded at the end of the graph, if it changed
            kept.append(data)
            if not self._hashed:
                self.sha.update(data)
        else:  # a first build: everything is loaded, as it comes
            self._add(data)

    def finish(self) -> Path:
        """Everything is written: wait for the load, make the new version live; ``out/store``."""
        try:
            if self._graph is not None:
                self._end_graph()
            if self.base:
                gone = [iri for iri in self.base if iri not in self.graphs]
                for iri in gone:
                    self._put(("remove", iri, b""))
            self._hand_over()
            self._chunks.put(None)
            self._loader.join()
            if self.error is not None:
                raise self.error
            digest, live = self.sha.hexdigest(), _live_version(self.out)
            if _up_to_date(live, digest):
                log.info("store %s is up to date with %s", live, self.source)
                shutil.rmtree(self.tmp, ignore_errors=True)
                if not self.base and self._complete():  # the same quads: their record holds
                    _write_json(_graphs_record(live), self.graphs, indent=None)
                return self.out / STORE
            if self.base:
                log.info("store: %d of %d named graphs changed since the live version, the "
                         "others kept", len(self.changed), len(self.graphs))
            return _install(self.out, self.tmp, digest, self.source, self.quads, live, self.started,
                            self.graphs if self._complete() else None)
        except BaseException:
            self._stop()
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise
        finally:
            self._lock.close()

    def abort(self) -> None:
        """The writing failed: stop loading and throw the new version away."""
        try:
            self._stop()
            shutil.rmtree(self.tmp, ignore_errors=True)
        finally:
            self._lock.close()

    def _complete(self) -> bool:
        """Whether every quad came through write_graph (so the record of graphs is whole)."""
        return bool(self.graphs) and not self._plain

    def _end_graph(self) -> None:
        iri, digest, quads, kept = self._graph
        self._graph = None
        self.graphs[iri] = [digest.hexdigest(), quads[0]]
        if kept is not None and self.base.get(iri) != self.graphs[iri]:
            self._hand_over()  # what plain write() gave first
            self._put(("replace", iri, b"".join(kept)))

    def _hand_over(self) -> None:
        if self._chunk:
            chunk, self._chunk, self._lines = b"".join(self._chunk), [], 0
            self._put(("load", None, chunk))

    def _put(self, item) -> None:
        while self._loader.is_alive():  # a loader that failed takes no more
            try:
                self._chunks.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        if self.error is not None:
            raise self.error

    def _stop(self) -> None:
        self.error = self.error or KgError(f"{self.source}: the store load was stopped")
        while self._loader.is_alive():
            with contextlib.suppress(queue.Empty):
                self._chunks.get_nowait()  # the loader may wait to hand nothing more
            with contextlib.suppress(queue.Full):
                self._chunks.put_nowait(None)
            self._loader.join(0.1)

    def _load(self) -> None:
        try:
            store = Store(str(self.tmp))
            try:
                quads = self.base_quads if self.base else 0
                while (item := self._chunks.get()) is not None and self.error is None:
                    what, iri, data = item
                    if what != "load":
                        self.changed.append(iri)
                    if what != "load" and iri in self.base:
                        store.remove_graph(NamedNode(iri))
                        quads = None if quads is None else quads - self.base[iri][1]
                    if data:
                        store.bulk_load(input=data, format=RdfFormat.N_QUADS, lenient=self.lenient)
                        quads = None if quads is None else quads + data.count(b"\n")
                if self.error is None:
                    if not self.base:
                        store.optimize()  # one compacted store: the chunks' files merged
                    store.flush()
                    self.quads = quads if self.base and quads is not None else len(store)
            finally:
                del store  # the last reference: RocksDB closes its files here
        except SyntaxError as e:
            self.error = self.error or KgError(f"{self.source}: the RDF does not parse; the store "
                                               f"is left as it was ({e})")
        except BaseException as e:  # noqa: BLE001  (finish() raises it)
            self.error = self.error or e


PATCHED = "patched"  # the digest of a graph patch_store changed quad by quad: no build's


def patch_store(out_dir: str | os.PathLike, graphs: dict[str, bytes], remove: bytes = b"",
                add: bytes = b"") -> Path:
    """Make live a new version of the store of ``out_dir``: the live one with each named
    graph of ``graphs`` (IRI -> N-Quads) replaced by those quads (``b""``: removed), then
    the quads of ``remove`` (N-Quads) removed and those of ``add`` added. Returns
    ``out_dir/store``.

    For a process that keeps the graph and changes a few articles: ``kg.rdf.graph_nquads``
    gives their graphs, ``kg.rdf.entity_nquads`` before and after the change, through
    ``kg.rdf.nquads_diff``, what the entities graph loses and gains. The version starts as
    a checkpoint of the live one (hard links, milliseconds) and goes live as a rebuild by
    :class:`StoreWriter` does: the live version is never written, readers see it or the
    new one, older versions go. A quad of ``remove`` removes the stored one even where
    Oxigraph stores another datatype (``xsd:nonNegativeInteger`` as ``xsd:integer``).

    The record of graphs follows, so that the next build converges to its own quads: a
    replaced graph gets the digest of the bytes given (the build's digest when they are
    the build's bytes), a graph changed quad by quad the digest :data:`PATCHED`, which no
    build gives, so the next build replaces it. The version records no ``sha256``: no file
    is its content, so :func:`update_store` never finds it up to date with one.

    Raises :class:`NoStoreError` when ``out_dir`` has no store a build made,
    :class:`StoreBusyError` when another process updates it, and
    :class:`~kg.errors.KgError` when the N-Quads do not parse or state a quad outside
    the named graphs; the live version then stays.

    >>> import tempfile
    >>> g = "https://w3id.org/kg-ww2/id/graph/"
    >>> with tempfile.TemporaryDirectory() as out:
    ...     writer = StoreWriter(out)
    ...     writer.write_graph(g + "a", f'<{g}a> <https://schema.org/name> "Первый" <{g}a> .\\n'.encode())
    ...     writer.write_graph(g + "entities", f'<{g}x> <https://schema.org/name> "Кабыш" <{g}entities> .\\n'.encode())
    ...     _ = writer.finish()
    ...     _ = patch_store(out, {g + "a": f'<{g}a> <https://schema.org/name> "Второй" <{g}a> .\\n'.encode()},
    ...                     add=f'<{g}x> <https://schema.org/name> "Омаров" <{g}entities> .\\n'.encode())
    ...     sorted(q.object.value for q in open_store(out)), store_info(out)["quads"]
    (['Второй', 'Кабыш', 'Омаров'], 3)
    """
    started = time.perf_counter()
    with _copy_of_live(Path(out_dir), "patch", "patched") as (out, live, tmp):
        info = read_record(live.with_suffix(".json"))
        record = read_record(_graphs_record(live)) or None  # none: the next build loads all
        quads = _patch(tmp, graphs, remove, add, record, info.get("quads"))
        log.info("store: %d named graphs replaced, %d quads to remove and %d to add",
                 len(graphs), remove.count(b"\n"), add.count(b"\n"))
        return _install(out, tmp, _patch_digest(live, graphs, remove, add), "patch", quads, live,
                        started, record, {"sha256": None, "patched_from": live.name})


def _patch(folder: Path, graphs: dict[str, bytes], remove: bytes, add: bytes,
           record: dict | None, quads: int | None) -> int:
    """Change the store in ``folder`` as :func:`patch_store` says and ``record`` (graph IRI ->
    [digest, quads]) with it; the store's number of quads after (from ``quads`` before)."""
    removed, added = _named_quads(remove, "remove"), _named_quads(add, "add")
    store = Store(str(folder))
    try:
        delta = 0
        for iri, data in graphs.items():
            name = NamedNode(iri)
            known = record is not None and iri in record
            delta -= record[iri][1] if known else sum(1 for _ in store.quads_for_pattern(None, None, None, name))
            store.remove_graph(name)
            if data:
                try:
                    store.load(data, format=RdfFormat.N_QUADS)
                except SyntaxError as e:
                    raise KgError(f"patch of {iri}: the N-Quads do not parse ({e})") from e
            lines = data.count(b"\n")  # as StoreWriter counts a graph's quads
            delta += lines
            if record is not None:
                if data:
                    record[iri] = [hashlib.blake2b(data, digest_size=16).hexdigest(), lines]
                else:
                    record.pop(iri, None)
        gone = [q for q in removed if q in store]  # (a quad that is not there changes nothing)
        for q in gone:
            store.remove(q)
        new = [q for q in added if q not in store]
        store.extend(new)  # one transaction
        changed = dict.fromkeys((q.graph_name.value for q in (*removed, *added)), 0)
        for q, step in [*((q, -1) for q in gone), *((q, 1) for q in new)]:
            changed[q.graph_name.value] += step  # graph IRI -> quads gained
            delta += step
        for iri, gained in changed.items():
            name = NamedNode(iri)
            if next(store.quads_for_pattern(None, None, None, name), None) is None:
                store.remove_graph(name)  # as a build has no empty graph
            if record is not None:
                record[iri] = [PATCHED, (record[iri][1] if iri in record else 0) + gained]
        # flushed, not only in the write-ahead log: a checkpoint of a store opened
        # read-only (the next patch's, the next build's) leaves the log out
        store.flush()
        return quads + delta if quads is not None else len(store)
    finally:
        del store  # the last reference: RocksDB closes its files here


def compact_store(out_dir: str | os.PathLike) -> Path:
    """Make live a compacted copy of the live version of ``out_dir``: the same quads and
    records, its files merged (``optimize``); returns ``out_dir/store``.

    Each :func:`patch_store` adds small files to RocksDB's level 0; after 50 to 150
    patches, a patch's flush waits for RocksDB to merge them into the level below (6 to
    13 s measured at 6 million quads, where a patch takes 0.15 s). A process that patches
    the store calls this when idle, every few dozen patches (11 to 17 s at 6 million
    quads, under the store's lock like a build). Raises :class:`NoStoreError` when there
    is no store a build made.
    """
    started = time.perf_counter()
    with _copy_of_live(Path(out_dir), "compact", "compacted") as (out, live, tmp):
        info = read_record(live.with_suffix(".json"))
        store = Store(str(tmp))
        try:
            store.optimize()
            store.flush()
        finally:
            del store
        sha = info.get("sha256")  # the same content: update_store still finds it up to date
        digest = sha if sha else hashlib.sha256(f"{live.name} compacted".encode()).hexdigest()
        same = {k: v for k, v in info.items() if k not in ("source", "quads", "built")}
        return _install(out, tmp, digest, info.get("source", "compaction"), info.get("quads"), live,
                        started, read_record(_graphs_record(live)) or None, {**same, "sha256": sha})


@contextlib.contextmanager
def _copy_of_live(out: Path, verb: str, done: str) -> Iterator[tuple[Path, Path, Path]]:
    """Under the store's lock: ``(out, the live version, a checkpoint of it)`` (hard links
    to its files, milliseconds; removed if the block fails) to make the next version from."""
    versions = out / VERSIONS
    if _live_version(out) is None:  # before the lock, which would make store.versions/
        raise NoStoreError(f"no store to {verb} in {out}/ (no {STORE}/ made by a build): "
                           f"run kg build ARTICLES --out {out}")
    with _locked(versions):
        _remove_temporaries(versions)
        live = _live_version(out)
        if live is None:
            raise NoStoreError(f"the store of {out}/ went away before it could be {done}")
        tmp = versions / f"{TMP_PREFIX}{uuid.uuid4().hex}"
        try:
            Store.read_only(str(live)).backup(str(tmp))
            yield out, live, tmp
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _named_quads(data: bytes, what: str) -> list[Quad]:
    """The quads of N-Quads bytes, each once, each in a named graph."""
    try:
        quads = list(dict.fromkeys(parse(data, format=RdfFormat.N_QUADS))) if data else []
    except SyntaxError as e:
        raise KgError(f"the quads to {what} do not parse as N-Quads ({e})") from e
    for q in quads:
        if not isinstance(q.graph_name, NamedNode):
            raise KgError(f"a quad to {what} is not in a named graph: {q}")
    return quads


def _patch_digest(live: Path, graphs: dict[str, bytes], remove: bytes, add: bytes) -> str:
    """A digest of the patched version (its name): of the version patched and the patch."""
    h = hashlib.sha256(live.name.encode())
    for iri in sorted(graphs):
        h.update(b"\0graph " + iri.encode() + b"\n" + graphs[iri])
    h.update(b"\0remove\n" + remove + b"\0add\n" + add)
    return h.hexdigest()


def _graphs_record(version: Path) -> Path:
    """Beside a version: a digest and the number of quads of each of its named graphs."""
    return version.with_suffix(".graphs.json")


class _Hashing:
    """A binary file whose bytes are also digested."""

    def __init__(self, f, sha):
        self.f, self.sha = f, sha

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        return self.f.write(data)

    def __getattr__(self, name):
        return getattr(self.f, name)


def store_path(out_dir: str | os.PathLike = "export") -> Path:
    """The folder of the live store of ``out_dir`` (the ``store`` link resolved);
    :class:`NoStoreError` when there is none.

    Tools that open the store themselves (an Oxigraph server, ``Store.read_only``)
    take this path; call it again after a build to follow the new version.
    """
    link = Path(out_dir) / STORE
    path = Path(os.path.realpath(link))
    if not (path / "CURRENT").is_file():  # RocksDB's own marker of a complete database
        raise NoStoreError(f"no store in {Path(out_dir)}/ (no {STORE}/): "
                           f"run kg build ARTICLES --out {out_dir}")
    return path


def store_info(out_dir: str | os.PathLike = "export") -> dict:
    """The live version's record: ``path``, ``source``, ``sha256``, ``quads``, ``built``
    (the last four are missing for a store no :func:`update_store` made)."""
    path = store_path(out_dir)
    return {"path": str(path), **read_record(path.with_suffix(".json"))}


def open_store(out_dir: str | os.PathLike = "export") -> Store:
    """The live store of ``out_dir``, opened read-only (many readers may open it at once)."""
    path = store_path(out_dir)
    try:
        return Store.read_only(str(path))
    except OSError as e:
        raise KgError(f"{path}: cannot open the store ({e})") from e


# -- loading ------------------------------------------------------------------------

def _rdf_input(rdf, out_dir: Path) -> tuple[Path | bytes, RdfFormat, str]:
    """(a path or bytes, its format, a name for messages) of what to load."""
    if rdf is None:
        for name, fmt in RDF_FILES:
            if (out_dir / name).is_file():
                return out_dir / name, fmt, name
        raise KgError(f"no RDF in {out_dir}/ to load into the store (none of "
                      + ", ".join(name for name, _ in RDF_FILES) + ")")
    if hasattr(rdf, "serialize"):  # an rdflib Graph or Dataset, without importing rdflib
        quads = getattr(rdf, "context_aware", False)
        data = rdf.serialize(format="nquads" if quads else "nt", encoding="utf-8")
        return data, RdfFormat.N_QUADS if quads else RdfFormat.N_TRIPLES, type(rdf).__name__
    path = Path(rdf)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise KgError(f"{path}: not an RDF file kg can load (one of {', '.join(_FORMATS)})")
    if not path.is_file():
        raise KgError(f"{path}: no such RDF file")
    return path, fmt, path.name


def _sha256(data: Path | bytes) -> str:
    if isinstance(data, bytes):
        return hashlib.sha256(data).hexdigest()
    h = hashlib.sha256()
    with open(data, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _load(folder: Path, data: Path | bytes, fmt: RdfFormat, source: str) -> int:
    """Bulk-load into a new store in ``folder``; the store is closed on return."""
    store = Store(str(folder))
    try:
        if isinstance(data, bytes):
            store.bulk_load(input=data, format=fmt)
        else:
            store.bulk_load(path=str(data), format=fmt)
        store.optimize()  # compacted: queries as fast as they get
        store.flush()
        return len(store)
    except SyntaxError as e:
        raise KgError(f"{source}: the RDF does not parse; the store is left as it was ({e})") from e
    finally:
        del store  # the last reference: RocksDB closes its files here


def _up_to_date(live: Path | None, digest: str) -> bool:
    return bool(live and live.name.endswith("-" + digest[:12])
                and read_record(live.with_suffix(".json")).get("sha256") == digest)


def _install(out: Path, tmp: Path, digest: str, source: str, quads: int, live: Path | None,
             started: float, graphs: dict | None = None, record: dict | None = None) -> Path:
    """Make the store loaded into ``tmp`` a version, and the live one; ``out/store``.
    ``record``: more of the version's record, or other values for it."""
    versions = out / VERSIONS
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a store reads like any output
        version = versions / f"v{time.time_ns()}-{digest[:12]}"
        os.replace(tmp, version)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if graphs:  # what the next build compares its graphs with, to change only those
        _write_json(_graphs_record(version), graphs, indent=None)
    _write_json(version.with_suffix(".json"), {
        "source": source, "sha256": digest, "quads": quads,
        "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **(record or {})})
    _publish(out, version)
    _remove_old_versions(versions, keep={version.name, live.name if live else None})
    log.info("store %s: %d quads from %s in %.1f s", version, quads, source,
             time.perf_counter() - started)
    return out / STORE


# -- the folder ---------------------------------------------------------------------

def _live_version(out: Path) -> Path | None:
    """The version the ``store`` link points to, when it is one of ours."""
    link = out / STORE
    if not link.is_symlink():
        return None
    target = Path(os.path.realpath(link))
    versions = Path(os.path.realpath(out / VERSIONS))
    if target.parent == versions and _VERSION.fullmatch(target.name) and target.is_dir():
        return out / VERSIONS / target.name
    return None


def _publish(out: Path, version: Path) -> Path:
    """Point ``out/store`` at ``version`` in one atomic step; return the live folder."""
    link = out / STORE
    tmp = out / f".{STORE}.{uuid.uuid4().hex}.tmp"
    try:
        os.symlink(os.path.join(VERSIONS, version.name), tmp, target_is_directory=True)
    except (OSError, NotImplementedError) as e:
        log.warning("no symbolic links here (%s): the store is swapped by two renames", e)
        return _publish_by_rename(link, version)
    try:
        if link.is_dir() and not link.is_symlink():  # a store folder made by hand or by an old kg
            aside = version.parent / f"v{time.time_ns()}-{'0' * 12}"
            log.info("moving the store folder %s aside to %s", link, aside)
            os.replace(link, aside)
        os.replace(tmp, link)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(out)
    return version


def _publish_by_rename(link: Path, version: Path) -> Path:
    if link.is_symlink() or link.is_file():
        link.unlink()
    elif link.is_dir():
        os.replace(link, version.parent / f"v{time.time_ns()}-{'0' * 12}")
    os.replace(version, link)
    fsync_dir(link.parent)
    return link


def _locked(versions: Path):
    """Hold ``store.versions/.lock`` for the update; refuse when another process holds it."""
    return exclusive_lock(versions / LOCK, f"{versions.parent}: another kg build is updating "
                          "its store; run one build at a time on an output folder", StoreBusyError)


def _write_json(path: Path, value: dict, indent: int | None = 1) -> None:
    """Replace ``path`` atomically: a reader sees the old content or the new, whole.
    ``indent=None``: one line, for a big record no one reads (json indents in Python, 10 times slower)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX, suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(value, f, ensure_ascii=False, indent=indent)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def _remove_temporaries(versions: Path) -> None:
    """What a killed build left: half-loaded stores, half-written records, stray links."""
    for p in versions.iterdir():
        if p.name.startswith(TMP_PREFIX):
            log.info("removing %s, left by a build that did not finish", p)
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
    for p in versions.parent.glob(f".{STORE}.*.tmp"):
        if p.is_symlink():
            p.unlink(missing_ok=True)


def _remove_old_versions(versions: Path, keep: set) -> None:
    for p in versions.iterdir():
        name = p.name.removesuffix(".json").removesuffix(".graphs")
        if _VERSION.fullmatch(name) and name not in keep:
            log.info("removing old store version %s", p)
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
