"""fangpin export_screening_tables (--region CODE | --user NAME) --out DIR [--period YYYY-MM] [--hive]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangpin.alerts.export import do_export_screening_tables
from fangpin.alerts.services import AlertError
from fangpin.ledger.management.commands._scope import add_scope_arguments, resolve_scope


class Command(BaseCommand):
    help = ("导出筛查引擎的输入表（Parquet）：households、members（人员编号 = 身份证号换算的整数）及各部门数据表，"
            "供 Spark 集群筛查使用。文件含个人信息，仅本机账户可读（0600）。")

    def add_arguments(self, parser):
        add_scope_arguments(parser)
        parser.add_argument("--out", required=True, help="输出目录")
        parser.add_argument("--period", help="只导出该月（YYYY-MM）截至月底近 12 个月的部门记录；默认全部")
        parser.add_argument("--hive", action="store_true",
                            help="按省分区的目录布局：DIR/<表>/province=<省代码>/part-<区划>.parquet")

    def handle(self, *args, out, period, hive, **options):
        region, user = resolve_scope(options)
        try:
            export = do_export_screening_tables(region, Path(out), period=period, hive=hive, user=user)
        except AlertError as exc:
            raise CommandError(str(exc)) from None
        for table, path in export.files.items():
            self.stdout.write(f"{table:20s} {export.rows[table]:>10,} 行  {path}")
        self.stdout.write(self.style.SUCCESS(f"已导出 {len(export.counties)} 个县的筛查数据表到 {out}"))
