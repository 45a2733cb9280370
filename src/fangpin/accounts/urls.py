from django.urls import include, path

from fangpin.accounts import views

user_patterns = [
    path("", views.user_list, name="users"),
    path("new/", views.user_create, name="user_create"),
    path("<int:pk>/", views.user_edit, name="user_edit"),
    path("<int:pk>/active/", views.user_active, name="user_active"),
    path("<int:pk>/password/", views.user_password, name="user_password"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("users/", include((user_patterns, "accounts"))),
]
