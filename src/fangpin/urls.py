from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path

from fangpin.accounts.forms import LoginForm


@login_not_required
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html",
                                                         authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("", include("fangpin.accounts.urls")),
    path("households/", include("fangpin.registry.urls")),
    path("ledger/", include("fangpin.ledger.urls")),
    path("audit/", include("fangpin.audit.urls")),
    path("regions/", include("fangpin.regions.urls")),
    path("cases/", include("fangpin.cases.urls")),
    path("plans/", include("fangpin.plans.urls")),
    path("api/", include("fangpin.api.urls")),
    path("datasets/", include("fangpin.datasets.urls")),
    path("alerts/", include("fangpin.alerts.urls")),
    path("jobs/", include("fangpin.employment.urls")),
    path("reports/", include("fangpin.reports.urls")),
    path("insurance/", include("fangpin.insurance.urls")),
    path("apply/", include("fangpin.cases.urls_public")),
    path("supervision/", include("fangpin.supervision.urls")),
    path("dashboards/", include("fangpin.dashboards.urls")),
    path("grievances/", include("fangpin.grievances.urls")),
    path("grievance/", include("fangpin.grievances.urls_public")),
]
