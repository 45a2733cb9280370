import pytest

from fangpin.core.regions import (
    Level,
    RegionCodeError,
    RegionRow,
    ancestors,
    full_code,
    level_of,
    parent_of,
    short_code,
    validate_rows,
)


def test_level_follows_code_length():
    assert [level_of(c) for c in ("13", "1306", "130633", "130633100", "130633100201")] == list(Level)


def test_parent_is_the_next_shorter_prefix():
    assert parent_of("130633100201") == "130633100"
    assert parent_of("130633") == "1306"
    assert parent_of("13") is None
    assert ancestors("130633100201") == ["13", "1306", "130633", "130633100"]


def test_twelve_digit_codes_shorten_by_trailing_zeros():
    assert short_code("130000000000") == "13"
    assert short_code("130633100000") == "130633100"
    assert short_code("130633100201") == "130633100201"
    assert full_code("130633") == "130633000000"


def test_village_code_ending_in_000_needs_its_level():
    assert short_code("350527000000") == "350527"
    assert short_code("350527000000", Level.VILLAGE) == "350527000000"


def test_bad_codes_are_rejected():
    with pytest.raises(RegionCodeError):
        short_code("13063a")
    with pytest.raises(RegionCodeError):
        level_of("1306331")
    with pytest.raises(RegionCodeError):
        short_code("130633100201", Level.COUNTY)


def test_validation_reports_missing_parent_and_conflicting_names():
    rows = [RegionRow("13", "河北省", Level.PROVINCE), RegionRow("130633", "易县", Level.COUNTY),
            RegionRow("13", "冀", Level.PROVINCE)]
    errors = validate_rows(rows)
    assert any("上级 1306 不存在" in e for e in errors)
    assert any("重复" in e for e in errors)
    assert validate_rows(rows[:2], existing={"1306": object()}) == []


def test_full_width_codes_typed_with_an_input_method_are_the_same_code():
    assert short_code("１３０６３３１００２０１") == "130633100201"
    assert short_code(" １３０６３３ ") == "130633"
    with pytest.raises(RegionCodeError, match="只能包含数字"):
        short_code("13063३")  # a Devanagari digit is a digit to str.isdigit, not in a region code
