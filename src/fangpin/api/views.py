"""The API's two plain pages: a JSON index at /api/ and a reference page at /api/docs (no remote assets)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

METHODS = ("get", "post", "put", "patch", "delete")


def index(request):
    return JsonResponse({"title": "防贫监测 API", "version": "1", "openapi": reverse("api:openapi-json"),
                         "docs": reverse("api:docs")}, json_dumps_params={"ensure_ascii": False})


def operations(schema: dict) -> list[dict]:
    """One row per documented operation, in the document's order."""
    rows = []
    for route, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = (op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}))
            rows.append({"method": method.upper(), "path": route, "summary": op.get("summary", ""),
                         "description": op.get("description", ""), "tag": (op.get("tags") or [""])[0],
                         "public": not op.get("security"), "body": body.get("$ref", "").rsplit("/", 1)[-1],
                         "params": [p["name"] for p in op.get("parameters", [])],
                         "statuses": sorted(op.get("responses", {}))})
    return rows


@login_not_required
def docs(request):
    from fangpin.api.api import api

    schema = api.get_openapi_schema()
    return render(request, "api/docs.html", {"rows": operations(schema), "info": schema["info"]})
