"""Station portal pages of commemoration, under `/station/commemoration/` (namespace `station:commemoration`)."""

from django.urls import path

from commemoration import views

app_name = "commemoration"

urlpatterns = [
    path("nominees/", views.nominee_list, name="nominee_list"),
    path("nominees/new/", views.nominee_create, name="nominee_create"),
    path("nominees/<int:pk>/edit/", views.nominee_edit, name="nominee_edit"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/edit/", views.inspection_edit, name="inspection_edit"),
]
