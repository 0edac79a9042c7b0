from django.contrib.auth import views as auth_views
from django.urls import include, path

from bureau.areas import area_configs
from bureau.station import drafts, todo, views

app_name = "station"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="station/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("submissions/", views.submissions, name="submissions"),
    path("notices/<int:pk>/", views.notice_open, name="notice_open"),
    path("notices/read/", views.notices_read_all, name="notices_read_all"),
    path("todo/", todo.todo, name="todo"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/find/", views.person_find, name="person_find"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("drafts/", drafts.draft, name="draft"),
]

# Each area app's station pages, as it declares them: /station/<label>/…, namespace station:<label>.
urlpatterns += [
    path(f"{area.label}/", include((area.station_urls, area.label))) for area in area_configs() if area.station_urls
]
