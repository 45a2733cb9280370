"""Existing monitoring objects (存量监测户) into cases: a county starting with fangpin already has 监测户 in
its ledger (identified before, in the national system). Each gets a case born in 监测帮扶中 so that
plans, follow-ups, risk elimination and the national export work for them as for new ones.

Idempotent: households that already have an open case are left alone, so a re-run adopts nobody twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from fangpin.accounts.access import code_prefix_q, require
from fangpin.audit.services import record
from fangpin.cases.facts import facts_for
from fangpin.cases.models import Case, CaseStep, PolicyVersion
from fangpin.cases.services import CaseError, policy_for, stored_findings
from fangpin.core.rules import evaluate, suggest_category, suggest_risk_types
from fangpin.core.workflow import Action, State
from fangpin.registry.models import Household

BATCH = 2000


@dataclass(frozen=True)
class AdoptResult:
    adopted: int
    already: int  # 监测户 that had an open case before


def pending_households(region_code: str):
    """监测户 of the region without an open case."""
    open_cases = Case.objects.filter(closed_at__isnull=True).values("household_id")
    return (Household.objects.filter(code_prefix_q("village_id", region_code), hh_type="jiance")
            .exclude(pk__in=open_cases))


@transaction.atomic
def do_adopt_monitored(user, region_code: str, *, effective_date: dt.date | None = None, request=None,
                       now: dt.datetime | None = None) -> AdoptResult:
    """Open a MONITORING case for every 监测户 of ``region_code`` (inside a county user's scope) without one."""
    if not (user.can("handle_cases") and user.can("manage_policy")):
        raise CaseError("存量监测户建档须由县级用户办理")
    if not region_code.startswith(user.scope_code):
        raise CaseError("该区划不在您的管辖范围内")
    now = now or timezone.now()
    effective_date = effective_date or timezone.localdate(now)
    policies: dict[str, PolicyVersion] = {}
    total = Household.objects.filter(code_prefix_q("village_id", region_code), hh_type="jiance").count()
    adopted = 0
    pending = list(pending_households(region_code).select_for_update().order_by("pk"))
    for start in range(0, len(pending), BATCH):
        adopted += _adopt_batch(user, pending[start:start + BATCH], policies, effective_date, now)
    record(request, "case.adopt", user=user, region_code=region_code,
           summary=f"存量监测户建档：{adopted} 户纳入监测帮扶案件", detail={"region": region_code, "adopted": adopted,
                                                                   "effective_date": effective_date.isoformat()})
    return AdoptResult(adopted=adopted, already=total - adopted)


def _adopt_batch(user, households: list[Household], policies: dict[str, PolicyVersion], effective_date: dt.date,
                 now: dt.datetime) -> int:
    facts = facts_for(households)
    cases = []
    for household in households:
        county = household.village_id[:6]
        if county not in policies:
            policies[county] = policy_for(household.village_id, effective_date)
        policy = policies[county]
        category, risks, findings = _judgement(household, facts.get(household.pk), policy)
        cases.append(Case(household=household, state=State.MONITORING, channel="ledger", policy=policy,
                          category=category, risk_types=risks, opened_at=now, state_since=now,
                          effective_date=effective_date, findings=findings))
    created = Case.objects.bulk_create(cases)
    CaseStep.objects.bulk_create([
        CaseStep(case=case, action=Action.ADOPT, from_state=State.MONITORING, to_state=State.MONITORING, actor=user,
                 at=now, reason="存量监测户（台账导入）建档", data={"category": case.category})
        for case in created
    ])
    return len(created)


def _judgement(household: Household, found, policy: PolicyVersion) -> tuple[str, list[str], list[dict]]:
    """Category and risk types the county can correct later: from the rules when they find something,
    else from what the ledger says (a 脱贫年度 means a former poor household)."""
    former_poor = household.exit_year is not None
    if found is None:
        return ("脱贫不稳定户" if former_poor else "边缘易致贫户"), ["其他"], []
    facts, labour = found
    # The ledger's type is 监测户 itself; judge by what the household was before.
    facts = replace(facts, household_type="tuopin" if former_poor else "yiban")
    findings = evaluate(facts, policy.as_core())
    category = suggest_category(facts, findings) or ("脱贫不稳定户" if former_poor else "边缘易致贫户")
    risks = suggest_risk_types(facts, findings, labour) or ["其他"]
    return category, risks, stored_findings(findings)


@require("manage_policy")
def adopt_page(request):
    """GET: how many 监测户 have no case yet; POST: adopt them (county users)."""
    code = request.user.scope_code
    if request.method == "POST":
        try:
            result = do_adopt_monitored(request.user, code, request=request)
        except CaseError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已为 {result.adopted} 户存量监测户建立监测帮扶案件")
        return redirect("cases:adopt")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(request, "cases/adopt.html", {"pending": pending_households(code).count(),
                                                "can_adopt": request.user.can("handle_cases")})
