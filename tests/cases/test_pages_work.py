"""The work pages: my queue per role, overdue first, the pipeline, a case walked to monitoring by
posting its action forms, stale posts, and what the pages refuse."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangpin.audit.models import AuditEvent
from fangpin.cases import views
from fangpin.cases.models import Case, CaseStep, Lead
from fangpin.cases.services import do_case_action, do_open_lead
from fangpin.core.workflow import State
from fangpin.pii import decrypt
from fangpin.registry.models import HouseholdYear, Member
from tests.conftest import OTHER_COUNTY_VILLAGE, OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE

TZ = ZoneInfo("Asia/Shanghai")
REVIEW = {"date": "2026-11-25", "attendance": "31", "votes_for": "29", "votes_against": "2",
          "minutes": "评议同意纳入"}


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=TZ)



def open_case(household, when=None) -> Case:
    return do_open_lead(household, "visit", "走访发现困难", now=when or at(2026, 11, 2)).case


def move(case, users, *steps):
    """Drive a case with the services (not the pages under test): (role, action, data) per step."""
    for role, action, data in steps:
        case.refresh_from_db()
        do_case_action(users[role], case.pk, action, seen_state=case.state, data=data)
    case.refresh_from_db()
    return case


def body(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------- queue


def test_queue_shows_each_role_only_its_steps_in_its_region(client, users, make_household, policy):
    own = open_case(make_household(OWN_VILLAGE, hh_no="HH-OWN-LEAD"))
    sibling = open_case(make_household(SIBLING_VILLAGE, hh_no="HH-SIB-LEAD"))
    other = open_case(make_household(OTHER_TOWNSHIP_VILLAGE, hh_no="HH-OTHER-LEAD"))
    far = open_case(make_household(OTHER_COUNTY_VILLAGE, hh_no="HH-FAR-LEAD"))
    review = open_case(make_household(SIBLING_VILLAGE, hh_no="HH-SIB-REVIEW"))
    review.state = State.TOWNSHIP_REVIEW
    review.save(update_fields=["state"])
    assert {own, sibling, other, far, review}  # all opened

    client.force_login(users["village"])
    page = body(client.get(reverse("cases:queue")))
    assert "HH-OWN-LEAD" in page and "张三" in page and "线索待核实" in page
    for absent in ("HH-SIB-LEAD", "HH-OTHER-LEAD", "HH-FAR-LEAD", "HH-SIB-REVIEW"):
        assert absent not in page

    client.force_login(users["township"])
    page = body(client.get(reverse("cases:queue")))
    assert "HH-SIB-REVIEW" in page and "乡镇审核" in page
    for absent in ("HH-OWN-LEAD", "HH-SIB-LEAD", "HH-OTHER-LEAD"):
        assert absent not in page

    client.force_login(users["county"])
    assert "HH-SIB-REVIEW" not in body(client.get(reverse("cases:queue")))


def test_queue_never_shows_clear_id_numbers(client, users, make_household, policy):
    household = make_household(OWN_VILLAGE)
    open_case(household)
    client.force_login(users["village"])
    page = body(client.get(reverse("cases:queue")))
    for member in Member.objects.filter(household=household):
        assert decrypt(member.id_cipher) not in page and "13800138000" not in page


def test_queue_puts_overdue_first_then_by_due_date(client, users, make_household, policy, monkeypatch):
    # Verification takes 5 working days: opened on 2 Nov → due 9 Nov; 16 Nov → due 23 Nov.
    late = open_case(make_household(OWN_VILLAGE, hh_no="HH-LATE"), at(2026, 11, 2))
    soon = open_case(make_household(OWN_VILLAGE, hh_no="HH-SOON"), at(2026, 11, 16))
    later = open_case(make_household(OWN_VILLAGE, hh_no="HH-LATER"), at(2026, 11, 18))
    assert late.step_due < soon.step_due < later.step_due
    monkeypatch.setattr(views, "today", lambda: dt.date(2026, 11, 17))
    client.force_login(users["village"])
    page = body(client.get(reverse("cases:queue")))
    assert page.index("HH-LATE") < page.index("HH-SOON") < page.index("HH-LATER")
    assert page.count('<span class="badge bad">已超期</span>') == 1  # only the late row
    assert '<span class="badge bad">1</span><span>已超期</span>' in page.replace("</b>", "")
    assert [c.pk for c in views.queue_for(users["village"])] == [late.pk, soon.pk, later.pk]


def queries_of(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), body(response)


def test_queue_and_pipeline_queries_do_not_grow_with_the_cases(client, users, make_household, policy):
    client.force_login(users["village"])
    for _ in range(3):
        open_case(make_household(OWN_VILLAGE))
    few, _ = queries_of(client, reverse("cases:queue"))
    for _ in range(12):
        open_case(make_household(OWN_VILLAGE))
    many, page = queries_of(client, reverse("cases:queue"))
    assert page.count("办理</a>") == 15
    assert many == few <= 8, (few, many)
    client.force_login(users["county"])
    few, _ = queries_of(client, reverse("cases:pipeline"))
    open_case(make_household(OTHER_TOWNSHIP_VILLAGE))
    many, _ = queries_of(client, reverse("cases:pipeline"))
    assert many == few <= 6, (few, many)


def test_a_plain_step_can_be_taken_right_from_the_queue(client, users, make_household, policy):
    case = open_case(make_household(OWN_VILLAGE, hh_no="HH-QUICK"))
    client.force_login(users["village"])
    page = body(client.get(reverse("cases:queue")))
    assert "开始核实</button>" in page and "不予纳入</button>" not in page  # a rejection needs a reason
    response = client.post(reverse("cases:act", kwargs={"pk": case.pk}),
                           {"action": "start_verify", "seen_state": "lead", "next": "queue"})
    assert response.status_code == 302 and response["Location"] == reverse("cases:queue")
    case.refresh_from_db()
    assert case.state == State.VERIFYING
    page = body(client.get(reverse("cases:queue")))
    assert "入户核实" in page and "提交</button>" in page


def test_the_queue_rows_form_posts_as_rendered_with_its_csrf_token(users, make_household, policy):
    """The rows are a Jinja2 fragment (fangpin.fragments): its form, token included, must work as a browser sends it."""
    import re

    from django.test import Client

    case = open_case(make_household(OWN_VILLAGE, hh_no="HH-<CSRF>"))
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["village"])
    page = body(browser.get(reverse("cases:queue")))
    assert "HH-&lt;CSRF&gt;" in page and "HH-<CSRF>" not in page  # escaped like the rest of the page
    form = re.search(r'<form class="inline" method="post" action="([^"]+)">(.*?)</form>', page)
    assert form is not None and form.group(1) == reverse("cases:act", kwargs={"pk": case.pk})
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2)))
    assert set(fields) == {"csrfmiddlewaretoken", "action", "seen_state", "next"}
    assert browser.post(form.group(1), {**fields, "action": "start_verify"}).status_code == 302
    case.refresh_from_db()
    assert case.state == State.VERIFYING
    del fields["csrfmiddlewaretoken"]
    assert browser.post(form.group(1), {**fields, "seen_state": "verifying"}).status_code == 403


def test_the_queue_masks_the_csrf_token_once_per_page_and_each_form_posts(users, make_household, policy):
    """Every row's form carries the same masked token (one mask per response, as Django's own templates do;
    masking afresh per form cost 32 os.urandom calls each), and a form further down the page still posts."""
    import re

    from django.test import Client

    cases = [open_case(make_household(OWN_VILLAGE)) for _ in range(3)]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["village"])
    page = body(browser.get(reverse("cases:queue")))
    tokens = re.findall(r'action="/cases/\d+/act/"><input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"',
                        page)
    assert len(tokens) == 3
    assert len(set(tokens)) == 1
    last = cases[0]  # the oldest case is listed last
    assert browser.post(reverse("cases:act", kwargs={"pk": last.pk}),
                        {"csrfmiddlewaretoken": tokens[-1], "action": "start_verify", "seen_state": "lead",
                         "next": "queue"}).status_code == 302
    last.refresh_from_db()
    assert last.state == State.VERIFYING


def test_the_detail_pages_action_forms_post_as_rendered(users, make_household, policy):
    """Each action form's hidden fields are written in the template: posted as a browser would, they act."""
    import re

    from django.test import Client

    case = open_case(make_household(OWN_VILLAGE))
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["village"])
    page = body(browser.get(reverse("cases:detail", kwargs={"pk": case.pk})))
    forms = re.findall(r'<form method="post" action="([^"]+)" class="card">(.*?)</form>', page, re.S)
    assert len(forms) >= 2  # 开始核实 and the refusals
    posted = {}
    for action_url, inner in forms:
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', inner))
        assert set(fields) == {"csrfmiddlewaretoken", "action", "seen_state"} and fields["seen_state"] == "lead"
        assert action_url == reverse("cases:act", kwargs={"pk": case.pk})
        posted[fields["action"]] = fields
    assert "start_verify" in posted
    assert browser.post(reverse("cases:act", kwargs={"pk": case.pk}), posted["start_verify"]).status_code == 302
    case.refresh_from_db()
    assert case.state == State.VERIFYING


