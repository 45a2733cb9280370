"""Re-loading a newer list: renamed, added, removed → retired, never breaking households."""

from __future__ import annotations

import pytest

from fangpin.regions.models import Region
from fangpin.regions.services import load_regions, read_region_files
from fangpin.registry.models import Household
from tests.regions.conftest import write_csv

pytestmark = pytest.mark.django_db

OLD = [
    ("130000000000", "河北省", "1"), ("130600000000", "保定市", "2"), ("130633000000", "易县", "3"),
    ("130633100000", "易州镇", "4"),
    ("130633100201", "东关村委会", "5"), ("130633100202", "西关村委会", "5"), ("130633100203", "南关村委会", "5"),
]
NEW = [
    *OLD[:4],
    ("130633100201", "东关社区居委会", "5"),  # renamed
    ("130633100202", "西关村委会", "5"),  # unchanged
    ("130633100204", "新区村委会", "5"),  # added; 南关 (203) is gone
]


def _load(tmp_path, rows, name):
    return load_regions(read_region_files([write_csv(tmp_path / name, rows)]))


@pytest.fixture
def newer(tmp_path):
    _load(tmp_path, OLD, "old.csv")
    household = Household.objects.create(hh_no="H-203", village_id="130633100203", hh_type="tuopin")
    return household, _load(tmp_path, NEW, "new.csv")


def test_newer_list_renames_adds_and_retires(newer):
    _, result = newer
    assert (result.renamed, result.added, result.retired, result.unchanged) == (1, 1, 1, 5)
    assert Region.objects.get(code="130633100201").name == "东关社区居委会"
    assert Region.objects.get(code="130633100204").retired is False
    assert Region.objects.get(code="130633100203").retired is True


def test_household_in_a_retired_village_still_loads_and_says_so(newer):
    household, _ = newer
    loaded = Household.objects.select_related("village").get(pk=household.pk)
    assert loaded.village.code == "130633100203"
    assert loaded.village.label == "南关村委会（已撤销）"


def test_reloading_the_newer_list_is_idempotent(newer, tmp_path):
    again = _load(tmp_path, NEW, "new.csv")
    assert (again.added, again.renamed, again.retired, again.revived) == (0, 0, 0, 0)
    assert again.unchanged == len(NEW)
    assert Region.objects.filter(retired=True).count() == 1


def test_a_unit_that_comes_back_is_revived(newer, tmp_path):
    back = _load(tmp_path, [*NEW, OLD[-1]], "back.csv")
    assert back.revived == 1
    assert Region.objects.get(code="130633100203").retired is False


def test_other_provinces_are_not_retired_by_a_one_province_list(newer, tmp_path):
    _load(tmp_path, [("110000000000", "北京市", "1")], "bj.csv")
    assert Region.objects.filter(retired=True).count() == 1  # still only 南关
    assert Region.objects.get(code="11").retired is False


def test_keep_missing_leaves_absent_units_live(tmp_path):
    _load(tmp_path, OLD, "old.csv")
    result = load_regions(read_region_files([write_csv(tmp_path / "part.csv", OLD[:5])]), retire_missing=False)
    assert result.retired == 0
    assert not Region.objects.filter(retired=True).exists()
