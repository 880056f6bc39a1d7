"""Historians' corrections, kept in a curation file and applied on every build.

The file (``curation.yaml`` beside the articles, or ``kg build --curation FILE``) is a
YAML list, one correction per item, applied in order to the graph after extraction and
linking, so that no rebuild undoes it and nothing else changes. Each item names one
operation and may say ``who``, ``when`` and ``why``; corrections that add a fact cite
their source (``citation``: an article id, an archive reference, a note)::

    - merge: [person:кабыш_омаров, person:омаров@1a2b3c4d]   # the first one stays
      seen_in: {person:кабыш_омаров: [article:0e5afb1b996e266d]}   # written by kg merge
      who: Дина Ахметова
      when: 2026-11-25
      why: the same partisan; the award card names him in full
    - split: person:маметова
      articles: [article:93ce50c06fdfd989]    # or mentions: [{article: ..., start: 120}]
      id: person:маметова_2                    # optional: the new entity's id
      name: Маргарита Маметова
    - rename: person:кабыш_омаров
      name: Кабыш Омарович Омаров
      aliases: [Kabysh Omarov]
    - retype: org:монгол
      label: UNIT
    - reject: person:читайте_также
    - reject_relation: {subject: person:x, predicate: member_of, object: unit:y}  # no object: all
    - reject_event: event:058f5bfee6448861
    - add_entity: {label: PERSON, name: Ашимбек Истыбаев, rank: сержант}
    - add_relation: {subject: person:кабыш_омаров, predicate: awarded, object: award:орден_славы}
      citation: {reference: "ЦАМО, ф. 33, оп. 686044, д. 123", note: наградной лист}
    - add_event: {kind: reburial, participants: [person:кабыш_омаров], date: "1965", place: place:тулуза}
      citation: {article: article:0e5afb1b996e266d}

Curated nodes and edges carry ``curation`` (who, when, why, as text) and ``curated``
(True), so every output can tell them from extracted ones; an entity merged away
leaves its id in the survivor's ``merged_from``, so links made before the merge still
find it (``graph.html#<old id>``, ``owl:sameAs`` in the RDF). A correction whose
entity is no longer in the graph is reported, not fatal: the build goes on.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("person:a", kind="entity", label="PERSON", name="Кабыш Омаров", aliases=[], articles=["article:1"], mentions=1)
>>> g.add_node("person:b", kind="entity", label="PERSON", name="К. Омаров", aliases=[], articles=["article:2"], mentions=1)
>>> report = apply_curation(g, parse_curation("- merge: [person:a, person:b]\\n  who: Дина\\n", "c.yaml"))
>>> sorted(g.nodes), g.nodes["person:a"]["aliases"], g.nodes["person:a"]["merged_from"]
(['person:a'], ['К. Омаров'], ['person:b'])
>>> report.applied, report.unmatched
(1, [])
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from .errors import DataError
from .types import AWARD, ORG, PERSON, PLACE, UNIT

log = logging.getLogger(__name__)

CURATION_FILE = "curation.yaml"
OPERATIONS = ("merge", "split", "rename", "retype", "reject", "reject_relation",
              "reject_event", "add_entity", "add_relation", "add_event")
PREDICATES = ("member_of", "commanded", "part_of", "located_in", "born_in", "died_in",
              "buried_in", "awarded", "relative_of")
ENTITY_LABELS = (PERSON, PLACE, UNIT, ORG, AWARD)
_HEADER = """\
# kg curation: corrections applied to the graph on every build, in this order.
# Written by `kg merge`, `kg split`, `kg rename`, `kg reject` or by hand; see kg/curate.py.
"""


@dataclass(frozen=True)
class Correction:
    op: str
    target: object  # the operation's value: an id, a list of ids, a mapping
    options: dict
    line: int  # where it starts in the file, for messages
    source: str

    @property
    def note(self) -> str:
        """Who, when, why: what the graph and the RDF keep of the correction."""
        parts = [self.op]
        if self.options.get("who"):
            parts.append(str(self.options["who"]))
        if self.options.get("when"):
            parts.append(str(self.options["when"]))
        text = ", ".join(parts)
        return text + (f": {self.options['why']}" if self.options.get("why") else "")

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass
class Report:
    applied: int = 0
    unmatched: list[str] = field(default_factory=list)  # "file:line: why it did not apply"


# -- reading and writing the file ---------------------------------------------------

def read_curation(path: str | Path) -> list[Correction]:
    """The corrections of a curation file; :class:`~kg.errors.DataError` naming the file
    and line for one that cannot be understood."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot read the curation file: {e}") from e
    return parse_curation(text, str(path))


