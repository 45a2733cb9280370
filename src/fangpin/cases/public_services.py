"""Verbs of the login-free household page: apply, and look up progress without an existence oracle.

Nothing here stores or logs an ID number or phone in clear: applications keep the cipher, a blind
index and the masked form; the audit row gets the masked ID only; the client IP is kept as a keyed
hash (enough to rate-limit, useless to anyone without the key).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from fangpin import pii
from fangpin.accounts.access import code_prefix_q
from fangpin.audit.models import AuditEvent
from fangpin.audit.services import client_ip, record
from fangpin.cases.models import Case, Lead, PublicApplication
from fangpin.cases.services import CaseError, do_open_lead
from fangpin.core import workflow
from fangpin.core.idcard import IdNumber, mask_phone
from fangpin.registry.models import Member

APPLY_LIMIT = 5  # applications per client address per hour
STATUS_LIMIT = 20  # progress lookups per client address per hour
WINDOW = dt.timedelta(hours=1)


def ip_hash(request) -> str:
    return pii.keyring().blind_index(client_ip(request) or "-", b"ip")


def apply_limited(request, now: dt.datetime | None = None) -> bool:
    since = (now or timezone.now()) - WINDOW
    return PublicApplication.objects.filter(ip_hash=ip_hash(request), submitted_at__gte=since).count() >= APPLY_LIMIT


def status_limited(request, now: dt.datetime | None = None) -> bool:
    # Lookups leave an audit row anyway (with the client address); counting those needs no new table.
    since = (now or timezone.now()) - WINDOW
    return AuditEvent.objects.filter(action="public.status", ip=client_ip(request), ts__gte=since).count() >= STATUS_LIMIT


def _receipt_no() -> str:
    return f"SQ{timezone.localdate():%y%m%d}{secrets.randbelow(10**8):08d}"


@dataclass(frozen=True)
class Application:
    name: str
    idn: IdNumber
    phone: str
    village_code: str
    county_code: str
    risk_type: str
    text: str


@transaction.atomic
def do_public_apply(request, app: Application, now: dt.datetime | None = None) -> PublicApplication:
    """Store the application; if the applicant is registered in the county, attach a lead to the household's case."""
    now = now or timezone.now()
    member = (Member.objects.select_related("household")
              .filter(code_prefix_q("household__village_id", app.county_code),
                      id_index=pii.id_index(app.idn.value))
              .first())
    details = {"id_masked": app.idn.masked, "phone_masked": mask_phone(app.phone), "risk_type": app.risk_type,
               "text": app.text, "village": app.village_code}
    lead = None
    if member is not None:
        # Someone may type another person's ID: the lead says so, the village verifies in person.
        details["name_matches_registry"] = member.name == app.name
        try:
            lead = do_open_lead(member.household, "self", f"农户自主申报（{app.risk_type}）：{app.text}",
                                details=details, request=request, now=now)
        except CaseError:
            lead = None  # no policy configured yet: keep the application for the village to pick up
    row = PublicApplication.objects.create(
        receipt_no=lead.receipt_no if lead else _receipt_no(), submitted_at=now, name=app.name,
        id_cipher=pii.encrypt(app.idn.value), id_index=pii.id_index(app.idn.value), id_masked=app.idn.masked,
        phone_cipher=pii.encrypt(app.phone), phone_index=pii.phone_index(app.phone),
        phone_masked=mask_phone(app.phone), village_id=app.village_code, risk_type=app.risk_type, text=app.text,
        ip_hash=ip_hash(request), status="matched" if lead else "pending", lead=lead,
        case=lead.case if lead else None,
    )
    record(request, "public.apply", obj=row,
           summary=f"农户自主申报 {row.id_masked}（{'已转入案件' if lead else '未登记，待村级核实'}）",
           detail={"application": row.pk, "matched": lead is not None})
    return row


@dataclass(frozen=True)
class Progress:
    """All an applicant may learn: where the case stands and when; never names or other members."""

    receipt_no: str
    submitted: dt.date
    step_label: str
    step_since: dt.date | None
    step_due: dt.date | None
    closed: bool


def lookup_progress(request, id_number: str, phone: str, receipt_no: str = "") -> Progress | None:
    """None for "not found", "wrong phone" and "wrong receipt" alike (no existence oracle). Audited."""
    found = _find(id_number, phone, receipt_no.strip().upper())
    record(request, "public.status", object_type="case", object_id=str(found.case_id or "") if found else "",
           summary=f"申报进度查询 {found.id_masked if found else '（未匹配）'}",
           detail={"found": found is not None})
    if found is None:
        return None
    return _progress(found)


@dataclass(frozen=True)
class _Found:
    receipt_no: str
    submitted: dt.datetime
    case_id: int | None
    id_masked: str


def _find(id_number: str, phone: str, receipt_no: str) -> _Found | None:
    apps = PublicApplication.objects.filter(id_index=pii.id_index(id_number), phone_index=pii.phone_index(phone))
    if receipt_no:
        apps = apps.filter(receipt_no=receipt_no)
    app = apps.order_by("-submitted_at").first()
    if app is not None:
        return _Found(app.receipt_no, app.submitted_at, app.case_id, app.id_masked)
    # Registered people whose case came from a visit: the phone must match the one on the registry.
    member = Member.objects.filter(id_index=pii.id_index(id_number)).first()
    if member is None or not member.phone_cipher or pii.decrypt(member.phone_cipher) != phone:
        return None
    leads = Lead.objects.filter(case__household_id=member.household_id).order_by("-received_at")
    if receipt_no:
        leads = leads.filter(receipt_no=receipt_no)
    lead = leads.first()
    if lead is None:
        return None
    return _Found(lead.receipt_no, lead.received_at, lead.case_id, member.id_masked)


def _progress(found: _Found) -> Progress:
    case = Case.objects.filter(pk=found.case_id).first() if found.case_id else None
    if case is None:
        return Progress(found.receipt_no, timezone.localdate(found.submitted), "已受理，待村级登记核实",
                        None, None, False)
    return Progress(found.receipt_no, timezone.localdate(found.submitted),
                    workflow.STATE_LABELS[case.state_enum], timezone.localdate(case.state_since), case.step_due,
                    case.closed_at is not None)


@transaction.atomic
def do_match_application(request, application_id: int) -> PublicApplication:
    """A pending application whose applicant has since been registered: attach it to the household's case."""
    app = PublicApplication.objects.select_for_update().get(pk=application_id)
    if app.status != "pending":
        raise CaseError("该申报已转入案件")
    member = (Member.objects.select_related("household")
              .filter(code_prefix_q("household__village_id", app.village_id[:6]), id_index=app.id_index)
              .first())
    if member is None:
        raise CaseError(f"申请人（{app.id_masked}）尚未在本县登记，请先在农户台账中登记该户及成员")
    details = {"id_masked": app.id_masked, "phone_masked": app.phone_masked, "risk_type": app.risk_type,
               "text": app.text, "application": app.receipt_no}
    lead = do_open_lead(member.household, "self", f"农户自主申报（{app.risk_type}）：{app.text}", details=details,
                        user=request.user, request=request, now=app.submitted_at)
    app.status, app.lead, app.case = "registered", lead, lead.case
    app.save(update_fields=["status", "lead", "case"])
    record(request, "public.match", obj=app, summary=f"自主申报转入案件 {app.id_masked}",
           detail={"application": app.pk, "lead": lead.pk})
    return app
