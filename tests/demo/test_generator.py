"""The demo county as generated (no database): deterministic, valid, calibrated, consistent."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from fangpin.core.idcard import parse_id
from fangpin.core.policy import Policy
from fangpin.core.rules import HouseholdFacts, evaluate
from fangpin.demo import calibration as cal
from fangpin.demo import finance
from fangpin.demo.households import relation_problems


def fingerprint(plan):
    return [(hh.hh_no, hh.hh_type, hh.is_dibao, [(m.name, m.idn.value, m.relation) for m in hh.members],
             hh.years) for hh in plan]


def members(plan, hh_type=None):
    return [m for hh in plan if hh_type in (None, hh.hh_type) for m in hh.members]


def test_same_seed_gives_identical_households_and_id_numbers(make_plan, villages):
    from fangpin.demo.generator import Generator

    again = Generator("130633", villages, seed=7, scale=0.02, neighbours=("130623", "130626")).run()
    assert fingerprint(again) == fingerprint(make_plan(7, 0.02))


def test_another_seed_gives_other_people(make_plan):
    ids_7 = {m.idn.value for m in members(make_plan(7, 0.02))}
    ids_8 = {m.idn.value for m in members(make_plan(8, 0.02))}
    assert len(ids_7 & ids_8) < 0.01 * len(ids_7)


def test_id_numbers_are_valid_unique_and_match_the_person(make_plan):
    people = members(make_plan())
    values = [m.idn.value for m in people]
    assert len(set(values)) == len(values)
    for m in people:
        parsed = parse_id(m.idn.value)
        assert parsed.sex == m.kin.sex
        assert parsed.age_on(cal.AS_OF) == m.age
        assert parsed.area_code in ("130633", "130623", "130626")


def test_most_people_are_born_in_the_county_and_only_wives_come_from_neighbours(make_plan):
    people = members(make_plan())
    outsiders = [m for m in people if m.idn.area_code != "130633"]
    assert 0.03 < len(outsiders) / len(people) < 0.2
    assert {m.relation for m in outsiders} <= {"spouse", "daughter_in_law", "mother", "head"}
    assert all(m.kin.sex == "女" for m in outsiders)


def test_household_counts_and_support_hit_the_scaled_targets_exactly(make_plan):
    plan = make_plan(7, 0.02)
    for group in cal.GROUPS:
        hhs = [hh for hh in plan if hh.hh_type == group.hh_type]
        assert len(hhs) == cal.scaled(group.households, 0.02)
        assert sum(hh.is_dibao for hh in hhs) == cal.scaled(group.dibao_households, 0.02)
        assert sum(hh.is_tekun for hh in hhs) == cal.scaled(group.tekun_households, 0.02)
        assert sum(bool(m.disability_grade) for m in members(plan, group.hh_type)) == cal.scaled(
            group.disabled_persons, 0.02)
    assert not any(hh.is_dibao and hh.is_tekun for hh in plan)


def test_registered_poor_match_the_source_figures_within_tolerance(make_plan):
    scale = 0.1
    poor = members(make_plan(3, scale), "tuopin")
    assert abs(len(poor) - 39_736 * scale) < 0.05 * 39_736 * scale  # persons
    assert abs(sum(m.age >= 60 and m.pension for m in poor) - 16_080 * scale) < 0.08 * 16_080 * scale
    assert abs(sum(m.age >= 80 for m in poor) - 1_860 * scale) < 0.15 * 1_860 * scale


def test_every_household_has_exactly_one_head_listed_first(make_plan):
    for hh in make_plan():
        assert [m.relation for m in hh.members].count("head") == 1
        assert hh.members[0].relation == "head"


def test_ages_fit_relations_to_the_head(make_plan):
    for hh in make_plan(5, 0.05):
        head, *others = hh.members
        assert relation_problems(head.age, [(m.relation, m.age) for m in others]) == [], hh.hh_no


def test_spouses_are_of_the_other_sex_and_children_carry_the_family_name(make_plan):
    plan = make_plan()
    for hh in plan:
        head = hh.members[0]
        for m in hh.members[1:]:
            if m.relation == "spouse":
                assert m.kin.sex != head.kin.sex
    male_heads = [hh for hh in plan if hh.members[0].kin.sex == "男"]
    sons = [(hh.members[0].name[0], m.name[0]) for hh in male_heads for m in hh.members if m.relation == "son"]
    assert sons and all(a == b for a, b in sons)


def test_households_sit_on_real_village_units_mostly_rural(make_plan, villages):
    plan = make_plan()
    known = {v.code: v for v in villages}
    assert all(hh.village_code in known for hh in plan)
    assert all(hh.hh_no.startswith(hh.village_code) and len(hh.hh_no) == 16 for hh in plan)
    assert len({hh.hh_no for hh in plan}) == len(plan)
    residential = sum(known[hh.village_code].residential for hh in plan)
    assert residential < 0.05 * len(plan)


def test_school_age_children_are_at_school_but_for_a_few_dropouts(make_plan):
    children = [m for m in members(make_plan(4, 0.2)) if 7 <= m.age <= 14]
    schooling = Counter(m.schooling for m in children)
    assert set(schooling) <= {"primary", "junior", "dropout"}
    assert 0 < schooling["dropout"] < 0.01 * len(children)


def test_labour_and_work_follow_age(make_plan):
    for m in members(make_plan()):
        if m.age < 16:
            assert (m.labour, m.employment) == ("none", "not_applicable")
        if m.employment in ("outside_job", "province_job", "local_job"):
            assert m.labour == "full"


def test_almost_everyone_has_medical_insurance_and_houses_are_mostly_safe(make_plan):
    plan = make_plan(4, 0.2)
    people = members(plan)
    assert 0.98 < sum(m.med_insurance for m in people) / len(people) < 0.999
    housing = Counter(hh.housing for hh in plan)
    assert housing["A"] + housing["B"] > 0.97 * len(plan)
    assert housing["C"] + housing["D"] > 0


def test_incomes_spread_around_the_line_with_a_few_households_below(make_plan):
    plan = make_plan(4, 0.2)
    for hh_type, low, high in (("tuopin", 0.01, 0.1), ("yiban", 0.005, 0.08), ("jiance", 0.05, 0.3)):
        hhs = [hh for hh in plan if hh.hh_type == hh_type]
        below = sum(finance.net_income(hh.years[0]) / hh.size < cal.REFERENCE_LINE for hh in hhs)
        assert low < below / len(hhs) < high, hh_type
    assert all(hh.years[0]["year"] == 2024 and hh.years[1]["year"] == 2025 for hh in plan)


def test_risk_rules_find_some_clearly_at_risk_households(make_plan):
    policy = Policy("13-2025-demo", 2025, Decimal(cal.REFERENCE_LINE))
    hit = Counter()
    plan = make_plan(4, 0.2)
    for hh in plan:
        last, this = hh.years
        facts = HouseholdFacts(
            household_type=hh.hh_type, persons=hh.size, net_income=Decimal(finance.net_income(this)),
            last_year_net_income=Decimal(finance.net_income(last)),
            rigid={k: Decimal(this[k]) for k in ("medical_oop", "schooling_exp", "disaster_loss", "accident_exp")},
            housing_safety=hh.housing, water=hh.water,
            dropouts=sum(m.schooling == "dropout" for m in hh.members),
            uninsured=sum(not m.med_insurance for m in hh.members))
        hit.update(f.rule for f in evaluate(facts, policy))
    flagged = sum(hit.values())
    assert len(hit) >= 4  # income line, rigid expenditure, collapse, 三保障 all occur
    assert 0.02 * len(plan) < flagged < 0.3 * len(plan)


DIGEST_SCRIPT = """
import hashlib, sys
import django
sys.path.insert(0, {root!r})
django.setup()
from tests.demo.conftest import YIXIAN, keep
from fangpin.demo.generator import Generator, Village
from fangpin.regions.services import BUNDLED_HEBEI, read_region_files
rows = [r for r in read_region_files([BUNDLED_HEBEI]).rows if keep(r.code)]
towns = {{r.code: r.name for r in rows if len(r.code) == 9}}
villages = [Village(r.code, r.name, towns[r.code[:9]]) for r in rows if len(r.code) == 12]
plan = Generator(YIXIAN, villages, seed=7, scale=0.02, neighbours=("130623", "130626")).run()
print(hashlib.sha256(repr([(h.hh_no, [(m.name, m.idn.value) for m in h.members], h.years)
                           for h in plan]).encode()).hexdigest())
