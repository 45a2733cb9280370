from django.urls import path

from fangpin.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
]
urlpatterns += [
    path("users/", views.user_list, name="users"),
]
