from django.core.management.base import BaseCommand, CommandError

from fangpin.demo.services import DemoError
from fangpin.supervision.demo import do_demo_supervision


class Command(BaseCommand):
    help = "演示县的督战数据：省级督战规则、一个分三阶段的督战行动和若干交办问题（先运行 demo_users、demo_cases）"

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="县级区划代码，如 130633（易县）")
        parser.add_argument("--if-empty", action="store_true", help="省级已有督战规则时跳过")

    def handle(self, *args, county, if_empty, **options):
        try:
            result = do_demo_supervision(county, if_empty=if_empty)
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        if result.skipped:
            self.stdout.write("已有督战规则，跳过")
            return
        self.stdout.write(f"演示督战：规则 {result.rules} 条，交办问题 {result.problems} 个")
