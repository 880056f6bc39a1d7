"""The historians' queries of queries/ on the store of the sample corpus, bound values
only (hostile names included), and `kg sparql` as a user runs it."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from conftest import CORPUS
from kg.errors import KgError
from kg.sparql import (PREFIXES, format_table, html_table, list_queries, load_query, parse_query,
                       run_query, to_term)
from kg.store import open_store, update_store

SCHEMA, KG = "https://schema.org/", "https://w3id.org/kg-ww2/ns#"
SEED = CORPUS / "seed_partisans_toulouse.txt"
HOSTILE = ['"} ; DROP ALL ; #', "'", '"', "{", "}", "a\nb", "<script>alert(1)</script>",
           "\\", "} } SELECT * WHERE { ?s ?p ?o", "\u202eломаное\u200b", ""]


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    from kg.pipeline import build

    folder = tmp_path_factory.mktemp("export")
    result, built = build([str(CORPUS)], folder)  # writes the RDF, then the store
    assert len(result.extractions) == 5 and built["outputs"]["store"] == folder / "store"
    assert update_store(None, folder) == folder / "store"  # same RDF: nothing to do
    return folder


@pytest.fixture(scope="module")
def store(out):
    return open_store(out)


def ask(store, name: str, **bindings) -> list[dict[str, str | None]]:
    result = run_query(store, load_query(name), bindings)
    columns = [v.value for v in result.variables]
    return [{c: (row[c].value if row[c] is not None else None) for c in columns} for row in result]


# -- the queries themselves ----------------------------------------------------------

QUERIES = list_queries()


def test_the_historians_questions_are_all_there():
    assert {q.name for q in QUERIES} >= {"members_of_unit", "person_events", "who_was_where",
                                          "fact_sources", "shared_unit", "units_by_place",
                                          "find_name"}


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_each_query_says_what_it_asks_and_selects_what_it_binds(query, store):
    assert query.text.startswith("#") and len(query.description) > 40
    assert query.parameters, "a question without a value to ask about"
    head = query.text[query.text.index("SELECT"):query.text.index("WHERE")]
    for name in query.parameters:
        assert f"?{name}" in head, f"?{name} must be selected to be bound"
    run_query(store, query, {})  # parses and runs with nothing bound


def test_vocabulary_prefixes_agree_with_the_rdf_mapping():
    from kg import rdf

    mapped = {p: str(ns) for p, ns in rdf.PREFIXES.items()}
    assert {p: PREFIXES[p] for p in mapped if p in PREFIXES} == {p: mapped[p] for p in mapped if p in PREFIXES}
    assert PREFIXES["id"] == rdf.BASE
    for q in QUERIES:
        for prefix, iri in re.findall(r"PREFIX (\w+): <([^>]+)>", q.text):
            assert PREFIXES[prefix] == iri, (q.name, prefix)


# -- expected answers from the sample corpus ------------------------------------------

@pytest.mark.parametrize("unit, expected", [
    ("3-я ударная армия", {("Сейтжан Исмаилов", "member", ""),
                           ("Маншук Маметова", "member", "100-я отдельная стрелковая бригада")}),
    ("3-й ударной армии", {("Сейтжан Исмаилов", "member", ""),  # another name of the same unit
                           ("Маншук Маметова", "member", "100-я отдельная стрелковая бригада")}),
    ("движение Сопротивления", {("Кабыш Омаров", "member", "")}),
    ("316-я стрелковая дивизия", {("Иван Панфилов", "commander", "")}),
])
def test_members_of_a_unit(store, unit, expected):
    rows = ask(store, "members_of_unit", unitName=unit)
    assert {(r["personName"], r["role"], r["via"]) for r in rows} == expected


def test_a_persons_events_in_date_order(store):
    rows = ask(store, "person_events", personName="Кабыш Омаров")
    dated = [(r["date"], r["kind"]) for r in rows if r["date"]]
    assert [d for d, _ in dated] == ["1941-06-22", "1941-07", "1941-07", "1943-22", "1943-22"]
    assert dated[0][1] == "other" and {k for d, k in dated[1:3]} == {"wounded", "captured"}
    assert {k for d, k in dated[3:]} == {"escape", "joined"}
    undated = rows[len(dated):]
    assert {r["kind"] for r in undated} == {"liberation", "escape"} and not any(r["date"] for r in undated)
    toulouse = next(r for r in undated if r["kind"] == "liberation")
    assert toulouse["placeName"] == "Тулуза"
    assert sorted(toulouse["with"].split("; ")) == ["Ашимбек Истыбаев", "Кадем Жуманиязов"]
    assert {r["with"] for r in rows if r is not toulouse} == {""}
    assert all(r["headline"] == "Они освобождали Европу" for r in rows)
    assert rows[0]["sentence"].replace("\xa0", " ").startswith("Кабыш Омаров встретил войну 22 июня 1941")
    # any name of the person: an inflected form, the Latin spelling
    for alias in ("Кабыша Омарова", "Kabysh Omarov"):
        assert [r["event"] for r in ask(store, "person_events", personName=alias)] == [r["event"] for r in rows]


def test_who_was_where_in_a_period(store):
    rows = ask(store, "who_was_where", **{"from": "1943-06-01", "to": "1943-08-31"})
    assert ("Кабыш Омаров", "Франция", "1943-22", "joined") in {
        (r["personName"], r["placeName"], r["date"], r["kind"]) for r in rows}
    july = ask(store, "who_was_where", **{"from": "1941-07", "to": "1941-07"})
    assert {(r["personName"], r["placeName"]) for r in july} == {
        ("Кабыш Омаров", "Западная Белоруссия"), ("Кадем Жуманиязов", "Смоленск")}
    assert "1941-06-22" not in {r["date"] for r in july}  # ends before the period
    # a summer overlaps June but not May; a year stands for all of it
    assert not [r for r in ask(store, "who_was_where", **{"from": "1943-03", "to": "1943-05"})
                if r["date"] == "1943-22"]
    assert len(ask(store, "who_was_where", **{"from": "1941", "to": "1945"})) >= len(rows) + len(july)


def test_which_article_and_sentence_support_a_fact(store):
    rows = ask(store, "fact_sources", subjectName="Кабыш Омаров", predicate="schema:memberOf",
               objectName="движение Сопротивления")
    assert len(rows) == 1
    fact = rows[0]
    assert fact["fact"] == "Кабыш Омаров memberOf движение Сопротивления"
    assert fact["headline"] == "Они освобождали Европу" and fact["source"].endswith(SEED.name)
    assert "он присоединился к бойцам движения Сопротивления" in fact["sentence"]
    # the offsets select the sentence in the article's text, exactly
    text = SEED.read_text(encoding="utf-8")
    assert fact["sentence"] == text[int(fact["start"]):int(fact["end"])]
    assert fact["rule"] == "event:joined"
    award = ask(store, "fact_sources", subjectName="Маншук Маметова", predicate="schema:award")
    assert [r["sentence"] for r in award] == ["Звание Героя Советского Союза ей присвоено посмертно 1 марта 1944 года."]
    assert ask(store, "fact_sources", subjectName="Кабыш Омаров", predicate="schema:award") == []


def test_people_who_shared_a_unit(store):
    rows = ask(store, "shared_unit", personName="Маншук Маметова")
    assert rows[0]["otherName"] == "Сейтжан Исмаилов" and rows[0]["sharedUnitName"] == "3-я ударная армия"
    assert rows[0]["ownUnitName"] == "100-я отдельная стрелковая бригада"
    assert {r["otherName"] for r in rows} == {"Сейтжан Исмаилов"}
    assert {r["otherName"] for r in ask(store, "shared_unit", personName="Сейтжан Исмаилов")} == {"Маншук Маметова"}


def test_units_by_place(store):
    france = ask(store, "units_by_place", placeName="Франция")
    assert {(r["unitName"], r["how"]) for r in france} == {("отряд «Монгол»", "location"),
                                                          ("отряд «Монгол»", "other")}
    nevel = ask(store, "units_by_place", placeName="Невель")
    assert [(r["unitName"], r["how"], r["date"]) for r in nevel] == [
        ("100-я отдельная стрелковая бригада", "battle", "1943-23")]


def test_find_a_name_in_any_case(store):
    rows = ask(store, "find_name", text="МОНГОЛ")
    assert {r["canonical"] for r in rows} == {"отряд «Монгол»"}
    assert "MilitaryUnit" in rows[0]["types"]


# -- bound values only ----------------------------------------------------------------

EXAMPLES = {"members_of_unit": {"unitName": "3-я ударная армия"},
            "person_events": {"personName": "Кабыша Омарова"},
            "who_was_where": {"from": "1943", "to": "1944-05"},
            "fact_sources": {"subjectName": "Кабыш Омаров", "predicate": "schema:memberOf"},
            "shared_unit": {"personName": "Маншук Маметова"},
            "units_by_place": {"placeName": "Франция"},
            "find_name": {"text": "ОМАР"}}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_constants_answer_as_substitutions_do(store, name):
    """run_query writes bound values as constants (kg.sparql.inline_terms) for speed;
    pyoxigraph's own substitutions must give the same rows."""
    from pyoxigraph import Variable

    from kg.sparql import declared_prefixes, inline_terms

    query = load_query(name)
    terms = {Variable(k): to_term(v, query.types.get(k), declared_prefixes(query.text))
             for k, v in EXAMPLES[name].items()}
    code = "\n".join(line.split("#")[0] for line in query.text.splitlines())
    # a query with a subquery (fact_sources) is bound by substitution, the others inlined
    assert (inline_terms(query.text, terms) is None) == (code.upper().count("SELECT") > 1)
    inlined = [tuple(r) for r in run_query(store, query, EXAMPLES[name])]
    substituted = [tuple(r) for r in store.query(query.text, prefixes=PREFIXES, substitutions=terms,
                                                 use_default_graph_as_union=True)]
    assert inlined == substituted and inlined

