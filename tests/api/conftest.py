"""API test helpers: tokens per role, JSON requests, and the province policy of the case tests."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.cases.conftest import policy  # noqa: F401  (the shared fixture)


class Api:
    """A test client speaking JSON, authenticated by a personal token (or not at all)."""

    def __init__(self, key: str | None = None, client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers = {"Accept": "application/json"}
        if key:
            self.headers["Authorization"] = f"Bearer {key}"

    def get(self, url: str, **query):
        return self.client.get(url, query, headers=self.headers)

    def post(self, url: str, body: dict | None = None):
        return self.client.post(url, json.dumps(body or {}), content_type="application/json", headers=self.headers)


@pytest.fixture
def tokens(users):
    """role → token secret, for every role that may hold one (the 三员 get theirs directly in the test)."""
    from fangpin.api.tokens import do_issue_token
    from fangpin.core.roles import ADMIN_ROLES

    return {role: do_issue_token(user, f"测试 {role}")[1] for role, user in users.items()
            if role not in ADMIN_ROLES}


@pytest.fixture
def api(tokens):
    """api("village") → an Api client holding that role's token."""
    return lambda role: Api(tokens[role])
