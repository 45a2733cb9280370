"""Nightly: snapshot the registered persons per village for the dashboards (cron, e.g. 01:30)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from fangpin.dashboards.services import do_snapshot_totals


class Command(BaseCommand):
    help = "看板快照：按村统计在户登记人口（建议每晚运行一次）"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="只统计此区划代码下的村（默认全部）")

    def handle(self, *args, region: str, **options):
        started = time.perf_counter()
        day = timezone.localdate()
        n = do_snapshot_totals(day, region)
        self.stdout.write(f"看板快照 {day}：{n} 个村，用时 {time.perf_counter() - started:.1f} 秒")
