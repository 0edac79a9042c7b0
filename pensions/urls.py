"""Station portal pages of preferential care, under `/station/pensions/` (namespace `station:pensions`)."""

from django.urls import path

from pensions import views

app_name = "pensions"

urlpatterns = [
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("problems/", views.problem_list, name="problem_list"),
    path("problems/new/", views.problem_create, name="problem_create"),
    path("problems/<int:pk>/edit/", views.problem_edit, name="problem_edit"),
    path("checkups/", views.checkup_list, name="checkup_list"),
    path("checkups/new/", views.checkup_create, name="checkup_create"),
    path("checkups/<int:pk>/edit/", views.checkup_edit, name="checkup_edit"),
]
