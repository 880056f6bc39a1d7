"""The orchestrator: every stage of kg, in the order it runs.

1. read       path      -> Document       kg.read
2. clean      Document  -> Article        kg.clean
3. nlp        Article   -> spaCy Doc      kg.nlp
4. normalize  Doc spans -> names, dates   kg.normalize, kg.dates
5. resolve    names     -> entities       kg.resolve, kg.places (coordinates)
6. events     Doc, entities -> events, relations   kg.events   (steps 3-6: ``extract_article``)
7. link       Extractions -> one id per real entity across articles   kg.link
8. graph      Extractions -> networkx     kg.graph
9. export     graph     -> RDF, GraphML, CSV, HTML, SPARQL store   kg.export, kg.rdf, kg.render, kg.store

``kg.watch`` keeps a build up to date as files change: steps 1-6 for the changed files
only, then 7-9 on what changed (``kg.link.Linker``, ``kg.graph.update_graph``,
``kg.store.patch_store``).

>>> from kg.types import Article
>>> text = "Кадем Жуманиязов в июле 1941 года был ранен под Смоленском. Кадему удалось бежать."
>>> ex = extract_article(Article(source="x.txt", text=text, digest="0" * 64))
>>> sorted((e.label, e.name) for e in ex.entities)
[('PERSON', 'Кадем Жуманиязов'), ('PLACE', 'Смоленск')]
>>> [(m.text, m.value) for m in ex.mentions if m.label == "DATE"]
[('июле 1941 года', '1941-07')]
"""
from __future__ import annotations

import bisect
import logging
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from spacy.tokens import Doc

from .clean import clean
from .dates import DateText, value_dates
from .errors import InputError
from .files import exclusive_lock, remove_temporaries
from .events import extract_events
from .places import geolocate
from .nlp import analyze, load_nlp, sentence_spans
from .normalize import (canonical_name, person_gender, pronouns, rank_before, role_before,
                        split_coordinated, unit_nouns)
from .read import read_all
from .resolve import PRONOUN, UNIT_NOUN, Named, resolve
from .types import DATE, PERSON, UNIT, Article, Document, Extraction, Mention, Span

log = logging.getLogger(__name__)

BUILD_LOCK = ".kg-build.lock"


def extract_article(article: Article, nlp=None) -> Extraction:
    """Steps 3 to 6 for one article."""
    return extraction_from_doc(article, analyze(article, nlp))


def extraction_from_doc(article: Article, doc: Doc) -> Extraction:
    sentences = doc.user_data.get("kg_sentences") or sentence_spans(doc.text)
    named = _named_mentions(article, doc, sentences)
    mentions, entities = resolve(named, article_key=article.digest[:8])
    entities = geolocate(entities)  # the article's other places tell which Петропавловск
    events, relations = extract_events(doc, mentions, sentences)
    return Extraction(article, tuple(mentions), tuple(entities), tuple(events), tuple(relations),
                      sentences=tuple(sentences))


def _named_mentions(article: Article, doc: Doc, sentences: list[Span]) -> list[Named]:
    """Step 4: every entity span as a mention with its canonical name; dates valued;
    third-person pronouns and bare unit nouns added for resolution to link."""
    starts = [s for s, _ in sentences]

    def sentence_of(start: int) -> tuple[int, int, int]:
        k = max(0, bisect.bisect_right(starts, start) - 1)
        return (k, *sentences[k]) if sentences else (0, 0, len(article.text))

    items: list[tuple[int, Named]] = []
    dates: list[tuple[Named, DateText]] = []
    for ent in list(doc.ents) + list(doc.spans.get("nested", ())):
        k, s, e = sentence_of(ent.start_char)
        mention = Mention(ent.start_char, ent.end_char, article.text[ent.start_char:ent.end_char],
                          ent.label_, sentence=(s, e), origin=ent.id_ or "model")
        if ent.label_ == DATE:
            dates.append((Named(mention, mention.text), DateText(mention.text, k, article.text[s:mention.start])))
        elif ent.id_ == "coordinated":
            for start, end, name in split_coordinated(ent):
                items.append((start, Named(Mention(start, end, article.text[start:end], UNIT,
                                                   sentence=(s, e), origin=ent.id_), name)))
        elif ent.label_ == PERSON:
            items.append((ent.start_char, Named(mention, canonical_name(ent), rank=rank_before(ent),
                                                role=role_before(ent), gender=person_gender(ent))))
        else:
            items.append((ent.start_char, Named(mention, canonical_name(ent))))
    for (n, _), value in zip(dates, value_dates([d for _, d in dates], article.published)):
        items.append((n.mention.start, Named(replace(n.mention, value=value), n.name)))
    for start, end, gender in pronouns(doc):
        _, s, e = sentence_of(start)
        items.append((start, Named(Mention(start, end, article.text[start:end], PERSON,
                                           sentence=(s, e), origin=PRONOUN), "", gender=gender)))
    for start, end, noun in unit_nouns(doc):
        _, s, e = sentence_of(start)
        items.append((start, Named(Mention(start, end, article.text[start:end], UNIT,
                                           sentence=(s, e), origin=UNIT_NOUN), noun)))
    return [n for _, n in sorted(items, key=lambda x: x[0])]


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class Duplicate(Skipped):
    """A file with the same bytes as one read before: the same article, under another name."""

    original: str = ""