def parse_curation(text: str, source: str = "<curation>") -> list[Correction]:
    import yaml

    class _Lines(yaml.SafeLoader):
        pass

    def mapping(loader, node):
        value = loader.construct_mapping(node, deep=True)
        value["__line__"] = node.start_mark.line + 1
        return value

    _Lines.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    try:
        items = yaml.load(text, Loader=_Lines)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        raise DataError(f"{source}: not valid YAML: {e}") from e
    if items is None:
        return []
    if not isinstance(items, list):
        raise DataError(f"{source}: a curation file is a list of corrections (items starting with '- ')")
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise DataError(f"{source}: each correction is a mapping such as '- reject: person:x', not {item!r}")
        line = item.pop("__line__", 0)
        ops = [k for k in item if k in OPERATIONS]
        if len(ops) != 1:
            raise DataError(f"{source}:{line}: say one operation of {', '.join(OPERATIONS)}; "
                            f"found {', '.join(map(str, item)) or 'none'}")
        op = ops[0]
        target = _strip_lines(item.pop(op))
        options = {k: _strip_lines(v) for k, v in item.items()}
        if isinstance(options.get("when"), (dt.date, dt.datetime)):
            options["when"] = options["when"].isoformat()
        out.append(Correction(op, target, options, line, source))
        _check(out[-1])
    return out


def _strip_lines(value):
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _check(c: Correction) -> None:
    def need(cond: bool, what: str) -> None:
        if not cond:
            raise DataError(f"{c.where}: {c.op}: {what}")

    t = c.target
    if c.op == "merge":
        need(isinstance(t, list) and len(t) >= 2 and all(isinstance(x, str) for x in t),
             "give two or more entity ids: merge: [person:a, person:b]")
    elif c.op in ("split", "rename", "retype", "reject", "reject_event"):
        need(isinstance(t, str) and t, "give one id")
    if c.op == "split":
        need(bool(c.options.get("articles") or c.options.get("mentions")),
             "say which articles (articles: [...]) or mentions (mentions: [{article:, start:}]) go to the new entity")
    if c.op == "rename":
        need(bool(c.options.get("name") or c.options.get("aliases")), "give name: and/or aliases:")
    if c.op == "retype":
        need(c.options.get("label") in ENTITY_LABELS, f"label: one of {', '.join(ENTITY_LABELS)}")
    if c.op == "reject_relation" or c.op == "add_relation":
        needed = ("subject", "predicate") + (("object",) if c.op == "add_relation" else ())
        need(isinstance(t, dict) and all(t.get(k) for k in needed),
             "give {subject: ..., predicate: ..., object: ...}"
             + (" (without object: every such relation of the subject)" if c.op == "reject_relation" else ""))
        need(t.get("predicate") in PREDICATES, f"predicate: one of {', '.join(PREDICATES)}")
    if c.op == "add_entity":
        need(isinstance(t, dict) and t.get("name") and t.get("label") in ENTITY_LABELS,
             f"give {{label: {'|'.join(ENTITY_LABELS)}, name: ...}}")
    if c.op == "add_event":
        need(isinstance(t, dict) and t.get("kind") and t.get("participants"),
             "give {kind: ..., participants: [...], date: ..., place: ...}")
    if c.op.startswith("add_"):
        cite = c.options.get("citation")
        need(c.op == "add_entity" or isinstance(cite, dict) and any(cite.get(k) for k in ("article", "reference", "note")),
             "cite the source: citation: {article: ..., reference: ..., note: ...}")


