from django.core.management.base import BaseCommand, CommandError

from fangpin.audit.services import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链：发现被修改或删除的记录"

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError("审计日志校验失败：\n" + "\n".join(report.problems[:100]))
        self.stdout.write(f"审计日志完整：共 {report.checked} 条，哈希链无断裂")
