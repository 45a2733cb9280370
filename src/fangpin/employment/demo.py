"""Demo labour demand for the demo county: a dozen jobs of the kind a 保定 county sees (local food and
garment plants, public-welfare-like light work, construction and factories in 保定/雄安/天津/北京 with
点对点 transport), and recommendations of the demo village's monitored members, some already hired."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fangpin.audit.services import record_system_event
from fangpin.employment import services
from fangpin.employment.models import Demand

JOBS = [  # firm, title, place, location, slots, wage, age range, sex, weak_ok, transport
    ("易县绿源食品有限公司", "包装工", "local", "易县经济开发区", 30, 3200, (18, 55), "", True, False),
    ("易县恒泰服装厂", "缝纫工", "local", "易州镇工业园", 20, 3600, (18, 50), "女", False, False),
    ("易县易水砚文化产业园", "雕刻学徒", "local", "易县高村镇", 8, 2800, (18, 45), "", False, False),
    ("易县城乡环卫服务公司", "保洁员", "local", "易县县城", 15, 2200, (18, 60), "", True, False),
    ("易县现代农业园区", "大棚种植工", "local", "易县梁格庄镇", 25, 2600, (18, 60), "", True, False),
    ("保定长城汽车配套厂", "装配工", "province", "保定市徐水区", 40, 5200, (18, 45), "", False, True),
    ("雄安新区建设项目部", "钢筋工", "province", "雄安新区容城县", 50, 7000, (20, 55), "男", False, True),
    ("石家庄医药物流中心", "分拣员", "province", "石家庄市栾城区", 20, 4300, (18, 45), "", False, True),
    ("天津滨海电子有限公司", "操作工", "outside", "天津市滨海新区", 35, 5500, (18, 40), "", False, True),
    ("北京大兴物业服务公司", "保安", "outside", "北京市大兴区", 12, 4800, (20, 55), "男", False, True),
    ("北京顺义家政服务中心", "家政服务员", "outside", "北京市顺义区", 10, 6000, (25, 55), "女", False, True),
    ("易县交通运输局", "护路员（公益性岗位）", "local", "易县各乡镇", 10, 1200, (30, 60), "", True, False),
]


@dataclass
class DemoEmploymentResult:
    skipped: bool = False
    demands: int = 0
    recommended: int = 0
    hired: int = 0
    declined: int = 0


def do_demo_employment(county_code: str, *, seed: int = 1, if_empty: bool = False,
                       today: dt.date | None = None) -> DemoEmploymentResult:
    from fangpin.demo.cases import demo_user
    from fangpin.demo.services import DemoError, county_region, refuse_in_production

    refuse_in_production()
    county = county_region(county_code)
    today = today or timezone.localdate()
    if Demand.objects.filter(county=county).exists():
        if if_empty:
            return DemoEmploymentResult(skipped=True)
        raise DemoError(f"{county.name}已有用工需求；演示岗位只生成到没有岗位的县（加 --if-empty 则跳过）")
    rng = random.Random(seed)
    county_user, village_user = demo_user("county"), demo_user("village")
    result = DemoEmploymentResult()
    with transaction.atomic():
        demands = []
        for firm, title, place, location, slots, wage, (lo, hi), sex, weak_ok, transport in JOBS:
            values = {"firm": firm, "title": title, "place": place, "location": location, "slots": slots,
                      "wage": Decimal(wage), "age_min": lo, "age_max": hi, "sex": sex, "weak_ok": weak_ok,
                      "transport": transport, "valid_until": today + dt.timedelta(days=rng.randint(30, 120)),
                      "contact_name": rng.choice("王李张刘陈杨赵") + "经理", "note": ""}
            phone = f"13{rng.randint(100000000, 999999999)}"
            demands.append(services.do_save_demand(county_user, values, phone=phone, source="upload")[0])
        result.demands = len(demands)
        # the demo village's officer recommends the best-placed candidates of a few jobs
        for demand in demands[:6]:
            for _match, member in services.candidates(village_user, demand, today, limit=2):
                placement = services.do_recommend(village_user, demand.pk, member.pk)
                result.recommended += 1
                roll = rng.random()
                if roll < 0.4:
                    services.do_record_outcome(village_user, placement.pk, hired=True,
                                               start_date=today - dt.timedelta(days=rng.randint(1, 20)))
                    result.hired += 1
                elif roll < 0.55:
                    services.do_record_outcome(village_user, placement.pk, hired=False, note="本人不愿外出务工")
                    result.declined += 1
        record_system_event("demo.employment", summary=f"生成演示用工需求：{county.name}",
                            detail={"county": county.code, "demands": result.demands,
                                    "recommended": result.recommended, "hired": result.hired})
    return result
