"""`fangpin demo_data`: writes the generated county completely, or nothing, and only where allowed."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from fangpin import pii
from fangpin.audit.models import AuditEvent
from fangpin.core.idcard import parse_id
from fangpin.demo import calibration as cal
from fangpin.demo import services
from fangpin.demo.generator import Generator
from fangpin.regions.models import Region
from fangpin.registry.models import ChangeRecord, Household, HouseholdYear, Member

SCALE = 0.01


def run(**options) -> str:
    out = io.StringIO()
    call_command("demo_data", county="130633", stdout=out, **{"seed": 3, "scale": SCALE, **options})
    return out.getvalue()


def expected_households() -> int:
    return sum(cal.scaled(g.households, SCALE) for g in cal.GROUPS)


def test_writes_every_household_member_and_year_of_the_scaled_county(yixian):
    output = run()
    n = expected_households()
    assert Household.objects.count() == n
    assert HouseholdYear.objects.filter(year__in=cal.YEARS).count() == 2 * n
    assert ChangeRecord.objects.filter(source="demo", action="create").count() == n
    assert Household.objects.filter(hh_type="tuopin").count() == cal.scaled(16_620, SCALE)
    assert Household.objects.filter(is_dibao=True).count() == sum(cal.scaled(g.dibao_households, SCALE)
                                                                  for g in cal.GROUPS)
    assert f"{n} 户" in output


def test_stored_people_are_exactly_the_generated_plan(yixian):
    run()
    county = Region.objects.get(code="130633")
    plan = Generator("130633", services.county_villages(county), seed=3, scale=SCALE,
                     neighbours=services.neighbour_areas(county)).run()
    stored = {(m.household.hh_no, pii.decrypt(m.id_cipher), m.name, m.relation)
              for m in Member.objects.select_related("household")}
    assert stored == {(hh.hh_no, m.idn.value, m.name, m.relation) for hh in plan for m in hh.members}


def test_id_numbers_are_valid_encrypted_and_shown_masked(yixian):
    run()
    for m in Member.objects.all():
        value = pii.decrypt(m.id_cipher)
        idn = parse_id(value)
        assert value not in m.id_cipher
        assert m.id_masked == idn.masked and m.birth_date == idn.birth_date and m.sex == idn.sex
        assert m.id_index == pii.id_index(value)
        assert m.phone_masked == "" or "****" in m.phone_masked


def test_one_system_audit_event_with_counts_and_no_personal_data(yixian):
    run()
    event = AuditEvent.objects.get(action="demo.generate")
    assert event.detail["households"] == expected_households()
    assert event.detail["members"] == Member.objects.count()
    some_id = pii.decrypt(Member.objects.first().id_cipher)
    assert some_id not in str(event.detail) + event.summary


def test_if_empty_skips_a_county_that_already_has_households(yixian):
    run()
    before = Member.objects.count()
    assert "跳过" in run(if_empty=True, seed=4)
    assert Member.objects.count() == before


def test_without_if_empty_a_filled_county_is_refused_in_chinese(yixian):
    run()
    with pytest.raises(CommandError, match="已有 .* 户农户数据"):
        run(seed=4)


def test_a_failure_half_way_leaves_nothing_written(yixian, monkeypatch):
    real_insert = services.insert

    def failing(model, rows):
        if model is HouseholdYear:
            raise RuntimeError("disk full")
        real_insert(model, rows)

    monkeypatch.setattr(services, "insert", failing)
    with pytest.raises(RuntimeError):
        run()
    assert Household.objects.count() == Member.objects.count() == 0
    assert not AuditEvent.objects.filter(action="demo.generate").exists()


def test_needs_the_regions_loaded_first(db):
    with pytest.raises(CommandError, match="load_regions"):
        run()


def test_is_refused_in_production(yixian, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产环境"):
        run()
    assert Household.objects.count() == 0


def test_rejects_a_scale_out_of_range(yixian):
    with pytest.raises(CommandError, match="--scale"):
        run(scale=0)
