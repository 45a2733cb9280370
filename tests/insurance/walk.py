"""Access walk of the 防贫保险 pages: claims of each location's household, its rigid-spending warning."""

from __future__ import annotations

from tests.plans.walk import walk_case
from tests.walk import Case, World


def _scheme(world: World, county: str):
    from tests.insurance.conftest import make_scheme

    key = ("insurance.scheme", county)
    if key not in world.extra:
        world.extra[key] = make_scheme(county)
    return world.extra[key]


def walk_claim(world: World, village: str):
    """A proposed claim on the location's monitored case (from the plans walk)."""
    from fangpin.insurance.models import Claim

    key = ("insurance.claim", village)
    if key not in world.extra:
        case = walk_case(world, village)[0]
        world.extra[key] = Claim.objects.create(
            scheme=_scheme(world, village[:6]), household=case.household, case=case, source="case",
            item="medical_oop", summary=f"理赔-{village}", state="proposed", opened_at=case.opened_at,
            facts={"check_date": "2026-10-01", "persons": 1, "net_income": "9000", "note": "",
                   "expenses": [{"item": "medical_oop", "person": "", "amount": "18000"}]},
            proposed_amount="9000.00", explanation=["本次赔付合计 9,000.00 元"])
    return world.extra[key]


def _warning(world: World, village: str):
    from fangpin.alerts.models import ScreeningRun, Warning

    key = ("insurance.warning", village)
    if key not in world.extra:
        _scheme(world, village[:6])
        run = ScreeningRun.objects.create(region_id=village[:6], period="2026-10", status="done")
        world.extra[key] = Warning.objects.create(
            household=world.households[village], rule="rigid_over_income", period="2026-10",
            title="刚性支出明显超过上年收入", text=f"刚性支出预警-{village}", risk_types=["因病"],
            policy_version="13-2026-1", run=run)
    return world.extra[key]


def _claim(w, v):
    return {"pk": walk_claim(w, v).pk}


def _claims(w, v):
    return {}, "", walk_claim(w, v).household.hh_no


def _eligible(w, v):
    return {}, "", _warning(w, v).text


WALK = {
    "insurance:claims": Case("list", _claims, permission="view_insurance"),
    "insurance:claim": Case("object", _claim, permission="view_insurance"),
    "insurance:claim_check": Case("object", _claim, permission="check_insurance", ok_status=(405,),
                                  post=lambda w, v: {"check_date": "2026-10-02", "persons": "1", "net_income": "1",
                                                     "item_1": "medical_oop", "amount_1": "99999"}),
    "insurance:claim_decide": Case("object", _claim, permission="manage_insurance", ok_status=(405,),
                                   post=lambda w, v: {"action": "approve"}),
    "insurance:eligible": Case("list", _eligible, permission="manage_insurance"),
    "insurance:open_from_warning": Case("object", lambda w, v: {"pk": _warning(w, v).pk},
                                        permission="manage_insurance", ok_status=(405,), post=lambda w, v: {}),
    "insurance:open_from_case": Case("object", lambda w, v: {"pk": walk_case(w, v)[0].pk},
                                     permission="manage_insurance", ok_status=(405,),
                                     post=lambda w, v: {"item": "schooling_exp"}),
    "insurance:scheme": Case("page", lambda w, v: {}, permission="view_insurance"),
    "insurance:fund": Case("page", lambda w, v: {}, permission="view_insurance"),
    "insurance:fund_entry": Case("page", lambda w, v: {}, permission="manage_insurance", ok_status=(405,)),
    "insurance:fund_carry": Case("page", lambda w, v: {}, permission="manage_insurance", ok_status=(405,)),
    "insurance:fund_export": Case("page", lambda w, v: {}, permission="view_insurance", ok_status=(200, 302)),
}
