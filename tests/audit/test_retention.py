"""Audit retention: purge_audit never removes rows younger than 183 days, keeps the chain verifiable from an
anchor, is itself audited, and the database refuses deletes outside the purge path."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from fangpin.audit import triggers
from fangpin.audit.models import AuditEvent, ChainHead
from fangpin.audit.services import GENESIS, PurgeRefused, _append, do_purge, verify_chain

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2025, 7, 1, 12, 0, tzinfo=UTC)  # the frozen clock; 183 days earlier is 2024-12-30 12:00


@pytest.fixture(autouse=True)
def current_triggers():
    """A flush in an earlier transactional test may have re-created older trigger versions."""
    triggers.install(connection)


def _old(ts: dt.datetime, n: int) -> AuditEvent:
    return _append(ts=ts, user_id=None, username="t", role="", ip="", action="test.old", object_type="",
                   object_id="", region_code="", summary=f"event {n}", detail={}, result="ok")


@pytest.fixture
def history():
    """Seven rows: four before the cutoff, one exactly at it, two after (one the day before NOW)."""
    days = [dt.datetime(2024, 10, 1, tzinfo=UTC), dt.datetime(2024, 11, 1, tzinfo=UTC),
            dt.datetime(2024, 12, 1, tzinfo=UTC), dt.datetime(2024, 12, 30, 11, 59, tzinfo=UTC),
            dt.datetime(2024, 12, 30, 12, 0, tzinfo=UTC), dt.datetime(2025, 3, 1, tzinfo=UTC),
            dt.datetime(2025, 6, 30, tzinfo=UTC)]
    return [_old(ts, n) for n, ts in enumerate(days, 1)]


def test_purge_removes_only_rows_older_than_183_days_and_the_chain_still_verifies(history):
    result = do_purge(183, now=NOW)
    assert result.cutoff == dt.datetime(2024, 12, 30, 12, 0, tzinfo=UTC)
    assert result.purged == 4
    left = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert left == [5, 6, 7, 8]  # row 8 is the purge's own record
    head = ChainHead.objects.get(pk=1)
    assert (head.anchor_seq, head.anchor_hash) == (4, history[3].hash)
    purge = AuditEvent.objects.get(seq=8)
    assert purge.action == "audit.purge" and purge.username.startswith("system:")
    assert purge.detail["purged"] == 4 and purge.detail["anchor_seq"] == 4
    report = verify_chain()
    assert report.ok, report.problems
    assert report.checked == 4


def test_a_longer_retention_keeps_more_and_a_second_purge_moves_the_anchor(history):
    first = do_purge(250, now=NOW)  # cutoff 2024-10-24 12:00: only the 2024-10-01 row is older
    assert (first.purged, first.anchor_seq) == (1, 1)
    second = do_purge(183, now=NOW)  # rows 2–4 now; the first purge's record (row 8) is young and stays
    assert (second.purged, second.anchor_seq, second.anchor_hash) == (3, 4, history[3].hash)
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [5, 6, 7, 8, 9]
    assert verify_chain().ok


def test_nothing_is_removed_when_every_row_is_young(history):
    result = do_purge(183, now=dt.datetime(2025, 1, 1, tzinfo=UTC))  # cutoff 2024-07-02
    assert result.purged == 0 and (result.anchor_seq, result.anchor_hash) == (0, GENESIS)
    assert AuditEvent.objects.count() == 8
    assert verify_chain().ok


def test_a_retention_below_183_days_is_refused_and_the_refusal_audited(history):
    with pytest.raises(PurgeRefused, match="183"):
        do_purge(182, now=NOW)
    with pytest.raises(CommandError, match="183"):
        call_command("purge_audit", "--older-than-days", "30")
    assert AuditEvent.objects.filter(action="test.old").count() == 7
    denied = AuditEvent.objects.filter(action="audit.purge", result="denied")
    assert sorted(e.detail["older_than_days"] for e in denied) == [30, 182]
    assert verify_chain().ok


def test_the_command_uses_the_real_clock(history):
    out = io.StringIO()
    call_command("purge_audit", "--older-than-days", "183", stdout=out)
    # every history row is from 2024-10 … 2025-06, more than 183 days before the machine's clock (2026)
    assert "审计记录 7 条" in out.getvalue()
    assert AuditEvent.objects.filter(action="test.old").count() == 0
    assert verify_chain().ok


def _open_gate(cursor):
    if connection.vendor == "postgresql":
        cursor.execute("SELECT set_config('fangpin.audit_purge', 'on', true)")
    else:
        cursor.execute("INSERT OR REPLACE INTO audit_purgegate (id, is_open) VALUES (1, 1)")


def test_the_database_refuses_a_young_row_even_through_the_open_gate(history):
    young = _old(dt.datetime.now(UTC) - dt.timedelta(days=182), 8)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        _open_gate(cursor)
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [young.seq])
    assert AuditEvent.objects.filter(seq=young.seq).exists()


def test_the_database_refuses_deletes_outside_the_purge_path(history):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 1")
    assert AuditEvent.objects.count() == 7


def test_verify_finds_a_prefix_deleted_behind_the_purge_and_a_moved_anchor(history):
    do_purge(183, now=NOW)
    assert verify_chain().ok
    # an intruder with the owner's rights deletes the next old row and moves the anchor onto it
    with transaction.atomic(), connection.cursor() as cursor:
        _open_gate(cursor)
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 5")
    report = verify_chain()
    assert not report.ok and any("前序哈希" in p for p in report.problems)
    ChainHead.objects.filter(pk=1).update(anchor_seq=5, anchor_hash=history[4].hash)
    report = verify_chain()
    assert not report.ok
    assert any("清理锚点（第 5 条）与第 8 条清理记录不符" in p for p in report.problems)
    with pytest.raises(CommandError, match="清理锚点"):
        call_command("verify_audit")


def test_an_anchor_without_any_purge_is_reported(history):
    ChainHead.objects.filter(pk=1).update(anchor_seq=1, anchor_hash=history[0].hash)
    report = verify_chain()
    assert any("没有任何清理记录" in p for p in report.problems)
    assert any("不大于清理锚点" in p for p in report.problems)
