"""EDTF (ISO 8601-2) date values: the days they can mean.

Every date in kg is an EDTF value made by ``kg.dates``: a day, a month, a year, a
season or quarter ("1943-22", "2016-33"), a decade ("194X"), doubt marks ("1943?",
"~1943") and intervals ("1941-06-22/1945-05", "1941/.."). The RDF mapping (xsd bounds
of a fuzzy date), the life path (order), the HTML timeline and ``kg suspects`` (dates
that cannot overlap) all read them through :func:`edtf_bounds`. No dependencies, so
that the RDF mapping can use it without the NLP stages.

>>> [tuple(map(str, edtf_bounds(v))) for v in ("1941-06-22", "1943-22", "194X", "1941-06-22/1945-05")]
[('1941-06-22', '1941-06-22'), ('1943-06-01', '1943-08-31'), ('1940-01-01', '1949-12-31'), ('1941-06-22', '1945-05-31')]
>>> edtf_bounds("1941-02-30"), edtf_bounds("../1945"), edtf_bounds("летом")
(None, (None, datetime.date(1945, 12, 31)), None)
"""
from __future__ import annotations

import calendar
import re
from datetime import date

# Sub-year codes -> (first month, last month). Winter (24, 28) may be January and
# February or December of the year ("зимой 1942 года" is most often the winter 1941/42,
# but not always), and the southern summer (30) spans two years: their bound is the
# whole year. Quarters 33-36, thirds 37-39, halves 40-41.
SUB_YEAR = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (1, 12),
            25: (3, 5), 26: (6, 8), 27: (9, 11), 28: (1, 12),
            29: (9, 11), 30: (1, 12), 31: (3, 5), 32: (6, 8),
            33: (1, 3), 34: (4, 6), 35: (7, 9), 36: (10, 12),
            37: (1, 4), 38: (5, 8), 39: (9, 12), 40: (1, 6), 41: (7, 12)}
# Where a life path or a timeline draws a winter: its usual meaning, January and February.
_PLACED = {**SUB_YEAR, 24: (1, 2), 28: (1, 2)}
_DOUBT = re.compile(r"[?~%\s]")
_VALUE = re.compile(r"(\d[\dX]{3})(?:-([\dX]{2})(?:-([\dX]{2}))?)?")
Bounds = tuple[date | None, date | None]
_OPEN = ("", "..")


def edtf_bounds(value: str | None, sub_year: dict = SUB_YEAR) -> Bounds | None:
    """The first and the last day an EDTF value can mean, doubt marks ignored; an open
    end of an interval ("1941/..", "../1945") is None; a set ("[1941,1943]",
    "{1941..1943}") spans its members; None when it is not a date."""
    if not value:
        return None
    value = _DOUBT.sub("", value)
    if value[:1] in "[{" and value[-1:] in "]}":
        members = [single_bounds(v, sub_year) for v in re.split(r",|\.\.", value[1:-1])]
        if not members or None in members:
            return None
        return min(b[0] for b in members), max(b[1] for b in members)
    if "/" not in value:
        return single_bounds(value, sub_year)
    first, _, last = value.partition("/")
    lo = None if first in _OPEN else single_bounds(first, sub_year)
    hi = None if last in _OPEN else single_bounds(last, sub_year)
    if (lo is None and first not in _OPEN) or (hi is None and last not in _OPEN) or lo is hi is None:
        return None
    return lo and lo[0], hi and hi[1]


def closed_bounds(value: str | None) -> tuple[date, date] | None:
    """Where a life path or a timeline places a date: :func:`edtf_bounds`, with the
    known end of a half-open interval standing for the whole ("1941-06-22/.." is that
    day) and a winter in its usual months, January and February.

    >>> [str(d) for d in closed_bounds("1941-06-22/..") + closed_bounds("../1945")]
    ['1941-06-22', '1941-06-22', '1945-01-01', '1945-12-31']
    >>> [str(d) for d in closed_bounds("1942-24") + edtf_bounds("1942-24")]
    ['1942-01-01', '1942-02-28', '1942-01-01', '1942-12-31']
    """
    bounds = edtf_bounds(value, _PLACED)
    if bounds is None or None not in bounds:
        return bounds  # type: ignore[return-value]
    first, _, last = _DOUBT.sub("", value).partition("/")
    return single_bounds(last if first in _OPEN else first, _PLACED)


def single_bounds(value: str, sub_year: dict = SUB_YEAR) -> tuple[date, date] | None:
    """Bounds of one EDTF date (no interval): "1943", "1943-07", "1943-22", "194X", "1943-07-15"."""
    m = _VALUE.fullmatch(value)
    if not m:
        return None
    year, month, day = m.groups()
    first_year, last_year = int(year.replace("X", "0")), int(year.replace("X", "9"))
    if first_year < 1:
        return None
    if month is None or month == "XX":
        months = (1, 12)
    elif month.isdigit() and 1 <= int(month) <= 12:
        months = (int(month), int(month))
    elif month.isdigit() and int(month) in sub_year and day is None:
        months = sub_year[int(month)]
    else:
        return None
    last_day = calendar.monthrange(last_year, months[1])[1]
    first, last = date(first_year, months[0], 1), date(last_year, months[1], last_day)
    if day and day != "XX":
        if not day.isdigit() or months[0] != months[1] or not 1 <= int(day) <= last_day:
            return None
        first = last = date(first_year, months[0], int(day))
    return first, last
