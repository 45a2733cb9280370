"""Jinja2 row fragments (fangpin.fragments): escaping on, undefined names fail, the same URLs and dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import jinja2
import pytest
from django.template import engines
from django.urls import reverse

from fangpin.fragments import url, ymd


def render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_autoescape_is_on():
    assert render("{{ name }}", name='<script>"x"</script>') == "&lt;script&gt;&#34;x&#34;&lt;/script&gt;"


def test_an_undefined_name_is_an_error_not_an_empty_cell():
    with pytest.raises(jinja2.UndefinedError):
        render("{{ h.missing }}", h={"there": 1})


def test_url_is_reverse():
    assert url("registry:detail", 42) == reverse("registry:detail", args=[42])
    assert url("cases:queue") == reverse("cases:queue")
    assert render("{{ url('cases:act', 7) }}") == reverse("cases:act", args=[7])


def test_ymd_writes_dates_like_the_date_filter_in_the_local_zone():
    assert ymd(dt.date(2026, 1, 5)) == "2026-01-05"
    late_utc = dt.datetime(2026, 1, 5, 20, 0, tzinfo=ZoneInfo("UTC"))  # already the 6th in Beijing
    assert ymd(late_utc) == "2026-01-06"
    assert ymd(None, "—") == "—"


def test_floatformat_is_djangos_rounding():
    assert render("{{ x|floatformat(0) }}", x=2.5) == "3"  # Python's round() would give 2
