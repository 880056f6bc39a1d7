"""A corpus of hostile files, made here, through the whole build (issue 8).

Empty and whitespace-only files, NUL bytes, a PDF renamed .txt, random and undecodable
bytes, truncated and 5,000-deep HTML, a 25 MB dump and a text too long for the language
models, windows-1251 and KOI8-R without a declaration, mixed line endings, one text
under two names, and good articles whose titles and file names carry HTML, JavaScript,
quotes, braces, newlines, RTL marks and zero-width characters. One build must finish
with every good file as exactly one article in every output, every bad file skipped
once with its path and a reason, RDF that rdflib and pyoxigraph both read with the
hostile text as exact literals, no hostile string raw in the HTML, and a second build
byte-identical to the first.
"""
from __future__ import annotations

import csv
import io
import json
import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Literal

from kg.clean import MAX_TEXT_CHARS, clean
from kg.pipeline import build
from kg.rdf import ENTITIES_GRAPH, KG, SDO, VOCABULARY_GRAPH, article_graph_iri, article_iri
from kg.read import MAX_FILE_BYTES, read_file

# rdflib warns of its own deprecated classes (ConjunctiveGraph) when it parses TriG and JSON-LD
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")
CORPUS = "corpus"  # relative, so that two builds name the sources alike
OUTPUTS = ("graph.ttl", "graph.nt", "graph.trig", "graph.jsonld", "graph.graphml",
           "entities.csv", "relations.csv", "graph.html")
RDF_FILES = (("graph.ttl", "turtle", ox.RdfFormat.TURTLE), ("graph.nt", "nt", ox.RdfFormat.N_TRIPLES),
             ("graph.jsonld", "json-ld", ox.RdfFormat.JSON_LD), ("graph.trig", "trig", ox.RdfFormat.TRIG))

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(1)</script>"
DROP = '" } ; DROP ALL ; #'
RTL, RLO, ZWSP = "\u200f", "\u202e", "\u200b"
HOSTILE = (IMG, SCRIPT, DROP, RTL, RLO, ZWSP)

# Sentences for the articles: each article takes a different selection, so that no two
# good files have the same bytes. No «», — or №: KOI8-R has none of them.
SENTENCES = [
    "Кабыш Омаров родился в 1913 году в ауле Кзыл-Жар.",
    "В августе 1941 года его призвали в Красную армию.",
    "Он воевал под Смоленском в составе 316-й стрелковой дивизии.",
    "Зимой 1942 года Жумагали Исмаилов был ранен под Ржевом.",
    "После госпиталя он вернулся в полк и дошёл до Берлина.",
    "Его наградили орденом Красной Звезды и медалью За отвагу.",
    "Ольга Веденеева нашла письма деда в семейном архиве.",
    "Летом 1943 года батальон освобождал Курск.",
    "Иван Петров попал в плен, но бежал и ушёл к партизанам.",
    "Похоронен он в братской могиле у деревни Малиновка.",
    'Внук говорит, что дед "никогда не рассказывал о войне".',
    "В 1945 году он вернулся домой в Караганду.",
]


def article(i: int, title: str, newline: str = "\n") -> str:
    rng = random.Random(i)
    body = rng.sample(SENTENCES, 5)
    paragraphs = [" ".join(body[:3]), " ".join(body[3:]), f"Материал номер {i}."]
    return newline.join([title, ""] + [p + newline for p in paragraphs])


def page(i: int, title: str, h1: str | None = None, cut: int | None = None) -> str:
    rng = random.Random(100 + i)
    paragraphs = "".join(f"<p>{' '.join(rng.sample(SENTENCES, 3))}</p>\n" for _ in range(3))
    html = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><article><h1>{h1 or title}</h1>\n{paragraphs}<p>Материал номер {i}.</p>"
            "</article></body></html>")
    return html[:cut] if cut else html


