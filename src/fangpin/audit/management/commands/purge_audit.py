"""fangpin purge_audit --older-than-days N (N ≥ 183): remove the oldest audit rows, keeping the chain verifiable."""

from django.core.management.base import BaseCommand, CommandError

from fangpin.audit.services import PurgeRefused, do_purge
from fangpin.audit.triggers import MIN_RETENTION_DAYS


class Command(BaseCommand):
    help = f"清理超过保留期的审计日志（保留期不少于 {MIN_RETENTION_DAYS} 天）；清理本身记入审计日志"

    def add_arguments(self, parser):
        parser.add_argument("--older-than-days", type=int, required=True,
                            help=f"清理早于多少天的记录，不能小于 {MIN_RETENTION_DAYS}")

    def handle(self, *args, **options):
        try:
            result = do_purge(options["older_than_days"])
        except PurgeRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已清理 {result.cutoff:%Y-%m-%d %H:%M} 之前的审计记录 {result.purged} 条；"
                          f"哈希链从第 {result.anchor_seq} 条之后校验")
