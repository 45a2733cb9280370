"""Row fragments rendered by Jinja2: the tables of the busiest pages.

The pages stay Django templates (base layout, forms, messages); only their repeated rows — the
household list, the case queue, the pipeline's bars and table — are a Jinja2 template in
``<app>/jinja2/``, rendered by ``fragment()`` and placed into the page as one safe string. Django's
engine resolves every ``{{ x.y.z }}`` at run time (dictionary lookup, attribute, index, localisation,
escaping, one by one); Jinja2 compiles the template to Python once. The county pipeline's table went
from 17.4 to 4.0 ms of CPU; these pages are half of the load test's requests (docs/load.md).

Same safety as the pages: autoescape on (Django's Jinja2 backend enables it; ``environment`` insists),
and an undefined name is an error rather than an empty cell (``StrictUndefined``), so a typo fails a
test instead of silently blanking a column.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import jinja2
from django.template import engines
from django.template.backends.utils import csrf_input
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from fangpin.fasturl import cached_path


def url(view_name: str, pk: int | None = None) -> str:
    """``reverse(view_name, args=[pk])`` through ``{% url %}``'s cache (fangpin.fasturl): the same text."""
    path = cached_path(view_name, None, pk, pk is not None)
    return path if path is not None else reverse(view_name, args=[] if pk is None else [pk])


def ymd(value: dt.date | dt.datetime | None, empty: str = "") -> str:
    """A date as Django's ``|date:"Y-m-d"`` writes it (aware datetimes in the current time zone)."""
    if value is None:
        return empty
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime("%Y-%m-%d")


def environment(**options: Any) -> jinja2.Environment:
    """The Jinja2 environment of settings.TEMPLATES["jinja2"] (``OPTIONS["environment"]``)."""
    options.pop("autoescape", None)  # always on, whatever the settings say
    options["undefined"] = jinja2.StrictUndefined
    env = jinja2.Environment(autoescape=True, **options)
    env.globals.update(url=url)
    env.filters.update(ymd=ymd, floatformat=floatformat)  # Django's own: the same rounding and text
    return env


def fragment(name: str, context: dict[str, Any], request=None) -> SafeString:
    """Render the Jinja2 template ``name`` for inclusion in a Django template (already escaped). With the
    request, the template has Django's ``csrf_input`` for its forms."""
    template = engines["jinja2"].get_template(name)
    if request is not None:
        # Django's Jinja2 backend passes csrf_input as a lazy proxy that masks the token afresh at every
        # use: 32 os.urandom calls per form, and the queue has a form or two per row. One masked token
        # per response, as a Django template's {% csrf_token %} gives.
        context = {**context, "request": request, "csrf_input": csrf_input(request)}
    return mark_safe(template.render(context))  # noqa: S308 - autoescaped Jinja2 output
