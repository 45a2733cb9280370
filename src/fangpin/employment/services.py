"""Verbs of the employment link: publish labour demand (form or list), find and recommend candidates,
record the outcome. A recommendation of a member of a monitored household becomes employment measures
of its plan (务工就业推荐, and 点对点返岗服务 when the job is outside the county with transport); the
outcome completes or cancels them, and a hire updates the member's employment status in the registry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fangpin import pii
from fangpin.accounts.access import code_prefix_q, get_scoped_or_404
from fangpin.audit.services import record
from fangpin.cases.models import Case
from fangpin.core import employment as E
from fangpin.core.idcard import mask_phone
from fangpin.core.phone import PhoneError, normalise_phone
from fangpin.core.screening import CellError, parse_date, parse_money
from fangpin.employment.models import Demand, Placement
from fangpin.plans import services as plans
from fangpin.registry.models import Member

MEMBER_SCOPE = "household__village__code"
PLACEMENT_SCOPE = "member__household__village__code"
# A hire sets the registry's employment status by where the job is.
EMPLOYMENT_BY_PLACE = {E.Place.LOCAL: "local_job", E.Place.PROVINCE: "province_job", E.Place.OUTSIDE: "outside_job"}
MONITORED_STATES = tuple(s.value for s in plans.ASSISTANCE_STATES)


class JobError(Exception):
    """A refused request; ``str()`` is the Chinese explanation."""


def today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- demand


def visible_demands(user) -> QuerySet[Demand]:
    """Demand of counties in the user's region, and of the county a township or village user belongs to."""
    code = user.scope_code
    q = code_prefix_q("county_id", code)
    if len(code) > 6:
        q |= Q(county_id=code[:6])
    return Demand.objects.filter(q).select_related("county")


def demand_for(user, pk: int) -> Demand:
    demand = visible_demands(user).filter(pk=pk).first()
    if demand is None:
        raise Http404("岗位不存在或不在您的管辖范围内")
    return demand


def opening(demand: Demand) -> E.Opening:
    return E.Opening(slots=demand.slots, place=E.Place(demand.place), age_min=demand.age_min,
                     age_max=demand.age_max, sex=demand.sex, weak_ok=demand.weak_ok, transport=demand.transport,
                     wage=demand.wage)


def is_open(demand: Demand, day: dt.date) -> bool:
    return demand.closed_at is None and demand.valid_until >= day


def _publisher_county(user) -> str:
    if not user.can("manage_jobs"):
        raise JobError("发布用工需求须由县级或乡镇人员办理")
    return user.scope_code[:6]


FIELDS = ("firm", "title", "place", "location", "slots", "wage", "age_min", "age_max", "sex", "weak_ok",
          "transport", "valid_until", "contact_name", "note")


def check_demand(values: dict[str, Any], day: dt.date) -> list[tuple[str, str]]:
    """(field label, problem) for every problem of one demand's values."""
    problems = []
    for key, label in (("firm", "用工单位"), ("title", "岗位"), ("location", "工作地点")):
        if not str(values.get(key) or "").strip():
            problems.append((label, "必填"))
    try:
        o = E.Opening(slots=int(values["slots"]), place=E.Place(values["place"]), age_min=int(values["age_min"]),
                      age_max=int(values["age_max"]), sex=values.get("sex") or "", wage=values.get("wage"))
    except (KeyError, TypeError, ValueError):
        problems.append(("招聘人数/年龄/地点类型", "格式不正确"))
    else:
        problems += [("岗位要求", p) for p in E.opening_problems(o)]
    valid_until = values.get("valid_until")
    if not isinstance(valid_until, dt.date):
        problems.append(("有效期至", "请填写日期"))
    elif valid_until < day:
        problems.append(("有效期至", f"{valid_until:%Y-%m-%d} 已过期"))
    return problems


