from django.core.management.base import BaseCommand, CommandError

from fangpin.demo.services import DemoError
from fangpin.employment.demo import do_demo_employment


class Command(BaseCommand):
    help = "为演示县生成用工需求，并由演示村推荐待就业人员（部分已上岗）；先运行 demo_users、demo_cases"

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="县级区划代码，如 130633（易县）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--if-empty", action="store_true", help="该县已有用工需求时跳过（便于重复运行 make demo）")

    def handle(self, *args, county, seed, if_empty, **options):
        try:
            result = do_demo_employment(county, seed=seed, if_empty=if_empty)
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        if result.skipped:
            self.stdout.write(f"{county} 已有用工需求，跳过")
            return
        self.stdout.write(f"演示就业帮扶：岗位 {result.demands} 个；推荐 {result.recommended} 人，已上岗 {result.hired} 人，"
                          f"未录用 {result.declined} 人")
