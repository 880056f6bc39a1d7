"""Stage 3, nlp: tokens keep the text, sentences, model and rule spans, overlaps settled."""
from __future__ import annotations

import pytest

from kg.nlp import RazdelTokenizer, masked_text, sentence_spans, settle_overlaps
from kg.types import Article


@pytest.mark.parametrize("text", [
    "Кабыш Омаров встретил войну 22\u00a0июня 1941\u00a0года.",
    "  Два пробела,\n\nпустая строка\tи таб. ",
    "«Монгол» — отряд.\r\nСтрока Windows.",
])
def test_tokenizer_keeps_text(nlp, text):
    assert RazdelTokenizer(nlp.vocab)(text).text == text


@pytest.mark.parametrize("text, expected", [
    ("Они освобождали Европу\n\n2880\nЮлия Полонская", ["Они освобождали Европу", "2880", "Юлия Полонская"]),
    ("Там совершил побег. Однако летом 1943 года ему удалось бежать.",
     ["Там совершил побег.", "Однако летом 1943 года ему удалось бежать."]),
    ("Родился в 1913 г. в Аулиеколе.", ["Родился в 1913 г. в Аулиеколе."]),
])
def test_sentences(text, expected):
    assert [text[s:e] for s, e in sentence_spans(text)] == expected


@pytest.mark.parametrize("text, expected", [
    ("Кабыш Омаров встретил войну 22 июня 1941 года в Западной Белоруссии.",
     [("Кабыш Омаров", "PERSON"), ("22 июня 1941 года", "DATE"), ("Западной Белоруссии", "PLACE")]),
    ("Во Франции был сформирован партизанский отряд «Монгол».",
     [("Франции", "PLACE"), ("партизанский отряд «Монгол»", "UNIT")]),
    ("В её состав вошли 857-й артиллерийский полк и 1073-й стрелковый полк.",
     [("857-й артиллерийский полк", "UNIT"), ("1073-й стрелковый полк", "UNIT")]),
    ("Он воевал в составе 4-й гвардейской армии 3-го Украинского фронта.",
     [("4-й гвардейской армии", "UNIT"), ("3-го Украинского фронта", "UNIT")]),
    ("Сейткали Ахметов получил медаль «За отвагу».",
     [("Сейткали Ахметов", "PERSON"), ("медаль «За отвагу»", "AWARD")]),
    ("Асхат получил орден Красной Звезды.", [("Асхат", "PERSON"), ("орден Красной Звезды", "AWARD")]),
    ("Звание Героя Советского Союза ей присвоено посмертно 1 марта 1944 года.",
     [("Героя Советского Союза", "AWARD"), ("1 марта 1944 года", "DATE")]),
    ("Посол вручил медаль 1939–1945 годов с планкой «Освобождение».",
     [("медаль 1939–1945 годов с планкой «Освобождение»", "AWARD")]),
    ("Летом 1943 года ефрейтор Молдагулова прибыла на фронт.",
     [("Летом 1943 года", "DATE"), ("Молдагулова", "PERSON")]),
    ("Воевал в 316 сд под Москвой.", [("316 сд", "UNIT"), ("Москвой", "PLACE")]),
])
def test_entities(nlp, text, expected):
    assert [(e.text, e.label_) for e in nlp(text).ents] == expected


def test_model_span_trimmed(nlp):
    doc = nlp("Им у памятника генералу Шарлю де Голлю Чрезвычайный и Полномочный Посол вручил медаль.")
    assert ("Шарлю де Голлю", "PERSON") in [(e.text, e.label_) for e in doc.ents]


def test_rules_win_over_model(nlp):
    doc = nlp("Его наградили орденом Красной Звезды в 1-м Белорусском фронте.")
    labels = {e.text: e.label_ for e in doc.ents}
    assert labels["орденом Красной Звезды"] == "AWARD"
    assert "Красной Звезды" not in labels
    assert labels.get("1-м Белорусском фронте") == "UNIT"


