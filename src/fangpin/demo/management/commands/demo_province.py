import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangpin.demo.province import do_generate_province, load_accounts
from fangpin.demo.services import DemoError


class Command(BaseCommand):
    help = ("把演示县扩展到全省规模（压测用）：在省内真实的县、村区划上逐县生成演示农户和演示案件，"
            "并设置各角色压测账号（合成数据；已有农户的县跳过，可中断后续跑）")

    def add_arguments(self, parser):
        parser.add_argument("--province", default="13", help="省级区划代码（默认 13 河北省）")
        parser.add_argument("--households", type=int, default=1_000_000, help="目标农户数（默认 100 万）")
        parser.add_argument("--first", default="130633", help="第一个县（默认 130633 易县），其后为同市各县、他市各县")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--no-cases", action="store_true", help="不生成演示案件")
        parser.add_argument("--load-counties", type=int, default=4, help="设置压测账号的县数（默认 4）")
        parser.add_argument("--accounts", default="", help="把压测账号名写入此 JSON 文件（供 locust 读取）")

    def handle(self, *args, province, households, first, seed, no_cases, load_counties, accounts, **options):
        try:
            result = do_generate_province(province, households=households, seed=seed, first=first,
                                          cases=not no_cases, say=self.stdout.write)
            by_role = load_accounts(result.counties[:load_counties])
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"全省演示数据：{len(result.counties)} 个县，{result.households} 户"
                          f"（本次生成 {result.generated} 个县、{result.members} 人），"
                          f"{result.seconds} 秒；压测账号 {sum(map(len, by_role.values()))} 个")
        if accounts:
            Path(accounts).write_text(json.dumps(by_role, ensure_ascii=False, indent=1), encoding="utf-8")
