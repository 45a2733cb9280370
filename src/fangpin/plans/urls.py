"""Assistance plans (一户一策): measures, department referrals, follow-up visits (mounted at /plans/)."""

from django.urls import path

from fangpin.plans import views

app_name = "plans"
urlpatterns = [
    path("case/<int:case_pk>/", views.plan, name="case"),
    path("case/<int:case_pk>/helper/", views.save_helper, name="save_helper"),
    path("case/<int:case_pk>/measures/add/", views.add_measure, name="add_measure"),
    path("case/<int:case_pk>/followups/add/", views.record_followup, name="record_followup"),
    path("measure/<int:pk>/refer/", views.measure_refer, name="measure_refer"),
    path("measure/<int:pk>/complete/", views.measure_complete, name="measure_complete"),
    path("measure/<int:pk>/cancel/", views.measure_cancel, name="measure_cancel"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/<int:pk>/accept/", views.referral_accept, name="referral_accept"),
    path("referrals/<int:pk>/decline/", views.referral_decline, name="referral_decline"),
    path("referrals/<int:pk>/complete/", views.referral_complete, name="referral_complete"),
    path("followups/", views.followups, name="followups"),
]
