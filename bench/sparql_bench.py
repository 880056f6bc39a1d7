"""SPARQL benchmark: every queries/*.rq on a ~1M-triple graph, pyoxigraph beside rdflib.

    .venv/bin/python bench/sparql_bench.py [--triples 1000000] [--rdflib-timeout 120]

Makes synthetic articles of the sample corpus's shape (people born, conscripted,
joining units, wounded, awarded, dying; units in a front > army > division >
regiment hierarchy fighting at places; places in regions; every name mentioned with
Web Annotation selectors), runs them through kg's own graph and RDF mapping
(``kg.graph.build_graph``, ``kg.rdf.to_rdf``), writes N-Triples, loads them into an
on-disk store with ``kg.store.update_store`` (pyoxigraph ``bulk_load``) and into an
rdflib ``Graph``, and times each query of ``queries/`` through both (median of a few
runs; rdflib once, with a time limit). Results are printed and written to
``bench/results/sparql.md``. Not a test: the numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import gc
import hashlib
import os
import platform
import random
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.types import (AWARD, DATE, PERSON, PLACE, UNIT, Article, Entity, Event,  # noqa: E402
                      Extraction, Mention, Relation)

RESULTS = ROOT / "bench" / "results" / "sparql.md"
NOTES = """
Reading the numbers: a query that binds a name (`members_of_unit`, `person_events`,
`shared_unit`, `units_by_place`, `fact_sources`) looks it up in the store's indexes and
walks out from there, so it stays in milliseconds however big the graph grows.
`who_was_where` compares the time-span of every dated event with the period and
`find_name` reads every name (Oxigraph has no range or full-text index), so they grow
with the number of events and names; they stay fast because `kg.sparql.run_query`
writes bound values as constants (`inline_terms`), which Oxigraph's planner pushes down
to the first pattern (bound by substitution instead, the same queries take 4-6 times
longer). rdflib evaluates `schema:parentOrganization*` and `schema:containedInPlace*`
from every node of the graph and gives no answer within the time limit.
"""

FIRST = ("Кабыш Кадем Ашимбек Сейткали Бауыржан Жумагали Сейтжан Асхат Ержан Марат Алия "
         "Маншук Мария Айша Павел Иван Нурлан Серик Ахмет Талгат Болат Даулет Ерлан Кайрат "
         "Мурат Руслан Тимур Азамат Аскар Бекзат Галым Дамир Жанат Канат Мейрам Нуржан "
         "Олжас Рахат Санжар Тлек Улан Фарид Хасен Шамиль Ырыс Эльдар Юрий Яков").split()
LAST = ("Омаров Жуманиязов Истыбаев Ахметов Исмаилов Жакипов Сатыбалдиев Момышулы "
        "Лысенко Белов Панфилов Сулейменов Нургалиев Тулегенов Байжанов Абенов Ермеков "
        "Кенжебаев Мусин Садыков Токаев Утегенов Шайхин Ибраев Жусупов Калиев Бекетов "
        "Досмухамедов Есенов Ғабитов Қасымов Рахимов Сапаров Тажибаев Уалиев Хамитов").split()
ROOTS = ("Ак Кара Жана Ново Старо Сары Кзыл Бел Крас Петро Алекс Ива Михайл Семён Улы "
         "Кок Тас Шал Бай Есил Ор Урал Торг Степ Лес").split()
ENDS = "ово ево ино овка евка ск ополь град кент тобе булак су аул ское ино".split()
SEASONS = ((21, "Весной"), (22, "Летом"), (23, "Осенью"), (24, "Зимой"))
MONTHS = ("января февраля марта апреля мая июня июля августа сентября октября ноября "
          "декабря").split()
AWARDS = (["орден Красной Звезды", "орден Славы III степени", "орден Отечественной войны I степени",
           "орден Ленина", "медаль «За отвагу»", "медаль «За боевые заслуги»",
           "медаль «За оборону Москвы»", "медаль «За взятие Берлина»", "Герой Советского Союза"]
          + [f"медаль «За освобождение {c}»" for c in ("Варшавы", "Праги", "Белграда", "Вены")]
          + [f"орден Красного Знамени № {i}" for i in range(1, 28)])


@dataclass
class Pools:
    persons: list[tuple[str, str, tuple[str, ...]]]  # id, name, aliases
    places: list[tuple[str, str]]
    regions: list[tuple[str, str]]
    units: list[tuple[str, str, str | None]]  # id, name, parent id
    awards: list[tuple[str, str]]
    region_of: dict[str, str] = field(default_factory=dict)
    unit_by_id: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)


def make_pools(rng: random.Random, persons: int, places: int) -> Pools:
    names = set()
    people = []
    while len(people) < persons:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        if name in names:
            name = f"{first} {rng.choice(FIRST)}улы {last} {len(people)}"
        names.add(name)
        pid = "person:" + name.lower().replace(" ", "_")
        people.append((pid, name, (f"{first}а {last}а", last)))
    regions = [(f"place:{r.lower()}ская_область_{i}", f"{r}ская область {i}")
               for i, r in enumerate(rng.sample(ROOTS, 20) * 3)]
    settlements, seen = [], set()
    while len(settlements) < places:
        name = rng.choice(ROOTS) + rng.choice(ENDS)
        if name in seen:
            name = f"{name}-{len(settlements)}"
        seen.add(name)
        settlements.append(("place:" + name.lower(), name))
    region_of = {pid: rng.choice(regions)[0] for pid, _ in settlements}
    units = []
    fronts = [(f"unit:{n}-й_фронт", f"{n}-й Украинский фронт", None) for n in range(1, 11)]
    units += fronts
    armies = [(f"unit:{n}-я_армия", f"{n}-я армия", rng.choice(fronts)[0]) for n in range(1, 61)]
    units += armies
    divisions = [(f"unit:{n}-я_стрелковая_дивизия", f"{n}-я стрелковая дивизия",
                  rng.choice(armies)[0]) for n in range(100, 700)]
    units += divisions
    units += [(f"unit:{n}-й_стрелковый_полк", f"{n}-й стрелковый полк", rng.choice(divisions)[0])
              for n in range(1000, 2800)]
    awards = [("award:" + a.lower().replace(" ", "_"), a) for a in AWARDS]
    return Pools(people, settlements, regions, units, awards, region_of, {u[0]: u for u in units})


class _Writer:
    """Builds one article's text with its mentions, sentence by sentence."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0
        self.mentions: list[Mention] = []
        self.sentences: list[tuple[int, int]] = []
        self.events: list[Event] = []
        self.relations: list[Relation] = []
        self._pending: list[tuple[int, int, str, str, str | None, str | None]] = []
        self._start = 0

    def text(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)

    def name(self, s: str, label: str, entity: str | None = None, value: str | None = None) -> None:
        self._pending.append((self.length, self.length + len(s), s, label, entity, value))
        self.text(s)

    def end(self) -> tuple[int, int]:
        span = (self._start, self.length)
        for start, end, s, label, entity, value in self._pending:
            self.mentions.append(Mention(start, end, s, label, span, entity, value, "bench"))
        self.sentences.append(span)
        self._pending = []
        self.text(" ")
        self._start = self.length
        return span


