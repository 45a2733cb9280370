from django.core.management.base import BaseCommand, CommandError

from fangpin.core.grievance import STATE_LABELS, State
from fangpin.demo.services import DemoError
from fangpin.grievances.demo import do_demo_grievances


class Command(BaseCommand):
    help = "为演示县生成群众诉求：受理 57 件、化解 55 件（先运行 demo_data 和 demo_users）"

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="县级区划代码，如 130633（易县）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--if-empty", action="store_true", help="该县已有诉求时跳过（便于重复运行 make demo）")

    def handle(self, *args, county, seed, if_empty, **options):
        try:
            result = do_demo_grievances(county, seed=seed, if_empty=if_empty)
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        if result.skipped:
            self.stdout.write(f"{county} 已有诉求，跳过演示诉求生成")
            return
        states = "，".join(f"{STATE_LABELS[State(s)]} {n}" for s, n in result.by_state.items())
        rate = result.resolved / result.received if result.received else 0
        self.stdout.write(f"演示诉求：受理 {result.received} 件，化解 {result.resolved} 件（{rate:.1%}）；{states}")
