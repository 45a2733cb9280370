"""Village notices (公示) and county announcements (公告) as printable pages: what they list, what they
never show (ID numbers, phones, health, disability, income), scoping, objection channel, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from fangpin.audit.models import AuditEvent
from fangpin.cases import notices
from fangpin.cases.models import Case, CaseStep
from fangpin.cases.services import do_case_action, do_open_lead
from fangpin.core import choices as C
from fangpin.pii import decrypt
from fangpin.registry.models import HouseholdYear, Member
from fangpin.registry.people import phone_columns
from tests.conftest import OTHER_COUNTY_VILLAGE, OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE

REVIEW = {"date": "2026-11-20", "attendance": 31, "votes_for": 29, "votes_against": 2, "minutes": "评议同意纳入"}
PERSONAL_PHONE = "13912345678"


def body(response) -> str:
    return response.content.decode()


def village_url(code: str, **query) -> str:
    url = reverse("cases:notice_village", kwargs={"code": code})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def sick_household(make_household, policy):
    """A 脱贫户 of two: the head with a serious illness and a disability and a personal phone, the
    daughter healthy; 12,345 yuan wages last year (6,172.50 per head < the 7,300 line)."""
    household = make_household(OWN_VILLAGE, members=(("王大山", "head"), ("王小芳", "daughter")), hh_type="tuopin")
    head = Member.objects.get(household=household, relation="head")
    head.health, head.disability_kind, head.disability_grade = "serious", "physical", "2"
    for name, value in phone_columns(PERSONAL_PHONE).items():
        setattr(head, name, value)
    head.save()
    zero = {f: Decimal("0") for f in ("business", "property_income", "transfer", "production_cost", "medical_oop",
                                      "schooling_exp", "disaster_loss", "accident_exp")}
    HouseholdYear.objects.create(household=household, year=2025, wage=Decimal("12345"), **zero)
    return household


def to_notice(household, users) -> Case:
    """Walk a case with the services: lead → 入户核实 → 村级民主评议 → 村内公示 (today)."""
    case = do_open_lead(household, "visit", "走访发现困难").case
    for seen, data in (("lead", None), ("verifying", {}), ("village_review", REVIEW)):
        action = "start_verify" if seen == "lead" else "submit"
        do_case_action(users["village"], case.pk, action, seen_state=seen, data=data)
    case.refresh_from_db()
    return case


def elim_case(household, **kw) -> Case:
    """A monitored household in 消除风险公示 since two days ago."""
    now = timezone.now()
    defaults = {"state": "elim_notice", "channel": "visit", "opened_at": now - dt.timedelta(days=300),
                "state_since": now - dt.timedelta(days=2), "category": "边缘易致贫户", "risk_types": ["因学", "因灾"],
                "effective_date": dt.date(2026, 3, 1), "notice_ends": timezone.localdate() + dt.timedelta(days=3)}
    return Case.objects.create(household=household, **{**defaults, **kw})


# ---------------------------------------------------------------- what a village notice shows


def test_village_notice_names_the_head_and_hides_ids_phones_health_and_income(client, users, sick_household):
    case = to_notice(sick_household, users)
    client.force_login(users["village"])
    page = body(client.get(village_url(OWN_VILLAGE, kind="include")))

    today = timezone.localdate()
    assert case.notice_ends == today + dt.timedelta(days=5)  # the policy's 5 days
    assert "东关村委会防止返贫监测对象纳入公示" in page
    assert "王大山" in page
    assert "<td>2</td>" in page  # two members
    # the core's suggestion, as no step recorded a category: a 脱贫户 below the line
    assert "脱贫不稳定户" in page
    assert f"公示期：{today:%Y}年{today.month}月{today.day}日至" in page
    ends = case.notice_ends
    assert f"{ends:%Y}年{ends.month}月{ends.day}日" in page
    for member in Member.objects.filter(household=sick_household):
        clear_id = decrypt(member.id_cipher)
        assert clear_id not in page and member.id_masked not in page
        assert clear_id[-6:] not in page  # not even the tail a mask keeps
        assert member.phone_masked not in page
    assert PERSONAL_PHONE not in page and "13800138000" not in page
    for label in [*(lbl for _, lbl in C.HEALTH.items), *(lbl for _, lbl in C.DISABILITY_KIND.items), "二级"]:
        if label not in ("无", "健康"):
            assert label not in page, label
    assert "残疾" not in page and "12345" not in page and "6172" not in page


def test_kinds_are_separate_documents(client, users, make_household, policy):
    to_notice(make_household(OWN_VILLAGE, members=(("赵纳入", "head"),)), users)
    elim_case(make_household(OWN_VILLAGE, members=(("钱消除", "head"), ("钱二", "son"), ("钱三", "daughter"))),
              policy=policy)
    client.force_login(users["village"])

    both = body(client.get(village_url(OWN_VILLAGE)))
    assert both.index("纳入公示") < both.index("赵纳入") < both.index("风险消除公示") < both.index("钱消除")
    assert both.count('class="sheet"') == 2

    include = body(client.get(village_url(OWN_VILLAGE, kind="include")))
    assert "赵纳入" in include and "钱消除" not in include

    eliminate = body(client.get(village_url(OWN_VILLAGE, kind="eliminate")))
    assert "钱消除" in eliminate and "赵纳入" not in eliminate
    assert "边缘易致贫户" in eliminate and "因学、因灾" in eliminate and "2026-03-01" in eliminate
    assert "<td>3</td>" in eliminate


def test_a_case_past_its_notice_is_not_listed(client, users, make_household, policy):
    case = to_notice(make_household(OWN_VILLAGE, members=(("孙已过", "head"),)), users)
    Case.objects.filter(pk=case.pk).update(state="township_review")
    client.force_login(users["village"])
    page = body(client.get(village_url(OWN_VILLAGE)))
    assert "孙已过" not in page
    assert "目前没有处于纳入监测对象公示期的农户" in page


def test_recorded_step_category_wins_over_the_suggestion(client, users, sick_household):
    case = to_notice(sick_household, users)
    CaseStep.objects.filter(case=case, to_state="notice").update(
        data={**REVIEW, "category": "突发严重困难户", "risk_types": ["因灾"]})
    client.force_login(users["village"])
    page = body(client.get(village_url(OWN_VILLAGE, kind="include")))
    assert "突发严重困难户" in page and "因灾" in page and "脱贫不稳定户" not in page


# ---------------------------------------------------------------- objection channel


def test_objection_channel_and_signature(client, users, make_household, policy):
    to_notice(make_household(OWN_VILLAGE, members=(("周异议", "head"),)), users)
    client.force_login(users["village"])
    page = body(client.get(village_url(OWN_VILLAGE, phone="0312-5512345", contact="易州镇纪委", date="2026-11-23")))
    assert "向易州镇纪委反映，监督电话：0312-5512345" in page
    assert "东关村委会（盖章）" in page and "2026年11月23日" in page

    default = body(client.get(village_url(OWN_VILLAGE)))
    assert "向东关村委会或易州镇人民政府反映" in default and "监督电话" not in default


@pytest.mark.parametrize("phone, message", [
    ("13912345678", "不要填写个人手机号"),
    ("139-1234-5678", "不要填写个人手机号"),
    ("call me", "只能填写数字"),
])
def test_a_personal_or_malformed_phone_is_refused(client, users, policy, phone, message):
    client.force_login(users["village"])
    response = client.get(village_url(OWN_VILLAGE, phone=phone))
    assert response.status_code == 400
    assert "监督电话" in body(response) and message in body(response)


def test_an_unknown_kind_or_date_is_refused(client, users, policy):
    client.force_login(users["village"])
    response = client.get(village_url(OWN_VILLAGE, kind="all"))
    assert response.status_code == 400 and "公示类型" in body(response)
    response = client.get(village_url(OWN_VILLAGE, date="2026-02-30"))
    assert response.status_code == 400 and "落款日期" in body(response)


# ---------------------------------------------------------------- scope and audit


@pytest.mark.parametrize("role, code", [
    ("village", SIBLING_VILLAGE), ("township", OTHER_TOWNSHIP_VILLAGE), ("county", OTHER_COUNTY_VILLAGE),
    ("county", "130633100"),  # a township code is no village
])
def test_other_regions_villages_are_not_found(client, users, policy, role, code):
    client.force_login(users[role])
    assert client.get(village_url(code)).status_code == 404
    assert client.get(village_url(code, format="pdf")).status_code == 404


@pytest.mark.parametrize("role", ["city", "department", "sysadmin"])
def test_roles_without_cases_are_refused(client, users, role):
    client.force_login(users[role])
    assert client.get(reverse("cases:notices")).status_code == 403
    assert client.get(village_url(OWN_VILLAGE)).status_code == 403
    assert client.get(reverse("cases:notice_county")).status_code == 403


def test_each_print_is_audited_without_personal_data(client, users, sick_household):
    case = to_notice(sick_household, users)
    client.force_login(users["township"])
    client.get(village_url(OWN_VILLAGE, kind="include"))
    event = AuditEvent.objects.filter(action="notice.print").get()
    assert event.username == "township" and event.region_code == OWN_VILLAGE
    assert event.detail == {"kinds": ["include"], "cases": [case.pk]}
    assert "纳入监测对象公示（1 户）" in event.summary
    head = Member.objects.get(household=sick_household, relation="head")
    assert decrypt(head.id_cipher) not in str(event.detail) + event.summary


# ---------------------------------------------------------------- index


def test_index_for_a_village_lists_its_open_notices(client, users, make_household, policy):
    to_notice(make_household(OWN_VILLAGE, members=(("吴本村", "head"),)), users)
    to_notice(make_household(SIBLING_VILLAGE, members=(("郑邻村", "head"),)), users_for(users, SIBLING_VILLAGE))
    client.force_login(users["village"])
    page = body(client.get(reverse("cases:notices")))
    assert "吴本村" in page and "郑邻村" not in page
    assert "<h2>县级公告</h2>" not in page  # the announcement form is for township and county


def users_for(users, village):
    """A village user of another village (the fixture's sits at OWN_VILLAGE)."""
    from fangpin.accounts.models import User

    other = User.objects.create(username=f"v{village}", role="village", region_id=village)
    return {**users, "village": other}


def test_index_for_township_and_county_counts_villages(client, users, make_household, policy):
    to_notice(make_household(OWN_VILLAGE, members=(("甲", "head"),)), users)
    to_notice(make_household(OWN_VILLAGE, members=(("乙", "head"),)), users)
    elim_case(make_household(OWN_VILLAGE), policy=policy)
    to_notice(make_household(OTHER_TOWNSHIP_VILLAGE, members=(("丙", "head"),)),
              users_for(users, OTHER_TOWNSHIP_VILLAGE))

    assert [(v["code"], v["include"], v["eliminate"]) for v in notices.ns.villages_in_notice(users["county"])] == [
        (OWN_VILLAGE, 2, 1), (OTHER_TOWNSHIP_VILLAGE, 1, 0)]
    client.force_login(users["township"])
    page = body(client.get(reverse("cases:notices")))
    assert "东关村委会" in page and "梁格庄村委会" not in page
    assert reverse("cases:notice_village", kwargs={"code": OWN_VILLAGE}) in page
    assert "<h2>县级公告</h2>" in page
    client.force_login(users["county"])
    page = body(client.get(reverse("cases:notices")))
    assert "梁格庄村委会" in page and "梁格庄镇" in page  # the township is offered as a scope
    start = timezone.localdate() - dt.timedelta(days=29)
    assert f'name="start" value="{start.isoformat()}"' in page  # the default period, filled in


# ---------------------------------------------------------------- county announcement


def decided(household, users, *, days_ago: int, frm="county_decision", to="monitoring", data=None, **kw) -> Case:
    at = timezone.now() - dt.timedelta(days=days_ago)
    case = Case.objects.create(household=household, state=to, channel="visit", opened_at=at, state_since=at,
                               closed_at=at if to == "eliminated" else None, **kw)
    CaseStep.objects.create(case=case, action="submit", from_state=frm, to_state=to, actor=users["county"], at=at,
                            data=data or {})
    return case


@pytest.fixture
def decisions(users, make_household, policy):
    """Inclusions and eliminations across the county, at known distances from today."""
    hh = make_household
    return {
        "included": decided(hh(OWN_VILLAGE, members=(("冯纳入", "head"), ("冯二", "son"))), users, days_ago=3,
                            policy=policy, data={"category": "脱贫不稳定户", "risk_types": ["因病", "因学"],
                                                 "effective_date": "2026-11-10"}),
        "eliminated": decided(hh(SIBLING_VILLAGE, members=(("陈消除", "head"),)), users, days_ago=10,
                              frm="elim_decision", to="eliminated", policy=policy, category="边缘易致贫户",
                              risk_types=["因灾"], effective_date=dt.date(2025, 6, 1)),
        "old": decided(hh(OTHER_TOWNSHIP_VILLAGE, members=(("褚旧案", "head"),)), users, days_ago=40,
                       policy=policy, data={"category": "边缘易致贫户", "risk_types": ["因灾"],
                                            "effective_date": "2026-10-01"}),
        # an upheld objection during 消除风险公示 also lands in 监测中: no decision to announce
        "objection": decided(hh(OWN_VILLAGE, members=(("卫异议", "head"),)), users, days_ago=1, frm="elim_notice",
                             policy=policy),
        "far": decided(hh(OTHER_COUNTY_VILLAGE, members=(("蒋外县", "head"),)), users, days_ago=2, policy=policy,
                       data={"category": "边缘易致贫户", "risk_types": ["因灾"], "effective_date": "2026-11-01"}),
    }


def test_announcement_defaults_to_the_last_30_days_of_county_decisions(client, users, decisions):
    client.force_login(users["county"])
    page = body(client.get(reverse("cases:notice_county")))
    assert "易县防止返贫监测对象认定及风险消除公告" in page
    assert "新纳入防止返贫监测对象 1 户，标注风险消除 1 户" in page
    assert "冯纳入" in page and "陈消除" in page
    assert "褚旧案" not in page  # 40 days ago
    assert "卫异议" not in page and "蒋外县" not in page
    assert "脱贫不稳定户" in page and "因病、因学" in page and "2026-11-10" in page  # from the decision's data
    assert "2025-06-01" in page  # the eliminated household's monitoring start
    assert "易县防止返贫监测帮扶工作领导小组办公室" in page  # default office, in the text and the signature
    start, end = timezone.localdate() - dt.timedelta(days=29), timezone.localdate()
    assert f"{start:%Y}年{start.month}月{start.day}日至{end:%Y}年{end.month}月{end.day}日" in page


def test_announcement_period_number_office_and_grouping(client, users, decisions):
    client.force_login(users["county"])
    start = timezone.localdate() - dt.timedelta(days=45)
    page = body(client.get(reverse("cases:notice_county"), {
        "start": start.isoformat(), "end": timezone.localdate().isoformat(), "doc_no": "易防返贫办〔2026〕12号",
        "office": "易县乡村振兴局", "phone": "0312-5500000"}))
    assert "褚旧案" in page and "新纳入防止返贫监测对象 2 户" in page
    assert '<p class="doc-no">易防返贫办〔2026〕12号</p>' in page
    assert "向易县乡村振兴局反映，监督电话：0312-5500000" in page
    # per township and village, in code order: 易州镇 东关村 before 梁格庄镇 梁格庄村
    assert page.index("易州镇 东关村委会") < page.index("冯纳入") < page.index("梁格庄镇 梁格庄村委会") < page.index("褚旧案")


def test_announcement_is_scoped(client, users, decisions):
    client.force_login(users["township"])
    page = body(client.get(reverse("cases:notice_county"), {"start": "2020-01-01", "end": "2020-12-31"}))
    assert "本期无新纳入监测对象" in page
    page = body(client.get(reverse("cases:notice_county")))
    assert "冯纳入" in page and "陈消除" in page and "褚旧案" not in page and "蒋外县" not in page
    assert "易州镇范围内" in page
    village_only = body(client.get(reverse("cases:notice_county"), {"region": OWN_VILLAGE}))
    assert "冯纳入" in village_only and "陈消除" not in village_only
    assert client.get(reverse("cases:notice_county"), {"region": OTHER_TOWNSHIP_VILLAGE}).status_code == 404
    assert client.get(reverse("cases:notice_county"), {"region": "130623"}).status_code == 404


def test_announcement_hides_personal_data(client, users, decisions):
    client.force_login(users["county"])
    page = body(client.get(reverse("cases:notice_county")))
    for member in Member.objects.filter(household__cases__in=[decisions["included"], decisions["eliminated"]]):
        assert decrypt(member.id_cipher) not in page and member.id_masked not in page
        assert member.phone_masked not in page
    assert "13800138000" not in page


@pytest.mark.parametrize("query, field", [
    ({"start": "2026-11-20", "end": "2026-11-01"}, "截止日期"),
    ({"start": "2024-01-01", "end": "2026-11-01"}, "截止日期"),
    ({"start": "2026-13-01"}, "起始日期"),
    ({"phone": "13800138000"}, "监督电话"),
])
def test_announcement_bad_input_names_the_field(client, users, policy, query, field):
    client.force_login(users["county"])
    response = client.get(reverse("cases:notice_county"), query)
    assert response.status_code == 400 and field in body(response)


def test_announcement_print_is_audited(client, users, decisions):
    client.force_login(users["county"])
    client.get(reverse("cases:notice_county"), {"doc_no": "易防返贫办〔2026〕12号"})
    event = AuditEvent.objects.filter(action="notice.print").get()
    assert event.region_code == "130633" and event.detail["doc_no"] == "易防返贫办〔2026〕12号"
    assert sorted(event.detail["cases"]) == sorted([decisions["included"].pk, decisions["eliminated"].pk])
    assert "纳入 1 户，消除 1 户" in event.summary


def test_announcement_queries_do_not_grow_with_households(client, users, make_household, policy):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    data = {"category": "边缘易致贫户", "risk_types": ["因灾"], "effective_date": "2026-11-01"}

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("cases:notice_county")).status_code == 200
        return len(ctx)

    client.force_login(users["county"])
    decided(make_household(OWN_VILLAGE), users, days_ago=1, policy=policy, data=data)
    count()  # the first audit row creates the chain head
    few = count()
    for village in (OWN_VILLAGE, SIBLING_VILLAGE, OTHER_TOWNSHIP_VILLAGE, SIBLING_VILLAGE):
        decided(make_household(village), users, days_ago=2, policy=policy, data=data)
    assert count() == few
