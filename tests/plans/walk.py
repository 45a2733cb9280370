"""Access walk of the assistance-plan pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tests.walk import Case, World


def walk_case(world: World, village: str):
    """A monitored case (纳入监测 long ago, never visited: its follow-up is overdue) with a plan and
    two referred measures: medical aid to 医保局 (the test department's kind) and 防贫保险 to the insurer."""
    from fangpin.cases.models import Case as CaseModel
    from fangpin.cases.models import PolicyVersion
    from fangpin.plans.models import INSURER, Measure, Plan

    key = f"plans.case.{village}"
    if key not in world.extra:
        policy, _ = PolicyVersion.objects.get_or_create(version="walk-13", defaults={
            "region_id": "13", "year": 2026, "effective_from": dt.date(2020, 1, 1),
            "monitoring_line": Decimal("7300")})
        now = timezone.now()
        case = CaseModel.objects.create(household=world.households[village], state="monitoring", channel="visit",
                                        policy=policy, opened_at=now, state_since=now, category="边缘易致贫户",
                                        risk_types=["因病"], effective_date=dt.date(2025, 1, 1))
        plan = Plan.objects.create(case=case, helper_name="王帮扶")
        medical = Measure.objects.create(plan=plan, code="medical_aid", group="兜底保障", label="医疗救助",
                                         status="referred", department_kind="medical_insurance", referred_at=now)
        insurance = Measure.objects.create(plan=plan, code="insurance", group="防贫保险", label="防贫保险",
                                           status="referred", department_kind=INSURER, referred_at=now)
        world.extra[key] = (case, medical, insurance)
    return world.extra[key]


def _case(w, v):
    return {"case_pk": walk_case(w, v)[0].pk}


def _medical(w, v):
    return {"pk": walk_case(w, v)[1].pk}


def _referrals(w, v):
    return {}, "", walk_case(w, v)[0].household.hh_no


def _followups(w, v):
    return {}, "", walk_case(w, v)[0].household.hh_no


_REASON = {"reason": "不应接受的请求"}
_DONE = {"result": "不应接受的请求", "done_date": "2026-01-05"}

WALK = {
    "plans:case": Case("object", _case, permission="handle_cases"),
    "plans:save_helper": Case("object", _case, permission="handle_cases", ok_status=(405,),
                              post=lambda w, v: {"helper_name": "越权"}),
    "plans:add_measure": Case("object", _case, permission="handle_cases", ok_status=(405,),
                              post=lambda w, v: {"code": "social_aid"}),
    "plans:record_followup": Case("object", _case, permission="handle_cases", ok_status=(405,),
                                  post=lambda w, v: {"visit_date": "2026-01-05", "income_12m": "9000",
                                                     "persons": "1"}),
    "plans:measure_refer": Case("object", _medical, permission="handle_cases", ok_status=(405,),
                                post=lambda w, v: {"department_kind": "civil_affairs"}),
    "plans:measure_complete": Case("object", _medical, permission="handle_cases", ok_status=(405,),
                                   post=lambda w, v: _DONE),
    "plans:measure_cancel": Case("object", _medical, permission="handle_cases", ok_status=(405,),
                                 post=lambda w, v: _REASON),
    "plans:referrals": Case("list", _referrals, permission="handle_referrals"),
    "plans:referral_accept": Case("object", _medical, permission="handle_referrals", ok_status=(405,),
                                  post=lambda w, v: {}),
    "plans:referral_decline": Case("object", _medical, permission="handle_referrals", ok_status=(405,),
                                   post=lambda w, v: _REASON),
    "plans:referral_complete": Case("object", _medical, permission="handle_referrals", ok_status=(405,),
                                    post=lambda w, v: _DONE),
    "plans:followups": Case("list", _followups, permission="handle_cases"),
}
