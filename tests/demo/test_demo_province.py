"""`fangpin demo_province`: the demo county repeated over a province's counties, with load-test logins."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from fangpin.regions.services import BUNDLED_HEBEI, load_regions, read_region_files

COUNTIES = ("130633", "130623")  # 易县 and 涞水县 (same city, 保定)


@pytest.fixture(scope="module")
def two_counties_rows():
    def keep(code: str) -> bool:
        return any(c.startswith(code) or code.startswith(c) for c in COUNTIES)

    return [row for row in read_region_files([BUNDLED_HEBEI]).rows if keep(row.code)]


@pytest.fixture
def province(db, two_counties_rows):
    from fangpin.cases.models import PolicyVersion

    load_regions(two_counties_rows, retire_missing=False)
    PolicyVersion.objects.create(region_id="13", year=2026, effective_from=dt.date(2020, 1, 1), version="13-2026-1",
                                 monitoring_line=Decimal("7300"))


def test_fills_counties_in_order_until_the_target(province):
    from fangpin.accounts.models import User
    from fangpin.cases.models import Case
    from fangpin.demo.province import do_generate_province
    from fangpin.registry.models import Household, Member

    result = do_generate_province("13", households=900, seed=2)
    assert result.counties == list(COUNTIES)  # the demo county first
    assert result.households == Household.objects.count() >= 900
    for code in COUNTIES:
        assert Household.objects.filter(village__code__startswith=code).exists()
        assert Case.objects.filter(household__village__code__startswith=code).exists()  # demo casework per county
    ids = list(Member.objects.values_list("id_index", flat=True))
    assert len(ids) == len(set(ids)) == result.members
    # the standard demo logins point back at the first county
    assert User.objects.get(username="county").region_id == "130633"
    again = do_generate_province("13", households=900, seed=2)
    assert (again.generated, again.skipped, again.households) == (0, 2, result.households)


def test_load_accounts_per_role_log_in_with_the_demo_password(province):
    from fangpin.accounts.models import User
    from fangpin.demo.province import load_accounts
    from fangpin.demo.services import DEMO_PASSWORD

    by_role = load_accounts(list(COUNTIES), villages_per_county=3)
    assert set(by_role) == {"village", "township", "county", "city", "province", "department", "insurer"}
    assert len(by_role["village"]) == 6 and len(by_role["county"]) == 2 and by_role["city"] == ["lm1306"]
    for usernames in by_role.values():
        for name in usernames:
            user = User.objects.get(username=name)
            assert user.check_password(DEMO_PASSWORD) and not user.must_change_password
            assert user.region_id in name  # lv<village>, lc<county>, …
    assert load_accounts(list(COUNTIES), villages_per_county=3) == by_role  # idempotent
    assert User.objects.filter(username__startswith="l").count() == sum(map(len, by_role.values()))


def test_command_writes_the_account_list(province, tmp_path):
    path = tmp_path / "accounts.json"
    out = io.StringIO()
    call_command("demo_province", households=400, no_cases=True, load_counties=1, accounts=str(path), stdout=out)
    names = json.loads(path.read_text(encoding="utf-8"))
    assert names["county"] == ["lc130633"] and names["village"]
    assert "全省演示数据：1 个县" in out.getvalue()
