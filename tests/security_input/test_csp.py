"""CSP and no inline script/style: every page of the access walk (as the village and county users, or
the first roles that may open it)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse

from tests.conftest import OWN_VILLAGE
from tests.test_access_walk import CASES, _url
from tests.test_access_walk import world as world  # noqa: PLC0414  (the walk's fixture)

APP_CSS = Path(__file__).resolve().parents[2] / "src" / "fangpin" / "static" / "fangpin" / "app.css"


class InlineFinder(HTMLParser):
    """Everything a ``script-src 'self'; style-src 'self'`` policy would block."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        # a JSON data block (Django's json_script) is never executed, and CSP does not block it
        if tag == "script" and not names.get("src") and names.get("type") != "application/json":
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"style= on <{tag}>")
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL on <{tag}>")


def inline_parts(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def directives(header: str) -> dict[str, str]:
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


def test_the_finder_sees_each_kind_of_inline_content():
    html = ('<script>alert(1)</script><script src="/s.js"></script><script type="application/json">{}</script>'
            '<style>a{}</style>'
            '<p style="color:red" onclick="x()"><a href="javascript:void(0)">x</a></p>')
    assert inline_parts(html) == ["<script> without src", "<style> element", "style= on <p>", "onclick= on <p>",
                                  "javascript: URL on <a>"]


@pytest.mark.django_db
def test_the_policy_header(client):
    response = client.get(reverse("login"))
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_every_bar_width_class_exists():
    css = APP_CSS.read_text()
    assert {int(n) for n in re.findall(r"\.w-(\d+)\{width:(?:\1)%\}", css)} == set(range(101))


ROLES = ("village", "county", "township", "sysadmin", "secadmin", "auditadmin", "department", "insurer", "city",
         "province")
PAGES = sorted(name for name, case in CASES.items() if case.kind in ("public", "page", "object", "list"))


def _page_url(case, world):
    if case.kind == "object":
        return _url_of(case, case.build(world, OWN_VILLAGE))
    if case.kind == "list":
        kwargs, query, _ = case.build(world, OWN_VILLAGE)
        return _url_of(case, kwargs, query)
    return _url_of(case, case.build(world, None))


def _url_of(case, kwargs, query=""):
    return kwargs, query


@pytest.mark.django_db
def test_no_page_of_the_walk_has_inline_script_or_style(client, world):
    """Each URL name in a rolled-back savepoint: builders create objects (a case per household, say)."""
    checked, problems = 0, []
    for name in PAGES:
        case = CASES[name]
        with transaction.atomic():
            world.extra.clear()
            seen = 0
            for role in ROLES:
                if seen >= 2:
                    break  # the village and county views; other roles only for pages those two cannot open
                client.force_login(world.users[role])
                url = _url(name, *_page_url(case, world))
                response = client.get(url)
                if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                    checked += 1
                    seen += 1
                    found = inline_parts(response.content.decode())
                    if found:
                        problems.append(f"{role} {url}: {sorted(set(found))}")
                    if "Content-Security-Policy" not in response:
                        problems.append(f"{role} {url}: no Content-Security-Policy header")
            transaction.set_rollback(True)
    client.logout()
    for name in ("login", "public:apply"):
        response = client.get(reverse(name))
        checked += 1
        found = inline_parts(response.content.decode())
        if found or "Content-Security-Policy" not in response:
            problems.append(f"anonymous {name}: {found}")
    assert checked > 40, checked
    assert problems == []
