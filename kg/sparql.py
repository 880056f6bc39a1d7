"""Ask the store: SPARQL with bound values, the historians' queries of ``queries/``, and
the answers as a terminal table, CSV, JSON or an HTML table.

User values never become query syntax: :func:`run_query` makes each an RDF term
(:func:`to_term`) and writes the term where its variable stood, serialised by
pyoxigraph itself (:func:`inline_terms`: quotes, backslashes and newlines escaped;
IRIs and language tags validated), so that the query planner sees constants; where
that cannot be done safely it binds by pyoxigraph substitution (SEP-0007). Either way
a name like ``"} ; DROP ALL ; #`` is only ever a literal to compare with. A query says in its leading comment which variables a user binds and what RDF
term a string becomes (``# ?personName @ru: ...``); bound in a triple pattern, the
value is looked up in the store's indexes directly, so a name is matched as the
graph spells it (``find_name.rq`` searches names in any case). A variable can be
bound only where the query has it in scope (for ``SELECT``, in the projection); the
queries of ``queries/`` select every variable they document.

Queries see every graph of the store as one (``use_default_graph_as_union``): the
per-article named graphs of TriG and the default graph of N-Triples alike. A triple
that several articles state comes once per article, so the queries say ``DISTINCT``.

>>> from pyoxigraph import Literal, NamedNode, Quad, Store
>>> store = Store()
>>> person = NamedNode("https://w3id.org/kg-ww2/id/person/x")
>>> store.add(Quad(person, NamedNode("https://schema.org/name"), Literal("Кабыш Омаров", language="ru")))
>>> q = "# ?name @ru: a name, as the graph spells it\\nSELECT ?p ?name WHERE { ?p schema:name ?name }"
>>> [r["p"].value for r in run_query(store, q, {"name": "Кабыш Омаров"})]
['https://w3id.org/kg-ww2/id/person/x']
>>> list(run_query(store, q, {"name": '"} ; DROP ALL ; #'}))
[]
>>> print(format_table(run_query(store, q, {"name": "Кабыш Омаров"})))
p           | name
------------+-------------
id:person/x | Кабыш Омаров
(1 row)
"""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import (BlankNode, Literal, NamedNode, QueryBoolean, QueryResultsFormat,
                        QuerySolutions, QueryTriples, RdfFormat, Triple, Variable, serialize)

from .errors import KgError

XSD = "http://www.w3.org/2001/XMLSchema#"

# Known to every query run here (a query may declare its own, which win); the kg terms
# are those of kg.rdf (tests/test_queries.py checks that they agree).
PREFIXES = {
    "schema": "https://schema.org/",
    "kg": "https://w3id.org/kg-ww2/ns#",
    "id": "https://w3id.org/kg-ww2/id/",
    "oa": "http://www.w3.org/ns/oa#",
    "crm": "http://www.cidoc-crm.org/cidoc-crm/",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "dcterms": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": XSD,
}

FORMATS = ("table", "csv", "json", "turtle", "ntriples")
MAX_CELL = 60  # characters of a table cell before it is cut with "…"
# Exactly kg.rdf's rule for tagging a name "@ru-Latn" (kg.rdf._name), which this module
# does not import: with wider ranges here ("À", "a\u0500"), a bound name got another
# language tag than the graph's and matched nothing (found by tests/test_properties.py).
_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")

Result = QuerySolutions | QueryBoolean | QueryTriples
Term = NamedNode | BlankNode | Literal | Triple


@dataclass(frozen=True)
class Query:
    """A query of ``queries/``: its name (the file stem), text, what it asks (the
    leading comment) and the variables a user can bind, each with what it is and the
    RDF term a plain string becomes (``# ?name TYPE: what it is``; see :func:`to_term`)."""

    name: str
    text: str
    description: str
    parameters: dict[str, str]  # variable -> what it is
    types: dict[str, str]  # variable -> "@ru", "IRI", "xsd:date"...; absent: a plain string
    path: Path | None = None


def queries_dir() -> Path:
    """The project's ``queries/`` folder (``KG_QUERIES_DIR`` overrides it)."""
    env = os.environ.get("KG_QUERIES_DIR")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "queries"


