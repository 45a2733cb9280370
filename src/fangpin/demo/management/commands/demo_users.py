from django.core.management.base import BaseCommand, CommandError

from fangpin.core.roles import spec
from fangpin.demo.services import DEMO_PASSWORD, DemoError, do_demo_users


class Command(BaseCommand):
    help = "为每个角色设置一个演示账号（可重复运行；密码统一为 Fangpin@2026）"

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="县级区划代码，如 130633（易县）")

    def handle(self, *args, county, **options):
        try:
            logins = do_demo_users(county)
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for login in logins:
            self.stdout.write(f"  {login.username:<11} {spec(login.role).label:<6} {login.region_code:<12} "
                              f"{login.display_name}")
