"""Stage 5, resolve: mentions to entities."""
from __future__ import annotations

import pytest

from kg.resolve import Named, entity_id, resolve, slug
from kg.types import PERSON, PLACE, Mention


def _named(items):
    out, pos = [], 0
    for surface, name, label in items:
        out.append(Named(Mention(pos, pos + len(surface), surface, label), name))
        pos += len(surface) + 10
    return out


@pytest.mark.parametrize("items, groups", [
    # a first name alone, in any case, joins the full name
    ([("Кадема Жуманиязова", "Кадем Жуманиязов", PERSON), ("Кадем", "Кадем", PERSON),
      ("Кадему", "Кадему", PERSON)], [[0, 1, 2]]),
    # an exact surname beats a nearer near-miss: the niece, not the uncle
    ([("Алия Молдагулова", "Алия Молдагулова", PERSON), ("Аубакира Молдагулова", "Аубакир Молдагулов", PERSON),
      ("Молдагулова", "Молдагулова", PERSON)], [[0, 2], [1]]),
    # the most mentioned person wins over a relative named in between
    ([("Жумагали Исмаилова", "Жумагали Исмаилов", PERSON), ("Жумагали Исмаилов", "Жумагали Исмаилов", PERSON),
      ("Нурлан Исмаилов", "Нурлан Исмаилов", PERSON), ("Исмаилов", "Исмаилов", PERSON)], [[0, 1, 3], [2]]),
    # name order does not matter
    ([("Ибраев Габдулла", "Ибраев Габдулла", PERSON), ("Габдулла Ибраев", "Габдулла Ибраев", PERSON)], [[0, 1]]),
    # an initial and a surname
    ([("Кабыш Омаров", "Кабыш Омаров", PERSON), ("К. Омаров", "К. Омаров", PERSON)], [[0, 1]]),
    # places by canonical name
    ([("Невелем", "Невель", PLACE), ("Невеле", "Невель", PLACE), ("Невель", "Невель", PLACE)], [[0, 1, 2]]),
])
def test_groups(items, groups):
    mentions, entities = resolve(_named(items), article_key="a1")
    got = {}
    for i, m in enumerate(mentions):
        got.setdefault(m.entity, []).append(i)
    assert sorted(got.values()) == sorted(groups)
    assert len(entities) == len(groups)


def test_one_word_person_is_scoped_to_the_article():
    mentions, _ = resolve(_named([("Амина", "Амина", PERSON)]), article_key="a1")
    assert mentions[0].entity == "person:амина@a1"


@pytest.mark.parametrize("label, name, ident", [
    (PERSON, "Кабыш Омаров", "person:кабыш_омаров"),
    (PERSON, "Омаров Кабыш", "person:кабыш_омаров"),
    ("UNIT", "отряд «Монгол»", "unit:отряд_монгол"),
    (PLACE, "Жёлтые Воды", "place:желтые_воды"),
    ("ORG", '"} ; DROP ALL ; #', "org:drop_all"),
])
def test_entity_id(label, name, ident):
    assert entity_id(label, name) == ident


def test_slug_never_empty():
    assert slug("«»") == "_"


def _mentions(items):
    """(surface, name, label, origin, gender, sentence start) -> Named, at increasing offsets."""
    out, pos = [], 0
    for surface, name, label, origin, gender, sent in items:
        out.append(Named(Mention(pos, pos + len(surface), surface, label, sentence=(sent, sent + 200),
                                 origin=origin), name, gender=gender))
        pos += len(surface) + 10
    return out


def test_label_vote_within_article():
    named = _mentions([("Петропавловск", "Петропавловск", PLACE, "model", None, 0),
                       ("Петропавловске", "Петропавловск", PLACE, "model", None, 0),
                       ("Петропавловск", "Петропавловск", PERSON, "model", None, 0)])
    mentions, entities = resolve(named, "a1")
    assert {m.label for m in mentions} == {PLACE} and len(entities) == 1


def test_familiar_name_joins_full_name():
    named = _mentions([("Мария Лысенко", "Мария Лысенко", PERSON, "model", "femn", 0),
                       ("Маша", "Маша", PERSON, "model", "femn", 0)])
    mentions, _ = resolve(named, "a1")
    assert mentions[0].entity == mentions[1].entity


@pytest.mark.parametrize("items, expected", [
    # a pronoun joins the nearest agreeing person of its sentence or the one before
    ([("Кадем Жуманиязов", "Кадем Жуманиязов", PERSON, "model", "masc", 0),
      ("он", "", PERSON, "pronoun", "masc", 300)], "person:жуманиязов_кадем"),
    # never a person of the other gender
    ([("Алия Молдагулова", "Алия Молдагулова", PERSON, "model", "femn", 0),
      ("он", "", PERSON, "pronoun", "masc", 0)], None),
    # not when a place stands between them in the pronoun's sentence
    ([("Ашимбек Истыбаев", "Ашимбек Истыбаев", PERSON, "model", "masc", 0),
      ("Тулузы", "Тулуза", PLACE, "model", None, 0),
      ("его", "", PERSON, "pronoun", "masc", 0)], None),
    # across a sentence that names only a place
    ([("Кадем Жуманиязов", "Кадем Жуманиязов", PERSON, "model", "masc", 0),
      ("Смоленск", "Смоленск", PLACE, "model", None, 300),
      ("он", "", PERSON, "pronoun", "masc", 600)], "person:жуманиязов_кадем"),
    # not more than three named sentences back
    ([("Кадем Жуманиязов", "Кадем Жуманиязов", PERSON, "model", "masc", 0)]
     + [(p, p, PLACE, "model", None, 300 * k) for k, p in enumerate(["Смоленск", "Москва", "Тула", "Орёл"], 1)]
     + [("он", "", PERSON, "pronoun", "masc", 1500)], None),
    # past a person of the other gender to the nearest of its own
    ([("Кадем Жуманиязов", "Кадем Жуманиязов", PERSON, "model", "masc", 0),
      ("Алия Молдагулова", "Алия Молдагулова", PERSON, "model", "femn", 0),
      ("он", "", PERSON, "pronoun", "masc", 300)], "person:жуманиязов_кадем"),
])
def test_pronoun_antecedent(items, expected):
    mentions, entities = resolve(_mentions(items), "a1")
    pronoun = [m for m in mentions if m.origin == "pronoun"]
    assert (pronoun[0].entity if pronoun else None) == expected
    assert all(e.name for e in entities)


def test_common_noun_alone_is_no_person():
    mentions, entities = resolve(_mentions([("Сцена", "Сцена", PERSON, "model", None, 0)]), "a1")
    assert not mentions and not entities


def test_short_org_name_joins_the_full_one():
    named = _mentions([("движения Сопротивления", "движение Сопротивления", "ORG", "model", None, 0),
                       ("Сопротивления", "Сопротивление", "ORG", "model", None, 0)])
    mentions, entities = resolve(named, "a1")
    assert len(entities) == 1 and entities[0].name == "движение Сопротивления"


@pytest.mark.parametrize("places, expected", [
    (["Франция"], "place:франция"),
    ([], None),
])
def test_place_adjective_joins_a_named_place(places, expected):
    items = [(p, p, PLACE, "model", None, 0) for p in places]
    items.append(("французских", "Франция", PLACE, "place_adjective", None, 0))
    mentions, entities = resolve(_mentions(items), "a1")
    assert mentions[-1].entity == expected
    assert all("французских" not in e.aliases for e in entities)