@transaction.atomic
def do_save_demand(user, values: dict[str, Any], *, phone: str | None = None, pk: int | None = None,
                   source: str = "form", request=None) -> tuple[Demand, str]:
    """Create (or, with ``pk`` or the same firm/job/place, update) one demand →
    (demand, "created" | "updated" | "unchanged")."""
    county = _publisher_county(user)
    problems = check_demand(values, today())
    if problems:
        raise JobError("；".join(f"{label}：{p}" for label, p in problems))
    clean = {k: values.get(k) for k in FIELDS}
    for key in ("firm", "title", "location", "contact_name", "note"):
        clean[key] = str(clean[key] or "").strip()
    clean["sex"] = clean["sex"] or ""
    number = None
    if phone is not None:
        try:
            number = normalise_phone(phone)
        except PhoneError as exc:
            raise JobError(f"联系电话：{exc}") from None
    if pk is not None:
        demand = visible_demands(user).select_for_update().filter(pk=pk, county_id=county).first()
        if demand is None:
            raise Http404("岗位不存在或不在您的管辖范围内")
        created = False
    else:
        demand = Demand.objects.select_for_update().filter(
            county_id=county, firm=clean["firm"], title=clean["title"], location=clean["location"]).first()
        created = demand is None
        if created:
            demand = Demand(county_id=county, created_by=user, source=source)
    if number is not None and (created or pii.decrypt(demand.contact_phone_cipher) != number):
        # compared in clear: a fresh ciphertext of the same number is not a change
        clean["contact_phone_cipher"] = pii.encrypt(number)
        clean["contact_phone_masked"] = mask_phone(number) if number else ""
    changed = [k for k, v in clean.items() if getattr(demand, k) != v]
    if not created and not changed:
        return demand, "unchanged"
    for key, value in clean.items():
        setattr(demand, key, value)
    if created:
        demand.save()
    else:
        demand.save(update_fields=[*changed, "updated_at"])
    record(request, "employment.demand_create" if created else "employment.demand_update", obj=demand, user=user,
           region_code=county, summary=f"{'发布' if created else '修改'}用工需求：{demand.firm}·{demand.title}",
           detail={"fields": sorted(changed), "slots": demand.slots})
    return demand, "created" if created else "updated"


@transaction.atomic
def do_close_demand(user, pk: int, request=None) -> Demand:
    county = _publisher_county(user)
    now = timezone.now()
    demand = demand_for(user, pk)
    if demand.county_id != county:
        raise JobError("只能停止本县发布的岗位")
    if Demand.objects.filter(pk=pk, closed_at__isnull=True).update(closed_at=now, updated_at=now) != 1:
        raise JobError("该岗位已停止招聘")
    record(request, "employment.demand_close", obj=demand, user=user, region_code=county,
           summary=f"停止招聘：{demand.firm}·{demand.title}")
    demand.closed_at = now
    return demand


# ---------------------------------------------------------------- the list (用工需求表)

COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (  # key, header, aliases
    ("firm", "用工单位", ("企业名称", "单位名称", "企业")),
    ("title", "岗位", ("岗位名称", "工种", "招聘岗位")),
    ("place", "工作地点类型", ("地点类型", "务工地域")),
    ("location", "工作地点", ("工作地址", "地点")),
    ("slots", "招聘人数", ("需求人数", "人数")),
    ("wage", "月薪（元）", ("月薪", "工资", "薪资（元/月）")),
    ("age_min", "年龄下限", ("最小年龄",)),
    ("age_max", "年龄上限", ("最大年龄",)),
    ("sex", "性别要求", ("性别",)),
    ("weak_ok", "弱劳动力可做", ("适合弱劳动力",)),
    ("transport", "点对点接送", ("点对点", "接送")),
    ("valid_until", "有效期至", ("截止日期", "有效期")),
    ("contact_name", "联系人", ()),
    ("phone", "联系电话", ("电话", "手机")),
    ("note", "其他要求", ("备注",)),
)
REQUIRED = ("firm", "title", "location", "slots", "valid_until")
YES = {"是", "有", "y", "yes", "1", "true", "√"}
NO = {"否", "无", "n", "no", "0", "false", "", "none"}


@dataclass
class ImportOutcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str, str]] | None = None  # (row number in the file, column, problem)


