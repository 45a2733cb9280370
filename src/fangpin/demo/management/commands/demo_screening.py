from django.core.management.base import BaseCommand, CommandError

from fangpin.demo.screening import do_demo_screening
from fangpin.demo.services import DemoError


class Command(BaseCommand):
    help = "演示县的部门数据（医保结算、农房鉴定、学籍、就业失业，经真实上传流程）和上月筛查（先运行 demo_users）"

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="县级区划代码，如 130633（易县）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--if-empty", action="store_true", help="该县已有部门数据时跳过")

    def handle(self, *args, county, seed, if_empty, **options):
        try:
            result = do_demo_screening(county, seed=seed, if_empty=if_empty)
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        if result.skipped:
            self.stdout.write(f"{county} 已有部门数据，跳过")
            return
        self.stdout.write(f"演示部门数据 {result.datasets} 份共 {result.rows} 行；{result.period} 筛查新增预警 {result.warnings} 条")
