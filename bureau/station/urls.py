from django.contrib.auth import views as auth_views
from django.urls import include, path

from bureau.station import views

app_name = "station"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="station/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("submissions/", views.submissions, name="submissions"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("employment/", include("employment.urls")),
]
