"""The HTTP API (django-ninja): the same services, scoping and audit as the pages, as JSON.

Mounted at /api/; the OpenAPI document is /api/openapi.json and a plain server-rendered
reference (no remote assets) is /api/docs. See docs/api.md.
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from fangpin.api import errors
from fangpin.api.cases import router as cases_router
from fangpin.api.public import router as public_router
from fangpin.api.visits import router as visits_router


class ChineseJSON(JSONRenderer):
    """UTF-8 as is: readable Chinese for people and greppable bodies for tests."""

    json_dumps_params = {"ensure_ascii": False}


DESCRIPTION = """防返贫动态监测和帮扶系统的数据接口：农户自主申报、走访排查记录、识别案件办理。

认证：浏览器会话（不安全方法须带 X-CSRFToken），或个人接口令牌 `Authorization: Bearer <令牌>`
（`fangpin create_api_token <用户名> <用途> [--days N]` 签发）。所有查询限于调用者的管辖区划；
所有读取个人记录和写入都记审计日志。错误一律为 JSON：`{"detail": "中文说明"}`。"""

api = NinjaAPI(title="防贫监测 API", version="1", description=DESCRIPTION, urls_namespace="api",
               docs_url=None, renderer=ChineseJSON())
errors.install(api)
api.add_router("/public", public_router, tags=["农户自主申报（免登录）"])
api.add_router("/visits", visits_router, tags=["走访排查"])
api.add_router("/", cases_router, tags=["识别案件"])