NAMED = [(q.name, v) for q in QUERIES for v in q.parameters if q.types.get(v, "").startswith("@")
         or v == "text"]


@pytest.mark.parametrize("query, variable", NAMED)
@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_names_are_values_not_query_text(store, out, query, variable, hostile):
    before = len(store)
    rows = ask(store, query, **{variable: hostile})
    assert rows == [] or query == "find_name" and hostile in ("", "'", '"', "{", "}")
    assert len(open_store(out)) == before


@pytest.mark.parametrize("hostile", HOSTILE[:-1], ids=range(len(HOSTILE) - 1))
def test_hostile_names_are_found_as_they_are(hostile):
    """A unit and a person named with quotes, braces, newlines: bound, they match exactly."""
    s, ru = Store(), (lambda x: to_term(x, "@ru"))  # tagged as kg.rdf tags names
    unit, person = NamedNode("https://w3id.org/kg-ww2/id/unit/u"), NamedNode("https://w3id.org/kg-ww2/id/person/p")
    for t in [(unit, NamedNode(SCHEMA + "name"), ru(hostile)),
              (person, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), NamedNode(SCHEMA + "Person")),
              (person, NamedNode(SCHEMA + "name"), ru(hostile + " 2")),
              (person, NamedNode(SCHEMA + "memberOf"), unit),
              (unit, NamedNode(SCHEMA + "name"), ru("обычное имя"))]:
        s.add(Quad(*t))
    rows = ask(s, "members_of_unit", unitName=hostile)
    assert [(r["unitName"], r["personName"]) for r in rows] == [(hostile, hostile + " 2")]
    assert [r["canonical"] for r in ask(s, "find_name", text=hostile)] and len(s) == 5


