"""Risk elimination (风险消除): which criteria are met, what is missing, and who stays monitored."""

from __future__ import annotations

from dataclasses import dataclass

from fangpin.core.policy import Policy

GUARANTEE_LABELS = {"food": "吃穿", "education": "义务教育", "medical": "基本医疗", "housing": "住房安全",
                    "water": "饮水安全"}


@dataclass(frozen=True)
class EliminationFacts:
    months_above_line: int  # consecutive recent months with income above the line (follow-up visits)
    unmet_guarantees: tuple[str, ...] = ()  # codes of GUARANTEE_LABELS still unmet
    rigid_expenditure_resolved: bool = True  # large medical/school spending covered or ended
    labour_members: int = 1
    relies_on_social_security: bool = False  # 低保 / 特困供养 as main income


@dataclass(frozen=True)
class EliminationCheck:
    eligible: bool
    missing: tuple[str, ...]
    keep_monitoring: str | None = None


def check_elimination(facts: EliminationFacts, policy: Policy) -> EliminationCheck:
    missing: list[str] = []
    need = policy.stable_months_for_elimination
    if facts.months_above_line < need:
        missing.append(f"收入稳定超过监测线仅 {facts.months_above_line} 个月，须满 {need} 个月")
    for code in facts.unmet_guarantees:
        missing.append(f"{GUARANTEE_LABELS.get(code, code)}尚未保障")
    if not facts.rigid_expenditure_resolved:
        missing.append("大额医疗、教育等刚性支出问题尚未解决")
    keep = None
    if facts.labour_members == 0 and facts.relies_on_social_security:
        keep = "家庭无劳动能力、主要依靠兜底保障，按政策继续监测，不标注风险消除"
    return EliminationCheck(eligible=not missing and keep is None, missing=tuple(missing), keep_monitoring=keep)
