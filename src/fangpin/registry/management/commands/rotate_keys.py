"""Re-encrypt personal data under the current key (the first of FANGPIN_PII_KEYS).

Rotation: prepend a new key to FANGPIN_PII_KEYS, restart, run this command, then drop the
old key. Every model field named ``*_cipher`` in the project is covered (members, public
applications, plan helpers, and any added later). Rows are re-encrypted in batches by primary
key, each batch in its own transaction, and rows already under the current key are skipped, so
the command can be interrupted and re-run (it resumes where it stopped); the blind index key is
separate and does not change. Sealed files (visit photos, pending uploads, ledger import jobs: the folders of
``pii.SEALED_DIRS`` under MEDIA_ROOT) are re-sealed the same way, each file replaced whole.
"""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from fangpin import pii
from fangpin.audit.services import record_system_event

BATCH = 2000


def cipher_fields() -> dict[type, list[str]]:
    """Every concrete model with ``*_cipher`` fields → those field names."""
    found: dict[type, list[str]] = {}
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if f.name.endswith("_cipher")]
        if names and not model._meta.proxy:
            found[model] = names
    return found


def rotate_model(model, fields: list[str], *, batch_size: int = BATCH, start_after=None) -> int:
    """Re-encrypt the stale ciphers of one model; returns the number of rows rewritten."""
    ring = pii.keyring()
    current = ring.current_id
    pk = model._meta.pk.attname
    last = start_after
    total = 0
    while True:
        qs = model._default_manager.order_by(pk).only(pk, *fields)
        if last is not None:
            qs = qs.filter(**{f"{pk}__gt": last})
        batch = list(qs[:batch_size])
        if not batch:
            break
        last = getattr(batch[-1], pk)
        stale = []
        for row in batch:
            changed = False
            for name in fields:
                token = getattr(row, name)
                if token and ring.key_id(token) != current:
                    setattr(row, name, ring.encrypt(ring.decrypt(token)))
                    changed = True
            if changed:
                stale.append(row)
        if stale:
            with transaction.atomic():
                model._default_manager.bulk_update(stale, fields)
        total += len(stale)
    return total


def rotate_files(media_root: Path | None = None) -> tuple[dict[str, int], list[str]]:
    """Re-seal the stale files of every sealed folder → (files re-sealed per folder, sealed-looking files found
    outside those folders, which cannot be re-sealed without knowing their context)."""
    root = Path(media_root or settings.MEDIA_ROOT)
    counts: dict[str, int] = {}
    for folder, context in pii.SEALED_DIRS.items():
        paths = sorted(p for p in (root / folder).rglob("*") if p.is_file() and not p.name.endswith(".reseal"))
        counts[folder] = sum(pii.reseal_file(p, context) for p in paths)
    strays = []
    if root.exists():
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.relative_to(root).parts[0] not in pii.SEALED_DIRS:
                with path.open("rb") as fh:
                    if pii.sealed_key_id(fh.read(64)) is not None:
                        strays.append(str(path.relative_to(root)))
    return counts, strays


class Command(BaseCommand):
    help = "用当前密钥重新加密全部加密字段（身份证号、电话等；密钥轮换），分批进行，可中断后重跑"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=BATCH, help=f"每批行数（默认 {BATCH}）")

    def handle(self, *args, **options):
        current = pii.keyring().current_id
        counts: dict[str, int] = {}
        for model, fields in cipher_fields().items():
            counts[model._meta.label] = rotate_model(model, fields, batch_size=options["batch_size"])
        total = sum(counts.values())
        files, strays = rotate_files()
        record_system_event("pii.rotate_keys", summary=f"密钥轮换：重新加密 {total} 行、{sum(files.values())} 个文件",
                            detail={"key_id": current, "rows": counts, "files": files, "unknown_files": len(strays)})
        for label, n in counts.items():
            self.stdout.write(f"{label}: {n} 行")
        for folder, n in files.items():
            self.stdout.write(f"文件 {folder}/: {n} 个")
        self.stdout.write(f"已用密钥 {current} 重新加密 {total} 行、{sum(files.values())} 个文件")
        for name in strays:
            self.stderr.write(f"警告：{name} 是加密文件但不在已登记的目录中（pii.SEALED_DIRS），未能轮换")
