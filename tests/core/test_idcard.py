import datetime as dt

import pytest

from fangpin.core.idcard import (
    IdNumberError,
    area_warning,
    check_char,
    make_id,
    mask_id,
    mask_phone,
    parse_id,
    upgrade_15,
)

# GB 11643 worked example: 11010519491231002 → check character X
KNOWN_VALID = "11010519491231002X"


def test_check_char_matches_the_standard_example():
    assert check_char("11010519491231002") == "X"


def test_parses_known_valid_number_and_derives_birth_and_sex():
    idn = parse_id(KNOWN_VALID)
    assert idn.birth_date == dt.date(1949, 12, 31)
    assert idn.sex == "女"  # 17th digit 2 is even
    assert idn.area_code == "110105"


def test_lowercase_x_is_accepted_and_upper_cased():
    assert parse_id(KNOWN_VALID.lower()).value == KNOWN_VALID


def test_spaces_and_dashes_typed_by_people_are_ignored():
    assert parse_id("110105 19491231 002x").value == KNOWN_VALID


def test_wrong_check_digit_is_rejected_in_chinese():
    with pytest.raises(IdNumberError, match="校验位"):
        parse_id("110105194912310021")


def test_impossible_birth_date_is_rejected():
    first17 = "13063319990231001"  # 31 February
    with pytest.raises(IdNumberError, match="出生日期"):
        parse_id(first17 + check_char(first17))


def test_fifteen_digit_legacy_number_is_upgraded():
    old = "130633780101123"
    idn = parse_id(old)
    assert idn.value == upgrade_15(old)
    assert idn.value.startswith("13063319780101123")
    assert idn.upgraded_from_15
    assert idn.sex == "男"


def test_scientific_notation_from_excel_is_explained():
    with pytest.raises(IdNumberError, match="科学计数法"):
        parse_id("1.30633E+17")


def test_float_cell_is_explained_as_lost_digits():
    with pytest.raises(IdNumberError, match="15 位有效数字"):
        parse_id(130633197801011234.0)


def test_integer_cell_that_lost_its_trailing_x_is_explained():
    with pytest.raises(IdNumberError, match="X 已丢失"):
        parse_id(11010519491231002)


def test_wrong_length_reports_the_length():
    with pytest.raises(IdNumberError, match="实际 16 位"):
        parse_id("1306331978010112")


def test_unknown_area_is_a_warning_not_an_error():
    idn = parse_id(make_id("999999", dt.date(1980, 5, 6), 11))
    assert area_warning(idn, {"130633"}) is not None
    assert area_warning(parse_id(make_id("130633", dt.date(1980, 5, 6), 11)), {"130633"}) is None


def test_make_id_builds_valid_numbers_with_requested_sex():
    male = parse_id(make_id("130633", dt.date(2001, 2, 3), 13))
    female = parse_id(make_id("130633", dt.date(2001, 2, 3), 14))
    assert (male.sex, female.sex) == ("男", "女")


def test_masks_keep_area_and_last_four_only():
    assert mask_id(KNOWN_VALID) == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"


def test_age_counts_birthdays():
    idn = parse_id(KNOWN_VALID)
    assert idn.age_on(dt.date(2019, 12, 30)) == 69
    assert idn.age_on(dt.date(2019, 12, 31)) == 70


def test_full_width_digits_typed_with_an_input_method_are_the_same_number():
    typed = "１１０１０５－１９４９１２３１００２ｘ"
    idn = parse_id(typed)
    assert idn.value == KNOWN_VALID and idn.value.isascii()
    assert idn.area_code == "110105"


@pytest.mark.parametrize("digit", ["٣", "३", "𝟑"])  # Arabic-Indic, Devanagari, mathematical digits
def test_other_scripts_digits_are_not_digits_of_an_id_number(digit):
    with pytest.raises(IdNumberError, match="前 17 位须为数字"):
        parse_id(KNOWN_VALID[:3] + digit + KNOWN_VALID[4:])
    with pytest.raises(IdNumberError, match="只能是数字"):
        parse_id("13063380010112" + digit)


def test_check_char_agrees_with_the_weighted_sum_of_the_standard():
    for n in range(10**16, 10**16 + 20_000, 997):
        body = str(n)
        total = sum(int(d) * w for d, w in zip(body, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), strict=True))
        assert check_char(body) == "10X98765432"[total % 11]
    with pytest.raises(ValueError):
        check_char("1101051949123100")  # 16 digits
