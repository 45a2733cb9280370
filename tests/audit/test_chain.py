"""verify_chain finds edited rows, deleted rows and a cut-off tail; concurrent writers stay in line."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from fangpin.audit.models import AuditEvent
from fangpin.audit.services import record_system_event, verify_chain

pytestmark = pytest.mark.django_db

TRIGGERS = {
    "sqlite": (["DROP TRIGGER audit_no_update", "DROP TRIGGER audit_no_delete"]),
    "postgresql": (["DROP TRIGGER audit_no_update_delete ON audit_auditevent"]),
}


@pytest.fixture
def chain():
    for n in range(1, 6):
        record_system_event("test.event", summary=f"第 {n} 件事")


@pytest.fixture
def tamper():
    """Raw SQL with the append-only triggers dropped: what an attacker with database access could do.
    The test's transaction is rolled back afterwards, which restores the triggers (DDL is transactional)."""

    def run(sql: str, params=()):
        with connection.cursor() as cursor:
            for drop in TRIGGERS[connection.vendor]:
                cursor.execute(drop)
            cursor.execute(sql, params)

    return run


def test_an_intact_chain_verifies(chain):
    report = verify_chain()
    assert report.ok and report.checked == 5
    call_command("verify_audit")


def test_an_edited_row_is_detected(chain, tamper):
    tamper("UPDATE audit_auditevent SET summary = %s WHERE seq = 3", ["改写过"])
    report = verify_chain()
    assert report.problems == ["第 3 条记录内容被篡改（哈希不符）"]
    with pytest.raises(CommandError, match="校验失败"):
        call_command("verify_audit")


def test_an_edit_that_also_recomputes_the_hash_breaks_the_next_link(chain, tamper):
    forged = AuditEvent.objects.get(seq=3)
    forged.summary = "改写过"
    tamper("UPDATE audit_auditevent SET summary = %s, hash = %s WHERE seq = 3", [forged.summary, forged.compute_hash()])
    assert verify_chain().problems == ["第 4 条记录的前序哈希与上一条不符"]


def test_a_deleted_row_is_detected(chain, tamper):
    tamper("DELETE FROM audit_auditevent WHERE seq = 2")
    problems = verify_chain().problems
    assert "第 2–2 条审计记录缺失（被删除）" in problems
    assert "第 3 条记录的前序哈希与上一条不符" in problems


def test_a_truncated_tail_is_detected(chain, tamper):
    tamper("DELETE FROM audit_auditevent WHERE seq >= 4")
    report = verify_chain()
    assert report.checked == 3
    assert report.problems == ["链头记录为第 5 条，实际最后一条为第 3 条（末尾记录被删除或篡改）"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite in-memory test databases are one connection")
def test_concurrent_appends_keep_the_chain_linear():
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for n in range(50):
                record_system_event("test.concurrent", summary=f"{name}-{n}")
        except BaseException as exc:  # noqa: BLE001 — reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 101))
    report = verify_chain()
    assert report.ok and report.checked == 100


AWKWARD = {"prev_hash": "x", "seq": 7, "文": "引号\"与反斜杠\\", "sep": "\u2028\u2029\t\n", "n": [1, 2.5, None, True],
           "nested": {"z": 1, "a": {"ts": "—"}}}


@pytest.mark.parametrize("summary", ["普通摘要", 'quote " and \\ backslash', "\u2028行分隔符\u2029后", ""])
def test_the_canonical_text_cut_at_the_link_joins_back_to_the_whole(summary):
    import datetime as dt

    event = AuditEvent(seq=123, ts=dt.datetime(2026, 12, 7, 23, 0, 0, 0, tzinfo=dt.UTC), user_id=None,
                       username="张三", role="village", ip="::1", action="test.cut", object_type="household",
                       object_id="42", region_code="130633100204", summary=summary, detail=AWKWARD, result="ok",
                       prev_hash="ab" * 32)
    a, b, c = event.canonical_around_link()
    assert (a + event.prev_hash + b + str(event.seq) + c).encode() == event.canonical()


def test_rows_appended_in_one_statement_verify_in_python():
    """On PostgreSQL the database hashes the row (``_PG_APPEND``); verify_chain recomputes it in Python.
    Awkward text (quotes, backslashes, line separators, keys named like the link) must hash alike."""
    from fangpin.audit.models import ChainHead

    record_system_event("test.first")  # creates the chain head (ORM path)
    for summary in ["普通摘要", 'quote " and \\ backslash', "\u2028行分隔符\u2029后", ""]:
        record_system_event("test.awkward", summary=summary, detail=AWKWARD)
    last = AuditEvent.objects.order_by("-seq").first()
    head = ChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (last.seq, last.hash)
    if connection.vendor == "postgresql":  # the one-statement path also keeps the link before the last
        assert head.prev_hash == last.prev_hash
    report = verify_chain()
    assert report.ok, report.problems
    assert report.checked == 5
