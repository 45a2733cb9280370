"""fangpin whatif --period YYYY-MM [--line N] [--rigid-factor F] [--collapse-ratio R] [--rule-off CODE …]
(--region CODE | --user NAME) [--engine duckdb|spark] [--master URL]"""

from __future__ import annotations

import unicodedata

from django.core.management.base import BaseCommand, CommandError

from fangpin.alerts.models import Simulation
from fangpin.alerts.services import AlertError, period_end, spark_connection
from fangpin.alerts.whatif import RULE_TITLES, parse_draft, run_simulation
from fangpin.audit.services import record, record_system_event
from fangpin.ledger.management.commands._scope import add_scope_arguments, resolve_scope


class Command(BaseCommand):
    help = "政策模拟（模拟新标准）：按草拟的监测线等参数研判本辖区，与现行标准对比户数、人数和监测规模；不产生预警、不改政策"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="筛查月份 YYYY-MM（截至该月底的近 12 个月）")
        parser.add_argument("--line", help="模拟监测线（元/人·年）；不给则沿用现行")
        parser.add_argument("--rigid-factor", help="模拟刚性支出超上年收入倍数；不给则沿用现行")
        parser.add_argument("--collapse-ratio", help="模拟收入骤减比例（0–1）；不给则沿用现行")
        parser.add_argument("--rule-off", action="append", default=[], choices=sorted(RULE_TITLES),
                            help="停用的规则（可重复）")
        parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                            help="duckdb：嵌入式引擎（默认）；spark：同一套规则在 Spark 上运行")
        parser.add_argument("--master", default=None, help="Spark 主节点（仅 --engine spark），默认 local[2]")
        add_scope_arguments(parser)

    def handle(self, *args, period, line, rigid_factor, collapse_ratio, rule_off, engine, master, **options):
        region, user = resolve_scope(options)
        if master and engine != "spark":
            raise CommandError("--master 只用于 --engine spark")
        try:
            period_end(period)
            draft = parse_draft(line, rigid_factor, collapse_ratio, rule_off)
        except AlertError as exc:
            raise CommandError(str(exc)) from None
        simulation = Simulation.objects.create(region_id=region, period=period, params=draft.as_json(), created_by=user)
        summary = f"发起政策模拟 {region} {period}：{draft.text}"[:300]
        if user is not None:
            record(None, "whatif.start", obj=simulation, user=user, summary=summary, detail={"params": draft.as_json()})
        else:
            record_system_event("whatif.start", summary=summary, detail={"params": draft.as_json()})
        last = [-1]

        def show(s: Simulation) -> None:
            if s.progress // 10 != last[0]:
                last[0] = s.progress // 10
                self.stdout.write(f"\r[{'#' * (s.progress // 5):<20}] {s.progress:3d}%  {s.phase}", ending="")
                self.stdout.flush()

        connect = spark_connection(master) if engine == "spark" else None
        done = run_simulation(simulation.pk, progress=show, connect=connect)
        if done.status == "done":
            show(done)
        self.stdout.write("")
        if done.status != "done":
            raise CommandError(done.failure or "模拟失败")
        self._print(done.results)

    def _print(self, results) -> None:
        w = self.stdout.write
        w(f"模拟参数：{results['draft_text']}")
        for p in results["policies"]:
            w(f"  {p['name']} 现行 {p['version']}：监测线 {p['monitoring_line']}，刚性支出倍数 {p['rigid_factor']}，"
              f"骤减比例 {p['collapse_ratio']} → 模拟：监测线 {p['draft']['monitoring_line']}，"
              f"刚性支出倍数 {p['draft']['rigid_factor']}，骤减比例 {p['draft']['collapse_ratio']}")
        w("")
        w(_pad("区划", 18) + "".join(_pad(h, 10, right=True) for h in (
            "人口", "现行户", "现行人", "模拟户", "模拟人", "增减户", "现有规模%", "现行规模%", "模拟规模%")) + "  参考")
        for county in results["counties"]:
            for unit, indent in [(county, ""), *((v, "  ") for v in county["villages"])]:
                w(self._row(unit, indent))
        w("")
        w("按规则（户）：" + "；".join(f"{r['title']} {r['today']} → {r['draft']}{'（停用）' if r['off'] else ''}"
                                   for r in results["rules"]))
        w("按风险类型（户）：" + "；".join(f"{r['risk']} {r['today']} → {r['draft']}" for r in results["risks"]))
        total = results["total"]
        over = [c["name"] for c in results["counties"] if c["scale_draft"]["over"]]
        villages = sum(1 for c in results["counties"] for v in c["villages"] if v["scale_draft"]["over"])
        self.stdout.write(self.style.SUCCESS(
            f"模拟完成：现行标准 {total['today'][0]} 户 {total['today'][1]} 人，模拟标准 {total['draft'][0]} 户 "
            f"{total['draft'][1]} 人（新增 {total['added'][0]} 户，减少 {total['removed'][0]} 户）；"
            f"模拟后超过参考规模的县 {len(over)} 个{('（' + '、'.join(over) + '）') if over else ''}，村 {villages} 个"))

    @staticmethod
    def _row(unit, indent: str) -> str:
        mark = {"bad": "超标", "warn": "偏高", "ok": ""}[unit["scale_draft"]["level"]]
        cells = (unit["population"], unit["today"][0], unit["today"][1], unit["draft"][0], unit["draft"][1],
                 f"{unit['draft'][0] - unit['today'][0]:+d}", unit["scale_now"]["ratio"], unit["scale_today"]["ratio"],
                 unit["scale_draft"]["ratio"])
        return (_pad(indent + unit["name"], 18) + "".join(_pad(str(c), 10, right=True) for c in cells)
                + f"  {unit['scale_draft']['limit']}% {mark}")


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to ``width`` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    space = " " * max(width - used, 1 if right else 0)
    return space + text if right else text + space
