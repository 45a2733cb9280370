"""The audit log cannot be edited or deleted: not through the model, the queryset, or raw SQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from fangpin.audit.models import AppendOnlyError, AuditEvent
from fangpin.audit.services import record, record_system_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return record_system_event("test.event", summary="原始摘要")


def test_saving_an_existing_event_is_refused(event):
    event.summary = "改过的摘要"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).summary == "原始摘要"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_are_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize("sql", [
    "UPDATE audit_auditevent SET summary = 'x'",
    "DELETE FROM audit_auditevent",
])
def test_raw_sql_update_and_delete_fail_in_the_database(event, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).summary == "原始摘要"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_truncate_fails_on_postgresql(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 1


def test_record_takes_the_user_and_address_from_the_request(rf, users):
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    request.user = users["county"]
    event = record(request, "thing.done", object_type="household", object_id=7, region_code="130633",
                   summary="做了一件事")
    assert (event.username, event.role, event.ip, event.object_id) == ("county", "county", "10.1.2.3", "7")
    assert event.seq == 1 and event.prev_hash == "0" * 64
