"""Stage 4b, dates: date expressions -> EDTF (ISO 8601-2) values.

Found by the ``kg_dates`` SpanRuler (data/patterns/dates.jsonl); valued here. A date
that names no year ("18 ноября", "в ноябре") takes it from the anchor, the date the
text last spoke of, or else from the publication date; one counted from another
("через месяц", "в том же году", "на следующий день") only from the anchor. Words
that point at the present ("сегодня", "в прошлом году", "два года назад") count from
the publication date. A stretch of time ("три года", "несколько дней") or a day of
the week alone has no value: it cannot be placed without guessing.

>>> edtf("22 июня 1941 года"), edtf("летом 1943 года"), edtf("1939–1945 годов")
('1941-06-22', '1943-22', '1939/1945')
>>> edtf("через месяц", anchor="1941-06-22"), edtf("два дня", "1945-03-09", before="Через")
('1941-07', '1945-03-11')
>>> edtf("в годы Великой Отечественной войны"), edtf("1940-е годы"), edtf("весной 1945-го")
('1941-06-22/1945-05-09', '194X', '1945-21')
>>> edtf("в том же году", anchor="1943-05"), edtf("вчера", today="2019-05-10"), edtf("два года")
('1943', '2019-05-09', None)
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from .morph import parses, word_forms
from .resources import read_mapping

_YEAR = r"(1[5-9]\d\d|20\d\d)"
_WORD = re.compile(r"[а-яa-z]+|\d+(?:[.,]\d+)?")
_RELATIVE = re.compile(r"(now|then)([+-]\d+)")
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_LATER = ("позже", "позднее")


def _e(word: str) -> str:
    return word.replace("ё", "е")


@cache
def _forms(lexicon: str) -> dict[str, str]:
    """Every inflected form of a lexicon's words (ё read as е) -> the word's value."""
    out: dict[str, str] = {}
    for word, value in read_mapping(lexicon).items():
        out[_e(word)] = value
    for word, value in read_mapping(lexicon).items():
        for form in word_forms(word):
            out.setdefault(_e(form), value)
    return out


@cache
def month_numbers() -> dict[str, str]:
    """Every inflected form of a month name, and its short form -> its number
    ("мая" -> "05", "авг" -> "08")."""
    return {**read_mapping("month_abbreviations"), **_forms("months")}


def edtf(text: str, anchor: str | None = None, *, before: str = "",
         today: str | None = None) -> str | None:
    """The EDTF value of a date expression, or None when it cannot be valued.

    ``anchor`` is the date the text last spoke of, ``today`` the publication date,
    ``before`` the words of the sentence before the expression ("... через" before
    "два дня").
    """
    t = re.sub(r"\s+", " ", _e(text.lower())).strip()
    words = _WORD.findall(t)
    if not words:
        return None
    for rule in _RULES:
        found, value = rule(t, words, anchor, today, before)
        if found:
            return value
    return None


# --- the rules, in the order they are tried; each returns (applies, value) -----------

def _numeric(t, words, anchor, today, before):
    m = re.search(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b", t)
    return (True, _date(int(m[3]), int(m[2]), int(m[1]))) if m else (False, None)


def _named_period(t, words, anchor, today, before):
    for phrase, value in read_mapping("named_periods").items():
        if phrase in t:
            return True, value
    return False, None


def _day_range(t, words, anchor, today, before):
    """"27-28 сентября 2014 года", "с 25 по 28 июля", "16 апреля по 19 мая 2019 года"."""
    months = month_numbers()
    m = re.search(rf"\b(\d{{1,2}})(?:-го)? ?(?:[–—-]|по|до|на|и) ?(\d{{1,2}})(?:-го)? ([а-я]+)"
                  rf"(?: {_YEAR})?", t)
    if m and m[3] in months:
        year = int(m[4]) if m[4] else _year_of(words, anchor, today)
        if year is None:
            return True, None
        return True, _interval(_date(year, int(months[m[3]]), int(m[1])),
                               _date(year, int(months[m[3]]), int(m[2])))
    m = re.search(rf"\b(\d{{1,2}}) ([а-я]+)(?: {_YEAR})?(?: [а-я]+)? (?:[–—-]|по|до) "
                  rf"(\d{{1,2}}) ([а-я]+)(?: {_YEAR})?", t)
    if m and m[2] in months and m[5] in months:
        end_year = int(m[6]) if m[6] else _year_of(words, anchor, today)
        start_year = int(m[3]) if m[3] else end_year
        if end_year is None:
            return True, None
        return True, _interval(_date(start_year, int(months[m[2]]), int(m[1])),
                               _date(end_year, int(months[m[5]]), int(m[4])))
    return False, None


def _day_month(t, words, anchor, today, before):
    """"22 июня 1941 года", "18 ноября", "в среду, 29 апреля", "5 декабря того же года"."""
    m = re.search(rf"\b(\d{{1,2}})(?:-го)? ([а-я]+)(?: {_YEAR})?", t)
    months = month_numbers()
    if not (m and m[2] in months):
        return False, None
    year = int(m[3]) if m[3] else _year_of(words, anchor, today)
    return True, (_date(year, int(months[m[2]]), int(m[1])) if year else None)


def _year_range(t, words, anchor, today, before):
    """"1939–1945 годов", "1941-45 гг.", "с 1942 по 1945 год", "2016/17"."""
    m = re.search(rf"\b{_YEAR}\s*[–—/-]\s*(\d{{2,4}})\b", t) or re.search(
        rf"\b{_YEAR}(?: [а-я]+)? (?:по|до) {_YEAR}\b", t)
    if not m:
        return False, None
    end = m[2] if len(m[2]) == 4 else m[1][:4 - len(m[2])] + m[2]
    return True, f"{m[1]}/{end}"


def _decade(t, words, anchor, today, before):
    """"1940-е годы", "в середине 1970-х", "90-х годов" (a decade of the 1900s)."""
    m = re.search(r"\b(1[5-9]\d|20\d)0-(?:е|х|ые|ых)\b", t)
    if m:
        return True, f"{m[1]}X"
    m = re.search(r"(?<![\d-])(\d)0-(?:е|х|ые|ых)\b", t)
    if m:
        return True, "200X" if m[1] == "0" else f"19{m[1]}X"
    return False, None


def _century(t, words, anchor, today, before):
    """"XIV века" = 13XX, "в начале XX века" = 19XX (a century by its hundreds)."""
    m = re.search(r"\b(?:([ivxlcх]+)(?:-?(?:го|м|й))? (?:век[а-я]*|вв?)"
                  r"|(\d{1,2})(?:-?(?:го|м|й))? век[а-я]*)\b", t)
    if not m:
        return False, None
    n = int(m[2]) if m[2] else _roman(m[1].replace("х", "x"))
    return True, (f"{n - 1:02d}XX" if n and 1 <= n <= 21 else None)


def _part_of_year(t, words, anchor, today, before):
    """"в первом квартале 2016 года" = 2016-33, "во второй половине 2016 года" = 2016-41."""
    ordinals = _forms("ordinals")
    for w, nxt in pairwise(words):
        if w in ordinals and nxt.startswith(("квартал", "половин", "полугоди")):
            year = _year_of(words, anchor, today, need_year_word=False)
            if year is None or re.search(r"\d0-(е|х)", t):
                return False, None
            code = 32 + int(ordinals[w]) if nxt.startswith("квартал") else 39 + int(ordinals[w])
            return True, (f"{year}-{code}" if code <= 41 else None)
    return False, None


def _month_or_season(t, words, anchor, today, before):
    """"летом 1943 года", "в ноябре", "в ноябре-декабре 1941 года", "в конце марта"."""
    months, seasons = month_numbers(), read_mapping("seasons")
    named = [w for w in re.findall(r"[а-я]+", t) if w in months or w in seasons]
    if not named:
        return False, None
    year = _year_of(words, anchor, today)
    if year is None:
        return True, None
    if named[0] in seasons:
        return True, f"{year}-{seasons[named[0]]}"
    first, last = f"{year}-{months[named[0]]}", f"{year}-{months[named[-1]]}"
    return True, first if first == last else _interval(first, last)


def _year(t, words, anchor, today, before):
    m = re.search(rf"\b{_YEAR}\b", t)
    return (True, m[1]) if m else (False, None)


def _relative_day(t, words, anchor, today, before):
    """"сегодня", "вчера" (from the publication date), "накануне" (from the anchor)."""
    days = _forms("relative_days")
    for w in words:
        if w in days:
            base, offset = _relative_spec(days[w], anchor, today)
            return True, _add_days(base, offset)
    return False, None


def _relative_period(t, words, anchor, today, before):
    """"в этом году", "в прошлом месяце", "на следующий день", "в тот же день"."""
    rel, units, numbers = _forms("relative_words"), _forms("relative_units"), _forms("number_words")
    for i, w in enumerate(words):
        if w not in rel:
            continue
        rest = [x for x in words[i + 1:] if x != "же"]
        if not rest or rest[0] not in units and rest[0] not in numbers and not rest[0].isdigit():
            continue  # "три года тому назад": "тому" is no "тот" here
        unit = units.get(rest[0], "")
        spec = rel[w]
        if not spec or unit not in ("1 day", "1 month", "1 year") or _plural(rest[0]):
            return True, None  # "в последние годы", "на этой неделе", "в те годы": no value
        if w.startswith("эт") and ("же" in words or unit == "1 day"):
            spec = "then+0"  # "в этот же год", "в этот день" speak of the date before
        base, offset = _relative_spec(spec, anchor, today)
        return True, _shift(base, offset, unit)
    return False, None


def _stretch(t, words, anchor, today, before):
    """A stretch of time counted from a date: "через два дня", "спустя три года",
    "два года назад", "годом позже". Without such a word it has no value."""
    prev = (_WORD.findall(_e(before.lower())) or [""])[-1]
    if "через" in words or prev == "через" or "спустя" in words or words[-1] in _LATER:
        base, sign = anchor, 1
    elif words[-1] == "назад":
        base, sign = today, -1
    elif words[-1] in ("ранее", "раньше"):
        base, sign = anchor, -1
    else:
        return True, None
    units, numbers = _forms("relative_units"), _forms("number_words")
    approx = read_mapping("approximately")
    days = months = 0.0
    count: float | None = None
    for w in words:
        if approx.get(w) == "approximate":
            return True, None
        if w[0].isdigit():
            count = float(w.replace(",", "."))
        elif w in numbers:
            if not numbers[w]:
                return True, None  # "несколько лет назад": no count to go by
            count = (count or 0) + float(numbers[w])
        elif units.get(w):
            n, kind = units[w].split()
            amount = (1 if count is None else count) * int(n)
            if kind == "day":
                days += amount
            else:
                months += amount * (12 if kind == "year" else 1)
            count = None
    if not (days or months) or (days and months) or days % 1 or months % 1:
        return True, None  # no unit, "1 год 5 дней", "полтора дня"
    if days:
        return True, _shift(base, sign * int(days), "1 day")
    if months % 12:
        return True, _shift(base, sign * int(months), "1 month")  # "полтора года" = 18 months
    return True, _shift(base, sign * int(months) // 12, "1 year")


_RULES = (_numeric, _named_period, _day_range, _day_month, _year_range, _decade, _century,
          _part_of_year, _month_or_season, _year, _relative_day, _relative_period, _stretch)


# --- helpers -------------------------------------------------------------------------

def _year_of(words: list[str], anchor: str | None, today: str | None,
             need_year_word: bool = True) -> int | None:
    """The year an expression names: its own digits, "прошлого года", "в следующем
    мае", or the anchor's."""
    for w in words:
        if re.fullmatch(_YEAR, w):
            return int(w)
    rel = _forms("relative_words")
    year_forms = {w for w, v in _forms("relative_units").items() if v == "1 year"}
    year_forms |= set(month_numbers()) | set(read_mapping("seasons"))
    for w, nxt in zip(words, words[1:] + [""]):
        if w in rel and (nxt in year_forms or nxt == "же" or not need_year_word):
            if _plural(nxt):
                return None  # "в октябре прошлых лет"
            spec = rel[w]
            if w.startswith("эт") and "же" in words:
                spec = "then+0"
            if not spec:
                return None
            base, offset = _relative_spec(spec, anchor, today)
            return base.year + offset if base else None
    return _anchor_year(anchor or today)


