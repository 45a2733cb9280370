"""Generate a demo county as plain records: deterministic for a seed, no database access.

One ``random.Random(seed)`` drives everything in a fixed order, so the same seed, county and
scale give the same households, names and ID numbers. Counts come from quotas
(``fangpin.demo.sampling``), so proportions hold at any ``scale``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from fangpin.demo import calibration as cal
from fangpin.demo import finance, people
from fangpin.demo.households import TEMPLATES
from fangpin.demo.plan import DemoHousehold, DemoMember
from fangpin.demo.sampling import Chooser, allocate, deck, flags, pick_weighted

IN_MARRIED = ("spouse", "daughter_in_law", "mother", "head")


@dataclass(frozen=True)
class Village:
    code: str  # 12-digit village code
    name: str  # e.g. 中亢各庄村民委员会
    township: str  # e.g. 易州镇

    @property
    def residential(self) -> bool:
        """居委会 / 社区: town neighbourhoods, few rural households."""
        return "居" in self.name or "社区" in self.name

    @property
    def place(self) -> str:
        """中亢各庄村民委员会 → 中亢各庄村; 团结路居民委员会 → 团结路社区."""
        for suffix in ("村民委员会", "村委会", "社区居委会", "社区居民委员会", "居民委员会", "居委会"):
            if self.name.endswith(suffix):
                base = self.name[: -len(suffix)]
                if self.residential:
                    return base + "社区"
                return base if base.endswith("村") else base + "村"
        return self.name


class Generator:
    def __init__(self, county: str, villages: list[Village], *, seed: int, scale: float = 1.0,
                 neighbours: tuple[str, ...] = (), taken: Callable[[str], bool] = lambda _v: False):
        self.county, self.villages, self.scale = county, villages, scale
        self.neighbours = neighbours or (county,)
        self.rng = random.Random(seed)
        self.names = people.Names(seed)
        self.ids = people.IdMaker(self.rng, taken)
        self.jobs = Chooser(cal.EMPLOYMENT)

    def run(self) -> list[DemoHousehold]:
        households: list[DemoHousehold] = []
        for group in cal.GROUPS:
            households += self.group(group)
        self.place(households)
        return households

    # --- one household type -------------------------------------------------------------
    def group(self, group: cal.GroupTargets) -> list[DemoHousehold]:
        rng, n = self.rng, cal.scaled(group.households, self.scale)
        hhs = [DemoHousehold(group, t, [DemoMember(k) for k in TEMPLATES[t](rng)])
               for t in deck(rng, group.templates, n)]
        if group.hh_type == "jiance":
            self.jiance_risks(hhs)
        self.health(hhs, group)
        self.disability(hhs, group)
        self.school_and_work(hhs, group)
        self.support(hhs, group)
        self.living_conditions(hhs, group)
        if group.hh_type == "tuopin":
            for hh, year in zip(hhs, deck(rng, cal.EXIT_YEARS, n), strict=True):
                hh.exit_year = year
        self.identities(hhs)
        self.finances(hhs, group)
        return hhs

    def jiance_risks(self, hhs: list[DemoHousehold]) -> None:
        events = {"因病": "big_medical", "因灾": "disaster", "因意外事故": "accident", "因务工就业不稳": "collapse"}
        for hh, category, risk in zip(hhs, deck(self.rng, cal.JIANCE_CATEGORIES, len(hhs)),
                                      deck(self.rng, cal.JIANCE_RISKS, len(hhs)), strict=True):
            hh.category, hh.risk = category, risk
            if risk in events:
                hh.events[events[risk]] = self.event_year()
            if category == "脱贫不稳定户":
                hh.exit_year = Chooser(cal.EXIT_YEARS)(self.rng)

    def event_year(self) -> int:
        return cal.YEARS[1] if self.rng.random() < 0.7 else cal.YEARS[0]

    def health(self, hhs: list[DemoHousehold], group: cal.GroupTargets) -> None:
        poor = group.hh_type != "yiban"
        for hh in hhs:
            for m in hh.members:
                m.health = people.health(self.rng, m.age, m.kin.frail, poor)
            if hh.risk == "因病" and not any(m.health == "serious" for m in hh.members):
                max((m for m in hh.members if m.age >= 18), key=lambda m: m.age).health = "serious"

    def disability(self, hhs: list[DemoHousehold], group: cal.GroupTargets) -> None:
        members = [(hh, m) for hh in hhs for m in hh.members]

        def weight(pair: tuple[DemoHousehold, DemoMember]) -> float:
            hh, m = pair
            return 0.2 + m.age / 30 + m.kin.frail + (20 if hh.risk == "因残" else 0)

        grades = Chooser(cal.DISABILITY_GRADES_OTHER if group.hh_type == "yiban" else cal.DISABILITY_GRADES_POOR)
        kinds = Chooser(cal.DISABILITY_KINDS)
        for _, m in pick_weighted(self.rng, members, cal.scaled(group.disabled_persons, self.scale), weight):
            m.disability_kind, m.disability_grade, m.health = kinds(self.rng), grades(self.rng), "disabled"

    def school_and_work(self, hhs: list[DemoHousehold], group: cal.GroupTargets) -> None:
        rng = self.rng
        members = [m for hh in hhs for m in hh.members]
        post_share = cal.PUBLIC_POST_SHARE[group.hh_type]
        for m in members:
            m.schooling = people.schooling(rng, m.age)
        school_age = [m for m in members if 7 <= m.age <= 15]
        for m in pick_weighted(rng, school_age, cal.scaled(group.dropouts, self.scale), lambda m: m.age - 6):
            m.schooling = "dropout"
        for m in members:
            m.labour = people.labour(rng, m.age, m.health, m.disability_grade, m.student)
            m.employment = ("not_applicable" if m.age < 16 or m.student
                            else people.employment(rng, m.age, m.labour, self.jobs, post_share))
            m.pension = people.pension(rng, m.age, m.student)
        for m, uninsured in zip(members, flags(rng, len(members), group.no_insurance_share), strict=True):
            m.med_insurance = not uninsured

    def support(self, hhs: list[DemoHousehold], group: cal.GroupTargets) -> None:
        """特困 for lone people who cannot work; 低保 for the neediest of the rest."""

        def tekun_weight(hh: DemoHousehold) -> float:
            head = hh.members[0]
            return 0 if hh.size > 1 else 3 if head.labour in ("none", "lost") else 1 if head.age >= 60 else 0

        for hh in pick_weighted(self.rng, hhs, cal.scaled(group.tekun_households, self.scale), tekun_weight):
            hh.is_tekun = True
        rest = [hh for hh in hhs if not hh.is_tekun]
        for hh in pick_weighted(self.rng, rest, cal.scaled(group.dibao_households, self.scale), need):
            hh.is_dibao = True

    def living_conditions(self, hhs: list[DemoHousehold], group: cal.GroupTargets) -> None:
        rng = self.rng
        for hh, housing in zip(hhs, deck(rng, cal.HOUSING, len(hhs)), strict=True):
            hh.housing = housing
        for hh in pick_weighted(rng, hhs, cal.scaled(group.households, self.scale * group.housing_cd_share),
                                lambda hh: need(hh) + (2 if hh.risk == "因灾" else 0)):
            hh.housing = "D" if rng.random() < 0.25 else "C"
        unsafe = Chooser(cal.UNSAFE_WATER)
        for hh, bad in zip(hhs, flags(rng, len(hhs), group.unsafe_water_share), strict=True):
            hh.water = unsafe(rng) if bad else "safe"

    def identities(self, hhs: list[DemoHousehold]) -> None:
        rng, names = self.rng, self.names
        for hh in hhs:
            family = names.family()
            for m in hh.members:
                married_in = m.kin.lineage == "in"
                m.name = (names.family() if married_in else family) + names.given(m.kin.sex)
                from_away = married_in and m.relation in IN_MARRIED and rng.random() < cal.IN_MARRIED_SHARE
                area = rng.choice(self.neighbours) if from_away else self.county
                m.idn = self.ids.make(area, m.age, m.kin.sex)
                wants_phone = 0.85 if m.relation == "head" else 0.3 if 18 <= m.age < 65 else 0
                m.phone = names.phone() if rng.random() < wants_phone else ""

    def finances(self, hhs: list[DemoHousehold], group: cal.GroupTargets) -> None:
        rng = self.rng

        def count(share: float) -> int:
            return cal.scaled(group.households, self.scale * share)

        if group.hh_type != "jiance":
            for hh in pick_weighted(rng, hhs, count(group.big_medical_share), illness):
                hh.events["big_medical"] = self.event_year()
            for hh, hit in zip(hhs, flags(rng, len(hhs), 0.01), strict=True):
                if hit:
                    hh.events["disaster"] = self.event_year()
        keep = finance.keep_below_probability(group)
        for hh in hhs:
            hh.years = [finance.first_year(rng, hh, keep)]
        if group.hh_type != "jiance":
            for hh in pick_weighted(rng, hhs, count(group.collapse_share),
                                    lambda hh: finance.market_share(hh.years[0])):
                hh.events["collapse"] = cal.YEARS[1]
        for hh in hhs:
            hh.years.append(finance.second_year(rng, hh, hh.years[0]))

    # --- villages, numbers, addresses -----------------------------------------------------
    def place(self, households: list[DemoHousehold]) -> None:
        """Spread each type over the villages; poverty clusters by township (mountain areas)."""
        rng = self.rng
        size = {v.code: rng.lognormvariate(0, 0.5) for v in self.villages}
        townships = sorted({v.code[:9] for v in self.villages})
        poverty = {t: rng.lognormvariate(0, 0.6) for t in townships}
        by_village: dict[str, list[DemoHousehold]] = {v.code: [] for v in self.villages}
        for group in cal.GROUPS:
            members = [hh for hh in households if hh.group is group]
            weights = [size[v.code] * (0.08 if v.residential else 1.0)
                       * (1.0 if group.hh_type == "yiban" else poverty[v.code[:9]]) for v in self.villages]
            start = 0
            for village, count in zip(self.villages, allocate(len(members), weights), strict=True):
                by_village[village.code] += members[start:start + count]
                start += count
        for village in self.villages:
            self.number(village, by_village[village.code])

    def number(self, village: Village, hhs: list[DemoHousehold]) -> None:
        self.rng.shuffle(hhs)  # numbers must not give away the household type
        doors = self.rng.sample(range(1, 3 * len(hhs) + 20), len(hhs))
        for seq, (hh, door) in enumerate(zip(hhs, doors, strict=True), start=1):
            hh.village_code = village.code
            hh.hh_no = f"{village.code}{seq:04d}"
            hh.address = f"{village.township}{village.place}{door}号"


def need(hh: DemoHousehold) -> float:
    """How strongly a household needs social assistance (no able worker, disability, illness)."""
    workers = sum(m.labour == "full" for m in hh.members)
    score = 1.0 + (3 if workers == 0 else 1 if workers == 1 and hh.size >= 3 else 0)
    score += 1.5 * any(m.disability_grade in ("1", "2") for m in hh.members)
    score += 1.0 * any(m.health == "serious" for m in hh.members)
    return score


def illness(hh: DemoHousehold) -> float:
    """Weight for large medical bills: serious illness first, then chronic."""
    return sum(3 if m.health == "serious" else 1 if m.health == "chronic" else 0 for m in hh.members)