def make_corpus(root: Path) -> tuple[dict[str, bytes], dict[str, tuple[str, ...]], dict[str, bytes]]:
    """Write the corpus; return (good files, bad files with the words their reason must
    have, files that may go either way: read or refused) by path as the build names them."""
    good = {
        "utf8.txt": article(1, "Орден нашёл семью через 78 лет").encode("utf-8"),
        "bom.txt": article(2, "Письма с фронта").encode("utf-8-sig"),
        "utf16.txt": article(3, "Память о героях").encode("utf-16"),
        "cp1251.txt": article(4, "«Дошёл до Берлина» — рассказ о деде № 1").encode("cp1251"),
        "koi8.txt": article(5, "Подвиг разведчика").encode("koi8_r"),
        "mixed_eol.txt": article(6, "Станки под открытым небом", "\r\n").replace(
            "\r\n\r\n", "\n\r\n", 2).encode("utf-8"),
        "title_img.txt": article(7, f"{IMG} Вернулся с войны").encode("utf-8"),
        "title_script.txt": article(8, f"{SCRIPT} Партизанский отряд").encode("utf-8"),
        "title_drop.txt": article(9, f"{DROP} Бессмертный полк").encode("utf-8"),
        "title_rtl.txt": article(10, f"{RLO}Память{RTL} о павших").encode("utf-8"),
        "title_zwsp.txt": (article(11, f"Кабыш{ZWSP}Омаров: путь солдата")
                           + f"\nИван{ZWSP} Петров{RTL} вернулся домой.\n").encode("utf-8"),
        "title_newline.html": page(12, "Подвиг\nпехотинца", "Подвиг\r\nпехотинца").encode("utf-8"),
        "title_img.html": page(13, "&lt;img src=x onerror=alert(1)&gt; Медаль за отвагу").encode("utf-8"),
        "truncated_article.html": page(14, "Эшелон на восток", cut=-60).encode("utf-8"),
        f"{IMG}.txt": article(15, "Файл с опасным именем").encode("utf-8"),
        f"{DROP}.txt": article(16, "Ещё один файл с опасным именем").encode("utf-8"),
        f"{RLO}evil{ZWSP}.txt": article(17, "Имя файла справа налево").encode("utf-8"),
        "new\nline.txt": article(18, "Имя файла в две строки").encode("utf-8"),
    }
    good["utf8_copy.txt"] = good["utf8.txt"]  # the same text under two names
    para = "\n\n".join(article(i, f"Часть {i}") for i in range(40))
    bad = {
        "empty.txt": (b"", ("empty file",)),
        "blank.txt": (b" \r\n\t \n\n   ", ("empty", "whitespace")),
        "renamed_pdf.txt": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + random.Random(1).randbytes(3000),
                            ("binary", "PDF")),
        "random.txt": (random.Random(2).randbytes(5000), ("binary",)),
        "undecodable.txt": (bytes(range(0x80, 0x100)) * 3, ("undecodable",)),
        "truncated_empty.html": (b"<!DOCTYPE html><html><head><title", ("no article text",)),
        "only_stub.html": ("<html><body><p>Текст</p><p>Фото:</p></body></html>".encode(),
                           ("no article text",)),
        "huge.txt": (None, ("too large", "MB")),  # written below, 25 MB
        "long.txt": ((para * (MAX_TEXT_CHARS // len(para) + 1)).encode("utf-8"),
                     ("too long", "characters")),
    }
    either = {
        "nul.txt": ("Кабыш Омаров\x00 вернулся домой\x00 в 1945 году.\n" * 20).encode("utf-8"),
        "deep.html": ("<html><body>" + "<div>" * 5000 + page(19, "Глубоко").split("<body>")[1]
                      + "</div>" * 5000).encode("utf-8"),
    }
    folder = root / CORPUS
    folder.mkdir()
    for name, data in {**good, **either, **{n: d for n, (d, _) in bad.items() if d is not None}}.items():
        (folder / name).write_bytes(data)
    with open(folder / "huge.txt", "wb") as f:  # varied Russian paragraphs, 25 MB
        chunk = para.encode("utf-8")
        while f.tell() < MAX_FILE_BYTES + 5 * 2**20:
            f.write(chunk)
    del good["utf8_copy.txt"]

    def path(name):
        return f"{CORPUS}/{name}"

    return ({path(n): d for n, d in good.items()}, {path(n): w for n, (_, w) in bad.items()},
            {path(n): d for n, d in either.items()})


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    with pytest.MonkeyPatch.context() as m:
        m.chdir(root)
        good, bad, either = make_corpus(root)
        first, info = build([CORPUS], root / "out", processes=1)
        before = _outputs(root / "out")
        build([CORPUS], root / "out", processes=1)  # again in place: from the cache
        again = _outputs(root / "out")
        second, _ = build([CORPUS], root / "out2", processes=1)  # afresh elsewhere
        # what clean() makes of each good file: the titles the outputs must carry
        articles = {p: clean(read_file(p)) for p in good}
    yield dict(root=root, good=good, bad=bad, either=either, result=first, second=second,
               rebuilt=(before, again),
               copy=(f"{CORPUS}/utf8_copy.txt", f"{CORPUS}/utf8.txt"),
               graph=info["graph"], articles=articles)
    for big in ("huge.txt", "long.txt"):  # pytest keeps the last few tmp folders
        (root / CORPUS / big).unlink()


def _outputs(out: Path) -> dict[str, bytes]:
    found = {name: (out / name).read_bytes() for name in OUTPUTS}
    found.update({f"articles/{p.name}": p.read_bytes() for p in sorted((out / "articles").iterdir())})
    return found


def test_every_bad_file_skipped_once_with_a_reason(built):
    result = built["result"]
    skipped = [s.path for s in result.skipped]
    assert len(skipped) == len(set(skipped)), skipped
    extracted = [ex.article.source for ex in result.extractions]
    assert len(extracted) == len(set(extracted)), extracted
    for s in result.skipped:
        assert s.reason.strip() and "\n" not in s.reason, s
    reasons = {s.path: s.reason for s in result.skipped}
    for path, words in built["bad"].items():
        assert path in reasons, f"{path} not skipped"
        for w in words:
            assert w in reasons[path], (path, reasons[path])
    for path in built["either"]:  # read, or refused with a reason: once, either way
        assert (path in reasons) != (path in extracted), path
    assert set(reasons) <= set(built["bad"]) | set(built["either"])


def test_the_same_text_under_two_names_is_one_article_with_both_paths(built):
    copy, original = built["copy"]
    result = built["result"]
    assert [(d.path, d.original) for d in result.duplicates] == [(copy, original)]
    assert copy not in [s.path for s in result.skipped]
    assert [ex.article.source for ex in result.extractions].count(original) == 1
    g = built["graph"]
    (node,) = [n for n, a in g.nodes(data=True) if a.get("source") == original]
    assert g.nodes[node]["copies"] == [copy]
    union = _rdflib(built["root"] / "out" / "graph.nt", "nt")
    sources = {str(o) for s, p, o in union if s == article_iri(node) and p == KG.source}
    assert sources == {original, copy}


def test_every_good_file_is_one_article(built):
    result, good = built["result"], built["good"]
    sources = [ex.article.source for ex in result.extractions]
    assert set(good) <= set(sources)
    assert set(sources) <= set(good) | set(built["either"])
    # the graph and GraphML: one article node per file read
    out = built["root"] / "out"
    graphml = nx.read_graphml(out / "graph.graphml")
    nodes = [(n, a) for n, a in graphml.nodes(data=True) if a.get("kind") == "article"]
    assert sorted(a["source"] for _, a in nodes) == sorted(sources)
    ids = {ex.article.id for ex in result.extractions}
    assert {n for n, _ in nodes} == ids
    # TriG: one named graph per article, beside the entities and the vocabulary
    ds = ox.Dataset(ox.parse((out / "graph.trig").read_bytes(), format=ox.RdfFormat.TRIG))
    graphs = {q.graph_name.value for q in ds}
    assert graphs == {str(article_graph_iri(i)) for i in ids} | {str(ENTITIES_GRAPH),
                                                                 str(VOCABULARY_GRAPH)}
    # entities.csv: each entity once, every article it cites is one of the articles
    rows = list(csv.DictReader(io.StringIO((out / "entities.csv").read_text(encoding="utf-8"))))
    assert rows and len({r["id"] for r in rows}) == len(rows)
    cited = {a for r in rows for a in r["articles"].split("; ") if a}
    assert cited <= ids
    assert len(cited) >= len(good) - 3  # nearly every article names someone


def test_encodings_without_declaration(built):
    by_source = {ex.article.source: ex.article for ex in built["result"].extractions}
    expected = {"utf8.txt": "utf-8", "bom.txt": "utf-8-sig", "utf16.txt": "utf-16",
                "cp1251.txt": "cp1251", "koi8.txt": "koi8_r"}
    for name, encoding in expected.items():
        a = by_source[f"{CORPUS}/{name}"]
        assert a.encoding == encoding
        assert a.text == built["good"][a.source].decode(encoding)  # exactly, no mark
    assert by_source[f"{CORPUS}/cp1251.txt"].title == "«Дошёл до Берлина» — рассказ о деде № 1"
    mixed = by_source[f"{CORPUS}/mixed_eol.txt"]
    assert "\r\n" in mixed.text and re.search(r"[^\r]\n", mixed.text)  # kept as stored


def _rdflib(path: Path, fmt: str):
    if fmt == "trig":
        d = rdflib.Dataset()
        d.parse(path, format="trig")
        return {(s, p, o) for s, p, o, _ in d.quads()}
    return set(rdflib.Graph().parse(path, format=fmt))


def test_rdf_parses_and_keeps_hostile_text_exactly(built):
    out = built["root"] / "out"
    union = None
    for name, rdflib_fmt, ox_fmt in RDF_FILES:
        triples = _rdflib(out / name, rdflib_fmt)
        n_ox = len({(q.subject, q.predicate, q.object)
                    for q in ox.parse((out / name).read_bytes(), format=ox_fmt)})
        assert len(triples) == n_ox, name
        union = triples if union is None else union
        assert triples == union, f"{name} says other things than graph.ttl"
    titles = 0
    for path, a in built["articles"].items():
        s = article_iri(a.id)
        assert (s, KG.source, Literal(path)) in union, path
        if a.title:
            assert (s, SDO.headline, Literal(a.title, lang="ru")) in union, a.title
            titles += any(h in a.title for h in HOSTILE)
    assert titles >= 6  # the hostile titles came through as titles
    names = {str(o) for s, p, o in union if p == SDO.name}
    entity_names = {r["name"] for r in csv.DictReader(io.StringIO(
        (out / "entities.csv").read_text(encoding="utf-8")))}
    assert entity_names <= names


def test_html_shows_hostile_text_as_data_only(built):
    out = built["root"] / "out"
    html = (out / "graph.html").read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    assert m, "no data in graph.html"
    data = json.loads(m.group(1))
    outside = html[:m.start(1)] + html[m.end(1):]
    # the hostile titles and file names, whole (the page's own scripts have a
    # zero-width space or two of their own, in their lists of blanks)
    hostile = [a.title for a in built["articles"].values() if a.title and any(
        h in a.title for h in HOSTILE)] + [p for p in built["articles"] if any(h in p for h in HOSTILE)]
    assert len(hostile) >= 9
    for h in hostile + [IMG, SCRIPT, DROP]:
        assert h not in outside, repr(h)
    for h in (IMG, SCRIPT, "<script", "<img"):
        assert h not in m.group(1)
    # and the data carries the hostile titles and file names exactly
    titles = {a["title"] for a in data["articles"]}
    sources = {a["source"] for a in data["articles"]}
    for path, a in built["articles"].items():
        assert path in sources
        if a.title:
            assert a.title in titles
    for page_ in (out / "articles").glob("*.html"):
        text = page_.read_text(encoding="utf-8")
        for h in (IMG, SCRIPT, "<img", "<script>alert"):
            assert h not in text, (page_.name, h)


def test_a_second_build_gives_the_same_bytes(built):
    root = built["root"]
    before, again = built["rebuilt"]
    assert again == before  # rebuilt in place
    assert _outputs(root / "out2") == before  # built afresh in another folder
    first, second = built["result"], built["second"]
    assert [(s.path, s.reason) for s in first.skipped] == [(s.path, s.reason) for s in second.skipped]


def test_a_huge_file_is_refused_without_being_loaded(built):
    """25 MB: refused before it is read, so memory does not grow with it."""
    huge = built["root"] / CORPUS / "huge.txt"
    assert huge.stat().st_size > MAX_FILE_BYTES
    script = textwrap.dedent("""
        import json, resource, sys
        from kg.pipeline import run
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result = run([sys.argv[1]])
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"grew_kb": after - before, "extracted": len(result.extractions),
                          "skipped": [[s.path, s.reason] for s in result.skipped]}))
    """)
    done = subprocess.run([sys.executable, "-c", script, str(huge)], capture_output=True,
                          text=True, timeout=120, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["extracted"] == 0
    assert report["skipped"] == [[str(huge), report["skipped"][0][1]]]
    assert "too large" in report["skipped"][0][1]
    assert report["grew_kb"] < 8 * 1024, report  # the file is 25 MB
