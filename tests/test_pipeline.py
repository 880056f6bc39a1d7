"""End to end: the seed article and the whole sample corpus, through the orchestrator."""
from __future__ import annotations

import pytest

from conftest import CORPUS, gold
from kg.normalize import fold
from kg.pipeline import Skipped, extract, run

SEED = str(CORPUS / "seed_partisans_toulouse.txt")


@pytest.fixture(scope="module")
def seed():
    [ex] = list(extract([SEED]))
    return ex


def _names(ex, label):
    return {e.name for e in ex.entities if e.label == label}


@pytest.mark.parametrize("label, name", [
    ("PERSON", "Кабыш Омаров"),
    ("PERSON", "Кадем Жуманиязов"),
    ("PERSON", "Ашимбек Истыбаев"),
    ("PLACE", "Тулуза"),
    ("PLACE", "Смоленск"),
    ("PLACE", "Бавария"),
    ("UNIT", "отряд «Монгол»"),
    ("AWARD", "медаль 1939–1945 годов с планкой «Освобождение»"),
])
def test_seed_entities(seed, label, name):
    assert name in _names(seed, label)


def test_seed_one_entity_per_person(seed):
    kadem = [e for e in seed.entities if "Кадем" in e.name or "Кадем" in e.aliases]
    assert len(kadem) == 1
    surfaces = {m.text for m in seed.mentions if m.entity == kadem[0].id}
    assert {"Кадема Жуманиязова", "Кадем Жуманиязов", "Кадем", "Кадему"} <= surfaces


def test_seed_dates(seed):
    values = {m.value for m in seed.mentions if m.label == "DATE"}
    assert {"1941-06-22", "1943-22", "1941-07", "1943"} <= values


def test_seed_no_boilerplate_names(seed):
    leaked = {fold(e.name) for e in seed.entities} & {fold(n) for n in gold("seed_partisans_toulouse")["boilerplate_only"]}
    assert not leaked


def test_seed_byline_is_metadata_not_history(seed):
    assert seed.article.author == "Юлия Полонская"
    assert seed.article.photographer == "Игорь Бургандинов"
    assert not {"Юлия Полонская", "Игорь Бургандинов"} & _names(seed, "PERSON")


def test_offsets_index_the_text(seed):
    for m in seed.mentions:
        assert seed.article.text[m.start:m.end] == m.text
        s, e = m.sentence
        assert s <= m.start and m.end <= e


def test_corpus_contract_and_offsets():
    result = run([str(CORPUS)])
    assert not result.skipped
    assert len(result.extractions) == 5
    for ex in result.extractions:
        ids = {e.id for e in ex.entities}
        for m in ex.mentions:
            assert ex.article.text[m.start:m.end] == m.text
            # dates have no entity; a place adjective has one only when the place is named
            assert (m.entity is None) == (m.label == "DATE") or m.origin == "place_adjective"
            assert m.entity is None or m.entity in ids


def test_bad_files_are_skipped_and_others_build(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "fake.txt").write_bytes(b"%PDF-1.4\x00\x01\x02")
    (tmp_path / "good.txt").write_text("Кабыш Омаров родился в 1913 году в Аулиеколе.", encoding="utf-8")
    items = list(extract([str(tmp_path)]))
    skipped = {i.path.rsplit("/", 1)[-1]: i.reason for i in items if isinstance(i, Skipped)}
    assert set(skipped) == {"empty.txt", "fake.txt"}
    assert sum(not isinstance(i, Skipped) for i in items) == 1


def test_same_text_twice_is_one_article(tmp_path):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("Кабыш Омаров родился в 1913 году.", encoding="utf-8")
    items = list(extract([str(tmp_path)]))
    assert [type(i).__name__ for i in items] == ["Extraction", "Duplicate"]
    assert "same content" in items[1].reason
    assert items[1].original == items[0].article.source


@pytest.mark.parametrize("text, groups", [
    # a patronymic does not make another person
    ("Ибраев Габдулла Нурмухамедович служил в 1073 сп. Габдулла Ибраев погиб под Ржевом. Ибраева наградили.",
     {"Ибраев Габдулла Нурмухамедович": {"Ибраев Габдулла Нурмухамедович", "Габдулла Ибраев", "Ибраева"}}),
    # an abbreviation and the written-out name are one unit
    ("Они воевали в 1073 сп, потом в 1073-м стрелковом полку.",
     {"1073-й стрелковый полк": {"1073 сп", "1073-м стрелковом полку"}}),
])
def test_one_entity_whatever_the_form(text, groups):
    from kg.pipeline import extract_article
    from kg.types import Article

    ex = extract_article(Article(source="x.txt", text=text, digest="0" * 64))
    for name, surfaces in groups.items():
        [entity] = [e for e in ex.entities if e.name == name]
        assert {m.text for m in ex.mentions if m.entity == entity.id} == surfaces
