from fangpin.demo.command import DemoCommand
from fangpin.supervision.demo import do_demo_supervision


class Command(DemoCommand):
    help = "演示县的督战数据：省级督战规则、一个分三阶段的督战行动和若干交办问题（先运行 demo_users、demo_cases）"
    seeded = False
    if_empty_help = "省级已有督战规则时跳过"
    skipped = "已有督战规则，跳过"

    def generate(self, county, **options):
        return do_demo_supervision(county, **options)

    def summary(self, result) -> str:
        return f"演示督战：规则 {result.rules} 条，交办问题 {result.problems} 个"
