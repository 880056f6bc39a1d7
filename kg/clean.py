"""Stage "clean": a ``Document`` -> an ``Article`` (text, metadata, boilerplate, credits).

For a text or markdown file the text is the file, exactly: boilerplate (headline
lists, footers) and credits (counters, bylines, photo credits) are only marked as
character ranges, so every offset still points into the file as stored. For HTML
the text is ours to make: trafilatura extracts the article, we drop what it leaves
of headline lists, and lay it out as the title, a blank line, and paragraphs
separated by blank lines, so that sentences never run together.

>>> raw = "Орден нашёл семью\\n\\n15.05.2023 | Общество\\nАвтор: Светлана Игнатенко\\n\\nТекст.\\n\\nДругие новости\\nВ Рудном открыли каток"
>>> art = clean(Document("a.txt", raw, "text", "utf-8", "00"))
>>> art.title, art.author, art.published
('Орден нашёл семью', 'Светлана Игнатенко', '2023-05-15')
>>> [raw[s:e] for s, e in art.boilerplate]
['Другие новости\\nВ Рудном открыли каток']
"""
from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .dates import month_numbers
from .errors import ReadError
from .morph import parses
from .normalize import name_nominative
from .resources import read_lexicon_lines, read_mapping
from .types import Article, Document, Span

logger = logging.getLogger(__name__)

HEADLINE_MAX = 200  # a list line longer than this is prose, not a headline
CREDIT_MAX = 200  # a credit line is short
TITLE_MAX = 300  # a longer first line is the article itself, with no headline
MIN_HTML_TEXT = 200  # less than this from trafilatura: try again, favouring recall
# The most characters an article may have: spaCy's Language.max_length, which
# kg.nlp keeps. A longer text made analyze() raise ValueError [E088] and stopped the
# whole build; it is now refused here, like any other unusable file.
MAX_TEXT_CHARS = 1_000_000
_SENTENCE_END = re.compile(r"[.!]\W{0,2}$")
_BULLET = re.compile(r"^[\s#>*•·\-–—]+")
_NAME_WORD = r"[А-ЯЁ](?:[а-яё]+(?:-[А-ЯЁ]?[а-яё]+)?|\.)"
_NAME = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}}")
_COUNTER = re.compile(r"(?:(?:просмотр\w*|views)\s*:?\s*)?\d{1,3}(?:[ \u00a0]\d{3})+|"
                      r"(?:(?:просмотр\w*|views)\s*:?\s*)?\d+", re.I)
_DATE = (r"(?:(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"
         r"|(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
         r"|(?P<wd>\d{1,2})\s+(?P<wm>[а-яё]+)\s+(?P<wy>\d{4}))")
_DATE_LINE = re.compile(
    rf"(?:(?:опубликовано|дата публикации|обновлено|дата)\s*:?\s*)?(?:\d{{1,2}}:\d{{2}},?\s*)?{_DATE}"
    r"(?:\s*(?:г\.|года))?(?:,?\s*(?:в\s*)?\d{1,2}:\d{2})?(?:\s*[|·•,/—–-]\s*[^.!?]{0,60})?",
    re.I)
_STUB = re.compile(r"(?:автор|текст|фото|источник|опубликовано|просмотров)?\s*:?\s*[|·•/,\-–—]*",
                   re.I)


class Line(NamedTuple):
    start: int  # of the stripped content
    end: int
    text: str  # stripped


@dataclass(frozen=True)
class Credits:
    """What the top of an article and its credit lines say about the article."""

    title: str | None = None
    author: str | None = None
    photographer: str | None = None
    published: str | None = None
    spans: tuple[Span, ...] = ()


def clean(doc: Document) -> Article:
    """Turn a read file into an ``Article``."""
    if doc.format == "html":
        return _clean_html(doc)
    _check_length(doc.raw, doc.source)
    boilerplate = find_boilerplate(doc.raw)
    credits = find_credits(doc.raw, boilerplate)
    return Article(source=doc.source, text=doc.raw, digest=doc.digest, format=doc.format,
                   encoding=doc.encoding, title=credits.title, author=credits.author,
                   photographer=credits.photographer, published=credits.published,
                   boilerplate=boilerplate, credits=credits.spans)


def _check_length(text: str, source: str) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise ReadError(source, f"text too long for one article ({len(text):,} characters; "
                                f"at most {MAX_TEXT_CHARS:,}: split the file into articles)")


# --- lines -----------------------------------------------------------------

