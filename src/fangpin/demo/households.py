"""Household make-ups: who lives together, how old, and how they are related to the head.

A rural county's registry is old: many elderly singles and couples whose children work
elsewhere, left-behind grandchildren, and three-generation homes. Each template returns
people whose ages fit their relation to the head (``relation_problems`` states the rule).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

MALE, FEMALE = "男", "女"


@dataclass
class Kin:
    relation: str
    age: int
    sex: str
    # "line": carries the family surname; "in": married in (or a widowed head), own surname
    lineage: str = "line"
    frail: float = 0.0  # extra chance of disability / illness (adult children kept at home)


def elder_age(rng: random.Random) -> int:
    """60+ with a thinning tail: about 12 % of them are 80 or older."""
    return min(60 + int(rng.expovariate(1 / 9.3)), 99)


def wife_of(rng: random.Random, husband_age: int, relation: str = "spouse") -> Kin:
    age = max(20, husband_age - rng.choice((-2, -1, 0, 1, 2, 2, 3, 3, 4, 5, 6)))
    return Kin(relation, age, FEMALE, "in")


def children(rng: random.Random, parent_age: int, count: int, relation_of: dict[str, str]) -> list[Kin]:
    """Up to ``count`` children born when the younger parent was 21–35, at least a year apart."""
    kids: list[Kin] = []
    age = parent_age - rng.randint(21, 30)
    for _ in range(count):
        if age < 0 or parent_age - age < 21:
            break
        sex = rng.choice((MALE, FEMALE))
        kids.append(Kin(relation_of[sex], age, sex))
        age -= rng.randint(2, 6)
    return kids


OWN = {MALE: "son", FEMALE: "daughter"}
GRAND = {MALE: "grandson", FEMALE: "granddaughter"}


def single_elder(rng: random.Random) -> list[Kin]:
    sex = rng.choice((MALE, FEMALE))
    return [Kin("head", elder_age(rng), sex, "line" if sex == MALE else "in")]


def elder_couple(rng: random.Random) -> list[Kin]:
    head = Kin("head", elder_age(rng), MALE)
    return [head, wife_of(rng, head.age)]


def single_adult(rng: random.Random) -> list[Kin]:
    sex = MALE if rng.random() < 0.8 else FEMALE
    return [Kin("head", rng.randint(30, 59), sex, "line" if sex == MALE else "in", frail=1.5)]


def couple(rng: random.Random) -> list[Kin]:
    head = Kin("head", rng.randint(45, 59), MALE)
    return [head, wife_of(rng, head.age)]


def nuclear(rng: random.Random) -> list[Kin]:
    head = Kin("head", rng.randint(28, 56), MALE)
    wife = wife_of(rng, head.age)
    count = rng.choices((1, 2, 3), (0.42, 0.48, 0.1))[0]
    return [head, wife, *children(rng, min(head.age, wife.age), count, OWN)]


def three_gen_down(rng: random.Random) -> list[Kin]:
    """An older couple (or widow[er]) with a married son and his children."""
    head = Kin("head", rng.randint(52, 78), MALE)
    people = [head]
    if rng.random() < 0.82:
        people.append(wife_of(rng, head.age))
    son = Kin("son", head.age - rng.randint(22, 32), MALE)
    people += [son, wife_of(rng, son.age, "daughter_in_law")]
    people += children(rng, min(son.age, people[-1].age), rng.choice((1, 1, 2, 2, 3)), GRAND)
    return people


def three_gen_up(rng: random.Random) -> list[Kin]:
    """A middle-aged couple with their children and one or both of the husband's parents."""
    head = Kin("head", rng.randint(32, 55), MALE)
    wife = wife_of(rng, head.age)
    people = [head, wife]
    father_age = head.age + rng.randint(22, 33)
    if rng.random() < 0.55 and father_age <= 95:
        people.append(Kin("father", father_age, MALE))
    if rng.random() < 0.85 or len(people) == 2:
        people.append(Kin("mother", min(97, father_age - rng.randint(0, 5)), FEMALE, "in"))
    return people + children(rng, min(head.age, wife.age), rng.choice((1, 2, 2)), OWN)


def elder_with_child(rng: random.Random) -> list[Kin]:
    """An old parent and an unmarried adult child who stayed home — often ill or disabled."""
    sex = MALE if rng.random() < 0.6 else FEMALE
    head = Kin("head", elder_age(rng), sex, "line" if sex == MALE else "in")
    people = [head]
    if sex == MALE and rng.random() < 0.45:
        people.append(wife_of(rng, head.age))
    child_sex = MALE if rng.random() < 0.7 else FEMALE
    child_age = max(18, head.age - rng.randint(24, 36))
    return people + [Kin(OWN[child_sex], child_age, child_sex, frail=2.5)]


def left_behind(rng: random.Random) -> list[Kin]:
    """Grandparents raising grandchildren whose parents work away (and are registered elsewhere)."""
    people = elder_couple(rng) if rng.random() < 0.7 else single_elder(rng)
    count = rng.choice((1, 1, 2))
    youngest_grandparent = min(p.age for p in people)
    for _ in range(count):
        age = rng.randint(3, 15)
        if youngest_grandparent - age >= 40:
            sex = rng.choice((MALE, FEMALE))
            people.append(Kin(GRAND[sex], age, sex))
    return people


TEMPLATES = {
    "single_elder": single_elder, "elder_couple": elder_couple, "single_adult": single_adult,
    "couple": couple, "nuclear": nuclear, "three_gen_down": three_gen_down, "three_gen_up": three_gen_up,
    "elder_with_child": elder_with_child, "left_behind": left_behind,
}

# (min, max) of (head's age − member's age) for each relation; spouses within 15 years either way.
AGE_GAPS = {
    "spouse": (-15, 15), "son": (15, 60), "daughter": (15, 60), "son_in_law": (5, 55),
    "daughter_in_law": (5, 55), "grandson": (30, 100), "granddaughter": (30, 100),
    "father": (-60, -15), "mother": (-60, -15),
}


def relation_problems(head_age: int, members: list[tuple[str, int]]) -> list[str]:
    """Relations whose age does not fit the head's age (empty when consistent)."""
    problems = []
    for relation, age in members:
        low, high = AGE_GAPS.get(relation, (-200, 200))
        if not low <= head_age - age <= high:
            problems.append(f"{relation} 年龄 {age} 与户主年龄 {head_age} 不符")
        if relation in ("spouse", "son_in_law", "daughter_in_law") and age < 20:
            problems.append(f"{relation} 年龄 {age} 低于婚龄")
    return problems
