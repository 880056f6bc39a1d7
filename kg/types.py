"""The records that flow through the pipeline, as frozen dataclasses.

Character offsets into ``Article.text`` (Python string indices, end exclusive)
are the one coordinate system: mentions, sentences, boilerplate, evidence.

>>> art = Article(source="a.txt", text="Кабыш Омаров родился в 1913 году.", digest="00")
>>> m = Mention(0, 12, "Кабыш Омаров", PERSON, sentence=(0, 33), entity="person:кабыш_омаров")
>>> ex = Extraction(art, mentions=(m,), entities=(Entity("person:кабыш_омаров", PERSON, "Кабыш Омаров"),))
>>> Extraction.from_json(ex.to_json()) == ex
True
>>> ex.to_json()["mentions"][0]["text"]
'Кабыш Омаров'
"""
from __future__ import annotations

from dataclasses import dataclass, field

PERSON, PLACE, UNIT, ORG, DATE, AWARD = "PERSON", "PLACE", "UNIT", "ORG", "DATE", "AWARD"
LABELS = (PERSON, PLACE, UNIT, ORG, DATE, AWARD)

Span = tuple[int, int]


@dataclass(frozen=True)
class Document:
    """A file as read: its decoded content, before any cleaning."""

    source: str  # the path as the user gave it
    raw: str  # decoded content; for a text file this is the article text, exactly
    format: str  # "text", "markdown" or "html"
    encoding: str
    digest: str  # sha256 of the bytes


@dataclass(frozen=True)
class Article:
    """Text an extractor reads, with what the page says about itself."""

    source: str
    text: str
    digest: str
    format: str = "text"
    encoding: str = "utf-8"
    title: str | None = None
    author: str | None = None
    photographer: str | None = None
    published: str | None = None  # YYYY-MM-DD
    boilerplate: tuple[Span, ...] = ()  # menus, headline lists, footers
    credits: tuple[Span, ...] = ()  # title, byline, photo credit, counters: metadata, not history

    @property
    def id(self) -> str:
        return "article:" + self.digest[:16]

    def outside_body(self, start: int, end: int) -> bool:
        """True when [start, end) touches boilerplate or credits."""
        return any(s < end and start < e for s, e in self.boilerplate + self.credits)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    label: str
    sentence: Span = (0, 0)
    entity: str | None = None
    value: str | None = None  # EDTF for DATE
    origin: str = "model"  # which component found it: "model" or a rule name


@dataclass(frozen=True)
class Entity:
    id: str
    label: str
    name: str  # canonical, nominative
    aliases: tuple[str, ...] = ()
    rank: str | None = None
    role: str | None = None
    geonames: str | None = None  # GeoNames id of a place, when a gazetteer knows it
    coords: tuple[float, float] | None = None  # (latitude, longitude) of a place


@dataclass(frozen=True)
class Event:
    kind: str
    participants: tuple[str, ...]
    trigger: str
    evidence: Span
    date: str | None = None
    place: str | None = None


@dataclass(frozen=True)
class Relation:
    subject: str
    predicate: str
    object: str
    evidence: Span
    rule: str = ""


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one article: the unit of `kg extract --jsonl`."""

    article: Article
    mentions: tuple[Mention, ...] = ()
    entities: tuple[Entity, ...] = ()
    events: tuple[Event, ...] = ()
    relations: tuple[Relation, ...] = ()
    sentences: tuple[Span, ...] = field(default=(), compare=False)

    def to_json(self) -> dict:
        a = self.article
        return {
            "source": a.source,
            "title": a.title,
            "author": a.author,
            "published": a.published,
            "text": a.text,
            "boilerplate": [list(s) for s in a.boilerplate],
            "mentions": [_mention_json(m) for m in self.mentions],
            "entities": [_entity_json(e) for e in self.entities],
            "events": [
                {"kind": e.kind, "participants": list(e.participants), "date": e.date,
                 "place": e.place, "trigger": e.trigger, "evidence": list(e.evidence)}
                for e in self.events
            ],
            "relations": [
                {"subject": r.subject, "predicate": r.predicate, "object": r.object,
                 "evidence": list(r.evidence), "rule": r.rule}
                for r in self.relations
            ],
            # additions to the contract
            "id": a.id,
            "digest": a.digest,
            "format": a.format,
            "encoding": a.encoding,
            "photographer": a.photographer,
            "credits": [list(s) for s in a.credits],
            "sentences": [list(s) for s in self.sentences],
        }

    @classmethod
    def from_json(cls, d: dict) -> "Extraction":
        art = Article(
            source=d["source"], text=d["text"], digest=d.get("digest", ""),
            format=d.get("format", "text"), encoding=d.get("encoding", "utf-8"),
            title=d.get("title"), author=d.get("author"), photographer=d.get("photographer"),
            published=d.get("published"),
            boilerplate=tuple(tuple(s) for s in d.get("boilerplate", ())),
            credits=tuple(tuple(s) for s in d.get("credits", ())),
        )
        return cls(
            article=art,
            mentions=tuple(
                Mention(m["start"], m["end"], m["text"], m["label"],
                        sentence=tuple(m.get("sentence", (0, 0))), entity=m.get("entity"),
                        value=m.get("value"), origin=m.get("origin", "model"))
                for m in d.get("mentions", ())
            ),
            entities=tuple(
                Entity(e["id"], e["label"], e["name"], tuple(e.get("aliases", ())),
                       e.get("rank"), e.get("role"), e.get("geonames"),
                       (e["lat"], e["lon"]) if e.get("lat") is not None else None)
                for e in d.get("entities", ())
            ),
            events=tuple(
                Event(e["kind"], tuple(e["participants"]), e.get("trigger", ""),
                      tuple(e["evidence"]), e.get("date"), e.get("place"))
                for e in d.get("events", ())
            ),
            relations=tuple(
                Relation(r["subject"], r["predicate"], r["object"], tuple(r["evidence"]),
                         r.get("rule", ""))
                for r in d.get("relations", ())
            ),
            sentences=tuple(tuple(s) for s in d.get("sentences", ())),
        )


def _mention_json(m: Mention) -> dict:
    d = {"start": m.start, "end": m.end, "text": m.text, "label": m.label,
         "entity": m.entity, "sentence": list(m.sentence), "origin": m.origin}
    if m.label == DATE:
        d["value"] = m.value
    return d


def _entity_json(e: Entity) -> dict:
    d = {"id": e.id, "label": e.label, "name": e.name, "aliases": list(e.aliases)}
    if e.rank:
        d["rank"] = e.rank
    if e.role:
        d["role"] = e.role
    if e.geonames:
        d["geonames"] = e.geonames
    if e.coords:
        d["lat"], d["lon"] = e.coords
    return d
