"""Panel figures against a hand-built county (易县: two townships) and its neighbour (涞水县)."""

import datetime as dt

import pytest
from django.utils import timezone

from fangpin.dashboards.panels import PANELS, UNFILED, Ctx
from fangpin.regions.models import Region
from tests.conftest import OTHER_COUNTY_VILLAGE, OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE
from tests.dashboards.conftest import DAY

pytestmark = pytest.mark.django_db
ONE, TWO, THREE = (("甲", "head"),), (("甲", "head"), ("乙", "spouse")), (("甲", "head"), ("乙", "spouse"),
                                                                         ("丙", "son"))


@pytest.fixture
def county(make_case, make_household):
    """易州镇 (own + sibling village) and 梁格庄镇 (other township), and one case in 涞水县.

    易州镇: c1 脱贫不稳定 [因病, 因残] 2 persons · c2 边缘易致贫 [因病] in 消除风险评议 3 persons · c3 突发严重困难
    [因灾] 1 person (纳入 2025-04, before the 12-month window) · a ledger 监测户 without a case (1 person) ·
    lead (due later), verifying (overdue), notice (no due date) 2 persons each · one eliminated in 2026-04
    (纳入 2025-10, 2 persons) · an ordinary household of 3.  → 18 persons, 7 monitored, 4 monitoring objects.
    梁格庄镇: c4 边缘易致贫 [因学] 纳入 2026-06-01, 1 person · an ordinary household of 30 → 31 persons, 1 monitored.
    """
    from fangpin.plans.models import Measure, Plan

    c1 = make_case(OWN_VILLAGE, category="脱贫不稳定户", risk_types=("因病", "因残"), effective_date=dt.date(2026, 3, 2),
                   members=TWO)
    c2 = make_case(OWN_VILLAGE, state="elim_review", risk_types=("因病",), effective_date=dt.date(2026, 5, 10),
                   members=THREE)
    make_case(SIBLING_VILLAGE, category="突发严重困难户", risk_types=("因灾",), effective_date=dt.date(2025, 4, 1),
              members=ONE)
    make_household(OWN_VILLAGE, members=ONE, hh_type="jiance")
    make_case(OWN_VILLAGE, state="lead", effective_date=None, step_due=DAY + dt.timedelta(days=5))
    make_case(OWN_VILLAGE, state="verifying", effective_date=None, step_due=DAY - dt.timedelta(days=1))
    make_case(SIBLING_VILLAGE, state="notice", effective_date=None)
    make_case(OWN_VILLAGE, state="eliminated", effective_date=dt.date(2025, 10, 8),
              closed_at=timezone.make_aware(dt.datetime(2026, 4, 10, 10)))
    make_household(OWN_VILLAGE, members=THREE)
    c4 = make_case(OTHER_TOWNSHIP_VILLAGE, risk_types=("因学",), effective_date=dt.date(2026, 6, 1), members=ONE)
    make_household(OTHER_TOWNSHIP_VILLAGE, members=tuple((f"人{i}", "head" if i == 0 else "son") for i in range(30)))
    make_case(OTHER_COUNTY_VILLAGE, risk_types=("因病",), effective_date=dt.date(2026, 6, 2), members=ONE)
    plan1, plan4 = Plan.objects.create(case=c1), Plan.objects.create(case=c4)
    Measure.objects.create(plan=plan1, code="medical_aid", group="兜底保障", label="医疗救助", status="done")
    Measure.objects.create(plan=plan1, code="public_post", group="就业帮扶", label="公益岗位")
    Measure.objects.create(plan=plan1, code="industry_grant", group="产业帮扶", label="产业奖补", status="cancelled")
    Measure.objects.create(plan=plan4, code="dibao", group="兜底保障", label="低保")
    return {"c1": c1, "c2": c2, "c4": c4}


def run(key: str, code: str):
    return PANELS[key].compute(Ctx(Region.objects.get(code=code), DAY))


def table(data) -> dict:
    return {row[0]: row[1:] for row in data.rows}


def test_overview_counts_households_and_persons_per_township(county):
    data = run("overview", "130633")
    assert data.categories == ["易州镇", "梁格庄镇"] and data.drill == ["130633100", "130633101"]
    assert data.series[0].data == [4, 1]
    rows = table(data)
    assert rows["易州镇"] == [9, 4, 18, 7] and rows["梁格庄镇"] == [2, 1, 31, 1] and rows["合计"] == [11, 5, 49, 8]


