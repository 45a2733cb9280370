"""What-if simulation: a draft policy run on the engine next to today's, per county and village, against the
5 % / 10 % scale — no warning written, no policy changed; the counts equal the core's household by household."""

from __future__ import annotations

import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from fangpin.alerts import services, whatif
from fangpin.alerts.models import Simulation, Warning
from fangpin.audit.models import AuditEvent
from fangpin.cases.models import PolicyVersion
from fangpin.core.scale import check_scale
from fangpin.regions.models import Region
from fangpin.registry.models import HouseholdYear, Member
from tests.conftest import OTHER_COUNTY_VILLAGE, OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE

ZERO = Decimal("0")
PERIOD = "2026-10"
LINE = Decimal("9000")  # the draft line; the adopted one is 7,300


def year(household, wage, medical="0"):
    HouseholdYear.objects.create(household=household, year=2026, wage=Decimal(wage), business=ZERO,
                                 property_income=ZERO, transfer=ZERO, production_cost=ZERO,
                                 medical_oop=Decimal(medical), schooling_exp=ZERO, disaster_loss=ZERO,
                                 accident_exp=ZERO)


def people(n):
    return [("户主", "head"), *((f"成员{i}", "child") for i in range(1, n))]


@pytest.fixture
def county(make_household, policy):
    """Two persons each unless said: per-capita 4,500 (below both lines), 8,000 and 8,500 (between the
    lines), 20,000 with 50,000 out-of-pocket (rigid), 20,000 (fine), a monitoring household (fine);
    a big village with one household between the lines; the other county below both lines."""
    made = {
        "low": make_household(SIBLING_VILLAGE), "mid1": make_household(), "mid2": make_household(),
        "rigid": make_household(), "fine": make_household(), "jiance": make_household(hh_type="jiance"),
        "big": make_household(OTHER_TOWNSHIP_VILLAGE, members=people(30)),
        "mid3": make_household(OTHER_TOWNSHIP_VILLAGE),
        "far": make_household(OTHER_COUNTY_VILLAGE),
    }
    for key, wage, medical in (("low", "9000", "0"), ("mid1", "16000", "0"), ("mid2", "17000", "0"),
                               ("rigid", "40000", "50000"), ("fine", "40000", "0"), ("jiance", "40000", "0"),
                               ("big", "3000000", "0"), ("mid3", "16000", "0"), ("far", "2000", "0")):
        year(made[key], wage, medical)
    return made


def flagged_by_core(region, draft, monkeypatch):
    """The reference path (``services.find``: core ``evaluate()`` household by household) with the draft."""
    adopted = {}

    def draft_for(village, day):
        county = village[:6]
        if county not in adopted:
            adopted[county] = original(village, day).as_core()
        return SimpleNamespace(as_core=lambda: draft.apply(adopted[county]))

    original = services.policy_for
    with monkeypatch.context() as m:
        m.setattr(services, "policy_for", draft_for)
        found = list(services.find(region, services.period_end(PERIOD)))
    return {pk for pk, findings, _ in found if any(draft.keeps(f) for f in findings)}


def persons(pks):
    return Member.objects.filter(household_id__in=pks, status="active").count()


def simulate(region="130633", **draft):
    return whatif.simulate(region, services.period_end(PERIOD), whatif.parse_draft(**draft))


def test_a_raised_line_flags_at_least_todays_households_and_exactly_the_cores(county, monkeypatch):
    today = flagged_by_core("130633", whatif.Draft(), monkeypatch)  # an empty draft is the adopted policy
    drafted = flagged_by_core("130633", whatif.parse_draft(LINE), monkeypatch)
    assert today < drafted  # the fixture has households between the two lines
    result = simulate(monitoring_line=str(LINE))
    total = result["total"]
    assert total["draft"][0] >= total["today"][0]
    assert (total["today"][0], total["draft"][0]) == (len(today), len(drafted))
    assert (total["today"][1], total["draft"][1]) == (persons(today), persons(drafted))
    assert total["added"] == [len(drafted - today), persons(drafted - today)] and total["removed"] == [0, 0]
    assert county["far"].pk not in drafted and len(result["counties"]) == 1  # the other county is not in scope
    villages = {v["code"]: v for v in result["counties"][0]["villages"]}
    for code, village in villages.items():
        in_village = {pk for pk in drafted if county_of(county, pk) == code}
        assert village["draft"][0] == len(in_village)
    assert result["policies"][0]["monitoring_line"] == "7300.00" and result["policies"][0]["draft"]["monitoring_line"] == "9000"


def county_of(county, pk):
    return next(h.village_id for h in county.values() if h.pk == pk)


def test_it_writes_no_warning_and_leaves_the_adopted_policy_alone(county, users, settings):
    settings.ALERTS_RUN_INLINE = True
    before = list(PolicyVersion.objects.values())
    done = whatif.do_start_simulation(users["county"], "130633", PERIOD, whatif.parse_draft(LINE, "0.5", "0.3"))
    assert done.status == "queued"  # the returned row; the run happened inline
    done.refresh_from_db()
    assert done.status == "done" and done.progress == 100 and done.results["total"]["draft"][0] > 0
    assert Warning.objects.count() == 0 and services.ScreeningRun.objects.count() == 0
    assert list(PolicyVersion.objects.values()) == before
    assert AuditEvent.objects.filter(action="whatif.start").count() == 1
    assert AuditEvent.objects.filter(action="whatif.done").count() == 1


