"""Re-encrypt personal data under the current key (the first of FANGPIN_PII_KEYS).

Rotation: prepend a new key to FANGPIN_PII_KEYS, restart, run this command, then drop the
old key. Rows are re-encrypted in batches, each batch in its own transaction, so the command
can be interrupted and re-run; the blind index key is separate and does not change.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from fangpin import pii
from fangpin.audit.services import record_system_event
from fangpin.registry.models import Member

BATCH = 2000


class Command(BaseCommand):
    help = "用当前密钥重新加密身份证号和电话（密钥轮换）"

    def handle(self, *args, **options):
        ring = pii.keyring()
        current = ring.current_id
        total = 0
        last_id = 0
        while True:
            batch = list(Member.objects.filter(id__gt=last_id).order_by("id").only("id", "id_cipher", "phone_cipher")[:BATCH])
            if not batch:
                break
            last_id = batch[-1].id
            stale = [m for m in batch if _needs(ring, m, current)]
            for m in stale:
                m.id_cipher = ring.encrypt(ring.decrypt(m.id_cipher))
                if m.phone_cipher:
                    m.phone_cipher = ring.encrypt(ring.decrypt(m.phone_cipher))
            with transaction.atomic():
                Member.objects.bulk_update(stale, ["id_cipher", "phone_cipher"])
            total += len(stale)
        record_system_event("pii.rotate_keys", summary=f"密钥轮换：重新加密 {total} 名成员", detail={"key_id": current, "members": total})
        self.stdout.write(f"已用密钥 {current} 重新加密 {total} 名成员的身份证号和电话")


def _needs(ring, member, current: str) -> bool:
    return ring.key_id(member.id_cipher) != current or (bool(member.phone_cipher) and ring.key_id(member.phone_cipher) != current)
