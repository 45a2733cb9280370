"""fangpin restore IN [--database URL] [--verify]: restore a backup into an empty database and prove it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangpin.audit.services import record_system_event
from fangpin.ops import backup


class Command(BaseCommand):
    help = "把备份恢复到一个空数据库（PostgreSQL 用 pg_restore --single-transaction），可校验行数和审计哈希链"

    def add_arguments(self, parser):
        parser.add_argument("input", help="备份文件（旁边须有 .manifest.json 清单）")
        parser.add_argument("--database", help="目标数据库 URL（默认为本系统配置的数据库），须为空库："
                                               "postgres://user@host:5432/name 或 sqlite:///path")
        parser.add_argument("--verify", action="store_true", help="恢复后核对各表行数、审计链头并校验审计哈希链")

    def handle(self, *args, **options):
        path = Path(options["input"])
        if options["database"]:
            with backup.database_alias(options["database"]) as alias:
                self._restore(path, alias, options["verify"])
        else:
            self._restore(path, "default", options["verify"])

    def _restore(self, path: Path, alias: str, verify: bool) -> None:
        try:
            manifest = backup.restore(path, alias)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已从 {path} 恢复 {len(manifest.tables)} 张表（校验和一致）")
        detail = {"file": str(path), "sha256": manifest.sha256, "audit_last_seq": manifest.audit["last_seq"]}
        if verify:
            report = backup.verify(manifest, alias)
            if not report.ok:
                raise CommandError("恢复校验失败：\n" + "\n".join(report.problems[:50]))
            self.stdout.write(f"恢复校验通过：{report.checked_tables} 张表行数与清单一致，"
                              f"审计哈希链 {report.audit_rows} 条完整")
            detail["verified"] = True
        # recorded in the restored database, after the comparison
        record_system_event("ops.restore", summary=f"从备份 {path.name} 恢复数据库", detail=detail, using=alias)
