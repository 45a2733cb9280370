"""Supervision (督战): statistics, rules, campaigns, problems, the monthly summary (mounted at /supervision/)."""

from django.urls import path

from fangpin.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.stats, name="stats"),
    path("rules/", views.rules, name="rules"),
    path("rules/add/", views.rule_add, name="rule_add"),
    path("rules/<int:pk>/active/", views.rule_active, name="rule_active"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/add/", views.campaign_add, name="campaign_add"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/phases/add/", views.phase_add, name="phase_add"),
    path("findings/", views.findings, name="findings"),
    path("assign/", views.assign, name="assign"),
    path("problems/", views.problems, name="problems"),
    path("problems/<int:pk>/", views.problem, name="problem"),
    path("problems/<int:pk>/rectify/", views.rectify, name="rectify"),
    path("problems/<int:pk>/review/", views.review, name="review"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("monthly/", views.monthly, name="monthly"),
]
