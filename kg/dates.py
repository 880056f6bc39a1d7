"""Stage 4b, dates: date expressions -> EDTF (ISO 8601-2) values.

Found by the ``kg_dates`` SpanRuler (data/patterns/dates.jsonl); valued here. A date
that names no year ("18 ноября", "в ноябре", "через месяц") takes it from the
anchor: the last full date before it in the article, or the publication date.

>>> edtf("22 июня 1941 года"), edtf("летом 1943 года"), edtf("1939–1945 годов")
('1941-06-22', '1943-22', '1939/1945')
>>> edtf("через месяц", anchor="1941-06-22"), edtf("Через два дня", anchor="1945-03-09")
('1941-07', '1945-03-11')
>>> edtf("в годы Великой Отечественной войны"), edtf("1940-е годы"), edtf("весной 1945-го")
('1941-06-22/1945-05-09', '194X', '1945-21')
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from .morph import lemma, morph_analyzer
from .resources import read_mapping

_YEAR = r"(1[5-9]\d\d|20\d\d)"


@lru_cache(maxsize=1)
def month_numbers() -> dict[str, str]:
    """Every inflected form of a month name -> its number ("мая" -> "05")."""
    out = {}
    for name, number in read_mapping("months").items():
        for p in morph_analyzer().parse(name)[:1]:
            for form in p.lexeme:
                out[form.word] = number
        out[name] = number
    return out


def edtf(text: str, anchor: str | None = None) -> str | None:
    """The EDTF value of a date expression, or None when it cannot be valued."""
    t = re.sub(r"\s+", " ", text.lower().replace("ё", "е")).strip()
    months = month_numbers()
    words = re.findall(r"[а-я]+|\d+(?:[.–—-]\d+)*(?:-[а-я]+)?", t)

    m = re.search(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b", t)
    if m:
        return _date(int(m[3]), int(m[2]), int(m[1]))

    for phrase, value in read_mapping("named_periods").items():
        if phrase in t:
            return value

    m = re.search(rf"\b(\d{{1,2}}) ([а-я]+)(?: {_YEAR})?", t)
    if m and m[2] in months:
        year = int(m[3]) if m[3] else _anchor_year(anchor)
        return _date(year, int(months[m[2]]), int(m[1])) if year else None

    m = re.search(rf"\b{_YEAR}\s*[–—-]\s*(\d{{2,4}})\b", t) or re.search(
        rf"\b{_YEAR}(?: [а-я]+)? (?:по|до) {_YEAR}\b", t)
    if m:
        end = m[2] if len(m[2]) == 4 else m[1][:4 - len(m[2])] + m[2]
        return f"{m[1]}/{end}"

    m = re.search(r"\b(1[5-9]\d|20\d)0-(?:е|х|ые|ых)\b", t)
    if m:
        return f"{m[1]}X"

    year_m = re.search(rf"\b{_YEAR}\b", t)
    year = year_m[1] if year_m else None
    seasons = read_mapping("seasons")
    for w in words:
        if w in seasons:
            y = year or _anchor_year(anchor)
            return f"{y}-{seasons[w]}" if y else None
        if w in months:
            y = year or _anchor_year(anchor)
            return f"{y}-{months[w]}" if y else None
    if year:
        return year

    return _relative(words, anchor)


def _relative(words: list[str], anchor: str | None) -> str | None:
    """"через месяц", "спустя два года": counted from the anchor, at the unit's precision."""
    if not anchor or not words or words[0] not in ("через", "спустя"):
        return None
    units = read_mapping("relative_units")
    numbers = read_mapping("number_words")
    count, unit = 1, None
    for w in words[1:]:
        if w.isdigit():
            count = int(w)
        elif w in numbers:
            if not numbers[w]:
                return None  # "через несколько лет": no value to compute
            count = int(numbers[w])
        else:
            unit = units.get(lemma(w, "NOUN"))
    base = _parse(anchor)
    if unit is None or base is None:
        return None
    date, precision = base
    if unit in ("day", "week"):
        if precision != "day":
            return None
        d = date + dt.timedelta(days=count * (7 if unit == "week" else 1))
        return d.isoformat()
    if unit == "month":
        if precision == "year":
            return None
        total = date.year * 12 + date.month - 1 + count
        return f"{total // 12:04d}-{total % 12 + 1:02d}"
    return f"{date.year + count:04d}"


def _parse(value: str) -> tuple[dt.date, str] | None:
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not m:
        return None
    if m[3]:
        return dt.date(int(m[1]), int(m[2]), int(m[3])), "day"
    if m[2] and int(m[2]) <= 12:
        return dt.date(int(m[1]), int(m[2]), 1), "month"
    return dt.date(int(m[1]), 1, 1), "year"


def _anchor_year(anchor: str | None) -> int | None:
    m = re.match(r"(\d{4})", anchor or "")
    return int(m[1]) if m else None


def _date(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def is_anchor(value: str | None) -> bool:
    """Whether a value can anchor the dates after it: a point in time, not a span.

    >>> is_anchor("1941-06-22"), is_anchor("1941/1945"), is_anchor("1943-22")
    (True, False, True)
    """
    return bool(value) and "/" not in value and "X" not in value


@dataclass(frozen=True)
class DateText:
    """A date expression as found, with where it stands."""

    text: str
    sentence: int  # index of its sentence in the article
    before: str = ""  # its sentence up to the expression ("... через", "... в начале")


def value_dates(items: list[DateText], published: str | None = None) -> list[str | None]:
    """Values for the date expressions of one article, in text order.

    The anchor of an expression is the last point-in-time date of the same or the
    previous sentence; failing that, the publication date ("Выставка продлится до
    31 августа").
    """
    out: list[str | None] = []
    last: tuple[str, int] | None = None
    for item in items:
        text, sent = item.text, item.sentence
        anchor = last[0] if last and sent - last[1] <= 1 else published
        value = edtf(text, anchor)
        out.append(value)
        if is_anchor(value) and re.search(r"\d{4}|через|спустя", text):
            last = (value, sent)
        elif last and is_anchor(value):
            last = (value, sent)
    return out