def test_scale_flags_the_township_over_five_percent_and_deep_poverty_raises_the_line(county):
    data = run("scale", "130633")
    rows = table(data)
    assert rows["易州镇"] == [7, 18, 38.9, 5.0, "是"] and rows["梁格庄镇"] == [1, 31, 3.2, 5.0, ""]
    assert "易州镇" in data.note and "1 个下级区划超过参考规模" in data.note
    Region.objects.filter(code="130633").update(deep_poverty=True)
    rows = table(run("scale", "130633"))
    assert rows["易州镇"][3] == 10.0 and rows["梁格庄镇"][3] == 10.0


def test_categories_include_the_ledger_household_without_a_case(county):
    data = run("categories", "130633")
    assert dict(zip(data.categories, data.series[0].data, strict=True)) == {
        "脱贫不稳定户": 1, "边缘易致贫户": 2, "突发严重困难户": 1, UNFILED: 1}
    assert table(data)["合计"] == [5, 100.0]
    assert dict(zip(run("categories", "130633101").categories, run("categories", "130633101").series[0].data,
                    strict=True)) == {"边缘易致贫户": 1}


def test_risk_types_count_cases_per_type(county):
    data = run("risk_types", "130633")
    assert list(zip(data.categories, data.series[0].data, strict=True)) == [
        ("因病", 2), ("因残", 1), ("因学", 1), ("因灾", 1)]
    assert table(data)["因病"] == [2, 50.0]  # of 4 monitored cases


def test_months_entered_and_eliminated_in_the_last_twelve_months(county):
    data = run("months", "130633")
    assert data.categories[0] == "2025-07" and data.categories[-1] == "2026-06"
    entered = dict(zip(data.categories, data.series[0].data, strict=True))
    assert {k: v for k, v in entered.items() if v} == {"2025-10": 1, "2026-03": 1, "2026-05": 1, "2026-06": 1}
    eliminated = dict(zip(data.categories, data.series[2].data, strict=True))
    assert {k: v for k, v in eliminated.items() if v} == {"2026-04": 1}


def test_pipeline_counts_open_steps_and_overdue_per_township(county):
    data = run("pipeline", "130633")
    assert [s.name for s in data.series] == ["线索待核实", "入户核实", "村内公示", "消除风险评议", "其中超期"]
    rows = table(data)
    assert rows["易州镇"] == [1, 1, 1, 1, 4, 1] and rows["梁格庄镇"] == [0, 0, 0, 0, 0, 0]
    village = table(run("pipeline", OWN_VILLAGE))
    assert village["东关村委会"] == [1, 1, 1, 3, 1]  # the notice case is in the sibling village


def test_assistance_coverage_by_measure_group_ignores_cancelled(county):
    data = run("assistance", "130633")
    rows = table(data)
    assert rows["兜底保障"] == [2, 50.0, 2, 1] and rows["就业帮扶"] == [1, 25.0, 1, 0] and "产业帮扶" not in rows
    assert "在监测的 4 户中 2 户已有帮扶措施（50.0%）" in data.note


def test_city_figures_include_both_counties(county):
    rows = table(run("overview", "1306"))
    assert rows["易县"][1] == 5 and rows["涞水县"][1] == 1


def test_registered_persons_come_from_the_latest_snapshot_other_figures_stay_live(county, make_household):
    from django.core.management import call_command

    from fangpin.dashboards.models import VillageTotals
    from fangpin.dashboards.services import do_snapshot_totals

    assert do_snapshot_totals(DAY - dt.timedelta(days=1), "130633") == 3  # three villages with households
    assert VillageTotals.objects.get(village=OWN_VILLAGE).persons == 15  # of the township's 18, 3 in the sibling
    make_household(OWN_VILLAGE, members=THREE)  # after the snapshot: counted as a household, not yet as persons
    make_household(OTHER_COUNTY_VILLAGE, members=THREE)
    data = run("overview", "130633")
    assert table(data)["易州镇"] == [10, 4, 18, 7] and f"登记人口为 {DAY - dt.timedelta(days=1):%Y-%m-%d} 快照" in data.note
    assert "快照" in run("scale", "130633").note
    assert "快照" not in run("overview", "130623").note  # 涞水县 has no snapshot: live
    assert table(run("overview", "130623"))["涞水镇"][2] == 4
    call_command("refresh_dashboards", "--region", "130633")  # today's (the real date's) run replaces nothing old
    assert VillageTotals.objects.filter(village=OWN_VILLAGE).count() == 2
