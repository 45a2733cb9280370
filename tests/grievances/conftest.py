"""Grievance fixtures: one registered by the village on its own household; the province policy for leads."""

import pytest

from fangpin.core.grievance import Kind
from fangpin.grievances.services import Submission, do_register
from tests.cases.conftest import policy  # noqa: F401  (the shared province policy fixture)
from tests.conftest import OWN_VILLAGE

PHONE = "13911112222"


@pytest.fixture
def make_grievance(users, make_household):
    def factory(village=OWN_VILLAGE, kind=Kind.UNDELIVERED, user=None, hh_no="", **kw):
        user = user or users["county"]
        sub = Submission(kind, village, kw.pop("name", "王五"), kw.pop("phone", PHONE),
                         kw.pop("content", "去年申请的产业补助一直没有到账"), kw.pop("idn", None), kw.pop("source", "visit"))
        return do_register(user, sub, hh_no=hh_no, **kw)

    return factory