def test_run_query_refuses_what_is_not_a_bound_value(store):
    with pytest.raises(KgError, match="no variable"):
        run_query(store, load_query("person_events"), {"nope": "x"})
    with pytest.raises(KgError, match="no variable"):
        run_query(store, load_query("person_events"), {"personName} ; DROP ALL ; #": "x"})
    with pytest.raises(KgError, match="does not parse"):
        run_query(store, "DROP ALL", {})
    with pytest.raises(KgError, match="does not parse"):
        run_query(store, "SELECT * WHERE { ?s ?p", {})
    with pytest.raises(KgError, match="cannot bind"):
        run_query(store, load_query("fact_sources"), {"predicate": "not an iri\n"})


def test_terms_are_built_not_pasted():
    assert to_term('"} ; DROP ALL ; #', "@ru") == Literal('"} ; DROP ALL ; #', language="ru-Latn")
    assert to_term('"} ; УДАЛИТЬ ; #', "@ru") == Literal('"} ; УДАЛИТЬ ; #', language="ru")
    assert to_term("schema:award", "IRI") == NamedNode(SCHEMA + "award")
    assert to_term("1943-06-01", "xsd:date").datatype == NamedNode("http://www.w3.org/2001/XMLSchema#date")
    assert to_term(1943) == Literal("1943", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    q = parse_query("# Q.\n# ?a @ru: a\n# ?b IRI: b\n#   more\n# ?c: c\nSELECT ?a ?b ?c {}")
    assert q.types == {"a": "@ru", "b": "IRI"} and q.parameters["b"] == "b more"


# -- output ---------------------------------------------------------------------------

def test_table_aligns_cyrillic_wide_and_invisible_characters():
    s = Store()
    for i, name in enumerate(["Кабыш Омаров", "Ӂумаˇниязов", "東京", "a\nb\u202e"]):
        s.add(Quad(NamedNode(f"https://w3id.org/kg-ww2/id/person/{i}"), NamedNode(SCHEMA + "name"), Literal(name)))
    table = format_table(s.query("SELECT ?p ?n WHERE { ?p <https://schema.org/name> ?n } ORDER BY ?p"))
    lines = table.splitlines()
    assert lines[-1] == "(4 rows)" and "a\\nb\\u202e" in table and "\n" not in lines[3]
    import unicodedata

    def col(line: str) -> int:  # the display column of the separator
        head = line[:line.index("|")]
        return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
                   for c in head)
    assert len({col(line) for line in lines[:1] + lines[2:-1]}) == 1


