"""The figures the demo county is calibrated to, in one place.

易县 (130633), end of 2019, from the source texts (DESIGN.md §1): 16,620 households / 39,736
persons escaped poverty; rural 低保 10,257 households; 17,650 persons assessed for disability,
8,214 drawing both disability subsidies; 16,080 registered poor drawing a pension; 1,860
over-80s on the elderly subsidy. The rest (monitoring objects, the sample of ordinary
households, incomes) is public practice for Hebei in 2024–2025. docs/demo.md explains each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Fixed, not "today": the same seed must give the same people whenever it runs.
AS_OF = dt.date(2026, 1, 1)
YEARS = (2024, 2025)
# Reference monitoring line (yuan per person per year) the income spread is built around.
# The policy line itself is data elsewhere; this only shapes the synthetic incomes.
REFERENCE_LINE = 7300

# Counties bordering 易县 (涞水, 定兴, 满城, 徐水, 涞源, 顺平): in-married spouses come from there.
NEIGHBOURS = {"130633": ("130623", "130626", "130607", "130609", "130630", "130636")}
IN_MARRIED_SHARE = 0.3  # share of wives / daughters-in-law born in a neighbouring county


@dataclass(frozen=True)
class GroupTargets:
    """One household type: how many, how they are made up, how they live."""

    hh_type: str
    households: int
    # weights of household make-ups (see fangpin.demo.households.TEMPLATES)
    templates: dict[str, float]
    dibao_households: int
    tekun_households: int
    disabled_persons: int
    no_insurance_share: float  # members without basic medical insurance
    income_median: int  # per-capita net income, yuan
    income_sigma: float  # log-normal spread
    below_line_share: float  # households left below REFERENCE_LINE in the first year
    big_medical_share: float  # households with large out-of-pocket medical bills
    collapse_share: float  # households whose income collapses in the second year
    housing_cd_share: float  # C/D-rated houses
    unsafe_water_share: float
    dropouts: int  # school-age children out of school (控辍保学 finds a few every year)


TUOPIN = GroupTargets(
    "tuopin", 16_620,
    templates={"single_elder": 0.23, "elder_couple": 0.25, "single_adult": 0.06, "couple": 0.05,
               "nuclear": 0.18, "three_gen_down": 0.06, "three_gen_up": 0.06, "elder_with_child": 0.07,
               "left_behind": 0.04},
    dibao_households=7_640, tekun_households=320, disabled_persons=7_600, no_insurance_share=0.004,
    income_median=13_500, income_sigma=0.45, below_line_share=0.03, big_medical_share=0.02,
    collapse_share=0.02, housing_cd_share=0.004, unsafe_water_share=0.008, dropouts=14,
)
JIANCE = GroupTargets(
    "jiance", 1_200,
    templates={"single_elder": 0.16, "elder_couple": 0.2, "single_adult": 0.06, "couple": 0.06,
               "nuclear": 0.26, "three_gen_down": 0.08, "three_gen_up": 0.07, "elder_with_child": 0.08,
               "left_behind": 0.03},
    dibao_households=545, tekun_households=20, disabled_persons=614, no_insurance_share=0.01,
    income_median=9_800, income_sigma=0.4, below_line_share=0.12, big_medical_share=0.25,
    collapse_share=0.15, housing_cd_share=0.03, unsafe_water_share=0.03, dropouts=6,
)
YIBAN = GroupTargets(
    "yiban", 25_000,
    templates={"single_elder": 0.1, "elder_couple": 0.18, "single_adult": 0.03, "couple": 0.1,
               "nuclear": 0.35, "three_gen_down": 0.1, "three_gen_up": 0.09, "elder_with_child": 0.03,
               "left_behind": 0.02},
    dibao_households=2_072, tekun_households=0, disabled_persons=4_200, no_insurance_share=0.008,
    income_median=19_000, income_sigma=0.5, below_line_share=0.01, big_medical_share=0.01,
    collapse_share=0.015, housing_cd_share=0.008, unsafe_water_share=0.008, dropouts=16,
)
GROUPS = (TUOPIN, JIANCE, YIBAN)

# 监测户 categories and the hardship that made them one (written into the household note).
JIANCE_CATEGORIES = {"脱贫不稳定户": 0.45, "边缘易致贫户": 0.4, "突发严重困难户": 0.15}
JIANCE_RISKS = {"因病": 0.38, "因残": 0.16, "因学": 0.08, "因灾": 0.08, "因意外事故": 0.06,
                "因务工就业不稳": 0.1, "缺劳动力": 0.12, "其他": 0.02}

# Year registered poor households escaped poverty (易县 left the national list in 2019).
EXIT_YEARS = {2014: 0.04, 2015: 0.08, 2016: 0.15, 2017: 0.22, 2018: 0.25, 2019: 0.23, 2020: 0.03}

HOUSING = {"A": 0.78, "B": 0.22}  # C/D come from the group's housing_cd_share
UNSAFE_WATER = {"unsafe_quality": 0.4, "unsafe_quantity": 0.35, "inconvenient": 0.25}

DISABILITY_KINDS = {"physical": 0.3, "hearing": 0.2, "multiple": 0.13, "vision": 0.14, "mental": 0.09,
                    "intellectual": 0.1, "speech": 0.04}
# Registered poor disabled are mostly severe (they draw both subsidies); ordinary households less so.
DISABILITY_GRADES_POOR = {"1": 0.22, "2": 0.33, "3": 0.23, "4": 0.22}
DISABILITY_GRADES_OTHER = {"1": 0.12, "2": 0.2, "3": 0.28, "4": 0.4}

# Where people with full labour capacity work (易县 sends many to Beijing, i.e. 省外).
EMPLOYMENT = {"farming": 0.36, "local_job": 0.21, "province_job": 0.12, "outside_job": 0.21,
              "self_employed": 0.04, "unemployed": 0.06}
# Public-welfare posts (护林、保洁、防火) go to registered poor and monitored households' workers.
PUBLIC_POST_SHARE = {"tuopin": 0.15, "jiance": 0.15, "yiban": 0.01}


def scaled(count: int, scale: float) -> int:
    return round(count * scale)
