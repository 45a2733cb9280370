"""Access walk of the report pages: a region code in the URL is an object located in that region."""

from __future__ import annotations

from django.utils import timezone

from tests.walk import Case


def _month() -> str:
    return f"{timezone.localdate():%Y-%m}"


WALK = {
    "reports:index": Case("page", lambda w, v: {}, permission="view_dashboard"),
    "reports:ledger": Case("object", lambda w, v: {"code": v, "kind": "monitoring"}, permission="view_dashboard"),
    "reports:monthly": Case("object", lambda w, v: {"code": v, "month": _month()}, permission="view_dashboard"),
    "reports:monthly_pdf": Case("object", lambda w, v: {"code": v, "month": _month()}, permission="view_dashboard"),
}
