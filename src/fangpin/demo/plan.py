"""Plain records of generated households, before anything touches the database."""

from __future__ import annotations

from dataclasses import dataclass, field

from fangpin.core.idcard import IdNumber
from fangpin.demo.calibration import GroupTargets
from fangpin.demo.households import Kin


@dataclass
class DemoMember:
    kin: Kin
    name: str = ""
    idn: IdNumber | None = None
    phone: str = ""
    health: str = "healthy"
    disability_kind: str = ""
    disability_grade: str = ""
    schooling: str = "none"
    labour: str = "full"
    employment: str = "farming"
    med_insurance: bool = True
    pension: bool = False

    @property
    def age(self) -> int:
        return self.kin.age

    @property
    def relation(self) -> str:
        return self.kin.relation

    @property
    def student(self) -> bool:
        return self.schooling not in ("none", "dropout")


@dataclass
class DemoHousehold:
    group: GroupTargets
    template: str
    members: list[DemoMember]
    village_code: str = ""
    hh_no: str = ""
    address: str = ""
    exit_year: int | None = None
    is_dibao: bool = False
    is_tekun: bool = False
    housing: str = "A"
    water: str = "safe"
    category: str = ""  # 监测户 only: 脱贫不稳定户 / 边缘易致贫户 / 突发严重困难户
    risk: str = ""  # 监测户 only: the main risk type
    events: dict[str, int] = field(default_factory=dict)  # event → year (big_medical, disaster, …)
    years: list[dict[str, int]] = field(default_factory=list)  # one dict per year (HouseholdYear fields)

    @property
    def hh_type(self) -> str:
        return self.group.hh_type

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def is_disabled(self) -> bool:
        return any(m.disability_grade for m in self.members)

    @property
    def note(self) -> str:
        if self.category:
            return f"{self.category}；主要风险：{self.risk}"
        return "特困供养" if self.is_tekun else ""
