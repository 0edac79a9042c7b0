"""Station portal pages of military-civilian support, under `/station/support_army/` (namespace `station:support_army`)."""

from django.urls import path

from support_army import views

app_name = "support_army"

urlpatterns = [
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/deliver/", views.notice_deliver, name="notice_deliver"),
    path("homecoming/", views.homecoming_list, name="homecoming_list"),
    path("homecoming/new/", views.homecoming_create, name="homecoming_create"),
    path("homecoming/<int:pk>/edit/", views.homecoming_edit, name="homecoming_edit"),
    path("homecoming/<int:pk>/checklist/", views.homecoming_checklist, name="homecoming_checklist"),
]
