"""Assistance plans (一户一策): measures, department referrals, follow-up visits (mounted at /plans/)."""

app_name = "plans"
urlpatterns: list = []
