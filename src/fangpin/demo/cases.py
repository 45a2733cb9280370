"""Demo casework: the demo county's 监测户 adopted into cases, cases at every step of the procedure in
the demo villages (some overdue), and assistance plans with measures, referrals and follow-ups —
so each demo login has real work waiting. Everything goes through the services, as the demo users,
at past dates; one run per county (``--if-empty``), deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from fangpin.accounts.access import code_prefix_q
from fangpin.accounts.models import User
from fangpin.audit.services import record_system_event
from fangpin.cases.adopt import do_adopt_monitored
from fangpin.cases.facts import facts_for
from fangpin.cases.models import Case
from fangpin.cases.services import do_case_action, do_open_lead, policy_for
from fangpin.core.rules import evaluate, suggest_category, suggest_risk_types
from fangpin.core.workflow import State
from fangpin.demo.services import DemoError, county_region, demo_villages, refuse_in_production
from fangpin.plans import services as plans
from fangpin.registry.models import Household, Member

TZ = ZoneInfo("Asia/Shanghai")
REVIEW = {"attendance": 36, "votes_for": 33, "votes_against": 1, "minutes": "经村民代表会议民主评议，同意上报"}
# Where the demo village's new cases stop, and how many days ago each was opened (old ones are overdue).
PIPELINE = [
    (State.LEAD, 1), (State.LEAD, 12), (State.VERIFYING, 3), (State.VERIFYING, 14), (State.VILLAGE_REVIEW, 6),
    (State.NOTICE, 8), (State.TOWNSHIP_REVIEW, 12), (State.TOWNSHIP_REVIEW, 30), (State.COUNTY_DECISION, 16),
    (State.MONITORING, 40), (State.REJECTED, 20),
    # Identified months ago, so the village has monitoring objects with a plan and months of follow-ups
    # whether or not the generator put any of the ledger's 监测户 there.
    (State.MONITORING, 300), (State.MONITORING, 280), (State.MONITORING, 260), (State.MONITORING, 240),
]
HELPERS = ["李建国", "王淑芬", "张卫东", "刘桂兰", "陈志强", "杨晓燕", "赵永刚", "孙秀英"]


@dataclass
class DemoCasesResult:
    skipped: bool = False
    adopted: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    plans: int = 0
    measures: int = 0
    followups: int = 0


def demo_user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise DemoError(f"演示账号 {username} 不存在：请先运行 fangpin demo_users")
    return user


def do_demo_cases(county_code: str, *, seed: int = 1, if_empty: bool = False,
                  today: dt.date | None = None) -> DemoCasesResult:
    refuse_in_production()
    county = county_region(county_code)
    today = today or timezone.localdate()
    with transaction.atomic():
        if Case.objects.filter(code_prefix_q("household__village_id", county.code)).exists():
            if if_empty:
                return DemoCasesResult(skipped=True)
            raise DemoError(f"{county.name}已有案件；演示案件只生成到没有案件的县（加 --if-empty 则跳过）")
        users = {name: demo_user(name) for name in ("village", "village2", "township", "county")}
        village, village2 = demo_villages(county)
        rng = random.Random(seed)
        result = DemoCasesResult()
        # 监测户 registered eight months ago: long enough for follow-ups to make elimination possible.
        adopted = do_adopt_monitored(users["county"], county.code, effective_date=today - dt.timedelta(days=240),
                                     now=_at(today - dt.timedelta(days=240)))
        result.adopted = adopted.adopted
        _pipeline(result, users, village.code, users["village"], rng, today)
        _pipeline(result, users, village2.code, users["village2"], rng, today, only=PIPELINE[2:4])
        _plans(result, users, village.code, rng, today)
        record_system_event("demo.cases", summary=f"生成演示案件：{county.name}",
                            detail={"county": county.code, "seed": seed, "adopted": result.adopted,
                                    "by_state": result.by_state, "plans": result.plans,
                                    "measures": result.measures, "followups": result.followups})
    return result


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def _at_risk(village_code: str, rng: random.Random) -> list[Household]:
    """Households of the village (not 监测户) the rules flag, in a seeded order."""
    households = list(Household.objects.filter(village_id=village_code).exclude(hh_type="jiance").order_by("pk"))
    policy = policy_for(village_code, timezone.localdate()).as_core()
    facts = facts_for(households)
    flagged = [h for h in households if (found := facts.get(h.pk)) and evaluate(found[0], policy)]
    chosen = {h.pk for h in flagged}
    others = [h for h in households if h.pk not in chosen]
    rng.shuffle(flagged)
    rng.shuffle(others)
    return flagged + others  # the rules' households first; a small village borrows from the rest


def _pipeline(result: DemoCasesResult, users: dict[str, User], village_code: str, village_user: User,
              rng: random.Random, today: dt.date, only: list[tuple[State, int]] | None = None) -> None:
    targets = only or PIPELINE
    households = _at_risk(village_code, rng)[: len(targets)]
    for household, (target, days_ago) in zip(households, targets, strict=False):
        start = today - dt.timedelta(days=days_ago)
        channel = rng.choice(["self", "visit", "visit", "screening"])
        lead = do_open_lead(household, channel, _summary(channel), user=None if channel != "visit" else village_user,
                            now=_at(start))
        _drive(lead.case_id, target, {**users, "village": village_user}, start, today, household)
        result.by_state[target.value] = result.by_state.get(target.value, 0) + 1


def _summary(channel: str) -> str:
    return {"self": "农户自主申报：家中有人患病，医疗支出大，收入减少",
            "visit": "走访排查：家庭收入下降，存在返贫风险",
            "screening": "部门筛查预警：医保自付费用较高"}[channel]


def _drive(case_id: int, target: State, users: dict[str, User], start: dt.date, today: dt.date,
           household: Household) -> None:
    """Walk the case to ``target`` with the right user at each step, a day or two apart, never past today."""
    if target is State.REJECTED:
        do_case_action(users["village"], case_id, "start_verify", seen_state="lead", now=_at(start, 15))
        do_case_action(users["village"], case_id, "reject", seen_state="verifying",
                       reason="入户核实：家庭收入稳定，已超过监测线，不符合纳入条件", now=_at(start + dt.timedelta(days=2)))
        return
    policy = Case.objects.select_related("policy").get(pk=case_id).policy
    day = start
    found = facts_for([household]).get(household.pk)
    findings = evaluate(found[0], policy.as_core()) if found else []
    decision = {"category": (suggest_category(found[0], findings) if found else None) or "边缘易致贫户",
                "risk_types": (suggest_risk_types(found[0], findings, found[1]) if found else None) or ["其他"],
                "effective_date": ""}
    steps = [(State.LEAD, "village", "start_verify", {}), (State.VERIFYING, "village", "submit", {}),
             (State.VILLAGE_REVIEW, "village", "submit", REVIEW), (State.NOTICE, "village", "submit", {}),
             (State.TOWNSHIP_REVIEW, "township", "submit", {}), (State.COUNTY_DECISION, "county", "submit", decision)]
    for state, who, action, data in steps:
        if state is target:
            return
        day += dt.timedelta(days=policy.notice_days if state is State.NOTICE else 1)
        if day > today:
            return
        data = {**data, "date": day.isoformat()} if state is State.VILLAGE_REVIEW else dict(data)
        if state is State.COUNTY_DECISION:
            data["effective_date"] = day.isoformat()
        do_case_action(users[who], case_id, action, seen_state=state, data=data, now=_at(day))


def _plans(result: DemoCasesResult, users: dict[str, User], village_code: str, rng: random.Random,
           today: dt.date) -> None:
    """Plans for the demo village's monitoring objects: a helper, suggested measures (some referred to the
    medical-insurance department or the insurer), monthly follow-ups; four households are now stable (unless they live on 兜底) and one is on its way out."""
    cases = list(Case.objects.filter(household__village_id=village_code, state=State.MONITORING)
                 .select_related("household", "policy").order_by("effective_date", "pk"))  # longest monitored first
    village = users["village"]
    leaving = False
    for n, case in enumerate(cases[:8]):
        plans.do_save_plan(village, case.pk, helper_name=HELPERS[n % len(HELPERS)], helper_unit="县乡村振兴局驻村工作队",
                           helper_phone=f"1390312{rng.randrange(10**4):04d}")
        result.plans += 1
        for k, suggestion in enumerate(plans.suggestions(case, today)[:3]):
            measure = plans.do_add_measure(village, case.pk, code=suggestion.code, detail=suggestion.reason,
                                           amount=Decimal(rng.choice([500, 1200, 2000, 3000])) if k else None,
                                           start_date=case.effective_date)
            result.measures += 1
            if suggestion.code == "medical_aid":
                plans.do_refer_measure(village, measure.pk, department_kind="medical_insurance")
            elif suggestion.code == "insurance":
                plans.do_refer_measure(village, measure.pk, department_kind="insurer")
            elif k == 0 and n % 2 == 0:
                plans.do_complete_measure(village, measure.pk, result="已落实", done_date=today - dt.timedelta(days=30))
        result.followups += _followups(village, case, stable=n < 4, rng=rng, today=today)
        if n >= 1 and not leaving and plans.elimination_check(case).eligible:  # a stable household on its way out
            leaving = True
            do_case_action(users["township"], case.pk, "start_elimination", seen_state="monitoring",
                           now=_at(today - dt.timedelta(days=3)))
            do_case_action(village, case.pk, "submit", seen_state="elim_verifying", now=_at(today - dt.timedelta(days=1)))
            result.by_state[State.ELIM_REVIEW.value] = result.by_state.get(State.ELIM_REVIEW.value, 0) + 1


def _followups(user: User, case: Case, *, stable: bool, rng: random.Random, today: dt.date) -> int:
    """Monthly visits from the monitoring date to last month; a stable household stays above the line."""
    persons = Member.objects.filter(household=case.household, status="active").count() or 1
    line = case.policy.monitoring_line
    visits = 0
    day = (case.effective_date or today) + dt.timedelta(days=7)
    while day < today - dt.timedelta(days=20):
        factor = Decimal(str(round(rng.uniform(1.25, 1.6) if stable else rng.uniform(0.7, 1.15), 2)))
        plans.do_record_followup(user, case.pk, visit_date=day, income_12m=(line * persons * factor).quantize(Decimal("1")),
                                 persons=persons, effect_note="帮扶措施按计划落实", now=_at(day, 18))
        visits += 1
        day += dt.timedelta(days=30)
    return visits
