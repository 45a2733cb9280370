"""fangpin import_households FILE [--dry-run] (--region CODE | --user NAME) [--report errors.xlsx]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangpin.ledger.files import LedgerFileError, iter_rows
from fangpin.ledger.management.commands._scope import add_scope_arguments, resolve_scope
from fangpin.ledger.services import counts_text, do_import_ledger
from fangpin.ledger.workbook import write_error_report

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = "导入农户台账（xlsx/xls/csv）：全部校验通过才写入；--dry-run 只校验"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--report", help="有错误时把错误报告写到此 xlsx 文件")
        add_scope_arguments(parser)

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        region, user = resolve_scope(options)
        data = path.read_bytes()
        try:
            outcome = do_import_ledger(data, path.name, scope_code=region, user=user, dry_run=options["dry_run"])
        except LedgerFileError as exc:
            raise CommandError(str(exc)) from None
        if outcome.errors:
            self._report_errors(outcome, data, path.name, options.get("report"))
        verb = "校验通过（未写入）" if options["dry_run"] else "导入完成"
        self.stdout.write(self.style.SUCCESS(f"{verb}：{outcome.rows} 行。{counts_text(outcome.counts)}"))

    def _report_errors(self, outcome, data: bytes, filename: str, report: str | None):
        for e in outcome.errors[:SHOWN_ERRORS]:
            self.stderr.write(f"第 {e.row} 行 【{e.column}】 {e.message}" if e.column else f"第 {e.row} 行 {e.message}")
        if len(outcome.errors) > SHOWN_ERRORS:
            self.stderr.write(f"……共 {len(outcome.errors)} 处错误")
        if report:
            with open(report, "wb") as out:
                write_error_report(out, outcome.errors, iter_rows(data, filename)[1])
            self.stderr.write(f"错误报告已写入 {report}")
        raise CommandError(f"发现 {len(outcome.errors)} 处错误，未写入任何数据")
