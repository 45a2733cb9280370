"""The 督战 demo on the demo county: the province's rule set, a campaign in three phases, and
problems assigned (交办) through the services — one awaiting sign-off with evidence, one signed off,
one sent back, two overdue in the same village (so the 约谈 list has an entry)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fangpin.demo.cases import demo_user
from fangpin.demo.services import DemoError, county_region, refuse_in_production
from fangpin.supervision import services
from fangpin.supervision.models import Problem, Rule

# (name, metric, level, comparator, value): the sources' thresholds, plus the monitoring ones.
PROVINCE_RULES = [
    ("剩余监测人口超过1000人的县", "remaining", 3, "gt", 1000),
    ("剩余监测人口超过200人的乡镇", "remaining", 4, "gt", 200),
    ("剩余监测人口超过20人的村", "remaining", 5, "gt", 20),
    ("监测发生率超过1.5%的村", "incidence", 5, "gt", Decimal("1.5")),
    ("监测规模超出参考规模的县", "scale_excess", 3, "gt", 0),
]
CAMPAIGN_RULES = [
    ("识别环节超期的村", "overdue_steps", 5, "ge", 1),
    ("住房饮水不安全的村", "housing_water_gaps", 5, "ge", 2),
]


@dataclass(frozen=True)
class DemoSupervisionResult:
    skipped: bool = False
    rules: int = 0
    problems: int = 0


@transaction.atomic
def do_demo_supervision(county_code: str, *, if_empty: bool = False,
                        today: dt.date | None = None) -> DemoSupervisionResult:
    refuse_in_production()
    county = county_region(county_code)
    province, city = demo_user("province"), demo_user("city")
    if if_empty and Rule.objects.filter(region_id=province.region_id).exists():
        return DemoSupervisionResult(skipped=True)
    today = today or timezone.localdate()
    rules = {name: services.do_save_rule(province, name=name, metric=m, level=lvl, comparator=c, value=Decimal(v))
             for name, m, lvl, c, v in PROVINCE_RULES}
    campaign = services.do_save_campaign(province, name=f"{today.year}年防返贫百日攻坚联合督战",
                                         note="剩余监测对象帮扶、识别程序时限、住房饮水安全；明查暗访相结合，以暗访为主")
    phases = [("第一阶段", today - dt.timedelta(days=40), today + dt.timedelta(days=20), "常规督查巡查"),
              ("第二阶段", today + dt.timedelta(days=21), today + dt.timedelta(days=51), "巩固提升"),
              ("第三阶段", today + dt.timedelta(days=52), today + dt.timedelta(days=81), "集中督查、回头看")]
    for name, start, end, focus in phases:
        services.do_add_phase(province, campaign.pk, name=name, start=start, end=end, focus=focus)
    for name, m, lvl, c, v in CAMPAIGN_RULES:
        rules[name] = services.do_save_rule(province, name=name, metric=m, level=lvl, comparator=c, value=Decimal(v),
                                            campaign_id=campaign.pk, phase="第一阶段")
    services.do_save_rule(city, name="无监测对象的村较多的乡镇", metric="villages_without", level=4, comparator="ge",
                          value=Decimal(5))
    made = _problems(county.code, rules, province, today)
    return DemoSupervisionResult(rules=len(rules) + 1, problems=made)


def _problems(county: str, rules: dict[str, Rule], province, today: dt.date) -> int:
    village, village2 = demo_user("village"), demo_user("village2")
    township, county_user = demo_user("township"), demo_user("county")
    found = {(f.rule.pk, f.breach.code) for f in services.findings(province, today, within=county)}
    made = 0

    def assign(rule_name: str, region: str, days: int, requirement: str) -> Problem | None:
        nonlocal made
        rule = rules[rule_name]
        if (rule.pk, region) not in found:
            return None
        made += 1
        return services.do_assign(province, rule.pk, region, deadline=today + dt.timedelta(days=days),
                                  requirement=requirement, today=today)

    p = assign("剩余监测人口超过1000人的县", county, 30, "逐户落实帮扶措施，月底前报送整改台账")
    if p:
        services.do_rectify(county_user, p.pk, text="已对剩余监测户逐户制定一户一策，落实就业帮扶和兜底保障，附整改台账。",
                            files=[("整改台账.pdf", _DEMO_PDF, "application/pdf")])
    p = assign("剩余监测人口超过200人的乡镇", township.region_id, 20, "乡镇逐村排查，落实帮扶责任人")
    if p:
        services.do_rectify(township, p.pk, text="已落实全部监测户帮扶责任人，完成入户回访。")
        services.do_review(province, p.pk, "sign_off", reason="整改到位，同意销号")
    p = assign("住房饮水不安全的村", village2.region_id, 15, "核实住房、饮水情况，落实危房改造和供水工程")
    if p:
        services.do_rectify(village2, p.pk, text="已上报危房改造需求。")
        services.do_review(province, p.pk, "send_back", reason="未说明饮水问题的解决措施，请补充")
    for name in ("识别环节超期的村", "监测发生率超过1.5%的村"):
        p = assign(name, village.region_id, 10, "立即办结超期环节，说明原因")
        if p:  # assigned three weeks ago with a ten-day deadline: now overdue
            past = timezone.now() - dt.timedelta(days=21)
            Problem.objects.filter(pk=p.pk).update(assigned_at=past, state_since=past,
                                                   deadline=today - dt.timedelta(days=11))
            p.steps.update(at=past)
    return made


# A minimal one-page PDF ("整改台账（演示）" is in the file name; the page itself is blank).
_DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
             b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

__all__ = ["DemoError", "DemoSupervisionResult", "do_demo_supervision"]