def append_correction(path: str | Path, op: str, target, **options) -> Correction:
    """Add a correction at the end of the curation file (created with a header if
    missing), as YAML a person can read and diff; returns it as parsed back."""
    import yaml

    path = Path(path)
    item = {op: target, **{k: v for k, v in options.items() if v not in (None, "", [], {})}}
    item.setdefault("when", dt.date.today().isoformat())
    text = yaml.safe_dump([item], allow_unicode=True, sort_keys=False, default_flow_style=False, width=100)
    [parsed] = parse_curation(text, str(path))  # refuse a bad one before it is written
    old = path.read_text(encoding="utf-8") if path.exists() else _HEADER
    if old and not old.endswith("\n"):
        old += "\n"
    from .files import atomic_write

    atomic_write(path, old + text)
    return read_curation(path)[-1] if parsed else parsed


# -- applying -----------------------------------------------------------------------

def apply_curation(g: nx.MultiDiGraph, corrections: list[Correction]) -> Report:
    """Apply the corrections to the graph, in order (see the module's docstring)."""
    report = Report()
    former: dict[str, str] = {}  # merged-away id -> survivor, so later corrections may use either
    for c in corrections:
        try:
            _APPLY[c.op](g, c, former)
        except _Unmatched as e:
            report.unmatched.append(f"{c.where}: {c.op} no longer applies: {e}")
            log.warning("%s: %s no longer applies: %s", c.where, c.op, e)
            continue
        report.applied += 1
    return report


class _Unmatched(Exception):
    pass


def _entity(g: nx.MultiDiGraph, eid: str, former: dict[str, str], c: Correction | None = None) -> str:
    """The entity a correction names. Ids can change when new articles arrive (a second
    "Иван Петров" scopes both to their articles: ``person:иван_петров@<article>``), so an
    id no longer in the graph is looked for among the entities that carry it with a
    scope, or merged it, and chosen by the articles it was seen in (``seen_in``, which
    the commands record); when that leaves several, the correction is reported."""
    eid = former.get(eid, eid)
    if eid in g and g.nodes[eid].get("kind") == "entity":
        return eid
    base = eid.split("@", 1)[0]
    found = [n for n, a in g.nodes(data=True) if a.get("kind") == "entity" and (
        n.split("@", 1)[0] == base or eid in (a.get("merged_from") or ()))]
    seen = set(((c.options.get("seen_in") or {}).get(eid) or ()) if c else ())
    if len(found) > 1 and seen:
        found = [n for n in found if seen & set(g.nodes[n].get("articles") or ())]
    if len(found) == 1:
        return found[0]
    if found:
        raise _Unmatched(f"{eid} is now several entities ({', '.join(sorted(found))}): "
                         "name the one meant, or add seen_in: {" + eid + ": [article ids]}")
    raise _Unmatched(f"no entity {eid} in the graph")


def _mark(attrs: dict, c: Correction) -> None:
    attrs["curated"] = True
    attrs["curation"] = list(attrs.get("curation") or ()) + [c.note]


def _merge(g, c, former) -> None:
    ids = [_entity(g, x, former, c) for x in c.target]
    into = _entity(g, c.options["into"], former, c) if c.options.get("into") else ids[0]
    keep = g.nodes[into]
    for other in dict.fromkeys(x for x in ids if x != into):
        a = g.nodes[other]
        names = set(keep.get("aliases") or ()) | {a.get("name"), *(a.get("aliases") or ())}
        keep["aliases"] = sorted(n for n in names if n and n != keep.get("name"))
        keep["articles"] = sorted(set(keep.get("articles") or ()) | set(a.get("articles") or ()))
        keep["mentions"] = (keep.get("mentions") or 0) + (a.get("mentions") or 0)
        for key in ("rank", "role", "geonames", "lat", "lon"):
            if keep.get(key) is None and a.get(key) is not None:
                keep[key] = a[key]
        keep["merged_from"] = sorted({*(keep.get("merged_from") or ()), other, *(a.get("merged_from") or ())})
        _move_edges(g, other, into)
        _replace_in_events(g, other, into)
        g.remove_node(other)
        former[other] = into
        for old, new in list(former.items()):
            if new == other:
                former[old] = into
    _mark(keep, c)


