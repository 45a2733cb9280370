from fangpin.core.grievance import STATE_LABELS, State
from fangpin.demo.command import DemoCommand
from fangpin.grievances.demo import do_demo_grievances


class Command(DemoCommand):
    help = "为演示县生成群众诉求：受理 57 件、化解 55 件（先运行 demo_data 和 demo_users）"
    if_empty_help = "该县已有诉求时跳过（便于重复运行 make demo）"
    skipped = "{county} 已有诉求，跳过演示诉求生成"

    def generate(self, county, **options):
        return do_demo_grievances(county, **options)

    def summary(self, result) -> str:
        states = "，".join(f"{STATE_LABELS[State(s)]} {n}" for s, n in result.by_state.items())
        rate = result.resolved / result.received if result.received else 0
        return f"演示诉求：受理 {result.received} 件，化解 {result.resolved} 件（{rate:.1%}）；{states}"
