"""Employment verbs: publishing, the all-or-nothing list import, candidates, recommending, the outcome."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import xlsxwriter

from fangpin import pii
from fangpin.audit.models import AuditEvent
from fangpin.employment import services
from fangpin.employment.models import Demand, Placement
from fangpin.employment.services import JobError
from fangpin.plans.models import Measure
from fangpin.registry.models import ChangeRecord, Member
from tests.conftest import OTHER_COUNTY_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE

pytestmark = pytest.mark.django_db


def test_publishing_encrypts_the_contact_phone_and_is_audited(make_demand, users):
    demand = make_demand()
    assert demand.county_id == "130633" and demand.contact_phone_masked == "139****5678"
    assert "13912345678" not in demand.contact_phone_cipher
    assert pii.decrypt(demand.contact_phone_cipher) == "13912345678"
    assert AuditEvent.objects.filter(action="employment.demand_create", object_id=str(demand.pk)).exists()
    # the same firm, job and place again updates the one row
    again = make_demand(slots=5)
    assert again.pk == demand.pk and Demand.objects.count() == 1 and again.slots == 5


def test_only_county_and_township_publish(make_demand, users):
    for role in ("village", "city", "department"):
        with pytest.raises(JobError, match="县级或乡镇"):
            make_demand(user=users[role])
    assert make_demand(user=users["township"]).county_id == "130633"


def test_bad_demand_values_are_refused_with_the_field(make_demand):
    with pytest.raises(JobError, match="年龄上限 20 小于下限 30"):
        make_demand(age_min=30, age_max=20)
    with pytest.raises(JobError, match="有效期至：2020-01-01 已过期"):
        make_demand(valid_until=dt.date(2020, 1, 1))
    with pytest.raises(JobError, match="联系电话"):
        make_demand(phone="12345")
    assert Demand.objects.count() == 0


def _sheet(rows, headers=None) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, headers or [h for _, h, _ in services.COLUMNS])
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, row)
    book.close()
    return out.getvalue()


GOOD = [["甲公司", "焊工", "省外", "天津市", 3, 6000, 20, 50, "男", "否", "是", "2099-12-31", "李", "13800001111", ""],
        ["乙公司", "保洁", "县内", "易县", 2, "", "", "", "不限", "是", "否", "2099-06-30", "", "", "轻体力"]]


def test_import_is_all_or_nothing_and_idempotent(users):
    bad = [*GOOD, ["丙公司", "", "火星", "易县", "两", 3000, 18, 60, "x", "也许", "否", "明年", "", "123", ""],
           GOOD[0]]
    outcome = services.do_import_demands(users["county"], _sheet(bad), "岗位.xlsx")
    problems = {(row, col) for row, col, _ in outcome.errors}
    assert {(4, "工作地点类型"), (4, "招聘人数"), (4, "弱劳动力可做"), (4, "有效期至"), (4, "联系电话"), (4, "岗位"),
            (5, "用工单位/岗位/工作地点")} <= problems
    assert all(row != 2 and row != 3 for row, _, _ in outcome.errors)  # the good rows are not blamed
    assert Demand.objects.count() == 0  # nothing written

    first = services.do_import_demands(users["county"], _sheet(GOOD), "岗位.xlsx")
    assert (first.errors, first.created, first.updated, first.unchanged) == ([], 2, 0, 0)
    welder = Demand.objects.get(title="焊工")
    assert (welder.place, welder.slots, welder.sex, welder.transport, welder.source) == ("outside", 3, "男", True,
                                                                                       "upload")
    cleaner = Demand.objects.get(title="保洁")
    assert (cleaner.age_min, cleaner.age_max, cleaner.wage, cleaner.weak_ok) == (16, 60, None, True)
    again = services.do_import_demands(users["county"], _sheet(GOOD), "岗位.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = [GOOD[0][:4] + [8] + GOOD[0][5:], GOOD[1]]
    third = services.do_import_demands(users["county"], _sheet(changed), "岗位.xlsx")
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    assert Demand.objects.get(title="焊工").slots == 8 and Demand.objects.count() == 2


def test_import_names_missing_columns(users):
    with pytest.raises(JobError, match="缺少必填列：.*招聘人数"):
        services.do_import_demands(users["county"], _sheet([["甲", "焊工"]], headers=["用工单位", "岗位", "工作地点"]),
                                   "x.xlsx")


def test_candidates_are_scoped_ranked_and_fit(make_demand, make_household, make_case, users):
    own = make_household(OWN_VILLAGE, hh_type="yiban")
    sibling = make_household(SIBLING_VILLAGE, hh_type="tuopin")
    monitored = make_case(OWN_VILLAGE).household
    make_household(OTHER_COUNTY_VILLAGE)  # another county: never proposed
    Member.objects.filter(household=own, relation="spouse").update(employment="local_job")  # has a job
    demand = make_demand()
    day = dt.date(2026, 11, 23)
    county = services.candidates(users["county"], demand, day)
    households = [m.household_id for _, m in county]
    assert set(households) == {own.pk, sibling.pk, monitored.pk}
    assert households[:2] == [monitored.pk, monitored.pk]  # the monitored household first, then 脱贫户
    assert households[2:4] == [sibling.pk, sibling.pk]
    assert len([h for h in households if h == own.pk]) == 1
    village = services.candidates(users["village"], demand, day)
    assert {m.household_id for _, m in village} == {own.pk, monitored.pk}
    assert services.candidates(users["county"], make_demand(title="女工", sex="女"), day) == []
    young = make_demand(title="年轻", age_max=40)
    assert services.candidates(users["county"], young, day) == []  # everyone here was born in 1970


def test_recommending_a_monitored_member_adds_measures_to_the_plan(make_demand, make_case, users):
    case = make_case(OWN_VILLAGE)
    member = case.household.members.get(relation="head")
    demand = make_demand(place="province", transport=True, location="保定市")
    placement = services.do_recommend(users["village"], demand.pk, member.pk)
    assert placement.case == case
    codes = sorted(placement.measures.values_list("code", flat=True))
    assert codes == ["job_placement", "transport"]
    assert Measure.objects.filter(plan__case=case, status="planned").count() == 2
    assert "易县食品有限公司·包装工" in Measure.objects.get(code="job_placement").detail
    with pytest.raises(JobError, match="已推荐到该岗位"):
        services.do_recommend(users["village"], demand.pk, member.pk)

    hired = services.do_record_outcome(users["village"], placement.pk, hired=True, start_date=dt.date(2026, 11, 1))
    assert hired.status == "hired" and hired.start_date == dt.date(2026, 11, 1)
    assert set(Measure.objects.filter(plan__case=case).values_list("status", flat=True)) == {"done"}
    member.refresh_from_db()
    assert member.employment == "province_job"  # the registry follows, with its history
    assert ChangeRecord.objects.filter(object_type="member", object_id=member.pk, action="update").exists()
    with pytest.raises(JobError, match="结果已登记"):
        services.do_record_outcome(users["village"], placement.pk, hired=False, note="重复")


def test_a_declined_placement_cancels_its_measures(make_demand, make_case, users):
    case = make_case(OWN_VILLAGE)
    member = case.household.members.get(relation="spouse")
    placement = services.do_recommend(users["township"], make_demand().pk, member.pk)
    with pytest.raises(JobError, match="须填写原因"):
        services.do_record_outcome(users["township"], placement.pk, hired=False)
    services.do_record_outcome(users["township"], placement.pk, hired=False, note="面试未通过")
    assert list(Measure.objects.filter(plan__case=case).values_list("status", flat=True)) == ["cancelled"]
    member.refresh_from_db()
    assert member.employment == "farming"


def test_recommend_refusals(make_demand, make_household, users):
    own = make_household(OWN_VILLAGE, hh_type="yiban")
    other = make_household(OTHER_COUNTY_VILLAGE)
    head = own.members.get(relation="head")
    demand = make_demand(slots=1)
    from django.http import Http404

    with pytest.raises(Http404):  # another county's person: as if missing
        services.do_recommend(users["village"], demand.pk, other.members.first().pk)
    with pytest.raises(JobError, match="不符合岗位要求：.*岗位限女性"):
        services.do_recommend(users["county"], make_demand(title="女工", sex="女").pk, head.pk)
    with pytest.raises(JobError, match="县级干部办理"):
        services.do_recommend(users["department"], demand.pk, head.pk)
    placement = services.do_recommend(users["county"], demand.pk, head.pk)
    assert placement.case is None and placement.measures.count() == 0  # no open case: no plan to add to
    services.do_close_demand(users["county"], demand.pk)
    with pytest.raises(JobError, match="停止招聘"):
        services.do_recommend(users["county"], demand.pk, own.members.get(relation="spouse").pk)


def test_at_most_three_recommendations_per_slot(make_demand, make_household, users):
    demand = make_demand(slots=1)
    heads = [make_household(OWN_VILLAGE, hh_type="yiban").members.get(relation="head") for _ in range(4)]
    for m in heads[:3]:
        services.do_recommend(users["county"], demand.pk, m.pk)
    with pytest.raises(JobError, match="最多推荐 3 人"):
        services.do_recommend(users["county"], demand.pk, heads[3].pk)
    assert Placement.objects.count() == 3


def test_demo_employment_publishes_and_recommends(regions, users, make_case, settings):
    """The demo command on the test county: its users stand in for the demo logins."""
    from unittest import mock

    from fangpin.employment import demo

    make_case(OWN_VILLAGE)
    by_name = {"county": users["county"], "village": users["village"]}
    with mock.patch("fangpin.demo.cases.demo_user", side_effect=by_name.__getitem__):
        result = demo.do_demo_employment("130633", seed=3)
        assert demo.do_demo_employment("130633", if_empty=True).skipped
    assert result.demands == len(demo.JOBS) == Demand.objects.count()
    assert result.recommended == Placement.objects.count() > 0
    assert Placement.objects.filter(status="hired").count() == result.hired


@pytest.mark.django_db(transaction=True)
def test_two_officers_recording_the_outcome_at_once_make_one_move(make_demand, make_case, users):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    case = make_case(OWN_VILLAGE)
    member = case.household.members.get(relation="head")
    placement = services.do_recommend(users["village"], make_demand().pk, member.pk)
    barrier, outcomes = threading.Barrier(2), []

    def record_it(user, hired):
        try:
            barrier.wait()
            services.do_record_outcome(user, placement.pk, hired=hired, note="" if hired else "不去了",
                                       start_date=dt.date(2026, 11, 1))
            outcomes.append("hired" if hired else "declined")
        except JobError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=record_it, args=args)
               for args in ((users["village"], True), (users["township"], False))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) in (["hired", "refused"], ["declined", "refused"])
    winner = next(o for o in outcomes if o != "refused")
    assert Placement.objects.get().status == winner
    statuses = set(Measure.objects.filter(plan__case=case).values_list("status", flat=True))
    assert statuses == ({"done"} if winner == "hired" else {"cancelled"})
    assert AuditEvent.objects.filter(action="employment.outcome").count() == 1
