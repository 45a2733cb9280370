from django.urls import include, path

from fangpin.accounts import views

user_patterns = [
    path("", views.user_list, name="users"),
    path("new/", views.user_create, name="user_create"),
    path("<int:pk>/", views.user_edit, name="user_edit"),
    path("<int:pk>/active/", views.user_active, name="user_active"),
    path("<int:pk>/password/", views.user_password, name="user_password"),
    path("<int:pk>/grants/", views.user_grants, name="user_grants"),
    path("<int:pk>/totp/", views.user_totp, name="user_totp"),
    path("me/password/", views.password_change, name="password_change"),
    path("me/totp/setup/", views.otp_setup, name="otp_setup"),
    path("me/totp/verify/", views.otp_verify, name="otp_verify"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("users/", include((user_patterns, "accounts"))),
]