def _plural(word: str) -> bool:
    """"годы", "лет", "дни": a noun that names more than one period."""
    nouns = [p for p in parses(word) if p.tag.POS == "NOUN"] if word else []
    return bool(nouns) and nouns[0].tag.number == "plur"


def _relative_spec(spec: str, anchor: str | None, today: str | None) -> tuple[dt.date | None, int]:
    """("now-1" or "then+1") -> (the date it counts from, the offset); the date carries
    its precision in _parse's sense."""
    m = _RELATIVE.fullmatch(spec)
    if not m:
        return None, 0
    value = today if m[1] == "now" else anchor
    parsed = _parse(value) if value else None
    return (_Base(*parsed) if parsed else None), int(m[2])


@dataclass(frozen=True)
class _Base:
    date: dt.date
    precision: str  # "day", "month" or "year"

    @property
    def year(self) -> int:
        return self.date.year


def _add_days(base: _Base | None, days: int) -> str | None:
    if base is None or base.precision != "day":
        return None
    return (base.date + dt.timedelta(days=days)).isoformat()


def _shift(base, offset: int, unit: str) -> str | None:
    """The date ``offset`` units from ``base`` (a date or an EDTF value), at the
    unit's precision; None when ``base`` is less precise than the unit."""
    if isinstance(base, str):
        parsed = _parse(base)
        base = _Base(*parsed) if parsed else None
    if base is None:
        return None
    n, kind = unit.split()
    offset *= int(n)
    if kind == "day":
        return _add_days(base, offset)
    if kind == "month":
        if base.precision == "year":
            return None
        total = base.date.year * 12 + base.date.month - 1 + offset
        return f"{total // 12:04d}-{total % 12 + 1:02d}"
    if kind == "year":
        return f"{base.date.year + offset:04d}"
    return None


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