@dataclass
class Run:
    """What a run over many paths produced, what it had to skip, and the copies it found."""

    extractions: list[Extraction] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    curation: object = None  # kg.curate.Report of the corrections applied, if a file was


def extract_document(doc: Document, nlp=None) -> Extraction | Skipped:
    """Steps 2 to 6 for one file as read: the unit of work a process pool or a Dask
    worker runs (each loads the models once, on its first document)."""
    try:
        article = clean(doc)
    except InputError as e:
        return Skipped(e.path, e.reason)
    return extract_article(article, nlp if nlp is not None else load_nlp())


def extract(paths: Iterable[str], on_item: Callable[[], None] | None = None,
            executor=None, cache=None, window: int = 64, exclude: Iterable[str] = ()
            ) -> Iterator[Extraction | Skipped]:
    """Steps 1 to 6 over files and folders: an Extraction per article, a Skipped per
    file that could not be used (the others go on). The same content under two
    names is one article.

    ``executor``: anything with ``submit(fn, *args)`` returning a future with
    ``result()`` — a ``concurrent.futures`` pool, a ``dask.distributed.Client`` — runs
    :func:`extract_document` on up to ``window`` files at a time; results come back in
    the order of the files whatever finishes first, so the output does not depend on
    the number of workers. ``cache``: a :class:`kg.cache.ExtractionCache`; an article
    found there is not extracted again. ``exclude``: folders not to read (the output
    folder, when it is inside the articles' folder).
    """
    seen: dict[str, str] = {}
    pending: deque = deque()  # futures or finished results, in the order of the files

    def ready() -> Iterator[Extraction | Skipped]:
        while pending and (len(pending) > window or _done(pending[0])):
            yield _finish(pending.popleft(), cache)

    for item in read_all(paths, exclude):
        if on_item:
            on_item()
        if isinstance(item, InputError):
            log.warning("skipped %s", item)
            pending.append(Skipped(item.path, item.reason))
        elif item.digest in seen:
            pending.append(Duplicate(item.source, f"same content as {seen[item.digest]}",
                                     seen[item.digest]))
        else:
            seen[item.digest] = item.source
            cached = cache.get(item.digest, item.source) if cache is not None else None
            if cached is not None:
                pending.append(cached)
            elif executor is None:
                pending.append(_Fresh(extract_document(item)))
            else:
                pending.append(executor.submit(extract_document, item))
        yield from ready()
    while pending:
        yield _finish(pending.popleft(), cache)


class _Fresh:
    """An extraction just made here, to be cached like one from a worker."""

    def __init__(self, value):
        self.value = value


def _done(item) -> bool:
    done = getattr(item, "done", None)
    return done() if callable(done) else True


def _finish(item, cache) -> Extraction | Skipped:
    if isinstance(item, (Extraction, Skipped)):
        return item  # from the cache, or skipped before any work
    value = item.value if isinstance(item, _Fresh) else item.result()
    if cache is not None and isinstance(value, Extraction):
        cache.put(value)
    return value


def run(paths: Iterable[str], on_item: Callable[[], None] | None = None, executor=None,
        cache=None, exclude: Iterable[str] = ()) -> Run:
    out = Run()
    for item in extract(paths, on_item, executor=executor, cache=cache, exclude=exclude):
        if isinstance(item, Duplicate):
            out.duplicates.append(item)
        elif isinstance(item, Skipped):
            out.skipped.append(item)
        else:
            out.extractions.append(item)
    return out


def add_copies(graph, extractions: list[Extraction], duplicates: list[Duplicate]) -> None:
    """Record on each article node the other paths its bytes were found under (``copies``)."""
    by_source = {ex.article.source: ex.article.id for ex in extractions}
    for d in duplicates:
        node = by_source.get(d.original)
        if node is not None:
            graph.nodes[node].setdefault("copies", []).append(d.path)


