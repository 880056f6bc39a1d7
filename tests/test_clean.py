"""Stage "clean": boilerplate, credits and metadata of real pages, checked against the gold."""
import json
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from kg.clean import clean, credit_line, find_boilerplate, find_credits, person_name
from kg.errors import ReadError
from kg.read import read_file
from kg.types import Document

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus"
GOLD = ROOT / "tests" / "gold"
TEXTS = ["seed_partisans_toulouse.txt", "a03.txt", "a08.txt"]
PAGES = ["a02.html", "a05.html"]


def _gold(name: str) -> dict:
    return json.loads((GOLD / (name.rsplit(".", 1)[0] + ".gold.json")).read_text("utf-8"))


def _article(name: str):
    return clean(read_file(CORPUS / name))


def _doc(raw: str, fmt: str = "text") -> Document:
    return Document(source="t." + fmt, raw=raw, format=fmt, encoding="utf-8", digest="0" * 64)


def _inside(start: int, end: int, spans) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _body_occurrences(name: str, article) -> list[str]:
    """Where a name (in any inflection, roughly: each word minus its ending) stands
    in the text outside the boilerplate."""
    stems = [re.escape(w[:-1] if len(w) > 4 else w) for w in name.split()]
    pattern = r"(?<!\w)" + r"\w*\s+".join(stems) + r"\w*"
    return [m.group() for m in re.finditer(pattern, article.text)
            if not _inside(m.start(), m.end(), article.boilerplate)]


# --- the seed --------------------------------------------------------------

def test_seed():
    art = _article("seed_partisans_toulouse.txt")
    raw = (CORPUS / "seed_partisans_toulouse.txt").read_text("utf-8")
    assert art.text == raw
    assert art.boilerplate == ((2908, 5721),)
    assert len(art.text) == 5721
    assert art.title == "Они освобождали Европу"
    assert art.author == "Юлия Полонская"
    assert art.photographer == "Игорь Бургандинов"
    assert art.published is None
    assert [raw[s:e] for s, e in art.credits] == [
        "2880\nЮлия Полонская\nстарший корреспондент отдела политики",
        "фото Игоря Бургандинова",
    ]


# --- every dev article against its gold --------------------------------------

@pytest.mark.parametrize("name", TEXTS)
def test_text_articles_keep_the_file_and_match_gold(name):
    art, gold = _article(name), _gold(name)
    assert art.text == read_file(CORPUS / name).raw
    assert (art.title, art.author, art.published) == (
        gold["title"], gold["author"], gold["published"])
    photographers = [p["name"] for p in gold["article_people"] if p["relation"] == "photographer"]
    assert art.photographer == (photographers[0] if photographers else None)
    for region in gold.get("boilerplate_regions") or ():
        assert tuple(region) in art.boilerplate


@pytest.mark.parametrize("name", TEXTS + PAGES)
def test_no_boilerplate_name_outside_boilerplate(name):
    art, gold = _article(name), _gold(name)
    found = {n: _body_occurrences(n, art) for n in gold["boilerplate_only"]}
    assert {n: hits for n, hits in found.items() if hits} == {}


@pytest.mark.parametrize("name", TEXTS + PAGES)
def test_history_sentences_are_body(name):
    art, gold = _article(name), _gold(name)
    for event in gold["events"]:
        start = art.text.find(event["sentence"])
        assert start >= 0, event["sentence"]
        assert not art.outside_body(start, start + len(event["sentence"]))


@pytest.mark.parametrize("name", PAGES)
def test_html_pages_match_gold(name):
    art, gold = _article(name), _gold(name)
    assert (art.title, art.author, art.published) == (
        gold["title"], gold["author"], gold["published"])
    assert art.text.startswith(gold["title"] + "\n\n")
    assert art.format == "html"


@pytest.mark.parametrize("name", PAGES)
def test_html_keeps_every_article_paragraph_and_nothing_else(name):
    art = _article(name)
    tree = lxml_html.fromstring((CORPUS / name).read_bytes())
    for p in tree.xpath("//article//p[not(contains(@class, 'info'))]"):
        assert p.text_content().strip() in art.text.split("\n\n")
    for junk in ["Главная", "cookie", "Поделиться", "Читайте также", "Популярное",
                 "Подробнее", "Правила", "Реклама", "©", "Редакция", "Адрес:", "Просмотров"]:
        assert junk not in art.text
    assert "\n\n\n" not in art.text and "\n" not in art.text.replace("\n\n", "")


