"""The county page shows the monitored scale against 5 % / 10 % and the villages with none."""

from fangpin.cases.models import Case
from fangpin.cases.scale import county_scale
from fangpin.cases.services import do_case_action, do_open_lead
from fangpin.regions.models import Region
from tests.conftest import OWN_VILLAGE, SIBLING_VILLAGE


def test_monitored_households_count_by_type_and_by_procedure(make_household, users, policy):
    make_household(OWN_VILLAGE, members=(("甲", "head"), ("乙", "spouse")), hh_type="jiance")
    decided = make_household(SIBLING_VILLAGE, members=(("丙", "head"),), hh_type="yiban")
    make_household(SIBLING_VILLAGE, members=(("丁", "head"),), hh_type="yiban")
    county = Region.objects.get(code="130633")
    before = county_scale(county)
    assert (before.check.monitored, before.check.population) == (2, 4)
    assert [v.code for v in before.villages_without] == [SIBLING_VILLAGE]

    case_id = do_open_lead(decided, "self", "申请").case_id
    Case.objects.filter(pk=case_id).update(state="county_decision")  # the earlier steps are tested elsewhere
    do_case_action(users["county"], case_id, "submit", seen_state="county_decision",
                   data={"category": "边缘易致贫户", "risk_types": ["因病"]})
    after = county_scale(county)
    assert after.check.monitored == 3 and after.villages_without == [] and after.villages_without_count == 0
    assert after.check.over  # 3 of 4 persons is far above 5 %


def test_county_home_shows_the_check_and_deep_poverty_limit(client, make_household, users, policy):
    make_household(OWN_VILLAGE, hh_type="jiance")
    Region.objects.filter(code="130633").update(deep_poverty=True)
    client.force_login(users["county"])
    body = client.get("/").content.decode()
    assert "监测规模" in body and "参考规模 10%" in body and "深度贫困县" in body
    client.force_login(users["township"])
    assert "监测规模" not in client.get("/").content.decode()