def _move_edges(g, old: str, new: str, keep=lambda u, v, a: True) -> None:
    moved = []
    for u, v, k, a in list(g.in_edges(old, keys=True, data=True)) + list(g.out_edges(old, keys=True, data=True)):
        if not keep(u, v, a):
            continue
        moved.append((u, v, k, a))
    for u, v, k, a in moved:
        if g.has_edge(u, v, k):
            g.remove_edge(u, v, k)
        u2, v2 = (new if u == old else u), (new if v == old else v)
        if u2 == v2:
            continue  # a co-occurrence of the two merged names with each other
        if a.get("relation") == "co_occurs" and u2 > v2:
            u2, v2 = v2, u2
        if not g.has_edge(u2, v2, k):
            g.add_edge(u2, v2, key=k, **a)


def _replace_in_events(g, old: str, new: str, articles: set | None = None) -> None:
    for n, a in g.nodes(data=True):
        if a.get("kind") != "event" or (articles is not None and a.get("article") not in articles):
            continue
        if old in (a.get("participants") or ()):
            a["participants"] = list(dict.fromkeys(new if p == old else p for p in a["participants"]))
        if a.get("place") == old:
            a["place"] = new


def _split(g, c, former) -> None:
    old = _entity(g, c.target, former, c)
    a = g.nodes[old]
    articles = set(c.options.get("articles") or ())
    mentions = {(m.get("article"), int(m.get("start", -1))) for m in c.options.get("mentions") or ()
                if isinstance(m, dict)}
    new = c.options.get("id") or f"{old}~{_digest(sorted(articles), sorted(mentions))}"
    if new in g:
        raise _Unmatched(f"the new id {new} is taken")

    def moves(u, v, e) -> bool:
        if e.get("relation") == "mentions":
            return u in articles or (u, e.get("start")) in mentions
        return e.get("article") in articles  # relations, co-occurrences, participation

    if not any(moves(u, v, e) for u, v, e in list(g.in_edges(old, data=True)) + list(g.out_edges(old, data=True))):
        raise _Unmatched(f"{old} has nothing in {', '.join(sorted(articles)) or 'those mentions'}")
    g.add_node(new, **{**a, "name": c.options.get("name") or a.get("name"), "merged_from": [],
                       "aliases": list(a.get("aliases") or ())})
    _move_edges(g, old, new, moves)
    _replace_in_events(g, old, new, articles)
    for node in (old, new):
        spoken = [(u, e) for u, _, e in g.in_edges(node, data=True) if e.get("relation") == "mentions"]
        g.nodes[node]["articles"] = sorted({u for u, _ in spoken})
        g.nodes[node]["mentions"] = len(spoken)
        g.nodes[node]["aliases"] = sorted({e.get("text") for _, e in spoken if e.get("text")}
                                          - {g.nodes[node].get("name")})
        _mark(g.nodes[node], c)


def _rename(g, c, former) -> None:
    eid = _entity(g, c.target, former, c)
    a = g.nodes[eid]
    names = set(a.get("aliases") or ()) | {a.get("name")} | set(c.options.get("aliases") or ())
    if c.options.get("name"):
        a["name"] = str(c.options["name"])
    a["aliases"] = sorted(str(n) for n in names if n and n != a.get("name"))
    _mark(a, c)


def _retype(g, c, former) -> None:
    eid = _entity(g, c.target, former, c)
    g.nodes[eid]["label"] = c.options["label"]
    _mark(g.nodes[eid], c)


