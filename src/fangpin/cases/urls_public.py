"""Login-free pages for households (mounted at /apply/)."""

app_name = "public"
urlpatterns: list = []