def make_article(rng: random.Random, pools: Pools, i: int) -> Extraction:
    w = _Writer()
    people = rng.sample(pools.persons, 6)
    units = rng.sample(pools.units, 3)
    places = rng.sample(pools.places, 5)
    award = rng.choice(pools.awards)
    unit_of = {p[0]: rng.choice(units) for p in people}
    used: dict[str, Entity] = {}

    def ent(eid: str, label: str, name: str, aliases=()) -> str:
        used.setdefault(eid, Entity(eid, label, name, tuple(aliases)))
        return eid

    def person(p, form=0):
        pid, name, aliases = p
        w.name(name if form == 0 else aliases[0], PERSON, ent(pid, PERSON, name, aliases))
        return pid

    def place(pl):
        w.name(pl[1], PLACE, ent(pl[0], PLACE, pl[1]))
        return pl[0]

    def unit(u):
        w.name(u[1], UNIT, ent(u[0], UNIT, u[1]))
        return u[0]

    def date(value: str, text: str):
        w.name(text, DATE, value=value)
        return value

    for p in people:
        year = rng.randint(1900, 1926)
        w.text("")
        pid = person(p)
        w.text(" родился в ")
        d = date(str(year), f"{year} году")
        w.text(" в ")
        pl = place(places[rng.randrange(5)])
        w.text(".")
        ev = w.end()
        w.events.append(Event("birth", (pid,), "родился", ev, d, pl))
        w.relations.append(Relation(pid, "born_in", pl, ev, "verb:родиться"))

        month = rng.randint(1, 12)
        year = rng.randint(1941, 1943)
        w.text("В ")
        d = date(f"{year}-{month:02d}", f"{MONTHS[month - 1]} {year} года")
        w.text(" его призвали в армию, и он попал в ")
        u = unit(unit_of[pid])
        w.text(".")
        ev = w.end()
        w.events.append(Event("conscription", (pid,), "призвали", ev, d))
        w.events.append(Event("joined", (pid, u), "попал", ev, d))
        w.relations.append(Relation(pid, "member_of", u, ev, "event:joined"))

        season, word = rng.choice(SEASONS)
        year = rng.randint(1941, 1945)
        w.text("")
        d = date(f"{year}-{season}", f"{word} {year} года")
        w.text(" ")
        person(p, 1 if rng.random() < 0.5 else 0)
        w.text(" был ранен под ")
        pl = place(places[rng.randrange(5)])
        w.text(".")
        ev = w.end()
        w.events.append(Event("wounded", (pid,), "ранен", ev, d, pl))

        if rng.random() < 0.5:
            day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1942, 1945)
            w.text("")
            d = date(f"{year}-{month:02d}-{day:02d}", f"{day} {MONTHS[month - 1]} {year} года")
            w.text(" ")
            person(p)
            w.text(" получил ")
            a = award[0]
            w.name(award[1], AWARD, ent(a, AWARD, award[1]))
            w.text(".")
            ev = w.end()
            w.events.append(Event("award", (pid,), "получил", ev, d))
            w.relations.append(Relation(pid, "awarded", a, ev, "event:award"))
        if rng.random() < 0.3:
            year = rng.randint(1941, 1945)
            w.text("Он погиб в ")
            d = date(str(year), f"{year} году")
            w.text(" под ")
            pl = place(places[rng.randrange(5)])
            w.text(".")
            ev = w.end()
            w.events.append(Event("death", (pid,), "погиб", ev, d, pl))
            w.relations.append(Relation(pid, "died_in", pl, ev, "verb:погибнуть"))

    for u in units:
        season, word = rng.choice(SEASONS)
        year = rng.randint(1941, 1945)
        w.text("")
        d = date(f"{year}-{season}", f"{word} {year} года")
        w.text(" ")
        uid = unit(u)
        w.text(" сражалась под ")
        pl = place(places[rng.randrange(5)])
        w.text(".")
        ev = w.end()
        w.events.append(Event("battle", (uid,), "сражалась", ev, d, pl))
        if u[2]:
            parent = pools.unit_by_id[u[2]]
            w.text("")
            unit(u)
            w.text(" входила в состав ")
            pid = unit(parent)
            w.text(".")
            w.relations.append(Relation(uid, "part_of", pid, w.end(), "in_composition"))
    commander = people[0]
    w.text("Командиром ")
    u = unit(units[0])
    w.text(" был ")
    person(commander)
    w.text(".")
    w.relations.append(Relation(commander[0], "commanded", u, w.end(), "role_of_person"))
    for pl in places[:2]:
        w.text("")
        place(pl)
        w.text(" находится в ")
        region = pools.region_of[pl[0]]
        w.name(region.split(":", 1)[1].replace("_", " "), PLACE,
               ent(region, PLACE, region.split(":", 1)[1].replace("_", " ")))
        w.text(".")
        w.relations.append(Relation(pl[0], "located_in", region, w.end(), "located_in"))

    text = "".join(w.parts)
    digest = hashlib.sha256(f"bench article {i}".encode()).hexdigest()
    art = Article(source=f"bench/{i:05d}.txt", text=text, digest=digest,
                  title=f"Статья {i}: о земляках", published=f"20{rng.randint(10, 25)}-05-0{rng.randint(1, 9)}")
    return Extraction(art, tuple(w.mentions), tuple(used.values()), tuple(w.events),
                      tuple(w.relations), sentences=tuple(w.sentences))