"""


def test_output_does_not_depend_on_the_process_or_its_hash_seed(make_plan):
    root = str(Path(__file__).resolve().parents[2])
    here = hashlib.sha256(repr([(h.hh_no, [(m.name, m.idn.value) for m in h.members], h.years)
                                for h in make_plan(7, 0.02)]).encode()).hexdigest()
    env = {**os.environ, "PYTHONHASHSEED": "12345", "DJANGO_SETTINGS_MODULE": "fangpin.settings"}
    out = subprocess.run([sys.executable, "-c", DIGEST_SCRIPT.format(root=root)], env=env, check=True,
                         capture_output=True, text=True, cwd=root)
    assert out.stdout.strip() == here


@pytest.mark.slow
def test_full_county_matches_the_source_figures(make_plan, villages):
    plan = make_plan(1, 1.0)
    poor = members(plan, "tuopin")
    assert sum(hh.hh_type == "tuopin" for hh in plan) == 16_620
    assert abs(len(poor) - 39_736) < 0.03 * 39_736
    assert abs(sum(m.age >= 60 and m.pension for m in poor) - 16_080) < 0.05 * 16_080
    assert abs(sum(m.age >= 80 for m in poor) - 1_860) < 0.1 * 1_860
    assert sum(hh.is_dibao for hh in plan) == 10_257
    assert sum(bool(m.disability_grade) for m in members(plan)) == 8_214 + 4_200
    assert {hh.village_code for hh in plan} == {v.code for v in villages}  # every unit has households
