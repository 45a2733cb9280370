"""A year's monitoring policy as data: lines, ratios, deadlines, lists.

Stored effective-dated per province (optionally per county) by the application; the core
only needs the values. Every finding records the ``version`` of the policy that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

DEFAULT_RISK_TYPES = (
    "因病", "因残", "因学", "因灾", "因意外事故", "因产业项目失败", "因务工就业不稳",
    "因新冠肺炎疫情", "缺劳动力", "住房安全", "饮水安全", "其他",
)
CATEGORIES = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")


@dataclass(frozen=True)
class Policy:
    version: str  # e.g. "13-2025-1": province, year, revision
    year: int
    monitoring_line: Decimal  # per-capita net income, yuan per year
    # income collapse: last-12-month income below (1 - ratio) × last year's
    collapse_ratio: Decimal = Decimal("0.5")
    # rigid expenditure "clearly exceeds" last year's income when above factor × income
    rigid_factor: Decimal = Decimal("1.0")
    rigid_items: tuple[str, ...] = ("medical_oop", "schooling_exp", "disaster_loss", "accident_exp")
    stable_months_for_elimination: int = 6
    verify_days: int = 5  # working days for 入户核实
    identification_days: int = 15  # working days for the whole identification
    notice_days: int = 5  # calendar days, at least, for 公示
    followup_interval_days: int = 30
    risk_types: tuple[str, ...] = DEFAULT_RISK_TYPES
    categories: tuple[str, ...] = CATEGORIES
    scale_warning: Decimal = Decimal("0.05")
    scale_warning_deep: Decimal = Decimal("0.10")
    extra: dict[str, str] = field(default_factory=dict)

    def with_line(self, amount: Decimal, version: str) -> Policy:
        """A draft policy for what-if runs."""
        return replace(self, monitoring_line=amount, version=version)