def _interval(start: str | None, end: str | None) -> str | None:
    return f"{start}/{end}" if start and end and start <= end else None


def _roman(numeral: str) -> int | None:
    values = [_ROMAN.get(c) for c in numeral]
    if None in values:
        return None
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def is_anchor(value: str | None) -> bool:
    """Whether a value can anchor the dates after it: a point in time, not a span.

    >>> is_anchor("1941-06-22"), is_anchor("1941/1945"), is_anchor("1943-22")
    (True, False, True)
    """
    return bool(value) and "/" not in value and "X" not in value


ANCHOR_SENTENCES = 2  # "в июле 1941 года. Ему было девятнадцать. — В ноябре его ранило"


@dataclass(frozen=True)
class DateText:
    """A date expression as found, with where it stands."""

    text: str
    sentence: int  # index of its sentence in the article
    before: str = ""  # its sentence up to the expression ("... через", "... в начале")


def value_dates(items: list[DateText], published: str | None = None) -> list[str | None]:
    """Values for the date expressions of one article, in text order.

    The anchor of an expression is the last point-in-time date at most
    ``ANCHOR_SENTENCES`` sentences before it. A date without a year takes the
    anchor's, failing that the publication date's ("Выставка продлится до 31
    августа"); "через два дня", "на следующий день" count only from an anchor ("Орден
    нашёл семью через 78 лет" has none); "сегодня", "два года назад" count from the
    publication date.

    >>> items = [DateText("9 марта 1945 года", 0), DateText("два дня", 1, "Через")]
    >>> value_dates(items)
    ['1945-03-09', '1945-03-11']
    """
    out: list[str | None] = []
    last: tuple[str, int] | None = None
    for item in items:
        anchor = last[0] if last and item.sentence - last[1] <= ANCHOR_SENTENCES else None
        value = edtf(item.text, anchor, before=item.before, today=published)
        out.append(value)
        if is_anchor(value):
            last = (value, item.sentence)
    return out
