"""``{% url %}`` that reverses each URL name once, not once per row.

A queue or list page links every row (detail, action form): ~40–90 ``reverse()`` calls a page, each
walking the resolver (~45 µs), 5–12 % of a page's CPU under load (docs/load.md). This tag library
is installed as a template *builtin* (settings.TEMPLATES ``builtins``), so its ``url`` replaces
Django's everywhere with the same syntax and output. For a URL with no arguments, or with one
integer argument (the usual ``<int:pk>``), it reverses once with a marker number, keeps the text
around the marker, and afterwards only formats the integer into it. Anything else (keyword
arguments, strings, ``as var``) goes through Django's own tag.
"""

from __future__ import annotations

from django.conf import settings
from django.template import Library
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = Library()

MARKER = 7_319_264_508_137  # matches <int:…>; never a real key, and its text occurs once in a reversed URL
_templates: dict[tuple, tuple[str, str] | None] = {}


def _current_app(context) -> str | None:
    request = getattr(context, "request", None)
    if request is None:
        return None
    app = getattr(request, "current_app", None)
    if app is None and getattr(request, "resolver_match", None) is not None:
        app = request.resolver_match.namespace
    return app


def url_template(view_name: str, current_app: str | None, with_pk: bool) -> tuple[str, str] | None:
    """(text before the number, text after) for ``view_name``; None when it cannot be split safely."""
    # Everything reverse() depends on besides the arguments: the URLconf (a request's own, or the setting,
    # which tests override), the application namespace and the script prefix.
    key = (view_name, current_app, with_pk, get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)
    if key not in _templates:
        try:
            path = reverse(view_name, args=[MARKER] if with_pk else [], current_app=current_app)
        except NoReverseMatch:
            path = None
        if path is None:
            _templates[key] = None
        elif not with_pk:
            _templates[key] = (path, "")
        else:
            before, sep, after = path.partition(str(MARKER))
            _templates[key] = (before, after) if sep and str(MARKER) not in after else None
    return _templates[key]


def cached_path(view_name: str, current_app: str | None, pk: object, with_pk: bool) -> str | None:
    """The path of ``view_name`` (with the key ``pk``) from the cache; None when reverse() must do it."""
    if with_pk and not (type(pk) is int and pk >= 0):  # bool is no key; str may need quoting
        return None
    parts = url_template(view_name, current_app, with_pk)
    if parts is None:
        return None
    return f"{parts[0]}{pk}{parts[1]}" if with_pk else parts[0]


class FastURLNode(URLNode):
    def render(self, context):
        if self.asvar is None and not self.kwargs and len(self.args) <= 1:
            value = self.args[0].resolve(context) if self.args else None
            path = cached_path(self.view_name.resolve(context), _current_app(context), value, bool(self.args))
            if path is not None:
                return conditional_escape(path) if context.autoescape else path
        return super().render(context)


@register.tag
def url(parser, token):
    node = django_url(parser, token)
    return FastURLNode(node.view_name, node.args, node.kwargs, node.asvar)