def _header_map(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    names = {h.strip().replace(" ", ""): i for i, h in enumerate(headers) if h}
    found, missing = {}, []
    for key, header, aliases in COLUMNS:
        for name in (header, *aliases):
            if name in names:
                found[key] = names[name]
                break
        else:
            if key in REQUIRED:
                missing.append(header)
    return found, missing


def _cell(row: list[object], index: int | None) -> object:
    return row[index] if index is not None and index < len(row) else None


def _parse_row(row: list[object], cols: dict[str, int]) -> tuple[dict[str, Any], str | None, list[tuple[str, str]]]:
    """One data row → (values, phone, [(column, problem)])."""
    errors: list[tuple[str, str]] = []
    header = {key: h for key, h, _ in COLUMNS}
    raw = {key: _cell(row, cols.get(key)) for key, _, _ in COLUMNS}
    values: dict[str, Any] = {k: str(raw[k] or "").strip() for k in ("firm", "title", "location", "contact_name",
                                                                     "note")}
    place = str(raw["place"] or "县内").strip()
    values["place"] = E.PLACE_ALIASES.get(place, place if place in {p.value for p in E.Place} else None)
    if values["place"] is None:
        errors.append((header["place"], f"“{place}”应为 县内 / 省内县外 / 省外"))
        values["place"] = E.Place.LOCAL
    for key, default in (("slots", None), ("age_min", E.WORKING_AGE[0]), ("age_max", E.WORKING_AGE[1])):
        cell = raw[key]
        if cell in (None, ""):
            values[key] = default
            if default is None:
                errors.append((header[key], "必填"))
            continue
        try:
            number = Decimal(str(cell).strip())
            if number != number.to_integral_value():
                raise InvalidOperation
            values[key] = int(number)
        except (InvalidOperation, ValueError):
            errors.append((header[key], f"“{cell}”不是整数"))
            values[key] = default if default is not None else 1
    wage, values["wage"] = raw["wage"], None
    if wage not in (None, ""):
        try:
            values["wage"] = parse_money(wage)
        except CellError as exc:
            errors.append((header["wage"], str(exc)))
    sex = str(raw["sex"] or "").strip()
    values["sex"] = {"不限": "", "男性": "男", "女性": "女"}.get(sex, sex)
    for key in ("weak_ok", "transport"):
        text = str(raw[key] if raw[key] is not None else "").strip().lower()
        if text in YES:
            values[key] = True
        elif text in NO:
            values[key] = False
        else:
            errors.append((header[key], f"“{raw[key]}”应为 是 / 否"))
            values[key] = False
    values["valid_until"] = None
    if raw["valid_until"] not in (None, ""):
        try:
            values["valid_until"] = parse_date(raw["valid_until"])
        except CellError as exc:
            errors.append((header["valid_until"], str(exc)))
    phone = None if raw["phone"] is None else str(raw["phone"])
    if phone:
        try:
            normalise_phone(phone)
        except PhoneError as exc:
            errors.append((header["phone"], str(exc)))
    return values, phone, errors


def do_import_demands(user, data: bytes, filename: str, *, request=None) -> ImportOutcome:
    """All or nothing: every row is checked first; any problem → nothing written and the list of problems."""
    from fangpin.datasets.services import DatasetError, read_table

    _publisher_county(user)
    try:
        headers, rows = read_table(data, filename)
    except DatasetError as exc:
        raise JobError(str(exc)) from None
    cols, missing = _header_map(headers)
    if missing:
        raise JobError(f"缺少必填列：{'、'.join(missing)}（请使用岗位需求模板）")
    outcome = ImportOutcome(errors=[])
    parsed: list[tuple[int, dict[str, Any], str | None]] = []
    seen: dict[tuple[str, str, str], int] = {}
    day = today()
    for number, row in enumerate(rows, start=2):
        if not any(cell not in (None, "") for cell in row):
            continue
        values, phone, errors = _parse_row(list(row), cols)
        flagged = {col for col, _ in errors}
        errors += [e for e in check_demand(values, day)
                   if e[0] not in flagged and not (e[1] == "格式不正确" and errors)]  # one problem per cell
        key = (values["firm"], values["title"], values["location"])
        if key in seen:
            errors.append(("用工单位/岗位/工作地点", f"与第 {seen[key]} 行重复"))
        seen.setdefault(key, number)
        outcome.errors.extend((number, col, problem) for col, problem in errors)
        parsed.append((number, values, phone))
        if len(outcome.errors) > 1000:
            break
    outcome.rows = len(parsed)
    if outcome.errors or not parsed:
        if not parsed:
            outcome.errors.append((0, "", "文件中没有岗位数据"))
        return outcome
    with transaction.atomic():
        for _, values, phone in parsed:
            _, state = do_save_demand(user, values, phone=phone, source="upload", request=request)
            setattr(outcome, state, getattr(outcome, state) + 1)
        record(request, "employment.import", user=user, region_code=user.scope_code[:6],
               summary=f"导入用工需求 {outcome.rows} 行：新增 {outcome.created}，更新 {outcome.updated}",
               detail={"file": filename[:100], "rows": outcome.rows, "created": outcome.created,
                       "updated": outcome.updated})
    return outcome


# ---------------------------------------------------------------- candidates


def _search_scope(user, demand: Demand) -> str:
    """Members the user may see, within the county that published the demand."""
    return user.scope_code if user.scope_code.startswith(demand.county_id) else demand.county_id


def candidate_of(member: Member, monitored: set[int]) -> E.Candidate:
    if member.household_id in monitored or member.household.hh_type == "jiance":
        priority = E.Priority.MONITORED
    elif member.household.hh_type == "tuopin":
        priority = E.Priority.LIFTED
    else:
        priority = E.Priority.OTHER
    return E.Candidate(member.pk, member.birth_date, member.sex, member.labour, member.employment,
                       member.schooling, member.status, priority)


def seekers(user, demand: Demand, day: dt.date) -> QuerySet[Member]:
    """The members the core would consider, narrowed in SQL (age range, sex, labour) before the core decides."""
    o = opening(demand)
    oldest = _years_before(day, o.age_max + 1) + dt.timedelta(days=1)
    youngest = _years_before(day, o.age_min)
    qs = Member.objects.filter(code_prefix_q(MEMBER_SCOPE, _search_scope(user, demand)), status="active",
                               labour__in=list(E.ABLE) if o.weak_ok else ["full"],
                               employment__in=list(E.SEEKING_EMPLOYMENT), schooling__in=list(E.OUT_OF_SCHOOL),
                               birth_date__gte=oldest, birth_date__lte=youngest)
    if o.sex:
        qs = qs.filter(sex=o.sex)
    return qs.exclude(pk__in=Placement.objects.filter(demand=demand).values("member_id"))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def candidates(user, demand: Demand, day: dt.date, limit: int = 100) -> list[tuple[E.Match, Member]]:
    members = list(seekers(user, demand, day).select_related("household__village__parent")[:5000])
    monitored = set(Case.objects.filter(household_id__in={m.household_id for m in members}, closed_at__isnull=True,
                                        state__in=MONITORED_STATES).values_list("household_id", flat=True))
    by_pk = {m.pk: m for m in members}
    ranked = E.rank(opening(demand), [candidate_of(m, monitored) for m in members], day, limit)
    return [(match, by_pk[match.member_id]) for match in ranked]


# ---------------------------------------------------------------- recommending and the outcome


@transaction.atomic
def do_recommend(user, demand_id: int, member_id: int, *, request=None,
                 now: dt.datetime | None = None) -> Placement:
    if not user.can("handle_cases"):
        raise JobError("推荐须由村、乡镇或县级干部办理")
    now = now or timezone.now()
    day = timezone.localdate(now)
    demand = demand_for(user, demand_id)
    Demand.objects.select_for_update().filter(pk=demand.pk).first()  # one recommender at a time per job
    if not is_open(demand, day):
        raise JobError("该岗位已停止招聘或已过有效期")
    member = get_scoped_or_404(Member.objects.select_related("household"), user, MEMBER_SCOPE, pk=member_id)
    if not member.household.village_id.startswith(demand.county_id):
        raise JobError("只能推荐本县的人员")
    case = Case.objects.filter(household=member.household, closed_at__isnull=True,
                               state__in=MONITORED_STATES).first()
    candidate = candidate_of(member, {member.household_id} if case else set())
    problems = E.misfits(opening(demand), candidate, day)
    if problems:
        raise JobError(f"{member.name}不符合岗位要求：{'；'.join(problems)}")
    taken = Placement.objects.filter(demand=demand, status__in=("recommended", "hired")).count()
    if taken >= E.recommend_limit(opening(demand)):
        raise JobError(f"该岗位已推荐 {taken} 人（招聘 {demand.slots} 人，最多推荐 {E.recommend_limit(opening(demand))} 人）")
    try:
        with transaction.atomic():
            placement = Placement.objects.create(demand=demand, member=member, case=case, recommended_by=user,
                                                 recommended_at=now)
    except IntegrityError:
        raise JobError(f"{member.name}已推荐到该岗位") from None
    if case is not None:
        detail = f"{demand.firm}·{demand.title}（{demand.location}" + (f"，月薪 {demand.wage} 元" if demand.wage else "") + "）"
        for code in E.measure_codes(opening(demand)):
            measure = plans.do_add_measure(user, case.pk, code=code, detail=detail, start_date=day, request=request)
            placement.measures.add(measure)
    record(request, "employment.recommend", obj=placement, user=user, region_code=member.household.village_id,
           summary=f"推荐户 {member.household.hh_no} {member.name} 到 {demand.firm}·{demand.title}",
           detail={"demand": demand.pk, "member": member.pk, "case": case.pk if case else None,
                   "measures": list(placement.measures.values_list("pk", flat=True))})
    return placement


@transaction.atomic
def do_record_outcome(user, placement_id: int, *, hired: bool, note: str = "", start_date: dt.date | None = None,
                      request=None, now: dt.datetime | None = None) -> Placement:
    """已上岗 or 未录用, once; the measures follow (落实 / 取消) and a hire updates the registry's employment."""
    if not user.can("handle_cases"):
        raise JobError("结果须由村、乡镇或县级干部登记")
    now = now or timezone.now()
    placement = get_scoped_or_404(Placement.objects.select_related("demand", "member__household"), user,
                                  PLACEMENT_SCOPE, pk=placement_id)
    start_date = start_date or timezone.localdate(now)
    if hired and start_date > timezone.localdate(now):
        raise JobError("上岗日期：不能晚于今天")
    if not hired and not note.strip():
        raise JobError("未录用须填写原因")
    status = "hired" if hired else "declined"
    if Placement.objects.filter(pk=placement.pk, status="recommended").update(
            status=status, outcome_by=user, outcome_at=now, note=note.strip()[:500],
            start_date=start_date if hired else None) != 1:
        raise JobError("该推荐的结果已登记")
    demand = placement.demand
    for measure in placement.measures.filter(status="planned"):
        if hired:
            plans.do_complete_measure(user, measure.pk, result=f"已于 {start_date:%Y-%m-%d} 到{demand.firm}"
                                      f"{demand.title}岗位上岗", done_date=start_date, request=request)
        else:
            plans.do_cancel_measure(user, measure.pk, reason=f"未录用：{note.strip()}"[:500], request=request)
    if hired:
        from fangpin.registry.services import do_update_member

        wanted = EMPLOYMENT_BY_PLACE[E.Place(demand.place)]
        if placement.member.employment != wanted:
            do_update_member(request or SimpleNamespace(user=user, META={}), placement.member,
                             {"employment": wanted})
    record(request, "employment.outcome", obj=placement, user=user,
           region_code=placement.member.household.village_id,
           summary=f"{placement.member.name}：{'已上岗' if hired else '未录用'}（{demand.firm}·{demand.title}）",
           detail={"status": status})
    placement.refresh_from_db()
    return placement


def placements_for(user) -> QuerySet[Placement]:
    return Placement.objects.filter(code_prefix_q(PLACEMENT_SCOPE, user.scope_code)).select_related(
        "demand", "member__household__village")

