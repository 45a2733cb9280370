from fangpin.core.workflow import STATE_LABELS, State
from fangpin.demo.cases import do_demo_cases
from fangpin.demo.command import DemoCommand


class Command(DemoCommand):
    help = "为演示县生成案件：存量监测户建档、演示村各环节的识别案件（含超期）、帮扶计划和回访（先运行 demo_users）"
    if_empty_help = "该县已有案件时跳过（便于重复运行 make demo）"
    skipped = "{county} 已有案件，跳过演示案件生成"

    def generate(self, county, **options):
        return do_demo_cases(county, **options)

    def summary(self, result) -> str:
        states = "，".join(f"{STATE_LABELS[State(s)]} {n}" for s, n in result.by_state.items())
        return (f"演示案件：存量监测户建档 {result.adopted} 户；演示村新案件 {states}；"
                f"帮扶计划 {result.plans} 户、措施 {result.measures} 项、回访 {result.followups} 次")