def test_settle_prefers_longest_rule(nlp):
    doc = nlp.make_doc("22 июня 1941 года")
    from spacy.tokens import Span

    short, long_ = Span(doc, 0, 2, "DATE"), Span(doc, 0, 4, "DATE")
    model = [Span(doc, 1, 2, "ORG")]
    assert [(s.start, s.end) for s in settle_overlaps(model, [short, long_])] == [(0, 4)]


def test_boilerplate_is_masked(nlp):
    text = "Кабыш Омаров служил во Франции.\nПопулярное\nВстреча Путина и Трампа пройдет в Анкоридже"
    start = text.index("Популярное")
    art = Article(source="x", text=text, digest="0", boilerplate=((start, len(text)),))
    masked = masked_text(art)
    assert len(masked) == len(text)
    ents = [e.text for e in nlp(masked).ents]
    assert "Кабыш Омаров" in ents and not {"Путина", "Трампа", "Анкоридже"} & set(ents)


@pytest.mark.parametrize("text, expected", [
    # titles are not part of a name; the line break and the bracket end it
    ("Император Акихито и Кронпринц Нарухито\nпосетили храм.", [("Акихито", "PERSON"), ("Нарухито", "PERSON")]),
    ("Рэперу Шону Комбсу (Diddy) предъявили иск.", [("Шону Комбсу", "PERSON")]),
    ("Дед ушёл на фронт добровольцем.", []),
    # the rest of an organization's name
    ("Она поступила в Центральную женскую школу снайперской подготовки.",
     [("Центральную женскую школу снайперской подготовки", "ORG")]),
    ("Он присоединился к бойцам движения Сопротивления во Франции.",
     [("движения Сопротивления", "ORG"), ("Франции", "PLACE")]),
    ("Орден вручил руководитель районного управления по делам обороны подполковник Ержан Сатыбалдиев.",
     [("районного управления по делам обороны", "ORG"), ("Ержан Сатыбалдиев", "PERSON")]),
    ("В средней школе № 12 города Актобе учитель ведёт кружок «Поиск».",
     [("средней школе № 12", "ORG"), ("Актобе", "PLACE"), ("кружок «Поиск»", "ORG")]),
    ("Кружковцы написали в музей Маншук Маметовой в Уральске.",
     [("музей Маншук Маметовой", "ORG"), ("Уральске", "PLACE")]),
    ("По словам сотрудницы музея Розы Абдрахмановой, писем много.", [("Розы Абдрахмановой", "PERSON")]),
    ("В мае 2017 года Верховный суд Испании приговорил футболиста.",
     [("мае 2017 года", "DATE"), ("Верховный суд Испании", "ORG")]),
    # place adjectives fill what the model leaves, and never break its names
    ("Историческая встреча американских и советских войск.",
     [("американских", "PLACE"), ("советских", "PLACE")]),
    ("Гендиректор «Уральской стали» умер.", [("Уральской стали", "ORG")]),
    # one span for coordinated units, split later into one unit per number
    ("В её состав вошли 1073-й, 1075-й и 1077-й стрелковые полки.",
     [("1073-й, 1075-й и 1077-й стрелковые полки", "UNIT")]),
])
def test_boundaries(nlp, text, expected):
    assert [(e.text, e.label_) for e in nlp(text).ents] == expected


def test_nested_place_is_kept(nlp):
    doc = nlp("Верховный суд Испании приговорил футболиста.")
    assert [(s.text, s.label_) for s in doc.spans["nested"]] == [("Испании", "PLACE")]


# sentences of many lengths, more than one slovnet batch (8), so that padding matters
MODEL_TEXT = ("Кабыш Омаров родился в 1913 году в ауле Булак нынешней Актюбинской области. Война. "
              "В августе 1941 года его призвали в армию, и он воевал под Москвой в составе 316-й "
              "стрелковой дивизии генерала Ивана Панфилова. Потом был ранен. Он попал в плен. "
              "Там совершил побег. Летом 1943 года он присоединился к французским партизанам, "
              "которые действовали в районе Тулузы. Его наградили медалью. Домой вернулся в 1946 году. "
              "Работал учителем. Умер в 1982 году. Его внук, Асхат Жакипов, живёт в Актобе.")