# ---------------------------------------------------------------- acting from the pages


def post_act(client, case, action, seen_state, **data):
    return client.post(reverse("cases:act", kwargs={"pk": case.pk}),
                       {"action": action, "seen_state": seen_state, **data}, follow=True)


def test_three_roles_walk_a_case_to_monitoring_through_the_pages(client, users, make_household, policy):
    case = open_case(make_household(OWN_VILLAGE))
    client.force_login(users["village"])
    detail = body(client.get(reverse("cases:detail", kwargs={"pk": case.pk})))
    assert "开始核实" in detail and 'name="seen_state" value="lead"' in detail
    post_act(client, case, "start_verify", "lead")
    post_act(client, case, "submit", "verifying")
    response = post_act(client, case, "submit", "village_review", **REVIEW)
    assert "村内公示" in body(response)
    Case.objects.filter(pk=case.pk).update(notice_ends=dt.date(2020, 1, 1))  # the notice period is over
    post_act(client, case, "submit", "notice")
    client.force_login(users["township"])
    post_act(client, case, "submit", "township_review")
    client.force_login(users["county"])
    detail = body(client.get(reverse("cases:detail", kwargs={"pk": case.pk})))
    assert "边缘易致贫户" in detail and 'value="因病"' in detail  # choices come from the policy
    response = post_act(client, case, "submit", "county_decision", category="边缘易致贫户",
                        risk_types=["因病", "因学"], effective_date="2026-12-10")
    case.refresh_from_db()
    assert case.state == State.MONITORING
    assert case.category == "边缘易致贫户" and case.risk_types == ["因病", "因学"]
    assert case.effective_date == dt.date(2026, 12, 10)
    steps = list(CaseStep.objects.filter(case=case).values_list("to_state", "actor__role"))
    assert steps == [("verifying", "village"), ("village_review", "village"), ("notice", "village"),
                     ("township_review", "village"), ("county_decision", "township"), ("monitoring", "county")]
    review = CaseStep.objects.get(case=case, from_state="village_review")
    assert review.data == {"date": "2026-11-25", "attendance": 31, "votes_for": 29, "votes_against": 2,
                           "minutes": "评议同意纳入"}
    page = body(response)
    assert "参会 31 人" in page and "监测帮扶中" in page


