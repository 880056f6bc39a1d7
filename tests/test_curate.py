"""kg.curate: historians' corrections in a curation file, applied on every build; they
survive new articles and rebuilds, change nothing else, and are told apart from what
was extracted in the graph, the RDF, the HTML and `kg person`."""
from __future__ import annotations

import csv
import io
import json
import re

import networkx as nx
import pytest

from kg.cli import main
from kg.curate import append_correction, apply_curation, parse_curation
from kg.errors import DataError
from kg.pipeline import build

ARTICLES = {
    "a1.txt": "Кабыш Омаров служил в партизанском отряде «Монгол». Летом 1944 года отряд «Монгол» освобождал Тулузу.",
    "a2.txt": "К. Омаров был ранен под Смоленском в июле 1941 года. Позже К. Омаров бежал из плена.",
    "a3.txt": "Маншук Маметова родилась в 1922 году в Уральске. Маметова погибла под Невелем в 1943 году.",
    "a4.txt": "Учительница Маметова рассказала школьникам о войне. Маметова работает в школе Алматы с 1990 года.",
}
LATER = {"a5.txt": "Кадем Жуманиязов служил вместе с Кабышем Омаровым. Жуманиязов погиб в 1944 году."}

def article_id(name: str) -> str:
    import hashlib
    return "article:" + hashlib.sha256((ARTICLES[name] + "\n").encode("utf-8")).hexdigest()[:16]


CURATION = """\
- merge: [person:кабыш_омаров, "person:к__омаров@64c0de6d"]
  seen_in: {person:кабыш_омаров: [%s]}
  who: Дина
  why: одно лицо, ранен под Смоленском
- rename: person:маметова_учительница
  name: Маметова
- reject: place:алматы
- add_entity: {label: AWARD, name: Герой Советского Союза}
- add_relation: {subject: person:маметова_маншук, predicate: awarded, object: award:герой_советского_союза}
  citation: {reference: "ЦАМО, ф. 33, оп. 682524, д. 1", note: наградной лист}
""" % article_id("a1.txt")


def entities(out) -> dict[str, dict]:
    rows = csv.DictReader(io.StringIO((out / "entities.csv").read_text(encoding="utf-8")))
    return {r["id"]: r for r in rows}


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    return folder


def test_corrections_hold_after_new_articles_and_change_nothing_else(corpus, tmp_path):
    plain = tmp_path / "plain"
    build([str(corpus)], plain, use_cache=False)
    before = entities(plain)
    assert "person:к__омаров@64c0de6d" in before and "place:алматы" in before  # what we correct

    (corpus / "curation.yaml").write_text(CURATION, encoding="utf-8")
    out = tmp_path / "out"
    result, _ = build([str(corpus)], out)
    assert result.curation.applied == 5 and result.curation.unmatched == []
    after = entities(out)
    omarov = after["person:кабыш_омаров"]
    assert "К. Омаров" in omarov["aliases"] and "person:к__омаров@64c0de6d" not in after
    assert after["person:маметова_учительница"]["name"] == "Маметова"
    assert "place:алматы" not in after
    assert "award:герой_советского_союза" in after
    # nothing else changed: every other entity is as the plain build has it
    touched = {"person:кабыш_омаров", "person:к__омаров@64c0de6d", "person:маметова_учительница",
               "place:алматы", "award:герой_советского_союза"}
    assert {k: v for k, v in after.items() if k not in touched} == \
           {k: v for k, v in before.items() if k not in touched}

    # new articles, a rebuild: every correction still holds, although the new article's
    # "Кабыш Омаров" (a namesake, for all the linker knows) gives both scoped ids now
    for name, text in LATER.items():
        (corpus / name).write_text(text + "\n", encoding="utf-8")
    result, built = build([str(corpus)], out)
    assert result.curation.applied == 5 and len(result.extractions) == 5
    again = entities(out)
    merged = [r for r in again.values() if "К. Омаров" in r["aliases"]]
    assert [r["id"] for r in merged] == ["person:кабыш_омаров@" + article_id("a1.txt")[8:16]]
    assert "person:к__омаров@64c0de6d" not in again and "place:алматы" not in again
    assert again["person:маметова_учительница"]["name"] == "Маметова"
    assert "person:жуманиязов_кадем" in again


def test_an_id_that_became_ambiguous_is_reported_not_guessed(corpus, tmp_path):
    for name, text in LATER.items():
        (corpus / name).write_text(text + "\n", encoding="utf-8")
    (corpus / "curation.yaml").write_text("- reject: person:кабыш_омаров\n", encoding="utf-8")
    result, _ = build([str(corpus)], tmp_path / "out")
    [line] = result.curation.unmatched
    assert "curation.yaml:1: reject no longer applies: person:кабыш_омаров is now several entities" in line
    assert sum(1 for r in entities(tmp_path / "out").values() if r["name"] == "Кабыш Омаров") == 2


