"""The project's {% url %} (fangpin.fasturl, a template builtin) gives exactly what Django's reverse() gives,
and falls back to Django's tag for what it does not cache."""

from __future__ import annotations

import pytest
from django.template import engines
from django.test import RequestFactory
from django.test.utils import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from fangpin import fasturl


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_the_builtin_url_tag_is_ours():
    template = engines["django"].from_string("{% url 'cases:detail' 1 %}")
    assert isinstance(template.template.nodelist[0], fasturl.FastURLNode)


@pytest.mark.parametrize("pk", [0, 7, 123456789012])
def test_integer_argument_matches_reverse(pk):
    assert render("{% url 'cases:detail' pk %}", pk=pk) == reverse("cases:detail", args=[pk])
    assert render("{% url 'registry:detail' pk %}", pk=pk) == reverse("registry:detail", args=[pk])


def test_no_argument_and_rows_in_a_loop():
    out = render("{% url 'registry:villages' %}|{% for p in pks %}{% url 'cases:detail' p %},{% endfor %}",
                 pks=[3, 1, 2])
    assert out == reverse("registry:villages") + "|" + "".join(reverse("cases:detail", args=[p]) + "," for p in (3, 1, 2))


def test_strings_keywords_and_as_var_go_through_django():
    assert render("{% url 'cases:national_file' code %}", code="130633") == reverse("cases:national_file",
                                                                                     args=["130633"])
    assert render("{% url 'cases:national_file' code='13 06&33' %}") == reverse(
        "cases:national_file", kwargs={"code": "13 06&33"}).replace("&", "&amp;")
    assert render("{% url 'cases:detail' 5 as link %}[{{ link }}]") == "[" + reverse("cases:detail", args=[5]) + "]"
    assert render("{% url 'no:such' 5 as link %}[{{ link }}]") == "[]"


def test_what_django_refuses_is_still_refused():
    with pytest.raises(NoReverseMatch):
        render("{% url 'cases:detail' pk %}", pk=-1)
    with pytest.raises(NoReverseMatch):
        render("{% url 'cases:detail' pk %}", pk=True)
    with pytest.raises(NoReverseMatch):
        render("{% url 'no:such' 5 %}")


def test_script_prefix_is_part_of_the_cache_key():
    before = render("{% url 'cases:detail' 9 %}")
    set_script_prefix("/fangpin/")
    try:
        assert render("{% url 'cases:detail' 9 %}") == "/fangpin" + before == reverse("cases:detail", args=[9])
    finally:
        clear_script_prefix()
    assert render("{% url 'cases:detail' 9 %}") == before


def test_request_namespace_is_used_as_current_app():
    request = RequestFactory().get("/")
    request.current_app = "cases"
    template = engines["django"].from_string("{% url 'cases:detail' 4 %}")
    assert template.render({}, request) == reverse("cases:detail", args=[4], current_app="cases")


def test_the_urlconf_is_part_of_the_cache_key():
    render("{% url 'cases:detail' 3 %}")  # cached under the project's URLconf
    with override_settings(ROOT_URLCONF="tests.ops.urls_fasturl"):
        assert render("{% url 'cases:detail' 3 %}") == "/elsewhere/3/" == reverse("cases:detail", args=[3])
    assert render("{% url 'cases:detail' 3 %}") == reverse("cases:detail", args=[3]) != "/elsewhere/3/"