def test_a_second_post_on_the_old_step_is_told_stale_and_moves_nothing(client, users, make_household, policy):
    case = open_case(make_household(OWN_VILLAGE))
    client.force_login(users["village"])
    post_act(client, case, "start_verify", "lead")
    response = post_act(client, case, "start_verify", "lead")
    assert "已被他人办理" in body(response)
    assert CaseStep.objects.filter(case=case).count() == 1


def test_wrong_role_bad_data_and_missing_reason_give_chinese_errors(client, users, make_household, policy):
    case = move(open_case(make_household(OWN_VILLAGE)), users, ("village", "start_verify", {}),
                ("village", "submit", {}))
    client.force_login(users["township"])
    assert "须由村级用户办理" in body(post_act(client, case, "submit", "village_review", **REVIEW))
    client.force_login(users["village"])
    response = post_act(client, case, "submit", "village_review", **{**REVIEW, "votes_for": "40"})
    assert "超过参会人数" in body(response)
    assert "会议纪要" in body(post_act(client, case, "submit", "village_review", **{**REVIEW, "minutes": ""}))
    assert "须填写理由" in body(post_act(client, case, "return", "village_review"))
    assert "无效的办理动作" in body(post_act(client, case, "fly", "village_review"))
    assert CaseStep.objects.filter(case=case).count() == 2


