"""Forms of the case work pages: one action form per step, with the paperwork that step records.

The forms only check shape (required fields, numbers, dates); whether the move is allowed and
what a step must record is decided by ``services.do_case_action`` and the core's table.
"""

from __future__ import annotations

from typing import Any

from django import forms

from fangpin.core import workflow
from fangpin.core.workflow import Action, State

ACTION_CHOICES = [(a.value, workflow.ACTION_LABELS[a]) for a in Action]
STATE_CHOICES = [(s.value, workflow.STATE_LABELS[s]) for s in State]
REVIEW_STATES = (State.VILLAGE_REVIEW, State.ELIM_REVIEW)


class ActForm(forms.Form):
    """What every action posts: the action, the state the user saw, and (when needed) a reason."""

    action = forms.ChoiceField(label="动作", choices=ACTION_CHOICES)
    seen_state = forms.ChoiceField(label="环节", choices=STATE_CHOICES, widget=forms.HiddenInput)
    reason = forms.CharField(label="理由/说明", max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def step_data(self) -> dict[str, Any]:
        return {}


class ReviewForm(ActForm):
    """村级民主评议: date, attendance, votes, minutes (stored in the step as JSON)."""

    date = forms.DateField(label="评议日期", widget=forms.DateInput(attrs={"type": "date"}))
    attendance = forms.IntegerField(label="参会人数", min_value=1)
    votes_for = forms.IntegerField(label="赞成票", min_value=0)
    votes_against = forms.IntegerField(label="反对票", min_value=0)
    minutes = forms.CharField(label="会议纪要", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        votes = (data.get("votes_for") or 0) + (data.get("votes_against") or 0)
        if data.get("attendance") and votes > data["attendance"]:
            raise forms.ValidationError(f"赞成票与反对票合计 {votes} 超过参会人数 {data['attendance']}")
        return data

    def step_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"date": d["date"].isoformat(), "attendance": d["attendance"], "votes_for": d["votes_for"],
                "votes_against": d["votes_against"], "minutes": d["minutes"]}


class DecisionForm(ActForm):
    """县级审定: category and risk types from the case's policy, and the date monitoring starts."""

    category = forms.ChoiceField(label="监测对象类别")
    risk_types = forms.MultipleChoiceField(label="风险类型", widget=forms.CheckboxSelectMultiple)
    effective_date = forms.DateField(label="纳入监测日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, policy=None, **kwargs):
        super().__init__(*args, **kwargs)
        if policy is not None:
            core = policy.as_core()
            self.fields["category"].choices = [("", "请选择")] + [(c, c) for c in core.categories]
            self.fields["risk_types"].choices = [(r, r) for r in core.risk_types]

    def step_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"category": d["category"], "risk_types": list(d["risk_types"]),
                "effective_date": d["effective_date"].isoformat()}


class OpenLeadForm(forms.Form):
    summary = forms.CharField(label="线索摘要", max_length=300)


def form_class(state: State, action: Action) -> type[ActForm]:
    """The form of ``action`` at ``state``: submits of reviews and the county decision carry data."""
    if action is Action.SUBMIT and state in REVIEW_STATES:
        return ReviewForm
    if action is Action.SUBMIT and state is State.COUNTY_DECISION:
        return DecisionForm
    return ActForm


def needs_reason(state: State, action: Action) -> bool:
    move = workflow.TRANSITIONS.get((state, action))
    return bool(move and move.needs_reason)


def error_text(form: forms.Form) -> str:
    """All of a form's errors in one Chinese line, each named by its field label."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}：{'；'.join(errors)}" if label else "；".join(errors))
    return "；".join(parts)