def lines(text: str) -> list[Line]:
    """The non-blank lines of ``text`` with the offsets of their stripped content.

    >>> lines("  Заголовок \\r\\n\\nТекст")
    [Line(start=2, end=11, text='Заголовок'), Line(start=15, end=20, text='Текст')]
    """
    out = []
    for m in re.finditer(r"[^\n]+", text):
        content = m.group()
        stripped = content.strip()
        if stripped:
            start = m.start() + len(content) - len(content.lstrip())
            out.append(Line(start, start + len(stripped), stripped))
    return out


def _merge(spans: list[Span], text: str) -> tuple[Span, ...]:
    """Sort spans and join those separated only by whitespace."""
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and not text[merged[-1][1]:s].strip():
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return tuple((s, e) for s, e in merged)


def _inside(line: Line, spans: tuple[Span, ...]) -> bool:
    return any(s <= line.start and line.end <= e for s, e in spans)


# --- boilerplate -----------------------------------------------------------

@lru_cache(maxsize=1)
def _markers() -> frozenset[str]:
    return frozenset(_normalise(m) for m in read_lexicon_lines("boilerplate_markers"))


@lru_cache(maxsize=1)
def _junk() -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p, re.I) for p in read_lexicon_lines("boilerplate_patterns"))


def _normalise(line: str) -> str:
    line = _BULLET.sub("", line).lower().replace("ё", "е")
    line = re.sub(r"[\s:]*(?:\(\d+\)|\d+)?[\s:]*$", "", line)
    return re.sub(r"\s+", " ", line).strip(" *_")


def _is_marker(line: str) -> bool:
    norm = _normalise(line)
    if norm in _markers():
        return True
    # "Поделиться: ВКонтакте Telegram", "Комментарии (3)"
    head = re.match(r"[^:(|]+", norm)
    return bool(head) and len(line) <= 60 and head.group().strip() in _markers()


def _is_junk(line: str) -> bool:
    return any(p.search(line) for p in _junk())


def _is_headline(line: str) -> bool:
    return len(line) < HEADLINE_MAX and not (
        _SENTENCE_END.search(line) and len(line.split()) >= 8)


def find_boilerplate(text: str) -> tuple[Span, ...]:
    """Ranges of site furniture: a marker line ("Популярное") with the headlines after it,
    and junk lines ("© 2008–[[year]]", "Пн Вт Ср Чт Пт Сб Вс") wherever they stand.

    >>> text = "Бой шёл весь день.\\n\\nЧитайте также\\nВ Таразе открыли океанариум\\n\\nПн Вт Ср Чт Пт Сб Вс"
    >>> [text[s:e] for s, e in find_boilerplate(text)]
    ['Читайте также\\nВ Таразе открыли океанариум\\n\\nПн Вт Ср Чт Пт Сб Вс']
    """
    spans = []
    rows = lines(text)
    i = 0
    while i < len(rows):
        row = rows[i]
        if _is_marker(row.text):
            last = i
            while last + 1 < len(rows):
                nxt = rows[last + 1].text
                if not (_is_junk(nxt) or _is_marker(nxt) or _is_headline(nxt)):
                    break
                last += 1
            spans.append((row.start, rows[last].end))
            i = last + 1
            continue
        if _is_junk(row.text):
            spans.append((row.start, row.end))
        i += 1
    return _merge(spans, text)


# --- credits ---------------------------------------------------------------

@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    return read_mapping("clean_credit_labels")


@lru_cache(maxsize=1)
def _credit_re() -> re.Pattern:
    labels = "|".join(re.escape(k) for k in sorted(_labels(), key=len, reverse=True))
    return re.compile(rf"(?:(?P<caption>.{{1,150}}?[.!?»])\s+)?(?P<label>{labels})(?!\w)"
                      r"(?P<colon>\s*[:—–]|\s+-)?\s*(?P<who>[^.!?]*?)\s*(?P<end>[.!?]?)", re.I)


def credit_line(line: str) -> tuple[str, str, bool] | None:
    """``(role, who, colon)`` when ``line`` is a credit such as "Фото: Игорь Лаптев".

    >>> credit_line("фото Игоря Бургандинова")
    ('photographer', 'Игоря Бургандинова', False)
    >>> credit_line("Рабочие у станков. Фото из фондов музея")
    ('photographer', 'из фондов музея', False)
    >>> credit_line("Фото братьев стоят рядом.") is None
    True
    """
    line = re.sub(r"\*\*|__", "", line)  # markdown bold: "**Автор:** Иван Петров"
    m = _credit_re().fullmatch(line) if len(line) <= CREDIT_MAX else None
    if not m:
        return None
    role = _labels()[re.sub(r"\s+", " ", m["label"].lower())]
    who, colon = m["who"], bool(m["colon"])
    if len(who.split()) > 6 or (m["end"] and not colon):
        return None
    if not colon and role != "photographer" and role != "both" and not _NAME.fullmatch(who):
        return None
    return role, who, colon