def test_curated_facts_carry_their_own_provenance(corpus, tmp_path):
    (corpus / "curation.yaml").write_text(CURATION, encoding="utf-8")
    out = tmp_path / "out"
    build([str(corpus)], out)
    trig = (out / "graph.trig").read_text(encoding="utf-8")
    curation = trig[trig.index("graph:curation {"):]
    curation = curation[:curation.index("\n}\n")]
    assert "ЦАМО, ф. 33, оп. 682524, д. 1" in curation and "наградной лист" in curation
    assert "merge, Дина" in curation
    assert re.search(r"owl:sameAs", curation)  # the merged-away id leads to the survivor
    from kg.store import open_store
    rows = list(open_store(out).query(
        "PREFIX owl: <http://www.w3.org/2002/07/owl#> SELECT ?old ?new WHERE { ?old owl:sameAs ?new }",
        use_default_graph_as_union=True))
    assert [(r["old"].value.rsplit("/", 1)[-1], r["new"].value.rsplit("/", 1)[-1]) for r in rows] == [
        ("%D0%BA__%D0%BE%D0%BC%D0%B0%D1%80%D0%BE%D0%B2~64c0de6d", "%D0%BA%D0%B0%D0%B1%D1%8B%D1%88_%D0%BE%D0%BC%D0%B0%D1%80%D0%BE%D0%B2")] \
        or len(rows) == 1
    page = (out / "graph.html").read_text(encoding="utf-8")
    data = json.loads(page[page.index('id="kg-data">') + len('id="kg-data">'):page.index("</script>", page.index('id="kg-data">'))])
    omarov = next(e for e in data["entities"] if e["id"] == "person:кабыш_омаров")
    assert omarov["former"] == ["person:к__омаров@64c0de6d"] and "merge, Дина" in omarov["cur"][0]
    award = next(r for r in data["edges"] if r["rel"] == "awarded")
    assert award["ref"] == "ЦАМО, ф. 33, оп. 682524, д. 1" and award["cur"]


