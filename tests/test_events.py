"""Stage 6, events and relations: tables of real Russian sentences and what they state."""
from __future__ import annotations

import pytest

from kg.pipeline import extract_article
from kg.types import Article


def _extract(text):
    ex = extract_article(Article(source="x.txt", text=text, digest="0" * 64))
    names = {e.id: e.name for e in ex.entities}
    events = [(e.kind, tuple(names.get(p, p) for p in e.participants), e.date, names.get(e.place))
              for e in ex.events]
    relations = {(names.get(r.subject, r.subject), r.predicate, names.get(r.object, r.object))
                 for r in ex.relations}
    return ex, events, relations


@pytest.mark.parametrize("text, expected", [
    ("Сам Бауыржан Момышулы родился в 1910 году в нынешней Жамбылской области.",
     ("birth", ("Бауыржан Момышулы",), "1910", "Жамбылская область")),
    ("Кадем Жуманиязов в июле 1941 года был ранен в ногу в ожесточенном сражении в районе Смоленска.",
     ("wounded", ("Кадем Жуманиязов",), "1941-07", "Смоленск")),
    # the subject of the last sentence and "там" carry over; the date does not
    ("Кабыш Омаров попал в плен и был отправлен в Баварию. Там совершил побег.",
     ("escape", ("Кабыш Омаров",), None, "Бавария")),
    # a pronoun names the person; the date comes from the sentence before
    ("Жумагали Исмаилов отбил несколько атак 9 марта 1945 года. Через два дня он погиб.",
     ("death", ("Жумагали Исмаилов",), "1945-03-11", None)),
    # a relative pronoun stands for the names before it
    ("Это родственники Кабыша Омарова и Кадема Жуманиязова, которые приняли участие в освобождении города Тулузы.",
     ("liberation", ("Кабыш Омаров", "Кадем Жуманиязов"), None, "Тулуза")),
    # what is done to someone: the object takes part
    ("В августе 1941 года Жумагали Исмаилова призвали в армию.",
     ("conscription", ("Жумагали Исмаилов",), "1941-08", None)),
    # the unit joined takes part too
    ("Летом 1943 года ефрейтор Алия Молдагулова прибыла на фронт и стала снайпером 54-й отдельной стрелковой бригады.",
     ("joined", ("Алия Молдагулова", "54-я отдельная стрелковая бригада"), "1943-22", None)),
    # a bare unit noun stands for the unit named before
    ("Выставка посвящена 316-й стрелковой дивизии. Дивизию начали формировать летом 1941 года в Алма-Ате.",
     ("other", ("316-я стрелковая дивизия",), "1941-22", "Алматы")),
    # the place of the reason is not the place of the award
    ("За бои под Москвой Сейткали Ахметов получил медаль «За отвагу».",
     ("award", ("Сейткали Ахметов",), None, None)),
])
def test_events(text, expected):
    _, events, _ = _extract(text)
    assert expected in events, events


def test_thought_dead_is_not_dead():
    _, events, _ = _extract("Кадем Жуманиязов был ранен. Командование посчитало его погибшим.")
    assert not [e for e in events if e[0] == "death"]


@pytest.mark.parametrize("text, expected", [
    ("Её отец, Павел Лысенко, служил в 38-й армии.", ("Павел Лысенко", "member_of", "38-я армия")),
    ("Асхат воевал в 1-м гвардейском кавалерийском корпусе генерала Павла Белова.",
     ("Павел Белов", "commanded", "1-й гвардейский кавалерийский корпус")),
    ("Она стала снайпером 54-й отдельной стрелковой бригады 22-й армии.",
     ("54-я отдельная стрелковая бригада", "part_of", "22-я армия")),
    ("Алия Молдагулова родилась в 1925 году в ауле Булак нынешней Актюбинской области.",
     ("Булак", "located_in", "Актюбинская область")),
    ("Бауыржан Момышулы умер в 1982 году в Алма-Ате.", ("Бауыржан Момышулы", "died_in", "Алматы")),
    ("Маншук Маметова погибла под Невелем. Маншук похоронена в Невеле.",
     ("Маншук Маметова", "buried_in", "Невель")),
    ("За бои под Москвой Сейткали Ахметов получил медаль «За отвагу».",
     ("Сейткали Ахметов", "awarded", "медаль «За отвагу»")),
    ("Брат Жумагали Исмаилова, Сейтжан Исмаилов, вернулся с войны живым.",
     ("Сейтжан Исмаилов", "relative_of", "Жумагали Исмаилов")),
    ("Брат Жумагали, Сейтжан Исмаилов, дошёл до Берлина в составе 3-й ударной армии.",
     ("Сейтжан Исмаилов", "member_of", "3-я ударная армия")),
    ("Пулемётчик 1073-го стрелкового полка Сейткали Ахметов служил в батальоне Момышулы.",
     ("Сейткали Ахметов", "member_of", "1073-й стрелковый полк")),
    ("Во Франции был сформирован партизанский отряд «Монгол».", ("отряд «Монгол»", "located_in", "Франция")),
    ("За работу на заводе Мария Лысенко получила медаль «За трудовую доблесть», а Асхат Жакипов — орден Красной Звезды.",
     ("Асхат Жакипов", "awarded", "орден Красной Звезды")),
])
def test_relations(text, expected):
    _, _, relations = _extract(text)
    assert expected in relations, relations


def test_every_fact_has_its_sentence():
    text = ("Кадем Жуманиязов в июле 1941 года был ранен под Смоленском. Однако он выжил, но попал в плен. "
            "В 1943 году Кадему удалось примкнуть к французским партизанам.")
    ex, events, _ = _extract(text)
    assert events
    for e in list(ex.events) + list(ex.relations):
        s, end = e.evidence
        assert s < end and text[s:end].strip()
        assert any(s == a and end == b for a, b in ex.sentences)


def test_parsing_every_sentence_changes_nothing():
    """kg.nlp parses only the sentences kg.events.needs_parse passes: a parse of every
    sentence gives the same events and relations (the sample corpus)."""
    from kg.clean import clean
    from kg.nlp import analyze, dependency_parse
    from kg.pipeline import extraction_from_doc
    from kg.read import read_all

    from conftest import CORPUS

    for document in read_all([str(CORPUS)]):
        article = clean(document)
        doc = analyze(article)
        some = extraction_from_doc(article, doc)
        del doc.user_data["kg_parse"]
        every = extraction_from_doc(article, dependency_parse(doc))
        assert (some.events, some.relations) == (every.events, every.relations), document.source
        assert some.events and some.relations
