"""Loading the statistics bureau's division codes: real files, validation, and re-loading newer lists."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fangpin.audit.models import AuditEvent
from fangpin.regions.models import Region
from fangpin.regions.services import (
    BUNDLED_HEBEI,
    RegionLoadError,
    load_regions,
    read_region_files,
)
from tests.regions.conftest import write_csv

pytestmark = pytest.mark.django_db


def test_loads_a_county_from_the_china_division_files(yixian_files):
    result = load_regions(read_region_files(yixian_files))
    assert result.added == Region.objects.count()
    assert Region.objects.filter(code__startswith="130633", level=5).count() == 472
    village = Region.objects.get(code="130633100001")
    assert (village.name, village.parent_id) == ("团结路居民委员会", "130633100")
    assert Region.objects.get(code="130633").path_names() == ["河北省", "保定市", "易县"]


def test_reloading_the_same_files_changes_nothing(yixian_files):
    first = load_regions(read_region_files(yixian_files))
    again = load_regions(read_region_files(yixian_files))
    assert (again.added, again.renamed, again.retired, again.revived) == (0, 0, 0, 0)
    assert again.unchanged == first.added


def test_bundled_hebei_file_loads_every_level():
    result = load_regions(read_region_files([BUNDLED_HEBEI]))
    assert result.added == Region.objects.filter(code__startswith="13").count() > 50000
    levels = set(Region.objects.values_list("level", flat=True).distinct())
    assert levels == {1, 2, 3, 4, 5}
    assert Region.objects.filter(parent_id="130633").count() > 20  # 易县's townships


def test_command_loads_the_given_files_and_writes_an_audit_event(yixian_files, capsys):
    call_command("load_regions", *map(str, yixian_files))
    assert "新增" in capsys.readouterr().out
    assert not Region.objects.exclude(code__in=["13", "1306"]).exclude(code__startswith="130633").exists()
    event = AuditEvent.objects.get(action="regions.load")
    assert event.detail["added"] == Region.objects.count()
    assert event.username.startswith("system:")


# --- validation: Chinese messages naming file and line, nothing half-written -------------------

def _load_file(tmp_path, rows, name="regions.csv"):
    return load_regions(read_region_files([write_csv(tmp_path / name, rows)]))


@pytest.mark.parametrize(("bad", "fragment"), [
    (("1306331002", "十位代码", ""), "长度应为 2/4/6/9/12 位"),
    (("13063A", "字母县", ""), "只能包含数字"),
    (("130633100201", "层级不符村", "4"), "尾部应为 0"),
    (("130633", "怪层级", "7"), "层级“7”无法识别"),
])
def test_bad_rows_are_named_by_file_and_line(tmp_path, bad, fragment):
    rows = [("13", "河北省", "1"), ("1306", "保定市", "2"), bad]
    with pytest.raises(RegionLoadError) as err:
        _load_file(tmp_path, rows)
    assert err.value.errors[0].startswith("regions.csv 第 4 行：")
    assert fragment in err.value.errors[0]
    assert not Region.objects.exists()


def test_missing_parent_is_named_by_file_and_line(tmp_path):
    rows = [("13", "河北省", "1"), ("1306", "保定市", "2"), ("130633100201", "孤村", "5")]
    with pytest.raises(RegionLoadError) as err:
        _load_file(tmp_path, rows)
    assert err.value.errors == ["regions.csv 第 4 行：区划代码 130633100201（孤村）的上级 130633100 不存在"]
    assert not Region.objects.exists()


def test_missing_header_and_empty_name_are_refused(tmp_path):
    with pytest.raises(RegionLoadError, match="缺少表头"):
        read_region_files([write_csv(tmp_path / "a.csv", [("13", "河北省")], header=("代码", "名称"))])
    with pytest.raises(RegionLoadError, match="第 2 行：区划代码 13 缺少名称"):
        read_region_files([write_csv(tmp_path / "b.csv", [("13", " ", "1")])])


def test_command_reports_errors_in_chinese(tmp_path):
    path = write_csv(tmp_path / "bad.csv", [("13", "河北省", "1"), ("13x", "坏", "")])
    with pytest.raises(CommandError, match="bad.csv 第 3 行"):
        call_command("load_regions", str(path))
    assert not Region.objects.exists()


def test_gbk_files_are_read(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("code,name,level\n130000000000,河北省,1\n".encode("gbk"))
    load_regions(read_region_files([path]))
    assert Region.objects.get(code="13").name == "河北省"


def test_names_with_backslashes_and_tabs_survive_the_bulk_path(tmp_path):
    _load_file(tmp_path, [("13", "河北\\省\t旧", "1"), ("1306", "保定市", "2")])
    assert Region.objects.get(code="13").name == "河北\\省\t旧"
    assert Region.objects.get(code="1306").parent_id == "13"
