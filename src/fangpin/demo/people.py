"""A member's identity (name, ID number, phone) and circumstances (health, school, work)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from faker import Faker

from fangpin.core.idcard import IdNumber, make_id
from fangpin.demo.calibration import AS_OF
from fangpin.demo.sampling import Chooser

MALE = "男"
FEMININE = {"红霞"}


class Names:
    """Faker's zh_CN name tables (surnames weighted by frequency), drawn with our own generator.

    Calling Faker per person costs ~70 µs; drawing from its tables costs ~1 µs and stays
    deterministic under the same seed. Names have their own random stream: how many draws a choice takes
    depends on a table's length, and Faker's tables change between releases — on the shared stream a new
    Faker would move households between villages and change their types.
    """

    def __init__(self, seed: int):
        self.rng = random.Random(f"names-{seed}")
        fake = Faker("zh_CN")
        person = fake.provider("faker.providers.person")
        phones = fake.provider("faker.providers.phone_number")
        self.surname = Chooser(list(person.last_names.items()))
        self.female = list(person.first_names_female)
        # Faker's male list also holds a typically female name (红霞); boys don't get it.
        self.male = [n for n in person.first_names_male if n not in self.female and n not in FEMININE]
        self.prefixes = [str(p) for p in phones.phonenumber_prefixes]

    def family(self) -> str:
        return self.surname(self.rng)

    def given(self, sex: str) -> str:
        return self.rng.choice(self.male if sex == MALE else self.female)

    def phone(self) -> str:
        return self.rng.choice(self.prefixes) + f"{self.rng.randrange(10**8):08d}"


class IdMaker:
    """Valid, unique 18-digit numbers whose birth date gives the wanted age on AS_OF."""

    def __init__(self, rng: random.Random, taken: Callable[[str], bool] = lambda _v: False):
        self.rng = rng
        self.used: set[str] = set()
        self.taken = taken

    def birth_for_age(self, age: int) -> dt.date:
        # AS_OF is 1 January, so any day of the year before it gives the same age.
        start = dt.date(AS_OF.year - age - 1, 1, 2)
        return start + dt.timedelta(days=self.rng.randrange(365))

    def make(self, area: str, age: int, sex: str) -> IdNumber:
        birth = self.birth_for_age(age)
        order = self.rng.randrange(500) * 2 + (1 if sex == MALE else 0)  # odd sequence digit = male
        for _ in range(500):
            value = make_id(area, birth, order)
            if value not in self.used and not self.taken(value):
                self.used.add(value)
                return IdNumber(value, birth, sex, area)
            order = (order + 2) % 1000
        raise RuntimeError("同一出生日期的身份证顺序码已用完")  # 500 people born on one day in one county


def health(rng: random.Random, age: int, frail: float, poor: bool) -> str:
    """Chronic illness grows with age; registered poor households are sicker (因病致贫)."""
    factor = (1.35 if poor else 1.0) * (1 + frail)
    chronic = (0.03 if age < 40 else 0.12 if age < 60 else 0.3 if age < 70 else 0.42) * factor
    serious = (0.004 if age < 40 else 0.02 if age < 60 else 0.035) * factor
    draw = rng.random()
    return "serious" if draw < serious else "chronic" if draw < serious + chronic else "healthy"


SCHOOL_15_17 = Chooser({"senior": 0.55, "vocational": 0.3, "none": 0.15})
SCHOOL_18_22 = Chooser({"college": 0.42, "vocational": 0.06, "none": 0.52})


def schooling(rng: random.Random, age: int) -> str:
    if age < 3:
        return "none"
    if age < 6:
        return "preschool" if rng.random() < 0.9 else "none"
    if age < 12:
        return "primary"
    if age < 15:
        return "junior"
    if age < 18:
        return SCHOOL_15_17(rng)
    if age < 23:
        return SCHOOL_18_22(rng)
    return "none"


def labour(rng: random.Random, age: int, health_: str, grade: str, student: bool) -> str:
    """有/弱/无/丧失劳动力 from age, illness and disability grade."""
    if age < 16 or student:
        return "none"
    if grade in ("1", "2") or health_ == "serious":
        return "lost" if rng.random() < 0.7 else "weak"
    if grade in ("3", "4") or health_ == "chronic":
        return "weak" if age < 70 else "none"
    if age < 60:
        return "full"
    if age < 65:
        return "full" if rng.random() < 0.5 else "weak"
    if age < 75:
        return "weak" if rng.random() < 0.6 else "none"
    return "none" if rng.random() < 0.9 else "weak"


def employment(rng: random.Random, age: int, labour_: str, chooser: Chooser, post_share: float) -> str:
    if labour_ in ("none", "lost"):
        return "not_applicable"
    if rng.random() < post_share * (1.0 if labour_ == "weak" else 0.3):
        return "public_post"
    if labour_ == "weak":
        return "farming"  # weak labour farms the family plot near home
    if age >= 55:
        return "farming" if rng.random() < 0.75 else "local_job"
    return chooser(rng)


def pension(rng: random.Random, age: int, student: bool) -> bool:
    """城乡居民养老保险: adults join; everyone 60+ draws it (the 16,080 figure)."""
    if age < 16 or student:
        return False
    return age >= 60 or rng.random() < 0.93