# --- rules, one table each ------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    # a headline list after a marker, up to the end
    ("Бой шёл весь день.\n\nДругие новости\nВ Рудном открыли дворец\nХоккеисты выиграли",
     ["Другие новости\nВ Рудном открыли дворец\nХоккеисты выиграли"]),
    # the list stops where prose resumes
    ("Читайте также:\nВ Таразе открыли океанариум\n\n"
     "Жумагали Исмаилов родился в 1913 году в Аулиеколе, а в августе 1941 года ушёл на фронт.",
     ["Читайте также:\nВ Таразе открыли океанариум"]),
    # junk lines stand alone; a count after the marker does not matter
    ("Текст статьи.\n\n© 2008–[[year]] Все права защищены\n\nКомментарии (3)\nХорошая статья",
     ["© 2008–[[year]] Все права защищены\n\nКомментарии (3)\nХорошая статья"]),
    ("Архив\n\n  • [[year]]\n  • [[month.label]]", ["Архив\n\n  • [[year]]\n  • [[month.label]]"]),
    ("Пн Вт Ср Чт Пт Сб Вс", ["Пн Вт Ср Чт Пт Сб Вс"]),
    ("Мы используем файлы cookie. Подробнее", ["Мы используем файлы cookie. Подробнее"]),
    ("## Читайте также\n\n- [Новость](https://example.kz/1)", ["## Читайте также\n\n- [Новость](https://example.kz/1)"]),
    # a word that is a marker only inside a sentence is prose
    ("Архив семьи хранит письма деда.\nЧитайте также нашу статью о нём.", []),
])
def test_find_boilerplate(raw, expected):
    assert [raw[s:e] for s, e in find_boilerplate(raw)] == expected


@pytest.mark.parametrize("line, expected", [
    ("фото Игоря Бургандинова", ("photographer", "Игоря Бургандинова", False)),
    ("Фото: Игорь Лаптев", ("photographer", "Игорь Лаптев", True)),
    ("Фото — Игорь Лаптев", ("photographer", "Игорь Лаптев", True)),
    ("Фото автора", ("photographer", "автора", False)),
    ("Фото из архива семьи Исмаиловых", ("photographer", "из архива семьи Исмаиловых", False)),
    ("Рабочие у станков. Фото из фондов музея", ("photographer", "из фондов музея", False)),
    ("Текст: Ольга Веденеева", ("author", "Ольга Веденеева", True)),
    ("Автор: Светлана Игнатенко", ("author", "Светлана Игнатенко", True)),
    ("Текст и фото Ивана Петрова", ("both", "Ивана Петрова", False)),
    ("Источник: ЦАМО", ("source", "ЦАМО", True)),
    ("Фото братьев стоят рядом.", None),
    ("Фотографии братьев стоят рядом в семейном альбоме.", None),
    ("Текст письма хранится в музее", None),
    ("Автор книги — Александр Бек", None),
])
def test_credit_line(line, expected):
    assert credit_line(line) == expected


@pytest.mark.parametrize("name, case, expected", [
    ("Игоря Бургандинова", "gent", "Игорь Бургандинов"),
    ("Игоря Лаптева", "gent", "Игорь Лаптев"),
    ("Ольги Веденеевой", "gent", "Ольга Веденеева"),
    ("Светланы Игнатенко", "gent", "Светлана Игнатенко"),
    ("Светлана Игнатенко", "nomn", "Светлана Игнатенко"),
    ("Юлия Полонская", "gent", "Юлия Полонская"),  # not a genitive after all
    ("Игоря Лаптева", "nomn", "Игорь Лаптев"),
    ("Игорь Лаптев / РИА Новости", "nomn", "Игорь Лаптев"),
    ("из фондов музея", "gent", None),
])
def test_person_name(name, case, expected):
    assert person_name(name, case) == expected


