"""Assistance suggestions (一户一策): measures that fit the household's labour and risks.

The suggestion is advice for the helper (帮扶责任人), who chooses and records the measures.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MEASURES: dict[str, tuple[str, str]] = {  # code → (group, label)
    "industry_grant": ("产业帮扶", "产业奖补"),
    "micro_credit": ("产业帮扶", "脱贫人口小额信贷"),
    "job_placement": ("就业帮扶", "务工就业推荐"),
    "skills_training": ("就业帮扶", "技能培训"),
    "public_post": ("就业帮扶", "公益岗位"),
    "transport": ("就业帮扶", "点对点返岗服务"),
    "dibao": ("兜底保障", "低保"),
    "tekun": ("兜底保障", "特困供养"),
    "temp_relief": ("兜底保障", "临时救助"),
    "medical_aid": ("兜底保障", "医疗救助"),
    "disability_subsidy": ("兜底保障", "残疾人两项补贴"),
    "pension_payment": ("兜底保障", "养老保险代缴"),
    "elderly_subsidy": ("兜底保障", "高龄补贴"),
    "education_aid": ("教育帮扶", "教育资助"),
    "dropout_return": ("教育帮扶", "控辍保学劝返"),
    "house_renovation": ("住房保障", "危房改造"),
    "water_project": ("饮水保障", "饮水安全工程"),
    "insurance": ("防贫保险", "防贫保险"),
    "social_aid": ("社会帮扶", "社会帮扶"),
}


@dataclass(frozen=True)
class MemberProfile:
    age: int
    labour: str  # full / weak / none / lost
    employment: str = "farming"
    schooling: str = "none"
    disability_grade: str = ""
    pension: bool = True


@dataclass(frozen=True)
class HouseholdProfile:
    members: tuple[MemberProfile, ...]
    risk_types: tuple[str, ...] = ()
    is_dibao: bool = False
    is_tekun: bool = False
    housing_safety: str = "A"
    water: str = "safe"


@dataclass(frozen=True)
class Suggestion:
    code: str
    group: str
    label: str
    reason: str


def _s(code: str, reason: str) -> Suggestion:
    group, label = MEASURES[code]
    return Suggestion(code, group, label, reason)


def _labour(h: HouseholdProfile) -> list[Suggestion]:
    working_age = [m for m in h.members if 16 <= m.age < 60 and m.labour in ("full", "weak")]
    out: list[Suggestion] = []
    if any(m.labour == "full" and m.employment in ("unemployed", "farming") for m in working_age):
        out += [_s("job_placement", "有劳动力成员未稳定就业"), _s("skills_training", "提升务工技能")]
    if any(m.labour == "weak" for m in working_age) or "因务工就业不稳" in h.risk_types:
        out.append(_s("public_post", "弱劳动力或就业不稳，可安排公益岗位"))
    if any(m.labour == "full" and m.employment == "farming" for m in working_age):
        out += [_s("industry_grant", "有劳动力、从事种养，可发展产业"), _s("micro_credit", "产业发展资金需求")]
    if any(m.employment in ("province_job", "outside_job") for m in h.members):
        out.append(_s("transport", "有外出务工成员"))
    return out


def _safety_net(h: HouseholdProfile) -> list[Suggestion]:
    out: list[Suggestion] = []
    able = [m for m in h.members if m.labour in ("full", "weak") and 16 <= m.age < 60]
    if not able and not h.is_dibao and not h.is_tekun:
        out.append(_s("dibao", "家庭无劳动能力，符合条件的纳入低保"))
        if len(h.members) == 1 and (h.members[0].age >= 60 or h.members[0].labour in ("none", "lost")):
            out.append(_s("tekun", "无劳动能力、无生活来源的单人户，评估特困供养"))
    if "因病" in h.risk_types:
        out.append(_s("medical_aid", "因病致贫返贫风险"))
    if {"因灾", "因意外事故", "因新冠肺炎疫情"} & set(h.risk_types):
        out.append(_s("temp_relief", "突发困难，先行临时救助"))
    if any(m.disability_grade for m in h.members):
        out.append(_s("disability_subsidy", "有持证残疾人"))
    if any(16 <= m.age < 60 and not m.pension for m in h.members):
        out.append(_s("pension_payment", "有成员未参加养老保险，按政策代缴"))
    if any(m.age >= 80 for m in h.members):
        out.append(_s("elderly_subsidy", "有 80 岁以上老人"))
    return out


def _guarantees(h: HouseholdProfile) -> list[Suggestion]:
    out: list[Suggestion] = []
    if any(m.schooling not in ("none", "preschool", "dropout") for m in h.members) or "因学" in h.risk_types:
        out.append(_s("education_aid", "有在校学生"))
    if any(m.schooling == "dropout" for m in h.members):
        out.append(_s("dropout_return", "有辍学学生"))
    if h.housing_safety in ("C", "D"):
        out.append(_s("house_renovation", f"住房安全等级 {h.housing_safety} 级"))
    if h.water != "safe":
        out.append(_s("water_project", "饮水不安全"))
    return out


def suggest_measures(h: HouseholdProfile) -> list[Suggestion]:
    seen: set[str] = set()
    result: list[Suggestion] = []
    for s in [*_labour(h), *_safety_net(h), *_guarantees(h), _s("insurance", "纳入防贫保险保障"),
              _s("social_aid", "动员社会力量结对帮扶")]:
        if s.code not in seen:
            seen.add(s.code)
            result.append(s)
    return result


# ---------------------------------------------------------------- measure status

class MeasureStatus(StrEnum):
    PLANNED = "planned"      # 已计划
    REFERRED = "referred"    # 已转办（待部门接收）
    ACCEPTED = "accepted"    # 已接收（部门落实中）
    DONE = "done"            # 已落实
    CANCELLED = "cancelled"  # 已取消


class MeasureAction(StrEnum):
    REFER = "refer"        # 转办到部门
    ACCEPT = "accept"      # 部门接收
    DECLINE = "decline"    # 部门退回（须说明理由），回到已计划
    COMPLETE = "complete"  # 落实完成
    CANCEL = "cancel"      # 取消（须说明理由）


MEASURE_STATUS_LABELS = {
    MeasureStatus.PLANNED: "已计划", MeasureStatus.REFERRED: "已转办", MeasureStatus.ACCEPTED: "已接收",
    MeasureStatus.DONE: "已落实", MeasureStatus.CANCELLED: "已取消",
}
MEASURE_ACTION_LABELS = {
    MeasureAction.REFER: "转办", MeasureAction.ACCEPT: "接收", MeasureAction.DECLINE: "退回",
    MeasureAction.COMPLETE: "落实完成", MeasureAction.CANCEL: "取消",
}


@dataclass(frozen=True, slots=True)
class MeasureMove:
    next_status: MeasureStatus
    needs_reason: bool = False
    by_department: bool = False  # the department (or insurer) the measure was referred to acts


_P, _R, _A, _D, _C = (MeasureStatus.PLANNED, MeasureStatus.REFERRED, MeasureStatus.ACCEPTED,
                      MeasureStatus.DONE, MeasureStatus.CANCELLED)
MEASURE_MOVES: dict[tuple[MeasureStatus, MeasureAction], MeasureMove] = {
    (_P, MeasureAction.REFER): MeasureMove(_R),
    (_P, MeasureAction.COMPLETE): MeasureMove(_D),  # the village does it itself
    (_R, MeasureAction.ACCEPT): MeasureMove(_A, by_department=True),
    (_R, MeasureAction.DECLINE): MeasureMove(_P, needs_reason=True, by_department=True),
    (_A, MeasureAction.COMPLETE): MeasureMove(_D, by_department=True),
    (_P, MeasureAction.CANCEL): MeasureMove(_C, needs_reason=True),
    (_R, MeasureAction.CANCEL): MeasureMove(_C, needs_reason=True),
    (_A, MeasureAction.CANCEL): MeasureMove(_C, needs_reason=True),
}


class IllegalMeasureMove(Exception):
    """A move the table does not allow, or one without its required reason; ``str()`` is Chinese."""


def next_status(status: MeasureStatus, action: MeasureAction, reason: str = "") -> MeasureStatus:
    move = MEASURE_MOVES.get((status, action))
    if move is None:
        raise IllegalMeasureMove(f"措施“{MEASURE_STATUS_LABELS[status]}”时不能{MEASURE_ACTION_LABELS[action]}")
    if move.needs_reason and not reason.strip():
        raise IllegalMeasureMove(f"{MEASURE_ACTION_LABELS[action]}须填写理由")
    return move.next_status


def measure_actions(status: MeasureStatus, *, by_department: bool) -> list[MeasureAction]:
    """The moves open at ``status`` to the office (``by_department=False``) or to the department."""
    return [a for (s, a), m in MEASURE_MOVES.items() if s is status and m.by_department is by_department]
