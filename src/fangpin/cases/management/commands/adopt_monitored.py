"""fangpin adopt_monitored --user NAME [--region CODE] [--effective-date YYYY-MM-DD]"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from fangpin.cases.adopt import do_adopt_monitored
from fangpin.cases.services import CaseError
from fangpin.ledger.management.commands._scope import add_scope_arguments, resolve_scope


class Command(BaseCommand):
    help = "为台账中尚无案件的存量监测户建立“监测帮扶中”案件（可重复运行，不会重复建档）"

    def add_arguments(self, parser):
        add_scope_arguments(parser)
        parser.add_argument("--effective-date", help="纳入监测日期（默认今天）")

    def handle(self, *args, **options):
        region, user = resolve_scope(options)
        if user is None:
            raise CommandError("请用 --user 指定办理的县级用户（记入办理记录和审计日志）")
        day = None
        if options["effective_date"]:
            try:
                day = dt.date.fromisoformat(options["effective_date"])
            except ValueError:
                raise CommandError(f"纳入监测日期“{options['effective_date']}”不是有效日期（YYYY-MM-DD）") from None
        try:
            result = do_adopt_monitored(user, region, effective_date=day)
        except CaseError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"已建档 {result.adopted} 户；此前已有案件 {result.already} 户"))