def test_rules_switched_off_and_rule_and_risk_counts(county, monkeypatch):
    draft = whatif.parse_draft(rules_off=["income_below_line"])
    result = simulate(rules_off=["income_below_line"])
    assert result["total"]["draft"][0] == len(flagged_by_core("130633", draft, monkeypatch))
    rules = {r["code"]: r for r in result["rules"]}
    assert rules["income_below_line"]["off"] and rules["income_below_line"]["draft"] == 0
    assert rules["income_below_line"]["today"] == result["total"]["today"][0] - 1  # all but the rigid household
    assert rules["rigid_over_income"]["today"] == rules["rigid_over_income"]["draft"] == 1
    risks = {r["risk"]: r for r in result["risks"]}
    assert risks["因病"]["draft"] == 1


def test_scale_against_the_5_and_10_percent(county, regions):
    """The big village: 32 persons, nobody monitored, one two-person household between the lines: 6.25 %."""
    result = simulate(monitoring_line=str(LINE))
    village = next(v for v in result["counties"][0]["villages"] if v["code"] == OTHER_TOWNSHIP_VILLAGE)
    assert village["population"] == 32 and village["scale_today"]["persons"] == 0
    assert village["scale_draft"]["persons"] == 2 and village["scale_draft"]["ratio"] == "6.3"
    assert village["scale_draft"]["over"] and village["scale_draft"]["level"] == "bad"
    assert not village["scale_today"]["over"] and village["scale_today"]["level"] == "ok"
    own = result["counties"][0]
    expected = check_scale(own["scale_draft"]["persons"], own["population"], deep_poverty=False)
    assert own["scale_draft"]["over"] == expected.over and own["scale_draft"]["ratio"] == str(expected.ratio)
    # the monitored scale counts the monitoring household once, flagged or not
    jiance = next(v for v in own["villages"] if v["code"] == OWN_VILLAGE)
    assert jiance["monitored"] == [1, 2] and jiance["scale_now"]["persons"] == 2
    assert jiance["scale_draft"]["persons"] == 2 + persons(
        {county[k].pk for k in ("mid1", "mid2", "rigid")})

    Region.objects.filter(code="130633").update(deep_poverty=True)  # up to 10 %: above 5 % is a warning only
    deep = simulate(monitoring_line=str(LINE))
    village = next(v for v in deep["counties"][0]["villages"] if v["code"] == OTHER_TOWNSHIP_VILLAGE)
    assert village["scale_draft"]["limit"] == "10" and not village["scale_draft"]["over"]
    assert village["scale_draft"]["level"] == "warn" and village["scale_draft"]["above_warning"]


def test_the_draft_is_checked_and_errors_name_the_field():
    with pytest.raises(whatif.DraftError, match="监测线“abc”不是数字") as bad:
        whatif.parse_draft("abc")
    assert bad.value.field == "monitoring_line"
    with pytest.raises(whatif.DraftError, match="收入骤减比例 1.5 超出范围"):
        whatif.parse_draft(collapse_ratio="1.5")
    with pytest.raises(whatif.DraftError, match="至少修改一项"):
        whatif.parse_draft()
    with pytest.raises(whatif.DraftError, match="至少保留一条规则"):
        whatif.parse_draft(rules_off=list(whatif.RULE_TITLES))
    draft = whatif.parse_draft("9,500元", rules_off=["water"])
    assert draft.monitoring_line == Decimal("9500") and whatif.Draft.from_json(draft.as_json()) == draft


def test_who_may_simulate_and_where(county, users, client):
    draft = whatif.parse_draft(LINE)
    with pytest.raises(services.AlertError, match="无权|须由"):
        whatif.do_start_simulation(users["township"], "130633100", PERIOD, draft)
    with pytest.raises(services.AlertError, match="管辖范围"):
        whatif.do_start_simulation(users["county"], "130623", PERIOD, draft)
    assert users["province"].can("simulate_policy") and not users["city"].can("simulate_policy")
    client.force_login(users["department"])
    assert client.get(reverse("alerts:whatif")).status_code == 403
    client.force_login(users["county"])
    other = Simulation.objects.create(region_id="130623", period=PERIOD, params={"monitoring_line": "9000"})
    assert client.get(reverse("alerts:whatif_detail", args=[other.pk])).status_code == 404