def build(paths: Iterable[str], out_dir: str | Path = "export",
          on_item: Callable[[], None] | None = None, processes: int = 1, executor=None,
          use_cache: bool = True, curation: str | Path | None = None) -> tuple[Run, dict]:
    """Steps 1 to 9: extract, link across articles, build the graph and write every
    output into ``out_dir``.

    ``processes``: extract in that many processes (1: in this one); ``executor``: or on
    this one (a Dask client, say). Outputs are the same bytes either way.
    ``use_cache``: reuse the extraction of every article whose bytes and extractor are
    unchanged (``kg.cache``; kept in ``out_dir/.kg-cache``). ``curation``: the
    historians' corrections to apply (``kg.curate``); by default ``curation.yaml`` in
    the first folder of ``paths``, when there is one.

    When no article at all could be read, nothing is written: the outputs of the
    last good build stay as they were. A second build on the same ``out_dir`` while
    one runs is refused (:class:`~kg.errors.BusyError`), never interleaved.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(out / BUILD_LOCK, f"{out}: another kg build is writing to this folder; "
                        "wait for it to finish (one build at a time on an output folder)"):
        return _build_locked(list(paths), out, on_item, processes, executor, use_cache, curation)


def _build_locked(paths, out_dir: Path, on_item, processes, executor, use_cache,
                  curation) -> tuple[Run, dict]:
    from .cache import ExtractionCache
    from .curate import find_curation
    from .link import link_entities

    if remove_temporaries(out_dir):  # a build killed half-way: its files never replaced anything
        log.info("removed the temporary files of an interrupted build in %s", out_dir)
    cache = ExtractionCache(Path(out_dir)) if use_cache else None
    result = extract_corpus(paths, out_dir, on_item, processes, executor, cache)
    with timed("link"):
        result.extractions = link_entities(result.extractions)
    graph, result.curation, outputs = write_build(result.extractions, result.duplicates, out_dir,
                                                  paths, curation or find_curation(paths))
    return result, {"graph": graph, "outputs": outputs}


def extract_corpus(paths, out_dir: Path, on_item=None, processes: int = 1, executor=None,
                   cache=None) -> Run:
    """Steps 1-6 of a build into ``out_dir`` (never read as articles): in ``processes``
    processes or on ``executor``; the cache, when given, pruned of the articles gone."""
    with timed("extract"):
        if executor is None and processes > 1:
            with ProcessPoolExecutor(processes) as pool:
                result = run(paths, on_item, executor=pool, cache=cache, exclude=[out_dir])
        else:
            result = run(paths, on_item, executor=executor, cache=cache, exclude=[out_dir])
    if cache is not None:
        log.info("extraction cache: %d articles reused, %d extracted", cache.hits, cache.misses)
        if result.extractions:
            cache.prune({ex.article.digest for ex in result.extractions})
    return result


def write_build(linked: list[Extraction], duplicates: list[Duplicate], out_dir: Path,
                paths: list[str], curation) -> tuple:
    """Steps 8 and 9 from linked extractions: the graph (with the copies found and the
    corrections of ``curation``, a file or None) and every output. Returns the graph,
    the curation report (or None) and the outputs written (none when no article could
    be read: the last good build's stay)."""
    from .curate import apply_curation, read_curation
    from .export import write_outputs
    from .graph import build_graph

    with timed("graph"):
        graph = build_graph(linked)
        add_copies(graph, linked, duplicates)
    report = None
    if curation:
        with timed("curation"):
            report = apply_curation(graph, read_curation(curation))
    if not linked:
        log.warning("no article could be read: outputs in %s left as they were", out_dir)
        return graph, report, {}
    with timed("export and store"):
        outputs = write_outputs(graph, Path(out_dir), store=True)  # the store loaded as graph.trig is written
    record_build(out_dir, paths, curation)
    return graph, report, outputs


@contextmanager
def timed(stage: str):
    """Log how long a stage took ("stage link: 7.3 s"): ``kg -v build`` shows where a
    build's time goes, and bench/pipeline_bench.py reads it for the rebuild."""
    started = time.perf_counter()
    yield
    log.info("stage %s: %.2f s", stage, time.perf_counter() - started)


BUILD_RECORD = ".kg-build.json"


def record_build(out_dir: Path, paths: list[str], curation) -> None:
    """What the last build read, so that ``kg merge`` and the other curation commands
    can rebuild the same articles after writing a correction."""
    import json

    from .files import atomic_write

    record = {"paths": [str(Path(p).resolve()) for p in paths],
              "curation": str(Path(curation).resolve()) if curation else None}
    atomic_write(Path(out_dir) / BUILD_RECORD, json.dumps(record, ensure_ascii=False, indent=1) + "\n")


def last_build(out_dir: str | Path) -> dict | None:
    """The paths and curation file of the last build into ``out_dir``, or None."""
    from .files import read_record

    return read_record(Path(out_dir) / BUILD_RECORD) or None
