"""fangpin bench_screening --persons N --records M [--out DIR] [--memory-limit 8GB] [--sample K] [--spark-persons P]"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangpin.alerts.services import AlertError, period_end


class Command(BaseCommand):
    help = ("筛查基准测试：生成 N 人、M 条部门记录（Parquet），计时完整路径（文件 → 匹配 → 研判 → 预警入库），"
            "并与手写 DuckDB SQL（下限）、pandas 和 PostgreSQL 基线（抽样后外推）及 Spark local[2] 比较")

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=10_000_000, help="人数（默认 1000 万）")
        parser.add_argument("--records", type=int, default=100_000_000, help="部门记录条数（默认 1 亿）")
        parser.add_argument("--out", type=Path, default=None,
                            help="数据目录（生成的文件保留，同样规模再次运行时复用）；默认临时目录，结束后删除")
        parser.add_argument("--memory-limit", default="8GB", help="DuckDB memory_limit（超出时写入临时目录）")
        parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
        parser.add_argument("--sample", type=int, default=200_000, metavar="K",
                            help="pandas / PostgreSQL 基线的抽样户数（默认 20 万，时间按户数外推）")
        parser.add_argument("--core-households", type=int, default=20_000, metavar="H",
                            help="逐户运行规则核心（参考实现）的户数，取自样本（默认 2 万，0 为不运行）")
        parser.add_argument("--spark-persons", type=int, default=1_000_000, metavar="P",
                            help="Spark local[2] 运行的人数（记录数按比例；默认 100 万）")
        parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL") or None, metavar="URL",
                            help="PostgreSQL（预警 COPY 入库和 SQL 基线），默认取 BENCH_PG_URL；不给则跳过")
        parser.add_argument("--period", default="2026-10", help="筛查月份 YYYY-MM（默认 2026-10）")
        parser.add_argument("--line", type=Decimal, default=Decimal("7300"), help="监测线（元，默认 7300）")
        parser.add_argument("--seed", type=int, default=4)
        parser.add_argument("--no-baselines", action="store_true", help="不运行 pandas / PostgreSQL 基线")
        parser.add_argument("--no-spark", action="store_true", help="不运行 Spark")

    def handle(self, *args, **o):
        from fangpin.core.policy import Policy
        from fangpin.screening.bench import Options, bench

        try:
            end = period_end(o["period"])
        except AlertError as exc:
            raise CommandError(str(exc)) from None
        if o["persons"] < 10 or o["records"] < 10:
            raise CommandError("--persons 和 --records 至少为 10")
        policy = Policy(version=f"13-{end.year}-bench", year=end.year, monitoring_line=o["line"])
        options = Options(persons=o["persons"], records=o["records"], out=o["out"], memory_limit=o["memory_limit"],
                          sample=o["sample"], core_households=o["core_households"], spark_persons=o["spark_persons"], threads=o["threads"],
                          period_end=end, pg_url=o["pg"], seed=o["seed"], skip_baselines=o["no_baselines"],
                          skip_spark=o["no_spark"])
        started = dt.datetime.now(dt.UTC)
        report = bench(options, policy, log=self._line)
        if report.floor_agrees is False or report.path.mismatches:
            raise CommandError("完整路径与手写 SQL 的研判结果不一致")
        if report.floor_agrees is None:
            self.stderr.write("手写 SQL（下限）未能完成，未做一致性比对；可调大 --memory-limit 后重试")
        self.stdout.write(f"用时 {(dt.datetime.now(dt.UTC) - started).total_seconds():.0f} 秒")

    def _line(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
