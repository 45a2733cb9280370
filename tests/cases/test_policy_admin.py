"""Policy administration through the pages: versions never edited in place, county over province,
who may change what, validation in Chinese, audit rows."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from fangpin.audit.models import AuditEvent
from fangpin.cases.models import PolicyVersion
from fangpin.cases.policy_services import PolicyError, do_create_policy_version
from fangpin.cases.services import policy_for
from fangpin.core.policy import DEFAULT_RISK_TYPES

NEW = reverse("cases:policy_create")
LIST = reverse("cases:policy_list")


@pytest.fixture
def province_policy(regions):
    return PolicyVersion.objects.create(region_id="13", year=2026, effective_from=dt.date(2026, 1, 1),
                                        version="13-2026-1", monitoring_line=Decimal("7300"))


def form_data(**changes) -> dict:
    data = {"year": 2026, "effective_from": "2026-12-01", "monitoring_line": "7600", "collapse_ratio": "0.5",
            "rigid_factor": "1", "stable_months": 6, "verify_days": 5, "identification_days": 15, "notice_days": 5,
            "followup_interval_days": 30, "risk_types": "因病\n因残\n因学",
            "rigid_items": ["medical_oop", "schooling_exp"], "note": ""}
    data.update(changes)
    return data


def post_as(client, user, **changes):
    client.force_login(user)
    return client.post(NEW, form_data(**changes))


def test_county_creates_numbered_versions_and_keeps_the_history(client, users, province_policy):
    first = post_as(client, users["county"], monitoring_line="7500", effective_from="2026-07-01")
    second = post_as(client, users["county"], monitoring_line="7800", effective_from="2026-12-01")
    assert first.status_code == second.status_code == 302
    versions = list(PolicyVersion.objects.filter(region_id="130633").order_by("id"))
    assert [v.version for v in versions] == ["130633-2026-1", "130633-2026-2"]
    assert versions[0].monitoring_line == Decimal("7500")  # the first one was not overwritten
    assert versions[1].created_by == users["county"]
    assert PolicyVersion.objects.get(pk=province_policy.pk).monitoring_line == Decimal("7300")


def test_county_version_overrides_the_province_from_its_date(client, users, province_policy):
    post_as(client, users["county"], monitoring_line="7600", effective_from="2026-07-01")
    assert policy_for("130633100201", dt.date(2026, 6, 30)) == province_policy
    assert policy_for("130633100201", dt.date(2026, 7, 1)).version == "130633-2026-1"
    assert policy_for("130623100201", dt.date(2026, 7, 1)) == province_policy  # the other county keeps 13's


def test_list_shows_the_version_in_force_and_the_ancestors(client, users, province_policy):
    county = PolicyVersion.objects.create(region_id="130633", year=2026, effective_from=dt.date(2026, 3, 1),
                                          version="130633-2026-1", monitoring_line=Decimal("7650"))
    PolicyVersion.objects.create(region_id="130623", year=2026, effective_from=dt.date(2026, 3, 1),
                                 version="130623-2026-1", monitoring_line=Decimal("7999"))
    client.force_login(users["village"])
    body = client.get(LIST).content.decode()
    assert "13-2026-1" in body and "130633-2026-1" in body
    assert "130623-2026-1" not in body  # a neighbouring county's policy is none of this village's business
    assert "<strong>7650.00</strong>" in body  # in force today: the county's
    assert county.pk == policy_for(users["village"].region_id, dt.date(2026, 11, 23)).pk


def test_province_sees_the_county_versions_below_it(client, users, province_policy):
    PolicyVersion.objects.create(region_id="130623", year=2026, effective_from=dt.date(2026, 3, 1),
                                 version="130623-2026-1", monitoring_line=Decimal("7999"))
    client.force_login(users["province"])
    assert "130623-2026-1" in client.get(LIST).content.decode()


def test_province_creates_the_province_version(client, users, province_policy):
    assert post_as(client, users["province"], effective_from="2026-12-01").status_code == 302
    assert PolicyVersion.objects.filter(region_id="13").order_by("-id").first().version == "13-2026-2"


@pytest.mark.parametrize("role", ["village", "township", "city", "department", "sysadmin"])
def test_roles_without_manage_policy_cannot_create(client, users, province_policy, role):
    client.force_login(users[role])
    assert client.get(NEW).status_code == 403
    assert post_as(client, users[role]).status_code == 403
    assert PolicyVersion.objects.count() == 1


def test_county_cannot_write_another_countys_policy(client, users, province_policy):
    response = post_as(client, users["county"], region="130623", region_id="130623")
    assert response.status_code == 302
    assert not PolicyVersion.objects.filter(region_id="130623").exists()
    assert PolicyVersion.objects.filter(region_id="130633").count() == 1


def test_versions_of_another_county_are_not_shown(client, users, province_policy):
    other = PolicyVersion.objects.create(region_id="130623", year=2026, effective_from=dt.date(2026, 3, 1),
                                         version="130623-2026-1", monitoring_line=Decimal("7999"))
    client.force_login(users["county"])
    assert client.get(reverse("cases:policy_detail", kwargs={"pk": other.pk})).status_code == 404
    assert client.get(reverse("cases:policy_detail", kwargs={"pk": province_policy.pk})).status_code == 200


@pytest.mark.parametrize(("changes", "message"), [
    ({"monitoring_line": "0"}, "监测线：必须大于 0 元"),
    ({"monitoring_line": "-5"}, "监测线：必须大于 0 元"),
    ({"collapse_ratio": "1.5"}, "收入骤减比例：必须大于 0 且小于 1"),
    ({"collapse_ratio": "0"}, "收入骤减比例：必须大于 0 且小于 1"),
    ({"rigid_factor": "0"}, "刚性支出超收入倍数：必须大于 0"),
    ({"verify_days": "0"}, "入户核实时限（工作日）：不少于 1 天"),
    ({"notice_days": "0"}, "公示天数（不少于）：不少于 1 天"),
    ({"stable_months": "0"}, "风险消除稳定月数：不少于 1 个月"),
    ({"identification_days": "3"}, "识别总时限（3 个工作日）不能短于入户核实时限（5 个工作日）"),
    ({"risk_types": " \n "}, "风险类型：至少填写一种"),
    ({"risk_types": "因" * 21}, "过长：每种不超过 20 个字"),
    ({"monitoring_line": ""}, "监测线（元/人·年）：必填"),
    ({"rigid_items": []}, "计入刚性支出的项目：至少选择一项"),
    ({"rigid_items": ["salary"]}, "计入刚性支出的项目：选项无效"),
    ({"effective_from": "2026-13-01"}, "生效日期：格式不正确"),
    ({"effective_from": "2020-01-01"}, "与年度 2026 不符"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_written(client, users, province_policy, changes, message):
    response = post_as(client, users["county"], **changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PolicyVersion.objects.filter(region_id="130633").exists()
    assert not AuditEvent.objects.filter(action="policy.create").exists()


def test_effective_date_may_not_go_back_before_the_latest_version(client, users, province_policy):
    today = dt.date(2026, 11, 23)
    values = {**_clean(effective_from=dt.date(2026, 6, 1)), "year": 2026}
    do_create_policy_version(None, users["county"], values, today=today)
    with pytest.raises(PolicyError, match="早于本地区最新版本 130633-2026-1 的生效日期 2026-06-01"):
        do_create_policy_version(None, users["county"], _clean(effective_from=dt.date(2026, 5, 31)), today=today)
    assert PolicyVersion.objects.filter(region_id="130633").count() == 1


def test_a_future_dated_version_may_be_superseded_from_today(users, province_policy):
    today = dt.date(2026, 11, 23)
    do_create_policy_version(None, users["county"], _clean(effective_from=dt.date(2027, 1, 1), year=2027),
                             today=today)
    interim = do_create_policy_version(None, users["county"], _clean(effective_from=today), today=today)
    assert interim.version == "130633-2026-1"
    with pytest.raises(PolicyError):  # but not back-dated before today
        do_create_policy_version(None, users["county"], _clean(effective_from=dt.date(2026, 11, 1)), today=today)


def test_the_page_refuses_a_back_dated_version_with_the_reason(client, users, province_policy):
    post_as(client, users["county"], effective_from="2026-11-01")
    response = post_as(client, users["county"], effective_from="2026-10-01")
    assert response.status_code == 200
    assert "政策不能倒签" in response.content.decode()


def test_creation_is_audited_with_the_figures(client, users, province_policy):
    post_as(client, users["county"], monitoring_line="7600")
    event = AuditEvent.objects.get(action="policy.create")
    assert event.user_id == users["county"].pk and event.region_code == "130633"
    assert event.detail["version"] == "130633-2026-1" and Decimal(event.detail["monitoring_line"]) == 7600
    assert "7600" in event.summary


def test_form_is_prefilled_from_the_policy_in_force(client, users, province_policy):
    client.force_login(users["county"])
    body = client.get(NEW).content.decode()
    assert 'value="7300.00"' in body
    assert DEFAULT_RISK_TYPES[0] in body and DEFAULT_RISK_TYPES[-1] in body


def test_risk_types_are_saved_as_a_clean_list(client, users, province_policy):
    post_as(client, users["county"], risk_types="因病\n 因灾 \n因病，因学\n\n")
    assert PolicyVersion.objects.get(region_id="130633").risk_types == ["因病", "因灾", "因学"]


def _clean(**changes) -> dict:
    values = {"year": 2026, "effective_from": dt.date(2026, 12, 1), "monitoring_line": Decimal("7600"),
              "collapse_ratio": Decimal("0.5"), "rigid_factor": Decimal("1"), "stable_months": 6, "verify_days": 5,
              "identification_days": 15, "notice_days": 5, "followup_interval_days": 30,
              "risk_types": ["因病"], "rigid_items": ["medical_oop"], "note": ""}
    values.update(changes)
    return values


def test_policy_list_query_count_does_not_grow_with_versions(client, users, province_policy,
                                                             django_assert_max_num_queries):
    for n in range(2, 12):
        PolicyVersion.objects.create(region_id="13", year=2026, effective_from=dt.date(2026, 1, n),
                                     version=f"13-2026-{n}", monitoring_line=Decimal("7300"))
    client.force_login(users["province"])
    with django_assert_max_num_queries(8):
        assert client.get(LIST).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_admins_saving_at_once_get_consecutive_numbers(users, province_policy):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    barrier, made = threading.Barrier(2), []

    def save(line: str):
        try:
            barrier.wait()
            made.append(do_create_policy_version(None, users["county"], _clean(monitoring_line=Decimal(line)),
                                                 today=dt.date(2026, 11, 23)).version)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(line,)) for line in ("7600", "7700")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(made) == ["130633-2026-1", "130633-2026-2"]


def test_rigid_items_chosen_reach_the_core_policy(client, users, province_policy):
    post_as(client, users["county"], rigid_items=["medical_oop", "disaster_loss"])
    version = PolicyVersion.objects.get(region_id="130633")
    assert version.as_core().rigid_items == ("medical_oop", "disaster_loss")
    assert province_policy.as_core().rigid_items == ("medical_oop", "schooling_exp", "disaster_loss", "accident_exp")
    client.force_login(users["village"])
    page = client.get(reverse("cases:policy_detail", kwargs={"pk": version.pk})).content.decode()
    assert "灾害损失" in page and "教育支出" not in page