def test_models_give_natasha_results(nlp):
    """kg runs slovnet's morphology and parser on sentences grouped by length: the
    results are those of slovnet's own batches, for any subset of the sentences too."""
    from kg.nlp import _natasha, _pads, _predict, sentence_tokens

    _, morph, syntax = _natasha()
    words = [[t.text for t in toks] for toks in sentence_tokens(nlp(MODEL_TEXT))]
    assert len(words) > 8
    tags = [[t.pos for t in m.tokens] for m in morph.map(words)]
    assert [[t.split("|")[0] for t in s] for s in _predict(morph, words)] == tags
    parses = [[(t.head_id, t.rel) for t in m.tokens] for m in syntax.map(words)]
    assert [list(zip(heads, rels)) for _, heads, rels in _predict(syntax, words)] == parses
    pads = _pads([len(w) for w in words], syntax.batch_size, 1)
    some = [1, 4, 9]
    found = _predict(syntax, [words[k] for k in some], [pads[k] for k in some])
    assert [list(zip(heads, rels)) for _, heads, rels in found] == [parses[k] for k in some]


def test_viterbi_is_slovnets():
    import numpy

    from kg.nlp import _natasha, _viterbi

    crf = _natasha()[0].infer.model.head.crf
    rng = numpy.random.default_rng(7)
    for n in (1, 2, 17, 300):
        emissions = rng.normal(size=(1, n, crf.transitions.shape[0])).astype("float32") * 5
        expected = crf.decode(emissions, numpy.ones((1, n), dtype=bool))[0].tolist()
        assert _viterbi(crf.transitions.array, emissions[0]) == expected


def test_only_sentences_with_events_or_relations_are_parsed(nlp):
    from kg.nlp import dependencies

    doc = nlp("Погода была хорошей. Кабыш Омаров служил в 316-й дивизии.")
    heads, deps = dependencies(doc)
    first = [t.i for t in doc if t.idx < doc.text.index("Кабыш")]
    assert all(heads[i] is None and deps[i] == "" for i in first)
    assert all(deps[t.i] for t in doc if t.i not in first)


def test_empty_text(nlp):
    assert list(nlp("  \n ").ents) == []


@pytest.mark.parametrize("key", ["units", "dates", "awards", "orgs", "places"])
def test_windowed_rulers_match_as_spacy_s_ruler_does(nlp, key):
    """The rulers look only where a match can be, each group of patterns in its own
    windows (kg.nlp, "rule matching only where a rule can match"): on the sample corpus
    they must find exactly what spaCy's SpanRuler finds trying every pattern everywhere."""
    from pathlib import Path

    from spacy.pipeline import SpanRuler

    from kg.clean import clean
    from kg.read import read_all

    ruler = nlp.get_pipe(f"kg_{key}")
    plain = SpanRuler(nlp, name=f"plain_{key}", spans_key=key, overwrite=True)
    plain.add_patterns(ruler.patterns)
    corpus = Path(__file__).resolve().parents[1] / "data" / "corpus"
    texts = [masked_text(clean(a)) for a in read_all([corpus])]
    texts.append("С 22 июня 1941 года по 9 мая 1945 года, летом 1943-го, в 1944 г. и в мае 45-го "
                 "он служил в 316-й сд, получил орден Славы III степени и медаль «За отвагу».")
    found = 0
    for text in texts:
        doc = nlp(text)
        spans = sorted((s.start, s.end, s.label_, s.id_) for s in ruler.match(doc))
        assert spans == sorted((s.start, s.end, s.label_, s.id_) for s in plain.match(doc))
        found += len(spans)
    assert found > 0
