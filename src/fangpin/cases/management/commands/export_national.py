"""fangpin export_national OUT.(xlsx|zip) (--region CODE | --user NAME) [--full-ids --approval ID] [--no-eliminated]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fangpin.cases.national import do_export_national
from fangpin.ledger.management.commands._scope import add_scope_arguments, resolve_scope


class Command(BaseCommand):
    help = "导出国家系统报送数据（监测对象、家庭成员、风险研判、帮扶措施）；.zip 为 CSV 压缩包"

    def add_arguments(self, parser):
        parser.add_argument("out", help="输出文件：.xlsx，或 .zip（每表一个 CSV）")
        parser.add_argument("--full-ids", action="store_true",
                            help="完整证件号码和电话（默认脱敏）；须同时给出经第二人批准的 --approval")
        parser.add_argument("--approval", type=int, help="完整证件号导出的审批编号（申请人本人使用，只能用一次）")
        parser.add_argument("--no-eliminated", action="store_true", help="不含风险已消除户")
        add_scope_arguments(parser)

    def handle(self, *args, **options):
        region, user = resolve_scope(options)
        out = options["out"]
        if not out.endswith((".xlsx", ".zip")):
            raise CommandError("输出文件须以 .xlsx 或 .zip 结尾")
        if options["full_ids"]:
            self._claim(options, user, region, "xlsx" if out.endswith(".xlsx") else "csv")
        kwargs = {"region_code": region, "full_ids": options["full_ids"], "user": user,
                  "include_eliminated": not options["no_eliminated"]}
        if out.endswith(".xlsx"):  # the approval was claimed first: a failure below still used it (audited)
            counts = do_export_national(None, out, fmt="xlsx", **kwargs)
        else:
            with open(out, "wb") as handle:
                counts = do_export_national(None, handle, fmt="csv", **kwargs)
        self.stdout.write(self.style.SUCCESS(
            f"已导出到 {out}：" + "，".join(f"{name} {n} 行" for name, n in counts.items())))

    def _claim(self, options, user, region: str, fmt: str) -> None:
        """Full IDs in bulk need a second person's approval, used once by its requester (fangpin.audit.approvals)."""
        from django.core.exceptions import PermissionDenied

        from fangpin.audit.approvals import ApprovalError, claim_for_download

        if user is None or options["approval"] is None:
            raise CommandError("完整证件号码的批量导出须经第二人审批：请用 --user 指定申请人，并用 --approval 给出审批编号")
        if not user.can("unmask"):
            raise CommandError(f"用户 {user.username} 没有导出完整证件号码的权限")
        try:
            claim_for_download(options["approval"], user=user, region_code=region, fmt=fmt)
        except (ApprovalError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