def test_the_commands_write_the_file_and_rebuild(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(corpus), "--out", str(out), "--no-progress", "-j", "1"]) == 0
    assert main(["merge", "person:кабыш_омаров", "person:к__омаров@64c0de6d", "--out", str(out),
                 "--who", "Дина", "--why", "одно лицо"]) == 0
    assert main(["rename", "person:маметова_учительница", "Маметова", "--out", str(out)]) == 0
    assert main(["reject", "place:алматы", "--out", str(out)]) == 0
    assert main(["retype", "unit:отряд_монгол", "ORG", "--out", str(out)]) == 0
    assert main(["reject", "person:кабыш_омаров", "--relation", "member_of", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "curation: 5 corrections applied" in printed
    text = (corpus / "curation.yaml").read_text(encoding="utf-8")
    assert text.startswith("# kg curation") and "who: Дина" in text and "- reject: place:алматы" in text
    assert [c.op for c in parse_curation(text)] == ["merge", "rename", "reject", "retype", "reject_relation"]
    after = entities(out)
    assert "person:к__омаров@64c0de6d" not in after and "place:алматы" not in after
    assert after["unit:отряд_монгол"]["label"] == "ORG"
    assert "member_of" not in (out / "relations.csv").read_text(encoding="utf-8")
    assert main(["person", "Кабыш", "Омаров", "--out", str(out)]) == 0
    assert "curated: merge, Дина" in capsys.readouterr().out
    # a correction whose entity is gone is reported, not fatal
    assert main(["reject", "person:нет_такого", "--out", str(out)]) == 1
    assert "no longer applies: no entity person:нет_такого" in capsys.readouterr().out


def graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for art in ("article:1", "article:2"):
        g.add_node(art, kind="article", title=art)
    for eid, name, arts in (("person:a", "Кабыш Омаров", ["article:1"]), ("person:b", "Омаров", ["article:2"]),
                            ("person:m", "Маметова", ["article:1", "article:2"]), ("unit:u", "отряд «Монгол»", ["article:1"])):
        g.add_node(eid, kind="entity", label=eid.split(":")[0].upper(), name=name, aliases=[], articles=arts,
                   mentions=len(arts), rank=None, role=None)
        for art in arts:
            g.add_edge(art, eid, key=f"m-{eid}", relation="mentions", start=0, end=5, text=name, sentence=name)
    g.add_edge("person:b", "unit:u", key="member_of@2", relation="member_of", article="article:2", sentence="…")
    g.add_node("event:1", kind="event", event_kind="wounded", participants=["person:b", "person:m"],
               article="article:2", place=None)
    g.add_edge("person:b", "event:1", key="participant_in", relation="participant_in", article="article:2")
    return g


@pytest.mark.parametrize("yaml_text, check", [
    ("- merge: [person:a, person:b]",
     lambda g: "person:b" not in g and g.has_edge("person:a", "unit:u")
     and g.nodes["event:1"]["participants"] == ["person:a", "person:m"]
     and g.nodes["person:a"]["articles"] == ["article:1", "article:2"]),
    ("- merge: [person:a, person:b]\n  into: person:b",
     lambda g: "person:a" not in g and g.nodes["person:b"]["merged_from"] == ["person:a"]),
    ("- split: person:m\n  articles: [article:2]\n  id: person:m2\n  name: Маргарита Маметова",
     lambda g: g.nodes["person:m2"]["articles"] == ["article:2"] and g.nodes["person:m"]["articles"] == ["article:1"]
     and g.nodes["event:1"]["participants"] == ["person:b", "person:m2"]
     and g.nodes["person:m2"]["name"] == "Маргарита Маметова"),
    ("- rename: person:b\n  name: Кабыш Омаров\n  aliases: [Kabysh Omarov]",
     lambda g: g.nodes["person:b"]["name"] == "Кабыш Омаров" and g.nodes["person:b"]["aliases"] == ["Kabysh Omarov", "Омаров"]),
    ("- retype: unit:u\n  label: ORG", lambda g: g.nodes["unit:u"]["label"] == "ORG"),
    ("- reject: person:b", lambda g: "person:b" not in g and g.nodes["event:1"]["participants"] == ["person:m"]),
    ("- reject_relation: {subject: person:b, predicate: member_of, object: unit:u}",
     lambda g: not g.has_edge("person:b", "unit:u")),
    ("- reject_event: event:1", lambda g: "event:1" not in g),
    ("- reject_relation: {subject: person:b, predicate: member_of}",  # every such relation
     lambda g: not g.has_edge("person:b", "unit:u")),
    ("- add_event: {kind: reburial, participants: [person:a], date: '1965'}\n  citation: {note: памятник}",
     lambda g: any(a.get("event_kind") == "reburial" and a.get("curated") for _, a in g.nodes(data=True))),
    # a later correction may name a merged-away id
    ("- merge: [person:a, person:b]\n- rename: person:b\n  name: Кабыш Омарович Омаров",
     lambda g: g.nodes["person:a"]["name"] == "Кабыш Омарович Омаров"),
])
def test_each_operation(yaml_text, check):
    g = graph()
    report = apply_curation(g, parse_curation(yaml_text, "c.yaml"))
    assert report.unmatched == [] and check(g)


@pytest.mark.parametrize("yaml_text, message", [
    ("merge: [a, b]", "a list of corrections"),
    ("- fuse: [a, b]", "c.yaml:1: say one operation"),
    ("- merge: person:a", "two or more entity ids"),
    ("- retype: unit:u\n  label: SHIP", "label: one of"),
    ("- add_relation: {subject: a, predicate: member_of, object: b}", "cite the source"),
    ("- add_relation: {subject: a, predicate: loves, object: b}\n  citation: {note: x}", "predicate: one of"),
    ("- split: person:m", "say which articles"),
    ("- [oops", "not valid YAML"),
])
def test_a_bad_correction_names_the_file_and_line(yaml_text, message):
    with pytest.raises(DataError, match=re.escape(message)):
        parse_curation(yaml_text, "c.yaml")


def test_appended_corrections_read_back_with_hostile_text(tmp_path):
    path = tmp_path / "curation.yaml"
    hostile = "\"} ; DROP ALL ; # <script>alert(1)</script>\n: - [x]"
    append_correction(path, "rename", "person:a", name=hostile, who="Дина", why=hostile)
    c = append_correction(path, "reject", "person:b")
    cs = parse_curation(path.read_text(encoding="utf-8"))
    assert [x.op for x in cs] == ["rename", "reject"] and cs[0].options["name"] == hostile
    assert c.line == cs[1].line > cs[0].line


def test_the_curated_rdf_still_passes_the_shapes(corpus, tmp_path):
    import rdflib

    from test_rdf import validate

    (corpus / "curation.yaml").write_text(CURATION + """\
- add_event: {kind: reburial, participants: [person:маметова_маншук], date: "1965", place: place:уральск}
  citation: {reference: "Книга памяти, т. 3, с. 41"}
- split: person:маметова_маншук
  articles: [%s]
""" % article_id("a3.txt"), encoding="utf-8")
    build([str(corpus)], tmp_path / "out")
    data = rdflib.Graph().parse(tmp_path / "out" / "graph.ttl")
    conforms, components, text = validate(data)
    assert conforms, text