def _header_date(line: str) -> str | None:
    m = _DATE_LINE.fullmatch(line)
    return _date_from_match(m) if m else None


def _date_from_match(m: re.Match) -> str | None:
    if m["y"]:
        return _valid_date(m["y"], m["m"], m["d"])
    if m["iy"]:
        return _valid_date(m["iy"], m["im"], m["id"])
    month = month_numbers().get(m["wm"].lower().replace("ё", "е"))
    return _valid_date(m["wy"], month, m["wd"]) if month else None


def _valid_date(year: str, month: str, day: str) -> str | None:
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()
    except ValueError:  # "31.02.2021"
        return None


def _is_name(line: str) -> bool:
    """A line that is only a person's name: 2-3 capitalised words, one of them known
    to pymorphy as a first name, surname or patronymic."""
    if not _NAME.fullmatch(line):
        return False
    return any({"Name", "Surn", "Patr"} & p.tag.grammemes
               for w in line.split() for p in parses(w))


def _is_job(line: str) -> bool:
    """"старший корреспондент отдела политики": lower-case, short, no sentence end."""
    return (line[:1].islower() and len(line) <= 100 and len(line.split()) <= 8
            and not re.search(r"[.!?]$", line))


def find_credits(text: str, boilerplate: tuple[Span, ...] = ()) -> Credits:
    """Title, author, photographer, date and the ranges of credit lines in ``text``.

    The title is the first line (kept out of the credits: it often names the heroes).
    Around it, a run of metadata lines is the header: a view counter, a date line, a
    byline (a name, maybe followed by a job line). Labelled credit lines ("Фото: ...",
    "Автор: ...") are recognised anywhere in the text.

    >>> text = "Они освобождали Европу\\n\\n2880\\nЮлия Полонская\\nстарший корреспондент\\n\\nТекст."
    >>> c = find_credits(text)
    >>> c.title, c.author, [text[s:e] for s, e in c.spans]
    ('Они освобождали Европу', 'Юлия Полонская', ['2880\\nЮлия Полонская\\nстарший корреспондент'])
    """
    title = author = photographer = published = None
    photo_by_author = False
    spans: list[Span] = []
    previous = "start"  # kind of the last header line; None once the body has begun
    rows = [row for row in lines(text) if not _inside(row, boilerplate)]
    for i, row in enumerate(rows):
        line, kind = row.text, None
        if credit := credit_line(line):
            kind, (role, who, colon) = "credit", credit
            name = person_name(who, "nomn" if colon else "gent")
            if role in ("author", "both"):
                author = author or name
            if role in ("photographer", "both"):
                photographer = photographer or name
                photo_by_author |= role == "both" or who.lower().startswith("автор")
        elif previous:
            kind = _header_kind(line, previous)
            if kind == "name" and previous == "title" and not (
                    i + 1 < len(rows) and _is_job(rows[i + 1].text)):
                # a name alone under the title is a photo caption ("Барак Обама" above
                # "Бывший президент США ...") unless a job line makes it a byline
                kind = None
            if kind == "date":
                published = published or _header_date(line)
            elif kind == "name":
                author = author or line
            elif kind is None and title is None and len(line) <= TITLE_MAX:
                title, previous = _BULLET.sub("", line).strip("*_ ") or line, "title"
                continue
        if kind:
            spans.append((row.start, row.end))
        if kind != "credit":
            previous = kind
    if photo_by_author and photographer is None:
        photographer = author
    return Credits(title, author, photographer, published, _merge(spans, text))


def _header_kind(line: str, previous: str) -> str | None:
    if _COUNTER.fullmatch(line):
        return "counter"
    if _header_date(line):
        return "date"
    if previous in ("title", "counter", "date") and _is_name(line):
        return "name"
    if previous == "name" and _is_job(line):
        return "job"
    return None


# --- names -----------------------------------------------------------------

def person_name(name: str, case: str = "gent") -> str | None:
    """A person's name in the nominative, from its form in ``case`` ("gent" after "фото").

    >>> person_name("Игоря Бургандинова")
    'Игорь Бургандинов'
    >>> person_name("Ольги Веденеевой")
    'Ольга Веденеева'
    >>> person_name("Игорь Лаптев", "nomn")
    'Игорь Лаптев'
    """
    name = re.split(r"\s*[/|;,]\s*", name.strip())[0]
    if not _NAME.fullmatch(name):
        return None
    return name_nominative(name.split(), case)


