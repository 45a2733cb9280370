"""Forms of the 防贫保险 pages. They check shape and name the field; the services and the core decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from fangpin.cases.forms import error_text  # noqa: F401 - one wording for form errors, re-exported
from fangpin.core.insurance import ENTRY_LABELS, ITEMS, MANUAL_KINDS, Expense, InsuranceError, parse_tiers
from fangpin.insurance.models import COVERAGE_CHOICES, ITEM_CHOICES, METHOD_CHOICES

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}
EXPENSE_ROWS = 4


class SchemeForm(forms.Form):
    insurer_name = forms.CharField(label="承保机构", max_length=100, required=False)
    premium_per_person = forms.DecimalField(label="每人保费（元/人·年）", max_digits=8, decimal_places=2,
                                            min_value=Decimal("0.01"))
    line = forms.DecimalField(label="监测线（元/人·年）", max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    coverage = forms.ChoiceField(label="覆盖方式", choices=COVERAGE_CHOICES)
    coverage_multiple = forms.DecimalField(label="覆盖倍数（家庭人均纯收入不高于 × 监测线）", max_digits=5,
                                           decimal_places=2, min_value=Decimal("0.01"), initial=Decimal("1.5"))
    coverage_share = forms.DecimalField(label="覆盖比例（%，占农村人口）", max_digits=6, decimal_places=2,
                                        min_value=Decimal("0.01"), max_value=100, initial=10)
    rural_population = forms.IntegerField(label="农村人口（人）", min_value=0, initial=0)
    covered_persons = forms.IntegerField(label="投保人数（人，留空按覆盖比例计算）", min_value=0, required=False)
    method = forms.ChoiceField(label="赔付方式", choices=METHOD_CHOICES)
    gap_multiple = forms.DecimalField(label="补差倍数（补齐到 × 监测线）", max_digits=5, decimal_places=2,
                                      min_value=Decimal("0.01"), initial=1)
    per_person_cap = forms.DecimalField(label="每人年度封顶（元，留空不封顶）", required=False, **MONEY)
    per_household_cap = forms.DecimalField(label="每户年度封顶（元，留空不封顶）", required=False, **MONEY)
    allow_overdraft = forms.BooleanField(label="资金不足时先赔后补（余额可暂为负，须追加资金后结转）", required=False)
    check_days = forms.IntegerField(label="入户核查时限（工作日）", min_value=1, max_value=60, initial=5)
    note = forms.CharField(label="说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, name in ITEMS.items():
            self.fields[f"{code}_on"] = forms.BooleanField(label=f"保障{name}", required=False, initial=True)
            self.fields[f"{code}_line"] = forms.DecimalField(label=f"{name}预警线（元/户·年）", required=False, **MONEY)
            self.fields[f"{code}_deductible"] = forms.DecimalField(label=f"{name}起付线（元/人）", required=False,
                                                                   **MONEY)
            self.fields[f"{code}_tiers"] = forms.CharField(
                label=f"{name}赔付分段", required=False, max_length=300,
                help_text="下限-上限:比例，分号隔开，最后一段上限可空，如 0-20000:60%; 20000-50000:70%; 50000-:80%")

    def item_groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(name, [self[f"{code}_{part}"] for part in ("on", "line", "deductible", "tiers")])
                for code, name in ITEMS.items()]

    @classmethod
    def initial_from(cls, scheme) -> dict[str, Any]:
        data = {f: getattr(scheme, f) for f in ("insurer_name", "premium_per_person", "line", "coverage",
                                               "coverage_multiple", "rural_population", "covered_persons", "method",
                                               "gap_multiple", "per_person_cap", "per_household_cap",
                                               "allow_overdraft", "check_days", "note")}
        data["coverage_share"] = scheme.coverage_share * 100
        for code in ITEMS:
            rule = scheme.items.get(code)
            data[f"{code}_on"] = rule is not None
            if rule:
                data.update({f"{code}_line": rule["warning_line"], f"{code}_deductible": rule.get("deductible"),
                             f"{code}_tiers": rule.get("tiers", "")})
        return data

    def clean(self):
        data = super().clean()
        for code, name in ITEMS.items():
            if not data.get(f"{code}_on"):
                continue
            if data.get(f"{code}_line") in (None, ""):
                self.add_error(f"{code}_line", f"请填写{name}预警线（不保障该项目请取消勾选）")
            tiers = (data.get(f"{code}_tiers") or "").strip()
            if data.get("method") == "tiers":
                if not tiers:
                    self.add_error(f"{code}_tiers", f"请填写{name}赔付分段")
                else:
                    try:
                        parse_tiers(tiers)
                    except InsuranceError as exc:
                        self.add_error(f"{code}_tiers", f"{name}赔付分段：{exc}")
        return data

    def scheme_data(self) -> dict[str, Any]:
        """The model's fields from the cleaned data (items in the stored form)."""
        d = self.cleaned_data
        share = d["coverage_share"] / 100
        covered = d.get("covered_persons")
        if covered is None:
            covered = int((share * d["rural_population"]).to_integral_value())
        items = {code: {"warning_line": str(d[f"{code}_line"]), "deductible": str(d.get(f"{code}_deductible") or 0),
                        "tiers": (d.get(f"{code}_tiers") or "").strip()}
                 for code in ITEMS if d.get(f"{code}_on")}
        return {"insurer_name": d["insurer_name"], "premium_per_person": d["premium_per_person"], "line": d["line"],
                "coverage": d["coverage"], "coverage_multiple": d["coverage_multiple"], "coverage_share": share,
                "rural_population": d["rural_population"], "covered_persons": covered, "method": d["method"],
                "gap_multiple": d["gap_multiple"], "per_person_cap": d.get("per_person_cap"),
                "per_household_cap": d.get("per_household_cap"), "allow_overdraft": d["allow_overdraft"],
                "check_days": d["check_days"], "note": d["note"], "items": items}