def write_graph(triples: int, folder: Path, seed: int = 1945) -> tuple[Path, Path, int, float]:
    """Synthetic articles until the RDF has about ``triples`` triples, written as a build
    writes them: ``graph.trig`` (named graphs) and ``graph.nt`` (their union) in ``folder``."""
    from kg.graph import build_graph
    from kg.rdf import rdf_quads, serialize

    rng = random.Random(seed)
    pools = make_pools(rng, persons=max(1000, triples // 40), places=max(300, triples // 300))
    started = time.perf_counter()
    trial = rdf_quads(build_graph([make_article(random.Random(seed + k), pools, k) for k in range(20)]))
    per_article = len({q[:3] for q in trial}) / 20
    n = max(1, round(triples / per_article))
    quads = rdf_quads(build_graph([make_article(random.Random(seed + k), pools, k) for k in range(n)]))
    trig, nt = folder / "graph.trig", folder / "graph.nt"
    trig.write_bytes(serialize(quads, "trig"))
    nt.write_bytes(serialize(quads, "nt"))
    count = len({q[:3] for q in quads})
    del quads
    gc.collect()
    return trig, nt, count, time.perf_counter() - started


# -- timing ---------------------------------------------------------------------------

class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def time_pyoxigraph(store, query, bindings, runs: int = 5) -> tuple[float, int]:
    from kg.sparql import run_query

    times, count = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        result = run_query(store, query.text, bindings)
        count = _count(result)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, count


def time_rdflib(graph, query, bindings, timeout: int) -> tuple[float | None, int | None]:
    from kg.sparql import declared_prefixes, to_term

    prefixes = declared_prefixes(query.text)
    init = {k: _rdflib_term(to_term(v, query.types.get(k), prefixes)) for k, v in bindings.items()}
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    t = time.perf_counter()
    try:
        count = len(list(graph.query(query.text, initBindings=init)))
    except _Timeout:
        return None, None
    finally:
        signal.alarm(0)
    return (time.perf_counter() - t) * 1000, count


def _rdflib_term(term):
    """The same RDF term for rdflib: what kg.sparql binds for pyoxigraph."""
    from pyoxigraph import NamedNode
    from rdflib import Literal, URIRef

    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value.endswith("#string"):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _count(result) -> int:
    if isinstance(result, bool) or type(result).__name__ == "QueryBoolean":
        return int(bool(result))
    return sum(1 for _ in result)


def pick_bindings(store) -> dict[str, dict[str, str]]:
    """Bind each query's parameters to values that exist in the generated graph."""
    from kg.sparql import run_query

    def one(q: str) -> str:
        rows = list(run_query(store, q, {}))
        return rows[0]["v"].value if rows else None

    schema = "PREFIX schema: <https://schema.org/> PREFIX kg: <https://w3id.org/kg-ww2/ns#> "
    person = one(schema + "SELECT ?v WHERE { ?e kg:participant ?p . ?p a schema:Person ; "
                 "schema:name ?v . ?p schema:memberOf ?u } LIMIT 1")
    front = one(schema + "SELECT ?v WHERE { ?f a kg:MilitaryUnit ; schema:name ?v . "
                "FILTER NOT EXISTS { ?f schema:parentOrganization ?x } "
                "FILTER EXISTS { ?a schema:parentOrganization ?f } } LIMIT 1")
    place = one(schema + "SELECT ?v WHERE { ?e schema:location ?p . ?p schema:name ?v } LIMIT 1")
    region = one(schema + "SELECT ?v WHERE { ?e schema:location ?p ; kg:participant ?u . "
                 "?u a kg:MilitaryUnit . ?p schema:containedInPlace ?r . ?r schema:name ?v } LIMIT 1")
    fact = list(run_query(store, schema + "SELECT ?s ?o WHERE { ?p schema:award ?a ; schema:name ?s . "
                          "?a schema:name ?o } LIMIT 1", {}))[0]
    return {
        "members_of_unit": {"unitName": front},  # a front: its armies, divisions, regiments
        "person_events": {"personName": person},
        "who_was_where": {"from": "1943-06-01", "to": "1943-08-31"},
        "fact_sources": {"subjectName": fact["s"].value, "objectName": fact["o"].value},
        "shared_unit": {"personName": person},
        "units_by_place": {"placeName": region if region else place},
        "find_name": {"text": next(w for w in reversed(person.split()) if w.isalpha()).lower()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--rdflib-timeout", type=int, default=120, metavar="S",
                    help="give up an rdflib query after S seconds (default 120)")
    ap.add_argument("--keep", metavar="DIR", help="build in DIR and keep it (default: a temporary folder)")
    args = ap.parse_args(argv)

    from kg.sparql import list_queries
    from kg.store import open_store, store_info, store_path, update_store

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kg-sparql-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    lines = []

    def say(s: str = "") -> None:
        print(s, flush=True)
        lines.append(s)

    try:
        print(f"generating about {args.triples:,} triples in {folder} ...", flush=True)
        # in another process, so that this one's memory measures rdflib alone
        with ProcessPoolExecutor(1) as pool:
            trig, nt, triples, gen_s = pool.submit(write_graph, args.triples, folder).result()
        print(f"  {triples:,} triples in {gen_s:.0f} s: graph.trig {trig.stat().st_size / 1e6:.0f} MB, "
              f"graph.nt {nt.stat().st_size / 1e6:.0f} MB")

        t = time.perf_counter()
        update_store(trig, folder)  # as a build does: the named graphs of graph.trig
        load_s = time.perf_counter() - t
        store_mb = _size(store_path(folder)) / 1e6
        quads = store_info(folder)["quads"]
        t = time.perf_counter()
        store = open_store(folder)
        open_ms = (time.perf_counter() - t) * 1000

        queries = list_queries()
        bindings = pick_bindings(store)
        oxi = {q.name: time_pyoxigraph(store, q, bindings.get(q.name, {})) for q in queries}
        for q in queries:
            print(f"  pyoxigraph: {q.name} {oxi[q.name][0]:.1f} ms, {oxi[q.name][1]} rows", flush=True)

        print("loading graph.nt into rdflib ...", flush=True)
        import rdflib

        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        graph = rdflib.Graph()
        graph.parse(str(nt), format="nt")
        rdflib_load_s = time.perf_counter() - t
        rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rdf = {}
        for q in queries:
            print(f"  rdflib: {q.name} ...", flush=True)
            rdf[q.name] = time_rdflib(graph, q, bindings.get(q.name, {}), args.rdflib_timeout)

        say("# SPARQL benchmark: queries/*.rq on a ~1M-triple graph")
        say()
        say(f"`python bench/sparql_bench.py --triples {args.triples}` on {time.strftime('%Y-%m-%d')}, "
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, pyoxigraph {_version('pyoxigraph')}, rdflib {_version('rdflib')}.")
        say()
        say(f"A synthetic graph of {triples:,} distinct triples, written by kg's own mapping "
            "(kg.graph, kg.rdf) from generated articles: people born, conscripted, joining units, "
            "wounded, awarded, dying; units in a front > army > division > regiment hierarchy "
            "fighting at places; places in regions; EDTF dates (days, months, seasons, years); "
            "every mention, relation and event with its Web Annotation.")
        say()
        say("| | pyoxigraph (on-disk store) | rdflib (in memory) |")
        say("| --- | --- | --- |")
        say(f"| load | {load_s:.1f} s: `kg.store.update_store` (`bulk_load`) of graph.trig, "
            f"{trig.stat().st_size / 1e6:.0f} MB, {quads:,} quads in the per-article named graphs | "
            f"{rdflib_load_s:.1f} s: `Graph.parse` of graph.nt, {nt.stat().st_size / 1e6:.0f} MB |")
        say(f"| size | {store_mb:.0f} MB on disk | {(rss1 - rss0) / 1024:.0f} MB of memory (peak resident "
            "size grown by the parse) |")
        say(f"| open the built store | {open_ms:.0f} ms (`Store.read_only`) | (parse again) |")
        say()
        say("Per query: median of 5 runs through pyoxigraph (`kg.sparql.run_query`, bound values), "
            f"one run through rdflib (`Graph.query` with `initBindings`, stopped after "
            f"{args.rdflib_timeout} s); rows = the rows each returned.")
        say()
        say("| query | bound | pyoxigraph ms | rows | rdflib ms | rows | rdflib / pyoxigraph |")
        say("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
        for q in queries:
            ms, n = oxi[q.name]
            rms, rn = rdf[q.name]
            bound = ", ".join(f"?{k} = {v!r}" for k, v in bindings.get(q.name, {}).items()) or "—"
            rtext = f"{rms:,.0f}" if rms is not None else f"> {args.rdflib_timeout * 1000:,}"
            ratio = f"{rms / ms:,.0f}x" if rms is not None and ms > 0 else "—"
            say(f"| `{q.name}` | {bound} | {ms:.1f} | {n} | {rtext} | {rn if rn is not None else '—'} | {ratio} |")
        say(NOTES)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    sys.exit(main())
