from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from fangpin.accounts.models import User
from fangpin.core import roles
from fangpin.regions.models import Region


class LoginForm(AuthenticationForm):
    username = forms.CharField(label="用户名", widget=forms.TextInput(attrs={"autofocus": True,
                                                                          "autocomplete": "username"}))
    password = forms.CharField(label="密码", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class GrantForm(forms.ModelForm):
    """Role, region and department kind of an account (its grants), checked against the administrator's scope.

    There is deliberately no is_superuser / is_staff / permissions field: the one role field is the
    whole of an account's powers, so nobody holds administrator and data roles at once (三员分立)."""

    region = forms.CharField(label="所属区划代码", max_length=12,
                             help_text="2/4/6/9/12 位短码，如县级账户填 6 位县代码")

    class Meta:
        model = User
        fields = ["role", "region", "department_kind"]

    def __init__(self, *args, admin: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.admin = admin
        if self.instance.pk:
            self.initial["region"] = self.instance.region_id

    def clean_region(self) -> Region:
        code = self.cleaned_data["region"].strip()
        region = Region.objects.filter(code=code).first()
        if region is None or not code.startswith(self.admin.scope_code):
            raise forms.ValidationError(f"区划代码 {code} 不存在或不在您的管辖范围（{self.admin.scope_code}）内")
        if region.retired:
            raise forms.ValidationError(f"区划 {region.name}（{code}）已撤销，不能再分配账户")
        return region

    def clean(self):
        # Role ↔ region level and the department kind are checked by User.clean() (the model).
        data = super().clean()
        if data.get("role") and data["role"] != roles.Role.DEPARTMENT:
            data["department_kind"] = ""
        return data


class UserEditForm(forms.ModelForm):
    """What the system administrator may change on an existing account: its name. Grants are the security
    administrator's (GrantForm)."""

    class Meta:
        model = User
        fields = ["username", "display_name"]
        labels = {"username": "用户名"}

    def __init__(self, *args, admin: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.admin = admin


class PasswordForm(forms.Form):
    password1 = forms.CharField(label="新密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="再次输入新密码", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        elif data.get("password1"):
            try:
                password_validation.validate_password(data["password1"], self.user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class UserCreateForm(GrantForm):
    """The system administrator creates business accounts; an administrator role (三员) is granted by the
    security administrator afterwards (GrantForm), so no single administrator makes another."""

    password1 = PasswordForm.base_fields["password1"]
    password2 = PasswordForm.base_fields["password2"]

    class Meta(GrantForm.Meta):
        fields = ["username", "display_name", "role", "region", "department_kind"]
        labels = {"username": "用户名"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(v, label) for v, label in roles.ROLE_CHOICES
                                       if roles.Role(v) not in roles.ADMIN_ROLES]

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        elif data.get("password1"):
            probe = User(username=data.get("username", ""), display_name=data.get("display_name", ""))
            try:
                password_validation.validate_password(data["password1"], probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class UserFilterForm(forms.Form):
    q = forms.CharField(label="用户名或姓名", required=False, max_length=50)
    role = forms.ChoiceField(label="角色", required=False, choices=[("", "全部"), *roles.ROLE_CHOICES])
    active = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), ("1", "启用"), ("0", "停用")])


class OwnPasswordForm(PasswordForm):
    """A user changing their own password: the current one first (also when it has expired)."""

    old_password = forms.CharField(label="当前密码", strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password",
                                                                     "autofocus": True}))
    field_order = ["old_password", "password1", "password2"]

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise forms.ValidationError("当前密码不正确")
        return old


class TokenForm(forms.Form):
    token = forms.RegexField(label="动态口令", regex=r"^\s*\d{6}\s*$", max_length=12,
                             error_messages={"invalid": "动态口令为 6 位数字"},
                             widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                           "autofocus": True}))

    def clean_token(self) -> str:
        return self.cleaned_data["token"].strip()
