from fangpin.core.insurance import CLAIM_STATE_LABELS, ClaimState
from fangpin.demo.command import DemoCommand
from fangpin.insurance.demo import do_demo_insurance


class Command(DemoCommand):
    help = "为演示县生成防贫保险：上年资金结转、本年方案、保费和追加资金、各状态的理赔（先运行 demo_users 和 demo_cases）"
    seeded = False
    if_empty_help = "该县已有防贫保险方案时跳过（便于重复运行 make demo）"
    skipped = "{county} 已有防贫保险方案，跳过"

    def generate(self, county, **options):
        return do_demo_insurance(county, **options)

    def summary(self, result) -> str:
        states = "，".join(f"{CLAIM_STATE_LABELS[ClaimState(s)]} {n}" for s, n in result.claims.items())
        return (f"演示防贫保险 {result.year} 年度：投保 {result.covered} 人，保费 {result.premiums} 元；"
                f"理赔 {states}；资金余额 {result.balance} 元")
