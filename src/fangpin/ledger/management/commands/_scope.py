"""--region / --user for the ledger commands: whose scope, and who is recorded as the operator."""

from __future__ import annotations

from django.core.management.base import CommandError


def add_scope_arguments(parser) -> None:
    parser.add_argument("--user", help="以该用户的身份和管辖范围操作（审计记为该用户）")
    parser.add_argument("--region", help="管辖范围（区划代码）；与 --user 同时给出时须在该用户范围内")


def resolve_scope(options) -> tuple[str, object | None]:
    from fangpin.accounts.models import User
    from fangpin.regions.models import Region

    user = None
    if options.get("user"):
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"用户 {options['user']} 不存在或已停用")
    region = options.get("region") or (user.scope_code if user else "")
    if not region:
        raise CommandError("请用 --region 指定管辖范围，或用 --user 指定操作人")
    if not Region.objects.filter(code=region).exists():
        raise CommandError(f"区划代码 {region} 不存在")
    if user is not None and not region.startswith(user.scope_code):
        raise CommandError(f"区划 {region} 不在用户 {user.username} 的管辖范围内")
    return region, user
