"""The employment link's rules: who is looked for, who fits a job, in what order, what a match becomes."""

from __future__ import annotations

import datetime as dt

from fangpin.core import employment as E

DAY = dt.date(2026, 11, 23)


def person(pk=1, born=dt.date(1990, 5, 1), sex="男", labour="full", employment="unemployed", schooling="none",
           status="active", priority=E.Priority.OTHER) -> E.Candidate:
    return E.Candidate(pk, born, sex, labour, employment, schooling, status, priority)


def test_who_is_looked_for():
    assert E.seeking(person(), DAY)
    assert E.seeking(person(employment="farming"), DAY)  # 务农 is not a stable job
    assert not E.seeking(person(employment="local_job"), DAY)
    assert not E.seeking(person(employment="public_post"), DAY)
    assert not E.seeking(person(labour="none"), DAY)
    assert not E.seeking(person(schooling="senior"), DAY)
    assert not E.seeking(person(status="deceased"), DAY)
    # 16 on the day is in, one day short of 16 is out; 60 is in, 61 out
    assert E.seeking(person(born=dt.date(2010, 11, 23)), DAY)
    assert not E.seeking(person(born=dt.date(2010, 11, 24)), DAY)
    assert E.seeking(person(born=dt.date(1966, 1, 1)), DAY)
    assert not E.seeking(person(born=dt.date(1965, 11, 22)), DAY)


def test_misfits_name_each_reason():
    job = E.Opening(slots=2, age_min=18, age_max=45, sex="女")
    assert E.misfits(job, person(sex="女"), DAY) == []
    problems = E.misfits(job, person(born=dt.date(1970, 1, 1), sex="男", labour="weak"), DAY)
    assert problems == ["年龄 56 岁不在岗位要求的 18–45 岁", "岗位限女性", "岗位不适合弱劳动力"]
    assert E.misfits(E.Opening(slots=1, weak_ok=True), person(labour="weak"), DAY) == []


def test_rank_puts_monitored_then_lifted_then_unemployed_first():
    job = E.Opening(slots=1, place=E.Place.OUTSIDE, weak_ok=True, transport=True)
    people = [
        person(1, employment="farming"),
        person(2, priority=E.Priority.LIFTED),
        person(3, employment="farming", priority=E.Priority.MONITORED),
        person(4, priority=E.Priority.MONITORED, labour="weak"),
        person(5, priority=E.Priority.MONITORED, born=dt.date(1985, 1, 1)),  # older than 4
        person(6, employment="local_job", priority=E.Priority.MONITORED),  # has a job: not proposed
        person(7),
    ]
    ranked = E.rank(job, people, DAY)
    assert [m.member_id for m in ranked] == [5, 4, 3, 2, 7, 1]
    assert ranked[0].reasons == ("监测对象", "失业/无业", "可点对点接送")
    assert [m.member_id for m in E.rank(job, people, DAY, limit=2)] == [5, 4]
    # far away the weak come after the full of the same standing; inside the county only age orders them
    local = E.Opening(slots=1, weak_ok=True)
    assert [m.member_id for m in E.rank(local, people, DAY)][:2] == [4, 5]


def test_what_a_match_becomes_and_how_many_may_be_recommended():
    assert E.measure_codes(E.Opening(slots=1)) == ("job_placement",)
    assert E.measure_codes(E.Opening(slots=1, place=E.Place.LOCAL, transport=True)) == ("job_placement",)
    assert E.measure_codes(E.Opening(slots=1, place=E.Place.PROVINCE, transport=True)) == ("job_placement", "transport")
    assert E.recommend_limit(E.Opening(slots=4)) == 12


def test_opening_problems():
    assert E.opening_problems(E.Opening(slots=3)) == []
    assert E.opening_problems(E.Opening(slots=0, age_min=14, age_max=12, sex="x")) == [
        "招聘人数须为正整数", "年龄下限不能低于 16 岁（不得招用童工）", "年龄上限 12 小于下限 14", "性别要求只能是“不限”“男”或“女”"]
