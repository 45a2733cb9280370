"""fangpin backup OUT [--verify]: a consistent online backup with a manifest (counts, checksum, audit chain head)."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangpin.audit.services import record_system_event
from fangpin.ops import backup


class Command(BaseCommand):
    help = "在线备份数据库（SQLite 在线备份接口；PostgreSQL pg_dump -Fc），并写出清单 OUT.manifest.json"

    def add_arguments(self, parser):
        parser.add_argument("out", help="备份文件（不得已存在）")
        parser.add_argument("--verify", action="store_true",
                            help="备份后校验：SQLite 直接核对备份文件；PostgreSQL 用 pg_restore --list 检查文件可读")

    def handle(self, *args, **options):
        out = Path(options["out"])
        try:
            manifest = backup.backup(out)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest.tables.values())
        self.stdout.write(f"已备份到 {out}（{manifest.size} 字节，SHA-256 {manifest.sha256}）：{len(manifest.tables)} 张表，"
                          f"{rows} 行，审计链头第 {manifest.audit['last_seq']} 条")
        if options["verify"]:
            report = _verify_file(out, manifest)
            if not report.ok:
                raise CommandError("备份校验失败：\n" + "\n".join(report.problems[:50]))
            self.stdout.write("备份校验通过：各表行数与清单一致，审计哈希链完整")
        record_system_event("ops.backup", summary=f"数据库备份 {out.name}：{len(manifest.tables)} 张表 {rows} 行",
                            detail={"file": str(out), "sha256": manifest.sha256, "vendor": manifest.vendor,
                                    "audit_last_seq": manifest.audit["last_seq"]})


def _verify_file(out: Path, manifest: backup.Manifest) -> backup.VerifyReport:
    backup.check_file(out)
    if manifest.vendor == "sqlite":
        with backup.database_alias(f"sqlite://{out.resolve()}") as alias:
            return backup.verify(manifest, alias)
    report = backup.VerifyReport()
    try:
        backup._run(["pg_restore", "--list", str(out)], dict(os.environ))
    except backup.BackupError as exc:
        report.problems.append(str(exc))
    return report
