from django.core.management.base import BaseCommand, CommandError

from fangpin.demo.services import DemoError, do_generate_demo

TYPE_LABELS = {"tuopin": "脱贫户", "jiance": "监测户", "yiban": "一般农户"}


class Command(BaseCommand):
    help = "在一个县的真实村级区划上生成演示农户（合成数据，按易县 2019 年末数据校准；同一 --seed 结果相同）"

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="县级区划代码，如 130633（易县）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--scale", type=float, default=1.0, help="规模系数：1 为全县规模，0.01 为百分之一")
        parser.add_argument("--if-empty", action="store_true", help="该县已有农户时跳过（便于重复运行 make demo）")

    def handle(self, *args, county, seed, scale, if_empty, **options):
        try:
            result = do_generate_demo(county, seed=seed, scale=scale, if_empty=if_empty)
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        if result.skipped:
            self.stdout.write(f"{county} 已有 {result.households} 户农户，跳过演示数据生成")
            return
        kinds = "，".join(f"{TYPE_LABELS[k]} {v}" for k, v in result.by_type.items())
        self.stdout.write(f"演示数据生成完成（{result.seconds} 秒）：{result.households} 户（{kinds}），"
                          f"{result.members} 人，{result.years} 条年度收支")
