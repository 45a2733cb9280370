"""Full-ID national exports need a second person's approval: request, approve/reject, download once, expiry;
every step audited. The masked export stays immediate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from fangpin.accounts.models import User
from fangpin.audit import approvals
from fangpin.audit.models import AuditEvent, ExportApproval
from fangpin.pii import decrypt
from fangpin.registry.models import Member
from tests.cases.test_national import download, login, sheets, world  # noqa: F401, F811  (the national world)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def county2(users):
    user = User(username="county2", role="county", region_id="130633")
    user.set_password(PASSWORD)
    user.save()
    return user


def _request(client, region="130633", fmt="xlsx", reason="按省通知报送国家系统"):
    response = client.post(reverse("audit:approval_new"), {"region": region, "fmt": fmt,
                                                           "include_eliminated": "on", "reason": reason})
    assert response.status_code == 302, response.content.decode()[:500]
    return ExportApproval.objects.latest("pk")


def _decide(client, approval, decision="approve"):
    return client.post(reverse("audit:approval_decide", args=[approval.pk]), {"decision": decision, "note": "同意"})


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_full_ids_go_through_a_request_a_second_person_and_one_download(client, users, county2, world):  # noqa: F811
    requester = login(client, users["county"])
    # the national form sends a full-ID export to the request page instead of the file
    form = requester.get(reverse("cases:national"), {"region": "130633", "fmt": "xlsx", "full_ids": "on",
                                                     "include_eliminated": "on"})
    assert form.status_code == 302 and form["Location"].startswith(reverse("audit:approval_new") + "?region=130633")
    # the file URL no longer answers full IDs directly
    assert requester.get(reverse("cases:national_file", kwargs={"code": "130633"}), {"full": "1"}).status_code == 403
    approval = _request(requester)
    assert (approval.status, approval.requester, approval.region_id) == ("requested", users["county"], "130633")
    assert approval.expires_at - approval.requested_at == dt.timedelta(hours=24)

    # the requester cannot approve their own request, nor download before approval
    response = _decide(requester, approval)
    assert "不能审批自己的申请" in " ".join(_messages(response))
    assert requester.post(reverse("audit:approval_download", args=[approval.pk])).status_code == 302
    approval.refresh_from_db()
    assert approval.status == "requested"

    # a township user's region does not contain the county: not a possible approver, nothing to see
    township = login(client, users["township"])
    assert _decide(township, approval).status_code == 404
    assert "按省通知" not in township.get(reverse("audit:approvals")).content.decode()

    # the second county user sees it pending and approves
    second = login(client, county2)
    assert "按省通知报送国家系统" in second.get(reverse("audit:approvals")).content.decode()
    assert "提交审批" in second.get(reverse("audit:approval_detail", args=[approval.pk])).content.decode()
    _decide(second, approval)
    approval.refresh_from_db()
    assert (approval.status, approval.approver) == ("approved", county2)
    # the approver cannot download it
    assert second.post(reverse("audit:approval_download", args=[approval.pk])).status_code == 403

    requester = login(client, users["county"])
    response = requester.post(reverse("audit:approval_download", args=[approval.pk]))
    assert response.status_code == 200
    head = Member.objects.get(household=world["inside"], relation="head")
    assert sheets(b"".join(response.streaming_content))["监测对象"][1][8] == decrypt(head.id_cipher)
    approval.refresh_from_db()
    assert approval.status == "used" and approval.used_at is not None
    # once only
    again = requester.post(reverse("audit:approval_download", args=[approval.pk]))
    assert again.status_code == 302 and "只能下载一次" in " ".join(_messages(again))

    actions = list(AuditEvent.objects.filter(object_type="exportapproval").order_by("seq")
                   .values_list("action", "username", "result"))
    assert actions == [("export_approval.request", "county", "ok"), ("export_approval.self_approve", "county", "denied"),
                       ("export_approval.approve", "county2", "ok"), ("export_approval.use", "county", "ok")]
    export = AuditEvent.objects.filter(action="national.export").latest("seq")
    assert export.detail["full_ids"] is True and export.username == "county"
    clear = decrypt(head.id_cipher)
    assert not AuditEvent.objects.filter(summary__contains=clear).exists()


def test_a_rejected_request_cannot_be_downloaded(client, users, county2, world):  # noqa: F811
    approval = _request(login(client, users["county"]))
    _decide(login(client, county2), approval, "reject")
    approval.refresh_from_db()
    assert approval.status == "rejected"
    response = login(client, users["county"]).post(reverse("audit:approval_download", args=[approval.pk]))
    assert response.status_code == 302 and "已驳回" in " ".join(_messages(response))
    assert AuditEvent.objects.filter(action="export_approval.reject", username="county2").exists()


def test_a_lower_level_user_of_the_same_region_may_approve(client, users, world):  # noqa: F811
    # a township user asks for one village; the village's own user (unmask, same region) may approve
    approval = _request(login(client, users["township"]), region="130633100201")
    _decide(login(client, users["village"]), approval)
    approval.refresh_from_db()
    assert (approval.status, approval.approver) == ("approved", users["village"])


def test_requests_and_approvals_lapse_after_24_hours(rf, users, county2, world):  # noqa: F811
    t0 = timezone.now()
    request = rf.post("/")
    request.user = users["county"]
    unanswered = approvals.do_request_export(request, region_code="130633", fmt="csv", include_eliminated=True,
                                             reason="报送", now=t0)
    approved = approvals.do_request_export(request, region_code="130633", fmt="csv", include_eliminated=True,
                                           reason="报送", now=t0)
    decider = rf.post("/")
    decider.user = county2
    with pytest.raises(approvals.ApprovalError, match="过期"):
        approvals.do_decide(decider, unanswered.pk, approve=True, now=t0 + dt.timedelta(hours=24, minutes=1))
    approvals.do_decide(decider, approved.pk, approve=True, now=t0 + dt.timedelta(hours=20))
    # the approval counts 24 h from the decision: still valid at t0 + 43 h, gone at t0 + 45 h
    with pytest.raises(approvals.ApprovalError, match="有效期"):
        approvals.claim_for_download(approved.pk, user=users["county"], now=t0 + dt.timedelta(hours=45))
    assert approvals.expire_lapsed(now=t0 + dt.timedelta(hours=45)) == 2
    statuses = dict(ExportApproval.objects.values_list("pk", "status"))
    assert statuses == {unanswered.pk: "expired", approved.pk: "expired"}
    assert AuditEvent.objects.filter(action="export_approval.expire").count() == 2


def test_the_command_line_claim_must_match_region_format_and_requester(rf, users, county2, world):  # noqa: F811
    request = rf.post("/")
    request.user = users["county"]
    approval = approvals.do_request_export(request, region_code="130633", fmt="xlsx", include_eliminated=True,
                                           reason="报送")
    decider = rf.post("/")
    decider.user = county2
    approvals.do_decide(decider, approval.pk, approve=True)
    with pytest.raises(approvals.ApprovalError, match="区划"):
        approvals.claim_for_download(approval.pk, user=None, region_code="130633100", fmt="xlsx")
    with pytest.raises(approvals.ApprovalError, match="格式"):
        approvals.claim_for_download(approval.pk, user=None, region_code="130633", fmt="csv")
    with pytest.raises(approvals.PermissionDenied):
        approvals.claim_for_download(approval.pk, user=county2, region_code="130633", fmt="xlsx")
    claimed = approvals.claim_for_download(approval.pk, user=None, region_code="130633", fmt="xlsx")
    assert claimed.status == "used"
    with pytest.raises(approvals.ApprovalError, match="只能下载一次"):
        approvals.claim_for_download(approval.pk, user=None, region_code="130633", fmt="xlsx")


def test_the_masked_export_stays_immediate(client, users, world):  # noqa: F811
    data = download(login(client, users["village"]), "130633100201", fmt="xlsx")
    assert sheets(data)["监测对象"][0][0]
    assert not ExportApproval.objects.exists()


def _command_takes_approvals() -> bool:
    from fangpin.cases.management.commands.export_national import Command

    return "--approval" in Command().create_parser("fangpin", "export_national").format_help()


@pytest.mark.skipif(not _command_takes_approvals(), reason="export_national --approval not wired yet")
def test_the_command_needs_an_approval_for_full_ids_and_uses_it_once(tmp_path, rf, users, county2, world):  # noqa: F811
    import io
    import zipfile

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = tmp_path / "full.zip"
    with pytest.raises(CommandError, match="第二人审批"):
        call_command("export_national", str(out), "--full-ids", user="county", stdout=io.StringIO())
    request = rf.post("/")
    request.user = users["county"]
    approval = approvals.do_request_export(request, region_code="130633", fmt="csv", include_eliminated=True,
                                           reason="报送")
    with pytest.raises(CommandError, match="当前状态为“待审批”"):
        call_command("export_national", str(out), "--full-ids", "--approval", str(approval.pk), user="county",
                     stdout=io.StringIO())
    decider = rf.post("/")
    decider.user = county2
    approvals.do_decide(decider, approval.pk, approve=True)
    with pytest.raises(CommandError, match="申请人本人"):
        call_command("export_national", str(out), "--full-ids", "--approval", str(approval.pk), user="county2",
                     stdout=io.StringIO())
    call_command("export_national", str(out), "--full-ids", "--approval", str(approval.pk), user="county",
                 stdout=io.StringIO())
    head = Member.objects.get(household=world["inside"], relation="head")
    assert decrypt(head.id_cipher) in zipfile.ZipFile(out).read("家庭成员.csv").decode("utf-8-sig")
    with pytest.raises(CommandError, match="只能下载一次"):
        call_command("export_national", str(tmp_path / "again.zip"), "--full-ids", "--approval", str(approval.pk),
                     user="county", stdout=io.StringIO())
