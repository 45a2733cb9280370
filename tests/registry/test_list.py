"""The household list: scope, filters, search by name / initials / ID number, bounded queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fangpin.audit.models import AuditEvent
from fangpin.registry.models import Member
from tests.conftest import OTHER_COUNTY_VILLAGE, OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE
from tests.registry.conftest import clear_ids

URL = reverse("registry:list")


def listed(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_county_user_sees_own_county_only(login, make_household):
    mine = make_household(OTHER_TOWNSHIP_VILLAGE)
    theirs = make_household(OTHER_COUNTY_VILLAGE)
    body = listed(login("county").get(URL))
    assert mine.hh_no in body
    assert theirs.hh_no not in body


@pytest.mark.django_db
def test_row_shows_head_masked_id_village_type_and_member_count(login, make_household):
    household = make_household(members=(("张三", "head"), ("李四", "spouse"), ("张小", "son")), is_dibao=True)
    Member.objects.filter(household=household, name="张小").update(status="moved_out")
    body = listed(login("village").get(URL))
    head = household.members.get(relation="head")
    assert "张三" in body and head.id_masked in body
    assert "东关村委会" in body and "脱贫户" in body and "低保" in body
    assert '<td data-label="在户人数" class="num">2</td>' in body
    assert all(clear not in body for clear in clear_ids(household))


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "hit", "miss"), [
    ("hh_type=jiance", "J", "T"),
    ("flag=dibao", "D", "T"),
    ("flag=dibao&flag=tekun", "DT", "D"),
    ("housing=CD", "H", "T"),
    ("labour=none", "N", "T"),
    ("village=" + SIBLING_VILLAGE, "S", "T"),
    ("township=130633101", "O", "T"),
    ("region=130633101", "O", "T"),
])
def test_filters(login, make_household, query, hit, miss):
    made = {
        "T": make_household(OWN_VILLAGE),
        "J": make_household(OWN_VILLAGE, hh_type="jiance"),
        "D": make_household(OWN_VILLAGE, is_dibao=True),
        "DT": make_household(OWN_VILLAGE, is_dibao=True, is_tekun=True),
        "H": make_household(OWN_VILLAGE, housing_safety="D"),
        "N": make_household(OWN_VILLAGE),
        "S": make_household(SIBLING_VILLAGE),
        "O": make_household(OTHER_TOWNSHIP_VILLAGE),
    }
    Member.objects.filter(household=made["N"], relation="spouse").update(labour="none")
    body = listed(login("county").get(f"{URL}?{query}"))
    assert made[hit].hh_no in body
    assert made[miss].hh_no not in body


@pytest.mark.django_db
def test_labour_filter_ignores_members_who_left(login, make_household):
    household = make_household()
    Member.objects.filter(household=household, relation="spouse").update(labour="none", status="deceased")
    body = listed(login("village").get(f"{URL}?labour=none"))
    assert household.hh_no not in body


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["张三", "张", "zs", "ZS", "zsf"])
def test_search_by_name_prefix_or_initials(login, make_household, q):
    found = make_household(members=(("张三丰", "head"),))
    other = make_household(members=(("李四", "head"),))
    body = listed(login("village").get(URL, {"q": q}))
    assert found.hh_no in body
    assert other.hh_no not in body


@pytest.mark.django_db
def test_search_by_full_id_number_matches_exactly_and_is_audited(login, make_household):
    found = make_household(members=(("赵六", "head"), ("钱七", "spouse")))
    other = make_household(members=(("孙八", "head"),))
    spouse_id = clear_ids(found)[1]
    body = listed(login("village").get(URL, {"q": spouse_id}))
    assert found.hh_no in body and other.hh_no not in body
    assert spouse_id not in body, "the searched ID must not be echoed back"
    event = AuditEvent.objects.get(action="registry.search_id")
    assert spouse_id not in event.summary and spouse_id[-4:] in event.summary


@pytest.mark.django_db
def test_search_by_partial_id_number_finds_nothing(login, make_household):
    household = make_household()
    partial = clear_ids(household)[0][:10]
    body = listed(login("village").get(URL, {"q": partial}))
    assert household.hh_no not in body


@pytest.mark.django_db
def test_invalid_id_number_search_explains_in_chinese(login, make_household):
    household = make_household()
    wrong = clear_ids(household)[0]
    wrong = wrong[:-1] + ("0" if wrong[-1] != "0" else "1")
    body = listed(login("village").get(URL, {"q": wrong}))
    assert "校验位错误" in body
    assert household.hh_no not in body


@pytest.mark.django_db
def test_search_outside_scope_finds_nothing(login, make_household):
    theirs = make_household(OTHER_COUNTY_VILLAGE, members=(("周九", "head"),))
    body = listed(login("county").get(URL, {"q": clear_ids(theirs)[0]}))
    assert theirs.hh_no not in body


@pytest.mark.django_db
def test_page_size_is_capped_and_pages_link_on(login, make_household):
    for _ in range(3):
        make_household()
    body = listed(login("village").get(URL, {"page_size": "2"}))
    assert "第 1 / 2 页" in body and "page=2" in body and "page_size=2" in body
    response = login("village").get(URL, {"page_size": "100000"})
    assert response.context["page"].paginator.per_page == 200


def _households(make_household, n):
    for i in range(n):
        make_household(SIBLING_VILLAGE if i % 2 else OWN_VILLAGE, is_dibao=i % 3 == 0,
                       members=(("张三", "head"), ("李四", "spouse"), ("王五", "son")))


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "township=130633100&labour=full&q=zs&flag=dibao"])
def test_query_count_does_not_grow_with_page_size(login, make_household, django_assert_max_num_queries,
                                                   django_assert_num_queries, query):
    _households(make_household, 25)
    client = login("county")
    with django_assert_max_num_queries(12) as small:
        listed(client.get(f"{URL}?page_size=10&{query}"))
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(f"{URL}?page_size=100&{query}")
    assert len(response.context["page"].object_list) == (25 if not query else 9)


@pytest.mark.django_db
def test_full_width_search_finds_the_same_household(login, make_household):
    """Typed in full-width mode (a Chinese input method): the ID number and the 户编号 still match."""
    found = make_household(members=(("赵六", "head"),))
    other = make_household(members=(("孙八", "head"),))
    wide = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    client = login("village")
    body = listed(client.get(URL, {"q": clear_ids(found)[0].translate(wide)}))
    assert found.hh_no in body and other.hh_no not in body
    event = AuditEvent.objects.get(action="registry.search_id")
    assert event.summary.endswith(clear_ids(found)[0][-4:])  # recorded, masked, in ASCII
    body = listed(client.get(URL, {"q": found.hh_no.translate(wide)}))
    assert found.hh_no in body and other.hh_no not in body
