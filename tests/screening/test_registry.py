"""The registry's facts (cases.facts.facts_for) feed the engine as its ``households`` table, and the package
imports no Django (it must load in a Spark worker)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal

import ibis
import pyarrow as pa
import pytest

from fangpin import pii
from fangpin.cases.facts import facts_for
from fangpin.core.rules import evaluate
from fangpin.core.screening import MemberRef, Record, person_key, screening_facts
from fangpin.registry.models import HouseholdYear
from fangpin.screening import run
from fangpin.screening.sample import POLICIES
from fangpin.screening.tables import households_table, members_table

END = dt.date(2026, 10, 31)
ZERO = Decimal("0")


def year(household, y, wage):
    HouseholdYear.objects.create(household=household, year=y, wage=Decimal(wage), business=ZERO, property_income=ZERO,
                                 transfer=ZERO, production_cost=ZERO, medical_oop=ZERO, schooling_exp=ZERO,
                                 disaster_loss=ZERO, accident_exp=ZERO)


@pytest.mark.django_db
def test_registry_households_screened_by_the_engine_match_the_core(make_household):
    household = make_household(members=(("王大", "head"), ("王二", "spouse")), hh_type="yiban")
    year(household, 2025, "30000")
    year(household, 2026, "12000")
    quiet = make_household(members=(("李一", "head"),), hh_type="yiban")
    year(quiet, 2026, "20000")
    registry = facts_for([household, quiet])
    members = [(m.household_id, person_key(pii.decrypt(m.id_cipher)), m.labour)
               for h in (household, quiet) for m in h.members.all()]
    head_key = members[0][1]
    medical = pa.table({"person": pa.array([head_key], pa.int64()), "settle_date": [dt.date(2026, 6, 1)],
                        "total_cost": pa.array([None], pa.decimal128(14, 2)),
                        "reimbursed": pa.array([None], pa.decimal128(14, 2)),
                        "out_of_pocket": pa.array([Decimal("40000.00")], pa.decimal128(14, 2))})
    tables = {"households": households_table((hid, f) for hid, (f, _) in registry.items()),
              "members": members_table(members), "medical_insurance": medical}

    result = run(ibis.duckdb.connect(), tables, POLICIES[0], END)

    # 12,000 / 2 = 6,000 < 7,300; 12,000 < 30,000 × 50 %; medical 40,000 > last year's 30,000.
    assert result.fired == {household.pk: ("income_below_line", "rigid_over_income", "income_collapse")}
    core = screening_facts(registry[household.pk][0], [MemberRef(p, lab) for hid, p, lab in members
                                                        if hid == household.pk],
                           [Record("medical_insurance", head_key, dt.date(2026, 6, 1), {"out_of_pocket": "40000.00"})],
                           END)
    assert result.facts[household.pk] == core
    assert result.findings[household.pk] == evaluate(core, POLICIES[0])


def test_the_package_imports_no_django():
    code = ("import sys, fangpin.screening, fangpin.screening.sample, fangpin.screening.compile;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert out.stdout.strip() == "[]"