def test_act_answers_405_to_get_and_404_outside_the_region(client, users, make_household, policy):
    own = open_case(make_household(OWN_VILLAGE))
    other = open_case(make_household(OTHER_TOWNSHIP_VILLAGE))
    client.force_login(users["township"])
    assert client.get(reverse("cases:act", kwargs={"pk": own.pk})).status_code == 405
    assert client.get(reverse("cases:detail", kwargs={"pk": other.pk})).status_code == 404
    response = client.post(reverse("cases:act", kwargs={"pk": other.pk}),
                           {"action": "reject", "seen_state": "lead", "reason": "越权"})
    assert response.status_code == 404
    assert not CaseStep.objects.filter(case=other).exists()
    client.force_login(users["city"])
    assert client.get(reverse("cases:detail", kwargs={"pk": own.pk})).status_code == 403


# ---------------------------------------------------------------- detail


def test_detail_shows_findings_deadlines_leads_and_is_audited(client, users, make_household, policy):
    household = make_household(OWN_VILLAGE, members=(("王大", "head"), ("王二", "son")), hh_type="tuopin",
                               housing_safety="D")
    Member.objects.filter(name="王二").update(schooling="dropout", med_insurance=False)
    HouseholdYear.objects.create(household=household, year=2025, wage=Decimal("20000"))
    HouseholdYear.objects.create(household=household, year=2026, wage=Decimal("9000"),
                                 medical_oop=Decimal("25000"))
    case = open_case(household)
    do_open_lead(household, "self", "农户申请：因病支出大")
    client.force_login(users["village"])
    page = body(client.get(reverse("cases:detail", kwargs={"pk": case.pk})))
    # 9,000 / 2 persons = 4,500 < 7,300; 25,000 medical > 20,000 last year; income fell 55 %.
    assert "人均纯收入 4,500 元 &lt; 监测线 7,300 元" in page
    assert "刚性支出 25,000 元（医疗自付 25,000 元）&gt; 上年家庭纯收入 20,000 元" in page
    for title in ("人均纯收入低于监测线", "刚性支出明显超过上年收入", "收入大幅缩减", "义务教育无保障",
                  "基本医疗无保障", "住房安全无保障"):
        assert title in page, title
    assert "建议类别：<b>脱贫不稳定户</b>" in page and "因病" in page
    Case.objects.filter(pk=case.pk).update(state=State.COUNTY_DECISION)
    client.force_login(users["county"])
    page = body(client.get(reverse("cases:detail", kwargs={"pk": case.pk})))
    assert '<option value="脱贫不稳定户" selected>' in page  # the county starts from the core's suggestion
    assert 'name="risk_types" value="因病" id="id_submit_risk_types_0" checked' in page
    assert "农户自主申报" in page and "干部走访排查" in page  # both leads, with their channels
    assert case.step_due.strftime("%Y-%m-%d") in page and case.identification_due.strftime("%Y-%m-%d") in page
    assert reverse("registry:detail", kwargs={"pk": household.pk}) in page
    head = Member.objects.get(name="王大")
    assert f"王大（{head.id_masked}）" in page and decrypt(head.id_cipher) not in page
    assert page.count('id="id_return_reason"') == 1 and page.count('id="id_reject_reason"') == 1
    events = AuditEvent.objects.filter(action="case.view", object_id=str(case.pk))
    assert [(e.username, e.region_code) for e in events.order_by("seq")] == [("village", OWN_VILLAGE),
                                                                             ("county", OWN_VILLAGE)]


def test_detail_without_a_registry_year_says_it_cannot_evaluate(client, users, make_household, policy):
    case = open_case(make_household(OWN_VILLAGE))
    client.force_login(users["county"])
    page = body(client.get(reverse("cases:detail", kwargs={"pk": case.pk})))
    assert "尚无年度收支记录" in page
    assert reverse("cases:act", kwargs={"pk": case.pk}) not in page  # county has no action at the lead step


