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