@pytest.mark.parametrize("raw, title, author, photographer, published", [
    ("Орден нашёл семью\n\n12 мая 2021\nТекст: Иван Петров\n\nБыл бой.",
     "Орден нашёл семью", "Иван Петров", None, "2021-05-12"),
    ("Орден нашёл семью\n12.05.2021 10:32\n\nБыл бой.\n\nФото автора",
     "Орден нашёл семью", None, None, "2021-05-12"),
    ("Орден нашёл семью\nОпубликовано: 2021-05-12\nИван Петров\n\nБыл бой.\n\nФото автора",
     "Орден нашёл семью", "Иван Петров", "Иван Петров", "2021-05-12"),
    ("Орден нашёл семью\n10:32, 12 мая 2021 г.\n\nБыл бой.",
     "Орден нашёл семью", None, None, "2021-05-12"),
    ("15.05.2023 | Общество\nОрден нашёл семью\n\nБыл бой.",
     "Орден нашёл семью", None, None, "2023-05-15"),
    ("# Орден нашёл семью\n\n**Автор:** Иван Петров\n\nБыл бой.",
     "Орден нашёл семью", "Иван Петров", None, None),
    ("Орден нашёл семью\n\nВеликая Отечественная\n\nБыл бой.",  # a heading, not a byline
     "Орден нашёл семью", None, None, None),
    ("Орден нашёл семью\n\n31.02.2021\n\nБыл бой.",  # no such day
     "Орден нашёл семью", None, None, None),
])
def test_find_credits(raw, title, author, photographer, published):
    c = find_credits(raw)
    assert (c.title, c.author, c.photographer, c.published) == (title, author, photographer, published)


def test_credits_do_not_cover_the_title_or_the_body():
    raw = "Орден нашёл семью\n\n3 482\nИван Петров\nкорреспондент отдела культуры\n\nИван Петров был на войне."
    art = clean(_doc(raw))
    assert [raw[s:e] for s, e in art.credits] == [
        "3 482\nИван Петров\nкорреспондент отдела культуры"]
    assert art.title == "Орден нашёл семью" and art.author == "Иван Петров"


def test_markdown_text_is_kept_exactly():
    raw = "# Орден нашёл семью\r\n\r\nБыл бой.\r\n\r\n## Читайте также\r\n\r\n- Другое\r\n"
    art = clean(_doc(raw, "markdown"))
    assert art.text == raw and art.title == "Орден нашёл семью"
    assert [raw[s:e] for s, e in art.boilerplate] == ["## Читайте также\r\n\r\n- Другое"]


HTML = """<html><head><title>Бой у разъезда | Вечерний город</title>
<meta property="og:site_name" content="Вечерний город"></head><body>
<nav><a href="/">Главная</a> <a href="/news">Новости</a></nav>
<article><h1>Бой у разъезда</h1>
<p class="meta">Автор: <span class="author">Иван Петров</span> | <time datetime="2021-05-12T10:00">12 мая</time></p>
<p>Кабыш Омаров встретил войну 22 июня 1941 года в Западной Белоруссии в звании лейтенанта, и уже через месяц раненый и контуженый он попал в плен.</p>
<p>Однако летом 1943 года ему удалось снова бежать, после чего он присоединился к бойцам движения Сопротивления во Франции.</p>
</article>
<aside><h3>Популярное</h3><ul><li><a href="/1">Аким проверил дороги</a></li></ul></aside>
<footer>© 2021 Вечерний город</footer></body></html>"""


def test_html_page():
    art = clean(_doc(HTML, "html"))
    assert art.title == "Бой у разъезда"
    assert art.published == "2021-05-12"
    paragraphs = art.text.split("\n\n")
    assert paragraphs[0] == "Бой у разъезда"
    assert paragraphs[1].startswith("Кабыш Омаров встретил войну")
    assert paragraphs[2].startswith("Однако летом 1943 года")
    assert not any(w in art.text for w in ("Главная", "Аким", "©"))


def test_html_without_text_raises():
    with pytest.raises(ReadError, match="no article text"):
        clean(_doc("<html><head><title>Пусто</title></head><body></body></html>", "html"))


def test_html_leftovers_are_dropped_and_captions_are_credits():
    story = ("<p>Кабыш Омаров встретил войну 22 июня 1941 года в Западной Белоруссии в звании "
             "лейтенанта, и уже через месяц раненый и контуженый он попал в плен.</p>")
    page = (f"<html><body><article><h1>Они освобождали Европу</h1>{story}"
            "<p><strong>Читайте также:</strong> <a href='/x'>Аким проверил дороги</a></p>"
            f"{story.replace('Кабыш', 'Кадем')}<p>Фото: Игорь Лаптев</p></article></body></html>")
    art = clean(_doc(page, "html"))
    assert "Аким" not in art.text and art.boilerplate == ()
    assert art.photographer == "Игорь Лаптев"
    assert [art.text[s:e] for s, e in art.credits] == ["Фото: Игорь Лаптев"]
    assert "Кадем Омаров" in art.text
