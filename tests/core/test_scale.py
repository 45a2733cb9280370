from decimal import Decimal

from fangpin.core.scale import check_scale


def test_five_percent_is_the_ordinary_reference():
    check = check_scale(500, 10_000, deep_poverty=False)
    assert (check.ratio, check.limit, check.over) == (Decimal("5.0"), Decimal("5.00"), False)
    assert check_scale(501, 10_000, deep_poverty=False).over


def test_deep_poverty_counties_may_go_to_ten_percent():
    assert not check_scale(900, 10_000, deep_poverty=True).over
    assert check_scale(900, 10_000, deep_poverty=False).over


def test_text_names_the_figures():
    assert check_scale(4_200, 119_249, deep_poverty=False).text == (
        "监测对象 4,200 人 / 登记人口 119,249 人 = 3.5%，未超过参考规模 5%")


def test_empty_county_is_not_over():
    assert not check_scale(0, 0, deep_poverty=False).over
