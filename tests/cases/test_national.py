"""National export: which households, the documented layout, masking, full IDs by permission, audit."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fangpin.audit.models import AuditEvent
from fangpin.cases.national import LAYOUT
from fangpin.cases.services import do_open_lead
from fangpin.core.workflow import State
from fangpin.pii import decrypt
from fangpin.registry.models import HouseholdYear, Member
from tests.cases.test_procedure import at, walk_to
from tests.conftest import OTHER_COUNTY_VILLAGE, PASSWORD

ZERO = Decimal("0")


def monitored(make_household, users, members=(("王大", "head"), ("王二", "child"))):
    household = make_household(members=members)
    HouseholdYear.objects.create(household=household, year=2026, wage=Decimal("6000"), business=ZERO,
                                 property_income=ZERO, transfer=ZERO, production_cost=ZERO, medical_oop=ZERO,
                                 schooling_exp=ZERO, disaster_loss=ZERO, accident_exp=ZERO)
    case_id = do_open_lead(household, "self", "申请", now=at(2026, 11, 2)).case_id
    walk_to(case_id, users, State.MONITORING, at(2026, 11, 2))
    return household, case_id


@pytest.fixture
def world(make_household, users, policy):
    inside, _ = monitored(make_household, users)
    waiting = make_household(members=(("赵等", "head"),))
    do_open_lead(waiting, "self", "申请", now=at(2026, 11, 2))  # a lead only: not exported
    outside = make_household(OTHER_COUNTY_VILLAGE, members=(("外县", "head"),))
    return {"inside": inside, "waiting": waiting, "outside": outside}


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def sheets(data: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def download(client, code, **query):
    response = client.get(reverse("cases:national_file", kwargs={"code": code}), query)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_export_has_the_documented_layout_and_only_decided_households(client, users, world):
    data = sheets(download(login(client, users["county"]), "130633", fmt="xlsx"))
    for name, columns in LAYOUT.items():
        assert data[name][0] == [c.header for c in columns]
    households = data["监测对象"][1:]
    assert [row[6] for row in households] == [world["inside"].hh_no]  # not the lead, not the other county
    row = dict(zip([c.key for c in LAYOUT["监测对象"]], households[0], strict=True))
    head = Member.objects.get(household=world["inside"], relation="head")
    assert (row["head_name"], row["head_id"], row["persons"]) == ("王大", head.id_masked, 2)
    assert (row["category"], row["risk_types"], row["status"]) == ("边缘易致贫户", "因病", "监测帮扶中")
    assert row["village_code"] == "130633100201" and row["county"] == "易县"
    assert [r[1] for r in data["家庭成员"][1:]] == ["王大", "王二"]
    # 6,000 for two persons = 3,000 < 7,300: the county decision stored that finding
    assert [r[1] for r in data["风险研判"][1:]] == ["income_below_line"]
    assert "3,000" in data["风险研判"][1][3]


def test_masked_by_default_full_ids_never_directly(client, users, world):
    """Full IDs only through a second person's approval (tests/cases/test_national_approval.py)."""
    head = Member.objects.get(household=world["inside"], relation="head")
    clear = decrypt(head.id_cipher)
    masked = download(login(client, users["county"]), "130633", fmt="csv")
    texts = [zipfile.ZipFile(io.BytesIO(masked)).read(n).decode("utf-8-sig")
             for n in zipfile.ZipFile(io.BytesIO(masked)).namelist()]
    assert clear not in "".join(texts) and head.id_masked in "".join(texts)
    event = AuditEvent.objects.filter(action="national.export").latest("id")
    assert event.detail["full_ids"] is False and event.detail["counts"]["家庭成员"] == 2
    assert client.get(reverse("cases:national_file", kwargs={"code": "130633"}), {"full": "1"}).status_code == 403
    city = login(client, users["city"])
    assert city.get(reverse("cases:national_file", kwargs={"code": "130633"}), {"full": "1"}).status_code == 403
    assert city.get(reverse("cases:national"), {"region": "130633", "fmt": "xlsx", "full_ids": "on"}
                    ).status_code == 200  # the form says why, no file


def test_csv_zip_has_one_file_per_table_with_bom(client, users, world):
    archive = zipfile.ZipFile(io.BytesIO(download(login(client, users["township"]), "130633100", fmt="csv")))
    assert sorted(archive.namelist()) == sorted([*(f"{name}.csv" for name in LAYOUT), "说明.csv"])
    first = archive.read("监测对象.csv")
    assert first.startswith("\ufeff".encode()) and "户主证件号码" in first.decode("utf-8-sig")