def list_queries() -> list[Query]:
    """Every ``queries/*.rq``, by name.

    >>> "members_of_unit" in [q.name for q in list_queries()]
    True
    """
    return [parse_query(p.read_text(encoding="utf-8"), p.stem, p)
            for p in sorted(queries_dir().glob("*.rq"))]


def load_query(query_or_file: str) -> Query:
    """A query from a file path, from the name of a query of ``queries/``
    (``members_of_unit`` or ``members_of_unit.rq``), or the query text itself.

    >>> load_query("members_of_unit").parameters["unitName"].startswith("the unit's name")
    True
    >>> load_query("ASK { ?s ?p ?o }").name
    'query'
    """
    text = query_or_file.strip()
    if re.fullmatch(r"[\w.-]+", text):
        named = queries_dir() / (text if text.endswith(".rq") else text + ".rq")
        if named.is_file():
            return parse_query(named.read_text(encoding="utf-8"), named.stem, named)
    if "\n" not in text and "{" not in text:
        path = Path(text)
        if path.suffix in (".rq", ".sparql") or os.path.isfile(text):
            try:
                return parse_query(path.read_text(encoding="utf-8"), path.stem, path)
            except OSError as e:
                raise KgError(f"{path}: cannot read the query ({e.strerror})") from e
    if re.fullmatch(r"[\w.-]+", text):
        names = ", ".join(q.name for q in list_queries())
        raise KgError(f"no query {text!r} in {queries_dir()}/ (there are: {names})")
    return parse_query(query_or_file, "query")


def parse_query(text: str, name: str = "query", path: Path | None = None) -> Query:
    """Read what a query asks and what can be bound from its leading ``#`` comment:
    ``# ?var TYPE: what it is``, TYPE being ``@lang``, ``IRI``, ``xsd:...`` or nothing.

    >>> q = parse_query("# Members of a unit.\\n# ?unitName @ru: the unit,\\n#   as spelt\\nSELECT ?unitName {}")
    >>> q.description, q.parameters, q.types
    ('Members of a unit.', {'unitName': 'the unit, as spelt'}, {'unitName': '@ru'})
    """
    description, parameters, types, current = [], {}, {}, None
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        line = line[1:].strip()
        m = re.match(r"[?$](\w+)(?:\s+(@[A-Za-z]+(?:-[A-Za-z0-9]+)*|IRI|xsd:\w+))?\s*:\s*(.*)", line)
        if m:
            current = m.group(1)
            parameters[current] = m.group(3)
            if m.group(2):
                types[current] = m.group(2)
        elif current and line:
            parameters[current] += " " + line
        elif line:
            current = None
            description.append(line)
        else:
            current = None
    return Query(name, text, " ".join(description), parameters, types, path)


