"""fangpin export_households OUT.xlsx (--region CODE | --user NAME) [--type tuopin|jiance|yiban]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fangpin.core import choices as C
from fangpin.ledger.management.commands._scope import add_scope_arguments, resolve_scope
from fangpin.ledger.services import do_export_ledger


class Command(BaseCommand):
    help = "导出农户台账为 xlsx（身份证号、电话脱敏）"

    def add_arguments(self, parser):
        parser.add_argument("out", help="输出文件（.xlsx）")
        parser.add_argument("--type", default="", help="户类型：" + "、".join(C.HOUSEHOLD_TYPE.values()))
        add_scope_arguments(parser)

    def handle(self, *args, **options):
        region, user = resolve_scope(options)
        hh_type = options["type"]
        if hh_type:
            try:
                hh_type = C.HOUSEHOLD_TYPE.lookup(hh_type)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        n = do_export_ledger(None, options["out"], region_code=region, hh_type=hh_type, user=user)
        self.stdout.write(self.style.SUCCESS(f"已导出 {n} 行到 {options['out']}"))
