"""Station portal pages of employment, under `/station/employment/` (namespace `station:employment`)."""

from django.urls import path

from employment import views

app_name = "employment"

urlpatterns = [
    path("attendances/", views.attendance_list, name="attendance_list"),
    path("attendances/new/", views.attendance_create, name="attendance_create"),
    path("attendances/<int:pk>/edit/", views.attendance_edit, name="attendance_edit"),
    path("outcomes/", views.outcome_list, name="outcome_list"),
    path("outcomes/new/", views.outcome_create, name="outcome_create"),
    path("outcomes/<int:pk>/edit/", views.outcome_edit, name="outcome_edit"),
]
