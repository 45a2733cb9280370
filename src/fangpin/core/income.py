"""A household's yearly income and expenditure, and the figures derived from them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")

INCOME_FIELDS = ("wage", "business", "property_income", "transfer")
RIGID_FIELDS = ("medical_oop", "schooling_exp", "disaster_loss", "accident_exp")


@dataclass(frozen=True, slots=True)
class IncomeYear:
    year: int
    wage: Decimal = ZERO
    business: Decimal = ZERO
    property_income: Decimal = ZERO
    transfer: Decimal = ZERO
    production_cost: Decimal = ZERO
    medical_oop: Decimal = ZERO
    schooling_exp: Decimal = ZERO
    disaster_loss: Decimal = ZERO
    accident_exp: Decimal = ZERO

    @property
    def gross_income(self) -> Decimal:
        return sum((getattr(self, f) for f in INCOME_FIELDS), ZERO)

    @property
    def net_income(self) -> Decimal:
        """家庭纯收入 = 工资 + 经营 + 财产 + 转移 − 生产经营性支出."""
        return self.gross_income - self.production_cost

    @property
    def rigid_expenditure(self) -> Decimal:
        return sum((getattr(self, f) for f in RIGID_FIELDS), ZERO)

    def per_capita_net(self, persons: int) -> Decimal:
        if persons <= 0:
            return ZERO
        return (self.net_income / persons).quantize(CENT, rounding=ROUND_HALF_UP)


def yuan(amount: Decimal | int | float) -> str:
    """5420 → '5,420 元'; cents shown only when present."""
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    text = f"{value:,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    return f"{text} 元"