def test_html_table_escapes(store):
    html = html_table(run_query(store, load_query("find_name"), {"text": "монгол"}))
    assert html.startswith("<table>") and "отряд «Монгол»" in html
    assert "<script>" not in html_table(Store().query("SELECT ?x WHERE { BIND('<script>' AS ?x) }"))


# -- kg sparql ------------------------------------------------------------------------

def kg(*args):
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True,
                          encoding="utf-8")


def test_cli_table_csv_json(out):
    proc = kg("sparql", "members_of_unit", "--bind", "unitName=3-я ударная армия", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "Маншук Маметова" in proc.stdout and proc.stdout.rstrip().endswith("(2 rows)")
    proc = kg("sparql", "person_events", "--bind", "personName=Кабыш Омаров", "--out", str(out),
              "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert rows[0]["date"] == "1941-06-22" and rows[0]["personName"] == "Кабыш Омаров"
    proc = kg("sparql", "units_by_place", "--bind", "placeName=Франция", "--out", str(out), "--format", "json")
    result = json.loads(proc.stdout)
    assert {b["unitName"]["value"] for b in result["results"]["bindings"]} == {"отряд «Монгол»"}


def test_cli_ask_construct_file_and_text(out, tmp_path):
    proc = kg("sparql", "ASK { ?p a schema:Person ; schema:name \"Кабыш Омаров\"@ru }", "--out", str(out))
    assert proc.stdout.strip() == "yes"
    proc = kg("sparql", "CONSTRUCT { ?u schema:name ?n } WHERE { ?u a kg:MilitaryUnit ; schema:name ?n }",
              "--out", str(out), "--format", "ntriples")
    assert '"отряд «Монгол»"@ru .' in proc.stdout
    rq = tmp_path / "mine.rq"
    rq.write_text("# People.\n# ?n @ru: a name\nSELECT ?n ?p WHERE { ?p schema:name ?n }", encoding="utf-8")
    proc = kg("sparql", str(rq), "--bind", "n=Кабыш Омаров", "--out", str(out))
    assert "id:person/кабыш_омаров" in proc.stdout


def test_cli_no_build_and_hostile_bindings(out, tmp_path):
    proc = kg("sparql", "person_events", "--out", str(tmp_path))
    assert proc.returncode == 1 and "no build in" in proc.stderr and "kg build" in proc.stderr
    proc = kg("sparql", "person_events", "--bind", 'personName="} ; DROP ALL ; #', "--out", str(out))
    assert proc.returncode == 0 and "(0 rows)" in proc.stdout and "find_name" in proc.stderr
    proc = kg("sparql", "person_events", "--bind", "nope=1", "--out", str(out))
    assert proc.returncode == 2 and "no variable ?nope" in proc.stderr
    proc = kg("sparql", "--list")
    assert proc.returncode == 0 and "--bind personName=" in proc.stdout