def to_term(value, kind: str | None = None, prefixes: dict[str, str] | None = None) -> Term:
    """A Python value as an RDF term. A ``str`` becomes what ``kind`` says: ``"@ru"`` a
    literal in that language (a name in Latin letters only: that language in Latin
    script, ``ru-Latn``, as kg.rdf writes transliterations), ``"IRI"`` an IRI (``schema:memberOf`` expanded with
    :data:`PREFIXES`), ``"xsd:date"`` a literal of that datatype, None a plain string.
    ``int``/``float``/``bool``/``date`` become typed literals; pyoxigraph terms stay.

    >>> to_term('"} ; DROP ALL ; #')
    <Literal value="} ; DROP ALL ; # datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>
    >>> str(to_term("Кабыш Омаров", "@ru")), str(to_term("Kabysh Omarov", "@ru"))
    ('"Кабыш Омаров"@ru', '"Kabysh Omarov"@ru-latn')
    >>> str(to_term("schema:memberOf", "IRI"))
    '<https://schema.org/memberOf>'
    >>> str(to_term(dt.date(1943, 6, 1)))
    '"1943-06-01"^^<http://www.w3.org/2001/XMLSchema#date>'
    """
    if isinstance(value, (NamedNode, BlankNode, Literal, Triple)):
        return value
    if isinstance(value, str):
        if not kind:
            return Literal(value)
        if kind.startswith("@"):
            return Literal(value, language=_language(value, kind[1:]))
        if kind == "IRI":
            return NamedNode(_expand(value, prefixes or PREFIXES))
        if kind.startswith("xsd:"):
            return Literal(value, datatype=NamedNode(XSD + kind[4:]))
        raise KgError(f"unknown parameter type {kind!r}: @LANG, IRI or xsd:TYPE")
    if isinstance(value, bool):
        return Literal("true" if value else "false", datatype=NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return Literal(str(value), datatype=NamedNode(XSD + "integer"))
    if isinstance(value, float):
        return Literal(repr(value), datatype=NamedNode(XSD + "double"))
    if isinstance(value, dt.datetime):
        return Literal(value.isoformat(), datatype=NamedNode(XSD + "dateTime"))
    if isinstance(value, dt.date):
        return Literal(value.isoformat(), datatype=NamedNode(XSD + "date"))
    raise KgError(f"cannot bind {value!r}: give a str, number, date or pyoxigraph term")


def _language(value: str, tag: str) -> str:
    """The tag of a name: in Latin letters only, with the script subtag ``-Latn`` (kg.rdf
    tags transliterated names so: "Kabysh Omarov"@ru-Latn)."""
    if "-" not in tag and _LATIN.search(value) and not _CYRILLIC.search(value):
        return tag + "-Latn"
    return tag


def _expand(value: str, prefixes: dict[str, str]) -> str:
    prefix, sep, local = value.partition(":")
    if sep and prefix in prefixes and not local.startswith("//"):
        return prefixes[prefix] + local
    return value


def run_query(store, query_text: str | Query, bindings: dict | None = None) -> Result:
    """Run a SPARQL query on a pyoxigraph store, with ``bindings`` (variable name ->
    str or RDF term) bound as RDF terms (:func:`inline_terms`), never pasted as text.

    A ``str`` value becomes the RDF term the query's header declares for its variable
    (``# ?personName @ru: ...``, see :func:`parse_query` and :func:`to_term`), else a
    plain string literal. Returns pyoxigraph's results: solutions (``SELECT``), a
    boolean (``ASK``) or triples (``CONSTRUCT``, ``DESCRIBE``). Raises
    :class:`~kg.errors.KgError` for a query that does not parse, a name that is not a
    variable of the query, or an update (the store is read-only).
    """
    query = query_text if isinstance(query_text, Query) else parse_query(query_text)
    query_text = query.text
    prefixes = declared_prefixes(query_text)
    substitutions = {}
    for name, value in (bindings or {}).items():
        var = name[1:] if name[:1] in "?$" else name
        if not re.fullmatch(r"\w+", var) or not re.search(rf"[?$]{re.escape(var)}\b", query_text):
            raise KgError(f"cannot bind {name!r}: the query has no variable ?{var}")
        try:
            substitutions[Variable(var)] = to_term(value, query.types.get(var), prefixes)
        except ValueError as e:  # an IRI or a language tag pyoxigraph refuses
            raise KgError(f"cannot bind ?{var} to {value!r}: {e}") from e
    inlined = inline_terms(query_text, substitutions) if substitutions else None
    try:
        if inlined is not None:
            return store.query(inlined, prefixes=PREFIXES, use_default_graph_as_union=True)
        return store.query(query_text, prefixes=PREFIXES, use_default_graph_as_union=True,
                           substitutions=substitutions)
    except SyntaxError as e:
        raise KgError(f"the query does not parse: {e}") from e
    except RuntimeError as e:  # e.g. a bound variable the SELECT does not project
        raise KgError(f"the query cannot run: {e}") from e


# the tokens of a query that can hold "?name" without it being a variable, then the rest
_TOKENS = re.compile(r'''
    (?P<skip>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
           |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'
           |<[^<>"{}|^`\\\s]*>|\#[^\n]*)
  | (?P<var>[?$][A-Za-z_0-9\u00B7\u00C0-\uFFFF]+)
  | (?P<word>\b(?:SELECT|WHERE|GROUP|ORDER|HAVING|VALUES|AS|CONSTRUCT|ASK|DESCRIBE)\b)
  | (?P<brace>[{}])
''', re.VERBOSE | re.IGNORECASE)


def inline_terms(query_text: str, terms: dict) -> str | None:
    """The query with each bound variable written as its term, as constants the query
    planner can use (Oxigraph plans a query before substitutions are applied, so a
    bound variable in a ``FILTER`` is compared row by row, 5-10x slower; a constant
    is pushed down to the pattern). The terms are written by pyoxigraph's own
    serialisation (N-Triples escaping of quotes, backslashes and newlines; IRIs and
    language tags it has validated), never pasted as text. None when the query is not
    a plain ``SELECT`` (a subquery, ``VALUES`` or ``AS`` of a bound variable): then
    the caller binds by substitution.

    >>> q = 'SELECT ?n ?p WHERE { ?p schema:name ?n FILTER(?n != "?n") } ORDER BY ?n'
    >>> print(inline_terms(q, {Variable("n"): Literal('"} ; DROP ALL ; #')}))
    SELECT ("\\"} ; DROP ALL ; #" AS ?n) ?p WHERE { ?p schema:name "\\"} ; DROP ALL ; #" FILTER("\\"} ; DROP ALL ; #" != "?n") } ORDER BY ("\\"} ; DROP ALL ; #")
    >>> inline_terms("SELECT * WHERE { { SELECT ?n WHERE { ?p ?q ?n } } }", {Variable("n"): Literal("x")}) is None
    True
    """
    if not all(isinstance(t, (NamedNode, Literal)) for t in terms.values()):
        return None
    names = {v.value: str(t) for v, t in terms.items()}
    tokens = list(_TOKENS.finditer(query_text))
    words = [m.group("word").upper() for m in tokens if m.group("word")]
    if words.count("SELECT") != 1 or {"CONSTRUCT", "ASK", "DESCRIBE"} & set(words):
        return None
    out, at, region, depth, previous = [], 0, "head", 0, ""
    for m in tokens:
        if m.group("word"):
            word = m.group("word").upper()
            if word == "SELECT":
                region = "projection"
            elif word in ("GROUP", "ORDER", "HAVING") and depth == 0 and region == "body":
                region = "modifiers"
            elif word == "VALUES" or (word == "AS" and region != "projection"):
                previous = word
                continue
            previous = word
            continue
        if m.group("brace"):
            if m.group("brace") == "{":
                depth += 1
                region = "body" if region in ("projection", "head") or depth > 0 else region
            else:
                depth -= 1
            previous = ""
            continue
        var = m.group("var")
        if not var or var[1:] not in names:
            continue
        if previous in ("VALUES", "AS"):
            return None  # the query gives the variable a value of its own
        term = names[var[1:]]
        text = {"projection": f"({term} AS {var})", "body": term, "modifiers": f"({term})"}.get(region)
        if text is None:
            return None
        out.append(query_text[at:m.start()])
        out.append(text)
        at = m.end()
    out.append(query_text[at:])
    return "".join(out)


def declared_prefixes(query_text: str) -> dict[str, str]:
    """The ``PREFIX`` declarations of a query, over :data:`PREFIXES`."""
    found = dict(PREFIXES)
    for prefix, iri in re.findall(r"(?im)^\s*PREFIX\s+([\w-]*):\s*<([^>\s]*)>", query_text):
        found[prefix] = iri
    return found


# -- results ----------------------------------------------------------------------

def result_rows(result: Result) -> tuple[list[str], list[list[Term | None]]]:
    """The header and rows of any result: a ``SELECT``'s variables, ``ASK``'s one
    boolean, a ``CONSTRUCT``'s subject, predicate, object."""
    if isinstance(result, QueryBoolean):
        return ["ask"], [[Literal("true" if bool(result) else "false",
                                  datatype=NamedNode(XSD + "boolean"))]]
    if isinstance(result, QueryTriples):
        return ["subject", "predicate", "object"], [[t.subject, t.predicate, t.object] for t in result]
    names = [v.value for v in result.variables]
    return names, [[row[name] for name in names] for row in result]


def show(term: Term | None, prefixes: dict[str, str] | None = None) -> str:
    """A term as a person reads it: a literal's text, an IRI as ``prefix:name``.

    >>> show(NamedNode("https://schema.org/Person")), show(Literal("1943", language="ru"))
    ('schema:Person', '1943')
    >>> show(NamedNode("http://example.org/x"))
    '<http://example.org/x>'
    """
    if term is None:
        return ""
    if isinstance(term, Literal):
        return term.value
    if isinstance(term, NamedNode):
        best = max(((p, iri) for p, iri in (prefixes or PREFIXES).items()
                    if term.value.startswith(iri) and len(term.value) > len(iri)),
                   key=lambda x: len(x[1]), default=None)
        return f"{best[0]}:{term.value[len(best[1]):]}" if best else f"<{term.value}>"
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return str(term)


def format_table(result: Result, prefixes: dict[str, str] | None = None,
                 max_cell: int = MAX_CELL) -> str:
    """Columns aligned for a terminal, Cyrillic and wide characters included; control
    and invisible characters shown as ``\\uXXXX``; long cells cut with ``…``."""
    if isinstance(result, QueryBoolean):
        return "yes" if bool(result) else "no"
    header, rows = result_rows(result)
    cells = [[_visible(show(t, prefixes), max_cell) for t in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(header)]

    def line(values: list[str]) -> str:
        return " | ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths)).rstrip()

    out = [line(header), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(out)


def format_csv(result: Result) -> str:
    """SPARQL 1.1 CSV results (values only: IRIs and literals' text); a ``CONSTRUCT``
    as subject, predicate, object rows."""
    if isinstance(result, QueryTriples):
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(["subject", "predicate", "object"])
        for t in result:
            writer.writerow([_plain(t.subject), _plain(t.predicate), _plain(t.object)])
        return buf.getvalue()
    return result.serialize(format=QueryResultsFormat.CSV).decode("utf-8")


def format_json(result: Result) -> str:
    """SPARQL 1.1 JSON results; a ``CONSTRUCT`` as JSON-LD."""
    if isinstance(result, QueryTriples):
        return result.serialize(format=RdfFormat.JSON_LD).decode("utf-8")
    return result.serialize(format=QueryResultsFormat.JSON).decode("utf-8")


def format_result(result: Result, fmt: str = "table", prefixes: dict[str, str] | None = None) -> str:
    """The result in one of :data:`FORMATS`; ``turtle`` and ``ntriples`` are for
    ``CONSTRUCT`` and ``DESCRIBE``."""
    if fmt == "table":
        return format_table(result, prefixes)
    if fmt == "csv":
        return format_csv(result)
    if fmt == "json":
        return format_json(result)
    if fmt in ("turtle", "ntriples"):
        if not isinstance(result, QueryTriples):
            raise KgError(f"--format {fmt} is for CONSTRUCT and DESCRIBE queries; "
                          "use table, csv or json")
        if fmt == "ntriples":
            return result.serialize(format=RdfFormat.N_TRIPLES).decode("utf-8")
        # prefixes for the vocabularies only: "id:unit/x" would need its "/" escaped
        vocabularies = {p: iri for p, iri in (prefixes or PREFIXES).items() if iri[-1] in "#/"
                        and iri != PREFIXES["id"]}
        return serialize(result, format=RdfFormat.TURTLE, prefixes=vocabularies).decode("utf-8")
    raise KgError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")


def html_table(result: Result, prefixes: dict[str, str] | None = None) -> str:
    """An HTML table of the result, every value escaped (for Jupyter: ``HTML(...)``).

    >>> from pyoxigraph import Store
    >>> html_table(Store().query("SELECT ?x WHERE { BIND('<b>' AS ?x) }"))
    '<table><thead><tr><th>x</th></tr></thead><tbody><tr><td>&lt;b&gt;</td></tr></tbody></table>'
    """
    if isinstance(result, QueryBoolean):
        return f"<p>{'yes' if bool(result) else 'no'}</p>"
    header, rows = result_rows(result)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(show(t, prefixes))}</td>" for t in row)
                   + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _plain(term: Term) -> str:
    return term.value if isinstance(term, (Literal, NamedNode, BlankNode)) else str(term)


def _visible(text: str, max_cell: int) -> str:
    """One line of visible characters: newlines, tabs, bidi and zero-width marks escaped."""
    out = "".join(
        ch if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp") else
        (f"\\u{ord(ch):04x}" if ord(ch) > 0xFF else repr(ch)[1:-1])
        for ch in text)
    return out if len(out) <= max_cell else out[:max_cell - 1] + "…"


def _width(text: str) -> int:
    """Terminal columns: combining marks take none, East Asian wide characters two."""
    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
