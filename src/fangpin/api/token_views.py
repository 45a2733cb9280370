"""My API tokens (optional self-service next to ``fangpin create_api_token``): list, issue, revoke.

Only the caller's own tokens; the secret appears once, in the response to the POST that made it.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from fangpin.accounts.access import require
from fangpin.api.models import ApiToken
from fangpin.api.tokens import TokenError, do_issue_token, do_revoke_token


class TokenForm(forms.Form):
    name = forms.CharField(label="用途说明", max_length=60, help_text="例如“乡镇数据对接”")
    days = forms.IntegerField(label="有效天数", min_value=1, max_value=3650, initial=30,
                              help_text="到期自动失效；最长天数由系统设置（须动态口令的角色更短）")


@never_cache
@require("handle_cases")
@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = do_issue_token(request.user, form.cleaned_data["name"], days=form.cleaned_data["days"],
                                           request=request)
        except TokenError as err:
            form.add_error(None, str(err))
        else:
            form = TokenForm()
            messages.success(request, f"已签发令牌 {token.prefix}…，请立即复制保存：离开本页后无法再次查看")
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created")
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens, "secret": secret,
                                               "now": timezone.now()})


@require("handle_cases")
def token_revoke(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404("令牌不存在")
    if token.revoked is None:
        do_revoke_token(token, request=request)
        messages.success(request, f"已撤销令牌 {token.prefix}…")
    return redirect("api:tokens")
