"""fangpin create_api_token <username> <name> [--days N]: prints the secret once."""

from django.core.management.base import BaseCommand, CommandError

from fangpin.accounts.models import User
from fangpin.api.tokens import TokenError, do_issue_token


class Command(BaseCommand):
    help = "为用户签发个人接口令牌（只显示一次，库中仅存哈希）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="用途说明，例如“乡镇数据对接”")
        parser.add_argument("--days", type=int, default=None, help="有效天数（默认并最长：FANGPIN_API_TOKEN_MAX_DAYS，须动态口令的角色 FANGPIN_API_TOKEN_MAX_DAYS_TOTP）")

    def handle(self, *args, username, name, days, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在")
        try:
            token, key = do_issue_token(user, name, days=days)
        except TokenError as err:
            raise CommandError(str(err)) from None
        self.stdout.write(f"令牌（只显示这一次，请妥善保存）：\n{key}\n")
        until = f"{token.expires:%Y-%m-%d %H:%M}"
        self.stdout.write(f"前缀 {token.prefix}，用途 {token.name}，有效至 {until}\n")
