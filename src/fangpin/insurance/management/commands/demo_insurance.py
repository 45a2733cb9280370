from django.core.management.base import BaseCommand, CommandError

from fangpin.core.insurance import CLAIM_STATE_LABELS, ClaimState
from fangpin.demo.services import DemoError
from fangpin.insurance.demo import do_demo_insurance


class Command(BaseCommand):
    help = "为演示县生成防贫保险：上年资金结转、本年方案、保费和追加资金、各状态的理赔（先运行 demo_users 和 demo_cases）"

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="县级区划代码，如 130633（易县）")
        parser.add_argument("--if-empty", action="store_true", help="该县已有防贫保险方案时跳过（便于重复运行 make demo）")

    def handle(self, *args, county, if_empty, **options):
        try:
            result = do_demo_insurance(county, if_empty=if_empty)
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        if result.skipped:
            self.stdout.write(f"{county} 已有防贫保险方案，跳过")
            return
        states = "，".join(f"{CLAIM_STATE_LABELS[ClaimState(s)]} {n}" for s, n in result.claims.items())
        self.stdout.write(f"演示防贫保险 {result.year} 年度：投保 {result.covered} 人，保费 {result.premiums} 元；"
                          f"理赔 {states}；资金余额 {result.balance} 元")
