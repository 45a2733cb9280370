"""Employment link (就业帮扶): firms' labour demand matched against members who could work but have no
stable job; a match the office confirms becomes an employment measure of the household's plan.

Rules are data: an ``Opening`` says what the job needs, a ``Candidate`` what the registry knows of a
member; ``seeking`` decides who is looked for at all, ``misfits`` why one candidate does not fit one
opening (empty: fits), ``rank`` orders the fitting ones (monitored households first).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Place(StrEnum):
    LOCAL = "local"        # 县内
    PROVINCE = "province"  # 省内县外
    OUTSIDE = "outside"    # 省外


PLACE_LABELS = {Place.LOCAL: "县内", Place.PROVINCE: "省内县外", Place.OUTSIDE: "省外"}
PLACE_ALIASES = {"县内": Place.LOCAL, "本县": Place.LOCAL, "省内": Place.PROVINCE, "省内县外": Place.PROVINCE,
                 "县外省内": Place.PROVINCE, "省外": Place.OUTSIDE, "外省": Place.OUTSIDE}

# Working age of the employment-assistance statistics: 16 to 60 (a job may ask for less).
WORKING_AGE = (16, 60)
# Who is looked for: able to work, not in school, and without a stable job (务农 counts: it is the
# "未稳定就业" the policy targets; public-welfare posts, self-employment and wage jobs are stable).
SEEKING_EMPLOYMENT = {"unemployed": "失业/无业", "farming": "务农，未稳定就业"}
ABLE = {"full": "有劳动力", "weak": "弱劳动力"}
OUT_OF_SCHOOL = frozenset({"none"})


class Priority(StrEnum):
    MONITORED = "monitored"  # 监测对象 (an open case in monitoring)
    LIFTED = "lifted"        # 脱贫户
    OTHER = "other"


PRIORITY_LABELS = {Priority.MONITORED: "监测对象", Priority.LIFTED: "脱贫户", Priority.OTHER: "一般农户"}
_PRIORITY_ORDER = {Priority.MONITORED: 0, Priority.LIFTED: 1, Priority.OTHER: 2}


@dataclass(frozen=True, slots=True)
class Opening:
    slots: int
    place: Place = Place.LOCAL
    age_min: int = WORKING_AGE[0]
    age_max: int = WORKING_AGE[1]
    sex: str = ""  # "" any, else 男 / 女
    weak_ok: bool = False  # light work a 弱劳动力 can do
    transport: bool = False  # the employer or county runs 点对点 transport to the job
    wage: Decimal | None = None  # yuan per month


@dataclass(frozen=True, slots=True)
class Candidate:
    member_id: int
    birth_date: dt.date
    sex: str
    labour: str
    employment: str
    schooling: str = "none"
    status: str = "active"
    priority: Priority = Priority.OTHER

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


@dataclass(frozen=True, slots=True)
class Match:
    member_id: int
    age: int
    reasons: tuple[str, ...]  # why this person is proposed, in Chinese


def opening_problems(o: Opening) -> list[str]:
    """What is wrong with an opening as entered (empty: nothing)."""
    problems = []
    if o.slots < 1:
        problems.append("招聘人数须为正整数")
    if o.age_min < WORKING_AGE[0]:
        problems.append(f"年龄下限不能低于 {WORKING_AGE[0]} 岁（不得招用童工）")
    if o.age_max < o.age_min:
        problems.append(f"年龄上限 {o.age_max} 小于下限 {o.age_min}")
    if o.sex not in ("", "男", "女"):
        problems.append("性别要求只能是“不限”“男”或“女”")
    if o.wage is not None and o.wage < 0:
        problems.append("月薪不能为负数")
    return problems


def seeking(c: Candidate, day: dt.date) -> bool:
    """Is this member one the employment link looks for?"""
    age = c.age_on(day)
    return (c.status == "active" and c.labour in ABLE and c.employment in SEEKING_EMPLOYMENT
            and c.schooling in OUT_OF_SCHOOL and WORKING_AGE[0] <= age <= WORKING_AGE[1])


def misfits(o: Opening, c: Candidate, day: dt.date) -> list[str]:
    """Why ``c`` does not fit ``o`` (empty: fits)."""
    out = []
    if not seeking(c, day):
        out.append("不是待就业人员（须有劳动能力、不在校、失业或务农、16–60 岁）")
    age = c.age_on(day)
    if not o.age_min <= age <= o.age_max:
        out.append(f"年龄 {age} 岁不在岗位要求的 {o.age_min}–{o.age_max} 岁")
    if o.sex and c.sex != o.sex:
        out.append(f"岗位限{o.sex}性")
    if c.labour == "weak" and not o.weak_ok:
        out.append("岗位不适合弱劳动力")
    return out


def reasons(o: Opening, c: Candidate) -> tuple[str, ...]:
    out = [PRIORITY_LABELS[c.priority]] if c.priority is not Priority.OTHER else []
    out.append(SEEKING_EMPLOYMENT.get(c.employment, ""))
    if c.labour == "weak":
        out.append("弱劳动力，岗位可安排轻体力")
    if o.transport and o.place is not Place.LOCAL:
        out.append("可点对点接送")
    return tuple(r for r in out if r)


def rank(o: Opening, candidates: list[Candidate], day: dt.date, limit: int | None = None) -> list[Match]:
    """Fitting candidates, best first: monitored households, then 脱贫户; the unemployed before farmers;
    full labour before weak for jobs outside the county (travel is harder on the weak); then younger first."""
    fitting = [c for c in candidates if not misfits(o, c, day)]

    def key(c: Candidate) -> tuple[int, int, int, int, int]:
        far = o.place is not Place.LOCAL
        return (_PRIORITY_ORDER[c.priority], 0 if c.employment == "unemployed" else 1,
                1 if far and c.labour == "weak" else 0, c.age_on(day), c.member_id)

    ordered = sorted(fitting, key=key)
    if limit is not None:
        ordered = ordered[:limit]
    return [Match(c.member_id, c.age_on(day), reasons(o, c)) for c in ordered]


def measure_codes(o: Opening) -> tuple[str, ...]:
    """The assistance measures a confirmed match becomes (codes of ``core.assistance.MEASURES``)."""
    codes = ["job_placement"]
    if o.transport and o.place is not Place.LOCAL:
        codes.append("transport")
    return tuple(codes)


def recommend_limit(o: Opening) -> int:
    """More people are recommended than hired (interviews fail), but not without bound: 3 per slot."""
    return o.slots * 3
