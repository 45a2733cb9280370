"""What a village notice (公示) and a county announcement (公告) list, and their PDF rendering.

A public notice names the head of household (normal practice) and never shows an ID number, a phone,
health or disability details or anyone's income: the rows below carry only what may be posted.
The selection reads cases (village notices: cases now in a notice state) and the procedure's
records (county announcements: the county decisions taken in a date range).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from fangpin.accounts.access import code_prefix_q, scoped
from fangpin.cases.models import Case, CaseStep
from fangpin.core.rules import evaluate, suggest_category, suggest_risk_types
from fangpin.core.workflow import State
from fangpin.regions.models import Region
from fangpin.registry.models import Member

CASE_SCOPE = "household__village__code"
# Village notices by kind: the state a case is in while posted, the document title, the issuer's wording.
KINDS = {
    "include": {"state": State.NOTICE, "title": "防止返贫监测对象纳入公示", "short": "纳入监测对象公示"},
    "eliminate": {"state": State.ELIM_NOTICE, "title": "防止返贫监测对象风险消除公示", "short": "风险消除公示"},
}
DEFAULT_OFFICE = "防止返贫监测帮扶工作领导小组办公室"
ANNOUNCEMENT_DAYS = 30


@dataclass(frozen=True)
class NoticeRow:
    """One household on a notice: only what may be posted publicly."""

    case_id: int
    head_name: str
    persons: int
    village_code: str
    village_name: str
    township_name: str
    category: str
    risk_types: str
    start: dt.date | None = None  # notice period (village notices)
    end: dt.date | None = None
    effective_date: dt.date | None = None  # monitoring start (announcements, elimination notices)
    decided: dt.date | None = None  # date of the county decision (announcements)


@dataclass
class VillageGroup:
    code: str
    name: str
    township_name: str
    rows: list[NoticeRow] = field(default_factory=list)


def _cases_with_heads(qs):
    """Annotate the head's name and the number of active members (two subqueries, no personal columns)."""
    heads = Member.objects.filter(household=OuterRef("household_id"), relation="head").order_by("status", "id")
    active = (Member.objects.filter(household=OuterRef("household_id"), status="active")
              .order_by().values("household").annotate(n=Count("id")).values("n"))
    return qs.select_related("household__village__parent", "policy").annotate(
        head_name=Subquery(heads.values("name")[:1]), persons=Subquery(active[:1]))


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def _proposed(case: Case, step_data: dict | None) -> tuple[str, list[str]]:
    """Category and risk types to post: recorded by a step, else on the case, else the core's suggestion."""
    data = step_data or {}
    category, risks = data.get("category") or case.category, data.get("risk_types") or case.risk_types
    if category and risks:
        return category, list(risks)
    from fangpin.cases.views import household_facts  # the same suggestion the case page starts from

    found = household_facts(case.household)
    if found is None:
        return category or "", list(risks or [])
    facts, labour = found
    findings = evaluate(facts, case.policy.as_core())
    return (category or suggest_category(facts, findings) or "",
            list(risks or suggest_risk_types(facts, findings, labour)))


def _last_data(case_ids: list[int]) -> dict[int, dict]:
    """Each case's latest step data that names a category or risk types (one query)."""
    out: dict[int, dict] = {}
    for case_id, data in (CaseStep.objects.filter(case_id__in=case_ids).order_by("at", "id")
                          .values_list("case_id", "data")):
        if isinstance(data, dict) and (data.get("category") or data.get("risk_types")):
            out[case_id] = data
    return out


def _row(case: Case, category: str, risks: list[str], **dates) -> NoticeRow:
    village = case.household.village
    return NoticeRow(case_id=case.pk, head_name=case.head_name or "（未登记户主）", persons=case.persons or 0,
                     village_code=village.code, village_name=village.name,
                     township_name=village.parent.name if village.parent else "", category=category,
                     risk_types="、".join(risks), **dates)


def village_notices(village: Region, kinds: list[str]) -> dict[str, list[NoticeRow]]:
    """The village's cases under public notice now, per kind (include / eliminate)."""
    states = {KINDS[k]["state"].value: k for k in kinds}
    cases = list(_cases_with_heads(Case.objects.filter(household__village=village, state__in=states,
                                                       closed_at__isnull=True))
                 .order_by("state_since", "id"))
    data = _last_data([c.pk for c in cases])
    out: dict[str, list[NoticeRow]] = {k: [] for k in kinds}
    for case in cases:
        category, risks = _proposed(case, data.get(case.pk))
        out[states[case.state]].append(_row(case, category, risks, start=_local_date(case.state_since),
                                            end=case.notice_ends, effective_date=case.effective_date))
    return out


