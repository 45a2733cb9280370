"""Small pieces the routers share: pagination and the 405 of guarded POST-only routes."""

from __future__ import annotations

from django.db.models import QuerySet
from ninja import Query, Schema
from ninja.errors import HttpError
from pydantic import Field

MAX_PAGE_SIZE = 100


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=100_000, description="页码，从 1 开始")
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description=f"每页条数（1–{MAX_PAGE_SIZE}）")


def page_of(qs: QuerySet, paging: PageQuery) -> tuple[int, list]:
    """The total and one page's rows (an empty list past the end)."""
    start = (paging.page - 1) * paging.page_size
    return qs.count(), list(qs[start:start + paging.page_size])


def post_only() -> None:
    """GET on a POST-only route, answered after the guard (so out-of-scope ids still answer 404)."""
    raise HttpError(405, "此接口只接受 POST 请求")


__all__ = ["MAX_PAGE_SIZE", "PageQuery", "Query", "page_of", "post_only"]