class CheckForm(forms.Form):
    """入户核查: the household's income and the spending found, one row per person and item."""

    check_date = forms.DateField(label="核查日期", **DATE)
    persons = forms.IntegerField(label="家庭人口", min_value=1, max_value=99)
    net_income = forms.DecimalField(label="近12个月家庭纯收入（元）", max_digits=14, decimal_places=2)
    note = forms.CharField(label="核查情况说明", max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, people: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        person_choices = [("", "全户")] + [(p, p) for p in people or []]
        for i in range(1, EXPENSE_ROWS + 1):
            self.fields[f"item_{i}"] = forms.ChoiceField(label=f"第 {i} 行 项目", required=False,
                                                         choices=[("", "—")] + ITEM_CHOICES)
            self.fields[f"person_{i}"] = forms.ChoiceField(label=f"第 {i} 行 人员", required=False,
                                                           choices=person_choices)
            self.fields[f"amount_{i}"] = forms.DecimalField(label=f"第 {i} 行 金额（元）", required=False,
                                                            max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
        self.rows = [(self[f"item_{i}"], self[f"person_{i}"], self[f"amount_{i}"])
                     for i in range(1, EXPENSE_ROWS + 1)]

    def clean(self):
        data = super().clean()
        any_row = False
        for i in range(1, EXPENSE_ROWS + 1):
            item, amount = data.get(f"item_{i}"), data.get(f"amount_{i}")
            if item and amount is None and f"amount_{i}" not in self.errors:
                self.add_error(f"amount_{i}", f"支出明细第 {i} 行：请填写金额")
            elif amount is not None and not item:
                self.add_error(f"item_{i}", f"支出明细第 {i} 行：请选择项目")
            any_row = any_row or bool(item and amount)
        if not any_row and not self.errors:
            raise forms.ValidationError("支出明细：请至少填写一行（项目和金额）")
        return data

    def expenses(self) -> list[Expense]:
        d = self.cleaned_data
        return [Expense(d[f"item_{i}"], d[f"amount_{i}"], d.get(f"person_{i}") or "")
                for i in range(1, EXPENSE_ROWS + 1) if d.get(f"item_{i}") and d.get(f"amount_{i}") is not None]


class DecideForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", "审批赔付"), ("send_back", "退回重核"), ("reject", "不予赔付"),
                                        ("withdraw", "撤销")])
    reason = forms.CharField(label="理由（退回、不予赔付、撤销时必填）", max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class CaseClaimForm(forms.Form):
    item = forms.ChoiceField(label="支出项目", choices=ITEM_CHOICES)
    summary = forms.CharField(label="报案说明", max_length=500, required=False)


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=[(k.value, ENTRY_LABELS[k]) for k in MANUAL_KINDS])
    amount = forms.DecimalField(label="金额（元）", max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    date = forms.DateField(label="日期", **DATE)
    note = forms.CharField(label="摘要", max_length=300, required=False)
