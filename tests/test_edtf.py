"""kg.edtf: the days an EDTF value can mean."""
import pytest

from kg.edtf import closed_bounds, edtf_bounds


@pytest.mark.parametrize("edtf, bounds", [
    ("1941-06-22", ("1941-06-22", "1941-06-22")),
    ("1941-06", ("1941-06-01", "1941-06-30")),
    ("1944-02", ("1944-02-01", "1944-02-29")),
    ("1941", ("1941-01-01", "1941-12-31")),
    ("1943-21", ("1943-03-01", "1943-05-31")),  # spring
    ("1942-24", ("1942-01-01", "1942-12-31")),  # winter: January or December
    ("2016-33", ("2016-01-01", "2016-03-31")),  # first quarter
    ("2016-41", ("2016-07-01", "2016-12-31")),  # second half
    ("194X", ("1940-01-01", "1949-12-31")),
    ("19XX", ("1900-01-01", "1999-12-31")),
    ("1941-06-22/1945-05-09", ("1941-06-22", "1945-05-09")),
    ("1941-06-22?", ("1941-06-22", "1941-06-22")),
    ("~1943", ("1943-01-01", "1943-12-31")),
    ("1941/..", ("1941-01-01", None)),
    ("1941-02-30", None),
    ("1941-13", None),
    ("1941-29", ("1941-09-01", "1941-11-30")),  # southern-hemisphere spring
    ("1942-30", ("1942-01-01", "1942-12-31")),  # southern summer: two years
    ("[1941,1943-05]", ("1941-01-01", "1943-05-31")),  # a set spans its members
    ("1941/1943-13", None),  # an end that is no date
    ("../..", None),
    ("осень", None),
    ("", None),
    (None, None),
])
def test_edtf_bounds(edtf, bounds):
    got = edtf_bounds(edtf)
    assert (None if got is None else tuple(d and d.isoformat() for d in got)) == bounds


@pytest.mark.parametrize("edtf, bounds", [
    ("1941/..", ("1941-01-01", "1941-12-31")),
    ("../1945-05", ("1945-05-01", "1945-05-31")),
    ("1941/1945", ("1941-01-01", "1945-12-31")),
    ("около войны", None),
])
def test_closed_bounds(edtf, bounds):
    got = closed_bounds(edtf)
    assert (None if got is None else tuple(d.isoformat() for d in got)) == bounds
