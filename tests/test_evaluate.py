"""The measurement command: scoring against gold (made-up records, so the tests do not
depend on the extractor's quality)."""
from __future__ import annotations

from kg.evaluate import dev_table, score_dev

TEXT = "Кабыш Омаров встретил войну 22 июня 1941 года под Смоленском. Путин"
GOLD = {
    "file": "a.txt",
    "entities": [
        {"type": "person", "name": "Кабыш Омаров", "mentions": ["Кабыш Омаров"]},
        {"type": "place", "name": "Смоленск", "mentions": ["Смоленском"], "also": ["г. Смоленск"]},
        {"type": "unit", "name": "отряд «Монгол»", "mentions": []},
    ],
    "article_people": [{"name": "Юлия Полонская", "relation": "author"}],
    "boilerplate_only": ["Путин"],
    "dates": [{"text": "22 июня 1941 года", "edtf": "1941-06-22"}, {"text": "в 1943 году", "edtf": "1943"}],
}


def _record(entities, dates):
    return {"source": "dir/a.txt", "text": TEXT, "entities": entities,
            "mentions": [{"start": TEXT.index(t), "end": TEXT.index(t) + len(t), "label": "DATE",
                          "value": v} for t, v in dates]}


def test_scores_by_type_and_name():
    rec = _record([{"label": "PERSON", "name": "Кабыш Омаров"},
                   {"label": "PLACE", "name": "Смоленск"},
                   {"label": "PERSON", "name": "Путин"},
                   {"label": "PERSON", "name": "Юлия Полонская"}],
                  [("22 июня 1941 года", "1941-06")])
    s = score_dev([rec], [GOLD])
    assert (s.per_type["PERSON"].tp, s.per_type["PERSON"].pred, s.per_type["PERSON"].gold) == (1, 3, 1)
    assert (s.per_type["PLACE"].tp, s.per_type["UNIT"].gold) == (1, 1)
    assert s.leaks == [("a.txt", "Путин")]
    assert s.credits_leaked == [("a.txt", "Юлия Полонская")]
    # the date is found but valued wrongly; "в 1943 году" is not in the text
    assert (s.dates_gold, s.dates_found, s.dates_right) == (2, 1, 0)
    assert "| PERSON | 0.33 | 1.00 | 0.50 |" in dev_table(s)


def test_also_names_and_duplicates():
    rec = _record([{"label": "PLACE", "name": "г. Смоленск"}, {"label": "PLACE", "name": "Смоленск"}], [])
    s = score_dev([rec], [GOLD])
    # one gold place, matched once: the second prediction is an extra
    assert (s.per_type["PLACE"].tp, s.per_type["PLACE"].pred) == (1, 2)
