"""Demo 防贫保险 for a county: last year's fund carried over, this year's scheme (50 yuan per person for 10 %
of the rural population, the example bands of docs/insurance.md), premiums, a top-up and claims at every
state — all through the service verbs, as the demo county and insurer accounts (so the audit log has them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fangpin.accounts.access import code_prefix_q
from fangpin.accounts.models import User
from fangpin.cases.models import Case
from fangpin.core.insurance import Expense
from fangpin.demo.services import DemoError, county_region, refuse_in_production
from fangpin.insurance import services
from fangpin.insurance.models import Claim, Scheme
from fangpin.registry.models import Member

EXAMPLE_ITEMS = {
    "medical_oop": {"warning_line": "5000", "deductible": "3000", "tiers": "0-20000:60%; 20000-50000:70%; 50000-:80%"},
    "schooling_exp": {"warning_line": "8000", "deductible": "2000", "tiers": "0-:50%"},
    "disaster_loss": {"warning_line": "10000", "deductible": "0", "tiers": "0-30000:40%; 30000-:50%"},
}
PREMIUM = Decimal(50)
SHARE = Decimal("0.10")
REFUND_SHARE = Decimal("0.05")


@dataclass
class DemoInsurance:
    skipped: bool = False
    year: int = 0
    covered: int = 0
    premiums: Decimal = Decimal(0)
    claims: dict[str, int] = field(default_factory=dict)
    balance: Decimal = Decimal(0)


def _account(county: str, role: str) -> User:
    user = User.objects.filter(role=role, region_id=county, is_active=True).order_by("id").first()
    if user is None:
        raise DemoError(f"该县没有{'县级' if role == 'county' else '保险公司'}账户：请先运行 demo_users --county {county}")
    return user


def _scheme_data(line: Decimal, rural: int) -> dict:
    covered = int((SHARE * rural).to_integral_value())
    return {"insurer_name": "示例财险易县支公司", "premium_per_person": PREMIUM, "line": line,
            "coverage": "population_share", "coverage_share": SHARE, "rural_population": rural,
            "covered_persons": covered, "method": "tiers", "per_person_cap": Decimal(50000),
            "per_household_cap": Decimal(100000), "check_days": 5, "items": EXAMPLE_ITEMS,
            "note": "演示方案：按农村人口 10% 投保，受益对象不事先确定"}


def do_demo_insurance(county: str, *, if_empty: bool = False, today: dt.date | None = None) -> DemoInsurance:
    refuse_in_production()
    region = county_region(county)
    if Scheme.objects.filter(region=region).exists():
        if if_empty:
            return DemoInsurance(skipped=True)
        raise DemoError(f"{region.name}已有防贫保险方案；演示数据只生成到没有方案的县（加 --if-empty 则跳过）")
    office, insurer = _account(region.code, "county"), _account(region.code, "insurer")
    today = today or timezone.localdate()
    year = today.year
    in_county = code_prefix_q("household__village_id", region.code)
    rural = Member.objects.filter(in_county, status="active").count()
    cases = list(Case.objects.filter(in_county, closed_at__isnull=True, state="monitoring")
                 .select_related("household").order_by("id")[:6])
    if len(cases) < 5:
        raise DemoError("该县监测帮扶中的案件不足 5 个：请先运行 demo_data 和 demo_cases")
    with transaction.atomic():
        data = _scheme_data(Decimal(7300), rural)
        last = services.do_save_scheme(office, year - 1, data)
        services.do_record_entry(office, year - 1, kind="premium", amount=last.premium_due,
                                 day=dt.date(year - 1, 1, 15), note=f"{year - 1} 年度保费（{last.covered_persons} 人）")
        refund = (last.premium_due * REFUND_SHARE).quantize(Decimal("0.01"))
        if refund > 0:
            services.do_record_entry(office, year - 1, kind="refund", amount=refund, day=dt.date(year - 1, 12, 20),
                                     note="承保机构按合同返还部分结余（保费的 5%）")
        scheme = services.do_save_scheme(office, year, data)
        services.do_carry_over(office, year - 1, day=dt.date(year, 1, 1))
        services.do_record_entry(office, year, kind="premium", amount=scheme.premium_due,
                                 day=dt.date(year, 1, 15), note=f"{year} 年度保费（{scheme.covered_persons} 人）")
        services.do_record_entry(office, year, kind="topup", amount=Decimal(100000), day=dt.date(year, 6, 30),
                                 note="县财政追加防贫保险资金")
        _claims(office, insurer, cases, today)
    counts = dict.fromkeys(("open", "proposed", "returned", "approved", "rejected"), 0)
    for state in Claim.objects.filter(scheme=scheme).values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    rows, rec = services.ledger_rows(scheme)
    return DemoInsurance(year=year, covered=scheme.covered_persons, premiums=rec.premiums, claims=counts,
                         balance=rec.closing)


def _head(case: Case) -> str:
    return (Member.objects.filter(household=case.household, relation="head").values_list("name", flat=True).first()
            or "")


def _check(insurer, claim: Claim, case: Case, item: str, amount: int, today: dt.date) -> Claim:
    persons = Member.objects.filter(household=case.household, status="active").count() or 1
    person = "" if item == "disaster_loss" else _head(case)
    return services.do_check_claim(insurer, claim.pk, check_date=today, persons=persons,
                                   net_income=Decimal(6500 * persons), expenses=[Expense(item, Decimal(amount), person)],
                                   note="入户核查：票据与医保结算单一致" if item == "medical_oop" else "入户核查属实")


def _claims(office, insurer, cases: list[Case], today: dt.date) -> None:
    plan = [("medical_oop", 18000, "approved"), ("schooling_exp", 16000, "approved"),
            ("medical_oop", 42000, "proposed"), ("disaster_loss", 26000, "returned"),
            ("medical_oop", 5200, "rejected"), ("medical_oop", 0, "open")]
    for case, (item, amount, state) in zip(cases, plan, strict=False):
        claim = services.do_open_claim_from_case(office, case.pk, item=item,
                                                 summary=f"监测户大额{'医疗' if item == 'medical_oop' else '刚性'}支出")
        if state == "open":
            continue
        claim = _check(insurer, claim, case, item, amount, today)
        if state == "approved":
            services.do_approve_claim(office, claim.pk)
        elif state == "returned":
            services.do_send_back_claim(office, claim.pk, reason="灾损评估报告缺乡镇盖章，请补充后重核")
        elif state == "rejected":
            services.do_reject_claim(office, claim.pk, reason="扣除起付线后赔付额过小，已由医疗救助解决")
