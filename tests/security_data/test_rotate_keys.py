"""rotate_keys re-encrypts every *_cipher field of the project, in batches, and resumes after an interruption."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from fangpin import pii
from fangpin.audit.models import AuditEvent
from fangpin.cases.models import PublicApplication
from fangpin.plans.models import Plan
from fangpin.registry.management.commands import rotate_keys
from fangpin.registry.models import Member
from tests.conftest import OWN_VILLAGE

OLD = "old:" + base64.b64encode(b"o" * 32).decode()
NEW = "new:" + base64.b64encode(b"n" * 32).decode()
BLIND = base64.b64encode(b"b" * 32).decode()


def test_every_cipher_field_of_the_project_is_covered():
    found = {model._meta.label: fields for model, fields in rotate_keys.cipher_fields().items()}
    # at least these (apps added later bring their own *_cipher fields, found by the same name rule)
    assert {label: found.get(label) for label in ("registry.Member", "cases.PublicApplication", "plans.Plan")} == {
        "registry.Member": ["id_cipher", "phone_cipher"],
        "cases.PublicApplication": ["id_cipher", "phone_cipher"],
        "plans.Plan": ["helper_phone_cipher"],
    }


def _application(n: int) -> PublicApplication:
    id_number, phone = f"13063319800101{n:03d}", f"1380000{n:04d}"
    return PublicApplication.objects.create(
        receipt_no=f"R{n:05d}", submitted_at=timezone.now(), name="王五", id_cipher=pii.encrypt(id_number),
        id_index=pii.id_index(id_number), id_masked="130633********0000", phone_cipher=pii.encrypt(phone),
        phone_index=pii.phone_index(phone), phone_masked="138****0000", village_id=OWN_VILLAGE, risk_type="因病",
        text="看病花费大", ip_hash="x")


def _clear(rows, field):
    return {r.pk: pii.decrypt(getattr(r, field)) for r in rows}


@pytest.fixture
def old_keys(settings):
    settings.PII_KEYS, settings.BLIND_INDEX_KEY = OLD, BLIND
    return settings


@pytest.mark.django_db
def test_all_models_rotate_and_an_interrupted_run_resumes(old_keys, make_household, case, monkeypatch):
    settings = old_keys
    make_household(members=(("张三", "head"), ("李四", "spouse")))
    apps_ = [_application(n) for n in range(5)]
    Plan.objects.create(case=case, helper_name="赵六", helper_phone_cipher=pii.encrypt("13900001111"),
                        helper_phone_masked="139****1111")
    members = list(Member.objects.all())
    before = (_clear(members, "id_cipher"), _clear(members, "phone_cipher"), _clear(apps_, "id_cipher"),
              _clear(apps_, "phone_cipher"))

    settings.PII_KEYS = f"{NEW},{OLD}"
    # interrupted after the first batch of 2 public applications: those two are done, the rest still old
    manager = PublicApplication._default_manager
    original = manager.bulk_update
    calls = {"n": 0}

    class Boom(Exception):
        pass

    def failing_second_batch(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise Boom
        return original(*a, **kw)

    monkeypatch.setattr(manager, "bulk_update", failing_second_batch)
    with pytest.raises(Boom):
        rotate_keys.rotate_model(PublicApplication, ["id_cipher", "phone_cipher"], batch_size=2)
    monkeypatch.undo()
    kids = sorted(pii.keyring().key_id(a.id_cipher) for a in PublicApplication.objects.all())
    assert kids == ["new", "new", "old", "old", "old"]

    out = io.StringIO()
    call_command("rotate_keys", "--batch-size", "2", stdout=out)
    # the re-run skips the two already rotated: 4 members (2 in the case household, 2 here) + 3 applications + 1 plan
    assert "重新加密 8 行" in out.getvalue()
    settings.PII_KEYS = NEW  # the old key is gone: everything still decrypts, to the same values
    members = list(Member.objects.all())
    apps_ = list(PublicApplication.objects.order_by("pk"))
    assert (_clear(members, "id_cipher"), _clear(members, "phone_cipher"), _clear(apps_, "id_cipher"),
            _clear(apps_, "phone_cipher")) == before
    assert pii.decrypt(Plan.objects.get().helper_phone_cipher) == "13900001111"
    event = AuditEvent.objects.filter(action="pii.rotate_keys").get()
    rewritten = {label: n for label, n in event.detail["rows"].items() if n}
    assert rewritten == {"registry.Member": 4, "cases.PublicApplication": 3, "plans.Plan": 1}


@pytest.mark.django_db
def test_sealed_files_are_resealed_and_strays_reported(old_keys, tmp_path):
    settings = old_keys
    settings.MEDIA_ROOT = tmp_path
    payloads = {"visits/p1.bin": b"\xff\xd8photo", "datasets/pending-x.bin": b"id,name\n1,a",
                "ledger/job-1.bin": b"PK\x03\x04xlsx", "supervision/e1.bin": b"%PDF-1.7 evidence"}
    for name, data in payloads.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pii.seal_bytes(data, pii.SEALED_DIRS[name.split("/")[0]]))
        path.chmod(0o600)
    (tmp_path / "ledger" / "report.xlsx").write_bytes(b"PK\x03\x04 not sealed")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x.bin").write_bytes(pii.seal_bytes(b"secret", b"other"))

    settings.PII_KEYS = f"{NEW},{OLD}"
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_keys", stdout=out, stderr=err)
    assert "文件 visits/: 1 个" in out.getvalue() and "文件 ledger/: 1 个" in out.getvalue()
    assert "other/x.bin" in err.getvalue()
    settings.PII_KEYS = NEW  # the old key is gone: the files open, to the same bytes, and kept their mode
    for name, data in payloads.items():
        path = tmp_path / name
        assert pii.sealed_key_id(path.read_bytes()) == "new"
        assert pii.open_bytes(path.read_bytes(), pii.SEALED_DIRS[name.split("/")[0]]) == data
        assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "ledger" / "report.xlsx").read_bytes() == b"PK\x03\x04 not sealed"
    assert not list(tmp_path.rglob("*.reseal"))
    again = io.StringIO()
    call_command("rotate_keys", stdout=again, stderr=io.StringIO())
    assert "0 个文件" in again.getvalue()
    event = AuditEvent.objects.filter(action="pii.rotate_keys").order_by("pk").first()
    assert event.detail["files"] == {"visits": 1, "datasets": 1, "ledger": 1, "supervision": 1}
    assert event.detail["unknown_files"] == 1
