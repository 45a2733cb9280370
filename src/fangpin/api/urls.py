"""HTTP API with an OpenAPI document (mounted at /api/)."""

app_name = "api"
urlpatterns: list = []
