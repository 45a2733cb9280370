"""Authentication backends: django-axes' lockout first, then the model backend with the superuser rule."""

from __future__ import annotations

import logging

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from fangpin.accounts import policy

log = logging.getLogger("fangpin.security")


class LockoutBackend(AxesStandaloneBackend):
    """Axes needs the request to count failures per username. Every login over HTTP (the login form) passes it;
    an ``authenticate()`` without a request (the test client's ``login()``, the shell) cannot come from the
    network, so it is not counted rather than refused."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            request.fangpin_locked = True  # locked before this attempt (the audit tells the two apart)
            raise


class PolicyBackend(ModelBackend):
    """Inactive accounts are refused (as Django's); superusers only while FANGPIN_BREAK_GLASS is on."""

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        if getattr(user, "is_superuser", False) and not policy.break_glass():
            log.warning("superuser login refused (FANGPIN_BREAK_GLASS off): %s", user.username)
            return False
        return True

    def get_user(self, user_id):
        """The session's user with their region in the same query: every page shows and scopes by it."""
        model = get_user_model()
        try:
            user = model._default_manager.select_related("region").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
