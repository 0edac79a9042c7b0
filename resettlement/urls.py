"""Station portal pages of resettlement, under `/station/resettlement/` (namespace `station:resettlement`)."""

from django.urls import path

from resettlement import views

app_name = "resettlement"

urlpatterns = [
    path("insurance/", views.insurance_list, name="insurance_list"),
    path("insurance/new/", views.insurance_create, name="insurance_create"),
    path("insurance/<int:pk>/edit/", views.insurance_edit, name="insurance_edit"),
]
