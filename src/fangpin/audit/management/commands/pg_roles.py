"""fangpin pg_roles --app-role NAME: create/refresh the least-privilege PostgreSQL role the application runs as."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from fangpin.audit.services import record_system_event
from fangpin.ops.pgroles import app_role_sql


class Command(BaseCommand):
    help = ("创建或刷新应用程序使用的 PostgreSQL 最小权限角色：可读写业务表，不能修改或删除审计日志。"
            "须以库的属主身份运行，每次 migrate 之后重跑")

    def add_arguments(self, parser):
        parser.add_argument("--app-role", required=True, help="应用程序角色名，例如 fangpin_app")
        parser.add_argument("--password-env", metavar="VAR",
                            help="从该环境变量读取角色的登录密码（不在命令行上出现）；不给则不改密码")
        parser.add_argument("--print", action="store_true", dest="print_only", help="只打印 SQL，不执行")

    def handle(self, *args, **options):
        password = None
        if options["password_env"]:
            password = os.environ.get(options["password_env"])
            if not password:
                raise CommandError(f"环境变量 {options['password_env']} 为空")
        if connection.vendor != "postgresql" and not options["print_only"]:
            raise CommandError("pg_roles 只用于 PostgreSQL（当前数据库为 SQLite，权限由文件系统控制）")
        database = str(connection.settings_dict["NAME"]) if connection.vendor == "postgresql" else "fangpin"
        statements = app_role_sql(options["app_role"], database, password=password)
        if options["print_only"]:
            for sql in statements:
                self.stdout.write(sql.replace(password, "********") if password else sql)
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        record_system_event("ops.pg_roles", summary=f"设置应用程序数据库角色 {options['app_role']} 的最小权限",
                            detail={"role": options["app_role"], "database": database,
                                    "password_changed": bool(password)})
        self.stdout.write(f"已设置角色 {options['app_role']}：业务表可读写，审计日志只能追加，不能修改或删除")