# ---------------------------------------------------------------- pipeline


def test_pipeline_counts_per_township_with_overdue_totals(client, users, make_household, policy, monkeypatch):
    open_case(make_household(OWN_VILLAGE), at(2026, 11, 2))  # due 9 Nov: overdue on 17 Nov
    open_case(make_household(SIBLING_VILLAGE), at(2026, 11, 16))
    review = open_case(make_household(OTHER_TOWNSHIP_VILLAGE), at(2026, 11, 16))
    Case.objects.filter(pk=review.pk).update(state=State.TOWNSHIP_REVIEW)
    open_case(make_household(OTHER_COUNTY_VILLAGE))
    monkeypatch.setattr(views, "today", lambda: dt.date(2026, 11, 17))
    rows = {r["name"]: r for r in views.pipeline_rows(users["county"], dt.date(2026, 11, 17))}
    assert set(rows) == {"易州镇", "梁格庄镇"}
    assert rows["易州镇"]["total"] == 2 and rows["易州镇"]["overdue"] == 1
    assert {c["state"]: c["n"] for c in rows["梁格庄镇"]["cells"] if c["n"]} == {"township_review": 1}
    client.force_login(users["county"])
    page = body(client.get(reverse("cases:pipeline")))
    assert "按乡镇" in page and "易州镇" in page and "涞水镇" not in page
    client.force_login(users["township"])
    page = body(client.get(reverse("cases:pipeline")))
    assert "东关村委会" in page and "西关村委会" in page and "梁格庄" not in page
    client.force_login(users["village"])
    assert client.get(reverse("cases:pipeline")).status_code == 403


# ---------------------------------------------------------------- opening a lead


def test_open_lead_from_a_household_opens_or_attaches_and_redirects(client, users, make_household, policy):
    household = make_household(OWN_VILLAGE)
    url = reverse("cases:open", kwargs={"household_pk": household.pk})
    client.force_login(users["village"])
    assert client.get(url).status_code == 405
    response = client.post(url, {"summary": "走访发现房屋漏雨"})
    case = Case.objects.get(household=household)
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", kwargs={"pk": case.pk})
    client.post(url, {"summary": "再次走访"})
    assert Case.objects.filter(household=household).count() == 1
    assert list(Lead.objects.filter(case=case).values_list("channel", flat=True)) == ["visit", "visit"]
    assert "线索摘要" in body(client.post(url, {"summary": ""}, follow=True))
    other = make_household(OTHER_TOWNSHIP_VILLAGE)
    client.force_login(users["township"])
    assert client.post(reverse("cases:open", kwargs={"household_pk": other.pk}),
                       {"summary": "越权"}).status_code == 404
    assert not Case.objects.filter(household=other).exists()


def test_monitoring_case_links_its_plan_and_explains_what_elimination_still_needs(client, users, make_household,
                                                                                  policy):
    from fangpin.plans.services import do_record_followup

    case = open_case(make_household(OWN_VILLAGE))
    decision = {"category": "边缘易致贫户", "risk_types": ["因病"], "effective_date": "2026-01-05"}
    case = move(case, users, ("village", "start_verify", {}), ("village", "submit", {}),
                ("village", "submit", REVIEW))
    Case.objects.filter(pk=case.pk).update(notice_ends=dt.date(2026, 1, 1))  # the notice period is over
    case = move(case, users, ("village", "submit", {}), ("township", "submit", {}), ("county", "submit", decision))
    client.force_login(users["village"])
    page = body(client.get(reverse("cases:detail", kwargs={"pk": case.pk})))
    assert reverse("plans:case", kwargs={"case_pk": case.pk}) in page
    assert "暂不符合风险消除条件" in page and "仅 0 个月" in page
    for day in (dt.date(2026, 1, 10), dt.date(2026, 7, 10)):
        do_record_followup(users["village"], case.pk, visit_date=day, income_12m=Decimal("30000"), persons=2)
    page = body(client.get(reverse("cases:detail", kwargs={"pk": case.pk})))
    assert "符合风险消除条件" in page and "暂不符合" not in page
