"""seed_policy: a fresh install (and `make demo`) gets a province policy once, never twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from fangpin.audit.models import AuditEvent
from fangpin.cases.models import PolicyVersion
from fangpin.cases.services import policy_for


def test_seed_creates_the_province_policy_once(regions):
    call_command("seed_policy", province="13", year=2026, line="7300")
    call_command("seed_policy", province="13", year=2026, line="9999")
    version = PolicyVersion.objects.get()
    assert (version.version, version.monitoring_line, version.effective_from) == (
        "13-2026-1", Decimal("7300"), dt.date(2026, 1, 1))
    assert policy_for("130633100201", dt.date(2026, 11, 23)) == version
    assert AuditEvent.objects.filter(action="policy.seed").count() == 1


def test_seed_refuses_an_unknown_province_and_a_bad_line(regions):
    with pytest.raises(CommandError, match="省级区划 99 不存在"):
        call_command("seed_policy", province="99", year=2026, line="7300")
    with pytest.raises(CommandError, match="监测线“abc”不是数字"):
        call_command("seed_policy", province="13", year=2026, line="abc")
    assert not PolicyVersion.objects.exists()
