"""Life paths: finding a person by any name, the order of events, the text, `kg person`."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from conftest import CORPUS
from kg.export import graphml_bytes
from kg.graph import build_graph
from kg.lifepath import (LifeEvent, LifePath, clip, date_bounds, date_key, find_person,
                         format_life_path, life_path, order_events, person_matches, read_graph)
from kg.types import (AWARD, PERSON, PLACE, UNIT, Article, Entity, Event, Extraction,
                      Relation)

SEED = str(CORPUS / "seed_partisans_toulouse.txt")
OMAROV, ZHUMANIYAZOV = "person:кабыш_омаров", "person:кадем_жуманиязов"
OMAROV_N = "person:нурлан_омаров"
AULIEKOL, MOSCOW, POLAND = "place:аулиеколь", "place:москва", "place:польша"
DIVISION, STAR = "unit:316_сд", "award:орден_красной_звезды"


def article(sentences: list[str], title: str, source: str) -> tuple[Article, list]:
    """An article of these sentences, one space apart, and their spans."""
    spans, start = [], 0
    for s in sentences:
        spans.append((start, start + len(s)))
        start += len(s) + 1
    digest = (source.encode().hex() * 64)[:64]
    return Article(source=source, text=" ".join(sentences), digest=digest, title=title), spans


def person_graph():
    """Кабыш Омаров in two articles: born 1913, conscripted 1941-08, a battle, an undated
    award, wounded in summer 1943 (told in the second article), a battle in 1943, killed
    1945-03-11, buried (undated, after his death in the text)."""
    a, s = article([
        "Кабыш Омаров родился в 1913 году в Аулиеколе.",
        "В августе 1941 года Кабыша Омарова призвали в армию.",
        "16 октября 1941 года он сражался под Москвой в составе 316-й стрелковой дивизии.",
        "За этот бой его наградили орденом Красной Звезды.",
        "В 1943 году он воевал на Курской дуге.",
    ], "Судьба солдата", "a.txt")
    b, t = article([
        "Омаров погиб 11 марта 1945 года.",
        "Его похоронили в Польше.",
        "Летом 1943 года Омаров был ранен вместе с Кадемом Жуманиязовым.",
    ], "Память", "b.txt")
    people = (Entity(OMAROV, PERSON, "Кабыш Омаров", ("Кабыша Омарова", "Омаров"),
                     rank="лейтенант"),
              Entity(ZHUMANIYAZOV, PERSON, "Кадем Жуманиязов", ("Кадемом Жуманиязовым",)))
    first = Extraction(a, entities=people[:1] + (
        Entity(AULIEKOL, PLACE, "Аулиеколь"), Entity(MOSCOW, PLACE, "Москва"),
        Entity(DIVISION, UNIT, "316-я стрелковая дивизия"),
        Entity(STAR, AWARD, "орден Красной Звезды")),
        events=(Event("birth", (OMAROV,), "родиться", s[0], "1913", AULIEKOL),
                Event("conscription", (OMAROV,), "призвать", s[1], "1941-08"),
                Event("battle", (OMAROV, DIVISION), "сражаться", s[2], "1941-10-16", MOSCOW),
                Event("award", (OMAROV, STAR), "наградить", s[3]),
                Event("battle", (OMAROV,), "воевать", s[4], "1943")),
        relations=(Relation(OMAROV, "born_in", AULIEKOL, s[0]),
                   Relation(OMAROV, "member_of", DIVISION, s[2]),
                   Relation(OMAROV, "awarded", STAR, s[3])),
        sentences=tuple(s))
    second = Extraction(b, entities=people + (Entity(POLAND, PLACE, "Польша"),),
                        events=(Event("death", (OMAROV,), "погибнуть", t[0], "1945-03-11"),
                                Event("reburial", (OMAROV,), "похоронить", t[1], None, POLAND),
                                Event("wounded", (OMAROV, ZHUMANIYAZOV), "ранить", t[2],
                                      "1943-22")),
                        relations=(Relation(OMAROV, "buried_in", POLAND, t[1]),),
                        sentences=tuple(t))
    third, _ = article(["Нурлан Омаров вернулся домой."], "Другой Омаров", "c.txt")
    other = Extraction(third, entities=(Entity(OMAROV_N, PERSON, "Нурлан Омаров"),))
    return build_graph([first, second, other])


# -- finding a person -------------------------------------------------------------

@pytest.mark.parametrize("query, first", [
    ("Кабыш Омаров", OMAROV),
    ("Омарова", OMAROV),  # an inflected form among the aliases
    ("омаров", OMAROV),  # any case; a surname alone
    ("КАБЫША омарова", OMAROV),
    ("OMAROV", OMAROV),  # Latin letters
    ("Kabysh Omarov", OMAROV),
    ("kabish omarow", OMAROV),
    ("Омаровым", OMAROV),  # an inflection the aliases lack
    ("Zhumaniyazov", ZHUMANIYAZOV),
    ("Jumaniyazov", ZHUMANIYAZOV),
    ("Kadem Zhumaniazov", ZHUMANIYAZOV),
    ("Кадема", ZHUMANIYAZOV),
    ("нурлан омаров", OMAROV_N),
])
def test_find_person(query, first):
    assert find_person(person_graph(), query)[0] == first


@pytest.mark.parametrize("query, found", [
    ("Омаров", [OMAROV, OMAROV_N]),  # Кабыш has "Омаров" as an alias: the better match
    ("Омар", []),  # a word is not a prefix
    ("Иванов", []),
    ("Москва", []),  # places are not persons
    ("", []),
    ("   ", []),
])
def test_find_person_all(query, found):
    assert find_person(person_graph(), query) == found


def test_matches_are_ranked_by_level():
    levels = [(m.id, m.level) for m in person_matches(person_graph(), "Kabysh Omarov")]
    assert levels == [(OMAROV, 3)]


# -- dates and order ----------------------------------------------------------------

@pytest.mark.parametrize("value, bounds", [
    ("1943", ("1943-01-01", "1943-12-31")),
    ("1943-02", ("1943-02-01", "1943-02-28")),
    ("1944-02", ("1944-02-01", "1944-02-29")),
    ("1943-07-15", ("1943-07-15", "1943-07-15")),
    ("1943-21", ("1943-03-01", "1943-05-31")),
    ("1942-24", ("1942-01-01", "1942-02-28")),  # winter: placed in January and February
    ("1943-33", ("1943-01-01", "1943-03-31")),
    ("1943-41", ("1943-07-01", "1943-12-31")),
    ("194X", ("1940-01-01", "1949-12-31")),
    ("19XX", ("1900-01-01", "1999-12-31")),
    ("1941-06-22/1945-05-09", ("1941-06-22", "1945-05-09")),
    ("1941/..", ("1941-01-01", "1941-12-31")),
    ("../1945", ("1945-01-01", "1945-12-31")),
    ("1943~", ("1943-01-01", "1943-12-31")),
    ("1943-07?", ("1943-07-01", "1943-07-31")),
    ("1943-13", None), ("1943-22-01", None), ("1943-02-30", None), ("лето", None),
    ("", None), (None, None),
])
def test_date_bounds(value, bounds):
    expected = bounds and tuple(dt.date.fromisoformat(b) for b in bounds)
    assert date_bounds(value) == expected


@pytest.mark.parametrize("values", [
    ["1913", "1941-06-22", "1941-07", "1941"],  # a year after the dates inside it
    ["1943-07-15", "1943-22", "1943", "1944-01", "1941/1945"],
    ["1942-24", "1942-03", "1942-21"],  # winter 1942 before spring 1942
    ["1943-12-31", "1943"],  # same last day: the narrower first
])
def test_date_key_order(values):
    shuffled = values[1::2] + values[::2]
    assert sorted(shuffled, key=date_key) == values


def ev(kind, date, article="a:1", start=0):
    return LifeEvent(date, kind, None, (), "", article, article, "", start, start + 1)


@pytest.mark.parametrize("events, kinds", [
    # an undated event right after the one before it in its article, not at the end
    ([ev("birth", "1913", start=0), ev("award", None, start=10), ev("death", "1945", start=20)],
     ["birth", "award", "death"]),
    # ... even when the article tells a later event first
    ([ev("death", "1945", start=0), ev("burial", None, start=10), ev("birth", "1913", start=20)],
     ["birth", "death", "burial"]),
    # undated first in its article: right before the first dated event after it
    ([ev("summary", None, start=0), ev("death", "1945", start=10), ev("birth", "1913", start=20)],
     ["birth", "summary", "death"]),
    # two articles interleave by date; the undated one follows its own article's event
    ([ev("birth", "1913", "a:1", 0), ev("death", "1945-03-11", "a:1", 10),
      ev("wounded", "1943-22", "a:2", 0), ev("captured", None, "a:2", 10)],
     ["birth", "wounded", "captured", "death"]),
    # an article that dates nothing: its events at the end, in its order
    ([ev("memory", None, "a:2", 5), ev("return", None, "a:2", 0), ev("birth", "1913", "a:1", 0)],
     ["birth", "return", "memory"]),
    # same day in two articles: the articles' order, then the text's
    ([ev("b2", "1943", "a:2", 0), ev("a2", "1943", "a:1", 9), ev("a1", "1943", "a:1", 0)],
     ["a1", "a2", "b2"]),
    # an undated event in a dated sentence follows that sentence's latest event
    ([ev("joined", "1943-22", start=0), ev("escape", None, start=0), ev("birth", "1913", start=20)],
     ["birth", "joined", "escape"]),
])
def test_order_events(events, kinds):
    assert [e.kind for e in order_events(events, {"a:1": 0, "a:2": 1})] == kinds


def test_life_path_of_two_articles():
    lp = life_path(person_graph(), OMAROV)
    assert [(e.date, e.kind, e.title) for e in lp.events] == [
        ("1913", "birth", "Судьба солдата"),
        ("1941-08", "conscription", "Судьба солдата"),
        ("1941-10-16", "battle", "Судьба солдата"),
        (None, "award", "Судьба солдата"),
        ("1943-22", "wounded", "Память"),
        ("1943", "battle", "Судьба солдата"),
        ("1945-03-11", "death", "Память"),
        (None, "reburial", "Память"),
    ]
    assert (lp.name, lp.rank, lp.units, lp.awards) == (
        "Кабыш Омаров", "лейтенант", ("316-я стрелковая дивизия",), ("орден Красной Звезды",))
    assert (lp.born_in, lp.buried_in, lp.died_in) == (("Аулиеколь",), ("Польша",), ())
    assert lp.events[4].others == ("Кадем Жуманиязов",)
    assert lp.events[0].place == "Аулиеколь"
    assert lp.articles == ("Судьба солдата", "Память")


def test_life_path_of_a_non_entity():
    with pytest.raises(ValueError, match="not an entity"):
        life_path(person_graph(), "person:никто")


def test_graphml_keeps_the_life_path(tmp_path):
    g = person_graph()
    (tmp_path / "graph.graphml").write_bytes(graphml_bytes(g))
    assert life_path(read_graph(tmp_path), OMAROV) == life_path(g, OMAROV)
    assert find_person(read_graph(tmp_path / "graph.graphml"), "Омарова")[0] == OMAROV


# -- the text -----------------------------------------------------------------------

EXPECTED = """\
Кабыш Омаров
  aliases: Кабыша Омарова; Омаров
  rank:    лейтенант
  born:    Аулиеколь
  buried:  Польша
  units:   316-я стрелковая дивизия
  awards:  орден Красной Звезды
  events:
    1913        birth         Аулиеколь  — «Кабыш Омаров родился в 1913 году в Аулиеколе.» (Судьба солдата)
    1941-08     conscription             — «В августе 1941 года Кабыша Омарова призвали в армию.» (Судьба солдата)
    1941-10-16  battle        Москва     316-я стрелковая дивизия  — «16 октября 1941 года он сражался под Москвой в составе 316-й стрелковой дивизии.» (Судьба солдата)
    no date     award                    орден Красной Звезды  — «За этот бой его наградили орденом Красной Звезды.» (Судьба солдата)
    1943-22     wounded                  with Кадем Жуманиязов  — «Летом 1943 года Омаров был ранен вместе с Кадемом Жуманиязовым.» (Память)
    1943        battle                   — «В 1943 году он воевал на Курской дуге.» (Судьба солдата)
    1945-03-11  death                    — «Омаров погиб 11 марта 1945 года.» (Память)
    no date     reburial      Польша     — «Его похоронили в Польше.» (Память)"""


def test_format_life_path():
    assert format_life_path(life_path(person_graph(), OMAROV)) == EXPECTED


def test_format_cuts_long_sentences_around_the_trigger():
    sentence = ("Долгие годы родные ничего не знали о его судьбе, писали запросы в архивы и "
                "только в 1990 году узнали, что он был ранен под Смоленском и попал в плен, "
                "откуда бежал к французским партизанам.")
    e = LifeEvent("1941-07", "wounded", None, (), "ранить", "a:1", "A", sentence, 0, len(sentence))
    line = format_life_path(LifePath("p", "П", (), None, None, (), (e,))).splitlines()[-1]
    shown = line.split("«")[1].split("»")[0]
    assert shown.startswith("…") and "был ранен под Смоленском" in shown and len(shown) <= 101
    middle = clip("слово " * 40, 100, 50)
    assert len(middle) <= 52 and middle.startswith("…") and middle.endswith("…")


# -- kg person ----------------------------------------------------------------------

def kg(*args):
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True,
                          text=True, encoding="utf-8", check=False)


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory):
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("export")
    build([SEED], out)
    return out


@pytest.mark.parametrize("name", [["Кабыша Омарова"], ["Kabysh", "Omarov"], ["OMAROVA"]])
def test_kg_person(seed_build, name):
    proc = kg("person", *name, "--out", str(seed_build))
    assert proc.returncode == 0, proc.stderr
    # the build links across articles, which adds the Latin spelling as an alias
    assert proc.stdout.startswith("Кабыш Омаров\n  aliases: Kabysh Omarov; Кабыша Омарова\n  rank:")
    assert "\n  events:" in proc.stdout


@pytest.mark.parametrize("args, message", [
    (["Иванов"], "no person"),
    (["Омаров", "--out", "{empty}"], "no build"),
])
def test_kg_person_fails(seed_build, tmp_path, args, message):
    args = [a.replace("{empty}", str(tmp_path)) for a in args]
    if "--out" not in args:
        args += ["--out", str(seed_build)]
    proc = kg("person", *args)
    assert proc.returncode == 1 and message in proc.stderr and proc.stdout == ""
