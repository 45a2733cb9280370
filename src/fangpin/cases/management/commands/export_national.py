"""fangpin export_national OUT.(xlsx|zip) (--region CODE | --user NAME) [--full-ids] [--no-eliminated]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fangpin.cases.national import do_export_national
from fangpin.ledger.management.commands._scope import add_scope_arguments, resolve_scope


class Command(BaseCommand):
    help = "导出国家系统报送数据（监测对象、家庭成员、风险研判、帮扶措施）；.zip 为 CSV 压缩包"

    def add_arguments(self, parser):
        parser.add_argument("out", help="输出文件：.xlsx，或 .zip（每表一个 CSV）")
        parser.add_argument("--full-ids", action="store_true", help="完整证件号码和电话（默认脱敏）")
        parser.add_argument("--no-eliminated", action="store_true", help="不含风险已消除户")
        add_scope_arguments(parser)

    def handle(self, *args, **options):
        region, user = resolve_scope(options)
        out = options["out"]
        if not out.endswith((".xlsx", ".zip")):
            raise CommandError("输出文件须以 .xlsx 或 .zip 结尾")
        if options["full_ids"] and user is not None and not user.can("unmask"):
            raise CommandError(f"用户 {user.username} 没有导出完整证件号码的权限")
        kwargs = {"region_code": region, "full_ids": options["full_ids"], "user": user,
                  "include_eliminated": not options["no_eliminated"]}
        if out.endswith(".xlsx"):
            counts = do_export_national(None, out, fmt="xlsx", **kwargs)
        else:
            with open(out, "wb") as handle:
                counts = do_export_national(None, handle, fmt="csv", **kwargs)
        self.stdout.write(self.style.SUCCESS(
            f"已导出到 {out}：" + "，".join(f"{name} {n} 行" for name, n in counts.items())))
