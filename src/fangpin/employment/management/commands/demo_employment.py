from fangpin.demo.command import DemoCommand
from fangpin.employment.demo import do_demo_employment


class Command(DemoCommand):
    help = "为演示县生成用工需求，并由演示村推荐待就业人员（部分已上岗）；先运行 demo_users、demo_cases"
    if_empty_help = "该县已有用工需求时跳过（便于重复运行 make demo）"
    skipped = "{county} 已有用工需求，跳过"

    def generate(self, county, **options):
        return do_demo_employment(county, **options)

    def summary(self, result) -> str:
        return (f"演示就业帮扶：岗位 {result.demands} 个；推荐 {result.recommended} 人，已上岗 {result.hired} 人，"
                f"未录用 {result.declined} 人")
