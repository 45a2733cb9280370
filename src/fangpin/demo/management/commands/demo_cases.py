from django.core.management.base import BaseCommand, CommandError

from fangpin.core.workflow import STATE_LABELS, State
from fangpin.demo.cases import do_demo_cases
from fangpin.demo.services import DemoError


class Command(BaseCommand):
    help = "为演示县生成案件：存量监测户建档、演示村各环节的识别案件（含超期）、帮扶计划和回访（先运行 demo_users）"

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="县级区划代码，如 130633（易县）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--if-empty", action="store_true", help="该县已有案件时跳过（便于重复运行 make demo）")

    def handle(self, *args, county, seed, if_empty, **options):
        try:
            result = do_demo_cases(county, seed=seed, if_empty=if_empty)
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        if result.skipped:
            self.stdout.write(f"{county} 已有案件，跳过演示案件生成")
            return
        states = "，".join(f"{STATE_LABELS[State(s)]} {n}" for s, n in result.by_state.items())
        self.stdout.write(f"演示案件：存量监测户建档 {result.adopted} 户；演示村新案件 {states}；"
                          f"帮扶计划 {result.plans} 户、措施 {result.measures} 项、回访 {result.followups} 次")
