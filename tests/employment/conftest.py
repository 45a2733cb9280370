"""A county's job and the households of tests/conftest.py (members: 有劳动力, 务农, born 1970)."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.cases.conftest import policy  # noqa: F401  (the shared province policy fixture)
from tests.plans.conftest import make_case  # noqa: F401


@pytest.fixture
def make_demand(users):
    from fangpin.employment.services import do_save_demand

    def factory(user=None, **kw):
        values = {"firm": "易县食品有限公司", "title": "包装工", "place": "local", "location": "易县开发区", "slots": 2,
                  "wage": Decimal("3200"), "age_min": 18, "age_max": 60, "sex": "", "weak_ok": False,
                  "transport": False, "valid_until": dt.date(2099, 12, 31), "contact_name": "王经理", "note": ""}
        values.update(kw)
        return do_save_demand(user or users["county"], values, phone=kw.pop("phone", "13912345678"))[0]

    return factory
