"""Screening: every household judged on registry + department data, warnings exactly once (also after a
killed run), warnings to leads or dismissed, the queue, who may do it."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from fangpin import pii
from fangpin.alerts import services
from fangpin.alerts.models import ScreeningRun, Warning
from fangpin.audit.models import AuditEvent
from fangpin.cases.models import Lead
from fangpin.datasets.services import do_upload_dataset
from fangpin.registry.models import HouseholdYear
from tests.conftest import OTHER_COUNTY_VILLAGE, SIBLING_VILLAGE

ZERO = Decimal("0")


def year(household, wage):
    HouseholdYear.objects.create(household=household, year=2026, wage=Decimal(wage), business=ZERO,
                                 property_income=ZERO, transfer=ZERO, production_cost=ZERO, medical_oop=ZERO,
                                 schooling_exp=ZERO, disaster_loss=ZERO, accident_exp=ZERO)


@pytest.fixture
def county(make_household, users, policy):
    """A: income fine but 50,000 out-of-pocket this year; B: income below the line; C: fine; far: other county."""
    a, b, c = make_household(), make_household(SIBLING_VILLAGE), make_household()
    far = make_household(OTHER_COUNTY_VILLAGE)
    for household, wage in ((a, "40000"), (b, "9000"), (c, "40000"), (far, "1000")):
        year(household, wage)
    head = pii.decrypt(a.members.get(relation="head").id_cipher)
    data = f"身份证号,结算日期,个人自付\n{head},2026-06-01,30000\n{head},2026-09-15,20000\n{head},2025-09-01,99999\n"
    do_upload_dataset(users["county"], "medical_insurance", data.encode(), "医保.csv")
    return {"a": a, "b": b, "c": c, "far": far}


def run(users, period="2026-10"):
    created = ScreeningRun.objects.create(region_id="130633", period=period, started_by=users["county"])
    return services.run_screening(created.pk)


def keys():
    return set(Warning.objects.values_list("household_id", "rule", "period"))


@pytest.fixture(params=["duckdb", "python"])
def engine(request, settings):
    """Both ways of finding: the compiled rules on DuckDB (default) and the core's reference path."""
    settings.SCREENING_ENGINE = request.param
    return request.param


def test_each_finding_becomes_one_warning_with_its_evidence(users, county, engine):
    done = run(users)
    assert done.status == "done" and done.households == 3 and done.records == 2  # last year's bill is outside
    assert keys() == {(county["a"].pk, "rigid_over_income", "2026-10"), (county["b"].pk, "income_below_line", "2026-10")}
    rigid = Warning.objects.get(rule="rigid_over_income")
    assert rigid.text == "刚性支出 50,000 元（医疗自付 50,000 元）> 上年家庭纯收入 40,000 元"
    assert len(rigid.evidence) == 2 and rigid.policy_version == "13-2026-1"
    assert done.new_warnings == 2 and AuditEvent.objects.filter(action="screening.done").count() == 1
    again = run(users)
    assert again.new_warnings == 0 and Warning.objects.count() == 2
    run(users, "2026-11")  # another month is another period
    assert Warning.objects.count() == 4


def test_a_run_killed_half_way_and_run_again_gives_the_same_warnings(users, county, monkeypatch, settings):
    settings.SCREENING_ENGINE = "python"  # the reference path reports progress per batch: die after the first
    monkeypatch.setattr(services, "BATCH", 1)
    seen = []

    def die_after_the_first_batch(done, total, records):
        seen.append(done)
        if len(seen) == 2:
            raise KeyboardInterrupt  # like kill -9: no clean-up runs

    original = services.find
    monkeypatch.setattr(services, "find", lambda region, end, progress=None: original(region, end,
                                                                                       die_after_the_first_batch))
    with pytest.raises(KeyboardInterrupt):
        run(users)
    assert ScreeningRun.objects.get().status == "running" and Warning.objects.count() < 2
    monkeypatch.setattr(services, "find", original)
    run(users)
    assert keys() == {(county["a"].pk, "rigid_over_income", "2026-10"), (county["b"].pk, "income_below_line", "2026-10")}


def test_warnings_become_leads_or_are_dismissed_with_a_reason(client, users, county):
    run(users)
    client.force_login(users["county"])
    page = client.get(reverse("alerts:queue")).content.decode()
    assert "因病" in page and county["a"].hh_no in page and county["b"].hh_no in page
    rigid = Warning.objects.get(rule="rigid_over_income")
    client.post(reverse("alerts:act", args=[rigid.pk]), {"do": "lead"})
    rigid.refresh_from_db()
    lead = Lead.objects.get(pk=rigid.lead_id)
    assert rigid.status == "lead" and lead.channel == "screening" and lead.case.household == county["a"]
    assert lead.details["warning"] == rigid.pk
    twice = client.post(reverse("alerts:act", args=[rigid.pk]), {"do": "lead"}, follow=True)
    assert "已被处理" in twice.content.decode() and Lead.objects.count() == 1
    low = Warning.objects.get(rule="income_below_line")
    empty = client.post(reverse("alerts:act", args=[low.pk]), {"do": "dismiss", "reason": " "}, follow=True)
    assert "须填写理由" in empty.content.decode()
    client.post(reverse("alerts:act", args=[low.pk]), {"do": "dismiss", "reason": "已核实：收入统计漏报务工收入"})
    low.refresh_from_db()
    assert (low.status, low.reason) == ("dismissed", "已核实：收入统计漏报务工收入")
    assert "没有待处理的预警" in client.get(reverse("alerts:queue")).content.decode()


def test_only_the_county_runs_screening(client, users, county):
    with pytest.raises(services.AlertError, match="县级"):
        services.do_start_run(users["township"], "130633100", "2026-10")
    with pytest.raises(services.AlertError, match="YYYY-MM"):
        services.do_start_run(users["county"], "130633", "2026-13")
    client.force_login(users["department"])
    assert client.get(reverse("alerts:runs")).status_code == 403


def test_the_page_starts_a_run_and_shows_its_progress(client, users, county, settings):
    settings.ALERTS_RUN_INLINE = True
    client.force_login(users["county"])
    response = client.post(reverse("alerts:runs"), {"period": "2026-10"})
    done = ScreeningRun.objects.get()
    assert response["Location"] == reverse("alerts:run", args=[done.pk]) and done.status == "done"
    status = client.get(reverse("alerts:run", args=[done.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="run-status"' in status and "hx-get" not in status and "3 / 3" in status


def test_the_command_prints_progress_and_the_summary(users, county):
    out = io.StringIO()
    call_command("screen", period="2026-10", region="130633", engine="python", stdout=out)
    assert "100%" in out.getvalue() and "新增预警 2 条" in out.getvalue()
    again = io.StringIO()
    call_command("screen", period="2026-10", region="130633", stdout=again)  # the engine finds the same: none new
    assert "发现风险 2 项，新增预警 0 条" in again.getvalue()


def test_the_queue_leaves_out_households_already_in_the_procedure_unless_asked(client, users, county):
    from fangpin.cases.services import do_open_lead

    run(users)
    do_open_lead(county["b"], "visit", "走访发现困难")  # B already has an open case
    client.force_login(users["county"])
    page = client.get(reverse("alerts:queue")).content.decode()
    assert county["a"].hh_no in page and county["b"].hh_no not in page
    assert county["b"].hh_no in client.get(reverse("alerts:queue"), {"all": "1"}).content.decode()