def test_the_page_runs_a_simulation_and_shows_the_comparison(county, users, client, settings):
    settings.ALERTS_RUN_INLINE = True
    client.force_login(users["county"])
    page = client.get(reverse("alerts:whatif")).content.decode()
    assert "7300.00" in page and 'name="monitoring_line"' in page
    bad = client.post(reverse("alerts:whatif"), {"period": PERIOD, "region": "130633", "monitoring_line": "-5",
                                                 "rules": list(whatif.RULE_TITLES)})
    assert bad.status_code == 200 and "监测线 -5 超出范围" in bad.content.decode()
    response = client.post(reverse("alerts:whatif"), {"period": PERIOD, "region": "130633", "monitoring_line": "9000",
                                                      "rules": list(whatif.RULE_TITLES)})
    simulation = Simulation.objects.get()
    assert response["Location"] == reverse("alerts:whatif_detail", args=[simulation.pk])
    assert simulation.status == "done" and Warning.objects.count() == 0
    detail = client.get(response["Location"]).content.decode()
    total = simulation.results["total"]
    assert f"<b>{total['today'][0]} 户</b><span>{total['today'][1]} 人 · 现行标准标记" in detail
    assert f"<b>{total['draft'][0]} 户</b><span>{total['draft'][1]} 人 · 模拟标准标记" in detail
    assert "梁格庄村委会" in detail and "badge bad" in detail and "bar draft w-" in detail
    status = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert status["HX-Refresh"] == "true" and 'id="whatif-status"' in status.content.decode()
    listed = client.get(reverse("alerts:whatif")).content.decode()
    assert f"{total['today'][0]} → {total['draft'][0]}" in listed


def test_the_policy_pages_and_the_queue_link_to_it(users, client, policy):
    client.force_login(users["county"])
    target = reverse("alerts:whatif")
    assert target in client.get(reverse("cases:policy_list")).content.decode()
    assert target in client.get(reverse("alerts:queue")).content.decode()
    client.force_login(users["township"])
    assert target not in client.get(reverse("cases:policy_list")).content.decode()


def test_the_command_prints_the_comparison(county, users):
    out = io.StringIO()
    call_command("whatif", period=PERIOD, line="9000", region="130633", stdout=out)
    text = out.getvalue()
    result = Simulation.objects.get().results
    total = result["total"]
    assert "100%" in text and "梁格庄村委会" in text
    assert f"现行标准 {total['today'][0]} 户 {total['today'][1]} 人，模拟标准 {total['draft'][0]} 户" in text
    assert Warning.objects.count() == 0
    with pytest.raises(CommandError, match="监测线"):
        call_command("whatif", period=PERIOD, line="x", region="130633", stdout=io.StringIO())
    with pytest.raises(CommandError, match="不在用户"):
        call_command("whatif", period=PERIOD, line="9000", region="130623", user="county", stdout=io.StringIO())


def test_a_province_compares_county_by_county(county, users, client, settings):
    settings.ALERTS_RUN_INLINE = True
    whatif.do_start_simulation(users["province"], "13", PERIOD, whatif.parse_draft(LINE))
    simulation = Simulation.objects.get()
    counties = {c["code"]: c for c in simulation.results["counties"]}
    assert set(counties) == {"130633", "130623"}
    assert counties["130623"]["today"] == counties["130623"]["draft"] == [1, 2]  # the far household, below both
    total = simulation.results["total"]
    assert total["draft"][0] == sum(c["draft"][0] for c in counties.values())
    client.force_login(users["province"])
    url = reverse("alerts:whatif_detail", args=[simulation.pk])
    overview = client.get(url).content.decode()
    assert "各县" in overview and "涞水县" in overview and "北关村委会" not in overview
    assert "北关村委会" in client.get(url, {"county": "130623"}).content.decode()
    client.force_login(users["county"])  # a county user does not see the province's simulation
    assert client.get(url).status_code == 404


def test_a_simulation_whose_thread_died_stops_blocking_the_region(county, users):
    import datetime as dt

    from django.utils import timezone

    stuck = Simulation.objects.create(region_id="130633", period=PERIOD, params={"monitoring_line": "9000"},
                                      status="running", heartbeat=timezone.now())
    with pytest.raises(services.AlertError, match="正在运行"):
        whatif.do_start_simulation(users["county"], "130633", PERIOD, whatif.parse_draft(LINE))
    Simulation.objects.filter(pk=stuck.pk).update(heartbeat=timezone.now() - whatif.STALE - dt.timedelta(seconds=1))
    fresh = whatif.do_start_simulation(users["county"], "130633", PERIOD, whatif.parse_draft(LINE))
    stuck.refresh_from_db()
    assert stuck.status == "failed" and "重新发起" in stuck.failure and fresh.pk != stuck.pk


def test_the_command_on_spark_gives_the_duckdb_figures(county, users):
    """The same compiled rules on Spark (local[2]): the simulation's results are the DuckDB run's."""
    call_command("whatif", period=PERIOD, line="9000", region="130633", stdout=io.StringIO())
    call_command("whatif", period=PERIOD, line="9000", region="130633", engine="spark", stdout=io.StringIO())
    duckdb, spark = (s.results for s in Simulation.objects.order_by("pk"))
    assert spark == duckdb and spark["total"]["draft"][0] > spark["total"]["today"][0]
    with pytest.raises(CommandError, match="--master"):
        call_command("whatif", period=PERIOD, line="9000", region="130633", master="local[1]", stdout=io.StringIO())
