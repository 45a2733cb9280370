"""The report page's choices: which region of the user's subtree, which month."""

from __future__ import annotations

import datetime as dt

from django import forms

from fangpin.regions.models import Region


class ReportForm(forms.Form):
    region = forms.ChoiceField(label="区划")
    month = forms.RegexField(label="月份", regex=r"^\d{4}-\d{2}$", max_length=7,
                             widget=forms.TextInput(attrs={"type": "month"}),
                             error_messages={"invalid": "月份应为 YYYY-MM"})

    def __init__(self, *args, user, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        own = Region.objects.get(code=user.scope_code)
        children = Region.objects.filter(parent_id=own.code, retired=False).order_by("code")
        self.fields["region"].choices = [(own.code, own.name), *((r.code, f"　{r.name}") for r in children)]
        self.fields["region"].initial = own.code
        self.fields["month"].initial = f"{today:%Y-%m}"