def villages_in_notice(user) -> list[dict]:
    """Villages of the user's region with cases under notice: code, name, township, counts per kind."""
    counts = (scoped(Case.objects.filter(closed_at__isnull=True,
                                         state__in=[State.NOTICE.value, State.ELIM_NOTICE.value]),
                     user, CASE_SCOPE)
              .values("household__village_id", "state").annotate(n=Count("id")).order_by())
    by_village: dict[str, dict[str, int]] = defaultdict(dict)
    for row in counts:
        by_village[row["household__village_id"]][row["state"]] = row["n"]
    regions = Region.objects.filter(code__in=by_village).select_related("parent").order_by("code")
    return [{"code": r.code, "name": r.name, "township": r.parent.name if r.parent else "",
             "include": by_village[r.code].get(State.NOTICE.value, 0),
             "eliminate": by_village[r.code].get(State.ELIM_NOTICE.value, 0)} for r in regions]


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """An announcement covers the last 30 days by default, today included."""
    return today - dt.timedelta(days=ANNOUNCEMENT_DAYS - 1), today


def _group(rows: list[NoticeRow]) -> list[VillageGroup]:
    groups: dict[str, VillageGroup] = {}
    for row in sorted(rows, key=lambda r: (r.village_code, r.decided or dt.date.min, r.case_id)):
        group = groups.setdefault(row.village_code, VillageGroup(row.village_code, row.village_name,
                                                                 row.township_name))
        group.rows.append(row)
    return list(groups.values())


def _as_date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def announcement(user, region_code: str, start: dt.date, end: dt.date) -> dict[str, list[VillageGroup]]:
    """County decisions taken from ``start`` to ``end`` (inclusive) for households under ``region_code``
    (itself within the user's scope): inclusions in monitoring and risk eliminations, per village.

    Only the county's own moves count: 县级审定 → 监测中, and 消除风险审定 → 风险已消除 (an upheld
    objection or a refused elimination also lands in 监测中, and is no decision to announce)."""
    steps = (scoped(CaseStep.objects.all(), user, f"case__{CASE_SCOPE}")
             .filter(code_prefix_q("case__household__village_id", region_code),
                     at__date__gte=start, at__date__lte=end)
             .filter(from_state__in=[State.COUNTY_DECISION.value, State.ELIM_DECISION.value],
                     to_state__in=[State.MONITORING.value, State.ELIMINATED.value]))
    picked = list(steps.values_list("case_id", "from_state", "to_state", "at", "data").order_by("at", "id"))
    cases = {c.pk: c for c in _cases_with_heads(Case.objects.filter(pk__in={p[0] for p in picked}))}
    included, eliminated = [], []
    for case_id, from_state, to_state, at, data in picked:
        case, data = cases[case_id], data if isinstance(data, dict) else {}
        category, risks = _proposed(case, data)
        if from_state == State.COUNTY_DECISION.value and to_state == State.MONITORING.value:
            effective = _as_date(data.get("effective_date")) or case.effective_date
            included.append(_row(case, category, risks, effective_date=effective, decided=_local_date(at)))
        elif from_state == State.ELIM_DECISION.value and to_state == State.ELIMINATED.value:
            eliminated.append(_row(case, case.category or category, list(case.risk_types) or risks,
                                   effective_date=case.effective_date, decided=_local_date(at)))
    return {"included": _group(included), "eliminated": _group(eliminated)}


def county_of(code: str) -> Region | None:
    """The county a region lies in (the region itself for a county; None above county level)."""
    return Region.objects.filter(code=code[:6]).first() if len(code) >= 6 else None


# ---------------------------------------------------------------- PDF


class PdfUnavailable(Exception):
    """WeasyPrint (or the pango library under it) could not be loaded on this server."""


def render_pdf(html: str, stylesheet_path: str | None) -> bytes:
    """HTML → PDF bytes with WeasyPrint, imported only here (it loads pango through cffi)."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the shared library pango is missing
        raise PdfUnavailable(str(exc)) from exc
    stylesheets = [weasyprint.CSS(filename=stylesheet_path)] if stylesheet_path else []
    return weasyprint.HTML(string=html).write_pdf(stylesheets=stylesheets)


def content_disposition(filename: str, fallback: str) -> str:
    """An attachment with a Chinese file name (RFC 6266 / RFC 5987 ``filename*``) and an ASCII fallback."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