def _reject(g, c, former) -> None:
    eid = _entity(g, c.target, former, c)
    for n, a in list(g.nodes(data=True)):
        if a.get("kind") == "event":
            if eid in (a.get("participants") or ()):
                a["participants"] = [p for p in a["participants"] if p != eid]
            if a.get("place") == eid:
                a["place"] = None
    g.remove_node(eid)


def _reject_relation(g, c, former) -> None:
    t = c.target
    s = _entity(g, t["subject"], former, c)
    o = _entity(g, t["object"], former, c) if t.get("object") else None
    edges = [(s, v, k) for _, v, k, a in g.out_edges(s, keys=True, data=True)
             if a.get("relation") == t["predicate"] and (o is None or v == o)]
    if not edges:
        raise _Unmatched(f"no {t['predicate']} from {s}" + (f" to {o}" if o else ""))
    for u, v, k in edges:
        g.remove_edge(u, v, k)


def _reject_event(g, c, former) -> None:
    if c.target not in g or g.nodes[c.target].get("kind") != "event":
        raise _Unmatched(f"no event {c.target} in the graph")
    g.remove_node(c.target)


def _add_entity(g, c, former) -> None:
    from .resolve import entity_id

    t = c.target
    eid = t.get("id") or entity_id(t["label"], t["name"])
    if eid in g:
        raise _Unmatched(f"{eid} is already in the graph (use rename to change it)")
    g.add_node(eid, kind="entity", label=t["label"], name=str(t["name"]),
               aliases=sorted(map(str, t.get("aliases") or ())), rank=t.get("rank"), role=t.get("role"),
               geonames=None, lat=t.get("lat"), lon=t.get("lon"), articles=[], mentions=0)
    _cite(g.nodes[eid], c)
    _mark(g.nodes[eid], c)


def _add_relation(g, c, former) -> None:
    t = c.target
    s, o = _entity(g, t["subject"], former, c), _entity(g, t["object"], former, c)
    attrs = {"relation": t["predicate"], "rule": "curated"}
    _cite(attrs, c)
    _mark(attrs, c)
    g.add_edge(s, o, key=f"{t['predicate']}@curated:{c.line}", **attrs)


def _add_event(g, c, former) -> None:
    t = c.target
    participants = [_entity(g, p, former, c) for p in t["participants"]]
    place = _entity(g, t["place"], former, c) if t.get("place") else None
    eid = "event:" + _digest("curated", c.source, t["kind"], participants, t.get("date"), place)
    attrs = {"kind": "event", "event_kind": str(t["kind"]), "date": str(t["date"]) if t.get("date") else None,
             "place": place, "trigger": "", "participants": participants}
    _cite(attrs, c)
    _mark(attrs, c)
    g.add_node(eid, **attrs)
    for p in participants:
        g.add_edge(p, eid, key="participant_in", relation="participant_in", curated=True)
    if place:
        g.add_edge(eid, place, key="took_place_at", relation="took_place_at", curated=True)


def _cite(attrs: dict, c: Correction) -> None:
    cite = c.options.get("citation") or {}
    if cite.get("article"):
        attrs["article"] = str(cite["article"])
    if cite.get("reference"):
        attrs["reference"] = str(cite["reference"])
    note = cite.get("note") or c.options.get("why")
    attrs["sentence"] = str(note) if note else None


def _digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:16]


_APPLY = {"merge": _merge, "split": _split, "rename": _rename, "retype": _retype,
          "reject": _reject, "reject_relation": _reject_relation, "reject_event": _reject_event,
          "add_entity": _add_entity, "add_relation": _add_relation, "add_event": _add_event}


def find_curation(paths: list[str]) -> Path | None:
    """``curation.yaml`` in the first folder among ``paths``, if there is one."""
    for p in paths:
        folder = Path(p)
        if folder.is_dir():
            found = folder / CURATION_FILE
            return found if found.exists() else None
    return None
