"""fangpin screen --period YYYY-MM (--region CODE | --user NAME) [--engine duckdb|spark|python] [--master URL]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fangpin.alerts.models import ScreeningRun
from fangpin.alerts.services import ENGINES, AlertError, period_end, refuse_if_running, run_screening
from fangpin.ledger.management.commands._scope import add_scope_arguments, resolve_scope


class Command(BaseCommand):
    help = "部门数据筛查：按政策研判本辖区每一户，风险写入预警（同一月份重复运行不会重复产生）"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="筛查月份 YYYY-MM（截至该月底的近 12 个月）")
        parser.add_argument("--engine", choices=ENGINES, default=None,
                            help="duckdb：规则编译后整批运行（默认）；spark：同一套规则在 Spark 上运行；"
                                 "python：逐户运行规则核心（参考实现）")
        parser.add_argument("--master", default=None,
                            help="Spark 主节点（仅 --engine spark）：local[2]（默认）、spark://主机:7077、yarn 等")
        add_scope_arguments(parser)

    def handle(self, *args, period, engine, master, **options):
        region, user = resolve_scope(options)
        if master and engine != "spark":
            raise CommandError("--master 只用于 --engine spark")
        try:
            period_end(period)
            refuse_if_running(region, period)  # a killed run (no heartbeat for a while) is marked failed first
        except AlertError as exc:
            raise CommandError(str(exc)) from None
        run = ScreeningRun.objects.create(region_id=region, period=period, started_by=user)
        last = [-1]

        def show(r: ScreeningRun) -> None:
            if r.progress // 10 != last[0]:
                last[0] = r.progress // 10
                bar = "#" * (r.progress // 5)
                self.stdout.write(f"\r[{bar:<20}] {r.progress:3d}%  {r.households}/{r.households_total} 户  "
                                  f"发现 {r.findings}", ending="")
                self.stdout.flush()

        done = run_screening(run.pk, progress=show, engine=engine, master=master)
        self.stdout.write("")
        if done.status != "done":
            raise CommandError(done.failure or "筛查失败")
        self.stdout.write(self.style.SUCCESS(
            f"筛查完成：{done.households} 户，部门记录 {done.records} 条，发现风险 {done.findings} 项，新增预警 {done.new_warnings} 条"))
