from fangpin.demo.command import DemoCommand
from fangpin.demo.screening import do_demo_screening


class Command(DemoCommand):
    help = "演示县的部门数据（医保结算、农房鉴定、学籍、就业失业，经真实上传流程）和上月筛查（先运行 demo_users）"
    if_empty_help = "该县已有部门数据时跳过"
    skipped = "{county} 已有部门数据，跳过"

    def generate(self, county, **options):
        return do_demo_screening(county, **options)

    def summary(self, result) -> str:
        return f"演示部门数据 {result.datasets} 份共 {result.rows} 行；{result.period} 筛查新增预警 {result.warnings} 条"
