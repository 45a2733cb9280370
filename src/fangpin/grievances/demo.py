"""Demo grievances for a county: 57 received, 55 resolved (the source county's figures: 顺平县 “阳光行政”
受理 57 件、化解 55 件), spread over the last twelve months and every type, through the services as the demo
users at past dates. Of the two not resolved, one is with the demo village's account past its deadline,
one is answered and waiting for the county's return visit. Deterministic for a seed; one run per county.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from fangpin.accounts.access import code_prefix_q
from fangpin.accounts.models import User
from fangpin.audit.services import record_system_event
from fangpin.core.grievance import Kind, Outcome, Satisfaction, State
from fangpin.demo.services import (
    DemoError,
    county_region,
    county_villages,
    demo_villages,
    refuse_in_production,
)
from fangpin.grievances import services
from fangpin.grievances.models import Grievance
from fangpin.grievances.services import Submission
from fangpin.registry.models import Household

TZ = ZoneInfo("Asia/Shanghai")
RECEIVED, RESOLVED = 57, 55
KINDS = [Kind.EXCLUDED] * 12 + [Kind.UNDELIVERED] * 18 + [Kind.POLICY] * 14 + [Kind.STAFF] * 5 + [Kind.OTHER] * 8
SOURCES = ["public"] * 5 + ["visit"] * 2 + ["phone"] * 2 + ["hotline"] * 2 + ["letter"]
CONTENT = {
    Kind.EXCLUDED: ["家里老人今年两次住院，自付三万多，收入不够开支，申请纳入监测没有结果",
                    "儿子务工受伤在家，家里没有收入来源，村里说不符合条件，希望重新核实",
                    "房屋漏雨成了危房，家里只有两位老人，希望纳入监测对象"],
    Kind.UNDELIVERED: ["去年申请的产业奖补至今没有到账", "公益岗位说好每月 250 元，已经三个月没发",
                       "危房改造补助第二笔一直没拨付", "孩子的雨露计划补助没有收到"],
    Kind.POLICY: ["想了解边缘易致贫户的认定标准和需要的材料", "务工交通补助怎么申请",
                  "防贫保险出险后多长时间能赔付", "低保和监测对象能否同时享受"],
    Kind.STAFF: ["村干部入户核实时态度不好，没有认真听情况", "申报材料交到村里后一直没人回复"],
    Kind.OTHER: ["村里自来水经常停水，希望尽快修复", "村道损坏影响出行，请求维修"],
}
RESPONSES = {
    Outcome.SOLVED: "经核实情况属实，已协调有关部门办理完毕，并当面告知群众。",
    Outcome.EXPLAINED: "已向群众详细解释相关政策和办理流程，群众表示理解。",
    Outcome.PARTLY: "已解决主要问题，剩余事项列入下月计划，持续跟进。",
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "桂兰", "建国", "志强", "海燕", "春生", "德福", "玉珍", "永刚", "文华", "丽娟", "国庆"]


@dataclass
class DemoGrievancesResult:
    skipped: bool = False
    received: int = 0
    resolved: int = 0
    by_state: dict[str, int] = field(default_factory=dict)


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise DemoError(f"演示账号 {username} 不存在：请先运行 fangpin demo_users")
    return user


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def do_demo_grievances(county_code: str, *, seed: int = 1, if_empty: bool = False,
                       today: dt.date | None = None) -> DemoGrievancesResult:
    refuse_in_production()
    county = county_region(county_code)
    today = today or timezone.localdate()
    with transaction.atomic():
        if Grievance.objects.filter(code_prefix_q("village_id", county.code)).exists():
            if if_empty:
                return DemoGrievancesResult(skipped=True)
            raise DemoError(f"{county.name}已有诉求；演示诉求只生成到没有诉求的县（加 --if-empty 则跳过）")
        users = {name: _user(name) for name in ("village", "township", "county")}
        demo_village, _ = demo_villages(county)
        township_code = users["township"].region_id
        villages = [v.code for v in county_villages(county)]
        in_township = [c for c in villages if c.startswith(township_code)]
        rng = random.Random(seed)
        kinds = KINDS[:]
        rng.shuffle(kinds)
        result = DemoGrievancesResult()
        for i, kind in enumerate(kinds):
            # 57 over twelve months, the newest first (old enough for every step to lie in the past); about a
            # third in the demo township
            days_ago = 15 + (RECEIVED - 1 - i) * 345 // RECEIVED + rng.randrange(3)
            village = demo_village.code if i in (0, 1) else rng.choice(in_township if i % 3 == 0 else villages)
            unresolved = {0: State.ASSIGNED, 1: State.RESPONDED}.get(i)
            if unresolved is State.ASSIGNED:
                days_ago, kind = 20, Kind.EXCLUDED
            if unresolved is State.RESPONDED:
                days_ago = 6
            _one(users, rng, kind, village, township_code, today - dt.timedelta(days=days_ago), unresolved, i)
        qs = Grievance.objects.filter(code_prefix_q("village_id", county.code))
        result.received = qs.count()
        result.resolved = sum(g.resolved for g in qs)
        for state in State:
            if n := qs.filter(state=state).count():
                result.by_state[state.value] = n
        record_system_event("demo.grievances", summary=f"生成演示诉求：{county.name} {result.received} 件",
                            detail={"county": county.code, "seed": seed, "received": result.received,
                                    "resolved": result.resolved})
    return result


def _one(users: dict[str, User], rng: random.Random, kind: Kind, village: str, township_code: str,
         received: dt.date, stop: State | None, i: int) -> None:
    office = users["township"] if village.startswith(township_code) else users["county"]
    phone = f"13{rng.randrange(10**9):09d}"
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    sub = Submission(kind, village, name, phone, rng.choice(CONTENT[kind]), None, rng.choice(SOURCES))
    now = _at(received, 9)
    household = (Household.objects.filter(village_id=village).order_by("pk").first()
                 if kind is Kind.EXCLUDED else None)
    if sub.source == "public":
        g = services.do_submit_public(None, sub, now=now)
        if household is not None:
            services.do_link(office, g.pk, hh_no=household.hh_no, now=now)
    else:
        g = services.do_register(office, sub, hh_no=household.hh_no if household else "", now=now)
    owner = users["village"] if stop is State.ASSIGNED else office
    services.do_assign(office, g.pk, seen_state="received", owner=owner, leader=_leader(office, rng),
                       now=_at(received, 15))
    if stop is State.ASSIGNED:
        return
    day = received + dt.timedelta(days=1 + rng.randrange(4))
    outcome = Outcome.EXPLAINED if kind is Kind.POLICY else rng.choice([Outcome.SOLVED] * 4 + [Outcome.PARTLY])
    services.do_respond(owner, g.pk, seen_state="assigned", outcome=outcome, response=RESPONSES[outcome],
                        now=_at(day, 11))
    if stop is State.RESPONDED:
        return
    day += dt.timedelta(days=1 + rng.randrange(3))
    if i % 19 == 5:  # a few were not satisfied at first: reopened, answered again, then satisfied
        services.do_reopen(office, g.pk, seen_state="responded", reason="群众认为问题没有彻底解决",
                           now=_at(day, 10))
        day += dt.timedelta(days=2)
        services.do_respond(owner, g.pk, seen_state="assigned", outcome=Outcome.SOLVED,
                            response=RESPONSES[Outcome.SOLVED], now=_at(day, 11))
        day += dt.timedelta(days=1)
    satisfaction = Satisfaction.BASIC if rng.random() < 0.2 else Satisfaction.SATISFIED
    services.do_visit(office, g.pk, seen_state="responded", satisfaction=satisfaction, note="电话回访",
                      now=_at(day, 16))


def _leader(office: User, rng: random.Random) -> str:
    post = "副镇长" if office.role == "township" else "县乡村振兴局副局长"
    return f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}（{post}）"
