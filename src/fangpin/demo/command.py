"""The one shape of a ``demo_*`` command: --county, --seed (when the generator takes one) and --if-empty;
a DemoError becomes the command's error; a skipped run says so; otherwise the generator's summary line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fangpin.demo.services import DemoError


class DemoCommand(BaseCommand):
    seeded = True  # the generator takes a random seed
    if_empty_help = "已有演示数据时跳过（便于重复运行 make demo）"
    skipped = "{county} 已有演示数据，跳过"

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="县级区划代码，如 130633（易县）")
        if self.seeded:
            parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--if-empty", action="store_true", help=self.if_empty_help)

    def generate(self, county: str, *, if_empty: bool, **seed: int) -> Any:
        raise NotImplementedError

    def summary(self, result: Any) -> str:
        raise NotImplementedError

    def handle(self, *args, county, if_empty, **options):
        seed = {"seed": options["seed"]} if self.seeded else {}
        try:
            result = self.generate(county, if_empty=if_empty, **seed)
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        if result.skipped:
            self.stdout.write(self.skipped.format(county=county))
            return
        self.stdout.write(self.summary(result))
