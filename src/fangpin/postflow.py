"""The one shape of a posted form in the office pages: the form's errors in one message, else the service verb;
a refusal of the verb (its app's error class) becomes an error message, success a success message; either way
the user is sent back to the page the form was on."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotAllowed

from fangpin.cases.forms import error_text

Refused = type[Exception] | tuple[type[Exception], ...]


def done(request, fn: Callable[[], Any], success: str, back: HttpResponse, *, refused: Refused) -> HttpResponse:
    try:
        fn()
    except refused as exc:
        messages.error(request, str(exc))
        return back
    messages.success(request, success)
    return back


def submit(request, form, act: Callable[[dict], Any], success: str, back: HttpResponse, *,
           refused: Refused) -> HttpResponse:
    if not form.is_valid():
        messages.error(request, error_text(form))
        return back
    return done(request, lambda: act(form.cleaned_data), success, back, refused=refused)


def post_only(request) -> HttpResponse | None:
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def for_errors(refused: Refused) -> tuple[Callable[..., HttpResponse], Callable[..., HttpResponse]]:
    """(done, submit) bound to one app's refusal class: ``_done, _submit = postflow.for_errors(PlanError)``."""
    return partial(done, refused=refused), partial(submit, refused=refused)
