"""Transactional tests can write audit rows: the flush between tests gets past the append-only triggers
(tests/conftest.py drops and re-creates them around the flush, on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

from fangpin.audit.models import AuditEvent
from fangpin.audit.services import record_system_event, verify_chain


def _triggers() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'")
        else:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass "
                           "AND NOT tgisinternal")
        return cursor.fetchone()[0]


@pytest.mark.parametrize("run", [1, 2])
@pytest.mark.django_db(transaction=True)
def test_each_transactional_test_starts_with_an_empty_chain_and_its_triggers(run):
    assert AuditEvent.objects.count() == 0  # the previous run's rows were flushed
    assert _triggers() == 2  # sqlite: update+delete; postgresql: update/delete + truncate
    for n in range(3):
        record_system_event("test.flush", summary=f"run {run} event {n}")
    assert verify_chain().ok
    assert AuditEvent.objects.order_by("seq").first().seq == 1
