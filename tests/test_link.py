"""Cross-article linking (kg.link): made-up articles, built by hand with kg.types."""
from __future__ import annotations

import hashlib
import random
import re
import time
from dataclasses import replace

import pytest

from kg.link import Linker, latin, link_entities, name_parts, spelling_key
from kg.resolve import entity_id
from kg.types import (AWARD, DATE, ORG, PERSON, PLACE, UNIT, Article, Entity, Event, Extraction,
                      Mention, Relation)


def article(key: str, text: str, *named, events=(), relations=(), rank=None) -> Extraction:
    """An extraction of ``text``: ``named`` are (surface, label, name) or
    (surface, label, name, value) for a date; mentions are found in order, entities
    get the ids kg.resolve would give them (a one-word person scoped to the article)."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    sentences = [m.span() for m in re.finditer(r"[^.]+\.?", text)]
    mentions, entities, pos = [], {}, 0
    for surface, label, name, *value in named:
        start = text.index(surface, pos)
        pos = start + len(surface)
        sentence = next(s for s in sentences if s[0] <= start < s[1])
        ident = None
        if label != DATE:
            one_word = label == PERSON and len(name.split()) == 1
            ident = entity_id(label, name, scope=digest[:8] if one_word else None)
            entities.setdefault(ident, Entity(ident, label, name, rank=rank if label == PERSON else None))
        mentions.append(Mention(start, pos, surface, label, sentence, ident,
                                value=value[0] if value else None))
    return Extraction(Article(source=f"{key}.txt", text=text, digest=digest), tuple(mentions),
                      tuple(entities.values()), tuple(events), tuple(relations),
                      sentences=tuple(sentences))


def ids_of(extractions, label=PERSON) -> list[str]:
    return [e.id for ex in extractions for e in ex.entities if e.label == label]


def key8(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:8]


PETROV_316 = ("Иван Петров служил в 316-й стрелковой дивизии.",
              ("Иван Петров", PERSON, "Иван Петров"),
              ("316-й стрелковой дивизии", UNIT, "316-я стрелковая дивизия"))


# --- spelling keys ---------------------------------------------------------------

@pytest.mark.parametrize("spellings", [
    ["Жумабеков", "Жұмабеков", "Zhumabekov", "Jumabekov", "ЖУМАБЕКОВ"],
    ["Кайрат", "Қайрат", "Kairat", "Qairat", "Kayrat"],
    ["Юрий", "Yury", "Yuriy", "Iurii"],  # not "Yurij": j is ж (Jumabekov)
    ["Евгений", "Yevgeny", "Evgenii", "Yevgeniy"],
    ["Фёдор", "Федор", "Fyodor", "Fedor"],
    ["Мария", "Mariya", "Maria", "Mariia"],
    ["Дарья", "Darya", "Daria"],
    ["Ильяс", "Ilyas", "Ilias"],
    ["Мухаммед", "Мухамед", "Mukhamed", "Muhammed", "Muhamed"],
    ["Мухамеджан", "Mukhamedzhan", "Mukhamedjan"],
    ["Джамбул", "Жамбул", "Dzhambul", "Djambul", "Jambul"],
    ["Ерлан", "Yerlan", "Erlan"],
    ["Дмитриев", "Dmitriyev", "Dmitriev"],
    ["Цой", "Tsoi", "Tsoy"],
    ["Жуков", "Zhukov", "Joukov"],
    ["Щербаков", "Shcherbakov", "Scherbakov", "Šerbakov"],
    ["Хасен", "Хасен", "Khasen", "Hasen"],
    ["Ғабит Мүсірепов", "Габит Мусрепов".replace("Мусрепов", "Мусирепов"), "Gabit Musirepov",
     "Ghabit Müsirepov", "Ğabit Müsirepov"],
    ["Әлия Молдағұлова", "Алия Молдагулова", "Aliya Moldagulova", "Älia Moldağulova"],
    ["Шымкент", "Shymkent", "Şymkent"],
    ["Алма-Ата", "Алма Ата", "Alma-Ata"],
])
def test_spellings_of_one_name_share_a_key(spellings):
    assert len({spelling_key(s) for s in spellings}) == 1, [spelling_key(s) for s in spellings]


@pytest.mark.parametrize("a, b", [
    ("Петров", "Петрова"),
    ("Омаров", "Умаров"),
    ("Иван", "Иона"),
    ("1-я стрелковая дивизия", "11-я стрелковая дивизия"),
    ("316-я стрелковая дивизия", "316-й стрелковый полк"),
])
def test_different_names_keep_different_keys(a, b):
    assert spelling_key(a) != spelling_key(b)


@pytest.mark.parametrize("name", [
    "Кабыш Омаров", "Жұмабеков Қайрат", "Юрий Щербаков", "Евгений Дмитриев", "Фёдор Ильич",
    "Мария Дарья", "Хасен Цой", "Мухамеджан Ерлан", "Алия Молдагулова", "Бауыржан Момышулы",
    "Талгат Бигельдинов", "Маншук Маметова", "Сергей Лучинский",
])
def test_the_latin_alias_has_the_same_key(name):
    assert re.fullmatch(r"[A-Za-z' -]+", latin(name)), latin(name)
    assert spelling_key(latin(name)) == spelling_key(name)


@pytest.mark.parametrize("name, parts, patronymic", [
    ("Иван Петров", ("ivan", "petrov"), None),
    ("Петров Иван Иванович", ("ivan", "petrov"), "ivanoviq"),
    ("Иван Ильич Петров", ("ivan", "petrov"), "iliq"),
    ("Мария Ивановна Петрова", ("maria", "petrova"), "ivanovna"),
    ("Дмитрий Шостакович", ("dmitri", "wostakoviq"), None),  # two words: a surname
    ("И. И. Петров", ("petrov",), None),
])
def test_name_parts(name, parts, patronymic):
    assert name_parts(name) == (parts, patronymic)


# --- persons -------------------------------------------------------------------------

def test_same_person_with_a_shared_unit_is_one_entity():
    out = link_entities([article("a", *PETROV_316),
                         article("b", "Петров Иван воевал в 316-й стрелковой дивизии под Москвой.",
                                 ("Петров Иван", PERSON, "Петров Иван"),
                                 ("316-й стрелковой дивизии", UNIT, "316-я стрелковая дивизия"),
                                 ("Москвой", PLACE, "Москва"))])
    assert ids_of(out) == ["person:иван_петров", "person:иван_петров"]
    assert out[0].entities[0] == out[1].entities[0]  # one record, in both articles
    assert out[0].entities[0].aliases == ("Ivan Petrov", "Петров Иван")


def test_namesakes_with_nothing_in_common_stay_apart():
    out = link_entities([article("a", *PETROV_316),
                         article("b", "Иван Петров работал в колхозе под Уральском.",
                                 ("Иван Петров", PERSON, "Иван Петров"),
                                 ("Уральском", PLACE, "Уральск"))])
    assert ids_of(out) == [f"person:иван_петров@{key8('a')}", f"person:иван_петров@{key8('b')}"]


@pytest.mark.parametrize("texts, same", [
    # a place named in the same sentence as the person, in both articles
    (["Иван Петров родом из Кокшетау.", "Иван Петров вернулся в Кокшетау."], True),
    # the place is in the article, but not beside the person
    (["Иван Петров ушёл на фронт. Кокшетау.", "Иван Петров вернулся домой. Кокшетау."], False),
    # the same year of birth
    (["Иван Петров родился в 1920 году.", "Иван Петров, 1920 года рождения, погиб."], True),
    # different years of birth: apart, whatever else they share
    (["Иван Петров родился в 1920 году в Кокшетау.", "Иван Петров родился в 1923 году в Кокшетау."],
     False),
])
def test_what_ties_two_namesakes(texts, same):
    exs = []
    for k, text in enumerate(texts):
        named = [("Иван Петров", PERSON, "Иван Петров")]
        year = re.search(r"\d{4} год\w*", text)
        if year:
            named.append((year.group(), DATE, year.group(), year.group()[:4]))
        if "Кокшетау" in text:
            named.append(("Кокшетау", PLACE, "Кокшетау"))
        exs.append(article(str(k), text, *named))
    ids = ids_of(link_entities(exs))
    assert (ids[0] == ids[1]) is same, ids


def test_different_patronymics_stay_apart_even_through_a_third_article():
    unit = ("316-й стрелковой дивизии", UNIT, "316-я стрелковая дивизия")
    a = article("a", "Иван Петров служил в 316-й стрелковой дивизии.", ("Иван Петров", PERSON, "Иван Петров"), unit)
    b = article("b", "Иван Иванович Петров служил в 316-й стрелковой дивизии.",
                ("Иван Иванович Петров", PERSON, "Иван Иванович Петров"), unit)
    c = article("c", "Иван Сергеевич Петров служил в 316-й стрелковой дивизии.",
                ("Иван Сергеевич Петров", PERSON, "Иван Сергеевич Петров"), unit)
    # a is b: the patronymic is only missing
    assert ids_of(link_entities([a, b])) == ["person:иван_иванович_петров"] * 2  # the fullest name
    # a could be b or c: a joins neither, and b and c never meet
    ids = ids_of(link_entities([a, b, c]))
    assert ids == [f"person:иван_петров@{key8('a')}", f"person:иван_иванович_петров@{key8('b')}",
                   f"person:иван_петров_сергеевич@{key8('c')}"]
    # two without patronymic, tied to each other and to both: they are one, b and c apart
    d = article("d", "Иван Петров служил в 316-й стрелковой дивизии.", ("Иван Петров", PERSON, "Иван Петров"), unit)
    ids = ids_of(link_entities([a, b, c, d]))
    assert ids[0] == ids[3] and len(set(ids)) == 3


def test_the_same_full_name_with_patronymic_ties():
    a = article("a", "Габдулла Нурмухамедович Ибраев был пулемётчиком.",
                ("Габдулла Нурмухамедович Ибраев", PERSON, "Габдулла Нурмухамедович Ибраев"))
    b = article("b", "Ибраев Габдулла Нурмухамедович вернулся в 1945 году.",
                ("Ибраев Габдулла Нурмухамедович", PERSON, "Ибраев Габдулла Нурмухамедович"))
    assert len(set(ids_of(link_entities([a, b])))) == 1


def test_one_word_persons_never_merge():
    unit = ("316-й стрелковой дивизии", UNIT, "316-я стрелковая дивизия")
    a = article("a", "Амина служила в 316-й стрелковой дивизии.", ("Амина", PERSON, "Амина"), unit)
    b = article("b", "Амина служила в 316-й стрелковой дивизии.", ("Амина", PERSON, "Амина"), unit)
    out = link_entities([a, b])
    assert ids_of(out) == [f"person:амина@{key8('a')}", f"person:амина@{key8('b')}"]
    assert out[0].entities[0].aliases == ("Amina",)


def test_spellings_of_a_person_are_aliases_of_one_entity():
    unit = ("8-й гвардейской дивизии", UNIT, "8-я гвардейская дивизия")
    a = article("a", "Қайрат Жұмабеков служил в 8-й гвардейской дивизии.",
                ("Қайрат Жұмабеков", PERSON, "Қайрат Жұмабеков"), unit)
    b = article("b", "Kairat Zhumabekov served in 8-й гвардейской дивизии.",
                ("Kairat Zhumabekov", PERSON, "Kairat Zhumabekov"), unit)
    c = article("c", "Кайрат Жумабеков служил в 8-й гвардейской дивизии.",
                ("Кайрат Жумабеков", PERSON, "Кайрат Жумабеков"), unit)
    d = article("d", "Кайрат Жумабеков, бригадир, служил в 8-й гвардейской дивизии.",
                ("Кайрат Жумабеков", PERSON, "Кайрат Жумабеков"), unit)
    out = link_entities([a, b, c, d])
    assert set(ids_of(out)) == {"person:жумабеков_кайрат"}
    person = out[0].entities[0]
    assert person.name == "Кайрат Жумабеков"  # the commonest Cyrillic form
    b_only = link_entities([a, b, c])[0].entities[0]
    assert b_only.name == "Кайрат Жумабеков"  # at equal counts, the one in Russian letters
    assert person.aliases == ("Kairat Zhumabekov", "Kayrat Zhumabekov", "Қайрат Жұмабеков")


def test_spellings_in_one_article_are_one_person():
    a = article("a", "Кайрат Жумабеков (Kairat Zhumabekov) родился в Шымкенте.",
                ("Кайрат Жумабеков", PERSON, "Кайрат Жумабеков"),
                ("Kairat Zhumabekov", PERSON, "Kairat Zhumabekov"),
                ("Шымкенте", PLACE, "Шымкент"))
    out = link_entities([a])
    assert ids_of(out) == ["person:жумабеков_кайрат"]
    assert {m.entity for m in out[0].mentions if m.label == PERSON} == {"person:жумабеков_кайрат"}


def test_a_place_named_in_many_articles_ties_nobody():
    texts = [f"Иван Петров, уроженец Казахстана, статья {k}." for k in range(12)]
    exs = [article(str(k), t, ("Иван Петров", PERSON, "Иван Петров"),
                   ("Казахстана", PLACE, "Казахстан")) for k, t in enumerate(texts)]
    assert len(set(ids_of(link_entities(exs)))) == 12
    assert len(set(ids_of(link_entities(exs[:2])))) == 1  # in two articles, it still ties


def test_rank_and_role_first_given_in_article_order():
    a = article("a", *PETROV_316)
    b = article("b", *PETROV_316, rank="сержант")
    c = article("c", *PETROV_316, rank="лейтенант")
    out = link_entities([a, b, c])
    assert {ex.entities[0].rank for ex in out} == {"сержант"}


# --- places, units, organizations ---------------------------------------------------------

def test_places_units_and_orgs_merge_by_name_and_spelling():
    a = article("a", "В Алма-Ате формировалась 316-я стрелковая дивизия. ЦК ВЛКСМ.",
                ("Алма-Ате", PLACE, "Алма-Ата"),
                ("316-я стрелковая дивизия", UNIT, "316-я стрелковая дивизия"),
                ("ЦК ВЛКСМ", ORG, "ЦК ВЛКСМ"))
    b = article("b", "The 316-я стрелковая дивизия was formed in Alma-Ata. ЦК ВЛКСМ.",
                ("316-я стрелковая дивизия", UNIT, "316-я стрелковая дивизия"),
                ("Alma-Ata", PLACE, "Alma-Ata"),
                ("ЦК ВЛКСМ", ORG, "ЦК ВЛКСМ"))
    c = article("c", "Шымкент и Орден Ленина.", ("Шымкент", PLACE, "Шымкент"),
                ("Орден Ленина", AWARD, "орден Ленина"))
    d = article("d", "Shymkent и орден Ленина.", ("Shymkent", PLACE, "Shymkent"),
                ("орден Ленина", AWARD, "орден Ленина"))
    out = link_entities([a, b, c, d])
    assert ids_of(out, PLACE) == ["place:алма-ата", "place:алма-ата", "place:шымкент", "place:шымкент"]
    assert ids_of(out, UNIT) == ["unit:316-я_стрелковая_дивизия"] * 2
    assert ids_of(out, ORG) == ["org:цк_влксм"] * 2
    assert ids_of(out, AWARD) == ["award:орден_ленина"] * 2
    assert out[1].entities[1].name == "Алма-Ата" and out[1].entities[1].aliases == ("Alma-Ata",)


def test_same_name_different_labels_stay_apart():
    a = article("a", "Панфилов.", ("Панфилов", PLACE, "Панфилов"))
    b = article("b", "Панфилов.", ("Панфилов", ORG, "Панфилов"))
    assert [e.id for ex in link_entities([a, b]) for e in ex.entities] == ["place:панфилов", "org:панфилов"]


# --- ids everywhere, determinism, speed -------------------------------------------------------

def corpus() -> list[Extraction]:
    exs = [
        article("a", *PETROV_316),
        article("b", "Петров Иван воевал в 316-й стрелковой дивизии.",
                ("Петров Иван", PERSON, "Петров Иван"),
                ("316-й стрелковой дивизии", UNIT, "316-я стрелковая дивизия")),
        article("c", "Иван Петров пахал землю в Уральске. Амина ждала его.",
                ("Иван Петров", PERSON, "Иван Петров"), ("Уральске", PLACE, "Уральск"),
                ("Амина", PERSON, "Амина")),
        article("d", "Zhumabekov Kairat was born in Uralsk.",
                ("Zhumabekov Kairat", PERSON, "Zhumabekov Kairat"), ("Uralsk", PLACE, "Uralsk")),
        article("e", "Жұмабеков Қайрат вернулся в Уральск.",
                ("Жұмабеков Қайрат", PERSON, "Жұмабеков Қайрат"), ("Уральск", PLACE, "Уральск")),
    ]
    e = exs[4]
    person, place = e.entities[0].id, e.entities[1].id
    exs[4] = Extraction(e.article, e.mentions, e.entities,
                        events=(Event("return", (person,), "вернулся", (17, 26), "1945", place),),
                        relations=(Relation(person, "lived_in", place, (0, 35), "test"),),
                        sentences=e.sentences)
    return exs


def test_ids_are_rewritten_everywhere():
    out = link_entities(corpus())
    for ex in out:
        ids = {e.id for e in ex.entities}
        assert len(ids) == len(ex.entities)
        assert {m.entity for m in ex.mentions if m.entity} <= ids
        for ev in ex.events:
            assert set(ev.participants) <= ids and ev.place in ids
        for r in ex.relations:
            assert {r.subject, r.object} <= ids
    assert out[4].events[0].participants == ("person:жұмабеков_қайрат",)  # the only Cyrillic form
    assert out[4].events[0].place == "place:уральск"
    assert out[4].relations[0].object == "place:уральск"
    assert out[3].entities[0].id == out[4].entities[0].id == "person:жұмабеков_қайрат"
    assert out[3].entities[0].name == "Жұмабеков Қайрат"  # Cyrillic over Latin


def test_the_same_articles_in_any_order_give_the_same_ids():
    exs = corpus()
    expected = {ex.article.id: ex for ex in link_entities(exs)}
    rng = random.Random(7)
    for _ in range(10):
        shuffled = exs[:]
        rng.shuffle(shuffled)
        got = {ex.article.id: ex for ex in link_entities(shuffled)}
        for aid, ex in expected.items():
            assert [e.id for e in got[aid].entities] == [e.id for e in ex.entities]
            assert [(e.name, e.aliases) for e in got[aid].entities] == [(e.name, e.aliases) for e in ex.entities]
            assert got[aid].mentions == ex.mentions


def test_nothing_to_link():
    assert link_entities([]) == []
    ex = article("a", "Тишина.")
    assert link_entities([ex]) == [ex]


def test_ten_thousand_articles_link_in_seconds():
    rng = random.Random(1)
    first = ["Иван", "Пётр", "Кайрат", "Алия", "Бауыржан", "Сергей", "Маншук", "Талгат"]
    last = ["Петров", "Омаров", "Жумабеков", "Иванов", "Сейфуллин", "Ахметов", "Ким", "Нурпеисов"]
    units = [f"{n}-я стрелковая дивизия" for n in range(1, 400)]
    places = ["Алма-Ата", "Уральск", "Караганда", "Шымкент", "Москва", "Кокшетау"] + [f"Аул {n}" for n in range(300)]
    exs = []
    for k in range(10_000):
        named, parts = [], []
        for _ in range(3):
            name = f"{rng.choice(first)} {rng.choice(last)}{rng.randrange(60)}"
            unit, place = rng.choice(units), rng.choice(places)
            parts.append(f"{name} служил в {unit}, родом из {place}.")
            named += [(name, PERSON, name), (unit, UNIT, unit), (place, PLACE, place)]
        exs.append(article(f"art{k}", " ".join(parts), *named))
    start = time.perf_counter()
    out = link_entities(exs)
    elapsed = time.perf_counter() - start
    assert len(out) == 10_000
    assert elapsed < 30, f"{elapsed:.1f} s"


# --- kept up to date (kg.link.Linker) ---------------------------------------------------------

BRIDGE = article("bridge", "Алма-Ата (Almaty).", ("Алма-Ата", PLACE, "Алма-Ата"),
                 ("Almaty", PLACE, "Алматы"))
TIE_316 = article("tie", "Иван Петров служил в 316-й стрелковой дивизии под Уральском.",
                  ("Иван Петров", PERSON, "Иван Петров"),
                  ("316-й стрелковой дивизии", UNIT, "316-я стрелковая дивизия"),
                  ("Уральском", PLACE, "Уральск"))
OTHER_PETROV = article("other", "Иван Иванович Петров работал в колхозе под Уральском.",
                       ("Иван Иванович Петров", PERSON, "Иван Иванович Петров"),
                       ("Уральском", PLACE, "Уральск"))
ALMATY = article("almaty", "Алматы.", ("Алматы", PLACE, "Алматы"))
ALMA_ATA = article("alma", "Алма-Ата.", ("Алма-Ата", PLACE, "Алма-Ата"))


def _same_id(ex: Extraction, ident: str) -> Extraction:
    """``ex`` with its one entity under ``ident``: an id and a name of two other entities."""
    e, m = ex.entities[0], ex.mentions[0]
    return replace(ex, entities=(replace(e, id=ident),), mentions=(replace(m, entity=ident),))


# "Верный" and "Алма-Ата" share no key; an article that calls Алма-Ата by Верный's id makes them one
VERNY_PETROV = article("verny", "Иван Петров вернулся в Верный.", ("Иван Петров", PERSON, "Иван Петров"),
                       ("Верный", PLACE, "Верный"))
ALMA_ATA_PETROV = article("alma-petrov", "Иван Петров вернулся в Алма-Ату.",
                          ("Иван Петров", PERSON, "Иван Петров"), ("Алма-Ату", PLACE, "Алма-Ата"))
VERNY_IS_ALMA_ATA = _same_id(ALMA_ATA, "place:верный")
# eleven articles name Казахстан: it becomes too common to tie the Петровы of the first ten
KAZAKHSTAN = [article(f"kz{k}", f"Иван Петров, уроженец Казахстана, статья {k}.",
                      ("Иван Петров", PERSON, "Иван Петров"), ("Казахстана", PLACE, "Казахстан"))
              for k in range(10)]
KAZAKHSTAN_11 = article("kz-11", "Казахстан.", ("Казахстан", PLACE, "Казахстан"))


@pytest.mark.parametrize("before, after", [
    # an article that ties two namesakes comes, and goes
    (corpus(), corpus() + [TIE_316]),
    (corpus() + [TIE_316], corpus()),
    # one that names a place in two spellings joins two places into one, and splits them
    ([ALMATY, ALMA_ATA], [ALMATY, BRIDGE, ALMA_ATA]),
    ([ALMATY, BRIDGE, ALMA_ATA], [ALMATY, ALMA_ATA]),
    # a patronymic in a new article sets apart people who were one
    (corpus(), corpus()[:2] + [OTHER_PETROV] + corpus()[2:]),
    # an article changed: removed and another put in its place
    (corpus(), corpus()[:2] + [TIE_316] + corpus()[3:]),
    # articles in another order: linked again from scratch
    (corpus(), corpus()[::-1]),
    # a file renamed: the same bytes under another path
    (corpus(), corpus()[:1] + [replace(corpus()[1], article=replace(corpus()[1].article, source="z.txt"))]
     + corpus()[2:]),
    ([], corpus()),
    (corpus(), []),
    # the context of people in other articles changes: two places become one...
    ([VERNY_PETROV, ALMA_ATA_PETROV], [VERNY_PETROV, ALMA_ATA_PETROV, VERNY_IS_ALMA_ATA]),
    ([VERNY_PETROV, ALMA_ATA_PETROV, VERNY_IS_ALMA_ATA], [VERNY_PETROV, ALMA_ATA_PETROV]),
    # ...or a place becomes too common to tie anyone, or stops being so
    (KAZAKHSTAN, KAZAKHSTAN + [KAZAKHSTAN_11]),
    (KAZAKHSTAN + [KAZAKHSTAN_11], KAZAKHSTAN),
])
def test_an_update_links_as_linking_everything_again(before, after):
    linker = Linker(before)
    old = {ex.article.digest: ex for ex in linker.update(before)}
    got = linker.update(after)
    assert got == link_entities(after)
    for ex in got:  # articles whose ids changed are reported; so are records that changed
        was = old.get(ex.article.digest)
        if was is None or [m.entity for m in was.mentions] != [m.entity for m in ex.mentions]:
            assert ex.article.digest in linker.changed_articles
    records = lambda exs: {e.id: e for ex in exs for e in ex.entities}
    now, then = records(got), records(old.values())
    assert {i for i in now.keys() | then.keys() if now.get(i) != then.get(i)} <= linker.changed_entities
    assert set(old) - {ex.article.digest for ex in got} <= linker.changed_articles


def test_updates_one_article_at_a_time_link_as_linking_everything_again():
    rng = random.Random(3)
    first = ["Иван", "Кайрат", "Алия", "Сергей"]
    last = ["Петров", "Омаров", "Жумабеков", "Ахметов"]
    units = [f"{n}-я стрелковая дивизия" for n in range(1, 8)]
    places = ["Алма-Ата", "Alma-Ata", "Уральск", "Uralsk", "Караганда", "Шымкент"]
    pool = []
    for k in range(150):
        named, parts = [], []
        for _ in range(2):
            name = f"{rng.choice(first)} {rng.choice(last)}"
            if rng.random() < 0.3:
                name = name.replace(" ", " Иванович ", 1) if rng.random() < 0.5 else name + " Сергеевич"
            unit, place = rng.choice(units), rng.choice(places)
            year = str(rng.choice([1920, 1921, 1922]))
            parts.append(f"{name} родился в {year} году, служил в {unit}, родом из {place}.")
            named += [(name, PERSON, name), (year, DATE, year, year), (unit, UNIT, unit),
                      (place, PLACE, place)]
        pool.append(article(f"art{k}", " ".join(parts), *named))
    corpus_, rest = pool[:100], pool[100:]
    linker = Linker(corpus_)
    for _ in range(40):
        k = rng.randrange(len(corpus_))
        step = rng.choice(["add", "remove", "change"])
        if step == "add" and rest:
            corpus_ = corpus_[:k] + [rest.pop()] + corpus_[k:]
        elif step == "remove":
            rest.append(corpus_.pop(k))
        elif rest:
            rest.append(corpus_[k])
            corpus_ = corpus_[:k] + [rest.pop(0)] + corpus_[k + 1:]
        assert linker.update(corpus_) == link_entities(corpus_), step