def test_form_refuses_a_region_outside_the_scope(client, users, world):
    response = login(client, users["township"]).get(reverse("cases:national"), {"region": "130623", "fmt": "xlsx"})
    assert response.status_code == 200 and "不在您的管辖范围" in response.content.decode()
    ok = client.get(reverse("cases:national"), {"region": "130633100201", "fmt": "xlsx"})
    assert ok.status_code == 302 and "/cases/national/130633100201/" in ok["Location"]


def test_command_writes_a_zip_and_audits_as_system(tmp_path, world):
    out = tmp_path / "out.zip"
    call_command("export_national", str(out), region="130633", stdout=io.StringIO())
    rows = zipfile.ZipFile(out).read("家庭成员.csv").decode("utf-8-sig").splitlines()
    assert len(rows) == 3  # header + two members
    assert AuditEvent.objects.filter(action="national.export", username__startswith="system:").exists()


def test_measures_and_helper_come_from_the_plan(client, users, world):
    from fangpin.cases.models import Case
    from fangpin.plans.models import Measure, Plan

    case = Case.objects.get(household=world["inside"])
    plan = Plan.objects.create(case=case, helper_name="刘干部", helper_unit="县农业农村局")
    Measure.objects.create(plan=plan, code="medical_aid", group="兜底保障", label="医疗救助", detail="住院自付部分救助",
                           amount=Decimal("3200.50"), department_kind="medical_insurance", status="referred")
    data = sheets(download(login(client, users["county"]), "130633", fmt="xlsx"))
    assert data["监测对象"][1][20] == "刘干部"
    [measure] = data["帮扶措施"][1:]
    row = dict(zip([c.key for c in LAYOUT["帮扶措施"]], measure, strict=True))
    assert (row["hh_no"], row["label"], row["amount"], row["department"]) == (
        world["inside"].hh_no, "医疗救助", 3200.5, "医保局")
    assert row["status"] == "已转办"


def test_the_documented_layout_lists_every_column():
    from pathlib import Path

    from fangpin.cases.national import LAYOUT_VERSION

    doc = (Path(__file__).resolve().parents[2] / "docs" / "national-export.md").read_text(encoding="utf-8")
    assert LAYOUT_VERSION in doc
    for name, columns in LAYOUT.items():
        section = doc.split(f"### {name}")[1].split("###")[0]
        assert [line.split("|")[2].strip() for line in section.splitlines() if line.startswith("| ") and
                line.split("|")[1].strip().isdigit()] == [c.header for c in columns]


def test_eliminated_and_re_entered_households_appear_once_with_their_latest_case(client, users, make_household,
                                                                                 world):
    from fangpin.cases.models import Case

    gone, gone_case = monitored(make_household, users, members=(("钱消", "head"),))
    Case.objects.filter(pk=gone_case).update(state=State.ELIMINATED, closed_at=at(2026, 11, 20))
    back = world["inside"]
    Case.objects.filter(household=back).update(state=State.ELIMINATED, closed_at=at(2026, 11, 10))
    again = do_open_lead(back, "visit", "再次致贫", user=users["village"], now=at(2026, 11, 21)).case_id
    walk_to(again, users, State.MONITORING, at(2026, 11, 21))

    archive = zipfile.ZipFile(io.BytesIO(download(login(client, users["county"]), "130633", fmt="csv")))
    keys = [c.key for c in LAYOUT["监测对象"]]
    rows = [dict(zip(keys, line.split(","), strict=True))
            for line in archive.read("监测对象.csv").decode("utf-8-sig").splitlines()[1:]]
    by_hh = {row["hh_no"]: row for row in rows}
    assert len(rows) == 2 and set(by_hh) == {back.hh_no, gone.hh_no}
    assert (by_hh[back.hh_no]["status"], by_hh[back.hh_no]["case_no"], by_hh[back.hh_no]["eliminated_date"]) == (
        "监测帮扶中", str(again), "")
    assert (by_hh[gone.hh_no]["status"], by_hh[gone.hh_no]["eliminated_date"]) == ("风险已消除", "2026-11-20")
    members = archive.read("家庭成员.csv").decode("utf-8-sig").splitlines()[1:]
    assert len(members) == 3  # 王大, 王二 once (not per case), 钱消

    current = zipfile.ZipFile(io.BytesIO(download(client, "130633", fmt="csv", eliminated="0")))
    lines = current.read("监测对象.csv").decode("utf-8-sig").splitlines()[1:]
    assert [line.split(",")[6] for line in lines] == [back.hh_no]
