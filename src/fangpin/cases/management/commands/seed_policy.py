"""Give a province its first policy version so the demo (and a fresh install) can open cases at once."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from fangpin.audit.services import record_system_event
from fangpin.cases.models import PolicyVersion
from fangpin.core.policy import DEFAULT_RISK_TYPES
from fangpin.regions.models import Region


class Command(BaseCommand):
    help = "为省份设置某年度的初始监测政策（已有该年度版本时不重复创建）"

    def add_arguments(self, parser):
        parser.add_argument("--province", required=True, help="省级区划代码，如 13")
        parser.add_argument("--year", type=int, required=True, help="年度，如 2026")
        parser.add_argument("--line", required=True, help="监测线（元/人·年），如 7300")

    def handle(self, *args, province, year, line, **options):
        line_value = _line(line)
        if not Region.objects.filter(code=province, level=1).exists():
            raise CommandError(f"省级区划 {province} 不存在，请先运行 load_regions")
        with transaction.atomic():
            existing = PolicyVersion.objects.filter(region_id=province, year=year).order_by("effective_from").first()
            if existing is not None:
                self.stdout.write(f"{province} 已有 {year} 年度政策 {existing.version}，未重复创建")
                return
            version = PolicyVersion.objects.create(
                region_id=province, year=year, effective_from=dt.date(year, 1, 1), version=f"{province}-{year}-1",
                monitoring_line=line_value, risk_types=list(DEFAULT_RISK_TYPES), note="初始化（seed_policy）")
            record_system_event("policy.seed", summary=f"初始化监测政策 {version.version}：监测线 {line_value} 元",
                                detail={"version": version.version, "monitoring_line": str(line_value)})
        self.stdout.write(f"已创建监测政策 {version.version}：监测线 {line_value} 元，{year}-01-01 起生效")


def _line(raw: str) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise CommandError(f"监测线“{raw}”不是数字") from None
    if value <= 0:
        raise CommandError("监测线必须大于 0")
    return value