# --- HTML ------------------------------------------------------------------

def _clean_html(doc: Document) -> Article:
    page = _extract(doc.raw, doc.source)
    title = _strip_site_name(page.get("title"), page.get("sitename"))
    paragraphs = [p.strip() for p in page["text"].split("\n")]
    paragraphs = [p for p in paragraphs if p and not _STUB.fullmatch(p)]
    if title and paragraphs and _same(paragraphs[0], title):
        paragraphs.pop(0)
    # What trafilatura leaves of "Читайте также" lists is dropped: this text is ours.
    body = "\n".join(paragraphs)
    junk = find_boilerplate(body)
    paragraphs = [r.text for r in lines(body) if not _inside(r, junk)]
    text = "\n\n".join(([title] if title else []) + paragraphs)
    if not text.strip():
        # A page whose only text is a stub or site furniture ("<p>Текст</p>",
        # "Читайте также") left an Article with empty text, an empty article in the graph.
        raise ReadError(doc.source, "no article text found in the HTML page "
                                    "(only labels and site furniture)")
    _check_length(text, doc.source)
    credits = find_credits(text)
    return Article(source=doc.source, text=text, digest=doc.digest, format=doc.format,
                   encoding=doc.encoding, title=title or None,
                   author=_strip_label(page.get("author")) or credits.author,
                   photographer=credits.photographer,
                   published=_iso_date(page.get("date")) or credits.published,
                   credits=credits.spans)


def _extract(html: str, source: str) -> dict:
    """trafilatura's article and metadata; each stage is tried only if the one before
    found too little text."""
    import trafilatura

    # extensive_search would guess a date from "© 2010–2024" or an image path
    options = dict(with_metadata=True, include_comments=False, include_tables=False,
                   date_extraction_params={"extensive_search": False, "original_date": True})
    found = None
    for extra in ({}, {"favor_recall": True}):
        try:
            found = trafilatura.bare_extraction(html, **options, **extra)
        except Exception as e:  # noqa: BLE001  lxml and htmldate fail on some broken markup
            logger.info("%s: trafilatura failed (%r); trying otherwise", source, e)
            found = None
        if found is not None and len(_field(found, "text") or "") >= MIN_HTML_TEXT:
            break
        logger.debug("%s: trafilatura %s found too little text", source, extra or "default")
    page = {k: _field(found, k) for k in ("title", "author", "date", "sitename", "text")}
    if not (page["text"] or "").strip():
        logger.info("%s: no article found, falling back to all the page's text", source)
        try:
            _, page["text"], _ = trafilatura.baseline(html)
        except Exception as e:  # noqa: BLE001
            raise ReadError(source, f"the HTML page could not be parsed ({type(e).__name__})") from e
    if not (page["text"] or "").strip():
        raise ReadError(source, "no article text found in the HTML page")
    return page


def _field(found, key: str):
    if found is None:
        return None
    return found.get(key) if isinstance(found, dict) else getattr(found, key, None)


def _same(a: str, b: str) -> bool:
    return re.sub(r"\W+", "", a).lower() == re.sub(r"\W+", "", b).lower()


def _strip_site_name(title: str | None, site: str | None) -> str | None:
    """Drop a " | Site" or " — Site" suffix.

    >>> _strip_site_name("Станки под открытым небом — Северный край", "Северный край")
    'Станки под открытым небом'
    >>> _strip_site_name("«За нами Москва» | Столичный вестник", None)
    '«За нами Москва»'
    """
    if not title:
        return None
    title = title.strip()
    if site:
        title = re.sub(rf"\s+[|—–\-:·]\s+{re.escape(site.strip())}$", "", title)
    return re.sub(r"\s+\|\s+[^|]{1,60}$", "", title)  # a pipe is never part of a headline


def _strip_label(author: str | None) -> str | None:
    """Drop the "Текст"/"Автор" label that trafilatura leaves on a byline.

    >>> _strip_label("Текст Ольга Веденеева")
    'Ольга Веденеева'
    """
    if not author:
        return None
    return re.sub(r"^(?:автор|текст|фото|by)\b\s*:?\s*", "", author.strip(), flags=re.I) or None


def _iso_date(value: str | None) -> str | None:
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", value or "")
    return _valid_date(*m.groups()) if m else None
