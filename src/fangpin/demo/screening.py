"""Demo department data and a first screening run: the 医保局 uploads a month's settlements, the county
its housing ratings, school-status changes and job losses — as real files through the real upload path —
and screens last month, so the county's warning queue has work in it."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from fangpin import pii
from fangpin.accounts.access import code_prefix_q
from fangpin.alerts.models import ScreeningRun
from fangpin.alerts.services import run_screening
from fangpin.datasets.models import Dataset
from fangpin.datasets.services import do_upload_dataset
from fangpin.demo.cases import demo_user
from fangpin.demo.services import county_region, refuse_in_production
from fangpin.registry.models import Member


@dataclass
class DemoScreeningResult:
    skipped: bool = False
    datasets: int = 0
    rows: int = 0
    warnings: int = 0
    period: str = ""


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    return "\n".join(",".join(str(c) for c in row) for row in [header, *rows]).encode("utf-8-sig")


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def do_demo_screening(county_code: str, *, seed: int = 1, if_empty: bool = False,
                      today: dt.date | None = None) -> DemoScreeningResult:
    refuse_in_production()
    county = county_region(county_code)
    if Dataset.objects.filter(region_id=county.code).exists() and if_empty:
        return DemoScreeningResult(skipped=True)
    today = today or timezone.localdate()
    last = today.replace(day=1) - dt.timedelta(days=1)
    start = last.replace(year=last.year - 1) + dt.timedelta(days=1)
    rng = random.Random(seed)
    members = list(Member.objects.filter(code_prefix_q("household__village_id", county.code), status="active")
                   .order_by("pk").values_list("id_cipher", "labour", "schooling", "household__housing_safety"))
    picks = rng.sample(members, min(len(members), 1500))
    ids = [(pii.decrypt(c), labour, school, housing) for c, labour, school, housing in picks]
    department, office = demo_user("department"), demo_user("county")
    files = [
        (department, "medical_insurance", "医保结算（演示）.csv", ["身份证号", "结算日期", "医疗总费用", "报销金额", "个人自付"],
         [[i, _day(rng, start, last), total, total - oop, oop] for i, *_ in ids[:900]
          for total, oop in [_bill(rng)]]),
        (office, "housing", "农房安全鉴定（演示）.csv", ["户主身份证号", "鉴定日期", "鉴定等级"],
         [[i, _day(rng, start, last), rng.choice("CD") if housing in "CD" or rng.random() < 0.05 else "B"]
          for i, _, _, housing in ids[900:1100]]),
        (office, "education", "学籍变动（演示）.csv", ["学生身份证号", "变动日期", "学籍状态"],
         [[i, _day(rng, start, last), "疑似辍学" if rng.random() < 0.15 else "在校"]
          for i, _, school, _ in ids[1100:1300] if school not in ("none", "preschool")]),
        (office, "hr_social_security", "就业失业登记（演示）.csv", ["身份证号", "登记日期", "登记类型"],
         [[i, _day(rng, start, last), rng.choice(["失业登记", "就业登记", "解除劳动合同"])]
          for i, labour, _, _ in ids[1300:] if labour in ("full", "weak")]),
    ]
    result = DemoScreeningResult(period=f"{last:%Y-%m}")
    for user, kind, name, header, rows in files:
        dataset, _ = do_upload_dataset(user, kind, _csv(header, rows), name)
        result.datasets += 1
        result.rows += dataset.rows_total
    run = ScreeningRun.objects.create(region_id=county.code, period=result.period, started_by=office)
    result.warnings = run_screening(run.pk).new_warnings
    return result


def _bill(rng: random.Random) -> tuple[int, int]:
    """A settlement: mostly small; one in twelve a large stay whose out-of-pocket part hurts."""
    total = rng.randrange(80_000, 200_000) if rng.random() < 1 / 12 else rng.randrange(200, 6_000)
    return total, int(total * rng.uniform(0.25, 0.45))

