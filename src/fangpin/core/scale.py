"""Scale check (监测规模): monitored persons against the registered population of a county.

Generally about 5 %, at most 10 % in deep-poverty counties; exceeding it is a warning, not a
refusal, and villages with no monitoring object at all hint at under-reporting.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True, slots=True)
class ScaleCheck:
    monitored: int
    population: int
    ratio: Decimal  # percent, one decimal
    limit: Decimal  # percent
    over: bool

    @property
    def text(self) -> str:
        verdict = "超过" if self.over else "未超过"
        return (f"监测对象 {self.monitored:,} 人 / 登记人口 {self.population:,} 人 = {self.ratio}%，"
                f"{verdict}参考规模 {self.limit.normalize():f}%")


def check_scale(monitored: int, population: int, *, deep_poverty: bool, warning: Decimal = Decimal("0.05"),
                warning_deep: Decimal = Decimal("0.10")) -> ScaleCheck:
    limit = (warning_deep if deep_poverty else warning) * 100
    ratio = (Decimal(monitored) * 100 / population).quantize(Decimal("0.1"), ROUND_HALF_UP) if population else Decimal(0)
    return ScaleCheck(monitored, population, ratio, limit, population > 0 and Decimal(monitored) * 100 > limit * population)
