"""fangpin revoke_api_token <prefix>: revoke a token by the prefix shown when it was issued."""

from django.core.management.base import BaseCommand, CommandError

from fangpin.api.models import ApiToken
from fangpin.api.tokens import do_revoke_token


class Command(BaseCommand):
    help = "按前缀撤销接口令牌"

    def add_arguments(self, parser):
        parser.add_argument("prefix", help="签发时显示的前缀，例如 fpk_1a2b3c4d")

    def handle(self, *args, prefix, **options):
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"未找到前缀为 {prefix} 的令牌")
        if token.revoked is not None:
            raise CommandError(f"令牌 {prefix} 已于 {token.revoked:%Y-%m-%d %H:%M} 撤销")
        do_revoke_token(token)
        self.stdout.write(f"已撤销令牌 {prefix}（{token.name}，用户 {token.user.username}）\n")
